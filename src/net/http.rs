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

use std::net::TcpStream;

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

/// The most an HTTP request may take before it is answered as it is.
const MAX_REQUEST: usize = 64 * 1024;

/// The request methods we recognise (RFC 9110 9.3), each with the space that ends it.
const METHODS: [&str; 6] = ["GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS "];

/// Reads what the client sends after the handshake and answers it; ends the connection.
pub(super) fn answer(
    server: &mut Server,
    stream: &mut TcpStream,
    trace: bool,
    lang: Lang,
) -> Result<Ending, Error> {
    let mut pending = Vec::new();
    loop {
        let received = match server.receive(stream) {
            // A client that stays quiet after the handshake is closed politely, not failed.
            Err(e) if e.is_timeout() => return close(server, stream),
            // Browsers and many scripts close without close_notify: the session was fine.
            Err(Error::UnexpectedEof) => return Ok(Ending::ClientClosedWithoutCloseNotify),
            other => other?,
        };
        print_trace(server.conn_mut(), trace, lang);
        let Some(data) = received else {
            // close_notify is answered with close_notify (RFC 5246 7.2.1).
            return close(server, stream);
        };
        pending.extend_from_slice(&data);
        match classify(&pending) {
            Arriving::Incomplete => {}
            Arriving::Http(request) => {
                let response = respond(server, &request);
                server.send(stream, &response)?;
                return close(server, stream);
            }
            Arriving::Other => {
                server.send(stream, &pending)?;
                pending.clear();
            }
        }
    }
}

/// close_notify from us: the connection ends cleanly.
fn close(server: &mut Server, stream: &mut TcpStream) -> Result<Ending, Error> {
    server.close(stream)?;
    Ok(Ending::Closed)
}

/// What the bytes received so far are.
enum Arriving {
    /// The start of an HTTP request (or of its method): wait for the rest.
    Incomplete,
    /// A whole HTTP request's head.
    Http(Request),
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

fn classify(pending: &[u8]) -> Arriving {
    if METHODS.iter().any(|m| m.as_bytes().starts_with(pending)) {
        return Arriving::Incomplete;
    }
    if !METHODS.iter().any(|m| pending.starts_with(m.as_bytes())) {
        return Arriving::Other;
    }
    let ended =
        pending.windows(4).any(|w| w == b"\r\n\r\n") || pending.windows(2).any(|w| w == b"\n\n");
    if !ended && pending.len() < MAX_REQUEST {
        return Arriving::Incomplete;
    }
    Arriving::Http(parse(&String::from_utf8_lossy(pending)))
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
            "extended master secret".to_string(),
            say(lang, &yes_no(conn.extended_master_secret())),
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
        match classify(text.as_bytes()) {
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
                matches!(classify(part.as_bytes()), Arriving::Incomplete),
                "{part:?}"
            );
        }
        for other in ["hello\n", "GETTING", "x"] {
            assert!(
                matches!(classify(other.as_bytes()), Arriving::Other),
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
