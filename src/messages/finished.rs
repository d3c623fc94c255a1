//! Finished (RFC 5246 7.4.9): proof that both sides saw the same handshake and hold the same
//! master secret. The first message protected with the new keys.
//!
//! ```text
//! struct {
//!     opaque verify_data[verify_data_length];
//! } Finished;
//!
//! verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))
//!                  [0..verify_data_length-1];
//! ```
//!
//! verify_data_length is 12 for every TLS 1.2 suite defined so far, ours included.

use super::{HandshakeMessage, HandshakeType, begin_handshake, read_handshake_header};
use crate::codec::{Field, Labelled, Reader, Writer};
use crate::error::Error;

/// The Finished message: proof that both sides saw the same handshake and hold the same
/// master secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    /// PRF(master_secret, finished_label, Hash(handshake_messages))[0..11]: 12 bytes (RFC 5246
    /// 7.4.9).
    pub verify_data: [u8; 12],
}

impl HandshakeMessage for Finished {
    const TYPE: HandshakeType = HandshakeType::Finished;

    fn encode(&self) -> Result<Labelled, Error> {
        let mut w = Writer::new();
        let body = begin_handshake(&mut w, Self::TYPE);
        w.bytes("verify_data", &self.verify_data);
        w.end(body)?;
        Ok(w.finish()?)
    }

    fn decode(message: &[u8]) -> Result<(Self, Vec<Field>), Error> {
        let mut r = Reader::new(message);
        read_handshake_header(&mut r, Self::TYPE)?;
        let verify_data = r.array("verify_data")?;
        r.end()?;
        Ok((Finished { verify_data }, r.finish("Finished")?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_twelve_bytes() {
        let msg = Finished {
            verify_data: [1; 12],
        };
        let bytes = msg.encode().unwrap().bytes;
        assert_eq!(bytes.len(), 16);
        assert_eq!(Finished::decode(&bytes).unwrap().0, msg);
        assert!(Finished::decode(&[20, 0, 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(Finished::decode(&[20, 0, 0, 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
    }
}
