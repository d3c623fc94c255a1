//! The handshakes measured, and how to run them: both sides together, or each side alone
//! against the other's recorded flights (as Go's crypto/tls benchmarks do).

use crate::client::Client;
use crate::demo_pki::DemoClient;
use crate::error::Error;
use crate::phrase;
use crate::rng::Side;
use crate::server::Server;
use crate::simulate::{self, Options, Simulation};
use crate::suites::CipherSuite;
use crate::wire::{Flow, MemoryWire};

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
