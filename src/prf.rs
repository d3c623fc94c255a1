//! The TLS 1.2 key schedule, as pure functions named after the RFC's formulas.
//!
//! ```text
//! P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +          RFC 5246 5
//!                        HMAC_hash(secret, A(2) + seed) + ...
//!     A(0) = seed,  A(i) = HMAC_hash(secret, A(i-1))
//! PRF(secret, label, seed) = P_<hash>(secret, label + seed)
//!
//! master_secret = PRF(pre_master_secret, "master secret",          RFC 5246 8.1
//!                     ClientHello.random + ServerHello.random)[0..47]
//! master_secret = PRF(pre_master_secret, "extended master secret", RFC 7627 4
//!                     session_hash)[0..47]
//! key_block     = PRF(master_secret, "key expansion",              RFC 5246 6.3
//!                     server_random + client_random)
//! verify_data   = PRF(master_secret, finished_label,               RFC 5246 7.4.9
//!                     Hash(handshake_messages))[0..11]
//! ```
//!
//! The hash is the cipher suite's: SHA-256 for the `_SHA256` suites, SHA-384 for `_SHA384`.
//! Note the order of the randoms: client first for the master secret, server first for the key
//! block. Swapping them is the classic mistake, and the vectors catch it.
//!
//! The PRF on the TLS 1.2 test vector posted to the IETF TLS working group list in 2009
//! (`ietf-p_sha256` in `vectors/tls12-prf.json`):
//!
//! ```
//! use tls12_sim::prf::{p_hash, prf};
//! use tls12_sim::suites::HashAlg;
//!
//! let secret = hex::decode("9bbe436ba940f017b17652849a71db35").unwrap();
//! let seed = hex::decode("a0ba9f936cda311827a6f796ffd5198c").unwrap();
//! let out = prf(HashAlg::Sha256, &secret, b"test label", &seed, 100);
//! assert_eq!(out.len(), 100); // P_hash runs 4 HMAC-SHA256 blocks (128 bytes) and cuts.
//!
//! // Expected value worked out independently from the definition in RFC 5246 section 5 with
//! // Python's hmac module (A(1) = HMAC(secret, "test label" + seed), block 1 = HMAC(secret,
//! // A(1) + "test label" + seed), ...), and with `openssl kdf ... TLS1-PRF`; both agree with
//! // the published vector.
//! assert_eq!(hex::encode(&out[..16]), "e3f229ba727be17b8d122620557cd453");
//! assert_eq!(hex::encode(&out[96..]), "87347b66");
//!
//! // PRF is P_hash over label + seed: the label is only a prefix of the seed.
//! let label_and_seed = [&b"test label"[..], &seed].concat();
//! assert_eq!(*p_hash(HashAlg::Sha256, &secret, &label_and_seed, 100), *out);
//! ```

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Sha256, Sha384};
use zeroize::Zeroizing;

use crate::phrase;
use crate::phrase::Phrase;
use crate::rng::Side;
use crate::suites::CipherSuite;
/// The PRF's hash is the suite's (defined with the suites).
pub use crate::suites::HashAlg;

/// HMAC with the key already absorbed, so that P_hash pays for the key once, not per block.
#[derive(Clone)]
enum KeyedHmac {
    Sha256(Hmac<Sha256>),
    Sha384(Hmac<Sha384>),
}

impl KeyedHmac {
    fn new(alg: HashAlg, key: &[u8]) -> Self {
        // HMAC accepts keys of any length (RFC 2104 2), so these cannot fail.
        match alg {
            HashAlg::Sha256 => KeyedHmac::Sha256(
                Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!()),
            ),
            HashAlg::Sha384 => KeyedHmac::Sha384(
                Hmac::<Sha384>::new_from_slice(key).unwrap_or_else(|_| unreachable!()),
            ),
        }
    }

    /// HMAC(key, parts[0] + parts[1] + ...), wiped from memory when dropped.
    fn mac(&self, parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
        match self {
            KeyedHmac::Sha256(keyed) => mac_with(keyed, parts),
            KeyedHmac::Sha384(keyed) => mac_with(keyed, parts),
        }
    }
}

fn mac_with<M: Mac + Clone>(keyed: &M, parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    let mut h = keyed.clone();
    for part in parts {
        h.update(part);
    }
    Zeroizing::new(h.finalize().into_bytes().to_vec())
}

/// HMAC_hash(key, data), for tests and the trace.
pub fn hmac(alg: HashAlg, key: &[u8], data: &[u8]) -> Vec<u8> {
    KeyedHmac::new(alg, key).mac(&[data]).to_vec()
}

/// P_hash(secret, seed), `len` bytes of it (RFC 5246 5).
pub fn p_hash(alg: HashAlg, secret: &[u8], seed: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let keyed = KeyedHmac::new(alg, secret);
    let mut out = Zeroizing::new(Vec::with_capacity(len + alg.output_len()));
    // A(1) = HMAC(secret, A(0)) with A(0) = seed.
    let mut a = keyed.mac(&[seed]);
    while out.len() < len {
        out.extend_from_slice(&keyed.mac(&[&a, seed]));
        a = keyed.mac(&[&a]);
    }
    out.truncate(len);
    out
}

/// `PRF(secret, label, seed) = P_<hash>(secret, label + seed)`, `len` bytes (RFC 5246 5).
pub fn prf(
    alg: HashAlg,
    secret: &[u8],
    label: &[u8],
    seed: &[u8],
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let mut label_and_seed = Vec::with_capacity(label.len() + seed.len());
    label_and_seed.extend_from_slice(label);
    label_and_seed.extend_from_slice(seed);
    p_hash(alg, secret, &label_and_seed, len)
}

/// The 48-byte master secret.
pub type MasterSecret = Zeroizing<[u8; 48]>;

fn first_48(bytes: &[u8]) -> MasterSecret {
    let mut out = Zeroizing::new([0u8; 48]);
    out.copy_from_slice(&bytes[..48]);
    out
}

/// master_secret = PRF(pre_master_secret, "master secret", client_random + server_random)
/// (RFC 5246 8.1).
pub fn master_secret(
    alg: HashAlg,
    pre_master_secret: &[u8],
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> MasterSecret {
    let mut seed = [0u8; 64];
    seed[..32].copy_from_slice(client_random);
    seed[32..].copy_from_slice(server_random);
    first_48(&prf(alg, pre_master_secret, b"master secret", &seed, 48))
}

/// master_secret = PRF(pre_master_secret, "extended master secret", session_hash)
/// (RFC 7627 4). The session hash covers the handshake up to and including ClientKeyExchange,
/// so the master secret is bound to this handshake's certificates and key shares, not only to
/// the randoms.
pub fn extended_master_secret(
    alg: HashAlg,
    pre_master_secret: &[u8],
    session_hash: &[u8],
) -> MasterSecret {
    first_48(&prf(
        alg,
        pre_master_secret,
        b"extended master secret",
        session_hash,
        48,
    ))
}

/// The master secret of this handshake: extended (RFC 7627) when both hellos carried
/// extended_master_secret, in which case `session_hash` is given; classic otherwise.
pub fn derive_master_secret(
    alg: HashAlg,
    pre_master_secret: &[u8],
    session_hash: Option<&[u8]>,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
) -> MasterSecret {
    match session_hash {
        Some(hash) => extended_master_secret(alg, pre_master_secret, hash),
        None => master_secret(alg, pre_master_secret, client_random, server_random),
    }
}

/// How [`derive_master_secret`] made the master secret, as the trace says it (the same words
/// for a side that derives it and for the observer that recomputes it).
pub fn master_secret_formula(alg: HashAlg, extended: bool) -> Phrase {
    if extended {
        phrase!(
            "PRF-{}(pre_master_secret, \"extended master secret\", session_hash)[0..47]",
            alg.name()
        )
    } else {
        phrase!(
            "PRF-{}(pre_master_secret, \"master secret\", client_random + \
             server_random)[0..47]",
            alg.name()
        )
    }
}

/// key_block = PRF(master_secret, "key expansion", server_random + client_random)
/// (RFC 5246 6.3), `len` bytes.
pub fn key_block(
    alg: HashAlg,
    master_secret: &[u8],
    server_random: &[u8; 32],
    client_random: &[u8; 32],
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let mut seed = [0u8; 64];
    seed[..32].copy_from_slice(server_random);
    seed[32..].copy_from_slice(client_random);
    prf(alg, master_secret, b"key expansion", &seed, len)
}

/// The key block cut into its pieces (RFC 5246 6.3), in the order the RFC cuts them:
///
/// ```text
/// client_write_MAC_key[mac_key_length]    CBC suites only (an AEAD has no MAC key,
/// server_write_MAC_key[mac_key_length]    RFC 5288 3)
/// client_write_key[enc_key_length]
/// server_write_key[enc_key_length]
/// client_write_IV[fixed_iv_length]        GCM only: 4 bytes (TLS 1.2 CBC sends its IV
/// server_write_IV[fixed_iv_length]        in every record, RFC 5246 6.2.3.2)
/// ```
pub struct SessionKeys {
    /// The HMAC key for the records the client sends (CBC suites; empty for GCM).
    pub client_write_mac_key: Zeroizing<Vec<u8>>,
    /// The HMAC key for the records the server sends (CBC suites; empty for GCM).
    pub server_write_mac_key: Zeroizing<Vec<u8>>,
    /// AES key for the records the client sends (16 or 32 bytes).
    pub client_write_key: Zeroizing<Vec<u8>>,
    /// AES key for the records the server sends.
    pub server_write_key: Zeroizing<Vec<u8>>,
    /// The 4-byte implicit part ("salt") of the GCM nonce for the client's records (RFC 5288
    /// 3); empty for CBC.
    pub client_write_iv: Vec<u8>,
    /// The 4-byte implicit part of the GCM nonce for the server's records; empty for CBC.
    pub server_write_iv: Vec<u8>,
}

impl SessionKeys {
    /// Derives the key block for `suite` and cuts it.
    pub fn derive(
        suite: CipherSuite,
        master_secret: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> (Zeroizing<Vec<u8>>, SessionKeys) {
        let block = key_block(
            suite.hash(),
            master_secret,
            server_random,
            client_random,
            suite.key_block_len(),
        );
        let mut rest: &[u8] = &block;
        let mut cut = |len: usize| {
            let (piece, after) = rest.split_at(len);
            rest = after;
            piece.to_vec()
        };
        let (mac_len, key_len, iv_len) =
            (suite.mac_key_len(), suite.key_len(), suite.fixed_iv_len());
        let keys = SessionKeys {
            client_write_mac_key: Zeroizing::new(cut(mac_len)),
            server_write_mac_key: Zeroizing::new(cut(mac_len)),
            client_write_key: Zeroizing::new(cut(key_len)),
            server_write_key: Zeroizing::new(cut(key_len)),
            client_write_iv: cut(iv_len),
            server_write_iv: cut(iv_len),
        };
        (block, keys)
    }

    /// The MAC key, AES key and implicit IV that `sender` writes with.
    pub fn write_keys(&self, sender: Side) -> (&[u8], &[u8], &[u8]) {
        match sender {
            Side::Client => (
                &self.client_write_mac_key,
                &self.client_write_key,
                &self.client_write_iv,
            ),
            Side::Server => (
                &self.server_write_mac_key,
                &self.server_write_key,
                &self.server_write_iv,
            ),
        }
    }
}

/// `"client finished"`: the finished_label of the client's Finished (RFC 5246 7.4.9).
pub const CLIENT_FINISHED: &[u8] = b"client finished";
/// `"server finished"`: the finished_label of the server's Finished.
pub const SERVER_FINISHED: &[u8] = b"server finished";

/// verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11]
/// (RFC 5246 7.4.9).
pub fn verify_data(
    alg: HashAlg,
    master_secret: &[u8],
    finished_label: &[u8],
    handshake_hash: &[u8],
) -> [u8; 12] {
    let mut out = [0u8; 12];
    out.copy_from_slice(&prf(alg, master_secret, finished_label, handshake_hash, 12));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_hash_lengths_are_exact() {
        for len in [0, 1, 31, 32, 33, 100] {
            assert_eq!(p_hash(HashAlg::Sha256, b"k", b"s", len).len(), len);
        }
    }

    #[test]
    fn hmac_rfc4231_case_2() {
        // RFC 4231 4.3, test case 2 (HMAC-SHA-256 and HMAC-SHA-384).
        let data = b"what do ya want for nothing?";
        assert_eq!(
            hex::encode(hmac(HashAlg::Sha256, b"Jefe", data)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex::encode(hmac(HashAlg::Sha384, b"Jefe", data)),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e\
             8e2240ca5e69e2c78b3239ecfab21649"
        );
    }
}
