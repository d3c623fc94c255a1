//! The twelve cipher suites: four with AES-GCM (RFC 5288 for the RSA ones, RFC 5289 for the
//! ECDHE ones), and eight with AES-CBC and HMAC (RFC 5246 Appendix A.5, RFC 4492 6, RFC 5289
//! 3.1), the suites most of TLS 1.2's life ran on.
//!
//! A TLS 1.2 suite name reads left to right as the handshake uses it:
//! `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256` = key exchange ECDHE, authenticated by an RSA
//! signature; records protected with AES-128 in GCM mode; SHA-256 for the PRF and the
//! handshake hash. With `TLS_RSA_...` the RSA key does the key exchange itself: the client
//! encrypts the pre-master secret to it.
//!
//! In a CBC suite the last word names the *MAC*: `TLS_RSA_WITH_AES_128_CBC_SHA` protects records
//! with AES-128-CBC and HMAC-SHA1, and (TLS 1.2 being TLS 1.2) still uses the SHA-256 PRF; only
//! `_SHA384` changes the PRF's hash too (RFC 5246 5, RFC 5289 3.2). GCM stays first in every list
//! of ours: an AEAD suite authenticates and encrypts in one step, and CBC's MAC-then-encrypt is
//! what the padding-oracle attacks broke (`tls12-sim lab padding-oracle`).

use sha2::{Digest, Sha256, Sha384};

use crate::messages::extensions::{GREASE, is_grease};

/// The cipher suites this program implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum CipherSuite {
    /// `TLS_RSA_WITH_AES_128_GCM_SHA256` (0x009c, RFC 5288): RSA key exchange, AES-128-GCM,
    /// SHA-256.
    RsaAes128GcmSha256,
    /// `TLS_RSA_WITH_AES_256_GCM_SHA384` (0x009d, RFC 5288): RSA key exchange, AES-256-GCM,
    /// SHA-384.
    RsaAes256GcmSha384,
    /// `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256` (0xc02f, RFC 5289): ECDHE signed with RSA,
    /// AES-128-GCM, SHA-256.
    EcdheRsaAes128GcmSha256,
    /// `TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384` (0xc030, RFC 5289): ECDHE signed with RSA,
    /// AES-256-GCM, SHA-384.
    EcdheRsaAes256GcmSha384,
    /// `TLS_RSA_WITH_AES_128_CBC_SHA` (0x002f, RFC 5246 A.5): RSA key exchange, AES-128-CBC,
    /// HMAC-SHA1. TLS 1.2's mandatory suite (RFC 5246 9).
    RsaAes128CbcSha,
    /// `TLS_RSA_WITH_AES_256_CBC_SHA` (0x0035, RFC 5246 A.5): AES-256-CBC, HMAC-SHA1.
    RsaAes256CbcSha,
    /// `TLS_RSA_WITH_AES_128_CBC_SHA256` (0x003c, RFC 5246 A.5): AES-128-CBC, HMAC-SHA256.
    RsaAes128CbcSha256,
    /// `TLS_RSA_WITH_AES_256_CBC_SHA256` (0x003d, RFC 5246 A.5): AES-256-CBC, HMAC-SHA256.
    RsaAes256CbcSha256,
    /// `TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA` (0xc013, RFC 4492 6): ECDHE signed with RSA,
    /// AES-128-CBC, HMAC-SHA1.
    EcdheRsaAes128CbcSha,
    /// `TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA` (0xc014, RFC 4492 6): AES-256-CBC, HMAC-SHA1.
    EcdheRsaAes256CbcSha,
    /// `TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256` (0xc027, RFC 5289 3.1): AES-128-CBC,
    /// HMAC-SHA256.
    EcdheRsaAes128CbcSha256,
    /// `TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384` (0xc028, RFC 5289 3.1): AES-256-CBC,
    /// HMAC-SHA384, and the SHA-384 PRF.
    EcdheRsaAes256CbcSha384,
}

/// How a suite protects records once ChangeCipherSpec has switched them on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum RecordCipher {
    /// AES-GCM, an AEAD (RFC 5288): one operation encrypts and authenticates.
    AesGcm,
    /// AES-CBC with an HMAC (RFC 5246 6.2.3.2): MAC-then-encrypt, or encrypt-then-MAC when both
    /// sides agreed to RFC 7366.
    AesCbc(MacAlg),
}

/// The HMAC of a CBC suite's records (RFC 5246 6.2.3.1, 6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum MacAlg {
    /// HMAC-SHA1: the `_SHA` suites; 20-byte MAC and key.
    HmacSha1,
    /// HMAC-SHA256: the `_SHA256` CBC suites; 32-byte MAC and key.
    HmacSha256,
    /// HMAC-SHA384: `TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384`; 48-byte MAC and key.
    HmacSha384,
}

impl MacAlg {
    /// `HMAC-SHA1`, `HMAC-SHA256` or `HMAC-SHA384`.
    pub fn name(self) -> &'static str {
        match self {
            MacAlg::HmacSha1 => "HMAC-SHA1",
            MacAlg::HmacSha256 => "HMAC-SHA256",
            MacAlg::HmacSha384 => "HMAC-SHA384",
        }
    }

    /// mac_length, and mac_key_length, in bytes (RFC 5246 6.2.3.1 and Appendix C): the hash's
    /// output length.
    pub fn output_len(self) -> usize {
        match self {
            MacAlg::HmacSha1 => 20,
            MacAlg::HmacSha256 => 32,
            MacAlg::HmacSha384 => 48,
        }
    }

    /// The hash's block: what one call of its compression function eats (64 or 128 bytes).
    pub fn block_len(self) -> usize {
        match self {
            MacAlg::HmacSha1 | MacAlg::HmacSha256 => 64,
            MacAlg::HmacSha384 => 128,
        }
    }

    /// The bytes of message length the hash appends in its last block (8, or 16 for SHA-384),
    /// after the one 0x80 byte.
    pub fn length_field_len(self) -> usize {
        match self {
            MacAlg::HmacSha1 | MacAlg::HmacSha256 => 8,
            MacAlg::HmacSha384 => 16,
        }
    }
}

/// How the pre-master secret is agreed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum KeyExchange {
    /// The client encrypts a random pre-master secret under the server's RSA public key
    /// (RFC 5246 7.4.7.1). Only the server's private key can open it.
    Rsa,
    /// Ephemeral X25519 Diffie-Hellman; the server signs its share with its RSA private key
    /// (RFC 8422 5.4).
    Ecdhe,
}

/// The `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` pseudo-suite (RFC 5746 3.3).
pub const EMPTY_RENEGOTIATION_INFO_SCSV: u16 = 0x00ff;
/// The `TLS_FALLBACK_SCSV` pseudo-suite (RFC 7507): "I am retrying with a lower version than I
/// can speak". Named in traces; this program does not act on it.
pub const TLS_FALLBACK_SCSV: u16 = 0x5600;

/// GCM in TLS 1.2 (RFC 5288 3): a 4-byte implicit salt from the key block ...
pub const FIXED_IV_LEN: usize = 4;
/// ... and an 8-byte explicit nonce sent in front of each record's ciphertext.
pub const EXPLICIT_NONCE_LEN: usize = 8;
/// The GCM authentication tag at the end of each record.
pub const TAG_LEN: usize = 16;
/// AES's block, and so the CBC record's explicit IV (RFC 5246 6.2.3.2: record_iv_length is the
/// block size).
pub const AES_BLOCK_LEN: usize = 16;

/// Everything that differs between the suites, in one place.
struct Params {
    id: u16,
    name: &'static str,
    openssl_name: &'static str,
    key_exchange: KeyExchange,
    key_len: usize,
    hash: HashAlg,
    cipher: RecordCipher,
}

impl CipherSuite {
    /// All suites, in our order of preference: GCM first, then CBC.
    pub const ALL: [CipherSuite; 12] = [
        CipherSuite::EcdheRsaAes128GcmSha256,
        CipherSuite::EcdheRsaAes256GcmSha384,
        CipherSuite::RsaAes128GcmSha256,
        CipherSuite::RsaAes256GcmSha384,
        CipherSuite::EcdheRsaAes128CbcSha256,
        CipherSuite::EcdheRsaAes256CbcSha384,
        CipherSuite::EcdheRsaAes128CbcSha,
        CipherSuite::EcdheRsaAes256CbcSha,
        CipherSuite::RsaAes128CbcSha256,
        CipherSuite::RsaAes256CbcSha256,
        CipherSuite::RsaAes128CbcSha,
        CipherSuite::RsaAes256CbcSha,
    ];

    /// The four AES-GCM suites, in our order of preference.
    pub const GCM: [CipherSuite; 4] = [
        CipherSuite::EcdheRsaAes128GcmSha256,
        CipherSuite::EcdheRsaAes256GcmSha384,
        CipherSuite::RsaAes128GcmSha256,
        CipherSuite::RsaAes256GcmSha384,
    ];

    /// The eight AES-CBC suites, in our order of preference.
    pub const CBC: [CipherSuite; 8] = [
        CipherSuite::EcdheRsaAes128CbcSha256,
        CipherSuite::EcdheRsaAes256CbcSha384,
        CipherSuite::EcdheRsaAes128CbcSha,
        CipherSuite::EcdheRsaAes256CbcSha,
        CipherSuite::RsaAes128CbcSha256,
        CipherSuite::RsaAes256CbcSha256,
        CipherSuite::RsaAes128CbcSha,
        CipherSuite::RsaAes256CbcSha,
    ];

    /// The one table of suite parameters (RFC 5288 3, RFC 5289 3.2, IANA code points): the GCM
    /// suites here, the CBC ones in [`CipherSuite::cbc_params`].
    fn params(self) -> Params {
        match self {
            CipherSuite::RsaAes128GcmSha256 => Params {
                id: 0x009c,
                name: "TLS_RSA_WITH_AES_128_GCM_SHA256",
                openssl_name: "AES128-GCM-SHA256",
                key_exchange: KeyExchange::Rsa,
                key_len: 16,
                hash: HashAlg::Sha256,
                cipher: RecordCipher::AesGcm,
            },
            CipherSuite::RsaAes256GcmSha384 => Params {
                id: 0x009d,
                name: "TLS_RSA_WITH_AES_256_GCM_SHA384",
                openssl_name: "AES256-GCM-SHA384",
                key_exchange: KeyExchange::Rsa,
                key_len: 32,
                hash: HashAlg::Sha384,
                cipher: RecordCipher::AesGcm,
            },
            CipherSuite::EcdheRsaAes128GcmSha256 => Params {
                id: 0xc02f,
                name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                openssl_name: "ECDHE-RSA-AES128-GCM-SHA256",
                key_exchange: KeyExchange::Ecdhe,
                key_len: 16,
                hash: HashAlg::Sha256,
                cipher: RecordCipher::AesGcm,
            },
            CipherSuite::EcdheRsaAes256GcmSha384 => Params {
                id: 0xc030,
                name: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                openssl_name: "ECDHE-RSA-AES256-GCM-SHA384",
                key_exchange: KeyExchange::Ecdhe,
                key_len: 32,
                hash: HashAlg::Sha384,
                cipher: RecordCipher::AesGcm,
            },
            CipherSuite::RsaAes128CbcSha
            | CipherSuite::RsaAes256CbcSha
            | CipherSuite::RsaAes128CbcSha256
            | CipherSuite::RsaAes256CbcSha256
            | CipherSuite::EcdheRsaAes128CbcSha
            | CipherSuite::EcdheRsaAes256CbcSha
            | CipherSuite::EcdheRsaAes128CbcSha256
            | CipherSuite::EcdheRsaAes256CbcSha384 => self.cbc_params(),
        }
    }

    /// The CBC suites' parameters (RFC 5246 A.5, RFC 4492 6, RFC 5289 3.1, IANA code points).
    fn cbc_params(self) -> Params {
        match self {
            CipherSuite::RsaAes128CbcSha => cbc(
                0x002f,
                "TLS_RSA_WITH_AES_128_CBC_SHA",
                "AES128-SHA",
                KeyExchange::Rsa,
                16,
                MacAlg::HmacSha1,
            ),
            CipherSuite::RsaAes256CbcSha => cbc(
                0x0035,
                "TLS_RSA_WITH_AES_256_CBC_SHA",
                "AES256-SHA",
                KeyExchange::Rsa,
                32,
                MacAlg::HmacSha1,
            ),
            CipherSuite::RsaAes128CbcSha256 => cbc(
                0x003c,
                "TLS_RSA_WITH_AES_128_CBC_SHA256",
                "AES128-SHA256",
                KeyExchange::Rsa,
                16,
                MacAlg::HmacSha256,
            ),
            CipherSuite::RsaAes256CbcSha256 => cbc(
                0x003d,
                "TLS_RSA_WITH_AES_256_CBC_SHA256",
                "AES256-SHA256",
                KeyExchange::Rsa,
                32,
                MacAlg::HmacSha256,
            ),
            CipherSuite::EcdheRsaAes128CbcSha => cbc(
                0xc013,
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                "ECDHE-RSA-AES128-SHA",
                KeyExchange::Ecdhe,
                16,
                MacAlg::HmacSha1,
            ),
            CipherSuite::EcdheRsaAes256CbcSha => cbc(
                0xc014,
                "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
                "ECDHE-RSA-AES256-SHA",
                KeyExchange::Ecdhe,
                32,
                MacAlg::HmacSha1,
            ),
            CipherSuite::EcdheRsaAes128CbcSha256 => cbc(
                0xc027,
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
                "ECDHE-RSA-AES128-SHA256",
                KeyExchange::Ecdhe,
                16,
                MacAlg::HmacSha256,
            ),
            CipherSuite::EcdheRsaAes256CbcSha384 => cbc(
                0xc028,
                "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
                "ECDHE-RSA-AES256-SHA384",
                KeyExchange::Ecdhe,
                32,
                MacAlg::HmacSha384,
            ),
            CipherSuite::RsaAes128GcmSha256
            | CipherSuite::RsaAes256GcmSha384
            | CipherSuite::EcdheRsaAes128GcmSha256
            | CipherSuite::EcdheRsaAes256GcmSha384 => self.params(),
        }
    }

    /// The IANA code point.
    pub fn id(self) -> u16 {
        self.params().id
    }

    /// The suite with this IANA code point, if this program implements it.
    pub fn from_id(id: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The IANA name, e.g. `TLS_RSA_WITH_AES_128_GCM_SHA256`.
    pub fn name(self) -> &'static str {
        self.params().name
    }

    /// Accepts the IANA name (any case), or OpenSSL's name (`AES128-GCM-SHA256`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| {
            s.name().eq_ignore_ascii_case(name) || s.openssl_name().eq_ignore_ascii_case(name)
        })
    }

    /// OpenSSL's name, for `openssl s_client -cipher`.
    pub fn openssl_name(self) -> &'static str {
        self.params().openssl_name
    }

    /// How the suite agrees the pre-master secret.
    pub fn key_exchange(self) -> KeyExchange {
        self.params().key_exchange
    }

    /// AES key length in bytes: 16 for AES-128, 32 for AES-256.
    pub fn key_len(self) -> usize {
        self.params().key_len
    }

    /// The hash of the PRF and of the handshake transcript (RFC 5246 5, RFC 5288 3).
    pub fn hash(self) -> HashAlg {
        self.params().hash
    }

    /// How records are protected: AES-GCM, or AES-CBC with an HMAC.
    pub fn cipher(self) -> RecordCipher {
        self.params().cipher
    }

    /// The HMAC of a CBC suite; `None` for GCM (an AEAD needs no MAC key, RFC 5246 6.2.3.3).
    pub fn mac(self) -> Option<MacAlg> {
        match self.cipher() {
            RecordCipher::AesGcm => None,
            RecordCipher::AesCbc(mac) => Some(mac),
        }
    }

    /// True for the AES-CBC suites.
    pub fn is_cbc(self) -> bool {
        self.mac().is_some()
    }

    /// mac_key_length (RFC 5246 6.2.3.1): the HMAC's output length for CBC, 0 for GCM.
    pub fn mac_key_len(self) -> usize {
        self.mac().map_or(0, MacAlg::output_len)
    }

    /// fixed_iv_length: the implicit nonce part of GCM (4 bytes, RFC 5288 3); 0 for CBC in
    /// TLS 1.2, whose IV travels in every record (RFC 5246 6.2.3.2).
    pub fn fixed_iv_len(self) -> usize {
        if self.is_cbc() { 0 } else { FIXED_IV_LEN }
    }

    /// Bytes of key block the suite needs (RFC 5246 6.3): two MAC keys (CBC), two keys, two
    /// implicit IVs (GCM).
    pub fn key_block_len(self) -> usize {
        2 * self.mac_key_len() + 2 * self.key_len() + 2 * self.fixed_iv_len()
    }
}

/// The parameters of a CBC suite; its PRF hash is SHA-256 unless its MAC is SHA-384 (RFC 5246
/// 5: "All cipher suites defined in this document ... use P_SHA256"; RFC 5289 3.2).
fn cbc(
    id: u16,
    name: &'static str,
    openssl_name: &'static str,
    key_exchange: KeyExchange,
    key_len: usize,
    mac: MacAlg,
) -> Params {
    let hash = match mac {
        MacAlg::HmacSha384 => HashAlg::Sha384,
        MacAlg::HmacSha1 | MacAlg::HmacSha256 => HashAlg::Sha256,
    };
    Params {
        id,
        name,
        openssl_name,
        key_exchange,
        key_len,
        hash,
        cipher: RecordCipher::AesCbc(mac),
    }
}

/// The IANA name of a cipher suite code point, ours or one a client may offer that we do not
/// implement (IANA "TLS Cipher Suites"): `TLS_AES_128_GCM_SHA256`, `GREASE (RFC 8701)`; the
/// number, `0x....`, for any other. Whether we implement it is [`implemented`].
pub fn describe_suite_id(id: u16) -> String {
    if let Some(suite) = CipherSuite::from_id(id) {
        return suite.name().to_string();
    }
    let name = match id {
        EMPTY_RENEGOTIATION_INFO_SCSV => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        TLS_FALLBACK_SCSV => "TLS_FALLBACK_SCSV",
        // TLS 1.3 (RFC 8446 B.4): the key exchange is no longer part of the suite.
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0x1304 => "TLS_AES_128_CCM_SHA256",
        0x1305 => "TLS_AES_128_CCM_8_SHA256",
        // TLS 1.2 and older: GCM and ChaCha20-Poly1305 (AEAD), then CBC with HMAC.
        0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0x009e => "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        0x009f => "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0xccaa => "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xc009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        0xc00a => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        0xc023 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        0xc024 => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        0x0033 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        0x0039 => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        0x0067 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        0x006b => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        // Triple DES, still in some clients' lists.
        0x000a => "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        0xc008 => "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
        0xc012 => "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        other if is_grease(other) => GREASE,
        other => return format!("0x{other:04x}"),
    };
    name.to_string()
}

/// True for a code point this program implements: our twelve suites, and the
/// `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` signal (RFC 5746 3.3), which the server reads.
pub fn implemented(id: u16) -> bool {
    CipherSuite::from_id(id).is_some() || id == EMPTY_RENEGOTIATION_INFO_SCSV
}

/// The hash of a suite's PRF and handshake transcript.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum HashAlg {
    /// SHA-256: the `_SHA256` suites.
    Sha256,
    /// SHA-384: the `_SHA384` suites.
    Sha384,
}

impl HashAlg {
    /// `SHA-256` or `SHA-384`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
        }
    }

    /// The digest length in bytes: 32 or 48.
    pub fn output_len(self) -> usize {
        match self {
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
        }
    }

    /// The digest of `data`.
    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha256 => Sha256::digest(data).to_vec(),
            HashAlg::Sha384 => Sha384::digest(data).to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_round_trip() {
        for suite in CipherSuite::ALL {
            assert_eq!(CipherSuite::from_id(suite.id()), Some(suite));
            assert_eq!(CipherSuite::from_name(suite.name()), Some(suite));
            assert_eq!(CipherSuite::from_name(suite.openssl_name()), Some(suite));
        }
        assert_eq!(CipherSuite::RsaAes256GcmSha384.key_block_len(), 72);
        // RFC 5246 6.3: two MAC keys and two AES keys, no IVs in TLS 1.2 CBC.
        assert_eq!(
            CipherSuite::RsaAes128CbcSha.key_block_len(),
            2 * 20 + 2 * 16
        );
        assert_eq!(
            CipherSuite::EcdheRsaAes256CbcSha384.key_block_len(),
            2 * 48 + 2 * 32
        );
        assert_eq!(
            CipherSuite::from_name("ECDHE-RSA-AES256-SHA384"),
            Some(CipherSuite::EcdheRsaAes256CbcSha384)
        );
        assert_eq!(CipherSuite::EcdheRsaAes256CbcSha384.hash(), HashAlg::Sha384);
        assert_eq!(CipherSuite::RsaAes256CbcSha.hash(), HashAlg::Sha256);
        // GCM first, then CBC; ALL is the two lists.
        assert_eq!(CipherSuite::ALL[..4], CipherSuite::GCM);
        assert_eq!(CipherSuite::ALL[4..], CipherSuite::CBC);
        assert!(CipherSuite::GCM.iter().all(|s| !s.is_cbc()));
        assert!(CipherSuite::CBC.iter().all(|s| s.is_cbc()));
    }

    #[test]
    fn our_suites_keep_their_names_and_others_get_theirs() {
        // Ours and the SCSV: exactly as in the golden transcripts and example pages.
        for (id, name) in [
            (0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"),
            (0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"),
            (0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            (0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            (0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
            (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
            (0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"),
        ] {
            assert_eq!(describe_suite_id(id), name);
            assert!(implemented(id));
        }
        for (id, name) in [
            (0x1301, "TLS_AES_128_GCM_SHA256"),
            (0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
            (0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            (0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
            (0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
            (0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"),
            (0x5600, "TLS_FALLBACK_SCSV"),
            (0x2a2a, "GREASE (RFC 8701)"),
            (0x0000, "0x0000"),
            (0xabcd, "0xabcd"),
        ] {
            assert_eq!(describe_suite_id(id), name);
            assert!(!implemented(id));
        }
    }
}
