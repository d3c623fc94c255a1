//! Malformed messages against the real server over TCP: one row per rule, each with the exact
//! alert record the server must answer with, and the server must then close the connection.
//!
//! One `tls12-sim serve` (without `--once`, so it serves the rows one connection after another)
//! answers every row of [`ROWS`]; the server's own log line for each connection must name the
//! same alert, and at the end the server must still be running and never have panicked. The
//! renegotiation row needs a whole handshake first, so it drives our own `Client` over a
//! `TcpStream` in a test of its own.
//!
//! Every read has a timeout: the server drops a silent peer after `--read-timeout-ms 2000`, and
//! our socket gives up after [`CLIENT_TIMEOUT`].

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use common::peers::{BIN, Running};
use tls12_sim::event::Event;
use tls12_sim::messages::HandshakeMessage;
use tls12_sim::messages::alert::{AlertDescription as A, AlertLevel};
use tls12_sim::messages::client_hello::ClientHello;
use tls12_sim::messages::extensions::HelloExtensions;
use tls12_sim::record::MAX_HANDSHAKE_MESSAGE;
use tls12_sim::rng::Side;
use tls12_sim::simulate::{self, Options};

const SERVER_READ_TIMEOUT_MS: &str = "2000";
const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);

// ---- record and message builders ----

const CHANGE_CIPHER_SPEC: u8 = 20;
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
const APPLICATION_DATA: u8 = 23;

const TLS1_0: u16 = 0x0301;
const TLS1_2: u16 = 0x0303;

const RSA_AES128: u16 = 0x009c;
const ECDHE_RSA_AES128: u16 = 0xc02f;

const SERVER_NAME: u16 = 0;
const SUPPORTED_GROUPS: u16 = 10;
const EC_POINT_FORMATS: u16 = 11;
const SIGNATURE_ALGORITHMS: u16 = 13;
const ALPN: u16 = 16;
const ENCRYPT_THEN_MAC: u16 = 22;
const EXTENDED_MASTER_SECRET: u16 = 23;
const RENEGOTIATION_INFO: u16 = 0xff01;

/// A record with any header, the length taken from the payload.
fn record(content_type: u8, version: u16, payload: &[u8]) -> Vec<u8> {
    common::record(content_type, version, payload)
}

/// A handshake message: type, 24-bit length, body.
fn handshake(msg_type: u8, body: &[u8]) -> Vec<u8> {
    let len = (body.len() as u32).to_be_bytes();
    let mut out = vec![msg_type, len[1], len[2], len[3]];
    out.extend(body);
    out
}

fn u16_vector(items: &[u16]) -> Vec<u8> {
    let mut out = ((items.len() * 2) as u16).to_be_bytes().to_vec();
    for item in items {
        out.extend(item.to_be_bytes());
    }
    out
}

/// A ClientHello written field by field, so that a row can break any one of them. The
/// default is a valid TLS 1.2 hello for TLS_RSA_WITH_AES_128_GCM_SHA256.
#[derive(Clone)]
struct Hello {
    version: u16,
    session_id: Vec<u8>,
    suites: Vec<u8>,
    compression_methods: Vec<u8>,
    /// `None`: no extensions block at all.
    extensions: Option<Vec<(u16, Vec<u8>)>>,
    /// Bytes after the extensions, inside the message.
    trailing: Vec<u8>,
}

impl Default for Hello {
    fn default() -> Self {
        Hello {
            version: TLS1_2,
            session_id: Vec::new(),
            suites: u16_vector(&[RSA_AES128]),
            compression_methods: vec![0],
            extensions: Some(vec![
                (SIGNATURE_ALGORITHMS, u16_vector(&[0x0804, 0x0401])),
                (EXTENDED_MASTER_SECRET, vec![]),
                (RENEGOTIATION_INFO, vec![0]),
            ]),
            trailing: Vec::new(),
        }
    }
}

impl Hello {
    /// An ECDHE-only hello with these supported_groups and ec_point_formats bodies.
    fn ecdhe(groups: &[u16], point_formats: &[u8]) -> Hello {
        let mut formats = vec![point_formats.len() as u8];
        formats.extend(point_formats);
        Hello {
            suites: u16_vector(&[ECDHE_RSA_AES128]),
            extensions: Some(vec![
                (SUPPORTED_GROUPS, u16_vector(groups)),
                (EC_POINT_FORMATS, formats),
                (SIGNATURE_ALGORITHMS, u16_vector(&[0x0804, 0x0401])),
                (EXTENDED_MASTER_SECRET, vec![]),
            ]),
            ..Hello::default()
        }
    }

    fn body(&self) -> Vec<u8> {
        let mut body = self.version.to_be_bytes().to_vec();
        body.extend([0x42; 32]); // random
        body.push(self.session_id.len() as u8);
        body.extend(&self.session_id);
        body.extend(&self.suites);
        body.push(self.compression_methods.len() as u8);
        body.extend(&self.compression_methods);
        if let Some(extensions) = &self.extensions {
            let mut block = Vec::new();
            for (ext_type, data) in extensions {
                block.extend(ext_type.to_be_bytes());
                block.extend((data.len() as u16).to_be_bytes());
                block.extend(data);
            }
            body.extend((block.len() as u16).to_be_bytes());
            body.extend(block);
        }
        body.extend(&self.trailing);
        body
    }

    fn message(&self) -> Vec<u8> {
        handshake(1, &self.body())
    }

    /// In one record, with the 0x0301 record version clients use for compatibility.
    fn record(&self) -> Vec<u8> {
        record(HANDSHAKE, TLS1_0, &self.message())
    }
}

fn concat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

// ---- the table ----

/// What the server must answer with.
#[derive(Clone, Copy, Debug)]
enum Reply {
    /// Exactly one record, this fatal alert, and the connection closes.
    Fatal(A),
    /// Its hello flight, starting with ServerHello: the handshake proceeds.
    ServerHello,
    /// Nothing: it closes without an alert.
    Closes,
    /// Not TLS but HTTP in the clear: a plain `400` that points to `https://`, as nginx does.
    PlainHttp400,
}

struct Row {
    name: &'static str,
    send: Vec<u8>,
    reply: Reply,
    rfc: &'static str,
}

fn row(name: &'static str, send: Vec<u8>, reply: Reply, rfc: &'static str) -> Row {
    Row {
        name,
        send,
        reply,
        rfc,
    }
}

/// A ClientHello carrying one malformed extension, answered with decode_error (RFC 5246
/// 7.2.2).
fn bad_extension(name: &'static str, ext_type: u16, body: &[u8], rfc: &'static str) -> Row {
    let send = Hello {
        extensions: Some(vec![(ext_type, body.to_vec())]),
        ..Hello::default()
    }
    .record();
    row(name, send, Reply::Fatal(A::DecodeError), rfc)
}

fn rows() -> Vec<Row> {
    use Reply::*;
    let hello = Hello::default();
    let message = hello.message();
    let mut truncated = message.clone();
    truncated.pop();
    let truncated = handshake(1, &truncated[4..]);
    let oversized_header = {
        let len = (MAX_HANDSHAKE_MESSAGE as u32 + 1).to_be_bytes();
        vec![1, len[1], len[2], len[3]]
    };
    // An SSL 2.0 CLIENT-HELLO (RFC 5246 E.2): two-byte header with the high bit set, msg_type 1,
    // version 3.1, cipher specs, session id, challenge.
    let sslv2_hello = {
        let mut body = vec![1, 0x03, 0x01, 0, 3, 0, 0, 0, 16, 0x00, 0x00, 0x2f];
        body.extend([0x11; 16]);
        let mut out = vec![0x80 | (body.len() >> 8) as u8, body.len() as u8];
        out.extend(body);
        out
    };
    vec![
        // ---- records (RFC 5246 6.2) ----
        row(
            "a plaintext record of 2^14 + 1 bytes",
            record(HANDSHAKE, TLS1_0, &vec![0; (1 << 14) + 1]),
            Fatal(A::RecordOverflow),
            "RFC 5246 6.2.1: the length MUST NOT exceed 2^14",
        ),
        row(
            "a record header claiming 65535 bytes (over 2^14 + 2048)",
            vec![HANDSHAKE, 3, 1, 0xff, 0xff],
            Fatal(A::RecordOverflow),
            "RFC 5246 6.2.3, 7.2.2: record_overflow, checked before any of it is read",
        ),
        row(
            "a zero-length handshake record",
            concat(&[record(HANDSHAKE, TLS1_0, &[]), hello.record()]),
            Fatal(A::UnexpectedMessage),
            "RFC 5246 6.2.1: zero-length Handshake fragments MUST NOT be sent",
        ),
        row(
            "a ClientHello fragmented over four records",
            concat(&[
                record(HANDSHAKE, TLS1_0, &message[..1]),
                record(HANDSHAKE, TLS1_0, &message[1..3]),
                record(HANDSHAKE, TLS1_0, &message[3..40]),
                record(HANDSHAKE, TLS1_0, &message[40..]),
            ]),
            ServerHello,
            "RFC 5246 6.2.1: a message MAY be fragmented across several records",
        ),
        row(
            "an unknown content type (99)",
            record(99, TLS1_0, &message),
            Fatal(A::UnexpectedMessage),
            "RFC 5246 6: an unexpected record type MUST get unexpected_message",
        ),
        row(
            "not TLS at all: an HTTP request",
            b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".to_vec(),
            PlainHttp400,
            "RFC 5246 6: 'G' (71) is not a content type; a person typed http:// for https://",
        ),
        row(
            "an SSL 2.0 CLIENT-HELLO",
            sslv2_hello,
            Fatal(A::UnexpectedMessage),
            "RFC 5246 E.2: accepting the 2.0 format is optional; 0x80 is no content type",
        ),
        row(
            "a record with version 2.0",
            record(HANDSHAKE, 0x0200, &message),
            Fatal(A::ProtocolVersion),
            "RFC 5246 E.1: only {03,xx} before the hellos agree",
        ),
        row(
            "an SSL 3.0 record carrying a TLS 1.0 ClientHello",
            record(
                HANDSHAKE,
                0x0300,
                &Hello {
                    version: TLS1_0,
                    ..Hello::default()
                }
                .message(),
            ),
            Fatal(A::ProtocolVersion),
            "RFC 5246 E.1, 7.2.2: a version we do not support",
        ),
        row(
            "a TLS 1.1 ClientHello",
            Hello {
                version: 0x0302,
                ..Hello::default()
            }
            .record(),
            Fatal(A::ProtocolVersion),
            "RFC 5246 E.1, 7.2.2",
        ),
        // ---- message order (RFC 5246 7.3, 7.4) ----
        row(
            "application data before the handshake",
            record(APPLICATION_DATA, TLS1_2, b"GET / HTTP/1.0\r\n\r\n"),
            Fatal(A::UnexpectedMessage),
            "RFC 5246 7.2.2: the handshake comes first",
        ),
        row(
            "ChangeCipherSpec first",
            record(CHANGE_CIPHER_SPEC, TLS1_2, &[1]),
            Fatal(A::UnexpectedMessage),
            "RFC 5246 7.1, 7.2.2",
        ),
        row(
            "a HelloRequest from the client",
            record(HANDSHAKE, TLS1_0, &handshake(0, &[])),
            Fatal(A::UnexpectedMessage),
            "RFC 5246 7.4.1.1: only a server sends HelloRequest",
        ),
        row(
            "a ClientKeyExchange first",
            record(HANDSHAKE, TLS1_2, &handshake(16, &[0, 0])),
            Fatal(A::UnexpectedMessage),
            "RFC 5246 7.3, 7.2.2",
        ),
        // ---- ClientHello syntax (RFC 5246 7.4.1.2) ----
        row(
            "a handshake header claiming MAX_HANDSHAKE_MESSAGE + 1 bytes",
            record(HANDSHAKE, TLS1_0, &oversized_header),
            Fatal(A::DecodeError),
            "RFC 5246 7.2.2: a length we will not decode (our 100 KiB limit), refused before \
             buffering",
        ),
        row(
            "a ClientHello cut by one byte (length adjusted)",
            record(HANDSHAKE, TLS1_0, &truncated),
            Fatal(A::DecodeError),
            "RFC 5246 7.2.2: decode_error",
        ),
        row(
            "a ClientHello with bytes after its extensions",
            Hello {
                trailing: vec![0],
                ..Hello::default()
            }
            .record(),
            Fatal(A::DecodeError),
            "RFC 5246 7.4.1.2, 7.2.2: the message length is wrong",
        ),
        row(
            "a session_id of 33 bytes",
            Hello {
                session_id: vec![7; 33],
                ..Hello::default()
            }
            .record(),
            Fatal(A::DecodeError),
            "RFC 5246 7.4.1.2: SessionID<0..32>",
        ),
        row(
            "an empty cipher_suites list",
            Hello {
                suites: vec![0, 0],
                ..Hello::default()
            }
            .record(),
            Fatal(A::DecodeError),
            "RFC 5246 7.4.1.2: cipher_suites<2..2^16-2>",
        ),
        row(
            "a cipher_suites list of odd length",
            Hello {
                suites: vec![0, 3, 0x00, 0x9c, 0x00],
                ..Hello::default()
            }
            .record(),
            Fatal(A::DecodeError),
            "RFC 5246 7.4.1.2: CipherSuite is two bytes",
        ),
        row(
            "an empty compression_methods list",
            Hello {
                compression_methods: vec![],
                ..Hello::default()
            }
            .record(),
            Fatal(A::DecodeError),
            "RFC 5246 7.4.1.2: compression_methods<1..2^8-1>",
        ),
        row(
            "compression_methods without null",
            Hello {
                compression_methods: vec![1],
                ..Hello::default()
            }
            .record(),
            Fatal(A::IllegalParameter),
            "RFC 5246 7.4.1.2: the vector MUST contain null",
        ),
        row(
            "the same extension twice",
            Hello {
                extensions: Some(vec![
                    (EXTENDED_MASTER_SECRET, vec![]),
                    (EXTENDED_MASTER_SECRET, vec![]),
                ]),
                ..Hello::default()
            }
            .record(),
            Fatal(A::IllegalParameter),
            "RFC 5246 7.4.1.4: MUST NOT be more than one extension of the same type",
        ),
        row(
            "a server_name list longer than its extension",
            Hello {
                extensions: Some(vec![(SERVER_NAME, vec![0, 12, 0, 0, 9])]),
                ..Hello::default()
            }
            .record(),
            Fatal(A::DecodeError),
            "RFC 6066 3, RFC 5246 7.2.2",
        ),
        // ---- each extension's own rules in a ClientHello: all decode_error ----
        bad_extension(
            "an empty server_name extension",
            SERVER_NAME,
            &[],
            "RFC 6066 3: only the server's answer is empty; a ClientHello's holds a list",
        ),
        bad_extension(
            "an empty server_name_list",
            SERVER_NAME,
            &[0, 0],
            "RFC 6066 3: ServerName server_name_list<1..2^16-1>",
        ),
        bad_extension(
            "a server name of name_type 1",
            SERVER_NAME,
            &[0, 4, 1, 0, 1, b'a'],
            "RFC 6066 3: host_name(0) is the only NameType",
        ),
        bad_extension(
            "an empty host_name",
            SERVER_NAME,
            &[0, 3, 0, 0, 0],
            "RFC 6066 3: opaque HostName<1..2^16-1>",
        ),
        bad_extension(
            "two host names",
            SERVER_NAME,
            &[0, 8, 0, 0, 1, b'a', 0, 0, 1, b'b'],
            "RFC 6066 3: no more than one name of the same name_type",
        ),
        bad_extension(
            "a byte after the server_name_list",
            SERVER_NAME,
            &[0, 4, 0, 0, 1, b'a', 0],
            "RFC 6066 3, RFC 5246 7.2.2: no trailing data",
        ),
        bad_extension(
            "an empty ALPN extension",
            ALPN,
            &[],
            "RFC 7301 3.1: extension_data holds a ProtocolNameList",
        ),
        bad_extension(
            "an empty ALPN protocol_name_list",
            ALPN,
            &[0, 0],
            "RFC 7301 3.1: ProtocolName protocol_name_list<2..2^16-1>",
        ),
        bad_extension(
            "an empty ALPN protocol name",
            ALPN,
            &[0, 4, 2, b'h', b'2', 0],
            "RFC 7301 3.1: empty strings MUST NOT be included",
        ),
        bad_extension(
            "an ALPN name longer than its list",
            ALPN,
            &[0, 3, 8, b'h', b'2'],
            "RFC 7301 3.1: byte strings MUST NOT be truncated",
        ),
        bad_extension(
            "an ALPN list longer than its extension",
            ALPN,
            &[0, 12, 2, b'h', b'2'],
            "RFC 7301 3.1, RFC 5246 7.2.2: the lengths must agree",
        ),
        bad_extension(
            "a byte after the ALPN list",
            ALPN,
            &[0, 3, 2, b'h', b'2', 0],
            "RFC 7301 3.1, RFC 5246 7.2.2: no trailing data",
        ),
        bad_extension(
            "encrypt_then_mac with a body",
            ENCRYPT_THEN_MAC,
            &[0],
            "RFC 7366 2: the extension_data SHALL be empty",
        ),
        bad_extension(
            "extended_master_secret with a body",
            EXTENDED_MASTER_SECRET,
            &[0],
            "RFC 7627 5.1: the extension_data SHALL be empty",
        ),
        bad_extension(
            "an empty renegotiation_info extension",
            RENEGOTIATION_INFO,
            &[],
            "RFC 5746 3.2: extension_data holds renegotiated_connection<0..255>",
        ),
        bad_extension(
            "a byte after renegotiated_connection",
            RENEGOTIATION_INFO,
            &[0, 0],
            "RFC 5746 3.2, RFC 5246 7.2.2: one vector, nothing after it",
        ),
        bad_extension(
            "an empty ec_point_format_list",
            EC_POINT_FORMATS,
            &[0],
            "RFC 8422 5.1.2: ECPointFormat ec_point_format_list<1..2^8-1>",
        ),
        bad_extension(
            "an empty named_group_list",
            SUPPORTED_GROUPS,
            &[0, 0],
            "RFC 8422 5.1.1: NamedGroup named_group_list<2..2^16-1>",
        ),
        bad_extension(
            "a named_group_list of odd length",
            SUPPORTED_GROUPS,
            &[0, 3, 0, 0x1d, 0],
            "RFC 8422 5.1.1: a NamedGroup is two bytes",
        ),
        bad_extension(
            "an empty signature_algorithms list",
            SIGNATURE_ALGORITHMS,
            &[0, 0],
            "RFC 5246 7.4.1.4.1: supported_signature_algorithms<2..2^16-2>",
        ),
        bad_extension(
            "a signature_algorithms list of odd length",
            SIGNATURE_ALGORITHMS,
            &[0, 3, 8, 4, 4],
            "RFC 5246 7.4.1.4.1: a SignatureAndHashAlgorithm is two bytes",
        ),
        // ---- negotiation ----
        row(
            "no cipher suite in common",
            Hello {
                suites: u16_vector(&[0xc02b, 0x1301]),
                ..Hello::default()
            }
            .record(),
            Fatal(A::HandshakeFailure),
            "RFC 5246 7.4.1.3: no acceptable choice, handshake_failure",
        ),
        row(
            "ECDHE only, with no usable group (secp256r1)",
            Hello::ecdhe(&[0x0017], &[0]).record(),
            Fatal(A::HandshakeFailure),
            "RFC 8422 5.1: no ECC suite without a common curve, so no suite at all",
        ),
        row(
            "ECDHE with ec_point_formats lacking uncompressed",
            Hello::ecdhe(&[0x001d], &[1]).record(),
            Fatal(A::IllegalParameter),
            "RFC 8422 5.1.2: MUST abort with illegal_parameter",
        ),
        row(
            "renegotiation_info not empty on a first handshake",
            Hello {
                extensions: Some(vec![(RENEGOTIATION_INFO, vec![12; 13])]),
                ..Hello::default()
            }
            .record(),
            Fatal(A::HandshakeFailure),
            "RFC 5746 3.6: MUST abort the handshake",
        ),
        row(
            "ALPN offering only h2",
            Hello {
                extensions: Some(vec![(ALPN, vec![0, 3, 2, b'h', b'2'])]),
                ..Hello::default()
            }
            .record(),
            Fatal(A::NoApplicationProtocol),
            "RFC 7301 3.2: no protocol in common SHALL get no_application_protocol",
        ),
        row(
            "ALPN offering h2 and http/1.1",
            Hello {
                extensions: Some(vec![(
                    ALPN,
                    [&[0, 12, 2, b'h', b'2', 8][..], b"http/1.1"].concat(),
                )]),
                ..Hello::default()
            }
            .record(),
            ServerHello,
            "RFC 7301 3.2: the server picks http/1.1, the one it speaks",
        ),
        // ---- the peer's own alerts, and silence ----
        row(
            "a warning alert (user_canceled), then the ClientHello",
            concat(&[record(ALERT, TLS1_0, &[1, 90]), hello.record()]),
            ServerHello,
            "RFC 5246 7.2: a warning need not end the connection",
        ),
        row(
            "the client's fatal alert first",
            record(ALERT, TLS1_0, &[2, 40]),
            Closes,
            "RFC 5246 7.2.2: an alert is not answered with an alert",
        ),
        row(
            "half a record, then silence",
            hello.record()[..20].to_vec(),
            Closes,
            "dropped after --read-timeout-ms, without an alert: the peer did nothing wrong yet",
        ),
    ]
}

/// Sends `bytes` on a fresh connection and reads until the server closes (EOF, or a reset: a
/// server that closes with our bytes unread makes its kernel answer with RST), or, for
/// `ServerHello`, until the first record is in.
fn exchange(address: &str, bytes: &[u8], first_record_only: bool) -> Result<Vec<u8>, String> {
    let mut stream = TcpStream::connect(address).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    stream.write_all(bytes).map_err(|e| format!("write: {e}"))?;
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if first_record_only && reply.len() >= 5 {
            let len = 5 + usize::from(u16::from_be_bytes([reply[3], reply[4]]));
            if reply.len() >= len {
                return Ok(reply);
            }
        }
        match stream.read(&mut buf) {
            Ok(0) => return Ok(reply),
            Ok(n) => reply.extend(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
                ) =>
            {
                return Ok(reply);
            }
            Err(e) => {
                return Err(format!(
                    "no close within {CLIENT_TIMEOUT:?} ({e}); got {reply:02x?}"
                ));
            }
        }
    }
}

fn check(row: &Row, reply: &[u8]) -> Result<(), String> {
    match row.reply {
        Reply::Fatal(description) => {
            let want = [ALERT, 3, 3, 0, 2, 2, description.code()];
            if reply != want {
                return Err(format!(
                    "expected the one record {want:02x?} (fatal {}), got {reply:02x?}",
                    description.name()
                ));
            }
        }
        Reply::ServerHello => {
            let ok = reply.len() > 9 && reply[..3] == [HANDSHAKE, 3, 3] && reply[5] == 2;
            if !ok {
                return Err(format!("expected a ServerHello record, got {reply:02x?}"));
            }
        }
        Reply::Closes => {
            if !reply.is_empty() {
                return Err(format!("expected no reply, got {reply:02x?}"));
            }
        }
        Reply::PlainHttp400 => {
            let text = String::from_utf8_lossy(reply);
            if !(text.starts_with("HTTP/1.0 400 ") && text.contains("https://")) {
                return Err(format!("expected a plain HTTP 400, got {text:?}"));
            }
        }
    }
    Ok(())
}

/// `tls12-sim serve` without `--once`: one connection after another.
fn serve_many() -> (Running, String) {
    let mut command = Command::new(BIN);
    command.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--read-timeout-ms",
        SERVER_READ_TIMEOUT_MS,
    ]);
    let mut server = Running::spawn(command);
    let line = server.wait_for("listening on ", Duration::from_secs(10));
    let address = line.trim_start_matches("listening on ").trim().to_string();
    (server, address)
}

#[test]
fn malformed_messages_get_the_alert_their_rule_names() {
    let started = Instant::now();
    let (mut server, address) = serve_many();
    let rows = rows();
    let mut failures = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let result = exchange(&address, &row.send, matches!(row.reply, Reply::ServerHello))
            .and_then(|reply| check(row, &reply));
        // The server logs each connection when it is done with it; the line must name the
        // same alert (and proves the server went on to the next connection).
        let logged = server.wait_for(&format!("connection {} from", i + 1), CLIENT_TIMEOUT);
        let logged_ok = match row.reply {
            Reply::Fatal(description) => logged.contains(description.name()),
            Reply::ServerHello => true,
            Reply::Closes => {
                (logged.contains("failed") || logged.contains("abandoned"))
                    && !logged.contains("completed")
            }
            Reply::PlainHttp400 => logged.contains("plain HTTP, not TLS"),
        };
        eprintln!(
            "{:<62} {:<28} {}",
            row.name,
            format!("{:?}", row.reply),
            row.rfc
        );
        match result {
            Err(why) => failures.push(format!("{} ({}): {why}", row.name, row.rfc)),
            Ok(()) if !logged_ok => failures.push(format!(
                "{} ({}): the server logged {logged:?}",
                row.name, row.rfc
            )),
            Ok(()) => {}
        }
    }
    // The oversized hello's log line names the limit.
    let limit = format!(
        "decode_error: handshake message of {} bytes is over our limit of {MAX_HANDSHAKE_MESSAGE} \
         bytes",
        MAX_HANDSHAKE_MESSAGE + 1
    );
    server.wait_for(&limit, CLIENT_TIMEOUT);
    let still_running = server.child.try_wait().unwrap().is_none();
    let output = server.finish(Duration::from_millis(100));
    assert!(still_running, "the server died:\n{output}");
    assert!(
        !output.contains("panicked"),
        "the server panicked:\n{output}"
    );
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}\nserver output:\n{output}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
    eprintln!("{} rows in {:.1?}", rows.len(), started.elapsed());
}

/// RFC 5246 7.2.2 and 7.4.1.2: a ClientHello after the handshake (sent under the
/// session keys) is refused with a *warning* no_renegotiation, and the connection carries on.
#[test]
fn a_second_client_hello_over_tcp_gets_a_no_renegotiation_warning() {
    let (server, address) = common::peers::serve(&["--read-timeout-ms", SERVER_READ_TIMEOUT_MS]);
    let mut stream = TcpStream::connect(&address).unwrap();
    stream.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
    let mut client = simulate::demo_client(&Options::default()).unwrap();
    client.send_hello(&mut stream).unwrap();
    client.answer_server(&mut stream).unwrap();
    client.finish(&mut stream).unwrap();

    let hello = ClientHello {
        client_version: TLS1_2,
        random: [1; 32],
        session_id: vec![],
        cipher_suites: vec![RSA_AES128],
        compression_methods: vec![0],
        extensions: HelloExtensions {
            renegotiation_info: Some(vec![]),
            ..Default::default()
        },
    };
    client
        .conn_mut()
        .send_raw_handshake(&mut stream, &hello.encode().unwrap().bytes)
        .unwrap();
    client.send(&mut stream, b"still talking").unwrap();
    // The server refuses, then echoes the data: the client reads past the warning.
    let echoed = client.receive(&mut stream).unwrap();
    assert_eq!(echoed.as_deref(), Some(&b"still talking"[..]));
    let warnings: Vec<A> = client
        .conn()
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::Alert {
                from: Side::Server,
                level: AlertLevel::Warning,
                description,
                ..
            } => Some(*description),
            _ => None,
        })
        .collect();
    assert_eq!(warnings, [A::NoRenegotiation]);
    client.close(&mut stream).unwrap();
    assert_eq!(
        client.receive(&mut stream).unwrap(),
        None,
        "close_notify back"
    );
    let output = server.finish(Duration::from_secs(5));
    assert!(output.contains("completed"), "{output}");
    assert!(!output.contains("panicked"), "{output}");
}
