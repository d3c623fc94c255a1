//! One error type for the whole program, and the one place that decides which TLS alert a failure
//! sends: [`Error::alert`].
//!
//! Local failures (we found something wrong) carry the reason in words and map to exactly one alert
//! (RFC 5246 7.2.2). Remote failures (the peer sent us an alert, or closed) are their own variants
//! and send nothing back: answering an alert with an alert only confuses the log on both sides.

use std::fmt;

use crate::messages::alert::{Alert, AlertDescription};

/// What was wrong with a length or a byte count while decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeProblem {
    /// The input ended before the field did.
    Truncated,
    /// A length prefix claims more bytes than there are.
    LengthTooLong,
    /// Bytes were left over after the field or message should have ended.
    TrailingBytes,
    /// A length or value outside the range the RFC allows.
    OutOfRange,
}

#[derive(Debug)]
pub enum Error {
    // ---- the peer's bytes are malformed or not allowed here ----
    /// A message could not be parsed: `decode_error`.
    Decode {
        field: &'static str,
        problem: DecodeProblem,
    },
    /// A message arrived that is not allowed at this point: `unexpected_message`.
    UnexpectedMessage(String),
    /// A protected record failed its GCM tag check: `bad_record_mac`.
    BadRecordMac,
    /// A record longer than the RFC allows: `record_overflow`.
    RecordOverflow(String),
    /// No acceptable set of parameters (no common suite, ...): `handshake_failure`.
    HandshakeFailure(String),
    /// A field was out of range or inconsistent with other fields: `illegal_parameter`.
    IllegalParameter(String),
    /// A Finished or signature did not verify: `decrypt_error`.
    DecryptError(String),
    /// The peer wants a protocol version we do not speak: `protocol_version`.
    ProtocolVersion(String),
    /// The ServerHello carries an extension we did not offer: `unsupported_extension`.
    UnsupportedExtension(String),
    /// A certificate is corrupt or fails a check that has no more specific alert:
    /// `bad_certificate`.
    BadCertificate(String),
    /// A certificate of a kind we do not support: `unsupported_certificate`.
    UnsupportedCertificate(String),
    /// `certificate_revoked`.
    CertificateRevoked(String),
    /// `certificate_expired` (or not yet valid).
    CertificateExpired(String),
    /// The chain does not lead to a trust anchor: `unknown_ca`.
    UnknownCa(String),
    /// Our own bug: `internal_error`.
    Internal(String),

    // ---- the peer ended the connection ----
    /// The peer sent a fatal alert (or a warning we treat as the end).
    PeerAlert(Alert),
    /// The peer closed the transport without close_notify in the middle of something.
    UnexpectedEof,
    /// The transport failed.
    Io(std::io::Error),

    // ---- not on the wire: files and command-line input ----
    /// A file, key, certificate or argument we were given is unusable.
    Config(String),
}

impl Error {
    /// The alert a local failure sends; `None` for failures that are the peer's doing (it
    /// already knows) or that never touch the wire.
    pub fn alert(&self) -> Option<AlertDescription> {
        use AlertDescription as A;
        Some(match self {
            Error::Decode { .. } => A::DecodeError,
            Error::UnexpectedMessage(_) => A::UnexpectedMessage,
            Error::BadRecordMac => A::BadRecordMac,
            Error::RecordOverflow(_) => A::RecordOverflow,
            Error::HandshakeFailure(_) => A::HandshakeFailure,
            Error::IllegalParameter(_) => A::IllegalParameter,
            Error::DecryptError(_) => A::DecryptError,
            Error::ProtocolVersion(_) => A::ProtocolVersion,
            Error::UnsupportedExtension(_) => A::UnsupportedExtension,
            Error::BadCertificate(_) => A::BadCertificate,
            Error::UnsupportedCertificate(_) => A::UnsupportedCertificate,
            Error::CertificateRevoked(_) => A::CertificateRevoked,
            Error::CertificateExpired(_) => A::CertificateExpired,
            Error::UnknownCa(_) => A::UnknownCa,
            Error::Internal(_) => A::InternalError,
            Error::PeerAlert(_) | Error::UnexpectedEof | Error::Io(_) | Error::Config(_) => {
                return None;
            }
        })
    }

    /// The alert that ended the connection, whichever side sent it: ours (from
    /// [`Error::alert`]) or the peer's.
    pub fn any_alert(&self) -> Option<AlertDescription> {
        match self {
            Error::PeerAlert(alert) => Some(alert.description),
            other => other.alert(),
        }
    }

    /// A read timed out (the peer went quiet): idleness, not a protocol failure.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Io(e) if matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ))
    }

    pub(crate) fn decode(field: &'static str, problem: DecodeProblem) -> Self {
        Error::Decode { field, problem }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Decode { field, problem } => {
                let what = match problem {
                    DecodeProblem::Truncated => "input ends inside",
                    DecodeProblem::LengthTooLong => "length runs past the end of",
                    DecodeProblem::TrailingBytes => "bytes left over after",
                    DecodeProblem::OutOfRange => "value out of range in",
                };
                write!(f, "decode_error: {what} {field}")
            }
            Error::PeerAlert(alert) => write!(
                f,
                "the peer sent a {} alert: {}",
                alert.level.name(),
                alert.description.name()
            ),
            Error::UnexpectedEof => {
                write!(f, "the peer closed the connection without close_notify")
            }
            Error::Io(e) => write!(f, "transport error: {e}"),
            Error::Config(why) => write!(f, "{why}"),
            other => {
                let reason = match other {
                    Error::UnexpectedMessage(s)
                    | Error::RecordOverflow(s)
                    | Error::HandshakeFailure(s)
                    | Error::IllegalParameter(s)
                    | Error::DecryptError(s)
                    | Error::ProtocolVersion(s)
                    | Error::UnsupportedExtension(s)
                    | Error::BadCertificate(s)
                    | Error::UnsupportedCertificate(s)
                    | Error::CertificateRevoked(s)
                    | Error::CertificateExpired(s)
                    | Error::UnknownCa(s)
                    | Error::Internal(s) => s.as_str(),
                    _ => "GCM tag check failed",
                };
                match other.alert() {
                    Some(alert) => write!(f, "{}: {reason}", alert.name()),
                    None => write!(f, "{reason}"),
                }
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Error::UnexpectedEof
        } else {
            Error::Io(e)
        }
    }
}
