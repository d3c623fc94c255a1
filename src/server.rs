//! The server's side of the handshake (RFC 5246 7.3), as its flights in wire order:
//!
//! ```text
//! Client                                               Server
//!
//! ClientHello                  -------->
//!                                                              ServerHello   answer_hello
//!                                                              Certificate
//!                                                        ServerKeyExchange*
//!                                                       CertificateRequest*
//!                              <--------                   ServerHelloDone
//! Certificate*
//! ClientKeyExchange
//! CertificateVerify*
//! [ChangeCipherSpec]
//! Finished                     -------->
//!                                                       [ChangeCipherSpec]   finish
//!                              <--------                          Finished
//! Application Data             <------->                  Application Data   send/receive
//! ```
//!
//! And when the client offers a session we can resume (RFC 5246 7.3, RFC 5077 3.1), the
//! abbreviated handshake: the server speaks first with its Finished.
//!
//! ```text
//! ClientHello                  -------->
//!                                                              ServerHello   answer_hello
//!                                                        [NewSessionTicket]
//!                                                        [ChangeCipherSpec]
//!                              <--------                          Finished
//! [ChangeCipherSpec]
//! Finished                     -------->                                     finish
//! ```

use std::io::{Read, Write};
use std::sync::Arc;

use rsa::RsaPublicKey;
use zeroize::Zeroizing;

use crate::conn::Conn;
use crate::error::Error;
use crate::event::{Event, Key};
use crate::key_exchange::{self, SUPPORTED_SCHEMES, scheme_name};
use crate::messages::certificate::Certificate;
use crate::messages::certificate_request::{CertificateRequest, RSA_SIGN};
use crate::messages::certificate_verify::{CertificateVerify, DigitallySigned};
use crate::messages::client_hello::ClientHello;
use crate::messages::client_key_exchange::{EcdheClientKeyExchange, RsaClientKeyExchange};
use crate::messages::extensions::{
    GROUP_X25519, HelloExtensions, POINT_FORMAT_UNCOMPRESSED, group_name, is_grease, protocol_name,
};
use crate::messages::new_session_ticket::NewSessionTicket;
use crate::messages::server_hello::ServerHello;
use crate::messages::server_hello_done::ServerHelloDone;
use crate::messages::server_key_exchange::{NAMED_CURVE, ServerEcdhParams, ServerKeyExchange};
use crate::messages::{TLS1_2, version_name};
use crate::phrase;
use crate::phrase::yes_no;
use crate::pki::{self, Identity};
use crate::rng::{Clock, RoleRng, Side};
use crate::session::{CacheLookup, Resumption, SESSION_ID_LEN, Session, SessionCache, TicketKeys};
use crate::suites::{
    self, CipherSuite, EMPTY_RENEGOTIATION_INFO_SCSV, KeyExchange, describe_suite_id,
};

/// What the server accepts, who it is, and whom it asks.
pub struct ServerConfig {
    /// The suites we accept, in any order (the client's preference decides).
    pub suites: Vec<CipherSuite>,
    /// Our certificate chain and the private key of the first certificate.
    pub identity: Identity,
    /// Agree to extended_master_secret (RFC 7627) when the client offers it.
    pub allow_extended_master_secret: bool,
    /// Agree to encrypt_then_mac (RFC 7366) when the client offers it and we choose CBC.
    pub allow_encrypt_then_mac: bool,
    /// Whether to ask the client for a certificate (mutual TLS).
    pub client_auth: ClientAuth,
    /// The CAs whose client certificates we accept, and their CRLs.
    pub client_trust: pki::TrustStore,
    /// ALPN (RFC 7301): the application protocols this server speaks, best first (`serve`:
    /// `http/1.1`). Empty: the server takes no part in ALPN, and a client's offer is read and
    /// left unanswered.
    pub alpn_protocols: Vec<String>,
    /// ALPN: when a client offers only protocols we do not speak, answer without ALPN and go
    /// on, instead of the fatal no_application_protocol of RFC 7301 3.2.
    pub alpn_optional: bool,
    /// Resumption by session ID (RFC 5246 7.3): the cache, shared by all of this server's
    /// connections. `None`: no session is kept, and our ServerHello's session_id is empty.
    pub session_cache: Option<Arc<SessionCache>>,
    /// Resumption by ticket (RFC 5077): the ticket keys, shared by all of this server's
    /// connections. `None`: a client's session_ticket extension goes unanswered.
    pub ticket_keys: Option<Arc<TicketKeys>>,
}

/// Mutual TLS: does the server ask for a client certificate?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// No CertificateRequest.
    None,
    /// Ask; a client may answer with an empty Certificate and carry on unauthenticated.
    Request,
    /// Ask, and refuse a client without one (`handshake_failure`, RFC 5246 7.4.6).
    Require,
}

/// The server side of one connection.
pub struct Server {
    config: ServerConfig,
    conn: Conn,
    /// The client's offer, kept for the steps that need it (its client_version guards the RSA
    /// pre-master).
    client_hello: Option<ClientHello>,
    /// The client offered secure renegotiation (RFC 5746): the extension or the SCSV.
    secure_renegotiation: bool,
    /// ECDHE: the signature scheme for ServerKeyExchange, chosen from the client's list.
    signature_scheme: Option<u16>,
    /// ECDHE: our ephemeral X25519 private key, between ServerKeyExchange and
    /// ClientKeyExchange; erased when the shared secret is computed.
    ecdh_private: Option<Zeroizing<[u8; 32]>>,
    /// Mutual TLS: the client's certificate chain as received (DER), possibly empty.
    client_certificates: Vec<Vec<u8>>,
    /// Mutual TLS: the public key of the client's checked certificate.
    client_public_key: Option<RsaPublicKey>,
    /// ALPN: the application protocol we chose from the client's list, if any.
    alpn_protocol: Option<Vec<u8>>,
    /// The suite and extended-master-secret state chosen from the ClientHello for a new
    /// session (a resumed one has its own), and the client's first choice among our suites.
    choice: Option<(CipherSuite, bool, CipherSuite)>,
    /// Our ServerHello's session_id: a new one (this session goes into the cache), the
    /// client's echoed (resumed), or empty.
    session_id: Vec<u8>,
    /// This handshake resumes a session, found this way.
    resumed: Option<Resumption>,
    /// The client's ticket opened under our previous key: a resumption renews it.
    renew_ticket: bool,
    /// Our ServerHello answers the client's session_ticket extension: a NewSessionTicket
    /// goes before our ChangeCipherSpec (RFC 5077 3.2).
    send_ticket: bool,
    /// The session: the one resumed, or the one this full handshake made, once complete.
    session: Option<Session>,
    /// Mutual TLS on a resumed session: the client's identity is the session's, proved in the
    /// full handshake and not checked again.
    identity_from_session: bool,
}

impl Server {
    /// A server with `config`, drawing its randomness from `rng`.
    pub fn new(config: ServerConfig, rng: RoleRng, clock: Clock, trace: bool) -> Self {
        Server {
            config,
            conn: Conn::new(Side::Server, rng, clock, trace, TLS1_2),
            client_hello: None,
            secure_renegotiation: false,
            signature_scheme: None,
            ecdh_private: None,
            client_certificates: Vec::new(),
            client_public_key: None,
            alpn_protocol: None,
            choice: None,
            session_id: Vec::new(),
            resumed: None,
            renew_ticket: false,
            send_ticket: false,
            session: None,
            identity_from_session: false,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The configuration, to change before the first flight (tests and labs do).
    pub fn config_mut(&mut self) -> &mut ServerConfig {
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

    /// The client's ClientHello, once read.
    pub fn client_hello(&self) -> Option<&ClientHello> {
        self.client_hello.as_ref()
    }

    /// Whether the client signalled secure renegotiation (RFC 5746).
    pub fn secure_renegotiation(&self) -> bool {
        self.secure_renegotiation
    }

    /// ECDHE: the scheme the ServerKeyExchange is signed with.
    pub fn signature_scheme(&self) -> Option<u16> {
        self.signature_scheme
    }

    /// ECDHE: whether the ephemeral private key still exists (it is erased once used).
    pub fn holds_ephemeral_key(&self) -> bool {
        self.ecdh_private.is_some()
    }

    /// Mutual TLS: the client's chain as received (DER), leaf first, whether or not it passed
    /// the checks ([`Server::client_authenticated`] says); empty if it sent none.
    pub fn client_certificates(&self) -> &[Vec<u8>] {
        &self.client_certificates
    }

    /// Mutual TLS: whether the client proved a certificate (its key checked CertificateVerify),
    /// in this handshake or, resumed, in the full handshake of its session.
    pub fn client_authenticated(&self) -> bool {
        self.client_public_key.is_some() || self.identity_from_session
    }

    /// Whether this handshake resumed a session, and how the session was found.
    pub fn resumed(&self) -> Option<Resumption> {
        self.resumed
    }

    /// The session: the one resumed, or the one the full handshake made (once complete).
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// ALPN: the application protocol chosen for this connection (RFC 7301 3.2), if the
    /// client offered one we speak.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.alpn_protocol.as_deref()
    }

    // ===================================================================================
    // Flight 2: answer the ClientHello

    /// Reads the ClientHello and answers with the server's flight, up to ServerHelloDone.
    pub fn answer_hello<W: Read + Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        let result = self.answer_hello_steps(wire);
        let result = self.conn.alert_on_error(wire, result);
        self.forget_session_after_fatal_alert();
        result
    }

    fn answer_hello_steps<W: Read + Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        self.conn.begin_flight(
            "server.answer_hello",
            "ClientHello",
            "ServerHello, Certificate, [ServerKeyExchange], [CertificateRequest], ServerHelloDone",
        );
        // 1. ClientHello (RFC 5246 7.4.1.2): version, suites, extensions.
        self.read_client_hello(wire)?;
        // 2. A session the client offers, by ticket (RFC 5077 3.4) or id (RFC 5246 7.4.1.2),
        //    that we can resume? Then the abbreviated handshake: no certificate, no key
        //    exchange, no private key.
        if let Some(session) = self.session_to_resume()? {
            return self.send_abbreviated_flight(wire, session);
        }
        // 3. A new session: the suite chosen, and whether it goes in our cache or a ticket.
        self.agree_on_new_session()?;
        // 4. ServerHello (RFC 5246 7.4.1.3): our choices.
        self.send_server_hello()?;
        // 5. Certificate (RFC 5246 7.4.2): our chain, with our public key in it.
        self.send_certificate()?;
        // 6. ServerKeyExchange (RFC 8422 5.4), ECDHE only: an ephemeral key, signed.
        if self.conn.suite()?.key_exchange() == KeyExchange::Ecdhe {
            self.send_server_key_exchange()?;
        }
        // 7. CertificateRequest (RFC 5246 7.4.4), for mutual TLS: "who are you?"
        if self.config.client_auth != ClientAuth::None {
            self.send_certificate_request()?;
        }
        // 8. ServerHelloDone (RFC 5246 7.4.5): the client's turn.
        self.send_server_hello_done()?;
        self.conn.flush(wire)
    }

    /// The abbreviated handshake's server flight (RFC 5246 7.3, RFC 5077 3.1): ServerHello
    /// with the session's suite and the client's session_id, [NewSessionTicket],
    /// ChangeCipherSpec, Finished. The server speaks first with its Finished, and no key
    /// but the session keys is used.
    fn send_abbreviated_flight<W: Write>(
        &mut self,
        wire: &mut W,
        session: Session,
    ) -> Result<(), Error> {
        // 1. The session's suite and state, the client's identity with it (RFC 5246 7.4.1.3:
        //    the cipher suite "from the state of the session being resumed").
        self.take_up_session(&session);
        self.conn.amend_flight(
            "ClientHello",
            if self.send_ticket {
                "ServerHello, NewSessionTicket, ChangeCipherSpec, Finished"
            } else {
                "ServerHello, ChangeCipherSpec, Finished"
            },
        );
        // 2. ServerHello (RFC 5246 7.4.1.3): the client's session_id echoed: "resumed".
        self.send_server_hello()?;
        // 3. Session keys: the session's master secret, this handshake's randoms (RFC 5246
        //    6.3).
        self.conn.resume_keys(&session)?;
        // 4. NewSessionTicket (RFC 5077 3.3), renewing a ticket our previous key sealed.
        if self.send_ticket {
            self.send_new_session_ticket(&session)?;
        }
        // 5. ChangeCipherSpec (RFC 5246 7.1): our records are protected from here on.
        self.conn.send_change_cipher_spec()?;
        // 6. Finished (RFC 5246 7.4.9): over ClientHello, ServerHello [, NewSessionTicket].
        self.conn.send_finished()?;
        self.session = Some(session);
        self.conn.flush(wire)
    }

    fn read_client_hello<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        let hello: ClientHello = self.conn.expect(wire)?;
        // The version: we speak TLS 1.2 only.
        self.check_version(&hello)?;
        // Compression: null must be on the list (RFC 5246 7.4.1.2), and is all we do.
        if !hello.compression_methods.contains(&0) {
            return Err(Error::IllegalParameter(phrase!(
                "the client does not offer the null compression method"
            )));
        }
        hello.extensions.check_point_formats()?;
        let (suite, first) = self.choose_suite(&hello)?;
        // Secure renegotiation (RFC 5746 3.6): signalled by the SCSV or an empty extension.
        hello.extensions.check_renegotiation_info_is_empty()?;
        self.secure_renegotiation = hello.extensions.renegotiation_info.is_some()
            || hello.cipher_suites.contains(&EMPTY_RENEGOTIATION_INFO_SCSV);
        if let Some(name) = &hello.extensions.server_name {
            self.conn.trace().note(Side::Server, || {
                phrase!("the client asks for host \"{}\" (SNI)", name)
            });
        }
        self.alpn_protocol = self.choose_alpn(&hello)?;
        let ems =
            hello.extensions.extended_master_secret && self.config.allow_extended_master_secret;
        self.conn.set_client_random(hello.random);
        self.choice = Some((suite, ems, first));
        self.client_hello = Some(hello);
        Ok(())
    }

    /// A full handshake makes a new session: the suite and EMS state chosen from the
    /// ClientHello; a session_id from our RNG if we keep sessions in a cache (RFC 5246
    /// 7.4.1.3, drawn with the ServerHello). A client that takes tickets gets one instead, and
    /// an empty session_id (RFC 5077 3.4: "it SHOULD include an empty Session ID").
    fn agree_on_new_session(&mut self) -> Result<(), Error> {
        let (suite, ems, first) = self
            .choice
            .ok_or_else(|| Error::Internal(phrase!("no suite chosen")))?;
        self.conn.agree(suite, ems);
        self.choose_encrypt_then_mac(suite);
        self.conn.trace().note(Side::Server, || {
            if suite == first {
                phrase!(
                    "chooses {} (the client's first choice among ours); extended master secret {}",
                    suite.name(),
                    yes_no(ems)
                )
            } else {
                phrase!(
                    "chooses {} (the client lists {} first, but this server takes an AEAD suite \
                     before CBC); extended master secret {}",
                    suite.name(),
                    first.name(),
                    yes_no(ems)
                )
            }
        });
        if self.send_ticket {
            self.conn.trace().note(Side::Server, || {
                phrase!(
                    "the client takes session tickets (its session_ticket extension): this \
                     session will travel in a ticket, and our session_id stays empty (RFC \
                     5077 3.4)"
                )
            });
        }
        Ok(())
    }

    /// A full handshake's session_id, drawn after our random: 32 bytes from the RNG when we
    /// keep sessions in a cache and the client takes no tickets; empty otherwise.
    fn new_session_id(&mut self) {
        if self.resumed.is_some() || self.send_ticket || self.config.session_cache.is_none() {
            return;
        }
        let id: [u8; SESSION_ID_LEN] = self.conn.rng().array();
        self.conn
            .trace()
            .value(Side::Server, "session_id", &id, || {
                phrase!(
                    "32 bytes from the server's RNG: this session's name in our cache, for the \
                     client to offer back (RFC 5246 7.4.1.3)"
                )
            });
        self.session_id = id.to_vec();
    }

    /// The version (RFC 5246 7.4.1.2, E.1; RFC 8446 4.2.1). A client that sends
    /// supported_versions (every TLS 1.3 client) is judged by that list alone; one that offers
    /// TLS 1.3 beside TLS 1.2 gets TLS 1.2. Otherwise client_version is the client's highest: a
    /// higher one is answered with TLS 1.2, a lower one cannot be.
    fn check_version(&mut self, hello: &ClientHello) -> Result<(), Error> {
        let Some(listed) = &hello.extensions.supported_versions else {
            if hello.client_version < TLS1_2 {
                return Err(Error::ProtocolVersion(phrase!(
                    "the client offers at most {}; this server speaks only TLS 1.2",
                    version_name(hello.client_version)
                )));
            }
            return Ok(());
        };
        let versions: Vec<String> = listed
            .iter()
            .filter(|&&v| !is_grease(v))
            .map(|&v| version_name(v))
            .collect();
        if !listed.contains(&TLS1_2) {
            return Err(Error::ProtocolVersion(phrase!(
                "the client offers only {} (its supported_versions extension, RFC 8446 4.2.1); \
                 this server speaks only TLS 1.2",
                versions.join(", ")
            )));
        }
        self.conn.trace().note(Side::Server, || {
            phrase!(
                "the client's supported_versions lists {}: TLS 1.2 is among them, and it is \
                 all this server speaks (RFC 8446 4.2.1: the list decides, not client_version)",
                versions.join(", ")
            )
        });
        Ok(())
    }

    /// The suite: the client's first choice among those we accept, except that an AEAD (GCM)
    /// suite goes before a CBC one. ECDHE needs a curve and a signature scheme in common (RFC
    /// 8422 5.1, RFC 5246 7.4.1.4.1); without them we can still agree on an RSA key exchange
    /// suite. Returns the suite and the client's first choice among ours.
    fn choose_suite(&mut self, hello: &ClientHello) -> Result<(CipherSuite, CipherSuite), Error> {
        let scheme = hello
            .extensions
            .signature_algorithms
            .as_deref()
            .and_then(key_exchange::choose_scheme);
        let x25519 = hello
            .extensions
            .supported_groups
            .as_ref()
            .is_some_and(|groups| groups.contains(&GROUP_X25519));
        let ecdhe_possible = scheme.is_some() && x25519;
        self.conn.trace().note(Side::Server, || {
            let offered: Vec<String> = hello
                .cipher_suites
                .iter()
                .map(|&id| describe_suite_id(id))
                .collect();
            phrase!("the client offers: {}", offered.join(", "))
        });
        let unimplemented = |id: &u16| !suites::implemented(*id) && !is_grease(*id);
        if hello.cipher_suites.iter().any(unimplemented) {
            self.conn.trace().note(Side::Server, || {
                let names: Vec<String> = hello
                    .cipher_suites
                    .iter()
                    .filter(|id| unimplemented(id))
                    .map(|&id| describe_suite_id(id))
                    .collect();
                phrase!("of these, not implemented here: {}", names.join(", "))
            });
        }
        let acceptable: Vec<CipherSuite> = hello
            .cipher_suites
            .iter()
            .filter_map(|&id| CipherSuite::from_id(id))
            .filter(|s| s.key_exchange() == KeyExchange::Rsa || ecdhe_possible)
            .filter(|s| self.config.suites.contains(s))
            .collect();
        let first = *acceptable
            .first()
            .ok_or_else(|| self.no_suite(hello, x25519))?;
        // AEAD first: a client that lists a CBC suite before a GCM one still gets GCM.
        let suite = acceptable
            .iter()
            .copied()
            .find(|s| !s.is_cbc())
            .unwrap_or(first);
        if suite.key_exchange() == KeyExchange::Ecdhe {
            self.signature_scheme = scheme;
        }
        Ok((suite, first))
    }

    /// Why no suite could be chosen, with its real cause: no suite in common at all, or only
    /// ECDHE suites in common and no group (x25519) or no signature scheme to go with them.
    fn no_suite(&self, hello: &ClientHello, x25519: bool) -> Error {
        let common = hello
            .cipher_suites
            .iter()
            .filter_map(|&id| CipherSuite::from_id(id))
            .any(|s| self.config.suites.contains(&s));
        let ours: Vec<&str> = self.config.suites.iter().map(|s| s.name()).collect();
        if !common {
            return Error::HandshakeFailure(phrase!(
                "no cipher suite in common with the client: this server accepts {}",
                ours.join(", ")
            ));
        }
        let extensions = &hello.extensions;
        if !x25519 {
            let Some(groups) = &extensions.supported_groups else {
                return Error::HandshakeFailure(phrase!(
                    "no group in common: the suites in common are ECDHE, which here needs \
                     x25519, and the client sends no supported_groups extension (RFC 8422 4 \
                     would let the server pick any curve; this one does not assume the client \
                     has x25519)"
                ));
            };
            let offered: Vec<String> = groups.iter().map(|&g| group_name(g)).collect();
            return Error::HandshakeFailure(phrase!(
                "no group in common: the suites in common are ECDHE, which here needs x25519, \
                 and the client's supported_groups offers {}",
                offered.join(", ")
            ));
        }
        let ours: Vec<String> = SUPPORTED_SCHEMES.iter().map(|&s| scheme_name(s)).collect();
        let Some(schemes) = &extensions.signature_algorithms else {
            // RFC 5246 7.4.1.4.1: without the extension, the client takes SHA-1 signatures.
            return Error::HandshakeFailure(phrase!(
                "no signature scheme in common: the suites in common are ECDHE_RSA, whose key \
                 the server signs with one of {}, and the client sends no signature_algorithms \
                 extension, which means SHA-1 only (RFC 5246 7.4.1.4.1)",
                ours.join(", ")
            ));
        };
        let offered: Vec<String> = schemes.iter().map(|&s| scheme_name(s)).collect();
        Error::HandshakeFailure(phrase!(
            "no signature scheme in common: the suites in common are ECDHE_RSA, whose key the \
             server signs with one of {}, and the client's signature_algorithms offers {}",
            ours.join(", "),
            offered.join(", ")
        ))
    }

    /// ALPN (RFC 7301 3.2): the server picks, "the most highly preferred protocol that it
    /// supports and that is also advertised by the client", in our own order of preference.
    /// None in common: "the server SHALL respond with a fatal "no_application_protocol"
    /// alert", unless ALPN is optional here (then the ServerHello simply does not answer).
    fn choose_alpn(&mut self, hello: &ClientHello) -> Result<Option<Vec<u8>>, Error> {
        let Some(offered) = &hello.extensions.alpn else {
            return Ok(None);
        };
        let names: Vec<String> = offered.iter().map(|name| protocol_name(name)).collect();
        let trace = self.conn.trace();
        trace.note(Side::Server, || {
            phrase!(
                "the client offers the application protocols {} (ALPN, RFC 7301 3.1), best first",
                names.join(", ")
            )
        });
        let ours = &self.config.alpn_protocols;
        if ours.is_empty() {
            trace.note(Side::Server, || {
                phrase!(
                    "this server speaks no application protocol by name: it does not answer \
                     ALPN, and the client decides whether to go on (RFC 7301 3.1)"
                )
            });
            return Ok(None);
        }
        let chosen = ours
            .iter()
            .find(|ours| offered.iter().any(|name| name == ours.as_bytes()));
        match chosen {
            Some(chosen) => {
                trace.note(Side::Server, || {
                    phrase!(
                        "chooses the application protocol {}: the first of this server's ({}) \
                         that the client offers (ALPN, RFC 7301 3.2)",
                        chosen.to_string(),
                        ours.join(", ")
                    )
                });
                Ok(Some(chosen.as_bytes().to_vec()))
            }
            None if self.config.alpn_optional => {
                trace.note(Side::Server, || {
                    phrase!(
                        "none of these is one this server speaks ({}); ALPN is optional here, so \
                         the ServerHello carries no ALPN extension and the handshake goes on \
                         (without this option: no_application_protocol, RFC 7301 3.2)",
                        ours.join(", ")
                    )
                });
                Ok(None)
            }
            None => Err(Error::NoApplicationProtocol(phrase!(
                "the client offers only the application protocols {} (ALPN); this server speaks \
                 {} (RFC 7301 3.2)",
                names.join(", "),
                ours.join(", ")
            ))),
        }
    }

    /// Encrypt-then-MAC (RFC 7366 3): with a CBC suite, when the client offers it (and this
    /// server allows it), answer it and MAC the ciphertext; with GCM, never answer it.
    fn choose_encrypt_then_mac(&mut self, suite: CipherSuite) {
        let offered = self
            .client_hello
            .as_ref()
            .is_some_and(|hello| hello.extensions.encrypt_then_mac);
        let agreed = offered && suite.is_cbc() && self.config.allow_encrypt_then_mac;
        let trace = self.conn.trace();
        if agreed {
            trace.note(Side::Server, || {
                phrase!(
                    "records: encrypt-then-MAC (RFC 7366): the client offers encrypt_then_mac \
                     and the suite is CBC, so each record's MAC covers its IV and ciphertext and \
                     is checked before anything is decrypted"
                )
            });
        } else if suite.is_cbc() {
            trace.note(Side::Server, || {
                phrase!(
                    "records: MAC-then-encrypt (RFC 5246 6.2.3.2): encrypt_then_mac was not \
                     agreed, so the MAC is inside the encryption and the padding is checked \
                     first: the order the padding-oracle attacks use"
                )
            });
        }
        self.conn.agree_encrypt_then_mac(agreed);
    }

    fn send_server_hello(&mut self) -> Result<(), Error> {
        let suite = self.conn.suite()?;
        let random: [u8; 32] = self.conn.rng().array();
        self.conn.set_server_random(random);
        self.conn
            .trace()
            .value(Side::Server, "server_random", &random, || {
                phrase!("32 bytes from the server's RNG")
            });
        let client_point_formats = self
            .client_hello
            .as_ref()
            .is_some_and(|h| h.extensions.ec_point_formats.is_some());
        self.new_session_id();
        self.conn.send(&ServerHello {
            server_version: TLS1_2,
            random,
            // A new session's id (cached at the end), the client's echoed (resumed), or empty.
            session_id: self.session_id.clone(),
            cipher_suite: suite.id(),
            compression_method: 0,
            extensions: HelloExtensions {
                // RFC 8422 5.2: with an ECC suite, answer the client's point formats.
                ec_point_formats: (suite.key_exchange() == KeyExchange::Ecdhe
                    && client_point_formats)
                    .then(|| vec![POINT_FORMAT_UNCOMPRESSED]),
                // RFC 7301 3.1: the one protocol chosen, if any.
                alpn: self.alpn_protocol.clone().map(|chosen| vec![chosen]),
                // RFC 7366 3: answered only for a CBC suite.
                encrypt_then_mac: self.conn.encrypt_then_mac(),
                renegotiation_info: self.secure_renegotiation.then(Vec::new),
                extended_master_secret: self.conn.extended_master_secret(),
                // RFC 5077 3.2: empty, "a NewSessionTicket will follow".
                session_ticket: self.send_ticket.then(Vec::new),
                ..HelloExtensions::default()
            },
        })
    }

    fn send_certificate(&mut self) -> Result<(), Error> {
        self.conn.send(&Certificate {
            certificate_list: self.config.identity.chain.clone(),
        })
    }

    /// ECDHE: a fresh X25519 key pair, and the public half signed with our private key. This
    /// signature is the only thing the private key does in an ECDHE handshake: it proves the
    /// ephemeral key is ours, and it is never used to protect any data.
    fn send_server_key_exchange(&mut self) -> Result<(), Error> {
        let pair = key_exchange::x25519_key_pair(self.conn.rng());
        let trace = self.conn.trace();
        trace.secret(
            Side::Server,
            "server_ecdh_private",
            &pair.private[..],
            || phrase!("32 random bytes from the server's RNG: an ephemeral X25519 private key"),
        );
        trace.value(Side::Server, "server_ecdh_public", &pair.public, || {
            phrase!("X25519(server_ecdh_private, 9)")
        });
        let params = ServerEcdhParams {
            curve_type: NAMED_CURVE,
            named_curve: GROUP_X25519,
            public: pair.public.to_vec(),
        };
        let signed = params.signed_bytes(self.conn.client_random(), self.conn.server_random())?;
        self.conn
            .trace()
            .value(Side::Server, "signed_params", &signed, || {
                phrase!(
                    "client_random + server_random + ServerECDHParams: what the private key signs"
                )
            });
        let scheme = self
            .signature_scheme
            .ok_or_else(|| Error::Internal(phrase!("ECDHE without a signature scheme")))?;
        let signature =
            key_exchange::sign(self.conn.rng(), &self.config.identity.key, scheme, &signed)?;
        self.conn
            .trace()
            .key_use(Side::Server, Key::ServerPrivateKey, || {
                phrase!(
                    "sign the ServerKeyExchange ({}): the one and only use of the private key in \
                     this handshake; it never touches the session keys",
                    key_exchange::scheme_name(scheme)
                )
            });
        self.conn.send(&ServerKeyExchange {
            params,
            signed_params: DigitallySigned { scheme, signature },
        })?;
        self.ecdh_private = Some(pair.private);
        Ok(())
    }

    /// Mutual TLS: the kinds of certificate, the signature schemes for CertificateVerify, and
    /// the names of the CAs we trust, so the client can pick a certificate they issued.
    fn send_certificate_request(&mut self) -> Result<(), Error> {
        let request = CertificateRequest {
            certificate_types: vec![RSA_SIGN],
            supported_signature_algorithms: SUPPORTED_SCHEMES.to_vec(),
            certificate_authorities: self.config.client_trust.subjects_der()?,
        };
        self.conn.send(&request)
    }

    fn send_server_hello_done(&mut self) -> Result<(), Error> {
        self.conn.send(&ServerHelloDone)
    }

    // ===================================================================================
    // Flight 4: the client's key exchange and Finished; our ChangeCipherSpec and Finished

    /// Reads the client's flight and answers with ChangeCipherSpec and Finished; in an
    /// abbreviated handshake, reads the client's ChangeCipherSpec and Finished.
    pub fn finish<W: Read + Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        let result = if self.resumed.is_some() {
            self.finish_abbreviated_steps(wire)
        } else {
            self.finish_steps(wire)
        };
        let result = self.conn.alert_on_error(wire, result);
        self.forget_session_after_fatal_alert();
        result
    }

    /// The end of the abbreviated handshake (RFC 5246 7.3, RFC 5077 3.1): the client's
    /// ChangeCipherSpec and Finished, which prove it holds the session's master secret.
    fn finish_abbreviated_steps<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        self.conn
            .begin_flight("server.finish", "ChangeCipherSpec, Finished", "");
        // 1. The client's ChangeCipherSpec (RFC 5246 7.1).
        self.conn.read_change_cipher_spec(wire)?;
        // 2. The client's Finished (RFC 5246 7.4.9): over ClientHello, ServerHello,
        //    [NewSessionTicket] and our Finished.
        self.conn.read_finished(wire)?;
        self.conn.set_handshake_complete();
        self.conn.trace().note(Side::Server, || {
            phrase!(
                "abbreviated handshake complete: no certificate, no key exchange, no private \
                 key; new session keys from the session's master secret and the new randoms"
            )
        });
        Ok(())
    }

    fn finish_steps<W: Read + Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        self.conn.begin_flight(
            "server.finish",
            "[Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec, Finished",
            if self.send_ticket {
                "NewSessionTicket, ChangeCipherSpec, Finished"
            } else {
                "ChangeCipherSpec, Finished"
            },
        );
        // 1. Certificate (RFC 5246 7.4.6), when we asked: the client's chain, checked now.
        if self.config.client_auth != ClientAuth::None {
            self.read_client_certificate(wire)?;
        }
        // 2. ClientKeyExchange (RFC 5246 7.4.7): recover the pre-master secret.
        let pre_master_secret = match self.conn.suite()?.key_exchange() {
            KeyExchange::Rsa => self.read_rsa_client_key_exchange(wire)?,
            KeyExchange::Ecdhe => self.read_ecdhe_client_key_exchange(wire)?,
        };
        // 3. Master secret and session keys (RFC 5246 8.1, 6.3; RFC 7627).
        self.conn.derive_keys(&pre_master_secret)?;
        // 4. CertificateVerify (RFC 5246 7.4.8), when the client sent a certificate: its
        //    signature over the handshake so far proves it holds the certificate's key.
        if self.client_public_key.is_some() {
            self.read_certificate_verify(wire)?;
        }
        // 5. The client's ChangeCipherSpec (RFC 5246 7.1).
        self.conn.read_change_cipher_spec(wire)?;
        // 6. The client's Finished (RFC 5246 7.4.9): the first point where a wrong pre-master
        //    (a bad ciphertext, a wrong private key) shows.
        self.conn.read_finished(wire)?;

        // 7. NewSessionTicket (RFC 5077 3.3), if our ServerHello promised one: this session,
        //    sealed under our ticket key, for the client to keep.
        let session = self.new_session()?;
        if self.send_ticket {
            self.send_new_session_ticket(&session)?;
        }
        // 8. ChangeCipherSpec (RFC 5246 7.1): our records are protected from here on.
        self.conn.send_change_cipher_spec()?;
        // 9. Finished (RFC 5246 7.4.9): covers the client's Finished too.
        self.conn.send_finished()?;
        self.conn.flush(wire)?;
        self.conn.set_handshake_complete();
        // 10. The session, kept in our cache if it has an id (RFC 5246 7.4.1.3).
        self.remember_session(session);
        Ok(())
    }

    /// Mutual TLS: the client's certificate chain, checked against our client CAs and CRLs
    /// at our clock (issuer signatures, validity, revocation, clientAuth).
    fn read_client_certificate<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        let certificate: Certificate = self.conn.expect(wire)?;
        let Some(leaf_der) = certificate.certificate_list.first() else {
            if self.config.client_auth == ClientAuth::Require {
                // TLS 1.2 has no certificate_required alert (TLS 1.3 added one): RFC 5246 7.4.6
                // says handshake_failure.
                return Err(Error::HandshakeFailure(phrase!(
                    "the client sent no certificate, and this server requires one"
                )));
            }
            self.conn.trace().note(Side::Server, || {
                phrase!(
                    "the client sent no certificate: it stays anonymous (certificate requested, \
                     not required)"
                )
            });
            return Ok(());
        };
        let leaf = pki::parse_certificate(leaf_der)?;
        self.conn.trace().note(Side::Server, || {
            phrase!("client certificate: {}", pki::describe_certificate(&leaf))
        });
        // Kept as received, checked or not: `client_authenticated` says whether it was proven.
        self.client_certificates = certificate.certificate_list;
        let report = pki::verify_chain(
            &self.client_certificates,
            &self.config.client_trust,
            self.conn.now(),
            pki::Purpose::ClientAuth,
            None,
            self.conn.trace_enabled(),
        );
        for check in report.checks {
            self.conn.trace().push(|| Event::ChainCheck {
                side: Side::Server,
                checked: check.checked,
                ok: check.ok,
            });
        }
        report.result?;
        self.client_public_key = Some(pki::rsa_public_key(&leaf)?);
        self.conn
            .trace()
            .key_use(Side::Server, Key::ClientPublicKey, || {
                phrase!("taken from the client's certificate, to check its CertificateVerify")
            });
        Ok(())
    }

    /// Mutual TLS: the client's signature over every handshake message so far, checked with
    /// the public key of its certificate.
    fn read_certificate_verify<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        // What the client signed: the transcript up to, not including, CertificateVerify.
        let signed = self.conn.transcript().bytes().to_vec();
        let covers = self
            .conn
            .trace_enabled()
            .then(|| self.conn.transcript().covers());
        let verify: CertificateVerify = self.conn.expect(wire)?;
        let scheme = verify.signed.scheme;
        if !SUPPORTED_SCHEMES.contains(&scheme) {
            return Err(Error::IllegalParameter(phrase!(
                "CertificateVerify uses {}, which our CertificateRequest did not offer",
                key_exchange::scheme_name(scheme)
            )));
        }
        if self.conn.trace_enabled() {
            let hash = key_exchange::scheme_hash(scheme, &signed);
            self.conn
                .trace()
                .value(Side::Server, "certificate_verify_hash", &hash, || {
                    phrase!(
                        "the hash that the client's {} signature covers: {} ({} bytes)",
                        key_exchange::scheme_name(scheme),
                        covers.unwrap_or_default(),
                        signed.len()
                    )
                });
        }
        let public_key = self
            .client_public_key
            .as_ref()
            .ok_or_else(|| Error::Internal(phrase!("CertificateVerify without a certificate")))?;
        let verified = key_exchange::verify(public_key, scheme, &signed, &verify.signed.signature);
        let trace = self.conn.trace();
        trace.key_use(Side::Server, Key::ClientPublicKey, || {
            phrase!("verify the client's CertificateVerify signature")
        });
        trace.check(Side::Server, verified.is_ok(), || {
            phrase!("CertificateVerify: the client holds the private key of its certificate")
        });
        verified
    }

    /// RSA: the encrypted pre-master; decrypted with the RFC 5246 7.4.7.1 defence (read its
    /// comment in `key_exchange::rsa_decrypt_pre_master`).
    fn read_rsa_client_key_exchange<R: Read>(
        &mut self,
        wire: &mut R,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let exchange: RsaClientKeyExchange = self.conn.expect(wire)?;
        let client_version = self
            .client_hello
            .as_ref()
            .map_or(TLS1_2, |h| h.client_version);
        let pre_master = key_exchange::rsa_decrypt_pre_master(
            self.conn.rng(),
            &self.config.identity.key,
            &exchange.encrypted_pre_master,
            client_version,
        );
        let trace = self.conn.trace();
        trace.key_use(Side::Server, Key::ServerPrivateKey, || {
            phrase!(
                "RSA-decrypt the pre-master secret: the one and only use of the private key in \
                 this handshake"
            )
        });
        trace.secret(Side::Server, "pre_master_secret", &pre_master[..], || {
            phrase!(
                "decrypted from ClientKeyExchange (or, had anything been wrong, client_version + \
                 46 random bytes, silently: RFC 5246 7.4.7.1)"
            )
        });
        Ok(Zeroizing::new(pre_master.to_vec()))
    }

    /// ECDHE: the shared secret of our ephemeral key and the client's; our private key is
    /// erased here.
    fn read_ecdhe_client_key_exchange<R: Read>(
        &mut self,
        wire: &mut R,
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        let exchange: EcdheClientKeyExchange = self.conn.expect(wire)?;
        let private = self
            .ecdh_private
            .take()
            .ok_or_else(|| Error::Internal(phrase!("no ephemeral key")))?;
        self.conn
            .trace()
            .value(Side::Server, "client_ecdh_public", &exchange.public, || {
                phrase!("the client's ephemeral X25519 public key, from ClientKeyExchange")
            });
        let shared = key_exchange::x25519_shared_secret(&private, &exchange.public)?;
        let trace = self.conn.trace();
        trace.key_use(Side::Server, Key::EphemeralPrivateKey, || {
            phrase!(
                "X25519(server's ephemeral private key, client's ephemeral public key) = the \
                 shared secret; the private key is erased right after"
            )
        });
        trace.secret(Side::Server, "pre_master_secret", &shared[..], || {
            phrase!("the X25519 shared secret (RFC 8422 5.10), the same value the client computed")
        });
        Ok(Zeroizing::new(shared.to_vec()))
    }

    // ===================================================================================
    // Application data

    /// Sends application data in as many records as it takes.
    pub fn send<W: Write>(&mut self, wire: &mut W, data: &[u8]) -> Result<(), Error> {
        let result = self.conn.send_application_data(wire, data);
        self.forget_session_after_fatal_alert();
        result
    }

    /// The next application data; `None` once the client sent close_notify.
    pub fn receive<W: Read + Write>(&mut self, wire: &mut W) -> Result<Option<Vec<u8>>, Error> {
        let result = self.conn.receive(wire);
        self.forget_session_after_fatal_alert();
        result
    }

    /// Sends close_notify.
    pub fn close<W: Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        self.conn.close(wire)
    }
}

// =========================================================================================
// Resumption: finding the session a client offers, the rules that make resuming it safe,
// and keeping sessions (RFC 5246 7.3, 7.4.1.2, F.1.4; RFC 5077; RFC 7627 5.3; RFC 6066 3)

impl Server {
    /// The session the client offers, if we can and may resume it: by ticket when it hands
    /// one back (RFC 5077 3.4), else by session_id (RFC 5246 7.4.1.2). Whatever is wrong
    /// with what it offers gives a full handshake, save the mismatches that RFC 7627 5.3
    /// says to abort.
    fn session_to_resume(&mut self) -> Result<Option<Session>, Error> {
        let hello = self
            .client_hello
            .as_ref()
            .ok_or_else(|| Error::Internal(phrase!("no ClientHello")))?;
        let ticket = hello.extensions.session_ticket.clone();
        let id = hello.session_id.clone();
        // A client with the extension takes tickets: a full handshake gives it one.
        self.send_ticket = ticket.is_some() && self.config.ticket_keys.is_some();
        let found = match ticket {
            Some(ticket) if !ticket.is_empty() && self.config.ticket_keys.is_some() => {
                self.open_ticket(&ticket)
            }
            _ if !id.is_empty() => self.look_up_session_id(&id),
            _ => None,
        };
        let Some((session, how)) = found else {
            return Ok(None);
        };
        if !self.may_resume(&session)? {
            return Ok(None);
        }
        self.resumed = Some(how);
        // RFC 5077 3.4: a ticket accepted, "it MUST respond with the same Session ID"; by id,
        // echoing it is what says "resumed" (RFC 5246 7.4.1.3).
        self.session_id = id;
        Ok(Some(session))
    }

    /// The client's ticket, opened with our ticket keys (RFC 5077 3.4); `None` (a full
    /// handshake, and a fresh ticket) when it does not open, names a key we do not have, or
    /// has expired.
    fn open_ticket(&mut self, ticket: &[u8]) -> Option<(Session, Resumption)> {
        let keys = self.config.ticket_keys.clone()?;
        let now = self.conn.now();
        match keys.open(ticket, now) {
            Ok(opened) => {
                let (session, previous) = (opened.session, opened.under_previous_key);
                self.conn.trace().note(Side::Server, || {
                    phrase!(
                        "the client's ticket ({} bytes) opens under our ticket key {}: a {} \
                         session made {} s ago; we kept nothing, the client carried it all \
                         (RFC 5077 3.4)",
                        ticket.len(),
                        hex::encode(&ticket[..16]),
                        session.suite.name(),
                        session.age(now)
                    )
                });
                self.renew_ticket = previous;
                Some((session, Resumption::Ticket))
            }
            Err(problem) => {
                self.conn.trace().note(Side::Server, || {
                    phrase!(
                        "the client's ticket gives no session: {}; a full handshake instead, \
                         never a failure (RFC 5077 3.4)",
                        problem.reason()
                    )
                });
                None
            }
        }
    }

    /// The client's session_id, looked up in our cache (RFC 5246 7.4.1.2: "If the session_id
    /// field is not empty (implying a session resumption request)").
    fn look_up_session_id(&mut self, id: &[u8]) -> Option<(Session, Resumption)> {
        let shown = hex::encode(id);
        let Some(cache) = self.config.session_cache.clone() else {
            self.conn.trace().note(Side::Server, || {
                phrase!(
                    "the client offers to resume session {}; this server keeps no sessions: a \
                     full handshake",
                    shown
                )
            });
            return None;
        };
        let lifetime = cache.lifetime();
        let found = cache.find(id, self.conn.now());
        let trace = self.conn.trace();
        match found {
            CacheLookup::Found(session) => {
                trace.note(Side::Server, || {
                    phrase!("session {} is in our cache", shown)
                });
                Some((session, Resumption::SessionId))
            }
            CacheLookup::Unknown => {
                trace.note(Side::Server, || {
                    phrase!(
                        "session {} is not in our cache (never made here, evicted, or ended by \
                         a fatal alert): a full handshake",
                        shown
                    )
                });
                None
            }
            CacheLookup::Expired { age } => {
                trace.note(Side::Server, || {
                    phrase!(
                        "session {} is {} s old, past our lifetime of {} s: removed, and a full \
                         handshake",
                        shown,
                        age,
                        lifetime
                    )
                });
                None
            }
        }
    }

    /// The rules that make resuming safe. Each rule a session breaks gives a full handshake
    /// (a new session), except the extended-master-secret mismatches that RFC 7627 5.3 says to
    /// abort.
    fn may_resume(&mut self, session: &Session) -> Result<bool, Error> {
        let hello = self
            .client_hello
            .clone()
            .ok_or_else(|| Error::Internal(phrase!("no ClientHello")))?;
        let refusal = if session.version != TLS1_2 {
            // The version of a resumed session is the session's (RFC 5246 7.4.1.3).
            Some(phrase!(
                "the session is {}, and this server speaks only TLS 1.2",
                version_name(session.version)
            ))
        } else if !hello.cipher_suites.contains(&session.suite.id())
            || !self.config.suites.contains(&session.suite)
        {
            // RFC 5246 7.4.1.2: a client resuming "MUST include at least the cipher_suite from
            // that session"; and we must still accept it.
            Some(phrase!(
                "the session's suite {} is not both offered by the client and accepted here",
                session.suite.name()
            ))
        } else if session.server_name != hello.extensions.server_name {
            // RFC 6066 3: "MUST NOT accept the request to resume the session if the
            // server_name extension contains a different name".
            Some(phrase!(
                "the session was for host {}, and the client now asks for {} (SNI, RFC 6066 3)",
                session.server_name.clone().unwrap_or("(none)".into()),
                hello
                    .extensions
                    .server_name
                    .clone()
                    .unwrap_or("(none)".into())
            ))
        } else if self.config.client_auth == ClientAuth::Require && !session.client_authenticated {
            Some(phrase!(
                "we require a client certificate, and the client of this session proved none"
            ))
        } else {
            None
        };
        if let Some(why) = refusal {
            self.conn.trace().note(Side::Server, || {
                phrase!("not resumed: {}; a full handshake makes a new session", why)
            });
            return Ok(false);
        }
        self.check_extended_master_secret(session, &hello)
    }

    /// RFC 7627 5.3, for a server that implements it: a session and a ClientHello must agree
    /// on the extended master secret. A session without it, offered by a client with it: not
    /// resumed, a full handshake; a session with it, offered without it: abort; neither: abort
    /// too (the RFC's SHOULD: it would be the insecure legacy resumption of the triple
    /// handshake attack). "Abort" is a fatal handshake_failure (RFC 7627 5.2).
    fn check_extended_master_secret(
        &mut self,
        session: &Session,
        hello: &ClientHello,
    ) -> Result<bool, Error> {
        if !self.config.allow_extended_master_secret {
            self.conn.trace().note(Side::Server, || {
                phrase!(
                    "this server does not do RFC 7627 (--no-ems): it resumes as servers did \
                     before it, whatever the extended master secret"
                )
            });
            return Ok(true);
        }
        match (
            session.extended_master_secret,
            hello.extensions.extended_master_secret,
        ) {
            (true, true) => Ok(true),
            (false, true) => {
                self.conn.trace().note(Side::Server, || {
                    phrase!(
                        "not resumed: the session was made without extended master secret, and \
                         the client now offers it (RFC 7627 5.3: \"MUST NOT perform the \
                         abbreviated handshake\"); a full handshake makes a new session"
                    )
                });
                Ok(false)
            }
            (true, false) => Err(Error::HandshakeFailure(phrase!(
                "the session used extended master secret, and the ClientHello resuming it does \
                 not offer it: RFC 7627 5.3 says abort"
            ))),
            (false, false) => Err(Error::HandshakeFailure(phrase!(
                "neither the session nor the ClientHello resuming it uses extended master \
                 secret: RFC 7627 5.3 says abort (an insecure legacy resumption)"
            ))),
        }
    }

    /// A resumed session's state becomes this connection's: its suite, extended master
    /// secret, and the client identity it proved, which is not checked again.
    fn take_up_session(&mut self, session: &Session) {
        let offered_ems = self
            .client_hello
            .as_ref()
            .is_some_and(|h| h.extensions.extended_master_secret);
        let ems = session.extended_master_secret
            && offered_ems
            && self.config.allow_extended_master_secret;
        self.conn.agree(session.suite, ems);
        // RFC 7366 3.1: encrypt-then-MAC is agreed again in the hellos of each handshake.
        self.choose_encrypt_then_mac(session.suite);
        self.send_ticket = self.resumed == Some(Resumption::Ticket) && self.renew_ticket;
        let how = self.resumed.map_or("", Resumption::name);
        self.conn.trace().note(Side::Server, || {
            phrase!(
                "resumes the session (by {}): {}, extended master secret {}, its master secret; \
                 no Certificate, no key exchange follow",
                how,
                session.suite.name(),
                yes_no(ems)
            )
        });
        if self.renew_ticket && self.send_ticket {
            self.conn.trace().note(Side::Server, || {
                phrase!(
                    "the ticket was sealed under our previous ticket key: a fresh one under the \
                     current key goes with this handshake"
                )
            });
        }
        self.client_certificates = session.peer_certificates.clone();
        self.identity_from_session = session.client_authenticated;
        if let Some(leaf) = session.peer_certificates.first() {
            let age = session.age(self.conn.now());
            self.conn.trace().note(Side::Server, || {
                let who = match pki::parse_certificate(leaf) {
                    Ok(certificate) => pki::describe_certificate(&certificate),
                    Err(e) => e.reason(),
                };
                phrase!(
                    "the client's identity comes with the session: {}, proved {} s ago in the \
                     full handshake; NOT checked again now (no Certificate, no \
                     CertificateVerify, no CRL in an abbreviated handshake)",
                    who,
                    age
                )
            });
        }
    }

    /// The session this full handshake made: what a resumption will need of it.
    fn new_session(&self) -> Result<Session, Error> {
        let master_secret = self
            .conn
            .master_secret()
            .ok_or_else(|| Error::Internal(phrase!("a session without a master secret")))?
            .clone();
        let hello = self.client_hello.as_ref();
        Ok(Session {
            id: self.session_id.clone(),
            ticket: None,
            ticket_lifetime_hint: 0,
            version: TLS1_2,
            suite: self.conn.suite()?,
            master_secret,
            extended_master_secret: self.conn.extended_master_secret(),
            server_name: hello.and_then(|h| h.extensions.server_name.clone()),
            peer_certificates: self.client_certificates.clone(),
            client_authenticated: self.client_public_key.is_some(),
            created: self.conn.now(),
        })
    }

    /// NewSessionTicket (RFC 5077 3.3): the session sealed under our current ticket key
    /// (rotated first if it has served a whole lifetime).
    fn send_new_session_ticket(&mut self, session: &Session) -> Result<(), Error> {
        let keys = self
            .config
            .ticket_keys
            .clone()
            .ok_or_else(|| Error::Internal(phrase!("a ticket without ticket keys")))?;
        let now = self.conn.now();
        if keys.rotate_if_due(self.conn.rng(), now) {
            self.conn.trace().note(Side::Server, || {
                phrase!(
                    "our ticket key has sealed tickets for a whole lifetime: a new one from the \
                     RNG; the old one stays, to open its tickets for one lifetime more"
                )
            });
        }
        let ticket = keys.seal(session, self.conn.rng())?;
        // The key name it was sealed under, as it travels: the ticket's first 16 bytes.
        let name = ticket.get(..16).unwrap_or_default().to_vec();
        self.conn.trace().note(Side::Server, || {
            phrase!(
                "the session (master secret, suite, extended master secret, SNI, client \
                 identity) sealed with AES-128-GCM under our ticket key {}: only that key opens \
                 it, and we keep nothing; the ticket goes out unprotected, before our \
                 ChangeCipherSpec",
                hex::encode(name)
            )
        });
        self.conn.send(&NewSessionTicket {
            ticket_lifetime_hint: u32::try_from(keys.lifetime()).unwrap_or(u32::MAX),
            ticket,
        })
    }

    /// Keeps this full handshake's session in our cache under its session_id (RFC 5246
    /// 7.4.1.3); with a ticket or without a cache it lives only in the client's hands.
    fn remember_session(&mut self, session: Session) {
        if let Some(cache) = &self.config.session_cache
            && !session.id.is_empty()
        {
            cache.insert(session.clone());
            let (shown, lifetime) = (hex::encode(&session.id), cache.lifetime());
            self.conn.trace().note(Side::Server, || {
                phrase!(
                    "session {} kept in our cache: resumable for {} s",
                    shown,
                    lifetime
                )
            });
        }
        self.session = Some(session);
    }

    /// RFC 5246 7.2.2: "any connection terminated with a fatal alert MUST NOT be resumed": its
    /// session leaves our cache. (A ticket cannot be taken back; the client drops it.)
    fn forget_session_after_fatal_alert(&mut self) {
        if !self.conn.ended_with_fatal_alert() || self.session_id.is_empty() {
            return;
        }
        let Some(cache) = &self.config.session_cache else {
            return;
        };
        if cache.remove(&self.session_id) {
            let shown = hex::encode(&self.session_id);
            self.conn.trace().note(Side::Server, || {
                phrase!(
                    "session {} ended with a fatal alert: removed from our cache, never to be \
                     resumed (RFC 5246 7.2.2)",
                    shown
                )
            });
        }
    }
}
