//! Memory: how many allocations one handshake makes and how much heap it needs at its peak, and
//! that records allocate nothing.
//!
//! Counting allocations takes a global allocator that counts, and a global allocator is fixed
//! per executable: it would sit under every allocation of every program the library is linked
//! into. So the library installs none. The caller that has one (`cargo bench`'s harness,
//! `benches/tls.rs`) hands over its counters as a [`MemoryMeter`]; without one (`tls12-sim
//! bench`) there are no memory figures.

use super::costs::{Costs, MemoryUse};
use super::fixtures::RecordFixture;
use super::handshakes::{HandshakeKind, fresh_pair, full_handshake};
use crate::error::Error;

/// Allocation counters, read before and after some work.
#[derive(Clone, Copy, Debug)]
pub struct MemorySnapshot {
    /// Allocations made so far.
    pub allocations: usize,
    /// Bytes allocated and not yet freed.
    pub live_bytes: usize,
}

/// The counters of the caller's counting allocator: two plain functions.
#[derive(Clone, Copy, Debug)]
pub struct MemoryMeter {
    /// Starts a measurement: resets the peak to what is live now, and reads the counters.
    pub start: fn() -> MemorySnapshot,
    /// Allocations since the snapshot, and the peak heap above what was live at it (bytes).
    pub since: fn(MemorySnapshot) -> (usize, usize),
}

impl MemoryMeter {
    /// What `work` allocates.
    fn count(
        &self,
        what: impl Into<String>,
        work: impl FnOnce() -> Result<(), Error>,
    ) -> Result<MemoryUse, Error> {
        let start = (self.start)();
        work()?;
        let (allocations, peak_bytes) = (self.since)(start);
        Ok(MemoryUse {
            what: what.into(),
            allocations,
            peak_bytes,
        })
    }
}

/// Memory: peak heap of one handshake, allocations per record sealed and opened, counted by
/// `meter`. Each figure is added to `costs` as soon as it is measured.
pub fn measure_memory(costs: &mut Costs, meter: &MemoryMeter) -> Result<(), Error> {
    let rows = costs.memory.get_or_insert_with(Vec::new);
    for kind in [HandshakeKind::Rsa, HandshakeKind::EcdheMtls] {
        let mut sim = fresh_pair(kind)?;
        rows.push(
            meter.count(format!("one {} handshake, both sides", kind.name()), || {
                full_handshake(&mut sim)
            })?,
        );
    }
    let mut record = RecordFixture::new(16, 16384)?;
    record.seal();
    rows.push(meter.count("1000 records sealed (16 KiB each)", || {
        for _ in 0..1000 {
            record.seal();
        }
        Ok(())
    })?);
    rows.push(meter.count("1000 records sealed and opened", || {
        for _ in 0..1000 {
            record.prepare_open();
            record.open();
        }
        Ok(())
    })?);
    // Through the whole record layer: application data out through a flight buffer, to a
    // sink, after one warm-up record.
    let mut sim = fresh_pair(HandshakeKind::Ecdhe)?;
    full_handshake(&mut sim)?;
    let data = vec![0x61u8; 16384];
    let mut sink = std::io::sink();
    sim.client.send(&mut sink, &data)?;
    rows.push(meter.count(
        "1000 x 16 KiB of application data sent (record layer, flush)",
        || {
            for _ in 0..1000 {
                sim.client.send(&mut sink, &data)?;
            }
            Ok(())
        },
    )?);
    Ok(())
}
