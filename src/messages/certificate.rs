//! Certificate (RFC 5246 7.4.2 from the server, 7.4.6 from the client): a chain of X.509
//! certificates in DER, the sender's own first, each following one certifying the one before.
//!
//! ```text
//! opaque ASN.1Cert<1..2^24-1>;
//!
//! struct {
//!     ASN.1Cert certificate_list<0..2^24-1>;
//! } Certificate;
//! ```
//!
//! The list may be empty only from a client that was asked for a certificate and has none
//! (RFC 5246 7.4.6). The certificates themselves are parsed in `pki.rs`.

use super::{HandshakeMessage, HandshakeType, begin_handshake, read_handshake_header};
use crate::codec::{Field, Labelled, Reader, Writer};
use crate::error::{DecodeProblem, Error};

/// The Certificate message: the sender's certificate chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// DER certificates, the sender's first.
    pub certificate_list: Vec<Vec<u8>>,
}

impl HandshakeMessage for Certificate {
    const TYPE: HandshakeType = HandshakeType::Certificate;

    fn encode(&self) -> Result<Labelled, Error> {
        let mut w = Writer::new();
        let body = begin_handshake(&mut w, Self::TYPE);
        let list = w.begin_u24("certificate_list");
        for cert in &self.certificate_list {
            w.opaque_u24("ASN.1Cert", cert)?;
        }
        w.end(list)?;
        w.end(body)?;
        Ok(w.finish()?)
    }

    fn decode(message: &[u8]) -> Result<(Self, Vec<Field>), Error> {
        let mut r = Reader::new(message);
        read_handshake_header(&mut r, Self::TYPE)?;
        r.begin_u24("certificate_list")?;
        let mut certificate_list = Vec::new();
        while r.has_more() {
            let cert = r.opaque_u24("ASN.1Cert")?;
            if cert.is_empty() {
                return Err(Error::decode("ASN.1Cert", DecodeProblem::OutOfRange));
            }
            certificate_list.push(cert.to_vec());
        }
        r.end()?;
        r.end()?;
        let fields = r.finish("Certificate")?;
        Ok((Certificate { certificate_list }, fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_empty_and_two() {
        for list in [vec![], vec![vec![0x30, 0x00], vec![0x30, 0x01, 0x00]]] {
            let msg = Certificate {
                certificate_list: list,
            };
            let bytes = msg.encode().unwrap().bytes;
            assert_eq!(Certificate::decode(&bytes).unwrap().0, msg);
        }
    }

    #[test]
    fn empty_certificate_entry_is_refused() {
        // certificate_list of 3 bytes holding one zero-length ASN.1Cert.
        let bytes = [11, 0, 0, 6, 0, 0, 3, 0, 0, 0];
        assert!(Certificate::decode(&bytes).is_err());
    }
}
