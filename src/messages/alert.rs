//! Alert (RFC 5246 7.2): the two-byte message that ends a connection, or warns.
//!
//! ```text
//! enum { warning(1), fatal(2), (255) } AlertLevel;
//! struct {
//!     AlertLevel level;
//!     AlertDescription description;
//! } Alert;
//! ```

use crate::codec::{CodecError, Labelled, Reader, Writer};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    Warning,
    Fatal,
    Unknown(u8),
}

impl AlertLevel {
    pub fn code(self) -> u8 {
        match self {
            AlertLevel::Warning => 1,
            AlertLevel::Fatal => 2,
            AlertLevel::Unknown(code) => code,
        }
    }

    pub fn from_code(code: u8) -> Self {
        match code {
            1 => AlertLevel::Warning,
            2 => AlertLevel::Fatal,
            other => AlertLevel::Unknown(other),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AlertLevel::Warning => "warning",
            AlertLevel::Fatal => "fatal",
            AlertLevel::Unknown(_) => "unknown level",
        }
    }
}

/// The alert descriptions of RFC 5246 7.2 and the extensions this program meets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertDescription {
    CloseNotify,
    UnexpectedMessage,
    BadRecordMac,
    RecordOverflow,
    HandshakeFailure,
    BadCertificate,
    UnsupportedCertificate,
    CertificateRevoked,
    CertificateExpired,
    CertificateUnknown,
    IllegalParameter,
    UnknownCa,
    AccessDenied,
    DecodeError,
    DecryptError,
    ProtocolVersion,
    InsufficientSecurity,
    InternalError,
    UserCanceled,
    NoRenegotiation,
    UnsupportedExtension,
    UnrecognizedName,
    CertificateRequired,
    Other(u8),
}

/// (description, code, RFC name) for every named alert.
const NAMES: [(AlertDescription, u8, &str); 23] = [
    (AlertDescription::CloseNotify, 0, "close_notify"),
    (
        AlertDescription::UnexpectedMessage,
        10,
        "unexpected_message",
    ),
    (AlertDescription::BadRecordMac, 20, "bad_record_mac"),
    (AlertDescription::RecordOverflow, 22, "record_overflow"),
    (AlertDescription::HandshakeFailure, 40, "handshake_failure"),
    (AlertDescription::BadCertificate, 42, "bad_certificate"),
    (
        AlertDescription::UnsupportedCertificate,
        43,
        "unsupported_certificate",
    ),
    (
        AlertDescription::CertificateRevoked,
        44,
        "certificate_revoked",
    ),
    (
        AlertDescription::CertificateExpired,
        45,
        "certificate_expired",
    ),
    (
        AlertDescription::CertificateUnknown,
        46,
        "certificate_unknown",
    ),
    (AlertDescription::IllegalParameter, 47, "illegal_parameter"),
    (AlertDescription::UnknownCa, 48, "unknown_ca"),
    (AlertDescription::AccessDenied, 49, "access_denied"),
    (AlertDescription::DecodeError, 50, "decode_error"),
    (AlertDescription::DecryptError, 51, "decrypt_error"),
    (AlertDescription::ProtocolVersion, 70, "protocol_version"),
    (
        AlertDescription::InsufficientSecurity,
        71,
        "insufficient_security",
    ),
    (AlertDescription::InternalError, 80, "internal_error"),
    (AlertDescription::UserCanceled, 90, "user_canceled"),
    (AlertDescription::NoRenegotiation, 100, "no_renegotiation"),
    (
        AlertDescription::UnsupportedExtension,
        110,
        "unsupported_extension",
    ),
    (AlertDescription::UnrecognizedName, 112, "unrecognized_name"),
    (
        AlertDescription::CertificateRequired,
        116,
        "certificate_required",
    ),
];

impl AlertDescription {
    pub fn code(self) -> u8 {
        match self {
            AlertDescription::Other(code) => code,
            named => NAMES
                .iter()
                .find(|(d, _, _)| *d == named)
                .map_or(0, |(_, code, _)| *code),
        }
    }

    pub fn from_code(code: u8) -> Self {
        NAMES
            .iter()
            .find(|(_, c, _)| *c == code)
            .map_or(AlertDescription::Other(code), |(d, _, _)| *d)
    }

    /// The RFC's name, e.g. `decode_error`.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(d, _, _)| *d == self)
            .map_or("unknown_alert", |(_, _, name)| name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Alert {
    pub level: AlertLevel,
    pub description: AlertDescription,
}

impl Alert {
    pub fn fatal(description: AlertDescription) -> Self {
        Alert {
            level: AlertLevel::Fatal,
            description,
        }
    }

    pub fn close_notify() -> Self {
        Alert {
            level: AlertLevel::Warning,
            description: AlertDescription::CloseNotify,
        }
    }

    /// The two bytes, labelled. (The codec's error, not the program's: `error.rs` builds on
    /// this module, so it must not depend on `error.rs`.)
    pub fn encode(&self) -> Result<Labelled, CodecError> {
        let mut w = Writer::new();
        w.u8("level", self.level.code());
        w.u8("description", self.description.code());
        w.finish()
    }

    /// Exactly two bytes: level and description.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new(bytes);
        let level = AlertLevel::from_code(r.u8("level")?);
        let description = AlertDescription::from_code(r.u8("description")?);
        r.finish("alert")?;
        Ok(Alert { level, description })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for (d, code, name) in NAMES {
            assert_eq!(AlertDescription::from_code(code), d);
            assert_eq!(d.code(), code);
            assert_eq!(d.name(), name);
        }
        assert_eq!(
            AlertDescription::from_code(200),
            AlertDescription::Other(200)
        );
    }

    #[test]
    fn alert_is_exactly_two_bytes() {
        assert!(Alert::decode(&[2]).is_err());
        assert!(Alert::decode(&[2, 50, 0]).is_err());
        let a = Alert::decode(&[2, 50]).unwrap();
        assert_eq!(a, Alert::fatal(AlertDescription::DecodeError));
        assert_eq!(a.encode().unwrap().bytes, [2, 50]);
    }
}
