//! The embedded demo server identity: a real RSA-2048 key and X.509 certificate.
//!
//! `UPDATE_VECTORS=1 cargo test --release --test demo_identity` regenerates the files in
//! `src/demo/` from the fixed seed (and the golden transcripts must then be regenerated too).

use tls12_sim::pki;
use tls12_sim::rng::DEFAULT_SIMULATION_TIME;

#[test]
fn embedded_identity_is_consistent() {
    if std::env::var("UPDATE_VECTORS").is_ok_and(|v| v == "1") {
        let (cert_pem, key_pem) = pki::make_demo_server_identity().unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/demo");
        std::fs::write(dir.join("server.pem"), cert_pem).unwrap();
        std::fs::write(dir.join("server.key"), key_pem).unwrap();
        eprintln!("regenerated src/demo/server.pem and server.key; rebuild to embed them");
        return;
    }
    let identity = pki::demo_server_identity().unwrap();
    assert_eq!(identity.chain.len(), 1);
    assert!(pki::key_matches_certificate(
        &identity.key,
        &identity.chain[0]
    ));
    let cert = pki::parse_certificate(&identity.chain[0]).unwrap();
    pki::check_validity(&cert, DEFAULT_SIMULATION_TIME).unwrap();
    assert_eq!(
        rsa::traits::PublicKeyParts::size(&pki::rsa_public_key(&cert).unwrap()),
        256,
        "RSA-2048"
    );
}

#[test]
fn openssl_reads_the_embedded_certificate() {
    // OpenSSL is an independent X.509 parser; skip quietly where it is not installed.
    let Ok(out) = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-text"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(pki::DEMO_SERVER_CERT_PEM.as_bytes())?;
            child.wait_with_output()
        })
    else {
        eprintln!("openssl not found; skipped");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Public-Key: (2048 bit)"), "{text}");
    assert!(text.contains("DNS:localhost"), "{text}");
    assert!(text.contains("TLS Web Server Authentication"), "{text}");
}
