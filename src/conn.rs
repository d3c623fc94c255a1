//! What client and server share: the record layer, the transcript, the RNG, the clock, the
//! trace, the values both sides agree on (randoms, suite, master secret), and the few steps that
//! are the same on both sides (key derivation, Finished, application data, alerts).
//!
//! `client.rs` and `server.rs` each own one `Conn` and call these steps in wire order.

use std::io::{Read, Write};

use subtle::ConstantTimeEq;

use crate::codec::{Field, Labelled};
use crate::error::Error;
use crate::messages::HandshakeType;
use crate::messages::alert::Alert;
use crate::messages::finished::Finished;
use crate::prf::{self, CLIENT_FINISHED, MasterSecret, SERVER_FINISHED, SessionKeys};
use crate::record::RecordLayer;
use crate::rng::{Clock, RoleRng, Side};
use crate::suites::CipherSuite;
use crate::trace::{Event, Key, Trace, keylog_line};
use crate::transcript::Transcript;

pub struct Conn {
    pub side: Side,
    pub record: RecordLayer,
    /// Every handshake message so far, in order (what Finished and the EMS session hash cover).
    pub transcript: Transcript,
    pub rng: RoleRng,
    pub clock: Clock,
    pub trace: Trace,

    // ---- what the two sides agree on, filled in as the handshake goes ----
    pub client_random: [u8; 32],
    pub server_random: [u8; 32],
    pub suite: Option<CipherSuite>,
    /// Both hellos carried extended_master_secret (RFC 7627).
    pub extended_master_secret: bool,
    pub master_secret: Option<MasterSecret>,
    /// Both Finished messages checked: application data may flow.
    pub handshake_complete: bool,
    /// We sent a fatal alert (there is only ever one).
    pub alert_sent: bool,
}

impl Conn {
    pub fn new(side: Side, rng: RoleRng, clock: Clock, trace: bool, write_version: u16) -> Self {
        Conn {
            side,
            record: RecordLayer::new(side, write_version),
            transcript: Transcript::new(),
            rng,
            clock,
            trace: Trace::new(trace),
            client_random: [0; 32],
            server_random: [0; 32],
            suite: None,
            extended_master_secret: false,
            master_secret: None,
            handshake_complete: false,
            alert_sent: false,
        }
    }

    /// The negotiated suite; asking before ServerHello is our bug.
    pub fn suite(&self) -> Result<CipherSuite, Error> {
        self.suite
            .ok_or_else(|| Error::Internal("cipher suite used before it was negotiated".into()))
    }

    /// Marks the start of a flight in the trace: what it reads, then what it sends.
    pub fn begin_flight(&mut self, call: &'static str, reads: &'static str, sends: &'static str) {
        self.trace.push(Event::Flight {
            side: self.side,
            call,
            reads,
            sends,
        });
    }

    /// Sends a handshake message: into the transcript, into the trace with its labels, and
    /// queued for the flight's records.
    pub fn send_handshake(&mut self, msg_type: HandshakeType, message: Labelled) {
        self.transcript.add(&message.bytes);
        self.record.queue_handshake(&message.bytes);
        self.trace.push(Event::Message {
            side: self.side,
            from: self.side,
            name: msg_type.name().to_string(),
            rfc: msg_type.rfc(),
            bytes: message.bytes,
            fields: message.fields,
        });
    }

    /// Reads the next handshake message, which must be one of `allowed` (anything else is
    /// `unexpected_message`), and adds it to the transcript.
    pub fn read_handshake<R: Read>(
        &mut self,
        wire: &mut R,
        allowed: &[HandshakeType],
    ) -> Result<(HandshakeType, Vec<u8>), Error> {
        let message = self.record.read_handshake_message(wire, &mut self.trace)?;
        let code = message.first().copied().unwrap_or(255);
        let msg_type = HandshakeType::from_code(code)
            .filter(|t| allowed.contains(t))
            .ok_or_else(|| {
                let wanted: Vec<&str> = allowed.iter().map(|t| t.name()).collect();
                Error::UnexpectedMessage(format!(
                    "received {} where {} was expected",
                    crate::messages::handshake_type_name(code),
                    wanted.join(" or ")
                ))
            })?;
        self.transcript.add(&message);
        Ok((msg_type, message))
    }

    /// Records a received message's labelled bytes in the trace.
    pub fn trace_received(&mut self, msg_type: HandshakeType, message: &[u8], fields: Vec<Field>) {
        self.trace.push(Event::Message {
            side: self.side,
            from: self.side.peer(),
            name: msg_type.name().to_string(),
            rfc: msg_type.rfc(),
            bytes: message.to_vec(),
            fields,
        });
    }

    /// Writes the flight to the wire.
    pub fn flush<W: Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        self.record.flush(wire, &mut self.trace)
    }

    /// If `result` is a local failure, sends its one fatal alert (RFC 5246 7.2.2). The alert is
    /// chosen by `Error::alert`, nowhere else.
    pub fn alert_on_error<W: Write, T>(
        &mut self,
        wire: &mut W,
        result: Result<T, Error>,
    ) -> Result<T, Error> {
        if let Err(err) = &result {
            if let Some(description) = err.alert() {
                if !self.alert_sent {
                    self.alert_sent = true;
                    // If the wire is gone too, the original error is still the one to report.
                    let _ =
                        self.record
                            .send_alert(wire, Alert::fatal(description), &mut self.trace);
                }
            }
            if !err.is_timeout() {
                self.trace
                    .note(self.side, format!("the connection fails here: {err}"));
            }
        }
        result
    }

    /// Master secret and session keys (RFC 5246 8.1 and 6.3, RFC 7627 4); the keys wait in the
    /// record layer for ChangeCipherSpec.
    pub fn derive_keys(&mut self, pre_master_secret: &[u8]) -> Result<(), Error> {
        let suite = self.suite()?;
        let hash = suite.hash();
        let side = self.side;
        // With EMS, the session hash covers ClientHello up to and including ClientKeyExchange:
        // the certificates and key shares of *this* handshake (RFC 7627 3).
        let session_hash = self
            .extended_master_secret
            .then(|| self.transcript.hash(hash));
        if let Some(session_hash) = &session_hash {
            self.trace.value(
                side,
                "session_hash",
                session_hash,
                format!("{}({})", hash.name(), self.transcript.covers()),
            );
        }
        let master = prf::derive_master_secret(
            hash,
            pre_master_secret,
            session_hash.as_deref(),
            &self.client_random,
            &self.server_random,
        );
        let how = if self.extended_master_secret {
            format!(
                "PRF-{}(pre_master_secret, \"extended master secret\", session_hash)[0..47]",
                hash.name()
            )
        } else {
            format!(
                "PRF-{}(pre_master_secret, \"master secret\", client_random + server_random)[0..47]",
                hash.name()
            )
        };
        self.trace.secret(side, "master_secret", &master[..], how);

        let (block, keys) =
            SessionKeys::derive(suite, &master[..], &self.client_random, &self.server_random);
        self.trace.secret(
            side,
            "key_block",
            &block,
            format!(
                "PRF-{}(master_secret, \"key expansion\", server_random + client_random), {} bytes",
                hash.name(),
                block.len()
            ),
        );
        let key_bits = suite.key_len() * 8;
        self.trace.secret(
            side,
            "client_write_key",
            &keys.client_write_key,
            format!(
                "key_block[0..{}]: AES-{key_bits} key, client to server",
                suite.key_len()
            ),
        );
        self.trace.secret(
            side,
            "server_write_key",
            &keys.server_write_key,
            format!(
                "key_block[{}..{}]: AES-{key_bits} key, server to client",
                suite.key_len(),
                2 * suite.key_len()
            ),
        );
        self.trace.secret(
            side,
            "client_write_iv",
            &keys.client_write_iv,
            "next 4 bytes: implicit nonce part (salt), client to server",
        );
        self.trace.secret(
            side,
            "server_write_iv",
            &keys.server_write_iv,
            "last 4 bytes: implicit nonce part (salt), server to client",
        );
        self.record.set_pending_keys(&keys)?;
        self.master_secret = Some(master);
        Ok(())
    }

    /// verify_data for `label` over the transcript so far (RFC 5246 7.4.9).
    fn verify_data(&mut self, label: &[u8]) -> Result<[u8; 12], Error> {
        let suite = self.suite()?;
        let master = self
            .master_secret
            .as_ref()
            .ok_or_else(|| Error::Internal("Finished before the master secret".into()))?;
        let handshake_hash = self.transcript.hash(suite.hash());
        let verify_data = prf::verify_data(suite.hash(), &master[..], label, &handshake_hash);
        if self.trace.enabled {
            self.trace.value(
                self.side,
                "handshake_hash",
                &handshake_hash,
                format!("{}({})", suite.hash().name(), self.transcript.covers()),
            );
            let name = if label == CLIENT_FINISHED {
                "client_verify_data"
            } else {
                "server_verify_data"
            };
            self.trace.value(
                self.side,
                name,
                &verify_data,
                format!(
                    "PRF(master_secret, \"{}\", handshake_hash)[0..11]",
                    String::from_utf8_lossy(label)
                ),
            );
        }
        Ok(verify_data)
    }

    fn finished_label(side: Side) -> &'static [u8] {
        match side {
            Side::Client => CLIENT_FINISHED,
            Side::Server => SERVER_FINISHED,
        }
    }

    /// ChangeCipherSpec (RFC 5246 7.1): from the next record on, we write with the new keys.
    pub fn send_change_cipher_spec(&mut self) -> Result<(), Error> {
        self.record.send_change_cipher_spec(&mut self.trace)?;
        self.trace.key_use(
            self.side,
            Key::SessionKeys,
            format!(
                "{}_write_key protects every record {} sends from here on",
                self.side.name(),
                self.side.name()
            ),
        );
        Ok(())
    }

    /// The peer's ChangeCipherSpec: from its next record on, we read with the new keys.
    pub fn read_change_cipher_spec<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        self.record.read_change_cipher_spec(wire, &mut self.trace)?;
        self.trace.note(
            self.side,
            format!(
                "received ChangeCipherSpec: {} records are decrypted with {}_write_key from here on",
                self.side.peer().name(),
                self.side.peer().name()
            ),
        );
        Ok(())
    }

    /// Our Finished (RFC 5246 7.4.9): the first message under the new keys.
    pub fn send_finished(&mut self) -> Result<(), Error> {
        let verify_data = self.verify_data(Self::finished_label(self.side))?;
        let message = Finished { verify_data }.encode()?;
        self.send_handshake(HandshakeType::Finished, message);
        Ok(())
    }

    /// The peer's Finished: its verify_data must equal ours for the same transcript, or the two
    /// sides did not see the same handshake or do not hold the same master secret.
    pub fn read_finished<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        // Computed before the message is read: it covers everything up to, not including, it.
        let expected = self.verify_data(Self::finished_label(self.side.peer()))?;
        let (_, message) = self.read_handshake(wire, &[HandshakeType::Finished])?;
        let (finished, fields) = Finished::decode(&message)?;
        self.trace_received(HandshakeType::Finished, &message, fields);
        // Constant-time comparison: how many leading bytes matched must not show in the timing.
        let ok = bool::from(finished.verify_data.ct_eq(&expected));
        self.trace.check(
            self.side,
            format!(
                "the {} Finished: verify_data {} against our own {}",
                self.side.peer().name(),
                hex::encode(finished.verify_data),
                hex::encode(expected)
            ),
            ok,
        );
        if !ok {
            return Err(Error::DecryptError(format!(
                "the {} Finished does not match: different master secret or a tampered handshake",
                self.side.peer().name()
            )));
        }
        Ok(())
    }

    /// Sends application data (RFC 5246 10); only after the handshake.
    pub fn send<W: Write>(&mut self, wire: &mut W, data: &[u8]) -> Result<(), Error> {
        let result = if self.handshake_complete {
            self.record
                .send_application_data(wire, data, &mut self.trace)
        } else {
            Err(Error::Internal(
                "application data before the handshake completed".into(),
            ))
        };
        self.alert_on_error(wire, result)
    }

    /// Receives application data; `None` when the peer sent close_notify.
    pub fn receive<R: Read + Write>(&mut self, wire: &mut R) -> Result<Option<Vec<u8>>, Error> {
        let result = self.record.read_application_data(wire, &mut self.trace);
        self.alert_on_error(wire, result)
    }

    /// close_notify (RFC 5246 7.2.1): "I will send nothing more".
    pub fn close<W: Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        self.record
            .send_alert(wire, Alert::close_notify(), &mut self.trace)
    }

    /// The NSS key log line for this connection, once the master secret exists.
    pub fn keylog_line(&self) -> Option<String> {
        self.master_secret
            .as_ref()
            .map(|ms| keylog_line(&self.client_random, &ms[..]))
    }
}
