//! The TLS 1.2 messages, one file each, each with its RFC structure quoted above it.
//!
//! Every handshake message has the same 4-byte header (RFC 5246 7.4):
//!
//! ```text
//! struct {
//!     HandshakeType msg_type;    /* handshake type */
//!     uint24 length;             /* bytes in message */
//!     select (HandshakeType) { ... } body;
//! } Handshake;
//! ```
//!
//! Each handshake message is a [`HandshakeMessage`]: its type, `encode(&self) -> Labelled`
//! (header included, every field labelled for the trace) and `decode(&[u8]) -> (Self,
//! Vec<Field>)` that parses the whole message, header included, and fails with `decode_error` on
//! anything malformed. The connection reads one with `Conn::expect::<M>()`, which checks the
//! type, decodes and traces in one place. Decoding checks syntax,
//! and refuses the few things that cannot be parsed further (an explicit curve, a duplicated
//! extension); whether a well-formed value is acceptable is the handshake's decision, made in
//! `client.rs` or `server.rs` where a reader can see it.

pub mod alert;
pub mod certificate;
pub mod certificate_request;
pub mod certificate_verify;
pub mod change_cipher_spec;
pub mod client_hello;
pub mod client_key_exchange;
pub mod extensions;
pub mod finished;
pub mod hello_request;
pub mod new_session_ticket;
pub mod server_hello;
pub mod server_hello_done;
pub mod server_key_exchange;

use crate::codec::{Field, Labelled, Mark, Reader, Writer};
use crate::error::Error;

/// What every handshake message is (RFC 5246 7.4): a type, and its bytes both ways.
pub trait HandshakeMessage: Sized {
    /// The `msg_type` byte of its header.
    const TYPE: HandshakeType;
    /// The whole message, header included, every field labelled for the trace.
    fn encode(&self) -> Result<Labelled, Error>;
    /// Parses the whole message, header included; anything malformed is `decode_error`.
    fn decode(message: &[u8]) -> Result<(Self, Vec<Field>), Error>;
}
use crate::phrase;

/// ```text
/// enum {
///     hello_request(0), client_hello(1), server_hello(2),
///     new_session_ticket(4),                 /* RFC 5077 3.3 */
///     certificate(11), server_key_exchange (12),
///     certificate_request(13), server_hello_done(14),
///     certificate_verify(15), client_key_exchange(16),
///     finished(20), (255)
/// } HandshakeType;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HandshakeType {
    /// `hello_request` (0): the server asks the client to start a new handshake (RFC 5246
    /// 7.4.1.1); refused here with a `no_renegotiation` warning.
    HelloRequest,
    /// `client_hello` (1): the client's offer (RFC 5246 7.4.1.2).
    ClientHello,
    /// `server_hello` (2): the server's choices (RFC 5246 7.4.1.3).
    ServerHello,
    /// `new_session_ticket` (4): the server's ticket for resuming the session without keeping
    /// it (RFC 5077 3.3).
    NewSessionTicket,
    /// `certificate` (11): a certificate chain (RFC 5246 7.4.2 from the server, 7.4.6 from the
    /// client).
    Certificate,
    /// `server_key_exchange` (12): the server's signed ephemeral key, ECDHE suites only (RFC 5246
    /// 7.4.3, RFC 8422 5.4).
    ServerKeyExchange,
    /// `certificate_request` (13): the server asks for a client certificate (RFC 5246 7.4.4).
    CertificateRequest,
    /// `server_hello_done` (14): the end of the server's first flight (RFC 5246 7.4.5).
    ServerHelloDone,
    /// `certificate_verify` (15): the client's signature over the handshake so far, proving it
    /// holds its certificate's private key (RFC 5246 7.4.8).
    CertificateVerify,
    /// `client_key_exchange` (16): the client's half of the key exchange (RFC 5246 7.4.7).
    ClientKeyExchange,
    /// `finished` (20): verify_data over the whole handshake, the first message under the new
    /// keys (RFC 5246 7.4.9).
    Finished,
}

impl HandshakeType {
    /// The `msg_type` byte of the handshake header.
    pub fn code(self) -> u8 {
        match self {
            HandshakeType::HelloRequest => 0,
            HandshakeType::ClientHello => 1,
            HandshakeType::ServerHello => 2,
            HandshakeType::NewSessionTicket => 4,
            HandshakeType::Certificate => 11,
            HandshakeType::ServerKeyExchange => 12,
            HandshakeType::CertificateRequest => 13,
            HandshakeType::ServerHelloDone => 14,
            HandshakeType::CertificateVerify => 15,
            HandshakeType::ClientKeyExchange => 16,
            HandshakeType::Finished => 20,
        }
    }

    /// The type a `msg_type` byte names; `None` for one this program does not know.
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => HandshakeType::HelloRequest,
            1 => HandshakeType::ClientHello,
            2 => HandshakeType::ServerHello,
            4 => HandshakeType::NewSessionTicket,
            11 => HandshakeType::Certificate,
            12 => HandshakeType::ServerKeyExchange,
            13 => HandshakeType::CertificateRequest,
            14 => HandshakeType::ServerHelloDone,
            15 => HandshakeType::CertificateVerify,
            16 => HandshakeType::ClientKeyExchange,
            20 => HandshakeType::Finished,
            _ => return None,
        })
    }

    /// The message's name as the RFC's diagrams write it.
    pub fn name(self) -> &'static str {
        match self {
            HandshakeType::HelloRequest => "HelloRequest",
            HandshakeType::ClientHello => "ClientHello",
            HandshakeType::ServerHello => "ServerHello",
            HandshakeType::NewSessionTicket => "NewSessionTicket",
            HandshakeType::Certificate => "Certificate",
            HandshakeType::ServerKeyExchange => "ServerKeyExchange",
            HandshakeType::CertificateRequest => "CertificateRequest",
            HandshakeType::ServerHelloDone => "ServerHelloDone",
            HandshakeType::CertificateVerify => "CertificateVerify",
            HandshakeType::ClientKeyExchange => "ClientKeyExchange",
            HandshakeType::Finished => "Finished",
        }
    }

    /// Where the RFCs define it.
    pub fn rfc(self) -> &'static str {
        match self {
            HandshakeType::HelloRequest => "RFC 5246 7.4.1.1",
            HandshakeType::ClientHello => "RFC 5246 7.4.1.2",
            HandshakeType::ServerHello => "RFC 5246 7.4.1.3",
            HandshakeType::NewSessionTicket => "RFC 5077 3.3",
            HandshakeType::Certificate => "RFC 5246 7.4.2 / 7.4.6",
            HandshakeType::ServerKeyExchange => "RFC 5246 7.4.3, RFC 8422 5.4",
            HandshakeType::CertificateRequest => "RFC 5246 7.4.4",
            HandshakeType::ServerHelloDone => "RFC 5246 7.4.5",
            HandshakeType::CertificateVerify => "RFC 5246 7.4.8",
            HandshakeType::ClientKeyExchange => "RFC 5246 7.4.7",
            HandshakeType::Finished => "RFC 5246 7.4.9",
        }
    }
}

/// Name for a raw handshake type byte, known or not.
pub fn handshake_type_name(code: u8) -> String {
    match HandshakeType::from_code(code) {
        Some(t) => t.name().to_string(),
        None => format!("handshake type {code}"),
    }
}

/// Writes the handshake header and opens the body; close it with `w.end(mark)`.
pub fn begin_handshake(w: &mut Writer, msg_type: HandshakeType) -> Mark {
    w.u8("msg_type", msg_type.code());
    w.begin_u24("length")
}

/// Reads the handshake header and opens the body; close it with `r.end()`.
pub fn read_handshake_header(r: &mut Reader, msg_type: HandshakeType) -> Result<(), Error> {
    let code = r.u8("msg_type")?;
    if code != msg_type.code() {
        // The caller dispatched on this byte already: a mismatch is our bug.
        return Err(Error::Internal(phrase!(
            "{} decoder given {}",
            msg_type.name(),
            handshake_type_name(code)
        )));
    }
    Ok(r.begin_u24("length")?)
}

/// ProtocolVersion {3, 1}, TLS 1.0: the record version of our ClientHello, as most clients
/// write it for old servers' sake (RFC 5246 Appendix E.1).
pub const TLS1_0: u16 = 0x0301;
/// ProtocolVersion {3, 3}, TLS 1.2 (RFC 5246 6.2.1): the only version this program speaks.
pub const TLS1_2: u16 = 0x0303;

/// A readable name for a ProtocolVersion.
pub fn version_name(version: u16) -> String {
    match version {
        0x0300 => "SSL 3.0".to_string(),
        0x0301 => "TLS 1.0".to_string(),
        0x0302 => "TLS 1.1".to_string(),
        0x0303 => "TLS 1.2".to_string(),
        0x0304 => "TLS 1.3".to_string(),
        other if extensions::is_grease(other) => extensions::GREASE.to_string(),
        other => format!("0x{other:04x}"),
    }
}
