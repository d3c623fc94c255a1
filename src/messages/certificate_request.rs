//! CertificateRequest (RFC 5246 7.4.4): the server asks the client for a certificate, saying
//! which kinds, which signature algorithms, and which CAs it trusts.
//!
//! ```text
//! enum {
//!     rsa_sign(1), dss_sign(2), rsa_fixed_dh(3), dss_fixed_dh(4),
//!     rsa_ephemeral_dh_RESERVED(5), dss_ephemeral_dh_RESERVED(6),
//!     fortezza_dms_RESERVED(20), (255)
//! } ClientCertificateType;
//!
//! opaque DistinguishedName<1..2^16-1>;
//!
//! struct {
//!     ClientCertificateType certificate_types<1..2^8-1>;
//!     SignatureAndHashAlgorithm
//!       supported_signature_algorithms<2^16-1>;
//!     DistinguishedName certificate_authorities<0..2^16-1>;
//! } CertificateRequest;
//! ```

use super::{HandshakeMessage, HandshakeType, begin_handshake, read_handshake_header};
use crate::codec::{Field, Labelled, Reader, Writer};
use crate::error::{DecodeProblem, Error};

/// ClientCertificateType rsa_sign.
pub const RSA_SIGN: u8 = 1;

/// The CertificateRequest message: which client certificates the server will accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequest {
    /// ClientCertificateType codes; ours asks for [`RSA_SIGN`] only.
    pub certificate_types: Vec<u8>,
    /// The SignatureScheme code points the server will verify in CertificateVerify.
    pub supported_signature_algorithms: Vec<u16>,
    /// DER-encoded X.501 Names.
    pub certificate_authorities: Vec<Vec<u8>>,
}

impl HandshakeMessage for CertificateRequest {
    const TYPE: HandshakeType = HandshakeType::CertificateRequest;

    fn encode(&self) -> Result<Labelled, Error> {
        let mut w = Writer::new();
        let body = begin_handshake(&mut w, Self::TYPE);
        let types = w.begin_u8("certificate_types");
        for &t in &self.certificate_types {
            w.u8("certificate_type", t);
        }
        w.end(types)?;
        w.u16_list(
            "supported_signature_algorithms",
            "signature_scheme",
            &self.supported_signature_algorithms,
        )?;
        let cas = w.begin_u16("certificate_authorities");
        for name in &self.certificate_authorities {
            w.opaque_u16("DistinguishedName", name)?;
        }
        w.end(cas)?;
        w.end(body)?;
        Ok(w.finish()?)
    }

    fn decode(message: &[u8]) -> Result<(Self, Vec<Field>), Error> {
        let mut r = Reader::new(message);
        read_handshake_header(&mut r, Self::TYPE)?;
        let certificate_types = r.opaque_u8("certificate_types")?.to_vec();
        if certificate_types.is_empty() {
            return Err(Error::decode(
                "certificate_types",
                DecodeProblem::OutOfRange,
            ));
        }
        let supported_signature_algorithms =
            r.u16_list("supported_signature_algorithms", "signature_scheme")?;
        r.begin_u16("certificate_authorities")?;
        let mut certificate_authorities = Vec::new();
        while r.has_more() {
            let name = r.opaque_u16("DistinguishedName")?;
            if name.is_empty() {
                return Err(Error::decode(
                    "DistinguishedName",
                    DecodeProblem::OutOfRange,
                ));
            }
            certificate_authorities.push(name.to_vec());
        }
        r.end()?;
        r.end()?;
        let fields = r.finish("CertificateRequest")?;
        Ok((
            CertificateRequest {
                certificate_types,
                supported_signature_algorithms,
                certificate_authorities,
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
        let msg = CertificateRequest {
            certificate_types: vec![RSA_SIGN],
            supported_signature_algorithms: vec![0x0804, 0x0401],
            certificate_authorities: vec![vec![0x30, 0x00]],
        };
        let bytes = msg.encode().unwrap().bytes;
        assert_eq!(CertificateRequest::decode(&bytes).unwrap().0, msg);
    }
}
