//! The debugging guide (docs/debugging.md), checked: rust-gdb steps the dev-profile binary to the
//! server's RSA pre-master decryption and to the key-block split, prints the pre-master secret
//! and the client write key there, and they must be the bytes the JSON trace of the same seed
//! shows. If this test fails, the breakpoint table or the print commands in the guide are stale.
//!
//! Needs gdb and rust-gdb (scripts/install-test-deps.sh installs gdb; rust-gdb comes with
//! rustup). Without them it prints SKIPPED, unless TLS12SIM_REQUIRE_PEERS=1 (tests/common/peers.rs).
#![cfg(unix)]

mod common;

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::peers::{BIN, peer, tempdir};

/// gdb must never hang CI: it is killed (with its process group) after this.
const GDB_TIMEOUT: Duration = Duration::from_secs(120);

#[test]
fn rust_gdb_sees_the_secrets_of_the_trace() {
    if !cfg!(debug_assertions) {
        // Under --release the binary has line tables only: no locals to print.
        eprintln!("SKIPPED: the debugger test needs the dev-profile binary (not --release)");
        return;
    }
    let Some(rust_gdb) = find_rust_gdb() else {
        return;
    };

    // The trace of the same run, without a debugger.
    let reference = Command::new(BIN)
        .args(["simulate", "--seed", "1", "--format", "json"])
        .output()
        .expect("run tls12-sim");
    assert!(reference.status.success(), "tls12-sim simulate failed");
    let trace = secrets(&reference.stdout);
    let server_pre_master = trace_value(&trace, "server", "pre_master_secret");
    let server_client_write_key = trace_value(&trace, "server", "client_write_key");
    assert_eq!(
        server_pre_master,
        trace_value(&trace, "client", "pre_master_secret")
    );
    assert_eq!(
        server_client_write_key,
        trace_value(&trace, "client", "client_write_key")
    );

    let dir = tempdir("debugger");
    let debugged_json = dir.join("debugged.json");
    let commands = dir.join("secrets.gdb");
    std::fs::write(&commands, gdb_script(&dir, &debugged_json)).expect("write the gdb script");

    let Some((status, transcript)) = run_gdb(&rust_gdb, &commands) else {
        return;
    };
    println!("{transcript}");
    assert!(
        status.success(),
        "rust-gdb failed ({status}):\n{transcript}"
    );

    // 1. Stopped in the RSA decryption, on the server's side.
    let stop = section(&transcript, "stopped");
    assert!(
        stop.contains("tls12_sim::key_exchange::rsa_decrypt_pre_master"),
        "not stopped in rsa_decrypt_pre_master:\n{transcript}"
    );
    // 2. What it returned is the pre-master secret of the trace.
    let pre_master = hex_list(section(&transcript, "pre_master_secret"));
    assert_eq!(
        hex::encode(&pre_master),
        hex::encode(&server_pre_master),
        "pre-master secret in gdb vs the trace"
    );
    assert_eq!(pre_master.len(), 48);
    // 3. The key block split, on the server: the client write key of the trace.
    let side = section(&transcript, "side");
    assert!(
        side.contains("tls12_sim::rng::Side::Server"),
        "the second set_pending_keys should be the server's:\n{transcript}"
    );
    let client_write_key = hex_list(section(&transcript, "client_write_key"));
    assert_eq!(
        hex::encode(&client_write_key),
        hex::encode(&server_client_write_key),
        "client_write_key in gdb vs the trace"
    );
    // 4. The breakpoints changed nothing: the run under gdb traced the same secrets.
    assert!(
        transcript.contains("exited normally"),
        "the debugged run did not finish:\n{transcript}"
    );
    let debugged = std::fs::read(&debugged_json).expect("the debugged run's JSON");
    assert_eq!(
        secrets(&debugged),
        trace,
        "the run under gdb traced other secrets"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `skip` lines of docs/debugging.md make `step` go over the trace: from the statement
/// that records server_random, `step` goes through its lines and on to the next statement of
/// `send_server_hello`, never into `Conn::trace`, `src/event.rs` or `src/phrase.rs` (whose
/// work, and the explanation's closure, run on).
#[test]
fn step_goes_over_the_trace_with_the_guides_skip_lines() {
    if !cfg!(debug_assertions) {
        eprintln!("SKIPPED: the debugger test needs the dev-profile binary (not --release)");
        return;
    }
    let Some(rust_gdb) = find_rust_gdb() else {
        return;
    };
    let guide =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/debugging.md"))
            .unwrap();
    let skips: Vec<&str> = guide
        .lines()
        .filter(|l| l.starts_with("skip -rfu ^tls12_sim::"))
        .collect();
    assert!(
        skips.contains(&"skip -rfu ^tls12_sim::event::")
            && skips.contains(&"skip -rfu ^tls12_sim::phrase::")
            && skips.contains(&"skip -rfu ^tls12_sim::conn::Conn::trace$"),
        "docs/debugging.md must show the skip lines for the trace: {skips:?}"
    );
    let server =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/server.rs"))
            .unwrap();
    // The first line of the statement that traces server_random (`self.conn` ... `.value(`).
    let lines: Vec<&str> = server.lines().collect();
    let value_line = lines
        .iter()
        .position(|l| l.contains("\"server_random\", &random"))
        .expect("the line that traces server_random");
    let trace_line = (0..=value_line)
        .rev()
        .find(|&i| lines[i].trim_start().starts_with("self.conn"))
        .expect("the start of the statement")
        + 1;
    let dir = tempdir("debugger-skip");
    let commands = dir.join("skip.gdb");
    let script = format!(
        "set pagination off\nset confirm off\nskip -rfu ^core::\nskip -rfu ^alloc::\n\
         skip -rfu ^std::\nskip -rfu ^<\nskip -gfi */sysdeps/*\n{}\n\
         break tls12_sim::server::Server::send_server_hello\n\
         run simulate --seed 1 > /dev/null\nadvance {trace_line}\necho @@begin steps\\n\n\
         step\nstep\nstep\necho @@end\\n\nkill\n",
        skips.join("\n")
    );
    std::fs::write(&commands, script).expect("write the gdb script");
    let Some((_, transcript)) = run_gdb(&rust_gdb, &commands) else {
        return;
    };
    let steps = section(&transcript, "steps");
    // `step` goes line by line through the statement (`.trace()`, `.value(`), never into it.
    assert!(
        !steps.contains("event.rs")
            && !steps.contains("phrase.rs")
            && !steps.contains("Conn::trace"),
        "step went into the trace:\n{transcript}"
    );
    assert!(
        steps.contains("let client_point_formats"),
        "step did not reach the next statement of send_server_hello:\n{transcript}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs rust-gdb in batch mode on the binary with the commands in `script`: its exit status and
/// everything it printed. `None` (the test prints SKIPPED) where gdb may not trace processes,
/// unless the peers are required; a gdb that does not finish in time fails the test.
fn run_gdb(rust_gdb: &Path, script: &Path) -> Option<(ExitStatus, String)> {
    let mut gdb = Command::new(rust_gdb);
    gdb.args(["-batch", "-nx"])
        // No network here: never ask a debuginfod server for the symbols of libc & co.
        .args(["-iex", "set debuginfod enabled off"])
        .env("DEBUGINFOD_URLS", "")
        .arg("-x")
        .arg(script)
        .arg(BIN);
    let (status, stdout, stderr) = run_with_timeout(gdb, GDB_TIMEOUT);
    let transcript = format!("{stdout}\n--- stderr ---\n{stderr}");
    let Some(status) = status else {
        panic!(
            "rust-gdb did not finish within {GDB_TIMEOUT:?}; it was killed. Output:\n{transcript}"
        );
    };
    if transcript.contains("ptrace: Operation not permitted") {
        if require_peers() {
            panic!("gdb may not trace processes here (ptrace); output:\n{transcript}");
        }
        eprintln!("SKIPPED: gdb may not trace processes here (ptrace is not permitted)");
        return None;
    }
    Some((status, transcript))
}

/// The gdb commands: everything the guide's table promises for these two steps. Markers
/// (`@@begin NAME` / `@@end`) fence each value for the parser.
fn gdb_script(dir: &Path, debugged_json: &Path) -> String {
    let quote = |p: &Path| {
        let s = p.display().to_string();
        assert!(!s.contains('\''), "a path with a quote: {s}");
        format!("'{s}'")
    };
    format!(
        "\
set pagination off
set confirm off
set width 0
set height 0
set print elements unlimited
set print repeats unlimited
set print frame-arguments none
break tls12_sim::key_exchange::rsa_decrypt_pre_master
run simulate --seed 1 --format json > {json} 2> {err}
echo @@begin stopped\\n
bt 2
echo @@end\\n
finish
echo @@begin pre_master_secret\\n
print/x $.__0
echo @@end\\n
break tls12_sim::record::RecordLayer::set_pending_keys
continue
echo @@begin side\\n
print self.side
echo @@end\\n
echo @@begin client_write_key\\n
print/x keys.client_write_key.__0
echo @@end\\n
delete
continue
",
        json = quote(debugged_json),
        err = quote(&dir.join("debugged.stderr")),
    )
}

/// The text between `@@begin NAME` and the next `@@end`.
fn section<'a>(output: &'a str, name: &str) -> &'a str {
    let begin = format!("@@begin {name}\n");
    let start = output
        .find(&begin)
        .unwrap_or_else(|| panic!("no {name} in the gdb output:\n{output}"))
        + begin.len();
    let len = output[start..]
        .find("@@end")
        .unwrap_or_else(|| panic!("{name} not closed in the gdb output:\n{output}"));
    &output[start..start + len]
}

/// The bytes of a gdb `print/x` of a byte array or Vec: `$1 = [0x3, 0x3, 0xc2, ...]` or
/// `$2 = Vec(size=16) = {0x22, 0xd9, ...}`. Anything but plain hex bytes (`<repeats ...>`,
/// `...`, an error) fails loudly.
fn hex_list(printed: &str) -> Vec<u8> {
    let printed = printed.trim();
    let list = printed
        .rsplit(" = ")
        .next()
        .unwrap_or(printed)
        .trim()
        .trim_start_matches(['[', '{'])
        .trim_end_matches([']', '}']);
    let bytes: Vec<u8> = list
        .split(',')
        .map(|item| {
            let item = item.trim();
            item.strip_prefix("0x")
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .unwrap_or_else(|| panic!("not a hex byte: {item:?} in {printed:?}"))
        })
        .collect();
    if let Some(size) = printed
        .split("size=")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
    {
        assert_eq!(size.parse::<usize>().ok(), Some(bytes.len()), "{printed}");
    }
    bytes
}

/// The Secret events of a JSON trace: (side, name, value) in order.
fn secrets(json: &[u8]) -> Vec<(String, String, Vec<u8>)> {
    let trace: serde_json::Value = serde_json::from_slice(json).expect("JSON trace");
    let events = trace["events"].as_array().expect("events");
    events
        .iter()
        .filter(|e| e["event"] == "secret")
        .map(|e| {
            let text = |key: &str| e[key].as_str().expect(key).to_string();
            let value = hex::decode(text("value")).expect("hex value");
            (text("side"), text("name"), value)
        })
        .collect()
}

fn trace_value(trace: &[(String, String, Vec<u8>)], side: &str, name: &str) -> Vec<u8> {
    trace
        .iter()
        .find(|(s, n, _)| s == side && n == name)
        .map(|(_, _, v)| v.clone())
        .unwrap_or_else(|| panic!("no {side} {name} Secret event in the trace"))
}

fn require_peers() -> bool {
    std::env::var("TLS12SIM_REQUIRE_PEERS").is_ok_and(|v| v == "1")
}

/// gdb, then rust-gdb: on PATH (rustup puts it in ~/.cargo/bin), else in the toolchain's
/// sysroot. Missing: SKIPPED, or a failure under TLS12SIM_REQUIRE_PEERS=1.
fn find_rust_gdb() -> Option<PathBuf> {
    peer("gdb")?;
    on_path("rust-gdb")
        .or_else(|| {
            let out = Command::new("rustc")
                .args(["--print", "sysroot"])
                .output()
                .ok()?;
            let sysroot = String::from_utf8(out.stdout).ok()?;
            let script = Path::new(sysroot.trim()).join("bin/rust-gdb");
            script.is_file().then_some(script)
        })
        .or_else(|| peer("rust-gdb"))
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// Runs `command` in its own process group; after `timeout`, kills the whole group (gdb and the
/// program it debugs) and returns `None` as the status.
fn run_with_timeout(
    mut command: Command,
    timeout: Duration,
) -> (Option<ExitStatus>, String, String) {
    command
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("start rust-gdb");
    let (tx_out, rx_out) = mpsc::channel();
    let (tx_err, rx_err) = mpsc::channel();
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        let _ = tx_out.send(buf);
    });
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        let _ = tx_err.send(buf);
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
            _ => {
                // The group id is gdb's pid (process_group(0)).
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .status();
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let collect = |rx: mpsc::Receiver<Vec<u8>>| {
        let bytes = rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    (status, collect(rx_out), collect(rx_err))
}
