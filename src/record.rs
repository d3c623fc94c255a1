//! The record layer (RFC 5246 6.2): framing, AES-GCM protection (RFC 5288), AES-CBC with HMAC
//! for the CBC suites (RFC 5246 6.2.3.2, RFC 7366: in [`cbc`]), and handshake message
//! reassembly.
//!
//! ```text
//! struct {
//!     ContentType type;              /* 20 change_cipher_spec, 21 alert,
//!                                       22 handshake, 23 application_data */
//!     ProtocolVersion version;
//!     uint16 length;
//!     opaque fragment[TLSPlaintext.length];
//! } TLSPlaintext;
//! ```
//!
//! Once ChangeCipherSpec has switched a direction on, every fragment is a GCM ciphertext
//! (RFC 5288 3, RFC 5246 6.2.3.3):
//!
//! ```text
//! struct {
//!    opaque nonce_explicit[8];        /* we send the sequence number, as most stacks do */
//!    aead-ciphered struct {
//!        opaque content[TLSCompressed.length];
//!    };                               /* ciphertext, then the 16-byte tag */
//! } GenericAEADCipher;
//!
//! nonce           = client_write_IV or server_write_IV (4 bytes, "salt") + nonce_explicit
//! additional_data = seq_num + TLSCompressed.type + TLSCompressed.version +
//!                   TLSCompressed.length
//! ```
//!
//! The sequence number is never sent; both sides count records in each direction, starting at 0
//! at ChangeCipherSpec. It sits in the AAD, so a deleted, replayed or reordered record fails its
//! tag check: `bad_record_mac`.
//!
//! The CBC suites' records are in [`cbc`]: an explicit IV, then the content, its HMAC and the
//! padding under AES-CBC (or, with encrypt-then-MAC, the HMAC after the ciphertext).
//!
//! One [`Direction`] is one half of the connection (Go's `halfConn`): our writes, or our reads.

pub mod cbc;

use std::io::{Read, Write};
use std::ops::Range;

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes128Gcm, Aes256Gcm, KeyInit};

use crate::error::{DecodeProblem, Error};
use crate::event::{CbcDetails, Event, GcmDetails, Trace};
use crate::messages::HandshakeMessage;
use crate::messages::alert::{Alert, AlertDescription, AlertLevel};
use crate::messages::change_cipher_spec::ChangeCipherSpec;
use crate::messages::client_hello::ClientHello;
use crate::messages::hello_request::HelloRequest;
use crate::messages::version_name;
use crate::phrase;
use crate::phrase::Phrase;
use crate::prf::SessionKeys;
use crate::rng::{RoleRng, Side};
use crate::suites::{
    AES_BLOCK_LEN, CipherSuite, EXPLICIT_NONCE_LEN, FIXED_IV_LEN, RecordCipher, TAG_LEN,
};
use cbc::{Cbc, CbcProtection};

/// ContentType `change_cipher_spec` (20, RFC 5246 6.2.1).
pub const CHANGE_CIPHER_SPEC: u8 = 20;
/// ContentType `alert` (21).
pub const ALERT: u8 = 21;
/// ContentType `handshake` (22).
pub const HANDSHAKE: u8 = 22;
/// ContentType `application_data` (23).
pub const APPLICATION_DATA: u8 = 23;

/// type(1) + version(2) + length(2).
pub const RECORD_HEADER_LEN: usize = 5;
/// "The length MUST NOT exceed 2^14" (RFC 5246 6.2.1).
pub const MAX_PLAINTEXT: usize = 1 << 14;
/// "The length MUST NOT exceed 2^14 + 2048" (RFC 5246 6.2.3).
pub const MAX_CIPHERTEXT: usize = MAX_PLAINTEXT + 2048;
/// The largest handshake message we accept: 100 KiB, OpenSSL's default limit for a certificate
/// list. The RFC allows 2^24-1 bytes; real messages are a few kilobytes (a certificate chain is
/// the largest), so a peer cannot make us buffer 16 MB. A header claiming more is refused with
/// decode_error before any of the message is buffered.
pub const MAX_HANDSHAKE_MESSAGE: usize = 100 * 1024;
/// Warning alerts in a row we tolerate during a handshake before giving up.
const MAX_WARNINGS_IN_A_ROW: u32 = 4;

/// The two AES-GCM variants.
enum Aead {
    Aes128(Box<Aes128Gcm>),
    Aes256(Box<Aes256Gcm>),
}

impl Aead {
    fn new(key: &[u8]) -> Result<Self, Error> {
        match key.len() {
            16 => Aes128Gcm::new_from_slice(key)
                .map(|c| Aead::Aes128(Box::new(c)))
                .map_err(|_| Error::Internal(phrase!("bad AES-128 key"))),
            32 => Aes256Gcm::new_from_slice(key)
                .map(|c| Aead::Aes256(Box::new(c)))
                .map_err(|_| Error::Internal(phrase!("bad AES-256 key"))),
            n => Err(Error::Internal(phrase!("no AES-GCM with a {}-byte key", n))),
        }
    }

    /// Encrypts `buf` in place, returns the tag.
    fn seal(&self, nonce: &[u8; 12], aad: &[u8], buf: &mut [u8]) -> Result<[u8; 16], Error> {
        let nonce = (*nonce).into();
        let tag = match self {
            Aead::Aes128(c) => c.encrypt_inout_detached(&nonce, aad, buf.into()),
            Aead::Aes256(c) => c.encrypt_inout_detached(&nonce, aad, buf.into()),
        };
        tag.map(Into::into)
            .map_err(|_| Error::Internal(phrase!("AES-GCM refused to seal")))
    }

    /// Decrypts `buf` in place if the tag checks.
    fn open(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; 16],
    ) -> Result<(), Error> {
        let nonce = (*nonce).into();
        let tag = (*tag).into();
        let result = match self {
            Aead::Aes128(c) => c.decrypt_inout_detached(&nonce, aad, buf.into(), &tag),
            Aead::Aes256(c) => c.decrypt_inout_detached(&nonce, aad, buf.into(), &tag),
        };
        result.map_err(|_| Error::BadRecordMac)
    }
}

/// AES-GCM with a given key: seal. For tests against external vectors, and the benchmarks.
pub fn gcm_seal(
    key: &[u8],
    nonce: &[u8; 12],
    aad: &[u8],
    buf: &mut [u8],
) -> Result<[u8; 16], Error> {
    Aead::new(key)?.seal(nonce, aad, buf)
}

/// AES-GCM with a given key: open; a bad tag is `Error::BadRecordMac`.
pub fn gcm_open(
    key: &[u8],
    nonce: &[u8; 12],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; 16],
) -> Result<(), Error> {
    Aead::new(key)?.open(nonce, aad, buf, tag)
}

/// How a direction protects its records, once ChangeCipherSpec has switched it on.
enum Cipher {
    /// AES-GCM (RFC 5288).
    Gcm(Aead),
    /// AES-CBC with HMAC (RFC 5246 6.2.3.2, RFC 7366).
    Cbc(Box<Cbc>),
}

/// One direction of the connection: its keys (once ChangeCipherSpec switched them on) and its
/// sequence number.
pub struct Direction {
    cipher: Option<Cipher>,
    /// The implicit part of the GCM nonce, from the key block.
    fixed_iv: [u8; FIXED_IV_LEN],
    /// Records protected so far in this direction (the benchmarks start it again).
    pub(crate) seq: u64,
}

impl Direction {
    /// The state before any ChangeCipherSpec: no protection.
    pub fn plaintext() -> Self {
        Direction {
            cipher: None,
            fixed_iv: [0; FIXED_IV_LEN],
            seq: 0,
        }
    }

    /// A direction protected with AES-GCM under `key` (16 or 32 bytes) and `fixed_iv`.
    pub fn protected(key: &[u8], fixed_iv: [u8; FIXED_IV_LEN]) -> Result<Self, Error> {
        Ok(Direction {
            cipher: Some(Cipher::Gcm(Aead::new(key)?)),
            fixed_iv,
            seq: 0,
        })
    }

    /// A direction protected with AES-CBC under `key` and HMAC under `mac_key` (RFC 5246
    /// 6.2.3.2), encrypt-then-MAC if agreed (RFC 7366). `ivs` draws the explicit IV of each
    /// record it seals; `None` for a direction that only opens.
    pub fn cbc(
        key: &[u8],
        mac: crate::suites::MacAlg,
        mac_key: &[u8],
        encrypt_then_mac: bool,
        ivs: Option<RoleRng>,
    ) -> Result<Self, Error> {
        Ok(Direction {
            cipher: Some(Cipher::Cbc(Box::new(Cbc::new(
                key,
                mac,
                mac_key,
                encrypt_then_mac,
                ivs,
            )?))),
            fixed_iv: [0; FIXED_IV_LEN],
            seq: 0,
        })
    }

    /// The direction `sender` writes in, protected as `suite` says with `sender`'s half of
    /// `keys`. For CBC, `encrypt_then_mac` is what the hellos agreed, and `ivs` draws the IVs
    /// of the records sealed in it (`None` for a direction that only opens).
    pub fn for_suite(
        suite: CipherSuite,
        keys: &SessionKeys,
        sender: Side,
        encrypt_then_mac: bool,
        ivs: Option<RoleRng>,
    ) -> Result<Self, Error> {
        let (mac_key, key, iv) = keys.write_keys(sender);
        match suite.cipher() {
            RecordCipher::AesGcm => {
                let fixed_iv = iv.try_into().map_err(|_| {
                    Error::Internal(phrase!("a GCM write IV of {} bytes", iv.len()))
                })?;
                Direction::protected(key, fixed_iv)
            }
            RecordCipher::AesCbc(mac) => Direction::cbc(key, mac, mac_key, encrypt_then_mac, ivs),
        }
    }

    /// True once ChangeCipherSpec has switched this direction to its keys.
    pub fn is_protected(&self) -> bool {
        self.cipher.is_some()
    }

    /// True when this direction protects with AES-GCM.
    pub fn is_gcm(&self) -> bool {
        matches!(self.cipher, Some(Cipher::Gcm(_)))
    }

    /// The bytes in front of the content in a protected record: GCM's explicit nonce (8), CBC's
    /// IV (16), or none.
    pub fn explicit_len(&self) -> usize {
        match self.cipher {
            None => 0,
            Some(Cipher::Gcm(_)) => EXPLICIT_NONCE_LEN,
            Some(Cipher::Cbc(_)) => AES_BLOCK_LEN,
        }
    }

    /// nonce = fixed_iv + explicit, and additional_data for this record (RFC 5288 3).
    fn nonce_and_aad(
        &self,
        explicit: &[u8; 8],
        content_type: u8,
        version: u16,
        len: usize,
    ) -> ([u8; 12], [u8; 13]) {
        let mut nonce = [0u8; 12];
        nonce[..FIXED_IV_LEN].copy_from_slice(&self.fixed_iv);
        nonce[FIXED_IV_LEN..].copy_from_slice(explicit);
        let mut aad = [0u8; 13];
        aad[..8].copy_from_slice(&self.seq.to_be_bytes());
        aad[8] = content_type;
        aad[9..11].copy_from_slice(&version.to_be_bytes());
        aad[11..13].copy_from_slice(&(len as u16).to_be_bytes());
        (nonce, aad)
    }

    fn next_seq(&mut self) -> Result<(), Error> {
        // RFC 5246 6.1: "Sequence numbers ... may not exceed 2^64-1"; renegotiation would be
        // required, and we do not renegotiate.
        self.seq = self
            .seq
            .checked_add(1)
            .ok_or_else(|| Error::Internal(phrase!("sequence number exhausted")))?;
        Ok(())
    }

    /// Appends one record to `out`: header, then the plaintext or its protection. The one
    /// copy is of `plaintext` into `out`; protection then happens in place. Returns what the
    /// protection involved (fixed-size, for the trace) when the record was protected.
    pub fn seal(
        &mut self,
        content_type: u8,
        version: u16,
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Option<Protection>, Error> {
        let start = out.len();
        out.resize(start + RECORD_HEADER_LEN + self.explicit_len(), 0);
        out.extend_from_slice(plaintext);
        self.seal_in_place(content_type, version, out, start)
    }

    /// Seals the record that starts at `record[start]`, whose plaintext is already in place
    /// after room for the header and for [`Direction::explicit_len`] bytes: fills in the
    /// header and the nonce or IV, encrypts in place, appends the tag (or MAC and padding). No
    /// copy, no allocation once `record` has the capacity.
    pub fn seal_in_place(
        &mut self,
        content_type: u8,
        version: u16,
        record: &mut Vec<u8>,
        start: usize,
    ) -> Result<Option<Protection>, Error> {
        let body = start + RECORD_HEADER_LEN + self.explicit_len();
        let plaintext_len = record
            .len()
            .checked_sub(body)
            .ok_or_else(|| Error::Internal(phrase!("record buffer too short")))?;
        if plaintext_len > MAX_PLAINTEXT {
            return Err(Error::Internal(phrase!("record plaintext over 2^14 bytes")));
        }
        let protection = match self.cipher {
            None => None,
            Some(Cipher::Gcm(_)) => Some(Protection::Gcm(self.seal_gcm(
                content_type,
                version,
                record,
                body,
            )?)),
            Some(Cipher::Cbc(ref mut cbc)) => Some(Protection::Cbc(cbc.seal(
                self.seq,
                content_type,
                version,
                record,
                body,
            )?)),
        };
        if protection.is_some() {
            self.next_seq()?;
        }
        let len = (record.len() - start - RECORD_HEADER_LEN) as u16;
        record[start] = content_type;
        record[start + 1..start + 3].copy_from_slice(&version.to_be_bytes());
        record[start + 3..start + 5].copy_from_slice(&len.to_be_bytes());
        Ok(protection)
    }

    /// AES-GCM (RFC 5288 3): the explicit nonce, then the content encrypted in place, then the
    /// tag.
    fn seal_gcm(
        &self,
        content_type: u8,
        version: u16,
        record: &mut Vec<u8>,
        body: usize,
    ) -> Result<GcmProtection, Error> {
        let Some(Cipher::Gcm(aead)) = &self.cipher else {
            return Err(Error::Internal(phrase!("not a GCM direction")));
        };
        // The explicit nonce must never repeat under one key (GCM's one rule); the sequence
        // number never does.
        let explicit_nonce = self.seq.to_be_bytes();
        let plaintext_len = record.len() - body;
        let (nonce, aad) =
            self.nonce_and_aad(&explicit_nonce, content_type, version, plaintext_len);
        record[body - EXPLICIT_NONCE_LEN..body].copy_from_slice(&explicit_nonce);
        let tag = aead.seal(&nonce, &aad, &mut record[body..])?;
        record.extend_from_slice(&tag);
        Ok(GcmProtection {
            seq: self.seq,
            explicit_nonce,
            nonce,
            aad,
            tag,
        })
    }

    /// Opens one record's fragment in place. Returns where the plaintext lies in `fragment`,
    /// and what the protection involved when the record was protected.
    pub fn open_in_place(
        &mut self,
        content_type: u8,
        version: u16,
        fragment: &mut [u8],
    ) -> Result<(Range<usize>, Option<Protection>), Error> {
        let (plaintext, protection) = match &self.cipher {
            None => return Ok((0..fragment.len(), None)),
            Some(Cipher::Gcm(_)) => {
                let (plaintext, p) = self.open_gcm(content_type, version, fragment)?;
                (plaintext, Protection::Gcm(p))
            }
            Some(Cipher::Cbc(cbc)) => {
                let (plaintext, p) = cbc.open(self.seq, content_type, version, fragment)?;
                (plaintext, Protection::Cbc(p))
            }
        };
        if plaintext.len() > MAX_PLAINTEXT {
            return Err(Error::RecordOverflow(phrase!(
                "protected record holds {} bytes of plaintext, more than 2^14",
                plaintext.len()
            )));
        }
        self.next_seq()?;
        Ok((plaintext, Some(protection)))
    }

    /// AES-GCM (RFC 5288 3): the tag is checked before anything is decrypted.
    fn open_gcm(
        &self,
        content_type: u8,
        version: u16,
        fragment: &mut [u8],
    ) -> Result<(Range<usize>, GcmProtection), Error> {
        let Some(Cipher::Gcm(aead)) = &self.cipher else {
            return Err(Error::Internal(phrase!("not a GCM direction")));
        };
        if fragment.len() < EXPLICIT_NONCE_LEN + TAG_LEN {
            // Too short to hold a nonce and a tag: it cannot authenticate.
            return Err(Error::BadRecordMac);
        }
        let mut explicit_nonce = [0u8; 8];
        explicit_nonce.copy_from_slice(&fragment[..EXPLICIT_NONCE_LEN]);
        let mut tag = [0u8; 16];
        tag.copy_from_slice(&fragment[fragment.len() - TAG_LEN..]);
        let plaintext = EXPLICIT_NONCE_LEN..fragment.len() - TAG_LEN;
        let (nonce, aad) =
            self.nonce_and_aad(&explicit_nonce, content_type, version, plaintext.len());
        aead.open(&nonce, &aad, &mut fragment[plaintext.clone()], &tag)?;
        let protection = GcmProtection {
            seq: self.seq,
            explicit_nonce,
            nonce,
            aad,
            tag,
        };
        Ok((plaintext, protection))
    }

    /// Opens one record's fragment; returns the plaintext.
    pub fn open(
        &mut self,
        content_type: u8,
        version: u16,
        mut fragment: Vec<u8>,
    ) -> Result<Vec<u8>, Error> {
        let (plaintext, _) = self.open_in_place(content_type, version, &mut fragment)?;
        fragment.truncate(plaintext.end);
        fragment.drain(..plaintext.start);
        Ok(fragment)
    }
}

/// What protecting one record involved: all fixed-size, so sealing and opening allocate nothing;
/// the trace turns it into [`GcmDetails`] or [`CbcDetails`] when tracing is on.
#[derive(Clone, Copy, Debug)]
pub enum Protection {
    /// AES-GCM.
    Gcm(GcmProtection),
    /// AES-CBC with HMAC.
    Cbc(CbcProtection),
}

impl Protection {
    /// The trace's view of it, for a record whose content is `plaintext`.
    pub(crate) fn details(
        &self,
        plaintext: &[u8],
    ) -> (Option<GcmDetails>, Option<Box<CbcDetails>>) {
        match self {
            Protection::Gcm(p) => (Some(p.details(plaintext)), None),
            Protection::Cbc(p) => (None, Some(Box::new(cbc_details(p, plaintext)))),
        }
    }
}

/// What GCM protection of one record involved (RFC 5288 3).
#[derive(Clone, Copy, Debug)]
pub struct GcmProtection {
    /// The record's sequence number: never sent, but part of the AAD.
    pub seq: u64,
    /// nonce_explicit, sent in front of the ciphertext: our sequence number, big-endian.
    pub explicit_nonce: [u8; 8],
    /// The 12-byte GCM nonce: the 4-byte fixed IV, then the 8-byte explicit nonce.
    pub nonce: [u8; 12],
    /// additional_data: seq_num (8) + type (1) + version (2) + length (2).
    pub aad: [u8; 13],
    /// The 16-byte GCM tag, sent after the ciphertext.
    pub tag: [u8; 16],
}

impl GcmProtection {
    fn details(&self, plaintext: &[u8]) -> GcmDetails {
        GcmDetails {
            seq: self.seq,
            explicit_nonce: self.explicit_nonce.to_vec(),
            nonce: self.nonce.to_vec(),
            aad: self.aad.to_vec(),
            tag: self.tag.to_vec(),
            plaintext: plaintext.to_vec(),
        }
    }
}

fn cbc_details(p: &CbcProtection, plaintext: &[u8]) -> CbcDetails {
    let padding_length = p.padding_length;
    CbcDetails {
        seq: p.seq,
        encrypt_then_mac: p.encrypt_then_mac,
        mac_algorithm: p.mac_alg.name(),
        iv: p.iv.to_vec(),
        mac_header: p.mac_header.to_vec(),
        mac: p.mac[..p.mac_alg.output_len()].to_vec(),
        padding: vec![padding_length; usize::from(padding_length) + 1],
        plaintext: plaintext.to_vec(),
    }
}

/// What reading an alert record led to.
enum AlertOutcome {
    /// A warning we may ignore.
    Ignore,
    /// close_notify: the peer will send nothing more.
    Closed,
}

/// Both directions, the keys waiting for ChangeCipherSpec, and the buffers.
pub struct RecordLayer {
    /// Which side this is; decides which half of the key block is ours to write with.
    side: Side,
    /// The direction we read: the peer's records.
    read: Direction,
    /// The direction we write: our records.
    write: Direction,
    /// Keys derived but not yet in force: each direction switches at its ChangeCipherSpec.
    pending_read: Option<Direction>,
    pending_write: Option<Direction>,
    /// The version we write in record headers.
    pub(crate) write_version: u16,
    /// Once versions are negotiated, the version every received record must carry.
    pub(crate) expect_version: Option<u16>,
    /// Received handshake bytes not yet taken as whole messages.
    handshake_in: Vec<u8>,
    /// Handshake messages queued to be packed into records at the next flush.
    handshake_out: Vec<u8>,
    /// Records built for the current flight, written to the wire at flush.
    out: Vec<u8>,
    /// The record being read; reused, so reading allocates nothing per record.
    in_buf: Vec<u8>,
    warnings_in_a_row: u32,
    renegotiations_refused: u32,
}

impl RecordLayer {
    /// A record layer for `side`, both directions unprotected, writing `write_version` in the
    /// record headers.
    pub fn new(side: Side, write_version: u16) -> Self {
        RecordLayer {
            side,
            read: Direction::plaintext(),
            write: Direction::plaintext(),
            pending_read: None,
            pending_write: None,
            write_version,
            expect_version: None,
            handshake_in: Vec::new(),
            handshake_out: Vec::new(),
            out: Vec::new(),
            in_buf: Vec::new(),
            warnings_in_a_row: 0,
            renegotiations_refused: 0,
        }
    }

    /// How many requests to renegotiate (HelloRequest, or a new ClientHello) were refused with
    /// the warning no_renegotiation.
    pub fn renegotiations_refused(&self) -> u32 {
        self.renegotiations_refused
    }

    /// From now on every received record must carry `version` (once the hellos agreed on it).
    pub fn expect_records_of(&mut self, version: u16) {
        self.expect_version = Some(version);
    }

    /// Reads with `direction`'s keys from now on, as a ChangeCipherSpec would switch them: for
    /// tests and fuzz targets that start in the middle of a connection.
    #[doc(hidden)]
    pub fn read_with(&mut self, direction: Direction) {
        self.read = direction;
    }

    /// Installs freshly derived keys; they take effect at each direction's ChangeCipherSpec
    /// (RFC 5246 7.1). The client writes with client_write_*, the server with server_write_*.
    /// For a CBC suite, `encrypt_then_mac` is what the hellos agreed (RFC 7366), and `ivs`
    /// draws the explicit IVs of the records we write.
    pub fn set_pending_keys(
        &mut self,
        suite: CipherSuite,
        keys: &SessionKeys,
        encrypt_then_mac: bool,
        ivs: Option<RoleRng>,
    ) -> Result<(), Error> {
        let peer = self.side.peer();
        let write = Direction::for_suite(suite, keys, self.side, encrypt_then_mac, ivs)?;
        let read = Direction::for_suite(suite, keys, peer, encrypt_then_mac, None)?;
        self.pending_write = Some(write);
        self.pending_read = Some(read);
        Ok(())
    }

    // ---- writing ----

    /// Queues a handshake message; it goes out with the flight at [`RecordLayer::flush`],
    /// packed with its neighbours into as few records as fit in 2^14 bytes.
    pub fn queue_handshake(&mut self, message: &[u8]) {
        self.handshake_out.extend_from_slice(message);
    }

    /// Cuts the queued handshake bytes into records.
    fn seal_queued_handshake(&mut self, trace: &mut Trace) -> Result<(), Error> {
        let queued = std::mem::take(&mut self.handshake_out);
        for chunk in queued.chunks(MAX_PLAINTEXT) {
            self.seal_record(HANDSHAKE, chunk, trace)?;
        }
        Ok(())
    }

    fn seal_record(
        &mut self,
        content_type: u8,
        plaintext: &[u8],
        trace: &mut Trace,
    ) -> Result<(), Error> {
        let start = self.out.len();
        let protection =
            self.write
                .seal(content_type, self.write_version, plaintext, &mut self.out)?;
        trace.push(|| {
            let (gcm, cbc) = protection.map_or((None, None), |p| p.details(plaintext));
            Event::Record {
                side: self.side,
                from: self.side,
                content_type,
                version: self.write_version,
                wire: self.out[start..].to_vec(),
                gcm,
                cbc,
            }
        });
        Ok(())
    }

    /// ChangeCipherSpec (RFC 5246 7.1): the records before it go out under the old state, the
    /// record after it under the new keys, with the sequence number back at 0.
    pub fn send_change_cipher_spec(&mut self, trace: &mut Trace) -> Result<(), Error> {
        self.seal_queued_handshake(trace)?;
        let ccs = ChangeCipherSpec.encode()?;
        trace.push(|| Event::Message {
            side: self.side,
            from: self.side,
            name: "ChangeCipherSpec".into(),
            rfc: "RFC 5246 7.1",
            bytes: ccs.bytes.clone(),
            fields: ccs.fields,
        });
        self.seal_record(CHANGE_CIPHER_SPEC, &ccs.bytes, trace)?;
        self.write = self
            .pending_write
            .take()
            .ok_or_else(|| Error::Internal(phrase!("ChangeCipherSpec before keys were derived")))?;
        Ok(())
    }

    /// Writes the flight: everything queued, as records, in one write to the wire.
    pub fn flush<W: Write>(&mut self, wire: &mut W, trace: &mut Trace) -> Result<(), Error> {
        self.seal_queued_handshake(trace)?;
        wire.write_all(&self.out)?;
        wire.flush()?;
        self.out.clear();
        Ok(())
    }

    /// Sends application data, in records of at most 2^14 bytes.
    pub fn send_application_data<W: Write>(
        &mut self,
        wire: &mut W,
        data: &[u8],
        trace: &mut Trace,
    ) -> Result<(), Error> {
        if !self.write.is_protected() {
            return Err(Error::Internal(phrase!(
                "application data before the handshake finished"
            )));
        }
        for chunk in data.chunks(MAX_PLAINTEXT) {
            self.seal_record(APPLICATION_DATA, chunk, trace)?;
            // A GCM record ends with its tag; a CBC record has none to show.
            let gcm = self.write.is_gcm();
            trace.push(|| Event::AppData {
                side: self.side,
                from: self.side,
                data: chunk.to_vec(),
                record_tag: gcm.then(|| self.out[self.out.len() - TAG_LEN..].to_vec()),
            });
        }
        self.flush(wire, trace)
    }

    /// Sends an alert now, dropping anything not yet flushed (a failed flight is not sent).
    pub fn send_alert<W: Write>(
        &mut self,
        wire: &mut W,
        alert: Alert,
        trace: &mut Trace,
    ) -> Result<(), Error> {
        self.handshake_out.clear();
        self.out.clear();
        trace.push(|| Event::Alert {
            side: self.side,
            from: self.side,
            level: alert.level,
            description: alert.description,
        });
        let bytes = alert.encode()?;
        self.seal_record(ALERT, &bytes.bytes, trace)?;
        self.flush(wire, trace)
    }

    // ---- reading ----

    /// Reads one record into the reusable input buffer and removes its protection in place.
    /// Returns the content type and where the plaintext lies in `self.in_buf`.
    fn read_record<R: Read>(
        &mut self,
        wire: &mut R,
        trace: &mut Trace,
    ) -> Result<(u8, Range<usize>), Error> {
        let mut header = [0u8; RECORD_HEADER_LEN];
        match read_whole(wire, &mut header)? {
            None => {}
            // Nothing of a new record: the peer closed between records.
            Some(0) => return Err(Error::UnexpectedEof),
            Some(got) => return Err(truncated(got, RECORD_HEADER_LEN)),
        }
        let content_type = header[0];
        let version = u16::from_be_bytes([header[1], header[2]]);
        let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
        if !matches!(content_type, CHANGE_CIPHER_SPEC..=APPLICATION_DATA) {
            return Err(Error::UnexpectedMessage(phrase!(
                "record of unknown content type {} (is this TLS at all?)",
                content_type
            )));
        }
        match self.expect_version {
            Some(expected) if version != expected => {
                return Err(Error::ProtocolVersion(phrase!(
                    "record version {} after {} was agreed",
                    version_name(version),
                    version_name(expected)
                )));
            }
            // Before the hellos agree a version, any 3.x is allowed in the record header
            // (RFC 5246 Appendix E.1): clients often send 0x0301 for compatibility.
            None if header[1] != 3 => {
                return Err(Error::ProtocolVersion(phrase!(
                    "record version {}",
                    version_name(version)
                )));
            }
            _ => {}
        }
        // Check the length before reading, so a peer cannot make us allocate or wait for more.
        let max = if self.read.is_protected() {
            MAX_CIPHERTEXT
        } else {
            MAX_PLAINTEXT
        };
        if len > max {
            return Err(Error::RecordOverflow(phrase!(
                "record of {} bytes, the limit is {}",
                len,
                max
            )));
        }
        // The buffer keeps its capacity from record to record: no allocation per record.
        self.in_buf.clear();
        self.in_buf.resize(len, 0);
        if let Some(got) = read_whole(wire, &mut self.in_buf)? {
            return Err(truncated(RECORD_HEADER_LEN + got, RECORD_HEADER_LEN + len));
        }
        let wire_bytes = if trace.enabled() {
            let mut all = header.to_vec();
            all.extend_from_slice(&self.in_buf);
            all
        } else {
            Vec::new()
        };
        let (plaintext, protection) =
            self.read
                .open_in_place(content_type, version, &mut self.in_buf)?;
        let (side, content) = (self.side, &self.in_buf[plaintext.clone()]);
        let header = (content_type, version);
        trace.push(|| received(side, header, wire_bytes, content, protection));
        Ok((content_type, plaintext))
    }

    /// Handles a received alert record.
    fn receive_alert(&mut self, data: &[u8], trace: &mut Trace) -> Result<AlertOutcome, Error> {
        let alert = Alert::decode(data)?;
        trace.push(|| Event::Alert {
            side: self.side,
            from: self.side.peer(),
            level: alert.level,
            description: alert.description,
        });
        if alert.description == AlertDescription::CloseNotify {
            return Ok(AlertOutcome::Closed);
        }
        if alert.level == AlertLevel::Warning {
            self.warnings_in_a_row += 1;
            if self.warnings_in_a_row <= MAX_WARNINGS_IN_A_ROW {
                return Ok(AlertOutcome::Ignore);
            }
        }
        Err(Error::PeerAlert(alert))
    }

    /// Reads records until one that is not an alert we may pass over; its plaintext is in
    /// `self.in_buf` at the returned range. `None`: the peer sent close_notify. A fatal alert
    /// is `Error::PeerAlert`.
    fn read_content<R: Read>(
        &mut self,
        wire: &mut R,
        trace: &mut Trace,
    ) -> Result<Option<(u8, Range<usize>)>, Error> {
        loop {
            let (content_type, plaintext) = self.read_record(wire, trace)?;
            if content_type != ALERT {
                return Ok(Some((content_type, plaintext)));
            }
            let alert = self.in_buf[plaintext].to_vec();
            match self.receive_alert(&alert, trace)? {
                AlertOutcome::Ignore => {}
                AlertOutcome::Closed => return Ok(None),
            }
        }
    }

    /// Reads the next whole handshake message (header and body), reassembling it from as many
    /// records as it spans; several messages may share one record. A HelloRequest reaching the
    /// client mid-handshake is ignored (RFC 5246 7.4.1.1).
    pub fn read_handshake_message<R: Read>(
        &mut self,
        wire: &mut R,
        trace: &mut Trace,
    ) -> Result<Vec<u8>, Error> {
        loop {
            if let Some(message) = take_handshake_message(&mut self.handshake_in)? {
                if self.side == Side::Client && message.first() == Some(&HELLO_REQUEST) {
                    traced::<HelloRequest>(self.side, &message, trace)?;
                    trace.note(self.side, || {
                        phrase!(
                            "HelloRequest in the middle of a handshake: ignored, as RFC 5246 \
                             7.4.1.1 says"
                        )
                    });
                    // Ignored, but counted like warnings: a server cannot keep us reading
                    // (and tracing) HelloRequests for ever.
                    self.warnings_in_a_row += 1;
                    if self.warnings_in_a_row > MAX_WARNINGS_IN_A_ROW {
                        return Err(Error::UnexpectedMessage(phrase!(
                            "the server keeps sending HelloRequest in the middle of the handshake"
                        )));
                    }
                    continue;
                }
                self.warnings_in_a_row = 0;
                return Ok(message);
            }
            match self.read_content(wire, trace)? {
                None => return Err(Error::PeerAlert(Alert::close_notify())),
                Some((HANDSHAKE, data)) => {
                    if data.is_empty() {
                        // RFC 5246 6.2.1: "Implementations MUST NOT send zero-length fragments
                        // of Handshake, Alert, or ChangeCipherSpec content types."
                        return Err(Error::UnexpectedMessage(phrase!("empty handshake record")));
                    }
                    self.handshake_in.extend_from_slice(&self.in_buf[data]);
                }
                Some((other, _)) => return Err(unexpected(other, phrase!("a handshake message"))),
            }
        }
    }

    /// Reads the peer's ChangeCipherSpec and switches our reading to the new keys.
    pub fn read_change_cipher_spec<R: Read>(
        &mut self,
        wire: &mut R,
        trace: &mut Trace,
    ) -> Result<(), Error> {
        if !self.handshake_in.is_empty() {
            // The keys may only change between messages: bytes of a message begun under the
            // old state must not be finished under the new one.
            return Err(Error::UnexpectedMessage(phrase!(
                "ChangeCipherSpec expected, but a handshake message is still arriving"
            )));
        }
        match self.read_content(wire, trace)? {
            None => Err(Error::PeerAlert(Alert::close_notify())),
            Some((CHANGE_CIPHER_SPEC, data)) => {
                ChangeCipherSpec::decode(&self.in_buf[data])?;
                self.read = self.pending_read.take().ok_or_else(|| {
                    Error::UnexpectedMessage(phrase!("ChangeCipherSpec before the key exchange"))
                })?;
                Ok(())
            }
            Some((other, _)) => Err(unexpected(other, phrase!("ChangeCipherSpec"))),
        }
    }

    /// Reads application data; `None` once the peer has sent close_notify.
    pub fn read_application_data<W: Read + Write>(
        &mut self,
        wire: &mut W,
        trace: &mut Trace,
    ) -> Result<Option<Vec<u8>>, Error> {
        let mut data = Vec::new();
        Ok(self
            .read_application_data_into(wire, trace, &mut data)?
            .then_some(data))
    }

    /// Reads one record of application data and appends it to `out`; `false` once the peer
    /// has sent close_notify. With a reused `out`, nothing is allocated per record.
    ///
    /// A handshake message now is a request to renegotiate (HelloRequest from a server, a new
    /// ClientHello from a client). This program never renegotiates: it answers with a warning
    /// `no_renegotiation` and carries on (RFC 5246 7.2.2 and 7.4.1.1; RFC 5746 makes a
    /// renegotiation safe, not required).
    pub fn read_application_data_into<W: Read + Write>(
        &mut self,
        wire: &mut W,
        trace: &mut Trace,
        out: &mut Vec<u8>,
    ) -> Result<bool, Error> {
        loop {
            match self.read_content(wire, trace)? {
                None => return Ok(false),
                Some((APPLICATION_DATA, data)) => {
                    self.warnings_in_a_row = 0;
                    trace.push(|| Event::AppData {
                        side: self.side,
                        from: self.side.peer(),
                        data: self.in_buf[data.clone()].to_vec(),
                        record_tag: None,
                    });
                    out.extend_from_slice(&self.in_buf[data]);
                    return Ok(true);
                }
                Some((HANDSHAKE, data)) => {
                    self.handshake_in.extend_from_slice(&self.in_buf[data]);
                    while let Some(message) = take_handshake_message(&mut self.handshake_in)? {
                        self.renegotiation_request(&message, trace)?;
                        self.renegotiations_refused += 1;
                        if self.renegotiations_refused > MAX_WARNINGS_IN_A_ROW {
                            return Err(Error::UnexpectedMessage(phrase!(
                                "the peer keeps asking to renegotiate"
                            )));
                        }
                        let refusal = Alert {
                            level: AlertLevel::Warning,
                            description: AlertDescription::NoRenegotiation,
                        };
                        self.send_alert(wire, refusal, trace)?;
                    }
                }
                Some((other, _)) => return Err(unexpected(other, phrase!("application data"))),
            }
        }
    }
}

/// The trace's event for a record `side` received: its wire bytes, its content, and how it was
/// protected.
fn received(
    side: Side,
    (content_type, version): (u8, u16),
    wire: Vec<u8>,
    content: &[u8],
    protection: Option<Protection>,
) -> Event {
    let (gcm, cbc) = protection.map_or((None, None), |p| p.details(content));
    Event::Record {
        side,
        from: side.peer(),
        content_type,
        version,
        wire,
        gcm,
        cbc,
    }
}

/// Fills `buf` from the wire; `Some(n)` if the peer closed the connection after `n` bytes.
fn read_whole<R: Read>(wire: &mut R, buf: &mut [u8]) -> Result<Option<usize>, Error> {
    let mut filled = 0;
    while filled < buf.len() {
        match wire.read(&mut buf[filled..]) {
            Ok(0) => return Ok(Some(filled)),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(None)
}

/// The peer closed the connection `got` bytes into a record of `whole` bytes.
fn truncated(got: usize, whole: usize) -> Error {
    Error::Truncated(phrase!(
        "the peer closed the connection in the middle of a record: {} of its {} bytes arrived",
        got,
        whole
    ))
}

impl RecordLayer {
    /// A handshake message after the handshake: a request to renegotiate if it is a
    /// HelloRequest from a server or a ClientHello from a client (decoded and traced, with a
    /// note that it is refused); any other message is `unexpected_message`.
    fn renegotiation_request(&self, message: &[u8], trace: &mut Trace) -> Result<(), Error> {
        match (self.side, message.first().copied()) {
            (Side::Client, Some(HELLO_REQUEST)) => {
                traced::<HelloRequest>(self.side, message, trace)?;
                trace.note(self.side, || {
                    phrase!(
                        "HelloRequest: the server asks for a new handshake (renegotiation). \
                         This program never renegotiates: it answers with the warning \
                         no_renegotiation and the connection carries on (RFC 5246 7.2.2)"
                    )
                });
            }
            (Side::Server, Some(CLIENT_HELLO)) => {
                traced::<ClientHello>(self.side, message, trace)?;
                trace.note(self.side, || {
                    phrase!(
                        "a second ClientHello: the client asks for a new handshake \
                         (renegotiation). This program never renegotiates: it answers with the \
                         warning no_renegotiation and the connection carries on (RFC 5246 7.2.2)"
                    )
                });
            }
            (_, code) => {
                return Err(Error::UnexpectedMessage(phrase!(
                    "{} after the handshake",
                    crate::messages::handshake_type_name(code.unwrap_or(255))
                )));
            }
        }
        Ok(())
    }
}

/// Decodes a handshake message read outside the handshake's own steps (a request to
/// renegotiate) and traces it as `Conn::expect` traces the others.
fn traced<M: HandshakeMessage>(side: Side, message: &[u8], trace: &mut Trace) -> Result<M, Error> {
    let (decoded, fields) = M::decode(message)?;
    trace.push(|| Event::Message {
        side,
        from: side.peer(),
        name: M::TYPE.name().to_string(),
        rfc: M::TYPE.rfc(),
        bytes: message.to_vec(),
        fields,
    });
    Ok(decoded)
}

/// The `msg_type` of HelloRequest (RFC 5246 7.4.1.1).
const HELLO_REQUEST: u8 = 0;
/// The `msg_type` of ClientHello (RFC 5246 7.4.1.2).
const CLIENT_HELLO: u8 = 1;

fn unexpected(content_type: u8, wanted: Phrase) -> Error {
    let got = match content_type {
        CHANGE_CIPHER_SPEC => phrase!("ChangeCipherSpec"),
        HANDSHAKE => phrase!("a handshake message"),
        APPLICATION_DATA => phrase!("application data"),
        _ => phrase!("an unknown record"),
    };
    Error::UnexpectedMessage(phrase!("{} where {} was expected", got, wanted))
}

/// Where each record of `bytes` (records as on the wire: a 5-byte header whose last two bytes
/// are the fragment's length, then the fragment; RFC 5246 6.2.1) starts and ends. A record cut
/// short by the end of `bytes` runs to the end. For showing and changing recorded bytes; the
/// record layer itself reads records one at a time in `read_record`.
pub fn record_spans(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let end = match bytes.get(at + 3..at + 5) {
            Some(&[hi, lo]) => {
                (at + 5 + usize::from(u16::from_be_bytes([hi, lo]))).min(bytes.len())
            }
            _ => bytes.len(),
        };
        spans.push(at..end);
        at = end;
    }
    spans
}

/// Takes one whole handshake message (4-byte header and body) off the front of `buf`, if one
/// is there. A message longer than [`MAX_HANDSHAKE_MESSAGE`] is refused before it is buffered.
pub fn take_handshake_message(buf: &mut Vec<u8>) -> Result<Option<Vec<u8>>, Error> {
    if buf.len() < 4 {
        return Ok(None);
    }
    let len = usize::from(buf[1]) << 16 | usize::from(buf[2]) << 8 | usize::from(buf[3]);
    if len > MAX_HANDSHAKE_MESSAGE {
        // A length we will not decode: decode_error (RFC 5246 7.2.2: "a field was out of its
        // specified range or the length of the message was incorrect"), as peers expect.
        // OpenSSL calls this "excessive message size".
        return Err(Error::decode(
            "handshake message",
            DecodeProblem::OverLimit {
                len,
                limit: MAX_HANDSHAKE_MESSAGE,
            },
        ));
    }
    if buf.len() < 4 + len {
        return Ok(None);
    }
    let rest = buf.split_off(4 + len);
    Ok(Some(std::mem::replace(buf, rest)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::TLS1_2;

    #[test]
    fn record_spans_split_a_stream_and_keep_a_cut_record() {
        let bytes = [
            22, 3, 3, 0, 2, 0xaa, 0xbb, // a whole record
            20, 3, 3, 0, 1, 1, // another
            23, 3, 3, 0, 9, 0xcc, // cut short: 1 of 9 bytes
        ];
        assert_eq!(record_spans(&bytes), [0..7, 7..13, 13..19]);
        // A header cut short is one (short) record.
        let cut = record_spans(&[22, 3]);
        assert_eq!((cut.len(), cut[0].start, cut[0].end), (1, 0, 2));
        assert!(record_spans(&[]).is_empty());
    }

    #[test]
    fn seal_then_open_and_tamper() {
        let key = [7u8; 16];
        let iv = [1, 2, 3, 4];
        let mut writer = Direction::protected(&key, iv).unwrap();
        let mut reader = Direction::protected(&key, iv).unwrap();
        let mut out = Vec::new();
        writer
            .seal(APPLICATION_DATA, TLS1_2, b"hello", &mut out)
            .unwrap();
        assert_eq!(out.len(), 5 + 8 + 5 + 16);
        assert_eq!(&out[5..13], &[0; 8], "explicit nonce = sequence number 0");
        let plain = reader
            .open(APPLICATION_DATA, TLS1_2, out[5..].to_vec())
            .unwrap();
        assert_eq!(plain, b"hello");

        // Same bytes again: the reader's sequence number moved on, so the AAD differs.
        assert!(matches!(
            reader.open(APPLICATION_DATA, TLS1_2, out[5..].to_vec()),
            Err(Error::BadRecordMac)
        ));
        let mut writer2 = Direction::protected(&key, iv).unwrap();
        let mut reader2 = Direction::protected(&key, iv).unwrap();
        let mut out2 = Vec::new();
        writer2
            .seal(APPLICATION_DATA, TLS1_2, b"hello", &mut out2)
            .unwrap();
        out2[15] ^= 1;
        assert!(matches!(
            reader2.open(APPLICATION_DATA, TLS1_2, out2[5..].to_vec()),
            Err(Error::BadRecordMac)
        ));
    }

    #[test]
    fn short_fragment_is_bad_record_mac() {
        let mut reader = Direction::protected(&[0; 32], [0; 4]).unwrap();
        assert!(matches!(
            reader.open(APPLICATION_DATA, TLS1_2, vec![0; 23]),
            Err(Error::BadRecordMac)
        ));
    }
}
