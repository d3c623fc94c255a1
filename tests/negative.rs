//! Negative cases: each asserts the exact alert the failing side sends, that the peer receives
//! it, and (by running at all) that nothing panics.

mod common;

use common::*;
use tls12_sim::messages::HandshakeMessage;
use tls12_sim::messages::alert::AlertDescription as A;
use tls12_sim::messages::client_hello::ClientHello;
use tls12_sim::messages::extensions::HelloExtensions;
use tls12_sim::messages::server_hello::ServerHello;
use tls12_sim::record::Direction;
use tls12_sim::rng::Side;
use tls12_sim::server::{Server, ServerConfig};
use tls12_sim::simulate::{self, Options, Simulation};
use tls12_sim::suites::CipherSuite;
use tls12_sim::{key_exchange, pki};

fn hello(version: u16, suites: &[u16]) -> ClientHello {
    ClientHello {
        client_version: version,
        random: [1; 32],
        session_id: vec![],
        cipher_suites: suites.to_vec(),
        compression_methods: vec![0],
        extensions: HelloExtensions {
            extended_master_secret: true,
            renegotiation_info: Some(vec![]),
            ..Default::default()
        },
    }
}

/// A handshake message with its body cut or grown, the header length made to match.
fn with_body(message: &[u8], body: &[u8]) -> Vec<u8> {
    let len = (body.len() as u32).to_be_bytes();
    let mut out = vec![message[0], len[1], len[2], len[3]];
    out.extend(body);
    out
}

fn server_reads(sim: &mut Simulation, record_bytes: &[u8]) -> simulate::Failure {
    put(sim, Side::Server, record_bytes);
    fail_at_server(sim, |s, w| s.answer_hello(w))
}

// ---- malformed messages: decode_error ----

#[test]
fn truncated_client_hello_is_decode_error() {
    let msg = hello(0x0303, &[0x009c]).encode().unwrap().bytes;
    let truncated = with_body(&msg, &msg[4..msg.len() - 1]);
    let mut sim = sim();
    let failure = server_reads(&mut sim, &record(22, 0x0301, &truncated));
    assert_alert(&failure, Side::Server, A::DecodeError);
}

#[test]
fn over_long_client_hello_is_decode_error() {
    let msg = hello(0x0303, &[0x009c]).encode().unwrap().bytes;
    let mut body = msg[4..].to_vec();
    body.push(0);
    let mut sim = sim();
    let failure = server_reads(&mut sim, &record(22, 0x0301, &with_body(&msg, &body)));
    assert_alert(&failure, Side::Server, A::DecodeError);
}

#[test]
fn every_cut_of_a_client_hello_is_refused_or_is_a_valid_shorter_hello() {
    let msg = hello(0x0303, &[0x009c]).encode().unwrap().bytes;
    for cut in 1..msg.len() - 4 {
        let body = &msg[4..msg.len() - cut];
        let mut sim = sim();
        put(
            &mut sim,
            Side::Server,
            &record(22, 0x0301, &with_body(&msg, body)),
        );
        match sim.server(|s, w| s.answer_hello(w)) {
            Ok(()) => assert!(ClientHello::decode(&with_body(&msg, body)).is_ok()),
            Err(failure) => assert_eq!(failure.error.alert(), Some(A::DecodeError), "cut {cut}"),
        }
    }
}

#[test]
fn truncated_server_hello_is_decode_error() {
    let mut sim = sim();
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    let flight = take(&mut sim, Side::Client);
    // The ServerHello starts at byte 5; cut its last byte and shrink its length.
    let body_len = usize::from(flight[8]);
    let server_hello = &flight[5..9 + body_len];
    let cut = with_body(server_hello, &server_hello[4..server_hello.len() - 1]);
    put(&mut sim, Side::Client, &record(22, 0x0303, &cut));
    let failure = fail_at_client(&mut sim, |c, w| c.answer_server(w));
    assert_alert(&failure, Side::Client, A::DecodeError);
}

// ---- extensions in a ServerHello: each its own rules ----

/// Runs the client's hello and the server's answer, then gives the client only the server's
/// ServerHello, its extensions replaced by one extension of `ext_type` with `body`; returns
/// how the client fails.
fn client_reads_server_hello_with(
    sim: &mut Simulation,
    ext_type: u16,
    body: &[u8],
) -> simulate::Failure {
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    let flight = take(sim, Side::Client);
    let body_len = usize::from(flight[8]);
    let (mut server_hello, _) = ServerHello::decode(&flight[5..9 + body_len]).unwrap();
    server_hello.extensions = HelloExtensions::default();
    let plain = server_hello.encode().unwrap().bytes;
    let mut message_body = plain[4..].to_vec();
    message_body.extend(((4 + body.len()) as u16).to_be_bytes());
    message_body.extend(ext_type.to_be_bytes());
    message_body.extend((body.len() as u16).to_be_bytes());
    message_body.extend(body);
    let message = with_body(&plain, &message_body);
    put(sim, Side::Client, &record(22, 0x0303, &message));
    fail_at_client(sim, |c, w| c.answer_server(w))
}

#[test]
fn a_server_s_alpn_answer_of_two_names_is_decode_error() {
    // RFC 7301 3.1: the server's ProtocolNameList "MUST contain exactly one ProtocolName".
    let mut sim = sim();
    let two = [
        0, 12, 2, b'h', b'2', 8, b'h', b't', b't', b'p', b'/', b'1', b'.', b'1',
    ];
    let failure = client_reads_server_hello_with(&mut sim, 16, &two);
    assert_alert(&failure, Side::Client, A::DecodeError);
    assert!(
        failure
            .error
            .to_string()
            .contains("protocol_name_list must hold exactly one element")
    );
}

#[test]
fn an_alpn_answer_to_no_offer_is_unsupported_extension() {
    // RFC 5246 7.4.1.4: a ServerHello may only answer extensions the client offered; this
    // client offered no ALPN.
    let mut sim = sim();
    let failure = client_reads_server_hello_with(&mut sim, 16, &[0, 3, 2, b'h', b'2']);
    assert_alert(&failure, Side::Client, A::UnsupportedExtension);
}

#[test]
fn an_alpn_choice_we_did_not_offer_is_illegal_parameter() {
    // RFC 7301 3.2: the server picks from the client's list; h2 was not on it.
    let mut sim = sim();
    sim.client.config_mut().alpn_protocols = vec!["http/1.1".into()];
    let failure = client_reads_server_hello_with(&mut sim, 16, &[0, 3, 2, b'h', b'2']);
    assert_alert(&failure, Side::Client, A::IllegalParameter);
    let reason = failure.error.to_string();
    assert!(
        reason.contains("the server chose the application protocol h2 (ALPN), which we did not"),
        "{reason}"
    );
}

#[test]
fn a_server_s_empty_alpn_name_is_decode_error() {
    // RFC 7301 3.1: "Empty strings MUST NOT be included".
    let mut sim = sim();
    let failure = client_reads_server_hello_with(&mut sim, 16, &[0, 1, 0]);
    assert_alert(&failure, Side::Client, A::DecodeError);
}

#[test]
fn a_server_s_session_ticket_with_a_body_is_decode_error() {
    // RFC 5077 3.2: the server's SessionTicket extension is empty ("a NewSessionTicket will
    // follow").
    let mut sim = sim();
    sim.client.config_mut().offer_session_ticket = true;
    let failure = client_reads_server_hello_with(&mut sim, 35, &[1, 2, 3]);
    assert_alert(&failure, Side::Client, A::DecodeError);
    assert!(
        failure
            .error
            .to_string()
            .contains("session_ticket must be empty here")
    );
}

#[test]
fn a_session_ticket_answer_to_no_offer_is_unsupported_extension() {
    // RFC 5246 7.4.1.4: this client did not offer session_ticket.
    let mut sim = sim();
    let failure = client_reads_server_hello_with(&mut sim, 35, &[]);
    assert_alert(&failure, Side::Client, A::UnsupportedExtension);
}

#[test]
fn a_server_s_encrypt_then_mac_with_a_body_is_decode_error() {
    // RFC 7366 2: "The "extension_data" field of this extension SHALL be empty".
    let mut sim = sim_with(&Options {
        suite: CipherSuite::RsaAes128CbcSha,
        ..Options::default()
    });
    let failure = client_reads_server_hello_with(&mut sim, 22, &[0]);
    assert_alert(&failure, Side::Client, A::DecodeError);
}

#[test]
fn an_encrypt_then_mac_answer_to_no_offer_is_unsupported_extension() {
    // A GCM-only client does not offer encrypt_then_mac (it means nothing to an AEAD).
    let mut sim = sim();
    let failure = client_reads_server_hello_with(&mut sim, 22, &[]);
    assert_alert(&failure, Side::Client, A::UnsupportedExtension);
}

#[test]
fn a_new_session_ticket_not_promised_is_unexpected_message() {
    // RFC 5077 3.3: NewSessionTicket only after a ServerHello with the empty extension. Sent
    // unannounced before the server's ChangeCipherSpec, it is a handshake message where the
    // client expects ChangeCipherSpec.
    let mut sim = sim();
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    sim.client(|c, w| c.answer_server(w)).unwrap();
    sim.server(|s, w| s.finish(w)).unwrap();
    let rest = take(&mut sim, Side::Client);
    let ticket = [4, 0, 0, 6, 0, 0, 0, 0, 0, 0];
    put(&mut sim, Side::Client, &record(22, 0x0303, &ticket));
    put(&mut sim, Side::Client, &rest);
    let failure = fail_at_client(&mut sim, |c, w| c.finish(w));
    assert_alert(&failure, Side::Client, A::UnexpectedMessage);
}

#[test]
fn encrypt_then_mac_answered_with_a_gcm_suite_is_illegal_parameter() {
    // RFC 7366 3: a server that selects an AEAD suite "MUST NOT send an encrypt-then-MAC
    // response extension". The client offers both kinds; the server picks GCM.
    let mut sim = sim();
    sim.client.config_mut().suites = vec![
        CipherSuite::RsaAes128GcmSha256,
        CipherSuite::RsaAes128CbcSha,
    ];
    let failure = client_reads_server_hello_with(&mut sim, 22, &[]);
    assert_alert(&failure, Side::Client, A::IllegalParameter);
    assert!(failure.error.to_string().contains("RFC 7366 3 forbids it"));
}

// ---- wrong order: unexpected_message ----

#[test]
fn client_key_exchange_first_is_unexpected() {
    let mut sim = sim();
    let cke = [16, 0, 0, 2, 0, 0];
    let failure = server_reads(&mut sim, &record(22, 0x0303, &cke));
    assert_alert(&failure, Side::Server, A::UnexpectedMessage);
}

#[test]
fn server_hello_done_without_certificate_is_unexpected() {
    let mut sim = sim();
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    let flight = take(&mut sim, Side::Client);
    let body_len = usize::from(flight[8]);
    let mut skipped = flight[5..9 + body_len].to_vec(); // ServerHello
    skipped.extend([14, 0, 0, 0]); // ServerHelloDone, no Certificate
    put(&mut sim, Side::Client, &record(22, 0x0303, &skipped));
    let failure = fail_at_client(&mut sim, |c, w| c.answer_server(w));
    assert_alert(&failure, Side::Client, A::UnexpectedMessage);
}

#[test]
fn finished_without_change_cipher_spec_is_unexpected() {
    let mut sim = sim();
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    sim.client(|c, w| c.answer_server(w)).unwrap();
    let flight = records(&take(&mut sim, Side::Server));
    assert_eq!(flight[1][0], 20, "the second record is ChangeCipherSpec");
    put(&mut sim, Side::Server, &flight[0]);
    put(&mut sim, Side::Server, &flight[2]);
    let failure = fail_at_server(&mut sim, |s, w| s.finish(w));
    assert_alert(&failure, Side::Server, A::UnexpectedMessage);
}

#[test]
fn change_cipher_spec_of_the_wrong_length_or_value_is_unexpected() {
    // OpenSSL answers a ChangeCipherSpec record that is not the one byte 01 with
    // unexpected_message: it is not a ChangeCipherSpec at all (BoringSSL: illegal_parameter).
    for body in [&[1u8, 1][..], &[][..], &[2][..]] {
        let mut sim = sim();
        sim.client(|c, w| c.send_hello(w)).unwrap();
        sim.server(|s, w| s.answer_hello(w)).unwrap();
        sim.client(|c, w| c.answer_server(w)).unwrap();
        let mut flight = records(&take(&mut sim, Side::Server));
        assert_eq!(flight[1][0], 20, "the second record is ChangeCipherSpec");
        flight[1] = record(20, 0x0303, body);
        for r in &flight {
            put(&mut sim, Side::Server, r);
        }
        let failure = fail_at_server(&mut sim, |s, w| s.finish(w));
        assert_alert(&failure, Side::Server, A::UnexpectedMessage);
        assert!(
            failure.error.to_string().contains("one byte 01"),
            "{body:?}: {}",
            failure.error
        );
    }
}

#[test]
fn application_data_before_the_handshake_is_unexpected() {
    let mut sim = sim();
    let failure = server_reads(&mut sim, &record(23, 0x0303, b"GET / HTTP/1.0\r\n\r\n"));
    assert_alert(&failure, Side::Server, A::UnexpectedMessage);
}

#[test]
fn not_tls_at_all_is_unexpected() {
    let mut sim = sim();
    let failure = server_reads(&mut sim, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert_alert(&failure, Side::Server, A::UnexpectedMessage);
}

// ---- records ----

#[test]
fn tampered_application_record_is_bad_record_mac() {
    let mut sim = sim();
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    sim.client(|c, w| c.answer_server(w)).unwrap();
    sim.server(|s, w| s.finish(w)).unwrap();
    sim.client(|c, w| c.finish(w)).unwrap();
    sim.client(|c, w| c.send(w, b"pay 10 euros")).unwrap();
    let mut bytes = take(&mut sim, Side::Server);
    let last = bytes.len() - 20; // a ciphertext byte
    bytes[last] ^= 0x01;
    put(&mut sim, Side::Server, &bytes);
    let failure = fail_at_server(&mut sim, |s, w| s.receive(w).map(|_| ()));
    assert_alert(&failure, Side::Server, A::BadRecordMac);
}

#[test]
fn oversized_record_is_record_overflow() {
    let mut sim = sim();
    let mut header = vec![22, 3, 1];
    header.extend(((1u16 << 14) + 1).to_be_bytes());
    header.extend(vec![0; (1 << 14) + 1]);
    let failure = server_reads(&mut sim, &header);
    assert_alert(&failure, Side::Server, A::RecordOverflow);
}

#[test]
fn oversized_handshake_message_is_decode_error() {
    let mut sim = sim();
    // A ClientHello header claiming 100 KiB + 1 bytes: a length we will not decode, refused
    // before any of it is buffered, with a reason that names the limit.
    let limit = tls12_sim::record::MAX_HANDSHAKE_MESSAGE;
    let len = (limit as u32 + 1).to_be_bytes();
    let failure = server_reads(&mut sim, &record(22, 0x0301, &[1, len[1], len[2], len[3]]));
    assert_alert(&failure, Side::Server, A::DecodeError);
    let said = failure.error.to_string();
    assert!(
        said.contains(&format!("{} bytes", limit + 1)) && said.contains(&format!("{limit} bytes")),
        "{said}"
    );
}

#[test]
fn handshake_messages_split_across_records_are_reassembled() {
    let mut sim = sim();
    sim.client(|c, w| c.send_hello(w)).unwrap();
    let flight = records(&take(&mut sim, Side::Server));
    let hello = &flight[0][5..];
    // One byte per record for the first 10 bytes, then the rest.
    for i in 0..10 {
        put(
            &mut sim,
            Side::Server,
            &record(22, 0x0301, &hello[i..i + 1]),
        );
    }
    put(&mut sim, Side::Server, &record(22, 0x0301, &hello[10..]));
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    sim.client(|c, w| c.answer_server(w)).unwrap();
    sim.server(|s, w| s.finish(w)).unwrap();
    sim.client(|c, w| c.finish(w)).unwrap();
}

// ---- Finished: decrypt_error ----

/// The client's flight 3 records: ClientKeyExchange, ChangeCipherSpec, Finished.
fn client_flight_3(sim: &mut Simulation) -> Vec<Vec<u8>> {
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    sim.client(|c, w| c.answer_server(w)).unwrap();
    records(&take(sim, Side::Server))
}

fn secret(sim: &Simulation, name: &str) -> Vec<u8> {
    sim.events
        .iter()
        .find_map(|e| match e {
            tls12_sim::event::Event::Secret {
                side: Side::Client,
                name: n,
                value,
                ..
            } if *n == name => Some(value.clone()),
            _ => None,
        })
        .unwrap()
}

#[test]
fn tampered_finished_is_decrypt_error() {
    // A man in the middle who somehow has the session keys re-seals the client's Finished with
    // one bit of verify_data flipped: the record is authentic, the Finished is not.
    let mut sim = sim();
    let flight = client_flight_3(&mut sim);
    let key = secret(&sim, "client_write_key");
    let iv: [u8; 4] = secret(&sim, "client_write_iv").try_into().unwrap();
    let finished_record = &flight[2];
    let mut opener = Direction::protected(&key, iv).unwrap();
    let mut plaintext = opener
        .open(22, 0x0303, finished_record[5..].to_vec())
        .unwrap();
    plaintext[4] ^= 0x80; // the first byte of verify_data
    let mut sealer = Direction::protected(&key, iv).unwrap();
    let mut resealed = Vec::new();
    sealer.seal(22, 0x0303, &plaintext, &mut resealed).unwrap();
    put(&mut sim, Side::Server, &flight[0]);
    put(&mut sim, Side::Server, &flight[1]);
    put(&mut sim, Side::Server, &resealed);
    let failure = fail_at_server(&mut sim, |s, w| s.finish(w));
    assert_alert(&failure, Side::Server, A::DecryptError);
}

#[test]
fn tampered_hello_without_ems_is_caught_by_finished() {
    // Without extended master secret the keys depend only on the pre-master and the randoms,
    // so changing another ClientHello byte in transit leaves the records readable: only the
    // Finished, which covers the whole transcript, notices.
    let options = Options {
        extended_master_secret: false,
        ..Options::default()
    };
    let mut sim = sim_with(&options);
    sim.client(|c, w| c.send_hello(w)).unwrap();
    let mut bytes = take(&mut sim, Side::Server);
    let at = find(&bytes, &[0x04, 0x01, 0x05, 0x01]); // rsa_pkcs1_sha256, rsa_pkcs1_sha384
    bytes[at + 2] = 0x06; // rsa_pkcs1_sha384 -> rsa_pkcs1_sha512
    put(&mut sim, Side::Server, &bytes);
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    sim.client(|c, w| c.answer_server(w)).unwrap();
    let failure = fail_at_server(&mut sim, |s, w| s.finish(w));
    assert_alert(&failure, Side::Server, A::DecryptError);
}

#[test]
fn tampered_hello_with_ems_breaks_the_keys() {
    // With extended master secret the same change alters the master secret itself: the
    // client's first protected record (its Finished) no longer authenticates.
    let mut sim = sim();
    sim.client(|c, w| c.send_hello(w)).unwrap();
    let mut bytes = take(&mut sim, Side::Server);
    let at = find(&bytes, &[0x04, 0x01, 0x05, 0x01]);
    bytes[at + 2] = 0x06;
    put(&mut sim, Side::Server, &bytes);
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    sim.client(|c, w| c.answer_server(w)).unwrap();
    let failure = fail_at_server(&mut sim, |s, w| s.finish(w));
    assert_alert(&failure, Side::Server, A::BadRecordMac);
}

// ---- the server's private key ----

#[test]
fn server_with_the_wrong_private_key_fails_at_finished() {
    // The certificate is the demo one, the private key another (OpenSSL's test key): the
    // server "decrypts" the pre-master to something else, silently, and the first record under
    // the new keys, the client's Finished, fails to authenticate.
    let options = Options::default();
    let mut identity = tls12_sim::demo_pki::server().unwrap();
    identity.key =
        pki::load_private_key_pem(include_str!("../vectors/openssl-sessions/server.key")).unwrap();
    let server = Server::new(
        ServerConfig {
            suites: CipherSuite::ALL.to_vec(),
            identity,
            allow_extended_master_secret: true,
            allow_encrypt_then_mac: true,
            client_auth: tls12_sim::server::ClientAuth::None,
            client_trust: tls12_sim::pki::TrustStore::default(),
            alpn_protocols: Vec::new(),
            alpn_optional: false,
            session_cache: None,
            ticket_keys: None,
        },
        tls12_sim::rng::RoleRng::seeded(1, Side::Server),
        tls12_sim::rng::Clock::Fixed(options.time),
        true,
    );
    let sim = Simulation::new(simulate::demo_client(&options).unwrap(), server);
    let report = simulate::run_simulation(sim, &options);
    let failure = report.outcome.as_ref().unwrap_err();
    assert_alert(failure, Side::Server, A::BadRecordMac);
    // The server's failure comes while reading the client's Finished record, after it derived
    // keys: the handshake got exactly as far as Finished.
    assert!(report.value_of(Side::Server, "master_secret").is_some());
    assert_ne!(
        report.value_of(Side::Server, "pre_master_secret"),
        report.value_of(Side::Client, "pre_master_secret")
    );
}

#[test]
fn bad_pre_master_ciphertexts_all_fail_the_same_way() {
    // RFC 5246 7.4.7.1: bad padding, wrong length and wrong version bytes must be
    // indistinguishable from outside: the server carries on with a random pre-master and the
    // failure is always the same alert at the same point.
    let server_key = tls12_sim::demo_pki::server().unwrap().key;
    let public = server_key.to_public_key();
    let mut rng = tls12_sim::rng::RoleRng::seeded(99, Side::Client);
    let encrypt = |rng: &mut tls12_sim::rng::RoleRng, m: &[u8]| {
        public.encrypt(rng, rsa::Pkcs1v15Encrypt, m).unwrap()
    };
    let mut wrong_version = vec![3, 1];
    wrong_version.extend([7; 46]);
    let variants: Vec<(&str, Vec<u8>)> = vec![
        ("bad padding", vec![0x42; 256]),
        ("47 bytes", encrypt(&mut rng, &[3; 47])),
        ("49 bytes", encrypt(&mut rng, &[3; 49])),
        ("version 0301", encrypt(&mut rng, &wrong_version)),
        ("too short", vec![1; 100]),
    ];
    for (what, ciphertext) in variants {
        let mut sim = sim();
        let flight = client_flight_3(&mut sim);
        let mut cke_record = flight[0].clone();
        assert_eq!(cke_record.len(), 5 + 4 + 2 + 256);
        // Replace the ClientKeyExchange body (the lengths follow the new ciphertext).
        let mut body = (ciphertext.len() as u16).to_be_bytes().to_vec();
        body.extend(&ciphertext);
        let message = with_body(&cke_record[5..9], &body);
        cke_record = record(22, 0x0303, &message);
        put(&mut sim, Side::Server, &cke_record);
        put(&mut sim, Side::Server, &flight[1]);
        put(&mut sim, Side::Server, &flight[2]);
        let failure = fail_at_server(&mut sim, |s, w| s.finish(w));
        assert_alert(&failure, Side::Server, A::BadRecordMac);
        // And the server did derive keys from a pre-master with the right version bytes.
        let pms = sim
            .events
            .iter()
            .find_map(|e| match e {
                tls12_sim::event::Event::Secret {
                    side: Side::Server,
                    name: "pre_master_secret",
                    value,
                    ..
                } => Some(value.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{what}: no pre-master"));
        assert_eq!(&pms[..2], &[3, 3], "{what}");
    }
}

#[test]
fn the_defence_returns_the_plaintext_only_when_everything_is_right() {
    let key = tls12_sim::demo_pki::server().unwrap().key;
    let public = key.to_public_key();
    let mut client_rng = tls12_sim::rng::RoleRng::seeded(5, Side::Client);
    let mut server_rng = tls12_sim::rng::RoleRng::seeded(5, Side::Server);
    let (pre_master, ciphertext) =
        key_exchange::rsa_encrypt_pre_master(&mut client_rng, &public, 0x0303).unwrap();
    let got = key_exchange::rsa_decrypt_pre_master(&mut server_rng, &key, &ciphertext, 0x0303);
    assert_eq!(*got, *pre_master);
    // The same ciphertext checked against another offered version: the fallback, not M.
    let got = key_exchange::rsa_decrypt_pre_master(&mut server_rng, &key, &ciphertext, 0x0302);
    assert_ne!(got[2..], pre_master[2..]);
    assert_eq!(&got[..2], &[3, 2]);
}

// ---- negotiation ----

#[test]
fn no_common_suite_is_handshake_failure() {
    let mut sim = sim();
    let msg = hello(0x0303, &[0xc02b, 0x1301]).encode().unwrap().bytes;
    let failure = server_reads(&mut sim, &record(22, 0x0301, &msg));
    assert_alert(&failure, Side::Server, A::HandshakeFailure);
}

#[test]
fn tls_1_1_client_is_protocol_version() {
    let mut sim = sim();
    let msg = hello(0x0302, &[0x009c]).encode().unwrap().bytes;
    let failure = server_reads(&mut sim, &record(22, 0x0301, &msg));
    assert_alert(&failure, Side::Server, A::ProtocolVersion);
}

/// A ClientHello that lists `versions` in supported_versions (RFC 8446 4.2.1), as every TLS 1.3
/// client does, with client_version TLS 1.2.
fn hello_with_versions(versions: &[u16]) -> Vec<u8> {
    let mut h = hello(0x0303, &[0x1301, 0x009c]);
    h.extensions.supported_versions = Some(versions.to_vec());
    record(22, 0x0301, &h.encode().unwrap().bytes)
}

#[test]
fn tls_1_3_only_client_is_protocol_version() {
    // GREASE (0x7a7a) and TLS 1.3, and no TLS 1.2: client_version 0x0303 does not count.
    let mut sim = sim();
    let failure = server_reads(&mut sim, &hello_with_versions(&[0x7a7a, 0x0304]));
    assert_alert(&failure, Side::Server, A::ProtocolVersion);
    let reason = failure.error.to_string();
    assert!(
        reason.contains("the client offers only TLS 1.3 ("),
        "{reason}"
    );
}

#[test]
fn tls_1_3_and_1_2_client_gets_tls_1_2() {
    let mut sim = sim();
    put(
        &mut sim,
        Side::Server,
        &hello_with_versions(&[0x0304, 0x0303]),
    );
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    assert_eq!(
        sim.server.conn().negotiated_suite(),
        Some(CipherSuite::RsaAes128GcmSha256)
    );
}

#[test]
fn tls_1_3_client_hello_version_gets_tls_1_2() {
    // A client offering a higher version is answered with TLS 1.2.
    let mut sim = sim();
    let msg = hello(0x0304, &[0x009c]).encode().unwrap().bytes;
    put(&mut sim, Side::Server, &record(22, 0x0301, &msg));
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    let reply = take(&mut sim, Side::Client);
    assert_eq!(&reply[9..11], &[3, 3]);
}

#[test]
fn server_hello_with_another_version_is_protocol_version() {
    let mut sim = sim();
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    let mut flight = take(&mut sim, Side::Client);
    flight[10] = 2; // server_version 0x0302
    put(&mut sim, Side::Client, &flight);
    let failure = fail_at_client(&mut sim, |c, w| c.answer_server(w));
    assert_alert(&failure, Side::Client, A::ProtocolVersion);
}

#[test]
fn server_choosing_a_suite_not_offered_is_illegal_parameter() {
    let mut sim = sim();
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    let mut flight = take(&mut sim, Side::Client);
    // cipher_suite follows version(2), random(32), session_id length(1, zero).
    let at = 5 + 4 + 2 + 32 + 1;
    assert_eq!(&flight[at..at + 2], &[0x00, 0x9c]);
    flight[at + 1] = 0x9d;
    put(&mut sim, Side::Client, &flight);
    let failure = fail_at_client(&mut sim, |c, w| c.answer_server(w));
    assert_alert(&failure, Side::Client, A::IllegalParameter);
}

#[test]
fn server_hello_extension_not_offered_is_unsupported_extension() {
    let options = Options {
        extended_master_secret: false,
        ..Options::default()
    };
    let mut sim = sim_with(&options);
    sim.client(|c, w| c.send_hello(w)).unwrap();
    // A server that answers with EMS although the client did not offer it.
    let server_hello = tls12_sim::messages::server_hello::ServerHello {
        server_version: 0x0303,
        random: [2; 32],
        session_id: vec![],
        cipher_suite: 0x009c,
        compression_method: 0,
        extensions: HelloExtensions {
            extended_master_secret: true,
            ..Default::default()
        },
    };
    take(&mut sim, Side::Server);
    let bytes = server_hello.encode().unwrap().bytes;
    put(&mut sim, Side::Client, &record(22, 0x0303, &bytes));
    let failure = fail_at_client(&mut sim, |c, w| c.answer_server(w));
    assert_alert(&failure, Side::Client, A::UnsupportedExtension);
}

#[test]
fn unknown_client_hello_extensions_are_ignored() {
    // session_ticket (35), read but unanswered by a server without ticket keys, and an
    // unassigned type, skipped: each with a body.
    let mut sim = sim();
    sim.client(|c, w| c.send_hello(w)).unwrap();
    let flight = take(&mut sim, Side::Server);
    let message = &flight[5..];
    let extra = [0x00, 0x23, 0x00, 0x02, 0xab, 0xcd, 0xfe, 0xed, 0x00, 0x00];
    // Grow the extensions block: its length follows version(2), random(32), session_id(1),
    // cipher_suites(2 + 2) and compression_methods(1 + 1).
    let ext_len_at = 2 + 32 + 1 + 2 + 2 + 1 + 1;
    let mut body = message[4..].to_vec();
    let old = u16::from_be_bytes([body[ext_len_at], body[ext_len_at + 1]]);
    let new = old + extra.len() as u16;
    body[ext_len_at..ext_len_at + 2].copy_from_slice(&new.to_be_bytes());
    body.extend(extra);
    let grown = with_body(message, &body);
    assert!(ClientHello::decode(&grown).is_ok());
    put(&mut sim, Side::Server, &record(22, 0x0301, &grown));
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    let extensions = &sim.server.client_hello().unwrap().extensions;
    assert_eq!(extensions.other, vec![0xfeed]);
    assert_eq!(extensions.session_ticket, Some(vec![0xab, 0xcd]));
    assert_eq!(sim.server.resumed(), None);
}

#[test]
fn client_without_ems_or_renegotiation_info_still_connects() {
    // An old-style client: no extensions at all.
    let mut sim = sim();
    let mut old = hello(0x0303, &[0x009c]);
    old.extensions = HelloExtensions::default();
    put(
        &mut sim,
        Side::Server,
        &record(22, 0x0301, &old.encode().unwrap().bytes),
    );
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    assert!(!sim.server.conn().extended_master_secret());
    assert!(!sim.server.secure_renegotiation());
}

// ---- renegotiation: refused politely ----

fn established() -> Simulation {
    let mut sim = sim();
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    sim.client(|c, w| c.answer_server(w)).unwrap();
    sim.server(|s, w| s.finish(w)).unwrap();
    sim.client(|c, w| c.finish(w)).unwrap();
    sim
}

/// Text options that show what each side received (the simulator's default shows each message
/// once, at its sender).
fn received() -> tls12_sim::render::TextOptions {
    tls12_sim::render::TextOptions {
        show_received: true,
        lang: tls12_sim::render::Lang::En,
    }
}

fn warnings_sent(sim: &Simulation, side: Side) -> Vec<A> {
    sim.events
        .iter()
        .filter_map(|e| match e {
            tls12_sim::event::Event::Alert {
                side: s,
                from,
                level: tls12_sim::messages::alert::AlertLevel::Warning,
                description,
            } if *s == side && *from == side => Some(*description),
            _ => None,
        })
        .collect()
}

#[test]
fn a_second_client_hello_gets_a_no_renegotiation_warning() {
    let mut sim = established();
    let hello = hello(0x0303, &[0x009c]).encode().unwrap().bytes;
    sim.client(|c, w| c.conn_mut().send_raw_handshake(w, &hello))
        .unwrap();
    sim.client(|c, w| c.send(w, b"still talking")).unwrap();
    let data = sim.server(|s, w| s.receive(w)).unwrap();
    assert_eq!(data.as_deref(), Some(&b"still talking"[..]));
    assert_eq!(warnings_sent(&sim, Side::Server), [A::NoRenegotiation]);
    // The client reads the warning and carries on.
    sim.server(|s, w| s.send(w, b"and so am I")).unwrap();
    let data = sim.client(|c, w| c.receive(w)).unwrap();
    assert_eq!(data.as_deref(), Some(&b"and so am I"[..]));
}

#[test]
fn a_hello_request_after_the_handshake_gets_a_no_renegotiation_warning() {
    let mut sim = established();
    sim.server(|s, w| s.conn_mut().send_raw_handshake(w, &[0, 0, 0, 0]))
        .unwrap();
    sim.server(|s, w| s.send(w, b"data")).unwrap();
    let data = sim.client(|c, w| c.receive(w)).unwrap();
    assert_eq!(data.as_deref(), Some(&b"data"[..]));
    assert_eq!(warnings_sent(&sim, Side::Client), [A::NoRenegotiation]);
    // The trace shows the HelloRequest decoded, and says why it was refused.
    let text = tls12_sim::render::render_text(&sim.events, received());
    assert!(text.contains("HelloRequest"), "{text}");
    assert!(text.contains("never renegotiates"), "{text}");
}

#[test]
fn a_hello_request_with_a_body_is_decode_error() {
    let mut sim = established();
    sim.server(|s, w| s.conn_mut().send_raw_handshake(w, &[0, 0, 0, 1, 0]))
        .unwrap();
    let failure = fail_at_client(&mut sim, |c, w| c.receive(w).map(|_| ()));
    assert_alert(&failure, Side::Client, A::DecodeError);
}

#[test]
fn a_hello_request_during_the_handshake_is_ignored() {
    let mut sim = sim();
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    let flight = take(&mut sim, Side::Client);
    put(&mut sim, Side::Client, &record(22, 0x0303, &[0, 0, 0, 0]));
    put(&mut sim, Side::Client, &flight);
    sim.client(|c, w| c.answer_server(w)).unwrap();
    sim.server(|s, w| s.finish(w)).unwrap();
    sim.client(|c, w| c.finish(w)).unwrap();
    let text = tls12_sim::render::render_text(&sim.events, received());
    assert!(
        text.contains("HelloRequest in the middle of a handshake"),
        "{text}"
    );
}

#[test]
fn a_non_empty_server_name_in_server_hello_is_decode_error() {
    let mut sim = sim();
    sim.client(|c, w| c.send_hello(w)).unwrap();
    take(&mut sim, Side::Server);
    let server_hello = tls12_sim::messages::server_hello::ServerHello {
        server_version: 0x0303,
        random: [2; 32],
        session_id: vec![],
        cipher_suite: 0x009c,
        compression_method: 0,
        extensions: HelloExtensions {
            server_name: Some("evil.example".into()),
            ..Default::default()
        },
    };
    let bytes = server_hello.encode().unwrap().bytes;
    put(&mut sim, Side::Client, &record(22, 0x0303, &bytes));
    let failure = fail_at_client(&mut sim, |c, w| c.answer_server(w));
    assert_alert(&failure, Side::Client, A::DecodeError);
    // RFC 6066 3: the server's server_name "SHALL be empty"; its decoder says so.
    assert!(
        failure
            .error
            .to_string()
            .contains("server_name must be empty here")
    );
}
