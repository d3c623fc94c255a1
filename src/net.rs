//! Real connections over TCP: `serve` and `connect`. They run the very same client and server
//! flights as the simulator, on a `TcpStream` instead of the in-memory wire: there is no second
//! code path for the protocol.
//!
//! The server handles one connection at a time. Whatever a connection does (garbage, a stall, a
//! fatal alert), it ends that connection only: the server logs it and accepts the next.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::client::{Client, ClientConfig, ServerTrust};
use crate::conn::Conn;
use crate::error::Error;
use crate::key_exchange::{self, SUPPORTED_SCHEMES};
use crate::phrase;
use crate::pki::{self, Identity};
use crate::render::{self, Lang, TextOptions};
use crate::rng::{Clock, RoleRng, Side};
use crate::server::{ClientAuth, Server, ServerConfig};
use crate::suites::{CipherSuite, KeyExchange};

/// How `tls12-sim serve` runs.
pub struct ServeOptions {
    /// Address to listen on, e.g. `127.0.0.1:4433`.
    pub listen: String,
    /// Our certificate chain and the private key of its first certificate.
    pub identity: Identity,
    /// The suites we accept (the client's preference decides).
    pub suites: Vec<CipherSuite>,
    /// Agree to extended_master_secret (RFC 7627) when the client offers it.
    pub allow_extended_master_secret: bool,
    /// Append each connection's NSS key log line here.
    pub keylog: Option<PathBuf>,
    /// Print each connection's annotated trace (to standard error).
    pub trace: bool,
    /// Write each connection's web page (the trace as HTML) to this file, replacing the last.
    pub html: Option<PathBuf>,
    /// The language of the trace's explanations.
    pub lang: Lang,
    /// Serve one connection, then return.
    pub once: bool,
    /// Give up on a peer that sends nothing for this long.
    pub read_timeout: Duration,
    /// Mutual TLS: ask for client certificates, and whom to trust for them.
    pub client_auth: ClientAuth,
    /// The CAs (and their CRLs) whose client certificates we accept.
    pub client_trust: pki::TrustStore,
}

/// What one served connection did.
pub struct ServedConnection {
    /// The suite negotiated, if the handshake got as far as ServerHello.
    pub suite: Option<CipherSuite>,
    /// `Ok` if the handshake completed and we closed with close_notify; else the error that ended
    /// the connection.
    pub result: Result<(), Error>,
}

/// Listens and serves connections one after another; with `once`, returns the outcome of the
/// first. Prints `listening on ADDRESS` on standard output when ready.
pub fn serve(options: &ServeOptions) -> Result<ServedConnection, Error> {
    let listener = TcpListener::bind(&options.listen).map_err(|e| {
        Error::Config(phrase!(
            "cannot listen on {}: {}",
            options.listen.to_string(),
            e.to_string()
        ))
    })?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::Config(phrase!("no local address: {}", e.to_string())))?;
    let _ = writeln!(std::io::stdout(), "listening on {address}");
    let _ = std::io::stdout().flush();
    let mut number = 0u64;
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "accept failed: {e}");
                continue;
            }
        };
        number += 1;
        let served = serve_connection(stream, options);
        let line = match &served.result {
            Ok(()) => format!(
                "connection {number} from {peer}: {} completed",
                served.suite.map_or("?", |s| s.name())
            ),
            Err(e) => format!("connection {number} from {peer}: failed: {e}"),
        };
        let _ = writeln!(std::io::stderr(), "{line}");
        if options.once {
            return Ok(served);
        }
    }
}

/// One connection: handshake, then application data until the client closes.
fn serve_connection(mut stream: TcpStream, options: &ServeOptions) -> ServedConnection {
    let config = ServerConfig {
        suites: options.suites.clone(),
        identity: Identity {
            chain: options.identity.chain.clone(),
            key: options.identity.key.clone(),
        },
        allow_extended_master_secret: options.allow_extended_master_secret,
        client_auth: options.client_auth,
        client_trust: options.client_trust.clone(),
    };
    let rng = match RoleRng::from_os(Side::Server) {
        Ok(rng) => rng,
        Err(e) => {
            return ServedConnection {
                suite: None,
                result: Err(e),
            };
        }
    };
    let tracing = options.trace || options.html.is_some();
    let mut server = Server::new(config, rng, Clock::System, tracing);
    let result = serve_steps(&mut server, &mut stream, options).map_err(|e| {
        e.timeout_as(|| {
            phrase!(
                "no data from the client for {}",
                seconds(options.read_timeout)
            )
        })
    });
    print_trace(server.conn_mut(), options.trace, options.lang);
    write_keylog(server.conn(), options.keylog.as_deref());
    write_html(
        server.conn_mut(),
        options.html.as_deref(),
        &result,
        options.lang,
    );
    let _ = stream.shutdown(std::net::Shutdown::Both);
    ServedConnection {
        suite: server.conn().negotiated_suite(),
        result,
    }
}

fn serve_steps(
    server: &mut Server,
    stream: &mut TcpStream,
    options: &ServeOptions,
) -> Result<(), Error> {
    stream.set_read_timeout(Some(options.read_timeout))?;
    stream.set_write_timeout(Some(options.read_timeout))?;
    server.answer_hello(stream)?;
    print_trace(server.conn_mut(), options.trace, options.lang);
    server.finish(stream)?;
    print_trace(server.conn_mut(), options.trace, options.lang);
    write_keylog(server.conn(), options.keylog.as_deref());

    // Application data: an HTTP request gets a page; anything else is echoed back.
    let mut request = Vec::new();
    loop {
        let received = match server.receive(stream) {
            // A client that stays quiet after the handshake is closed politely, not failed.
            Err(e) if e.is_timeout() => return server.close(stream),
            other => other?,
        };
        print_trace(server.conn_mut(), options.trace, options.lang);
        let Some(data) = received else {
            // close_notify is answered with close_notify (RFC 5246 7.2.1).
            return server.close(stream);
        };
        request.extend_from_slice(&data);
        if is_http_request_start(&request) {
            if !http_request_complete(&request) && request.len() < 64 * 1024 {
                continue;
            }
            let page = http_page(server);
            server.send(stream, page.as_bytes())?;
            // HTTP/1.0: the response ends the connection.
            return server.close(stream);
        }
        server.send(stream, &request)?;
        request.clear();
    }
}

fn is_http_request_start(data: &[u8]) -> bool {
    ["GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS "]
        .iter()
        .any(|method| data.starts_with(method.as_bytes()))
}

fn http_request_complete(data: &[u8]) -> bool {
    data.windows(4).any(|w| w == b"\r\n\r\n") || data.windows(2).any(|w| w == b"\n\n")
}

/// The page `serve` answers an HTTP request with: what this connection negotiated.
fn http_page(server: &Server) -> String {
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
        .and_then(|der| pki::parse_certificate(der).ok())
    {
        Some(cert) => format!("{} (checked)", cert.tbs_certificate().subject()),
        None => "none".to_string(),
    };
    let body = format!(
        "tls12-sim served this page over TLS 1.2.\n\
         cipher suite:           {suite}\n\
         key exchange:           {key_exchange}\n\
         extended master secret: {}\n\
         client certificate:     {client_certificate}\n\
         client random:          {}\n\
         server random:          {}\n",
        if conn.extended_master_secret() {
            "yes (RFC 7627)"
        } else {
            "no"
        },
        hex::encode(conn.client_random()),
        hex::encode(conn.server_random()),
    );
    format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// How `tls12-sim connect` runs.
pub struct ConnectOptions {
    /// `HOST:PORT`.
    pub address: String,
    /// For SNI and the certificate's name check; defaults to the host part of `address`.
    pub server_name: Option<String>,
    /// Which server certificates to accept.
    pub trust: ServerTrust,
    /// The suites to offer, in order of preference.
    pub suites: Vec<CipherSuite>,
    /// Offer extended_master_secret (RFC 7627).
    pub offer_extended_master_secret: bool,
    /// Append the session's NSS key log line here (for Wireshark).
    pub keylog: Option<PathBuf>,
    /// Print the annotated trace (to standard error).
    pub trace: bool,
    /// Write the session's web page (the trace as HTML) to this file.
    pub html: Option<PathBuf>,
    /// The language of the trace's explanations.
    pub lang: Lang,
    /// What to send after the handshake.
    pub send: Vec<u8>,
    /// Stop reading when nothing arrives for this long.
    pub idle: Duration,
    /// Give up on a server that does not accept, or does not answer during the handshake,
    /// within this long.
    pub timeout: Duration,
    /// Mutual TLS: our certificate and key, for a server that asks.
    pub identity: Option<Identity>,
}

/// Connects, does the handshake, sends `send`, copies whatever comes back to `output` until the
/// server closes or goes quiet, then sends close_notify.
pub fn connect(options: &ConnectOptions, output: &mut dyn Write) -> Result<(), Error> {
    let mut stream = open_tcp(&options.address, options.timeout)?;
    let host = options.server_name.clone().or_else(|| {
        options.address.rsplit_once(':').map(|(host, _)| {
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .to_string()
        })
    });
    let config = ClientConfig {
        suites: options.suites.clone(),
        server_name: host,
        trust: options.trust.clone(),
        offer_extended_master_secret: options.offer_extended_master_secret,
        signature_schemes: SUPPORTED_SCHEMES.to_vec(),
        identity: options.identity.clone(),
    };
    let mut client = Client::new(
        config,
        RoleRng::from_os(Side::Client)?,
        Clock::System,
        options.trace || options.html.is_some(),
    );
    let result = connect_steps(&mut client, &mut stream, options, output).map_err(|e| {
        e.timeout_as(|| {
            phrase!(
                "timed out: no answer from {} in {}",
                options.address.to_string(),
                seconds(options.timeout)
            )
        })
    });
    print_trace(client.conn_mut(), options.trace, options.lang);
    write_keylog(client.conn(), options.keylog.as_deref());
    write_html(
        client.conn_mut(),
        options.html.as_deref(),
        &result,
        options.lang,
    );
    result
}

fn connect_steps(
    client: &mut Client,
    stream: &mut TcpStream,
    options: &ConnectOptions,
    output: &mut dyn Write,
) -> Result<(), Error> {
    // A handshake that stalls for long is a failure, not idleness.
    stream.set_read_timeout(Some(options.timeout))?;
    client.send_hello(stream)?;
    print_trace(client.conn_mut(), options.trace, options.lang);
    client.answer_server(stream)?;
    print_trace(client.conn_mut(), options.trace, options.lang);
    client.finish(stream)?;
    print_trace(client.conn_mut(), options.trace, options.lang);
    write_keylog(client.conn(), options.keylog.as_deref());

    if !options.send.is_empty() {
        client.send(stream, &options.send)?;
        print_trace(client.conn_mut(), options.trace, options.lang);
    }
    stream.set_read_timeout(Some(options.idle.max(Duration::from_millis(1))))?;
    loop {
        match client.receive(stream) {
            Ok(Some(data)) => {
                output.write_all(&data)?;
                output.flush()?;
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => break,
            Err(Error::UnexpectedEof) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "note: the server closed the connection without close_notify"
                );
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        print_trace(client.conn_mut(), options.trace, options.lang);
    }
    client.close(stream)
}

/// Prints the events of a side's trace not printed yet (to standard error), when `print`.
fn print_trace(conn: &mut Conn, print: bool, lang: Lang) {
    let events = conn.unprinted_events();
    if print && !events.is_empty() {
        let _ = write!(
            std::io::stderr(),
            "{}",
            render::render_text(
                events,
                TextOptions {
                    show_received: true,
                    lang,
                }
            )
        );
    }
}

/// Writes the connection's trace as a web page to `path`, if asked for one.
fn write_html(conn: &mut Conn, path: Option<&Path>, result: &Result<(), Error>, lang: Lang) {
    let Some(path) = path else {
        return;
    };
    let side = conn.side();
    let events = conn.take_events();
    let suite = conn
        .negotiated_suite()
        .map_or("(no suite agreed)", |s| s.name());
    let title = format!("tls12-sim {}: {suite}", side.name());
    let facts = vec![
        (
            "side".to_string(),
            format!("this page is the {}'s view", side.name()),
        ),
        ("suite".to_string(), suite.to_string()),
        (
            "extended master secret".to_string(),
            if conn.extended_master_secret() {
                "yes"
            } else {
                "no"
            }
            .to_string(),
        ),
    ];
    let (ok, outcome) = match result {
        Ok(()) => (true, "handshake complete, connection closed".to_string()),
        Err(e) => (false, format!("failed: {e}")),
    };
    let page = render::render_html(
        &events,
        &render::HtmlPage {
            title: &title,
            facts,
            outcome,
            ok,
            lang,
        },
    );
    if let Err(e) = std::fs::write(path, page) {
        let _ = writeln!(std::io::stderr(), "cannot write {}: {e}", path.display());
    }
}

/// Appends the connection's NSS key log line to `path`, once it has a master secret.
fn write_keylog(conn: &Conn, path: Option<&Path>) {
    let (Some(path), Some(line)) = (path, conn.keylog_line()) else {
        return;
    };
    if let Err(e) = append(path, &line) {
        let _ = writeln!(
            std::io::stderr(),
            "cannot write the key log {}: {e}",
            path.display()
        );
    }
}

/// Appends `text` to the file at `path` (created if missing), skipping a line already there.
pub fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    if existing.contains(text.trim_end()) {
        return Ok(());
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(text.as_bytes())
}

/// Reads all of standard input, for `connect` without `--send`.
pub fn read_stdin() -> Result<Vec<u8>, Error> {
    let mut data = Vec::new();
    std::io::stdin()
        .read_to_end(&mut data)
        .map_err(|e| Error::Config(phrase!("cannot read standard input: {}", e.to_string())))?;
    Ok(data)
}

/// A TCP connection to `address` (`HOST:PORT`), each of its addresses tried in turn, none for
/// longer than `timeout`.
fn open_tcp(address: &str, timeout: Duration) -> Result<TcpStream, Error> {
    use std::net::ToSocketAddrs;
    let cannot = |why: String| {
        Error::Config(phrase!(
            "cannot connect to {}: {}",
            address.to_string(),
            why
        ))
    };
    let addresses: Vec<_> = address
        .to_socket_addrs()
        .map_err(|e| cannot(e.to_string()))?
        .collect();
    let mut last = None;
    for candidate in addresses {
        match TcpStream::connect_timeout(&candidate, timeout) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) if e.kind() == std::io::ErrorKind::TimedOut => Error::Timeout(phrase!(
            "timed out: no answer from {} in {}",
            address.to_string(),
            seconds(timeout)
        )),
        Some(e) => cannot(e.to_string()),
        None => cannot("no address".to_string()),
    })
}

/// A duration in seconds, as a person says it: "10 s", "0.5 s".
fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{secs:.0} s")
    } else {
        format!("{secs} s")
    }
}
