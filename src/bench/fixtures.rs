//! The work being measured, set up once: RSA keys with their inputs, an X25519 exchange, the
//! bare AES-GCM cipher and our record layer on the same bytes, the bare AES-CBC and HMAC calls
//! and our CBC record layer on the same bytes, the PRF of one handshake.
//!
//! Set-up (parsing keys, building ciphers and buffers) happens here, outside every timed region;
//! each method is one operation, ready to run again and again.

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes128Gcm, Aes256Gcm, KeyInit};
use cbc::cipher::array::Array;
use cbc::cipher::consts::U16;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, InnerIvInit};
use hmac::{Hmac, Mac};
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::demo_pki;
use crate::error::Error;
use crate::key_exchange::{self, RSA_PKCS1_SHA256, RSA_PSS_RSAE_SHA256};
use crate::phrase;
use crate::prf;
use crate::record::{Direction, RECORD_HEADER_LEN};
use crate::rng::{RoleRng, Side};
use crate::suites::{HashAlg, MacAlg};

/// RSA keys of the three sizes the benchmarks compare. The 2048-bit one is the demo server's;
/// the others are fixed test keys (made from a seed, like the demo PKI).
pub fn rsa_key(bits: usize) -> Result<RsaPrivateKey, Error> {
    match bits {
        2048 => Ok(demo_pki::server()?.key),
        3072 => crate::pki::load_private_key_pem(include_str!("../demo/bench-rsa-3072.key")),
        4096 => crate::pki::load_private_key_pem(include_str!("../demo/bench-rsa-4096.key")),
        other => Err(Error::Config(phrase!("no {}-bit benchmark key", other))),
    }
}

/// An RSA key and what its operations work on: a pre-master ciphertext, signatures.
pub struct RsaFixture {
    /// The modulus size: 2048, 3072 or 4096.
    pub bits: usize,
    /// The private key.
    pub key: RsaPrivateKey,
    /// Its public half.
    pub public: RsaPublicKey,
    /// The pre-master secret that `ciphertext` encrypts.
    pub pre_master: [u8; 48],
    /// The pre-master, encrypted as a client's ClientKeyExchange carries it.
    pub ciphertext: Vec<u8>,
    /// What is signed: 1 KiB, the size of what a TLS 1.2 signature covers.
    pub message: Vec<u8>,
    /// `message` signed with rsa_pkcs1_sha256.
    pub pkcs1_signature: Vec<u8>,
    /// `message` signed with rsa_pss_rsae_sha256.
    pub pss_signature: Vec<u8>,
    /// The RNG for encryption padding, blinding and PSS salts (seeded: the same every run).
    pub rng: RoleRng,
}

impl RsaFixture {
    /// The fixture for the `bits`-bit key of [`rsa_key`].
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

    /// Signs `message` with `scheme` (a private-key operation).
    pub fn sign(&mut self, scheme: u16) -> Vec<u8> {
        key_exchange::sign(&mut self.rng, &self.key, scheme, &self.message).unwrap_or_default()
    }

    /// Verifies the stored signature of `message` made with `scheme` (a public-key operation).
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
    /// A 16-byte key.
    Aes128(Box<Aes128Gcm>),
    /// A 32-byte key.
    Aes256(Box<Aes256Gcm>),
}

impl BareGcm {
    /// The cipher with a fixed key of `key_len` bytes (16: AES-128, otherwise AES-256).
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
    /// The sealing side.
    pub writer: Direction,
    /// The opening side, with the same key.
    pub reader: Direction,
    /// header(5) + explicit nonce(8) or IV(16) + plaintext, then room for the tag (or the MAC
    /// and padding).
    pub record: Vec<u8>,
    /// The plaintext length.
    pub len: usize,
}

impl RecordFixture {
    /// A writer and a reader with a fixed AES-GCM key of `key_len` bytes, and a record of `len`
    /// bytes.
    pub fn new(key_len: usize, len: usize) -> Result<Self, Error> {
        let key = vec![0x11; key_len];
        let writer = Direction::protected(&key, [1, 2, 3, 4])?;
        let reader = Direction::protected(&key, [1, 2, 3, 4])?;
        Ok(Self::with(writer, reader, len))
    }

    /// A writer and a reader with fixed AES-128-CBC and HMAC-SHA256 keys (as
    /// TLS_RSA_WITH_AES_128_CBC_SHA256), MAC-then-encrypt: the order with the Lucky 13
    /// countermeasure's work; and a record of `len` bytes.
    pub fn cbc(len: usize) -> Result<Self, Error> {
        let (key, mac_key) = ([0x11; 16], [0x22; 32]);
        let ivs = RoleRng::seeded(5, Side::Client);
        let writer = Direction::cbc(&key, MacAlg::HmacSha256, &mac_key, false, Some(ivs))?;
        let reader = Direction::cbc(&key, MacAlg::HmacSha256, &mac_key, false, None)?;
        Ok(Self::with(writer, reader, len))
    }

    fn with(writer: Direction, reader: Direction, len: usize) -> Self {
        // Room for the largest tail: a 48-byte MAC and 16 bytes of padding.
        let front = RECORD_HEADER_LEN + writer.explicit_len();
        let mut record = Vec::with_capacity(front + len + 64);
        record.resize(front + len, 0x61);
        RecordFixture {
            writer,
            reader,
            record,
            len,
        }
    }

    /// Seals the record in place (the tag, or MAC and padding, is dropped again, so the next
    /// call does the same work on the same layout).
    pub fn seal(&mut self) {
        let front = RECORD_HEADER_LEN + self.writer.explicit_len();
        self.record.truncate(front + self.len);
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

/// The bare aes and cbc crates' CBC and the hmac crate's HMAC-SHA256 with the key set up once:
/// the least a CBC record's protection needs (the baseline our CBC record layer is measured
/// against). Sealing: HMAC over the 13-byte header and the content, then AES-128-CBC over
/// content + MAC + padding. Opening: AES-128-CBC decryption, then HMAC and a constant-time
/// comparison; no padding check beyond reading its length, no framing.
pub struct BareCbc {
    cipher: aes::Aes128,
    mac: Hmac<Sha256>,
    /// content + MAC(32) + padding: the buffer sealed and opened in place.
    pub buf: Vec<u8>,
    /// The content length.
    pub len: usize,
}

impl BareCbc {
    /// Fixed keys, and a buffer for `len` bytes of content (a multiple of 16).
    pub fn new(len: usize) -> Self {
        BareCbc {
            cipher: aes::Aes128::new_from_slice(&[0x11; 16]).unwrap_or_else(|_| unreachable!()),
            mac: Hmac::new_from_slice(&[0x22; 32]).unwrap_or_else(|_| unreachable!()),
            buf: vec![0x61; len + 32 + 16],
            len,
        }
    }

    /// MAC, pad, encrypt the buffer's content in place.
    pub fn seal(&mut self) {
        let len = self.len;
        let mut mac = self.mac.clone();
        mac.update(&[0u8; 13]);
        mac.update(&self.buf[..len]);
        self.buf[len..len + 32].copy_from_slice(&mac.finalize().into_bytes());
        self.buf[len + 32..].fill(15);
        let blocks = Array::<u8, U16>::slice_as_chunks_mut(&mut self.buf).0;
        cbc::Encryptor::inner_iv_init(self.cipher.clone(), &[7u8; 16].into())
            .encrypt_blocks(blocks);
    }

    /// Decrypt the buffer in place, take off the padding, MAC the content and compare.
    pub fn open(&mut self) -> bool {
        let blocks = Array::<u8, U16>::slice_as_chunks_mut(&mut self.buf).0;
        cbc::Decryptor::inner_iv_init(self.cipher.clone(), &[7u8; 16].into())
            .decrypt_blocks(blocks);
        let padding = usize::from(self.buf[self.buf.len() - 1]) + 1;
        let content = self.buf.len().saturating_sub(padding + 32);
        let mut mac = self.mac.clone();
        mac.update(&[0u8; 13]);
        mac.update(&self.buf[..content]);
        bool::from(mac.finalize().into_bytes()[..].ct_eq(&self.buf[content..content + 32]))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_measured_records_really_open() {
        // A benchmark of a failing open would time the error path, not the work.
        for mut record in [
            RecordFixture::new(16, 16384).unwrap(),
            RecordFixture::cbc(16384).unwrap(),
        ] {
            for _ in 0..3 {
                record.prepare_open();
                assert!(record.open());
            }
        }
        let mut bare = BareCbc::new(16384);
        bare.seal();
        let sealed = bare.buf.clone();
        assert!(bare.open());
        bare.buf.copy_from_slice(&sealed);
        bare.buf[100] ^= 1;
        assert!(!bare.open());
    }
}
