//! What things cost: the operations `cargo bench` and `tls12-sim bench` measure, and the
//! summary of ratios a class reads.
//!
//! The source article's claim is that the private key works only during the handshake and the
//! cheap symmetric session keys do everything after. Here that becomes numbers from one run:
//! one RSA private-key operation against kilobytes of AES-GCM, a whole handshake against
//! megabytes of records, RSA key exchange against ECDHE, and where a handshake's time goes.
//!
//! Everything runs from fixed seeds and fixed keys, so every run measures the same work.
//!
//! One file per concern, in the order a run uses them:
//! - `fixtures.rs` and `handshakes.rs`: the work itself (keys, records, client and server
//!   pairs, recorded flights);
//! - `costs.rs`: what is measured ([`Op`], [`Pairing`]) and where the figures are kept
//!   ([`Costs`]);
//! - `timing.rs` and `measure.rs`: our own small timer, and every single cost measured with it
//!   (`cargo bench` times the same work with criterion instead);
//! - `paired.rs` and `stats.rs`: the ratios the summary's sentences depend on, timed in pairs
//!   (by both `tls12-sim bench` and `cargo bench`), and their medians and spreads;
//! - `memory.rs`: allocations and peak heap, from counters the caller supplies
//!   ([`MemoryMeter`]: only `cargo bench` installs a counting allocator);
//! - `openssl.rs` and `cpu.rs`: OpenSSL's figures and the CPU, for context;
//! - `summary.rs`, `wording.rs` and `chart.rs`: the ratios as text, the words chosen from the
//!   numbers, and a bar chart.

mod chart;
mod costs;
mod cpu;
mod fixtures;
mod handshakes;
mod measure;
mod memory;
mod openssl;
mod paired;
mod stats;
mod summary;
mod timing;
mod wording;

pub use chart::svg_chart;
pub use costs::{Costs, MemoryUse, Op, Paired, Pairing, Part};
pub use cpu::cpu_name;
pub use fixtures::{
    BareCbc, BareGcm, RecordFixture, RsaFixture, prf_master_and_key_block, rsa_key, x25519_exchange,
};
pub use handshakes::{
    HandshakeKind, ResumedFixture, abbreviated_handshake, fresh_pair, full_handshake,
    record_flights, replay_client, replay_resumed_client, replay_server,
};
pub use measure::measure;
pub use memory::{MemoryMeter, MemorySnapshot, measure_memory};
pub use openssl::{OpenSslSpeed, openssl_speed};
pub use paired::measure_paired;
pub use stats::Spread;
pub use summary::summary;
pub use timing::{time_batched, time_op, time_paired, time_reset, timed};

use crate::error::Error;

/// Everything `tls12-sim bench` prints: measure, ask OpenSSL, summarize. No memory figures: the
/// `tls12-sim` binary has no counting allocator (`cargo bench` has, and reports them).
pub fn run(quick: bool) -> Result<String, Error> {
    let costs = measure(quick, None)?;
    let openssl = openssl_speed(1);
    Ok(summary(&costs, openssl.as_ref()))
}
