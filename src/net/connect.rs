//! `tls12-sim connect`: our client over TCP. It does the handshake, sends a line or standard
//! input, copies what comes back to standard output, and closes with close_notify.

use std::io::Write;
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use super::files::{write_html, write_keylog};
use super::{print_trace, seconds};
use crate::client::{Client, ClientConfig, ServerTrust};
use crate::error::Error;
use crate::key_exchange::SUPPORTED_SCHEMES;
use crate::messages::extensions::protocol_name;
use crate::phrase;
use crate::pki::Identity;
use crate::render::Lang;
use crate::rng::{Clock, RoleRng, Side};
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
        offer_encrypt_then_mac: options.offer_encrypt_then_mac,
        signature_schemes: SUPPORTED_SCHEMES.to_vec(),
        identity: options.identity.clone(),
        alpn_protocols: options.alpn.clone(),
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
        client.conn(),
        options.html.as_deref(),
        result.as_ref().map(|_| ()),
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
    if !options.alpn.is_empty() {
        say_alpn_choice(client);
    }

    if !options.send.is_empty() {
        client.send(stream, &options.send)?;
        print_trace(client.conn_mut(), options.trace, options.lang);
    }
    stream.set_read_timeout(Some(options.idle.max(Duration::from_millis(1))))?;
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
