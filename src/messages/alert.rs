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

/// AlertLevel (RFC 5246 7.2): how serious an alert is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    /// `warning` (1): the connection may go on; this program sends close_notify and
    /// no_renegotiation at this level.
    Warning,
    /// `fatal` (2): the connection ends at once, and its session may not be resumed (RFC 5246
    /// 7.2).
    Fatal,
    /// Any other level byte, kept as received.
    Unknown(u8),
}

impl AlertLevel {
    /// The level byte on the wire.
    pub fn code(self) -> u8 {
        match self {
            AlertLevel::Warning => 1,
            AlertLevel::Fatal => 2,
            AlertLevel::Unknown(code) => code,
        }
    }

    /// The level a byte names; anything but 1 and 2 is [`AlertLevel::Unknown`].
    pub fn from_code(code: u8) -> Self {
        match code {
            1 => AlertLevel::Warning,
            2 => AlertLevel::Fatal,
            other => AlertLevel::Unknown(other),
        }
    }

    /// `warning`, `fatal` or `unknown level`, as the trace prints it.
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
    /// `close_notify` (0): the sender will send nothing more on this connection (RFC 5246 7.2.1).
    CloseNotify,
    /// `unexpected_message` (10): a message arrived that does not belong at this point of the
    /// protocol (RFC 5246 7.2.2).
    UnexpectedMessage,
    /// `bad_record_mac` (20): a record failed its MAC/tag check (RFC 5246 7.2.2).
    BadRecordMac,
    /// `record_overflow` (22): a record longer than the limits allow (RFC 5246 7.2.2).
    RecordOverflow,
    /// `handshake_failure` (40): no acceptable set of security parameters could be agreed (RFC
    /// 5246 7.2.2); also a client certificate that is required but missing (7.4.6).
    HandshakeFailure,
    /// `bad_certificate` (42): a certificate was corrupt or its signature did not verify (RFC 5246
    /// 7.2.2).
    BadCertificate,
    /// `unsupported_certificate` (43): a certificate of a type the receiver does not support,
    /// e.g. a non-RSA key here (RFC 5246 7.2.2).
    UnsupportedCertificate,
    /// `certificate_revoked` (44): a certificate its issuer revoked, e.g. listed on the CRL (RFC
    /// 5246 7.2.2).
    CertificateRevoked,
    /// `certificate_expired` (45): a certificate that has expired or is not yet valid (RFC 5246
    /// 7.2.2).
    CertificateExpired,
    /// `certificate_unknown` (46): some other problem made a certificate unacceptable (RFC 5246
    /// 7.2.2).
    CertificateUnknown,
    /// `illegal_parameter` (47): a handshake field was out of range or inconsistent with other
    /// fields (RFC 5246 7.2.2).
    IllegalParameter,
    /// `unknown_ca` (48): a certificate chain that does not lead to a trusted CA (RFC 5246 7.2.2).
    UnknownCa,
    /// `access_denied` (49): a valid certificate, but access control refused the sender (RFC 5246
    /// 7.2.2).
    AccessDenied,
    /// `decode_error` (50): a message that does not parse: a field out of range or a wrong
    /// length (RFC 5246 7.2.2).
    DecodeError,
    /// `decrypt_error` (51): a handshake cryptographic operation failed: a signature or a
    /// Finished did not verify (RFC 5246 7.2.2).
    DecryptError,
    /// `protocol_version` (70): the peer's version is recognised but not supported (RFC 5246
    /// 7.2.2).
    ProtocolVersion,
    /// `insufficient_security` (71): the server requires suites more secure than any the client
    /// offered (RFC 5246 7.2.2).
    InsufficientSecurity,
    /// `internal_error` (80): a failure unrelated to the peer or the protocol, i.e. our own bug
    /// (RFC 5246 7.2.2).
    InternalError,
    /// `user_canceled` (90): the handshake is cancelled for a reason unrelated to a protocol
    /// failure (RFC 5246 7.2.2).
    UserCanceled,
    /// `no_renegotiation` (100): a warning that refuses a request to renegotiate (RFC 5246 7.2.2).
    NoRenegotiation,
    /// `unsupported_extension` (110): a ServerHello carried an extension the client did not offer
    /// (RFC 5246 7.2.2).
    UnsupportedExtension,
    /// `unrecognized_name` (112): the server does not know the name asked for in server_name (RFC
    /// 6066 3).
    UnrecognizedName,
    /// `certificate_required` (116): a client certificate is required but none was sent; TLS 1.3
    /// only (RFC 8446 6.2), named here so a trace can show it.
    CertificateRequired,
    /// `no_application_protocol` (120): the client offered only application protocols (ALPN)
    /// the server does not speak (RFC 7301 3.2).
    NoApplicationProtocol,
    /// A description code this program has no name for, kept as received.
    Other(u8),
}

/// (description, code, RFC name) for every named alert.
const NAMES: [(AlertDescription, u8, &str); 24] = [
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
    (
        AlertDescription::NoApplicationProtocol,
        120,
        "no_application_protocol",
    ),
];

impl AlertDescription {
    /// The description byte on the wire.
    pub fn code(self) -> u8 {
        match self {
            AlertDescription::Other(code) => code,
            named => NAMES
                .iter()
                .find(|(d, _, _)| *d == named)
                .map_or(0, |(_, code, _)| *code),
        }
    }

    /// The description a byte names; a code not in the table is [`AlertDescription::Other`].
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

/// An alert message (RFC 5246 7.2): how serious, and what happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Alert {
    /// Warning or fatal.
    pub level: AlertLevel,
    /// What happened.
    pub description: AlertDescription,
}

impl Alert {
    /// A fatal alert with this description: the connection ends.
    pub fn fatal(description: AlertDescription) -> Self {
        Alert {
            level: AlertLevel::Fatal,
            description,
        }
    }

    /// close_notify at warning level: "I will send nothing more" (RFC 5246 7.2.1).
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
