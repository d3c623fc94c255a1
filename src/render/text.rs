//! The annotated text trace: what `tls12-sim` prints by default.
//!
//! Every line is a [`Phrase`] whose values are the event's: in English it is exactly what the
//! pattern says; with [`Lang::Ja`] the pattern is looked up in the table (see [`super::ja`]),
//! and each value that is itself a phrase (a side's name, an event's explanation) in turn.

use std::fmt::Write as _;

use super::parts::{
    CbcHex, Derived, Does, GcmHex, TracedRecord, cbc_blocks, cbc_layout, cbc_order, flight_steps,
    labelled_fields, quoted, short_hex,
};
use super::{
    Event, Key, Lang, TracedMessage, check_of, content_type_name, failure_note, key_ledger, say,
    say_arg,
};
use crate::codec::Field;
use crate::messages::alert::{AlertDescription, AlertLevel};
use crate::messages::version_name;
use crate::phrase;
use crate::phrase::Phrase;
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
    for field in labelled_fields(bytes, fields) {
        let depth = "  ".repeat(field.depth);
        let hex_col = format!("{depth}{}", say_arg(lang, &short_hex(field.bytes, 8)));
        let meaning = say_arg(lang, &field.meaning);
        let _ = writeln!(
            out,
            "{indent}{} {:<30} {meaning}",
            pad(&hex_col, 40),
            field.label
        );
    }
    out
}

/// "client -> server" or "server -> client".
fn arrow(from: Side) -> Phrase {
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

/// One event's lines: each kind of event has its function below. Records and messages a side
/// received are left out unless `options` asks for them.
fn render_event(out: &mut String, event: &Event, options: TextOptions) {
    let lang = options.lang;
    let shown = |sent: bool| sent || options.show_received;
    match event {
        Event::Flight {
            side,
            call,
            reads,
            sends,
        } => flight_lines(out, *side, call, reads, sends, lang),
        Event::Record { .. } => {
            if let Some(record) = TracedRecord::of(event).filter(|r| shown(r.sent())) {
                record_lines(out, &record, lang);
            }
        }
        Event::Message { .. } => {
            if let Some(message) = TracedMessage::of(event).filter(|m| shown(m.sent())) {
                message_lines(out, &message, lang);
            }
        }
        Event::Secret { .. } | Event::Value { .. } => {
            if let Some(derived) = Derived::of(event) {
                derived_lines(out, &derived, lang);
            }
        }
        Event::KeyUse {
            side,
            key,
            operation,
        } => key_use_line(out, *side, *key, operation, lang),
        Event::Check { .. } | Event::ChainCheck { .. } => {
            if let Some((side, what, ok)) = check_of(event) {
                check_line(out, side, &what, ok, lang);
            }
        }
        Event::Note { side, text } => note_line(out, *side, text, lang),
        Event::Failure { side, error, .. } => note_line(out, *side, &failure_note(error), lang),
        Event::Alert {
            side,
            from,
            level,
            description,
        } => alert_line(out, *side, *from, *level, *description, lang),
        Event::AppData {
            side, from, data, ..
        } => app_data_line(out, *side, *from, data, lang),
    }
}

/// A flight: a rule with the method's name, then what the side reads and sends.
fn flight_lines(out: &mut String, side: Side, call: &str, reads: &str, sends: &str, lang: Lang) {
    // A method is shown called; a recorded flight (`inspect`) by its name.
    let title = if call.contains(' ') {
        let recorded = phrase!("recorded {} flight", side.phrase());
        format!("== {} ", say(lang, &recorded))
    } else {
        format!("== {call}() ")
    };
    let _ = writeln!(out, "\n{title:=<100}");
    for (does, messages) in flight_steps(reads, sends) {
        let line = match does {
            Does::Reads => phrase!("{} reads: {}", side.phrase(), messages),
            Does::Sends => phrase!("{} sends: {}", side.phrase(), messages),
        };
        let _ = writeln!(out, "   {}", say(lang, &line));
    }
}

/// A record: its direction, header and size, then how it was protected.
fn record_lines(out: &mut String, record: &TracedRecord<'_>, lang: Lang) {
    let (arrow, header) = (arrow(record.from), short_hex(record.header(), 5));
    let kind = content_type_name(record.content_type);
    let version = version_name(record.version);
    let body_len = record.fragment().len();
    let title = if record.sent() {
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
    let _ = writeln!(out, "\n   {}", say(lang, &title));
    for explanation in record_protection(record) {
        let _ = writeln!(out, "      {}", say(lang, &explanation));
    }
}

/// How a record was protected, in words: a line or three.
fn record_protection(record: &TracedRecord<'_>) -> Vec<Phrase> {
    let from = record.from;
    if let Some(cbc) = record.cbc {
        return cbc_protection(record, cbc);
    }
    let Some(gcm) = record.gcm else {
        return if record.content_type == 20 {
            vec![phrase!(
                "ChangeCipherSpec itself travels in the clear; the next record from the {} is \
                 protected with {}_write_key",
                from.phrase(),
                from.name()
            )]
        } else {
            vec![phrase!(
                "not protected: the {} has not switched to its session keys yet",
                from.phrase()
            )]
        };
    };
    let hex = GcmHex::of(gcm);
    // The explicit nonce travels in the record: its sender chose it, its receiver reads it.
    let nonce = if record.sent() {
        phrase!(
            "protected with AES-GCM, seq {}: explicit nonce {} (sent), nonce = implicit IV + \
             explicit = {}",
            hex.seq,
            hex.explicit_nonce,
            hex.nonce
        )
    } else {
        phrase!(
            "protected with AES-GCM, seq {}: explicit nonce {} (received), nonce = implicit IV \
             + explicit = {}",
            hex.seq,
            hex.explicit_nonce,
            hex.nonce
        )
    };
    vec![
        nonce,
        phrase!("AAD = seq + type + version + length = {}", hex.aad),
        phrase!(
            "{} bytes of plaintext -> {} bytes of ciphertext + tag {}",
            gcm.plaintext.len(),
            gcm.plaintext.len(),
            hex.tag
        ),
    ]
}

/// How a CBC record was protected: IV, MAC input and MAC, padding, the ciphertext's blocks,
/// and the order, with why it matters.
fn cbc_protection(record: &TracedRecord<'_>, cbc: &crate::event::CbcDetails) -> Vec<Phrase> {
    let hex = CbcHex::of(cbc);
    let layout = cbc_layout(record.fragment().len(), cbc);
    let ciphertext = record.fragment().get(layout.ciphertext).unwrap_or_default();
    let blocks = ciphertext.len() / 16;
    let covered = if cbc.encrypt_then_mac {
        phrase!("IV + the {} bytes of ciphertext", ciphertext.len() + 16)
    } else {
        phrase!("the {} bytes of content", cbc.plaintext.len())
    };
    let encrypted = if cbc.encrypt_then_mac {
        phrase!(
            "AES-CBC(write key, IV, content + padding) = {} blocks: {}; then the MAC, in the \
             clear",
            blocks,
            cbc_blocks(ciphertext)
        )
    } else {
        phrase!(
            "AES-CBC(write key, IV, content + MAC + padding) = {} blocks: {}",
            blocks,
            cbc_blocks(ciphertext)
        )
    };
    vec![
        phrase!(
            "protected with AES-CBC and {}, seq {}: IV {} (16 random bytes, sent first)",
            hex.mac_algorithm,
            hex.seq,
            hex.iv
        ),
        phrase!(
            "MAC = {}(write MAC key, seq + type + version + length = {} + {}) = {}",
            hex.mac_algorithm,
            hex.mac_header,
            covered,
            hex.mac
        ),
        phrase!(
            "padding: {} ({} bytes, each padding_length = {})",
            hex.padding,
            hex.padding_len,
            hex.padding_len - 1
        ),
        encrypted,
        cbc_order(cbc),
    ]
}

/// A message: its direction, name, RFC section and size, then its fields one a line.
fn message_lines(out: &mut String, message: &TracedMessage<'_>, lang: Lang) {
    let title = phrase!(
        "{}  {}  ({}, {} bytes)",
        arrow(message.from),
        message.name,
        message.rfc,
        message.bytes.len()
    );
    let _ = writeln!(out, "\n   {}", say(lang, &title));
    out.push_str(&render_fields_in(
        message.bytes,
        message.fields,
        "      ",
        lang,
    ));
}

/// A secret (`*`) or a derived value (`.`): its name and how it was made, then its hex.
fn derived_lines(out: &mut String, derived: &Derived<'_>, lang: Lang) {
    let (side, name, how) = (derived.side.phrase(), derived.name, derived.how);
    let title = if derived.secret {
        phrase!(
            "* {} secret {} ({} bytes) = {}",
            side,
            name,
            derived.value.len(),
            how
        )
    } else {
        phrase!(". {} {} = {}", side, name, how)
    };
    let _ = writeln!(out, "   {}", say(lang, &title));
    let _ = writeln!(out, "{}", wrapped_hex(derived.value, "       ", lang));
}

/// A use of a key, for the key ledger.
fn key_use_line(out: &mut String, side: Side, key: Key, operation: &Phrase, lang: Lang) {
    let title = phrase!(
        "KEY {} uses the {}: {}",
        side.phrase(),
        key.name(),
        operation
    );
    let _ = writeln!(out, "   {}", say(lang, &title));
}

/// A check and its outcome.
fn check_line(out: &mut String, side: Side, what: &Phrase, ok: bool, lang: Lang) {
    let mark = if ok { "ok  " } else { "FAIL" };
    let title = phrase!("[{}] {} checks {}", mark, side.phrase(), what);
    let _ = writeln!(out, "   {}", say(lang, &title));
}

/// A note: who says what.
fn note_line(out: &mut String, side: Side, text: &Phrase, lang: Lang) {
    let _ = writeln!(out, "   {}: {}", say(lang, &side.phrase()), say(lang, text));
}

/// An alert, as its sender sends it or its receiver receives it.
fn alert_line(
    out: &mut String,
    side: Side,
    from: Side,
    level: AlertLevel,
    description: AlertDescription,
    lang: Lang,
) {
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
    let _ = writeln!(out, "   {}", say(lang, &title));
}

/// Application data, as its sender writes it or its receiver reads it.
fn app_data_line(out: &mut String, side: Side, from: Side, data: &[u8], lang: Lang) {
    let text = quoted(data);
    if side != from {
        let title = phrase!("{} reads application data: {}", side.phrase(), text);
        let _ = writeln!(out, "   {}", say(lang, &title));
    } else {
        let title = phrase!(
            "{} writes application data ({} bytes): {}",
            side.phrase(),
            data.len(),
            text
        );
        let _ = writeln!(out, "\n   {}", say(lang, &title));
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
