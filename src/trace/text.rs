//! The annotated text trace: what `tls12-sim` prints by default.

use std::fmt::Write as _;

use super::{Event, Key, Lang, explain_field};
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

/// Hex for a field column: whole if short, else the head and a count.
fn short_hex(bytes: &[u8], max: usize) -> String {
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
fn wrapped_hex(bytes: &[u8], indent: &str) -> String {
    if bytes.is_empty() {
        return format!("{indent}(empty)");
    }
    bytes
        .chunks(32)
        .map(|c| format!("{indent}{}", hex::encode(c)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renders the labelled bytes of a message, one field a line.
pub fn render_fields(bytes: &[u8], fields: &[Field], indent: &str) -> String {
    let mut out = String::new();
    for f in fields {
        if f.len == 0 {
            continue;
        }
        let Some(field_bytes) = bytes.get(f.start..f.start + f.len) else {
            continue;
        };
        let pad = "  ".repeat(f.depth);
        let hex_col = format!("{pad}{}", short_hex(field_bytes, 8));
        let meaning = explain_field(f.label, &f.kind, field_bytes);
        let _ = writeln!(out, "{indent}{hex_col:<40} {:<30} {meaning}", f.label);
    }
    out
}

fn content_type_name(ct: u8) -> String {
    match ct {
        20 => "change_cipher_spec".into(),
        21 => "alert".into(),
        22 => "handshake".into(),
        23 => "application_data".into(),
        other => format!("content type {other}"),
    }
}

fn arrow(from: Side) -> &'static str {
    match from {
        Side::Client => "client -> server",
        Side::Server => "server -> client",
    }
}

/// The annotated text trace.
pub fn render_text(events: &[Event], options: TextOptions) -> String {
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
                    let _ = writeln!(out, "   {} reads: {reads}", side.name());
                }
                if !sends.is_empty() {
                    let _ = writeln!(out, "   {} sends: {sends}", side.name());
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
                    "\n   [record {verb}, {}] {} | {}, version {}, {} bytes",
                    arrow(*from),
                    short_hex(&wire[..wire.len().min(5)], 5),
                    content_type_name(*content_type),
                    version_name(*version),
                    body_len
                );
                match gcm {
                    None if *content_type == 20 => {
                        let _ = writeln!(
                            out,
                            "      ChangeCipherSpec itself travels in the clear; the next record \
                             from the {0} is protected with {0}_write_key",
                            from.name()
                        );
                    }
                    None => {
                        let _ = writeln!(
                            out,
                            "      not protected: the {} has not switched to its session keys yet",
                            from.name()
                        );
                    }
                    Some(g) => {
                        let _ = writeln!(
                            out,
                            "      protected with AES-GCM, seq {}: explicit nonce {} (sent), \
                             nonce = implicit IV + explicit = {}",
                            g.seq,
                            hex::encode(&g.explicit_nonce),
                            hex::encode(&g.nonce)
                        );
                        let _ = writeln!(
                            out,
                            "      AAD = seq + type + version + length = {}",
                            hex::encode(&g.aad)
                        );
                        let _ = writeln!(
                            out,
                            "      {} bytes of plaintext -> {} bytes of ciphertext + tag {}",
                            g.plaintext.len(),
                            g.plaintext.len(),
                            hex::encode(&g.tag)
                        );
                    }
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
                    "\n   {}  {name}  ({rfc}, {} bytes)",
                    arrow(*from),
                    bytes.len()
                );
                out.push_str(&render_fields(bytes, fields, "      "));
            }
            Event::Secret {
                side,
                name,
                value,
                how,
            } => {
                let _ = writeln!(
                    out,
                    "   * {} secret {name} ({} bytes) = {how}",
                    side.name(),
                    value.len()
                );
                let _ = writeln!(out, "{}", wrapped_hex(value, "       "));
            }
            Event::Value {
                side,
                name,
                value,
                how,
            } => {
                let _ = writeln!(out, "   . {} {name} = {how}", side.name());
                let _ = writeln!(out, "{}", wrapped_hex(value, "       "));
            }
            Event::KeyUse {
                side,
                key,
                operation,
            } => {
                let _ = writeln!(
                    out,
                    "   KEY {} uses the {}: {operation}",
                    side.name(),
                    key.name()
                );
            }
            Event::Check { side, what, ok } => {
                let mark = if *ok { "ok  " } else { "FAIL" };
                let _ = writeln!(out, "   [{mark}] {} checks {what}", side.name());
            }
            Event::Note { side, text } => {
                let _ = writeln!(out, "   {}: {text}", side.name());
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
                    "   ALERT {} {verb} {} {} ({})",
                    side.name(),
                    level.name(),
                    description.name(),
                    description.code()
                );
            }
            Event::AppData {
                side, from, data, ..
            } => {
                if side != from {
                    let _ = writeln!(
                        out,
                        "   {} reads application data: {:?}",
                        side.name(),
                        String::from_utf8_lossy(data)
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "\n   {} writes application data ({} bytes): {:?}",
                        side.name(),
                        data.len(),
                        String::from_utf8_lossy(data)
                    );
                }
            }
        }
    }
    out
}

/// The key ledger: every key, who holds it, and what it was used for in this run.
pub fn render_key_ledger(events: &[Event]) -> String {
    let mut out = String::from("\nKey ledger: who held which key, and what each key did\n");
    let keys = [
        Key::ServerPublicKey,
        Key::ServerPrivateKey,
        Key::ClientPublicKey,
        Key::ClientPrivateKey,
        Key::EphemeralPrivateKey,
        Key::SessionKeys,
    ];
    for key in keys {
        let uses: Vec<(Side, &String)> = events
            .iter()
            .filter_map(|e| match e {
                Event::KeyUse {
                    side,
                    key: k,
                    operation,
                } if *k == key => Some((*side, operation)),
                _ => None,
            })
            .collect();
        let protected_records = if key == Key::SessionKeys {
            events
                .iter()
                .filter(
                    |e| matches!(e, Event::Record { side, from, gcm: Some(_), .. } if side == from),
                )
                .count()
        } else {
            0
        };
        if uses.is_empty() && protected_records == 0 {
            continue;
        }
        let _ = writeln!(out, "  {:<30} held by {}", key.name(), key.held_by());
        for (side, op) in uses {
            let _ = writeln!(out, "  {:<30}   - {}: {op}", "", side.name());
        }
        if protected_records > 0 {
            let _ = writeln!(
                out,
                "  {:<30}   - sealed {protected_records} records (each opened by the peer's copy)",
                ""
            );
        }
    }
    out
}
