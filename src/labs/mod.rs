//! The labs: short experiments, each run in memory from fixed seeds, whose printed output is the
//! lesson. `tls12-sim lab --list` lists them; `tls12-sim lab NAME` runs one, in English or, with
//! `--lang ja`, in Japanese: every sentence is a [`phrase!`](crate::phrase!) said in the
//! language asked for (the benchmark's figures in the `cost` lab stay in English).
//!
//! In class order: what the server's private key is for (and that the client never needs it),
//! what an eavesdropper sees, what a server without its key cannot do, forward secrecy, what
//! tampering runs into, why TLS moved from CBC to AEAD (the padding oracle, and a GCM and a CBC
//! record side by side), mutual TLS and its refusals, what all of it costs, and how resuming
//! sessions saves the cost (and what tickets take from forward secrecy).

use crate::error::Error;
use crate::event::Event;
use crate::phrase;
use crate::phrase::Phrase;
use crate::render::{Lang, say};
use crate::rng::Side;

mod cost;
mod forward_secrecy;
mod keys;
mod mtls;
pub mod padding_oracle;
mod record_anatomy;
mod resumption;
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
pub use padding_oracle::{AttackRun, LeakyOpener, PaddingOracle, Target, padding_oracle};
pub use record_anatomy::{Anatomy, AnatomyField, RecordAnatomy, record_anatomy};
pub use resumption::{
    ResumptionLab, ResumptionRun, StolenTicketKey, TICKET_LAB_SEED, asymmetric_operations,
    resumption, stolen_ticket_key,
};
pub use tamper::{Tamper, TamperCase, tamper};

/// A lab: its name on the command line, what it shows in one line, and how to run it.
#[derive(Clone, Copy)]
pub struct Lab {
    /// `tls12-sim lab NAME`.
    pub name: &'static str,
    /// What it shows, in one line (`lab --list`).
    pub summary: fn() -> Phrase,
    /// Runs it and returns its printed lesson, in the language given.
    pub run: fn(Lang) -> Result<String, Error>,
}

/// Every lab, in the order a class meets them. `lab --list` prints this table and `lab NAME`
/// runs from it: there is no other list.
pub const LABS: &[Lab] = &[
    Lab {
        name: "no-private-key-needed",
        summary: || {
            phrase!("the client completes the handshake holding only the server's certificate")
        },
        run: |lang| Ok(no_private_key_needed(lang)?.text),
    },
    Lab {
        name: "eavesdropper",
        summary: || {
            phrase!(
                "a passive observer records every byte and holds the certificate: it reads \
                 nothing"
            )
        },
        run: |lang| Ok(eavesdropper(lang)?.text),
    },
    Lab {
        name: "server-without-private-key",
        summary: || {
            phrase!(
                "a server with the certificate but the wrong private key: where each key \
                 exchange fails"
            )
        },
        run: |lang| Ok(server_without_private_key(lang)?.text),
    },
    Lab {
        name: "forward-secrecy",
        summary: || {
            phrase!(
                "record an RSA and an ECDHE session, steal the server's private key later: \
                 what opens?"
            )
        },
        run: |lang| Ok(forward_secrecy(lang)?.text),
    },
    Lab {
        name: "tamper",
        summary: || {
            phrase!(
                "one bit flipped in a record, in Finished, in ServerKeyExchange: who notices, \
                 and how"
            )
        },
        run: |lang| Ok(tamper(lang)?.text),
    },
    Lab {
        name: "padding-oracle",
        summary: || {
            phrase!(
                "a CBC server that tells bad padding from bad MAC gives a record away, byte by \
                 byte; ours and GCM give nothing"
            )
        },
        run: |lang| Ok(padding_oracle(lang)?.text),
    },
    Lab {
        name: "gcm-vs-cbc",
        summary: || {
            phrase!(
                "one GCM record and one CBC record side by side: which bytes are authenticated, \
                 and is the check before or after decrypting?"
            )
        },
        run: |lang| Ok(record_anatomy(lang)?.text),
    },
    Lab {
        name: "mtls",
        summary: || {
            phrase!("mutual TLS accepted: alice shows her certificate and proves she holds its key")
        },
        run: |lang| Ok(mtls(MtlsCase::Accepted, lang)?.text),
    },
    Lab {
        name: "mtls-expired",
        summary: || phrase!("bob's client certificate ran out: certificate_expired"),
        run: |lang| Ok(mtls(MtlsCase::Expired, lang)?.text),
    },
    Lab {
        name: "mtls-revoked",
        summary: || {
            phrase!(
                "carol left the company and the CA revoked her certificate: \
                 certificate_revoked"
            )
        },
        run: |lang| Ok(mtls(MtlsCase::Revoked, lang)?.text),
    },
    Lab {
        name: "mtls-unknown-ca",
        summary: || {
            phrase!("mallory's certificate comes from a CA the server does not trust: unknown_ca")
        },
        run: |lang| Ok(mtls(MtlsCase::UnknownCa, lang)?.text),
    },
    Lab {
        name: "mtls-no-certificate",
        summary: || {
            phrase!(
                "a client without a certificate, at a server that requires one: \
                 handshake_failure"
            )
        },
        run: |lang| Ok(mtls(MtlsCase::NoCertificate, lang)?.text),
    },
    Lab {
        name: "mtls-wrong-key",
        summary: || {
            phrase!("alice's certificate, copied, without alice's private key: decrypt_error")
        },
        run: |lang| Ok(mtls(MtlsCase::WrongKey, lang)?.text),
    },
    Lab {
        name: "cost",
        summary: || {
            phrase!(
                "what the private key's work costs next to the session keys' (a quick \
                 measurement)"
            )
        },
        run: cost,
    },
    Lab {
        name: "resumption",
        summary: || {
            phrase!(
                "a session resumed by id and by ticket: no certificate, no private key, and what \
                 that saves, measured"
            )
        },
        run: |lang| Ok(resumption(lang)?.text),
    },
    Lab {
        name: "stolen-ticket-key",
        summary: || {
            phrase!(
                "the ticket key, stolen later, opens every ticket-resumed session, and the ECDHE \
                 session that issued the ticket"
            )
        },
        run: |lang| Ok(stolen_ticket_key(lang)?.text),
    },
];

/// Runs a lab by name and returns its printed lesson in `lang`.
pub fn run(name: &str, lang: Lang) -> Result<String, Error> {
    match LABS.iter().find(|lab| lab.name == name) {
        Some(lab) => (lab.run)(lang),
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

/// The list of labs (`lab --list`): each name and what it shows, in `lang`.
pub fn list(lang: Lang) -> String {
    let title = phrase!("The labs (run one with `tls12-sim lab NAME`):");
    let mut list = format!("{}\n", say(lang, &title));
    for lab in LABS {
        let summary = say(lang, &(lab.summary)());
        list.push_str(&format!("  {:<20} {summary}\n", lab.name));
    }
    list
}

/// `phrase` in `lang` as a paragraph, each line after `indent`. The English is wrapped at
/// `width` columns: the labs' English was laid out by hand, and each paragraph's width keeps
/// its line breaks. The Japanese goes one sentence a line.
fn paragraph(lang: Lang, indent: &str, width: usize, phrase: &Phrase) -> String {
    let text = say(lang, phrase);
    if lang == Lang::Ja {
        return sentences(&text)
            .iter()
            .map(|sentence| format!("{indent}{sentence}\n"))
            .collect();
    }
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let len = |s: &str| s.chars().count();
        if !line.is_empty() && len(indent) + len(&line) + 1 + len(word) > width {
            out.push_str(&format!("{indent}{line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&format!("{indent}{line}\n"));
    out
}

/// Japanese text cut into sentences: each ends at 。 or a question mark outside parentheses.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut sentence = String::new();
    let mut depth = 0_usize;
    for c in text.chars() {
        sentence.push(c);
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '。' | '?' if depth == 0 => {
                out.push(sentence.trim().to_string());
                sentence.clear();
            }
            _ => {}
        }
    }
    if !sentence.trim().is_empty() {
        out.push(sentence.trim().to_string());
    }
    out
}

/// Words in a list: "a, b" in English, "a、b" in Japanese.
fn join_words(lang: Lang, words: &[String]) -> String {
    words.join(if lang == Lang::Ja { "、" } else { ", " })
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
