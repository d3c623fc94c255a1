//! A passive observer: reads a recorded connection (both directions, as flows) with our own
//! codec and record layer, and decrypts what it can with what it holds.
//!
//! This is what Wireshark does with a key log, and what an attacker does who recorded traffic
//! and later obtained a key:
//! - holding nothing, the observer sees the hellos and the certificates, and nothing after
//!   ChangeCipherSpec;
//! - holding the server's RSA private key, it decrypts the pre-master secret of an RSA key
//!   exchange from the ClientKeyExchange, and with it everything, even years later: no forward
//!   secrecy;
//! - holding the master secret (an NSS key log), it decrypts any session;
//! - holding the server's *ticket key*, it opens every session ticket it sees (they travel in
//!   the clear: in NewSessionTicket and in the ClientHello that resumes), and with the master
//!   secret inside, the full handshake that issued the ticket and every resumption by it, ECDHE
//!   or not: tickets undo forward secrecy for as long as their key lives.
//!
//! A resumed session (the abbreviated handshake, RFC 5246 7.3) has no key exchange to attack:
//! the server's private key opens nothing in it; its master secret comes from the key log, or
//! from its ticket.
//!
//! The tests use it to check recorded sessions from outside (Go's, OpenSSL's) against our PRF
//! and record layer, message by message; `tls12-sim inspect` (`crate::capture`) feeds it the two
//! byte streams of each TCP connection of a capture file, as they were reassembled
//! ([`Observer::feed`]), and shows the events it records with the same renderers as a
//! simulated run. Those events are the sender's account of each record and message (`side ==
//! from`, as a simulated run's are); the secrets it derives and the checks it makes are filed
//! under the side that made the same computation in the real connection.
//!
//! What it does not speak it names instead of misreading: SSL 3.0, TLS 1.0 and 1.1, TLS 1.3, a
//! suite this program does not implement, renegotiation. Those records are listed, not opened.

use std::collections::HashMap;

use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey};

use crate::codec::{Field, Labelled, Reader};
use crate::error::Error;
use crate::event::{Event, Key, Trace};
use crate::keylog::KeyLog;
use crate::messages::alert::Alert;
use crate::messages::certificate::Certificate;
use crate::messages::certificate_request::CertificateRequest;
use crate::messages::certificate_verify::CertificateVerify;
use crate::messages::change_cipher_spec::ChangeCipherSpec;
use crate::messages::client_hello::ClientHello;
use crate::messages::client_key_exchange::{EcdheClientKeyExchange, RsaClientKeyExchange};
use crate::messages::extensions::SUPPORTED_VERSIONS;
use crate::messages::finished::Finished;
use crate::messages::hello_request::HelloRequest;
use crate::messages::new_session_ticket::NewSessionTicket;
use crate::messages::server_hello::ServerHello;
use crate::messages::server_hello_done::ServerHelloDone;
use crate::messages::server_key_exchange::ServerKeyExchange;
use crate::messages::{
    HandshakeMessage, HandshakeType, TLS1_2, extensions, handshake_type_name, version_name,
};
use crate::phrase;
use crate::phrase::Phrase;
use crate::prf::{self, CLIENT_FINISHED, SERVER_FINISHED, SessionKeys};
use crate::record::{
    ALERT, APPLICATION_DATA, CHANGE_CIPHER_SPEC, Direction, HANDSHAKE, MAX_CIPHERTEXT, Protection,
    RECORD_HEADER_LEN, take_handshake_message,
};
use crate::rng::{RoleRng, Side};
use crate::session::TicketKeys;
use crate::suites::{CipherSuite, KeyExchange, describe_suite_id};
use crate::transcript::Transcript;
use crate::wire::Flow;
use crate::{conn, key_exchange, pki};

/// What the observer holds.
pub enum ObserverKey<'a> {
    /// Nothing but the recording (and the public certificates in it).
    Nothing,
    /// The server's RSA private key.
    ServerPrivateKey(&'a RsaPrivateKey),
    /// The master secret, from a key log.
    MasterSecret([u8; 48]),
    /// The client's ephemeral X25519 private key (as Go's test recordings publish it).
    ClientEcdhPrivateKey([u8; 32]),
    /// The server's session-ticket keys (RFC 5077), stolen.
    TicketKeys(&'a TicketKeys),
    /// A key log (a file, or a capture's Decryption Secrets Block), looked up by the session's
    /// client random; and the server's RSA private key for the sessions the key log lacks.
    KeyLog {
        /// The master secrets, by client random.
        keylog: &'a KeyLog,
        /// The server's private key, if the observer holds it too.
        server_key: Option<&'a RsaPrivateKey>,
    },
}

/// Where the master secret that opened a session came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opener {
    /// A key log's `CLIENT_RANDOM` line.
    KeyLog,
    /// The server's private key decrypted the RSA pre-master secret.
    ServerPrivateKey,
    /// The master secret was given (a key log line, picked by the caller).
    MasterSecret,
    /// An ephemeral X25519 private key recomputed the ECDHE pre-master secret.
    EphemeralKey,
    /// A session ticket (RFC 5077) opened with the server's ticket keys.
    Ticket,
    /// A resumed session linked to the full handshake of an earlier connection in the same
    /// capture (its stream number), whose master secret it reuses.
    EarlierSession(usize),
}

/// One record as seen on the wire, and its plaintext if the observer could get it.
#[derive(Clone, Debug)]
pub struct ObservedRecord {
    /// The side that sent it.
    pub from: Side,
    /// The ContentType byte: 20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data.
    pub content_type: u8,
    /// The ProtocolVersion in the record header.
    pub version: u16,
    /// The whole record, header included.
    pub wire: Vec<u8>,
    /// Protected by the session keys.
    pub protected: bool,
    /// The plaintext: always for unprotected records; for protected ones only with the keys.
    pub plaintext: Option<Vec<u8>>,
}

/// Everything the observer learned.
#[derive(Default)]
pub struct Observation {
    /// Every record of the recording, in order.
    pub records: Vec<ObservedRecord>,
    /// Handshake messages it could read, in order: (sender, type, whole message).
    pub messages: Vec<(Side, HandshakeType, Vec<u8>)>,
    /// The ClientHello, decoded.
    pub client_hello: Option<ClientHello>,
    /// The ServerHello, decoded.
    pub server_hello: Option<ServerHello>,
    /// The suite the ServerHello chose, if this program implements it.
    pub suite: Option<CipherSuite>,
    /// The protocol version the server chose (its ServerHello, or the ServerHello's
    /// supported_versions for TLS 1.3).
    pub version: Option<u16>,
    /// Both hellos carried extended_master_secret (RFC 7627).
    pub extended_master_secret: bool,
    /// Both hellos carried encrypt_then_mac and the suite is CBC (RFC 7366).
    pub encrypt_then_mac: bool,
    /// The server's certificate chain (DER): sent in the clear, so anyone on the path has it.
    pub server_certificates: Vec<Vec<u8>>,
    /// The ServerKeyExchange (ECDHE): the server's ephemeral key and its signature.
    pub server_key_exchange: Option<ServerKeyExchange>,
    /// Whether the ServerKeyExchange signature verifies with the certificate's public key.
    pub server_key_exchange_signature_ok: Option<bool>,
    /// Mutual TLS: the client's certificate chain (DER), sent in the clear too.
    pub client_certificates: Vec<Vec<u8>>,
    /// Mutual TLS: whether the client's CertificateVerify signature verifies with the public
    /// key of its certificate (the proof that the client holds the private key).
    pub certificate_verify_ok: Option<bool>,
    /// RSA key exchange: the encrypted pre-master secret from ClientKeyExchange.
    pub encrypted_pre_master: Option<Vec<u8>>,
    /// ECDHE: the client's ephemeral public key from ClientKeyExchange.
    pub client_ecdh_public: Option<Vec<u8>>,
    /// The pre-master secret, if the key held opened it.
    pub pre_master_secret: Option<Vec<u8>>,
    /// The session hash (RFC 7627 3): the transcript hash up to and including
    /// ClientKeyExchange, when extended_master_secret is in use.
    pub session_hash: Option<Vec<u8>>,
    /// The master secret: derived from the pre-master secret, or given by the key log.
    pub master_secret: Option<Vec<u8>>,
    /// Where the master secret came from.
    pub opened_by: Option<Opener>,
    /// Why the session's protected records could not be opened, when they could not.
    pub not_opened: Option<Phrase>,
    /// The key block the master secret expands to (RFC 5246 6.3).
    pub key_block: Option<Vec<u8>>,
    /// verify_data as sent in the client's Finished.
    pub client_verify_data: Option<[u8; 12]>,
    /// verify_data as sent in the server's Finished.
    pub server_verify_data: Option<[u8; 12]>,
    /// verify_data the client's Finished should carry, computed by the observer from the master
    /// secret and the transcript.
    pub expected_client_verify_data: Option<[u8; 12]>,
    /// verify_data the server's Finished should carry, computed by the observer.
    pub expected_server_verify_data: Option<[u8; 12]>,
    /// The application data it could decrypt, with its sender.
    pub application_data: Vec<(Side, Vec<u8>)>,
    /// The alerts it could read, with their sender.
    pub alerts: Vec<(Side, Alert)>,
    /// Protected records the observer could not open.
    pub unreadable_records: usize,
    /// What this connection uses that this program does not speak (a version, a suite,
    /// renegotiation), in words; the records after that point are listed, not opened.
    pub unsupported: Option<Phrase>,
    /// The server resumed an earlier session (an abbreviated handshake, RFC 5246 7.3).
    pub resumed: bool,
    /// The earlier connection of the same capture (its stream number) whose full handshake
    /// made the session this one resumes, found by the ticket offered or the session_id echoed;
    /// known with or without keys.
    pub resumes: Option<usize>,
    /// A second handshake began inside the connection (renegotiation, RFC 5746).
    pub renegotiation: bool,
    /// Where the observer stopped following the connection, and why (bytes that are not TLS
    /// records, a gap in the capture).
    pub stopped: Option<Phrase>,
    /// Handshake messages it read but could not decode, each with the reason; they are shown
    /// undecoded and the observer goes on.
    pub undecoded: Vec<Phrase>,
    /// Session tickets seen in the clear: in NewSessionTicket, and in a ClientHello's
    /// session_ticket extension.
    pub tickets: Vec<Vec<u8>>,
    /// Tickets the observer opened (it holds the ticket keys), each giving a master secret.
    pub tickets_opened: usize,
}

impl Observation {
    /// Both Finished messages were read and each equals what the observer computed: the keys
    /// are right, and both sides saw the same handshake.
    pub fn finished_verified(&self) -> bool {
        self.client_verify_data.is_some()
            && self.server_verify_data.is_some()
            && self.client_verify_data == self.expected_client_verify_data
            && self.server_verify_data == self.expected_server_verify_data
    }
}

/// One direction, as the observer follows it.
enum Stream {
    Plaintext,
    Keys(Direction),
    /// Protected, and we do not have the keys (or do not speak the protection).
    Opaque,
}

struct State<'a> {
    key: ObserverKey<'a>,
    obs: Observation,
    transcript: Transcript,
    streams: [Stream; 2],
    pending: [Option<Direction>; 2],
    handshake_bytes: [Vec<u8>; 2],
    trace: Trace,
    /// Who sent the last record: a record from the other side starts a new flight.
    last_sender: Option<Side>,
    /// Each side's Finished has been read (a ClientHello after both is renegotiation).
    finished: [bool; 2],
    /// Protected records not opened in a row, from the last sender: told as one note.
    sealed_run: (usize, usize),
    /// What the receiver of the record being read checks once it has it (a Finished, a
    /// signature): traced after the record, as the receiver would.
    after_record: Vec<Event>,
    /// Protected records each direction sent that the observer could not open (its next
    /// record's sequence number, once it learns the keys late, from a ticket).
    opaque_records: [u64; 2],
    /// A master secret from a ticket opened before the keys could be derived.
    master_from_ticket: Option<Vec<u8>>,
    /// The reason last given for protected records not opened (said in full once).
    sealed_reason_said: Option<Phrase>,
    /// The sessions of earlier connections in the same capture, to link a resumed one to.
    earlier: Option<&'a EarlierSessions>,
}

/// The sessions earlier connections of a capture set up, by what a later connection names to
/// resume one: the session_id the server gave, or a ticket it issued (RFC 5077); each with the
/// stream number of the full handshake that made it and, when that connection was opened and
/// its Finished verified, its master secret.
#[derive(Default)]
pub struct EarlierSessions {
    by_id: HashMap<Vec<u8>, Earlier>,
    by_ticket: HashMap<Vec<u8>, Earlier>,
}

/// One session of an earlier connection: the stream of its full handshake, its master secret.
#[derive(Clone)]
struct Earlier {
    stream: usize,
    master_secret: Option<Vec<u8>>,
}

impl EarlierSessions {
    /// Remembers the session of a connection: by its session_id and by the tickets the server
    /// issued in it. A resumed connection's session is its full handshake's, so it is
    /// remembered under that stream (a renewed ticket leads back to the same full handshake).
    pub fn remember(&mut self, observation: &Observation, stream: usize) {
        let (Some(client), Some(server)) = (&observation.client_hello, &observation.server_hello)
        else {
            return;
        };
        let verified = observation.finished_verified();
        let session = Earlier {
            stream: observation.resumes.unwrap_or(stream),
            master_secret: observation.master_secret.clone().filter(|_| verified),
        };
        if !server.session_id.is_empty() {
            remember_one(&mut self.by_id, &server.session_id, &session);
        }
        let offered = client.extensions.session_ticket.as_ref();
        for ticket in observation.tickets.iter().filter(|t| Some(*t) != offered) {
            remember_one(&mut self.by_ticket, ticket, &session);
        }
    }

    /// The earlier session a resumed connection took up: by the ticket it offered, or by the
    /// session_id the server echoed.
    fn find(&self, client: &ClientHello, server: &ServerHello) -> Option<&Earlier> {
        let by_ticket = (client.extensions.session_ticket.as_ref())
            .filter(|t| !t.is_empty())
            .and_then(|t| self.by_ticket.get(t));
        let echoed = !server.session_id.is_empty() && server.session_id == client.session_id;
        by_ticket.or_else(|| echoed.then(|| self.by_id.get(&server.session_id)).flatten())
    }
}

/// The first connection to name a session keeps it, unless a later one has the master secret
/// the first could not give.
fn remember_one(sessions: &mut HashMap<Vec<u8>, Earlier>, name: &[u8], session: &Earlier) {
    match sessions.get_mut(name) {
        Some(known) if known.master_secret.is_none() && session.master_secret.is_some() => {
            known.master_secret = session.master_secret.clone();
        }
        Some(_) => {}
        None => {
            sessions.insert(name.to_vec(), session.clone());
        }
    }
}

fn index(side: Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}

/// Follows a recorded connection given as flows (each a run of whole records of one side).
pub fn observe(flows: &[Flow], key: ObserverKey<'_>) -> Result<Observation, Error> {
    let mut observer = Observer::new(key, false);
    for flow in flows {
        observer.feed(flow.from, &flow.bytes)?;
        match observer.waiting(flow.from) {
            0 => {}
            1..RECORD_HEADER_LEN => {
                return Err(Error::BadRecording(phrase!(
                    "recording ends inside a record header"
                )));
            }
            _ => {
                return Err(Error::BadRecording(phrase!(
                    "recording ends inside a record"
                )));
            }
        }
    }
    Ok(observer.finish().0)
}

/// The observer of one connection, fed each side's bytes as they arrived: records are read
/// as soon as they are whole, and a record may arrive in any number of pieces.
pub struct Observer<'a> {
    state: State<'a>,
    /// Bytes of each side not yet making a whole record.
    partial: [Vec<u8>; 2],
}

impl<'a> Observer<'a> {
    /// An observer holding `key`; with `trace`, it records the events the renderers show.
    pub fn new(key: ObserverKey<'a>, trace: bool) -> Self {
        let mut state = State {
            key,
            obs: Observation::default(),
            transcript: Transcript::new(),
            streams: [Stream::Plaintext, Stream::Plaintext],
            pending: [None, None],
            handshake_bytes: [Vec::new(), Vec::new()],
            trace: Trace::new(trace),
            last_sender: None,
            finished: [false, false],
            sealed_run: (0, 0),
            after_record: Vec::new(),
            opaque_records: [0, 0],
            master_from_ticket: None,
            sealed_reason_said: None,
            earlier: None,
        };
        state.trace.note(Side::Client, || {
            phrase!(
                "recorded, not simulated: every record below was captured on the wire. Each is \
                 shown as its sender sent it; every secret and check is the observer's own \
                 computation, filed under the side that made it in the real connection"
            )
        });
        Observer {
            state,
            partial: [Vec::new(), Vec::new()],
        }
    }

    /// An observer that links a resumed session to `earlier` connections of the same capture
    /// when no key it holds gives the master secret.
    pub fn linking(mut self, earlier: &'a EarlierSessions) -> Self {
        self.state.earlier = Some(earlier);
        self
    }

    /// The next `bytes` that `from` sent. Whole records are read at once; the rest waits for
    /// more. Once the observer has stopped (see [`Observation::stopped`]) it ignores the rest;
    /// the error that stopped it is returned once.
    pub fn feed(&mut self, from: Side, bytes: &[u8]) -> Result<(), Error> {
        if self.state.obs.stopped.is_some() {
            return Ok(());
        }
        let d = index(from);
        self.partial[d].extend_from_slice(bytes);
        let buffer = std::mem::take(&mut self.partial[d]);
        let mut at = 0;
        let result = loop {
            let Some(header) = buffer.get(at..at + RECORD_HEADER_LEN) else {
                break Ok(());
            };
            if let Some(why) = not_a_record(header) {
                break Err(Error::BadRecording(why));
            }
            let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
            let Some(record) = buffer.get(at..at + RECORD_HEADER_LEN + len) else {
                break Ok(());
            };
            if let Err(e) = self.state.record(from, record) {
                break Err(e);
            }
            at += record.len();
        };
        self.partial[d] = buffer;
        self.partial[d].drain(..at);
        result.inspect_err(|e| self.state.stop(from, e.reason()))
    }

    /// A hole in what `from` sent (the capture lost a segment): its later bytes cannot be cut
    /// into records, so the observer stops following the connection here.
    pub fn gap(&mut self, from: Side, missing: u64) {
        if self.state.obs.stopped.is_none() {
            self.state.stop(
                from,
                phrase!(
                    "{} bytes the {} sent are missing from the capture: its records cannot be \
                     told apart after them",
                    missing,
                    from.phrase()
                ),
            );
        }
    }

    /// How many bytes of `from` wait for the rest of their record.
    pub fn waiting(&self, from: Side) -> usize {
        self.partial[index(from)].len()
    }

    /// Everything learned, and the events recorded (empty without `trace`). Bytes still
    /// waiting for the rest of their record are noted: the capture ended inside a record.
    pub fn finish(mut self) -> (Observation, Vec<Event>) {
        self.state.end_sealed_run();
        for side in [Side::Client, Side::Server] {
            let waiting = self.partial[index(side)].len();
            if waiting > 0 && self.state.obs.stopped.is_none() {
                self.state.trace.note(side, || {
                    phrase!(
                        "the capture ends inside a record: {} bytes of it arrived",
                        waiting
                    )
                });
            }
        }
        (self.state.obs, self.state.trace.take())
    }
}

/// Why a record header cannot be one, if it cannot: a content type that TLS does not have, a
/// version that is not 3.x, or a length over the largest record (RFC 5246 6.2.3).
fn not_a_record(header: &[u8]) -> Option<Phrase> {
    let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
    if header[0] & 0x80 != 0 && header[2] == 1 {
        return Some(phrase!(
            "an SSL 2.0-format ClientHello: this program reads TLS records only"
        ));
    }
    if !(CHANGE_CIPHER_SPEC..=APPLICATION_DATA).contains(&header[0]) || header[1] != 3 {
        return Some(phrase!(
            "bytes that are not a TLS record header: {}",
            hex::encode(header)
        ));
    }
    (len > MAX_CIPHERTEXT).then(|| {
        phrase!(
            "a record length of {} bytes, over the largest a record may have ({})",
            len,
            MAX_CIPHERTEXT
        )
    })
}

impl State<'_> {
    /// Stops following the connection: why, said once, under the side it concerns.
    fn stop(&mut self, side: Side, why: Phrase) {
        self.end_sealed_run();
        let shown = why.clone();
        self.trace.note(side, || {
            phrase!(
                "the observer stops following the connection here: {}",
                shown
            )
        });
        self.obs.stopped = Some(why);
    }

    /// One whole record from `from`: opened if the observer can, then what it carries.
    fn record(&mut self, from: Side, record: &[u8]) -> Result<(), Error> {
        if self.last_sender != Some(from) {
            self.end_sealed_run();
            self.last_sender = Some(from);
            self.trace.push(|| Event::Flight {
                side: from,
                call: match from {
                    Side::Client => "recorded client flight",
                    Side::Server => "recorded server flight",
                },
                reads: "",
                sends: "",
            });
        }
        let content_type = record[0];
        let version = u16::from_be_bytes([record[1], record[2]]);
        let (protected, opened) = self.open(from, content_type, version, record)?;
        let plaintext = opened.as_ref().map(|(plaintext, _)| plaintext.clone());
        self.obs.records.push(ObservedRecord {
            from,
            content_type,
            version,
            wire: record.to_vec(),
            protected,
            plaintext: plaintext.clone(),
        });
        let Some((plaintext, protection)) = opened else {
            self.obs.unreadable_records += 1;
            self.opaque_records[index(from)] += 1;
            self.sealed_run.0 += 1;
            self.sealed_run.1 += record.len();
            return Ok(());
        };
        self.end_sealed_run();
        // The sender traces a record's messages before the record, and application data after.
        if content_type != APPLICATION_DATA {
            self.content(from, content_type, &plaintext)?;
        }
        let (gcm, cbc) = protection.map_or((None, None), |p| p.details(&plaintext));
        let tag = gcm.as_ref().map(|g| g.tag.clone());
        self.trace.push(|| Event::Record {
            side: from,
            from,
            content_type,
            version,
            wire: record.to_vec(),
            gcm,
            cbc,
        });
        for event in std::mem::take(&mut self.after_record) {
            self.trace.push(|| event);
        }
        if content_type == APPLICATION_DATA {
            self.application_data(from, plaintext, tag);
        }
        Ok(())
    }

    /// An event the receiver of the record being read logs once it has read it.
    fn after_record(&mut self, make: impl FnOnce() -> Event) {
        if self.trace.enabled() {
            self.after_record.push(make());
        }
    }

    /// The record's content: in the clear, or opened with the session keys (and how). `None`
    /// when it is protected and cannot be opened. A record the keys do not open (a bad tag:
    /// the wrong master secret) leaves its direction opaque, said once.
    #[allow(clippy::type_complexity)]
    fn open(
        &mut self,
        from: Side,
        content_type: u8,
        version: u16,
        record: &[u8],
    ) -> Result<(bool, Option<(Vec<u8>, Option<Protection>)>), Error> {
        let d = index(from);
        let mut fragment = record[RECORD_HEADER_LEN..].to_vec();
        if self.mid_connection(from, content_type, &fragment) {
            return Ok((true, None));
        }
        let Stream::Keys(direction) = &mut self.streams[d] else {
            return Ok(match self.streams[d] {
                Stream::Plaintext => (false, Some((fragment, None))),
                _ => (true, None),
            });
        };
        match direction.open_in_place(content_type, version, &mut fragment) {
            Ok((range, protection)) => Ok((true, Some((fragment[range].to_vec(), protection)))),
            Err(e) => {
                self.streams[d] = Stream::Opaque;
                let reason = e.reason();
                self.trace.check(from.peer(), false, || {
                    phrase!(
                        "the session keys do not open this record of the {} ({}): the master \
                         secret is not this session's",
                        from.phrase(),
                        reason.clone()
                    )
                });
                // Said of the session, not of this record: it explains the other side's
                // records too.
                self.obs.not_opened.get_or_insert_with(|| {
                    phrase!(
                        "the session keys do not open the {}'s first protected record ({}): the \
                         master secret is not this session's",
                        from.phrase(),
                        reason
                    )
                });
                Ok((true, None))
            }
        }
    }

    /// Whether this record shows that the capture began after the connection did: a client
    /// whose first record is not a ClientHello, or application data before any
    /// ChangeCipherSpec (in TLS 1.2 it is always protected). Then both directions are
    /// opaque: without the hellos there are no keys to derive. (A bare 2-byte alert, as a
    /// server sends to a client that says nothing, is read.)
    fn mid_connection(&mut self, from: Side, content_type: u8, fragment: &[u8]) -> bool {
        if !matches!(self.streams[index(from)], Stream::Plaintext) {
            return false;
        }
        let hello = content_type == HANDSHAKE && fragment.first() == Some(&1);
        let bare_alert = content_type == ALERT && fragment.len() == 2;
        let before_hello = self.obs.client_hello.is_none() && !hello && !bare_alert;
        if !before_hello && content_type != APPLICATION_DATA {
            return false;
        }
        self.streams = [Stream::Opaque, Stream::Opaque];
        self.obs.not_opened.get_or_insert_with(|| {
            phrase!(
                "the capture starts in the middle of the connection: without its hellos there \
                 are no keys to derive, and its records cannot be told apart from protected ones"
            )
        });
        true
    }

    /// Protected records not opened, told as one note per run of them.
    fn end_sealed_run(&mut self) {
        let (records, bytes) = std::mem::take(&mut self.sealed_run);
        if let (Some(from), true) = (self.last_sender, records > 0) {
            let why = (self.obs.unsupported.clone())
                .or_else(|| self.obs.not_opened.clone())
                .unwrap_or_else(|| {
                    phrase!("the observer holds no key for this session (--keylog, --key)")
                });
            // The reason in full the first time; after that, the count and where it was said.
            let said_before = self.sealed_reason_said.as_ref() == Some(&why);
            self.sealed_reason_said = Some(why.clone());
            self.trace.note(from, || match (records, said_before) {
                (1, true) => phrase!(
                    "1 protected record ({} bytes) from the {}, not opened, for the reason above",
                    bytes,
                    from.phrase()
                ),
                (1, false) => phrase!(
                    "1 protected record ({} bytes) from the {}, not opened: {}",
                    bytes,
                    from.phrase(),
                    why
                ),
                (_, true) => phrase!(
                    "{} protected records ({} bytes) from the {}, not opened, for the reason \
                     above",
                    records,
                    bytes,
                    from.phrase()
                ),
                (_, false) => phrase!(
                    "{} protected records ({} bytes) from the {}, not opened: {}",
                    records,
                    bytes,
                    from.phrase(),
                    why
                ),
            });
        }
    }

    fn content(&mut self, from: Side, content_type: u8, plaintext: &[u8]) -> Result<(), Error> {
        let d = index(from);
        match content_type {
            CHANGE_CIPHER_SPEC => self.change_cipher_spec(from, plaintext)?,
            HANDSHAKE => {
                self.handshake_bytes[d].extend_from_slice(plaintext);
                while let Some(message) = take_handshake_message(&mut self.handshake_bytes[d])? {
                    self.message(from, message)?;
                }
            }
            ALERT => {
                if let Ok(alert) = Alert::decode(plaintext) {
                    self.trace.push(|| Event::Alert {
                        side: from,
                        from,
                        level: alert.level,
                        description: alert.description,
                    });
                    self.obs.alerts.push((from, alert));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// ChangeCipherSpec (RFC 5246 7.1): from the sender's next record on, its keys apply.
    fn change_cipher_spec(&mut self, from: Side, plaintext: &[u8]) -> Result<(), Error> {
        // Its one byte is always 1: the fields are those of the one ChangeCipherSpec there is.
        let labelled = ChangeCipherSpec::decode(plaintext).and_then(|ccs| ccs.encode());
        if let Ok(Labelled { fields, .. }) = labelled {
            self.trace.push(|| Event::Message {
                side: from,
                from,
                name: "ChangeCipherSpec".into(),
                rfc: "RFC 5246 7.1",
                bytes: plaintext.to_vec(),
                fields,
            });
        }
        self.abbreviated_without_echo()?;
        let d = index(from);
        self.streams[d] = match self.pending[d].take() {
            Some(direction) => {
                self.trace.key_use(from, Key::SessionKeys, || {
                    phrase!(
                        "{}_write_key protects every record {} sends from here on",
                        from.name(),
                        from.phrase()
                    )
                });
                Stream::Keys(direction)
            }
            None => Stream::Opaque,
        };
        Ok(())
    }

    /// Application data: its sender wrote it, its receiver read it (both are traced, as a
    /// simulated run traces them).
    fn application_data(&mut self, from: Side, plaintext: Vec<u8>, tag: Option<Vec<u8>>) {
        for side in [from, from.peer()] {
            self.trace.push(|| Event::AppData {
                side,
                from,
                data: plaintext.clone(),
                record_tag: tag.clone(),
            });
        }
        self.obs.application_data.push((from, plaintext));
    }

    /// One whole handshake message from `from`.
    fn message(&mut self, from: Side, message: Vec<u8>) -> Result<(), Error> {
        let code = message[0];
        let msg_type = HandshakeType::from_code(code);
        // HelloRequest is no part of the transcript (RFC 5246 7.4.1.1).
        if msg_type == Some(HandshakeType::HelloRequest) {
            if self.finished == [true, true] {
                self.renegotiation_begins(from, HandshakeType::HelloRequest);
            }
            let decoded = HelloRequest::decode(&message).map(|(_, fields)| fields);
            self.trace_message(from, code, &message, decoded);
            return Ok(());
        }
        if msg_type == Some(HandshakeType::ClientHello) && self.finished == [true, true] {
            self.renegotiation_begins(from, HandshakeType::ClientHello);
        }
        if self.obs.renegotiation {
            // The second handshake is shown, not followed: its keys are not derived here.
            let fields = generic_fields(&message);
            self.trace_message(from, code, &message, fields);
            return Ok(());
        }
        // Finished is checked against the transcript *before* it; CertificateVerify signs it.
        if msg_type == Some(HandshakeType::Finished) {
            self.finished(from, &message);
        }
        let signed = (msg_type == Some(HandshakeType::CertificateVerify))
            .then(|| self.transcript.bytes().to_vec());
        self.transcript.add(&message);
        let fields = self.decode(from, msg_type, &message);
        self.trace_message(from, code, &message, fields);
        if let Some(signed) = signed {
            self.certificate_verify(&message, &signed);
        }
        if let Some(msg_type) = msg_type {
            self.obs.messages.push((from, msg_type, message.clone()));
        }
        match msg_type {
            Some(HandshakeType::ServerHello) => self.after_server_hello()?,
            Some(HandshakeType::ClientKeyExchange) => self.client_key_exchange(&message)?,
            Some(HandshakeType::NewSessionTicket) => {
                if let Some(master) = self.master_from_ticket.take() {
                    self.learn_master_secret(master, Opener::Ticket)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The message with its labelled fields, as its sender traced it; a message that could
    /// not be decoded is shown with its header and its body undecoded, and why.
    fn trace_message(
        &mut self,
        from: Side,
        code: u8,
        message: &[u8],
        fields: Result<Vec<Field>, Error>,
    ) {
        let fields = match fields {
            Ok(fields) => fields,
            Err(e) => {
                let why = phrase!(
                    "{} is shown undecoded: {}",
                    handshake_type_name(code),
                    e.reason()
                );
                self.trace.note(from, || why.clone());
                self.obs.undecoded.push(why);
                generic_fields(message).unwrap_or_default()
            }
        };
        let (name, rfc) = match HandshakeType::from_code(code) {
            Some(t) => (t.name().to_string(), t.rfc()),
            None => (handshake_type_name(code), "RFC 5246 7.4"),
        };
        self.trace.push(|| Event::Message {
            side: from,
            from,
            name,
            rfc,
            bytes: message.to_vec(),
            fields,
        });
    }

    /// Decodes a message of a known type, keeping what later steps need, and returns its
    /// labelled fields; an error is a message shown undecoded. Once the connection uses what
    /// this program does not speak, its key exchange messages are not decoded.
    fn decode(
        &mut self,
        from: Side,
        msg_type: Option<HandshakeType>,
        message: &[u8],
    ) -> Result<Vec<Field>, Error> {
        let key_exchange_known = self.obs.unsupported.is_none();
        match msg_type {
            Some(HandshakeType::ClientHello) => {
                ClientHello::decode(message).map(|(hello, fields)| {
                    if let Some(ticket) = hello.extensions.session_ticket.clone() {
                        self.ticket(ticket);
                    }
                    self.obs.client_hello = Some(hello);
                    fields
                })
            }
            Some(HandshakeType::NewSessionTicket) => {
                NewSessionTicket::decode(message).map(|(ticket, fields)| {
                    self.ticket(ticket.ticket);
                    fields
                })
            }
            Some(HandshakeType::ServerHello) => {
                ServerHello::decode(message).map(|(hello, fields)| {
                    self.obs.server_hello = Some(hello);
                    fields
                })
            }
            Some(HandshakeType::Certificate) => {
                Certificate::decode(message).map(|(certificate, fields)| {
                    match from {
                        Side::Server => self.obs.server_certificates = certificate.certificate_list,
                        Side::Client => self.obs.client_certificates = certificate.certificate_list,
                    }
                    fields
                })
            }
            Some(HandshakeType::ServerKeyExchange) if key_exchange_known => {
                ServerKeyExchange::decode(message).map(|(exchange, fields)| {
                    self.server_key_exchange(exchange);
                    fields
                })
            }
            Some(HandshakeType::CertificateRequest) if key_exchange_known => {
                CertificateRequest::decode(message).map(|(_, fields)| fields)
            }
            Some(HandshakeType::ServerHelloDone) => {
                ServerHelloDone::decode(message).map(|(_, fields)| fields)
            }
            Some(HandshakeType::CertificateVerify) if key_exchange_known => {
                CertificateVerify::decode(message).map(|(_, fields)| fields)
            }
            Some(HandshakeType::ClientKeyExchange) if key_exchange_known => {
                self.decode_client_key_exchange(message)
            }
            Some(HandshakeType::Finished) => Finished::decode(message).map(|(_, fields)| fields),
            _ => generic_fields(message),
        }
    }

    /// What the ServerHello settled: the version, the suite, extended master secret, a
    /// resumed session; anything this program does not speak is named here, and the records
    /// after it are listed, not opened.
    fn after_server_hello(&mut self) -> Result<(), Error> {
        let (Some(client), Some(server)) = (&self.obs.client_hello, &self.obs.server_hello) else {
            self.unsupported(phrase!("a ServerHello without a ClientHello before it"));
            return Ok(());
        };
        let offered_ems = client.extensions.extended_master_secret;
        self.obs.extended_master_secret = offered_ems && server.extensions.extended_master_secret;
        self.obs.suite = CipherSuite::from_id(server.cipher_suite);
        // RFC 7366 3: encrypt-then-MAC is in force when both hellos carry it, for a CBC suite.
        let etm = |types: Vec<u16>| types.contains(&extensions::ENCRYPT_THEN_MAC);
        self.obs.encrypt_then_mac = etm(client.extensions.types())
            && etm(server.extensions.types())
            && self.obs.suite.is_some_and(CipherSuite::is_cbc);
        let resumed = !server.session_id.is_empty() && server.session_id == client.session_id;
        let (version, suite_id) = (server.server_version, server.cipher_suite);
        if server.extensions.other.contains(&SUPPORTED_VERSIONS) {
            // A TLS 1.2 ServerHello never carries supported_versions (RFC 8446 4.2.1).
            self.obs.version = Some(0x0304);
            self.unsupported(phrase!(
                "TLS 1.3: the ServerHello's supported_versions chose it; this program speaks \
                 TLS 1.2 only, and TLS 1.3 encrypts everything after the ServerHello with keys \
                 of its own"
            ));
            return Ok(());
        }
        self.obs.version = Some(version);
        if version != TLS1_2 {
            self.unsupported(phrase!(
                "{}: the server chose it; this program speaks TLS 1.2 only, so its records \
                 are not opened (the messages before ChangeCipherSpec are shown as TLS 1.2 \
                 would read them; their format is the same)",
                version_name(version)
            ));
        } else if let Some(why) = unsupported_protection(suite_id) {
            self.unsupported(why);
        } else if self.obs.suite.is_none() {
            self.unsupported(phrase!(
                "the server chose {}: not implemented here, so its key exchange is not \
                 decoded",
                describe_suite_id(suite_id)
            ));
        } else if resumed {
            self.resumed_session()?;
        }
        Ok(())
    }

    /// Names what the connection uses that this program does not speak: from here on its
    /// records are listed, not opened.
    fn unsupported(&mut self, why: Phrase) {
        let shown = why.clone();
        self.trace
            .note(Side::Server, || phrase!("not followed here: {}", shown));
        self.obs.unsupported = Some(why);
        self.pending = [None, None];
        if self.obs.version == Some(0x0304) {
            self.streams = [Stream::Opaque, Stream::Opaque];
        }
    }

    /// An abbreviated handshake (RFC 5246 7.3): the server took up the session the client
    /// named, so there is no key exchange; the master secret is the earlier session's, from
    /// the key log or from the ticket the client offered.
    fn resumed_session(&mut self) -> Result<(), Error> {
        self.obs.resumed = true;
        self.link_to_earlier_connection();
        match self.resumed_master_secret() {
            Some((master, opener)) => {
                self.trace.note(Side::Server, || match opener {
                    Opener::EarlierSession(stream) => phrase!(
                        "a resumed session: the server took up the session the client named, \
                         with its master secret; this one comes from the full handshake of \
                         connection {} in this capture",
                        stream
                    ),
                    Opener::Ticket => phrase!(
                        "a resumed session: the server took up the session the client named, \
                         with its master secret; this one comes from the ticket, opened with \
                         the ticket keys"
                    ),
                    _ => phrase!(
                        "a resumed session: the server took up the session the client named, \
                         with its master secret; this one comes from the key log"
                    ),
                });
                self.learn_master_secret(master, opener)
            }
            None => {
                let why = match self.obs.resumes {
                    Some(stream) => phrase!(
                        "resumed session: connection {} made it, but that connection was not \
                         opened, so its master secret is not known here; the key log line of \
                         either connection's client_random, or the key that opens connection {}, \
                         opens this one too",
                        stream,
                        stream
                    ),
                    None => link_resumed_session(),
                };
                self.trace.note(Side::Server, || why.clone());
                self.obs.not_opened = Some(why);
                Ok(())
            }
        }
    }

    /// The master secret of a resumed session, if the observer holds it: given, in the key
    /// log under this client random, or inside the ticket the client offered.
    fn resumed_master_secret(&mut self) -> Option<(Vec<u8>, Opener)> {
        let client_random = self.obs.client_hello.as_ref().map(|c| c.random);
        let given = match (&self.key, client_random) {
            (ObserverKey::MasterSecret(master), _) => Some((master.to_vec(), Opener::MasterSecret)),
            (ObserverKey::KeyLog { keylog, .. }, Some(random)) => keylog
                .master_secret(&random)
                .map(|master| (master.to_vec(), Opener::KeyLog)),
            _ => self
                .master_from_ticket
                .take()
                .map(|master| (master, Opener::Ticket)),
        };
        given.or_else(|| {
            let earlier = self.linked()?;
            let master = earlier.master_secret.clone()?;
            Some((master, Opener::EarlierSession(earlier.stream)))
        })
    }

    /// The earlier session of the same capture that this resumed connection takes up, if the
    /// capture holds its full handshake.
    fn linked(&self) -> Option<&Earlier> {
        let (client, server) = (
            self.obs.client_hello.as_ref()?,
            self.obs.server_hello.as_ref()?,
        );
        self.earlier?.find(client, server)
    }

    /// Names the earlier connection whose session this one resumes, whatever key opens it.
    fn link_to_earlier_connection(&mut self) {
        let Some(stream) = self.linked().map(|earlier| earlier.stream) else {
            return;
        };
        self.obs.resumes = Some(stream);
        self.trace.note(Side::Server, || {
            phrase!(
                "the session resumed here was made by the full handshake of connection {} in \
                 this capture (the ticket or session_id is the one given there)",
                stream
            )
        });
    }

    /// A ChangeCipherSpec with no key exchange before it: an abbreviated handshake the
    /// session_id did not announce (a client may send a ticket with an empty session_id, RFC
    /// 5077 3.4); the master secret, if the observer has it, makes the keys now.
    fn abbreviated_without_echo(&mut self) -> Result<(), Error> {
        let key_exchange_seen =
            self.obs.encrypted_pre_master.is_some() || self.obs.client_ecdh_public.is_some();
        if key_exchange_seen
            || self.obs.master_secret.is_some()
            || self.obs.server_hello.is_none()
            || self.obs.suite.is_none()
            || self.obs.unsupported.is_some()
            || self.obs.renegotiation
            || self.pending.iter().any(Option::is_some)
        {
            return Ok(());
        }
        match self.resumed_master_secret() {
            Some((master, opener)) => {
                self.obs.resumed = true;
                self.link_to_earlier_connection();
                self.learn_master_secret(master, opener)
            }
            None => Ok(()),
        }
    }

    /// A ticket seen in the clear; with the ticket keys, the master secret inside (kept for
    /// when the randoms make it usable).
    fn ticket(&mut self, ticket: Vec<u8>) {
        if ticket.is_empty() {
            return;
        }
        if let ObserverKey::TicketKeys(keys) = &self.key
            && let Ok(opened) = keys.open_any_age(&ticket)
        {
            self.obs.tickets_opened += 1;
            self.master_from_ticket = Some(opened.session.master_secret.to_vec());
        }
        self.obs.tickets.push(ticket);
    }

    /// A master secret learned without a key exchange (a resumed session, or a ticket opened
    /// after the fact): traced as given, then the session keys.
    fn learn_master_secret(&mut self, master: Vec<u8>, opener: Opener) -> Result<(), Error> {
        let Some(suite) = self.obs.suite.filter(|_| self.obs.master_secret.is_none()) else {
            return Ok(());
        };
        self.trace_given_master(opener, &master);
        self.obs.not_opened = None;
        self.install_keys(suite, &master, opener)
    }

    /// A renegotiation (RFC 5746): a HelloRequest (the server asks for one), or a ClientHello
    /// after both Finished (a second handshake begins). Its messages are shown; its keys are
    /// not derived here.
    fn renegotiation_begins(&mut self, from: Side, by: HandshakeType) {
        if self.obs.renegotiation {
            return;
        }
        if by == HandshakeType::HelloRequest {
            self.trace.note(from, || {
                phrase!(
                    "HelloRequest: the server asks the client to start a new handshake \
                     (renegotiation, RFC 5246 7.4.1.1)"
                )
            });
            return;
        }
        self.obs.renegotiation = true;
        self.pending = [None, None];
        self.trace.note(from, || {
            phrase!(
                "renegotiation: a second handshake inside the protected connection (RFC \
                 5746); this program does not renegotiate: its messages are listed, not \
                 decoded, and the records after its ChangeCipherSpec are not opened"
            )
        });
    }

    // ---------------------------------------------------------------------------------------
    // The key exchange and the keys

    /// The ServerKeyExchange's signature, checked with the certificate's public key.
    fn server_key_exchange(&mut self, exchange: ServerKeyExchange) {
        let ok = self.check_signature(&exchange);
        self.obs.server_key_exchange_signature_ok = ok;
        self.obs.server_key_exchange = Some(exchange);
        if let Some(ok) = ok {
            self.after_record(|| Event::KeyUse {
                side: Side::Client,
                key: Key::ServerPublicKey,
                operation: phrase!("verifies the ServerKeyExchange signature (recorded)"),
            });
            self.after_record(|| Event::Check {
                side: Side::Client,
                what: phrase!(
                    "the ServerKeyExchange signature over client_random + server_random + \
                     ServerECDHParams, with the certificate's public key"
                ),
                ok,
            });
        }
    }

    /// Mutual TLS: the client's CertificateVerify (RFC 5246 7.4.8), its signature over every
    /// handshake message before it (`signed`), checked with the public key of the client's
    /// certificate, as the server checked it: the proof that the client holds the private key.
    fn certificate_verify(&mut self, message: &[u8], signed: &[u8]) {
        let Some((ok, scheme)) = self.check_certificate_verify(message, signed) else {
            return;
        };
        self.obs.certificate_verify_ok = Some(ok);
        self.after_record(|| Event::KeyUse {
            side: Side::Server,
            key: Key::ClientPublicKey,
            operation: phrase!("verifies the client's CertificateVerify signature (recorded)"),
        });
        let len = signed.len();
        self.after_record(|| Event::Check {
            side: Side::Server,
            what: phrase!(
                "the client's CertificateVerify: its {} signature over the {} bytes of handshake \
                 messages before it, with the public key of the client's certificate (the proof \
                 that the client holds its private key)",
                key_exchange::scheme_name(scheme),
                len
            ),
            ok,
        });
    }

    /// Whether the CertificateVerify's signature over `signed` verifies with the public key
    /// of the client's certificate, and its scheme; `None` without a certificate to check it
    /// with, or if the message does not decode (it is shown undecoded).
    fn check_certificate_verify(&self, message: &[u8], signed: &[u8]) -> Option<(bool, u16)> {
        let (verify, _) = CertificateVerify::decode(message).ok()?;
        let cert = pki::parse_certificate(self.obs.client_certificates.first()?).ok()?;
        let public_key = pki::rsa_public_key(&cert).ok()?;
        let scheme = verify.signed.scheme;
        let ok = key_exchange::verify(&public_key, scheme, signed, &verify.signed.signature);
        Some((ok.is_ok(), scheme))
    }

    /// The ClientKeyExchange as the suite's key exchange writes it.
    fn decode_client_key_exchange(&mut self, message: &[u8]) -> Result<Vec<Field>, Error> {
        match self.obs.suite.map(|s| s.key_exchange()) {
            Some(KeyExchange::Rsa) => RsaClientKeyExchange::decode(message).map(|(e, fields)| {
                self.obs.encrypted_pre_master = Some(e.encrypted_pre_master);
                fields
            }),
            Some(KeyExchange::Ecdhe) => {
                EcdheClientKeyExchange::decode(message).map(|(e, fields)| {
                    self.obs.client_ecdh_public = Some(e.public);
                    fields
                })
            }
            None => generic_fields(message),
        }
    }

    /// After ClientKeyExchange: the master secret, if the key held gives it, and the session
    /// keys, waiting for each side's ChangeCipherSpec.
    fn client_key_exchange(&mut self, _message: &[u8]) -> Result<(), Error> {
        let Some(suite) = self.obs.suite.filter(|_| self.obs.unsupported.is_none()) else {
            return Ok(());
        };
        let (client_random, server_random) = self.randoms()?;
        // The session hash covers the transcript up to and including this message.
        let session_hash = self.transcript.hash(suite.hash());
        if self.obs.extended_master_secret {
            let covers = self.transcript.covers();
            self.trace
                .value(Side::Client, "session_hash", &session_hash, || {
                    phrase!("{}({})", suite.hash().name(), covers)
                });
            self.obs.session_hash = Some(session_hash.clone());
        }
        let ems_hash = self
            .obs
            .extended_master_secret
            .then_some(session_hash.as_slice());
        let (master, opener) = match self.logged_master_secret(&client_random) {
            Some(master) => {
                self.trace_given_master(self.logged_opener(), &master);
                (master.to_vec(), self.logged_opener())
            }
            None => match self.pre_master_secret(suite)? {
                Some((pre_master, opener)) => {
                    let master = prf::derive_master_secret(
                        suite.hash(),
                        &pre_master,
                        ems_hash,
                        &client_random,
                        &server_random,
                    );
                    self.trace_derived_master(suite, &pre_master, &master[..]);
                    self.obs.pre_master_secret = Some(pre_master);
                    (master.to_vec(), opener)
                }
                None => {
                    self.no_key(suite);
                    return Ok(());
                }
            },
        };
        self.install_keys(suite, &master, opener)
    }

    /// The master secret the observer was given for this session, if it was.
    fn logged_master_secret(&self, client_random: &[u8; 32]) -> Option<[u8; 48]> {
        match &self.key {
            ObserverKey::MasterSecret(master) => Some(*master),
            ObserverKey::KeyLog { keylog, .. } => keylog.master_secret(client_random),
            _ => None,
        }
    }

    fn logged_opener(&self) -> Opener {
        match self.key {
            ObserverKey::MasterSecret(_) => Opener::MasterSecret,
            _ => Opener::KeyLog,
        }
    }

    /// Why no key the observer holds opens this session.
    fn no_key(&mut self, suite: CipherSuite) {
        if self.obs.not_opened.is_some() {
            return; // already said: the key given is not this server's
        }
        let server_key = matches!(
            self.key,
            ObserverKey::ServerPrivateKey(_)
                | ObserverKey::KeyLog {
                    server_key: Some(_),
                    ..
                }
        );
        let why = match (suite.key_exchange(), server_key) {
            (KeyExchange::Ecdhe, true) => phrase!(
                "forward secrecy: with ECDHE the server's private key only signed the ephemeral \
                 key, and the ephemeral keys are gone; only a key log (the master secret) opens \
                 this session"
            ),
            (_, _) if matches!(self.key, ObserverKey::KeyLog { .. }) => {
                phrase!("the key log has no CLIENT_RANDOM line for this session's client_random")
            }
            (KeyExchange::Ecdhe, false) => phrase!(
                "the observer holds no key for this session: an ECDHE session opens only with a \
                 key log (--keylog); the server's private key would not open it"
            ),
            (KeyExchange::Rsa, _) => phrase!(
                "the observer holds no key for this session (--keylog, or --key with the \
                 server's private key: RSA key exchange)"
            ),
        };
        let shown = why.clone();
        self.trace.note(Side::Client, || shown);
        self.obs.not_opened = Some(why);
    }

    /// The master secret, taken from the key log rather than derived.
    fn trace_given_master(&mut self, opener: Opener, master: &[u8]) {
        self.obs.opened_by = Some(opener);
        self.trace
            .secret(Side::Client, "master_secret", master, || match opener {
                Opener::EarlierSession(stream) => phrase!(
                    "from connection {} of this capture: the full handshake whose session this \
                     one resumes (the observer derives nothing before it)",
                    stream
                ),
                Opener::Ticket => phrase!(
                    "from the session ticket, opened with the server's ticket keys (RFC 5077): \
                     the observer derives nothing before it"
                ),
                _ => phrase!(
                    "from the key log: its CLIENT_RANDOM line for this client_random (the \
                     observer derives nothing before it)"
                ),
            });
    }

    /// The master secret derived from the pre-master secret (RFC 5246 8.1, RFC 7627 4).
    fn trace_derived_master(&mut self, suite: CipherSuite, pre_master: &[u8], master: &[u8]) {
        let hash = suite.hash();
        let extended = self.obs.extended_master_secret;
        self.trace
            .secret(Side::Server, "pre_master_secret", pre_master, || {
                phrase!("recomputed by the observer from the recorded key exchange")
            });
        self.trace
            .secret(Side::Server, "master_secret", master, || {
                prf::master_secret_formula(hash, extended)
            });
    }

    /// The key block and the session keys (RFC 5246 6.3), waiting for each side's
    /// ChangeCipherSpec.
    fn install_keys(
        &mut self,
        suite: CipherSuite,
        master: &[u8],
        opener: Opener,
    ) -> Result<(), Error> {
        let (client_random, server_random) = self.randoms()?;
        let (block, keys) = SessionKeys::derive(suite, master, &client_random, &server_random);
        conn::trace_session_keys(&mut self.trace, Side::Client, suite, &block, &keys);
        let etm = self.obs.encrypt_then_mac;
        let directions = [
            Direction::for_suite(suite, &keys, Side::Client, etm, None)?,
            Direction::for_suite(suite, &keys, Side::Server, etm, None)?,
        ];
        // A direction still in the clear switches at its ChangeCipherSpec; one that already
        // switched without keys (a ticket opened late) reads with them from its next record.
        for (d, mut direction) in directions.into_iter().enumerate() {
            match self.streams[d] {
                Stream::Plaintext => self.pending[d] = Some(direction),
                Stream::Opaque => {
                    direction.seq = self.opaque_records[d];
                    self.streams[d] = Stream::Keys(direction);
                }
                Stream::Keys(_) => {}
            }
        }
        self.obs.key_block = Some(block.to_vec());
        self.obs.master_secret = Some(master.to_vec());
        self.obs.opened_by = Some(opener);
        Ok(())
    }

    /// The pre-master secret, if the key the observer holds opens it: the server's private key
    /// decrypts an RSA key exchange; a side's ephemeral X25519 key opens ECDHE. (ECDHE: the
    /// server's private key only signed; it opens nothing.)
    fn pre_master_secret(
        &mut self,
        suite: CipherSuite,
    ) -> Result<Option<(Vec<u8>, Opener)>, Error> {
        let server_key = match &self.key {
            ObserverKey::ServerPrivateKey(key) => Some(*key),
            ObserverKey::KeyLog { server_key, .. } => *server_key,
            _ => None,
        };
        match (&self.key, server_key, suite.key_exchange()) {
            (_, Some(key), KeyExchange::Rsa) => {
                if let Some(why) = self.not_this_servers_key(key) {
                    let shown = why.clone();
                    self.trace.note(Side::Server, || shown);
                    self.obs.not_opened = Some(why);
                    return Ok(None);
                }
                // An observer needs no Bleichenbacher defence: it only wants the plaintext.
                let encrypted = self.obs.encrypted_pre_master.clone().unwrap_or_default();
                let mut rng = RoleRng::seeded(0, Side::Server);
                let pre_master = key
                    .decrypt_blinded(&mut rng, Pkcs1v15Encrypt, &encrypted)
                    .map_err(|e| {
                        Error::BadRecording(phrase!(
                            "cannot decrypt the pre-master: {}",
                            e.to_string()
                        ))
                    })?;
                if pre_master.len() != 48 {
                    let why = phrase!(
                        "the server's private key given decrypts the ClientKeyExchange to {} \
                         bytes, not a 48-byte pre-master secret (RFC 5246 7.4.7.1): it is not the \
                         key the client encrypted to",
                        pre_master.len()
                    );
                    let shown = why.clone();
                    self.trace.note(Side::Server, || shown);
                    self.obs.not_opened = Some(why);
                    return Ok(None);
                }
                self.trace.key_use(Side::Server, Key::ServerPrivateKey, || {
                    phrase!(
                        "decrypts the recorded pre-master secret: the observer holds this key, \
                         so it can do what the server did"
                    )
                });
                Ok(Some((pre_master, Opener::ServerPrivateKey)))
            }
            (ObserverKey::ClientEcdhPrivateKey(private), _, KeyExchange::Ecdhe) => {
                let server_public = self
                    .obs
                    .server_key_exchange
                    .as_ref()
                    .map(|ske| ske.params.public.clone())
                    .unwrap_or_default();
                let shared = key_exchange::x25519_shared_secret(private, &server_public)?;
                Ok(Some((shared.to_vec(), Opener::EphemeralKey)))
            }
            _ => Ok(None),
        }
    }

    /// Why `key` cannot be this server's, if the certificate it sent says so: a private key
    /// belongs to one public key, the one in the certificate (same modulus and exponent).
    fn not_this_servers_key(&self, key: &RsaPrivateKey) -> Option<Phrase> {
        let der = self.obs.server_certificates.first()?;
        if pki::key_matches_certificate(key, der) {
            return None;
        }
        // A certificate we cannot read proves nothing either way: nothing is said.
        let certified = pki::rsa_public_key(&pki::parse_certificate(der).ok()?).ok()?;
        Some(phrase!(
            "the server's private key given is not the one for this server's certificate (its \
             public half, a {}-bit modulus, is not the certificate's {}-bit one): it cannot \
             decrypt what the client encrypted to the certificate's public key",
            key.size() * 8,
            certified.size() * 8
        ))
    }

    /// A Finished: its verify_data against what the observer computes from the master secret
    /// and the transcript so far (RFC 5246 7.4.9), checked as its receiver checked it.
    fn finished(&mut self, from: Side, message: &[u8]) {
        self.finished[index(from)] = true;
        let Ok((finished, _)) = Finished::decode(message) else {
            return;
        };
        let expected = match (&self.obs.master_secret, self.obs.suite) {
            (Some(master), Some(suite)) => {
                let label = match from {
                    Side::Client => CLIENT_FINISHED,
                    Side::Server => SERVER_FINISHED,
                };
                Some(prf::verify_data(
                    suite.hash(),
                    master,
                    label,
                    &self.transcript.hash(suite.hash()),
                ))
            }
            _ => None,
        };
        if let Some(expected) = expected {
            let ok = expected == finished.verify_data;
            self.after_record(|| Event::Check {
                side: from.peer(),
                ok,
                what: phrase!(
                    "the {} Finished: verify_data {} as sent, {} as the observer computes it \
                     from the master secret and the recorded handshake",
                    from.phrase(),
                    hex::encode(finished.verify_data),
                    hex::encode(expected)
                ),
            });
        }
        match from {
            Side::Client => {
                self.obs.client_verify_data = Some(finished.verify_data);
                self.obs.expected_client_verify_data = expected;
            }
            Side::Server => {
                self.obs.server_verify_data = Some(finished.verify_data);
                self.obs.expected_server_verify_data = expected;
            }
        }
    }

    /// Verifies a ServerKeyExchange signature with the public key of the server's certificate.
    fn check_signature(&self, exchange: &ServerKeyExchange) -> Option<bool> {
        let (client_random, server_random) = self.randoms().ok()?;
        let cert = pki::parse_certificate(self.obs.server_certificates.first()?).ok()?;
        let public_key = pki::rsa_public_key(&cert).ok()?;
        let signed = exchange
            .params
            .signed_bytes(&client_random, &server_random)
            .ok()?;
        Some(
            key_exchange::verify(
                &public_key,
                exchange.signed_params.scheme,
                &signed,
                &exchange.signed_params.signature,
            )
            .is_ok(),
        )
    }

    fn randoms(&self) -> Result<([u8; 32], [u8; 32]), Error> {
        match (&self.obs.client_hello, &self.obs.server_hello) {
            (Some(c), Some(s)) => Ok((c.random, s.random)),
            _ => Err(Error::BadRecording(phrase!(
                "key exchange before both hellos"
            ))),
        }
    }
}

/// A handshake message this program does not decode: its header labelled, its body as it is.
fn generic_fields(message: &[u8]) -> Result<Vec<Field>, Error> {
    let mut r = Reader::new(message);
    r.u8("msg_type")?;
    r.begin_u24("length")?;
    r.rest("body (not decoded here)")?;
    r.end()?;
    Ok(r.finish("handshake message")?)
}

/// Whether this version can open records of the suite `id` chose: `None` for the suites it
/// implements, AES-GCM and AES-CBC (and suites it does not know at all, named elsewhere); a
/// reason for the other CBC suites (3DES, CBC for ECDSA keys, ...), which it does not open.
fn unsupported_protection(id: u16) -> Option<Phrase> {
    if CipherSuite::from_id(id).is_some() {
        return None;
    }
    let name = describe_suite_id(id);
    name.contains("_CBC_").then(|| {
        phrase!(
            "CBC suite: not opened by this version ({}); its records are listed, not opened",
            name
        )
    })
}

/// A resumed session takes up the master secret of the full handshake that made it: when that
/// handshake is not in the capture (or was not opened), only a key log line of the resumed
/// session's own client random opens it.
fn link_resumed_session() -> Phrase {
    phrase!(
        "resumed session: not linked to the full handshake whose master secret it reuses (not \
         in this capture, or not opened); a key log line for its client_random opens it"
    )
}
