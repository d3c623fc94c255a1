//! Real peers over real sockets (loopback only, ports picked at run time):
//! 1. `openssl s_client` -> `tls12-sim serve`, every GCM suite, with and without EMS;
//! 2. `tls12-sim connect` -> `openssl s_server`, likewise;
//! 3. tlslite-ng's `tls.py client` and `tls.py server`, both directions, every GCM suite;
//! 4. Wireshark's `tshark` decrypts a captured session with the key log tls12-sim wrote, shows
//!    the application data, and logs `auth_tag(OK)` for every protected record.
//!
//! Plus: a hostile client (garbage, truncation, a stall) does not stop the server. The CBC
//! suites meet the same peers (and GnuTLS and curl) in tests/interop_cbc.rs.
//!
//! The peers come from `scripts/install-test-deps.sh`. Without them a test says SKIPPED and
//! passes, unless TLS12SIM_REQUIRE_PEERS=1 (set by `scripts/test.sh`, and so in CI): then a
//! missing peer is a failure.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use common::peers::*;
use tls12_sim::suites::CipherSuite;

// ---------------------------------------------------------------------------------------------
// 1. openssl s_client -> tls12-sim serve

#[test]
fn openssl_client_to_our_server_every_suite_with_and_without_ems() {
    let Some(openssl) = peer("openssl") else {
        return;
    };
    for suite in CipherSuite::GCM {
        for ems in [true, false] {
            let (server, address) = serve(&["--suites", suite.name()]);
            let mut command = Command::new(&openssl);
            command.args(["s_client", "-connect", &address, "-tls1_2", "-cipher"]);
            command.arg(suite.openssl_name());
            command.arg("-CAfile").arg(demo_ca());
            command.args(["-servername", "localhost", "-verify_return_error"]);
            if !ems {
                command.env("OPENSSL_CONF", no_ems_conf());
            }
            let mut client = Running::spawn(command);
            client.write(b"GET / HTTP/1.0\r\n\r\n");
            client.wait_for("extended master secret:", Duration::from_secs(10));
            let client_out = client.finish(Duration::from_secs(5));
            let server_out = server.finish(Duration::from_secs(5));
            let what = format!("{} ems={ems}", suite.name());
            assert!(
                client_out.contains(&format!("Cipher is {}", suite.openssl_name())),
                "{what}\n{client_out}"
            );
            assert!(client_out.contains("Verify return code: 0 (ok)"), "{what}");
            assert!(
                client_out.contains(&format!("Extended master secret: {}", ems_word(ems))),
                "{what}"
            );
            // Data both ways: the request reached the server, the page reached the client.
            assert!(
                server_out.contains("server reads application data: \"GET / HTTP/1.0"),
                "{what}\n{server_out}"
            );
            assert!(
                client_out.contains(&format!("cipher suite:           {}", suite.name())),
                "{what}"
            );
            assert!(
                client_out.contains(&format!("extended master secret: {}", ems_word(ems))),
                "{what}"
            );
            assert!(
                server_out.contains(&format!("{} completed", suite.name())),
                "{what}\n{server_out}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. tls12-sim connect -> openssl s_server

#[test]
fn our_client_to_openssl_server_every_suite_with_and_without_ems() {
    let Some(openssl) = peer("openssl") else {
        return;
    };
    for suite in CipherSuite::GCM {
        for ems in [true, false] {
            let port = free_port().to_string();
            let mut command = Command::new(&openssl);
            command.args([
                "s_server",
                "-accept",
                &format!("127.0.0.1:{port}"),
                "-tls1_2",
            ]);
            command.args(["-cipher", suite.openssl_name(), "-naccept", "1", "-rev"]);
            command
                .arg("-cert")
                .arg(demo_cert())
                .arg("-key")
                .arg(demo_key());
            if !ems {
                command.env("OPENSSL_CONF", no_ems_conf());
            }
            let mut server = Running::spawn(command);
            server.wait_for("ACCEPT", Duration::from_secs(10));
            let ca = demo_ca();
            let (ok, stdout, stderr) = connect(&[
                &format!("127.0.0.1:{port}"),
                "--ca",
                ca.to_str().unwrap(),
                "--server-name",
                "localhost",
                "--suite",
                suite.name(),
                "--send",
                "hello openssl",
                "--idle-ms",
                "500",
                "--trace",
            ]);
            let what = format!("{} ems={ems}", suite.name());
            assert!(ok, "{what}\n{stderr}");
            assert_eq!(
                stdout.trim(),
                "lssnepo olleh",
                "{what}: the reply, reversed by s_server"
            );
            assert!(
                stderr.contains(&format!(
                    "agreed: TLS 1.2, {}, extended master secret {}",
                    suite.name(),
                    ems_word(ems)
                )),
                "{what}\n{stderr}"
            );
            server.finish(Duration::from_secs(2));
        }
    }
}

#[test]
fn our_client_checks_a_real_ca_chain_and_the_host_name() {
    // The OpenSSL test PKI: a CA and a server certificate for localhost issued by it.
    let Some(openssl) = peer("openssl") else {
        return;
    };
    let dir = manifest("vectors/openssl-sessions");
    for (server_name, expect_ok) in [("localhost", true), ("example.com", false)] {
        let port = free_port().to_string();
        let mut command = Command::new(&openssl);
        command.args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-tls1_2",
        ]);
        command.args(["-naccept", "1", "-rev"]);
        command.arg("-cert").arg(dir.join("server.pem"));
        command.arg("-key").arg(dir.join("server.key"));
        let mut server = Running::spawn(command);
        server.wait_for("ACCEPT", Duration::from_secs(10));
        let ca = dir.join("ca.pem");
        let (ok, stdout, stderr) = connect(&[
            &format!("127.0.0.1:{port}"),
            "--ca",
            ca.to_str().unwrap(),
            "--server-name",
            server_name,
            "--send",
            "chain",
            "--idle-ms",
            "300",
            "--trace",
        ]);
        assert_eq!(ok, expect_ok, "{server_name}\n{stderr}");
        if expect_ok {
            assert_eq!(stdout.trim(), "niahc");
            assert!(
                stderr.contains("verifies with the key of \"CN=Test CA\""),
                "{stderr}"
            );
        } else {
            assert!(stderr.contains("bad_certificate"), "{stderr}");
        }
        server.finish(Duration::from_secs(2));
    }
    // And the demo certificate is not trusted by the OpenSSL test CA: unknown_ca.
    let (server, address) = serve(&[]);
    let ca = dir.join("ca.pem");
    let (ok, _, stderr) = connect(&[&address, "--ca", ca.to_str().unwrap(), "--send", "x"]);
    assert!(!ok);
    assert!(stderr.contains("unknown_ca"), "{stderr}");
    let server_out = server.finish(Duration::from_secs(3));
    assert!(server_out.contains("unknown_ca"), "{server_out}");
}

// ---------------------------------------------------------------------------------------------
// 3. tlslite-ng, both directions

#[test]
fn tlslite_client_to_our_server() {
    let Some(tls_py) = peer("tls.py") else {
        return;
    };
    for suite in CipherSuite::GCM {
        for ems in [true, false] {
            let mut args = vec!["--suites", suite.name()];
            if !ems {
                args.push("--no-ems");
            }
            let (server, address) = serve(&args);
            let port = address.rsplit(':').next().unwrap();
            let out = Command::new(&tls_py)
                .args(["client", &format!("localhost:{port}")])
                .output()
                .unwrap();
            let client_out = String::from_utf8_lossy(&out.stdout);
            let server_out = server.finish(Duration::from_secs(5));
            let what = format!("{} ems={ems}", suite.name());
            assert!(
                out.status.success(),
                "{what}\n{client_out}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(client_out.contains("Handshake success"), "{what}");
            assert!(
                client_out.contains(&format!("Ciphersuite: {}", suite.name())),
                "{what}\n{client_out}"
            );
            let tlslite_ems = if ems { "True" } else { "False" };
            assert!(
                client_out.contains(&format!("Extended Master Secret: {tlslite_ems}")),
                "{what}"
            );
            // tls.py sends an HTTP request and reads until the server closes.
            assert!(
                server_out.contains("server reads application data: \"GET / HTTP/1.0"),
                "{what}\n{server_out}"
            );
            assert!(
                server_out.contains("server writes application data"),
                "{what}"
            );
            assert!(
                server_out.contains(&format!("{} completed", suite.name())),
                "{what}"
            );
        }
    }
}

#[test]
fn our_client_to_tlslite_server() {
    let Some(tls_py) = peer("tls.py") else {
        return;
    };
    let port = free_port().to_string();
    let mut command = Command::new(&tls_py);
    command.env("PYTHONUNBUFFERED", "1");
    command
        .args(["server", "--echo", "-c"])
        .arg(demo_cert())
        .arg("-k")
        .arg(demo_key());
    command.arg(format!("127.0.0.1:{port}"));
    let mut server = Running::spawn(command);
    server.wait_for("echo test server", Duration::from_secs(10));
    for suite in CipherSuite::GCM {
        for ems in [true, false] {
            let message = format!("hello tlslite {}", suite.name());
            let mut args = vec![
                format!("127.0.0.1:{port}"),
                "--server-name".into(),
                "localhost".into(),
                "--suite".into(),
                suite.name().into(),
                "--send".into(),
                message.clone(),
                "--idle-ms".into(),
                "500".into(),
                "--trace".into(),
            ];
            if !ems {
                args.push("--no-ems".into());
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (ok, stdout, stderr) = connect(&args);
            let what = format!("{} ems={ems}", suite.name());
            assert!(ok, "{what}\n{stderr}");
            assert_eq!(stdout.trim(), message, "{what}: echoed by tlslite");
            assert!(
                stderr.contains(&format!(
                    "agreed: TLS 1.2, {}, extended master secret {}",
                    suite.name(),
                    ems_word(ems)
                )),
                "{what}"
            );
        }
    }
    let server_out = server.finish(Duration::from_secs(1));
    for suite in CipherSuite::GCM {
        assert!(
            server_out.contains(&format!("Ciphersuite: {}", suite.name())),
            "{server_out}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Wireshark

#[test]
fn tshark_decrypts_our_sessions_with_our_key_log() {
    let Some(tshark) = peer("tshark") else {
        return;
    };
    let dir = tempdir("tshark");
    for (suite, keylog_side) in [
        (CipherSuite::RsaAes256GcmSha384, "server"),
        (CipherSuite::EcdheRsaAes128GcmSha256, "client"),
    ] {
        let capture = dir.join(format!("{}.pcapng", suite.name()));
        let keylog = dir.join(format!("{}.keylog", suite.name()));
        let debug = dir.join(format!("{}.debug", suite.name()));
        let port = free_port().to_string();
        let capturing = start_tshark_capture(&tshark, &port, &capture);

        let listen = format!("127.0.0.1:{port}");
        let mut serve_args = vec!["--listen", &listen, "--suites", suite.name()];
        let mut connect_args = vec![
            listen.as_str(),
            "--send",
            "hello wireshark",
            "--idle-ms",
            "300",
        ];
        let keylog_arg = keylog.to_str().unwrap();
        if keylog_side == "server" {
            serve_args.extend(["--keylog", keylog_arg]);
        } else {
            connect_args.extend(["--keylog", keylog_arg]);
        }
        let mut command = Command::new(BIN);
        command.args(["serve", "--once"]).args(&serve_args);
        let mut server = Running::spawn(command);
        server.wait_for("listening on", Duration::from_secs(10));
        let (ok, stdout, stderr) = connect(&connect_args);
        assert!(ok, "{stderr}");
        assert_eq!(stdout.trim(), "hello wireshark");
        server.finish(Duration::from_secs(3));
        stop_capture(capturing);

        let fields = tshark_app_data(&tshark, &capture, &keylog, &port, Some(&debug), &[]);
        let what = format!("{} (key log from the {keylog_side})", suite.name());
        assert_eq!(
            fields.matches("hello wireshark").count(),
            2,
            "{what}: the request and its echo, decrypted\n{fields}"
        );
        let debug_text = std::fs::read_to_string(&debug).unwrap();
        let ok_tags = debug_text.matches("auth_tag(OK)").count();
        // Protected records: two Finished, two application data, two close_notify.
        assert!(ok_tags >= 6, "{what}: {ok_tags} tags checked\n{debug_text}");
        assert!(!debug_text.contains("auth_tag(FAILED)"), "{what}");
        // The README's recipe: the debug file shows the master secret it took from the key log.
        let master = std::fs::read_to_string(&keylog)
            .unwrap()
            .lines()
            .last()
            .and_then(|line| line.split_whitespace().nth(2).map(str::to_string))
            .unwrap_or_default();
        assert!(
            debug_text
                .contains("ssl_restore_master_key master secret retrieved using Client Random")
                && debug_text.contains("(pre-)master secret[48]:"),
            "{what}: the lines README.md points to"
        );
        let first_bytes = master.as_bytes()[..8]
            .chunks(2)
            .map(|pair| String::from_utf8_lossy(pair).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(debug_text.contains(&first_bytes), "{what}: {first_bytes}");
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile clients do not stop the server

#[test]
fn garbage_truncation_and_stalls_do_not_stop_the_server() {
    let mut command = Command::new(BIN);
    command.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--read-timeout-ms",
        "300",
    ]);
    let mut server = Running::spawn(command);
    let line = server.wait_for("listening on ", Duration::from_secs(10));
    let address = line.trim_start_matches("listening on ").trim().to_string();

    // 1. Garbage: text that is not a TLS record (nor an HTTP request, which would get a plain
    // 400). The server answers unexpected_message.
    let mut raw = TcpStream::connect(&address).unwrap();
    raw.write_all(b"hello, is this TLS?\r\n").unwrap();
    let mut reply = Vec::new();
    raw.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = raw.read_to_end(&mut reply);
    assert_eq!(
        reply,
        [21, 3, 3, 0, 2, 2, 10],
        "a fatal unexpected_message alert"
    );
    server.wait_for("connection 1", Duration::from_secs(5));

    // 2. Truncated in the middle of a record header, then closed.
    let mut raw = TcpStream::connect(&address).unwrap();
    raw.write_all(&[22, 3, 1]).unwrap();
    drop(raw);
    server.wait_for("connection 2", Duration::from_secs(5));

    // 3. A record that promises more than it sends, then silence: the read timeout ends it.
    let mut raw = TcpStream::connect(&address).unwrap();
    raw.write_all(&[22, 3, 1, 0, 200, 1, 0]).unwrap();
    server.wait_for("connection 3", Duration::from_secs(5));
    drop(raw);

    // 4. A client that connects and says nothing.
    let silent = TcpStream::connect(&address).unwrap();
    server.wait_for("connection 4", Duration::from_secs(5));
    drop(silent);

    // 5. And a normal client still gets through.
    let (ok, stdout, stderr) = connect(&[&address, "--send", "still here", "--idle-ms", "300"]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), "still here");
    let fifth = server.wait_for("connection 5", Duration::from_secs(10));
    assert!(fifth.contains("completed"), "{fifth}");
    let log = server.finish(Duration::from_millis(100));
    assert_eq!(log.matches(": failed: ").count(), 4, "{log}");
}
