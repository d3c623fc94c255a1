//! The eight CBC suites against real peers, over loopback: one connection per suite, per peer and
//! direction, the suites of one peer side by side in threads. Half of the suites run with
//! encrypt-then-MAC (RFC 7366) and half without, so that both record orders meet every peer in
//! both directions:
//! 1. `openssl s_client` -> `tls12-sim serve`, and `tls12-sim connect` -> `openssl s_server`
//!    (`-no_etm` on the peer's side for the odd suites);
//! 2. tlslite-ng's `tls.py client` -> `serve`, and `connect` -> `tls.py server` (`--no-etm` on
//!    our side for the odd suites);
//! 3. GnuTLS: `gnutls-cli` -> `serve`, and `connect` -> `gnutls-serv` (the peer's priority string
//!    `%NO_ETM` for the odd suites). `gnutls-serv` cannot be told to listen on 127.0.0.1 only, so
//!    it runs in a network namespace of its own (`unshare -n`), where only loopback exists, and
//!    our client joins it (`nsenter --net`);
//! 4. curl -> `serve`, every suite at once against one server;
//! 5. Wireshark's `tshark` decrypts a capture of two CBC sessions (one of each order) with the
//!    key log `serve` wrote, and checks every record's MAC.
//!
//! Each test checks that the suite and the order are what both sides say, and that data went
//! both ways. The GCM suites meet the same peers in tests/interop.rs.

mod common;

use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::Duration;

use common::peers::*;
use tls12_sim::suites::CipherSuite;

/// Whether the `i`-th suite runs with encrypt-then-MAC.
fn etm(i: usize) -> bool {
    i.is_multiple_of(2)
}

/// The line our trace prints for the order the hellos agreed.
fn order_line(etm: bool) -> &'static str {
    if etm {
        "records: encrypt-then-MAC (RFC 7366)"
    } else {
        "records: MAC-then-encrypt (RFC 5246 6.2.3.2)"
    }
}

/// Runs `job` for every CBC suite (with its index), each in its own thread, and waits for all.
fn every_suite_at_once(job: impl Fn(usize, CipherSuite) + Send + Sync + Clone + 'static) {
    let threads: Vec<_> = CipherSuite::CBC
        .into_iter()
        .enumerate()
        .map(|(i, suite)| {
            let job = job.clone();
            thread::spawn(move || job(i, suite))
        })
        .collect();
    let failed: Vec<String> = threads
        .into_iter()
        .zip(CipherSuite::CBC)
        .filter_map(|(t, suite)| t.join().err().map(|_| suite.name().to_string()))
        .collect();
    assert!(failed.is_empty(), "failed: {}", failed.join(", "));
}

/// What a `serve --once` run for `suite` must have said: the suite completed, in `etm`'s order,
/// and it read the client's request.
fn check_server(out: &str, suite: CipherSuite, etm: bool, request: &str) {
    let what = format!("{} etm={etm}", suite.name());
    assert!(
        out.contains(&format!("{} completed", suite.name())),
        "{what}\n{out}"
    );
    assert!(out.contains(order_line(etm)), "{what}\n{out}");
    assert!(
        out.contains(&format!("server reads application data: \"{request}")),
        "{what}\n{out}"
    );
}

/// `connect` to `address` in `suite`, sending `message`; checks the order it agreed and returns
/// what it printed (the peer's answer).
fn our_client(address: &str, suite: CipherSuite, etm: bool, message: &str) -> String {
    let mut args = vec![
        address,
        "--server-name",
        "localhost",
        "--suite",
        suite.name(),
    ];
    args.extend(["--send", message, "--idle-ms", "400", "--trace"]);
    if !etm {
        args.push("--no-etm");
    }
    let ca = demo_ca();
    args.extend(["--ca", ca.to_str().unwrap()]);
    let (ok, stdout, stderr) = connect(&args);
    let what = format!("{} etm={etm}", suite.name());
    assert!(ok, "{what}\n{stderr}");
    assert!(
        stderr.contains(&format!("agreed: TLS 1.2, {}, ", suite.name())),
        "{what}\n{stderr}"
    );
    assert!(stderr.contains(order_line(etm)), "{what}\n{stderr}");
    stdout
}

// ---------------------------------------------------------------------------------------------
// 1. OpenSSL

#[test]
fn openssl_client_to_our_server_every_cbc_suite() {
    let Some(openssl) = peer("openssl") else {
        return;
    };
    every_suite_at_once(move |i, suite| {
        let (server, address) = serve(&["--suites", suite.name()]);
        let mut command = Command::new(&openssl);
        command.args(["s_client", "-connect", &address, "-tls1_2", "-cipher"]);
        command
            .arg(suite.openssl_name())
            .arg("-CAfile")
            .arg(demo_ca());
        command.args(["-servername", "localhost", "-verify_return_error"]);
        if !etm(i) {
            command.arg("-no_etm");
        }
        let mut client = Running::spawn(command);
        client.write(b"GET / HTTP/1.0\r\n\r\n");
        client.wait_for("extended master secret:", Duration::from_secs(20));
        let client_out = client.finish(Duration::from_secs(5));
        let server_out = server.finish(Duration::from_secs(5));
        assert!(
            client_out.contains(&format!("Cipher is {}", suite.openssl_name())),
            "{}\n{client_out}",
            suite.name()
        );
        assert!(client_out.contains("Verify return code: 0 (ok)"));
        check_server(&server_out, suite, etm(i), "GET / HTTP/1.0");
    });
}

#[test]
fn our_client_to_openssl_server_every_cbc_suite() {
    let Some(openssl) = peer("openssl") else {
        return;
    };
    every_suite_at_once(move |i, suite| {
        let port = free_port().to_string();
        let mut command = Command::new(&openssl);
        command.args(["s_server", "-accept", &format!("127.0.0.1:{port}")]);
        command.args(["-tls1_2", "-cipher", suite.openssl_name(), "-naccept", "1"]);
        command.arg("-rev").arg("-cert").arg(demo_cert());
        command.arg("-key").arg(demo_key());
        if !etm(i) {
            command.arg("-no_etm");
        }
        let mut server = Running::spawn(command);
        server.wait_for("ACCEPT", Duration::from_secs(20));
        let reply = our_client(&format!("127.0.0.1:{port}"), suite, etm(i), "hello openssl");
        assert_eq!(reply.trim(), "lssnepo olleh", "{}", suite.name());
        server.finish(Duration::from_secs(2));
    });
}

// ---------------------------------------------------------------------------------------------
// 2. tlslite-ng

#[test]
fn tlslite_client_to_our_server_every_cbc_suite() {
    let Some(tls_py) = peer("tls.py") else {
        return;
    };
    every_suite_at_once(move |i, suite| {
        let mut args = vec!["--suites", suite.name()];
        if !etm(i) {
            args.push("--no-etm");
        }
        let (server, address) = serve(&args);
        let port = address.rsplit(':').next().unwrap();
        let out = Command::new(&tls_py)
            .args(["client", &format!("localhost:{port}")])
            .output()
            .unwrap();
        let client_out = String::from_utf8_lossy(&out.stdout);
        let server_out = server.finish(Duration::from_secs(5));
        assert!(out.status.success(), "{}\n{client_out}", suite.name());
        assert!(client_out.contains(&format!("Ciphersuite: {}", suite.name())));
        let tlslite_etm = if etm(i) { "True" } else { "False" };
        assert!(
            client_out.contains(&format!("Encrypt-then-MAC: {tlslite_etm}")),
            "{}\n{client_out}",
            suite.name()
        );
        check_server(&server_out, suite, etm(i), "GET / HTTP/1.0");
    });
}

#[test]
fn our_client_to_tlslite_server_every_cbc_suite() {
    let Some(tls_py) = peer("tls.py") else {
        return;
    };
    let port = free_port().to_string();
    let mut command = Command::new(&tls_py);
    command.env("PYTHONUNBUFFERED", "1");
    command.args(["server", "--echo", "-c"]).arg(demo_cert());
    command
        .arg("-k")
        .arg(demo_key())
        .arg(format!("127.0.0.1:{port}"));
    let mut server = Running::spawn(command);
    server.wait_for("echo test server", Duration::from_secs(20));
    // One server, one connection at a time: tls.py serves them in turn.
    for (i, suite) in CipherSuite::CBC.into_iter().enumerate() {
        let message = format!("hello tlslite {}", suite.name());
        let reply = our_client(&format!("127.0.0.1:{port}"), suite, etm(i), &message);
        assert_eq!(reply.trim(), message, "echoed by tlslite");
    }
    let server_out = server.finish(Duration::from_secs(1));
    for suite in CipherSuite::CBC {
        assert!(server_out.contains(&format!("Ciphersuite: {}", suite.name())));
    }
    assert_eq!(server_out.matches("Encrypt-then-MAC: True").count(), 4);
    assert_eq!(server_out.matches("Encrypt-then-MAC: False").count(), 4);
}

// ---------------------------------------------------------------------------------------------
// 3. GnuTLS

/// GnuTLS's priority string for TLS 1.2 with every CBC suite of ours (NORMAL leaves out the
/// HMAC-SHA256/384 ones), without encrypt-then-MAC when `etm` is false.
fn gnutls_priority(etm: bool) -> String {
    let mut priority = "NORMAL:-VERS-TLS1.3:+SHA256:+SHA384".to_string();
    if !etm {
        priority.push_str(":%NO_ETM");
    }
    priority
}

#[test]
fn gnutls_client_to_our_server_every_cbc_suite() {
    let Some(gnutls_cli) = peer("gnutls-cli") else {
        return;
    };
    every_suite_at_once(move |i, suite| {
        let (server, address) = serve(&["--suites", suite.name()]);
        let port = address.rsplit(':').next().unwrap();
        let mut command = Command::new(&gnutls_cli);
        command.arg("--x509cafile").arg(demo_ca());
        command.arg(format!("--priority={}", gnutls_priority(etm(i))));
        command.args(["-p", port, "localhost"]);
        let mut client = Running::spawn(command);
        client.wait_for("- Simple Client Mode:", Duration::from_secs(20));
        client.write(b"GET / HTTP/1.0\r\n\r\n");
        let server_out = server.finish(Duration::from_secs(5));
        let client_out = client.finish(Duration::from_secs(3));
        let mac = match suite.mac().unwrap().name() {
            "HMAC-SHA1" => "SHA1",
            "HMAC-SHA256" => "SHA256",
            _ => "SHA384",
        };
        let cipher = if suite.key_len() == 16 {
            "AES-128-CBC"
        } else {
            "AES-256-CBC"
        };
        assert!(
            client_out.contains(&format!("({cipher})-({mac})")),
            "{}\n{client_out}",
            suite.name()
        );
        check_server(&server_out, suite, etm(i), "GET / HTTP/1.0");
    });
}

/// `gnutls-serv --echo` on `port` in a network namespace of its own, where only loopback
/// exists; `None` (with SKIPPED printed, or a failure under TLS12SIM_REQUIRE_PEERS=1) when this
/// machine cannot make one.
fn gnutls_server_alone(gnutls_serv: &Path, port: &str, etm: bool) -> Option<Running> {
    let namespaces = Command::new("unshare")
        .args(["-n", "sh", "-c", "ip link set lo up"])
        .status()
        .is_ok_and(|s| s.success());
    if !namespaces {
        if std::env::var("TLS12SIM_REQUIRE_PEERS").is_ok_and(|v| v == "1") {
            panic!("gnutls-serv needs a network namespace (unshare -n, ip) and none can be made");
        }
        eprintln!("SKIPPED: no network namespace (unshare -n, ip) for gnutls-serv");
        return None;
    }
    let serve = format!(
        "ip link set lo up && exec {} --echo -a --x509certfile {} --x509keyfile {} \
         --priority '{}' -p {port}",
        gnutls_serv.display(),
        demo_cert().display(),
        demo_key().display(),
        gnutls_priority(etm),
    );
    let mut command = Command::new("unshare");
    command.args(["-n", "sh", "-c", &serve]);
    let mut server = Running::spawn(command);
    server.wait_for("listening", Duration::from_secs(20));
    Some(server)
}

#[test]
fn our_client_to_gnutls_server_every_cbc_suite() {
    let Some(gnutls_serv) = peer("gnutls-serv") else {
        return;
    };
    if peer("nsenter").is_none() {
        return;
    }
    // One server that agrees to encrypt-then-MAC, one that does not (%NO_ETM).
    let ports = [free_port().to_string(), free_port().to_string()];
    let Some(with_etm) = gnutls_server_alone(&gnutls_serv, &ports[0], true) else {
        return;
    };
    let Some(without) = gnutls_server_alone(&gnutls_serv, &ports[1], false) else {
        return;
    };
    let pids = [with_etm.child.id(), without.child.id()];
    every_suite_at_once(move |i, suite| {
        let (pid, port) = if etm(i) {
            (pids[0], &ports[0])
        } else {
            (pids[1], &ports[1])
        };
        let message = format!("hello gnutls {}", suite.name());
        let ca = demo_ca();
        let out = Command::new("nsenter")
            .arg(format!("--net=/proc/{pid}/ns/net"))
            .arg(BIN)
            .args(["connect", &format!("127.0.0.1:{port}"), "--server-name"])
            .args(["localhost", "--suite", suite.name(), "--send", &message])
            .args(["--idle-ms", "400", "--trace", "--ca", ca.to_str().unwrap()])
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        let what = format!("{} etm={}", suite.name(), etm(i));
        assert!(out.status.success(), "{what}\n{stderr}");
        assert_eq!(stdout.trim(), message, "{what}: echoed by gnutls-serv");
        assert!(stderr.contains(order_line(etm(i))), "{what}\n{stderr}");
    });
    drop((with_etm, without));
}

// ---------------------------------------------------------------------------------------------
// 4. curl

#[test]
fn curl_against_our_server_every_cbc_suite() {
    let Some(curl) = peer("curl") else {
        return;
    };
    let mut command = Command::new(BIN);
    command.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--read-timeout-ms",
        "5000",
    ]);
    let mut server = Running::spawn(command);
    let line = server.wait_for("listening on ", Duration::from_secs(10));
    let port = line.rsplit(':').next().unwrap().trim().to_string();
    every_suite_at_once(move |_, suite| {
        let ca = demo_ca();
        let out = Command::new(&curl)
            .args(["-sS", "--max-time", "20", "--cacert", ca.to_str().unwrap()])
            .args([
                "--tlsv1.2",
                "--tls-max",
                "1.2",
                "--ciphers",
                suite.openssl_name(),
            ])
            .args(["--resolve", &format!("localhost:{port}:127.0.0.1")])
            .args(["-w", "%{http_code}", "-o", "/dev/null"])
            .arg(format!("https://localhost:{port}/"))
            .output()
            .unwrap();
        let code = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            code,
            "200",
            "{}: {}",
            suite.name(),
            String::from_utf8_lossy(&out.stderr)
        );
    });
    let log = server.finish(Duration::from_millis(300));
    for suite in CipherSuite::CBC {
        assert!(
            log.contains(&format!("{} completed", suite.name())),
            "{}\n{log}",
            suite.name()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Wireshark

#[test]
fn tshark_decrypts_cbc_sessions_in_both_orders_with_our_key_log() {
    let Some(tshark) = peer("tshark") else {
        return;
    };
    let dir = tempdir("tshark-cbc");
    let (capture, keylog, debug) = (
        dir.join("cbc.pcapng"),
        dir.join("cbc.keylog"),
        dir.join("cbc.debug"),
    );
    let port = free_port().to_string();
    let capturing = start_tshark_capture(&tshark, &port, &capture);
    let listen = format!("127.0.0.1:{port}");
    let keylog_arg = keylog.to_str().unwrap();
    for (suite, etm) in [
        (CipherSuite::RsaAes256CbcSha, true),
        (CipherSuite::EcdheRsaAes128CbcSha256, false),
    ] {
        let mut serve_args = vec!["serve", "--once", "--listen", &listen, "--suites"];
        serve_args.extend([suite.name(), "--keylog", keylog_arg]);
        if !etm {
            serve_args.push("--no-etm");
        }
        let mut command = Command::new(BIN);
        command.args(&serve_args);
        let mut server = Running::spawn(command);
        server.wait_for("listening on", Duration::from_secs(10));
        let (ok, stdout, stderr) =
            connect(&[&listen, "--send", "hello wireshark", "--idle-ms", "300"]);
        assert!(ok, "{stderr}");
        assert_eq!(stdout.trim(), "hello wireshark");
        server.finish(Duration::from_secs(3));
    }
    stop_capture(capturing);
    let fields = tshark_app_data(&tshark, &capture, &keylog, &port, Some(&debug), &[]);
    assert_eq!(
        fields.matches("hello wireshark").count(),
        4,
        "the request and its echo of each session, decrypted\n{fields}"
    );
    let debug_text = std::fs::read_to_string(&debug).unwrap();
    // Protected records: two Finished, two application data, two close_notify, per session;
    // each one's MAC checked by Wireshark.
    let macs_ok = debug_text.matches("ssl_decrypt_record: mac ok").count();
    assert!(macs_ok >= 12, "{macs_ok} MACs checked\n{debug_text}");
    assert!(!debug_text.contains("mac failed"), "{debug_text}");
    assert!(
        debug_text.contains("Encrypt-then-MAC"),
        "Wireshark saw the ETM session"
    );
}
