//! The labs about the server's private key, from the source article on why a client never needs
//! it:
//! - `no-private-key-needed`: the client finishes the handshake holding only certificates;
//! - `eavesdropper`: someone who records every byte, and holds the certificate too, reads nothing;
//! - `server-without-private-key`: a server that shows the certificate without its private key
//!   fails, and where it fails depends on what the key exchange asks of the private key.

use std::fmt::Write as _;

use super::{ECDHE_SESSION_SEED, RSA_SESSION_SEED, record_session};
use super::{head, last_flight, reason};
use crate::demo_pki::{self, DemoClient};
use crate::error::Error;
use crate::event::{Event, Key};
use crate::messages::alert::AlertDescription;
use crate::observer::{self, Observation, ObserverKey};
use crate::phrase;
use crate::render::{self, check_of};
use crate::rng::Side;
use crate::simulate::{self, Options, Report, Simulation};
use crate::suites::{CipherSuite, KeyExchange};

/// The two suites the key labs compare: one of each key exchange.
const SUITES: [CipherSuite; 2] = [
    CipherSuite::RsaAes128GcmSha256,
    CipherSuite::EcdheRsaAes128GcmSha256,
];

// ---------------------------------------------------------------------------------------------
// no-private-key-needed

/// What the `no-private-key-needed` lab showed, per suite.
pub struct NoPrivateKeyNeeded {
    /// (suite, the client held a private key, the keys the client used, what it read).
    pub runs: Vec<(CipherSuite, bool, Vec<Key>, Vec<u8>)>,
    /// The printed lesson (`tls12-sim lab no-private-key-needed`).
    pub text: String,
}

/// Runs a full handshake for each key exchange and shows, step by step, what each side holds:
/// the client's column never has a private key in it, and it reads the server's data anyway.
pub fn no_private_key_needed() -> Result<NoPrivateKeyNeeded, Error> {
    let mut text = String::from(
        "Lab: the client needs no private key.\n\n\
         The server's certificate carries its public key; the matching private key never \
         leaves the server.\n\
         Does the client need that private key to set up an encrypted connection? Watch what \
         each side\n\
         holds after each step of a real handshake, for both key exchanges.\n",
    );
    let mut runs = Vec::new();
    for suite in SUITES {
        let options = Options {
            suite,
            server_message: b"your balance is 42 euros\n".to_vec(),
            ..Options::default()
        };
        let report = simulate::run(&options)?;
        if let Err(failure) = &report.outcome {
            return Err(Error::Config(phrase!(
                "the {} handshake failed: {}",
                suite.name(),
                failure.error.phrase()
            )));
        }
        let client_has_private_key = report.client.config().identity.is_some();
        let _ = writeln!(text, "\n--- {} ---", suite.name());
        text.push_str(&holdings_table(&report));
        let client_keys = keys_used_by(&report, Side::Client);
        let _ = writeln!(
            text,
            "\n  The client read the server's data: {:?}\n  Its configuration holds a private key: \
             {}. The keys it used: {}.",
            String::from_utf8_lossy(&report.client_received),
            if client_has_private_key { "yes" } else { "no" },
            client_keys
                .iter()
                .map(|k| k.name().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        text.push_str(&render::render_key_ledger(&report.events));
        runs.push((
            suite,
            client_has_private_key,
            client_keys,
            report.client_received.clone(),
        ));
    }
    text.push_str(
        "\nThe lesson: the client only ever uses the server's *public* key, which is in the \
         certificate anyone can\n\
         read: to encrypt the pre-master secret (RSA) or to check the server's signature \
         (ECDHE). Both sides then\n\
         derive the same session keys on their own, and those encrypt the data. The private key \
         stays on the\n\
         server: it is what proves the server is the one the certificate names.\n",
    );
    Ok(NoPrivateKeyNeeded { runs, text })
}

/// Each step of the run (a flight), with what each side sends, newly holds and uses in it, in
/// the order it happened.
fn holdings_table(report: &Report) -> String {
    let mut text = String::from(
        "  (start)\n     client holds: the CA certificate it trusts (public). No private key.\n     \
         server holds: its certificate (public) and the server private key.\n",
    );
    let mut step = 0;
    // Consecutive secrets of one side go on one line.
    let mut holds: Vec<&str> = Vec::new();
    let mut holder = Side::Client;
    let flush = |text: &mut String, holds: &mut Vec<&str>, holder: Side| {
        if !holds.is_empty() {
            let _ = writeln!(
                text,
                "     {} now holds: {}",
                holder.name(),
                holds.join(", ")
            );
            holds.clear();
        }
    };
    for event in &report.events {
        if let Event::Secret { side, name, .. } = event {
            if *side != holder {
                flush(&mut text, &mut holds, holder);
                holder = *side;
            }
            holds.push(name);
            continue;
        }
        match event {
            Event::Flight { call, .. } => {
                flush(&mut text, &mut holds, holder);
                step += 1;
                let _ = writeln!(text, "  {step}. {call}()");
            }
            Event::Message {
                side, from, name, ..
            } if side == from => {
                flush(&mut text, &mut holds, holder);
                let _ = writeln!(text, "     {} sends {name}", side.name());
            }
            Event::KeyUse {
                side,
                key,
                operation,
            } => {
                flush(&mut text, &mut holds, holder);
                let _ = writeln!(
                    text,
                    "     {} uses the {}: {}",
                    side.name(),
                    key.name(),
                    first_clause(&operation.to_string())
                );
            }
            _ => {}
        }
    }
    flush(&mut text, &mut holds, holder);
    text
}

/// The first clause of an explanation, for a one-line table.
fn first_clause(text: &str) -> &str {
    text.split([':', ';', '('])
        .next()
        .unwrap_or(text)
        .trim_end()
}

/// The keys `side` used in the run, each once, in order of first use.
fn keys_used_by(report: &Report, side: Side) -> Vec<Key> {
    let mut keys = Vec::new();
    for event in &report.events {
        if let Event::KeyUse { side: s, key, .. } = event {
            if *s == side && !keys.contains(key) {
                keys.push(*key);
            }
        }
    }
    keys
}

// ---------------------------------------------------------------------------------------------
// eavesdropper

/// What the `eavesdropper` lab showed, per suite.
pub struct Eavesdropper {
    /// (suite, protected records seen, protected records opened, master secret derived).
    pub runs: Vec<(CipherSuite, usize, usize, bool)>,
    /// The printed lesson (`tls12-sim lab eavesdropper`).
    pub text: String,
}

/// A passive observer records a session of each key exchange, holds the server's certificate
/// (it is in the recording), and tries to read it.
pub fn eavesdropper() -> Result<Eavesdropper, Error> {
    let mut text = String::from(
        "Lab: an eavesdropper on the wire.\n\n\
         Someone on the network records every byte of a session in both directions. The \
         server's certificate,\n\
         and so its public key, is in the recording. What can it read?\n",
    );
    let mut runs = Vec::new();
    for (suite, seed) in [
        (SUITES[0], RSA_SESSION_SEED),
        (SUITES[1], ECDHE_SESSION_SEED),
    ] {
        runs.push(eavesdrop_on(&mut text, suite, seed)?);
    }
    text.push_str(
        "\nThe lesson: what is public (the certificate, the hellos, the key exchange messages) \
         is not enough to\n\
         compute the session keys. In RSA key exchange the secret is locked with the public key \
         and only the\n\
         private key opens it; in ECDHE it is never sent at all. (See `lab forward-secrecy` for \
         an eavesdropper\n\
         who steals the server's private key later.)\n",
    );
    Ok(Eavesdropper { runs, text })
}

/// One recorded session of `suite`, read by someone holding nothing but the recording:
/// (suite, protected records seen, protected records opened, master secret derived).
fn eavesdrop_on(
    text: &mut String,
    suite: CipherSuite,
    seed: u64,
) -> Result<(CipherSuite, usize, usize, bool), Error> {
    let flows = record_session(suite, seed, b"PIN 2468\n")?;
    let seen = observer::observe(&flows, ObserverKey::Nothing)?;
    let protected = seen.records.iter().filter(|r| r.protected).count();
    let opened = protected - seen.unreadable_records;
    let _ = writeln!(
        text,
        "\n--- {} ---\n  Recorded: {} records, {} bytes.",
        suite.name(),
        seen.records.len(),
        flows.iter().map(|f| f.bytes.len()).sum::<usize>()
    );
    let names: Vec<String> = seen
        .messages
        .iter()
        .map(|(from, t, _)| {
            format!(
                "{} ({})",
                crate::messages::handshake_type_name(t.code()),
                from.name()
            )
        })
        .collect();
    let _ = writeln!(text, "  In the clear: {}.", names.join(", "));
    let _ = writeln!(
        text,
        "  It has the server's certificate ({} bytes) and so the server's public key.",
        seen.server_certificates.first().map_or(0, Vec::len)
    );
    what_crossed(text, suite, &seen);
    let _ = writeln!(
        text,
        "  Master secret derived: {}. Protected records opened: {opened} of {protected}. \
         Application data read: {}.",
        if seen.master_secret.is_some() {
            "yes"
        } else {
            "no"
        },
        if seen.application_data.is_empty() {
            "none".to_string()
        } else {
            format!("{} messages", seen.application_data.len())
        }
    );
    Ok((suite, protected, opened, seen.master_secret.is_some()))
}

/// The key exchange as it crossed the wire, and why it is not enough.
fn what_crossed(text: &mut String, suite: CipherSuite, seen: &Observation) {
    match suite.key_exchange() {
        KeyExchange::Rsa => {
            if let Some(encrypted) = &seen.encrypted_pre_master {
                let _ = writeln!(
                    text,
                    "  The pre-master secret crossed the wire, RSA-encrypted to that public \
                     key: {}.. ({} bytes).\n  \
                     A public key only encrypts: opening this takes the private key, which \
                     the eavesdropper does not have.",
                    head(encrypted),
                    encrypted.len()
                );
            }
        }
        KeyExchange::Ecdhe => {
            if let (Some(ske), Some(client_public)) =
                (&seen.server_key_exchange, &seen.client_ecdh_public)
            {
                let _ = writeln!(
                    text,
                    "  Both ephemeral X25519 public keys crossed the wire: the server's {}.. \
                     and the client's {}..\n  \
                     The shared secret needs one of the two *private* keys, which never left \
                     their sides.",
                    head(&ske.params.public),
                    head(client_public)
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// server-without-private-key

/// What the `server-without-private-key` lab showed, per suite.
pub struct ServerWithoutPrivateKey {
    /// (suite, the side that failed, the alert, the flight it failed in).
    pub runs: Vec<(CipherSuite, Side, Option<AlertDescription>, &'static str)>,
    /// The printed lesson (`tls12-sim lab server-without-private-key`).
    pub text: String,
}

/// A server presents the demo certificate but holds another RSA key (as anyone could who copied
/// the certificate): where does each key exchange catch it?
pub fn server_without_private_key() -> Result<ServerWithoutPrivateKey, Error> {
    let mut text = String::from(
        "Lab: a server with the certificate but without its private key.\n\n\
         Certificates are public: anyone can copy the demo server's certificate and present it. \
         This impostor\n\
         does, and holds some other RSA-2048 key. Does the client notice, where, and with which \
         alert?\n",
    );
    let impostor_key = DemoClient::Mallory.identity()?.key;
    let mut runs = Vec::new();
    for suite in SUITES {
        let options = Options {
            suite,
            ..Options::default()
        };
        let mut server = simulate::demo_server(&options)?;
        server.config_mut().identity = crate::pki::Identity {
            chain: demo_pki::server()?.chain,
            key: impostor_key.clone(),
        };
        let client = simulate::demo_client(&options)?;
        let report = simulate::run_simulation(Simulation::new(client, server), &options);
        let Err(failure) = &report.outcome else {
            return Err(Error::Config(phrase!(
                "the impostor's {} handshake succeeded: that is a bug",
                suite.name()
            )));
        };
        let flight = last_flight(&report.events, failure.side);
        let alert = failure.error.any_alert();
        let _ = writeln!(text, "\n--- {} ---", suite.name());
        let story = match suite.key_exchange() {
            KeyExchange::Rsa => {
                "  The client encrypts the pre-master secret to the certificate's public key. The \
                 impostor's key\n  cannot open it: the RSA decryption fails (or yields garbage), \
                 and, as RFC 5246 7.4.7.1\n  requires, the server carries on with a random \
                 pre-master without a word. Its session keys\n  differ from the client's, so the \
                 first record under them, the client's Finished, does not\n  authenticate."
            }
            KeyExchange::Ecdhe => {
                "  The server must sign its ephemeral X25519 key with the certificate's private \
                 key. The impostor\n  signs with its own key, and the client checks the \
                 signature with the certificate's public key\n  before it uses the server's \
                 ephemeral key: it does not verify."
            }
        };
        let _ = writeln!(text, "{story}");
        for (side, what, ok) in report.events.iter().filter_map(check_of) {
            if !ok {
                let _ = writeln!(text, "  [FAIL] {} checks {what}", side.name());
            }
        }
        let _ = writeln!(
            text,
            "  Result: the {} stops in {flight}() with the fatal alert {} ({}).",
            failure.side.name(),
            alert.map_or("(none)", |a| a.name()),
            reason(&failure.error)
        );
        runs.push((suite, failure.side, alert, flight));
    }
    text.push_str(
        "\nThe lesson: the private key is what makes the certificate the server's. With RSA key \
         exchange the\n\
         impostor is caught one step late, by the server itself at Finished (bad_record_mac); \
         with ECDHE the\n\
         client catches it at once (decrypt_error), before sending anything secret. Either way \
         no application\n\
         data is exchanged.\n",
    );
    Ok(ServerWithoutPrivateKey { runs, text })
}
