//! What a run shows a learner: trace events, and their renderings as annotated text, JSON and
//! the NSS key log.
//!
//! Each side records [`Event`]s as it works: the flights it starts, every message with the
//! labelled bytes its codec wrote or read, every record with its protection (GCM nonce, AAD,
//! tag), every secret as it is derived and from what, and every use of a key (the key ledger).
//! The simulator merges both sides' events in flight order, so the text trace reads like the
//! sequence diagram.

use std::collections::VecDeque;

use serde::Serialize;

pub mod html;
pub mod ja;
pub mod json;
pub mod mermaid;
pub mod text;
pub mod worksheet;

pub use html::{HtmlPage, render_html};
pub use json::render_json;
pub use mermaid::render_mermaid;
pub use text::{TextOptions, render_fields, render_key_ledger, render_text};

use crate::codec::{Field, FieldKind};
use crate::messages::alert::{AlertDescription, AlertLevel};
use crate::messages::extensions::{extension_name, group_name};
use crate::messages::{handshake_type_name, version_name};
use crate::rng::Side;
use crate::suites::describe_suite_id;

/// Serialize bytes as a lowercase hex string in JSON.
fn as_hex<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(bytes))
}

fn as_hex_opt<S: serde::Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match bytes {
        Some(b) => s.serialize_str(&hex::encode(b)),
        None => s.serialize_none(),
    }
}

/// The language of a trace's explanations. Field names, message names and RFC terms stay as
/// the RFCs write them in every language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Japanese, the language of the source articles.
    Ja,
}

/// The keys a handshake involves, for the key ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    /// The RSA public key in the server's certificate.
    ServerPublicKey,
    /// The server's RSA private key.
    ServerPrivateKey,
    /// The RSA public key in the client's certificate (mutual TLS).
    ClientPublicKey,
    /// The client's RSA private key (mutual TLS).
    ClientPrivateKey,
    /// An ephemeral X25519 private key (ECDHE), thrown away after the handshake.
    EphemeralPrivateKey,
    /// The symmetric session keys derived from the master secret.
    SessionKeys,
}

impl Key {
    pub fn name(self) -> &'static str {
        match self {
            Key::ServerPublicKey => "server public key",
            Key::ServerPrivateKey => "server private key",
            Key::ClientPublicKey => "client public key",
            Key::ClientPrivateKey => "client private key",
            Key::EphemeralPrivateKey => "ephemeral X25519 private key",
            Key::SessionKeys => "session keys",
        }
    }

    /// Who holds this key, by the design of TLS.
    pub fn held_by(self) -> &'static str {
        match self {
            Key::ServerPublicKey => "anyone: it is in the server's certificate",
            Key::ServerPrivateKey => "the server only; it never leaves it",
            Key::ClientPublicKey => "anyone: it is in the client's certificate",
            Key::ClientPrivateKey => "the client only; it never leaves it",
            Key::EphemeralPrivateKey => "its side only, for one handshake",
            Key::SessionKeys => "client and server, each derived on its own side",
        }
    }
}

/// GCM protection details of one record (RFC 5288 3, RFC 5246 6.2.3.3).
#[derive(Clone, Debug, Serialize)]
pub struct GcmDetails {
    /// The sequence number of the record in its direction.
    pub seq: u64,
    /// The 8-byte explicit nonce sent in the record.
    #[serde(serialize_with = "as_hex")]
    pub explicit_nonce: Vec<u8>,
    /// The full 12-byte nonce: implicit IV (4 bytes, from the key block) + explicit nonce.
    #[serde(serialize_with = "as_hex")]
    pub nonce: Vec<u8>,
    /// additional_data = seq_num + TLSCompressed.type + TLSCompressed.version +
    /// TLSCompressed.length.
    #[serde(serialize_with = "as_hex")]
    pub aad: Vec<u8>,
    #[serde(serialize_with = "as_hex")]
    pub tag: Vec<u8>,
    #[serde(serialize_with = "as_hex")]
    pub plaintext: Vec<u8>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// One side begins a flight (one of its public methods).
    Flight {
        side: Side,
        /// The method, e.g. `server.answer_hello`.
        call: &'static str,
        /// The messages it reads, in order ([brackets] for optional ones).
        reads: &'static str,
        /// The messages it sends.
        sends: &'static str,
    },
    /// A record written to or read from the wire.
    Record {
        /// Who logged it.
        side: Side,
        /// Who sent it.
        from: Side,
        content_type: u8,
        version: u16,
        /// The whole record as on the wire: 5-byte header and fragment.
        #[serde(serialize_with = "as_hex")]
        wire: Vec<u8>,
        /// Present when the record was protected.
        gcm: Option<GcmDetails>,
    },
    /// A message (handshake, alert, change_cipher_spec) with its labelled bytes.
    Message {
        side: Side,
        from: Side,
        name: String,
        rfc: &'static str,
        #[serde(serialize_with = "as_hex")]
        bytes: Vec<u8>,
        fields: Vec<Field>,
    },
    /// A secret chosen or derived, with how.
    Secret {
        side: Side,
        name: &'static str,
        #[serde(serialize_with = "as_hex")]
        value: Vec<u8>,
        how: String,
    },
    /// A value worth showing that is not secret (a hash, a signature input).
    Value {
        side: Side,
        name: &'static str,
        #[serde(serialize_with = "as_hex")]
        value: Vec<u8>,
        how: String,
    },
    /// A key used for something: the key ledger.
    KeyUse {
        side: Side,
        key: Key,
        operation: String,
    },
    /// A check a side made, and its outcome.
    Check { side: Side, what: String, ok: bool },
    /// An explanation.
    Note { side: Side, text: String },
    /// An alert sent or received.
    Alert {
        side: Side,
        from: Side,
        level: AlertLevel,
        description: AlertDescription,
    },
    /// Application data, as plaintext.
    AppData {
        side: Side,
        from: Side,
        #[serde(serialize_with = "as_hex")]
        data: Vec<u8>,
        #[serde(serialize_with = "as_hex_opt")]
        record_tag: Option<Vec<u8>>,
    },
}

/// One side's event log.
#[derive(Debug, Default)]
pub struct Trace {
    pub enabled: bool,
    pub events: Vec<Event>,
    /// How many of `events` have been printed already (`serve`/`connect` print as they go).
    pub printed: usize,
}

impl Trace {
    pub fn new(enabled: bool) -> Self {
        Trace {
            enabled,
            events: Vec::new(),
            printed: 0,
        }
    }

    pub fn push(&mut self, event: Event) {
        if self.enabled {
            self.events.push(event);
        }
    }

    pub fn take(&mut self) -> Vec<Event> {
        self.printed = 0;
        std::mem::take(&mut self.events)
    }

    pub fn note(&mut self, side: Side, text: impl Into<String>) {
        if self.enabled {
            self.events.push(Event::Note {
                side,
                text: text.into(),
            });
        }
    }

    pub fn secret(&mut self, side: Side, name: &'static str, value: &[u8], how: impl Into<String>) {
        if self.enabled {
            self.events.push(Event::Secret {
                side,
                name,
                value: value.to_vec(),
                how: how.into(),
            });
        }
    }

    pub fn value(&mut self, side: Side, name: &'static str, value: &[u8], how: impl Into<String>) {
        if self.enabled {
            self.events.push(Event::Value {
                side,
                name,
                value: value.to_vec(),
                how: how.into(),
            });
        }
    }

    pub fn key_use(&mut self, side: Side, key: Key, operation: impl Into<String>) {
        if self.enabled {
            self.events.push(Event::KeyUse {
                side,
                key,
                operation: operation.into(),
            });
        }
    }

    pub fn check(&mut self, side: Side, what: impl Into<String>, ok: bool) {
        if self.enabled {
            self.events.push(Event::Check {
                side,
                what: what.into(),
                ok,
            });
        }
    }
}

/// The name of a record's content type (RFC 5246 6.2.1).
pub fn content_type_name(content_type: u8) -> String {
    match content_type {
        20 => "change_cipher_spec".into(),
        21 => "alert".into(),
        22 => "handshake".into(),
        23 => "application_data".into(),
        other => format!("content type {other}"),
    }
}

/// The first value (a Secret or a Value event) that `side` traced under `name`.
pub fn traced_value<'a>(events: &'a [Event], side: Side, name: &str) -> Option<&'a [u8]> {
    events.iter().find_map(|e| match e {
        Event::Secret {
            side: s,
            name: n,
            value,
            ..
        }
        | Event::Value {
            side: s,
            name: n,
            value,
            ..
        } if *n == name && *s == side => Some(value.as_slice()),
        _ => None,
    })
}

/// Whether both sides' events are in `events` (a simulation), rather than one side's (a
/// `serve` or `connect` session). In a simulation every record and message is logged twice, by
/// its sender and by its receiver.
pub fn traced_by_both_sides(events: &[Event]) -> bool {
    let logged_by = |who: Side| {
        events
            .iter()
            .any(|e| matches!(e, Event::Record { side, .. } if *side == who))
    };
    logged_by(Side::Client) && logged_by(Side::Server)
}

/// One key of the key ledger: the uses of it in the run, and for the session keys how many
/// records they sealed.
pub struct LedgerEntry<'a> {
    pub key: Key,
    /// (who, what for), in order.
    pub uses: Vec<(Side, &'a str)>,
    /// Records sealed with the session keys (each counted once, by its sender).
    pub sealed_records: usize,
}

/// The key ledger of a run: every key that was used, in a fixed order.
pub fn key_ledger(events: &[Event]) -> Vec<LedgerEntry<'_>> {
    let keys = [
        Key::ServerPublicKey,
        Key::ServerPrivateKey,
        Key::ClientPublicKey,
        Key::ClientPrivateKey,
        Key::EphemeralPrivateKey,
        Key::SessionKeys,
    ];
    let mut ledger = Vec::new();
    for key in keys {
        let uses: Vec<(Side, &str)> = events
            .iter()
            .filter_map(|e| match e {
                Event::KeyUse {
                    side,
                    key: k,
                    operation,
                } if *k == key => Some((*side, operation.as_str())),
                _ => None,
            })
            .collect();
        let sealed_records = if key == Key::SessionKeys {
            events
                .iter()
                .filter(
                    |e| matches!(e, Event::Record { side, from, gcm: Some(_), .. } if side == from),
                )
                .count()
        } else {
            0
        };
        if !uses.is_empty() || sealed_records > 0 {
            ledger.push(LedgerEntry {
                key,
                uses,
                sealed_records,
            });
        }
    }
    ledger
}

/// A message with its labelled bytes, as a side traced it.
pub struct TracedMessage<'a> {
    pub from: Side,
    pub name: &'a str,
    pub rfc: &'a str,
    pub bytes: &'a [u8],
    pub fields: &'a [Field],
}

/// Each sender's traced messages, in order, waiting to be matched to the records that carry
/// them (a record may carry several messages; the renderings show them inside their record).
pub struct MessageQueues<'a> {
    client: VecDeque<TracedMessage<'a>>,
    server: VecDeque<TracedMessage<'a>>,
}

impl<'a> MessageQueues<'a> {
    /// The messages in `events`: with `senders_only`, only the sender's copy of each (a
    /// simulation, where the receiver logs it again); otherwise all of them (one side's trace).
    pub fn new(events: &'a [Event], senders_only: bool) -> Self {
        let mut queues = MessageQueues {
            client: VecDeque::new(),
            server: VecDeque::new(),
        };
        for event in events {
            if let Event::Message {
                side,
                from,
                name,
                rfc,
                bytes,
                fields,
            } = event
            {
                if senders_only && side != from {
                    continue;
                }
                queues.of(*from).push_back(TracedMessage {
                    from: *from,
                    name,
                    rfc,
                    bytes,
                    fields,
                });
            }
        }
        queues
    }

    fn of(&mut self, from: Side) -> &mut VecDeque<TracedMessage<'a>> {
        match from {
            Side::Client => &mut self.client,
            Side::Server => &mut self.server,
        }
    }

    /// Takes off `from`'s queue the messages that `plaintext`, the content of one record of
    /// `from`, carries: each with its offset in `plaintext`.
    pub fn carried_by(&mut self, from: Side, plaintext: &[u8]) -> Vec<(usize, TracedMessage<'a>)> {
        let queue = self.of(from);
        let mut carried = Vec::new();
        let mut offset = 0;
        while let Some(message) = queue.front() {
            let end = offset + message.bytes.len();
            if plaintext.get(offset..end) != Some(message.bytes) {
                break;
            }
            if let Some(message) = queue.pop_front() {
                carried.push((offset, message));
            }
            offset = end;
        }
        carried
    }
}

/// What a labelled value means, in words, for the fields whose numbers name something.
pub fn explain_field(label: &str, kind: &FieldKind, bytes: &[u8]) -> String {
    match kind {
        FieldKind::Length(1) => "1 byte follows".into(),
        FieldKind::Length(n) => format!("{n} bytes follow"),
        FieldKind::Int(v) => {
            let v = *v;
            match label {
                "msg_type" => format!("{} ({v})", handshake_type_name(v as u8)),
                "client_version" | "server_version" | "record_version" | "version" => {
                    version_name(v as u16)
                }
                "cipher_suite" => describe_suite_id(v as u16),
                "compression_method" if v == 0 => "null (no compression)".into(),
                "extension_type" => extension_name(v as u16),
                "named_group" | "named_curve" => group_name(v as u16),
                "signature_scheme" => crate::key_exchange::scheme_name(v as u16),
                "name_type" if v == 0 => "host_name".into(),
                "ec_point_format" if v == 0 => "uncompressed".into(),
                "curve_type" if v == 3 => "named_curve".into(),
                "certificate_type" if v == 1 => "rsa_sign".into(),
                "level" => AlertLevel::from_code(v as u8).name().into(),
                "description" => AlertDescription::from_code(v as u8).name().into(),
                "type" if v == 1 => "change_cipher_spec".into(),
                _ => format!("{v}"),
            }
        }
        FieldKind::Bytes => match label {
            "host_name" => format!("\"{}\"", String::from_utf8_lossy(bytes)),
            "random" => "32 bytes from the sender's RNG (client_random / server_random)".into(),
            _ => String::new(),
        },
    }
}

/// One NSS key log line (the format Wireshark, curl and browsers use):
/// `CLIENT_RANDOM <client_random hex> <master_secret hex>`.
pub fn keylog_line(client_random: &[u8; 32], master_secret: &[u8]) -> String {
    format!(
        "CLIENT_RANDOM {} {}\n",
        hex::encode(client_random),
        hex::encode(master_secret)
    )
}
