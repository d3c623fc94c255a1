//! CertificateVerify (RFC 5246 7.4.8): the client proves it holds the private key of the
//! certificate it sent, by signing the handshake so far.
//!
//! ```text
//! struct {
//!      digitally-signed struct {
//!          opaque handshake_messages[handshake_messages_length];
//!      }
//! } CertificateVerify;
//! ```
//!
//! A `digitally-signed` value in TLS 1.2 (RFC 5246 4.7) is the algorithm, then the signature:
//!
//! ```text
//! struct {
//!     SignatureAndHashAlgorithm algorithm;   /* a SignatureScheme code point */
//!     opaque signature<0..2^16-1>;
//! } DigitallySigned;
//! ```

use super::{HandshakeMessage, HandshakeType, begin_handshake, read_handshake_header};
use crate::codec::{Field, Labelled, Reader, Writer};
use crate::error::Error;

/// A TLS 1.2 `digitally-signed` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigitallySigned {
    /// The SignatureScheme code point (hash byte, signature byte).
    pub scheme: u16,
    /// The signature itself; for RSA as long as the key's modulus.
    pub signature: Vec<u8>,
}

impl DigitallySigned {
    /// Writes the scheme, then the signature with its 2-byte length.
    pub fn encode(&self, w: &mut Writer) -> Result<(), Error> {
        w.u16("signature_scheme", self.scheme);
        Ok(w.opaque_u16("signature", &self.signature)?)
    }

    /// Reads the scheme, then the signature with its 2-byte length.
    pub fn decode(r: &mut Reader) -> Result<Self, Error> {
        let scheme = r.u16("signature_scheme")?;
        let signature = r.opaque_u16("signature")?.to_vec();
        Ok(DigitallySigned { scheme, signature })
    }
}

/// The CertificateVerify message: the client's signature over the transcript so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateVerify {
    /// The scheme and the signature over every handshake message before this one.
    pub signed: DigitallySigned,
}

impl HandshakeMessage for CertificateVerify {
    const TYPE: HandshakeType = HandshakeType::CertificateVerify;

    fn encode(&self) -> Result<Labelled, Error> {
        let mut w = Writer::new();
        let body = begin_handshake(&mut w, Self::TYPE);
        self.signed.encode(&mut w)?;
        w.end(body)?;
        Ok(w.finish()?)
    }

    fn decode(message: &[u8]) -> Result<(Self, Vec<Field>), Error> {
        let mut r = Reader::new(message);
        read_handshake_header(&mut r, Self::TYPE)?;
        let signed = DigitallySigned::decode(&mut r)?;
        r.end()?;
        Ok((CertificateVerify { signed }, r.finish("CertificateVerify")?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let msg = CertificateVerify {
            signed: DigitallySigned {
                scheme: 0x0804,
                signature: vec![1; 256],
            },
        };
        let bytes = msg.encode().unwrap().bytes;
        assert_eq!(CertificateVerify::decode(&bytes).unwrap().0, msg);
        assert!(CertificateVerify::decode(&bytes[..bytes.len() - 1]).is_err());
    }
}
