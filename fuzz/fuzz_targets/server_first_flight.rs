//! `server_first_flight`: arbitrary bytes as everything a client sends, read by the demo
//! server (src/server.rs) over a `MemoryWire`: `answer_hello` reads them as the ClientHello
//! flight and answers with the server's whole first flight; if that succeeds, the rest are the
//! client's second flight (`finish`: Certificate, ClientKeyExchange, CertificateVerify,
//! ChangeCipherSpec, Finished), then application data (`receive`).
//!
//! Input: one configuration byte, then the bytes on the wire.
//! - bit 0: mutual TLS (the server requires a client certificate);
//! - bits 1-2: the server's RNG seed, minus 1;
//! - bit 3: the server refuses extended_master_secret;
//! - bit 4: the server speaks http/1.1 by ALPN (as `serve` does); bit 5: ALPN is optional;
//! - bit 6: resumption by ticket (RFC 5077): the server holds the ticket keys that
//!   `simulate --resume ticket --seed N` makes, and is that run's second connection (its RNG
//!   stream, its clock a minute on), so a ClientHello with a ticket (the session_ticket
//!   extension, the ticket's key name, nonce, sealed state and tag) reaches the abbreviated
//!   handshake; without it the server keeps no sessions and issues no tickets.
//!
//! With a golden transcript's configuration and client flows (the seed corpus), the whole
//! handshake replays: the fuzzer starts from inputs that reach every step. Most mutations fail
//! long before the RSA private key is used (ECDHE's signature, RSA's decryption).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tls12_sim::demo_pki;
use tls12_sim::pki::{Identity, TrustStore};
use tls12_sim::rng::{Clock, DEFAULT_SIMULATION_TIME, RoleRng, Side};
use tls12_sim::server::{ClientAuth, Server, ServerConfig};
use tls12_sim::session::Resumption;
use tls12_sim::simulate::{self, Options};
use tls12_sim::suites::CipherSuite;
use tls12_sim::wire::MemoryWire;

/// The demo server's identity and the demo CA, parsed once: what `simulate::demo_server`
/// builds, without re-reading the PEM files for every input.
fn demo() -> &'static (Identity, TrustStore) {
    static DEMO: OnceLock<(Identity, TrustStore)> = OnceLock::new();
    DEMO.get_or_init(|| {
        (
            demo_pki::server().unwrap(),
            demo_pki::trust_store().unwrap(),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&config, bytes)) = data.split_first() else {
        return;
    };
    let (identity, trust) = demo();
    let server_config = ServerConfig {
        suites: CipherSuite::ALL.to_vec(),
        identity: identity.clone(),
        allow_extended_master_secret: config & 8 == 0,
        allow_encrypt_then_mac: true,
        client_auth: if config & 1 != 0 {
            ClientAuth::Require
        } else {
            ClientAuth::None
        },
        client_trust: trust.clone(),
        alpn_protocols: if config & 16 != 0 {
            vec!["http/1.1".into()]
        } else {
            Vec::new()
        },
        alpn_optional: config & 32 != 0,
        session_cache: None,
        ticket_keys: None,
    };
    let seed = u64::from(config >> 1 & 3) + 1;
    let mut server_config = server_config;
    let (rng, clock) = if config & 64 != 0 {
        let options = Options {
            seed,
            ..Options::default()
        };
        server_config.ticket_keys = simulate::resumption_state(&options, Resumption::Ticket).1;
        (
            RoleRng::seeded_stream(seed, Side::Server, "connection 2"),
            Clock::Fixed(DEFAULT_SIMULATION_TIME + simulate::RECONNECT_AFTER),
        )
    } else {
        (
            RoleRng::seeded(seed, Side::Server),
            Clock::Fixed(DEFAULT_SIMULATION_TIME),
        )
    };
    let mut server = Server::new(server_config, rng, clock, false);

    let mut wire = MemoryWire::new();
    wire.in_flight(Side::Server).extend(bytes);
    if server.answer_hello(&mut wire.server()).is_err() {
        return;
    }
    if server.finish(&mut wire.server()).is_err() {
        return;
    }
    // Each read takes at least one record off the wire, so this ends.
    while let Ok(Some(_)) = server.receive(&mut wire.server()) {}
});
