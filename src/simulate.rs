//! The simulator: a client and a server in one thread, talking over a [`MemoryWire`], flight by
//! flight. [`handshake_and_exchange`] *is* the sequence diagram; set a breakpoint on it and step.

use crate::client::{Client, ClientConfig, ServerTrust};
use crate::demo_pki::{self, DemoClient};
use crate::error::Error;
use crate::event::Event;
use crate::key_exchange::SUPPORTED_SCHEMES;
use crate::rng::{Clock, DEFAULT_SIMULATION_TIME, RoleRng, Side};
use crate::server::{ClientAuth, Server, ServerConfig};
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
        }
    }
}

/// The client the simulator uses: it trusts the demo CA (and checks its CRL), and holds the
/// demo client certificate `options` names, if any.
pub fn demo_client(options: &Options) -> Result<Client, Error> {
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
    };
    Ok(Client::new(
        config,
        RoleRng::seeded(options.seed, Side::Client),
        Clock::Fixed(options.time),
        options.trace,
    ))
}

/// The server the simulator uses: the demo server certificate, all suites; with `mtls`, it
/// requires a client certificate from the demo CA and checks the CA's CRL.
pub fn demo_server(options: &Options) -> Result<Server, Error> {
    let config = ServerConfig {
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
    };
    Ok(Server::new(
        config,
        RoleRng::seeded(options.seed, Side::Server),
        Clock::Fixed(options.time),
        options.trace,
    ))
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
    //   ClientKeyExchange, [ChangeCipherSpec], Finished  ------------------------------>
    let flight = sim.client.answer_server(&mut sim.wire.client());
    sim.done(C, flight)?;
    //   <------------------------------------------------  [ChangeCipherSpec], Finished
    let flight = sim.server.finish(&mut sim.wire.server());
    sim.done(S, flight)?;
    //   (the client checks the server's Finished)
    let flight = sim.client.finish(&mut sim.wire.client());
    sim.done(C, flight)?;

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

/// Runs the default simulation for `options`.
pub fn run(options: &Options) -> Result<Report, Error> {
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
    }
}
