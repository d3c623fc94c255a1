//! The bytes on the wire as a worksheet: every record of every flow as a hex dump, preceded by
//! `#` lines that name the record and each field in it, with the codec's labels.
//!
//! Golden transcripts in `vectors/transcripts/` are written this way, so a printed page of one
//! can be read with a pencil: the offsets in the `#` lines are the offsets of the hex dump
//! below them. Protected records show their GCM parts (explicit nonce, ciphertext, tag) and,
//! decrypted, the fields of their plaintext. [`crate::wire::parse_flows`] skips the `#` lines.

use std::collections::VecDeque;
use std::fmt::Write as _;

use super::parts::{
    CbcHex, FieldView, GcmHex, TracedRecord, alert_fields, cbc_layout, gcm_layout, labelled_fields,
    quoted, short_hex,
};
use super::{Event, GcmDetails, MessageQueues, TracedMessage, content_type_name};
use crate::event::CbcDetails;
use crate::messages::version_name;
use crate::record::record_spans;
use crate::rng::Side;
use crate::session::Resumption;
use crate::simulate::{Options, Report};
use crate::wire::{Flow, hex_dump_from};

/// The records `sender` traced sending, in order.
fn records_sent_by(events: &[Event], sender: Side) -> VecDeque<TracedRecord<'_>> {
    events
        .iter()
        .filter_map(TracedRecord::of)
        .filter(|record| record.sent() && record.from == sender)
        .collect()
}

/// The flows with every record annotated from the trace `events` of the same run. Records the
/// trace does not describe (a peer's, in a recording) are dumped without annotation.
pub fn annotated_flows(flows: &[Flow], events: &[Event]) -> String {
    let mut client = records_sent_by(events, Side::Client);
    let mut server = records_sent_by(events, Side::Server);
    let mut messages = MessageQueues::new(events, true);
    let mut out = String::new();
    let mut number = 0;
    for (i, flow) in flows.iter().enumerate() {
        let direction = match flow.from {
            Side::Client => "client to server",
            Side::Server => "server to client",
        };
        let _ = writeln!(out, ">>> Flow {} ({direction})", i + 1);
        let records = match flow.from {
            Side::Client => &mut client,
            Side::Server => &mut server,
        };
        for span in record_spans(&flow.bytes) {
            let at = span.start;
            let record = &flow.bytes[span];
            number += 1;
            let traced = match records.front() {
                Some(r) if r.wire == record => records.pop_front(),
                _ => None,
            };
            annotate_record(
                &mut out,
                number,
                at,
                record,
                flow.from,
                traced,
                &mut messages,
            );
            out.push_str(&hex_dump_from(record, at));
        }
    }
    out
}

/// The `#` lines for one record at offset `at` of its flow: its header, and with the sender's
/// own account of it (`traced`) its protection and the fields of what it carries.
fn annotate_record(
    out: &mut String,
    number: usize,
    at: usize,
    record: &[u8],
    from: Side,
    traced: Option<TracedRecord<'_>>,
    messages: &mut MessageQueues<'_>,
) {
    let Some(content_type) = annotate_header(out, number, at, record) else {
        return;
    };
    let Some(traced) = traced else {
        return;
    };
    let fragment = &record[5.min(record.len())..];
    let (plaintext, base): (&[u8], At) = match (traced.gcm, traced.cbc) {
        (Some(gcm), _) => {
            annotate_gcm(out, at + 5, fragment, gcm);
            (&gcm.plaintext, At::Plaintext(0))
        }
        (None, Some(cbc)) => {
            annotate_cbc(out, at + 5, fragment, cbc);
            (&cbc.plaintext, At::Plaintext(0))
        }
        (None, None) => (fragment, At::Wire(at + 5)),
    };
    match content_type {
        22 => annotate_handshake(out, base, &messages.carried_by(from, plaintext)),
        20 => {
            messages.carried_by(from, plaintext);
            field_line(out, base, plaintext, "type", "change_cipher_spec (1)");
        }
        21 => annotate_fields(out, base, &alert_fields(plaintext)),
        23 => {
            let _ = writeln!(out, "#   application data: {}", quoted(plaintext));
        }
        _ => {}
    }
}

/// The record's title line and its header's fields, at offset `at` of the flow; its content
/// type, or `None` (and a line saying so) when it is too short for a header.
fn annotate_header(out: &mut String, number: usize, at: usize, record: &[u8]) -> Option<u8> {
    let [content_type, major, minor, ..] = *record else {
        let _ = writeln!(
            out,
            "# record {number}: {} bytes, too short for a header",
            record.len()
        );
        return None;
    };
    let version = version_name(u16::from_be_bytes([major, minor]));
    let _ = writeln!(
        out,
        "# record {number}: {}, {version}, {} bytes of fragment",
        content_type_named(content_type),
        record.len().saturating_sub(5)
    );
    field_line(
        out,
        At::Wire(at),
        &record[..1],
        "content_type",
        &content_type_named(content_type),
    );
    field_line(out, At::Wire(at + 1), &record[1..3], "version", &version);
    if let Some(length) = record.get(3..5) {
        field_line(
            out,
            At::Wire(at + 3),
            length,
            "length",
            &format!("{} bytes follow", record.len() - 5),
        );
    }
    Some(content_type)
}

/// The parts of a protected fragment at offset `at` of the flow (explicit nonce, ciphertext,
/// tag), and the line that introduces its decrypted plaintext.
fn annotate_gcm(out: &mut String, at: usize, fragment: &[u8], gcm: &GcmDetails) {
    let layout = gcm_layout(fragment.len());
    let hex = GcmHex::of(gcm);
    let part = |range: &std::ops::Range<usize>| fragment.get(range.clone());
    if let Some(explicit_nonce) = part(&layout.explicit_nonce) {
        let meaning = format!(
            "seq {}; nonce = implicit IV + this = {}",
            hex.seq, hex.nonce
        );
        field_line(
            out,
            At::Wire(at),
            explicit_nonce,
            "explicit_nonce",
            &meaning,
        );
    }
    if let Some(ciphertext) = part(&layout.ciphertext) {
        let meaning = "AES-GCM encrypted: the plaintext below";
        let offset = At::Wire(at + layout.ciphertext.start);
        field_line(out, offset, ciphertext, "ciphertext", meaning);
    }
    if let Some(tag) = part(&layout.tag) {
        let meaning = format!("GCM tag over the ciphertext and AAD {}", hex.aad);
        field_line(out, At::Wire(at + layout.tag.start), tag, "tag", &meaning);
    }
    let _ = writeln!(
        out,
        "#   decrypted ({} bytes; p+ offsets count within the plaintext):",
        gcm.plaintext.len()
    );
}

/// The parts of a CBC fragment at offset `at` of the flow (IV, ciphertext, and the MAC after
/// it with encrypt-then-MAC), and the line that introduces its decrypted content.
fn annotate_cbc(out: &mut String, at: usize, fragment: &[u8], cbc: &CbcDetails) {
    let layout = cbc_layout(fragment.len(), cbc);
    let hex = CbcHex::of(cbc);
    let part = |range: &std::ops::Range<usize>| fragment.get(range.clone()).unwrap_or_default();
    let iv = format!(
        "seq {}; 16 random bytes, the first block's chaining value",
        hex.seq
    );
    field_line(out, At::Wire(at), part(&layout.iv), "iv", &iv);
    let (inside, order) = if cbc.encrypt_then_mac {
        ("content + padding", "encrypt-then-MAC")
    } else {
        ("content + MAC + padding", "MAC-then-encrypt")
    };
    let ciphertext = part(&layout.ciphertext);
    let meaning = format!(
        "AES-CBC, {} blocks of {inside} ({order}); padding {}",
        ciphertext.len() / 16,
        hex.padding
    );
    let offset = At::Wire(at + layout.ciphertext.start);
    field_line(out, offset, ciphertext, "ciphertext", &meaning);
    let mac = format!(
        "{} over {} + the IV and ciphertext",
        hex.mac_algorithm, hex.mac_header
    );
    if !layout.mac.is_empty() {
        let offset = At::Wire(at + layout.mac.start);
        field_line(out, offset, part(&layout.mac), "mac", &mac);
    } else {
        let _ = writeln!(
            out,
            "#   (inside: {} {} over {} + the content)",
            hex.mac_algorithm, hex.mac, hex.mac_header
        );
    }
    let _ = writeln!(
        out,
        "#   decrypted ({} bytes; p+ offsets count within the plaintext):",
        cbc.plaintext.len()
    );
}

/// The handshake messages one record carries: a line naming each, then its fields.
fn annotate_handshake(out: &mut String, base: At, carried: &[(usize, TracedMessage<'_>)]) {
    for (offset, message) in carried {
        let _ = writeln!(
            out,
            "#   {} ({}), {} bytes:",
            message.name,
            message.rfc,
            message.bytes.len()
        );
        let fields = labelled_fields(message.bytes, message.fields);
        annotate_fields(out, base.plus(*offset), &fields);
    }
}

/// One `#` line for each field, indented by its depth; the fields start at `base`.
fn annotate_fields(out: &mut String, base: At, fields: &[FieldView<'_>]) {
    for field in fields {
        let label = format!("{}{}", "  ".repeat(field.depth), field.label);
        let meaning = field.meaning.to_string();
        field_line(out, base.plus(field.start), field.bytes, &label, &meaning);
    }
}

/// Where a field's bytes are: in the hex dump (at an offset of the flow), or in a protected
/// record's plaintext (at an offset of the plaintext).
#[derive(Clone, Copy)]
enum At {
    Wire(usize),
    Plaintext(usize),
}

impl At {
    fn plus(self, n: usize) -> At {
        match self {
            At::Wire(at) => At::Wire(at + n),
            At::Plaintext(at) => At::Plaintext(at + n),
        }
    }
}

/// One `#` line: offset (hex, as in the dump, or `p+` and the offset in the plaintext), the
/// bytes (abridged), the label, the meaning.
fn field_line(out: &mut String, at: At, bytes: &[u8], label: &str, meaning: &str) {
    let offset = match at {
        At::Wire(at) => format!("{at:08x}"),
        At::Plaintext(at) => format!("p+{at:06x}"),
    };
    let shown = short_hex(bytes, 8).to_string();
    let line = format!("#   {offset}  {shown:<36} {label:<28} {meaning}");
    let _ = writeln!(out, "{}", line.trim_end());
}

/// A record's content type, with its number.
fn content_type_named(content_type: u8) -> String {
    format!("{} ({content_type})", content_type_name(content_type))
}

/// The values a golden transcript lists, in order, as the client traced them (server_random
/// and the server's ECDH key as the server did; both sides' values agree, see tests).
pub const GOLDEN_VALUES: [&str; 20] = [
    "client_random",
    "server_random",
    "server_ecdh_private",
    "server_ecdh_public",
    "signed_params",
    "client_ecdh_private",
    "client_ecdh_public",
    "pre_master_secret",
    "session_hash",
    "master_secret",
    "key_block",
    "client_write_mac_key",
    "server_write_mac_key",
    "client_write_key",
    "server_write_key",
    "client_write_iv",
    "server_write_iv",
    "certificate_verify_hash",
    "client_verify_data",
    "server_verify_data",
];

/// A run written out as a readable test vector: its settings, every secret in derivation order,
/// and every byte on the wire as Go-style flows.
pub fn golden_transcript(options: &Options, report: &Report) -> String {
    let mut out = String::new();
    let (resumed, resume_flag) = match options.resume {
        Some(Resumption::SessionId) => (", resumed by session id", " --resume id"),
        Some(Resumption::Ticket) => (", resumed by ticket", " --resume ticket"),
        None => ("", ""),
    };
    out.push_str(&format!(
        "# tls12-sim golden transcript: {}, seed {}{}{}{resumed}\n",
        options.suite.name(),
        options.seed,
        if options.extended_master_secret {
            ""
        } else {
            ", no extended master secret"
        },
        if options.mtls { ", mutual TLS" } else { "" }
    ));
    out.push_str(&format!(
        "# Source: made by this program, `tls12-sim simulate --suite {} --seed {}{}{}{resume_flag}`: both sides'\n\
         # RNGs seeded, clock fixed at {}, the embedded demo PKI (src/demo/).\n\
         # tests/golden_transcripts.rs replays the run and must get every byte below; regenerate\n\
         # only on purpose: UPDATE_VECTORS=1 cargo test --test golden_transcripts\n\
         # Secrets as the client derived them (the server derives the same), in hex.\n",
        options.suite.name(),
        options.seed,
        if options.extended_master_secret {
            ""
        } else {
            " --no-ems"
        },
        if options.mtls { " --mtls" } else { "" },
        options.time,
    ));
    if options.resume.is_some() {
        out.push_str(
            "# Two connections: a full handshake made a session, and the second, 60 s later,\n\
             # resumed it with the abbreviated handshake (RFC 5246 7.3). Below is the second:\n\
             # no pre-master secret, no key exchange; the master secret is the session's.\n",
        );
    }
    out.push_str(&format!("suite {}\n", options.suite.name()));
    out.push_str(&format!("seed {}\n", options.seed));
    out.push_str(&format!("time {}\n", options.time));
    let ems = report.client.conn().extended_master_secret();
    out.push_str(&format!(
        "extended_master_secret {}\n",
        if ems { "yes" } else { "no" }
    ));
    if options.suite.is_cbc() {
        let etm = report.client.conn().encrypt_then_mac();
        out.push_str(&format!(
            "encrypt_then_mac {}\n",
            if etm { "yes" } else { "no" }
        ));
    }
    for name in GOLDEN_VALUES {
        if let Some(value) = report.value(name) {
            out.push_str(&format!("{name} {}\n", hex::encode(value)));
        }
    }
    out.push_str(&format!(
        "client_application_data {}\nserver_application_data {}\n",
        hex::encode(&report.server_received),
        hex::encode(&report.client_received)
    ));
    out.push_str(
        "# The bytes on the wire, one flow per flight, record by record. The # lines name each\n\
         # field (offsets as in the hex dump; a protected record's fields are in its plaintext).\n",
    );
    out.push_str(&annotated_flows(&report.flows, &report.events));
    out
}
