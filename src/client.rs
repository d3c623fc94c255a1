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
use crate::messages::server_hello::ServerHello;
use crate::messages::server_hello_done::ServerHelloDone;
use crate::messages::server_key_exchange::ServerKeyExchange;
use crate::messages::{TLS1_0, TLS1_2, version_name};
use crate::phrase;
use crate::phrase::yes_no;
use crate::pki;
use crate::rng::{Clock, RoleRng, Side};
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
        let hello = self.client_hello(random)?;
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
            // No session to resume: this program always does a full handshake.
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
        // 2. Certificate (RFC 5246 7.4.2): the server's chain; we keep its public key.
        self.read_server_certificate(wire)?;
        // 3. ServerKeyExchange (RFC 8422 5.4), ECDHE only: the server's ephemeral key, signed
        //    with its private key. (For an RSA suite the server must not send one, and
        //    reading the next message refuses it.)
        if self.conn.suite()?.key_exchange() == KeyExchange::Ecdhe {
            self.read_server_key_exchange(wire)?;
        }
        // 4. CertificateRequest (RFC 5246 7.4.4), if the server wants to know who we are.
        if let Some(request) = self.conn.optional::<CertificateRequest, _>(wire)? {
            self.take_certificate_request(request);
        }
        // 5. ServerHelloDone (RFC 5246 7.4.5): the server's flight is over.
        self.read_server_hello_done(wire)?;

        // 6. Certificate (RFC 5246 7.4.6), if asked: ours, or an empty list if we have none.
        if self.certificate_request.is_some() {
            self.send_client_certificate()?;
        }
        // 7. ClientKeyExchange (RFC 5246 7.4.7): the pre-master secret.
        let pre_master_secret = match self.conn.suite()?.key_exchange() {
            KeyExchange::Rsa => self.send_rsa_client_key_exchange()?,
            KeyExchange::Ecdhe => self.send_ecdhe_client_key_exchange()?,
        };
        // 8. Master secret and session keys (RFC 5246 8.1, 6.3; RFC 7627).
        self.conn.derive_keys(&pre_master_secret)?;
        // 9. CertificateVerify (RFC 5246 7.4.8), if we sent a certificate: our private key
        //    signs the handshake so far.
        if self.client_scheme.is_some() {
            self.send_certificate_verify()?;
        }
        // 10. ChangeCipherSpec (RFC 5246 7.1): our records are protected from here on.
        self.conn.send_change_cipher_spec()?;
        // 11. Finished (RFC 5246 7.4.9).
        self.conn.send_finished()?;
        self.conn.flush(wire)
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
    pub fn finish<W: Read + Write>(&mut self, wire: &mut W) -> Result<(), Error> {
        let result = self.finish_steps(wire);
        self.conn.alert_on_error(wire, result)
    }

    fn finish_steps<R: Read>(&mut self, wire: &mut R) -> Result<(), Error> {
        self.conn
            .begin_flight("client.finish", "ChangeCipherSpec, Finished", "");
        // 1. The server's ChangeCipherSpec (RFC 5246 7.1).
        self.conn.read_change_cipher_spec(wire)?;
        // 2. The server's Finished (RFC 5246 7.4.9): proves it derived the same keys, which in
        //    RSA key exchange means it could decrypt the pre-master: it holds the private key.
        self.conn.read_finished(wire)?;
        self.conn.set_handshake_complete();
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
