//! `capture`: arbitrary bytes as a capture file, read as `tls12-sim inspect` reads one
//! (src/capture/): the pcap or pcapng blocks (pcap-parser, growing its buffer up to the block
//! limit), every link type, IPv4/IPv6 and TCP headers (etherparse), our TCP reassembly (holes,
//! retransmissions, segments out of order, port reuse), the key log of a Decryption Secrets
//! Block; then each connection found (the first 16) is fed to the observer with tracing on,
//! holding the file's own key log, in capture order, so that a resumed session is linked to an
//! earlier one (`EarlierSessions`) as `inspect` links it.
//!
//! Input: the file's bytes.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use tls12_sim::capture::{self, Keys};
use tls12_sim::observer::EarlierSessions;

fuzz_target!(|data: &[u8]| {
    let Ok(capture) = capture::read(Cursor::new(data), "fuzz") else {
        return;
    };
    let mut keys = Keys::default();
    keys.keylog.extend(&capture.secrets);
    let mut earlier = EarlierSessions::default();
    for connection in capture.connections.iter().take(16) {
        let _ = capture::looks_like_tls(connection);
        let _ = capture::inspect_linked(connection, &keys, &mut earlier, true);
    }
});
