//! The labs: short experiments, each run in memory from fixed seeds, whose printed output is the
//! lesson. `tls12-sim lab --list` lists them; `tls12-sim lab NAME` runs one.
//!
//! In class order: what the server's private key is for (and that the client never needs it),
//! what an eavesdropper sees, what a server without its key cannot do, forward secrecy, what
//! tampering runs into, mutual TLS and its refusals, and what all of it costs.

use crate::error::Error;
use crate::event::Event;
use crate::phrase;
use crate::rng::Side;

mod cost;
mod forward_secrecy;
mod keys;
mod mtls;
mod tamper;

pub use cost::cost;
pub use forward_secrecy::{
    ECDHE_SESSION_SEED, ForwardSecrecy, RSA_SESSION_SEED, forward_secrecy, record_session,
};
pub use keys::{
    Eavesdropper, NoPrivateKeyNeeded, ServerWithoutPrivateKey, eavesdropper, no_private_key_needed,
    server_without_private_key,
};
pub use mtls::{MtlsCase, MtlsLab, mtls};
pub use tamper::{Tamper, TamperCase, tamper};

/// Every lab: (name, one-line summary), in the order a class meets them.
pub const LABS: [(&str, &str); 12] = [
    (
        "no-private-key-needed",
        "the client completes the handshake holding only the server's certificate",
    ),
    (
        "eavesdropper",
        "a passive observer records every byte and holds the certificate: it reads nothing",
    ),
    (
        "server-without-private-key",
        "a server with the certificate but the wrong private key: where each key exchange fails",
    ),
    (
        "forward-secrecy",
        "record an RSA and an ECDHE session, steal the server's private key later: what opens?",
    ),
    (
        "tamper",
        "one bit flipped in a record, in Finished, in ServerKeyExchange: who notices, and how",
    ),
    (
        "mtls",
        "mutual TLS accepted: alice shows her certificate and proves she holds its key",
    ),
    (
        "mtls-expired",
        "bob's client certificate ran out: certificate_expired",
    ),
    (
        "mtls-revoked",
        "carol left the company and the CA revoked her certificate: certificate_revoked",
    ),
    (
        "mtls-unknown-ca",
        "mallory's certificate comes from a CA the server does not trust: unknown_ca",
    ),
    (
        "mtls-no-certificate",
        "a client without a certificate, at a server that requires one: handshake_failure",
    ),
    (
        "mtls-wrong-key",
        "alice's certificate, copied, without alice's private key: decrypt_error",
    ),
    (
        "cost",
        "what the private key's work costs next to the session keys' (a quick measurement)",
    ),
];

/// Runs a lab by name and returns its printed lesson.
pub fn run(name: &str) -> Result<String, Error> {
    match name {
        "no-private-key-needed" => Ok(no_private_key_needed()?.text),
        "eavesdropper" => Ok(eavesdropper()?.text),
        "server-without-private-key" => Ok(server_without_private_key()?.text),
        "forward-secrecy" => Ok(forward_secrecy()?.text),
        "tamper" => Ok(tamper()?.text),
        "mtls" => Ok(mtls(MtlsCase::Accepted)?.text),
        "mtls-expired" => Ok(mtls(MtlsCase::Expired)?.text),
        "mtls-revoked" => Ok(mtls(MtlsCase::Revoked)?.text),
        "mtls-unknown-ca" => Ok(mtls(MtlsCase::UnknownCa)?.text),
        "mtls-no-certificate" => Ok(mtls(MtlsCase::NoCertificate)?.text),
        "mtls-wrong-key" => Ok(mtls(MtlsCase::WrongKey)?.text),
        "cost" => cost(),
        other => {
            let names: Vec<&str> = LABS.iter().map(|(n, _)| *n).collect();
            Err(Error::Config(phrase!(
                "no lab called {}; the labs are: {}",
                format!("{:?}", other),
                names.join(", ")
            )))
        }
    }
}

/// The first 8 bytes in hex: enough to recognise a value in the trace.
fn head(bytes: &[u8]) -> String {
    hex::encode(&bytes[..bytes.len().min(8)])
}

/// The flight `side` was in when a run stopped.
fn last_flight(events: &[Event], side: Side) -> &'static str {
    events
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::Flight { side: s, call, .. } if *s == side => Some(*call),
            _ => None,
        })
        .unwrap_or("(before any flight)")
}

/// An error's explanation without the alert name it starts with.
fn reason(error: &Error) -> String {
    error.reason().to_string()
}
