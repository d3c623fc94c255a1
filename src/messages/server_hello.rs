//! ServerHello (RFC 5246 7.4.1.3): the server's choices.
//!
//! ```text
//! struct {
//!     ProtocolVersion server_version;
//!     Random random;
//!     SessionID session_id;
//!     CipherSuite cipher_suite;
//!     CompressionMethod compression_method;
//!     select (extensions_present) {
//!         case false:
//!             struct {};
//!         case true:
//!             Extension extensions<0..2^16-1>;
//!     };
//! } ServerHello;
//! ```

use super::extensions::{Hello, HelloExtensions};
use super::{HandshakeMessage, HandshakeType, begin_handshake, read_handshake_header};
use crate::codec::{Field, Labelled, Reader, Writer};
use crate::error::{DecodeProblem, Error};

/// The ServerHello message: the server's choices from the client's offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHello {
    /// The version chosen: 0x0303, TLS 1.2.
    pub server_version: u16,
    /// 32 bytes from the server's RNG, mixed into the master secret and the key block.
    pub random: [u8; 32],
    /// Empty from our server: the session is not cached for resumption (RFC 5246 7.4.1.3).
    pub session_id: Vec<u8>,
    /// The one suite chosen from the client's list.
    pub cipher_suite: u16,
    /// The compression method chosen: 0, null.
    pub compression_method: u8,
    /// Answers to the client's extensions; only ones the client offered may appear (RFC 5246
    /// 7.4.1.4).
    pub extensions: HelloExtensions,
}

impl HandshakeMessage for ServerHello {
    const TYPE: HandshakeType = HandshakeType::ServerHello;

    fn encode(&self) -> Result<Labelled, Error> {
        let mut w = Writer::new();
        let body = begin_handshake(&mut w, Self::TYPE);
        w.u16("server_version", self.server_version);
        w.bytes("random", &self.random);
        w.opaque_u8("session_id", &self.session_id)?;
        w.u16("cipher_suite", self.cipher_suite);
        w.u8("compression_method", self.compression_method);
        if !self.extensions.is_empty() {
            self.extensions.encode(&mut w)?;
        }
        w.end(body)?;
        Ok(w.finish()?)
    }

    fn decode(message: &[u8]) -> Result<(Self, Vec<Field>), Error> {
        let mut r = Reader::new(message);
        read_handshake_header(&mut r, Self::TYPE)?;
        let server_version = r.u16("server_version")?;
        let random = r.array("random")?;
        let session_id = r.opaque_u8("session_id")?.to_vec();
        if session_id.len() > 32 {
            return Err(Error::decode("session_id", DecodeProblem::OutOfRange));
        }
        let cipher_suite = r.u16("cipher_suite")?;
        let compression_method = r.u8("compression_method")?;
        let extensions = HelloExtensions::decode(&mut r, Hello::Server)?;
        r.end()?;
        let fields = r.finish("ServerHello")?;
        Ok((
            ServerHello {
                server_version,
                random,
                session_id,
                cipher_suite,
                compression_method,
                extensions,
            },
            fields,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncations() {
        let hello = ServerHello {
            server_version: 0x0303,
            random: [9; 32],
            session_id: vec![1, 2, 3],
            cipher_suite: 0x009c,
            compression_method: 0,
            extensions: HelloExtensions {
                renegotiation_info: Some(vec![]),
                extended_master_secret: true,
                ..Default::default()
            },
        };
        let bytes = hello.encode().unwrap().bytes;
        assert_eq!(ServerHello::decode(&bytes).unwrap().0, hello);
        for len in 0..bytes.len() {
            assert!(ServerHello::decode(&bytes[..len]).is_err());
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(ServerHello::decode(&longer).is_err());
    }
}
