//! Session resumption: what a session is, the server's cache of them (RFC 5246 7.3, F.1.4),
//! and tickets that carry a session sealed under the server's key (RFC 5077).
//!
//! A full handshake makes a *session*: above all its master secret, with the suite, the
//! extended-master-secret state and who the peers proved to be. Resuming it skips the
//! certificate and the key exchange: the abbreviated handshake (RFC 5246 7.3) derives new
//! session keys from the *same* master secret and the *new* randoms, and no private or public
//! key is used at all. That is what makes a busy server affordable.
//!
//! ```text
//! Client                                                Server
//! ClientHello (session_id, or SessionTicket) -------->
//!                                                  ServerHello (the same session_id)
//!                                                  [NewSessionTicket]
//!                                                  [ChangeCipherSpec]
//!                                     <--------    Finished
//! [ChangeCipherSpec]
//! Finished                           -------->
//! ```
//!
//! Two ways to find the session again:
//! - **session ID** (RFC 5246 7.4.1.2/7.4.1.3): the server keeps the session in its
//!   [`SessionCache`] under a 32-byte id from its RNG, and the client offers that id;
//! - **ticket** (RFC 5077): the server keeps nothing; it seals the session into a ticket under
//!   a [`TicketKeys`] key and gives it to the client (NewSessionTicket), who hands it back in
//!   its ClientHello. Whoever holds the ticket key can open every ticket: the catch that the
//!   `stolen-ticket-key` lab shows.
//!
//! Our ticket format follows RFC 5077 4's recommendation, with AES-128-GCM (whose tag does the
//! work of its HMAC) in place of AES-CBC and HMAC-SHA-256:
//!
//! ```text
//! struct {
//!     opaque key_name[16];                    /* which ticket key sealed it */
//!     opaque nonce[12];                       /* AES-GCM nonce, from the server's RNG */
//!     opaque encrypted_state<0..2^16-1>;      /* AES-128-GCM(StatePlaintext) and its tag;
//!                                                the additional data is key_name */
//! } ticket;
//!
//! struct {
//!     ProtocolVersion protocol_version;
//!     CipherSuite cipher_suite;
//!     CompressionMethod compression_method;   /* null(0) */
//!     opaque master_secret[48];
//!     uint8 extended_master_secret;           /* 1 if the session used RFC 7627 */
//!     opaque server_name<0..2^16-1>;          /* the SNI of the full handshake */
//!     ASN.1Cert client_certificate_list<0..2^24-1>; /* ClientIdentity: the chain the client
//!                                                proved, or empty */
//!     uint8 client_authenticated;             /* 1 if its CertificateVerify checked out */
//!     opaque created[8];                      /* uint64, Unix seconds of the full handshake */
//! } StatePlaintext;
//! ```

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use zeroize::Zeroizing;

use crate::codec::{Reader, Writer};
use crate::error::{DecodeProblem, Error};
use crate::messages::{TLS1_2, version_name};
use crate::phrase;
use crate::prf::MasterSecret;
use crate::record::{gcm_open, gcm_seal};
use crate::rng::RoleRng;
use crate::suites::{CipherSuite, TAG_LEN};

/// How long a session may be resumed, by default: two hours, as OpenSSL's default for TLS.
pub const DEFAULT_SESSION_LIFETIME: u64 = 7200;
/// How many sessions `serve` keeps by default.
pub const DEFAULT_CACHE_SIZE: usize = 1024;
/// The length of a session id our server makes (RFC 5246 7.4.1.2 allows up to 32 bytes).
pub const SESSION_ID_LEN: usize = 32;
/// The length of a ticket key's name (RFC 5077 4's key_name).
pub const KEY_NAME_LEN: usize = 16;
const NONCE_LEN: usize = 12;
const TICKET_KEY_LEN: usize = 16;

/// One TLS session: what a full handshake established and an abbreviated one reuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The session_id the server gave it (RFC 5246 7.4.1.3); may be empty for a ticket.
    pub id: Vec<u8>,
    /// The client's copy only: the ticket the server sealed it into (RFC 5077 3.3), if any.
    pub ticket: Option<Vec<u8>>,
    /// The client's copy only: the server's ticket_lifetime_hint, seconds (0: unspecified).
    pub ticket_lifetime_hint: u32,
    /// The protocol version of the session: TLS 1.2 (0x0303), the only one here.
    pub version: u16,
    /// The suite of the session; a resumption must use the same one (RFC 5246 7.4.1.3).
    pub suite: CipherSuite,
    /// The master secret: everything a resumption needs, and everything a thief needs.
    pub master_secret: MasterSecret,
    /// The master secret was derived with RFC 7627's session hash.
    pub extended_master_secret: bool,
    /// The server name (SNI) the full handshake was for; a resumption must ask for the same
    /// (RFC 6066 3).
    pub server_name: Option<String>,
    /// The peer's certificate chain as the full handshake checked it (DER): the server's for
    /// the client, the client's (mutual TLS) for the server.
    pub peer_certificates: Vec<Vec<u8>>,
    /// The server's copy: the client proved that chain (its CertificateVerify checked out).
    pub client_authenticated: bool,
    /// When the full handshake made it, Unix seconds (by the side's clock).
    pub created: u64,
}

/// Which kind of resumption a connection used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resumption {
    /// The session was found by its id in the server's cache (RFC 5246 7.3).
    SessionId,
    /// The session came back in a ticket (RFC 5077 3.1).
    Ticket,
}

impl Resumption {
    /// `session id` or `ticket`, as the log lines say it.
    pub fn name(self) -> &'static str {
        match self {
            Resumption::SessionId => "session id",
            Resumption::Ticket => "ticket",
        }
    }
}

impl Session {
    /// Seconds since the full handshake, by `now`.
    pub fn age(&self, now: u64) -> u64 {
        now.saturating_sub(self.created)
    }

    /// Whether `lifetime` seconds have passed since the full handshake.
    pub fn expired(&self, now: u64, lifetime: u64) -> bool {
        self.age(now) >= lifetime
    }
}

/// Locks a mutex, taking the data even if another thread panicked while holding it: a cache
/// of sessions is still a cache of sessions.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

// =========================================================================================
// The server's session cache (session IDs)

/// The server's sessions by id, bounded in number and in age, the oldest evicted first; shared
/// by all of a server's connections (`serve` runs one thread per connection).
#[derive(Debug)]
pub struct SessionCache {
    capacity: usize,
    lifetime: u64,
    /// Oldest first.
    sessions: Mutex<VecDeque<Session>>,
}

/// What looking a session id up in the cache found.
#[derive(Debug)]
pub enum CacheLookup {
    /// The session, resumable as far as the cache knows.
    Found(Session),
    /// No such session: never made here, evicted, or removed after a fatal alert.
    Unknown,
    /// It was here, and has outlived the cache's lifetime (it is removed now).
    Expired {
        /// Its age, seconds.
        age: u64,
    },
}

impl SessionCache {
    /// A cache of at most `capacity` sessions, each resumable for `lifetime` seconds.
    pub fn new(capacity: usize, lifetime: u64) -> Self {
        SessionCache {
            capacity,
            lifetime,
            sessions: Mutex::new(VecDeque::new()),
        }
    }

    /// At most this many sessions are kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Seconds a session may be resumed after its full handshake.
    pub fn lifetime(&self) -> u64 {
        self.lifetime
    }

    /// How many sessions it holds now.
    pub fn len(&self) -> usize {
        lock(&self.sessions).len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps `session` under its id (replacing one with the same id); evicts the oldest when
    /// full.
    pub fn insert(&self, session: Session) {
        if self.capacity == 0 || session.id.is_empty() {
            return;
        }
        let mut sessions = lock(&self.sessions);
        sessions.retain(|s| s.id != session.id);
        sessions.push_back(session);
        while sessions.len() > self.capacity {
            sessions.pop_front();
        }
    }

    /// The session with this id, if it is here and young enough at `now`.
    pub fn find(&self, id: &[u8], now: u64) -> CacheLookup {
        let mut sessions = lock(&self.sessions);
        let Some(at) = sessions.iter().position(|s| s.id == id) else {
            return CacheLookup::Unknown;
        };
        let age = sessions[at].age(now);
        if sessions[at].expired(now, self.lifetime) {
            sessions.remove(at);
            return CacheLookup::Expired { age };
        }
        CacheLookup::Found(sessions[at].clone())
    }

    /// Forgets the session with this id (a connection of it ended with a fatal alert: RFC
    /// 5246 7.2.2). Returns whether it was there.
    pub fn remove(&self, id: &[u8]) -> bool {
        let mut sessions = lock(&self.sessions);
        let before = sessions.len();
        sessions.retain(|s| s.id != id);
        sessions.len() != before
    }
}

// =========================================================================================
// Tickets (RFC 5077)

/// One ticket key: a name that travels in the clear in every ticket, and an AES-128-GCM key
/// that never leaves the server (unless stolen).
#[derive(Clone)]
pub struct TicketKey {
    /// key_name: which key sealed a ticket (16 random bytes).
    pub name: [u8; KEY_NAME_LEN],
    key: Zeroizing<[u8; TICKET_KEY_LEN]>,
    /// When it became the current key, Unix seconds.
    pub created: u64,
}

impl std::fmt::Debug for TicketKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TicketKey {{ name: {}, .. }}", hex::encode(self.name))
    }
}

impl TicketKey {
    fn generate(rng: &mut RoleRng, now: u64) -> Self {
        TicketKey {
            name: rng.array(),
            key: Zeroizing::new(rng.array()),
            created: now,
        }
    }

    /// The key's bytes: for the trace, and for the lab whose thief holds them.
    pub fn secret(&self) -> &[u8] {
        &self.key[..]
    }
}

/// The server's ticket keys: the current one seals new tickets; the previous one still opens
/// the tickets it sealed, so that rotating keys does not cut every client off at once.
/// Shared by all of a server's connections.
#[derive(Debug)]
pub struct TicketKeys {
    /// Seconds a ticket opens for after its full handshake; also the ticket_lifetime_hint.
    lifetime: u64,
    ring: Mutex<KeyRing>,
}

#[derive(Clone, Debug)]
struct KeyRing {
    current: TicketKey,
    previous: Option<TicketKey>,
}

/// Why a ticket did not give back a session. Each of these means a full handshake, never a
/// failure (RFC 5077 3.4: "the server ... MAY ... perform a full handshake").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TicketProblem {
    /// Too short to hold a key name, a nonce and a tag: not a ticket of ours.
    Malformed,
    /// Its key_name is neither our current nor our previous key's: sealed by another server,
    /// by a key rotated out long ago, or made up.
    UnknownKey([u8; KEY_NAME_LEN]),
    /// Our key's name, but the AES-GCM tag does not check: forged or tampered with.
    DoesNotOpen,
    /// It opened, and is older than the tickets' lifetime.
    Expired {
        /// Its age, seconds.
        age: u64,
    },
}

impl TicketProblem {
    /// Why, in words, for the trace.
    pub fn reason(&self) -> crate::phrase::Phrase {
        match self {
            TicketProblem::Malformed => {
                phrase!("it is too short to be one of our tickets (key_name, nonce, tag)")
            }
            TicketProblem::UnknownKey(name) => phrase!(
                "its key_name {} is not one of our ticket keys (another server's, rotated out, \
                 or made up)",
                hex::encode(name)
            ),
            TicketProblem::DoesNotOpen => phrase!(
                "it names our key, but its AES-GCM tag does not check: forged or tampered with"
            ),
            TicketProblem::Expired { age } => {
                phrase!("it opened, but its session is {} s old: expired", *age)
            }
        }
    }
}

/// A ticket that opened: the session inside, and whether the previous key sealed it (then the
/// server gives the client a fresh ticket under the current key).
#[derive(Debug)]
pub struct OpenedTicket {
    /// The session it carried.
    pub session: Session,
    /// Sealed by the previous key, not the current one.
    pub under_previous_key: bool,
}

impl TicketKeys {
    /// A first ticket key from `rng`, for tickets that open for `lifetime` seconds.
    pub fn new(rng: &mut RoleRng, now: u64, lifetime: u64) -> Self {
        TicketKeys {
            lifetime,
            ring: Mutex::new(KeyRing {
                current: TicketKey::generate(rng, now),
                previous: None,
            }),
        }
    }

    /// Seconds a ticket opens for after its full handshake.
    pub fn lifetime(&self) -> u64 {
        self.lifetime
    }

    /// The current key (a copy): the one new tickets are sealed under.
    pub fn current(&self) -> TicketKey {
        lock(&self.ring).current.clone()
    }

    /// The previous key (a copy), if a rotation has happened.
    pub fn previous(&self) -> Option<TicketKey> {
        lock(&self.ring).previous.clone()
    }

    /// A new current key from `rng`; the current one becomes the previous, and the previous
    /// one is dropped: its tickets no longer open.
    pub fn rotate(&self, rng: &mut RoleRng, now: u64) {
        let mut ring = lock(&self.ring);
        let fresh = TicketKey::generate(rng, now);
        ring.previous = Some(std::mem::replace(&mut ring.current, fresh));
    }

    /// Rotates when the current key has sealed tickets for a whole lifetime: a key then lives
    /// one lifetime as the current key and one as the previous, so every ticket it sealed
    /// opens for its full lifetime. Returns whether it rotated.
    pub fn rotate_if_due(&self, rng: &mut RoleRng, now: u64) -> bool {
        // Checked and done under one lock: two connections that find it due at once rotate
        // once, not twice (which would drop the key that is still sealing valid tickets).
        let mut ring = lock(&self.ring);
        let due = now.saturating_sub(ring.current.created) >= self.lifetime;
        if due {
            let fresh = TicketKey::generate(rng, now);
            ring.previous = Some(std::mem::replace(&mut ring.current, fresh));
        }
        due
    }

    /// Seals `session` into a ticket under the current key, with a nonce from `rng`.
    pub fn seal(&self, session: &Session, rng: &mut RoleRng) -> Result<Vec<u8>, Error> {
        let key = self.current();
        let nonce: [u8; NONCE_LEN] = rng.array();
        let mut state = Zeroizing::new(encode_state(session)?);
        let tag = gcm_seal(key.secret(), &nonce, &key.name, &mut state)?;
        let mut w = Writer::new();
        w.bytes("key_name", &key.name);
        w.bytes("nonce", &nonce);
        let sealed = w.begin_u16("encrypted_state");
        w.bytes("ciphertext", &state);
        w.bytes("tag", &tag);
        w.end(sealed)?;
        Ok(w.finish()?.bytes)
    }

    /// Opens a ticket with whichever of our keys its key_name names, and checks its age at
    /// `now`.
    pub fn open(&self, ticket: &[u8], now: u64) -> Result<OpenedTicket, TicketProblem> {
        let ring = lock(&self.ring).clone();
        let opened = open_with(&ring, ticket)?;
        let age = opened.session.age(now);
        if opened.session.expired(now, self.lifetime) {
            return Err(TicketProblem::Expired { age });
        }
        Ok(opened)
    }

    /// Opens a ticket whatever its age: what a thief holding our keys does (the
    /// `stolen-ticket-key` lab, the observer).
    pub fn open_any_age(&self, ticket: &[u8]) -> Result<OpenedTicket, TicketProblem> {
        open_with(&lock(&self.ring).clone(), ticket)
    }
}

/// Reads `ticket`'s parts and opens it with the key of `ring` its key_name names.
fn open_with(ring: &KeyRing, ticket: &[u8]) -> Result<OpenedTicket, TicketProblem> {
    let mut r = Reader::new(ticket);
    let name: [u8; KEY_NAME_LEN] = r.array("key_name").map_err(|_| TicketProblem::Malformed)?;
    let nonce: [u8; NONCE_LEN] = r.array("nonce").map_err(|_| TicketProblem::Malformed)?;
    let sealed = r
        .opaque_u16("encrypted_state")
        .map_err(|_| TicketProblem::Malformed)?;
    if r.has_more() || sealed.len() < TAG_LEN {
        return Err(TicketProblem::Malformed);
    }
    let (key, under_previous_key) = if ring.current.name == name {
        (&ring.current, false)
    } else {
        match &ring.previous {
            Some(previous) if previous.name == name => (previous, true),
            _ => return Err(TicketProblem::UnknownKey(name)),
        }
    };
    let (ciphertext, tag) = sealed.split_at(sealed.len() - TAG_LEN);
    let tag: [u8; TAG_LEN] = tag.try_into().map_err(|_| TicketProblem::Malformed)?;
    let mut state = Zeroizing::new(ciphertext.to_vec());
    gcm_open(key.secret(), &nonce, &name, &mut state, &tag)
        .map_err(|_| TicketProblem::DoesNotOpen)?;
    // Our own key opened it, so we wrote it; a state that does not parse would be our bug,
    // and is still only a full handshake.
    let session = decode_state(&state).map_err(|_| TicketProblem::DoesNotOpen)?;
    Ok(OpenedTicket {
        session,
        under_previous_key,
    })
}

/// StatePlaintext, as in the module's comment.
fn encode_state(session: &Session) -> Result<Vec<u8>, Error> {
    let mut w = Writer::new();
    w.u16("protocol_version", session.version);
    w.u16("cipher_suite", session.suite.id());
    w.u8("compression_method", 0);
    w.bytes("master_secret", &session.master_secret[..]);
    w.u8(
        "extended_master_secret",
        session.extended_master_secret.into(),
    );
    let name = session.server_name.as_deref().unwrap_or("");
    w.opaque_u16("server_name", name.as_bytes())?;
    let chain = w.begin_u24("client_certificate_list");
    for certificate in &session.peer_certificates {
        w.opaque_u24("ASN.1Cert", certificate)?;
    }
    w.end(chain)?;
    w.u8("client_authenticated", session.client_authenticated.into());
    w.bytes("created", &session.created.to_be_bytes());
    Ok(w.finish()?.bytes)
}

/// Reads StatePlaintext back into a session (with no id: the ticket is what names it).
fn decode_state(state: &[u8]) -> Result<Session, Error> {
    let mut r = Reader::new(state);
    let version = r.u16("protocol_version")?;
    let suite_id = r.u16("cipher_suite")?;
    let suite = CipherSuite::from_id(suite_id)
        .ok_or_else(|| Error::decode("cipher_suite", DecodeProblem::OutOfRange))?;
    let _compression = r.u8("compression_method")?;
    let master_secret = Zeroizing::new(r.array("master_secret")?);
    let extended_master_secret = r.u8("extended_master_secret")? == 1;
    let name = r.opaque_u16("server_name")?;
    let server_name = (!name.is_empty()).then(|| String::from_utf8_lossy(name).into_owned());
    r.begin_u24("client_certificate_list")?;
    let mut peer_certificates = Vec::new();
    while r.has_more() {
        peer_certificates.push(r.opaque_u24("ASN.1Cert")?.to_vec());
    }
    r.end()?;
    let client_authenticated = r.u8("client_authenticated")? == 1;
    let created = u64::from_be_bytes(r.array("created")?);
    r.finish("StatePlaintext")?;
    Ok(Session {
        id: Vec::new(),
        ticket: None,
        ticket_lifetime_hint: 0,
        version,
        suite,
        master_secret,
        extended_master_secret,
        server_name,
        peer_certificates,
        client_authenticated,
        created,
    })
}

// =========================================================================================
// The client's saved session, as a file (`connect --session-out` / `--session-in`)

/// The first line of the JSON a session is saved as: names the format and its version.
pub const SESSION_FILE_FORMAT: &str = "tls12-sim session v1";

impl Session {
    /// The session as our own JSON file format (docs: README.md, "Resuming a session"):
    /// every value a resumption needs, the master secret included, in hex. Keep it as secret
    /// as a private key.
    pub fn to_json(&self) -> String {
        let value = serde_json::json!({
            "format": SESSION_FILE_FORMAT,
            "protocol_version": version_name(self.version),
            "cipher_suite": self.suite.name(),
            "session_id": hex::encode(&self.id),
            "ticket": self.ticket.as_ref().map(hex::encode),
            "ticket_lifetime_hint": self.ticket_lifetime_hint,
            "master_secret": hex::encode(&self.master_secret[..]),
            "extended_master_secret": self.extended_master_secret,
            "server_name": self.server_name,
            "peer_certificates": self.peer_certificates.iter().map(hex::encode).collect::<Vec<_>>(),
            "created": self.created,
        });
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a session saved by [`Session::to_json`]; anything missing or malformed is named.
    pub fn from_json(text: &str) -> Result<Session, Error> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::Config(phrase!("not JSON: {}", e.to_string())))?;
        if value["format"] != SESSION_FILE_FORMAT {
            return Err(Error::Config(phrase!(
                "not a saved session: its \"format\" is not \"{}\"",
                SESSION_FILE_FORMAT
            )));
        }
        let suite_name = json_str(&value, "cipher_suite")?;
        let suite = CipherSuite::from_name(suite_name).ok_or_else(|| {
            Error::Config(phrase!("unknown cipher_suite {}", suite_name.to_string()))
        })?;
        if json_str(&value, "protocol_version")? != version_name(TLS1_2) {
            return Err(Error::Config(phrase!(
                "protocol_version must be TLS 1.2, the only version here"
            )));
        }
        let master: [u8; 48] = json_hex(&value, "master_secret")?
            .try_into()
            .map_err(|_| Error::Config(phrase!("master_secret must be 48 bytes")))?;
        let id = json_hex(&value, "session_id")?;
        if id.len() > SESSION_ID_LEN {
            return Err(Error::Config(phrase!("session_id is longer than 32 bytes")));
        }
        let ticket = match &value["ticket"] {
            serde_json::Value::Null => None,
            _ => Some(json_hex(&value, "ticket")?),
        };
        let certificates = match value["peer_certificates"].as_array() {
            Some(list) => list.iter().map(hex_of).collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        Ok(Session {
            id,
            ticket,
            ticket_lifetime_hint: value["ticket_lifetime_hint"].as_u64().unwrap_or(0) as u32,
            version: TLS1_2,
            suite,
            master_secret: Zeroizing::new(master),
            extended_master_secret: value["extended_master_secret"].as_bool().unwrap_or(false),
            server_name: value["server_name"].as_str().map(str::to_string),
            peer_certificates: certificates,
            client_authenticated: false,
            created: value["created"].as_u64().unwrap_or(0),
        })
    }
}

fn json_str<'a>(value: &'a serde_json::Value, key: &'static str) -> Result<&'a str, Error> {
    value[key]
        .as_str()
        .ok_or_else(|| Error::Config(phrase!("\"{}\" is missing or not a string", key)))
}

fn json_hex(value: &serde_json::Value, key: &'static str) -> Result<Vec<u8>, Error> {
    hex::decode(json_str(value, key)?).map_err(|_| Error::Config(phrase!("\"{}\" is not hex", key)))
}

fn hex_of(value: &serde_json::Value) -> Result<Vec<u8>, Error> {
    value
        .as_str()
        .and_then(|text| hex::decode(text).ok())
        .ok_or_else(|| Error::Config(phrase!("a peer certificate is not a hex string")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Side;

    fn session(id: u8, created: u64) -> Session {
        Session {
            id: vec![id; 32],
            ticket: None,
            ticket_lifetime_hint: 0,
            version: TLS1_2,
            suite: CipherSuite::RsaAes128GcmSha256,
            master_secret: Zeroizing::new([id; 48]),
            extended_master_secret: true,
            server_name: Some("localhost".into()),
            peer_certificates: vec![vec![1, 2, 3]],
            client_authenticated: true,
            created,
        }
    }

    #[test]
    fn the_cache_evicts_the_oldest_and_forgets_the_expired() {
        let cache = SessionCache::new(2, 100);
        cache.insert(session(1, 0));
        cache.insert(session(2, 10));
        cache.insert(session(3, 20));
        assert_eq!(cache.len(), 2);
        assert!(matches!(cache.find(&[1; 32], 20), CacheLookup::Unknown));
        assert!(matches!(cache.find(&[2; 32], 20), CacheLookup::Found(_)));
        assert!(matches!(
            cache.find(&[2; 32], 110),
            CacheLookup::Expired { age: 100 }
        ));
        assert!(matches!(cache.find(&[2; 32], 110), CacheLookup::Unknown));
        assert!(cache.remove(&[3; 32]));
        assert!(cache.is_empty());
        let none = SessionCache::new(0, 100);
        none.insert(session(1, 0));
        assert!(none.is_empty());
    }

    #[test]
    fn a_ticket_opens_under_its_key_and_no_other() {
        let mut rng = RoleRng::seeded(1, Side::Server);
        let keys = TicketKeys::new(&mut rng, 1000, 3600);
        let original = Session {
            id: Vec::new(),
            peer_certificates: vec![vec![7; 300], vec![8; 5]],
            ..session(5, 1000)
        };
        let ticket = keys.seal(&original, &mut rng).unwrap();
        assert_eq!(&ticket[..16], &keys.current().name);
        let opened = keys.open(&ticket, 1500).unwrap();
        assert_eq!(opened.session, original);
        assert!(!opened.under_previous_key);
        assert_eq!(
            keys.open(&ticket, 4600).unwrap_err(),
            TicketProblem::Expired { age: 3600 }
        );
        // Every single bit flipped: never a session.
        for at in 0..ticket.len() {
            let mut bad = ticket.clone();
            bad[at] ^= 1;
            let problem = keys.open(&bad, 1500).unwrap_err();
            assert!(
                matches!(
                    problem,
                    TicketProblem::DoesNotOpen
                        | TicketProblem::UnknownKey(_)
                        | TicketProblem::Malformed
                ),
                "{at}: {problem:?}"
            );
        }
        for len in 0..ticket.len() {
            assert!(keys.open(&ticket[..len], 1500).is_err());
        }
        // Rotation: the previous key still opens, the one before no longer does.
        keys.rotate(&mut rng, 2000);
        assert!(keys.open(&ticket, 2000).unwrap().under_previous_key);
        keys.rotate(&mut rng, 3000);
        assert!(matches!(
            keys.open(&ticket, 3000),
            Err(TicketProblem::UnknownKey(_))
        ));
        assert!(keys.open_any_age(&ticket).is_err());
        let other = TicketKeys::new(&mut rng, 1000, 3600);
        assert!(matches!(
            other.open(&keys.seal(&original, &mut rng).unwrap(), 1000),
            Err(TicketProblem::UnknownKey(_))
        ));
    }

    #[test]
    fn rotation_is_due_after_a_lifetime() {
        let mut rng = RoleRng::seeded(2, Side::Server);
        let keys = TicketKeys::new(&mut rng, 0, 100);
        assert!(!keys.rotate_if_due(&mut rng, 99));
        assert!(keys.rotate_if_due(&mut rng, 100));
        assert_eq!(keys.current().created, 100);
        assert!(keys.previous().is_some());
    }

    #[test]
    fn a_session_file_round_trips_and_refuses_nonsense() {
        let saved = Session {
            ticket: Some(vec![9; 40]),
            ticket_lifetime_hint: 7200,
            client_authenticated: false,
            ..session(3, 42)
        };
        let back = Session::from_json(&saved.to_json()).unwrap();
        assert_eq!(back, saved);
        for bad in [
            "",
            "{}",
            "{\"format\": \"tls12-sim session v1\"}",
            &saved.to_json().replace("TLS 1.2", "TLS 1.1"),
            &saved
                .to_json()
                .replace("\"master_secret\": \"03", "\"master_secret\": \"zz"),
        ] {
            assert!(
                matches!(Session::from_json(bad), Err(Error::Config(_))),
                "{bad}"
            );
        }
    }
}
