//! The simulator: a client and a server in one thread, talking over a [`MemoryWire`], flight by
//! flight. [`handshake_and_exchange`] *is* the sequence diagram; set a breakpoint on it and step.
//!
//! With [`Options::resume`], a run is two connections: a full handshake that makes a session,
//! then a second connection, a minute later, that resumes it by session ID or by ticket with
//! the abbreviated handshake ([`run`]); the report is the second's, with the first's beside it.

use std::sync::Arc;

use crate::client::{Client, ClientConfig, ServerTrust};
use crate::demo_pki::{self, DemoClient};
use crate::error::Error;
use crate::event::Event;
use crate::key_exchange::SUPPORTED_SCHEMES;
use crate::rng::{Clock, DEFAULT_SIMULATION_TIME, RoleRng, Side};
use crate::server::{ClientAuth, Server, ServerConfig};
use crate::session::{
    DEFAULT_CACHE_SIZE, DEFAULT_SESSION_LIFETIME, Resumption, Session, SessionCache, TicketKeys,
};
use crate::suites::CipherSuite;
use crate::wire::{Flow, MemoryWire, WireEnd};

/// What to simulate.
#[derive(Clone, Debug)]
pub struct Options {
    /// The one suite the client offers (the server accepts all of them).
    pub suite: CipherSuite,
    /// Seeds both sides' RNGs: the same seed gives the same bytes on the wire.
    pub seed: u64,
    /// The clock both sides use, Unix seconds.
    pub time: u64,
    /// Record trace events (labs and benchmarks that need only the outcome turn it off).
    pub trace: bool,
    /// Both sides offer/accept extended_master_secret.
    pub extended_master_secret: bool,
    /// Both sides offer/accept encrypt_then_mac (RFC 7366; it matters to a CBC suite only).
    pub encrypt_then_mac: bool,
    /// Application data the client sends after the handshake.
    pub client_message: Vec<u8>,
    /// Application data the server answers with.
    pub server_message: Vec<u8>,
    /// Mutual TLS: the server requires a client certificate.
    pub mtls: bool,
    /// Which demo client certificate the client holds (None: no certificate).
    pub client_certificate: Option<DemoClient>,
    /// Two connections: a full handshake, then one that resumes its session this way (the
    /// server keeps a session cache, or issues tickets). `None`: one full handshake.
    pub resume: Option<Resumption>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            suite: CipherSuite::RsaAes128GcmSha256,
            seed: 1,
            time: DEFAULT_SIMULATION_TIME,
            trace: true,
            extended_master_secret: true,
            encrypt_then_mac: true,
            client_message: b"Hello, server! (sealed with client_write_key)\n".to_vec(),
            server_message: b"Hello, client! (sealed with server_write_key)\n".to_vec(),
            mtls: false,
            client_certificate: None,
            resume: None,
        }
    }
}

/// How far apart the two connections of a resumption run are, in seconds of the clock.
pub const RECONNECT_AFTER: u64 = 60;

/// The client the simulator uses: it trusts the demo CA (and checks its CRL), and holds the
/// demo client certificate `options` names, if any.
pub fn demo_client(options: &Options) -> Result<Client, Error> {
    let mut client = demo_client_config(options)?;
    client.offer_session_ticket = options.resume == Some(Resumption::Ticket);
    Ok(Client::new(
        client,
        RoleRng::seeded(options.seed, Side::Client),
        Clock::Fixed(options.time),
        options.trace,
    ))
}

/// The demo client's configuration for `options`.
fn demo_client_config(options: &Options) -> Result<ClientConfig, Error> {
    let identity = match options.client_certificate {
        Some(who) => Some(who.identity()?),
        None => None,
    };
    let config = ClientConfig {
        suites: vec![options.suite],
        server_name: Some("localhost".into()),
        trust: ServerTrust::Anchors(demo_pki::trust_store()?),
        offer_extended_master_secret: options.extended_master_secret,
        offer_encrypt_then_mac: options.encrypt_then_mac,
        signature_schemes: SUPPORTED_SCHEMES.to_vec(),
        identity,
        // No ALPN by default: the simulator's ClientHello stays byte for byte what it was.
        alpn_protocols: Vec::new(),
        offer_session_ticket: false,
        resume: None,
    };
    Ok(config)
}

/// The server the simulator uses: the demo server certificate, all suites; with `mtls`, it
/// requires a client certificate from the demo CA and checks the CA's CRL.
pub fn demo_server(options: &Options) -> Result<Server, Error> {
    Ok(Server::new(
        demo_server_config(options)?,
        RoleRng::seeded(options.seed, Side::Server),
        Clock::Fixed(options.time),
        options.trace,
    ))
}

/// The demo server's configuration for `options`.
fn demo_server_config(options: &Options) -> Result<ServerConfig, Error> {
    Ok(ServerConfig {
        suites: CipherSuite::ALL.to_vec(),
        identity: demo_pki::server()?,
        allow_extended_master_secret: options.extended_master_secret,
        allow_encrypt_then_mac: options.encrypt_then_mac,
        client_auth: if options.mtls {
            ClientAuth::Require
        } else {
            ClientAuth::None
        },
        client_trust: demo_pki::trust_store()?,
        // It speaks no application protocol by name: a client's ALPN offer goes unanswered.
        alpn_protocols: Vec::new(),
        alpn_optional: false,
        session_cache: None,
        ticket_keys: None,
    })
}

/// A failed run: which side failed first, how, and what its peer saw (usually the alert).
#[derive(Debug)]
pub struct Failure {
    /// The side that failed first.
    pub side: Side,
    /// Its error, which decides the alert it sent, if any ([`Error::alert`]).
    pub error: Error,
    /// What the peer then ran into on reading, usually that alert ([`Error::PeerAlert`]).
    pub peer_error: Option<Error>,
}

/// Everything a run produced.
pub struct Report {
    /// Both sides' trace events, in the order they happened.
    pub events: Vec<Event>,
    /// Every byte on the wire.
    pub flows: Vec<Flow>,
    /// `Ok` if the whole sequence ran, else who failed and how.
    pub outcome: Result<(), Failure>,
    /// What the server read from the client.
    pub server_received: Vec<u8>,
    /// What the client read from the server.
    pub client_received: Vec<u8>,
    /// The client's NSS key log line (once it had a master secret).
    pub keylog: Option<String>,
    /// The client as the run left it, to inspect its connection.
    pub client: Client,
    /// The server as the run left it.
    pub server: Server,
    /// A resumption run: the full handshake whose session this run resumed.
    pub full_handshake: Option<Box<Report>>,
}

impl Report {
    /// A value a side traced (a Secret or Value event), by name: the client's if it traced
    /// one, else the server's.
    pub fn value(&self, name: &str) -> Option<&[u8]> {
        self.value_of(Side::Client, name)
            .or_else(|| self.value_of(Side::Server, name))
    }

    /// The first value `side` traced under `name`.
    pub fn value_of(&self, side: Side, name: &str) -> Option<&[u8]> {
        crate::event::traced_value(&self.events, side, name)
    }

    /// The alert that ended a failed run, from whichever side sent it.
    pub fn alert(&self) -> Option<crate::messages::alert::AlertDescription> {
        self.outcome
            .as_ref()
            .err()
            .and_then(|f| f.error.any_alert())
    }
}

/// Both sides and the wire, and the merged trace.
pub struct Simulation {
    /// The client side.
    pub client: Client,
    /// The server side.
    pub server: Server,
    /// The in-memory wire between them, with every flow recorded.
    pub wire: MemoryWire,
    /// Both sides' trace events, merged in the order the flights ran.
    pub events: Vec<Event>,
    /// Application data the server has read.
    pub server_received: Vec<u8>,
    /// Application data the client has read.
    pub client_received: Vec<u8>,
}

impl Simulation {
    /// A simulation of `client` and `server` over an empty wire.
    pub fn new(client: Client, server: Server) -> Self {
        Simulation {
            client,
            server,
            wire: MemoryWire::new(),
            events: Vec::new(),
            server_received: Vec::new(),
            client_received: Vec::new(),
        }
    }

    /// After a flight of `side`: files the trace events it produced (in order, so the merged
    /// trace follows the wire), and names the side in a failure.
    pub fn done<T>(&mut self, side: Side, result: Result<T, Error>) -> Result<T, Failure> {
        match side {
            Side::Client => self.events.extend(self.client.conn_mut().take_events()),
            Side::Server => self.events.extend(self.server.conn_mut().take_events()),
        }
        result.map_err(|error| Failure {
            side,
            error,
            peer_error: None,
        })
    }

    /// Runs `flight` on the client's end of the wire. A shorthand for tests that build
    /// unusual sequences; `handshake_and_exchange` below calls the flights directly.
    pub fn client<T>(
        &mut self,
        flight: impl FnOnce(&mut Client, &mut WireEnd<'_>) -> Result<T, Error>,
    ) -> Result<T, Failure> {
        let result = flight(&mut self.client, &mut self.wire.client());
        self.done(Side::Client, result)
    }

    /// Runs `flight` on the server's end of the wire (see [`Simulation::client`]).
    pub fn server<T>(
        &mut self,
        flight: impl FnOnce(&mut Server, &mut WireEnd<'_>) -> Result<T, Error>,
    ) -> Result<T, Failure> {
        let result = flight(&mut self.server, &mut self.wire.server());
        self.done(Side::Server, result)
    }

    /// After a failure, the peer reads what is waiting for it (normally the alert).
    pub fn peer_reads_alert(&mut self, failure: &mut Failure) {
        let peer_result = match failure.side {
            Side::Client => {
                let result = self.server.receive(&mut self.wire.server()).map(|_| ());
                self.done(Side::Server, result)
            }
            Side::Server => {
                let result = self.client.receive(&mut self.wire.client()).map(|_| ());
                self.done(Side::Client, result)
            }
        };
        failure.peer_error = peer_result.err().map(|f| f.error);
    }
}

/// The sequence diagram of a full handshake, then application data both ways and close_notify
/// both ways. Each line is one flight; step into any of them.
pub fn handshake_and_exchange(sim: &mut Simulation, options: &Options) -> Result<(), Failure> {
    use Side::{Client as C, Server as S};

    //   ClientHello  ------------------------------------------------------------------>
    let flight = sim.client.send_hello(&mut sim.wire.client());
    sim.done(C, flight)?;
    //   <------  ServerHello, Certificate, [ServerKeyExchange], ServerHelloDone
    let flight = sim.server.answer_hello(&mut sim.wire.server());
    sim.done(S, flight)?;
    if sim.server.resumed().is_some() {
        // The server resumed the session the client offered: it sent ServerHello,
        // [NewSessionTicket], ChangeCipherSpec and Finished instead (RFC 5246 7.3).
        abbreviated_handshake(sim)?;
        return exchange(sim, options);
    }
    //   ClientKeyExchange, [ChangeCipherSpec], Finished  ------------------------------>
    let flight = sim.client.answer_server(&mut sim.wire.client());
    sim.done(C, flight)?;
    //   <------------------------------------------------  [ChangeCipherSpec], Finished
    let flight = sim.server.finish(&mut sim.wire.server());
    sim.done(S, flight)?;
    //   (the client checks the server's Finished)
    let flight = sim.client.finish(&mut sim.wire.client());
    sim.done(C, flight)?;
    exchange(sim, options)
}

/// The rest of the abbreviated handshake (RFC 5246 7.3, RFC 5077 3.1), after the server's
/// ServerHello, \[NewSessionTicket\], ChangeCipherSpec and Finished. Each line is one flight.
pub fn abbreviated_handshake(sim: &mut Simulation) -> Result<(), Failure> {
    use Side::{Client as C, Server as S};

    //   (the client checks the server's Finished)  [ChangeCipherSpec], Finished  ------->
    let flight = sim.client.answer_server(&mut sim.wire.client());
    sim.done(C, flight)?;
    //   (the server checks the client's Finished)
    let flight = sim.server.finish(&mut sim.wire.server());
    sim.done(S, flight)
}

/// After the handshake: application data both ways, then close_notify both ways.
pub fn exchange(sim: &mut Simulation, options: &Options) -> Result<(), Failure> {
    use Side::{Client as C, Server as S};

    // Application data, both ways, under the session keys (RFC 5246 10).
    let sent = sim
        .client
        .send(&mut sim.wire.client(), &options.client_message);
    sim.done(C, sent)?;
    let received = sim.server.receive(&mut sim.wire.server());
    sim.server_received = sim.done(S, received)?.unwrap_or_default();
    let sent = sim
        .server
        .send(&mut sim.wire.server(), &options.server_message);
    sim.done(S, sent)?;
    let received = sim.client.receive(&mut sim.wire.client());
    sim.client_received = sim.done(C, received)?.unwrap_or_default();

    // close_notify, both ways (RFC 5246 7.2.1).
    let closed = sim.client.close(&mut sim.wire.client());
    sim.done(C, closed)?;
    let received = sim.server.receive(&mut sim.wire.server());
    sim.done(S, received)?;
    let closed = sim.server.close(&mut sim.wire.server());
    sim.done(S, closed)?;
    let received = sim.client.receive(&mut sim.wire.client());
    sim.done(C, received)?;
    Ok(())
}

/// Runs the default simulation for `options`: one full handshake, or with
/// [`Options::resume`] a full one and a resumed one ([`run_resumption`]).
pub fn run(options: &Options) -> Result<Report, Error> {
    if let Some(how) = options.resume {
        return run_resumption(options, how);
    }
    let sim = Simulation::new(demo_client(options)?, demo_server(options)?);
    Ok(run_simulation(sim, options))
}

/// Runs a prepared client and server (tests build unusual ones) through the whole sequence.
pub fn run_simulation(mut sim: Simulation, options: &Options) -> Report {
    let mut outcome = handshake_and_exchange(&mut sim, options);
    if let Err(failure) = &mut outcome {
        sim.peer_reads_alert(failure);
    }
    Report {
        events: sim.events,
        flows: sim.wire.flows,
        outcome,
        server_received: sim.server_received,
        client_received: sim.client_received,
        keylog: sim.client.conn().keylog_line(),
        client: sim.client,
        server: sim.server,
        full_handshake: None,
    }
}

/// A resumption run ([`Options::resume`]): a full handshake, then, a minute later on the same
/// clock, a second connection whose client offers the session the first made, to a server
/// that shares the first server's session cache or ticket keys. Each connection has RNG
/// streams of its own, so the second has new randoms, and new session keys from the same
/// master secret.
pub fn run_resumption(options: &Options, how: Resumption) -> Result<Report, Error> {
    let (cache, keys) = resumption_state(options, how);
    let server = server_sharing(options, (cache.clone(), keys.clone()), "", options.time)?;
    let full = run_simulation(Simulation::new(demo_client(options)?, server), options);
    let later = options.time + RECONNECT_AFTER;
    let client = client_offering(options, full.client.session(), "connection 2", later)?;
    let server = server_sharing(options, (cache, keys), "connection 2", later)?;
    let mut report = run_simulation(Simulation::new(client, server), options);
    report.full_handshake = Some(Box::new(full));
    Ok(report)
}

/// What the simulated server keeps between connections: a session cache for resumption by
/// session ID, or ticket keys (from a seeded stream of their own) for tickets.
pub fn resumption_state(
    options: &Options,
    how: Resumption,
) -> (Option<Arc<SessionCache>>, Option<Arc<TicketKeys>>) {
    match how {
        Resumption::SessionId => (
            Some(Arc::new(SessionCache::new(
                DEFAULT_CACHE_SIZE,
                DEFAULT_SESSION_LIFETIME,
            ))),
            None,
        ),
        Resumption::Ticket => {
            let mut rng = RoleRng::seeded_stream(options.seed, Side::Server, "ticket keys");
            let keys = TicketKeys::new(&mut rng, options.time, DEFAULT_SESSION_LIFETIME);
            (None, Some(Arc::new(keys)))
        }
    }
}

/// The demo server with a session cache and ticket keys shared with other connections,
/// drawing from its RNG stream `stream` (`""`: the first connection's), at `time`.
pub fn server_sharing(
    options: &Options,
    (session_cache, ticket_keys): (Option<Arc<SessionCache>>, Option<Arc<TicketKeys>>),
    stream: &str,
    time: u64,
) -> Result<Server, Error> {
    let mut config = demo_server_config(options)?;
    config.session_cache = session_cache;
    config.ticket_keys = ticket_keys;
    Ok(Server::new(
        config,
        RoleRng::seeded_stream(options.seed, Side::Server, stream),
        Clock::Fixed(time),
        options.trace,
    ))
}

/// A demo client that offers `session` (with a ticket if [`Options::resume`] says so), drawing
/// from its RNG stream `stream`, at `time`: the second connection of a resumption run, and
/// tests and labs that resume by hand.
pub fn client_offering(
    options: &Options,
    session: Option<Session>,
    stream: &str,
    time: u64,
) -> Result<Client, Error> {
    let mut config = demo_client_config(options)?;
    config.offer_session_ticket = options.resume == Some(Resumption::Ticket);
    config.resume = session;
    Ok(Client::new(
        config,
        RoleRng::seeded_stream(options.seed, Side::Client, stream),
        Clock::Fixed(time),
        options.trace,
    ))
}
