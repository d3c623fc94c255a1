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

/// A lab: its name on the command line, what it shows in one line, and how to run it.
#[derive(Clone, Copy)]
pub struct Lab {
    /// `tls12-sim lab NAME`.
    pub name: &'static str,
    /// What it shows, in one line (`lab --list`).
    pub summary: &'static str,
    /// Runs it and returns its printed lesson.
    pub run: fn() -> Result<String, Error>,
}

/// Every lab, in the order a class meets them. `lab --list` prints this table and `lab NAME`
/// runs from it: there is no other list.
pub const LABS: &[Lab] = &[
    Lab {
        name: "no-private-key-needed",
        summary: "the client completes the handshake holding only the server's certificate",
        run: || Ok(no_private_key_needed()?.text),
    },
    Lab {
        name: "eavesdropper",
        summary: "a passive observer records every byte and holds the certificate: it reads \
                  nothing",
        run: || Ok(eavesdropper()?.text),
    },
    Lab {
        name: "server-without-private-key",
        summary: "a server with the certificate but the wrong private key: where each key \
                  exchange fails",
        run: || Ok(server_without_private_key()?.text),
    },
    Lab {
        name: "forward-secrecy",
        summary: "record an RSA and an ECDHE session, steal the server's private key later: \
                  what opens?",
        run: || Ok(forward_secrecy()?.text),
    },
    Lab {
        name: "tamper",
        summary: "one bit flipped in a record, in Finished, in ServerKeyExchange: who notices, \
                  and how",
        run: || Ok(tamper()?.text),
    },
    Lab {
        name: "mtls",
        summary: "mutual TLS accepted: alice shows her certificate and proves she holds its key",
        run: || Ok(mtls(MtlsCase::Accepted)?.text),
    },
    Lab {
        name: "mtls-expired",
        summary: "bob's client certificate ran out: certificate_expired",
        run: || Ok(mtls(MtlsCase::Expired)?.text),
    },
    Lab {
        name: "mtls-revoked",
        summary: "carol left the company and the CA revoked her certificate: \
                  certificate_revoked",
        run: || Ok(mtls(MtlsCase::Revoked)?.text),
    },
    Lab {
        name: "mtls-unknown-ca",
        summary: "mallory's certificate comes from a CA the server does not trust: unknown_ca",
        run: || Ok(mtls(MtlsCase::UnknownCa)?.text),
    },
    Lab {
        name: "mtls-no-certificate",
        summary: "a client without a certificate, at a server that requires one: \
                  handshake_failure",
        run: || Ok(mtls(MtlsCase::NoCertificate)?.text),
    },
    Lab {
        name: "mtls-wrong-key",
        summary: "alice's certificate, copied, without alice's private key: decrypt_error",
        run: || Ok(mtls(MtlsCase::WrongKey)?.text),
    },
    Lab {
        name: "cost",
        summary: "what the private key's work costs next to the session keys' (a quick \
                  measurement)",
        run: cost,
    },
];

/// Runs a lab by name and returns its printed lesson.
pub fn run(name: &str) -> Result<String, Error> {
    match LABS.iter().find(|lab| lab.name == name) {
        Some(lab) => (lab.run)(),
        None => {
            let names: Vec<&str> = LABS.iter().map(|lab| lab.name).collect();
            Err(Error::Config(phrase!(
                "no lab called {}; the labs are: {}",
                format!("{name:?}"),
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
