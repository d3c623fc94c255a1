//! What things cost: the operations `cargo bench` and `tls12-sim bench` measure, and the
//! summary of ratios a class reads.
//!
//! The source article's claim is that the private key works only during the handshake and the
//! cheap symmetric session keys do everything after. Here that becomes numbers from one run:
//! one RSA private-key operation against kilobytes of AES-GCM, a whole handshake against
//! megabytes of records, RSA key exchange against ECDHE, and where a handshake's time goes.
//!
//! Everything runs from fixed seeds and fixed keys, so every run measures the same work.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes128Gcm, Aes256Gcm, KeyInit};
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey, RsaPublicKey};

use crate::client::Client;
use crate::demo_pki::{self, DemoClient};
use crate::error::Error;
use crate::key_exchange::{self, RSA_PKCS1_SHA256, RSA_PSS_RSAE_SHA256};
use crate::phrase;
use crate::prf::{self, HashAlg};
use crate::record::{Direction, RECORD_HEADER_LEN};
use crate::rng::{RoleRng, Side};
use crate::server::Server;
use crate::simulate::{self, Options, Simulation};
use crate::suites::{CipherSuite, EXPLICIT_NONCE_LEN};
use crate::wire::{Flow, MemoryWire};

// ---------------------------------------------------------------------------------------------
// Counting allocations

/// A global allocator that counts: allocations, bytes live, and the peak. Install it with
/// `#[global_allocator]` (the benchmarks and the `tls12-sim` binary do) to report memory.
pub struct CountingAllocator;

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

/// Allocation counters, read before and after some work.
#[derive(Clone, Copy, Debug)]
pub struct MemorySnapshot {
    pub allocations: usize,
    pub live_bytes: usize,
}

/// Starts a measurement: the peak is reset to what is live now.
pub fn memory_start() -> MemorySnapshot {
    let live = LIVE_BYTES.load(Ordering::Relaxed);
    PEAK_BYTES.store(live, Ordering::Relaxed);
    MemorySnapshot {
        allocations: ALLOCATIONS.load(Ordering::Relaxed),
        live_bytes: live,
    }
}

/// Allocations since `start`, and the peak heap above what was live at `start`.
pub fn memory_since(start: MemorySnapshot) -> (usize, usize) {
    (
        ALLOCATIONS.load(Ordering::Relaxed) - start.allocations,
        PEAK_BYTES
            .load(Ordering::Relaxed)
            .saturating_sub(start.live_bytes),
    )
}

/// True when the counting allocator is installed (otherwise memory figures are not reported).
pub fn counting_allocator_installed() -> bool {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    {
        black_box(vec![0u8; 1]);
    };
    ALLOCATIONS.load(Ordering::Relaxed) > before
}

// ---------------------------------------------------------------------------------------------
// Fixtures

/// RSA keys of the three sizes the benchmarks compare. The 2048-bit one is the demo server's;
/// the others are fixed test keys (made from a seed, like the demo PKI).
pub fn rsa_key(bits: usize) -> Result<RsaPrivateKey, Error> {
    match bits {
        2048 => Ok(demo_pki::server()?.key),
        3072 => crate::pki::load_private_key_pem(include_str!("demo/bench-rsa-3072.key")),
        4096 => crate::pki::load_private_key_pem(include_str!("demo/bench-rsa-4096.key")),
        other => Err(Error::Config(phrase!("no {}-bit benchmark key", other))),
    }
}

/// An RSA key and what its operations work on: a pre-master ciphertext, signatures.
pub struct RsaFixture {
    pub bits: usize,
    pub key: RsaPrivateKey,
    pub public: RsaPublicKey,
    pub pre_master: [u8; 48],
    pub ciphertext: Vec<u8>,
    pub message: Vec<u8>,
    pub pkcs1_signature: Vec<u8>,
    pub pss_signature: Vec<u8>,
    pub rng: RoleRng,
}

impl RsaFixture {
    pub fn new(bits: usize) -> Result<Self, Error> {
        let key = rsa_key(bits)?;
        let public = key.to_public_key();
        let mut rng = RoleRng::seeded(bits as u64, Side::Client);
        let (pre_master, ciphertext) =
            key_exchange::rsa_encrypt_pre_master(&mut rng, &public, 0x0303)?;
        // What a TLS 1.2 signature covers is a few hundred bytes to a few kilobytes.
        let message = vec![0x42; 1024];
        let pkcs1_signature = key_exchange::sign(&mut rng, &key, RSA_PKCS1_SHA256, &message)?;
        let pss_signature = key_exchange::sign(&mut rng, &key, RSA_PSS_RSAE_SHA256, &message)?;
        Ok(RsaFixture {
            bits,
            key,
            public,
            pre_master: *pre_master,
            ciphertext,
            message,
            pkcs1_signature,
            pss_signature,
            rng,
        })
    }

    /// RSAES-PKCS1-v1_5 encryption of the 48-byte pre-master: the public-key operation.
    pub fn encrypt(&mut self) -> Vec<u8> {
        self.public
            .encrypt(&mut self.rng, Pkcs1v15Encrypt, &self.pre_master)
            .unwrap_or_default()
    }

    /// Its decryption, blinded: the private-key operation (what the server does, including our
    /// RFC 5246 7.4.7.1 handling around it).
    pub fn decrypt(&mut self) -> [u8; 48] {
        *key_exchange::rsa_decrypt_pre_master(&mut self.rng, &self.key, &self.ciphertext, 0x0303)
    }

    pub fn sign(&mut self, scheme: u16) -> Vec<u8> {
        key_exchange::sign(&mut self.rng, &self.key, scheme, &self.message).unwrap_or_default()
    }

    pub fn verify(&self, scheme: u16) -> bool {
        let signature = match scheme {
            RSA_PSS_RSAE_SHA256 => &self.pss_signature,
            _ => &self.pkcs1_signature,
        };
        key_exchange::verify(&self.public, scheme, &self.message, signature).is_ok()
    }
}

/// One X25519 exchange, as each side does it: make a key pair, compute the shared secret.
pub fn x25519_exchange(rng: &mut RoleRng, peer_public: &[u8; 32]) -> [u8; 32] {
    let pair = key_exchange::x25519_key_pair(rng);
    key_exchange::x25519_shared_secret(&pair.private, peer_public)
        .map(|s| *s)
        .unwrap_or_default()
}

/// The bare aes-gcm cipher (the baseline our record layer is measured against).
pub enum BareGcm {
    Aes128(Box<Aes128Gcm>),
    Aes256(Box<Aes256Gcm>),
}

impl BareGcm {
    pub fn new(key_len: usize) -> Self {
        let key = vec![0x11; key_len];
        match key_len {
            16 => BareGcm::Aes128(Box::new(
                Aes128Gcm::new_from_slice(&key).unwrap_or_else(|_| unreachable!()),
            )),
            _ => BareGcm::Aes256(Box::new(
                Aes256Gcm::new_from_slice(&key).unwrap_or_else(|_| unreachable!()),
            )),
        }
    }

    /// Encrypts `buf` in place; returns the tag.
    pub fn seal(&self, buf: &mut [u8]) -> [u8; 16] {
        let nonce = [7u8; 12].into();
        let aad = [0u8; 13];
        let tag = match self {
            BareGcm::Aes128(c) => c.encrypt_inout_detached(&nonce, &aad, buf.into()),
            BareGcm::Aes256(c) => c.encrypt_inout_detached(&nonce, &aad, buf.into()),
        };
        tag.map(Into::into).unwrap_or([0; 16])
    }

    /// Decrypts `buf` in place if `tag` checks.
    pub fn open(&self, buf: &mut [u8], tag: &[u8; 16]) -> bool {
        let nonce = [7u8; 12].into();
        let aad = [0u8; 13];
        let tag = (*tag).into();
        match self {
            BareGcm::Aes128(c) => c.decrypt_inout_detached(&nonce, &aad, buf.into(), &tag),
            BareGcm::Aes256(c) => c.decrypt_inout_detached(&nonce, &aad, buf.into(), &tag),
        }
        .is_ok()
    }
}

/// Our record layer on one direction, with a record buffer laid out for sealing in place.
pub struct RecordFixture {
    pub writer: Direction,
    pub reader: Direction,
    /// header(5) + explicit nonce(8) + plaintext, then room for the tag.
    pub record: Vec<u8>,
    pub len: usize,
}

impl RecordFixture {
    pub fn new(key_len: usize, len: usize) -> Result<Self, Error> {
        let key = vec![0x11; key_len];
        let mut record = Vec::with_capacity(RECORD_HEADER_LEN + EXPLICIT_NONCE_LEN + len + 16);
        record.resize(RECORD_HEADER_LEN + EXPLICIT_NONCE_LEN + len, 0x61);
        Ok(RecordFixture {
            writer: Direction::protected(&key, [1, 2, 3, 4])?,
            reader: Direction::protected(&key, [1, 2, 3, 4])?,
            record,
            len,
        })
    }

    /// Seals the record in place (the tag is dropped again, so the next call does the same
    /// work on the same layout).
    pub fn seal(&mut self) {
        self.record
            .truncate(RECORD_HEADER_LEN + EXPLICIT_NONCE_LEN + self.len);
        let _ = self.writer.seal_in_place(23, 0x0303, &mut self.record, 0);
    }

    /// A freshly sealed record, and a reader at sequence number 0, ready to open it.
    pub fn prepare_open(&mut self) {
        self.writer.seq = 0;
        self.seal();
        self.reader.seq = 0;
    }

    /// Opens the record in place.
    pub fn open(&mut self) -> bool {
        let fragment = &mut self.record[RECORD_HEADER_LEN..];
        self.reader.open_in_place(23, 0x0303, fragment).is_ok()
    }
}

// ---------------------------------------------------------------------------------------------
// Handshakes

/// The handshakes measured: both key exchanges, with and without mutual TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandshakeKind {
    Rsa,
    Ecdhe,
    RsaMtls,
    EcdheMtls,
}

impl HandshakeKind {
    pub const ALL: [HandshakeKind; 4] = [
        HandshakeKind::Rsa,
        HandshakeKind::Ecdhe,
        HandshakeKind::RsaMtls,
        HandshakeKind::EcdheMtls,
    ];

    pub fn name(self) -> &'static str {
        match self {
            HandshakeKind::Rsa => "rsa",
            HandshakeKind::Ecdhe => "ecdhe",
            HandshakeKind::RsaMtls => "rsa_mtls",
            HandshakeKind::EcdheMtls => "ecdhe_mtls",
        }
    }

    /// The simulator options: AES-128-GCM suites, tracing off, fixed seed.
    pub fn options(self) -> Options {
        let (suite, mtls) = match self {
            HandshakeKind::Rsa => (CipherSuite::RsaAes128GcmSha256, false),
            HandshakeKind::Ecdhe => (CipherSuite::EcdheRsaAes128GcmSha256, false),
            HandshakeKind::RsaMtls => (CipherSuite::RsaAes128GcmSha256, true),
            HandshakeKind::EcdheMtls => (CipherSuite::EcdheRsaAes128GcmSha256, true),
        };
        Options {
            suite,
            seed: 1,
            trace: false,
            mtls,
            client_certificate: mtls.then_some(DemoClient::Alice),
            ..Options::default()
        }
    }

    /// The public-key operations this handshake must do, side by side: (operation, count).
    /// A certificate check is one RSA-2048 PKCS#1 v1.5 verification (the CA's signature on the
    /// certificate; CRL signatures are checked once, when the trust store is loaded); the
    /// signature schemes chosen are rsa_pss_rsae_sha256.
    pub fn asymmetric_work(self) -> Vec<(&'static str, u32)> {
        let mut work = vec![(OP_RSA2048_PKCS1_VERIFY, 1)]; // client: the server's certificate
        match self {
            HandshakeKind::Rsa | HandshakeKind::RsaMtls => {
                work.push((OP_RSA2048_ENCRYPT, 1)); // client: the pre-master
                work.push((OP_RSA2048_DECRYPT, 1)); // server: the pre-master
            }
            HandshakeKind::Ecdhe | HandshakeKind::EcdheMtls => {
                work.push((OP_RSA2048_PSS_SIGN, 1)); // server: ServerKeyExchange
                work.push((OP_RSA2048_PSS_VERIFY, 1)); // client: ServerKeyExchange
                work.push((OP_X25519_EXCHANGE, 2)); // both: key pair + shared secret
            }
        }
        if matches!(self, HandshakeKind::RsaMtls | HandshakeKind::EcdheMtls) {
            work.push((OP_RSA2048_PSS_SIGN, 1)); // client: CertificateVerify
            work.push((OP_RSA2048_PSS_VERIFY, 1)); // server: CertificateVerify
            work.push((OP_RSA2048_PKCS1_VERIFY, 1)); // server: the client's certificate
        }
        work
    }
}

/// A client and a server ready for a handshake of `kind`.
pub fn fresh_pair(kind: HandshakeKind) -> Result<Simulation, Error> {
    let options = kind.options();
    Ok(Simulation::new(
        simulate::demo_client(&options)?,
        simulate::demo_server(&options)?,
    ))
}

/// One full handshake, both sides, in memory (no application data).
pub fn full_handshake(sim: &mut Simulation) -> Result<(), Error> {
    sim.client.send_hello(&mut sim.wire.client())?;
    sim.server.answer_hello(&mut sim.wire.server())?;
    sim.client.answer_server(&mut sim.wire.client())?;
    sim.server.finish(&mut sim.wire.server())?;
    sim.client.finish(&mut sim.wire.client())
}

/// The four flights of one handshake of `kind`, recorded for replay.
pub fn record_flights(kind: HandshakeKind) -> Result<Vec<Flow>, Error> {
    let mut sim = fresh_pair(kind)?;
    full_handshake(&mut sim)?;
    Ok(sim.wire.flows)
}

/// The server alone: the recorded client flights go in, the server does its work (its RNG is
/// seeded as in the recording, so it answers identically).
pub fn replay_server(server: &mut Server, client_flights: &[Flow]) -> Result<(), Error> {
    let mut wire = MemoryWire::new();
    let (Some(hello), Some(flight3)) = (client_flights.first(), client_flights.get(2)) else {
        return Err(Error::Internal(phrase!("recording too short")));
    };
    wire.in_flight(Side::Server).extend(&hello.bytes);
    server.answer_hello(&mut wire.server())?;
    wire.in_flight(Side::Server).extend(&flight3.bytes);
    server.finish(&mut wire.server())
}

/// The client alone, against the recorded server flights.
pub fn replay_client(client: &mut Client, flights: &[Flow]) -> Result<(), Error> {
    let mut wire = MemoryWire::new();
    let (Some(flight2), Some(flight4)) = (flights.get(1), flights.get(3)) else {
        return Err(Error::Internal(phrase!("recording too short")));
    };
    client.send_hello(&mut wire.client())?;
    wire.in_flight(Side::Client).extend(&flight2.bytes);
    client.answer_server(&mut wire.client())?;
    wire.in_flight(Side::Client).extend(&flight4.bytes);
    client.finish(&mut wire.client())
}

// ---------------------------------------------------------------------------------------------
// The measurement names, shared by `cargo bench` and `tls12-sim bench`

pub const OP_RSA2048_ENCRYPT: &str = "asymmetric/rsa2048_encrypt";
pub const OP_RSA2048_DECRYPT: &str = "asymmetric/rsa2048_decrypt";
pub const OP_RSA3072_DECRYPT: &str = "asymmetric/rsa3072_decrypt";
pub const OP_RSA4096_DECRYPT: &str = "asymmetric/rsa4096_decrypt";
pub const OP_RSA2048_PKCS1_SIGN: &str = "asymmetric/rsa2048_pkcs1_sign";
pub const OP_RSA2048_PKCS1_VERIFY: &str = "asymmetric/rsa2048_pkcs1_verify";
pub const OP_RSA2048_PSS_SIGN: &str = "asymmetric/rsa2048_pss_sign";
pub const OP_RSA2048_PSS_VERIFY: &str = "asymmetric/rsa2048_pss_verify";
pub const OP_X25519_EXCHANGE: &str = "asymmetric/x25519_keygen_and_shared";
pub const OP_AES128_SEAL_16K: &str = "symmetric/aes128gcm_seal_16384";
pub const OP_AES256_SEAL_16K: &str = "symmetric/aes256gcm_seal_16384";
pub const OP_RECORD_SEAL_16K: &str = "records/ours_seal_16384";
pub const OP_RECORD_OPEN_16K: &str = "records/ours_open_16384";
pub const OP_BARE_SEAL_16K: &str = "records/bare_aes128gcm_seal_16384";
pub const OP_BARE_OPEN_16K: &str = "records/bare_aes128gcm_open_16384";

pub fn op_full(kind: HandshakeKind) -> String {
    format!("handshake/{}_full", kind.name())
}

pub fn op_server(kind: HandshakeKind) -> String {
    format!("handshake/{}_server_alone", kind.name())
}

pub fn op_client(kind: HandshakeKind) -> String {
    format!("handshake/{}_client_alone", kind.name())
}

/// Measured costs: nanoseconds per operation, by name.
#[derive(Clone, Debug, Default)]
pub struct Costs {
    pub ns: BTreeMap<String, f64>,
    /// Memory: (what, allocations, peak bytes).
    pub memory: Vec<(String, usize, usize)>,
}

impl Costs {
    pub fn get(&self, name: &str) -> Option<f64> {
        self.ns.get(name).copied()
    }

    pub fn set(&mut self, name: impl Into<String>, ns: f64) {
        self.ns.insert(name.into(), ns);
    }
}

// ---------------------------------------------------------------------------------------------
// A small timer, for `tls12-sim bench` (`cargo bench` uses criterion)

/// Median nanoseconds per call of `op`, over batches that run for about `budget` in all.
pub fn time_op(budget: Duration, mut op: impl FnMut()) -> f64 {
    op(); // warm up
    let mut per_batch = 1u32;
    loop {
        let start = Instant::now();
        for _ in 0..per_batch {
            op();
        }
        if start.elapsed() >= Duration::from_millis(2) || per_batch >= 1 << 20 {
            break;
        }
        per_batch *= 2;
    }
    let mut samples = Vec::new();
    let deadline = Instant::now() + budget;
    while samples.len() < 5 || (Instant::now() < deadline && samples.len() < 200) {
        let start = Instant::now();
        for _ in 0..per_batch {
            op();
        }
        samples.push(start.elapsed().as_nanos() as f64 / f64::from(per_batch));
    }
    median(&mut samples)
}

/// Median nanoseconds of `routine`, each call on a fresh input from `setup` (not timed).
pub fn time_batched<T>(
    budget: Duration,
    mut setup: impl FnMut() -> T,
    mut routine: impl FnMut(T),
) -> f64 {
    let mut samples = Vec::new();
    let deadline = Instant::now() + budget;
    while samples.len() < 5 || (Instant::now() < deadline && samples.len() < 500) {
        let input = setup();
        let start = Instant::now();
        routine(input);
        samples.push(start.elapsed().as_nanos() as f64);
    }
    median(&mut samples)
}

/// Median nanoseconds of `routine` on `state`, after `reset` (not timed) before each call.
pub fn time_reset<S>(
    budget: Duration,
    state: &mut S,
    mut reset: impl FnMut(&mut S),
    mut routine: impl FnMut(&mut S),
) -> f64 {
    let mut samples = Vec::new();
    let deadline = Instant::now() + budget;
    while samples.len() < 5 || (Instant::now() < deadline && samples.len() < 2000) {
        reset(state);
        let start = Instant::now();
        routine(state);
        samples.push(start.elapsed().as_nanos() as f64);
    }
    median(&mut samples)
}

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Measures everything the summary needs, with our own timer. `quick`: small budgets (the whole
/// run takes a few seconds), for a class; otherwise about a second per measurement.
pub fn measure(quick: bool) -> Result<Costs, Error> {
    let budget = Duration::from_millis(if quick { 120 } else { 800 });
    let mut costs = Costs::default();

    let mut rsa2048 = RsaFixture::new(2048)?;
    costs.set(
        OP_RSA2048_ENCRYPT,
        time_op(budget, || {
            black_box(rsa2048.encrypt());
        }),
    );
    costs.set(
        OP_RSA2048_DECRYPT,
        time_op(budget, || {
            black_box(rsa2048.decrypt());
        }),
    );
    costs.set(
        OP_RSA2048_PKCS1_SIGN,
        time_op(budget, || {
            black_box(rsa2048.sign(RSA_PKCS1_SHA256));
        }),
    );
    costs.set(
        OP_RSA2048_PKCS1_VERIFY,
        time_op(budget, || {
            black_box(rsa2048.verify(RSA_PKCS1_SHA256));
        }),
    );
    costs.set(
        OP_RSA2048_PSS_SIGN,
        time_op(budget, || {
            black_box(rsa2048.sign(RSA_PSS_RSAE_SHA256));
        }),
    );
    costs.set(
        OP_RSA2048_PSS_VERIFY,
        time_op(budget, || {
            black_box(rsa2048.verify(RSA_PSS_RSAE_SHA256));
        }),
    );
    for (bits, name) in [(3072, OP_RSA3072_DECRYPT), (4096, OP_RSA4096_DECRYPT)] {
        let mut fixture = RsaFixture::new(bits)?;
        costs.set(
            name,
            time_op(budget, || {
                black_box(fixture.decrypt());
            }),
        );
    }
    let mut rng = RoleRng::seeded(9, Side::Client);
    let peer = key_exchange::x25519_key_pair(&mut rng).public;
    costs.set(
        OP_X25519_EXCHANGE,
        time_op(budget, || {
            black_box(x25519_exchange(&mut rng, &peer));
        }),
    );

    let mut buf = vec![0x61u8; 16384];
    let aes128 = BareGcm::new(16);
    // (the same call is the baseline of the record layer)
    costs.set(
        OP_AES128_SEAL_16K,
        time_op(budget, || {
            black_box(aes128.seal(&mut buf));
        }),
    );
    costs.set(
        OP_BARE_SEAL_16K,
        costs.get(OP_AES128_SEAL_16K).unwrap_or(f64::NAN),
    );
    let aes256 = BareGcm::new(32);
    costs.set(
        OP_AES256_SEAL_16K,
        time_op(budget, || {
            black_box(aes256.seal(&mut buf));
        }),
    );
    let plaintext = buf.clone();
    let tag = aes128.seal(&mut buf);
    let ciphertext = buf;
    let mut work = plaintext;
    costs.set(
        OP_BARE_OPEN_16K,
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
    costs.set(OP_RECORD_SEAL_16K, time_op(budget, || record.seal()));
    let mut record = RecordFixture::new(16, 16384)?;
    costs.set(
        OP_RECORD_OPEN_16K,
        time_reset(budget, &mut record, RecordFixture::prepare_open, |record| {
            black_box(record.open());
        }),
    );

    for kind in HandshakeKind::ALL {
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
        costs.set(op_full(kind), full);
        costs.set(op_server(kind), server);
        costs.set(op_client(kind), client);
    }
    measure_memory(&mut costs)?;
    Ok(costs)
}

/// Memory: peak heap of one handshake, allocations per record sealed and opened.
pub fn measure_memory(costs: &mut Costs) -> Result<(), Error> {
    if !counting_allocator_installed() {
        return Ok(());
    }
    for kind in [HandshakeKind::Rsa, HandshakeKind::EcdheMtls] {
        let mut sim = fresh_pair(kind)?;
        let start = memory_start();
        full_handshake(&mut sim)?;
        let (allocations, peak) = memory_since(start);
        costs.memory.push((
            format!("one {} handshake, both sides", kind.name()),
            allocations,
            peak,
        ));
    }
    let mut record = RecordFixture::new(16, 16384)?;
    record.seal();
    let start = memory_start();
    for _ in 0..1000 {
        record.seal();
    }
    let (allocations, peak) = memory_since(start);
    costs.memory.push((
        "1000 records sealed (16 KiB each)".into(),
        allocations,
        peak,
    ));
    let start = memory_start();
    for _ in 0..1000 {
        record.prepare_open();
        record.open();
    }
    let (allocations, peak) = memory_since(start);
    costs
        .memory
        .push(("1000 records sealed and opened".into(), allocations, peak));
    // Through the whole record layer: application data out through a flight buffer, to a
    // sink, after one warm-up record.
    let mut sim = fresh_pair(HandshakeKind::Ecdhe)?;
    full_handshake(&mut sim)?;
    let data = vec![0x61u8; 16384];
    let mut sink = std::io::sink();
    sim.client.send(&mut sink, &data)?;
    let start = memory_start();
    for _ in 0..1000 {
        sim.client.send(&mut sink, &data)?;
    }
    let (allocations, peak) = memory_since(start);
    costs.memory.push((
        "1000 x 16 KiB of application data sent (record layer, flush)".into(),
        allocations,
        peak,
    ));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// OpenSSL on the same machine

/// What `openssl speed` measured: nanoseconds per operation (RSA private op, X25519) and per
/// 16 KiB of AES-GCM.
#[derive(Clone, Debug, Default)]
pub struct OpenSslSpeed {
    pub version: String,
    pub rsa2048_private_ns: Option<f64>,
    pub rsa2048_public_ns: Option<f64>,
    pub x25519_ns: Option<f64>,
    pub aes128gcm_16k_ns: Option<f64>,
    pub aes256gcm_16k_ns: Option<f64>,
}

/// Runs `openssl speed` (about `seconds` per measurement), if OpenSSL is installed.
pub fn openssl_speed(seconds: u32) -> Option<OpenSslSpeed> {
    let run = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("openssl")
            .args(args)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let version = run(&["version"])?.trim().to_string();
    let secs = seconds.to_string();
    let mut speed = OpenSslSpeed {
        version,
        ..OpenSslSpeed::default()
    };
    if let Some(text) = run(&["speed", "-seconds", &secs, "rsa2048"]) {
        // "rsa 2048 bits 0.000578s 0.000016s   1730.4  62135.1": the last two are sign/s
        // (the private-key operation) and verify/s (the public-key one).
        if let Some(line) = text.lines().find(|l| l.starts_with("rsa 2048 bits")) {
            let rates: Vec<f64> = line
                .split_whitespace()
                .rev()
                .take(2)
                .filter_map(|w| w.parse().ok())
                .collect();
            speed.rsa2048_public_ns = rates.first().map(|r| 1e9 / r);
            speed.rsa2048_private_ns = rates.get(1).map(|r| 1e9 / r);
        }
    }
    if let Some(text) = run(&["speed", "-seconds", &secs, "ecdhx25519"]) {
        // " 253 bits ecdh (X25519)   0.0000s  42208.1": the last is operations per second.
        if let Some(line) = text.lines().find(|l| l.contains("(X25519)")) {
            speed.x25519_ns = line
                .split_whitespace()
                .last()
                .and_then(|w| w.parse::<f64>().ok())
                .map(|r| 1e9 / r);
        }
    }
    for (cipher, slot) in [
        ("aes-128-gcm", &mut speed.aes128gcm_16k_ns),
        ("aes-256-gcm", &mut speed.aes256gcm_16k_ns),
    ] {
        if let Some(text) = run(&[
            "speed", "-seconds", &secs, "-bytes", "16384", "-evp", cipher,
        ]) {
            // "AES-128-GCM   12345678.90k": thousands of bytes per second.
            if let Some(line) = text
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with(cipher))
            {
                let kbps = line
                    .split_whitespace()
                    .last()
                    .and_then(|w| w.strip_suffix('k'))
                    .and_then(|n| n.parse::<f64>().ok());
                *slot = kbps.map(|k| 16384.0 / (k * 1000.0) * 1e9);
            }
        }
    }
    Some(speed)
}

// ---------------------------------------------------------------------------------------------
// The summary

fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// The ratios a class reads, from one run's costs (and OpenSSL's, side by side).
pub fn summary(costs: &Costs, openssl: Option<&OpenSslSpeed>) -> String {
    let mut out = String::new();
    let get = |name: &str| costs.get(name);
    let _ = writeln!(
        out,
        "\n==== tls12-sim: what a TLS 1.2 connection costs (one run, this machine) ===="
    );
    if let Some(cpu) = cpu_name() {
        let _ = writeln!(out, "CPU: {cpu}");
    }
    // Per-KiB AES-128-GCM cost from the 16 KiB measurement.
    let aes_per_kib = get(OP_AES128_SEAL_16K).map(|ns| ns / 16.0);
    let record_per_mib = get(OP_RECORD_SEAL_16K).map(|ns| ns * 64.0);
    let _ = writeln!(out, "\nThe private key against the session keys:");
    if let (Some(rsa), Some(kib)) = (get(OP_RSA2048_DECRYPT), aes_per_kib) {
        let _ = writeln!(
            out,
            "  one RSA-2048 private-key operation ({}) costs as much as AES-128-GCM on {:.0} KiB \
             ({:.2} MiB)",
            fmt_ns(rsa),
            rsa / kib,
            rsa / kib / 1024.0
        );
    }
    if let (Some(rsa), Some(kib)) = (get(OP_RSA2048_ENCRYPT), aes_per_kib) {
        let _ = writeln!(
            out,
            "  one RSA-2048 public-key operation ({}) costs as much as AES-128-GCM on {:.0} KiB",
            fmt_ns(rsa),
            rsa / kib
        );
    }
    if let (Some(aes), Some(aes256)) = (get(OP_AES128_SEAL_16K), get(OP_AES256_SEAL_16K)) {
        let _ = writeln!(
            out,
            "  AES-128-GCM: {:.0} MB/s, AES-256-GCM: {:.0} MB/s (16 KiB records)",
            16384.0 / aes * 1e3,
            16384.0 / aes256 * 1e3
        );
    }
    for kind in HandshakeKind::ALL {
        if let (Some(full), Some(mib)) = (get(&op_full(kind)), record_per_mib) {
            let _ = writeln!(
                out,
                "  a full {} handshake ({}) costs as much as {:.1} MiB of records",
                kind.name(),
                fmt_ns(full),
                full / mib
            );
        }
    }
    let _ = writeln!(out, "\nKey exchanges and key sizes:");
    if let (Some(rsa), Some(ecdhe)) = (
        get(&op_full(HandshakeKind::Rsa)),
        get(&op_full(HandshakeKind::Ecdhe)),
    ) {
        let _ = writeln!(
            out,
            "  RSA key exchange handshake {} vs ECDHE {}: ECDHE costs {:.2}x (it signs instead of \
             decrypting, and adds two X25519 operations per side)",
            fmt_ns(rsa),
            fmt_ns(ecdhe),
            ecdhe / rsa
        );
    }
    if let (Some(a), Some(b), Some(c)) = (
        get(OP_RSA2048_DECRYPT),
        get(OP_RSA3072_DECRYPT),
        get(OP_RSA4096_DECRYPT),
    ) {
        let _ = writeln!(
            out,
            "  RSA private key operation: 2048 bits {} | 3072 bits {} ({:.1}x) | 4096 bits {} \
             ({:.1}x)",
            fmt_ns(a),
            fmt_ns(b),
            b / a,
            fmt_ns(c),
            c / a
        );
    }
    if let (Some(x), Some(rsa)) = (get(OP_X25519_EXCHANGE), get(OP_RSA2048_DECRYPT)) {
        let _ = writeln!(
            out,
            "  X25519 key pair + shared secret {}: {:.0} of them per RSA-2048 private operation",
            fmt_ns(x),
            rsa / x
        );
    }
    let _ = writeln!(
        out,
        "\nServer and client, each alone (replaying recorded flights):"
    );
    for kind in HandshakeKind::ALL {
        if let (Some(server), Some(client)) = (get(&op_server(kind)), get(&op_client(kind))) {
            let _ = writeln!(
                out,
                "  {:<11} server {:>9}  client {:>9}  server's share {:.0}%",
                kind.name(),
                fmt_ns(server),
                fmt_ns(client),
                100.0 * server / (server + client)
            );
        }
    }
    let _ = writeln!(
        out,
        "\nWhere a handshake's time goes (target: asymmetric crypto >= 95%):"
    );
    for kind in HandshakeKind::ALL {
        let Some(full) = get(&op_full(kind)) else {
            continue;
        };
        let mut asymmetric = 0.0;
        let mut parts = Vec::new();
        for (op, count) in kind.asymmetric_work() {
            if let Some(ns) = get(op) {
                asymmetric += ns * f64::from(count);
                parts.push(format!("{count}x {}", op.trim_start_matches("asymmetric/")));
            }
        }
        let _ = writeln!(
            out,
            "  {:<11} total {:>9}, asymmetric {:>9} = {:.1}%, everything else {}  [{}]",
            kind.name(),
            fmt_ns(full),
            fmt_ns(asymmetric),
            100.0 * asymmetric / full,
            fmt_ns((full - asymmetric).max(0.0)),
            parts.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\nOur record layer against the bare aes-gcm call (target: <= 1.05x):"
    );
    for (ours, bare, what) in [
        (OP_RECORD_SEAL_16K, OP_BARE_SEAL_16K, "seal"),
        (OP_RECORD_OPEN_16K, OP_BARE_OPEN_16K, "open"),
    ] {
        if let (Some(ours), Some(bare)) = (get(ours), get(bare)) {
            let _ = writeln!(
                out,
                "  {what} 16 KiB: ours {} vs bare {} = {:.3}x",
                fmt_ns(ours),
                fmt_ns(bare),
                ours / bare
            );
        }
    }
    if !costs.memory.is_empty() {
        let _ = writeln!(out, "\nMemory (counting allocator):");
        for (what, allocations, peak) in &costs.memory {
            let _ = writeln!(
                out,
                "  {what}: {allocations} allocations, peak heap {:.1} KiB",
                *peak as f64 / 1024.0
            );
        }
    }
    if let Some(ssl) = openssl {
        let _ = writeln!(
            out,
            "\nThe same on OpenSSL ({}), hand-tuned C and assembly:",
            ssl.version
        );
        let rows = [
            (
                "RSA-2048 private op",
                get(OP_RSA2048_DECRYPT),
                ssl.rsa2048_private_ns,
            ),
            (
                "RSA-2048 public op",
                get(OP_RSA2048_ENCRYPT),
                ssl.rsa2048_public_ns,
            ),
            (
                "X25519 (one scalar mult)",
                get(OP_X25519_EXCHANGE).map(|n| n / 2.0),
                ssl.x25519_ns,
            ),
            (
                "AES-128-GCM, 16 KiB",
                get(OP_AES128_SEAL_16K),
                ssl.aes128gcm_16k_ns,
            ),
            (
                "AES-256-GCM, 16 KiB",
                get(OP_AES256_SEAL_16K),
                ssl.aes256gcm_16k_ns,
            ),
        ];
        let _ = writeln!(
            out,
            "  {:<26} {:>12} {:>12} {:>8}",
            "", "RustCrypto", "OpenSSL", "ratio"
        );
        for (what, ours, theirs) in rows {
            if let (Some(ours), Some(theirs)) = (ours, theirs) {
                let _ = writeln!(
                    out,
                    "  {what:<26} {:>12} {:>12} {:>7.1}x",
                    fmt_ns(ours),
                    fmt_ns(theirs),
                    ours / theirs
                );
            }
        }
        if let (Some(rsa), Some(aes)) = (ssl.rsa2048_private_ns, ssl.aes128gcm_16k_ns) {
            let _ = writeln!(
                out,
                "  OpenSSL: one RSA-2048 private-key operation = AES-128-GCM on {:.0} KiB",
                rsa / (aes / 16.0)
            );
        }
    }
    out
}

/// The CPU's model name, from /proc/cpuinfo where there is one.
pub fn cpu_name() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let model = info
        .lines()
        .find(|l| l.starts_with("model name"))?
        .split(':')
        .nth(1)?
        .trim()
        .to_string();
    let cores = info.lines().filter(|l| l.starts_with("processor")).count();
    let aes = info.contains(" aes ");
    let clmul = info.contains(" pclmulqdq ");
    Some(format!(
        "{model}, {cores} cores{}{}",
        if aes { ", AES-NI" } else { "" },
        if clmul { ", PCLMULQDQ" } else { "" }
    ))
}

/// A bar chart (SVG) of the costs that tell the story, in microseconds, log scale.
pub fn svg_chart(costs: &Costs) -> String {
    let rows: Vec<(String, f64)> = [
        (OP_AES128_SEAL_16K, "AES-128-GCM, one 16 KiB record"),
        (OP_RECORD_SEAL_16K, "our record layer, 16 KiB"),
        (OP_X25519_EXCHANGE, "X25519 key pair + shared secret"),
        (OP_RSA2048_ENCRYPT, "RSA-2048 public op (encrypt)"),
        (OP_RSA2048_PKCS1_VERIFY, "RSA-2048 verify"),
        (OP_RSA2048_DECRYPT, "RSA-2048 private op (decrypt)"),
        (OP_RSA2048_PSS_SIGN, "RSA-2048 PSS sign"),
        (OP_RSA3072_DECRYPT, "RSA-3072 private op"),
        (OP_RSA4096_DECRYPT, "RSA-4096 private op"),
    ]
    .iter()
    .filter_map(|(op, label)| costs.get(op).map(|ns| (label.to_string(), ns / 1e3)))
    .chain(HandshakeKind::ALL.iter().filter_map(|k| {
        costs
            .get(&op_full(*k))
            .map(|ns| (format!("full handshake: {}", k.name()), ns / 1e3))
    }))
    .collect();
    let width = 900.0;
    let label_w = 300.0;
    let bar_h = 22.0;
    let height = 40.0 + bar_h * rows.len() as f64 + 30.0;
    let max = rows.iter().map(|(_, us)| *us).fold(1.0, f64::max);
    let scale = |us: f64| ((us.max(1.0)).log10() / max.log10().max(1.0)) * (width - label_w - 90.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"13\">\n\
         <text x=\"10\" y=\"22\" font-size=\"15\">What it costs (microseconds, log scale)</text>\n"
    );
    for (i, (label, us)) in rows.iter().enumerate() {
        let y = 40.0 + bar_h * i as f64;
        let color = if label.starts_with("full") {
            "#c0504d"
        } else if label.contains("RSA") || label.contains("X25519") {
            "#f79646"
        } else {
            "#4f81bd"
        };
        let w = scale(*us).max(2.0);
        let _ = writeln!(
            svg,
            "<text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{label}</text>\
             <rect x=\"{label_w}\" y=\"{:.0}\" width=\"{w:.0}\" height=\"{:.0}\" fill=\"{color}\"/>\
             <text x=\"{:.0}\" y=\"{:.0}\">{:.1} µs</text>",
            label_w - 8.0,
            y + 15.0,
            y + 3.0,
            bar_h - 6.0,
            label_w + w + 6.0,
            y + 15.0,
            us
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Everything `tls12-sim bench` prints: measure, ask OpenSSL, summarize.
pub fn run(quick: bool) -> Result<String, Error> {
    let costs = measure(quick)?;
    let openssl = openssl_speed(1);
    Ok(summary(&costs, openssl.as_ref()))
}

/// The PRF work of one handshake, for the benchmarks: master secret and key block.
pub fn prf_master_and_key_block(pre_master: &[u8; 48]) -> [u8; 40] {
    let randoms = [7u8; 32];
    let master = prf::master_secret(HashAlg::Sha256, pre_master, &randoms, &randoms);
    let block = prf::key_block(HashAlg::Sha256, &master[..], &randoms, &randoms, 40);
    let mut out = [0u8; 40];
    out.copy_from_slice(&block);
    out
}
