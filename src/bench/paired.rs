//! The ratios the summary's sentences depend on, measured in pairs ([`Pairing`]): in each
//! sample the two timings are taken one right after the other on the same thread (the order
//! swapped every sample), so that a busy moment of the machine falls on both or on neither.
//! Dividing two medians timed seconds apart instead let a busy moment fall on one of them only:
//! on a shared 2-core machine that gave asymmetric work worth 113% of a handshake.
//!
//! `tls12-sim bench` and `cargo bench` both call [`measure_paired`] (the latter once, after
//! criterion's groups); the single costs stay the medians of each operation timed on its own.

use std::hint::black_box;
use std::time::Duration;

use super::costs::{Costs, Op, Paired, Pairing, Part};
use super::fixtures::{BareCbc, BareGcm, RecordFixture, RsaFixture, x25519_exchange};
use super::handshakes::{
    HandshakeKind, ResumedFixture, abbreviated_handshake, fresh_pair, full_handshake,
    record_flights, replay_client, replay_resumed_client, replay_server,
};
use super::timing::{time_paired, timed};
use crate::error::Error;
use crate::key_exchange::{self, RSA_PKCS1_SHA256, RSA_PSS_RSAE_SHA256};
use crate::rng::{RoleRng, Side};
use crate::session::Resumption;
use crate::simulate;

/// The most samples of a paired measurement of handshakes (a few milliseconds each).
const MAX_HANDSHAKE_SAMPLES: usize = 1000;
/// The most samples of a paired measurement of 16 KiB records (a few microseconds each).
const MAX_RECORD_SAMPLES: usize = 5000;

/// Measures every [`Pairing`] into `costs.paired`. `budget`: the time unit (each handshake
/// pairing gets two or three of them, each record pairing one); with 120 ms, as in
/// `tls12-sim bench --quick`, it all takes about 3 seconds.
pub fn measure_paired(costs: &mut Costs, budget: Duration) -> Result<(), Error> {
    let mut asymmetric = AsymmetricOps::new()?;
    for kind in HandshakeKind::ALL {
        let work = kind.asymmetric_work();
        let (full, asym) = time_paired(
            budget * 3,
            MAX_HANDSHAKE_SAMPLES,
            || full_handshake_ns(kind),
            || Ok(asymmetric.time(&work)),
        )?;
        let pairing = Pairing::AsymmetricShare(kind);
        costs
            .paired
            .insert(pairing, Paired::from_samples(pairing, &full, &asym));
    }
    let (rsa, ecdhe) = time_paired(
        budget * 3,
        MAX_HANDSHAKE_SAMPLES,
        || full_handshake_ns(HandshakeKind::Rsa),
        || full_handshake_ns(HandshakeKind::Ecdhe),
    )?;
    let pairing = Pairing::EcdheOverRsa;
    costs
        .paired
        .insert(pairing, Paired::from_samples(pairing, &rsa, &ecdhe));
    for kind in HandshakeKind::ALL {
        let pairing = Pairing::ServerShare(kind);
        let (server, client) = server_and_client(kind, budget * 2)?;
        costs
            .paired
            .insert(pairing, Paired::from_samples(pairing, &server, &client));
    }
    record_layer(costs, budget)?;
    resumption(costs, budget)?;
    cbc_record_layer(costs, budget)?;
    Ok(())
}

/// A resumed RSA handshake against a full one, by session id and by ticket: both sides, the
/// server alone and the client alone, each pair timed together.
fn resumption(costs: &mut Costs, budget: Duration) -> Result<(), Error> {
    let kind = HandshakeKind::Rsa;
    let (flights, options) = (record_flights(kind)?, kind.options());
    for how in [Resumption::SessionId, Resumption::Ticket] {
        let fixture = ResumedFixture::new(how)?;
        let resumed = fixture.flights();
        let (full, short) = time_paired(
            budget * 2,
            MAX_HANDSHAKE_SAMPLES,
            || full_handshake_ns(kind),
            || time_work(fixture.pair(), abbreviated_handshake),
        )?;
        insert(
            costs,
            Pairing::ResumedOverFull(how, Part::Both),
            &full,
            &short,
        );
        let (full, short) = time_paired(
            budget,
            MAX_HANDSHAKE_SAMPLES,
            || {
                time_work(simulate::demo_server(&options), |s| {
                    replay_server(s, &flights)
                })
            },
            || time_work(fixture.server(), |s| replay_server(s, resumed)),
        )?;
        insert(
            costs,
            Pairing::ResumedOverFull(how, Part::Server),
            &full,
            &short,
        );
        let (full, short) = time_paired(
            budget,
            MAX_HANDSHAKE_SAMPLES,
            || {
                time_work(simulate::demo_client(&options), |c| {
                    replay_client(c, &flights)
                })
            },
            || time_work(fixture.client(), |c| replay_resumed_client(c, resumed)),
        )?;
        insert(
            costs,
            Pairing::ResumedOverFull(how, Part::Client),
            &full,
            &short,
        );
    }
    Ok(())
}

/// Nanoseconds of `work` on what `setup` made (the set-up not timed); its error, if it failed.
fn time_work<T>(
    setup: Result<T, Error>,
    work: impl FnOnce(&mut T) -> Result<(), Error>,
) -> Result<f64, Error> {
    let mut subject = setup?;
    let mut result = Ok(());
    let ns = timed(|| result = work(&mut subject));
    result.map(|()| ns)
}

/// Files a pairing's samples.
fn insert(costs: &mut Costs, pairing: Pairing, first: &[f64], second: &[f64]) {
    costs
        .paired
        .insert(pairing, Paired::from_samples(pairing, first, second));
}

/// One full handshake of `kind`, timed without its set-up (nanoseconds).
fn full_handshake_ns(kind: HandshakeKind) -> Result<f64, Error> {
    let mut sim = fresh_pair(kind)?;
    let mut result = Ok(());
    let ns = timed(|| result = full_handshake(&mut sim));
    result.map(|()| ns)
}

/// The server alone and the client alone, replaying recorded flights, timed in pairs.
fn server_and_client(kind: HandshakeKind, budget: Duration) -> Result<(Vec<f64>, Vec<f64>), Error> {
    let flights = record_flights(kind)?;
    let options = kind.options();
    time_paired(
        budget,
        MAX_HANDSHAKE_SAMPLES,
        || {
            let mut server = simulate::demo_server(&options)?;
            let mut result = Ok(());
            let ns = timed(|| result = replay_server(&mut server, &flights));
            result.map(|()| ns)
        },
        || {
            let mut client = simulate::demo_client(&options)?;
            let mut result = Ok(());
            let ns = timed(|| result = replay_client(&mut client, &flights));
            result.map(|()| ns)
        },
    )
}

/// Our record layer against the bare aes-gcm call on the same 16 KiB, seal and open.
fn record_layer(costs: &mut Costs, budget: Duration) -> Result<(), Error> {
    let gcm = BareGcm::new(16);
    let mut buf = vec![0x61u8; 16384];
    let mut record = RecordFixture::new(16, 16384)?;
    let (bare, ours) = time_paired(
        budget,
        MAX_RECORD_SAMPLES,
        || {
            Ok(timed(|| {
                black_box(gcm.seal(&mut buf));
            }))
        },
        || Ok(timed(|| record.seal())),
    )?;
    let pairing = Pairing::RecordSeal;
    costs
        .paired
        .insert(pairing, Paired::from_samples(pairing, &bare, &ours));

    let plaintext = vec![0x61u8; 16384];
    let mut ciphertext = plaintext.clone();
    let tag = gcm.seal(&mut ciphertext);
    let mut work = plaintext;
    let (bare, ours) = time_paired(
        budget,
        MAX_RECORD_SAMPLES,
        || {
            work.copy_from_slice(&ciphertext);
            Ok(timed(|| {
                black_box(gcm.open(&mut work, &tag));
            }))
        },
        || {
            record.prepare_open();
            Ok(timed(|| {
                black_box(record.open());
            }))
        },
    )?;
    let pairing = Pairing::RecordOpen;
    costs
        .paired
        .insert(pairing, Paired::from_samples(pairing, &bare, &ours));
    Ok(())
}

/// Our CBC record layer against the bare aes/cbc and hmac calls on the same 16 KiB, and against
/// our GCM record layer, seal and open.
fn cbc_record_layer(costs: &mut Costs, budget: Duration) -> Result<(), Error> {
    let mut bare = BareCbc::new(16384);
    let mut cbc = RecordFixture::cbc(16384)?;
    let mut gcm = RecordFixture::new(16, 16384)?;
    let (first, second) = time_paired(
        budget,
        MAX_RECORD_SAMPLES,
        || Ok(timed(|| bare.seal())),
        || Ok(timed(|| cbc.seal())),
    )?;
    insert(costs, Pairing::CbcRecordSeal, &first, &second);
    bare.seal();
    let sealed = bare.buf.clone();
    let (first, second) = time_paired(
        budget,
        MAX_RECORD_SAMPLES,
        || {
            bare.buf.copy_from_slice(&sealed);
            Ok(timed(|| {
                black_box(bare.open());
            }))
        },
        || {
            cbc.prepare_open();
            Ok(timed(|| {
                black_box(cbc.open());
            }))
        },
    )?;
    insert(costs, Pairing::CbcRecordOpen, &first, &second);
    let (first, second) = time_paired(
        budget,
        MAX_RECORD_SAMPLES,
        || Ok(timed(|| gcm.seal())),
        || Ok(timed(|| cbc.seal())),
    )?;
    insert(costs, Pairing::CbcOverGcmSeal, &first, &second);
    let opened = |record: &mut RecordFixture| {
        record.prepare_open();
        Ok(timed(|| {
            black_box(record.open());
        }))
    };
    let (first, second) = time_paired(
        budget,
        MAX_RECORD_SAMPLES,
        || opened(&mut gcm),
        || opened(&mut cbc),
    )?;
    insert(costs, Pairing::CbcOverGcmOpen, &first, &second);
    Ok(())
}

/// The asymmetric operations a handshake does, with their keys and inputs set up once.
struct AsymmetricOps {
    /// The demo server's RSA-2048 key (the one the handshakes use) and its inputs.
    rsa: RsaFixture,
    /// For X25519 key pairs.
    rng: RoleRng,
    /// The peer's X25519 public key.
    peer: [u8; 32],
}

impl AsymmetricOps {
    /// The fixtures: the RSA-2048 key and an X25519 peer.
    fn new() -> Result<Self, Error> {
        let mut rng = RoleRng::seeded(9, Side::Client);
        let peer = key_exchange::x25519_key_pair(&mut rng).public;
        Ok(AsymmetricOps {
            rsa: RsaFixture::new(2048)?,
            rng,
            peer,
        })
    }

    /// Runs `op` once if it is one a handshake does (RSA-2048 and X25519); returns whether it
    /// did (the larger RSA keys and the symmetric operations are not a handshake's work).
    fn run(&mut self, op: Op) -> bool {
        match op {
            Op::Rsa2048Encrypt => {
                black_box(self.rsa.encrypt());
            }
            Op::Rsa2048Decrypt => {
                black_box(self.rsa.decrypt());
            }
            Op::Rsa2048Pkcs1Sign => {
                black_box(self.rsa.sign(RSA_PKCS1_SHA256));
            }
            Op::Rsa2048Pkcs1Verify => {
                black_box(self.rsa.verify(RSA_PKCS1_SHA256));
            }
            Op::Rsa2048PssSign => {
                black_box(self.rsa.sign(RSA_PSS_RSAE_SHA256));
            }
            Op::Rsa2048PssVerify => {
                black_box(self.rsa.verify(RSA_PSS_RSAE_SHA256));
            }
            Op::X25519Exchange => {
                black_box(x25519_exchange(&mut self.rng, &self.peer));
            }
            _ => return false,
        }
        true
    }

    /// Nanoseconds of `work` ((operation, count) pairs, as [`HandshakeKind::asymmetric_work`]).
    fn time(&mut self, work: &[(Op, u32)]) -> f64 {
        timed(|| {
            for &(op, count) in work {
                for _ in 0..count {
                    self.run(op);
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_a_handshake_does_can_be_run_alone() {
        let mut ops = AsymmetricOps::new().unwrap();
        for kind in HandshakeKind::ALL {
            for (op, _) in kind.asymmetric_work() {
                assert!(ops.run(op), "{op:?} ({kind:?})");
            }
        }
        assert!(!ops.run(Op::Aes128Seal16k));
    }
}
