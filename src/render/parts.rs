//! The pieces of an event that several renderings show alike, worked out once here: what a
//! flight does, a record and its parts (header, fragment, the AES-GCM nonce, ciphertext and
//! tag), the labelled fields of a message or an alert, a derived secret or value.
//!
//! Each rendering (the text trace, the web page, the walkthrough, the worksheet) puts these
//! into its own words and markup; none of them takes a record or a message apart by itself.

use super::{Event, GcmDetails, explain_field};
use crate::codec::Field;
use crate::event::CbcDetails;
use crate::messages::alert::{AlertDescription, AlertLevel};
use crate::phrase;
use crate::phrase::{Arg, Phrase};
use crate::rng::Side;

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

/// Application data as every rendering quotes it: Rust's debug quoting of the text.
pub(super) fn quoted(data: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(data))
}

/// `text` escaped for HTML (and SVG) text and attribute values.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What a flight does with messages.
#[derive(Clone, Copy)]
pub(super) enum Does {
    /// It reads the peer's messages.
    Reads,
    /// It sends its own.
    Sends,
}

impl Does {
    /// "reads" or "sends", a word of the page.
    pub(super) fn word(self) -> Phrase {
        match self {
            Does::Reads => phrase!("reads"),
            Does::Sends => phrase!("sends"),
        }
    }
}

/// What a flight does, in order: the messages it reads, then those it sends (a flight that
/// only reads, or only sends, has one step).
pub(super) fn flight_steps<'a>(reads: &'a str, sends: &'a str) -> Vec<(Does, &'a str)> {
    [(Does::Reads, reads), (Does::Sends, sends)]
        .into_iter()
        .filter(|(_, messages)| !messages.is_empty())
        .collect()
}

/// A record as one side traced it (a [`Event::Record`]).
pub(super) struct TracedRecord<'a> {
    /// Who logged it.
    pub(super) side: Side,
    /// Who sent it.
    pub(super) from: Side,
    /// Its ContentType (RFC 5246 6.2.1).
    pub(super) content_type: u8,
    /// Its ProtocolVersion.
    pub(super) version: u16,
    /// The whole record as on the wire: 5-byte header and fragment.
    pub(super) wire: &'a [u8],
    /// How it was protected, if it was with AES-GCM.
    pub(super) gcm: Option<&'a GcmDetails>,
    /// How it was protected, if it was with AES-CBC and HMAC.
    pub(super) cbc: Option<&'a CbcDetails>,
}

impl<'a> TracedRecord<'a> {
    /// The record of a `Record` event; `None` for the other events.
    pub(super) fn of(event: &'a Event) -> Option<Self> {
        match event {
            Event::Record {
                side,
                from,
                content_type,
                version,
                wire,
                gcm,
                cbc,
            } => Some(TracedRecord {
                side: *side,
                from: *from,
                content_type: *content_type,
                version: *version,
                wire,
                gcm: gcm.as_ref(),
                cbc: cbc.as_deref(),
            }),
            _ => None,
        }
    }

    /// Whether its sender logged it (rather than its receiver).
    pub(super) fn sent(&self) -> bool {
        self.side == self.from
    }

    /// The 5-byte header (content type, version, length).
    pub(super) fn header(&self) -> &'a [u8] {
        &self.wire[..self.wire.len().min(5)]
    }

    /// The fragment after the header: the content in the clear, or its protected form.
    pub(super) fn fragment(&self) -> &'a [u8] {
        self.wire.get(5..).unwrap_or_default()
    }

    /// The content: the fragment itself, or what it decrypts to.
    pub(super) fn plaintext(&self) -> &'a [u8] {
        match (self.gcm, self.cbc) {
            (Some(gcm), _) => &gcm.plaintext,
            (None, Some(cbc)) => &cbc.plaintext,
            (None, None) => self.fragment(),
        }
    }

    /// Whether the record was protected (AES-GCM or AES-CBC).
    pub(super) fn protected(&self) -> bool {
        self.gcm.is_some() || self.cbc.is_some()
    }

    /// Whether the content is traced messages (handshake or change_cipher_spec), which the
    /// renderings show inside the record.
    pub(super) fn carries_messages(&self) -> bool {
        matches!(self.content_type, 22 | 20)
    }
}

/// Where the parts of a protected fragment are (RFC 5288 3: explicit nonce, ciphertext, tag),
/// as ranges of the fragment.
pub(super) struct GcmLayout {
    /// The 8 bytes of explicit nonce that travel with the record.
    pub(super) explicit_nonce: std::ops::Range<usize>,
    /// The encrypted content.
    pub(super) ciphertext: std::ops::Range<usize>,
    /// The 16-byte authentication tag at the end.
    pub(super) tag: std::ops::Range<usize>,
}

/// The layout of a protected fragment of `len` bytes.
pub(super) fn gcm_layout(len: usize) -> GcmLayout {
    let body = len.saturating_sub(8 + 16);
    GcmLayout {
        explicit_nonce: 0..8.min(len),
        ciphertext: 8..8 + body,
        tag: 8 + body..8 + body + len.saturating_sub(8 + body),
    }
}

/// A record's AES-GCM protection in hex, as the renderings write it.
pub(super) struct GcmHex {
    /// The record's sequence number in its direction.
    pub(super) seq: u64,
    /// The first 4 bytes of the nonce: the sender's write IV, from the key block.
    pub(super) implicit_iv: String,
    /// The 8 bytes sent in the record.
    pub(super) explicit_nonce: String,
    /// The whole 12-byte nonce.
    pub(super) nonce: String,
    /// additional_data: seq_num, type, version, length.
    pub(super) aad: String,
    /// The authentication tag.
    pub(super) tag: String,
}

impl GcmHex {
    /// The hex of `gcm`'s parts.
    pub(super) fn of(gcm: &GcmDetails) -> Self {
        GcmHex {
            seq: gcm.seq,
            implicit_iv: hex::encode(gcm.nonce.get(..4).unwrap_or_default()),
            explicit_nonce: hex::encode(&gcm.explicit_nonce),
            nonce: hex::encode(&gcm.nonce),
            aad: hex::encode(&gcm.aad),
            tag: hex::encode(&gcm.tag),
        }
    }
}

/// Where the parts of a CBC fragment are (RFC 5246 6.2.3.2, RFC 7366 3), as ranges of the
/// fragment.
pub(super) struct CbcLayout {
    /// The 16-byte explicit IV.
    pub(super) iv: std::ops::Range<usize>,
    /// The AES-CBC ciphertext: whole 16-byte blocks.
    pub(super) ciphertext: std::ops::Range<usize>,
    /// The MAC after the ciphertext (encrypt-then-MAC; empty with MAC-then-encrypt, where the
    /// MAC is inside the ciphertext).
    pub(super) mac: std::ops::Range<usize>,
}

/// The layout of a CBC fragment of `len` bytes protected as `cbc` says.
pub(super) fn cbc_layout(len: usize, cbc: &CbcDetails) -> CbcLayout {
    let mac_len = if cbc.encrypt_then_mac {
        cbc.mac.len()
    } else {
        0
    };
    let iv_end = 16.min(len);
    let ciphertext_end = len.saturating_sub(mac_len).max(iv_end);
    CbcLayout {
        iv: 0..iv_end,
        ciphertext: iv_end..ciphertext_end,
        mac: ciphertext_end..len,
    }
}

/// A record's AES-CBC and HMAC protection in hex and words, as the renderings write it.
pub(super) struct CbcHex {
    /// The record's sequence number in its direction.
    pub(super) seq: u64,
    /// `HMAC-SHA1`, ...
    pub(super) mac_algorithm: &'static str,
    /// The IV.
    pub(super) iv: String,
    /// seq_num + type + version + length: the head of the MAC input.
    pub(super) mac_header: String,
    /// The MAC.
    pub(super) mac: String,
    /// The padding bytes, padding_length byte included.
    pub(super) padding: String,
    /// How many bytes of padding (padding_length + 1).
    pub(super) padding_len: usize,
}

impl CbcHex {
    /// The hex of `cbc`'s parts.
    pub(super) fn of(cbc: &CbcDetails) -> Self {
        CbcHex {
            seq: cbc.seq,
            mac_algorithm: cbc.mac_algorithm,
            iv: hex::encode(&cbc.iv),
            mac_header: hex::encode(&cbc.mac_header),
            mac: hex::encode(&cbc.mac),
            padding: hex::encode(&cbc.padding),
            padding_len: cbc.padding.len(),
        }
    }
}

/// The 16-byte blocks of `ciphertext` in hex: all of them up to four, else the first three
/// and the last, with the number left out between.
pub(super) fn cbc_blocks(ciphertext: &[u8]) -> String {
    let blocks: Vec<String> = ciphertext.chunks(16).map(hex::encode).collect();
    if blocks.len() <= 4 {
        return blocks.join(" ");
    }
    format!(
        "{} .. ({} more) .. {}",
        blocks[..3].join(" "),
        blocks.len() - 4,
        blocks[blocks.len() - 1]
    )
}

/// Which order a CBC record was protected in, and why it matters: the lines every rendering
/// shows under the record.
pub(super) fn cbc_order(cbc: &CbcDetails) -> Phrase {
    // In full under each direction's first record; after that, a reminder.
    match (cbc.seq, cbc.encrypt_then_mac) {
        (0, _) => {}
        (_, true) => {
            return phrase!("encrypt-then-MAC (RFC 7366), as in this direction's first record");
        }
        (_, false) => {
            return phrase!(
                "MAC-then-encrypt (RFC 5246 6.2.3.2), as in this direction's first record"
            );
        }
    }
    if cbc.encrypt_then_mac {
        phrase!(
            "encrypt-then-MAC (RFC 7366, agreed in the hellos): the MAC covers the IV and \
             ciphertext and is checked before anything is decrypted, so a changed record is \
             refused untouched and the padding is never seen by an attacker"
        )
    } else {
        phrase!(
            "MAC-then-encrypt (RFC 5246 6.2.3.2): the receiver must decrypt and remove the \
             padding before it can check the MAC, so it must answer a bad padding exactly as it \
             answers a bad MAC, or it becomes a padding oracle (lab padding-oracle)"
        )
    }
}

/// One labelled field with bytes: where it starts (in its message, or in the alert), how deep
/// it is nested, its label, its bytes and what they mean.
pub(super) struct FieldView<'a> {
    /// Offset of its first byte.
    pub(super) start: usize,
    /// Nesting depth: 0 at the top.
    pub(super) depth: usize,
    /// The label, as in the RFC's structures.
    pub(super) label: &'a str,
    /// Its bytes.
    pub(super) bytes: &'a [u8],
    /// What they mean (see [`explain_field`]).
    pub(super) meaning: Arg,
}

/// The fields of a message's `bytes` that have bytes of their own, with what each means: the
/// rows every rendering of a message lists.
pub(super) fn labelled_fields<'a>(bytes: &'a [u8], fields: &'a [Field]) -> Vec<FieldView<'a>> {
    fields
        .iter()
        .filter(|f| f.len > 0)
        .filter_map(|f| {
            let field_bytes = bytes.get(f.start..f.start + f.len)?;
            Some(FieldView {
                start: f.start,
                depth: f.depth,
                label: f.label,
                bytes: field_bytes,
                meaning: explain_field(f.label, &f.kind, field_bytes),
            })
        })
        .collect()
}

/// The alert that a record's two bytes of content are, if they are two bytes.
pub(super) fn alert_in(content: &[u8]) -> Option<(AlertLevel, AlertDescription)> {
    match *content {
        [level, description] => Some((
            AlertLevel::from_code(level),
            AlertDescription::from_code(description),
        )),
        _ => None,
    }
}

/// The two fields of an alert's content, named: its level and its description.
pub(super) fn alert_fields(content: &[u8]) -> Vec<FieldView<'_>> {
    let Some((level, description)) = alert_in(content) else {
        return Vec::new();
    };
    let field = |start: usize, label, name: &str| FieldView {
        start,
        depth: 0,
        label,
        bytes: &content[start..start + 1],
        meaning: Arg::Verbatim(name.into()),
    };
    vec![
        field(0, "level", level.name()),
        field(1, "description", description.name()),
    ]
}

/// A secret or a value a side derived (a [`Event::Secret`] or [`Event::Value`]).
pub(super) struct Derived<'a> {
    /// A secret (never on the wire), or a value worth showing that is not secret.
    pub(super) secret: bool,
    /// Who derived it.
    pub(super) side: Side,
    /// The RFC's name for it.
    pub(super) name: &'static str,
    /// Its bytes.
    pub(super) value: &'a [u8],
    /// Where it came from.
    pub(super) how: &'a Phrase,
}

impl<'a> Derived<'a> {
    /// The derived secret or value of an event; `None` for the other events.
    pub(super) fn of(event: &'a Event) -> Option<Self> {
        let (secret, side, name, value, how) = match event {
            Event::Secret {
                side,
                name,
                value,
                how,
            } => (true, side, name, value, how),
            Event::Value {
                side,
                name,
                value,
                how,
            } => (false, side, name, value, how),
            _ => return None,
        };
        Some(Derived {
            secret,
            side: *side,
            name,
            value,
            how,
        })
    }

    /// "secret" or "value", as a class name and a heading.
    pub(super) fn kind(&self) -> &'static str {
        if self.secret { "secret" } else { "value" }
    }

    /// "secret" or "value", a word of the page.
    pub(super) fn kind_word(&self) -> Phrase {
        if self.secret {
            phrase!("secret")
        } else {
            phrase!("value")
        }
    }
}
