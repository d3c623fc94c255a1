//! ServerKeyExchange for ECDHE (RFC 8422 5.4): the server's ephemeral public key, signed with
//! the private key of its certificate. In ECDHE this signature is the *only* thing the server's
//! private key does in the whole handshake.
//!
//! ```text
//! enum { explicit_prime (1), explicit_char2 (2), named_curve (3), reserved(248..255) }
//!     ECCurveType;
//!
//! struct {
//!     ECCurveType    curve_type;
//!     select (curve_type) {
//!         case named_curve:
//!             NamedCurve namedcurve;
//!     };
//! } ECParameters;
//!
//! struct {
//!     opaque point <1..2^8-1>;
//! } ECPoint;
//!
//! struct {
//!     ECParameters    curve_params;
//!     ECPoint         public;
//! } ServerECDHParams;
//!
//! select (KeyExchangeAlgorithm) {
//!     case ec_diffie_hellman:
//!         ServerECDHParams    params;
//!         Signature           signed_params;   /* digitally-signed, RFC 5246 4.7 */
//! } ServerKeyExchange;
//!
//! digitally-signed struct {
//!     opaque client_random[32];
//!     opaque server_random[32];
//!     ServerECDHParams params;
//! } signed_params;
//! ```

use super::certificate_verify::DigitallySigned;
use super::{HandshakeMessage, HandshakeType, begin_handshake, read_handshake_header};
use crate::codec::{Field, Labelled, Reader, Writer};
use crate::error::{DecodeProblem, Error};
use crate::phrase;

/// ECCurveType named_curve.
pub const NAMED_CURVE: u8 = 3;

/// ServerECDHParams.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerEcdhParams {
    /// ECCurveType; only named_curve ([`NAMED_CURVE`], 3) can be read.
    pub curve_type: u8,
    /// The NamedCurve (a NamedGroup code point): x25519, 0x001d, here.
    pub named_curve: u16,
    /// The server's ephemeral public key (the ECPoint): 32 bytes for X25519.
    pub public: Vec<u8>,
}

impl ServerEcdhParams {
    fn write(&self, w: &mut Writer) -> Result<(), Error> {
        w.u8("curve_type", self.curve_type);
        w.u16("named_curve", self.named_curve);
        Ok(w.opaque_u8("public", &self.public)?)
    }

    /// The params as they appear on the wire, which is what the signature covers. There is
    /// exactly one encoding, so re-encoding the parsed value gives the received bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new();
        self.write(&mut w)?;
        Ok(w.finish()?.bytes)
    }

    /// The bytes the server signs: client_random + server_random + params.
    pub fn signed_bytes(
        &self,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(64 + 4 + self.public.len());
        out.extend_from_slice(client_random);
        out.extend_from_slice(server_random);
        out.extend_from_slice(&self.to_bytes()?);
        Ok(out)
    }
}

/// The ServerKeyExchange message of ECDHE: the server's ephemeral key, signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerKeyExchange {
    /// The curve and the server's ephemeral public key.
    pub params: ServerEcdhParams,
    /// The signature, with the certificate's private key, over client_random + server_random +
    /// params.
    pub signed_params: DigitallySigned,
}

impl HandshakeMessage for ServerKeyExchange {
    const TYPE: HandshakeType = HandshakeType::ServerKeyExchange;

    fn encode(&self) -> Result<Labelled, Error> {
        let mut w = Writer::new();
        let body = begin_handshake(&mut w, Self::TYPE);
        self.params.write(&mut w)?;
        self.signed_params.encode(&mut w)?;
        w.end(body)?;
        Ok(w.finish()?)
    }

    fn decode(message: &[u8]) -> Result<(Self, Vec<Field>), Error> {
        let mut r = Reader::new(message);
        read_handshake_header(&mut r, Self::TYPE)?;
        let curve_type = r.u8("curve_type")?;
        if curve_type != NAMED_CURVE {
            // explicit curves are deprecated (RFC 8422 5.4) and we cannot parse them.
            return Err(Error::IllegalParameter(phrase!(
                "ECCurveType {} (only named_curve(3) is allowed)",
                curve_type
            )));
        }
        let named_curve = r.u16("named_curve")?;
        let public = r.opaque_u8("public")?.to_vec();
        if public.is_empty() {
            return Err(Error::decode("public", DecodeProblem::OutOfRange));
        }
        let signed_params = DigitallySigned::decode(&mut r)?;
        r.end()?;
        let fields = r.finish("ServerKeyExchange")?;
        Ok((
            ServerKeyExchange {
                params: ServerEcdhParams {
                    curve_type,
                    named_curve,
                    public,
                },
                signed_params,
            },
            fields,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let msg = ServerKeyExchange {
            params: ServerEcdhParams {
                curve_type: NAMED_CURVE,
                named_curve: 0x001d,
                public: vec![4; 32],
            },
            signed_params: DigitallySigned {
                scheme: 0x0401,
                signature: vec![3; 256],
            },
        };
        let bytes = msg.encode().unwrap().bytes;
        assert_eq!(ServerKeyExchange::decode(&bytes).unwrap().0, msg);
        assert_eq!(msg.params.to_bytes().unwrap(), bytes[4..4 + 36]);
    }
}
