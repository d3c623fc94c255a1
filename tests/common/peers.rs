//! Helpers for tests that run real peers (OpenSSL, tlslite-ng, tshark) and our binary.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_tls12-sim");

pub fn manifest(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

pub fn demo_cert() -> PathBuf {
    manifest("src/demo/server.pem")
}

pub fn demo_ca() -> PathBuf {
    manifest("src/demo/ca.pem")
}

pub fn demo_key() -> PathBuf {
    manifest("src/demo/server.key")
}

pub fn no_ems_conf() -> PathBuf {
    manifest("vectors/openssl-sessions/no-ems.cnf")
}

/// The peer's executable, or None (with SKIPPED printed) when it is not installed; a failure
/// instead when TLS12SIM_REQUIRE_PEERS=1.
pub fn peer(name: &str) -> Option<PathBuf> {
    let found = if name == "tls.py" {
        let venv = manifest(".venv-peers/bin/tls.py");
        venv.exists().then_some(venv)
    } else {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
    };
    if found.is_none() {
        if std::env::var("TLS12SIM_REQUIRE_PEERS").is_ok_and(|v| v == "1") {
            panic!("{name} is required (TLS12SIM_REQUIRE_PEERS=1) but is not installed");
        }
        eprintln!("SKIPPED: {name} is not installed (./scripts/test.sh installs it)");
    }
    found
}

/// A child process killed when dropped, with its output collected by threads.
pub struct Running {
    pub child: Child,
    pub lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Running {
    pub fn spawn(mut command: Command) -> Running {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("spawn");
        let (tx, lines) = mpsc::channel();
        let stdout: ChildStdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let tx2 = tx.clone();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx2.send(line);
            }
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits until a line containing `text` appears (stdout or stderr); returns that line.
    pub fn wait_for(&mut self, text: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        if let Some(line) = self.seen.iter().find(|l| l.contains(text)) {
            return line.clone();
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "waited {timeout:?} for {text:?}; output so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    pub fn write(&mut self, data: &[u8]) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(data).unwrap();
        stdin.flush().unwrap();
    }

    /// Waits for the process to end (killing it after `timeout`); returns all its output.
    pub fn finish(mut self, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
            self.seen.push(line);
        }
        self.seen.join("\n")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `tls12-sim serve --once` on a free port; returns it and its address.
pub fn serve(extra: &[&str]) -> (Running, String) {
    let args: Vec<&str> = ["--once", "--trace"].iter().chain(extra).copied().collect();
    serve_on_a_free_port(&args)
}

/// `tls12-sim serve` with `args` on a port the system picks; returns it, once it listens,
/// and its address.
pub fn serve_on_a_free_port(args: &[&str]) -> (Running, String) {
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args);
    let mut server = Running::spawn(command);
    let line = server.wait_for("listening on ", Duration::from_secs(10));
    let address = line.trim_start_matches("listening on ").trim().to_string();
    (server, address)
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs `tls12-sim connect`, retrying while the server is not yet listening.
pub fn connect(args: &[&str]) -> (bool, String, String) {
    for _ in 0..50 {
        let out = Command::new(BIN)
            .arg("connect")
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if stderr.contains("cannot connect") {
            thread::sleep(Duration::from_millis(100));
            continue;
        }
        return (out.status.success(), stdout, stderr);
    }
    panic!("the server never started listening");
}

pub fn ems_word(ems: bool) -> &'static str {
    if ems { "yes" } else { "no" }
}

/// A fresh directory under target/test-tmp, its own for each call: tests of one binary run at
/// once, and two that shared a directory would read each other's half-written files.
pub fn tempdir(name: &str) -> PathBuf {
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = manifest("target/test-tmp").join(format!("{name}-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts tshark capturing loopback traffic of `port` into `file`, and returns once it really
/// sees packets: "Capturing on" comes before packets are seen, so it knocks on the port
/// (refused, as nothing listens yet) until tshark prints one, and no handshake is missed.
pub fn start_tshark_capture(tshark: &Path, port: &str, file: &Path) -> Running {
    let mut command = Command::new(tshark);
    command
        .args([
            "-i",
            "lo",
            "-f",
            &format!("tcp port {port}"),
            "-l",
            "-P",
            "-w",
        ])
        .arg(file);
    let mut capturing = Running::spawn(command);
    capturing.wait_for("Capturing on", Duration::from_secs(20));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let _ = std::net::TcpStream::connect(format!("127.0.0.1:{port}"));
        if let Ok(line) = capturing.lines.recv_timeout(Duration::from_millis(200)) {
            capturing.seen.push(line.clone());
            if line.contains(port) {
                return capturing;
            }
        }
        assert!(Instant::now() < deadline, "tshark never saw a packet");
    }
}

/// Stops a capture started with `dumpcap` (after half a second, so the last packets are in),
/// as Ctrl-C would, and waits for it to write its file.
pub fn stop_capture(capturing: Running) {
    thread::sleep(Duration::from_millis(500));
    let _ = Command::new("kill")
        .args(["-INT", &capturing.child.id().to_string()])
        .status();
    capturing.finish(Duration::from_secs(10));
}

/// What tshark decrypts from `capture` with `keylog`: one line per application-data record,
/// the `fields` asked for (e.g. `tcp.stream`) and then the record's text. With `debug`, tshark
/// writes its TLS debug log there (to read when a record did not open).
///
/// The server's port is named as TLS: tshark picks a TCP payload's dissector by port before it
/// tries its TLS heuristic, and an ephemeral port is now and then one it gives to another
/// protocol (57000 IRC, 44818 EtherNet/IP, 48898 ADS, ...); that connection would then not be
/// dissected as TLS at all, however right the capture.
pub fn tshark_app_data(
    tshark: &Path,
    capture: &Path,
    keylog: &Path,
    server_port: &str,
    debug: Option<&Path>,
    fields: &[&str],
) -> String {
    let mut command = Command::new(tshark);
    command
        .arg("-r")
        .arg(capture)
        .args(["-d", &format!("tcp.port=={server_port},tls")])
        .arg("-o")
        .arg(format!("tls.keylog_file:{}", keylog.display()));
    if let Some(debug) = debug {
        command
            .arg("-o")
            .arg(format!("tls.debug_file:{}", debug.display()));
    }
    command.args([
        "-o",
        "data.show_as_text:TRUE",
        "-Y",
        "tls.record.content_type == 23",
        "-T",
        "fields",
    ]);
    for field in fields.iter().chain(&["data.text"]) {
        command.args(["-e", field]);
    }
    let out = command.output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The plaintext tshark decrypts from `capture`, by TCP stream: (what the client sent, what
/// the server sent), from `-z follow,tls,raw,N` for each of `streams`, in one run. `keylog`
/// is optional (tshark also reads a key log embedded in a pcapng). `decode_as` are (port,
/// protocol) pairs for `-d tcp.port==PORT,PROTOCOL`: name the servers' ports as `tls`, for the
/// reason given at [`tshark_app_data`].
pub fn tshark_follow(
    tshark: &Path,
    capture: &Path,
    keylog: Option<&Path>,
    streams: &[usize],
    decode_as: &[(u16, &str)],
) -> std::collections::BTreeMap<usize, (Vec<u8>, Vec<u8>)> {
    let mut command = Command::new(tshark);
    command.arg("-r").arg(capture).arg("-q");
    for (port, protocol) in decode_as {
        command.args(["-d", &format!("tcp.port=={port},{protocol}")]);
    }
    if let Some(keylog) = keylog {
        command
            .arg("-o")
            .arg(format!("tls.keylog_file:{}", keylog.display()));
    }
    for stream in streams {
        command.args(["-z", &format!("follow,tls,raw,{stream}")]);
    }
    let out = command.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut found = std::collections::BTreeMap::new();
    // Each stream's section: "Filter: tcp.stream eq N", "Node 0: ...", "Node 1: ...", then one
    // line of hex per TLS record's plaintext (the server's indented by a tab), then "====".
    for section in text.split("Filter: tcp.stream eq ").skip(1) {
        let number: usize = section.lines().next().unwrap().trim().parse().unwrap();
        let (mut client, mut server) = (Vec::new(), Vec::new());
        for line in section.lines().skip(3) {
            if line.starts_with("====") {
                break;
            }
            match line.strip_prefix('\t') {
                Some(hex) => server.extend(hex::decode(hex.trim()).unwrap()),
                None => client.extend(hex::decode(line.trim()).unwrap()),
            }
        }
        found.insert(number, (client, server));
    }
    found
}

/// The application data an observer decrypted from `side`, all of it in order.
pub fn sent_by(
    observation: &tls12_sim::observer::Observation,
    side: tls12_sim::rng::Side,
) -> Vec<u8> {
    observation
        .application_data
        .iter()
        .filter(|(from, _)| *from == side)
        .flat_map(|(_, data)| data.clone())
        .collect()
}
