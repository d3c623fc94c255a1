//! ClientHello (RFC 5246 7.4.1.2): the client's opening offer.
//!
//! ```text
//! struct {
//!     ProtocolVersion client_version;
//!     Random random;
//!     SessionID session_id;
//!     CipherSuite cipher_suites<2..2^16-2>;
//!     CompressionMethod compression_methods<1..2^8-1>;
//!     select (extensions_present) {
//!         case false:
//!             struct {};
//!         case true:
//!             Extension extensions<0..2^16-1>;
//!     };
//! } ClientHello;
//!
//! struct {
//!     uint32 gmt_unix_time;
//!     opaque random_bytes[28];
//! } Random;
//!
//! opaque SessionID<0..32>;
//! ```
//!
//! Like most modern stacks we fill all 32 bytes of Random from the RNG rather than putting the
//! time in the first four (RFC 8446 Appendix C.1 explains why the clock leaked information).

use super::extensions::{Hello, HelloExtensions};
use super::{HandshakeMessage, HandshakeType, begin_handshake, read_handshake_header};
use crate::codec::{Field, Labelled, Reader, Writer};
use crate::error::{DecodeProblem, Error};

/// The ClientHello message: what the client offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello {
    /// The highest version the client supports: 0x0303, TLS 1.2. An RSA pre-master secret
    /// repeats it.
    pub client_version: u16,
    /// 32 bytes from the client's RNG, mixed into the master secret and the key block.
    pub random: [u8; 32],
    /// Empty for a new session (ours always); a non-empty ID asks to resume that session.
    pub session_id: Vec<u8>,
    /// Cipher suite code points, in the client's order of preference.
    pub cipher_suites: Vec<u16>,
    /// Compression methods; ours offers only 0, null (TLS compression leaked secrets: CRIME).
    pub compression_methods: Vec<u8>,
    /// The hello extensions offered (RFC 5246 7.4.1.4); left out of the message when empty.
    pub extensions: HelloExtensions,
}

impl HandshakeMessage for ClientHello {
    const TYPE: HandshakeType = HandshakeType::ClientHello;

    fn encode(&self) -> Result<Labelled, Error> {
        let mut w = Writer::new();
        let body = begin_handshake(&mut w, Self::TYPE);
        w.u16("client_version", self.client_version);
        w.bytes("random", &self.random);
        w.opaque_u8("session_id", &self.session_id)?;
        w.u16_list("cipher_suites", "cipher_suite", &self.cipher_suites)?;
        let methods = w.begin_u8("compression_methods");
        for &method in &self.compression_methods {
            w.u8("compression_method", method);
        }
        w.end(methods)?;
        if !self.extensions.is_empty() {
            self.extensions.encode(&mut w)?;
        }
        w.end(body)?;
        Ok(w.finish()?)
    }

    fn decode(message: &[u8]) -> Result<(Self, Vec<Field>), Error> {
        let mut r = Reader::new(message);
        read_handshake_header(&mut r, Self::TYPE)?;
        let client_version = r.u16("client_version")?;
        let random = r.array("random")?;
        let session_id = r.opaque_u8("session_id")?.to_vec();
        if session_id.len() > 32 {
            return Err(Error::decode("session_id", DecodeProblem::OutOfRange));
        }
        let cipher_suites = r.u16_list("cipher_suites", "cipher_suite")?;
        let compression_methods = r.opaque_u8("compression_methods")?.to_vec();
        if compression_methods.is_empty() {
            return Err(Error::decode(
                "compression_methods",
                DecodeProblem::OutOfRange,
            ));
        }
        let extensions = HelloExtensions::decode(&mut r, Hello::Client)?;
        r.end()?;
        let fields = r.finish("ClientHello")?;
        Ok((
            ClientHello {
                client_version,
                random,
                session_id,
                cipher_suites,
                compression_methods,
                extensions,
            },
            fields,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ClientHello {
        ClientHello {
            client_version: 0x0303,
            random: [7; 32],
            session_id: vec![],
            cipher_suites: vec![0x009c, 0x00ff],
            compression_methods: vec![0],
            extensions: HelloExtensions {
                extended_master_secret: true,
                ..Default::default()
            },
        }
    }

    #[test]
    fn round_trip() {
        let hello = sample();
        let bytes = hello.encode().unwrap().bytes;
        let (back, fields) = ClientHello::decode(&bytes).unwrap();
        assert_eq!(back, hello);
        assert_eq!(fields[0].label, "msg_type");
    }

    #[test]
    fn hello_without_extensions_block_is_accepted() {
        let mut hello = sample();
        hello.extensions = HelloExtensions::default();
        let bytes = hello.encode().unwrap().bytes;
        assert_eq!(ClientHello::decode(&bytes).unwrap().0, hello);
    }

    #[test]
    fn every_truncation_is_a_decode_error() {
        let bytes = sample().encode().unwrap().bytes;
        for len in 0..bytes.len() {
            let err = ClientHello::decode(&bytes[..len]).unwrap_err();
            assert!(matches!(err, Error::Decode { .. }), "len {len}: {err}");
        }
    }
}
