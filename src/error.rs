//! One error type for the whole program, and the one place that decides which TLS alert a failure
//! sends: [`Error::alert`].
//!
//! Local failures (we found something wrong) carry the reason in words and map to exactly one alert
//! (RFC 5246 7.2.2). Remote failures (the peer sent us an alert, or closed) are their own variants
//! and send nothing back: answering an alert with an alert only confuses the log on both sides.

use std::fmt;

use crate::codec::CodecError;
pub use crate::codec::DecodeProblem;
use crate::messages::alert::{Alert, AlertDescription};
use crate::phrase;
use crate::phrase::Phrase;

/// Every failure in the program, local or the peer's, each with its reason as a [`Phrase`]
/// (English, translatable).
#[derive(Debug)]
pub enum Error {
    // ---- the peer's bytes are malformed or not allowed here ----
    /// A message could not be parsed: `decode_error`.
    Decode {
        /// The label of the field being read.
        field: &'static str,
        /// What was wrong with it.
        problem: DecodeProblem,
    },
    /// A message arrived that is not allowed at this point: `unexpected_message`.
    UnexpectedMessage(Phrase),
    /// A protected record failed its GCM tag check: `bad_record_mac`.
    BadRecordMac,
    /// A CBC record failed its padding or MAC check, which of the two not said, on purpose
    /// (RFC 5246 6.2.3.2): `bad_record_mac`.
    BadCbcRecord,
    /// A record longer than the RFC allows: `record_overflow`.
    RecordOverflow(Phrase),
    /// No acceptable set of parameters (no common suite, ...): `handshake_failure`.
    HandshakeFailure(Phrase),
    /// A field was out of range or inconsistent with other fields: `illegal_parameter`.
    IllegalParameter(Phrase),
    /// A Finished or signature did not verify: `decrypt_error`.
    DecryptError(Phrase),
    /// The peer wants a protocol version we do not speak: `protocol_version`.
    ProtocolVersion(Phrase),
    /// The ServerHello carries an extension we did not offer: `unsupported_extension`.
    UnsupportedExtension(Phrase),
    /// The client offers only application protocols (ALPN) we do not speak:
    /// `no_application_protocol` (RFC 7301 3.2).
    NoApplicationProtocol(Phrase),
    /// A certificate is corrupt or fails a check that has no more specific alert:
    /// `bad_certificate`.
    BadCertificate(Phrase),
    /// A certificate of a kind we do not support: `unsupported_certificate`.
    UnsupportedCertificate(Phrase),
    /// `certificate_revoked`.
    CertificateRevoked(Phrase),
    /// `certificate_expired` (or not yet valid).
    CertificateExpired(Phrase),
    /// The chain does not lead to a trust anchor: `unknown_ca`.
    UnknownCa(Phrase),
    /// Our own bug: `internal_error`.
    Internal(Phrase),

    // ---- the peer ended the connection ----
    /// The peer sent a fatal alert (or a warning we treat as the end).
    PeerAlert(Alert),
    /// The peer closed the transport without close_notify, between records.
    UnexpectedEof,
    /// The peer closed the transport in the middle of a record: what arrived is cut short.
    Truncated(Phrase),
    /// The transport failed.
    Io(std::io::Error),
    /// The peer sent nothing for longer than we wait: said in words ("no answer from
    /// HOST:PORT in 30 s"), not as the OS's "Resource temporarily unavailable". No alert: the
    /// peer is not listening.
    Timeout(Phrase),

    // ---- not on the wire: files, recordings and command-line input ----
    /// A file, key, certificate or argument we were given is unusable.
    Config(Phrase),
    /// A recording (a hex dump of flows, a captured session) is malformed: it cannot be
    /// replayed or observed.
    BadRecording(Phrase),
}

impl Error {
    /// The alert a local failure sends; `None` for failures that are the peer's doing (it
    /// already knows) or that never touch the wire.
    pub fn alert(&self) -> Option<AlertDescription> {
        use AlertDescription as A;
        Some(match self {
            Error::Decode { .. } => A::DecodeError,
            Error::UnexpectedMessage(_) => A::UnexpectedMessage,
            Error::BadRecordMac | Error::BadCbcRecord => A::BadRecordMac,
            Error::RecordOverflow(_) => A::RecordOverflow,
            Error::HandshakeFailure(_) => A::HandshakeFailure,
            Error::IllegalParameter(_) => A::IllegalParameter,
            Error::DecryptError(_) => A::DecryptError,
            Error::ProtocolVersion(_) => A::ProtocolVersion,
            Error::UnsupportedExtension(_) => A::UnsupportedExtension,
            Error::NoApplicationProtocol(_) => A::NoApplicationProtocol,
            Error::BadCertificate(_) => A::BadCertificate,
            Error::UnsupportedCertificate(_) => A::UnsupportedCertificate,
            Error::CertificateRevoked(_) => A::CertificateRevoked,
            Error::CertificateExpired(_) => A::CertificateExpired,
            Error::UnknownCa(_) => A::UnknownCa,
            Error::Internal(_) => A::InternalError,
            Error::PeerAlert(_)
            | Error::UnexpectedEof
            | Error::Truncated(_)
            | Error::Io(_)
            | Error::Timeout(_)
            | Error::Config(_)
            | Error::BadRecording(_) => {
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
        match self {
            Error::Timeout(_) => true,
            Error::Io(e) => matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            _ => false,
        }
    }

    /// A read timeout (an `Io` error the OS words as "Resource temporarily unavailable") said
    /// as `words`; any other error as it is.
    pub fn timeout_as(self, words: impl FnOnce() -> Phrase) -> Error {
        match self {
            Error::Io(_) if self.is_timeout() => Error::Timeout(words()),
            other => other,
        }
    }

    pub(crate) fn decode(field: &'static str, problem: DecodeProblem) -> Self {
        Error::Decode { field, problem }
    }

    /// Why it failed, without the alert's name: the reason a local failure carries.
    pub fn reason(&self) -> Phrase {
        match self {
            Error::Decode { field, problem } => match problem {
                DecodeProblem::Truncated => phrase!("input ends inside {}", *field),
                DecodeProblem::LengthTooLong => phrase!("length runs past the end of {}", *field),
                DecodeProblem::TrailingBytes => phrase!("bytes left over after {}", *field),
                DecodeProblem::OutOfRange => phrase!("value out of range in {}", *field),
                DecodeProblem::Empty => phrase!("{} is empty, and must not be", *field),
                DecodeProblem::NotEmpty => phrase!("{} must be empty here", *field),
                DecodeProblem::NotExactlyOne => {
                    phrase!("{} must hold exactly one element", *field)
                }
                DecodeProblem::OverLimit { len, limit } => phrase!(
                    "{} of {} bytes is over our limit of {} bytes",
                    *field,
                    *len,
                    *limit
                ),
            },
            Error::BadRecordMac => phrase!("GCM tag check failed"),
            Error::BadCbcRecord => phrase!(
                "CBC record check failed: its padding or its MAC is wrong (which of the two is \
                 not said, on purpose: RFC 5246 6.2.3.2)"
            ),
            Error::PeerAlert(alert) => phrase!(
                "the peer sent a {} alert: {}",
                alert.level.name(),
                alert.description.name()
            ),
            Error::UnexpectedEof => phrase!("the peer closed the connection without close_notify"),
            Error::Io(e) => phrase!("transport error: {}", e.to_string()),
            Error::Truncated(why)
            | Error::UnexpectedMessage(why)
            | Error::RecordOverflow(why)
            | Error::HandshakeFailure(why)
            | Error::IllegalParameter(why)
            | Error::DecryptError(why)
            | Error::ProtocolVersion(why)
            | Error::UnsupportedExtension(why)
            | Error::NoApplicationProtocol(why)
            | Error::BadCertificate(why)
            | Error::UnsupportedCertificate(why)
            | Error::CertificateRevoked(why)
            | Error::CertificateExpired(why)
            | Error::UnknownCa(why)
            | Error::Internal(why)
            | Error::Config(why)
            | Error::Timeout(why)
            | Error::BadRecording(why) => why.clone(),
        }
    }

    /// The whole message, as [`Display`](fmt::Display) prints it in English: a local failure
    /// starts with the name of the alert it sends.
    pub fn phrase(&self) -> Phrase {
        match self.alert() {
            Some(alert) => phrase!("{}: {}", alert.name(), self.reason()),
            None => self.reason(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.phrase())
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

impl From<CodecError> for Error {
    fn from(e: CodecError) -> Self {
        match e {
            CodecError::Decode { field, problem } => Error::Decode { field, problem },
            CodecError::Misuse(why) => Error::Internal(why),
        }
    }
}
