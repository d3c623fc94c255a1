//! AES-CBC with HMAC: the record protection of the CBC suites (RFC 5246 6.2.3.2), in both
//! orders: MAC-then-encrypt, as TLS 1.2 defines it, and encrypt-then-MAC (RFC 7366) when both
//! hellos agreed to it.
//!
//! ```text
//! MAC-then-encrypt (RFC 5246 6.2.3.2):
//!   MAC = HMAC(MAC_write_key, seq_num + type + version + length + content)
//!   fragment = IV + AES-CBC(write_key, IV, content + MAC + padding + padding_length)
//!
//! encrypt-then-MAC (RFC 7366 3):
//!   ciphertext = IV + AES-CBC(write_key, IV, content + padding + padding_length)
//!   fragment = ciphertext + HMAC(MAC_write_key, seq_num + type + version + length(ciphertext)
//!                                               + ciphertext)
//! ```
//!
//! The IV is 16 random bytes per record, sent in front of the ciphertext (TLS 1.1 and later: a
//! chained IV, the last ciphertext block of the previous record, is what BEAST used). Padding
//! fills the plaintext to a whole number of 16-byte blocks: `padding_length` bytes each holding
//! the value `padding_length`, then that value once more. We send the fewest (1 to 16 bytes).
//!
//! **Why the order matters.** With MAC-then-encrypt the receiver must decrypt and remove the
//! padding *before* it can check the MAC, so it handles bytes nobody has authenticated yet. If
//! it answers a bad padding differently from a bad MAC, by another alert (SSL 3.0, early TLS) or
//! by being quicker (Lucky 13, 2013), every answer tells an attacker one bit about the plaintext,
//! and Vaudenay's attack (2002) decrypts a record byte by byte from those bits
//! (`tls12-sim lab padding-oracle` does it). With encrypt-then-MAC the MAC covers the ciphertext
//! itself, is checked first, and nothing is decrypted until it holds: there is no padding
//! oracle. AEAD (GCM) does the same in one operation, which is why TLS 1.3 kept only AEAD.
//!
//! **What [`Cbc::open`] does about it (MAC-then-encrypt), and what it does not.** Every failure
//! (a padding byte wrong, a padding too long for the record, a MAC wrong) is the same
//! [`Error::BadCbcRecord`], decided at one point after all the work: `bad_record_mac`, as RFC 5246
//! 6.2.3.2 demands. The padding is checked without branching on its bytes: always the last 256
//! bytes (or the whole record if shorter), with masks. A bad padding is taken as no padding, and
//! the MAC is then computed over the whole record; a good one leaves fewer bytes to MAC, so the
//! HMAC would need fewer compression-function calls, which is the difference Lucky 13 timed.
//! Here the hash is given as many extra blocks as make the count equal to the bad-padding case
//! (the Lucky 13 paper's countermeasure). The received MAC is compared by scanning the same
//! window of bytes whatever the padding said, at positions that do not depend on it: the
//! expected MAC is rotated into line first, in steps that each touch all of it. What is *not*
//! promised: that the code runs in exactly constant time. The HMAC reads the record up to a
//! length that depends on the padding, and the dummy blocks are hashed by a loop whose count
//! depends on it; caches, branch predictors and the compiler (nothing here is written in
//! assembly, and nothing stops the optimiser from adding a branch) may still leave differences
//! of a few cycles (Lucky Microseconds, 2015, found such in s2n's countermeasure). Remote timing
//! this fine is outside what this teaching program defends against: do not use it to protect
//! anything. Encrypt-then-MAC and AEAD remove the problem instead of hiding it.

use aes::{Aes128, Aes192, Aes256};
use cbc::cipher::array::Array;
use cbc::cipher::consts::U16;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyInit};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384};
use std::ops::Range;
use subtle::{Choice, ConstantTimeEq};

use crate::error::Error;
use crate::phrase;
use crate::rng::RoleRng;
use crate::suites::{AES_BLOCK_LEN, MacAlg};

/// The longest MAC (HMAC-SHA384).
pub const MAX_MAC_LEN: usize = 48;

/// AES, keyed once per direction.
#[derive(Clone)]
enum BlockCipher {
    Aes128(Aes128),
    /// Only for the NIST vectors: no TLS suite uses AES-192.
    Aes192(Aes192),
    Aes256(Aes256),
}

/// The 16-byte blocks of `buf`, whose length is a multiple of 16.
fn blocks(buf: &mut [u8]) -> &mut [Array<u8, U16>] {
    Array::<u8, U16>::slice_as_chunks_mut(buf).0
}

impl BlockCipher {
    fn new(key: &[u8]) -> Result<Self, Error> {
        let bad = |_| Error::Internal(phrase!("no AES with a {}-byte key", key.len()));
        match key.len() {
            16 => Aes128::new_from_slice(key)
                .map(BlockCipher::Aes128)
                .map_err(bad),
            24 => Aes192::new_from_slice(key)
                .map(BlockCipher::Aes192)
                .map_err(bad),
            32 => Aes256::new_from_slice(key)
                .map(BlockCipher::Aes256)
                .map_err(bad),
            n => Err(Error::Internal(phrase!("no AES with a {}-byte key", n))),
        }
    }

    /// CBC-encrypts `buf` (whole blocks) in place: C_i = AES(key, P_i xor C_{i-1}), C_0 = IV.
    fn encrypt(&self, iv: &[u8; 16], buf: &mut [u8]) {
        let iv = (*iv).into();
        let buf = blocks(buf);
        match self {
            BlockCipher::Aes128(c) => {
                cbc::Encryptor::inner_iv_init(c.clone(), &iv).encrypt_blocks(buf)
            }
            BlockCipher::Aes192(c) => {
                cbc::Encryptor::inner_iv_init(c.clone(), &iv).encrypt_blocks(buf)
            }
            BlockCipher::Aes256(c) => {
                cbc::Encryptor::inner_iv_init(c.clone(), &iv).encrypt_blocks(buf)
            }
        }
    }

    /// CBC-decrypts `buf` (whole blocks) in place: P_i = AES^-1(key, C_i) xor C_{i-1}.
    fn decrypt(&self, iv: &[u8; 16], buf: &mut [u8]) {
        let iv = (*iv).into();
        let buf = blocks(buf);
        match self {
            BlockCipher::Aes128(c) => {
                cbc::Decryptor::inner_iv_init(c.clone(), &iv).decrypt_blocks(buf)
            }
            BlockCipher::Aes192(c) => {
                cbc::Decryptor::inner_iv_init(c.clone(), &iv).decrypt_blocks(buf)
            }
            BlockCipher::Aes256(c) => {
                cbc::Decryptor::inner_iv_init(c.clone(), &iv).decrypt_blocks(buf)
            }
        }
    }
}

/// AES-CBC encryption of whole blocks in place, with a 16-, 24- or 32-byte key: for the NIST
/// vectors, the padding-oracle lab and the benchmarks.
pub fn aes_cbc_encrypt(key: &[u8], iv: &[u8; 16], buf: &mut [u8]) -> Result<(), Error> {
    whole_blocks(buf)?;
    BlockCipher::new(key)?.encrypt(iv, buf);
    Ok(())
}

/// AES-CBC decryption of whole blocks in place (see [`aes_cbc_encrypt`]).
pub fn aes_cbc_decrypt(key: &[u8], iv: &[u8; 16], buf: &mut [u8]) -> Result<(), Error> {
    whole_blocks(buf)?;
    BlockCipher::new(key)?.decrypt(iv, buf);
    Ok(())
}

fn whole_blocks(buf: &[u8]) -> Result<(), Error> {
    if !buf.len().is_multiple_of(AES_BLOCK_LEN) {
        return Err(Error::Internal(phrase!(
            "AES-CBC works on whole 16-byte blocks, not {} bytes",
            buf.len()
        )));
    }
    Ok(())
}

/// HMAC with the key absorbed once per direction.
#[derive(Clone)]
enum MacKey {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
    Sha384(Hmac<Sha384>),
}

impl MacKey {
    fn new(alg: MacAlg, key: &[u8]) -> Self {
        // HMAC takes keys of any length (RFC 2104 2), so these cannot fail.
        match alg {
            MacAlg::HmacSha1 => {
                MacKey::Sha1(Hmac::new_from_slice(key).unwrap_or_else(|_| unreachable!()))
            }
            MacAlg::HmacSha256 => {
                MacKey::Sha256(Hmac::new_from_slice(key).unwrap_or_else(|_| unreachable!()))
            }
            MacAlg::HmacSha384 => {
                MacKey::Sha384(Hmac::new_from_slice(key).unwrap_or_else(|_| unreachable!()))
            }
        }
    }

    /// HMAC(key, header + data) into the front of `out`.
    fn mac(&self, header: &[u8], data: &[u8], out: &mut [u8; MAX_MAC_LEN]) {
        fn run<M: Mac + Clone>(keyed: &M, header: &[u8], data: &[u8], out: &mut [u8]) {
            let mut h = keyed.clone();
            h.update(header);
            h.update(data);
            let tag = h.finalize().into_bytes();
            out[..tag.len()].copy_from_slice(&tag);
        }
        match self {
            MacKey::Sha1(k) => run(k, header, data, out),
            MacKey::Sha256(k) => run(k, header, data, out),
            MacKey::Sha384(k) => run(k, header, data, out),
        }
    }

    /// Runs the hash's compression function `blocks` more times, on nothing that matters: the
    /// Lucky 13 countermeasure's padding of work (see the module's comment).
    fn extra_blocks(&self, blocks: usize) {
        const ZEROS: [u8; 128] = [0; 128];
        fn run<D: Digest>(blocks: usize, block_len: usize) {
            let mut h = D::new();
            for _ in 0..blocks {
                h.update(&ZEROS[..block_len]);
            }
            // Keep the work: the compiler must not drop a hash nobody reads.
            std::hint::black_box(h);
        }
        match self {
            MacKey::Sha1(_) => run::<Sha1>(blocks, 64),
            MacKey::Sha256(_) => run::<Sha256>(blocks, 64),
            MacKey::Sha384(_) => run::<Sha384>(blocks, 128),
        }
    }
}

/// HMAC with the hash of a CBC suite: for the RFC 2202 and RFC 4231 vectors.
pub fn hmac(alg: MacAlg, key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = [0u8; MAX_MAC_LEN];
    MacKey::new(alg, key).mac(&[], data, &mut out);
    out[..alg.output_len()].to_vec()
}

/// seq_num + type + version + length: the 13 bytes the MAC covers before the data (RFC 5246
/// 6.2.3.1; RFC 7366 3 with the ciphertext's length).
pub fn mac_header(seq: u64, content_type: u8, version: u16, len: usize) -> [u8; 13] {
    let mut header = [0u8; 13];
    header[..8].copy_from_slice(&seq.to_be_bytes());
    header[8] = content_type;
    header[9..11].copy_from_slice(&version.to_be_bytes());
    header[11..13].copy_from_slice(&(len as u16).to_be_bytes());
    header
}

/// What protecting one CBC record involved: fixed-size, so sealing and opening allocate
/// nothing; the trace turns it into `event::CbcDetails` when tracing is on.
#[derive(Clone, Copy, Debug)]
pub struct CbcProtection {
    /// The record's sequence number: never sent, but covered by the MAC.
    pub seq: u64,
    /// RFC 7366's order (true) or RFC 5246's MAC-then-encrypt (false).
    pub encrypt_then_mac: bool,
    /// The suite's HMAC.
    pub mac_alg: MacAlg,
    /// The explicit IV sent in front of the ciphertext.
    pub iv: [u8; 16],
    /// The first 13 bytes the MAC covers: seq_num + type + version + length.
    pub mac_header: [u8; 13],
    /// The MAC (its first `mac_alg.output_len()` bytes).
    pub mac: [u8; MAX_MAC_LEN],
    /// padding_length: the padding is this many bytes of this value, then the value again.
    pub padding_length: u8,
}

/// One direction's CBC state: AES and HMAC keyed, the order, and, for a direction we write,
/// where the explicit IVs come from.
pub struct Cbc {
    cipher: BlockCipher,
    mac: MacKey,
    mac_alg: MacAlg,
    encrypt_then_mac: bool,
    ivs: Option<RoleRng>,
}

impl Cbc {
    /// A direction protected with AES-CBC under `key` and `mac_alg` under `mac_key`; `ivs` draws
    /// the explicit IVs of the records it seals (`None` for a direction that only opens).
    pub fn new(
        key: &[u8],
        mac_alg: MacAlg,
        mac_key: &[u8],
        encrypt_then_mac: bool,
        ivs: Option<RoleRng>,
    ) -> Result<Self, Error> {
        Ok(Cbc {
            cipher: BlockCipher::new(key)?,
            mac: MacKey::new(mac_alg, mac_key),
            mac_alg,
            encrypt_then_mac,
            ivs,
        })
    }

    /// True when records are encrypt-then-MAC (RFC 7366).
    pub fn encrypt_then_mac(&self) -> bool {
        self.encrypt_then_mac
    }

    /// The plaintext of `len` bytes (content, and the MAC when it is inside) with its padding
    /// appended to `record`: padding_length = the fewest bytes that fill the last block.
    fn pad(record: &mut Vec<u8>, len: usize) -> u8 {
        let padding_length = (AES_BLOCK_LEN - 1 - len % AES_BLOCK_LEN) as u8;
        let count = usize::from(padding_length) + 1;
        record.resize(record.len() + count, padding_length);
        padding_length
    }

    /// Seals the record whose content is `record[body..]`, with 16 bytes of room for the IV
    /// before it: writes the IV, appends MAC and padding, encrypts in place.
    pub fn seal(
        &mut self,
        seq: u64,
        content_type: u8,
        version: u16,
        record: &mut Vec<u8>,
        body: usize,
    ) -> Result<CbcProtection, Error> {
        let ivs = self.ivs.as_mut().ok_or_else(|| {
            Error::Internal(phrase!("a CBC direction that only reads cannot seal"))
        })?;
        let iv: [u8; 16] = ivs.array();
        let content_len = record.len() - body;
        let mac_len = self.mac_alg.output_len();
        let mut mac = [0u8; MAX_MAC_LEN];
        let (header, padding_length);
        if self.encrypt_then_mac {
            // RFC 7366 3: pad and encrypt the content, then MAC the IV and ciphertext.
            padding_length = Self::pad(record, content_len);
            self.cipher.encrypt(&iv, &mut record[body..]);
            record[body - AES_BLOCK_LEN..body].copy_from_slice(&iv);
            let ciphertext = &record[body - AES_BLOCK_LEN..];
            header = mac_header(seq, content_type, version, ciphertext.len());
            self.mac.mac(&header, ciphertext, &mut mac);
            record.extend_from_slice(&mac[..mac_len]);
        } else {
            // RFC 5246 6.2.3.2: MAC the content, then encrypt content + MAC + padding.
            header = mac_header(seq, content_type, version, content_len);
            self.mac.mac(&header, &record[body..], &mut mac);
            record.extend_from_slice(&mac[..mac_len]);
            padding_length = Self::pad(record, content_len + mac_len);
            self.cipher.encrypt(&iv, &mut record[body..]);
            record[body - AES_BLOCK_LEN..body].copy_from_slice(&iv);
        }
        Ok(CbcProtection {
            seq,
            encrypt_then_mac: self.encrypt_then_mac,
            mac_alg: self.mac_alg,
            iv,
            mac_header: header,
            mac,
            padding_length,
        })
    }

    /// Opens one record's fragment in place: returns where the content lies in it. Every
    /// failure is the same [`Error::BadCbcRecord`].
    pub fn open(
        &self,
        seq: u64,
        content_type: u8,
        version: u16,
        fragment: &mut [u8],
    ) -> Result<(Range<usize>, CbcProtection), Error> {
        if self.encrypt_then_mac {
            self.open_encrypt_then_mac(seq, content_type, version, fragment)
        } else {
            self.open_mac_then_encrypt(seq, content_type, version, fragment)
        }
    }

    /// RFC 7366: check the MAC over IV + ciphertext first; only then decrypt and unpad.
    fn open_encrypt_then_mac(
        &self,
        seq: u64,
        content_type: u8,
        version: u16,
        fragment: &mut [u8],
    ) -> Result<(Range<usize>, CbcProtection), Error> {
        let mac_len = self.mac_alg.output_len();
        // An IV, at least one block, the MAC. (The length is the sender's, not a secret.)
        let Some(ciphertext_len) = fragment.len().checked_sub(mac_len) else {
            return Err(Error::BadCbcRecord);
        };
        if ciphertext_len < 2 * AES_BLOCK_LEN || !ciphertext_len.is_multiple_of(AES_BLOCK_LEN) {
            return Err(Error::BadCbcRecord);
        }
        let (ciphertext, received) = fragment.split_at_mut(ciphertext_len);
        let header = mac_header(seq, content_type, version, ciphertext_len);
        let mut mac = [0u8; MAX_MAC_LEN];
        self.mac.mac(&header, ciphertext, &mut mac);
        if !bool::from(mac[..mac_len].ct_eq(received)) {
            return Err(Error::BadCbcRecord);
        }
        let (iv, body) = ciphertext.split_at_mut(AES_BLOCK_LEN);
        let iv: [u8; 16] = iv.try_into().map_err(|_| Error::BadCbcRecord)?;
        self.cipher.decrypt(&iv, body);
        // The MAC held, so these bytes are the sender's: a bad padding is its error, and
        // nothing secret can be learnt from our answer to it.
        let (padding_length, good) = check_padding(body, 0);
        if good == 0 {
            return Err(Error::BadCbcRecord);
        }
        let content_len = body.len() - 1 - padding_length as usize;
        let protection = CbcProtection {
            seq,
            encrypt_then_mac: true,
            mac_alg: self.mac_alg,
            iv,
            mac_header: header,
            mac,
            padding_length: padding_length as u8,
        };
        Ok((AES_BLOCK_LEN..AES_BLOCK_LEN + content_len, protection))
    }

    /// RFC 5246 6.2.3.2: decrypt, then check padding and MAC together, with the same work and
    /// the same answer whatever is wrong (see the module's comment).
    fn open_mac_then_encrypt(
        &self,
        seq: u64,
        content_type: u8,
        version: u16,
        fragment: &mut [u8],
    ) -> Result<(Range<usize>, CbcProtection), Error> {
        let mac_len = self.mac_alg.output_len();
        // An IV, then whole blocks that hold at least the MAC and the padding_length byte. (The
        // length is the sender's, not a secret: refusing it early tells nothing.)
        let min_body = (mac_len + 1).div_ceil(AES_BLOCK_LEN) * AES_BLOCK_LEN;
        if fragment.len() < AES_BLOCK_LEN + min_body
            || !fragment.len().is_multiple_of(AES_BLOCK_LEN)
        {
            return Err(Error::BadCbcRecord);
        }
        let (iv, body) = fragment.split_at_mut(AES_BLOCK_LEN);
        let iv: [u8; 16] = iv.try_into().map_err(|_| Error::BadCbcRecord)?;
        self.cipher.decrypt(&iv, body);
        // 1. The padding, checked with masks; a bad one counts as none.
        let (padding_length, good_padding) = check_padding(body, mac_len);
        // 2. The MAC over what the padding leaves, plus dummy blocks up to the bad-padding
        //    case's count.
        let longest = body.len() - mac_len - 1;
        let content_len = longest - padding_length as usize;
        let header = mac_header(seq, content_type, version, content_len);
        let mut mac = [0u8; MAX_MAC_LEN];
        self.mac.mac(&header, &body[..content_len], &mut mac);
        self.mac.extra_blocks(
            compressions(self.mac_alg, longest) - compressions(self.mac_alg, content_len),
        );
        // 3. The received MAC, compared over the same window whatever the padding said.
        let good_mac = mac_matches_at(body, content_len, mac_len, &mac);
        // 4. One decision, one answer.
        let good = Choice::from((good_padding & good_mac & 1) as u8);
        if !bool::from(good) {
            return Err(Error::BadCbcRecord);
        }
        let protection = CbcProtection {
            seq,
            encrypt_then_mac: false,
            mac_alg: self.mac_alg,
            iv,
            mac_header: header,
            mac,
            padding_length: padding_length as u8,
        };
        Ok((AES_BLOCK_LEN..AES_BLOCK_LEN + content_len, protection))
    }
}

/// How many times HMAC's inner hash runs its compression function after the key block, for
/// `content_len` bytes of content behind the 13-byte header: the message, one 0x80 byte and the
/// length field, in whole blocks.
fn compressions(alg: MacAlg, content_len: usize) -> usize {
    let block = alg.block_len();
    (13 + content_len + 1 + alg.length_field_len()).div_ceil(block)
}

/// All ones if `a < b`, else zero (both below 2^31).
fn mask_lt(a: u32, b: u32) -> u32 {
    (a.wrapping_sub(b) >> 31).wrapping_neg()
}

/// All ones if `a == b`, else zero.
fn mask_eq(a: u32, b: u32) -> u32 {
    let x = a ^ b;
    ((x | x.wrapping_neg()) >> 31).wrapping_sub(1)
}

/// The padding at the end of `body` (RFC 5246 6.2.3.2), behind at least `mac_len` bytes of MAC:
/// returns padding_length if it is good, else 0, and a mask that is all ones if it is good.
/// Looks at the same bytes, the last 256 (or all, if fewer), whatever their values.
fn check_padding(body: &[u8], mac_len: usize) -> (u32, u32) {
    let len = body.len() as u32;
    let padding_length = u32::from(body[body.len() - 1]);
    // padding_length + 1 bytes of padding, and the MAC before them, must fit.
    let fits = !mask_lt(len, padding_length + 1 + mac_len as u32);
    let scanned = body.len().min(256);
    let tail = &body[body.len() - scanned..];
    // Counted from the end: the padding is the last padding_length + 1 bytes.
    let first_padding = (scanned as u32).saturating_sub(padding_length + 1);
    let mut wrong = 0u32;
    for (k, &byte) in tail.iter().enumerate() {
        let in_padding = !mask_lt(k as u32, first_padding);
        wrong |= in_padding & (u32::from(byte) ^ padding_length);
    }
    let good = fits & mask_eq(wrong, 0);
    (padding_length & good, good)
}

/// Whether the `mac_len` bytes at `mac_start` of `body` are `expected`'s first bytes, as a
/// mask. Reads the same window (the 255 + mac_len bytes before the padding_length byte) for
/// every `mac_start` a padding could give, with indices that depend only on the position in the
/// window: `expected` is first rotated (by the secret offset, in log2(mac_len) steps that each
/// touch every byte) to line up with the window's cycle of `mac_len`.
fn mac_matches_at(body: &[u8], mac_start: usize, mac_len: usize, expected: &[u8]) -> u32 {
    let end = body.len() - 1;
    let scan_start = end.saturating_sub(mac_len + 255);
    // In the window, byte i is compared with line[(i - scan_start) % mac_len]; the MAC's byte
    // t sits at i = mac_start + t, so line[(offset + t) % mac_len] must be expected[t].
    let offset = modulo((mac_start - scan_start) as u32, mac_len as u32);
    let mut line = [0u8; MAX_MAC_LEN];
    line[..mac_len].copy_from_slice(&expected[..mac_len]);
    rotate_right(&mut line[..mac_len], offset);
    // The rotated MAC repeated across the window: its positions are public.
    let window = &body[scan_start..end];
    let mut pattern = [0u8; MAX_MAC_LEN + 256 + MAX_MAC_LEN];
    for chunk in pattern[..window.len()].chunks_mut(mac_len) {
        chunk.copy_from_slice(&line[..chunk.len()]);
    }
    let (start, stop) = (
        (mac_start - scan_start) as u32,
        (mac_start - scan_start + mac_len) as u32,
    );
    let mut diff = 0u32;
    for (k, (&byte, &want)) in window.iter().zip(&pattern[..window.len()]).enumerate() {
        let k = k as u32;
        let inside = !mask_lt(k, start) & mask_lt(k, stop);
        diff |= inside & u32::from(byte ^ want);
    }
    mask_eq(diff, 0)
}

/// `value % modulus` for a value below 16 times the modulus, by masked subtractions rather
/// than a division, whose time may depend on its operands.
fn modulo(mut value: u32, modulus: u32) -> u32 {
    for shift in (0..4).rev() {
        let step = modulus << shift;
        value -= step & !mask_lt(value, step);
    }
    value
}

/// Rotates `bytes` right by `by` (below its length) without branching on `by`: for each bit
/// of `by`, a rotation by that power of two, kept or not by a mask.
fn rotate_right(bytes: &mut [u8], by: u32) {
    let len = bytes.len();
    let mut rotated = [0u8; MAX_MAC_LEN];
    let mut step = 1;
    while step < len {
        let keep = (mask_eq(by & step as u32, 0) & 0xff) as u8;
        rotated[..step].copy_from_slice(&bytes[len - step..]);
        rotated[step..len].copy_from_slice(&bytes[..len - step]);
        for (byte, &moved) in bytes.iter_mut().zip(&rotated[..len]) {
            *byte = (*byte & keep) | (moved & !keep);
        }
        step *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Side;

    fn pair(mac_alg: MacAlg, etm: bool) -> (Cbc, Cbc) {
        let rng = RoleRng::seeded(1, Side::Client);
        let sealer = Cbc::new(&[7; 16], mac_alg, &[9; 32], etm, Some(rng)).unwrap();
        let opener = Cbc::new(&[7; 16], mac_alg, &[9; 32], etm, None).unwrap();
        (sealer, opener)
    }

    fn sealed(sealer: &mut Cbc, content: &[u8]) -> Vec<u8> {
        let mut record = vec![0; AES_BLOCK_LEN];
        record.extend_from_slice(content);
        sealer.seal(0, 23, 0x0303, &mut record, 16).unwrap();
        record
    }

    #[test]
    fn seal_then_open_in_both_orders_for_every_length() {
        for mac_alg in [MacAlg::HmacSha1, MacAlg::HmacSha256, MacAlg::HmacSha384] {
            for etm in [false, true] {
                let (mut sealer, opener) = pair(mac_alg, etm);
                for len in [0, 1, 15, 16, 17, 100, 1000] {
                    let content: Vec<u8> = (0..len).map(|i| i as u8).collect();
                    let mut record = sealed(&mut sealer, &content);
                    let mac_len = mac_alg.output_len();
                    let encrypted = if etm {
                        record.len() - mac_len
                    } else {
                        record.len()
                    };
                    assert_eq!(encrypted % 16, 0, "{mac_alg:?} etm={etm} len={len}");
                    let (range, p) = opener.open(0, 23, 0x0303, &mut record).unwrap();
                    assert_eq!(&record[range], &content[..]);
                    assert_eq!(p.encrypt_then_mac, etm);
                }
            }
        }
    }

    #[test]
    fn every_tampered_byte_is_the_same_error() {
        for etm in [false, true] {
            let (mut sealer, opener) = pair(MacAlg::HmacSha256, etm);
            let record = sealed(&mut sealer, b"attack at dawn, bring snacks");
            for at in 0..record.len() {
                let mut bad = record.clone();
                bad[at] ^= 0x01;
                let got = opener.open(0, 23, 0x0303, &mut bad);
                assert!(
                    matches!(got, Err(Error::BadCbcRecord)),
                    "etm={etm} byte {at}"
                );
            }
            // Another sequence number, type or version: the MAC covers them.
            for (seq, ct, version) in [(1, 23, 0x0303), (0, 22, 0x0303), (0, 23, 0x0302)] {
                let mut same = record.clone();
                let got = opener.open(seq, ct, version, &mut same);
                assert!(matches!(got, Err(Error::BadCbcRecord)), "etm={etm}");
            }
        }
    }

    #[test]
    fn padding_checks() {
        // 16 bytes: 11 content, padding_length 4 (5 bytes of 04).
        let mut body = vec![0xaa; 11];
        body.extend([4; 5]);
        assert_eq!(check_padding(&body, 0), (4, u32::MAX));
        body[12] = 3;
        assert_eq!(check_padding(&body, 0), (0, 0));
        // padding_length larger than the body.
        let body = vec![200; 16];
        assert_eq!(check_padding(&body, 0), (0, 0));
        // All 16 bytes are padding (15 of them plus the length byte): good without a MAC,
        // too long behind a 20-byte MAC.
        let body = vec![15; 16];
        assert_eq!(check_padding(&body, 0), (15, u32::MAX));
        assert_eq!(check_padding(&body, 20), (0, 0));
    }

    #[test]
    fn masks() {
        assert_eq!(mask_lt(1, 2), u32::MAX);
        assert_eq!(mask_lt(2, 2), 0);
        assert_eq!(mask_lt(3, 2), 0);
        assert_eq!(mask_eq(5, 5), u32::MAX);
        assert_eq!(mask_eq(5, 6), 0);
        assert_eq!(mask_eq(0, 0x8000_0000), 0);
    }

    #[test]
    fn the_mac_is_found_wherever_the_padding_puts_it() {
        // A body of 300 bytes: content, a 20-byte "MAC" of 0xa0.., padding of every length.
        for padding_length in [0usize, 1, 15, 16, 100, 255] {
            let mac: Vec<u8> = (0..20).map(|i| 0xa0 + i as u8).collect();
            let content_len = 300 - 1 - padding_length - 20;
            let mut body = vec![0x33; content_len];
            body.extend(&mac);
            body.extend(vec![padding_length as u8; padding_length + 1]);
            assert_eq!(mac_matches_at(&body, content_len, 20, &mac), u32::MAX);
            let mut wrong = mac.clone();
            wrong[19] ^= 1;
            assert_eq!(mac_matches_at(&body, content_len, 20, &wrong), 0);
            assert_eq!(mac_matches_at(&body, content_len + 1, 20, &mac), 0);
        }
    }

    #[test]
    fn modulo_without_dividing() {
        for modulus in [20u32, 32, 48] {
            for value in 0..16 * modulus {
                assert_eq!(modulo(value, modulus), value % modulus);
            }
        }
    }

    #[test]
    fn rotations() {
        let mut bytes: Vec<u8> = (0..20).collect();
        rotate_right(&mut bytes, 3);
        assert_eq!(&bytes[..5], &[17, 18, 19, 0, 1]);
        let mut bytes: Vec<u8> = (0..48).collect();
        rotate_right(&mut bytes, 47);
        assert_eq!(bytes[0], 1);
        assert_eq!(bytes[47], 0);
    }

    #[test]
    fn compression_counts() {
        // SHA-256: 13 + 42 + 9 = 64 bytes fit one block; one more byte needs two.
        assert_eq!(compressions(MacAlg::HmacSha256, 42), 1);
        assert_eq!(compressions(MacAlg::HmacSha256, 43), 2);
        // SHA-384: 13 + 98 + 17 = 128.
        assert_eq!(compressions(MacAlg::HmacSha384, 98), 1);
        assert_eq!(compressions(MacAlg::HmacSha384, 99), 2);
    }
}
