//! HelloRequest (RFC 5246 7.4.1.1): a server asks the client to begin a new handshake on this
//! connection, that is, to renegotiate; an empty body. It is not part of the handshake
//! transcript, and a client in the middle of a handshake ignores it. This program never
//! renegotiates: after the handshake it answers with the warning `no_renegotiation` (RFC 5246
//! 7.2.2) and the connection carries on.
//!
//! ```text
//! struct { } HelloRequest;
//! ```

use super::{HandshakeMessage, HandshakeType, begin_handshake, read_handshake_header};
use crate::codec::{Field, Labelled, Reader, Writer};
use crate::error::Error;

/// The HelloRequest message: no body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelloRequest;

impl HandshakeMessage for HelloRequest {
    const TYPE: HandshakeType = HandshakeType::HelloRequest;

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
        Ok((HelloRequest, r.finish("HelloRequest")?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_must_be_empty() {
        assert_eq!(HelloRequest.encode().unwrap().bytes, [0, 0, 0, 0]);
        assert!(HelloRequest::decode(&[0, 0, 0, 0]).is_ok());
        assert!(HelloRequest::decode(&[0, 0, 0, 1, 0]).is_err());
    }
}
