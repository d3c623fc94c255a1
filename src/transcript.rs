//! The handshake transcript: every handshake message sent or received, in order, header
//! included (RFC 5246 7.4.9: "handshake_messages" is all of the data from all messages in this
//! handshake, not including any HelloRequest messages, up to, but not including, this message).
//!
//! Three things are kept, all fed the same bytes in the same order:
//! - the bytes themselves, so that a learner can print exactly what Finished, the extended
//!   master secret and CertificateVerify cover (and CertificateVerify signs them);
//! - a running SHA-256 and a running SHA-384, because the suite, and so the hash, is known only
//!   after ServerHello; "the hash so far" is then a copy of the running state, finished, rather
//!   than hashing every byte again at each use (as Go's crypto/tls does).

use sha2::{Digest, Sha256, Sha384};

use crate::messages::handshake_type_name;
use crate::suites::HashAlg;

/// `handshake_messages` (RFC 5246 7.4.9): the messages so far, as bytes and as running
/// SHA-256 and SHA-384.
#[derive(Clone, Debug, Default)]
pub struct Transcript {
    bytes: Vec<u8>,
    /// Handshake types of the messages covered, in order, for the trace.
    types: Vec<u8>,
    sha256: Sha256,
    sha384: Sha384,
}

impl Transcript {
    /// An empty transcript, before ClientHello.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one whole handshake message (4-byte header and body). (HelloRequest, which is
    /// never part of the transcript, is dropped by the record layer before it gets here.)
    pub fn add(&mut self, message: &[u8]) {
        if let Some(&code) = message.first() {
            self.types.push(code);
        }
        self.bytes.extend_from_slice(message);
        self.sha256.update(message);
        self.sha384.update(message);
    }

    /// Hash(handshake_messages so far).
    pub fn hash(&self, alg: HashAlg) -> Vec<u8> {
        match alg {
            HashAlg::Sha256 => self.sha256.clone().finalize().to_vec(),
            HashAlg::Sha384 => self.sha384.clone().finalize().to_vec(),
        }
    }

    /// The bytes covered so far.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// "ClientHello + ServerHello + ...": what the hash covers, in words.
    pub fn covers(&self) -> String {
        let names: Vec<String> = self.types.iter().map(|&t| handshake_type_name(t)).collect();
        names.join(" + ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_hash_equals_hash_of_the_bytes() {
        let mut t = Transcript::new();
        t.add(&[1, 0, 0, 1, 9]);
        t.add(&[2, 0, 0, 0]);
        for alg in [HashAlg::Sha256, HashAlg::Sha384] {
            assert_eq!(t.hash(alg), alg.hash(t.bytes()));
        }
        assert_eq!(t.covers(), "ClientHello + ServerHello");
    }
}
