//! Helpers for tests that play a man in the middle: build records, take the bytes in flight,
//! change them, put them back.

#![allow(dead_code)]

pub mod peers;

use tls12_sim::error::Error;
use tls12_sim::messages::alert::AlertDescription;
use tls12_sim::rng::Side;
use tls12_sim::simulate::{self, Failure, Options, Simulation};

/// A fresh client and server with the demo identity, default options.
pub fn sim() -> Simulation {
    sim_with(&Options::default())
}

pub fn sim_with(options: &Options) -> Simulation {
    Simulation::new(
        simulate::demo_client(options).unwrap(),
        simulate::demo_server(options).unwrap(),
    )
}

/// An unprotected record.
pub fn record(content_type: u8, version: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![content_type];
    out.extend(version.to_be_bytes());
    out.extend((payload.len() as u16).to_be_bytes());
    out.extend(payload);
    out
}

/// Takes every byte waiting for `to`.
pub fn take(sim: &mut Simulation, to: Side) -> Vec<u8> {
    sim.wire.in_flight(to).drain(..).collect()
}

/// Puts bytes on the wire for `to`.
pub fn put(sim: &mut Simulation, to: Side, bytes: &[u8]) {
    sim.wire.in_flight(to).extend(bytes);
}

/// Splits a flight into its records.
pub fn records(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while rest.len() >= 5 {
        let len = 5 + usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        out.push(rest[..len].to_vec());
        rest = &rest[len..];
    }
    out
}

/// The failing side must be `side`, its error must send `alert`, and the peer must have
/// received exactly that alert.
pub fn assert_alert(failure: &Failure, side: Side, alert: AlertDescription) {
    assert_eq!(failure.side, side, "failed side: {}", failure.error);
    assert_eq!(
        failure.error.alert(),
        Some(alert),
        "error: {}",
        failure.error
    );
    match &failure.peer_error {
        Some(Error::PeerAlert(got)) => assert_eq!(got.description, alert),
        other => panic!("the peer should have read {alert:?}, got {other:?}"),
    }
}

/// Runs `flight` on `side` expecting failure, then lets the peer read the alert.
pub fn fail_at_server(
    sim: &mut Simulation,
    flight: impl FnOnce(
        &mut tls12_sim::server::Server,
        &mut tls12_sim::wire::WireEnd<'_>,
    ) -> Result<(), Error>,
) -> Failure {
    let mut failure = sim.server(flight).expect_err("the server should fail");
    sim.peer_reads_alert(&mut failure);
    failure
}

pub fn fail_at_client(
    sim: &mut Simulation,
    flight: impl FnOnce(
        &mut tls12_sim::client::Client,
        &mut tls12_sim::wire::WireEnd<'_>,
    ) -> Result<(), Error>,
) -> Failure {
    let mut failure = sim.client(flight).expect_err("the client should fail");
    sim.peer_reads_alert(&mut failure);
    failure
}

/// Finds `needle` in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("pattern not found")
}

/// English prose left in a line: four lowercase words in a row, outside "quotes" and
/// `backticks` (application data, PRF labels and commands are quoted), in a line that is not
/// hex. (tests/lang_ja.rs checks the traces with it, tests/labs.rs the labs.)
pub fn english_prose(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.iter().all(|w| {
        w.trim_end_matches('.')
            .chars()
            .all(|c| c.is_ascii_hexdigit())
    }) {
        return false;
    }
    let mut unquoted = String::new();
    let (mut quoted, mut ticked) = (false, false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            '`' => ticked = !ticked,
            _ if quoted || ticked => {}
            c => unquoted.push(c),
        }
        if c == '"' || c == '`' {
            unquoted.push(' ');
        }
    }
    let mut run = 0;
    for word in unquoted.split_whitespace() {
        let word = word.trim_end_matches([',', ';', ':', '.']);
        if !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase()) {
            run += 1;
            if run >= 4 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

pub fn has_japanese(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}'))
}
