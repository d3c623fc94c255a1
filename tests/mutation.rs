//! Mutation test: every byte of a golden handshake flipped, cut and grown in flight.
//!
//! For five golden runs (seed 1: an RSA suite, an ECDHE suite, mutual TLS with alice's
//! certificate, and two CBC suites, MAC-then-encrypt and encrypt-then-MAC) and for every flight on the wire (the eight flows of
//! `simulate::handshake_and_exchange`: the four handshake flights, application data both ways,
//! close_notify both ways), a man in the middle changes the bytes in flight just before the
//! receiver reads them, at every byte position, in three ways:
//!
//! - **flip**: xor 0x01 (and 0x80 as well on framing bytes: record headers, handshake headers
//!   and vector length prefixes, where the high bit makes a length huge);
//! - **truncate**: the flight ends just before that byte;
//! - **insert**: a zero byte is inserted before that byte. Inside a record the record length is
//!   raised to match, so the record framing holds and the change reaches the message parsers
//!   (an insertion into a record header shifts the framing itself).
//!
//! Then the receiver runs its flight and, if it gets through, the run continues to the end. Each
//! case must end in an outcome from the class the changed byte's part allows ([`flip_class`],
//! [`FIELDS`]), and each failure must be visible on the wire the way the design says: the
//! failing side sent exactly one fatal alert, the one `Error::alert()` names, and its peer read
//! exactly that alert. No case may panic (each runs under `catch_unwind`, and the report names
//! the run, flight, byte and mutation), and none may hang (a watchdog fails the test if a case
//! makes no progress for [`HANG_LIMIT`]).
//!
//! ## Waiting is an outcome
//!
//! The in-memory wire answers a read of an empty queue with `WouldBlock`: a side that waits for
//! bytes the peer never sends fails its flight with `Error::Io(WouldBlock)` at once, where over
//! TCP it would wait for its read timeout. That outcome is [`Outcome::Waits`], and the test
//! checks that such a side sent nothing (no alert: it has nothing to complain about yet).
//! Every truncation must end that way: the receiver holds a correct prefix of the flight and
//! must neither accept it as the whole flight nor invent an error about it.
//!
//! ## Nothing changed in a handshake message may complete
//!
//! Finished covers every handshake message, so a handshake that completes after any change to
//! one would be a bug; application data and close_notify are authenticated by GCM, or by the
//! CBC suites' HMAC (a changed padding byte is the same bad_record_mac as a changed MAC). The only
//! changes a run may survive are in the one place no MAC or transcript covers: the version in
//! the header of a record read before the hellos agree on a version, which a server MUST accept
//! as any {03,xx} (RFC 5246 Appendix E.1) and our client treats alike (as OpenSSL and Go do).
//! What the runs showed, part by part (run with `MUTATION_TALLY=1 cargo test --test mutation
//! -- --nocapture` for the table of outcomes):
//!
//! - A field that nobody checks beyond the transcript (a random, the host name, a signature
//!   scheme in a list the server does not use, an extension type turned into an unknown one,
//!   which the server must ignore, RFC 5246 7.4.1.4) gets through the hellos and is caught
//!   later: by the keys (`bad_record_mac`: the randoms feed the key block, and with extended
//!   master secret the whole transcript feeds the master secret), by Finished (`decrypt_error`),
//!   by the CertificateVerify signature over the transcript in mutual TLS (`decrypt_error`), or
//!   by the ServerKeyExchange signature over both randoms in ECDHE (`decrypt_error`).
//! - A flipped bit in the RSA-encrypted pre-master is not an error at the server (RFC 5246
//!   7.4.7.1: it carries on with a random pre-master); the client's Finished then fails to
//!   authenticate (`bad_record_mac`), or in mutual TLS the client's CertificateVerify, which
//!   signs the ClientKeyExchange as sent, fails first (`decrypt_error`).
//! - An inserted byte equal to the byte it pushes out of the end of a message leaves that
//!   message intact; the pushed-out byte then starts the next message, whose header is garbage.
//! - Two flips in the certificates' DER *did* verify, and were bugs, fixed in
//!   `pki/chain.rs`: the outer signatureAlgorithm's NULL parameters turned into an empty
//!   OCTET STRING (it was never compared with the signed one inside tbsCertificate, RFC 5280
//!   4.1.1.2), and the signature BIT STRING's unused-bits count (ignored by `raw_bytes`). The
//!   handshake still failed at Finished, but the chain check accepted an altered certificate.
//!   [`every_bit_of_the_certificates_is_checked`] now flips every bit of them through
//!   `verify_chain` directly.
//!
//! ## Bounded
//!
//! Every byte of every message is mutated, except inside long opaque blobs (certificate DER,
//! the RSA-encrypted pre-master, signatures: [`BLOBS`]), where the first and last 16 bytes and
//! every 7th byte are: their bytes all fail alike (a certificate that no longer checks out, a
//! signature that does not verify, a pre-master that decrypts to something else), and sampling
//! keeps the file fast; every bit of the certificates goes through the chain check in the last
//! test of this file instead. In the two CBC runs, whose protected records are longer, a
//! protected record's first and last 16 bytes and every 5th byte between are ([`sampled_cbc`]).
//! 12,250 cases (2,236 RSA, 2,537 ECDHE, 3,169 mutual TLS, 2,122 CBC MAC-then-encrypt, 2,186
//! CBC encrypt-then-MAC), each a fresh seeded run of up to the whole sequence, ~1.6 ms in the
//! dev profile (our crate at opt-level 0, the crypto crates at 3): about 20 s of CPU, 12 s on
//! two cores.

mod common;

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use tls12_sim::client::{Client, ClientConfig};
use tls12_sim::codec::FieldKind;
use tls12_sim::demo_pki::{self, DemoClient};
use tls12_sim::error::Error;
use tls12_sim::event::Event;
use tls12_sim::messages::HandshakeType;
use tls12_sim::messages::alert::{AlertDescription as A, AlertLevel};
use tls12_sim::pki::{self, Identity, TrustStore};
use tls12_sim::rng::{Clock, RoleRng, Side};
use tls12_sim::server::{ClientAuth, Server, ServerConfig};
use tls12_sim::simulate::{self, Failure, Options, Simulation};
use tls12_sim::suites::CipherSuite;

/// A case that makes no progress for this long is taken to hang.
const HANG_LIMIT: Duration = Duration::from_secs(30);

/// Long opaque fields, sampled rather than mutated byte by byte.
const BLOBS: [&str; 3] = ["ASN.1Cert", "encrypted_pre_master_secret", "signature"];

// =====================================================================================
// The classes: which outcomes a change in each part of a flight may end in

/// How a case ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// The whole run completed, application data and close_notify included.
    Completed,
    /// A side was left waiting for bytes that never came, having sent nothing.
    Waits,
    /// A side failed and sent this fatal alert, and its peer read it.
    Alert(AlertKey),
}

/// `AlertDescription` with an order, for the tally.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct AlertKey(u8);

const fn alert(description: u8) -> Outcome {
    Outcome::Alert(AlertKey(description))
}

// The alert codes of RFC 5246 7.2, as outcomes.
const UNEXPECTED_MESSAGE: Outcome = alert(10);
const BAD_RECORD_MAC: Outcome = alert(20);
const RECORD_OVERFLOW: Outcome = alert(22);
const HANDSHAKE_FAILURE: Outcome = alert(40);
const BAD_CERTIFICATE: Outcome = alert(42);
const UNSUPPORTED_CERTIFICATE: Outcome = alert(43);
const CERTIFICATE_EXPIRED: Outcome = alert(45);
const ILLEGAL_PARAMETER: Outcome = alert(47);
const UNKNOWN_CA: Outcome = alert(48);
const DECODE_ERROR: Outcome = alert(50);
const DECRYPT_ERROR: Outcome = alert(51);
const PROTOCOL_VERSION: Outcome = alert(70);
const UNSUPPORTED_EXTENSION: Outcome = alert(110);
use Outcome::{Completed as COMPLETED, Waits as WAITS};

/// A change only the transcript notices: the keys (randoms, pre-master, EMS session hash) or a
/// signature over the transcript (Finished, CertificateVerify, ECDHE's ServerKeyExchange over
/// the randoms).
const TRANSCRIPT: &[Outcome] = &[BAD_RECORD_MAC, DECRYPT_ERROR];
/// A certificate that no longer checks out (RFC 5246 7.2.2): corrupt or badly signed, issued by
/// someone we do not know (a changed issuer name), for a use it does not allow (changed key
/// usage bits or key algorithm), or outside its validity (changed dates).
const CERTIFICATE: &[Outcome] = &[
    BAD_CERTIFICATE,
    UNKNOWN_CA,
    UNSUPPORTED_CERTIFICATE,
    CERTIFICATE_EXPIRED,
];
/// A handshake message's framing changed: a length now runs past the flight (the receiver
/// waits), leaves bytes over, cuts a field or claims more than our 100 KiB limit
/// (`decode_error`), or makes the next message start in the wrong place (its type is not the
/// one expected: `unexpected_message`).
const MESSAGE_FRAMING: &[Outcome] = &[WAITS, DECODE_ERROR, UNEXPECTED_MESSAGE];
/// A record's framing changed: all of the above, plus a record over 2^14 (`record_overflow`), a
/// cut or grown protected record (`bad_record_mac`), and a header read from the middle of a
/// record (an unknown content type: `unexpected_message`; a wrong version: `protocol_version`).
const RECORD_FRAMING: &[Outcome] = &[
    WAITS,
    DECODE_ERROR,
    UNEXPECTED_MESSAGE,
    RECORD_OVERFLOW,
    BAD_RECORD_MAC,
    PROTOCOL_VERSION,
];

/// A flipped bit in a field of a handshake message sent in the clear: (message, field label as
/// the codec names it, the outcomes allowed); the comments say why. "*" matches any message.
/// Length prefixes of vectors are not listed: a vector whose length no longer matches its
/// contents is always `decode_error` (see [`flip_class`]).
#[rustfmt::skip]
const FIELDS: &[(&str, &str, &[Outcome])] = &[
    // Handshake header (RFC 5246 7.4): another type is not the one expected; another length
    // makes the message end elsewhere.
    ("*",                  "msg_type",            &[UNEXPECTED_MESSAGE]),
    ("*",                  "length",              MESSAGE_FRAMING),
    // ClientHello (RFC 5246 7.4.1.2).
    // A lower version (0x0302, 0x0203) is refused.
    ("ClientHello",        "client_version",      &[PROTOCOL_VERSION]),
    ("ClientHello",        "random",              TRANSCRIPT),
    // No suite in common, or the server picks one the client never offered.
    ("ClientHello",        "cipher_suite",        &[HANDSHAKE_FAILURE, ILLEGAL_PARAMETER]),
    // Null no longer offered.
    ("ClientHello",        "compression_method",  &[ILLEGAL_PARAMETER]),
    // An unknown type is ignored (RFC 5246 7.4.1.4), so only the transcript notices; a known
    // type's body may not parse, may now be a duplicate, or a needed extension is gone
    // (supported_groups: no ECDHE suite in common).
    ("ClientHello",        "extension_type",      &[BAD_RECORD_MAC, DECRYPT_ERROR, DECODE_ERROR,
                                                    ILLEGAL_PARAMETER, HANDSHAKE_FAILURE]),
    // No host_name entry left (RFC 6066 3).
    ("ClientHello",        "name_type",           &[DECODE_ERROR]),
    // The server does not check the name; a byte no longer printable would be malformed.
    ("ClientHello",        "host_name",           &[BAD_RECORD_MAC, DECRYPT_ERROR, DECODE_ERROR]),
    // No x25519: no ECDHE suite possible (RFC 8422 5.1).
    ("ClientHello",        "named_group",         &[HANDSHAKE_FAILURE]),
    // Uncompressed missing (RFC 8422 5.1.2).
    ("ClientHello",        "ec_point_format",     &[ILLEGAL_PARAMETER]),
    // Unused with RSA key exchange; with ECDHE the server may sign with a scheme the client did
    // not offer, or find none it can use.
    ("ClientHello",        "signature_scheme",    &[BAD_RECORD_MAC, DECRYPT_ERROR,
                                                    ILLEGAL_PARAMETER, HANDSHAKE_FAILURE]),
    // ServerHello (RFC 5246 7.4.1.3): not TLS 1.2; a suite, a compression method or an
    // extension the client did not offer (or whose body does not parse).
    ("ServerHello",        "server_version",      &[PROTOCOL_VERSION]),
    ("ServerHello",        "random",              TRANSCRIPT),
    ("ServerHello",        "cipher_suite",        &[ILLEGAL_PARAMETER]),
    ("ServerHello",        "compression_method",  &[ILLEGAL_PARAMETER]),
    // Another type may also be one already present: encrypt_then_mac (22) and
    // extended_master_secret (23) are one bit apart, and a duplicate is illegal_parameter.
    ("ServerHello",        "extension_type",      &[UNSUPPORTED_EXTENSION, DECODE_ERROR,
                                                    ILLEGAL_PARAMETER]),
    ("ServerHello",        "ec_point_format",     &[ILLEGAL_PARAMETER]),
    // Certificate, both ways (RFC 5246 7.4.2, 7.4.6): the chain check.
    ("Certificate",        "ASN.1Cert",           CERTIFICATE),
    // ServerKeyExchange (RFC 8422 5.4): not named_curve, or a group the client did not offer;
    // the signature covers the key; a scheme the client did not offer, or one the signature
    // does not verify under.
    ("ServerKeyExchange",  "curve_type",          &[ILLEGAL_PARAMETER]),
    ("ServerKeyExchange",  "named_curve",         &[ILLEGAL_PARAMETER]),
    ("ServerKeyExchange",  "public",              &[DECRYPT_ERROR]),
    ("ServerKeyExchange",  "signature_scheme",    &[ILLEGAL_PARAMETER, DECRYPT_ERROR]),
    ("ServerKeyExchange",  "signature",           &[DECRYPT_ERROR]),
    // CertificateRequest (RFC 5246 7.4.4): not rsa_sign, or no scheme the client can sign
    // with: it sends no certificate, which this server requires; another scheme, or another CA
    // name (only a hint): the transcript.
    ("CertificateRequest", "certificate_type",    &[HANDSHAKE_FAILURE]),
    ("CertificateRequest", "signature_scheme",    &[BAD_RECORD_MAC, DECRYPT_ERROR,
                                                    HANDSHAKE_FAILURE]),
    ("CertificateRequest", "DistinguishedName",   TRANSCRIPT),
    // ClientKeyExchange (RFC 5246 7.4.7, RFC 8422 5.7): another pre-master (RSA: decrypted to
    // garbage, replaced by a random one silently, RFC 5246 7.4.7.1), another shared secret.
    ("ClientKeyExchange",  "encrypted_pre_master_secret", TRANSCRIPT),
    ("ClientKeyExchange",  "ecdh_Yc",             TRANSCRIPT),
    // CertificateVerify (RFC 5246 7.4.8): a scheme the server did not offer, or one the
    // signature does not verify under.
    ("CertificateVerify",  "signature_scheme",    &[ILLEGAL_PARAMETER, DECRYPT_ERROR]),
    ("CertificateVerify",  "signature",           &[DECRYPT_ERROR]),
];

/// The outcomes a flipped bit in `part` may end in.
fn flip_class(part: Part) -> &'static [Outcome] {
    match part {
        // 22 becomes 23 (application data before the handshake) or unknown; 20 (CCS) becomes
        // 21 and its one byte is read as an alert (`decode_error`); a protected record's type
        // is in its additional data (`bad_record_mac`).
        Part::RecordType => &[UNEXPECTED_MESSAGE, DECODE_ERROR, BAD_RECORD_MAC],
        // RFC 5246 Appendix E.1: any {03,xx} before the hellos agree; only 03 03 after.
        Part::RecordVersion { agreed: false } => &[COMPLETED, PROTOCOL_VERSION],
        Part::RecordVersion { agreed: true } => &[PROTOCOL_VERSION],
        Part::RecordLength => RECORD_FRAMING,
        // Not the single byte 1 (RFC 5246 7.1): not a ChangeCipherSpec at all, as OpenSSL
        // answers it (BoringSSL says illegal_parameter).
        Part::ChangeCipherSpec => &[UNEXPECTED_MESSAGE],
        // GCM (RFC 5288): nonce, ciphertext and tag are all authenticated. CBC (RFC 5246
        // 6.2.3.2): a changed IV or ciphertext byte changes the content (MAC) or the padding,
        // and both are the same bad_record_mac; with encrypt-then-MAC the MAC covers them all.
        Part::Protected => &[BAD_RECORD_MAC],
        // A vector's length no longer matches its contents.
        Part::Field {
            length: true,
            label,
            ..
        } if label != "length" => &[DECODE_ERROR],
        Part::Field { message, label, .. } => FIELDS
            .iter()
            .find(|(m, l, _)| (*m == "*" || *m == message) && *l == label)
            .map(|(_, _, class)| *class)
            .unwrap_or_else(|| panic!("no class for {message}.{label}: add it to FIELDS")),
    }
}

/// The outcomes `mutation` of byte `at` of a flow (whose bytes belong to `parts`) may end in.
fn allowed(parts: &[Byte], at: usize, mutation: Mutation) -> Vec<Outcome> {
    let part = parts[at].part;
    match (mutation, part) {
        (Mutation::Flip(_), part) => flip_class(part).to_vec(),
        // The receiver holds a correct prefix: it waits for the rest.
        (Mutation::Truncate, _) => vec![WAITS],
        (Mutation::Insert, Part::Protected) => vec![BAD_RECORD_MAC],
        (Mutation::Insert, Part::ChangeCipherSpec) => vec![UNEXPECTED_MESSAGE],
        (Mutation::Insert, Part::Field { .. }) => {
            // The rest of the message shifts by one byte, and its last byte is pushed out to
            // start the next message: the framing may notice, or the check of this field or
            // of any later field of the message, whichever meets shifted bytes first.
            let mut class = MESSAGE_FRAMING.to_vec();
            let rest_of_message = parts[at..].iter().enumerate().take_while(|(i, b)| {
                matches!(b.part, Part::Field { label, .. } if *i == 0 || label != "msg_type")
            });
            for (_, byte) in rest_of_message {
                class.extend(flip_class(byte.part).iter().filter(|o| **o != COMPLETED));
            }
            class.sort();
            class.dedup();
            class
        }
        (Mutation::Insert, _) => RECORD_FRAMING.to_vec(),
    }
}

// =====================================================================================
// The golden runs, and where every byte of them belongs

/// Where a byte of a flight belongs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    RecordType,
    /// `agreed`: the record is read after the hellos agreed on TLS 1.2.
    RecordVersion {
        agreed: bool,
    },
    RecordLength,
    /// The body of an unprotected ChangeCipherSpec record.
    ChangeCipherSpec,
    /// The fragment of a protected record: explicit nonce, ciphertext, tag.
    Protected,
    /// A field of a handshake message sent in the clear, by the label the codec gives it.
    Field {
        message: &'static str,
        label: &'static str,
        /// A vector's length prefix (or the handshake header's length).
        length: bool,
    },
}

/// One byte of a flight: its part, its index within that part, the part's length, and where
/// its record starts.
#[derive(Clone, Copy, Debug)]
struct Byte {
    part: Part,
    index: usize,
    len: usize,
    record_start: usize,
}

/// One side's flight, or a step that sends or reads application data or close_notify: the
/// sequence of `simulate::handshake_and_exchange`, step by step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    ClientSendsHello,
    ServerAnswersHello,
    ClientAnswersServer,
    ServerFinishes,
    ClientFinishes,
    ClientSendsData,
    ServerReceivesData,
    ServerSendsData,
    ClientReceivesData,
    ClientCloses,
    ServerReadsClose,
    ServerCloses,
    ClientReadsClose,
}

const STEPS: [Step; 13] = [
    Step::ClientSendsHello,
    Step::ServerAnswersHello,
    Step::ClientAnswersServer,
    Step::ServerFinishes,
    Step::ClientFinishes,
    Step::ClientSendsData,
    Step::ServerReceivesData,
    Step::ServerSendsData,
    Step::ClientReceivesData,
    Step::ClientCloses,
    Step::ServerReadsClose,
    Step::ServerCloses,
    Step::ClientReadsClose,
];

/// The flow (as `MemoryWire` numbers them: what one side sent before the other answered) that
/// a step reads first.
fn flow_read_by(step: Step) -> Option<usize> {
    Some(match step {
        Step::ServerAnswersHello => 0,
        Step::ClientAnswersServer => 1,
        Step::ServerFinishes => 2,
        Step::ClientFinishes => 3,
        Step::ServerReceivesData => 4,
        Step::ClientReceivesData => 5,
        Step::ServerReadsClose => 6,
        Step::ClientReadsClose => 7,
        _ => return None,
    })
}

const FLOWS: [&str; 8] = [
    "ClientHello",
    "the server's hello flight",
    "the client's key exchange flight",
    "the server's ChangeCipherSpec and Finished",
    "the client's application data",
    "the server's application data",
    "the client's close_notify",
    "the server's close_notify",
];

fn sender_of(flow: usize) -> Side {
    if flow.is_multiple_of(2) {
        Side::Client
    } else {
        Side::Server
    }
}

/// A step failed (the usual way), or accepted something it should not have.
enum StepError {
    Failed(Failure),
    Wrong(String),
}

fn run_step(sim: &mut Simulation, step: Step, options: &Options) -> Result<(), StepError> {
    use Side::{Client as C, Server as S};
    fn expect(
        sim: &mut Simulation,
        side: Side,
        result: Result<Option<Vec<u8>>, Error>,
        want: Option<&[u8]>,
    ) -> Result<(), StepError> {
        match sim.done(side, result) {
            Err(failure) => Err(StepError::Failed(failure)),
            Ok(got) if got.as_deref() == want => Ok(()),
            Ok(got) => Err(StepError::Wrong(format!(
                "the {} read {got:?} instead of {want:?}",
                side.name()
            ))),
        }
    }
    let result = match step {
        Step::ClientSendsHello => {
            let r = sim.client.send_hello(&mut sim.wire.client());
            sim.done(C, r)
        }
        Step::ServerAnswersHello => {
            let r = sim.server.answer_hello(&mut sim.wire.server());
            sim.done(S, r)
        }
        Step::ClientAnswersServer => {
            let r = sim.client.answer_server(&mut sim.wire.client());
            sim.done(C, r)
        }
        Step::ServerFinishes => {
            let r = sim.server.finish(&mut sim.wire.server());
            sim.done(S, r)
        }
        Step::ClientFinishes => {
            let r = sim.client.finish(&mut sim.wire.client());
            sim.done(C, r)
        }
        Step::ClientSendsData => {
            let r = sim
                .client
                .send(&mut sim.wire.client(), &options.client_message);
            sim.done(C, r)
        }
        Step::ServerReceivesData => {
            let r = sim.server.receive(&mut sim.wire.server());
            return expect(sim, S, r, Some(&options.client_message));
        }
        Step::ServerSendsData => {
            let r = sim
                .server
                .send(&mut sim.wire.server(), &options.server_message);
            sim.done(S, r)
        }
        Step::ClientReceivesData => {
            let r = sim.client.receive(&mut sim.wire.client());
            return expect(sim, C, r, Some(&options.server_message));
        }
        Step::ClientCloses => {
            let r = sim.client.close(&mut sim.wire.client());
            sim.done(C, r)
        }
        Step::ServerReadsClose => {
            let r = sim.server.receive(&mut sim.wire.server());
            return expect(sim, S, r, None);
        }
        Step::ServerCloses => {
            let r = sim.server.close(&mut sim.wire.server());
            sim.done(S, r)
        }
        Step::ClientReadsClose => {
            let r = sim.client.receive(&mut sim.wire.client());
            return expect(sim, C, r, None);
        }
    };
    result.map_err(StepError::Failed)
}

/// A golden run: its settings, its flights, and the part of every byte.
struct Golden {
    name: &'static str,
    options: Options,
    client_config: ClientConfig,
    server_identity: Identity,
    client_trust: TrustStore,
    flows: Vec<Vec<u8>>,
    parts: Vec<Vec<Byte>>,
}

impl Golden {
    fn new(name: &'static str, options: Options) -> Golden {
        let mut golden = Golden {
            name,
            client_config: simulate::demo_client(&options).unwrap().config().clone(),
            options,
            server_identity: demo_pki::server().unwrap(),
            client_trust: demo_pki::trust_store().unwrap(),
            flows: Vec::new(),
            parts: Vec::new(),
        };
        // Traced once, for the labels of every field of every message.
        let mut sim = golden.fresh(true);
        for step in STEPS {
            if run_step(&mut sim, step, &golden.options).is_err() {
                panic!("{name}: the golden run fails at {step:?}");
            }
        }
        golden.flows = sim.wire.flows.iter().map(|f| f.bytes.clone()).collect();
        let reference = simulate::run(&golden.options).unwrap();
        assert!(reference.outcome.is_ok());
        let reference: Vec<Vec<u8>> = reference.flows.into_iter().map(|f| f.bytes).collect();
        assert_eq!(golden.flows, reference, "{name}: not the simulator's run");
        assert_eq!(golden.flows.len(), FLOWS.len());
        golden.parts = (0..FLOWS.len())
            .map(|i| parts_of_flow(i, &golden.flows[i], &sim.events))
            .collect();
        golden
    }

    /// A client and a server as `simulate::demo_client`/`demo_server` make them, from keys and
    /// certificates parsed once (PEM parsing would otherwise cost more than the handshake).
    fn fresh(&self, trace: bool) -> Simulation {
        let o = &self.options;
        let client = Client::new(
            self.client_config.clone(),
            RoleRng::seeded(o.seed, Side::Client),
            Clock::Fixed(o.time),
            trace,
        );
        let server = Server::new(
            ServerConfig {
                suites: CipherSuite::ALL.to_vec(),
                identity: self.server_identity.clone(),
                allow_extended_master_secret: o.extended_master_secret,
                allow_encrypt_then_mac: o.encrypt_then_mac,
                client_auth: if o.mtls {
                    ClientAuth::Require
                } else {
                    ClientAuth::None
                },
                client_trust: self.client_trust.clone(),
                alpn_protocols: Vec::new(),
                alpn_optional: false,
                session_cache: None,
                ticket_keys: None,
            },
            RoleRng::seeded(o.seed, Side::Server),
            Clock::Fixed(o.time),
            trace,
        );
        Simulation::new(client, server)
    }

    /// Runs the whole sequence with `bytes` in place of flow `flow`.
    fn run(&self, flow: usize, bytes: &[u8]) -> Result<Outcome, String> {
        let mut sim = self.fresh(false);
        for step in STEPS {
            if flow_read_by(step) == Some(flow) {
                let receiver = sender_of(flow).peer();
                let sent = common::take(&mut sim, receiver);
                assert_eq!(
                    sent, self.flows[flow],
                    "the seeded run is not deterministic"
                );
                common::put(&mut sim, receiver, bytes);
            }
            match run_step(&mut sim, step, &self.options) {
                Ok(()) => {}
                Err(StepError::Wrong(why)) => return Err(why),
                Err(StepError::Failed(failure)) => return outcome_of(&mut sim, failure),
            }
        }
        Ok(Outcome::Completed)
    }
}

/// What a failure looked like on the wire: a side that waits sent nothing; a side that failed
/// sent the one fatal alert its error names, and its peer read exactly that.
fn outcome_of(sim: &mut Simulation, mut failure: Failure) -> Result<Outcome, String> {
    sim.peer_reads_alert(&mut failure);
    let alert_sent = match failure.side {
        Side::Client => sim.client.conn().alert_sent(),
        Side::Server => sim.server.conn().alert_sent(),
    };
    let side = failure.side.name();
    if failure.error.is_timeout() {
        let peer_waits = failure.peer_error.as_ref().is_some_and(Error::is_timeout);
        return if alert_sent || !peer_waits {
            Err(format!(
                "the {side} waits, yet sent an alert or its peer read {:?}",
                failure.peer_error
            ))
        } else {
            Ok(Outcome::Waits)
        };
    }
    match (failure.error.alert(), &failure.peer_error) {
        (Some(sent), Some(Error::PeerAlert(read)))
            if alert_sent && read.description == sent && read.level == AlertLevel::Fatal =>
        {
            Ok(alert(sent.code()))
        }
        (sent, read) => Err(format!(
            "the {side} failed with \"{}\" (alert {sent:?}), its peer read {read:?}",
            failure.error
        )),
    }
}

/// The part of every byte of a flow: record headers, then each record's body: protected, a
/// ChangeCipherSpec, or handshake messages whose fields the sender's trace labelled.
fn parts_of_flow(flow_index: usize, flow: &[u8], events: &[Event]) -> Vec<Byte> {
    let sender = sender_of(flow_index);
    let mut parts = Vec::with_capacity(flow.len());
    let mut protected = flow_index >= 4;
    let mut at = 0;
    while at < flow.len() {
        let record_start = at;
        let content_type = flow[at];
        let len = usize::from(u16::from_be_bytes([flow[at + 3], flow[at + 4]]));
        let byte = |part, index, len| Byte {
            part,
            index,
            len,
            record_start,
        };
        parts.push(byte(Part::RecordType, 0, 1));
        let version = Part::RecordVersion {
            agreed: flow_index >= 2,
        };
        parts.extend([byte(version, 0, 2), byte(version, 1, 2)]);
        parts.extend([
            byte(Part::RecordLength, 0, 2),
            byte(Part::RecordLength, 1, 2),
        ]);
        let body = &flow[at + 5..at + 5 + len];
        if protected {
            parts.extend((0..len).map(|i| byte(Part::Protected, i, len)));
        } else if content_type == 20 {
            parts.push(byte(Part::ChangeCipherSpec, 0, 1));
            protected = true;
        } else {
            assert_eq!(
                content_type, 22,
                "an unprotected record is handshake or CCS"
            );
            let mut m = 0;
            while m < body.len() {
                let message_len = 4
                    + (usize::from(body[m + 1]) << 16
                        | usize::from(body[m + 2]) << 8
                        | usize::from(body[m + 3]));
                let message = &body[m..m + message_len];
                let fields = events
                    .iter()
                    .find_map(|e| match e {
                        Event::Message {
                            side,
                            from,
                            bytes,
                            fields,
                            ..
                        } if *side == sender && *from == sender && bytes == message => Some(fields),
                        _ => None,
                    })
                    .expect("the sender traced every message it sent");
                let name = HandshakeType::from_code(message[0]).unwrap().name();
                let mut labelled = vec![None; message_len];
                for f in fields {
                    let part = Part::Field {
                        message: name,
                        label: f.label,
                        length: matches!(f.kind, FieldKind::Length(_)),
                    };
                    for i in 0..f.len {
                        labelled[f.start + i] = Some(byte(part, i, f.len));
                    }
                }
                parts.extend(
                    labelled
                        .into_iter()
                        .map(|b| b.expect("every byte labelled")),
                );
                m += message_len;
            }
        }
        at += 5 + len;
    }
    assert_eq!(parts.len(), flow.len());
    parts
}

// =====================================================================================
// The mutations and the cases

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Mutation {
    Flip(u8),
    Truncate,
    Insert,
}

fn mutate(flow: &[u8], parts: &[Byte], at: usize, mutation: Mutation) -> Vec<u8> {
    let mut out = flow.to_vec();
    match mutation {
        Mutation::Flip(bits) => out[at] ^= bits,
        Mutation::Truncate => out.truncate(at),
        Mutation::Insert => {
            out.insert(at, 0);
            // Inside a record's body, the record grows by one byte; in its header, the framing
            // itself shifts.
            let start = parts[at].record_start;
            if at >= start + 5 {
                let len = u16::from_be_bytes([out[start + 3], out[start + 4]]) + 1;
                out[start + 3..start + 5].copy_from_slice(&len.to_be_bytes());
            }
        }
    }
    out
}

/// Every byte, except inside long opaque blobs: their first and last 16 bytes and every 7th.
fn sampled(byte: &Byte) -> bool {
    match byte.part {
        Part::Field {
            label,
            length: false,
            ..
        } if BLOBS.contains(&label) => {
            byte.index < 16 || byte.index + 16 >= byte.len || byte.index.is_multiple_of(7)
        }
        _ => true,
    }
}

/// Record headers, handshake headers and length prefixes: where the high bit is worth a case of
/// its own.
fn framing(byte: &Byte) -> bool {
    match byte.part {
        Part::RecordType | Part::RecordVersion { .. } | Part::RecordLength => true,
        Part::Field { length, label, .. } => length || label == "msg_type",
        Part::ChangeCipherSpec | Part::Protected => false,
    }
}

#[derive(Clone, Copy, Debug)]
struct Case {
    flow: usize,
    at: usize,
    mutation: Mutation,
}

/// In a CBC run, a protected record's first and last 16 bytes (the IV; the last blocks, where
/// the MAC, the padding or the MAC after the ciphertext are) and every 5th byte between: the
/// bytes between all fail alike, as a changed content byte (bad_record_mac).
fn sampled_cbc(byte: &Byte) -> bool {
    byte.part != Part::Protected
        || byte.index < 16
        || byte.index + 16 >= byte.len
        || byte.index.is_multiple_of(5)
}

fn cases(golden: &Golden) -> Vec<Case> {
    let mut cases = Vec::new();
    let cbc = golden.options.suite.is_cbc();
    for (flow, parts) in golden.parts.iter().enumerate() {
        for (at, byte) in parts.iter().enumerate() {
            if !sampled(byte) || (cbc && !sampled_cbc(byte)) {
                continue;
            }
            let mut mutations = vec![Mutation::Flip(0x01), Mutation::Truncate, Mutation::Insert];
            if framing(byte) {
                mutations.push(Mutation::Flip(0x80));
            }
            cases.extend(
                mutations
                    .into_iter()
                    .map(|mutation| Case { flow, at, mutation }),
            );
        }
    }
    cases
}

fn describe(golden: &Golden, case: &Case) -> String {
    let byte = &golden.parts[case.flow][case.at];
    let part = match byte.part {
        Part::Field {
            message,
            label,
            length,
        } => format!("{message}.{label}{}", if length { " (length)" } else { "" }),
        other => format!("{other:?}"),
    };
    format!(
        "{} run, flow {} ({}), byte {} ({part}, byte {} of {}), {:?}",
        golden.name, case.flow, FLOWS[case.flow], case.at, byte.index, byte.len, case.mutation
    )
}

/// Runs every case of a golden run on a worker thread, watched for hangs; panics with the list
/// of cases whose outcome is not in their class.
fn mutate_every_byte(name: &'static str, options: Options) {
    let started = Instant::now();
    let (progress, watch) = mpsc::channel::<Option<String>>();
    let worker = thread::spawn(move || {
        let golden = Golden::new(name, options);
        let mut violations = Vec::new();
        let mut tally: BTreeMap<(String, Mutation), BTreeMap<Outcome, usize>> = BTreeMap::new();
        let cases = cases(&golden);
        for case in &cases {
            progress.send(Some(describe(&golden, case))).unwrap();
            let flow = &golden.flows[case.flow];
            let parts = &golden.parts[case.flow];
            let bytes = mutate(flow, parts, case.at, case.mutation);
            let result = panic::catch_unwind(AssertUnwindSafe(|| golden.run(case.flow, &bytes)))
                .unwrap_or_else(|_| Err("PANICKED".to_string()));
            let part = parts[case.at].part;
            let allowed = allowed(parts, case.at, case.mutation);
            match result {
                Ok(outcome) if allowed.contains(&outcome) => {
                    let key = (format!("{} {part:?}", case.flow), case.mutation);
                    *tally.entry(key).or_default().entry(outcome).or_default() += 1;
                }
                Ok(outcome) => violations.push(format!(
                    "{}: {}, allowed: {}",
                    describe(&golden, case),
                    show(&[outcome]),
                    show(&allowed)
                )),
                Err(why) => violations.push(format!("{}: {why}", describe(&golden, case))),
            }
        }
        progress.send(None).unwrap();
        if std::env::var_os("MUTATION_TALLY").is_some() {
            for ((part, mutation), outcomes) in &tally {
                let outcomes: Vec<String> = outcomes
                    .iter()
                    .map(|(o, n)| format!("{} x{n}", show(&[*o])))
                    .collect();
                println!("{name}: flow {part} {mutation:?}: {}", outcomes.join(", "));
            }
        }
        (cases.len(), violations)
    });
    let mut current = String::from("(setting up the golden run)");
    loop {
        match watch.recv_timeout(HANG_LIMIT) {
            Ok(Some(case)) => current = case,
            Ok(None) | Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                panic!("{name}: no progress for {HANG_LIMIT:?}; the case that hangs: {current}")
            }
        }
    }
    let (count, violations) = match worker.join() {
        Ok(result) => result,
        Err(_) => panic!("{name}: the test itself panicked (after {current})"),
    };
    eprintln!("{name}: {count} cases in {:.1?}", started.elapsed());
    assert!(
        violations.is_empty(),
        "{name}: {} of {count} cases ended outside their class:\n{}",
        violations.len(),
        violations
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn show(outcomes: &[Outcome]) -> String {
    let names: Vec<String> = outcomes
        .iter()
        .map(|o| match o {
            Outcome::Completed => "completed".to_string(),
            Outcome::Waits => "waits".to_string(),
            Outcome::Alert(AlertKey(code)) => A::from_code(*code).name().to_string(),
        })
        .collect();
    names.join(" | ")
}

// =====================================================================================
// The tests

#[test]
fn rsa_key_exchange_handshake() {
    mutate_every_byte(
        "RSA",
        Options {
            trace: false,
            ..Options::default()
        },
    );
}

#[test]
fn ecdhe_handshake() {
    mutate_every_byte(
        "ECDHE",
        Options {
            suite: CipherSuite::EcdheRsaAes128GcmSha256,
            trace: false,
            ..Options::default()
        },
    );
}

/// The CBC record path: MAC-then-encrypt, padding and MAC checked with masks (the Lucky 13
/// countermeasure); every changed byte of a protected record must still be bad_record_mac.
#[test]
fn cbc_mac_then_encrypt_handshake() {
    mutate_every_byte(
        "CBC",
        Options {
            suite: CipherSuite::RsaAes128CbcSha,
            encrypt_then_mac: false,
            trace: false,
            ..Options::default()
        },
    );
}

/// The CBC record path with encrypt-then-MAC, and the encrypt_then_mac extension in both hellos.
#[test]
fn cbc_encrypt_then_mac_handshake() {
    mutate_every_byte(
        "CBC-ETM",
        Options {
            suite: CipherSuite::RsaAes128CbcSha256,
            trace: false,
            ..Options::default()
        },
    );
}

#[test]
fn mutual_tls_handshake() {
    mutate_every_byte(
        "mTLS",
        Options {
            mtls: true,
            client_certificate: Some(DemoClient::Alice),
            trace: false,
            ..Options::default()
        },
    );
}

/// The handshake cases sample the certificates' DER; here every bit of every byte of the
/// certificates the runs send goes through the chain check directly (~60 µs each): no altered
/// certificate may verify, and each is refused with a certificate alert.
#[test]
fn every_bit_of_the_certificates_is_checked() {
    let trust = demo_pki::trust_store().unwrap();
    let now = Options::default().time;
    let server = demo_pki::server().unwrap().chain;
    let alice = DemoClient::Alice.identity().unwrap().chain;
    let checks = [
        (
            "server (RSA key exchange)",
            &server,
            pki::Purpose::ServerRsaKeyExchange,
            Some("localhost"),
        ),
        (
            "server (ECDHE)",
            &server,
            pki::Purpose::ServerSigning,
            Some("localhost"),
        ),
        ("alice", &alice, pki::Purpose::ClientAuth, None),
    ];
    let mut accepted = Vec::new();
    for (who, chain, purpose, host) in checks {
        let verify =
            |chain: &[Vec<u8>]| pki::verify_chain(chain, &trust, now, purpose, host, false).result;
        assert!(verify(chain).is_ok(), "{who}: the original verifies");
        for at in 0..chain[0].len() {
            for bit in 0..8 {
                let mut altered = chain.clone();
                altered[0][at] ^= 1 << bit;
                match verify(&altered) {
                    Err(e)
                        if e.alert()
                            .is_some_and(|a| CERTIFICATE.contains(&alert(a.code()))) => {}
                    other => accepted.push(format!("{who}: bit {bit} of byte {at}: {other:?}")),
                }
            }
        }
    }
    assert!(accepted.is_empty(), "{}", accepted.join("\n"));
}
