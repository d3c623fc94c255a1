//! ClientKeyExchange (RFC 5246 7.4.7): the client's half of the key exchange. Its body depends
//! on the suite's key exchange, so decoding needs to know which one was negotiated.
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

use super::{HandshakeType, begin_handshake, read_handshake_header};
use crate::codec::{Field, Labelled, Reader, Writer};
use crate::error::{DecodeProblem, Error};
use crate::suites::KeyExchange;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientKeyExchange {
    /// RSAES-PKCS1-v1_5 ciphertext of the 48-byte pre-master secret.
    Rsa { encrypted_pre_master: Vec<u8> },
    /// The client's ephemeral X25519 public key.
    Ecdhe { public: Vec<u8> },
}

impl ClientKeyExchange {
    pub fn encode(&self) -> Result<Labelled, Error> {
        let mut w = Writer::new();
        let body = begin_handshake(&mut w, HandshakeType::ClientKeyExchange);
        match self {
            ClientKeyExchange::Rsa {
                encrypted_pre_master,
            } => w.opaque_u16("encrypted_pre_master_secret", encrypted_pre_master)?,
            ClientKeyExchange::Ecdhe { public } => w.opaque_u8("ecdh_Yc", public)?,
        }
        w.end(body)?;
        w.finish()
    }

    pub fn decode(message: &[u8], kx: KeyExchange) -> Result<(Self, Vec<Field>), Error> {
        let mut r = Reader::new(message);
        read_handshake_header(&mut r, HandshakeType::ClientKeyExchange)?;
        let msg = match kx {
            KeyExchange::Rsa => ClientKeyExchange::Rsa {
                encrypted_pre_master: r.opaque_u16("encrypted_pre_master_secret")?.to_vec(),
            },
            KeyExchange::Ecdhe => {
                let public = r.opaque_u8("ecdh_Yc")?.to_vec();
                if public.is_empty() {
                    return Err(Error::decode("ecdh_Yc", DecodeProblem::OutOfRange));
                }
                ClientKeyExchange::Ecdhe { public }
            }
        };
        r.end()?;
        Ok((msg, r.finish("ClientKeyExchange")?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_kinds_round_trip() {
        let rsa = ClientKeyExchange::Rsa {
            encrypted_pre_master: vec![5; 256],
        };
        let bytes = rsa.encode().unwrap().bytes;
        assert_eq!(&bytes[..6], &[16, 0, 1, 2, 1, 0]);
        assert_eq!(
            ClientKeyExchange::decode(&bytes, KeyExchange::Rsa)
                .unwrap()
                .0,
            rsa
        );
        let ecdhe = ClientKeyExchange::Ecdhe {
            public: vec![9; 32],
        };
        let bytes = ecdhe.encode().unwrap().bytes;
        assert_eq!(
            ClientKeyExchange::decode(&bytes, KeyExchange::Ecdhe)
                .unwrap()
                .0,
            ecdhe
        );
        // The same bytes read as the other kind do not parse.
        assert!(ClientKeyExchange::decode(&bytes, KeyExchange::Rsa).is_err());
    }
}
