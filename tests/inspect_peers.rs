//! `inspect` on captures of real clients and servers, made here on loopback with `dumpcap`:
//! curl, `openssl s_client`, Python's `ssl` and headless Chromium against `openssl s_server`
//! and against our `serve`, one server of each kind per suite we implement (all twelve; Chromium
//! loads the four GCM ones). Every TLS
//! connection in the capture must open with the clients' own key logs (as SSLKEYLOGFILE and
//! `-keylogfile` write them), both Finished must verify, and the plaintext must be exactly what
//! tshark decrypts from the same file; with only the server's private key, the RSA key
//! exchange connections open and the ECDHE ones do not (forward secrecy).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::peers::{
    BIN, Running, demo_cert, demo_key, free_port, peer, sent_by, tempdir, tshark_follow,
};
use tls12_sim::capture::{self, Keys};
use tls12_sim::keylog::KeyLog;
use tls12_sim::observer::{EarlierSessions, Observation, Opener};
use tls12_sim::pki;
use tls12_sim::rng::Side;
use tls12_sim::suites::{CipherSuite, KeyExchange};

/// What a client sends once connected: an HTTP request both kinds of server answer.
const REQUEST: &str = "GET / HTTP/1.0\r\n\r\n";

/// The servers: (port, suite, which kind), one of each kind per suite.
fn servers() -> Vec<(u16, CipherSuite, &'static str)> {
    let mut servers = Vec::new();
    for kind in ["openssl s_server", "tls12-sim serve"] {
        for suite in CipherSuite::ALL {
            servers.push((free_port(), suite, kind));
        }
    }
    servers
}

fn start_server(port: u16, suite: CipherSuite, kind: &str, openssl: &Path) -> Running {
    let address = format!("127.0.0.1:{port}");
    let mut command;
    if kind == "openssl s_server" {
        command = Command::new(openssl);
        command
            .args(["s_server", "-accept", &address, "-tls1_2", "-www", "-quiet"])
            .args(["-cipher", suite.openssl_name()])
            .arg("-cert")
            .arg(demo_cert())
            .arg("-key")
            .arg(demo_key());
    } else {
        command = Command::new(BIN);
        command.args(["serve", "--listen", &address, "--suites", suite.name()]);
    }
    Running::spawn(command)
}

/// Waits until something listens on `port`.
fn wait_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        thread::sleep(Duration::from_millis(50));
    }
}

/// dumpcap on loopback for `ports`, writing `file`; returns once packets are being written.
fn start_capture(dumpcap: &Path, ports: &[u16], file: &Path) -> Running {
    let filter: Vec<String> = ports.iter().map(|p| format!("tcp port {p}")).collect();
    let mut command = Command::new(dumpcap);
    command
        .args(["-i", "lo", "-f", &filter.join(" or "), "-w"])
        .arg(file);
    let mut capturing = Running::spawn(command);
    capturing.wait_for("Capturing on", Duration::from_secs(20));
    // "Capturing on" comes before packets are really seen: knock on a port (refused, as
    // nothing listens yet) until the file grows, so no handshake is missed.
    let size = || std::fs::metadata(file).map_or(0, |m| m.len());
    let empty = size();
    let deadline = Instant::now() + Duration::from_secs(20);
    while size() == empty {
        assert!(Instant::now() < deadline, "dumpcap never wrote a packet");
        let _ = std::net::TcpStream::connect(("127.0.0.1", ports[0]));
        thread::sleep(Duration::from_millis(200));
    }
    capturing
}

/// Runs `command` to its end, within 30 s.
fn run(mut command: Command, what: &str) -> String {
    command.stdin(Stdio::null());
    let mut running = Running::spawn(command);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(Some(status)) = running.child.try_wait() {
            let output = running.finish(Duration::from_secs(1));
            assert!(status.success(), "{what}: {output}");
            return output;
        }
        assert!(Instant::now() < deadline, "{what} did not finish");
        thread::sleep(Duration::from_millis(20));
    }
}

/// Each client, against every server, writing its key log into `dir`.
fn run_clients(servers: &[(u16, CipherSuite, &str)], dir: &Path, openssl: &Path) -> usize {
    let urls: Vec<String> = servers
        .iter()
        .map(|(port, _, _)| format!("https://127.0.0.1:{port}/"))
        .collect();
    let mut made = 0;
    if let Some(curl) = peer("curl") {
        let mut command = Command::new(curl);
        command.env("SSLKEYLOGFILE", dir.join("curl.keys")).args([
            "-sS",
            "-k",
            "--tlsv1.2",
            "--tls-max",
            "1.2",
        ]);
        for url in &urls {
            command.args(["-o", "/dev/null", url]);
        }
        run(command, "curl");
        made += servers.len();
    }
    for (port, _, kind) in servers {
        let mut command = Command::new(openssl);
        command
            .args([
                "s_client",
                "-connect",
                &format!("127.0.0.1:{port}"),
                "-tls1_2",
            ])
            .args(["-quiet", "-ign_eof", "-keylogfile"])
            .arg(dir.join("s_client.keys"));
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = command.spawn().unwrap();
        use std::io::Write;
        let _ = child.stdin.take().unwrap().write_all(REQUEST.as_bytes());
        let deadline = Instant::now() + Duration::from_secs(15);
        while child.try_wait().unwrap().is_none() {
            assert!(
                Instant::now() < deadline,
                "s_client against {kind} on {port}"
            );
            thread::sleep(Duration::from_millis(20));
        }
        made += 1;
    }
    if let Some(python) = peer("python3") {
        let mut command = Command::new(python);
        command
            .arg("-c")
            .arg(PYTHON_CLIENT)
            .arg(dir.join("python.keys"))
            .args(servers.iter().map(|(port, _, _)| port.to_string()));
        run(command, "python ssl");
        made += servers.len();
    }
    made + chromium(servers, dir)
}

/// Python's `ssl` module: TLS 1.2 at most, any of our suites, its key log written by the
/// module itself (`SSLContext.keylog_filename`).
const PYTHON_CLIENT: &str = r#"
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.set_ciphers("AES128-GCM-SHA256:AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA:AES256-SHA:AES128-SHA256:AES256-SHA256:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384")
ctx.keylog_filename = sys.argv[1]
for port in sys.argv[2:]:
    with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as raw:
        with ctx.wrap_socket(raw) as tls:
            tls.sendall(b"GET / HTTP/1.0\r\n\r\n")
            try:
                while tls.recv(65536):
                    pass
            except (ssl.SSLEOFError, ConnectionResetError):
                pass
"#;

/// Headless Chromium, its key log by `--ssl-key-log-file`: one page load per GCM suite,
/// against s_server for two suites and serve for the other two (each launch takes about 2 s;
/// the CBC suites are loaded by the other three clients).
fn chromium(servers: &[(u16, CipherSuite, &str)], dir: &Path) -> usize {
    let Some(chromium) = peer("chromium") else {
        return 0;
    };
    let mut loads = 0;
    for (port, suite, kind) in servers {
        // s_server for GCM suites 0 and 2, serve for 1 and 3.
        let Some(g) = CipherSuite::GCM.iter().position(|s| s == suite) else {
            continue;
        };
        if (*kind == "openssl s_server") != (g % 2 == 0) {
            continue;
        }
        let profile = tempdir("chromium-inspect");
        let out = Command::new(&chromium)
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
                "--ignore-certificate-errors",
                "--virtual-time-budget=3000",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!(
                "--ssl-key-log-file={}",
                dir.join("chromium.keys").display()
            ))
            .args(["--dump-dom", &format!("https://127.0.0.1:{port}/")])
            .stderr(Stdio::null())
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(&profile);
        assert!(
            !out.stdout.is_empty(),
            "Chromium loaded nothing from {port}"
        );
        loads += 1;
    }
    loads
}

/// Every key log the clients wrote, as one.
fn key_logs(dir: &Path) -> KeyLog {
    let mut log = KeyLog::new();
    for name in ["curl", "s_client", "python", "chromium"] {
        let path: PathBuf = dir.join(format!("{name}.keys"));
        if let Ok(text) = std::fs::read_to_string(&path) {
            log.add_text(&text, name).unwrap();
        }
    }
    log
}

#[test]
fn real_clients_and_servers_captured_then_inspected_as_tshark_decrypts_them() {
    let (Some(dumpcap), Some(_), Some(openssl)) =
        (peer("dumpcap"), peer("tshark"), peer("openssl"))
    else {
        return;
    };
    let dir = tempdir("inspect-peers");
    let servers = servers();
    let ports: Vec<u16> = servers.iter().map(|(port, _, _)| *port).collect();
    let file = dir.join("clients.pcapng");
    let capturing = start_capture(&dumpcap, &ports, &file);
    let running: Vec<Running> = servers
        .iter()
        .map(|(port, suite, kind)| start_server(*port, *suite, kind, &openssl))
        .collect();
    for port in &ports {
        wait_listening(*port);
    }
    let made = run_clients(&servers, &dir, &openssl);
    thread::sleep(Duration::from_millis(500));
    drop(running);
    let _ = Command::new("kill")
        .args(["-INT", &capturing.child.id().to_string()])
        .status();
    capturing.finish(Duration::from_secs(10));

    let capture = capture::read_file(&file).unwrap();
    let keylog = key_logs(&dir);
    let keylog_file = dir.join("all.keys");
    let mut text = String::new();
    for name in ["curl", "s_client", "python", "chromium"] {
        text += &std::fs::read_to_string(dir.join(format!("{name}.keys"))).unwrap_or_default();
    }
    std::fs::write(&keylog_file, text).unwrap();
    let keys = Keys {
        keylog,
        server_key: None,
    };
    let tls: Vec<_> = capture
        .connections
        .iter()
        // The probes of wait_listening send nothing (s_server answers them with an alert).
        .filter(|c| capture::looks_like_tls(c) && !c.stream(Side::Client).is_empty())
        .collect();
    let numbers: Vec<usize> = tls.iter().map(|c| c.number).collect();
    let decode_as: Vec<(u16, &str)> = ports.iter().map(|port| (*port, "tls")).collect();
    let tshark = tshark_follow(
        &peer("tshark").unwrap(),
        &file,
        Some(&keylog_file),
        &numbers,
        &decode_as,
    );
    let mut verified: BTreeMap<u16, usize> = BTreeMap::new();
    for connection in &tls {
        let seen = capture::inspect(connection, &keys, false).observation;
        let (port, suite, kind) = servers
            .iter()
            .find(|(port, _, _)| *port == connection.server.port())
            .unwrap();
        let what = format!("stream {} ({kind}, {})", connection.number, suite.name());
        assert_eq!(seen.suite, Some(*suite), "{what}");
        assert_eq!(
            seen.opened_by,
            Some(Opener::KeyLog),
            "{what}: {:?}",
            seen.not_opened
        );
        assert!(seen.finished_verified(), "{what}");
        assert!(seen.stopped.is_none(), "{what}: {:?}", seen.stopped);
        let (client, server) = &tshark[&connection.number];
        assert_eq!(
            &sent_by(&seen, Side::Client),
            client,
            "{what}: the client's plaintext"
        );
        assert_eq!(
            &sent_by(&seen, Side::Server),
            server,
            "{what}: the server's plaintext"
        );
        // Chromium's spare connection completes its handshake and asks nothing: no answer.
        assert!(
            !server.is_empty() || client.is_empty(),
            "{what}: the server answered"
        );
        *verified.entry(*port).or_default() += 1;
    }
    // Every client reached every server it was sent to (Chromium may open a spare connection).
    assert!(
        tls.len() >= made,
        "{} TLS connections for {made} client runs",
        tls.len()
    );
    assert_eq!(verified.len(), servers.len(), "every server: {verified:?}");

    // The server's private key alone: RSA key exchange opens, ECDHE does not.
    let key = pki::load_private_key_pem(&std::fs::read_to_string(demo_key()).unwrap()).unwrap();
    let by_key = Keys {
        keylog: KeyLog::new(),
        server_key: Some(key),
    };
    for connection in &tls {
        let seen = capture::inspect(connection, &by_key, false).observation;
        match seen.suite.map(|s| s.key_exchange()) {
            Some(KeyExchange::Rsa) => {
                assert_eq!(seen.opened_by, Some(Opener::ServerPrivateKey));
                assert!(seen.finished_verified());
                let (client, _) = &tshark[&connection.number];
                assert_eq!(&sent_by(&seen, Side::Client), client);
            }
            _ => {
                assert_eq!(seen.opened_by, None);
                let why = seen.not_opened.map(|p| p.to_string()).unwrap_or_default();
                assert!(why.contains("forward secrecy"), "{why}");
            }
        }
    }
}

/// One `openssl s_client` run against `port`: `args`, then `input` on its standard input.
fn s_client(openssl: &Path, port: u16, args: &[&str], input: &str, keys: &Path) {
    use std::io::Write;
    let mut child = Command::new(openssl)
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .args(args)
        .arg("-keylogfile")
        .arg(keys)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for line in input.split_inclusive('\n') {
        let _ = stdin.write_all(line.as_bytes());
        thread::sleep(Duration::from_millis(150));
    }
    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(15);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("s_client {args:?} did not finish");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn what_it_does_not_speak_is_named_and_resumed_sessions_open_by_key_log() {
    let (Some(dumpcap), Some(openssl)) = (peer("dumpcap"), peer("openssl")) else {
        return;
    };
    let dir = tempdir("inspect-unspoken");
    let port = free_port();
    let file = dir.join("unspoken.pcapng");
    let keys = dir.join("keys.txt");
    let capturing = start_capture(&dumpcap, &[port], &file);
    let mut command = Command::new(&openssl);
    command
        .args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-www",
            "-quiet",
        ])
        .args(["-cipher", "ALL:@SECLEVEL=0", "-cert"])
        .arg(demo_cert())
        .arg("-key")
        .arg(demo_key());
    let server = Running::spawn(command);
    wait_listening(port);
    let get = "GET / HTTP/1.0\r\n\r\n";
    let quiet = ["-quiet", "-ign_eof"];
    for args in [
        &["-tls1_3"][..],
        &["-tls1", "-cipher", "ALL:@SECLEVEL=0"],
        &["-tls1_2", "-cipher", "AES128-SHA"],
        &["-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"],
    ] {
        s_client(&openssl, port, &[args, &quiet[..]].concat(), get, &keys);
    }
    // "R" on a line of its own: s_client renegotiates (TLS 1.2 and before).
    s_client(
        &openssl,
        port,
        &["-tls1_2", "-cipher", "AES128-GCM-SHA256"],
        &format!("R\n{get}"),
        &keys,
    );
    // -reconnect: a full handshake, then five more resuming its session.
    s_client(
        &openssl,
        port,
        &["-tls1_2", "-cipher", "AES128-GCM-SHA256", "-reconnect"],
        get,
        &keys,
    );
    thread::sleep(Duration::from_millis(300));
    drop(server);
    let _ = Command::new("kill")
        .args(["-INT", &capturing.child.id().to_string()])
        .status();
    capturing.finish(Duration::from_secs(10));

    let capture = capture::read_file(&file).unwrap();
    let mut log = KeyLog::new();
    log.add_text(&std::fs::read_to_string(&keys).unwrap(), "keys.txt")
        .unwrap();
    let by_log = Keys {
        keylog: log,
        server_key: None,
    };
    let key = pki::load_private_key_pem(&std::fs::read_to_string(demo_key()).unwrap()).unwrap();
    let by_key = Keys {
        keylog: KeyLog::new(),
        server_key: Some(key),
    };
    let seen: Vec<Observation> = capture
        .connections
        .iter()
        .filter(|c| !c.stream(Side::Client).is_empty())
        .map(|c| capture::inspect(c, &by_log, false).observation)
        .collect();
    assert_eq!(seen.len(), 11, "6 runs, the last one six connections");
    let unsupported = |o: &Observation| {
        o.unsupported
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default()
    };
    assert_eq!(seen[0].version, Some(0x0304));
    assert!(
        unsupported(&seen[0]).starts_with("TLS 1.3: the ServerHello's supported_versions chose it")
    );
    assert_eq!(seen[1].version, Some(0x0301));
    assert!(unsupported(&seen[1]).starts_with("TLS 1.0: the server chose it"));
    // AES128-SHA is one of our CBC suites (OpenSSL offers encrypt-then-MAC, and it is
    // agreed): opened with the key log, both Finished checked, the page read.
    assert_eq!(seen[2].suite, Some(CipherSuite::RsaAes128CbcSha));
    assert!(seen[2].encrypt_then_mac && seen[2].unsupported.is_none());
    assert!(seen[2].finished_verified() && seen[2].opened_by == Some(Opener::KeyLog));
    assert!(!seen[2].application_data.is_empty() && seen[2].unreadable_records == 0);
    assert!(
        unsupported(&seen[3])
            .contains("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: not implemented here")
    );
    for o in [&seen[0], &seen[1], &seen[3]] {
        assert!(o.opened_by.is_none() && o.application_data.is_empty() && o.stopped.is_none());
        assert!(o.unreadable_records > 0, "listed, not opened");
    }
    assert!(seen[4].renegotiation && seen[4].finished_verified());
    assert!(!seen[5].resumed && seen[5].finished_verified());
    for o in &seen[6..] {
        assert!(o.resumed, "-reconnect resumes");
        assert!(
            o.finished_verified(),
            "a resumed session opens by its own key log line"
        );
    }
    // Without the key log, a resumed session has no key exchange for the server key to open.
    let resumed = capture
        .connections
        .iter()
        .rev()
        .find(|c| !c.stream(Side::Client).is_empty())
        .unwrap();
    let alone = capture::inspect(resumed, &by_key, false).observation;
    assert!(alone.resumed && alone.opened_by.is_none());
    assert!(
        alone
            .not_opened
            .unwrap()
            .to_string()
            .starts_with("resumed session: not linked")
    );
    // Read in capture order, each resumed session is linked to the full handshake before it
    // (its ticket or session_id), which the server key opened: all of them open.
    let mut earlier = EarlierSessions::default();
    let linked: Vec<(usize, Observation)> = capture
        .connections
        .iter()
        .filter(|c| !c.stream(Side::Client).is_empty())
        .map(|c| {
            let seen = capture::inspect_linked(c, &by_key, &mut earlier, false);
            (c.number, seen.observation)
        })
        .collect();
    let full = linked[5].0;
    assert_eq!(linked[5].1.opened_by, Some(Opener::ServerPrivateKey));
    for (_, o) in &linked[6..] {
        assert!(o.resumed && o.finished_verified());
        assert_eq!(o.opened_by, Some(Opener::EarlierSession(full)));
    }
}
