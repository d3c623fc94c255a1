//! The labs about the server's private key, from the source article on why a client never needs
//! it:
//! - `no-private-key-needed`: the client finishes the handshake holding only certificates;
//! - `eavesdropper`: someone who records every byte, and holds the certificate too, reads nothing;
//! - `server-without-private-key`: a server that shows the certificate without its private key
//!   fails, and where it fails depends on what the key exchange asks of the private key.

use std::fmt::Write as _;

use super::{ECDHE_SESSION_SEED, RSA_SESSION_SEED, record_session};
use super::{head, join_words, last_flight, paragraph};
use crate::demo_pki::{self, DemoClient};
use crate::error::Error;
use crate::event::{Event, Key};
use crate::messages::alert::AlertDescription;
use crate::observer::{self, Observation, ObserverKey};
use crate::phrase;
use crate::phrase::{Arg, Phrase, yes_no};
use crate::render::{self, Lang, check_of, say};
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
/// The lesson is in `lang`.
pub fn no_private_key_needed(lang: Lang) -> Result<NoPrivateKeyNeeded, Error> {
    let title = phrase!("Lab: the client needs no private key.");
    let mut text = format!("{}\n\n", say(lang, &title));
    let question = phrase!(
        "The server's certificate carries its public key; the matching private key never leaves \
         the server. Does the client need that private key to set up an encrypted connection? \
         Watch what each side holds after each step of a real handshake, for both key exchanges."
    );
    text.push_str(&paragraph(lang, "", 98, &question));
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
        text.push_str(&holdings_table(&report, lang));
        let client_keys = keys_used_by(&report, Side::Client);
        let read = phrase!(
            "The client read the server's data: {}",
            format!("{:?}", String::from_utf8_lossy(&report.client_received))
        );
        let names: Vec<String> = client_keys.iter().map(|k| say(lang, &k.name())).collect();
        let holds = phrase!(
            "Its configuration holds a private key: {}. The keys it used: {}.",
            yes_no(client_has_private_key),
            join_words(lang, &names)
        );
        let _ = writeln!(text, "\n  {}\n  {}", say(lang, &read), say(lang, &holds));
        text.push_str(&render::text::render_key_ledger_in(&report.events, lang));
        runs.push((
            suite,
            client_has_private_key,
            client_keys,
            report.client_received.clone(),
        ));
    }
    let lesson = phrase!(
        "The lesson: the client only ever uses the server's *public* key, which is in the \
         certificate anyone can read: to encrypt the pre-master secret (RSA) or to check the \
         server's signature (ECDHE). Both sides then derive the same session keys on their own, \
         and those encrypt the data. The private key stays on the server: it is what proves the \
         server is the one the certificate names."
    );
    text.push('\n');
    text.push_str(&paragraph(lang, "", 104, &lesson));
    Ok(NoPrivateKeyNeeded { runs, text })
}

/// Each step of the run (a flight), with what each side sends, newly holds and uses in it, in
/// the order it happened.
fn holdings_table(report: &Report, lang: Lang) -> String {
    let start = [
        phrase!("(start)"),
        phrase!("client holds: the CA certificate it trusts (public). No private key."),
        phrase!("server holds: its certificate (public) and the server private key."),
    ];
    let mut text = String::new();
    for (i, line) in start.iter().enumerate() {
        let indent = if i == 0 { "  " } else { "     " };
        let _ = writeln!(text, "{indent}{}", say(lang, line));
    }
    let mut step = 0;
    // Consecutive secrets of one side go on one line.
    let mut holds: Vec<&str> = Vec::new();
    let mut holder = Side::Client;
    let flush = |text: &mut String, holds: &mut Vec<&str>, holder: Side| {
        if !holds.is_empty() {
            let now = phrase!("{} now holds: {}", holder.phrase(), holds.join(", "));
            let _ = writeln!(text, "     {}", say(lang, &now));
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
        let line = match event {
            Event::Flight { call, .. } => {
                flush(&mut text, &mut holds, holder);
                step += 1;
                let _ = writeln!(text, "  {step}. {call}()");
                continue;
            }
            Event::Message {
                side, from, name, ..
            } if side == from => phrase!("{} sends {}", side.phrase(), name),
            Event::KeyUse {
                side,
                key,
                operation,
            } => phrase!(
                "{} uses the {}: {}",
                side.phrase(),
                key.name(),
                first_clause(lang, &say(lang, operation))
            ),
            _ => continue,
        };
        flush(&mut text, &mut holds, holder);
        let _ = writeln!(text, "     {}", say(lang, &line));
    }
    flush(&mut text, &mut holds, holder);
    text
}

/// The first clause of an explanation in `lang`, for a one-line table.
fn first_clause(lang: Lang, text: &str) -> &str {
    let clause = text.split([':', ';', '。']).next().unwrap_or(text);
    let parenthesis = match lang {
        // Japanese writes a parenthesis that ends the clause without a space before it
        // ("暗号化する(暗号文 ..."), and one inside the clause after a space ("署名 (...) を検証する").
        Lang::Ja => clause.find('(').filter(|&at| !clause[..at].ends_with(' ')),
        Lang::En => clause.find('('),
    };
    parenthesis.map_or(clause, |at| &clause[..at]).trim_end()
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
/// (it is in the recording), and tries to read it. The lesson is in `lang`.
pub fn eavesdropper(lang: Lang) -> Result<Eavesdropper, Error> {
    let title = phrase!("Lab: an eavesdropper on the wire.");
    let mut text = format!("{}\n\n", say(lang, &title));
    let question = phrase!(
        "Someone on the network records every byte of a session in both directions. The server's \
         certificate, and so its public key, is in the recording. What can it read?"
    );
    text.push_str(&paragraph(lang, "", 100, &question));
    let mut runs = Vec::new();
    for (suite, seed) in [
        (SUITES[0], RSA_SESSION_SEED),
        (SUITES[1], ECDHE_SESSION_SEED),
    ] {
        runs.push(eavesdrop_on(&mut text, lang, suite, seed)?);
    }
    let lesson = phrase!(
        "The lesson: what is public (the certificate, the hellos, the key exchange messages) is \
         not enough to compute the session keys. In RSA key exchange the secret is locked with the \
         public key and only the private key opens it; in ECDHE it is never sent at all. (See \
         `lab forward-secrecy` for an eavesdropper who steals the server's private key later.)"
    );
    text.push('\n');
    text.push_str(&paragraph(lang, "", 102, &lesson));
    Ok(Eavesdropper { runs, text })
}

/// One recorded session of `suite`, read by someone holding nothing but the recording:
/// (suite, protected records seen, protected records opened, master secret derived).
fn eavesdrop_on(
    text: &mut String,
    lang: Lang,
    suite: CipherSuite,
    seed: u64,
) -> Result<(CipherSuite, usize, usize, bool), Error> {
    let flows = record_session(suite, seed, b"PIN 2468\n")?;
    let seen = observer::observe(&flows, ObserverKey::Nothing)?;
    let protected = seen.records.iter().filter(|r| r.protected).count();
    let opened = protected - seen.unreadable_records;
    let _ = writeln!(text, "\n--- {} ---", suite.name());
    let names: Vec<String> = seen
        .messages
        .iter()
        .map(|(from, t, _)| {
            let name = crate::messages::handshake_type_name(t.code());
            say(lang, &phrase!("{} ({})", name, from.phrase()))
        })
        .collect();
    let application_data = if seen.application_data.is_empty() {
        phrase!("none")
    } else {
        phrase!("{} messages", seen.application_data.len())
    };
    let mut lines = vec![
        phrase!(
            "Recorded: {} records, {} bytes.",
            seen.records.len(),
            flows.iter().map(|f| f.bytes.len()).sum::<usize>()
        ),
        phrase!("In the clear: {}.", join_words(lang, &names)),
        phrase!(
            "It has the server's certificate ({} bytes) and so the server's public key.",
            seen.server_certificates.first().map_or(0, Vec::len)
        ),
    ];
    lines.extend(what_crossed(suite, &seen));
    lines.push(phrase!(
        "Master secret derived: {}. Protected records opened: {} of {}. Application data read: {}.",
        yes_no(seen.master_secret.is_some()),
        opened,
        protected,
        application_data
    ));
    for line in &lines {
        let _ = writeln!(text, "  {}", say(lang, line));
    }
    Ok((suite, protected, opened, seen.master_secret.is_some()))
}

/// The key exchange as it crossed the wire, and why it is not enough: one phrase a line.
fn what_crossed(suite: CipherSuite, seen: &Observation) -> Vec<Phrase> {
    match suite.key_exchange() {
        KeyExchange::Rsa => match &seen.encrypted_pre_master {
            Some(encrypted) => vec![
                phrase!(
                    "The pre-master secret crossed the wire, RSA-encrypted to that public key: \
                     {}.. ({} bytes).",
                    head(encrypted),
                    encrypted.len()
                ),
                phrase!(
                    "A public key only encrypts: opening this takes the private key, which the \
                     eavesdropper does not have."
                ),
            ],
            None => Vec::new(),
        },
        KeyExchange::Ecdhe => match (&seen.server_key_exchange, &seen.client_ecdh_public) {
            (Some(ske), Some(client_public)) => vec![
                phrase!(
                    "Both ephemeral X25519 public keys crossed the wire: the server's {}.. and the \
                     client's {}..",
                    head(&ske.params.public),
                    head(client_public)
                ),
                phrase!(
                    "The shared secret needs one of the two *private* keys, which never left \
                     their sides."
                ),
            ],
            _ => Vec::new(),
        },
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
/// the certificate): where does each key exchange catch it? The lesson is in `lang`.
pub fn server_without_private_key(lang: Lang) -> Result<ServerWithoutPrivateKey, Error> {
    let title = phrase!("Lab: a server with the certificate but without its private key.");
    let mut text = format!("{}\n\n", say(lang, &title));
    let question = phrase!(
        "Certificates are public: anyone can copy the demo server's certificate and present it. \
         This impostor does, and holds some other RSA-2048 key. Does the client notice, where, \
         and with which alert?"
    );
    text.push_str(&paragraph(lang, "", 100, &question));
    let impostor_key = DemoClient::Mallory.identity()?.key;
    let mut runs = Vec::new();
    for suite in SUITES {
        runs.push(impostor(&mut text, lang, suite, &impostor_key)?);
    }
    let lesson = phrase!(
        "The lesson: the private key is what makes the certificate the server's. With RSA key \
         exchange the impostor is caught one step late, by the server itself at Finished \
         (bad_record_mac); with ECDHE the client catches it at once (decrypt_error), before \
         sending anything secret. Either way no application data is exchanged."
    );
    text.push('\n');
    text.push_str(&paragraph(lang, "", 100, &lesson));
    Ok(ServerWithoutPrivateKey { runs, text })
}

/// One handshake of `suite` against the impostor: what it does, the failed checks, and who
/// stops where; returns (suite, the side that failed, the alert, the flight it failed in).
fn impostor(
    text: &mut String,
    lang: Lang,
    suite: CipherSuite,
    impostor_key: &rsa::RsaPrivateKey,
) -> Result<(CipherSuite, Side, Option<AlertDescription>, &'static str), Error> {
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
    let (width, story) = match suite.key_exchange() {
        KeyExchange::Rsa => (
            95,
            phrase!(
                "The client encrypts the pre-master secret to the certificate's public key. The \
                 impostor's key cannot open it: the RSA decryption fails (or yields garbage), and, \
                 as RFC 5246 7.4.7.1 requires, the server carries on with a random pre-master \
                 without a word. Its session keys differ from the client's, so the first record \
                 under them, the client's Finished, does not authenticate."
            ),
        ),
        KeyExchange::Ecdhe => (
            96,
            phrase!(
                "The server must sign its ephemeral X25519 key with the certificate's private \
                 key. The impostor signs with its own key, and the client checks the signature \
                 with the certificate's public key before it uses the server's ephemeral key: it \
                 does not verify."
            ),
        ),
    };
    text.push_str(&paragraph(lang, "  ", width, &story));
    for (side, what, ok) in report.events.iter().filter_map(check_of) {
        if !ok {
            let check = phrase!("[{}] {} checks {}", "FAIL", side.phrase(), what);
            let _ = writeln!(text, "  {}", say(lang, &check));
        }
    }
    let result = phrase!(
        "Result: the {} stops in {}() with the fatal alert {} ({}).",
        failure.side.phrase(),
        flight,
        alert.map_or(Arg::from(phrase!("(none)")), |a| Arg::from(a.name())),
        failure.error.reason()
    );
    let _ = writeln!(text, "  {}", say(lang, &result));
    Ok((suite, failure.side, alert, flight))
}
