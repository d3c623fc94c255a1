//! What is measured and where the figures are kept: [`Op`] names one operation, [`Costs`] holds
//! one run's nanoseconds per operation, the ratios measured in pairs ([`Pairing`], [`Paired`])
//! and the memory figures, when there are any.
//!
//! Both timers fill the same `Costs`: `tls12-sim bench` with its own small timer, `cargo bench`
//! from criterion's estimates, found under each operation's [`Op::criterion_id`].

use std::collections::BTreeMap;

use super::handshakes::HandshakeKind;
use super::stats::{Spread, median};
use crate::session::Resumption;

/// One operation the summary and the chart read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// RSA-2048 PKCS#1 v1.5 encryption of the pre-master (the public-key operation).
    Rsa2048Encrypt,
    /// RSA-2048 decryption of the pre-master (the private-key operation).
    Rsa2048Decrypt,
    /// RSA-3072 decryption of the pre-master.
    Rsa3072Decrypt,
    /// RSA-4096 decryption of the pre-master.
    Rsa4096Decrypt,
    /// RSA-2048 PKCS#1 v1.5 signature (rsa_pkcs1_sha256) of 1 KiB.
    Rsa2048Pkcs1Sign,
    /// Its verification: what checking a certificate's signature costs.
    Rsa2048Pkcs1Verify,
    /// RSA-2048 PSS signature (rsa_pss_rsae_sha256) of 1 KiB.
    Rsa2048PssSign,
    /// Its verification.
    Rsa2048PssVerify,
    /// One side's X25519 work: a key pair and the shared secret.
    X25519Exchange,
    /// The bare AES-128-GCM seal of 16 KiB.
    Aes128Seal16k,
    /// The bare AES-256-GCM seal of 16 KiB.
    Aes256Seal16k,
    /// Our record layer sealing a 16 KiB record in place.
    RecordSeal16k,
    /// Our record layer opening a 16 KiB record in place.
    RecordOpen16k,
    /// The bare AES-128-GCM seal of 16 KiB, as the record layer's baseline.
    BareSeal16k,
    /// The bare AES-128-GCM open of 16 KiB, as the record layer's baseline.
    BareOpen16k,
    /// Our record layer sealing a 16 KiB CBC record (AES-128-CBC, HMAC-SHA256,
    /// MAC-then-encrypt) in place.
    CbcRecordSeal16k,
    /// Our record layer opening it, with the Lucky 13 countermeasure.
    CbcRecordOpen16k,
    /// The bare HMAC-SHA256 and AES-128-CBC calls that seal 16 KiB, as the CBC record layer's
    /// baseline.
    BareCbcSeal16k,
    /// The bare AES-128-CBC and HMAC-SHA256 calls that open 16 KiB.
    BareCbcOpen16k,
    /// A full handshake, both sides, in memory.
    HandshakeFull(HandshakeKind),
    /// The server alone, replaying the client's recorded flights.
    HandshakeServer(HandshakeKind),
    /// The client alone, replaying the server's recorded flights.
    HandshakeClient(HandshakeKind),
    /// A resumed RSA handshake (the abbreviated handshake), both sides, in memory.
    ResumedFull(Resumption),
    /// The server alone in a resumed handshake, replaying the client's recorded flights.
    ResumedServer(Resumption),
    /// The client alone in a resumed handshake, replaying the server's recorded flight.
    ResumedClient(Resumption),
}

impl Op {
    /// Every operation without a handshake kind, in the order criterion's ids were first listed.
    const FIXED: [Op; 19] = [
        Op::Rsa2048Encrypt,
        Op::Rsa2048Decrypt,
        Op::Rsa3072Decrypt,
        Op::Rsa4096Decrypt,
        Op::Rsa2048Pkcs1Sign,
        Op::Rsa2048Pkcs1Verify,
        Op::Rsa2048PssSign,
        Op::Rsa2048PssVerify,
        Op::X25519Exchange,
        Op::Aes128Seal16k,
        Op::Aes256Seal16k,
        Op::RecordSeal16k,
        Op::RecordOpen16k,
        Op::BareSeal16k,
        Op::BareOpen16k,
        Op::CbcRecordSeal16k,
        Op::CbcRecordOpen16k,
        Op::BareCbcSeal16k,
        Op::BareCbcOpen16k,
    ];

    /// Every operation: the fixed ones, then full, server alone and client alone for each kind.
    pub fn all() -> Vec<Op> {
        let mut ops = Op::FIXED.to_vec();
        for kind in HandshakeKind::ALL {
            ops.extend([
                Op::HandshakeFull(kind),
                Op::HandshakeServer(kind),
                Op::HandshakeClient(kind),
            ]);
        }
        for how in [Resumption::SessionId, Resumption::Ticket] {
            ops.extend([
                Op::ResumedFull(how),
                Op::ResumedServer(how),
                Op::ResumedClient(how),
            ]);
        }
        ops
    }

    /// The criterion benchmark group the operation is measured in.
    pub fn group(self) -> &'static str {
        match self {
            Op::Rsa2048Encrypt
            | Op::Rsa2048Decrypt
            | Op::Rsa3072Decrypt
            | Op::Rsa4096Decrypt
            | Op::Rsa2048Pkcs1Sign
            | Op::Rsa2048Pkcs1Verify
            | Op::Rsa2048PssSign
            | Op::Rsa2048PssVerify
            | Op::X25519Exchange => "asymmetric",
            Op::Aes128Seal16k | Op::Aes256Seal16k => "symmetric",
            Op::RecordSeal16k
            | Op::RecordOpen16k
            | Op::BareSeal16k
            | Op::BareOpen16k
            | Op::CbcRecordSeal16k
            | Op::CbcRecordOpen16k
            | Op::BareCbcSeal16k
            | Op::BareCbcOpen16k => "records",
            Op::HandshakeFull(_)
            | Op::HandshakeServer(_)
            | Op::HandshakeClient(_)
            | Op::ResumedFull(_)
            | Op::ResumedServer(_)
            | Op::ResumedClient(_) => "handshake",
        }
    }

    /// The benchmark's name within its group (the summary also prints it, for the asymmetric
    /// operations).
    pub fn function(self) -> String {
        let fixed = match self {
            Op::Rsa2048Encrypt => "rsa2048_encrypt",
            Op::Rsa2048Decrypt => "rsa2048_decrypt",
            Op::Rsa3072Decrypt => "rsa3072_decrypt",
            Op::Rsa4096Decrypt => "rsa4096_decrypt",
            Op::Rsa2048Pkcs1Sign => "rsa2048_pkcs1_sign",
            Op::Rsa2048Pkcs1Verify => "rsa2048_pkcs1_verify",
            Op::Rsa2048PssSign => "rsa2048_pss_sign",
            Op::Rsa2048PssVerify => "rsa2048_pss_verify",
            Op::X25519Exchange => "x25519_keygen_and_shared",
            Op::Aes128Seal16k => "aes128gcm_seal_16384",
            Op::Aes256Seal16k => "aes256gcm_seal_16384",
            Op::RecordSeal16k => "ours_seal_16384",
            Op::RecordOpen16k => "ours_open_16384",
            Op::BareSeal16k => "bare_aes128gcm_seal_16384",
            Op::BareOpen16k => "bare_aes128gcm_open_16384",
            Op::CbcRecordSeal16k => "ours_cbc_seal_16384",
            Op::CbcRecordOpen16k => "ours_cbc_open_16384",
            Op::BareCbcSeal16k => "bare_aes128cbc_hmac_sha256_seal_16384",
            Op::BareCbcOpen16k => "bare_aes128cbc_hmac_sha256_open_16384",
            Op::HandshakeFull(kind) => return format!("{}_full", kind.name()),
            Op::HandshakeServer(kind) => return format!("{}_server_alone", kind.name()),
            Op::HandshakeClient(kind) => return format!("{}_client_alone", kind.name()),
            Op::ResumedFull(how) => return format!("rsa_resumed_{}_full", short(how)),
            Op::ResumedServer(how) => return format!("rsa_resumed_{}_server_alone", short(how)),
            Op::ResumedClient(how) => return format!("rsa_resumed_{}_client_alone", short(how)),
        };
        fixed.to_string()
    }

    /// Criterion's id, `group/function`: where `cargo bench` finds this run's estimate, and
    /// what its saved baselines are keyed by (so these strings must not change).
    pub fn criterion_id(self) -> String {
        format!("{}/{}", self.group(), self.function())
    }
}

/// `id` or `ticket`, in benchmark ids.
fn short(how: Resumption) -> &'static str {
    match how {
        Resumption::SessionId => "id",
        Resumption::Ticket => "ticket",
    }
}

/// Which part of a handshake a figure times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// Both sides, one after the other in memory.
    Both,
    /// The server alone, replaying recorded flights.
    Server,
    /// The client alone, replaying recorded flights.
    Client,
}

/// Memory used by one piece of work, from the caller's counting allocator.
#[derive(Clone, Debug)]
pub struct MemoryUse {
    /// What was done.
    pub what: String,
    /// How many allocations it made.
    pub allocations: usize,
    /// The peak heap above what was live before it, in bytes.
    pub peak_bytes: usize,
}

/// A figure that divides one timing by another, measured in pairs: in each sample the two are
/// timed one right after the other on the same thread, so that both see the same machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pairing {
    /// First a full handshake of this kind, then the asymmetric operations it does
    /// ([`HandshakeKind::asymmetric_work`]); the value is asymmetric / handshake.
    AsymmetricShare(HandshakeKind),
    /// First an RSA key exchange handshake, then an ECDHE one; the value is ECDHE / RSA.
    EcdheOverRsa,
    /// First the server alone, then the client alone (replaying recorded flights); the value
    /// is the server's share, server / (server + client).
    ServerShare(HandshakeKind),
    /// First the bare AES-128-GCM seal of 16 KiB, then our record layer's; the value is ours /
    /// bare.
    RecordSeal,
    /// First the bare AES-128-GCM open of 16 KiB, then our record layer's; the value is ours /
    /// bare.
    RecordOpen,
    /// First a full RSA handshake, then a resumed one (RFC 5246 7.3), this part of it; the
    /// value is resumed / full.
    ResumedOverFull(Resumption, Part),
    /// First the bare HMAC-SHA256 and AES-128-CBC calls sealing 16 KiB, then our CBC record
    /// layer's; the value is ours / bare.
    CbcRecordSeal,
    /// The same for opening: ours (with the Lucky 13 countermeasure) / bare.
    CbcRecordOpen,
    /// First our record layer sealing 16 KiB with AES-128-GCM, then with AES-128-CBC and
    /// HMAC-SHA256; the value is CBC / GCM.
    CbcOverGcmSeal,
    /// The same for opening: CBC / GCM.
    CbcOverGcmOpen,
}

impl Pairing {
    /// The value of one sample, from the nanoseconds of its first and second timing.
    pub fn value(self, first: f64, second: f64) -> f64 {
        match self {
            Pairing::ServerShare(_) => first / (first + second),
            Pairing::AsymmetricShare(_)
            | Pairing::EcdheOverRsa
            | Pairing::RecordSeal
            | Pairing::RecordOpen
            | Pairing::ResumedOverFull(..)
            | Pairing::CbcRecordSeal
            | Pairing::CbcRecordOpen
            | Pairing::CbcOverGcmSeal
            | Pairing::CbcOverGcmOpen => second / first,
        }
    }
}

/// One [`Pairing`]'s figures, all from the same samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Paired {
    /// The median nanoseconds of the first timing of each sample.
    pub first_ns: f64,
    /// The median nanoseconds of the second timing of each sample.
    pub second_ns: f64,
    /// The per-sample values ([`Pairing::value`]): their median, and the middle 80% of them.
    /// The figure printed is this median of per-sample values, not a quotient of the two
    /// medians above: each sample's value divides timings taken a moment apart.
    pub value: Spread,
}

impl Paired {
    /// The figures of `pairing` from its samples: `first[i]` and `second[i]` were timed
    /// together (the two slices are as long as each other).
    pub fn from_samples(pairing: Pairing, first: &[f64], second: &[f64]) -> Paired {
        let values: Vec<f64> = first
            .iter()
            .zip(second)
            .map(|(&a, &b)| pairing.value(a, b))
            .collect();
        Paired {
            first_ns: median(first),
            second_ns: median(second),
            value: Spread::of(&values),
        }
    }
}

/// Measured costs: nanoseconds per operation, and the ratios measured in pairs.
#[derive(Clone, Debug, Default)]
pub struct Costs {
    /// Nanoseconds per operation (each the median of that operation timed on its own).
    pub ns: BTreeMap<Op, f64>,
    /// The ratios measured in pairs (empty if they were not measured: the summary then divides
    /// the separate medians of `ns`, and says so).
    pub paired: BTreeMap<Pairing, Paired>,
    /// Memory, when it was measured (`None`: no counting allocator, as in `tls12-sim bench`).
    pub memory: Option<Vec<MemoryUse>>,
}

impl Costs {
    /// The cost of `op`, if it was measured.
    pub fn get(&self, op: Op) -> Option<f64> {
        self.ns.get(&op).copied()
    }

    /// Records the cost of `op`.
    pub fn set(&mut self, op: Op, ns: f64) {
        self.ns.insert(op, ns);
    }

    /// The figures of `pairing`, if it was measured.
    pub fn paired(&self, pairing: Pairing) -> Option<&Paired> {
        self.paired.get(&pairing)
    }
}

/// What a handshake costs in public-key operations, for the shares of the summary. (Here, with
/// the operations it counts, rather than in `handshakes.rs`: the handshakes know nothing of
/// what is measured.)
impl HandshakeKind {
    /// The public-key operations this handshake must do, side by side: (operation, count).
    /// A certificate check is one RSA-2048 PKCS#1 v1.5 verification (the CA's signature on the
    /// certificate; CRL signatures are checked once, when the trust store is loaded); the
    /// signature schemes chosen are rsa_pss_rsae_sha256.
    pub fn asymmetric_work(self) -> Vec<(Op, u32)> {
        let mut work = vec![(Op::Rsa2048Pkcs1Verify, 1)]; // client: the server's certificate
        match self {
            HandshakeKind::Rsa | HandshakeKind::RsaMtls => {
                work.push((Op::Rsa2048Encrypt, 1)); // client: the pre-master
                work.push((Op::Rsa2048Decrypt, 1)); // server: the pre-master
            }
            HandshakeKind::Ecdhe | HandshakeKind::EcdheMtls => {
                work.push((Op::Rsa2048PssSign, 1)); // server: ServerKeyExchange
                work.push((Op::Rsa2048PssVerify, 1)); // client: ServerKeyExchange
                work.push((Op::X25519Exchange, 2)); // both: key pair + shared secret
            }
        }
        if matches!(self, HandshakeKind::RsaMtls | HandshakeKind::EcdheMtls) {
            work.push((Op::Rsa2048PssSign, 1)); // client: CertificateVerify
            work.push((Op::Rsa2048PssVerify, 1)); // server: CertificateVerify
            work.push((Op::Rsa2048Pkcs1Verify, 1)); // server: the client's certificate
        }
        work
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criterion_ids_are_the_ones_saved_baselines_use() {
        let ids: Vec<String> = Op::all().into_iter().map(Op::criterion_id).collect();
        let mut expected: Vec<String> = [
            "asymmetric/rsa2048_encrypt",
            "asymmetric/rsa2048_decrypt",
            "asymmetric/rsa3072_decrypt",
            "asymmetric/rsa4096_decrypt",
            "asymmetric/rsa2048_pkcs1_sign",
            "asymmetric/rsa2048_pkcs1_verify",
            "asymmetric/rsa2048_pss_sign",
            "asymmetric/rsa2048_pss_verify",
            "asymmetric/x25519_keygen_and_shared",
            "symmetric/aes128gcm_seal_16384",
            "symmetric/aes256gcm_seal_16384",
            "records/ours_seal_16384",
            "records/ours_open_16384",
            "records/bare_aes128gcm_seal_16384",
            "records/bare_aes128gcm_open_16384",
            "records/ours_cbc_seal_16384",
            "records/ours_cbc_open_16384",
            "records/bare_aes128cbc_hmac_sha256_seal_16384",
            "records/bare_aes128cbc_hmac_sha256_open_16384",
        ]
        .map(String::from)
        .to_vec();
        for kind in ["rsa", "ecdhe", "rsa_mtls", "ecdhe_mtls"] {
            for what in ["full", "server_alone", "client_alone"] {
                expected.push(format!("handshake/{kind}_{what}"));
            }
        }
        for how in ["id", "ticket"] {
            for what in ["full", "server_alone", "client_alone"] {
                expected.push(format!("handshake/rsa_resumed_{how}_{what}"));
            }
        }
        assert_eq!(ids, expected);
    }

    #[test]
    fn paired_figures_are_medians_of_per_sample_values() {
        // Handshakes timed 2.0 ms, 4.0 ms (a busy moment), 2.2 ms; the asymmetric work right
        // after each: 1.8, 3.8, 2.0 ms. The per-sample shares are 90%, 95%, 91%.
        let full = [2.0e6, 4.0e6, 2.2e6];
        let asymmetric = [1.8e6, 3.8e6, 2.0e6];
        let kind = HandshakeKind::Rsa;
        let paired = Paired::from_samples(Pairing::AsymmetricShare(kind), &full, &asymmetric);
        assert_eq!((paired.first_ns, paired.second_ns), (2.2e6, 2.0e6));
        assert!((paired.value.median - 2.0 / 2.2).abs() < 1e-12);
        assert_eq!(paired.value.samples, 3);
        // The server's share is server / (server + client).
        let server = Paired::from_samples(Pairing::ServerShare(kind), &[9.0], &[1.0]);
        assert_eq!(server.value.median, 0.9);
    }
}
