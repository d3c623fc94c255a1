//! `tls12-sim serve` as a class uses it: many clients at once, real ones (curl, Python's `ssl`,
//! `openssl s_client`, our `connect`) in every suite, idle and slow peers that must not stall
//! anyone, a cap on connections, clients that close without close_notify, and HTTP requests
//! however they are split into records. Each test starts its own server on 127.0.0.1:0.
//!
//! Headless Chromium loads the page of its own handshake from `serve` (`--dump-dom`: the page
//! as the browser built it), in English and in Japanese; TLS 1.3-only clients (OpenSSL, curl,
//! Python) are told `protocol_version`. The load test, with its hundreds of handshakes, is
//! tests/load.rs.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::peers::{BIN, Running, connect, demo_ca, peer};
use tls12_sim::client::Client;
use tls12_sim::simulate::{self, Options};
use tls12_sim::suites::CipherSuite;

/// How long the servers here wait for a quiet peer: short, so the tests that wait for it stay
/// short, and far longer than any handshake here takes.
const READ_TIMEOUT_MS: &str = "3000";

/// `tls12-sim serve` without `--once`, on a free port; returns it and its address.
fn serve_class(extra: &[&str]) -> (Running, String) {
    let mut command = Command::new(BIN);
    command.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--read-timeout-ms",
        READ_TIMEOUT_MS,
    ]);
    command.args(extra);
    let mut server = Running::spawn(command);
    let line = server.wait_for("listening on ", Duration::from_secs(10));
    let address = line.trim_start_matches("listening on ").trim().to_string();
    (server, address)
}

/// Our own client over TCP, after a whole handshake in `suite`.
fn handshake(address: &str, suite: CipherSuite) -> (Client, TcpStream) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut client = simulate::demo_client(&Options {
        suite,
        trace: false,
        ..Options::default()
    })
    .unwrap();
    client.send_hello(&mut stream).unwrap();
    client.answer_server(&mut stream).unwrap();
    client.finish(&mut stream).unwrap();
    (client, stream)
}

/// Everything the server sends until its close_notify.
fn read_to_close(client: &mut Client, stream: &mut TcpStream) -> Vec<u8> {
    let mut answer = Vec::new();
    while let Some(data) = client.receive(stream).unwrap() {
        answer.extend(data);
    }
    answer
}

/// The body of an HTTP response, after checking its status line.
fn body<'a>(response: &'a str, status: &str) -> &'a str {
    assert!(
        response.starts_with(&format!("HTTP/1.0 {status}\r\n")),
        "{response}"
    );
    response.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

#[test]
fn idle_and_slow_peers_stall_nobody() {
    let (mut server, address) = serve_class(&[]);
    // Ten peers that connect and say nothing, and one that stops halfway through a ClientHello.
    let idle: Vec<TcpStream> = (0..10)
        .map(|_| TcpStream::connect(&address).unwrap())
        .collect();
    let mut slow = TcpStream::connect(&address).unwrap();
    slow.write_all(&[22, 3, 1, 0, 200, 1, 0, 0]).unwrap();
    // Eight clients at once, each in its own thread, while those eleven hang on.
    let started = Instant::now();
    let clients: Vec<_> = (0..8)
        .map(|i| {
            let address = address.clone();
            thread::spawn(move || {
                let suite = CipherSuite::GCM[i % 4];
                let (mut client, mut stream) = handshake(&address, suite);
                client.send(&mut stream, b"GET / HTTP/1.0\r\n\r\n").unwrap();
                let answer = read_to_close(&mut client, &mut stream);
                assert!(
                    String::from_utf8_lossy(&answer).contains(suite.name()),
                    "{}",
                    String::from_utf8_lossy(&answer)
                );
            })
        })
        .collect();
    for client in clients {
        client.join().unwrap();
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "8 handshakes took {took:?} beside idle peers (the read timeout is {READ_TIMEOUT_MS} ms)"
    );
    // The quiet ones are let go after the read timeout, each told why in words.
    let line = server.wait_for("no data from the client for 3 s", Duration::from_secs(10));
    assert!(line.contains("failed"), "{line}");
    drop((idle, slow));
    let output = server.finish(Duration::from_millis(500));
    assert_eq!(output.matches(" completed").count(), 8, "{output}");
    assert!(!output.contains("os error"), "{output}");
    assert!(!output.contains("panicked"), "{output}");
}

#[test]
fn the_connection_cap_refuses_with_a_reason() {
    let (mut server, address) = serve_class(&["--max-connections", "2"]);
    let held: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(&address).unwrap())
        .collect();
    // Let the server count both before the third arrives.
    thread::sleep(Duration::from_millis(300));
    let mut third = TcpStream::connect(&address).unwrap();
    third
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut byte = [0u8; 1];
    let closed = matches!(third.read(&mut byte), Ok(0) | Err(_));
    assert!(closed, "the third connection should be closed at once");
    let line = server.wait_for("refused", Duration::from_secs(5));
    assert!(
        line.contains("2 connections are open already (--max-connections 2)"),
        "{line}"
    );
    // Once one of the two goes, there is room again.
    drop(held);
    thread::sleep(Duration::from_millis(300));
    let (mut client, mut stream) = handshake(&address, CipherSuite::EcdheRsaAes128GcmSha256);
    client.send(&mut stream, b"ping").unwrap();
    assert_eq!(
        client.receive(&mut stream).unwrap().as_deref(),
        Some(&b"ping"[..])
    );
}

#[test]
fn closing_without_close_notify_after_the_handshake_is_a_success() {
    // With --once: the server exits 0, and the log line says what happened.
    let (server, address) = common::peers::serve(&["--read-timeout-ms", READ_TIMEOUT_MS]);
    let (mut client, mut stream) = handshake(&address, CipherSuite::RsaAes128GcmSha256);
    client.send(&mut stream, b"hello").unwrap();
    assert_eq!(
        client.receive(&mut stream).unwrap().as_deref(),
        Some(&b"hello"[..])
    );
    drop(stream); // no close_notify, as browsers and many scripts do
    let mut child = server;
    let status = wait_exit(&mut child, Duration::from_secs(10));
    let output = child.finish(Duration::from_millis(100));
    assert!(status.success(), "{output}");
    assert!(
        output.contains("completed; the client closed without close_notify"),
        "{output}"
    );
}

#[test]
fn once_is_not_spent_on_a_spare_connection() {
    let (server, address) = common::peers::serve(&["--read-timeout-ms", READ_TIMEOUT_MS]);
    // A browser's spare connection, or a port check: connect, then close without a byte.
    drop(TcpStream::connect(&address).unwrap());
    thread::sleep(Duration::from_millis(200));
    let (mut client, mut stream) = handshake(&address, CipherSuite::EcdheRsaAes256GcmSha384);
    client.close(&mut stream).unwrap();
    assert_eq!(client.receive(&mut stream).unwrap(), None);
    let mut child = server;
    let status = wait_exit(&mut child, Duration::from_secs(10));
    let output = child.finish(Duration::from_millis(100));
    assert!(status.success(), "{output}");
    assert!(
        output.contains("closed by the client before any data"),
        "{output}"
    );
    assert!(
        output.contains("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 completed"),
        "{output}"
    );
}

/// Waits for `server` to exit by itself.
fn wait_exit(server: &mut Running, timeout: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn http_requests_are_answered_once_however_they_are_split() {
    let (_server, address) = serve_class(&[]);
    let request = |text: &str, one_byte_records: bool| -> String {
        let (mut client, mut stream) = handshake(&address, CipherSuite::EcdheRsaAes128GcmSha256);
        if one_byte_records {
            for byte in text.as_bytes() {
                client.send(&mut stream, &[*byte]).unwrap();
            }
        } else {
            client.send(&mut stream, text.as_bytes()).unwrap();
        }
        String::from_utf8(read_to_close(&mut client, &mut stream)).unwrap()
    };
    // A request in 60-odd records of one byte each is one request, answered once.
    let split = request(
        "GET / HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n\r\n",
        true,
    );
    assert_eq!(split.matches("HTTP/1.0 200 OK").count(), 1, "{split}");
    let page = body(&split, "200 OK");
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains("ClientHello"));
    // Sent whole, the request itself is on the page: the last record the server read.
    let whole = request("GET / HTTP/1.1\r\nAccept: text/html\r\n\r\n", false);
    assert!(
        whole.contains("Accept: text/html\\r\\n"),
        "the request is on its page"
    );

    // Japanese, by the URL or by the browser's Accept-Language.
    for ja in [
        "GET /?lang=ja HTTP/1.1\r\nAccept: text/html\r\n\r\n",
        "GET / HTTP/1.1\r\nAccept: text/html\r\nAccept-Language: ja,en;q=0.8\r\n\r\n",
    ] {
        let page = request(ja, false);
        assert!(common::has_japanese(body(&page, "200 OK")), "{ja:?}");
    }

    let json = request("GET /trace.json HTTP/1.1\r\n\r\n", false);
    let trace: serde_json::Value = serde_json::from_str(body(&json, "200 OK")).unwrap();
    assert_eq!(
        trace["run"]["suite"],
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
    );
    assert!(json.contains("\"ClientHello\""));

    let diagram = request("GET /diagram.mmd HTTP/1.1\r\n\r\n", false);
    assert!(body(&diagram, "200 OK").starts_with("sequenceDiagram"));

    // curl and scripts: the short text.
    let text = request("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", false);
    assert!(body(&text, "200 OK").contains("cipher suite:"), "{text}");

    let head = request("HEAD / HTTP/1.1\r\n\r\n", false);
    assert_eq!(body(&head, "200 OK"), "");
    let icon = request("GET /favicon.ico HTTP/1.1\r\n\r\n", false);
    body(&icon, "404 Not Found");
    let post = request("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", false);
    body(&post, "405 Method Not Allowed");

    // Anything else is echoed, record by record.
    let echo = request("hello, server\n", false);
    assert_eq!(echo, "hello, server\n");
}

/// One real client's answer from `serve`, in `suite`: the short text, which names the suite.
fn real_client(kind: &str, address: &str, suite: CipherSuite) -> Result<String, String> {
    let port = address.rsplit(':').next().unwrap();
    let ca = demo_ca().display().to_string();
    let request = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
    let mut command = match kind {
        "curl" => {
            let mut c = Command::new("curl");
            c.args(["-sS", "--max-time", "20", "--cacert", &ca]);
            c.args([
                "--tlsv1.2",
                "--tls-max",
                "1.2",
                "--ciphers",
                suite.openssl_name(),
            ]);
            c.args(["--resolve", &format!("localhost:{port}:127.0.0.1")]);
            c.arg(format!("https://localhost:{port}/"));
            c
        }
        "python" => {
            let mut c = Command::new("python3");
            c.args([
                "-c",
                PYTHON_CLIENT,
                address,
                &ca,
                suite.openssl_name(),
                request,
            ]);
            c
        }
        "openssl" => {
            let mut c = Command::new("openssl");
            c.args([
                "s_client", "-connect", address, "-tls1_2", "-quiet", "-ign_eof",
            ]);
            c.args(["-cipher", suite.openssl_name(), "-CAfile", &ca]);
            c.args(["-servername", "localhost", "-verify_return_error"]);
            c
        }
        "connect" => {
            let mut c = Command::new(BIN);
            c.args([
                "connect",
                address,
                "--suite",
                suite.name(),
                "--send",
                request,
            ]);
            c
        }
        other => unreachable!("{other}"),
    };
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{kind}: {e}"))?;
    let mut stdin = child.stdin.take().unwrap();
    if kind == "openssl" {
        stdin.write_all(request.as_bytes()).unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success()
        || !stdout.contains(&format!("cipher suite:           {}", suite.name()))
    {
        return Err(format!(
            "{kind} in {}: {}\nstdout: {stdout}\nstderr: {stderr}",
            suite.name(),
            out.status
        ));
    }
    Ok(stdout)
}

/// Python's own `ssl`, TLS 1.2 only, one suite: sends the request, prints the answer.
const PYTHON_CLIENT: &str = r#"
import socket, ssl, sys
address, ca, cipher, request = sys.argv[1:5]
host, port = address.rsplit(":", 1)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
context.set_ciphers(cipher)
context.load_verify_locations(ca)
with socket.create_connection((host, int(port)), timeout=20) as raw:
    with context.wrap_socket(raw, server_hostname="localhost") as tls:
        tls.sendall(request.encode())
        answer = b""
        while True:
            try:
                data = tls.recv(65536)
            except ssl.SSLZeroReturnError:
                break
            if not data:
                break
            answer += data
sys.stdout.write(answer.decode())
"#;

#[test]
fn real_clients_in_every_suite_at_once() {
    let kinds: Vec<&str> = ["curl", "python3", "openssl"]
        .into_iter()
        .filter(|name| peer(name).is_some())
        .map(|name| if name == "python3" { "python" } else { name })
        .chain(["connect"])
        .collect();
    let (server, address) = serve_class(&[]);
    let runs: Vec<_> = kinds
        .iter()
        .flat_map(|&kind| CipherSuite::GCM.map(|suite| (kind, suite)))
        .map(|(kind, suite)| {
            let address = address.clone();
            thread::spawn(move || real_client(kind, &address, suite))
        })
        .collect();
    let count = runs.len();
    let failures: Vec<String> = runs
        .into_iter()
        .filter_map(|run| run.join().unwrap().err())
        .collect();
    let output = server.finish(Duration::from_millis(500));
    assert!(
        failures.is_empty(),
        "{} of {count} failed:\n{}\nserver:\n{output}",
        failures.len(),
        failures.join("\n\n")
    );
    assert_eq!(output.matches(" completed").count(), count, "{output}");
    assert!(!output.contains("failed"), "{output}");
}

#[test]
fn connect_says_it_refused_a_renegotiation() {
    // A server of our own, in this test, that asks for a renegotiation after the handshake.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut server = simulate::demo_server(&Options::default()).unwrap();
        server.answer_hello(&mut stream).unwrap();
        server.finish(&mut stream).unwrap();
        let request = server.receive(&mut stream).unwrap();
        // HelloRequest: type 0, empty body (RFC 5246 7.4.1.1).
        server
            .conn_mut()
            .send_raw_handshake(&mut stream, &[0, 0, 0, 0])
            .unwrap();
        server.send(&mut stream, &request.unwrap()).unwrap();
        // The client's warning no_renegotiation, then its close_notify.
        let after = server.receive(&mut stream);
        server.close(&mut stream).ok();
        after
    });
    let (ok, stdout, stderr) =
        connect(&[&address, "--trace", "--send", "hello", "--idle-ms", "300"]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout, "hello\n");
    assert!(
        stderr.contains("note: the server asked to renegotiate (HelloRequest)"),
        "{stderr}"
    );
    // The trace shows the HelloRequest decoded, and why it was refused.
    assert!(
        stderr.contains("HelloRequest: the server asks for a new handshake"),
        "{stderr}"
    );
    assert!(stderr.contains("no_renegotiation"), "{stderr}");
    let after = server.join().unwrap();
    assert!(matches!(after, Ok(None)), "{after:?}");
}

#[test]
fn keys_that_are_not_rsa_keys_are_refused_at_start_up() {
    let Some(openssl) = peer("openssl") else {
        return;
    };
    let dir = common::peers::tempdir("non-rsa-keys");
    let path = |name: &str| dir.join(name).display().to_string();
    let make = |name: &str, newkey: &[&str]| {
        let status = Command::new(&openssl)
            .args([
                "req",
                "-x509",
                "-nodes",
                "-days",
                "30",
                "-subj",
                "/CN=localhost",
            ])
            .args(newkey)
            .args(["-keyout", &path(&format!("{name}.key"))])
            .args(["-out", &path(&format!("{name}.pem"))])
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "openssl req for {name}");
    };
    make(
        "pss",
        &["-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048"],
    );
    make(
        "ec",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    make("rsa", &["-newkey", "rsa:2048"]);
    let serve = |cert: &str, key: &str| {
        let out = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--once"])
            .args(["--cert", &path(cert), "--key", &path(key)])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{cert} with {key} should be refused");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // Refused before listening, each with the option, the file and the kind of key named.
    let pss = serve("pss.pem", "pss.key");
    assert!(
        pss.contains("--key") && pss.contains("is an RSA-PSS key"),
        "{pss}"
    );
    let pss_cert = serve("pss.pem", "rsa.key");
    assert!(
        pss_cert.contains("--cert") && pss_cert.contains("the certificate's key is an RSA-PSS key"),
        "{pss_cert}"
    );
    let ec = serve("ec.pem", "ec.key");
    assert!(
        ec.contains("is an EC key (id-ecPublicKey, curve P-256"),
        "{ec}"
    );
    let ec_cert = serve("ec.pem", "rsa.key");
    assert!(
        ec_cert.contains("--cert") && ec_cert.contains("EC key"),
        "{ec_cert}"
    );
    for refusal in [pss, pss_cert, ec, ec_cert] {
        assert!(!refusal.contains("listening on"), "{refusal}");
        assert!(
            refusal.contains("openssl req -x509 -newkey rsa:2048"),
            "{refusal}"
        );
    }
}

/// Headless Chromium loads `url` and prints the page as it rendered it (`--dump-dom`).
fn chromium_page(chromium: &std::path::Path, url: &str, extra: &[&str]) -> String {
    let profile = common::peers::tempdir("chromium-profile");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            // The demo CA is not in Chromium's trust store; the page is what is looked at.
            "--ignore-certificate-errors",
            "--virtual-time-budget=5000",
            &format!("--user-data-dir={}", profile.display()),
        ])
        .args(extra)
        .args(["--dump-dom", url])
        .stderr(Stdio::null())
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn chromium_is_shown_its_own_handshake() {
    let Some(chromium) = peer("chromium") else {
        return;
    };
    let (server, address) = serve_class(&[]);
    let port = address.rsplit(':').next().unwrap();
    let page = chromium_page(&chromium, &format!("https://localhost:{port}/"), &[]);
    assert!(page.contains("ClientHello"), "{page}");
    // Chromium's own hello: the TLS 1.3 suites it offers first, named, and its own request
    // (with its User-Agent) as the last record the server read.
    assert!(
        page.contains("TLS_AES_128_GCM_SHA256"),
        "Chromium's first suite"
    );
    assert!(
        page.contains("HeadlessChrome"),
        "Chromium's request is on the page"
    );
    // Every extension it sent is named; those this program does not act on say so.
    for name in [
        "GREASE (RFC 8701)",
        "key_share",
        "supported_versions",
        "psk_key_exchange_modes",
    ] {
        assert!(page.contains(name), "{name} is not named on the page");
    }
    assert!(
        page.contains("key_share: read, and passed over"),
        "key_share's line"
    );
    assert!(!common::has_japanese(&page), "English by default");
    // In Japanese when the browser prefers it, or the URL asks.
    let ja = chromium_page(
        &chromium,
        &format!("https://localhost:{port}/"),
        &["--accept-lang=ja", "--lang=ja"],
    );
    assert!(
        ja.contains("HeadlessChrome") && common::has_japanese(&ja),
        "{ja}"
    );
    let ja = chromium_page(
        &chromium,
        &format!("https://localhost:{port}/?lang=ja"),
        &[],
    );
    assert!(common::has_japanese(&ja), "{ja}");
    let output = server.finish(Duration::from_millis(500));
    assert!(output.contains("completed"), "{output}");
    assert!(!output.contains("failed"), "{output}");
}

#[test]
fn tls_1_3_only_clients_are_told_protocol_version() {
    let (mut server, address) = serve_class(&[]);
    let port = address.rsplit(':').next().unwrap().to_string();
    let mut clients: Vec<(&str, Command)> = Vec::new();
    if peer("openssl").is_some() {
        let mut c = Command::new("openssl");
        c.args(["s_client", "-connect", &address, "-tls1_3"]);
        clients.push(("openssl s_client -tls1_3", c));
    }
    if peer("curl").is_some() {
        let mut c = Command::new("curl");
        c.args(["-sS", "--max-time", "20", "-k", "--tlsv1.3"]);
        c.arg(format!("https://127.0.0.1:{port}/"));
        clients.push(("curl --tlsv1.3", c));
    }
    let mut python = Command::new("python3");
    python.args(["-c", PYTHON_TLS13, &address]);
    clients.push(("python ssl, TLS 1.3 only", python));
    let count = clients.len();
    for (name, mut command) in clients {
        let out = command.stdin(Stdio::null()).output().unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.status.success(), "{name}: {said}");
        // Each client names the alert it was sent.
        assert!(
            said.to_lowercase().contains("protocol version")
                || said.to_lowercase().contains("protocol_version"),
            "{name}: {said}"
        );
    }
    for n in 1..=count {
        let line = server.wait_for(&format!("connection {n} from"), Duration::from_secs(10));
        assert!(
            line.contains("the client offers only TLS 1.3") && line.contains("protocol_version"),
            "{line}"
        );
    }
}

/// Python's `ssl`, TLS 1.3 and nothing else.
const PYTHON_TLS13: &str = r#"
import socket, ssl, sys
host, port = sys.argv[1].rsplit(":", 1)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.minimum_version = ssl.TLSVersion.TLSv1_3
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
with socket.create_connection((host, int(port)), timeout=20) as raw:
    context.wrap_socket(raw)
"#;

#[test]
fn plain_http_on_the_tls_port_is_told_to_use_https() {
    let (mut server, address) = serve_class(&[]);
    let mut stream = TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(stream, "GET / HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let text = body(&answer, "400 Bad Request");
    assert!(text.contains(&format!("https://{address}/")), "{text}");
    let line = server.wait_for("plain HTTP", Duration::from_secs(5));
    assert!(line.contains("not TLS"), "{line}");
}

#[test]
fn a_request_head_over_the_limit_gets_431_and_a_stalled_one_fails() {
    let (mut server, address) = serve_class(&[]);
    let (mut client, mut stream) = handshake(&address, CipherSuite::EcdheRsaAes128GcmSha256);
    let mut head = b"GET / HTTP/1.1\r\nX-Long: ".to_vec();
    head.resize(20 * 1024, b'a');
    for chunk in head.chunks(4096) {
        client.send(&mut stream, chunk).unwrap();
    }
    let answer = String::from_utf8(read_to_close(&mut client, &mut stream)).unwrap();
    assert!(body(&answer, "431 Request Header Fields Too Large").contains("16384"));

    // A head that stops halfway is not a completed request: after the read timeout, the
    // connection is logged as failed, in words.
    let (mut client, mut stream) = handshake(&address, CipherSuite::RsaAes128GcmSha256);
    client.send(&mut stream, b"GET / HTTP/1.1\r\n").unwrap();
    let line = server.wait_for(
        "failed: no data from the client for 3 s",
        Duration::from_secs(10),
    );
    assert!(line.contains("TLS_RSA_WITH_AES_128_GCM_SHA256") || line.contains("failed"));
    drop(stream);
}

#[test]
fn pipelined_requests_do_not_cut_the_answer_short() {
    // Two requests in one go: the server answers the first and closes; the second, unread,
    // must not make the kernel reset the connection before the client has read the page.
    let (_server, address) = serve_class(&[]);
    for _ in 0..5 {
        let (mut client, mut stream) = handshake(&address, CipherSuite::EcdheRsaAes256GcmSha384);
        let request = b"GET / HTTP/1.1\r\nAccept: text/html\r\n\r\n";
        client.send(&mut stream, request).unwrap();
        client.send(&mut stream, request).unwrap();
        thread::sleep(Duration::from_millis(50));
        let answer = String::from_utf8(read_to_close(&mut client, &mut stream)).unwrap();
        let page = body(&answer, "200 OK");
        assert!(page.trim_end().ends_with("</html>"), "the page is whole");
    }
}

#[test]
fn a_record_cut_short_is_said_as_such() {
    let (mut server, address) = serve_class(&[]);
    let mut stream = TcpStream::connect(&address).unwrap();
    // A record header announcing 50 bytes, and 3 of them.
    stream.write_all(&[22, 3, 1, 0, 50, 1, 0, 0]).unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let line = server.wait_for("in the middle of a record", Duration::from_secs(10));
    assert!(line.contains("8 of its 55 bytes arrived"), "{line}");
}

#[test]
fn once_is_not_held_up_by_a_spare_connection_left_open() {
    let (server, address) = common::peers::serve(&["--read-timeout-ms", READ_TIMEOUT_MS]);
    // Chromium's spare connection: open, silent, still open when the real one comes.
    let spare = TcpStream::connect(&address).unwrap();
    let started = Instant::now();
    let (mut client, mut stream) = handshake(&address, CipherSuite::RsaAes256GcmSha384);
    client.close(&mut stream).unwrap();
    let mut child = server;
    let status = wait_exit(&mut child, Duration::from_secs(10));
    let took = started.elapsed();
    let output = child.finish(Duration::from_millis(100));
    assert!(status.success(), "{output}");
    assert!(
        took < Duration::from_millis(2500),
        "--once waited {took:?}: held up by the spare connection\n{output}"
    );
    drop(spare);
}

#[test]
fn a_read_timeout_of_zero_is_refused() {
    let output = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--read-timeout-ms", "0"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("--read-timeout-ms"), "{text}");
}

#[test]
fn a_long_echo_stops_its_trace_and_says_so() {
    let (_server, address) = serve_class(&[]);
    let (mut client, mut stream) = handshake(&address, CipherSuite::EcdheRsaAes128GcmSha256);
    for _ in 0..300 {
        client.send(&mut stream, b"x").unwrap();
    }
    client
        .send(&mut stream, b"GET /trace.json HTTP/1.1\r\n\r\n")
        .unwrap();
    let answer = String::from_utf8(read_to_close(&mut client, &mut stream)).unwrap();
    let json = answer
        .split_once("HTTP/1.0 200 OK")
        .map(|(_, r)| r)
        .unwrap();
    assert!(
        json.contains("the trace stops here, after 256 records"),
        "{json}"
    );
}
