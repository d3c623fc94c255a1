//! `cargo bench`: what the handshake costs, where the time goes, against records.
//!
//! Criterion measures every operation (fixed seeds and keys, so every run does the same work);
//! at the end the summary of ratios is computed from criterion's own estimates of this run, and
//! OpenSSL's figures on the same machine are printed beside them. The ratios the summary's
//! sentences depend on (a handshake's asymmetric share, ECDHE against RSA key exchange, the
//! server's share, our record layer against the bare call) are not quotients of two criterion
//! estimates, taken minutes apart: they are timed in pairs once more, after criterion's groups,
//! by the library's own paired timer (`tls12_sim::bench::measure_paired`, about 10 seconds).
//! The summary is also written to `target/criterion/tls12-sim-summary.txt`, with a chart in
//! `tls12-sim-summary.svg`.
//!
//! The benchmarks whose figures the summary reads are named by their [`Op`] (its criterion id),
//! so the summary finds them again; the others (more sizes, HMAC, the PRF) only criterion reports.
//!
//! This executable installs a counting allocator, for the summary's memory figures: a global
//! allocator is fixed per executable, and here it slows nothing but the benchmarks' own run
//! (the `tls12-sim` binary has none; the library reads the counters through a [`MemoryMeter`]).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{BatchSize, Criterion};
use tls12_sim::bench::{self as b, HandshakeKind, MemoryMeter, MemorySnapshot, Op};
use tls12_sim::key_exchange::{RSA_PKCS1_SHA256, RSA_PSS_RSAE_SHA256};
use tls12_sim::prf;
use tls12_sim::rng::{RoleRng, Side};
use tls12_sim::session::Resumption;
use tls12_sim::simulate;
use tls12_sim::suites::HashAlg;

// ---------------------------------------------------------------------------------------------
// Counting allocations

/// A global allocator that counts: allocations, bytes live, and the peak.
struct CountingAllocator;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static PEAK_BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only counters are added.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        let live = LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK_BYTES.fetch_max(live, Ordering::Relaxed);
        // SAFETY: same layout, same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Starts a measurement: the peak is reset to what is live now.
fn memory_start() -> MemorySnapshot {
    let live = LIVE_BYTES.load(Ordering::Relaxed);
    PEAK_BYTES.store(live, Ordering::Relaxed);
    MemorySnapshot {
        allocations: ALLOCATIONS.load(Ordering::Relaxed),
        live_bytes: live,
    }
}

/// Allocations since `start`, and the peak heap above what was live at `start`.
fn memory_since(start: MemorySnapshot) -> (usize, usize) {
    (
        ALLOCATIONS.load(Ordering::Relaxed) - start.allocations,
        PEAK_BYTES
            .load(Ordering::Relaxed)
            .saturating_sub(start.live_bytes),
    )
}

/// The counters above, for the library's memory measurement.
const METER: MemoryMeter = MemoryMeter {
    start: memory_start,
    since: memory_since,
};

// ---------------------------------------------------------------------------------------------
// The benchmarks

fn asymmetric(c: &mut Criterion) {
    let mut group = c.benchmark_group("asymmetric");
    for (bits, decrypt) in [
        (2048, Op::Rsa2048Decrypt),
        (3072, Op::Rsa3072Decrypt),
        (4096, Op::Rsa4096Decrypt),
    ] {
        let mut rsa = b::RsaFixture::new(bits).expect("RSA fixture");
        // The summary reads the 2048-bit encryption; the larger ones only criterion reports.
        let encrypt = match bits {
            2048 => Op::Rsa2048Encrypt.function(),
            _ => format!("rsa{bits}_encrypt"),
        };
        group.bench_function(encrypt, |x| x.iter(|| black_box(rsa.encrypt())));
        group.bench_function(decrypt.function(), |x| x.iter(|| black_box(rsa.decrypt())));
    }
    let mut rsa = b::RsaFixture::new(2048).expect("RSA fixture");
    group.bench_function(Op::Rsa2048Pkcs1Sign.function(), |x| {
        x.iter(|| black_box(rsa.sign(RSA_PKCS1_SHA256)))
    });
    group.bench_function(Op::Rsa2048Pkcs1Verify.function(), |x| {
        x.iter(|| black_box(rsa.verify(RSA_PKCS1_SHA256)))
    });
    group.bench_function(Op::Rsa2048PssSign.function(), |x| {
        x.iter(|| black_box(rsa.sign(RSA_PSS_RSAE_SHA256)))
    });
    group.bench_function(Op::Rsa2048PssVerify.function(), |x| {
        x.iter(|| black_box(rsa.verify(RSA_PSS_RSAE_SHA256)))
    });
    let mut rng = RoleRng::seeded(9, Side::Client);
    let peer = tls12_sim::key_exchange::x25519_key_pair(&mut rng).public;
    group.bench_function(Op::X25519Exchange.function(), |x| {
        x.iter(|| black_box(b::x25519_exchange(&mut rng, &peer)))
    });
    group.finish();
}

fn symmetric(c: &mut Criterion) {
    let mut group = c.benchmark_group("symmetric");
    for (key_len, name, seal_16k) in [
        (16, "aes128gcm", Op::Aes128Seal16k),
        (32, "aes256gcm", Op::Aes256Seal16k),
    ] {
        let gcm = b::BareGcm::new(key_len);
        for size in [64usize, 1024, 16384] {
            let mut buf = vec![0x61u8; size];
            // The summary reads the 16 KiB seal; the other sizes only criterion reports.
            let seal = match size {
                16384 => seal_16k.function(),
                _ => format!("{name}_seal_{size}"),
            };
            group.bench_function(seal, |x| x.iter(|| black_box(gcm.seal(&mut buf))));
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
    group.bench_function(Op::RecordSeal16k.function(), |x| x.iter(|| ours.seal()));
    group.bench_function(Op::RecordOpen16k.function(), |x| {
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
    group.bench_function(Op::BareSeal16k.function(), |x| {
        x.iter(|| black_box(gcm.seal(&mut buf)))
    });
    let mut sealed = vec![0x61u8; 16384];
    let tag = gcm.seal(&mut sealed);
    group.bench_function(Op::BareOpen16k.function(), |x| {
        x.iter_batched_ref(
            || sealed.clone(),
            |work| black_box(gcm.open(work, &tag)),
            BatchSize::LargeInput,
        )
    });
    cbc_records(&mut group);
    group.finish();
}

/// The CBC record layer (AES-128-CBC, HMAC-SHA256, MAC-then-encrypt) and the bare aes/cbc +
/// hmac calls, on the same 16 KiB.
fn cbc_records(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    let mut ours = b::RecordFixture::cbc(16384).expect("CBC record fixture");
    group.bench_function(Op::CbcRecordSeal16k.function(), |x| x.iter(|| ours.seal()));
    group.bench_function(Op::CbcRecordOpen16k.function(), |x| {
        x.iter_batched_ref(
            || {
                let mut fixture = b::RecordFixture::cbc(16384).expect("CBC record fixture");
                fixture.prepare_open();
                fixture
            },
            |fixture| black_box(fixture.open()),
            BatchSize::LargeInput,
        )
    });
    let mut bare = b::BareCbc::new(16384);
    group.bench_function(Op::BareCbcSeal16k.function(), |x| x.iter(|| bare.seal()));
    bare.seal();
    let sealed = bare.buf.clone();
    group.bench_function(Op::BareCbcOpen16k.function(), |x| {
        x.iter_batched_ref(
            || {
                let mut fresh = b::BareCbc::new(16384);
                fresh.buf.copy_from_slice(&sealed);
                fresh
            },
            |fresh| black_box(fresh.open()),
            BatchSize::LargeInput,
        )
    });
}

fn handshakes(c: &mut Criterion) {
    let mut group = c.benchmark_group("handshake");
    group.sample_size(30);
    for kind in HandshakeKind::ALL {
        group.bench_function(Op::HandshakeFull(kind).function(), |x| {
            x.iter_batched(
                || b::fresh_pair(kind).expect("client and server"),
                |mut sim| b::full_handshake(&mut sim).expect("handshake"),
                BatchSize::SmallInput,
            )
        });
        let flights = b::record_flights(kind).expect("recorded flights");
        let options = kind.options();
        group.bench_function(Op::HandshakeServer(kind).function(), |x| {
            x.iter_batched(
                || simulate::demo_server(&options).expect("server"),
                |mut server| b::replay_server(&mut server, &flights).expect("server replay"),
                BatchSize::SmallInput,
            )
        });
        group.bench_function(Op::HandshakeClient(kind).function(), |x| {
            x.iter_batched(
                || simulate::demo_client(&options).expect("client"),
                |mut client| b::replay_client(&mut client, &flights).expect("client replay"),
                BatchSize::SmallInput,
            )
        });
    }
    for how in [Resumption::SessionId, Resumption::Ticket] {
        let fixture = b::ResumedFixture::new(how).expect("a session to resume");
        group.bench_function(Op::ResumedFull(how).function(), |x| {
            x.iter_batched(
                || fixture.pair().expect("client and server"),
                |mut sim| b::abbreviated_handshake(&mut sim).expect("resumed"),
                BatchSize::SmallInput,
            )
        });
        let flights = fixture.flights();
        group.bench_function(Op::ResumedServer(how).function(), |x| {
            x.iter_batched(
                || fixture.server().expect("server"),
                |mut server| b::replay_server(&mut server, flights).expect("server replay"),
                BatchSize::SmallInput,
            )
        });
        group.bench_function(Op::ResumedClient(how).function(), |x| {
            x.iter_batched(
                || fixture.client().expect("client"),
                |mut client| b::replay_resumed_client(&mut client, flights).expect("replay"),
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
    for op in Op::all() {
        if let Some(ns) = estimate(&dir, &op.criterion_id()) {
            costs.set(op, ns);
        }
    }
    // The paired ratios, with a modest budget (each handshake pairing takes 2-3 of it).
    if let Err(e) = b::measure_paired(&mut costs, Duration::from_millis(300)) {
        eprintln!("paired measurement failed: {e} (the summary divides criterion's estimates)");
    }
    if let Err(e) = b::measure_memory(&mut costs, &METER) {
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
