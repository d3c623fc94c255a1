//! `cargo bench`: what the handshake costs, where the time goes, against records.
//!
//! Criterion measures every operation (fixed seeds and keys, so every run does the same work);
//! at the end the summary of ratios is computed from criterion's own estimates of this run, and
//! OpenSSL's figures on the same machine are printed beside them. The summary is also written
//! to `target/criterion/tls12-sim-summary.txt`, with a chart in `tls12-sim-summary.svg`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BatchSize, Criterion};
use tls12_sim::bench::{self as b, HandshakeKind};
use tls12_sim::key_exchange::{RSA_PKCS1_SHA256, RSA_PSS_RSAE_SHA256};
use tls12_sim::prf::{self, HashAlg};
use tls12_sim::rng::{RoleRng, Side};
use tls12_sim::simulate;

#[global_allocator]
static ALLOCATOR: b::CountingAllocator = b::CountingAllocator;

fn asymmetric(c: &mut Criterion) {
    let mut group = c.benchmark_group("asymmetric");
    for bits in [2048, 3072, 4096] {
        let mut rsa = b::RsaFixture::new(bits).expect("RSA fixture");
        group.bench_function(format!("rsa{bits}_encrypt"), |x| {
            x.iter(|| black_box(rsa.encrypt()))
        });
        group.bench_function(format!("rsa{bits}_decrypt"), |x| {
            x.iter(|| black_box(rsa.decrypt()))
        });
    }
    let mut rsa = b::RsaFixture::new(2048).expect("RSA fixture");
    group.bench_function("rsa2048_pkcs1_sign", |x| {
        x.iter(|| black_box(rsa.sign(RSA_PKCS1_SHA256)))
    });
    group.bench_function("rsa2048_pkcs1_verify", |x| {
        x.iter(|| black_box(rsa.verify(RSA_PKCS1_SHA256)))
    });
    group.bench_function("rsa2048_pss_sign", |x| {
        x.iter(|| black_box(rsa.sign(RSA_PSS_RSAE_SHA256)))
    });
    group.bench_function("rsa2048_pss_verify", |x| {
        x.iter(|| black_box(rsa.verify(RSA_PSS_RSAE_SHA256)))
    });
    let mut rng = RoleRng::seeded(9, Side::Client);
    let peer = tls12_sim::key_exchange::x25519_key_pair(&mut rng).public;
    group.bench_function("x25519_keygen_and_shared", |x| {
        x.iter(|| black_box(b::x25519_exchange(&mut rng, &peer)))
    });
    group.finish();
}

fn symmetric(c: &mut Criterion) {
    let mut group = c.benchmark_group("symmetric");
    for (key_len, name) in [(16, "aes128gcm"), (32, "aes256gcm")] {
        let gcm = b::BareGcm::new(key_len);
        for size in [64usize, 1024, 16384] {
            let mut buf = vec![0x61u8; size];
            group.bench_function(format!("{name}_seal_{size}"), |x| {
                x.iter(|| black_box(gcm.seal(&mut buf)))
            });
            let plaintext = vec![0x61u8; size];
            let mut sealed = plaintext.clone();
            let tag = gcm.seal(&mut sealed);
            group.bench_function(format!("{name}_open_{size}"), |x| {
                x.iter_batched_ref(
                    || sealed.clone(),
                    |work| black_box(gcm.open(work, &tag)),
                    BatchSize::SmallInput,
                )
            });
        }
    }
    let key = [7u8; 48];
    let data = [9u8; 64];
    group.bench_function("hmac_sha256_64", |x| {
        x.iter(|| black_box(prf::hmac(HashAlg::Sha256, &key, &data)))
    });
    group.bench_function("hmac_sha384_64", |x| {
        x.iter(|| black_box(prf::hmac(HashAlg::Sha384, &key, &data)))
    });
    let pre_master = [3u8; 48];
    group.bench_function("prf_master_secret_and_key_block", |x| {
        x.iter(|| black_box(b::prf_master_and_key_block(&pre_master)))
    });
    group.finish();
}

fn records(c: &mut Criterion) {
    let mut group = c.benchmark_group("records");
    let mut ours = b::RecordFixture::new(16, 16384).expect("record fixture");
    group.bench_function("ours_seal_16384", |x| x.iter(|| ours.seal()));
    group.bench_function("ours_open_16384", |x| {
        x.iter_batched_ref(
            || {
                let mut fixture = b::RecordFixture::new(16, 16384).expect("record fixture");
                fixture.prepare_open();
                fixture
            },
            |fixture| black_box(fixture.open()),
            BatchSize::LargeInput,
        )
    });
    let gcm = b::BareGcm::new(16);
    let mut buf = vec![0x61u8; 16384];
    group.bench_function("bare_aes128gcm_seal_16384", |x| {
        x.iter(|| black_box(gcm.seal(&mut buf)))
    });
    let mut sealed = vec![0x61u8; 16384];
    let tag = gcm.seal(&mut sealed);
    group.bench_function("bare_aes128gcm_open_16384", |x| {
        x.iter_batched_ref(
            || sealed.clone(),
            |work| black_box(gcm.open(work, &tag)),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn handshakes(c: &mut Criterion) {
    let mut group = c.benchmark_group("handshake");
    group.sample_size(30);
    for kind in HandshakeKind::ALL {
        let name = kind.name();
        group.bench_function(format!("{name}_full"), |x| {
            x.iter_batched(
                || b::fresh_pair(kind).expect("client and server"),
                |mut sim| b::full_handshake(&mut sim).expect("handshake"),
                BatchSize::SmallInput,
            )
        });
        let flights = b::record_flights(kind).expect("recorded flights");
        let options = kind.options();
        group.bench_function(format!("{name}_server_alone"), |x| {
            x.iter_batched(
                || simulate::demo_server(&options).expect("server"),
                |mut server| b::replay_server(&mut server, &flights).expect("server replay"),
                BatchSize::SmallInput,
            )
        });
        group.bench_function(format!("{name}_client_alone"), |x| {
            x.iter_batched(
                || simulate::demo_client(&options).expect("client"),
                |mut client| b::replay_client(&mut client, &flights).expect("client replay"),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

/// criterion's estimate (median, ns) for `id` (`group/function`), from this run.
fn estimate(dir: &std::path::Path, id: &str) -> Option<f64> {
    let text = std::fs::read_to_string(dir.join(id).join("new/estimates.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn criterion_dir() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    target.join("criterion")
}

fn summary() {
    let dir = criterion_dir();
    let mut costs = b::Costs::default();
    let mut ids: Vec<String> = vec![
        b::OP_RSA2048_ENCRYPT.into(),
        b::OP_RSA2048_DECRYPT.into(),
        b::OP_RSA3072_DECRYPT.into(),
        b::OP_RSA4096_DECRYPT.into(),
        b::OP_RSA2048_PKCS1_SIGN.into(),
        b::OP_RSA2048_PKCS1_VERIFY.into(),
        b::OP_RSA2048_PSS_SIGN.into(),
        b::OP_RSA2048_PSS_VERIFY.into(),
        b::OP_X25519_EXCHANGE.into(),
        b::OP_AES128_SEAL_16K.into(),
        b::OP_AES256_SEAL_16K.into(),
        b::OP_RECORD_SEAL_16K.into(),
        b::OP_RECORD_OPEN_16K.into(),
        b::OP_BARE_SEAL_16K.into(),
        b::OP_BARE_OPEN_16K.into(),
    ];
    for kind in HandshakeKind::ALL {
        ids.extend([b::op_full(kind), b::op_server(kind), b::op_client(kind)]);
    }
    for id in ids {
        if let Some(ns) = estimate(&dir, &id) {
            costs.set(id, ns);
        }
    }
    if let Err(e) = b::measure_memory(&mut costs) {
        eprintln!("memory measurement failed: {e}");
    }
    let openssl = b::openssl_speed(1);
    let text = b::summary(&costs, openssl.as_ref());
    println!("{text}");
    let _ = std::fs::write(dir.join("tls12-sim-summary.txt"), &text);
    let _ = std::fs::write(dir.join("tls12-sim-summary.svg"), b::svg_chart(&costs));
    println!(
        "(written to {0}/tls12-sim-summary.txt and .svg; criterion's report: {0}/report/index.html)",
        dir.display()
    );
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(40)
        .configure_from_args();
    asymmetric(&mut c);
    symmetric(&mut c);
    records(&mut c);
    handshakes(&mut c);
    c.final_summary();
    // Under `cargo test` (criterion's test mode) nothing was measured: no summary then.
    if !std::env::args().any(|a| a == "--test") && std::env::args().any(|a| a == "--bench") {
        summary();
    }
}
