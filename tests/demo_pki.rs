//! The embedded demo PKI: real RSA-2048 keys and X.509 certificates and CRL, consistent among
//! themselves, and read the same way by OpenSSL (an independent X.509 implementation).
//!
//! `UPDATE_VECTORS=1 cargo test --release --test demo_pki` regenerates `src/demo/` from the
//! fixed seed (then rebuild, and regenerate the golden transcripts too).

use std::process::Command;

use tls12_sim::demo_pki::{self, DemoClient};
use tls12_sim::error::Error;
use tls12_sim::pki::{self, Purpose, TrustStore};
use tls12_sim::rng::DEFAULT_SIMULATION_TIME;

#[test]
fn regenerate_or_check_consistency() {
    if std::env::var("UPDATE_VECTORS").is_ok_and(|v| v == "1") {
        let files = demo_pki::make(demo_pki::SEED).unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/demo");
        demo_pki::write_files(&dir, &files).unwrap();
        // The benchmarks' larger RSA keys, from the same kind of seeded RNG.
        for bits in [3072usize, 4096] {
            let mut rng =
                tls12_sim::rng::RoleRng::seeded(bits as u64, tls12_sim::rng::Side::Server);
            let key = rsa::RsaPrivateKey::new(&mut rng, bits).unwrap();
            let pem = pki::private_key_pem(&key).unwrap();
            std::fs::write(dir.join(format!("bench-rsa-{bits}.key")), pem).unwrap();
        }
        eprintln!("regenerated src/demo/; rebuild to embed it");
        return;
    }
    let ca = demo_pki::ca().unwrap();
    let crl = demo_pki::crl().unwrap();
    let server = demo_pki::server().unwrap();
    assert!(pki::key_matches_certificate(&server.key, &server.chain[0]));
    let trust = TrustStore::new(std::slice::from_ref(&ca), std::slice::from_ref(&crl)).unwrap();
    let now = DEFAULT_SIMULATION_TIME;
    let check = |chain: &[Vec<u8>], purpose, host| {
        pki::verify_chain(chain, &trust, now, purpose, host, true)
    };
    check(&server.chain, Purpose::ServerSigning, Some("localhost"))
        .result
        .unwrap();
    check(
        &server.chain,
        Purpose::ServerRsaKeyExchange,
        Some("127.0.0.1"),
    )
    .result
    .unwrap();

    let expect = [
        (DemoClient::Alice, None),
        (DemoClient::Bob, Some("certificate_expired")),
        (DemoClient::Carol, Some("certificate_revoked")),
        (DemoClient::Mallory, Some("unknown_ca")),
    ];
    for (who, alert) in expect {
        let identity = who.identity().unwrap();
        assert!(
            pki::key_matches_certificate(&identity.key, &identity.chain[0]),
            "{who:?}"
        );
        let report = check(&identity.chain, Purpose::ClientAuth, None);
        let got = report
            .result
            .err()
            .map(|e: Error| e.alert().unwrap().name());
        assert_eq!(got, alert, "{who:?}");
        // A client certificate is not a server certificate.
        let as_server = check(&identity.chain, Purpose::ServerSigning, None);
        if who == DemoClient::Alice {
            assert_eq!(
                as_server.result.unwrap_err().alert().unwrap().name(),
                "unsupported_certificate"
            );
        }
    }
}

#[test]
fn a_crl_not_signed_by_the_ca_is_refused() {
    let ca = demo_pki::ca().unwrap();
    let crl = demo_pki::crl().unwrap();
    TrustStore::new(std::slice::from_ref(&ca), std::slice::from_ref(&crl)).unwrap();
    // The same CRL with only the other CA trusted: refused.
    let other = pki::load_certificates_pem(demo_pki::file("other-ca.pem").unwrap()).unwrap();
    assert!(matches!(
        TrustStore::new(&other, std::slice::from_ref(&crl)),
        Err(Error::Config(_))
    ));
    // A CRL with a flipped signature bit: refused.
    let mut forged = crl.clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    assert!(matches!(
        TrustStore::new(std::slice::from_ref(&ca), std::slice::from_ref(&forged)),
        Err(Error::Config(_))
    ));
}

#[test]
fn openssl_agrees_about_every_certificate() {
    let Ok(version) = Command::new("openssl").arg("version").output() else {
        if std::env::var("TLS12SIM_REQUIRE_PEERS").is_ok_and(|v| v == "1") {
            panic!("openssl is required");
        }
        eprintln!("SKIPPED: openssl is not installed");
        return;
    };
    assert!(version.status.success());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tmp/demo-pki");
    demo_pki::write(&dir).unwrap();
    let verify = |cert: &str, crl: bool| {
        let mut command = Command::new("openssl");
        command.arg("verify").arg("-CAfile").arg(dir.join("ca.pem"));
        if crl {
            command
                .arg("-crl_check")
                .arg("-CRLfile")
                .arg(dir.join("crl.pem"));
        }
        let out = command.arg(dir.join(cert)).output().unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    assert!(verify("server.pem", true).contains(": OK"));
    assert!(verify("client.pem", true).contains(": OK"));
    assert!(verify("expired.pem", false).contains("certificate has expired"));
    assert!(
        verify("revoked.pem", false).contains(": OK"),
        "valid without the CRL"
    );
    assert!(verify("revoked.pem", true).contains("certificate revoked"));
    assert!(verify("stranger.pem", false).contains("unable to get local issuer certificate"));
    let text = Command::new("openssl")
        .args(["x509", "-noout", "-text", "-in"])
        .arg(dir.join("server.pem"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Public-Key: (2048 bit)"), "{text}");
    assert!(
        text.contains("DNS:localhost, IP Address:127.0.0.1"),
        "{text}"
    );
    assert!(text.contains("TLS Web Server Authentication"), "{text}");
    // Keys: OpenSSL reads them and they match their certificates.
    for name in [
        "ca", "server", "client", "expired", "revoked", "other-ca", "stranger",
    ] {
        let modulus = |args: &[&str], file: &str| {
            let out = Command::new("openssl")
                .args(args)
                .arg(dir.join(file))
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        assert_eq!(
            modulus(
                &["x509", "-noout", "-modulus", "-in"],
                &format!("{name}.pem")
            ),
            modulus(
                &["rsa", "-noout", "-modulus", "-in"],
                &format!("{name}.key")
            ),
            "{name}"
        );
    }
}

#[test]
fn a_chain_longer_than_the_stated_depth_is_bad_certificate() {
    let trust = demo_pki::trust_store().unwrap();
    let server = demo_pki::server().unwrap();
    // The leaf followed by copies of the CA: a valid-looking chain, one certificate too long.
    let mut chain = server.chain.clone();
    while chain.len() <= pki::MAX_CHAIN_DEPTH {
        chain.push(demo_pki::ca().unwrap());
    }
    let report = pki::verify_chain(
        &chain,
        &trust,
        DEFAULT_SIMULATION_TIME,
        Purpose::ServerSigning,
        Some("localhost"),
        false,
    );
    let err = report.result.unwrap_err();
    assert_eq!(
        err.alert(),
        Some(tls12_sim::messages::alert::AlertDescription::BadCertificate),
        "{err}"
    );
    assert!(err.to_string().contains("at most 8"), "{err}");
}
