//! What a client gets after the handshake. An HTTP request (however it was split into
//! records) gets one answer and the connection closes, as HTTP/1.0 does:
//!
//! - a browser (`Accept: text/html`) gets the web page of its own connection, as the server
//!   traced it: its ClientHello field by field, the keys, the records, up to the request itself;
//!   in Japanese when `?lang=ja` says so or its `Accept-Language` prefers `ja`;
//! - `/trace.json` and `/diagram.mmd` give the same connection as JSON and as a mermaid
//!   sequence diagram;
//! - `curl`, scripts and `connect` (no `text/html`) get a short text about the session.
//!
//! Anything that is not HTTP is echoed back, record by record.

use std::io::{Read, Write};

use super::{Ending, print_trace};
use crate::error::Error;
use crate::key_exchange;
use crate::messages::extensions::protocol_name;
use crate::phrase;
use crate::phrase::yes_no;
use crate::pki;
use crate::render::{self, Lang, say};
use crate::server::Server;
use crate::suites::KeyExchange;

/// The application protocols `answer` speaks, for ALPN (RFC 7301): HTTP/1.1 (it answers
/// HTTP/1.0 and 1.1 requests alike). Never `h2`: HTTP/2 is another protocol, which this
/// server does not speak.
pub(super) const ALPN_PROTOCOLS: [&str; 1] = ["http/1.1"];

/// The longest request head we read (request line and headers); a longer one is answered
/// with 431 (RFC 6585 5). Browsers send under 2 KiB.
const MAX_HEAD: usize = 16 * 1024;

/// After this many application-data records or bytes, the connection's trace stops growing:
/// a long echo session must not hold its whole history in memory.
const TRACED_RECORDS: usize = 256;
const TRACED_BYTES: usize = 1024 * 1024;

/// The request methods we recognise (RFC 9110 9.3), each with the space that ends it.
const METHODS: [&str; 6] = ["GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS "];

/// Reads what the client sends after the handshake and answers it; ends the connection.
pub(super) fn answer<W: Read + Write>(
    server: &mut Server,
    wire: &mut W,
    trace: bool,
    lang: Lang,
) -> Result<Ending, Error> {
    let mut pending = Vec::new();
    let (mut records, mut bytes) = (0, 0);
    loop {
        let received = match server.receive(wire) {
            // A client that stays quiet after the handshake is closed politely, not failed;
            // one that stops in the middle of a request has failed to send it.
            Err(e) if e.is_timeout() && pending.is_empty() => return close(server, wire),
            // Browsers and many scripts close without close_notify: the session was fine.
            Err(Error::UnexpectedEof) => return Ok(Ending::ClientClosedWithoutCloseNotify),
            other => other?,
        };
        print_trace(server.conn_mut(), trace, lang);
        let Some(data) = received else {
            // close_notify is answered with close_notify (RFC 5246 7.2.1).
            return close(server, wire);
        };
        (records, bytes) = (records + 1, bytes + data.len());
        if records == TRACED_RECORDS || (bytes >= TRACED_BYTES && bytes - data.len() < TRACED_BYTES)
        {
            stop_tracing(server, records, bytes);
        }
        let scanned = pending.len();
        pending.extend_from_slice(&data);
        match classify(&pending, scanned) {
            Arriving::Incomplete => {}
            Arriving::Http(request) => {
                let response = respond(server, &request);
                server.send(wire, &response)?;
                return close(server, wire);
            }
            Arriving::TooLong => {
                let response = too_long(&pending);
                server.send(wire, &response)?;
                return close(server, wire);
            }
            Arriving::Other => {
                server.send(wire, &pending)?;
                pending.clear();
            }
        }
    }
}

/// The trace stops here, and says so.
fn stop_tracing(server: &mut Server, records: usize, bytes: usize) {
    let conn = server.conn_mut();
    let side = conn.side();
    let trace = conn.trace();
    trace.note(side, || {
        phrase!(
            "the trace stops here, after {} records and {} bytes of application data: the \
             connection goes on, untraced, so that its memory stays bounded",
            records,
            bytes
        )
    });
    trace.stop();
}

/// close_notify from us: the connection ends cleanly.
fn close<W: Write>(server: &mut Server, wire: &mut W) -> Result<Ending, Error> {
    server.close(wire)?;
    Ok(Ending::Closed)
}

/// What the bytes received so far are.
enum Arriving {
    /// The start of an HTTP request (or of its method): wait for the rest.
    Incomplete,
    /// A whole HTTP request's head.
    Http(Request),
    /// A request head longer than `MAX_HEAD`.
    TooLong,
    /// Not HTTP: to be echoed.
    Other,
}

/// An HTTP request, as far as the answer depends on it.
struct Request {
    method: String,
    path: String,
    query: String,
    accept: String,
    accept_language: String,
}

/// What `pending` is; the bytes before `scanned` were looked at already (the end of the
/// head is searched for in the new bytes only, and the three before them).
fn classify(pending: &[u8], scanned: usize) -> Arriving {
    if METHODS.iter().any(|m| m.as_bytes().starts_with(pending)) {
        return Arriving::Incomplete;
    }
    if !METHODS.iter().any(|m| pending.starts_with(m.as_bytes())) {
        return Arriving::Other;
    }
    let from = scanned.saturating_sub(3);
    let tail = &pending[from..];
    let ended = tail.windows(4).any(|w| w == b"\r\n\r\n") || tail.windows(2).any(|w| w == b"\n\n");
    match (ended, pending.len() > MAX_HEAD) {
        (true, _) => Arriving::Http(parse(&String::from_utf8_lossy(pending))),
        (false, true) => Arriving::TooLong,
        (false, false) => Arriving::Incomplete,
    }
}

/// Whether `first` (the first bytes a client sent on the TLS port) is the start of an HTTP
/// request in the clear. No TLS record starts with a capital letter (its first byte is its
/// content type: 20 to 24).
pub(super) fn starts_like_a_method(first: &[u8]) -> bool {
    !first.is_empty()
        && METHODS
            .iter()
            .any(|m| m.as_bytes().starts_with(first) || first.starts_with(m.as_bytes()))
}

/// An HTTP request sent in the clear to the TLS port (`http://` typed for `https://`): read
/// its head (as much as arrives, up to `MAX_HEAD`), answer 400 in the clear, saying what to
/// type instead. There is no TLS here to explain.
pub(super) fn answer_plain_http<W: Read + Write>(wire: &mut W) -> Result<Ending, Error> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while head.len() <= MAX_HEAD {
        let scanned = head.len();
        let got = match wire.read(&mut buf) {
            Ok(0) => break,
            Ok(got) => got,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        head.extend_from_slice(&buf[..got]);
        if !matches!(classify(&head, scanned), Arriving::Incomplete) {
            break;
        }
    }
    let text = String::from_utf8_lossy(&head);
    let host = text
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("host")
                .then(|| value.trim().to_string())
        })
        .filter(|host| {
            host.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or_else(|| "HOST:PORT".to_string());
    let body = format!(
        "This port speaks TLS 1.2, not plain HTTP: ask for https://{host}/ instead of \
         http://{host}/ (tls12-sim serve).\n"
    );
    let response = format!(
        "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    wire.write_all(response.as_bytes())?;
    wire.flush()?;
    Ok(Ending::PlainHttp)
}

/// The answer to a request head longer than `MAX_HEAD`: 431 (RFC 6585 5).
fn too_long(pending: &[u8]) -> Vec<u8> {
    let request = parse(&String::from_utf8_lossy(
        &pending[..pending.len().min(MAX_HEAD)],
    ));
    let body = format!("the request head is longer than {MAX_HEAD} bytes\n");
    response(
        "431 Request Header Fields Too Large",
        "text/plain; charset=utf-8",
        body.as_bytes(),
        &request,
    )
}

/// The request line and the two headers the answer looks at.
fn parse(text: &str) -> Request {
    let mut lines = text.lines();
    let mut request_line = lines.next().unwrap_or_default().split_whitespace();
    let method = request_line.next().unwrap_or_default().to_string();
    let target = request_line.next().unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut request = Request {
        method,
        path: path.to_string(),
        query: query.to_string(),
        accept: String::new(),
        accept_language: String::new(),
    };
    for line in lines.take_while(|l| !l.trim().is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "accept" => request.accept = value.trim().to_string(),
            "accept-language" => request.accept_language = value.trim().to_string(),
            _ => {}
        }
    }
    request
}

/// The whole HTTP response to `request`.
fn respond(server: &Server, request: &Request) -> Vec<u8> {
    if request.method != "GET" && request.method != "HEAD" {
        return response(
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            b"tls12-sim answers GET and HEAD\n",
            request,
        );
    }
    let events = server.conn().events();
    match request.path.as_str() {
        "/favicon.ico" => response(
            "404 Not Found",
            "text/plain; charset=utf-8",
            b"no icon\n",
            request,
        ),
        "/trace.json" => {
            let header = serde_json::json!({
                "side": "server",
                "view": "this connection, as the server traced it, up to the request",
                "suite": server.conn().negotiated_suite().map(|s| s.name()),
            });
            let json = render::render_json(header, events);
            response("200 OK", "application/json", json.as_bytes(), request)
        }
        "/diagram.mmd" => {
            let diagram = render::render_mermaid(events);
            response(
                "200 OK",
                "text/plain; charset=utf-8",
                diagram.as_bytes(),
                request,
            )
        }
        _ if request.accept.contains("text/html") => {
            let page = connection_page(server, language(request));
            response(
                "200 OK",
                "text/html; charset=utf-8",
                page.as_bytes(),
                request,
            )
        }
        _ => {
            let text = session_text(server);
            response(
                "200 OK",
                "text/plain; charset=utf-8",
                text.as_bytes(),
                request,
            )
        }
    }
}

/// A whole HTTP/1.0 response: status line, headers, and the body unless the request was HEAD.
fn response(status: &str, content_type: &str, body: &[u8], request: &Request) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.0 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if request.method != "HEAD" {
        out.extend_from_slice(body);
    }
    out
}

/// The page's language: `?lang=ja` or `?lang=en` first, else whichever of Japanese and
/// English the browser's Accept-Language rates higher (English if it names neither).
fn language(request: &Request) -> Lang {
    for pair in request.query.split('&') {
        match pair {
            "lang=ja" => return Lang::Ja,
            "lang=en" => return Lang::En,
            _ => {}
        }
    }
    let weight = |wanted: &str| -> f32 {
        request
            .accept_language
            .split(',')
            .filter_map(|entry| {
                let mut parts = entry.trim().split(';');
                let tag = parts.next()?.trim().to_ascii_lowercase();
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q=")?.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (tag == wanted || tag.starts_with(&format!("{wanted}-"))).then_some(q)
            })
            .fold(0.0, f32::max)
    };
    if weight("ja") > weight("en") {
        Lang::Ja
    } else {
        Lang::En
    }
}

/// The web page of this connection, as the server traced it up to the request.
fn connection_page(server: &Server, lang: Lang) -> String {
    let conn = server.conn();
    let suite = conn.negotiated_suite().map_or("?", |s| s.name());
    let facts = vec![
        (say(lang, &phrase!("suite")), suite.to_string()),
        (
            say(lang, &phrase!("extended master secret")),
            say(lang, &yes_no(conn.extended_master_secret())),
        ),
        (
            say(lang, &phrase!("resumption")),
            match server.resumed() {
                Some(how) => say(
                    lang,
                    &phrase!(
                        "your client resumed an earlier session (by {}): no certificate, no key \
                         exchange",
                        how.name()
                    ),
                ),
                None => say(lang, &phrase!("none: a full handshake")),
            },
        ),
        (
            say(lang, &phrase!("this page")),
            say(
                lang,
                &phrase!(
                    "the server's view of your connection: your ClientHello first, your \
                     request last"
                ),
            ),
        ),
    ];
    let outcome = say(
        lang,
        &phrase!(
            "handshake complete; your request arrived in the last record, and this page answers it"
        ),
    );
    render::render_html(
        conn.events(),
        &render::HtmlPage {
            title: &format!("tls12-sim: {suite}"),
            facts,
            outcome,
            ok: true,
            lang,
        },
    )
}

/// The short text for `curl`, scripts and `connect`: what this connection negotiated.
fn session_text(server: &Server) -> String {
    let conn = server.conn();
    let suite = conn.negotiated_suite().map_or("?", |s| s.name());
    let key_exchange = match conn.negotiated_suite().map(|s| s.key_exchange()) {
        _ if server.resumed().is_some() => format!(
            "none: this connection resumed an earlier session (by {}); no private or public key \
             was used, only new session keys from that session's master secret",
            server.resumed().map_or("?", |how| how.name())
        ),
        Some(KeyExchange::Rsa) => {
            "RSA: you encrypted the pre-master secret to our public key; our private key \
             decrypted it"
                .to_string()
        }
        Some(KeyExchange::Ecdhe) => format!(
            "ECDHE with x25519: our private key only signed our ephemeral key ({})",
            server
                .signature_scheme()
                .map_or("?".into(), key_exchange::scheme_name)
        ),
        None => "?".to_string(),
    };
    let client_certificate = match server
        .client_certificates()
        .first()
        .filter(|_| server.client_authenticated())
        .and_then(|der| pki::parse_certificate(der).ok())
    {
        Some(cert) if server.resumed().is_some() => format!(
            "{} (checked in the full handshake of this session, not again now)",
            cert.tbs_certificate().subject()
        ),
        Some(cert) => format!("{} (checked)", cert.tbs_certificate().subject()),
        None => "none".to_string(),
    };
    let alpn = match server.alpn_protocol() {
        Some(chosen) => format!("{} (ALPN, RFC 7301)", protocol_name(chosen)),
        None => "none agreed (no ALPN)".to_string(),
    };
    format!(
        "tls12-sim served this page over TLS 1.2.\n\
         cipher suite:           {suite}\n\
         key exchange:           {key_exchange}\n\
         extended master secret: {}\n\
         client certificate:     {client_certificate}\n\
         application protocol:   {alpn}\n\
         client random:          {}\n\
         server random:          {}\n\
         (a browser gets the web page of this connection; /trace.json and /diagram.mmd give \
         it as JSON and as a mermaid diagram)\n",
        if conn.extended_master_secret() {
            "yes (RFC 7627)"
        } else {
            "no"
        },
        hex::encode(conn.client_random()),
        hex::encode(conn.server_random()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str) -> Request {
        match classify(text.as_bytes(), 0) {
            Arriving::Http(request) => request,
            _ => panic!("not a whole request: {text:?}"),
        }
    }

    #[test]
    fn a_request_is_whole_only_at_the_end_of_its_head() {
        for part in [
            "",
            "G",
            "GE",
            "GET",
            "GET ",
            "GET / HTTP/1.1\r\nHost: x\r\n",
        ] {
            assert!(
                matches!(classify(part.as_bytes(), 0), Arriving::Incomplete),
                "{part:?}"
            );
        }
        for other in ["hello\n", "GETTING", "x"] {
            assert!(
                matches!(classify(other.as_bytes(), 0), Arriving::Other),
                "{other:?}"
            );
        }
        let r = request("GET /trace.json?lang=ja HTTP/1.1\r\nAccept: text/html\r\n\r\n");
        assert_eq!(
            (r.path.as_str(), r.query.as_str()),
            ("/trace.json", "lang=ja")
        );
        assert_eq!(r.accept, "text/html");
    }

    #[test]
    fn the_end_of_the_head_is_found_when_it_arrives_in_pieces() {
        // Byte by byte, each time looking at the new byte only (and the three before it).
        let whole = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
        for end in 1..whole.len() {
            assert!(
                matches!(classify(&whole[..end], end - 1), Arriving::Incomplete),
                "{end}"
            );
        }
        let last = whole.len() - 1;
        assert!(matches!(classify(whole, last), Arriving::Http(_)));
        // A head that never ends is refused once it is longer than MAX_HEAD.
        let mut long = b"GET / HTTP/1.1\r\nX: ".to_vec();
        long.resize(MAX_HEAD + 1, b'a');
        assert!(matches!(classify(&long, 100), Arriving::TooLong));
        assert!(too_long(&long).starts_with(b"HTTP/1.0 431 Request Header Fields Too Large"));
    }

    #[test]
    fn a_request_in_the_clear_is_told_apart_from_a_tls_record() {
        for first in ["G", "GET / HT", "HEAD /", "OPTIONS"] {
            assert!(starts_like_a_method(first.as_bytes()), "{first}");
        }
        for first in [&[0x16, 0x03, 0x01][..], b"", b"hello", b"get /"] {
            assert!(!starts_like_a_method(first), "{first:?}");
        }
    }

    #[test]
    fn the_language_follows_the_query_then_the_browser() {
        let lang = |text: &str| language(&request(text));
        assert_eq!(lang("GET /?lang=ja HTTP/1.1\r\n\r\n"), Lang::Ja);
        assert_eq!(
            lang("GET / HTTP/1.1\r\nAccept-Language: ja,en-US;q=0.9,en;q=0.8\r\n\r\n"),
            Lang::Ja
        );
        assert_eq!(
            lang("GET / HTTP/1.1\r\nAccept-Language: en-US,en;q=0.9,ja;q=0.8\r\n\r\n"),
            Lang::En
        );
        assert_eq!(
            lang("GET /?lang=en HTTP/1.1\r\nAccept-Language: ja\r\n\r\n"),
            Lang::En
        );
        assert_eq!(lang("GET / HTTP/1.1\r\n\r\n"), Lang::En);
    }
}
