//! The annotated text trace: what `tls12-sim` prints by default.
//!
//! Every line is written in English first, as the code says it; with [`Lang::Ja`] it then goes
//! through the table in [`super::ja`]: the parts that carry words (a side's name, an event's
//! explanation) one by one, then the sentence around them. In English nothing is looked up,
//! so the English trace is exactly what the format strings below say.

use std::fmt::Write as _;

use super::{Event, Lang, content_type_name, explain_field, ja, key_ledger};
use crate::codec::Field;
use crate::messages::version_name;
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

/// `english` in the language of the trace: as it is, or its Japanese from the table (the
/// English again when the table has none).
pub fn say(lang: Lang, english: &str) -> String {
    match lang {
        Lang::En => english.to_string(),
        Lang::Ja => ja::translate_or_keep(english),
    }
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
pub(super) fn short_hex(bytes: &[u8], max: usize) -> String {
    let spaced = |b: &[u8]| {
        b.iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if bytes.len() <= max {
        spaced(bytes)
    } else {
        format!("{} .. ({} bytes)", spaced(&bytes[..max - 2]), bytes.len())
    }
}

/// Hex of a secret or value, wrapped at 32 bytes a line, indented.
fn wrapped_hex(bytes: &[u8], indent: &str, lang: Lang) -> String {
    if bytes.is_empty() {
        return format!("{indent}{}", say(lang, "(empty)"));
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
        let hex_col = format!("{depth}{}", say(lang, &short_hex(field_bytes, 8)));
        let meaning = say(lang, &explain_field(f.label, &f.kind, field_bytes));
        let _ = writeln!(
            out,
            "{indent}{} {:<30} {meaning}",
            pad(&hex_col, 40),
            f.label
        );
    }
    out
}

fn arrow(from: Side) -> &'static str {
    match from {
        Side::Client => "client -> server",
        Side::Server => "server -> client",
    }
}

/// The annotated text trace.
pub fn render_text(events: &[Event], options: TextOptions) -> String {
    let lang = options.lang;
    // A side's name, and the words of a line around its parts, in `lang`.
    let who = |side: Side| say(lang, side.name());
    let line = |english: String| say(lang, &english);
    let mut out = String::new();
    for event in events {
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
                    let _ = writeln!(out, "   {}", line(format!("{} reads: {reads}", who(*side))));
                }
                if !sends.is_empty() {
                    let _ = writeln!(out, "   {}", line(format!("{} sends: {sends}", who(*side))));
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
                    continue;
                }
                let verb = if side == from { "sent" } else { "received" };
                let body_len = wire.len().saturating_sub(5);
                let _ = writeln!(
                    out,
                    "\n   {}",
                    line(format!(
                        "[record {verb}, {}] {} | {}, version {}, {} bytes",
                        say(lang, arrow(*from)),
                        short_hex(&wire[..wire.len().min(5)], 5),
                        content_type_name(*content_type),
                        version_name(*version),
                        body_len
                    ))
                );
                let explained = match gcm {
                    None if *content_type == 20 => vec![format!(
                        "ChangeCipherSpec itself travels in the clear; the next record from the \
                         {0} is protected with {0}_write_key",
                        from.name()
                    )],
                    None => vec![format!(
                        "not protected: the {} has not switched to its session keys yet",
                        who(*from)
                    )],
                    Some(g) => vec![
                        format!(
                            "protected with AES-GCM, seq {}: explicit nonce {} (sent), nonce = \
                             implicit IV + explicit = {}",
                            g.seq,
                            hex::encode(&g.explicit_nonce),
                            hex::encode(&g.nonce)
                        ),
                        format!(
                            "AAD = seq + type + version + length = {}",
                            hex::encode(&g.aad)
                        ),
                        format!(
                            "{} bytes of plaintext -> {} bytes of ciphertext + tag {}",
                            g.plaintext.len(),
                            g.plaintext.len(),
                            hex::encode(&g.tag)
                        ),
                    ],
                };
                for english in explained {
                    let _ = writeln!(out, "      {}", line(english));
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
                    continue;
                }
                let _ = writeln!(
                    out,
                    "\n   {}",
                    line(format!(
                        "{}  {name}  ({rfc}, {} bytes)",
                        say(lang, arrow(*from)),
                        bytes.len()
                    ))
                );
                out.push_str(&render_fields_in(bytes, fields, "      ", lang));
            }
            Event::Secret {
                side,
                name,
                value,
                how,
            } => {
                let _ = writeln!(
                    out,
                    "   {}",
                    line(format!(
                        "* {} secret {name} ({} bytes) = {}",
                        who(*side),
                        value.len(),
                        say(lang, how)
                    ))
                );
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
                    line(format!(". {} {name} = {}", who(*side), say(lang, how)))
                );
                let _ = writeln!(out, "{}", wrapped_hex(value, "       ", lang));
            }
            Event::KeyUse {
                side,
                key,
                operation,
            } => {
                let _ = writeln!(
                    out,
                    "   {}",
                    line(format!(
                        "KEY {} uses the {}: {}",
                        who(*side),
                        say(lang, key.name()),
                        say(lang, operation)
                    ))
                );
            }
            Event::Check { side, what, ok } => {
                let mark = if *ok { "ok  " } else { "FAIL" };
                let _ = writeln!(
                    out,
                    "   {}",
                    line(format!(
                        "[{mark}] {} checks {}",
                        who(*side),
                        say(lang, what)
                    ))
                );
            }
            Event::Note { side, text } => {
                let _ = writeln!(out, "   {}: {}", who(*side), say(lang, text));
            }
            Event::Alert {
                side,
                from,
                level,
                description,
            } => {
                let verb = if side == from { "sends" } else { "receives" };
                let _ = writeln!(
                    out,
                    "   {}",
                    line(format!(
                        "ALERT {} {verb} {} {} ({})",
                        who(*side),
                        level.name(),
                        description.name(),
                        description.code()
                    ))
                );
            }
            Event::AppData {
                side, from, data, ..
            } => {
                if side != from {
                    let _ = writeln!(
                        out,
                        "   {}",
                        line(format!(
                            "{} reads application data: {:?}",
                            who(*side),
                            String::from_utf8_lossy(data)
                        ))
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "\n   {}",
                        line(format!(
                            "{} writes application data ({} bytes): {:?}",
                            who(*side),
                            data.len(),
                            String::from_utf8_lossy(data)
                        ))
                    );
                }
            }
        }
    }
    out
}

/// The key ledger: every key, who holds it, and what it was used for in this run.
pub fn render_key_ledger(events: &[Event]) -> String {
    render_key_ledger_in(events, Lang::En)
}

/// [`render_key_ledger`] in `lang`.
pub fn render_key_ledger_in(events: &[Event], lang: Lang) -> String {
    let mut out = format!(
        "\n{}\n",
        say(
            lang,
            "Key ledger: who held which key, and what each key did"
        )
    );
    for entry in key_ledger(events) {
        let key = entry.key;
        let held = format!(
            "{} held by {}",
            pad(&say(lang, key.name()), 30),
            say(lang, key.held_by())
        );
        let _ = writeln!(out, "  {}", say(lang, &held));
        for (side, op) in entry.uses {
            let _ = writeln!(
                out,
                "  {:<30}   - {}: {}",
                "",
                say(lang, side.name()),
                say(lang, op)
            );
        }
        if entry.sealed_records > 0 {
            let sealed = format!(
                "sealed {} records (each opened by the peer's copy)",
                entry.sealed_records
            );
            let _ = writeln!(out, "  {:<30}   - {}", "", say(lang, &sealed));
        }
    }
    out
}
