//! The event model: what each side records as it works, for the renderers to show.
//!
//! Each side records [`Event`]s in its [`Trace`]: the flights it starts, every message with the
//! labelled bytes its codec wrote or read, every record with its protection (GCM nonce, AAD,
//! tag), every secret as it is derived and from what, and every use of a key (the key ledger).
//! The simulator merges both sides' events in flight order.
//!
//! This module is a leaf of the protocol code: the client, the server, the connection and the
//! record layer write events; the renderers in [`crate::render`] (text, HTML, mermaid, JSON,
//! worksheet, walkthrough) read them. Nothing here formats anything for a reader: explanations
//! are [`Phrase`]s, which keep their pattern and values, and a renderer chooses the language.
//!
//! Tracing costs nothing when it is off: every explanation is passed as a closure, called only
//! when the trace is on. A debugger can step over all of it (`docs/debugging.md`).

use serde::Serialize;

use crate::codec::Field;
use crate::messages::alert::{AlertDescription, AlertLevel};
use crate::phrase;
use crate::phrase::Phrase;
use crate::rng::Side;

/// Serialize bytes as a lowercase hex string in JSON.
fn as_hex<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(bytes))
}

fn as_hex_opt<S: serde::Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match bytes {
        Some(b) => s.serialize_str(&hex::encode(b)),
        None => s.serialize_none(),
    }
}

/// The keys a handshake involves, for the key ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    /// The RSA public key in the server's certificate.
    ServerPublicKey,
    /// The server's RSA private key.
    ServerPrivateKey,
    /// The RSA public key in the client's certificate (mutual TLS).
    ClientPublicKey,
    /// The client's RSA private key (mutual TLS).
    ClientPrivateKey,
    /// An ephemeral X25519 private key (ECDHE), thrown away after the handshake.
    EphemeralPrivateKey,
    /// The symmetric session keys derived from the master secret.
    SessionKeys,
}

impl Key {
    /// Every key, in the order the key ledger lists them.
    pub const ALL: [Key; 6] = [
        Key::ServerPublicKey,
        Key::ServerPrivateKey,
        Key::ClientPublicKey,
        Key::ClientPrivateKey,
        Key::EphemeralPrivateKey,
        Key::SessionKeys,
    ];

    /// The key's name.
    pub fn name(self) -> Phrase {
        match self {
            Key::ServerPublicKey => phrase!("server public key"),
            Key::ServerPrivateKey => phrase!("server private key"),
            Key::ClientPublicKey => phrase!("client public key"),
            Key::ClientPrivateKey => phrase!("client private key"),
            Key::EphemeralPrivateKey => phrase!("ephemeral X25519 private key"),
            Key::SessionKeys => phrase!("session keys"),
        }
    }

    /// Who holds this key, by the design of TLS.
    pub fn held_by(self) -> Phrase {
        match self {
            Key::ServerPublicKey => phrase!("anyone: it is in the server's certificate"),
            Key::ServerPrivateKey => phrase!("the server only; it never leaves it"),
            Key::ClientPublicKey => phrase!("anyone: it is in the client's certificate"),
            Key::ClientPrivateKey => phrase!("the client only; it never leaves it"),
            Key::EphemeralPrivateKey => phrase!("its side only, for one handshake"),
            Key::SessionKeys => phrase!("client and server, each derived on its own side"),
        }
    }
}

/// GCM protection details of one record (RFC 5288 3, RFC 5246 6.2.3.3).
#[derive(Clone, Debug, Serialize)]
pub struct GcmDetails {
    /// The sequence number of the record in its direction.
    pub seq: u64,
    /// The 8-byte explicit nonce sent in the record.
    #[serde(serialize_with = "as_hex")]
    pub explicit_nonce: Vec<u8>,
    /// The full 12-byte nonce: implicit IV (4 bytes, from the key block) + explicit nonce.
    #[serde(serialize_with = "as_hex")]
    pub nonce: Vec<u8>,
    /// additional_data = seq_num + TLSCompressed.type + TLSCompressed.version +
    /// TLSCompressed.length.
    #[serde(serialize_with = "as_hex")]
    pub aad: Vec<u8>,
    /// The 16-byte authentication tag at the end of the record.
    #[serde(serialize_with = "as_hex")]
    pub tag: Vec<u8>,
    /// The record's content before sealing (after opening).
    #[serde(serialize_with = "as_hex")]
    pub plaintext: Vec<u8>,
}

/// CBC protection details of one record (RFC 5246 6.2.3.2; RFC 7366 with encrypt-then-MAC).
#[derive(Clone, Debug, Serialize)]
pub struct CbcDetails {
    /// The sequence number of the record in its direction.
    pub seq: u64,
    /// Encrypt-then-MAC (RFC 7366) if true; MAC-then-encrypt (RFC 5246) if false.
    pub encrypt_then_mac: bool,
    /// `HMAC-SHA1`, `HMAC-SHA256` or `HMAC-SHA384`.
    pub mac_algorithm: &'static str,
    /// The 16-byte explicit IV sent in front of the ciphertext, fresh from the sender's RNG.
    #[serde(serialize_with = "as_hex")]
    pub iv: Vec<u8>,
    /// The first 13 bytes of the MAC's input: seq_num + type + version + length (the length
    /// of the content, or with encrypt-then-MAC of IV + ciphertext, which follow).
    #[serde(serialize_with = "as_hex")]
    pub mac_header: Vec<u8>,
    /// The MAC: inside the encryption (MAC-then-encrypt) or after the ciphertext.
    #[serde(serialize_with = "as_hex")]
    pub mac: Vec<u8>,
    /// The padding, padding_length + 1 bytes each holding padding_length.
    #[serde(serialize_with = "as_hex")]
    pub padding: Vec<u8>,
    /// The record's content before sealing (after opening).
    #[serde(serialize_with = "as_hex")]
    pub plaintext: Vec<u8>,
}

/// What a certificate-chain check looked at (RFC 5280 6.1.3 and 4.2), with its values: made
/// by `pki::verify_chain`, put in words by the renderers. Names are the
/// certificates' subjects and issuers as X.509 prints them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Checked {
    /// The leaf's keyUsage allows what the purpose needs (keyEncipherment, digitalSignature).
    KeyUsage {
        /// The usage needed.
        needed: &'static str,
    },
    /// The leaf's extendedKeyUsage allows serverAuth or clientAuth.
    ExtendedKeyUsage {
        /// The purpose needed.
        needed: &'static str,
    },
    /// The leaf names the host we connected to (subjectAltName).
    HostName {
        /// The host.
        host: String,
    },
    /// A certificate is within its validity period at our clock.
    ValidNow {
        /// Its subject.
        subject: String,
    },
    /// A certificate of the chain is itself one of our trust anchors.
    IsTrustAnchor {
        /// Its subject.
        subject: String,
    },
    /// The issuer is a trust anchor or the next certificate of the chain.
    IssuerKnown {
        /// The issuer's name.
        issuer: String,
    },
    /// The issuer may issue certificates (basicConstraints cA).
    IssuerIsCa {
        /// The issuer's name.
        issuer: String,
    },
    /// The certificate's signature verifies with its issuer's key.
    Signature {
        /// The certificate's subject.
        subject: String,
        /// The issuer's name.
        issuer: String,
    },
    /// The issuer's CRL carries its signature (checked when the trust store was loaded).
    CrlSigned {
        /// The issuer's name.
        issuer: String,
    },
    /// The issuer's CRL is current (thisUpdate <= now <= nextUpdate).
    CrlCurrent {
        /// The issuer's name.
        issuer: String,
    },
    /// The certificate's serial number is not on its issuer's CRL.
    NotRevoked {
        /// The certificate's subject.
        subject: String,
        /// Its serial number.
        serial: String,
    },
    /// The trust anchor that ends the chain is within its validity period.
    AnchorValidNow {
        /// The anchor's subject.
        anchor: String,
    },
}

/// One thing a side did or saw. `side` is who logged it; `from` (where present) who sent it.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// One side begins a flight (one of its public methods).
    Flight {
        /// Who logged it.
        side: Side,
        /// The method, e.g. `server.answer_hello`.
        call: &'static str,
        /// The messages it reads, in order (optional ones in square brackets, e.g.
        /// `[CertificateRequest]`).
        reads: &'static str,
        /// The messages it sends.
        sends: &'static str,
    },
    /// A record written to or read from the wire.
    Record {
        /// Who logged it.
        side: Side,
        /// Who sent it.
        from: Side,
        /// The record's ContentType (RFC 5246 6.2.1).
        content_type: u8,
        /// The record's ProtocolVersion.
        version: u16,
        /// The whole record as on the wire: 5-byte header and fragment.
        #[serde(serialize_with = "as_hex")]
        wire: Vec<u8>,
        /// Present when the record was protected with AES-GCM.
        gcm: Option<GcmDetails>,
        /// Present when the record was protected with AES-CBC and HMAC (left out of the JSON
        /// otherwise).
        #[serde(skip_serializing_if = "Option::is_none")]
        cbc: Option<Box<CbcDetails>>,
    },
    /// A message (handshake, alert, change_cipher_spec) with its labelled bytes.
    Message {
        /// Who logged it.
        side: Side,
        /// Who sent it.
        from: Side,
        /// The message's name, as the RFC's diagrams write it.
        name: String,
        /// Where the RFCs define it.
        rfc: &'static str,
        /// The whole message, header included.
        #[serde(serialize_with = "as_hex")]
        bytes: Vec<u8>,
        /// Every byte range, labelled by the codec.
        fields: Vec<Field>,
    },
    /// A secret chosen or derived, with how.
    Secret {
        /// Who logged it.
        side: Side,
        /// The RFC's name for it (`master_secret`, ...).
        name: &'static str,
        /// Its bytes.
        #[serde(serialize_with = "as_hex")]
        value: Vec<u8>,
        /// Where it came from.
        how: Phrase,
    },
    /// A value worth showing that is not secret (a hash, a signature input).
    Value {
        /// Who logged it.
        side: Side,
        /// Its name.
        name: &'static str,
        /// Its bytes.
        #[serde(serialize_with = "as_hex")]
        value: Vec<u8>,
        /// Where it came from.
        how: Phrase,
    },
    /// A key used for something: the key ledger.
    KeyUse {
        /// Who used it.
        side: Side,
        /// Which key.
        key: Key,
        /// What for.
        operation: Phrase,
    },
    /// A check of a certificate chain (RFC 5280), and its outcome: what was checked and the
    /// values it was about, for the renderers to put in words.
    ChainCheck {
        /// Who checked.
        side: Side,
        /// What was checked.
        checked: Checked,
        /// Whether it held.
        ok: bool,
    },
    /// Where a side's connection failed, and why (after the alert it sent, if any).
    Failure {
        /// The side that failed.
        side: Side,
        /// The error as a whole, as `Error::phrase` says it ("bad_certificate: ...").
        error: Phrase,
        /// Why, without the alert's name.
        reason: Phrase,
    },
    /// A check a side made, and its outcome.
    Check {
        /// Who checked.
        side: Side,
        /// What was checked.
        what: Phrase,
        /// Whether it held.
        ok: bool,
    },
    /// An explanation.
    Note {
        /// Who says it.
        side: Side,
        /// What it says.
        text: Phrase,
    },
    /// An alert sent or received.
    Alert {
        /// Who logged it.
        side: Side,
        /// Who sent it.
        from: Side,
        /// warning or fatal.
        level: AlertLevel,
        /// Which alert.
        description: AlertDescription,
    },
    /// Application data, as plaintext.
    AppData {
        /// Who logged it.
        side: Side,
        /// Who sent it.
        from: Side,
        /// The plaintext.
        #[serde(serialize_with = "as_hex")]
        data: Vec<u8>,
        /// The GCM tag of the record that carried it (none for a CBC record).
        #[serde(serialize_with = "as_hex_opt")]
        record_tag: Option<Vec<u8>>,
    },
}

/// One side's event log. When it is off, nothing is recorded and no explanation is even built.
#[derive(Debug, Default)]
pub struct Trace {
    enabled: bool,
    events: Vec<Event>,
    /// How many of `events` have been printed already (`serve`/`connect` print as they go).
    printed: usize,
}

impl Trace {
    /// A trace that records (`enabled`) or ignores everything.
    pub fn new(enabled: bool) -> Self {
        Trace {
            enabled,
            events: Vec::new(),
            printed: 0,
        }
    }

    /// Whether events are recorded.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Stops recording: what comes after is not kept (a long-lived connection's trace must not
    /// grow without end). The events so far stay.
    pub fn stop(&mut self) {
        self.enabled = false;
    }

    /// The events recorded so far.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Takes the events out, leaving the trace empty.
    pub fn take(&mut self) -> Vec<Event> {
        self.printed = 0;
        std::mem::take(&mut self.events)
    }

    /// The events not yet marked as printed; marks them printed.
    pub fn unprinted(&mut self) -> &[Event] {
        let from = self.printed.min(self.events.len());
        self.printed = self.events.len();
        &self.events[from..]
    }

    /// Records the event `make` builds, if the trace is on.
    pub fn push(&mut self, make: impl FnOnce() -> Event) {
        if self.enabled {
            self.events.push(make());
        }
    }

    /// Says what the flight `side` began last reads and sends, once it knows: a server learns
    /// from the ClientHello whether it answers with a full or an abbreviated handshake, a
    /// client from the ServerHello.
    pub fn amend_flight(&mut self, side: Side, reads: &'static str, sends: &'static str) {
        let last = self.events.iter_mut().rev().find_map(|event| match event {
            Event::Flight {
                side: s,
                reads,
                sends,
                ..
            } if *s == side => Some((reads, sends)),
            _ => None,
        });
        if let Some((old_reads, old_sends)) = last {
            *old_reads = reads;
            *old_sends = sends;
        }
    }

    /// An explanation.
    pub fn note(&mut self, side: Side, text: impl FnOnce() -> Phrase) {
        self.push(|| Event::Note { side, text: text() });
    }

    /// A secret and where it came from.
    pub fn secret(
        &mut self,
        side: Side,
        name: &'static str,
        value: &[u8],
        how: impl FnOnce() -> Phrase,
    ) {
        self.push(|| Event::Secret {
            side,
            name,
            value: value.to_vec(),
            how: how(),
        });
    }

    /// A public value and where it came from.
    pub fn value(
        &mut self,
        side: Side,
        name: &'static str,
        value: &[u8],
        how: impl FnOnce() -> Phrase,
    ) {
        self.push(|| Event::Value {
            side,
            name,
            value: value.to_vec(),
            how: how(),
        });
    }

    /// A use of a key, for the key ledger.
    pub fn key_use(&mut self, side: Side, key: Key, operation: impl FnOnce() -> Phrase) {
        self.push(|| Event::KeyUse {
            side,
            key,
            operation: operation(),
        });
    }

    /// A check and its outcome.
    pub fn check(&mut self, side: Side, ok: bool, what: impl FnOnce() -> Phrase) {
        self.push(|| Event::Check {
            side,
            what: what(),
            ok,
        });
    }
}

/// The first value (a Secret or a Value event) that `side` traced under `name`.
pub fn traced_value<'a>(events: &'a [Event], side: Side, name: &str) -> Option<&'a [u8]> {
    events.iter().find_map(|e| match e {
        Event::Secret {
            side: s,
            name: n,
            value,
            ..
        }
        | Event::Value {
            side: s,
            name: n,
            value,
            ..
        } if *n == name && *s == side => Some(value.as_slice()),
        _ => None,
    })
}
