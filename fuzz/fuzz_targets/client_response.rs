//! `client_response`: arbitrary bytes as everything a server sends, read by the demo client
//! (src/client.rs) over a `MemoryWire`, after it sent its ClientHello: `answer_server` reads
//! them as the server's flight (ServerHello, Certificate, ServerKeyExchange,
//! CertificateRequest, ServerHelloDone), checks the chain against the demo CA, and answers; if
//! that succeeds, the rest are the server's ChangeCipherSpec and Finished (`finish`), then
//! application data (`receive`).
//!
//! Input: one configuration byte, then the bytes on the wire.
//! - bits 0-1: the suite the client offers (`CipherSuite::ALL[n]`);
//! - bits 2-3: the client's RNG seed, minus 1;
//! - bit 4: the client does not offer extended_master_secret;
//! - bit 5: the client holds the demo client certificate (alice), for mutual TLS;
//! - bit 6: the client offers ALPN (h2, http/1.1), so the server's answer is read and checked;
//! - bit 7: resumption by ticket (RFC 5077): the client is the second connection of
//!   `simulate --resume ticket` with these settings (its RNG stream, its clock a minute on) and
//!   offers the session the first one made, so the server's answer may be the abbreviated
//!   flight (ServerHello echoing the session_id, [NewSessionTicket], ChangeCipherSpec,
//!   Finished); without it, the client offers the session_ticket extension only then.
//!
//! With a golden transcript's configuration and server flows (the seed corpus), the whole
//! handshake replays.
#![no_main]

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use tls12_sim::client::{Client, ClientConfig, ServerTrust};
use tls12_sim::demo_pki::{self, DemoClient};
use tls12_sim::key_exchange::SUPPORTED_SCHEMES;
use tls12_sim::pki::{Identity, TrustStore};
use tls12_sim::rng::{Clock, DEFAULT_SIMULATION_TIME, RoleRng, Side};
use tls12_sim::session::{Resumption, Session};
use tls12_sim::simulate::{self, Options};
use tls12_sim::suites::CipherSuite;
use tls12_sim::wire::MemoryWire;

/// The demo CA and alice's identity, parsed once: what `simulate::demo_client` builds, without
/// re-reading the PEM files for every input.
fn demo() -> &'static (TrustStore, Identity) {
    static DEMO: OnceLock<(TrustStore, Identity)> = OnceLock::new();
    DEMO.get_or_init(|| {
        (
            demo_pki::trust_store().unwrap(),
            DemoClient::Alice.identity().unwrap(),
        )
    })
}

/// The session the first connection of `simulate --resume ticket` makes for the settings in
/// `config`: a full handshake, run once per configuration.
fn saved_session(config: u8, seed: u64) -> Option<Session> {
    static SESSIONS: OnceLock<Mutex<HashMap<u8, Option<Session>>>> = OnceLock::new();
    let sessions = SESSIONS.get_or_init(Default::default);
    let mut sessions = sessions.lock().unwrap_or_else(|p| p.into_inner());
    sessions
        .entry(config & 0x3f)
        .or_insert_with(|| {
            let mtls = config & 32 != 0;
            let options = Options {
                suite: CipherSuite::ALL[usize::from(config & 3)],
                seed,
                trace: false,
                extended_master_secret: config & 16 == 0,
                mtls,
                client_certificate: mtls.then_some(DemoClient::Alice),
                resume: Some(Resumption::Ticket),
                ..Options::default()
            };
            simulate::run(&options)
                .ok()?
                .full_handshake?
                .client
                .session()
        })
        .clone()
}

fuzz_target!(|data: &[u8]| {
    let Some((&config, bytes)) = data.split_first() else {
        return;
    };
    let (trust, alice) = demo();
    let client_config = ClientConfig {
        suites: vec![CipherSuite::ALL[usize::from(config & 3)]],
        server_name: Some("localhost".into()),
        trust: ServerTrust::Anchors(trust.clone()),
        offer_extended_master_secret: config & 16 == 0,
        offer_encrypt_then_mac: true,
        signature_schemes: SUPPORTED_SCHEMES.to_vec(),
        identity: (config & 32 != 0).then(|| alice.clone()),
        alpn_protocols: if config & 64 != 0 {
            vec!["h2".into(), "http/1.1".into()]
        } else {
            Vec::new()
        },
        offer_session_ticket: config & 128 != 0,
        resume: None,
    };
    let seed = u64::from(config >> 2 & 3) + 1;
    let mut client_config = client_config;
    let (rng, clock) = if config & 128 != 0 {
        client_config.resume = saved_session(config, seed);
        (
            RoleRng::seeded_stream(seed, Side::Client, "connection 2"),
            Clock::Fixed(DEFAULT_SIMULATION_TIME + simulate::RECONNECT_AFTER),
        )
    } else {
        (
            RoleRng::seeded(seed, Side::Client),
            Clock::Fixed(DEFAULT_SIMULATION_TIME),
        )
    };
    let mut client = Client::new(client_config, rng, clock, false);

    let mut wire = MemoryWire::new();
    client.send_hello(&mut wire.client()).unwrap();
    wire.in_flight(Side::Server).clear(); // the ClientHello: nobody reads it
    wire.in_flight(Side::Client).extend(bytes);
    if client.answer_server(&mut wire.client()).is_err() {
        return;
    }
    if client.finish(&mut wire.client()).is_err() {
        return;
    }
    // Each read takes at least one record off the wire, so this ends.
    while let Ok(Some(_)) = client.receive(&mut wire.client()) {}
});
