//! `tls12-sim connect`: our client over TCP. It does the handshake, sends a line or standard
//! input, copies what comes back to standard output, and closes with close_notify.

use std::io::Write;
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::files::{write_html, write_keylog, write_pcap};
use super::{print_trace, seconds};
use crate::capture::writer::{PcapWriter, Recording, Tap};
use crate::client::{Client, ClientConfig, ServerTrust};
use crate::error::Error;
use crate::key_exchange::SUPPORTED_SCHEMES;
use crate::messages::extensions::protocol_name;
use crate::phrase;
use crate::pki::Identity;
use crate::render::Lang;
use crate::rng::{Clock, RoleRng, Side};
use crate::session::Session;
use crate::suites::CipherSuite;

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
    /// Offer encrypt_then_mac (RFC 7366) with the CBC suites.
    pub offer_encrypt_then_mac: bool,
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
    /// ALPN (RFC 7301): the application protocols to offer, best first; empty: no ALPN.
    pub alpn: Vec<String>,
    /// Record the connection into this pcapng file, its key log line with it.
    pub pcap: Option<Arc<PcapWriter>>,
    /// Offer the session_ticket extension (RFC 5077): ask for a ticket, or hand one back.
    pub offer_tickets: bool,
    /// A saved session to offer in the first connection (`--session-in`).
    pub session_in: Option<Session>,
    /// Where to save the last connection's session (`--session-out`), as JSON.
    pub session_out: Option<PathBuf>,
    /// After the first connection, this many more, each offering the session of the one
    /// before (`--reconnect`).
    pub reconnect: u32,
}

/// Connects, does the handshake, sends `send`, copies whatever comes back to `output` until the
/// server closes or goes quiet, then sends close_notify; then, with `reconnect`, again, each
/// time offering the session of the connection before, and says on standard error whether the
/// server resumed it.
pub fn connect(options: &ConnectOptions, output: &mut dyn Write) -> Result<(), Error> {
    let mut session = options.session_in.clone();
    for number in 1..=options.reconnect.saturating_add(1) {
        let mut client = new_client(options, session.clone())?;
        let result = open_tcp(&options.address, options.timeout)
            .and_then(|mut stream| run_connection(&mut client, &mut stream, options, output));
        result?;
        if options.reconnect > 0 || options.session_in.is_some() {
            say_resumption(number, &client, session.is_some());
        }
        session = client.session().or(session);
    }
    if let Some(path) = &options.session_out {
        save_session(path, session.as_ref())?;
    }
    Ok(())
}

/// What the server did with the session we offered, on standard error.
fn say_resumption(number: u32, client: &Client, offered: bool) {
    let line = match client.resumed() {
        Some(how) => format!("connection {number}: resumed ({})", how.name()),
        None if offered => format!("connection {number}: full handshake (session not resumed)"),
        None => format!("connection {number}: full handshake"),
    };
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Writes the session to `path` as JSON (`Session::to_json`); no session: an error that says
/// why.
fn save_session(path: &std::path::Path, session: Option<&Session>) -> Result<(), Error> {
    let shown = path.display().to_string();
    let Some(session) = session else {
        return Err(Error::Config(phrase!(
            "--session-out {}: the server gave no session to save (neither a session_id nor a \
             ticket)",
            shown
        )));
    };
    std::fs::write(path, session.to_json()).map_err(|e| {
        Error::Config(phrase!(
            "--session-out {}: cannot be written: {}",
            shown.clone(),
            e.to_string()
        ))
    })
}

/// The client for one connection: our configuration, a fresh RNG from the OS.
fn new_client(options: &ConnectOptions, session: Option<Session>) -> Result<Client, Error> {
    Ok(Client::new(
        client_config(options, session),
        RoleRng::from_os(Side::Client)?,
        Clock::System,
        options.trace || options.html.is_some(),
    ))
}

/// Our configuration, offering `session`.
fn client_config(options: &ConnectOptions, session: Option<Session>) -> ClientConfig {
    let host = options.server_name.clone().or_else(|| {
        options.address.rsplit_once(':').map(|(host, _)| {
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .to_string()
        })
    });
    ClientConfig {
        suites: options.suites.clone(),
        server_name: host,
        trust: options.trust.clone(),
        offer_extended_master_secret: options.offer_extended_master_secret,
        offer_encrypt_then_mac: options.offer_encrypt_then_mac,
        signature_schemes: SUPPORTED_SCHEMES.to_vec(),
        identity: options.identity.clone(),
        offer_session_ticket: options.offer_tickets,
        resume: session,
        alpn_protocols: options.alpn.clone(),
    }
}

/// The handshake and the exchange over `stream`, then the trace, key log, capture and page.
fn run_connection(
    client: &mut Client,
    stream: &mut TcpStream,
    options: &ConnectOptions,
    output: &mut dyn Write,
) -> Result<(), Error> {
    let mut recording = match (&options.pcap, stream.local_addr(), stream.peer_addr()) {
        (Some(_), Ok(client), Ok(server)) => Some(Recording::new(client, server)),
        _ => None,
    };
    let mut tap = Tap::new(stream, Side::Client, recording.as_mut());
    let result = connect_steps(client, &mut tap, options, output).map_err(|e| {
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
    if let (Some(pcap), Some(recording)) = (&options.pcap, &recording) {
        write_pcap(pcap, recording, client.conn().keylog_line());
    }
    write_html(
        client.conn(),
        options.html.as_deref(),
        result.as_ref().map(|_| ()),
        options.lang,
    );
    result
}

fn connect_steps(
    client: &mut Client,
    stream: &mut Tap<'_, &mut TcpStream>,
    options: &ConnectOptions,
    output: &mut dyn Write,
) -> Result<(), Error> {
    // A handshake that stalls for long is a failure, not idleness.
    stream.inner().set_read_timeout(Some(options.timeout))?;
    client.send_hello(stream)?;
    print_trace(client.conn_mut(), options.trace, options.lang);
    client.answer_server(stream)?;
    print_trace(client.conn_mut(), options.trace, options.lang);
    client.finish(stream)?;
    print_trace(client.conn_mut(), options.trace, options.lang);
    write_keylog(client.conn(), options.keylog.as_deref());
    if !options.alpn.is_empty() {
        say_alpn_choice(client);
    }

    if !options.send.is_empty() {
        client.send(stream, &options.send)?;
        print_trace(client.conn_mut(), options.trace, options.lang);
    }
    stream
        .inner()
        .set_read_timeout(Some(options.idle.max(Duration::from_millis(1))))?;
    loop {
        let refused = client.conn().renegotiations_refused();
        let received = client.receive(stream);
        if client.conn().renegotiations_refused() > refused {
            let _ = writeln!(
                std::io::stderr(),
                "note: the server asked to renegotiate (HelloRequest); this client never \
                 renegotiates, and answered with the warning no_renegotiation"
            );
        }
        match received {
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

/// What the server chose from our ALPN offer (RFC 7301 3.2), on standard error.
fn say_alpn_choice(client: &Client) {
    let line = match client.alpn_protocol() {
        Some(chosen) => format!("ALPN: the server chose {}", protocol_name(chosen)),
        None => "ALPN: the server chose none (its ServerHello does not answer our offer)".into(),
    };
    let _ = writeln!(std::io::stderr(), "{line}");
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
            Ok(stream) => {
                // Each flight at once: no small write held behind an unacknowledged one
                // (Nagle), as after an abbreviated handshake, whose last flight is ours.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
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
