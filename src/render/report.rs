//! A simulated run rendered for people (annotated text, a web page) and for tools (JSON), with
//! the header and outcome around the events that the other renderers draw.

use super::parts::quoted;
use super::text::render_key_ledger_in;
use super::{HtmlPage, Lang, TextOptions, say};
use crate::phrase;
use crate::phrase::Phrase;
use crate::simulate::{Options, Report};

/// The lines above a simulated trace: what ran, with which seed, and how to read it.
fn header(options: &Options) -> Vec<Phrase> {
    if let Some(how) = options.resume {
        return vec![
            phrase!(
                "tls12-sim: TLS 1.2 session resumption by {}, client and server in one process",
                how.name()
            ),
            phrase!(
                "suite {} | seed {} | clock {} | two connections, the second resumes the first's \
                 session",
                options.suite.name(),
                options.seed,
                options.time
            ),
            phrase!(
                "Legend: KEY = a key is used, * = a secret, . = a derived public value, [ok] = a \
                 check."
            ),
        ];
    }
    vec![
        phrase!("tls12-sim: a TLS 1.2 handshake, client and server in one process"),
        if options.extended_master_secret {
            phrase!(
                "suite {} | seed {} | clock {} | extended master secret offered",
                options.suite.name(),
                options.seed,
                options.time
            )
        } else {
            phrase!(
                "suite {} | seed {} | clock {} | extended master secret off",
                options.suite.name(),
                options.seed,
                options.time
            )
        },
        phrase!(
            "The server holds the demo RSA-2048 private key; the client holds only the server's \
             certificate."
        ),
        phrase!(
            "The seed fixes every random byte of both sides (runs with the same seed share \
             them)."
        ),
        phrase!(
            "Legend: KEY = a key is used, * = a secret, . = a derived public value, [ok] = a \
             check."
        ),
    ]
}

/// The lines below a simulated trace: how it ended.
fn outcome(report: &Report) -> Vec<Phrase> {
    match &report.outcome {
        Ok(()) if report.server.resumed().is_some() => vec![
            phrase!(
                "Result: the session was resumed. The server read {}; the client read {}.",
                quoted(&report.server_received),
                quoted(&report.client_received)
            ),
            phrase!(
                "No private or public key was used in this connection (see the key ledger): \
                 only the session keys, new ones made from the session's master secret and the \
                 new randoms."
            ),
        ],
        Ok(()) => vec![
            phrase!(
                "Result: handshake complete. The server read {}; the client read {}.",
                quoted(&report.server_received),
                quoted(&report.client_received)
            ),
            phrase!(
                "Both sides sent close_notify. The server's private key was used once, in the \
                 handshake; every record after it used only the symmetric session keys."
            ),
        ],
        Err(failure) => vec![phrase!(
            "Result: the handshake FAILED at the {}: {}",
            failure.side.phrase(),
            failure.error.phrase()
        )],
    }
}

/// A resumption run's first connection, in short: the full handshake that made the session,
/// its key ledger, and what the second connection then does.
fn first_connection(options: &Options, full: &Report, lang: Lang) -> String {
    let how = options.resume.map_or("", |how| how.name());
    let hex_of = |name: &str| full.value(name).map(hex::encode).unwrap_or_default();
    let mut out = String::new();
    for line in [
        phrase!(
            "Connection 1, a full handshake (its whole trace: the same command without \
             --resume), made the session: master_secret {}, client_write_key {}.",
            hex_of("master_secret"),
            hex_of("client_write_key")
        ),
        phrase!("Its key ledger:"),
    ] {
        out.push_str(&say(lang, &line));
        out.push('\n');
    }
    out.push_str(&render_key_ledger_in(&full.events, lang));
    let next = phrase!(
        "Connection 2, {} s later, offers that session back by {}; its trace follows.",
        crate::simulate::RECONNECT_AFTER,
        how
    );
    out.push('\n');
    out.push_str(&say(lang, &next));
    out.push_str("\n\n");
    out
}

/// The annotated text trace of a simulated run: a header, the events, the key ledger and the
/// outcome. In `lang`: every explanation is translated, the names, hex and RFC sections stay.
pub fn render_text(options: &Options, report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    for line in header(options) {
        out.push_str(&say(lang, &line));
        out.push('\n');
    }
    if let Some(full) = &report.full_handshake {
        out.push('\n');
        out.push_str(&first_connection(options, full, lang));
    }
    out.push_str(&super::render_text(
        &report.events,
        TextOptions {
            show_received: false,
            lang,
        },
    ));
    out.push_str(&render_key_ledger_in(&report.events, lang));
    out.push('\n');
    for line in outcome(report) {
        out.push_str(&say(lang, &line));
        out.push('\n');
    }
    if let Some(line) = &report.keylog {
        let keylog = phrase!("NSS key log (for Wireshark): {}", line.trim_end());
        out.push_str(&say(lang, &keylog));
        out.push('\n');
    }
    out
}

/// The trace of a simulated run as JSON (docs/trace-format.md describes it).
pub fn render_json(options: &Options, report: &Report) -> String {
    let outcome = match &report.outcome {
        Ok(()) => serde_json::json!({"ok": true}),
        Err(f) => serde_json::json!({
            "ok": false,
            "failed_side": f.side.name(),
            "error": f.error.to_string(),
            "alert": f.error.any_alert().map(|a| a.name()),
        }),
    };
    let mut header = serde_json::json!({
        "suite": options.suite.name(),
        "seed": options.seed,
        "time": options.time,
        "extended_master_secret": options.extended_master_secret,
        "outcome": outcome,
        "keylog": report.keylog,
        "flows": flows_json(report),
    });
    if let Some(full) = &report.full_handshake {
        let events: Vec<serde_json::Value> =
            full.events.iter().map(super::json::event_json).collect();
        header["resume"] = serde_json::json!(options.resume);
        header["resumed"] = serde_json::json!(report.server.resumed());
        header["full_handshake"] = serde_json::json!({
            "keylog": full.keylog,
            "flows": flows_json(full),
            "events": events,
        });
    }
    super::render_json(header, &report.events)
}

/// The bytes on the wire of a run, as JSON flows.
fn flows_json(report: &Report) -> Vec<serde_json::Value> {
    report
        .flows
        .iter()
        .map(|f| serde_json::json!({"from": f.from.name(), "bytes": hex::encode(&f.bytes)}))
        .collect()
}

/// The facts at the top of a simulated run's page: (what, value).
fn html_facts(options: &Options, lang: Lang) -> Vec<(String, String)> {
    let mut facts = vec![
        (
            say(lang, &phrase!("suite")),
            options.suite.name().to_string(),
        ),
        (say(lang, &phrase!("seed")), options.seed.to_string()),
        (say(lang, &phrase!("clock")), options.time.to_string()),
        (
            "extended master secret".to_string(),
            say(
                lang,
                &if options.extended_master_secret {
                    phrase!("offered")
                } else {
                    phrase!("off")
                },
            ),
        ),
    ];
    if let Some(how) = options.resume {
        facts.push((
            say(lang, &phrase!("resumption")),
            say(
                lang,
                &phrase!(
                    "a full handshake, then this connection, {} s later, offering its session \
                     by {}",
                    crate::simulate::RECONNECT_AFTER,
                    how.name()
                ),
            ),
        ));
    }
    if options.mtls {
        let holder: crate::phrase::Arg = match options.client_certificate {
            Some(client) => format!("{client:?}").to_lowercase().into(),
            None => phrase!("none").into(),
        };
        facts.push((
            "mutual TLS".to_string(),
            say(
                lang,
                &phrase!(
                    "the server requires a client certificate; the client holds {}",
                    holder
                ),
            ),
        ));
    }
    facts
}

/// The web page of a simulated run (`--format html`; docs/examples/ holds some).
pub fn render_html(options: &Options, report: &Report, lang: Lang) -> String {
    let (ok, outcome) = match &report.outcome {
        Ok(()) => (
            true,
            phrase!(
                "handshake complete; the server read {}, the client read {}",
                quoted(&report.server_received),
                quoted(&report.client_received)
            ),
        ),
        Err(failure) => (
            false,
            phrase!(
                "the handshake failed at the {}: {}",
                failure.side.phrase(),
                failure.error.phrase()
            ),
        ),
    };
    let title = match options.resume {
        Some(how) => format!(
            "tls12-sim: {} (seed {}), resumed by {}",
            options.suite.name(),
            options.seed,
            how.name()
        ),
        None => format!(
            "tls12-sim: {} (seed {})",
            options.suite.name(),
            options.seed
        ),
    };
    super::render_html(
        &report.events,
        &HtmlPage {
            title: &title,
            facts: html_facts(options, lang),
            outcome: say(lang, &outcome),
            ok,
            lang,
        },
    )
}
