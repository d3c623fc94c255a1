//! ServerHelloDone (RFC 5246 7.4.5): "that is all from me for now"; an empty body.
//!
//! ```text
//! struct { } ServerHelloDone;
//! ```

use super::{HandshakeMessage, HandshakeType, begin_handshake, read_handshake_header};
use crate::codec::{Field, Labelled, Reader, Writer};
use crate::error::Error;

/// The ServerHelloDone message: no body; the server's flight is complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHelloDone;

impl HandshakeMessage for ServerHelloDone {
    const TYPE: HandshakeType = HandshakeType::ServerHelloDone;

    fn encode(&self) -> Result<Labelled, Error> {
        let mut w = Writer::new();
        let body = begin_handshake(&mut w, Self::TYPE);
        w.end(body)?;
        Ok(w.finish()?)
    }

    fn decode(message: &[u8]) -> Result<(Self, Vec<Field>), Error> {
        let mut r = Reader::new(message);
        read_handshake_header(&mut r, Self::TYPE)?;
        r.end()?;
        Ok((ServerHelloDone, r.finish("ServerHelloDone")?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_must_be_empty() {
        assert_eq!(ServerHelloDone.encode().unwrap().bytes, [14, 0, 0, 0]);
        assert!(ServerHelloDone::decode(&[14, 0, 0, 0]).is_ok());
        assert!(ServerHelloDone::decode(&[14, 0, 0, 1, 0]).is_err());
    }
}
