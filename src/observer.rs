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
//! and record layer, message by message.

use rsa::{Pkcs1v15Encrypt, RsaPrivateKey};

use crate::error::Error;
use crate::messages::alert::Alert;
use crate::messages::certificate::Certificate;
use crate::messages::certificate_request::CertificateRequest;
use crate::messages::certificate_verify::CertificateVerify;
use crate::messages::client_hello::ClientHello;
use crate::messages::client_key_exchange::{EcdheClientKeyExchange, RsaClientKeyExchange};
use crate::messages::finished::Finished;
use crate::messages::hello_request::HelloRequest;
use crate::messages::new_session_ticket::NewSessionTicket;
use crate::messages::server_hello::ServerHello;
use crate::messages::server_hello_done::ServerHelloDone;
use crate::messages::server_key_exchange::ServerKeyExchange;
use crate::messages::{HandshakeMessage, HandshakeType, extensions, handshake_type_name};
use crate::phrase;
use crate::prf::{self, CLIENT_FINISHED, SERVER_FINISHED, SessionKeys};
use crate::record::{
    ALERT, APPLICATION_DATA, CHANGE_CIPHER_SPEC, Direction, HANDSHAKE, take_handshake_message,
};
use crate::rng::{RoleRng, Side};
use crate::session::TicketKeys;
use crate::suites::{CipherSuite, KeyExchange};
use crate::transcript::Transcript;
use crate::wire::Flow;
use crate::{key_exchange, pki};

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
    /// The ServerHello echoed the ClientHello's session_id: an abbreviated handshake, which
    /// reuses an earlier session's master secret (RFC 5246 7.3).
    pub resumed: bool,
    /// Session tickets seen in the clear: in NewSessionTicket, and in a ClientHello's
    /// session_ticket extension.
    pub tickets: Vec<Vec<u8>>,
    /// Tickets the observer opened (it holds the ticket keys), each giving a master secret.
    pub tickets_opened: usize,
}

/// One direction, as the observer follows it.
enum Stream {
    Plaintext,
    Keys(Direction),
    /// Protected, and we do not have the keys.
    Opaque,
}

struct State<'a> {
    key: ObserverKey<'a>,
    obs: Observation,
    transcript: Transcript,
    streams: [Stream; 2],
    pending: [Option<Direction>; 2],
    handshake_bytes: [Vec<u8>; 2],
    /// Protected records each direction sent that the observer could not open (its next
    /// record's sequence number, once it learns the keys late, from a ticket).
    opaque_records: [u64; 2],
    /// A master secret from a ticket opened before the keys could be derived.
    master_from_ticket: Option<Vec<u8>>,
}

fn index(side: Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}

/// Follows a recorded connection.
pub fn observe(flows: &[Flow], key: ObserverKey<'_>) -> Result<Observation, Error> {
    let mut state = State {
        key,
        obs: Observation::default(),
        transcript: Transcript::new(),
        streams: [Stream::Plaintext, Stream::Plaintext],
        pending: [None, None],
        handshake_bytes: [Vec::new(), Vec::new()],
        opaque_records: [0, 0],
        master_from_ticket: None,
    };
    for flow in flows {
        let mut rest = flow.bytes.as_slice();
        while !rest.is_empty() {
            if rest.len() < 5 {
                return Err(Error::BadRecording(phrase!(
                    "recording ends inside a record header"
                )));
            }
            let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
            let Some(record) = rest.get(..5 + len) else {
                return Err(Error::BadRecording(phrase!(
                    "recording ends inside a record"
                )));
            };
            rest = &rest[5 + len..];
            state.record(flow.from, record)?;
        }
    }
    Ok(state.obs)
}

impl State<'_> {
    fn record(&mut self, from: Side, record: &[u8]) -> Result<(), Error> {
        let content_type = record[0];
        let version = u16::from_be_bytes([record[1], record[2]]);
        let fragment = record[5..].to_vec();
        let d = index(from);
        let (protected, plaintext) = match &mut self.streams[d] {
            Stream::Plaintext => (false, Some(fragment)),
            Stream::Keys(direction) => (true, direction.open(content_type, version, fragment).ok()),
            Stream::Opaque => (true, None),
        };
        if protected && plaintext.is_none() {
            self.obs.unreadable_records += 1;
            self.opaque_records[d] += 1;
        }
        self.obs.records.push(ObservedRecord {
            from,
            content_type,
            version,
            wire: record.to_vec(),
            protected,
            plaintext: plaintext.clone(),
        });
        let Some(plaintext) = plaintext else {
            return Ok(());
        };
        match content_type {
            CHANGE_CIPHER_SPEC => {
                self.abbreviated_without_echo()?;
                self.streams[d] = match self.pending[d].take() {
                    Some(direction) => Stream::Keys(direction),
                    None => Stream::Opaque,
                };
            }
            HANDSHAKE => {
                self.handshake_bytes[d].extend_from_slice(&plaintext);
                while let Some(message) = take_handshake_message(&mut self.handshake_bytes[d])? {
                    self.message(from, message)?;
                }
            }
            APPLICATION_DATA => self.obs.application_data.push((from, plaintext)),
            ALERT => {
                if let Ok(alert) = Alert::decode(&plaintext) {
                    self.obs.alerts.push((from, alert));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn message(&mut self, from: Side, message: Vec<u8>) -> Result<(), Error> {
        let code = message[0];
        let Some(msg_type) = HandshakeType::from_code(code) else {
            return Err(Error::BadRecording(phrase!(
                "{} in the recording",
                handshake_type_name(code)
            )));
        };
        // HelloRequest is no part of the transcript (RFC 5246 7.4.1.1); a client ignores it
        // during a handshake and refuses it after.
        if msg_type == HandshakeType::HelloRequest {
            HelloRequest::decode(&message)?;
            self.obs.messages.push((from, msg_type, message));
            return Ok(());
        }
        // Finished is checked against the transcript *before* it.
        if msg_type == HandshakeType::Finished {
            self.finished(from, &message)?;
        }
        self.transcript.add(&message);
        match msg_type {
            HandshakeType::ClientHello => {
                let hello = ClientHello::decode(&message)?.0;
                if let Some(ticket) = hello.extensions.session_ticket.clone() {
                    self.ticket(ticket);
                }
                self.obs.client_hello = Some(hello);
            }
            HandshakeType::ServerHello => self.server_hello(&message)?,
            HandshakeType::NewSessionTicket => {
                let ticket = NewSessionTicket::decode(&message)?.0.ticket;
                self.ticket(ticket);
                if let Some(master) = self.master_from_ticket.clone() {
                    self.learn_master_secret(master)?;
                }
            }
            HandshakeType::Certificate => {
                let certificate = Certificate::decode(&message)?.0;
                if from == Side::Server {
                    self.obs.server_certificates = certificate.certificate_list;
                }
            }
            HandshakeType::ServerKeyExchange => {
                let exchange = ServerKeyExchange::decode(&message)?.0;
                self.obs.server_key_exchange_signature_ok = self.check_signature(&exchange);
                self.obs.server_key_exchange = Some(exchange);
            }
            HandshakeType::CertificateRequest => {
                CertificateRequest::decode(&message)?;
            }
            HandshakeType::ServerHelloDone => {
                ServerHelloDone::decode(&message)?;
            }
            HandshakeType::CertificateVerify => {
                CertificateVerify::decode(&message)?;
            }
            HandshakeType::ClientKeyExchange => self.client_key_exchange(&message)?,
            _ => {}
        }
        self.obs.messages.push((from, msg_type, message));
        Ok(())
    }

    fn server_hello(&mut self, message: &[u8]) -> Result<(), Error> {
        let hello = ServerHello::decode(message)?.0;
        let client = self.obs.client_hello.as_ref();
        let offered_ems = client.is_some_and(|c| c.extensions.extended_master_secret);
        self.obs.extended_master_secret = offered_ems && hello.extensions.extended_master_secret;
        self.obs.suite = CipherSuite::from_id(hello.cipher_suite);
        // RFC 7366 3: in force when both hellos carry it, for a CBC suite.
        let offered_etm =
            client.is_some_and(|c| c.extensions.types().contains(&extensions::ENCRYPT_THEN_MAC));
        self.obs.encrypt_then_mac = offered_etm
            && hello
                .extensions
                .types()
                .contains(&extensions::ENCRYPT_THEN_MAC)
            && self.obs.suite.is_some_and(CipherSuite::is_cbc);
        // The session_id echoed: an abbreviated handshake (RFC 5246 7.4.1.3), with no key
        // exchange: the master secret is the resumed session's, from a key log or a ticket.
        self.obs.resumed =
            client.is_some_and(|c| !c.session_id.is_empty() && c.session_id == hello.session_id);
        self.obs.server_hello = Some(hello);
        if self.obs.resumed {
            let master = match &self.key {
                ObserverKey::MasterSecret(ms) => Some(ms.to_vec()),
                _ => self.master_from_ticket.take(),
            };
            if let Some(master) = master {
                self.learn_master_secret(master)?;
            }
        }
        Ok(())
    }

    /// A ChangeCipherSpec with no key exchange before it: an abbreviated handshake the
    /// session_id did not announce (a client may send a ticket with an empty session_id, RFC
    /// 5077 3.4); the master secret, if the observer has it, makes the keys now.
    fn abbreviated_without_echo(&mut self) -> Result<(), Error> {
        let key_exchange_seen =
            self.obs.encrypted_pre_master.is_some() || self.obs.client_ecdh_public.is_some();
        if key_exchange_seen
            || self.obs.master_secret.is_some()
            || self.pending.iter().any(Option::is_some)
        {
            return Ok(());
        }
        let master = match &self.key {
            ObserverKey::MasterSecret(ms) => Some(ms.to_vec()),
            _ => self.master_from_ticket.take(),
        };
        if let Some(master) = master
            && self.obs.server_hello.is_some()
        {
            self.obs.resumed = true;
            self.learn_master_secret(master)?;
        }
        Ok(())
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

    /// A master secret learned after the fact (from a ticket): the session keys from it and
    /// this connection's randoms. A direction still in the clear switches at its
    /// ChangeCipherSpec; one that already switched reads with them from its next record on.
    fn learn_master_secret(&mut self, master: Vec<u8>) -> Result<(), Error> {
        if self.obs.master_secret.is_some() {
            return Ok(());
        }
        let suite = self
            .obs
            .suite
            .ok_or_else(|| Error::BadRecording(phrase!("a ticket before a known suite")))?;
        let (client_random, server_random) = self.randoms()?;
        let (block, keys) = SessionKeys::derive(suite, &master, &client_random, &server_random);
        let etm = self.obs.encrypt_then_mac;
        let directions = [
            Direction::for_suite(suite, &keys, Side::Client, etm, None)?,
            Direction::for_suite(suite, &keys, Side::Server, etm, None)?,
        ];
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
        self.obs.master_secret = Some(master);
        Ok(())
    }

    fn client_key_exchange(&mut self, message: &[u8]) -> Result<(), Error> {
        let suite = self.obs.suite.ok_or_else(|| {
            Error::BadRecording(phrase!("ClientKeyExchange before a known suite"))
        })?;
        match suite.key_exchange() {
            KeyExchange::Rsa => {
                let exchange = RsaClientKeyExchange::decode(message)?.0;
                self.obs.encrypted_pre_master = Some(exchange.encrypted_pre_master);
            }
            KeyExchange::Ecdhe => {
                let exchange = EcdheClientKeyExchange::decode(message)?.0;
                self.obs.client_ecdh_public = Some(exchange.public);
            }
        }
        let (client_random, server_random) = self.randoms()?;
        // The session hash covers the transcript up to and including this message.
        let session_hash = self.transcript.hash(suite.hash());
        if self.obs.extended_master_secret {
            self.obs.session_hash = Some(session_hash.clone());
        }
        let ems_hash = self
            .obs
            .extended_master_secret
            .then_some(session_hash.as_slice());
        let master = match &self.key {
            ObserverKey::MasterSecret(ms) => Some(ms.to_vec()),
            _ => self.pre_master_secret(suite)?.map(|pre_master| {
                let master = prf::derive_master_secret(
                    suite.hash(),
                    &pre_master,
                    ems_hash,
                    &client_random,
                    &server_random,
                );
                self.obs.pre_master_secret = Some(pre_master);
                master.to_vec()
            }),
        };
        if let Some(master) = master {
            let (block, keys) = SessionKeys::derive(suite, &master, &client_random, &server_random);
            let etm = self.obs.encrypt_then_mac;
            self.pending = [
                Some(Direction::for_suite(suite, &keys, Side::Client, etm, None)?),
                Some(Direction::for_suite(suite, &keys, Side::Server, etm, None)?),
            ];
            self.obs.key_block = Some(block.to_vec());
            self.obs.master_secret = Some(master);
        }
        Ok(())
    }

    /// The pre-master secret, if the key the observer holds opens it: the server's private key
    /// decrypts an RSA key exchange; a side's ephemeral X25519 key opens ECDHE. (ECDHE: the
    /// server's private key only signed; it opens nothing.)
    fn pre_master_secret(&self, suite: CipherSuite) -> Result<Option<Vec<u8>>, Error> {
        match (&self.key, suite.key_exchange()) {
            (ObserverKey::ServerPrivateKey(key), KeyExchange::Rsa) => {
                // An observer needs no Bleichenbacher defence: it only wants the plaintext.
                let encrypted = self.obs.encrypted_pre_master.clone().unwrap_or_default();
                let mut rng = RoleRng::seeded(0, Side::Server);
                key.decrypt_blinded(&mut rng, Pkcs1v15Encrypt, &encrypted)
                    .map(Some)
                    .map_err(|e| {
                        Error::BadRecording(phrase!(
                            "cannot decrypt the pre-master: {}",
                            e.to_string()
                        ))
                    })
            }
            (ObserverKey::ClientEcdhPrivateKey(private), KeyExchange::Ecdhe) => {
                let server_public = self
                    .obs
                    .server_key_exchange
                    .as_ref()
                    .map(|ske| ske.params.public.clone())
                    .unwrap_or_default();
                let shared = key_exchange::x25519_shared_secret(private, &server_public)?;
                Ok(Some(shared.to_vec()))
            }
            (ObserverKey::ServerPrivateKey(_), KeyExchange::Ecdhe)
            | (ObserverKey::ClientEcdhPrivateKey(_), KeyExchange::Rsa)
            | (ObserverKey::MasterSecret(_), _)
            | (ObserverKey::TicketKeys(_), _)
            | (ObserverKey::Nothing, _) => Ok(None),
        }
    }

    fn finished(&mut self, from: Side, message: &[u8]) -> Result<(), Error> {
        let finished = Finished::decode(message)?.0;
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
        Ok(())
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
