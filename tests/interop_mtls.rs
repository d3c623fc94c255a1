//! Mutual TLS against real peers (loopback):
//! - `openssl s_client -cert/-key` with our `pki` output -> `tls12-sim serve
//!   --require-client-cert`, every suite: alice accepted; bob, carol and mallory refused with the
//!   alert s_client reports;
//! - `tls12-sim connect --cert/--key` -> `openssl s_server -Verify 1 -crl_check`: alice
//!   accepted, carol refused;
//! - a PKI made by `openssl req` / `openssl ca` (not by us), both directions, revocation included;
//! - tlslite-ng's client with a client certificate -> our server.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::peers::*;
use tls12_sim::suites::CipherSuite;

/// Our `pki` output in a fresh directory.
fn our_pki() -> PathBuf {
    let dir = tempdir("our-pki");
    let out = Command::new(BIN)
        .args(["pki", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).to_str().unwrap().to_string()
}

/// `openssl s_client` with a client certificate against `tls12-sim serve --require-client-cert`;
/// returns (client output, server output).
fn s_client_to_our_server(
    openssl: &Path,
    pki: &Path,
    client: &str,
    suite: CipherSuite,
    server_pki: &Path,
) -> (String, String) {
    let (server, address) = serve(&[
        "--suites",
        suite.name(),
        "--cert",
        &path(server_pki, "server.pem"),
        "--key",
        &path(server_pki, "server.key"),
        "--client-ca",
        &path(pki, "ca.pem"),
        "--require-client-cert",
        "--crl",
        &path(pki, "crl.pem"),
    ]);
    let mut command = Command::new(openssl);
    command.args(["s_client", "-connect", &address, "-tls1_2", "-cipher"]);
    command.arg(suite.openssl_name());
    command.args([
        "-CAfile",
        &path(server_pki, "ca.pem"),
        "-servername",
        "localhost",
    ]);
    command.args(["-cert", &path(pki, &format!("{client}.pem"))]);
    command.args(["-key", &path(pki, &format!("{client}.key"))]);
    let mut s_client = Running::spawn(command);
    s_client.write(b"GET / HTTP/1.0\r\n\r\n");
    let client_out = s_client.finish(Duration::from_secs(10));
    let server_out = server.finish(Duration::from_secs(5));
    (client_out, server_out)
}

#[test]
fn openssl_client_certificates_against_our_server() {
    let Some(openssl) = peer("openssl") else {
        return;
    };
    let pki = our_pki();
    for suite in CipherSuite::GCM {
        let (client_out, server_out) =
            s_client_to_our_server(&openssl, &pki, "client", suite, &pki);
        assert!(
            client_out
                .contains("client certificate:     CN=alice,OU=staff,O=tls12-sim demo (checked)"),
            "{}\n{client_out}\n{server_out}",
            suite.name()
        );
        assert!(client_out.contains(&format!("Cipher is {}", suite.openssl_name())));
        assert!(server_out.contains("CertificateVerify: the client holds the private key"));
    }
    // The refusals, each named by s_client as the alert number it received.
    for (client, alert_number, alert_name) in [
        ("expired", 45, "certificate_expired"),
        ("revoked", 44, "certificate_revoked"),
        ("stranger", 48, "unknown_ca"),
    ] {
        let (client_out, server_out) = s_client_to_our_server(
            &openssl,
            &pki,
            client,
            CipherSuite::EcdheRsaAes128GcmSha256,
            &pki,
        );
        assert!(
            client_out.contains(&format!("SSL alert number {alert_number}")),
            "{client}: {client_out}"
        );
        assert!(
            server_out.contains(&format!("sent the alert {alert_name}")),
            "{client}: {server_out}"
        );
    }
}

/// `tls12-sim connect --cert/--key` against `openssl s_server -Verify 1 -crl_check`.
fn connect_to_s_server(
    openssl: &Path,
    pki: &Path,
    client: &str,
    suite: CipherSuite,
) -> (bool, String, String) {
    let port = free_port().to_string();
    let mut command = Command::new(openssl);
    command.args([
        "s_server",
        "-accept",
        &format!("127.0.0.1:{port}"),
        "-tls1_2",
        "-naccept",
        "1",
    ]);
    command.args(["-rev", "-cipher", suite.openssl_name()]);
    command.args([
        "-cert",
        &path(pki, "server.pem"),
        "-key",
        &path(pki, "server.key"),
    ]);
    command.args([
        "-Verify",
        "1",
        "-verify_return_error",
        "-CAfile",
        &path(pki, "ca.pem"),
    ]);
    command.args(["-crl_check", "-CRL", &path(pki, "crl.pem")]);
    let mut server = Running::spawn(command);
    server.wait_for("ACCEPT", Duration::from_secs(10));
    let result = connect(&[
        &format!("127.0.0.1:{port}"),
        "--ca",
        &path(pki, "ca.pem"),
        "--server-name",
        "localhost",
        "--suite",
        suite.name(),
        "--cert",
        &path(pki, &format!("{client}.pem")),
        "--key",
        &path(pki, &format!("{client}.key")),
        "--send",
        "mutual",
        "--idle-ms",
        "500",
        "--trace",
    ]);
    server.finish(Duration::from_secs(2));
    result
}

#[test]
fn our_client_certificate_against_openssl_server() {
    let Some(openssl) = peer("openssl") else {
        return;
    };
    let pki = our_pki();
    for suite in CipherSuite::GCM {
        let (ok, stdout, stderr) = connect_to_s_server(&openssl, &pki, "client", suite);
        assert!(ok, "{}\n{stderr}", suite.name());
        assert_eq!(stdout.trim(), "lautum");
        assert!(
            stderr.contains("uses the client private key: sign the handshake"),
            "{stderr}"
        );
    }
    let (ok, _, stderr) =
        connect_to_s_server(&openssl, &pki, "revoked", CipherSuite::RsaAes128GcmSha256);
    assert!(!ok);
    assert!(stderr.contains("certificate_revoked"), "{stderr}");
}

/// A PKI made by OpenSSL alone: `openssl req` for the CA and the requests, `openssl ca` to
/// issue, revoke and publish the CRL.
fn openssl_pki(openssl: &Path) -> PathBuf {
    let dir = tempdir("openssl-pki");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("newcerts")).unwrap();
    std::fs::write(dir.join("index.txt"), "").unwrap();
    std::fs::write(dir.join("serial"), "1000\n").unwrap();
    std::fs::write(dir.join("crlnumber"), "1000\n").unwrap();
    let config = format!(
        "[ ca ]\ndefault_ca = CA_default\n\
         [ CA_default ]\ndir = {}\ndatabase = $dir/index.txt\nnew_certs_dir = $dir/newcerts\n\
         certificate = $dir/ca.pem\nprivate_key = $dir/ca.key\nserial = $dir/serial\n\
         crlnumber = $dir/crlnumber\ndefault_md = sha256\ndefault_days = 30\n\
         default_crl_days = 30\npolicy = policy_any\nunique_subject = no\n\
         [ policy_any ]\ncommonName = supplied\n\
         [ req ]\ndistinguished_name = dn\n[ dn ]\n\
         [ ca_ext ]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n\
         subjectKeyIdentifier = hash\n\
         [ server_ext ]\nbasicConstraints = CA:FALSE\nkeyUsage = digitalSignature, keyEncipherment\n\
         extendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost, IP:127.0.0.1\n\
         [ client_ext ]\nbasicConstraints = CA:FALSE\nkeyUsage = digitalSignature\n\
         extendedKeyUsage = clientAuth\n",
        dir.display()
    );
    let cnf = dir.join("ca.cnf");
    std::fs::write(&cnf, config).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(openssl)
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let cnf = cnf.to_str().unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-subj",
        "/CN=OpenSSL-made CA",
        "-days",
        "30",
        "-config",
        cnf,
        "-extensions",
        "ca_ext",
    ]);
    for (name, subject, ext) in [
        ("server", "/CN=localhost", "server_ext"),
        ("client", "/CN=dave (openssl)", "client_ext"),
        ("revoked", "/CN=erin (openssl, revoked)", "client_ext"),
    ] {
        run(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            subject,
            "-config",
            cnf,
        ]);
        run(&[
            "ca",
            "-batch",
            "-config",
            cnf,
            "-extensions",
            ext,
            "-notext",
            "-in",
            &format!("{name}.csr"),
            "-out",
            &format!("{name}.pem"),
        ]);
    }
    run(&["ca", "-batch", "-config", cnf, "-revoke", "revoked.pem"]);
    run(&["ca", "-batch", "-config", cnf, "-gencrl", "-out", "crl.pem"]);
    dir
}

#[test]
fn a_pki_made_by_openssl_works_both_ways() {
    let Some(openssl) = peer("openssl") else {
        return;
    };
    let pki = openssl_pki(&openssl);
    // OpenSSL client with its own PKI -> our server.
    let (client_out, server_out) = s_client_to_our_server(
        &openssl,
        &pki,
        "client",
        CipherSuite::EcdheRsaAes256GcmSha384,
        &pki,
    );
    assert!(
        client_out.contains("client certificate:     CN=dave (openssl) (checked)"),
        "{client_out}\n{server_out}"
    );
    let (client_out, server_out) = s_client_to_our_server(
        &openssl,
        &pki,
        "revoked",
        CipherSuite::RsaAes128GcmSha256,
        &pki,
    );
    assert!(client_out.contains("SSL alert number 44"), "{client_out}");
    assert!(server_out.contains("certificate_revoked"), "{server_out}");
    // Our client with OpenSSL's certificates -> OpenSSL server.
    let (ok, stdout, stderr) = connect_to_s_server(
        &openssl,
        &pki,
        "client",
        CipherSuite::EcdheRsaAes128GcmSha256,
    );
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), "lautum");
    assert!(
        stderr.contains("verifies with the key of \"CN=OpenSSL-made CA\""),
        "{stderr}"
    );
    let (ok, _, stderr) =
        connect_to_s_server(&openssl, &pki, "revoked", CipherSuite::RsaAes256GcmSha384);
    assert!(!ok);
    assert!(stderr.contains("certificate_revoked"), "{stderr}");
}

#[test]
fn tlslite_client_certificate_against_our_server() {
    let Some(tls_py) = peer("tls.py") else {
        return;
    };
    let pki = our_pki();
    for suite in [
        CipherSuite::RsaAes256GcmSha384,
        CipherSuite::EcdheRsaAes128GcmSha256,
    ] {
        let (server, address) = serve(&[
            "--suites",
            suite.name(),
            "--client-ca",
            &path(&pki, "ca.pem"),
            "--require-client-cert",
            "--crl",
            &path(&pki, "crl.pem"),
        ]);
        let port = address.rsplit(':').next().unwrap();
        let out = Command::new(&tls_py)
            .args([
                "client",
                "-c",
                &path(&pki, "client.pem"),
                "-k",
                &path(&pki, "client.key"),
            ])
            .arg(format!("localhost:{port}"))
            .output()
            .unwrap();
        let client_out = String::from_utf8_lossy(&out.stdout);
        let server_out = server.finish(Duration::from_secs(5));
        assert!(
            client_out.contains("Handshake success"),
            "{client_out}\n{server_out}"
        );
        assert!(client_out.contains(&format!("Ciphersuite: {}", suite.name())));
        assert!(
            server_out.contains("CertificateVerify: the client holds the private key"),
            "{server_out}"
        );
        assert!(server_out.contains(&format!("{} completed", suite.name())));
    }
}

#[test]
fn serve_refuses_a_crl_not_signed_by_the_client_ca() {
    let pki = our_pki();
    let out = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--once",
            "--require-client-cert",
        ])
        .args([
            "--client-ca",
            &path(&pki, "other-ca.pem"),
            "--crl",
            &path(&pki, "crl.pem"),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is not signed by any of the given CA certificates"),
        "{stderr}"
    );
}
