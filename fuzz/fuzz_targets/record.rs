//! `record`: arbitrary bytes as what the peer sent, read by one `RecordLayer` (src/record.rs):
//! framing, content types, versions, lengths, alerts, handshake message reassembly, and (with a
//! fixed key) AES-GCM opening, or AES-CBC with HMAC-SHA1 in either order (src/record/cbc.rs:
//! padding and MAC checked with masks, the Lucky 13 countermeasure).
//!
//! Input: one mode byte, then the bytes on the wire, written as plaintext records.
//! - bit 0: which side reads (0 the server, 1 the client: a client passes over HelloRequest);
//! - bit 1: the version is already agreed (every record must then say TLS 1.2);
//! - bit 2: reading is protected with a fixed AES-128-GCM key, and each whole record of the
//!   input is sealed with that key first, so that what lies behind a good tag is fuzzed too;
//! - bit 3: tracing on (the trace formats what it was given);
//! - bit 4: with bit 2, the fixed key is AES-128-CBC with HMAC-SHA1 instead of AES-GCM;
//! - bit 5: with bit 4, encrypt-then-MAC (RFC 7366) instead of MAC-then-encrypt.
//!
//! The layer reads handshake messages until one read fails, then application data until that
//! fails. Separately, the raw bytes are opened as one GCM fragment, one MAC-then-encrypt CBC
//! fragment and one encrypt-then-MAC CBC fragment by `Direction::open`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tls12_sim::event::Trace;
use tls12_sim::messages::TLS1_2;
use tls12_sim::record::{APPLICATION_DATA, Direction, MAX_PLAINTEXT, RecordLayer};
use tls12_sim::rng::{RoleRng, Side};
use tls12_sim::suites::MacAlg;
use tls12_sim::wire::MemoryWire;

const KEY: [u8; 16] = [0x42; 16];
const IV: [u8; 4] = [1, 2, 3, 4];
const MAC_KEY: [u8; 20] = [0x24; 20];

/// The fixed protection `mode` picks: AES-128-GCM, or AES-128-CBC with HMAC-SHA1 in either
/// order (sealing draws the IVs from a seeded RNG).
fn protection(mode: u8) -> Direction {
    if mode & 16 == 0 {
        return Direction::protected(&KEY, IV).unwrap();
    }
    let ivs = RoleRng::seeded(0, Side::Client);
    Direction::cbc(&KEY, MacAlg::HmacSha1, &MAC_KEY, mode & 32 != 0, Some(ivs)).unwrap()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, bytes)) = data.split_first() else {
        return;
    };
    let side = if mode & 1 == 0 {
        Side::Server
    } else {
        Side::Client
    };
    let mut layer = RecordLayer::new(side, TLS1_2);
    if mode & 2 != 0 {
        layer.expect_records_of(TLS1_2);
    }
    let mut wire = MemoryWire::new();
    if mode & 4 != 0 {
        layer.read_with(protection(mode));
        wire.in_flight(side).extend(seal_records(mode, bytes));
    } else {
        wire.in_flight(side).extend(bytes);
    }
    let mut trace = Trace::new(mode & 8 != 0);
    let mut end = match side {
        Side::Server => wire.server(),
        Side::Client => wire.client(),
    };
    // Each read takes at least one 5-byte header off the wire, so these loops end.
    while layer.read_handshake_message(&mut end, &mut trace).is_ok() {}
    let mut received = Vec::new();
    while let Ok(true) = layer.read_application_data_into(&mut end, &mut trace, &mut received) {}

    // One record's fragment, opened directly in each protection: almost always
    // bad_record_mac, never a panic.
    for mode in [0, 16, 16 | 32] {
        let _ = protection(mode).open(APPLICATION_DATA, TLS1_2, bytes.to_vec());
    }
});

/// Seals each whole record of `bytes` with `mode`'s protection, keeping its header's type and
/// version; a record too long to seal, and a cut-off one at the end, go out as they are.
fn seal_records(mode: u8, bytes: &[u8]) -> Vec<u8> {
    let mut sealer = protection(mode);
    let mut out = Vec::new();
    let mut rest = bytes;
    while let [content_type, v1, v2, l1, l2, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*l1, *l2]));
        let Some(payload) = tail.get(..len) else {
            break;
        };
        if len > MAX_PLAINTEXT {
            break;
        }
        let version = u16::from_be_bytes([*v1, *v2]);
        sealer
            .seal(*content_type, version, payload, &mut out)
            .unwrap();
        rest = &tail[len..];
    }
    out.extend_from_slice(rest);
    out
}
