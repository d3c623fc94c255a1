//! The handshake transcript: every handshake message sent or received, in order, header
//! included (RFC 5246 7.4.9: "handshake_messages" is all of the data from all messages in this
//! handshake, not including any HelloRequest messages, up to, but not including, this message).
//!
//! We keep the bytes themselves rather than a running hash: the suite (and so the hash) is only
//! known after ServerHello, a handshake is a few kilobytes, and a learner can print exactly
//! what Finished, the extended master secret and CertificateVerify cover.

use crate::messages::handshake_type_name;
use crate::prf::HashAlg;

#[derive(Clone, Debug, Default)]
pub struct Transcript {
    bytes: Vec<u8>,
    /// Names of the messages covered, in order, for the trace.
    names: Vec<String>,
}

impl Transcript {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one whole handshake message (4-byte header and body). (HelloRequest, which is
    /// never part of the transcript, is dropped by the record layer before it gets here.)
    pub fn add(&mut self, message: &[u8]) {
        if let Some(&code) = message.first() {
            self.names.push(handshake_type_name(code));
        }
        self.bytes.extend_from_slice(message);
    }

    /// Hash(handshake_messages so far).
    pub fn hash(&self, alg: HashAlg) -> Vec<u8> {
        alg.hash(&self.bytes)
    }

    /// The bytes covered so far.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// "ClientHello + ServerHello + ...": what the hash covers, in words.
    pub fn covers(&self) -> String {
        self.names.join(" + ")
    }
}
