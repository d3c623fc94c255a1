//! The handshakes measured, and how to run them: both sides together, or each side alone
//! against the other's recorded flights (as Go's crypto/tls benchmarks do).

use crate::client::Client;
use crate::demo_pki::DemoClient;
use crate::error::Error;
use crate::phrase;
use crate::rng::Side;
use crate::server::Server;
use crate::session::{Resumption, Session, SessionCache, TicketKeys};
use crate::simulate::{self, Options, Simulation};
use crate::suites::CipherSuite;
use crate::wire::{Flow, MemoryWire};
use std::sync::Arc;

/// The handshakes measured: both key exchanges, with and without mutual TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HandshakeKind {
    /// RSA key exchange (TLS_RSA_WITH_AES_128_GCM_SHA256).
    Rsa,
    /// ECDHE with X25519, signed with RSA (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256).
    Ecdhe,
    /// RSA key exchange with a client certificate.
    RsaMtls,
    /// ECDHE with a client certificate.
    EcdheMtls,
}

impl HandshakeKind {
    /// Every kind, in the order the summary lists them.
    pub const ALL: [HandshakeKind; 4] = [
        HandshakeKind::Rsa,
        HandshakeKind::Ecdhe,
        HandshakeKind::RsaMtls,
        HandshakeKind::EcdheMtls,
    ];

    /// The short name the summary, the chart and the benchmark ids use.
    pub fn name(self) -> &'static str {
        match self {
            HandshakeKind::Rsa => "rsa",
            HandshakeKind::Ecdhe => "ecdhe",
            HandshakeKind::RsaMtls => "rsa_mtls",
            HandshakeKind::EcdheMtls => "ecdhe_mtls",
        }
    }

    /// The simulator options: AES-128-GCM suites, tracing off, fixed seed.
    pub fn options(self) -> Options {
        let (suite, mtls) = match self {
            HandshakeKind::Rsa => (CipherSuite::RsaAes128GcmSha256, false),
            HandshakeKind::Ecdhe => (CipherSuite::EcdheRsaAes128GcmSha256, false),
            HandshakeKind::RsaMtls => (CipherSuite::RsaAes128GcmSha256, true),
            HandshakeKind::EcdheMtls => (CipherSuite::EcdheRsaAes128GcmSha256, true),
        };
        Options {
            suite,
            seed: 1,
            trace: false,
            mtls,
            client_certificate: mtls.then_some(DemoClient::Alice),
            ..Options::default()
        }
    }
}

/// A client and a server ready for a handshake of `kind`.
pub fn fresh_pair(kind: HandshakeKind) -> Result<Simulation, Error> {
    let options = kind.options();
    Ok(Simulation::new(
        simulate::demo_client(&options)?,
        simulate::demo_server(&options)?,
    ))
}

/// One full handshake, both sides, in memory (no application data).
pub fn full_handshake(sim: &mut Simulation) -> Result<(), Error> {
    sim.client.send_hello(&mut sim.wire.client())?;
    sim.server.answer_hello(&mut sim.wire.server())?;
    sim.client.answer_server(&mut sim.wire.client())?;
    sim.server.finish(&mut sim.wire.server())?;
    sim.client.finish(&mut sim.wire.client())
}

/// The four flights of one handshake of `kind`, recorded for replay.
pub fn record_flights(kind: HandshakeKind) -> Result<Vec<Flow>, Error> {
    let mut sim = fresh_pair(kind)?;
    full_handshake(&mut sim)?;
    Ok(sim.wire.flows)
}

/// The server alone: the recorded client flights go in, the server does its work (its RNG is
/// seeded as in the recording, so it answers identically).
pub fn replay_server(server: &mut Server, client_flights: &[Flow]) -> Result<(), Error> {
    let mut wire = MemoryWire::new();
    let (Some(hello), Some(flight3)) = (client_flights.first(), client_flights.get(2)) else {
        return Err(Error::Internal(phrase!("recording too short")));
    };
    wire.in_flight(Side::Server).extend(&hello.bytes);
    server.answer_hello(&mut wire.server())?;
    wire.in_flight(Side::Server).extend(&flight3.bytes);
    server.finish(&mut wire.server())
}

/// The client alone, against the recorded server flights.
pub fn replay_client(client: &mut Client, flights: &[Flow]) -> Result<(), Error> {
    let mut wire = MemoryWire::new();
    let (Some(flight2), Some(flight4)) = (flights.get(1), flights.get(3)) else {
        return Err(Error::Internal(phrase!("recording too short")));
    };
    client.send_hello(&mut wire.client())?;
    wire.in_flight(Side::Client).extend(&flight2.bytes);
    client.answer_server(&mut wire.client())?;
    wire.in_flight(Side::Client).extend(&flight4.bytes);
    client.finish(&mut wire.client())
}

/// A session to resume, made once by a full RSA handshake, and what its server keeps between
/// connections (a session cache, or ticket keys): every resumed handshake measured offers it
/// again, to a server that shares that state, with the same seeded randoms each time.
pub struct ResumedFixture {
    options: Options,
    shared: (Option<Arc<SessionCache>>, Option<Arc<TicketKeys>>),
    session: Session,
    flights: Vec<Flow>,
}

impl ResumedFixture {
    /// The full handshake that makes the session, and one resumed handshake, recorded.
    pub fn new(how: Resumption) -> Result<Self, Error> {
        let options = Options {
            resume: Some(how),
            ..HandshakeKind::Rsa.options()
        };
        let shared = simulate::resumption_state(&options, how);
        let server = simulate::server_sharing(&options, shared.clone(), "", options.time)?;
        let mut sim = Simulation::new(simulate::demo_client(&options)?, server);
        full_handshake(&mut sim)?;
        let session = sim
            .client
            .session()
            .ok_or_else(|| Error::Internal(phrase!("no session to resume")))?;
        let mut fixture = ResumedFixture {
            options,
            shared,
            session,
            flights: Vec::new(),
        };
        let mut sim = fixture.pair()?;
        abbreviated_handshake(&mut sim)?;
        fixture.flights = sim.wire.flows;
        Ok(fixture)
    }

    /// A client offering the session, and a server that shares the first one's state.
    pub fn pair(&self) -> Result<Simulation, Error> {
        Ok(Simulation::new(self.client()?, self.server()?))
    }

    /// The client of a resumed connection.
    pub fn client(&self) -> Result<Client, Error> {
        let time = self.options.time;
        simulate::client_offering(&self.options, Some(self.session.clone()), "resumed", time)
    }

    /// The server of a resumed connection.
    pub fn server(&self) -> Result<Server, Error> {
        let time = self.options.time;
        simulate::server_sharing(&self.options, self.shared.clone(), "resumed", time)
    }

    /// The flights of one resumed handshake, recorded: ClientHello; ServerHello,
    /// \[NewSessionTicket\], ChangeCipherSpec, Finished; ChangeCipherSpec, Finished.
    pub fn flights(&self) -> &[Flow] {
        &self.flights
    }
}

/// One abbreviated handshake, both sides, in memory (RFC 5246 7.3): it fails if the server did
/// not resume.
pub fn abbreviated_handshake(sim: &mut Simulation) -> Result<(), Error> {
    sim.client.send_hello(&mut sim.wire.client())?;
    sim.server.answer_hello(&mut sim.wire.server())?;
    if sim.server.resumed().is_none() {
        return Err(Error::Internal(phrase!("the session was not resumed")));
    }
    sim.client.answer_server(&mut sim.wire.client())?;
    sim.server.finish(&mut sim.wire.server())
}

/// The client alone in a resumed handshake, against the recorded server flight.
pub fn replay_resumed_client(client: &mut Client, flights: &[Flow]) -> Result<(), Error> {
    let mut wire = MemoryWire::new();
    let Some(flight2) = flights.get(1) else {
        return Err(Error::Internal(phrase!("recording too short")));
    };
    client.send_hello(&mut wire.client())?;
    wire.in_flight(Side::Client).extend(&flight2.bytes);
    client.answer_server(&mut wire.client())
}
