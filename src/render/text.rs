//! The annotated text trace: what `tls12-sim` prints by default.
//!
//! Every line is a [`Phrase`] whose values are the event's: in English it is exactly what the
//! pattern says; with [`Lang::Ja`] the pattern is looked up in the table (see [`super::ja`]),
//! and each value that is itself a phrase (a side's name, an event's explanation) in turn.

use std::fmt::Write as _;

use super::{Event, GcmDetails, Lang, content_type_name, explain_field, key_ledger, say, say_arg};
use crate::codec::Field;
use crate::messages::version_name;
use crate::phrase;
use crate::phrase::{Arg, Phrase};
use crate::rng::Side;

/// How to render a trace as text.
#[derive(Clone, Copy, Debug)]
pub struct TextOptions {
    /// Show the messages and records a side *received* in full. Off in the simulator, where
    /// the sender already showed them; on for `serve` and `connect`, where the peer is not us.
    pub show_received: bool,
    /// The language of the explanations.
    pub lang: Lang,
}

/// How many columns `text` takes in a terminal: 2 for the wide characters of Japanese (kana,
/// kanji, full-width forms), 1 for the others.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '\u{1100}'..='\u{115f}'
            | '\u{2e80}'..='\u{a4cf}'
            | '\u{ac00}'..='\u{d7a3}'
            | '\u{f900}'..='\u{faff}'
            | '\u{fe30}'..='\u{fe4f}'
            | '\u{ff00}'..='\u{ff60}'
            | '\u{ffe0}'..='\u{ffe6}' => 2,
            _ => 1,
        })
        .sum()
}

/// `text` padded with spaces to `width` columns, like `format!("{text:<width$}")` but counting
/// a Japanese character as the two columns it takes.
fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(display_width(text));
    format!("{text}{}", " ".repeat(fill))
}

/// Hex for a field column: whole if short, else the head and a count.
pub(super) fn short_hex(bytes: &[u8], max: usize) -> Arg {
    let spaced = |b: &[u8]| {
        b.iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if bytes.len() <= max {
        Arg::Verbatim(spaced(bytes))
    } else {
        phrase!("{} .. ({} bytes)", spaced(&bytes[..max - 2]), bytes.len()).into()
    }
}

/// Hex of a secret or value, wrapped at 32 bytes a line, indented.
fn wrapped_hex(bytes: &[u8], indent: &str, lang: Lang) -> String {
    if bytes.is_empty() {
        return format!("{indent}{}", say(lang, &phrase!("(empty)")));
    }
    bytes
        .chunks(32)
        .map(|c| format!("{indent}{}", hex::encode(c)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renders the labelled bytes of a message, one field a line.
pub fn render_fields(bytes: &[u8], fields: &[Field], indent: &str) -> String {
    render_fields_in(bytes, fields, indent, Lang::En)
}

/// [`render_fields`] with the byte counts and meanings in `lang` (names stay as they are).
pub fn render_fields_in(bytes: &[u8], fields: &[Field], indent: &str, lang: Lang) -> String {
    let mut out = String::new();
    for f in fields {
        if f.len == 0 {
            continue;
        }
        let Some(field_bytes) = bytes.get(f.start..f.start + f.len) else {
            continue;
        };
        let depth = "  ".repeat(f.depth);
        let hex_col = format!("{depth}{}", say_arg(lang, &short_hex(field_bytes, 8)));
        let meaning = say_arg(lang, &explain_field(f.label, &f.kind, field_bytes));
        let _ = writeln!(
            out,
            "{indent}{} {:<30} {meaning}",
            pad(&hex_col, 40),
            f.label
        );
    }
    out
}

/// "client -> server" or "server -> client".
pub(super) fn arrow(from: Side) -> Phrase {
    match from {
        Side::Client => phrase!("client -> server"),
        Side::Server => phrase!("server -> client"),
    }
}

/// The annotated text trace.
pub fn render_text(events: &[Event], options: TextOptions) -> String {
    let mut out = String::new();
    for event in events {
        render_event(&mut out, event, options);
    }
    out
}

/// One event's lines.
fn render_event(out: &mut String, event: &Event, options: TextOptions) {
    let lang = options.lang;
    let line = |phrase: Phrase| say(lang, &phrase);
    match event {
        Event::Flight {
            side,
            call,
            reads,
            sends,
        } => {
            let title = format!("== {call}() ");
            let _ = writeln!(out, "\n{title:=<100}");
            if !reads.is_empty() {
                let reads = line(phrase!("{} reads: {}", side.phrase(), *reads));
                let _ = writeln!(out, "   {reads}");
            }
            if !sends.is_empty() {
                let sends = line(phrase!("{} sends: {}", side.phrase(), *sends));
                let _ = writeln!(out, "   {sends}");
            }
        }
        Event::Record {
            side,
            from,
            content_type,
            version,
            wire,
            gcm,
        } => {
            if side != from && !options.show_received {
                return;
            }
            let (arrow, header) = (arrow(*from), short_hex(&wire[..wire.len().min(5)], 5));
            let (kind, version) = (content_type_name(*content_type), version_name(*version));
            let body_len = wire.len().saturating_sub(5);
            let title = if side == from {
                phrase!(
                    "[record sent, {}] {} | {}, version {}, {} bytes",
                    arrow,
                    header.to_string(),
                    kind,
                    version,
                    body_len
                )
            } else {
                phrase!(
                    "[record received, {}] {} | {}, version {}, {} bytes",
                    arrow,
                    header.to_string(),
                    kind,
                    version,
                    body_len
                )
            };
            let _ = writeln!(out, "\n   {}", line(title));
            for explanation in record_protection(*from, *content_type, gcm.as_ref()) {
                let _ = writeln!(out, "      {}", line(explanation));
            }
        }
        Event::Message {
            side,
            from,
            name,
            rfc,
            bytes,
            fields,
        } => {
            if side != from && !options.show_received {
                return;
            }
            let title = phrase!(
                "{}  {}  ({}, {} bytes)",
                arrow(*from),
                name,
                *rfc,
                bytes.len()
            );
            let _ = writeln!(out, "\n   {}", line(title));
            out.push_str(&render_fields_in(bytes, fields, "      ", lang));
        }
        other => render_explanation(out, other, lang),
    }
}

/// How a record was protected, in words: a line or three.
fn record_protection(from: Side, content_type: u8, gcm: Option<&GcmDetails>) -> Vec<Phrase> {
    match gcm {
        None if content_type == 20 => vec![phrase!(
            "ChangeCipherSpec itself travels in the clear; the next record from the {} is \
             protected with {}_write_key",
            from.phrase(),
            from.name()
        )],
        None => vec![phrase!(
            "not protected: the {} has not switched to its session keys yet",
            from.phrase()
        )],
        Some(g) => vec![
            phrase!(
                "protected with AES-GCM, seq {}: explicit nonce {} (sent), nonce = implicit IV + \
                 explicit = {}",
                g.seq,
                hex::encode(&g.explicit_nonce),
                hex::encode(&g.nonce)
            ),
            phrase!(
                "AAD = seq + type + version + length = {}",
                hex::encode(&g.aad)
            ),
            phrase!(
                "{} bytes of plaintext -> {} bytes of ciphertext + tag {}",
                g.plaintext.len(),
                g.plaintext.len(),
                hex::encode(&g.tag)
            ),
        ],
    }
}

/// The lines of the events that explain: secrets, values, key uses, checks, notes, alerts,
/// application data.
fn render_explanation(out: &mut String, event: &Event, lang: Lang) {
    let line = |phrase: Phrase| say(lang, &phrase);
    match event {
        Event::Secret {
            side,
            name,
            value,
            how,
        } => {
            let title = phrase!(
                "* {} secret {} ({} bytes) = {}",
                side.phrase(),
                *name,
                value.len(),
                how
            );
            let _ = writeln!(out, "   {}", line(title));
            let _ = writeln!(out, "{}", wrapped_hex(value, "       ", lang));
        }
        Event::Value {
            side,
            name,
            value,
            how,
        } => {
            let _ = writeln!(
                out,
                "   {}",
                line(phrase!(". {} {} = {}", side.phrase(), *name, how))
            );
            let _ = writeln!(out, "{}", wrapped_hex(value, "       ", lang));
        }
        Event::KeyUse {
            side,
            key,
            operation,
        } => {
            let title = phrase!(
                "KEY {} uses the {}: {}",
                side.phrase(),
                key.name(),
                operation
            );
            let _ = writeln!(out, "   {}", line(title));
        }
        Event::Check { side, what, ok } => {
            let mark = if *ok { "ok  " } else { "FAIL" };
            let _ = writeln!(
                out,
                "   {}",
                line(phrase!("[{}] {} checks {}", mark, side.phrase(), what))
            );
        }
        Event::Note { side, text } => {
            let _ = writeln!(out, "   {}: {}", say(lang, &side.phrase()), say(lang, text));
        }
        Event::Alert {
            side,
            from,
            level,
            description,
        } => {
            let (level, name, code) = (level.name(), description.name(), description.code());
            let title = if side == from {
                phrase!(
                    "ALERT {} sends {} {} ({})",
                    side.phrase(),
                    level,
                    name,
                    code
                )
            } else {
                phrase!(
                    "ALERT {} receives {} {} ({})",
                    side.phrase(),
                    level,
                    name,
                    code
                )
            };
            let _ = writeln!(out, "   {}", line(title));
        }
        Event::AppData {
            side, from, data, ..
        } => {
            let text = format!("{:?}", String::from_utf8_lossy(data));
            if side != from {
                let title = phrase!("{} reads application data: {}", side.phrase(), text);
                let _ = writeln!(out, "   {}", line(title));
            } else {
                let title = phrase!(
                    "{} writes application data ({} bytes): {}",
                    side.phrase(),
                    data.len(),
                    text
                );
                let _ = writeln!(out, "\n   {}", line(title));
            }
        }
        Event::Flight { .. } | Event::Record { .. } | Event::Message { .. } => {}
    }
}

/// The key ledger: every key, who holds it, and what it was used for in this run.
pub fn render_key_ledger(events: &[Event]) -> String {
    render_key_ledger_in(events, Lang::En)
}

/// [`render_key_ledger`] in `lang`.
pub fn render_key_ledger_in(events: &[Event], lang: Lang) -> String {
    let title = phrase!("Key ledger: who held which key, and what each key did");
    let mut out = format!("\n{}\n", say(lang, &title));
    for entry in key_ledger(events) {
        let key = entry.key;
        let held = phrase!(
            "{} held by {}",
            pad(&say(lang, &key.name()), 30),
            key.held_by()
        );
        let _ = writeln!(out, "  {}", say(lang, &held));
        for (side, op) in entry.uses {
            let _ = writeln!(
                out,
                "  {:<30}   - {}: {}",
                "",
                say(lang, &side.phrase()),
                say(lang, op)
            );
        }
        if entry.sealed_records > 0 {
            let sealed = phrase!(
                "sealed {} records (each opened by the peer's copy)",
                entry.sealed_records
            );
            let _ = writeln!(out, "  {:<30}   - {}", "", say(lang, &sealed));
        }
    }
    out
}
