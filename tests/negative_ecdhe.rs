//! ECDHE negative cases: the signed ServerKeyExchange and the X25519 keys, each failure with its
//! exact alert.

mod common;

use common::*;
use tls12_sim::key_exchange::RSA_PKCS1_SHA256;
use tls12_sim::messages::HandshakeMessage;
use tls12_sim::messages::alert::AlertDescription as A;
use tls12_sim::rng::Side;
use tls12_sim::simulate::{Options, Simulation};
use tls12_sim::suites::CipherSuite;

fn ecdhe() -> Options {
    Options {
        suite: CipherSuite::EcdheRsaAes128GcmSha256,
        ..Options::default()
    }
}

/// The handshake messages inside one unprotected handshake record.
fn messages(record_bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = &record_bytes[5..];
    while rest.len() >= 4 {
        let len =
            4 + (usize::from(rest[1]) << 16 | usize::from(rest[2]) << 8 | usize::from(rest[3]));
        out.push(rest[..len].to_vec());
        rest = &rest[len..];
    }
    out
}

fn handshake_record(messages: &[Vec<u8>]) -> Vec<u8> {
    record(22, 0x0303, &messages.concat())
}

/// Runs to the server's first flight and returns its handshake messages (taken off the wire).
fn server_flight(sim: &mut Simulation) -> Vec<Vec<u8>> {
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    messages(&take(sim, Side::Client))
}

/// Offsets in a ServerKeyExchange for x25519: header(4) curve_type(1) named_curve(2)
/// point length(1) point(32) scheme(2) signature length(2) signature.
const SKE_SCHEME: usize = 4 + 1 + 2 + 1 + 32;

#[test]
fn tampered_server_key_exchange_signature_is_decrypt_error() {
    let mut sim = sim_with(&ecdhe());
    let mut flight = server_flight(&mut sim);
    assert_eq!(flight[2][0], 12, "ServerKeyExchange");
    let last = flight[2].len() - 1;
    flight[2][last] ^= 0x01;
    put(&mut sim, Side::Client, &handshake_record(&flight));
    let failure = fail_at_client(&mut sim, |c, w| c.answer_server(w));
    assert_alert(&failure, Side::Client, A::DecryptError);
}

#[test]
fn swapped_ephemeral_key_breaks_the_signature() {
    // A man in the middle puts his own X25519 key in the ServerKeyExchange: the signature
    // covers the key, so the client refuses before using it.
    let mut sim = sim_with(&ecdhe());
    let mut flight = server_flight(&mut sim);
    flight[2][8] ^= 0xff;
    put(&mut sim, Side::Client, &handshake_record(&flight));
    let failure = fail_at_client(&mut sim, |c, w| c.answer_server(w));
    assert_alert(&failure, Side::Client, A::DecryptError);
}

#[test]
fn signature_scheme_not_offered_is_illegal_parameter() {
    let mut client = tls12_sim::simulate::demo_client(&ecdhe()).unwrap();
    client.config_mut().signature_schemes = vec![RSA_PKCS1_SHA256];
    let mut sim = Simulation::new(client, tls12_sim::simulate::demo_server(&ecdhe()).unwrap());
    let mut flight = server_flight(&mut sim);
    assert_eq!(&flight[2][SKE_SCHEME..SKE_SCHEME + 2], &[0x04, 0x01]);
    flight[2][SKE_SCHEME..SKE_SCHEME + 2].copy_from_slice(&[0x08, 0x04]);
    put(&mut sim, Side::Client, &handshake_record(&flight));
    let failure = fail_at_client(&mut sim, |c, w| c.answer_server(w));
    assert_alert(&failure, Side::Client, A::IllegalParameter);
}

#[test]
fn signature_relabelled_as_another_offered_scheme_is_decrypt_error() {
    // PSS-SHA256 signature presented as PKCS#1-SHA256: both offered, the signature does not
    // verify under the claimed scheme.
    let mut sim = sim_with(&ecdhe());
    let mut flight = server_flight(&mut sim);
    assert_eq!(&flight[2][SKE_SCHEME..SKE_SCHEME + 2], &[0x08, 0x04]);
    flight[2][SKE_SCHEME..SKE_SCHEME + 2].copy_from_slice(&[0x04, 0x01]);
    put(&mut sim, Side::Client, &handshake_record(&flight));
    let failure = fail_at_client(&mut sim, |c, w| c.answer_server(w));
    assert_alert(&failure, Side::Client, A::DecryptError);
}

#[test]
fn server_point_of_wrong_length_is_illegal_parameter() {
    let mut sim = sim_with(&ecdhe());
    let mut flight = server_flight(&mut sim);
    // Drop the last byte of the point: fix the point length and the message length.
    let mut ske = flight[2].clone();
    ske.remove(8 + 31);
    ske[7] = 31;
    let body_len = (ske.len() - 4) as u32;
    ske[1..4].copy_from_slice(&body_len.to_be_bytes()[1..]);
    flight[2] = ske;
    put(&mut sim, Side::Client, &handshake_record(&flight));
    let failure = fail_at_client(&mut sim, |c, w| c.answer_server(w));
    assert_alert(&failure, Side::Client, A::IllegalParameter);
}

#[test]
fn server_key_exchange_missing_is_unexpected() {
    let mut sim = sim_with(&ecdhe());
    let mut flight = server_flight(&mut sim);
    flight.remove(2);
    put(&mut sim, Side::Client, &handshake_record(&flight));
    let failure = fail_at_client(&mut sim, |c, w| c.answer_server(w));
    assert_alert(&failure, Side::Client, A::UnexpectedMessage);
}

#[test]
fn server_key_exchange_in_an_rsa_suite_is_unexpected() {
    let mut ecdhe_sim = sim_with(&ecdhe());
    let ske = server_flight(&mut ecdhe_sim).remove(2);
    let mut sim = sim();
    let mut flight = server_flight(&mut sim);
    flight.insert(2, ske);
    put(&mut sim, Side::Client, &handshake_record(&flight));
    let failure = fail_at_client(&mut sim, |c, w| c.answer_server(w));
    assert_alert(&failure, Side::Client, A::UnexpectedMessage);
}

/// Runs to the client's flight 3 and returns its records: ClientKeyExchange, CCS, Finished.
fn client_flight(sim: &mut Simulation) -> Vec<Vec<u8>> {
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    sim.client(|c, w| c.answer_server(w)).unwrap();
    records(&take(sim, Side::Server))
}

fn with_client_point(flight: &[Vec<u8>], point: &[u8]) -> Vec<u8> {
    let mut message = vec![16, 0, 0, point.len() as u8 + 1, point.len() as u8];
    message.extend(point);
    let mut out = record(22, 0x0303, &message);
    out.extend(&flight[1]);
    out.extend(&flight[2]);
    out
}

#[test]
fn client_point_of_wrong_length_is_illegal_parameter() {
    let mut sim = sim_with(&ecdhe());
    let flight = client_flight(&mut sim);
    put(
        &mut sim,
        Side::Server,
        &with_client_point(&flight, &[7; 31]),
    );
    let failure = fail_at_server(&mut sim, |s, w| s.finish(w));
    assert_alert(&failure, Side::Server, A::IllegalParameter);
}

#[test]
fn low_order_client_point_gives_zero_secret_and_is_illegal_parameter() {
    // u = 0 and u = 1 are points of small order: X25519 of them is all zeros, whatever the
    // private key (RFC 7748 6.1).
    for point in [[0u8; 32], {
        let mut one = [0u8; 32];
        one[0] = 1;
        one
    }] {
        let mut sim = sim_with(&ecdhe());
        let flight = client_flight(&mut sim);
        put(&mut sim, Side::Server, &with_client_point(&flight, &point));
        let failure = fail_at_server(&mut sim, |s, w| s.finish(w));
        assert_alert(&failure, Side::Server, A::IllegalParameter);
    }
}

#[test]
fn ecdhe_only_client_without_common_group_is_handshake_failure() {
    // The client offers only ECDHE suites, but a tampered supported_groups names secp256r1:
    // the server has no curve in common, and no RSA suite to fall back to.
    let mut sim = sim_with(&ecdhe());
    sim.client(|c, w| c.send_hello(w)).unwrap();
    let mut bytes = take(&mut sim, Side::Server);
    let at = find(&bytes, &[0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x1d]);
    bytes[at + 7] = 0x17;
    put(&mut sim, Side::Server, &bytes);
    let failure = fail_at_server(&mut sim, |s, w| s.answer_hello(w));
    assert_alert(&failure, Side::Server, A::HandshakeFailure);
    // The error names the real cause, and what the client offered instead.
    let reason = failure.error.to_string();
    assert!(reason.contains("no group in common"), "{reason}");
    assert!(reason.contains("secp256r1"), "{reason}");
}

/// A ClientHello offering only `suites`, with these signature schemes and groups.
fn hello_offering(suites: &[u16], schemes: Option<Vec<u16>>, groups: Option<Vec<u16>>) -> Vec<u8> {
    use tls12_sim::messages::client_hello::ClientHello;
    use tls12_sim::messages::extensions::HelloExtensions;
    let hello = ClientHello {
        client_version: 0x0303,
        random: [5; 32],
        session_id: vec![],
        cipher_suites: suites.to_vec(),
        compression_methods: vec![0],
        extensions: HelloExtensions {
            signature_algorithms: schemes,
            supported_groups: groups,
            ..Default::default()
        },
    };
    record(22, 0x0301, &hello.encode().unwrap().bytes)
}

#[test]
fn each_refusal_names_its_real_cause() {
    let cases = [
        // Only suites this server does not implement (TLS 1.3's, ECDHE_ECDSA).
        (
            hello_offering(&[0x1301, 0xc02b], Some(vec![0x0804]), Some(vec![0x1d])),
            "no cipher suite in common with the client: this server accepts",
        ),
        // ECDHE in common, but only P-256 offered.
        (
            hello_offering(&[0xc02f], Some(vec![0x0804]), Some(vec![0x17])),
            "the client's supported_groups offers secp256r1",
        ),
        (
            hello_offering(&[0xc02f], Some(vec![0x0804]), None),
            "sends no supported_groups extension",
        ),
        // ECDHE in common, but only ECDSA and SHA-1 signature schemes offered.
        (
            hello_offering(&[0xc02f], Some(vec![0x0403, 0x0201]), Some(vec![0x1d])),
            "the client's signature_algorithms offers ecdsa_secp256r1_sha256, rsa_pkcs1_sha1",
        ),
        (
            hello_offering(&[0xc02f], None, Some(vec![0x1d])),
            "SHA-1 only",
        ),
    ];
    for (hello, cause) in cases {
        let mut sim = sim();
        put(&mut sim, Side::Server, &hello);
        let failure = fail_at_server(&mut sim, |s, w| s.answer_hello(w));
        assert_alert(&failure, Side::Server, A::HandshakeFailure);
        let reason = failure.error.to_string();
        assert!(reason.contains(cause), "expected {cause:?} in: {reason}");
    }
}

#[test]
fn client_without_ecdhe_extensions_gets_rsa_key_exchange() {
    // A client offering an ECDHE suite first but no supported_groups: the server picks the RSA
    // suite the client also offered.
    use tls12_sim::messages::client_hello::ClientHello;
    use tls12_sim::messages::extensions::HelloExtensions;
    let hello = ClientHello {
        client_version: 0x0303,
        random: [5; 32],
        session_id: vec![],
        cipher_suites: vec![0xc02f, 0x009c],
        compression_methods: vec![0],
        extensions: HelloExtensions {
            signature_algorithms: Some(vec![0x0804]),
            ..Default::default()
        },
    };
    let mut sim = sim();
    put(
        &mut sim,
        Side::Server,
        &record(22, 0x0301, &hello.encode().unwrap().bytes),
    );
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    assert_eq!(
        sim.server.conn().negotiated_suite(),
        Some(CipherSuite::RsaAes128GcmSha256)
    );
}
