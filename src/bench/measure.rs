//! `tls12-sim bench`'s measurements: every operation the summary needs, timed with our own
//! small timer (`timing.rs`), in one run; then the ratios timed in pairs (`paired.rs`); memory
//! too when the caller can count allocations.

use std::hint::black_box;
use std::time::Duration;

use super::costs::{Costs, Op};
use super::fixtures::{BareCbc, BareGcm, RecordFixture, RsaFixture, x25519_exchange};
use super::handshakes::{
    HandshakeKind, ResumedFixture, abbreviated_handshake, fresh_pair, full_handshake,
    record_flights, replay_client, replay_resumed_client, replay_server,
};
use super::memory::{MemoryMeter, measure_memory};
use super::paired::measure_paired;
use super::timing::{time_batched, time_op, time_reset};
use crate::error::Error;
use crate::key_exchange::{self, RSA_PKCS1_SHA256, RSA_PSS_RSAE_SHA256};
use crate::rng::{RoleRng, Side};
use crate::session::Resumption;
use crate::simulate;

/// Measures everything the summary needs, with our own timer. `quick`: small budgets (the whole
/// run takes about ten seconds), for a class; otherwise about a second per measurement. `meter`:
/// the caller's allocation counters, if it has a counting allocator (otherwise no memory
/// figures).
pub fn measure(quick: bool, meter: Option<&MemoryMeter>) -> Result<Costs, Error> {
    let budget = Duration::from_millis(if quick { 120 } else { 800 });
    let mut costs = Costs::default();
    measure_asymmetric(&mut costs, budget)?;
    measure_symmetric(&mut costs, budget)?;
    for kind in HandshakeKind::ALL {
        measure_handshake(&mut costs, budget, kind)?;
    }
    for how in [Resumption::SessionId, Resumption::Ticket] {
        measure_resumed(&mut costs, budget, how)?;
    }
    measure_paired(&mut costs, budget)?;
    if let Some(meter) = meter {
        measure_memory(&mut costs, meter)?;
    }
    Ok(costs)
}

/// RSA at three key sizes, signatures, X25519.
fn measure_asymmetric(costs: &mut Costs, budget: Duration) -> Result<(), Error> {
    let mut rsa2048 = RsaFixture::new(2048)?;
    costs.set(
        Op::Rsa2048Encrypt,
        time_op(budget, || {
            black_box(rsa2048.encrypt());
        }),
    );
    costs.set(
        Op::Rsa2048Decrypt,
        time_op(budget, || {
            black_box(rsa2048.decrypt());
        }),
    );
    for (op, scheme) in [
        (Op::Rsa2048Pkcs1Sign, RSA_PKCS1_SHA256),
        (Op::Rsa2048PssSign, RSA_PSS_RSAE_SHA256),
    ] {
        costs.set(
            op,
            time_op(budget, || {
                black_box(rsa2048.sign(scheme));
            }),
        );
    }
    for (op, scheme) in [
        (Op::Rsa2048Pkcs1Verify, RSA_PKCS1_SHA256),
        (Op::Rsa2048PssVerify, RSA_PSS_RSAE_SHA256),
    ] {
        costs.set(
            op,
            time_op(budget, || {
                black_box(rsa2048.verify(scheme));
            }),
        );
    }
    for (bits, op) in [(3072, Op::Rsa3072Decrypt), (4096, Op::Rsa4096Decrypt)] {
        let mut fixture = RsaFixture::new(bits)?;
        costs.set(
            op,
            time_op(budget, || {
                black_box(fixture.decrypt());
            }),
        );
    }
    let mut rng = RoleRng::seeded(9, Side::Client);
    let peer = key_exchange::x25519_key_pair(&mut rng).public;
    costs.set(
        Op::X25519Exchange,
        time_op(budget, || {
            black_box(x25519_exchange(&mut rng, &peer));
        }),
    );
    Ok(())
}

/// The bare AES-GCM calls, and our record layer on the same 16 KiB.
fn measure_symmetric(costs: &mut Costs, budget: Duration) -> Result<(), Error> {
    let mut buf = vec![0x61u8; 16384];
    let aes128 = BareGcm::new(16);
    let aes128_seal = time_op(budget, || {
        black_box(aes128.seal(&mut buf));
    });
    costs.set(Op::Aes128Seal16k, aes128_seal);
    // (the same call is the baseline of the record layer)
    costs.set(Op::BareSeal16k, aes128_seal);
    let aes256 = BareGcm::new(32);
    costs.set(
        Op::Aes256Seal16k,
        time_op(budget, || {
            black_box(aes256.seal(&mut buf));
        }),
    );
    let plaintext = buf.clone();
    let tag = aes128.seal(&mut buf);
    let ciphertext = buf;
    let mut work = plaintext;
    costs.set(
        Op::BareOpen16k,
        time_reset(
            budget,
            &mut work,
            |work| work.copy_from_slice(&ciphertext),
            |work| {
                black_box(aes128.open(work, &tag));
            },
        ),
    );
    let mut record = RecordFixture::new(16, 16384)?;
    costs.set(Op::RecordSeal16k, time_op(budget, || record.seal()));
    let mut record = RecordFixture::new(16, 16384)?;
    costs.set(
        Op::RecordOpen16k,
        time_reset(budget, &mut record, RecordFixture::prepare_open, |record| {
            black_box(record.open());
        }),
    );
    measure_cbc(costs, budget)
}

/// The bare AES-CBC and HMAC calls, and our CBC record layer on the same 16 KiB.
fn measure_cbc(costs: &mut Costs, budget: Duration) -> Result<(), Error> {
    let mut bare = BareCbc::new(16384);
    costs.set(Op::BareCbcSeal16k, time_op(budget, || bare.seal()));
    bare.seal();
    let sealed = bare.buf.clone();
    costs.set(
        Op::BareCbcOpen16k,
        time_reset(
            budget,
            &mut bare,
            |bare| bare.buf.copy_from_slice(&sealed),
            |bare| {
                black_box(bare.open());
            },
        ),
    );
    let mut record = RecordFixture::cbc(16384)?;
    costs.set(Op::CbcRecordSeal16k, time_op(budget, || record.seal()));
    costs.set(
        Op::CbcRecordOpen16k,
        time_reset(budget, &mut record, RecordFixture::prepare_open, |record| {
            black_box(record.open());
        }),
    );
    Ok(())
}

/// A full handshake of `kind`, then the server alone and the client alone.
/// A resumed RSA handshake (the abbreviated one): both sides, the server alone, the client
/// alone.
fn measure_resumed(costs: &mut Costs, budget: Duration, how: Resumption) -> Result<(), Error> {
    let fixture = ResumedFixture::new(how)?;
    let mut failure = None;
    let full = time_batched(
        budget,
        || fixture.pair(),
        |sim| {
            if let Err(e) = sim.and_then(|mut sim| abbreviated_handshake(&mut sim)) {
                failure.get_or_insert(e);
            }
        },
    );
    let server = time_batched(
        budget,
        || fixture.server(),
        |server| {
            if let Err(e) = server.and_then(|mut s| replay_server(&mut s, fixture.flights())) {
                failure.get_or_insert(e);
            }
        },
    );
    let client = time_batched(
        budget,
        || fixture.client(),
        |client| {
            let flights = fixture.flights();
            if let Err(e) = client.and_then(|mut c| replay_resumed_client(&mut c, flights)) {
                failure.get_or_insert(e);
            }
        },
    );
    if let Some(e) = failure {
        return Err(e);
    }
    costs.set(Op::ResumedFull(how), full);
    costs.set(Op::ResumedServer(how), server);
    costs.set(Op::ResumedClient(how), client);
    Ok(())
}

fn measure_handshake(
    costs: &mut Costs,
    budget: Duration,
    kind: HandshakeKind,
) -> Result<(), Error> {
    // A failed handshake would be measured as a fast one: keep the first error, report it.
    let mut failure = None;
    let flights = record_flights(kind)?;
    let options = kind.options();
    let full = time_batched(
        budget * 2,
        || fresh_pair(kind),
        |sim| {
            if let Err(e) = sim.and_then(|mut sim| full_handshake(&mut sim)) {
                failure.get_or_insert(e);
            }
        },
    );
    let server = time_batched(
        budget,
        || simulate::demo_server(&options),
        |server| {
            if let Err(e) = server.and_then(|mut s| replay_server(&mut s, &flights)) {
                failure.get_or_insert(e);
            }
        },
    );
    let client = time_batched(
        budget,
        || simulate::demo_client(&options),
        |client| {
            if let Err(e) = client.and_then(|mut c| replay_client(&mut c, &flights)) {
                failure.get_or_insert(e);
            }
        },
    );
    if let Some(e) = failure {
        return Err(e);
    }
    costs.set(Op::HandshakeFull(kind), full);
    costs.set(Op::HandshakeServer(kind), server);
    costs.set(Op::HandshakeClient(kind), client);
    Ok(())
}
