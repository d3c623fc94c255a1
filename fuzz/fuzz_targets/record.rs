//! `record`: arbitrary bytes as what the peer sent, read by one `RecordLayer` (src/record.rs):
//! framing, content types, versions, lengths, alerts, handshake message reassembly, and (with a
//! fixed key) AES-GCM opening.
//!
//! Input: one mode byte, then the bytes on the wire, written as plaintext records.
//! - bit 0: which side reads (0 the server, 1 the client: a client passes over HelloRequest);
//! - bit 1: the version is already agreed (every record must then say TLS 1.2);
//! - bit 2: reading is protected with a fixed AES-128-GCM key, and each whole record of the
//!   input is sealed with that key first, so that what lies behind a good tag is fuzzed too;
//! - bit 3: tracing on (the trace formats what it was given).
//!
//! The layer reads handshake messages until one read fails, then application data until that
//! fails. Separately, the raw bytes are opened as one GCM fragment by `Direction::open`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tls12_sim::event::Trace;
use tls12_sim::messages::TLS1_2;
use tls12_sim::record::{APPLICATION_DATA, Direction, MAX_PLAINTEXT, RecordLayer};
use tls12_sim::rng::Side;
use tls12_sim::wire::MemoryWire;

const KEY: [u8; 16] = [0x42; 16];
const IV: [u8; 4] = [1, 2, 3, 4];

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
        layer.read_with(Direction::protected(&KEY, IV).unwrap());
        wire.in_flight(side).extend(seal_records(bytes));
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

    // One record's fragment, opened directly: almost always bad_record_mac, never a panic.
    let mut direction = Direction::protected(&KEY, IV).unwrap();
    let _ = direction.open(APPLICATION_DATA, TLS1_2, bytes.to_vec());
});

/// Seals each whole record of `bytes` under [`KEY`], keeping its header's type and version; a
/// record too long to seal, and a cut-off one at the end, go out as they are.
fn seal_records(bytes: &[u8]) -> Vec<u8> {
    let mut sealer = Direction::protected(&KEY, IV).unwrap();
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
