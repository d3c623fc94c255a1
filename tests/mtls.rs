//! Mutual TLS in memory, with the embedded demo PKI: accepted, and every refusal with its exact
//! alert.

mod common;

use common::*;
use tls12_sim::demo_pki::DemoClient;
use tls12_sim::event::{Event, Key};
use tls12_sim::messages::alert::AlertDescription as A;
use tls12_sim::rng::Side;
use tls12_sim::server::ClientAuth;
use tls12_sim::simulate::{self, Options, Simulation};
use tls12_sim::suites::CipherSuite;

fn mtls(client: Option<DemoClient>) -> Options {
    Options {
        mtls: true,
        client_certificate: client,
        ..Options::default()
    }
}

#[test]
fn alice_is_accepted_with_every_suite() {
    for suite in CipherSuite::ALL {
        let options = Options {
            suite,
            ..mtls(Some(DemoClient::Alice))
        };
        let report = simulate::run(&options).unwrap();
        assert!(
            report.outcome.is_ok(),
            "{suite:?}: {:?}",
            report.outcome.err()
        );
        assert_eq!(report.server.client_certificates().len(), 1);
        // The client's private key signed once: its CertificateVerify.
        let signs = report
            .events
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Event::KeyUse {
                        side: Side::Client,
                        key: Key::ClientPrivateKey,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(signs, 1);
        assert_eq!(
            report.value_of(Side::Client, "certificate_verify_hash"),
            report.value_of(Side::Server, "certificate_verify_hash")
        );
    }
}

fn refused(options: &Options) -> simulate::Failure {
    let report = simulate::run(options).unwrap();
    report.outcome.expect_err("the handshake should fail")
}

#[test]
fn bob_expired_is_certificate_expired() {
    let failure = refused(&mtls(Some(DemoClient::Bob)));
    assert_alert(&failure, Side::Server, A::CertificateExpired);
}

#[test]
fn carol_revoked_is_certificate_revoked() {
    let failure = refused(&mtls(Some(DemoClient::Carol)));
    assert_alert(&failure, Side::Server, A::CertificateRevoked);
}

#[test]
fn mallory_from_another_ca_is_unknown_ca() {
    let failure = refused(&mtls(Some(DemoClient::Mallory)));
    assert_alert(&failure, Side::Server, A::UnknownCa);
}

#[test]
fn no_certificate_when_required_is_handshake_failure() {
    let failure = refused(&mtls(None));
    assert_alert(&failure, Side::Server, A::HandshakeFailure);
}

#[test]
fn no_certificate_when_only_requested_is_anonymous() {
    let options = mtls(None);
    let client = simulate::demo_client(&options).unwrap();
    let mut server = simulate::demo_server(&options).unwrap();
    server.config_mut().client_auth = ClientAuth::Request;
    let report = simulate::run_simulation(Simulation::new(client, server), &options);
    assert!(report.outcome.is_ok());
    assert!(report.server.client_certificates().is_empty());
    assert!(!report.server.client_authenticated());
}

#[test]
fn the_wrong_private_key_is_decrypt_error() {
    // alice's certificate, carol's private key: the chain is fine, the CertificateVerify
    // signature is not.
    let options = mtls(Some(DemoClient::Alice));
    let mut client = simulate::demo_client(&options).unwrap();
    let identity = client.config_mut().identity.as_mut().unwrap();
    identity.key = DemoClient::Carol.identity().unwrap().key;
    let server = simulate::demo_server(&options).unwrap();
    let report = simulate::run_simulation(Simulation::new(client, server), &options);
    let failure = report.outcome.as_ref().unwrap_err();
    assert_alert(failure, Side::Server, A::DecryptError);
}

#[test]
fn a_server_certificate_used_as_a_client_certificate_is_unsupported() {
    // The demo server certificate has extendedKeyUsage serverAuth only.
    let options = mtls(Some(DemoClient::Alice));
    let mut client = simulate::demo_client(&options).unwrap();
    client.config_mut().identity = Some(tls12_sim::demo_pki::server().unwrap());
    let server = simulate::demo_server(&options).unwrap();
    let report = simulate::run_simulation(Simulation::new(client, server), &options);
    assert_alert(
        report.outcome.as_ref().unwrap_err(),
        Side::Server,
        A::UnsupportedCertificate,
    );
}

/// Runs to the client's flight with mutual TLS and returns its handshake messages.
fn client_flight_messages(sim: &mut Simulation) -> Vec<Vec<u8>> {
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    sim.client(|c, w| c.answer_server(w)).unwrap();
    let flight = take(sim, Side::Server);
    let first = &records(&flight)[0];
    let mut out = Vec::new();
    let mut rest = &first[5..];
    while rest.len() >= 4 {
        let len =
            4 + (usize::from(rest[1]) << 16 | usize::from(rest[2]) << 8 | usize::from(rest[3]));
        out.push(rest[..len].to_vec());
        rest = &rest[len..];
    }
    let mut tail = records(&flight);
    tail.remove(0);
    out.push(tail.concat());
    out
}

#[test]
fn a_tampered_certificate_verify_is_decrypt_error() {
    let mut sim = sim_with(&mtls(Some(DemoClient::Alice)));
    let mut parts = client_flight_messages(&mut sim);
    // parts: Certificate, ClientKeyExchange, CertificateVerify, then the CCS and Finished records.
    assert_eq!(parts[2][0], 15);
    let last = parts[2].len() - 1;
    parts[2][last] ^= 1;
    let tail = parts.pop().unwrap();
    put(&mut sim, Side::Server, &record(22, 0x0303, &parts.concat()));
    put(&mut sim, Side::Server, &tail);
    let failure = fail_at_server(&mut sim, |s, w| s.finish(w));
    assert_alert(&failure, Side::Server, A::DecryptError);
}

#[test]
fn a_missing_certificate_verify_is_unexpected() {
    let mut sim = sim_with(&mtls(Some(DemoClient::Alice)));
    let mut parts = client_flight_messages(&mut sim);
    let tail = parts.pop().unwrap();
    parts.remove(2);
    put(&mut sim, Side::Server, &record(22, 0x0303, &parts.concat()));
    put(&mut sim, Side::Server, &tail);
    let failure = fail_at_server(&mut sim, |s, w| s.finish(w));
    assert_alert(&failure, Side::Server, A::UnexpectedMessage);
}

#[test]
fn a_malformed_client_certificate_is_bad_certificate() {
    let mut sim = sim_with(&mtls(Some(DemoClient::Alice)));
    let mut parts = client_flight_messages(&mut sim);
    // Corrupt a byte deep inside the DER of the certificate (its signature stays the same
    // length, the structure breaks or the signature fails).
    parts[0][20] ^= 0xff;
    let tail = parts.pop().unwrap();
    put(&mut sim, Side::Server, &record(22, 0x0303, &parts.concat()));
    put(&mut sim, Side::Server, &tail);
    let failure = fail_at_server(&mut sim, |s, w| s.finish(w));
    assert_alert(&failure, Side::Server, A::BadCertificate);
}

#[test]
fn the_client_checks_the_server_certificate_too() {
    // Twenty-five years later the server certificate has expired: the client refuses it.
    let options = Options {
        time: 2_400_000_000,
        ..Options::default()
    };
    let failure = refused(&options);
    assert_alert(&failure, Side::Client, A::CertificateExpired);

    // A name the certificate does not carry: bad_certificate.
    let options = Options::default();
    let mut client = simulate::demo_client(&options).unwrap();
    client.config_mut().server_name = Some("www.example.com".into());
    let server = simulate::demo_server(&options).unwrap();
    let report = simulate::run_simulation(Simulation::new(client, server), &options);
    assert_alert(
        report.outcome.as_ref().unwrap_err(),
        Side::Client,
        A::BadCertificate,
    );
}

#[test]
fn a_client_that_trusts_another_ca_says_unknown_ca() {
    let options = Options::default();
    let mut client = simulate::demo_client(&options).unwrap();
    let other =
        tls12_sim::pki::load_certificates_pem(tls12_sim::demo_pki::file("other-ca.pem").unwrap())
            .unwrap();
    client.config_mut().trust = tls12_sim::client::ServerTrust::Anchors(
        tls12_sim::pki::TrustStore::new(&other, &[]).unwrap(),
    );
    let server = simulate::demo_server(&options).unwrap();
    let report = simulate::run_simulation(Simulation::new(client, server), &options);
    assert_alert(
        report.outcome.as_ref().unwrap_err(),
        Side::Client,
        A::UnknownCa,
    );
}

#[test]
fn the_mtls_labs_end_with_their_alert() {
    use tls12_sim::labs::{self, MtlsCase};
    let expected = [
        (MtlsCase::Accepted, None),
        (MtlsCase::Expired, Some(A::CertificateExpired)),
        (MtlsCase::Revoked, Some(A::CertificateRevoked)),
        (MtlsCase::UnknownCa, Some(A::UnknownCa)),
        (MtlsCase::NoCertificate, Some(A::HandshakeFailure)),
        (MtlsCase::WrongKey, Some(A::DecryptError)),
    ];
    for (case, alert) in expected {
        let lab = labs::mtls(case, tls12_sim::render::Lang::En).unwrap();
        assert_eq!(lab.alert, alert, "{case:?}");
        // Exactly one failed check explains a refusal about the certificate itself.
        let failed = lab.server_checks.iter().filter(|(_, ok)| !ok).count();
        let expect_failed = usize::from(!matches!(
            case,
            MtlsCase::Accepted | MtlsCase::NoCertificate
        ));
        assert_eq!(failed, expect_failed, "{case:?}: {:?}", lab.server_checks);
    }
}
