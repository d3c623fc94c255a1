//! What client and server share: the record layer, the transcript, the RNG, the clock, the
//! trace, the values both sides agree on (randoms, suite, master secret), and the few steps that
//! are the same on both sides (reading a message, key derivation, Finished, application data,
//! alerts).
//!
//! `client.rs` and `server.rs` each own one `Conn` and call these steps in wire order.

use std::io::{Read, Write};

use subtle::ConstantTimeEq;

use crate::error::Error;
use crate::event::{Event, Key, Trace};
use crate::messages::alert::{Alert, AlertLevel};
use crate::messages::finished::Finished;
use crate::messages::{HandshakeMessage, HandshakeType, handshake_type_name};
use crate::phrase;
use crate::prf::{self, CLIENT_FINISHED, MasterSecret, SERVER_FINISHED, SessionKeys};
use crate::record::RecordLayer;
use crate::rng::{Clock, RoleRng, Side};
use crate::session::Session;
use crate::suites::CipherSuite;
use crate::transcript::Transcript;

/// One side's state of a connection, and the steps both sides take the same way.
pub struct Conn {
    side: Side,
    record: RecordLayer,
    /// Every handshake message so far, in order (what Finished and the EMS session hash cover).
    transcript: Transcript,
    rng: RoleRng,
    clock: Clock,
    trace: Trace,
    /// A handshake message read ahead to see its type (see [`Conn::optional`]).
    read_ahead: Option<Vec<u8>>,
    /// The optional message that was not there, named with the next one expected.
    also_expected: Option<HandshakeType>,

    // ---- what the two sides agree on, filled in as the handshake goes ----
    client_random: [u8; 32],
    server_random: [u8; 32],
    suite: Option<CipherSuite>,
    /// Both hellos carried extended_master_secret (RFC 7627).
    extended_master_secret: bool,
    /// Both hellos carried encrypt_then_mac and the suite is CBC (RFC 7366).
    encrypt_then_mac: bool,
    master_secret: Option<MasterSecret>,
    /// Both Finished messages checked: application data may flow.
    handshake_complete: bool,
    /// We sent a fatal alert (there is only ever one).
    alert_sent: bool,
    /// The connection ended with a fatal alert, ours or the peer's: its session must not be
    /// resumed (RFC 5246 7.2.2).
    fatal_alert: bool,
}

impl Conn {
    /// A connection for `side`, writing records with `write_version` until told otherwise.
    pub(crate) fn new(
        side: Side,
        rng: RoleRng,
        clock: Clock,
        trace: bool,
        write_version: u16,
    ) -> Self {
        Conn {
            side,
            record: RecordLayer::new(side, write_version),
            transcript: Transcript::new(),
            rng,
            clock,
            trace: Trace::new(trace),
            read_ahead: None,
            also_expected: None,
            client_random: [0; 32],
            server_random: [0; 32],
            suite: None,
            extended_master_secret: false,
            encrypt_then_mac: false,
            master_secret: None,
            handshake_complete: false,
            alert_sent: false,
            fatal_alert: false,
        }
    }

    // ===================================================================================
    // What a reader (a test, a lab, the trace) may ask

    /// Which side this is.
    pub fn side(&self) -> Side {
        self.side
    }

    /// The negotiated suite, once ServerHello settled it.
    pub fn negotiated_suite(&self) -> Option<CipherSuite> {
        self.suite
    }

    /// Whether both hellos agreed on extended_master_secret (RFC 7627).
    pub fn extended_master_secret(&self) -> bool {
        self.extended_master_secret
    }

    /// Whether the hellos agreed on encrypt-then-MAC for a CBC suite (RFC 7366).
    pub fn encrypt_then_mac(&self) -> bool {
        self.encrypt_then_mac
    }

    /// ClientHello.random.
    pub fn client_random(&self) -> &[u8; 32] {
        &self.client_random
    }

    /// ServerHello.random.
    pub fn server_random(&self) -> &[u8; 32] {
        &self.server_random
    }

    /// Both Finished messages checked: application data may flow.
    pub fn handshake_complete(&self) -> bool {
        self.handshake_complete
    }

    /// How many times the peer asked to renegotiate after the handshake, and was refused with
    /// the warning no_renegotiation (this program never renegotiates: RFC 5246 7.2.2).
    pub fn renegotiations_refused(&self) -> u32 {
        self.record.renegotiations_refused()
    }

    /// Whether we sent a fatal alert.
    pub fn alert_sent(&self) -> bool {
        self.alert_sent
    }

    /// Whether the connection ended with a fatal alert, sent or received: "any connection
    /// terminated with a fatal alert MUST NOT be resumed" (RFC 5246 7.2.2).
    pub fn ended_with_fatal_alert(&self) -> bool {
        self.fatal_alert
    }

    /// The clock's time now, Unix seconds.
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// The events this side has recorded so far.
    pub fn events(&self) -> &[Event] {
        self.trace.events()
    }

    /// Takes the recorded events out (the simulator merges both sides' in flight order).
    pub fn take_events(&mut self) -> Vec<Event> {
        self.trace.take()
    }

    /// The events not handed out by this method before (`serve` and `connect` print as they
    /// go).
    pub fn unprinted_events(&mut self) -> &[Event] {
        self.trace.unprinted()
    }

    /// The NSS key log line for this connection, once the master secret exists.
    pub fn keylog_line(&self) -> Option<String> {
        self.master_secret
            .as_ref()
            .map(|ms| keylog_line(&self.client_random, &ms[..]))
    }

    /// Sends `bytes` as they are in handshake records, bypassing every check: for tests and
    /// labs that must put a malformed or out-of-place message on the wire.
    #[doc(hidden)]
    pub fn send_raw_handshake<W: Write>(
        &mut self,
        wire: &mut W,
        bytes: &[u8],
    ) -> Result<(), Error> {
        self.record.queue_handshake(bytes);
        self.record.flush(wire, &mut self.trace)
    }

    // ===================================================================================
    // For the client and the server

    pub(crate) fn rng(&mut self) -> &mut RoleRng {
        &mut self.rng
    }

    pub(crate) fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// The trace, for the client's and the server's explanations.
    pub(crate) fn trace(&mut self) -> &mut Trace {
        &mut self.trace
    }

    pub(crate) fn trace_enabled(&self) -> bool {
        self.trace.enabled()
    }

    /// The master secret, once derived or taken from a resumed session.
    pub(crate) fn master_secret(&self) -> Option<&MasterSecret> {
        self.master_secret.as_ref()
    }

    /// What the current flight reads and sends, now that this side knows (see
    /// [`Trace::amend_flight`]).
    pub(crate) fn amend_flight(&mut self, reads: &'static str, sends: &'static str) {
        self.trace.amend_flight(self.side, reads, sends);
    }

    /// The negotiated suite; asking before ServerHello is our bug.
    pub(crate) fn suite(&self) -> Result<CipherSuite, Error> {
        self.suite
            .ok_or_else(|| Error::Internal(phrase!("cipher suite used before it was negotiated")))
    }

    /// What the hellos settled: the suite, extended master secret, and from now on records
    /// must say TLS 1.2.
    pub(crate) fn agree(&mut self, suite: CipherSuite, extended_master_secret: bool) {
        self.suite = Some(suite);
        self.extended_master_secret = extended_master_secret;
        self.record.expect_version = Some(crate::messages::TLS1_2);
    }

    /// What the hellos settled about a CBC suite's records: encrypt-then-MAC (RFC 7366) or
    /// MAC-then-encrypt.
    pub(crate) fn agree_encrypt_then_mac(&mut self, encrypt_then_mac: bool) {
        self.encrypt_then_mac = encrypt_then_mac;
    }

    pub(crate) fn set_client_random(&mut self, random: [u8; 32]) {
        self.client_random = random;
    }

    pub(crate) fn set_server_random(&mut self, random: [u8; 32]) {
        self.server_random = random;
    }

    /// The version our records carry from now on.
    pub(crate) fn set_write_version(&mut self, version: u16) {
        self.record.write_version = version;
    }

    pub(crate) fn set_handshake_complete(&mut self) {
        self.handshake_complete = true;
    }

    /// Marks the start of a flight in the trace: what it reads, then what it sends.
    pub(crate) fn begin_flight(
        &mut self,
        call: &'static str,
        reads: &'static str,
        sends: &'static str,
    ) {
        let side = self.side;
        self.trace.push(|| Event::Flight {
            side,
            call,
            reads,
            sends,
        });
    }

    /// Sends a handshake message: into the transcript, into the trace with its labels, and
    /// queued for the flight's records.
    pub(crate) fn send<M: HandshakeMessage>(&mut self, message: &M) -> Result<(), Error> {
        let encoded = message.encode()?;
        self.transcript.add(&encoded.bytes);
        self.record.queue_handshake(&encoded.bytes);
        let side = self.side;
        self.trace.push(|| Event::Message {
            side,
            from: side,
            name: M::TYPE.name().to_string(),
            rfc: M::TYPE.rfc(),
            bytes: encoded.bytes,
            fields: encoded.fields,
        });
        Ok(())
    }

    /// Reads the next handshake message, which must be an `M` (anything else is
    /// `unexpected_message`), decodes it (malformed is `decode_error`), adds it to the
    /// transcript and traces it with its labelled bytes.
    pub(crate) fn expect<M: HandshakeMessage, R: Read>(
        &mut self,
        wire: &mut R,
    ) -> Result<M, Error> {
        let message = self.read_handshake(wire, M::TYPE)?;
        let (decoded, fields) = M::decode(&message)?;
        let side = self.side;
        self.trace.push(|| Event::Message {
            side,
            from: side.peer(),
            name: M::TYPE.name().to_string(),
            rfc: M::TYPE.rfc(),
            bytes: message,
            fields,
        });
        Ok(decoded)
    }

    /// The next handshake message if it is an `M` (read, decoded and traced as by
    /// [`Conn::expect`]), for the optional messages (CertificateRequest); `None` if it is another
    /// message, which is kept for the next `expect` (whose error then names both: "received ...
    /// where CertificateRequest or ServerHelloDone was expected").
    pub(crate) fn optional<M: HandshakeMessage, R: Read>(
        &mut self,
        wire: &mut R,
    ) -> Result<Option<M>, Error> {
        if self.read_ahead.is_none() {
            self.read_ahead = Some(self.record.read_handshake_message(wire, &mut self.trace)?);
        }
        if self.read_ahead.as_ref().and_then(|m| m.first()) == Some(&M::TYPE.code()) {
            return self.expect(wire).map(Some);
        }
        self.also_expected = Some(M::TYPE);
        Ok(None)
    }

    /// The next handshake message, which must be of type `wanted`; it joins the transcript.
    fn read_handshake<R: Read>(
        &mut self,
        wire: &mut R,
        wanted: HandshakeType,
    ) -> Result<Vec<u8>, Error> {
        let message = match self.read_ahead.take() {
            Some(message) => message,
            None => self.record.read_handshake_message(wire, &mut self.trace)?,
        };
        let code = message.first().copied().unwrap_or(255);
        let optional = self.also_expected.take();
        if code != wanted.code() {
            let expected = match optional {
                Some(optional) => format!("{} or {}", optional.name(), wanted.name()),
                None => wanted.name().to_string(),
            };
            return Err(Error::UnexpectedMessage(phrase!(
                "received {} where {} was expected",
                handshake_type_name(code),
                expected
            )));
        }
        self.transcript.add(&message);
        Ok(message)
    }

    /// Writes the flight to the wire.
    pub(crate) fn flush<W: Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        self.record.flush(wire, &mut self.trace)
    }

    /// If `result` is a local failure, sends its one fatal alert (RFC 5246 7.2.2). The alert is
    /// chosen by `Error::alert`, nowhere else.
    pub(crate) fn alert_on_error<W: Write, T>(
        &mut self,
        wire: &mut W,
        result: Result<T, Error>,
    ) -> Result<T, Error> {
        if let Err(err) = &result {
            if let Error::PeerAlert(alert) = err {
                self.fatal_alert |= alert.level == AlertLevel::Fatal;
            }
            if let Some(description) = err.alert() {
                self.fatal_alert = true;
                if !self.alert_sent {
                    self.alert_sent = true;
                    // If the wire is gone too, the original error is still the one to report.
                    let _ =
                        self.record
                            .send_alert(wire, Alert::fatal(description), &mut self.trace);
                }
            }
            if !err.is_timeout() {
                let side = self.side;
                self.trace.push(|| Event::Failure {
                    side,
                    error: err.phrase(),
                    reason: err.reason(),
                });
            }
        }
        result
    }

    /// Master secret and session keys (RFC 5246 8.1 and 6.3, RFC 7627 4); the keys wait in the
    /// record layer for ChangeCipherSpec.
    pub(crate) fn derive_keys(&mut self, pre_master_secret: &[u8]) -> Result<(), Error> {
        let suite = self.suite()?;
        let hash = suite.hash();
        let side = self.side;
        // With EMS, the session hash covers ClientHello up to and including ClientKeyExchange:
        // the certificates and key shares of *this* handshake (RFC 7627 3).
        let session_hash = self
            .extended_master_secret
            .then(|| self.transcript.hash(hash));
        if let Some(session_hash) = &session_hash {
            let covers = &self.transcript;
            self.trace.value(side, "session_hash", session_hash, || {
                phrase!("{}({})", hash.name(), covers.covers())
            });
        }
        let master = prf::derive_master_secret(
            hash,
            pre_master_secret,
            session_hash.as_deref(),
            &self.client_random,
            &self.server_random,
        );
        let extended = self.extended_master_secret;
        self.trace.secret(side, "master_secret", &master[..], || {
            prf::master_secret_formula(hash, extended)
        });
        self.expand_master_secret(suite, master)
    }

    /// An abbreviated handshake (RFC 5246 7.3): no pre-master secret and no key exchange; the
    /// master secret is the resumed session's, and the new randoms make new session keys
    /// from it (RFC 5246 6.3).
    pub(crate) fn resume_keys(&mut self, session: &Session) -> Result<(), Error> {
        let suite = self.suite()?;
        let (side, created) = (self.side, session.created);
        self.trace
            .secret(side, "master_secret", &session.master_secret[..], || {
                phrase!(
                    "the resumed session's, made by a full handshake at {} (Unix time): no \
                     pre-master secret, no key exchange, no private or public key in this one",
                    created
                )
            });
        self.expand_master_secret(suite, session.master_secret.clone())
    }

    /// The key block from the master secret and this handshake's randoms (RFC 5246 6.3), cut
    /// into the keys that wait in the record layer for ChangeCipherSpec.
    fn expand_master_secret(
        &mut self,
        suite: CipherSuite,
        master: MasterSecret,
    ) -> Result<(), Error> {
        let (block, keys) =
            SessionKeys::derive(suite, &master[..], &self.client_random, &self.server_random);
        self.trace_session_keys(suite, &block, &keys);
        // A CBC suite's records each carry a random IV: the IVs of ours come from a stream of
        // their own, forked from our RNG (a GCM suite draws nothing here).
        let ivs = suite.is_cbc().then(|| self.rng.fork());
        self.record
            .set_pending_keys(suite, &keys, self.encrypt_then_mac, ivs)?;
        self.master_secret = Some(master);
        Ok(())
    }

    /// The key block and the values cut from it (RFC 5246 6.3), into the trace.
    fn trace_session_keys(&mut self, suite: CipherSuite, block: &[u8], keys: &SessionKeys) {
        trace_session_keys(&mut self.trace, self.side, suite, block, keys);
    }

    /// verify_data for `label` over the transcript so far (RFC 5246 7.4.9).
    fn verify_data(&mut self, label: &[u8]) -> Result<[u8; 12], Error> {
        let suite = self.suite()?;
        let master = self
            .master_secret
            .as_ref()
            .ok_or_else(|| Error::Internal(phrase!("Finished before the master secret")))?;
        let handshake_hash = self.transcript.hash(suite.hash());
        let verify_data = prf::verify_data(suite.hash(), &master[..], label, &handshake_hash);
        let (side, transcript) = (self.side, &self.transcript);
        self.trace
            .value(side, "handshake_hash", &handshake_hash, || {
                phrase!("{}({})", suite.hash().name(), transcript.covers())
            });
        let name = if label == CLIENT_FINISHED {
            "client_verify_data"
        } else {
            "server_verify_data"
        };
        self.trace.value(side, name, &verify_data, || {
            phrase!(
                "PRF(master_secret, \"{}\", handshake_hash)[0..11]",
                String::from_utf8_lossy(label).into_owned()
            )
        });
        Ok(verify_data)
    }

    fn finished_label(side: Side) -> &'static [u8] {
        match side {
            Side::Client => CLIENT_FINISHED,
            Side::Server => SERVER_FINISHED,
        }
    }

    /// ChangeCipherSpec (RFC 5246 7.1): from the next record on, we write with the new keys.
    pub(crate) fn send_change_cipher_spec(&mut self) -> Result<(), Error> {
        self.record.send_change_cipher_spec(&mut self.trace)?;
        let side = self.side;
        self.trace.key_use(side, Key::SessionKeys, || {
            phrase!(
                "{}_write_key protects every record {} sends from here on",
                side.name(),
                side.phrase()
            )
        });
        Ok(())
    }

    /// The peer's ChangeCipherSpec: from its next record on, we read with the new keys.
    pub(crate) fn read_change_cipher_spec<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        if self.read_ahead.is_some() {
            // A handshake message was read ahead and not consumed: the keys may only change
            // between messages (as the record layer checks for its own buffer).
            return Err(Error::UnexpectedMessage(phrase!(
                "ChangeCipherSpec expected, but a handshake message is still arriving"
            )));
        }
        self.record.read_change_cipher_spec(wire, &mut self.trace)?;
        let peer = self.side.peer();
        self.trace.note(self.side, || {
            phrase!(
                "received ChangeCipherSpec: {} records are decrypted with {}_write_key from here \
                 on",
                peer.phrase(),
                peer.name()
            )
        });
        Ok(())
    }

    /// Our Finished (RFC 5246 7.4.9): the first message under the new keys.
    pub(crate) fn send_finished(&mut self) -> Result<(), Error> {
        let verify_data = self.verify_data(Self::finished_label(self.side))?;
        self.send(&Finished { verify_data })
    }

    /// The peer's Finished: its verify_data must equal ours for the same transcript, or the two
    /// sides did not see the same handshake or do not hold the same master secret.
    pub(crate) fn read_finished<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        // Computed before the message is read: it covers everything up to, not including, it.
        let expected = self.verify_data(Self::finished_label(self.side.peer()))?;
        let finished: Finished = self.expect(wire)?;
        // Constant-time comparison: how many leading bytes matched must not show in the timing.
        let ok = bool::from(finished.verify_data.ct_eq(&expected));
        let peer = self.side.peer();
        self.trace.check(self.side, ok, || {
            phrase!(
                "the {} Finished: verify_data {} against our own {}",
                peer.phrase(),
                hex::encode(finished.verify_data),
                hex::encode(expected)
            )
        });
        if !ok {
            return Err(Error::DecryptError(phrase!(
                "the {} Finished does not match: different master secret or a tampered handshake",
                peer.phrase()
            )));
        }
        Ok(())
    }

    /// Sends application data (RFC 5246 10); only after the handshake.
    pub(crate) fn send_application_data<W: Write>(
        &mut self,
        wire: &mut W,
        data: &[u8],
    ) -> Result<(), Error> {
        let result = if self.handshake_complete {
            self.record
                .send_application_data(wire, data, &mut self.trace)
        } else {
            Err(Error::Internal(phrase!(
                "application data before the handshake completed"
            )))
        };
        self.alert_on_error(wire, result)
    }

    /// Receives application data; `None` when the peer sent close_notify.
    pub(crate) fn receive<R: Read + Write>(
        &mut self,
        wire: &mut R,
    ) -> Result<Option<Vec<u8>>, Error> {
        let result = self.record.read_application_data(wire, &mut self.trace);
        self.alert_on_error(wire, result)
    }

    /// close_notify (RFC 5246 7.2.1): "I will send nothing more".
    pub(crate) fn close<W: Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        self.record
            .send_alert(wire, Alert::close_notify(), &mut self.trace)
    }
}

/// The key block and the four values cut from it (RFC 5246 6.3), into `trace` as `side`
/// derived them (the passive observer traces the same values when it holds the keys).
pub(crate) fn trace_session_keys(
    trace: &mut Trace,
    side: Side,
    suite: CipherSuite,
    block: &[u8],
    keys: &SessionKeys,
) {
    trace.secret(side, "key_block", block, || {
        phrase!(
            "PRF-{}(master_secret, \"key expansion\", server_random + client_random), {} \
             bytes",
            suite.hash().name(),
            block.len()
        )
    });
    if suite.is_cbc() {
        trace_cbc_keys(trace, side, suite, keys);
        return;
    }
    let (key_len, key_bits) = (suite.key_len(), suite.key_len() * 8);
    trace.secret(side, "client_write_key", &keys.client_write_key, || {
        phrase!(
            "key_block[0..{}]: AES-{} key, client to server",
            key_len,
            key_bits
        )
    });
    trace.secret(side, "server_write_key", &keys.server_write_key, || {
        phrase!(
            "key_block[{}..{}]: AES-{} key, server to client",
            key_len,
            2 * key_len,
            key_bits
        )
    });
    trace.secret(side, "client_write_iv", &keys.client_write_iv, || {
        phrase!("next 4 bytes: implicit nonce part (salt), client to server")
    });
    trace.secret(side, "server_write_iv", &keys.server_write_iv, || {
        phrase!("last 4 bytes: implicit nonce part (salt), server to client")
    });
}

/// A CBC suite's key block: two MAC keys, then two AES keys, and no IVs (RFC 5246 6.3:
/// TLS 1.2 sends a fresh IV in every record instead).
fn trace_cbc_keys(trace: &mut Trace, side: Side, suite: CipherSuite, keys: &SessionKeys) {
    let (mac_len, key_len, key_bits) = (suite.mac_key_len(), suite.key_len(), suite.key_len() * 8);
    let mac = suite.mac().map_or("", |m| m.name());
    trace.secret(
        side,
        "client_write_mac_key",
        &keys.client_write_mac_key,
        || phrase!("key_block[0..{}]: {} key, client to server", mac_len, mac),
    );
    trace.secret(
        side,
        "server_write_mac_key",
        &keys.server_write_mac_key,
        || {
            phrase!(
                "key_block[{}..{}]: {} key, server to client",
                mac_len,
                2 * mac_len,
                mac
            )
        },
    );
    let at = 2 * mac_len;
    trace.secret(side, "client_write_key", &keys.client_write_key, || {
        phrase!(
            "key_block[{}..{}]: AES-{} key, client to server (CBC: no IVs follow, every \
                 record carries its own)",
            at,
            at + key_len,
            key_bits
        )
    });
    trace.secret(side, "server_write_key", &keys.server_write_key, || {
        phrase!(
            "key_block[{}..{}]: AES-{} key, server to client",
            at + key_len,
            at + 2 * key_len,
            key_bits
        )
    });
}

/// One NSS key log line (the format Wireshark, curl and browsers use):
/// `CLIENT_RANDOM <client_random hex> <master_secret hex>`.
pub fn keylog_line(client_random: &[u8; 32], master_secret: &[u8]) -> String {
    format!(
        "CLIENT_RANDOM {} {}\n",
        hex::encode(client_random),
        hex::encode(master_secret)
    )
}
