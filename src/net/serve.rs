//! `tls12-sim serve`: the accept loop, one thread per connection, and one log line for each.
//!
//! The accept loop only accepts: each connection is handed to a thread of its own at once, so
//! an idle or slow peer costs its own thread and nothing else. A cap (`--max-connections`)
//! bounds the threads; a connection over it is closed at once, with a log line that says why.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::time::Duration;

use super::files::{write_html, write_keylog, write_pcap};
use super::http;
use super::peer::Peer;
use super::{Ending, print_trace};
use crate::capture::writer::{PcapWriter, Recording};
use crate::error::Error;
use crate::messages::extensions::protocol_name;
use crate::phrase;
use crate::pki::{self, Identity};
use crate::render::Lang;
use crate::rng::{Clock, RoleRng, Side};
use crate::server::{ClientAuth, Server, ServerConfig};
use crate::session::{Resumption, SessionCache, TicketKeys};
use crate::suites::CipherSuite;

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
    /// Agree to encrypt_then_mac (RFC 7366) when the client offers it with a CBC suite.
    pub allow_encrypt_then_mac: bool,
    /// Append each connection's NSS key log line here.
    pub keylog: Option<PathBuf>,
    /// Print each connection's annotated trace (to standard error).
    pub trace: bool,
    /// Write each connection's web page (the trace as HTML) to this file, replacing the last.
    pub html: Option<PathBuf>,
    /// The language of the trace's explanations.
    pub lang: Lang,
    /// Serve one connection (one that sends a ClientHello), then return.
    pub once: bool,
    /// Give up on a peer that sends nothing for this long.
    pub read_timeout: Duration,
    /// At most this many connections at once; one more is closed at once.
    pub max_connections: usize,
    /// Mutual TLS: ask for client certificates, and whom to trust for them.
    pub client_auth: ClientAuth,
    /// The CAs (and their CRLs) whose client certificates we accept.
    pub client_trust: pki::TrustStore,
    /// ALPN: a client that offers only protocols we do not speak gets a ServerHello without
    /// ALPN, instead of no_application_protocol (RFC 7301 3.2).
    pub alpn_optional: bool,
    /// Record every TLS connection into this pcapng file, its key log line with it.
    pub pcap: Option<Arc<PcapWriter>>,
    /// Resumption by session ID: the one cache all connections share; `None`: no cache.
    pub session_cache: Option<Arc<SessionCache>>,
    /// Resumption by ticket: the ticket keys all connections share; `None`: no tickets.
    pub ticket_keys: Option<Arc<TicketKeys>>,
}

/// What one served connection did.
pub struct ServedConnection {
    /// The suite negotiated, if the handshake got as far as ServerHello.
    pub suite: Option<CipherSuite>,
    /// The application protocol chosen by ALPN, if the client offered one we speak.
    pub alpn_protocol: Option<Vec<u8>>,
    /// Whether the handshake resumed a session, and how it was found.
    pub resumed: Option<Resumption>,
    /// Whether the client sent anything at all.
    pub client_spoke: bool,
    /// How it ended, or the error that ended it.
    pub result: Result<Ending, Error>,
}

/// Listens and serves connections, each on its own thread; with `once`, returns the outcome
/// of the first connection that speaks TLS (a spare connection left open, or a plain-HTTP
/// request, does not count and does not hold it up). Prints `listening on ADDRESS` on
/// standard output when ready, and one line per connection on standard error.
pub fn serve(options: ServeOptions) -> Result<ServedConnection, Error> {
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
    let options = Arc::new(options);
    if !options.once {
        accept_loop(&listener, &options, None);
    }
    let (report, outcomes) = mpsc::channel();
    let looping = Arc::clone(&options);
    std::thread::Builder::new()
        .name("accept".into())
        .spawn(move || accept_loop(&listener, &looping, Some(report)))?;
    for served in outcomes {
        if served.client_spoke && !matches!(served.result, Ok(Ending::PlainHttp)) {
            return Ok(served);
        }
    }
    Err(Error::Internal(phrase!("the accept loop ended")))
}

/// Accepts for ever, handing each connection to a thread of its own; each outcome goes to
/// `report` when there is one. An accept that fails (out of file descriptors, say) is logged
/// once per run of failures, and the loop waits a little before trying again.
fn accept_loop(
    listener: &TcpListener,
    options: &Arc<ServeOptions>,
    report: Option<Sender<ServedConnection>>,
) -> ! {
    let open = Arc::new(AtomicUsize::new(0));
    let mut failing = false;
    for number in 1.. {
        match listener.accept() {
            Ok((stream, peer)) => {
                failing = false;
                hand_over(stream, peer, number, options, &open, report.clone());
            }
            Err(e) => {
                if !failing {
                    log(&format!("accept failed: {e} (trying again every 100 ms)"));
                }
                failing = true;
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    unreachable!("the accept loop does not end")
}

/// Gives a connection its own thread, unless `max_connections` are open already: then it is
/// closed at once, and the log says why.
fn hand_over(
    stream: TcpStream,
    peer: SocketAddr,
    number: u64,
    options: &Arc<ServeOptions>,
    open: &Arc<AtomicUsize>,
    report: Option<Sender<ServedConnection>>,
) {
    if open.fetch_add(1, Ordering::SeqCst) >= options.max_connections {
        open.fetch_sub(1, Ordering::SeqCst);
        log(&format!(
            "connection {number} from {peer}: refused: {} connections are open already \
             (--max-connections {})",
            options.max_connections, options.max_connections
        ));
        return;
    }
    let (options, slot) = (Arc::clone(options), OpenSlot(Arc::clone(open)));
    let spawned = std::thread::Builder::new()
        .name(format!("connection {number}"))
        .spawn(move || {
            let _slot = slot;
            let served = serve_connection(stream, &options);
            log(&outcome_line(number, peer, &served));
            if let Some(report) = report {
                let _ = report.send(served);
            }
        });
    if let Err(e) = spawned {
        log(&format!(
            "connection {number} from {peer}: refused: no thread for it ({e})"
        ));
    }
}

/// One open connection, counted until its thread ends (however it ends).
struct OpenSlot(Arc<AtomicUsize>);

impl Drop for OpenSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One line on standard error, whole (a line is written in one call, so lines of connections
/// running at once do not interleave).
fn log(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The log line of a finished connection.
fn outcome_line(number: u64, peer: SocketAddr, served: &ServedConnection) -> String {
    let suite = served.suite.map_or("?", |s| s.name());
    let resumed = match served.resumed {
        Some(how) => format!(", resumed ({})", how.name()),
        None => String::new(),
    };
    let what = match &served.result {
        Ok(Ending::Closed) => format!("{suite} completed{resumed}"),
        Ok(Ending::ClientClosedWithoutCloseNotify) => {
            format!("{suite} completed{resumed}; the client closed without close_notify")
        }
        Ok(Ending::NothingSent) => {
            "closed by the client before any data (a spare connection or a port check)".into()
        }
        Ok(Ending::PlainHttp) => {
            "plain HTTP, not TLS: answered 400 with a pointer to https://".into()
        }
        // A browser starts spare handshakes and drops the ones it does not need: not a fault
        // of the server, nor of the class's network.
        Err(Error::UnexpectedEof) => "abandoned by the client in the middle of the handshake (it \
                                      closed the connection without close_notify; browsers drop \
                                      a spare connection like this)"
            .into(),
        Err(e) => format!("failed: {e}"),
    };
    let alpn = match &served.alpn_protocol {
        Some(chosen) => format!("; ALPN {}", protocol_name(chosen)),
        None => String::new(),
    };
    format!("connection {number} from {peer}: {what}{alpn}")
}

/// One connection: handshake, then application data until the client closes.
fn serve_connection(stream: TcpStream, options: &ServeOptions) -> ServedConnection {
    let config = ServerConfig {
        suites: options.suites.clone(),
        identity: Identity {
            chain: options.identity.chain.clone(),
            key: options.identity.key.clone(),
        },
        allow_extended_master_secret: options.allow_extended_master_secret,
        allow_encrypt_then_mac: options.allow_encrypt_then_mac,
        client_auth: options.client_auth,
        client_trust: options.client_trust.clone(),
        // What `http::answer` speaks; never h2, which this server does not.
        alpn_protocols: http::ALPN_PROTOCOLS.iter().map(|p| p.to_string()).collect(),
        alpn_optional: options.alpn_optional,
        session_cache: options.session_cache.clone(),
        ticket_keys: options.ticket_keys.clone(),
    };
    let failed = |e: Error| ServedConnection {
        suite: None,
        alpn_protocol: None,
        resumed: None,
        client_spoke: false,
        result: Err(e),
    };
    let ends = (stream.peer_addr(), stream.local_addr());
    let mut peer = match Peer::new(stream, options.read_timeout) {
        Ok(peer) => peer,
        Err(e) => return failed(e),
    };
    let rng = match RoleRng::from_os(Side::Server) {
        Ok(rng) => rng,
        Err(e) => return failed(e),
    };
    if let (Some(_), (Ok(client), Ok(server))) = (&options.pcap, ends) {
        peer.record_into(Recording::new(client, server));
    }
    // Always traced: a browser that asks for a page gets the page of this very connection.
    let mut server = Server::new(config, rng, Clock::System, true);
    let result = serve_steps(&mut server, &mut peer, options).map_err(|e| peer.explain(e));
    print_trace(server.conn_mut(), options.trace, options.lang);
    write_keylog(server.conn(), options.keylog.as_deref());
    if !matches!(result, Ok(Ending::NothingSent | Ending::PlainHttp)) {
        let outcome = result.as_ref().map(|_| ());
        write_html(
            server.conn(),
            options.html.as_deref(),
            outcome,
            options.lang,
        );
    }
    if let (Some(pcap), Some(recording)) = (&options.pcap, peer.take_recording()) {
        if !matches!(result, Ok(Ending::NothingSent | Ending::PlainHttp)) {
            write_pcap(pcap, &recording, server.conn().keylog_line());
        }
    }
    let client_spoke = peer.spoke();
    peer.linger_and_close();
    ServedConnection {
        suite: server.conn().negotiated_suite(),
        alpn_protocol: server.alpn_protocol().map(<[u8]>::to_vec),
        resumed: server.resumed(),
        client_spoke,
        result,
    }
}

/// The handshake, then what the client asks for (see `http`): an HTTP request gets its answer,
/// anything else is echoed back. The whole handshake must be done within the read timeout
/// (each wait is bounded by it too), so a client that trickles a byte at a time cannot keep
/// its thread.
fn serve_steps(
    server: &mut Server,
    peer: &mut Peer,
    options: &ServeOptions,
) -> Result<Ending, Error> {
    match first_bytes(peer)? {
        FirstBytes::None => return Ok(Ending::NothingSent),
        FirstBytes::PlainHttp => return http::answer_plain_http(peer),
        FirstBytes::Other => {}
    }
    peer.set_deadline(Some(options.read_timeout));
    server.answer_hello(peer)?;
    print_trace(server.conn_mut(), options.trace, options.lang);
    server.finish(peer)?;
    print_trace(server.conn_mut(), options.trace, options.lang);
    write_keylog(server.conn(), options.keylog.as_deref());
    peer.set_deadline(None);
    http::answer(server, peer, options.trace, options.lang)
}

/// What the client's first bytes say, before the handshake reads them.
enum FirstBytes {
    /// It closed the connection without sending a byte.
    None,
    /// An HTTP request in the clear: `http://` typed for `https://`.
    PlainHttp,
    /// Anything else (a TLS record, we hope): the handshake reads it.
    Other,
}

/// Waits for the client's first bytes and looks at them, leaving them where the handshake
/// will read them. A TLS record starts with its content type (22 for a handshake); a request
/// in the clear starts with a method in capitals.
fn first_bytes(peer: &mut Peer) -> Result<FirstBytes, Error> {
    let mut first = [0u8; 8];
    let seen = peer.peek(&mut first)?;
    if seen == 0 {
        return Ok(FirstBytes::None);
    }
    Ok(if http::starts_like_a_method(&first[..seen]) {
        FirstBytes::PlainHttp
    } else {
        FirstBytes::Other
    })
}
