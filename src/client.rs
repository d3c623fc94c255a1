//! The client's side of the handshake (RFC 5246 7.3), as its flights in wire order:
//!
//! ```text
//! Client                                               Server
//!
//! send_hello:     ClientHello                  -------->
//!                                                              ServerHello
//!                                                              Certificate
//!                                                        ServerKeyExchange*
//!                                                       CertificateRequest*
//!                                               <--------   ServerHelloDone
//! answer_server:  Certificate*
//!                 ClientKeyExchange
//!                 CertificateVerify*
//!                 [ChangeCipherSpec]
//!                 Finished                     -------->
//!                                                        [ChangeCipherSpec]
//! finish:                                       <--------          Finished
//! send/receive:   Application Data             <------->   Application Data
//! ```
//!
//! And when the server resumes the session we offered (RFC 5246 7.3, RFC 5077 3.1), the
//! abbreviated handshake, where the server speaks first with its Finished:
//!
//! ```text
//! send_hello:     ClientHello                  -------->
//!                                                              ServerHello
//!                                                        [NewSessionTicket]
//!                                                        [ChangeCipherSpec]
//!                                               <--------          Finished
//! answer_server:  [ChangeCipherSpec]
//!                 Finished                     -------->
//! ```
//!
//! Each public method is one flight: it reads what the server has sent, writes what the client
//! sends, and returns. Inside, one function per message, in order. Set a breakpoint on any of
//! them and the debugger walks the handshake in the order of the diagram.

use std::io::{Read, Write};

use rsa::RsaPublicKey;
use zeroize::Zeroizing;

use crate::conn::Conn;
use crate::error::{DecodeProblem, Error};
use crate::event::{Event, Key};
use crate::key_exchange::{self, SUPPORTED_SCHEMES};
use crate::messages::certificate::Certificate;
use crate::messages::certificate_request::{CertificateRequest, RSA_SIGN};
use crate::messages::certificate_verify::{CertificateVerify, DigitallySigned};
use crate::messages::client_hello::ClientHello;
use crate::messages::client_key_exchange::{EcdheClientKeyExchange, RsaClientKeyExchange};
use crate::messages::extensions::{
    self, GROUP_X25519, HelloExtensions, POINT_FORMAT_UNCOMPRESSED, protocol_name,
};
use crate::messages::new_session_ticket::NewSessionTicket;
use crate::messages::server_hello::ServerHello;
use crate::messages::server_hello_done::ServerHelloDone;
use crate::messages::server_key_exchange::ServerKeyExchange;
use crate::messages::{TLS1_0, TLS1_2, version_name};
use crate::phrase;
use crate::phrase::yes_no;
use crate::pki;
use crate::rng::{Clock, RoleRng, Side};
use crate::session::{Resumption, SESSION_ID_LEN, Session};
use crate::suites::{CipherSuite, KeyExchange};

/// How the client decides to trust the server's certificate.
#[derive(Clone, Debug)]
pub enum ServerTrust {
    /// Any chain that leads to one of these trust anchors (with their CRLs), naming
    /// `server_name`.
    Anchors(pki::TrustStore),
}

/// What the client offers and whom it trusts.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The suites to offer, in order of preference.
    pub suites: Vec<CipherSuite>,
    /// Sent as server_name (SNI) when it is a host name, not an IP address.
    pub server_name: Option<String>,
    /// Which server certificates to accept.
    pub trust: ServerTrust,
    /// Offer extended_master_secret (RFC 7627).
    pub offer_extended_master_secret: bool,
    /// Offer encrypt_then_mac (RFC 7366) when a CBC suite is offered.
    pub offer_encrypt_then_mac: bool,
    /// The signature schemes we accept from the server, in order of preference.
    pub signature_schemes: Vec<u16>,
    /// Mutual TLS: our certificate chain and key, if we have one.
    pub identity: Option<pki::Identity>,
    /// ALPN (RFC 7301): the application protocols to offer, best first (`connect --alpn`).
    /// Empty, the default: no ALPN extension, and the ClientHello is as it always was.
    pub alpn_protocols: Vec<String>,
    /// Send the session_ticket extension (RFC 5077 3.2): empty to ask for a ticket, or with
    /// the ticket of the session offered. Off by default: the simulator's ClientHello stays
    /// what it was.
    pub offer_session_ticket: bool,
    /// A saved session to offer (by its ticket or its id), if it may be offered here:
    /// [`Client::session`] of an earlier connection, or a file (`connect --session-in`).
    pub resume: Option<Session>,
}

/// The client side of one connection.
pub struct Client {
    config: ClientConfig,
    conn: Conn,
    /// What we offered, to check the ServerHello against.
    hello: Option<ClientHello>,
    /// The server's certificate chain as received (DER).
    server_certificates: Vec<Vec<u8>>,
    /// The public key from the server's certificate: all the client ever holds of the server's
    /// key pair.
    server_public_key: Option<RsaPublicKey>,
    /// ECDHE: the server's ephemeral X25519 public key, once its signature checked out.
    server_ecdh_public: Option<[u8; 32]>,
    /// Mutual TLS: the server's CertificateRequest, if it sent one.
    certificate_request: Option<CertificateRequest>,
    /// Mutual TLS: the scheme we sign CertificateVerify with, once we decided to send our
    /// certificate.
    client_scheme: Option<u16>,
    /// ALPN: the application protocol the server chose from our list, if it chose one.
    alpn_protocol: Option<Vec<u8>>,
    /// The saved session we offered, and the session_id our ClientHello carried for it.
    offered: Option<(Session, Vec<u8>)>,
    /// The server resumed the session we offered, found this way.
    resumed: Option<Resumption>,
    /// The ServerHello's session_id.
    server_session_id: Vec<u8>,
    /// The ServerHello carried an empty session_ticket extension: a NewSessionTicket comes
    /// before the server's ChangeCipherSpec (RFC 5077 3.2).
    ticket_expected: bool,
    /// The ticket the server gave us, and its lifetime hint.
    new_ticket: Option<(Vec<u8>, u32)>,
    /// The session of this connection, once its handshake is complete.
    session: Option<Session>,
}

impl Client {
    /// A client that will offer what `config` says, drawing its randomness from `rng`.
    pub fn new(config: ClientConfig, rng: RoleRng, clock: Clock, trace: bool) -> Self {
        // The ClientHello record says TLS 1.0 (0x0301), as OpenSSL, Go and browsers do: some old
        // servers choke on a higher record version before negotiation (RFC 5246 Appendix E.1).
        // The hello inside offers TLS 1.2.
        Client {
            config,
            conn: Conn::new(Side::Client, rng, clock, trace, TLS1_0),
            hello: None,
            server_certificates: Vec::new(),
            server_public_key: None,
            server_ecdh_public: None,
            certificate_request: None,
            client_scheme: None,
            alpn_protocol: None,
            offered: None,
            resumed: None,
            server_session_id: Vec::new(),
            ticket_expected: false,
            new_ticket: None,
            session: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The configuration, to change before the first flight (tests and labs do).
    pub fn config_mut(&mut self) -> &mut ClientConfig {
        &mut self.config
    }

    /// The connection state: randoms, suite, trace.
    pub fn conn(&self) -> &Conn {
        &self.conn
    }

    /// The connection state, for taking the trace or sending raw bytes.
    pub fn conn_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }

    /// The server's certificate chain as received (DER), leaf first.
    pub fn server_certificates(&self) -> &[Vec<u8>] {
        &self.server_certificates
    }

    /// ALPN: the application protocol the server chose (RFC 7301 3.2), if we offered some and
    /// it answered.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.alpn_protocol.as_deref()
    }

    /// Whether the server resumed the session we offered, and how it was found.
    pub fn resumed(&self) -> Option<Resumption> {
        self.resumed
    }

    /// The session to resume this connection with later (a new connection's
    /// [`ClientConfig::resume`]): once the handshake is complete, if the server gave a
    /// session_id or a ticket. `None` after a fatal alert: "any connection terminated with a
    /// fatal alert MUST NOT be resumed" (RFC 5246 7.2.2).
    pub fn session(&self) -> Option<Session> {
        if self.conn.ended_with_fatal_alert() {
            return None;
        }
        self.session.clone()
    }

    // ===================================================================================
    // Flight 1: ClientHello

    /// Sends the ClientHello.
    pub fn send_hello<W: Read + Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        let result = self.send_hello_steps(wire);
        self.conn.alert_on_error(wire, result)
    }

    fn send_hello_steps<W: Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        self.conn
            .begin_flight("client.send_hello", "", "ClientHello");
        // 1. ClientHello (RFC 5246 7.4.1.2): our offer.
        self.send_client_hello()?;
        self.conn.flush(wire)?;
        // Only the ClientHello record carries 0x0301; everything after it, alerts included, is
        // TLS 1.2, the only version we can end up speaking.
        self.conn.set_write_version(TLS1_2);
        Ok(())
    }

    fn send_client_hello(&mut self) -> Result<(), Error> {
        let random: [u8; 32] = self.conn.rng().array();
        self.conn.set_client_random(random);
        self.conn
            .trace()
            .value(Side::Client, "client_random", &random, || {
                phrase!("32 bytes from the client's RNG")
            });
        self.offer_saved_session();
        let mut hello = self.client_hello(random)?;
        if let Some((session, id)) = &self.offered {
            hello.session_id = id.clone();
            if self.config.offer_session_ticket {
                hello.extensions.session_ticket = Some(session.ticket.clone().unwrap_or_default());
            }
        }
        self.conn.send(&hello)?;
        if let Some(names) = &hello.extensions.alpn {
            self.conn.trace().note(Side::Client, || {
                let names: Vec<String> = names.iter().map(|n| protocol_name(n)).collect();
                phrase!(
                    "offers the application protocols {} (ALPN, RFC 7301 3.1), best first: the \
                     server picks one",
                    names.join(", ")
                )
            });
        }
        self.conn.trace().note(Side::Client, || {
            phrase!(
                "the record carrying the ClientHello says TLS 1.0 (03 01), as OpenSSL, Go and \
                 browsers do for old servers' sake (RFC 5246 Appendix E.1); the hello inside \
                 offers TLS 1.2"
            )
        });
        self.hello = Some(hello);
        Ok(())
    }

    /// Our offer: TLS 1.2, our suites, null compression, and the extensions we speak.
    fn client_hello(&self, random: [u8; 32]) -> Result<ClientHello, Error> {
        // SNI carries host names only; "Literal IPv4 and IPv6 addresses are not permitted"
        // (RFC 6066 3).
        let server_name = self
            .config
            .server_name
            .clone()
            .filter(|name| name.parse::<std::net::IpAddr>().is_err());
        let mut suites: Vec<u16> = self.config.suites.iter().map(|s| s.id()).collect();
        if suites.is_empty() {
            return Err(Error::Config(phrase!("no cipher suite to offer")));
        }
        suites.dedup();
        // ECDHE needs to say which curves and point formats we take (RFC 8422 5.1): x25519 only.
        let offers_ecdhe = self
            .config
            .suites
            .iter()
            .any(|s| s.key_exchange() == KeyExchange::Ecdhe);
        // Encrypt-then-MAC only means something to a CBC suite (RFC 7366 2).
        let offers_cbc = self.config.suites.iter().any(|s| s.is_cbc());
        Ok(ClientHello {
            client_version: TLS1_2,
            random,
            // No session to resume (`send_client_hello` puts in the one we offer, if any).
            session_id: Vec::new(),
            cipher_suites: suites,
            // Only null: TLS compression leaked secrets (CRIME, 2012).
            compression_methods: vec![0],
            extensions: HelloExtensions {
                server_name,
                supported_groups: offers_ecdhe.then(|| vec![GROUP_X25519]),
                ec_point_formats: offers_ecdhe.then(|| vec![POINT_FORMAT_UNCOMPRESSED]),
                signature_algorithms: Some(self.config.signature_schemes.clone()),
                alpn: self.alpn_offer()?,
                encrypt_then_mac: self.config.offer_encrypt_then_mac && offers_cbc,
                extended_master_secret: self.config.offer_extended_master_secret,
                // RFC 5077 3.2: empty, "I take tickets" (a ticket goes in if we offer one).
                session_ticket: self.config.offer_session_ticket.then(Vec::new),
                // RFC 5746 3.4: on a first handshake, an empty renegotiated_connection says "I
                // implement secure renegotiation" (and so am not fooled by the 2009 attack).
                renegotiation_info: Some(Vec::new()),
                ..HelloExtensions::default()
            },
        })
    }

    /// ALPN (RFC 7301 3.1): the protocols to offer, in our order of preference, only when
    /// asked. Each name is `ProtocolName<1..2^8-1>`: an empty or longer one is refused here,
    /// before it could go on the wire.
    fn alpn_offer(&self) -> Result<Option<Vec<Vec<u8>>>, Error> {
        let names = &self.config.alpn_protocols;
        if names.is_empty() {
            return Ok(None);
        }
        if let Some(bad) = names.iter().find(|n| n.is_empty() || n.len() > 255) {
            return Err(Error::Config(phrase!(
                "an ALPN protocol name is 1 to 255 bytes long (RFC 7301 3.1), not \"{}\"",
                bad
            )));
        }
        Ok(Some(names.iter().map(|n| n.as_bytes().to_vec()).collect()))
    }

    // ===================================================================================
    // Flight 3: answer the server's flight

    /// Reads the server's flight and answers it, up to our Finished.
    pub fn answer_server<W: Read + Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        let result = self.answer_server_steps(wire);
        self.conn.alert_on_error(wire, result)
    }

    fn answer_server_steps<W: Read + Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        self.conn.begin_flight(
            "client.answer_server",
            "ServerHello, Certificate, [ServerKeyExchange], [CertificateRequest], ServerHelloDone",
            "[Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec, Finished",
        );
        // 1. ServerHello (RFC 5246 7.4.1.3): the server's choices.
        self.read_server_hello(wire)?;
        // 2. It echoed the session we offered: the abbreviated handshake follows (RFC 5246
        //    7.3), with no certificate and no key exchange.
        if self.resumed.is_some() {
            return self.finish_abbreviated(wire);
        }
        // 3. Certificate (RFC 5246 7.4.2): the server's chain; we keep its public key.
        self.read_server_certificate(wire)?;
        // 4. ServerKeyExchange (RFC 8422 5.4), ECDHE only: the server's ephemeral key, signed
        //    with its private key. (For an RSA suite the server must not send one, and
        //    reading the next message refuses it.)
        if self.conn.suite()?.key_exchange() == KeyExchange::Ecdhe {
            self.read_server_key_exchange(wire)?;
        }
        // 5. CertificateRequest (RFC 5246 7.4.4), if the server wants to know who we are.
        if let Some(request) = self.conn.optional::<CertificateRequest, _>(wire)? {
            self.take_certificate_request(request);
        }
        // 6. ServerHelloDone (RFC 5246 7.4.5): the server's flight is over.
        self.read_server_hello_done(wire)?;

        // 7. Certificate (RFC 5246 7.4.6), if asked: ours, or an empty list if we have none.
        if self.certificate_request.is_some() {
            self.send_client_certificate()?;
        }
        // 8. ClientKeyExchange (RFC 5246 7.4.7): the pre-master secret.
        let pre_master_secret = match self.conn.suite()?.key_exchange() {
            KeyExchange::Rsa => self.send_rsa_client_key_exchange()?,
            KeyExchange::Ecdhe => self.send_ecdhe_client_key_exchange()?,
        };
        // 9. Master secret and session keys (RFC 5246 8.1, 6.3; RFC 7627).
        self.conn.derive_keys(&pre_master_secret)?;
        // 10. CertificateVerify (RFC 5246 7.4.8), if we sent a certificate: our private key
        //     signs the handshake so far.
        if self.client_scheme.is_some() {
            self.send_certificate_verify()?;
        }
        // 11. ChangeCipherSpec (RFC 5246 7.1): our records are protected from here on.
        self.conn.send_change_cipher_spec()?;
        // 12. Finished (RFC 5246 7.4.9).
        self.conn.send_finished()?;
        self.conn.flush(wire)
    }

    /// The abbreviated handshake, our part (RFC 5246 7.3, RFC 5077 3.1): the server has spoken
    /// first with its Finished; we check it, and answer with ours. No certificate, no key
    /// exchange, no public or private key: only the session's master secret.
    fn finish_abbreviated<W: Read + Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        self.conn.amend_flight(
            if self.ticket_expected {
                "ServerHello, NewSessionTicket, ChangeCipherSpec, Finished"
            } else {
                "ServerHello, ChangeCipherSpec, Finished"
            },
            "ChangeCipherSpec, Finished",
        );
        let (session, _) = self
            .offered
            .clone()
            .ok_or_else(|| Error::Internal(phrase!("resumed without a session")))?;
        // 1. Session keys: the session's master secret, this handshake's randoms (RFC 5246
        //    6.3).
        self.conn.resume_keys(&session)?;
        // 2. NewSessionTicket (RFC 5077 3.3), if the ServerHello promised one: a fresh ticket.
        if self.ticket_expected {
            self.read_new_session_ticket(wire)?;
        }
        // 3. The server's ChangeCipherSpec (RFC 5246 7.1).
        self.conn.read_change_cipher_spec(wire)?;
        // 4. The server's Finished (RFC 5246 7.4.9): it holds the session's master secret.
        self.conn.read_finished(wire)?;
        // 5. ChangeCipherSpec (RFC 5246 7.1): our records are protected from here on.
        self.conn.send_change_cipher_spec()?;
        // 6. Finished (RFC 5246 7.4.9): over everything, the server's Finished included.
        self.conn.send_finished()?;
        self.conn.flush(wire)?;
        self.conn.set_handshake_complete();
        self.keep_session(session);
        self.conn.trace().note(Side::Client, || {
            phrase!(
                "abbreviated handshake complete: the server's certificate was not sent, and no \
                 key of either side was used; only the session keys from here on"
            )
        });
        Ok(())
    }

    fn read_server_hello<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        let hello: ServerHello = self.conn.expect(wire)?;
        let offered = self
            .hello
            .as_ref()
            .ok_or_else(|| Error::Internal(phrase!("ServerHello before ClientHello")))?;
        let suite = check_server_choices(offered, &hello)?;
        hello.extensions.check_point_formats()?;
        hello.extensions.check_renegotiation_info_is_empty()?;
        match &hello.extensions.renegotiation_info {
            Some(_) => self.conn.trace().check(Side::Client, true, || {
                phrase!("secure renegotiation (RFC 5746) confirmed")
            }),
            None => self.conn.trace().note(Side::Client, || {
                phrase!(
                    "the server does not signal secure renegotiation (RFC 5746); harmless here, \
                     since this client never renegotiates"
                )
            }),
        }
        let ems =
            offered.extensions.extended_master_secret && hello.extensions.extended_master_secret;
        self.take_alpn_choice(&hello)?;
        self.take_encrypt_then_mac(suite, &hello)?;
        self.conn.set_server_random(hello.random);
        self.see_whether_resumed(&hello, suite, ems)?;
        self.conn.agree(suite, ems);
        self.conn.trace().note(Side::Client, || {
            phrase!(
                "agreed: TLS 1.2, {}, extended master secret {}",
                suite.name(),
                yes_no(ems)
            )
        });
        Ok(())
    }

    /// ALPN (RFC 7301 3.2): the server picks from our list, so its choice must be on it;
    /// anything else is a value inconsistent with our offer, illegal_parameter (RFC 5246
    /// 7.2.2). (An answer to no offer was refused as unsupported_extension in
    /// `check_server_choices`; a list of other than one name by its decoder, decode_error.)
    fn take_alpn_choice(&mut self, hello: &ServerHello) -> Result<(), Error> {
        let Some(offered) = self.hello.as_ref().and_then(|h| h.extensions.alpn.clone()) else {
            return Ok(());
        };
        let Some(answer) = &hello.extensions.alpn else {
            self.conn.trace().note(Side::Client, || {
                phrase!(
                    "the server does not answer our ALPN offer: no application protocol is \
                     agreed (RFC 7301 3.1 lets it)"
                )
            });
            return Ok(());
        };
        let chosen: Vec<String> = answer.iter().map(|n| protocol_name(n)).collect();
        let [name] = answer.as_slice() else {
            return Err(Error::decode(
                "protocol_name_list",
                DecodeProblem::NotExactlyOne,
            ));
        };
        if !offered.contains(name) {
            return Err(Error::IllegalParameter(phrase!(
                "the server chose the application protocol {} (ALPN), which we did not offer \
                 (RFC 7301 3.2)",
                chosen.join(", ")
            )));
        }
        self.conn.trace().check(Side::Client, true, || {
            phrase!(
                "the server chose the application protocol {} (ALPN, RFC 7301 3.2), one we \
                 offered",
                chosen.join(", ")
            )
        });
        self.alpn_protocol = Some(name.clone());
        Ok(())
    }

    /// Encrypt-then-MAC (RFC 7366 3): in force when the server answers our offer, which it may
    /// only do for a CBC suite ("If a server ... selects a stream or AEAD cipher suite, it MUST
    /// NOT send an encrypt-then-MAC response extension"): an answer with GCM is illegal_parameter.
    /// (An answer to no offer was refused in `check_server_choices`.)
    fn take_encrypt_then_mac(
        &mut self,
        suite: CipherSuite,
        hello: &ServerHello,
    ) -> Result<(), Error> {
        let answered = hello.extensions.encrypt_then_mac;
        if answered && !suite.is_cbc() {
            return Err(Error::IllegalParameter(phrase!(
                "the server answers encrypt_then_mac with {}, an AEAD suite (RFC 7366 3 forbids \
                 it)",
                suite.name()
            )));
        }
        if !suite.is_cbc() {
            return Ok(());
        }
        let trace = self.conn.trace();
        if answered {
            trace.note(Side::Client, || {
                phrase!(
                    "records: encrypt-then-MAC (RFC 7366): the server answered our \
                     encrypt_then_mac, so each record's MAC covers its IV and ciphertext and is \
                     checked before anything is decrypted"
                )
            });
        } else {
            trace.note(Side::Client, || {
                phrase!(
                    "records: MAC-then-encrypt (RFC 5246 6.2.3.2): encrypt_then_mac was not \
                     agreed, so the MAC is inside the encryption and the padding is checked \
                     first: the order the padding-oracle attacks use"
                )
            });
        }
        self.conn.agree_encrypt_then_mac(answered);
        Ok(())
    }

    fn read_server_certificate<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        let certificate: Certificate = self.conn.expect(wire)?;
        let Some(leaf_der) = certificate.certificate_list.first() else {
            return Err(Error::decode("certificate_list", DecodeProblem::OutOfRange));
        };
        let leaf = pki::parse_certificate(leaf_der)?;
        self.conn.trace().note(Side::Client, || {
            phrase!("server certificate: {}", pki::describe_certificate(&leaf))
        });
        match &self.config.trust {
            ServerTrust::Anchors(anchors) => {
                let purpose = match self.conn.suite()?.key_exchange() {
                    KeyExchange::Rsa => pki::Purpose::ServerRsaKeyExchange,
                    KeyExchange::Ecdhe => pki::Purpose::ServerSigning,
                };
                let report = pki::verify_chain(
                    &certificate.certificate_list,
                    anchors,
                    self.conn.now(),
                    purpose,
                    self.config.server_name.as_deref(),
                    self.conn.trace_enabled(),
                );
                for check in report.checks {
                    self.conn.trace().push(|| Event::ChainCheck {
                        side: Side::Client,
                        checked: check.checked,
                        ok: check.ok,
                    });
                }
                report.result?;
            }
        }
        let public_key = pki::rsa_public_key(&leaf)?;
        self.conn.trace().key_use(Side::Client, Key::ServerPublicKey, || {
            phrase!(
                "taken from the server's certificate: the client holds only this half of the key \
                 pair"
            )
        });
        self.server_public_key = Some(public_key);
        self.server_certificates = certificate.certificate_list;
        Ok(())
    }

    /// ECDHE: check the server's signature over its ephemeral key, then keep the key.
    fn read_server_key_exchange<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        let exchange: ServerKeyExchange = self.conn.expect(wire)?;
        let params = &exchange.params;
        if params.named_curve != GROUP_X25519 {
            return Err(Error::IllegalParameter(phrase!(
                "the server chose the group {}; we offered only x25519",
                extensions::group_name(params.named_curve)
            )));
        }
        let server_public: [u8; 32] = params.public.as_slice().try_into().map_err(|_| {
            Error::IllegalParameter(phrase!(
                "the server's X25519 key is {} bytes, not 32",
                params.public.len()
            ))
        })?;
        let scheme = exchange.signed_params.scheme;
        let offered = self
            .hello
            .as_ref()
            .and_then(|h| h.extensions.signature_algorithms.clone())
            .unwrap_or_default();
        if !offered.contains(&scheme) {
            return Err(Error::IllegalParameter(phrase!(
                "the server signed with {}, which we did not offer",
                key_exchange::scheme_name(scheme)
            )));
        }
        // The signature covers both randoms, so it cannot be replayed from another handshake,
        // and the params, so a man in the middle cannot swap in his own ephemeral key.
        let signed = params.signed_bytes(self.conn.client_random(), self.conn.server_random())?;
        self.conn
            .trace()
            .value(Side::Client, "signed_params", &signed, || {
                phrase!("client_random + server_random + ServerECDHParams: what the server signed")
            });
        let public_key = self
            .server_public_key
            .as_ref()
            .ok_or_else(|| Error::Internal(phrase!("ServerKeyExchange before the certificate")))?;
        let verified = key_exchange::verify(
            public_key,
            scheme,
            &signed,
            &exchange.signed_params.signature,
        );
        self.conn.trace().key_use(Side::Client, Key::ServerPublicKey, || {
            phrase!(
                "verify the ServerKeyExchange signature ({}): only the holder of the private key \
                 could have made it",
                key_exchange::scheme_name(scheme)
            )
        });
        self.conn.trace().check(Side::Client, verified.is_ok(), || {
            phrase!(
                "the {} signature on the server's ephemeral key",
                key_exchange::scheme_name(scheme)
            )
        });
        verified?;
        self.conn
            .trace()
            .value(Side::Client, "server_ecdh_public", &server_public, || {
                phrase!("the server's ephemeral X25519 public key, now trusted")
            });
        self.server_ecdh_public = Some(server_public);
        Ok(())
    }

    /// Mutual TLS: the server asks for a certificate. We answer with ours only if it is RSA
    /// (certificate_types rsa_sign) and we share a signature scheme for CertificateVerify.
    fn take_certificate_request(&mut self, request: CertificateRequest) {
        let authorities = &request.certificate_authorities;
        self.conn.trace().note(Side::Client, || {
            let names: Vec<String> = authorities
                .iter()
                .map(|der| pki::describe_name(der))
                .collect();
            if names.is_empty() {
                phrase!("the server asks for a client certificate, issued by: any CA")
            } else {
                phrase!(
                    "the server asks for a client certificate, issued by: {}",
                    names.join("; ")
                )
            }
        });
        // The server's preference among the schemes we can produce.
        let scheme = request
            .supported_signature_algorithms
            .iter()
            .copied()
            .find(|s| SUPPORTED_SCHEMES.contains(s));
        let usable = request.certificate_types.contains(&RSA_SIGN) && scheme.is_some();
        if self.config.identity.is_some() && usable {
            self.client_scheme = scheme;
        } else if self.config.identity.is_some() {
            self.conn.trace().note(Side::Client, || {
                phrase!("the server accepts no RSA signature we can make: we send no certificate")
            });
        }
        self.certificate_request = Some(request);
    }

    fn read_server_hello_done<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        let _: ServerHelloDone = self.conn.expect(wire)?;
        Ok(())
    }

    /// Mutual TLS: our chain, or an empty list (RFC 5246 7.4.6: "If no suitable certificate is
    /// available, the client MUST send a certificate message containing no certificates").
    fn send_client_certificate(&mut self) -> Result<(), Error> {
        let chain = match (&self.config.identity, self.client_scheme) {
            (Some(identity), Some(_)) => identity.chain.clone(),
            _ => Vec::new(),
        };
        if let Some(leaf) = chain.first() {
            // Only for the trace: whether our own certificate is good is the server's to say.
            self.conn
                .trace()
                .note(Side::Client, || match pki::parse_certificate(leaf) {
                    Ok(cert) => phrase!("our certificate: {}", pki::describe_certificate(&cert)),
                    Err(e) => phrase!("our certificate does not parse: {}", e.reason()),
                });
        } else {
            self.conn.trace().note(Side::Client, || {
                phrase!("we have no certificate to offer: an empty Certificate message")
            });
        }
        self.conn.send(&Certificate {
            certificate_list: chain,
        })
    }

    /// Mutual TLS: sign every handshake message so far with our private key.
    fn send_certificate_verify(&mut self) -> Result<(), Error> {
        let scheme = self
            .client_scheme
            .ok_or_else(|| Error::Internal(phrase!("CertificateVerify without a scheme")))?;
        let key = &self
            .config
            .identity
            .as_ref()
            .ok_or_else(|| Error::Internal(phrase!("CertificateVerify without a key")))?
            .key;
        let signed = self.conn.transcript().bytes().to_vec();
        if self.conn.trace_enabled() {
            let hash = key_exchange::scheme_hash(scheme, &signed);
            let covers = self.conn.transcript().covers();
            self.conn
                .trace()
                .value(Side::Client, "certificate_verify_hash", &hash, || {
                    phrase!(
                        "what our private key signs ({}): the hash of {} ({} bytes)",
                        key_exchange::scheme_name(scheme),
                        covers,
                        signed.len()
                    )
                });
        }
        let signature = key_exchange::sign(self.conn.rng(), key, scheme, &signed)?;
        self.conn
            .trace()
            .key_use(Side::Client, Key::ClientPrivateKey, || {
                phrase!(
                    "sign the handshake messages so far ({}): proves we hold the key of our \
                     certificate; the key never leaves the client",
                    key_exchange::scheme_name(scheme)
                )
            });
        self.conn.send(&CertificateVerify {
            signed: DigitallySigned { scheme, signature },
        })
    }

    /// RSA key exchange: a random pre-master secret, encrypted to the server's public key.
    fn send_rsa_client_key_exchange(&mut self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let public_key = self
            .server_public_key
            .as_ref()
            .ok_or_else(|| Error::Internal(phrase!("no server public key")))?;
        let client_version = self.hello.as_ref().map_or(TLS1_2, |h| h.client_version);
        let (pre_master, encrypted) =
            key_exchange::rsa_encrypt_pre_master(self.conn.rng(), public_key, client_version)?;
        self.conn
            .trace()
            .secret(Side::Client, "pre_master_secret", &pre_master[..], || {
                phrase!("client_version (03 03) + 46 random bytes from the client's RNG")
            });
        self.conn
            .trace()
            .key_use(Side::Client, Key::ServerPublicKey, || {
                phrase!(
                    "RSAES-PKCS1-v1_5-encrypt the pre-master secret ({} bytes of ciphertext; only \
                 the server's private key can open it)",
                    encrypted.len()
                )
            });
        self.conn.send(&RsaClientKeyExchange {
            encrypted_pre_master: encrypted,
        })?;
        Ok(Zeroizing::new(pre_master.to_vec()))
    }

    /// ECDHE key exchange: our own ephemeral key pair; the shared secret with the server's
    /// ephemeral key is the pre-master. Our private half is erased when this returns.
    fn send_ecdhe_client_key_exchange(&mut self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let server_public = self
            .server_ecdh_public
            .ok_or_else(|| Error::Internal(phrase!("no server ECDH key")))?;
        let pair = key_exchange::x25519_key_pair(self.conn.rng());
        let trace = self.conn.trace();
        trace.secret(
            Side::Client,
            "client_ecdh_private",
            &pair.private[..],
            || phrase!("32 random bytes from the client's RNG: an ephemeral X25519 private key"),
        );
        trace.value(Side::Client, "client_ecdh_public", &pair.public, || {
            phrase!("X25519(client_ecdh_private, 9): sent in ClientKeyExchange")
        });
        let shared = key_exchange::x25519_shared_secret(&pair.private, &server_public)?;
        let trace = self.conn.trace();
        trace.key_use(Side::Client, Key::EphemeralPrivateKey, || {
            phrase!(
                "X25519(client's ephemeral private key, server's ephemeral public key) = the \
                 shared secret; the private key is erased right after"
            )
        });
        trace.secret(Side::Client, "pre_master_secret", &shared[..], || {
            phrase!("the X25519 shared secret (RFC 8422 5.10): never sent, computed on both sides")
        });
        self.conn.send(&EcdheClientKeyExchange {
            public: pair.public.to_vec(),
        })?;
        Ok(Zeroizing::new(shared.to_vec()))
    }

    // ===================================================================================
    // Flight 5: the server's ChangeCipherSpec and Finished

    /// Reads the server's ChangeCipherSpec and Finished: the handshake is complete.
    /// (After an abbreviated handshake there is nothing left: `answer_server` finished it.)
    pub fn finish<W: Read + Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        if self.resumed.is_some() && self.conn.handshake_complete() {
            return Ok(());
        }
        let result = self.finish_steps(wire);
        self.conn.alert_on_error(wire, result)
    }

    fn finish_steps<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        let reads = if self.ticket_expected {
            "NewSessionTicket, ChangeCipherSpec, Finished"
        } else {
            "ChangeCipherSpec, Finished"
        };
        self.conn.begin_flight("client.finish", reads, "");
        // 1. NewSessionTicket (RFC 5077 3.3), if the ServerHello promised one.
        if self.ticket_expected {
            self.read_new_session_ticket(wire)?;
        }
        // 2. The server's ChangeCipherSpec (RFC 5246 7.1).
        self.conn.read_change_cipher_spec(wire)?;
        // 3. The server's Finished (RFC 5246 7.4.9): proves it derived the same keys, which in
        //    RSA key exchange means it could decrypt the pre-master: it holds the private key.
        self.conn.read_finished(wire)?;
        self.conn.set_handshake_complete();
        let session = self.new_session()?;
        self.keep_session(session);
        self.conn.trace().note(Side::Client, || {
            phrase!("handshake complete: from here on only the symmetric session keys are used")
        });
        Ok(())
    }

    // ===================================================================================
    // Application data

    /// Sends application data in as many records as it takes.
    pub fn send<W: Write>(&mut self, wire: &mut W, data: &[u8]) -> Result<(), Error> {
        self.conn.send_application_data(wire, data)
    }

    /// The next application data; `None` once the server sent close_notify.
    pub fn receive<W: Read + Write>(&mut self, wire: &mut W) -> Result<Option<Vec<u8>>, Error> {
        self.conn.receive(wire)
    }

    /// Sends close_notify.
    pub fn close<W: Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        self.conn.close(wire)
    }
}

// =========================================================================================
// Resumption: offering a saved session, seeing whether the server took it, keeping the
// session of this connection (RFC 5246 7.3, 7.4.1.2; RFC 5077; RFC 7627 5.3; RFC 6066 3)

impl Client {
    /// Decides whether the saved session of [`ClientConfig::resume`] may be offered, and the
    /// session_id our ClientHello carries for it: its own, or with a ticket 32 random bytes
    /// (RFC 5077 3.4: "the client MAY generate and include a Session ID", so that the
    /// server's echo says whether it accepted the ticket).
    fn offer_saved_session(&mut self) {
        let Some(session) = self.config.resume.clone() else {
            return;
        };
        if let Some(why) = self.why_not_offer(&session) {
            self.conn.trace().note(Side::Client, || {
                phrase!(
                    "we do not offer our saved session: {}; a full handshake",
                    why
                )
            });
            return;
        }
        let by_ticket = session.ticket.is_some() && self.config.offer_session_ticket;
        let id = if by_ticket {
            let id: [u8; SESSION_ID_LEN] = self.conn.rng().array();
            self.conn
                .trace()
                .value(Side::Client, "session_id", &id, || {
                    phrase!(
                        "32 bytes from the client's RNG, sent with the ticket: the server \
                         echoes them if it resumes (RFC 5077 3.4)"
                    )
                });
            id.to_vec()
        } else {
            session.id.clone()
        };
        let (how, suite) = (
            if by_ticket { "ticket" } else { "session id" },
            session.suite,
        );
        self.conn.trace().note(Side::Client, || {
            phrase!(
                "offers to resume a saved {} session by its {}: if the server agrees, no \
                 certificate and no key exchange",
                suite.name(),
                how
            )
        });
        self.offered = Some((session, id));
    }

    /// Why a saved session may not be offered in this ClientHello, if it may not.
    fn why_not_offer(&self, session: &Session) -> Option<crate::phrase::Phrase> {
        let sni = self
            .config
            .server_name
            .clone()
            .filter(|name| name.parse::<std::net::IpAddr>().is_err());
        let by_ticket = session.ticket.is_some() && self.config.offer_session_ticket;
        if session.version != TLS1_2 {
            Some(phrase!("it is {}", version_name(session.version)))
        } else if !self.config.suites.contains(&session.suite) {
            // RFC 5246 7.4.1.2: the ClientHello must include the session's suite.
            Some(phrase!(
                "its suite {} is not among ours",
                session.suite.name()
            ))
        } else if session.server_name != sni {
            // RFC 6066 3: a session is resumed only for the name it was made for.
            Some(phrase!(
                "it was made for another server name ({})",
                session.server_name.clone().unwrap_or("(none)".into())
            ))
        } else if self.config.offer_extended_master_secret && !session.extended_master_secret {
            Some(phrase!(
                "it was made without extended master secret (RFC 7627 5.3: \"SHOULD NOT offer \
                 an abbreviated handshake\" for it)"
            ))
        } else if session.id.is_empty() && !by_ticket {
            Some(phrase!(
                "it has neither a session_id nor a ticket we may send"
            ))
        } else {
            None
        }
    }

    /// Whether the ServerHello resumes the session we offered: it echoes the session_id our
    /// ClientHello carried (RFC 5246 7.4.1.3; RFC 5077 3.4). A resumption must keep the
    /// session's suite (illegal_parameter otherwise) and its extended master secret state
    /// (RFC 7627 5.3: "the client MUST abort the handshake", handshake_failure).
    fn see_whether_resumed(
        &mut self,
        hello: &ServerHello,
        suite: CipherSuite,
        ems: bool,
    ) -> Result<(), Error> {
        self.server_session_id = hello.session_id.clone();
        self.ticket_expected = hello.extensions.session_ticket.is_some();
        let Some((session, id)) = &self.offered else {
            return Ok(());
        };
        if id.is_empty() || hello.session_id != *id {
            self.conn.trace().note(Side::Client, || {
                phrase!(
                    "the server did not resume our session (its session_id is not the one we \
                     sent): a full handshake makes a new one"
                )
            });
            return Ok(());
        }
        if suite != session.suite {
            return Err(Error::IllegalParameter(phrase!(
                "the server resumes our session with suite {}, and the session's is {} (RFC \
                 5246 7.4.1.3)",
                suite.name(),
                session.suite.name()
            )));
        }
        if ems != session.extended_master_secret {
            return Err(Error::HandshakeFailure(phrase!(
                "the server resumes our session with extended master secret {}, and the \
                 session was made with it {}: RFC 7627 5.3 says abort",
                yes_no(ems),
                yes_no(session.extended_master_secret)
            )));
        }
        let how = if self.config.offer_session_ticket && session.ticket.is_some() {
            Resumption::Ticket
        } else {
            Resumption::SessionId
        };
        self.server_certificates = session.peer_certificates.clone();
        self.conn.trace().check(Side::Client, true, || {
            phrase!(
                "the server echoes our session_id: it resumes the session (by {}), and its \
                 Finished will prove it holds the master secret; its certificate, checked in \
                 the full handshake, is not sent again",
                how.name()
            )
        });
        self.resumed = Some(how);
        Ok(())
    }

    /// NewSessionTicket (RFC 5077 3.3): a ticket to keep, opaque to us.
    fn read_new_session_ticket<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        let message: NewSessionTicket = self.conn.expect(wire)?;
        let (len, hint) = (message.ticket.len(), message.ticket_lifetime_hint);
        self.conn.trace().note(Side::Client, || {
            if len == 0 {
                phrase!("an empty ticket: the server changed its mind, nothing to resume with")
            } else {
                phrase!(
                    "a ticket of {} bytes, to keep for {} s: our session sealed under a key \
                     only the server holds; opaque to us (RFC 5077 3.3)",
                    len,
                    hint
                )
            }
        });
        self.new_ticket = Some((message.ticket, hint));
        Ok(())
    }

    /// The session this full handshake made.
    fn new_session(&self) -> Result<Session, Error> {
        let master_secret = self
            .conn
            .master_secret()
            .ok_or_else(|| Error::Internal(phrase!("a session without a master secret")))?
            .clone();
        Ok(Session {
            id: self.server_session_id.clone(),
            ticket: None,
            ticket_lifetime_hint: 0,
            version: TLS1_2,
            suite: self.conn.suite()?,
            master_secret,
            extended_master_secret: self.conn.extended_master_secret(),
            server_name: self
                .hello
                .as_ref()
                .and_then(|h| h.extensions.server_name.clone()),
            peer_certificates: self.server_certificates.clone(),
            client_authenticated: false,
            created: self.conn.now(),
        })
    }

    /// Keeps `session` as this connection's, with the ticket the server gave, if any; a
    /// session with neither a session_id nor a ticket cannot be resumed and is not kept.
    fn keep_session(&mut self, mut session: Session) {
        if let Some((ticket, hint)) = self.new_ticket.take() {
            if !ticket.is_empty() {
                session.ticket = Some(ticket);
                session.ticket_lifetime_hint = hint;
            }
        }
        if session.id.is_empty() && session.ticket.is_none() {
            return;
        }
        self.session = Some(session);
    }
}

/// The server's choices in its ServerHello, against our offer: TLS 1.2, a suite we offered,
/// null compression, and only extensions we asked for (RFC 5246 7.4.1.3 and 7.4.1.4). Returns
/// the suite.
fn check_server_choices(offered: &ClientHello, hello: &ServerHello) -> Result<CipherSuite, Error> {
    // The version: we speak TLS 1.2 only.
    if hello.server_version != TLS1_2 {
        return Err(Error::ProtocolVersion(phrase!(
            "the server chose {}; this client speaks only TLS 1.2",
            version_name(hello.server_version)
        )));
    }
    // The suite must be one we offered.
    let suite = CipherSuite::from_id(hello.cipher_suite)
        .filter(|s| offered.cipher_suites.contains(&s.id()))
        .ok_or_else(|| {
            Error::IllegalParameter(phrase!(
                "the server chose suite 0x{}, which we did not offer",
                format!("{:04x}", hello.cipher_suite)
            ))
        })?;
    if hello.compression_method != 0 {
        return Err(Error::IllegalParameter(phrase!(
            "the server chose compression method {}; we offered only null",
            hello.compression_method
        )));
    }
    // Extensions: a server may only answer what we asked (RFC 5246 7.4.1.4), and some
    // extensions are the client's alone.
    let offered_types = offered.extensions.types();
    for ext_type in hello.extensions.types() {
        let answerable = matches!(
            ext_type,
            extensions::SERVER_NAME
                | extensions::EC_POINT_FORMATS
                | extensions::ALPN
                | extensions::ENCRYPT_THEN_MAC
                | extensions::EXTENDED_MASTER_SECRET
                | extensions::SESSION_TICKET
                | extensions::RENEGOTIATION_INFO
        );
        if !answerable || !offered_types.contains(&ext_type) {
            return Err(Error::UnsupportedExtension(phrase!(
                "the ServerHello carries {}, which the client did not offer",
                extensions::extension_name(ext_type)
            )));
        }
    }
    // (server_name in a ServerHello only acknowledges ours: its decoder made sure it is empty,
    // RFC 6066 3.)
    Ok(suite)
}
