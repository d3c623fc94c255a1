//! A simulated run rendered for people (annotated text) and for tools (JSON), with the header
//! and outcome around the events that [`trace`] renders.

use crate::simulate::{Options, Report};
use crate::trace::text::{render_key_ledger_in, say};
use crate::trace::{self, Lang, TextOptions};

/// `text` in `lang`, line by line (see [`say`]).
fn say_lines(lang: Lang, text: &str) -> String {
    match lang {
        Lang::En => text.to_string(),
        Lang::Ja => text.lines().map(|line| say(lang, line) + "\n").collect(),
    }
}

/// The annotated text trace of a simulated run: a header, the events, the key ledger and the
/// outcome. In `lang`: every explanation is translated, the names, hex and RFC sections stay.
pub fn render_text(options: &Options, report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    out.push_str(&say_lines(
        lang,
        &format!(
            "tls12-sim: a TLS 1.2 handshake, client and server in one process\n\
             suite {} | seed {} | clock {} | extended master secret {}\n\
             The server holds the demo RSA-2048 private key; the client holds only the server's \
             certificate.\n\
             The seed fixes every random byte of both sides (runs with the same seed share \
             them).\n\
             Legend: KEY = a key is used, * = a secret, . = a derived public value, [ok] = a \
             check.\n",
            options.suite.name(),
            options.seed,
            options.time,
            if options.extended_master_secret {
                "offered"
            } else {
                "off"
            },
        ),
    ));
    out.push_str(&trace::render_text(
        &report.events,
        TextOptions {
            show_received: false,
            lang,
        },
    ));
    out.push_str(&render_key_ledger_in(&report.events, lang));
    out.push('\n');
    match &report.outcome {
        Ok(()) => out.push_str(&say_lines(
            lang,
            &format!(
                "Result: handshake complete. The server read {:?}; the client read {:?}.\n\
                 Both sides sent close_notify. The server's private key was used once, in the \
                 handshake; every record after it used only the symmetric session keys.\n",
                String::from_utf8_lossy(&report.server_received),
                String::from_utf8_lossy(&report.client_received)
            ),
        )),
        Err(failure) => out.push_str(&say_lines(
            lang,
            &format!(
                "Result: the handshake FAILED at the {}: {}\n",
                say(lang, failure.side.name()),
                say(lang, &failure.error.to_string())
            ),
        )),
    }
    if let Some(line) = &report.keylog {
        out.push_str(&say_lines(
            lang,
            &format!("NSS key log (for Wireshark): {line}"),
        ));
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
    let flows: Vec<serde_json::Value> = report
        .flows
        .iter()
        .map(|f| serde_json::json!({"from": f.from.name(), "bytes": hex::encode(&f.bytes)}))
        .collect();
    let header = serde_json::json!({
        "suite": options.suite.name(),
        "seed": options.seed,
        "time": options.time,
        "extended_master_secret": options.extended_master_secret,
        "outcome": outcome,
        "keylog": report.keylog,
        "flows": flows,
    });
    trace::render_json(header, &report.events)
}

/// The web page of a simulated run (`--format html`; docs/examples/ holds some).
pub fn render_html(options: &Options, report: &Report, lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    let word = |en: &str, ja_word: &str| if ja { ja_word } else { en }.to_string();
    let mut facts = vec![
        (
            word("suite", "暗号スイート"),
            options.suite.name().to_string(),
        ),
        (word("seed", "シード"), options.seed.to_string()),
        (word("clock", "時計"), options.time.to_string()),
        (
            "extended master secret".to_string(),
            if options.extended_master_secret {
                "offered"
            } else {
                "off"
            }
            .to_string(),
        ),
    ];
    if options.mtls {
        facts.push((
            "mutual TLS".to_string(),
            format!(
                "the server requires a client certificate; the client holds {}",
                options
                    .client_certificate
                    .map_or("none".to_string(), |c| format!("{c:?}").to_lowercase())
            ),
        ));
    }
    let (ok, outcome) = match &report.outcome {
        Ok(()) if ja => (
            true,
            format!(
                "ハンドシェイク完了。サーバーが受け取ったデータ: {:?}、クライアントが受け取ったデータ: {:?}",
                String::from_utf8_lossy(&report.server_received),
                String::from_utf8_lossy(&report.client_received)
            ),
        ),
        Ok(()) => (
            true,
            format!(
                "handshake complete; the server read {:?}, the client read {:?}",
                String::from_utf8_lossy(&report.server_received),
                String::from_utf8_lossy(&report.client_received)
            ),
        ),
        Err(failure) => (
            false,
            format!(
                "the handshake failed at the {}: {}",
                failure.side.name(),
                failure.error
            ),
        ),
    };
    let title = format!(
        "tls12-sim: {} (seed {})",
        options.suite.name(),
        options.seed
    );
    trace::render_html(
        &report.events,
        &trace::HtmlPage {
            title: &title,
            facts,
            outcome,
            ok,
            lang,
        },
    )
}
