//! Session resumption against real peers (RFC 5246 7.3, RFC 5077):
//!
//! - `serve` resumes for `openssl s_client -reconnect` (five reconnections reused, by ticket
//!   and, with `-no_ticket`, by session id), `-sess_out`/`-sess_in`, `gnutls-cli -r`, and
//!   Python's `ssl` (`session_reused`); its log line says how each was resumed;
//! - `connect --reconnect` and `--session-out`/`--session-in` resume with `openssl s_server`
//!   (with and without tickets), tlslite-ng's server, and `serve`;
//! - tshark decrypts a resumed connection with our key log.
//!
//! Every server listens on 127.0.0.1, every wait is bounded.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::peers::{
    BIN, Running, connect, demo_ca, demo_cert, demo_key, free_port, peer, start_tshark_capture,
    stop_capture, tempdir, tshark_app_data,
};

/// `tls12-sim serve` (not `--once`: the peers reconnect) on a free port; its address.
fn serve(extra: &[&str]) -> (Running, String) {
    let mut command = Command::new(BIN);
    // A peer that waits for the server to close goes when its connection has been quiet 1 s.
    command
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--read-timeout-ms",
            "1000",
        ])
        .args(extra);
    let mut server = Running::spawn(command);
    let line = server.wait_for("listening on ", Duration::from_secs(10));
    let address = line.trim_start_matches("listening on ").trim().to_string();
    (server, address)
}

/// Runs a peer to the end with its standard input closed, within 30 s; its output (both
/// streams).
fn run_peer(mut command: Command) -> String {
    command.stdin(Stdio::null());
    let running = Running::spawn(command);
    running.finish(Duration::from_secs(30))
}

/// The number of the server's log lines that say a connection was resumed this way.
fn resumed_lines(server: &mut Running, how: &str, expected: usize) -> usize {
    let wanted = format!("resumed ({how})");
    server.wait_for_nth(&wanted, expected, Duration::from_secs(10));
    server.seen.iter().filter(|l| l.contains(&wanted)).count()
}

trait WaitNth {
    fn wait_for_nth(&mut self, text: &str, n: usize, timeout: Duration);
}

impl WaitNth for Running {
    /// Waits until `n` lines containing `text` have appeared.
    fn wait_for_nth(&mut self, text: &str, n: usize, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.seen.iter().filter(|l| l.contains(text)).count() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!(
                    "waited for {n} lines with {text:?}:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }
}

fn openssl_client(openssl: &std::path::Path, address: &str, extra: &[&str]) -> Command {
    let mut command = Command::new(openssl);
    command
        .args(["s_client", "-connect", address, "-servername", "localhost"])
        .arg("-CAfile")
        .arg(demo_ca())
        .args(extra);
    command
}

#[test]
fn openssl_s_client_reconnect_is_resumed_five_times_by_ticket_and_by_id() {
    let Some(openssl) = peer("openssl") else {
        return;
    };
    for (extra, how) in [(&[][..], "ticket"), (&["-no_ticket"][..], "session id")] {
        let (mut server, address) = serve(&[]);
        let mut args = vec!["-reconnect"];
        args.extend(extra);
        let out = run_peer(openssl_client(&openssl, &address, &args));
        assert_eq!(out.matches("New, TLSv1.2").count(), 1, "{how}:\n{out}");
        assert_eq!(out.matches("Reused, TLSv1.2").count(), 5, "{how}:\n{out}");
        assert_eq!(resumed_lines(&mut server, how, 5), 5, "{how}");
    }
}

#[test]
fn openssl_sess_out_and_sess_in_resume_by_id_and_by_ticket() {
    let Some(openssl) = peer("openssl") else {
        return;
    };
    let dir = tempdir("sess-out");
    for (extra, how) in [(&[][..], "ticket"), (&["-no_ticket"][..], "session id")] {
        let (mut server, address) = serve(&[]);
        let saved = dir.join(format!("{}.pem", how.replace(' ', "-")));
        let saved = saved.to_str().unwrap();
        let mut first = vec!["-sess_out", saved];
        first.extend(extra);
        let out = run_peer(openssl_client(&openssl, &address, &first));
        assert!(out.contains("New, TLSv1.2"), "{out}");
        let mut second = vec!["-sess_in", saved];
        second.extend(extra);
        let out = run_peer(openssl_client(&openssl, &address, &second));
        assert!(out.contains("Reused, TLSv1.2"), "{how}:\n{out}");
        assert_eq!(resumed_lines(&mut server, how, 1), 1, "{how}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn gnutls_cli_resumes_by_ticket_and_by_id() {
    let Some(gnutls) = peer("gnutls-cli") else {
        return;
    };
    // (gnutls-cli --noticket still offers a ticket in TLS 1.2: the server turns tickets off.)
    for (serve_args, how) in [(&[][..], "ticket"), (&["--no-tickets"][..], "session id")] {
        let (mut server, address) = serve(serve_args);
        let port = address.rsplit_once(':').unwrap().1.to_string();
        let mut command = Command::new(&gnutls);
        command
            .arg("--x509cafile")
            .arg(demo_ca())
            .args(["-r", "-p", &port])
            .arg("localhost");
        let out = run_peer(command);
        assert!(out.contains("This is a resumed session"), "{how}:\n{out}");
        assert_eq!(resumed_lines(&mut server, how, 1), 1, "{how}");
    }
}

const PYTHON_REUSE: &str = r#"
import socket, ssl, sys
host, port = sys.argv[1].rsplit(":", 1)
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
def once(session):
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as tls:
            tls.sendall(b"GET / HTTP/1.0\r\n\r\n")
            while tls.recv(4096):
                pass
            return tls.session, tls.session_reused
session, reused = once(None)
print("first reused:", reused)
session, reused = once(session)
print("second reused:", reused)
"#;

#[test]
fn python_ssl_reuses_its_session() {
    let Some(python) = peer("python3") else {
        return;
    };
    let (mut server, address) = serve(&[]);
    let mut command = Command::new(&python);
    command.args(["-c", PYTHON_REUSE, &address]).arg(demo_ca());
    let out = run_peer(command);
    assert!(out.contains("first reused: False"), "{out}");
    assert!(out.contains("second reused: True"), "{out}");
    assert_eq!(resumed_lines(&mut server, "ticket", 1), 1);
}

/// `connect --reconnect 2` to `address`: the lines it says about each connection.
fn reconnect(address: &str, extra: &[&str]) -> String {
    let mut args = vec![
        address,
        "--server-name",
        "localhost",
        "--send",
        "GET / HTTP/1.0",
        "--idle-ms",
        "300",
        "--reconnect",
        "2",
    ];
    args.extend(extra);
    let (ok, _, stderr) = connect(&args);
    assert!(ok, "{stderr}");
    stderr
}

fn assert_resumed_twice(stderr: &str, how: &str) {
    assert!(stderr.contains("connection 1: full handshake"), "{stderr}");
    for n in [2, 3] {
        assert!(
            stderr.contains(&format!("connection {n}: resumed ({how})")),
            "{how}:\n{stderr}"
        );
    }
}

#[test]
fn connect_resumes_with_openssl_s_server_with_and_without_tickets() {
    let Some(openssl) = peer("openssl") else {
        return;
    };
    let dir = tempdir("connect-sessions");
    for (extra, how) in [(&[][..], "ticket"), (&["-no_ticket"][..], "session id")] {
        let port = free_port().to_string();
        let mut command = Command::new(&openssl);
        command
            .args(["s_server", "-accept", &format!("127.0.0.1:{port}")])
            .arg("-cert")
            .arg(demo_cert())
            .arg("-key")
            .arg(demo_key())
            .args(["-www", "-quiet"])
            .args(extra);
        let _server = Running::spawn(command);
        let address = format!("127.0.0.1:{port}");
        assert_resumed_twice(&reconnect(&address, &[]), how);
        // A session saved to a file, offered by a later process.
        let saved = dir.join(format!("{port}.json"));
        let saved = saved.to_str().unwrap();
        let args = [
            address.as_str(),
            "--server-name",
            "localhost",
            "--send",
            "GET / HTTP/1.0",
            "--idle-ms",
            "300",
        ];
        let (ok, _, stderr) = connect(&[&args[..], &["--session-out", saved]].concat());
        assert!(ok, "{stderr}");
        let (ok, stdout, stderr) = connect(&[&args[..], &["--session-in", saved]].concat());
        assert!(ok, "{stderr}");
        assert!(
            stderr.contains(&format!("connection 1: resumed ({how})")),
            "{how}:\n{stderr}"
        );
        // s_server -www says so on its page.
        assert!(stdout.contains("Reused, TLSv1.2"), "{stdout}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn connect_resumes_with_tlslite_and_with_serve() {
    if let Some(tls_py) = peer("tls.py") {
        let port = free_port().to_string();
        let mut command = Command::new(&tls_py);
        command.env("PYTHONUNBUFFERED", "1");
        command
            .args(["server", "--echo", "-c"])
            .arg(demo_cert())
            .arg("-k")
            .arg(demo_key())
            .arg(format!("127.0.0.1:{port}"));
        let mut server = Running::spawn(command);
        server.wait_for("echo test server", Duration::from_secs(10));
        let address = format!("127.0.0.1:{port}");
        assert_resumed_twice(&reconnect(&address, &[]), "ticket");
        assert_resumed_twice(&reconnect(&address, &["--no-tickets"]), "session id");
        let out = server.finish(Duration::from_secs(1));
        assert!(out.matches("Session Resumed: True").count() >= 4, "{out}");
    }
    let (mut server, address) = serve(&[]);
    assert_resumed_twice(&reconnect(&address, &[]), "ticket");
    assert_resumed_twice(&reconnect(&address, &["--no-tickets"]), "session id");
    assert_eq!(resumed_lines(&mut server, "ticket", 2), 2);
    assert_eq!(resumed_lines(&mut server, "session id", 2), 2);
    // A server with neither a cache nor tickets resumes nothing.
    let (_server, address) = serve(&["--session-cache", "0", "--no-tickets"]);
    let stderr = reconnect(&address, &[]);
    assert!(stderr.contains("connection 3: full handshake"), "{stderr}");
    assert!(!stderr.contains("resumed ("), "{stderr}");
}

#[test]
fn tshark_decrypts_a_resumed_connection_with_our_key_log() {
    let Some(tshark) = peer("tshark") else {
        return;
    };
    let dir = tempdir("tshark-resumed");
    let capture = dir.join("resumed.pcapng");
    let keylog = dir.join("resumed.keylog");
    let port = free_port().to_string();
    let capturing = start_tshark_capture(&tshark, &port, &capture);
    let listen = format!("127.0.0.1:{port}");
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--listen", &listen, "--keylog"])
        .arg(&keylog);
    let mut server = Running::spawn(command);
    server.wait_for("listening on", Duration::from_secs(10));
    let (ok, stdout, stderr) = connect(&[
        &listen,
        "--send",
        "hello wireshark",
        "--idle-ms",
        "300",
        "--reconnect",
        "1",
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("connection 2: resumed (ticket)"),
        "{stderr}"
    );
    assert_eq!(stdout.matches("hello wireshark").count(), 2);
    server.wait_for("resumed (ticket)", Duration::from_secs(10));
    drop(server);
    stop_capture(capturing);
    // Two key log lines: the full handshake's and the resumed one's, with the same master
    // secret and another client random.
    let lines: Vec<String> = std::fs::read_to_string(&keylog)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let secret = |line: &str| line.split_whitespace().nth(2).map(str::to_string);
    assert_eq!(secret(&lines[0]), secret(&lines[1]));
    let fields = tshark_app_data(&tshark, &capture, &keylog, &port, None, &["tcp.stream"]);
    // Both connections' request and echo, decrypted; the second is the resumed one.
    assert_eq!(fields.matches("hello wireshark").count(), 4, "{fields}");
    let streams: std::collections::BTreeSet<&str> = fields
        .lines()
        .filter(|l| l.contains("hello wireshark"))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(streams.len(), 2, "{fields}");
    let _ = std::fs::remove_dir_all(&dir);
}
