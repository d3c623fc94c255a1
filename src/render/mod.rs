//! What a run shows a learner: the renderings of the core's events as annotated text, a web
//! page, a mermaid diagram, JSON, a worksheet and the walkthrough, in English or Japanese.
//!
//! Everything here reads [`Event`]s (from [`crate::event`]) and the values of a run; nothing in
//! the protocol code imports this module (`tests/architecture.rs` checks it). An explanation
//! is a [`Phrase`]: [`say`] gives it in the language of the page.

use std::collections::VecDeque;

pub mod extensions;
pub mod html;
pub mod inspect;
pub mod ja;
pub mod json;
pub mod ladder;
pub mod mermaid;
mod parts;
pub mod report;
pub mod text;
pub mod walkthrough;
pub mod worksheet;

pub use html::{HtmlPage, render_html};
pub use json::render_json;
pub use ladder::render_ladder;
pub use mermaid::render_mermaid;
pub use text::{TextOptions, render_fields, render_key_ledger, render_text};

use crate::codec::{Field, FieldKind};
use crate::event::{Checked, Event, GcmDetails, Key};
use crate::messages::alert::{AlertDescription, AlertLevel};
use crate::messages::client_hello::ClientHello;
use crate::messages::extensions::{acted_on, extension_name, group_name, is_grease, protocol_name};
use crate::messages::server_hello::ServerHello;
use crate::messages::{HandshakeMessage, handshake_type_name, version_name};
use crate::phrase;
use crate::phrase::{Arg, Phrase};
use crate::rng::Side;
use crate::session::Resumption;
use crate::suites::{describe_suite_id, implemented};

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

/// Whether the run of `events` resumed a session, and how: the ServerHello echoes the
/// ClientHello's non-empty session_id (RFC 5246 7.4.1.3); by ticket when the ClientHello
/// carried one (RFC 5077 3.4). Read from the messages' bytes, so it works on one side's trace
/// as well as on both.
pub fn resumption_of(events: &[Event]) -> Option<Resumption> {
    let message = |wanted: &str| {
        events.iter().find_map(|e| match e {
            Event::Message { name, bytes, .. } if name == wanted => Some(bytes.as_slice()),
            _ => None,
        })
    };
    let (client, _) = ClientHello::decode(message("ClientHello")?).ok()?;
    let (server, _) = ServerHello::decode(message("ServerHello")?).ok()?;
    if client.session_id.is_empty() || client.session_id != server.session_id {
        return None;
    }
    Some(match client.extensions.session_ticket {
        Some(ticket) if !ticket.is_empty() => Resumption::Ticket,
        _ => Resumption::SessionId,
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
    /// The key.
    pub key: Key,
    /// (who, what for), in order.
    pub uses: Vec<(Side, &'a Phrase)>,
    /// Records sealed with the session keys (each counted once, by its sender).
    pub sealed_records: usize,
}

/// The key ledger of a run: every key that was used, in a fixed order.
pub fn key_ledger(events: &[Event]) -> Vec<LedgerEntry<'_>> {
    let mut ledger = Vec::new();
    for key in Key::ALL {
        let uses: Vec<(Side, &Phrase)> = events
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
        let sealed_records = if key == Key::SessionKeys {
            events
                .iter()
                .filter(|e| {
                    matches!(e, Event::Record { side, from, gcm, cbc, .. }
                        if side == from && (gcm.is_some() || cbc.is_some()))
                })
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

/// A message with its labelled bytes, as a side traced it (a [`Event::Message`]).
pub struct TracedMessage<'a> {
    /// Who logged it.
    pub side: Side,
    /// Who sent it.
    pub from: Side,
    /// Its name, as the RFC's diagrams write it.
    pub name: &'a str,
    /// Where the RFCs define it.
    pub rfc: &'a str,
    /// The whole message, header included.
    pub bytes: &'a [u8],
    /// Every byte range, labelled by the codec.
    pub fields: &'a [Field],
}

impl<'a> TracedMessage<'a> {
    /// The message of a `Message` event; `None` for the other events.
    pub fn of(event: &'a Event) -> Option<Self> {
        match event {
            Event::Message {
                side,
                from,
                name,
                rfc,
                bytes,
                fields,
            } => Some(TracedMessage {
                side: *side,
                from: *from,
                name,
                rfc,
                bytes,
                fields,
            }),
            _ => None,
        }
    }

    /// Whether its sender logged it (rather than its receiver).
    pub fn sent(&self) -> bool {
        self.side == self.from
    }
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
        for message in events.iter().filter_map(TracedMessage::of) {
            if senders_only && !message.sent() {
                continue;
            }
            queues.of(message.from).push_back(message);
        }
        queues
    }

    /// The queue of `from`'s messages.
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

/// What a labelled value means, for the fields whose numbers name something: a name (copied
/// as it is in every language) or words (translated).
pub fn explain_field(label: &str, kind: &FieldKind, bytes: &[u8]) -> Arg {
    match kind {
        FieldKind::Length(1) => phrase!("1 byte follows").into(),
        FieldKind::Length(n) => phrase!("{} bytes follow", *n).into(),
        FieldKind::Int(v) => {
            let v = *v;
            match label {
                "compression_method" if v == 0 => phrase!("null (no compression)").into(),
                "cipher_suite" if !implemented(v as u16) && !is_grease(v as u16) => {
                    phrase!("{} (not implemented here)", describe_suite_id(v as u16)).into()
                }
                "extension_type" if is_grease(v as u16) => phrase!(
                    "{}: a made-up value, sent so that servers learn to pass over what they do \
                     not know",
                    extension_name(v as u16)
                )
                .into(),
                "extension_type" if !acted_on(v as u16) => phrase!(
                    "{}: read, and passed over: this program does not act on it (RFC 5246 \
                     7.4.1.4)",
                    extension_name(v as u16)
                )
                .into(),
                "ticket_lifetime_hint" if v == 0 => {
                    phrase!("0: the server leaves the ticket's lifetime unspecified").into()
                }
                "ticket_lifetime_hint" => {
                    phrase!("{} s: how long the client may keep the ticket", v).into()
                }
                _ => Arg::Verbatim(name_of_value(label, v)),
            }
        }
        FieldKind::Bytes => match label {
            "host_name" => Arg::Verbatim(format!("\"{}\"", String::from_utf8_lossy(bytes))),
            // An ALPN ProtocolName (RFC 7301 3.1): "http/1.1" as text, anything else in hex.
            "protocol_name" if bytes.iter().all(u8::is_ascii_graphic) => {
                Arg::Verbatim(format!("\"{}\"", String::from_utf8_lossy(bytes)))
            }
            "protocol_name" => Arg::Verbatim(protocol_name(bytes)),
            "random" => {
                phrase!("32 bytes from the sender's RNG (client_random / server_random)").into()
            }
            "session_id" => phrase!(
                "names a session: the server's; offered back by the client, echoed by the \
                 server when it resumes (RFC 5246 7.4.1.3)"
            )
            .into(),
            "ticket" => phrase!(
                "a session sealed under the server's ticket key: opaque to the client (RFC \
                 5077 3.3)"
            )
            .into(),
            _ => Arg::Verbatim(String::new()),
        },
    }
}

/// The registry name of a number, for the fields that carry one; the number otherwise.
fn name_of_value(label: &str, v: u32) -> String {
    match label {
        "msg_type" => format!("{} ({v})", handshake_type_name(v as u8)),
        "client_version" | "server_version" | "record_version" | "version" => {
            version_name(v as u16)
        }
        "cipher_suite" => describe_suite_id(v as u16),
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

/// `phrase` in `lang`: English as the code wrote it; Japanese from the table (the English when
/// the table lacks it: `tests/architecture.rs` makes sure it does not).
pub fn say(lang: Lang, phrase: &Phrase) -> String {
    match lang {
        Lang::En => phrase.to_string(),
        Lang::Ja => ja::translate(phrase).unwrap_or_else(|| phrase.to_string()),
    }
}

/// An [`Arg`] in `lang`: a name as it is, words translated.
pub fn say_arg(lang: Lang, arg: &Arg) -> String {
    match arg {
        Arg::Verbatim(text) => text.clone(),
        Arg::Phrase(phrase) => say(lang, phrase),
    }
}

/// A chain check, in words.
pub fn chain_check_phrase(checked: &Checked) -> Phrase {
    match checked {
        Checked::KeyUsage { needed } => phrase!("keyUsage allows {}", *needed),
        Checked::ExtendedKeyUsage { needed } => phrase!("extendedKeyUsage allows {}", *needed),
        Checked::HostName { host } => {
            phrase!("the certificate names \"{}\" (subjectAltName)", host)
        }
        Checked::ValidNow { subject } => phrase!("\"{}\" is valid now", subject),
        Checked::IsTrustAnchor { subject } => {
            phrase!("\"{}\" is one of our trust anchors", subject)
        }
        Checked::IssuerKnown { issuer } => phrase!("\"{}\" is a CA we trust", issuer),
        Checked::IssuerIsCa { issuer } => {
            phrase!(
                "\"{}\" may issue certificates (basicConstraints cA)",
                issuer
            )
        }
        Checked::Signature { subject, issuer } => phrase!(
            "the signature on \"{}\" verifies with the key of \"{}\"",
            subject,
            issuer
        ),
        Checked::CrlSigned { issuer } => phrase!(
            "the CRL from \"{}\" carries its signature (checked when loaded)",
            issuer
        ),
        Checked::CrlCurrent { issuer } => phrase!("the CRL from \"{}\" is current", issuer),
        Checked::NotRevoked { subject, serial } => {
            phrase!("\"{}\" (serial {}) is not on the CRL", subject, serial)
        }
        Checked::AnchorValidNow { anchor } => {
            phrase!("the trust anchor \"{}\" is valid now", anchor)
        }
    }
}

/// The note a side's failure is shown as: "the connection fails here: {error}".
pub fn failure_note(error: &Phrase) -> Phrase {
    phrase!("the connection fails here: {}", error)
}

/// A check of either kind (a protocol check, or a certificate-chain check) as who checked,
/// what, in words, and whether it held; `None` for other events.
pub fn check_of(event: &Event) -> Option<(Side, Phrase, bool)> {
    match event {
        Event::Check { side, what, ok } => Some((*side, what.clone(), *ok)),
        Event::ChainCheck { side, checked, ok } => Some((*side, chain_check_phrase(checked), *ok)),
        _ => None,
    }
}
