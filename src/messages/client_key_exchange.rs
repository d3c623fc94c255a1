//! ClientKeyExchange (RFC 5246 7.4.7): the client's half of the key exchange. Its body depends
//! on the suite's key exchange (the RFC's `select (KeyExchangeAlgorithm)`), so each kind is its
//! own type: the reader picks the one the negotiated suite calls for.
//!
//! ```text
//! struct {
//!     select (KeyExchangeAlgorithm) {
//!         case rsa:
//!             EncryptedPreMasterSecret;
//!         case ec_diffie_hellman:                           /* RFC 8422 5.7 */
//!             ClientECDiffieHellmanPublic;
//!     } exchange_keys;
//! } ClientKeyExchange;
//!
//! struct {                                                  /* RFC 5246 7.4.7.1 */
//!     public-key-encrypted PreMasterSecret pre_master_secret;
//! } EncryptedPreMasterSecret;
//!
//! struct {                                                  /* RFC 8422 5.7 */
//!     ECPoint ecdh_Yc;          /* opaque point <1..2^8-1> */
//! } ClientECDiffieHellmanPublic;
//! ```
//!
//! In TLS 1.0 and later the RSA ciphertext carries a 2-byte length in front (RFC 5246 7.4.7.1:
//! "the RSA-encrypted PreMasterSecret in a ClientKeyExchange is preceded by two length bytes");
//! SSL 3.0 had none.

use super::{HandshakeMessage, HandshakeType, begin_handshake, read_handshake_header};
use crate::codec::{Field, Labelled, Reader, Writer};
use crate::error::{DecodeProblem, Error};

/// ClientKeyExchange for RSA key exchange: the RSAES-PKCS1-v1_5 ciphertext of the 48-byte
/// pre-master secret (EncryptedPreMasterSecret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaClientKeyExchange {
    /// The ciphertext, as long as the server's RSA modulus.
    pub encrypted_pre_master: Vec<u8>,
}

/// ClientKeyExchange for ECDHE: the client's ephemeral X25519 public key
/// (ClientECDiffieHellmanPublic).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcdheClientKeyExchange {
    /// The public key (ecdh_Yc), 32 bytes for X25519.
    pub public: Vec<u8>,
}

impl HandshakeMessage for RsaClientKeyExchange {
    const TYPE: HandshakeType = HandshakeType::ClientKeyExchange;

    fn encode(&self) -> Result<Labelled, Error> {
        let mut w = Writer::new();
        let body = begin_handshake(&mut w, Self::TYPE);
        w.opaque_u16("encrypted_pre_master_secret", &self.encrypted_pre_master)?;
        w.end(body)?;
        Ok(w.finish()?)
    }

    fn decode(message: &[u8]) -> Result<(Self, Vec<Field>), Error> {
        let mut r = Reader::new(message);
        read_handshake_header(&mut r, Self::TYPE)?;
        let encrypted_pre_master = r.opaque_u16("encrypted_pre_master_secret")?.to_vec();
        r.end()?;
        let fields = r.finish("ClientKeyExchange")?;
        Ok((
            RsaClientKeyExchange {
                encrypted_pre_master,
            },
            fields,
        ))
    }
}

impl HandshakeMessage for EcdheClientKeyExchange {
    const TYPE: HandshakeType = HandshakeType::ClientKeyExchange;

    fn encode(&self) -> Result<Labelled, Error> {
        let mut w = Writer::new();
        let body = begin_handshake(&mut w, Self::TYPE);
        w.opaque_u8("ecdh_Yc", &self.public)?;
        w.end(body)?;
        Ok(w.finish()?)
    }

    fn decode(message: &[u8]) -> Result<(Self, Vec<Field>), Error> {
        let mut r = Reader::new(message);
        read_handshake_header(&mut r, Self::TYPE)?;
        let public = r.opaque_u8("ecdh_Yc")?.to_vec();
        if public.is_empty() {
            return Err(Error::decode("ecdh_Yc", DecodeProblem::OutOfRange));
        }
        r.end()?;
        let fields = r.finish("ClientKeyExchange")?;
        Ok((EcdheClientKeyExchange { public }, fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_kinds_round_trip() {
        let rsa = RsaClientKeyExchange {
            encrypted_pre_master: vec![5; 256],
        };
        let bytes = rsa.encode().unwrap().bytes;
        assert_eq!(&bytes[..6], &[16, 0, 1, 2, 1, 0]);
        assert_eq!(RsaClientKeyExchange::decode(&bytes).unwrap().0, rsa);
        let ecdhe = EcdheClientKeyExchange {
            public: vec![9; 32],
        };
        let bytes = ecdhe.encode().unwrap().bytes;
        assert_eq!(EcdheClientKeyExchange::decode(&bytes).unwrap().0, ecdhe);
        // The same bytes read as the other kind do not parse.
        assert!(RsaClientKeyExchange::decode(&bytes).is_err());
    }
}
