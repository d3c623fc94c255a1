//! The load generator (`tls12-sim load`, `tls12_sim::load`) on loopback: against our own
//! `serve`, and against listeners in this test that misbehave on purpose (refuse, never answer,
//! close idle connections).
//!
//! The classroom-server test is [`serve_is_not_stalled_by_idle_connections`]: 200 handshakes, 8
//! at once, while 50 idle connections are held open against a server that gives a silent peer
//! 30 s. A server that waits on an idle peer in the thread that accepts stalls every handshake
//! behind it: the test bounds each handshake to 5 s and the whole run to 15 s, so it fails
//! (handshakes "timed out", the rest not started) in about 20 s rather than hanging.

mod common;

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use common::peers::{BIN, Running};
use tls12_sim::client::ServerTrust;
use tls12_sim::demo_pki;
use tls12_sim::load::{self, LoadOptions, LoadReport};
use tls12_sim::session::Resumption;
use tls12_sim::suites::CipherSuite;

/// How long `serve` gives a silent peer: far longer than any handshake may take here.
const SERVER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a handshake may take: a handshake that waited for an idle peer's timeout
/// (`SERVER_READ_TIMEOUT`) would take longer.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// `tls12-sim serve` (many connections, no trace) on a free port; returns it and its address.
fn serve() -> (Running, String) {
    let mut command = Command::new(BIN);
    command.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--read-timeout-ms",
        &SERVER_READ_TIMEOUT.as_millis().to_string(),
    ]);
    let mut server = Running::spawn(command);
    let line = server.wait_for("listening on ", Duration::from_secs(10));
    let address = line.trim_start_matches("listening on ").trim().to_string();
    (server, address)
}

fn options(address: &str, connections: usize, concurrency: usize, idle: usize) -> LoadOptions {
    LoadOptions {
        address: address.to_string(),
        server_name: Some("localhost".to_string()),
        trust: ServerTrust::Anchors(demo_pki::trust_store().unwrap()),
        suites: CipherSuite::ALL.to_vec(),
        connections,
        concurrency,
        idle,
        timeout: HANDSHAKE_TIMEOUT,
        time_limit: Some(Duration::from_secs(15)),
        pcap: None,
        resume: None,
    }
}

/// The report and the server's log, for a failed assertion.
fn explain(report: &LoadReport, server: Running) -> String {
    let log = server.finish(Duration::from_millis(100));
    let tail: Vec<&str> = log.lines().rev().take(20).collect();
    format!(
        "{report}\nthe server's last lines (newest first):\n{}",
        tail.join("\n")
    )
}

#[test]
fn serve_is_not_stalled_by_idle_connections() {
    let (server, address) = serve();
    let started = Instant::now();
    let report = load::run(&options(&address, 200, 8, 50)).unwrap();
    let took = started.elapsed();
    eprintln!("{report}(the whole run took {took:?})");
    let clean = report.completed() == 200
        && report.failed() == 0
        && report.not_started == 0
        && report.idle_opened == 50
        && report.idle_closed_early == 0;
    if !clean {
        panic!(
            "200 handshakes with 50 idle connections held: all must complete, every idle \
             connection stay open\n{}",
            explain(&report, server)
        );
    }
    // No handshake waited for an idle peer: each took far less than the server's read timeout.
    let max = report.max_latency().unwrap();
    assert!(
        max < HANDSHAKE_TIMEOUT && max < SERVER_READ_TIMEOUT,
        "the slowest handshake took {max:?}\n{}",
        explain(&report, server)
    );
    // Every handshake completed with the client's first choice.
    assert_eq!(
        report.negotiated[CipherSuite::ALL[0].name()],
        200,
        "{report}"
    );
}

#[test]
fn resumed_load_resumes_all_but_each_worker_s_first_handshake() {
    let (server, address) = serve();
    for how in [Resumption::SessionId, Resumption::Ticket] {
        let report = load::run(&LoadOptions {
            resume: Some(how),
            ..options(&address, 40, 4, 0)
        })
        .unwrap();
        assert!(report.is_clean(), "{}", report);
        assert_eq!(report.completed(), 40);
        // Each of the 4 workers makes one full handshake, then resumes.
        assert_eq!(report.resumed, 36, "{report}");
        assert!(
            report.to_string().contains(&format!(
                "resumed    36 of 40 completed (by {};",
                how.name()
            )),
            "{report}"
        );
    }
    let log = server.finish(Duration::from_millis(300));
    assert!(log.matches("resumed (session id)").count() >= 36, "{log}");
    assert!(log.matches("resumed (ticket)").count() >= 36, "{log}");
}

#[test]
fn the_cli_prints_handshakes_per_second_latency_and_failures() {
    let (server, address) = serve();
    let out = Command::new(BIN)
        .args([
            "load",
            &address,
            "--connections",
            "20",
            "--concurrency",
            "2",
        ])
        .args([
            "--suite",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "--timeout",
            "5",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let context = format!(
        "stdout:\n{stdout}\nstderr:\n{stderr}\nserver:\n{}",
        server.finish(Duration::from_millis(100))
    );
    assert!(out.status.success(), "{context}");
    for expected in [
        &format!("load: 20 handshakes to {address}, concurrency 2, 0 idle connections held"),
        "suites offered: TLS_RSA_WITH_AES_128_GCM_SHA256, timeout 5 s",
        "completed  20 of 20 in ",
        " handshakes/s\n",
        "latency    p50 ",
        "suite      TLS_RSA_WITH_AES_128_GCM_SHA256: 20\n",
        "failures   none\n",
        "idle       0 opened, 0 closed early by the server\n",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?}\n{context}");
    }
}

#[test]
fn a_refused_connection_is_a_failure_counted_by_cause() {
    let address = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    // The listener is closed: nothing listens there now.
    let report = load::run(&options(&address, 3, 2, 0)).unwrap();
    assert_eq!(report.completed(), 0, "{report}");
    assert_eq!(report.failed(), 3, "{report}");
    let (cause, _) = report.failures.iter().next().unwrap();
    assert!(cause.starts_with("cannot connect: "), "{report}");
    assert!(!report.is_clean());
}

#[test]
fn a_server_that_never_answers_times_out_and_the_time_limit_stops_the_rest() {
    // Connections complete in the kernel's backlog, but nobody ever reads them.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let mut options = options(&address, 5, 2, 0);
    options.timeout = Duration::from_millis(500);
    options.time_limit = Some(Duration::from_millis(200));
    let started = Instant::now();
    let report = load::run(&options).unwrap();
    // Two handshakes start at once and time out; by then the time limit has passed.
    assert_eq!(report.failures.get("timed out"), Some(&2), "{report}");
    assert_eq!(report.not_started, 3, "{report}");
    assert!(started.elapsed() < Duration::from_secs(3), "{report}");
    let text = report.to_string();
    assert!(text.contains("failures   2\n"), "{text}");
    assert!(text.contains("2  timed out\n"), "{text}");
    assert!(text.contains("not started 3"), "{text}");
    drop(listener);
}

#[test]
fn idle_connections_the_server_closed_are_reported() {
    // A server that accepts each connection and closes it at once.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            drop(stream);
        }
    });
    // The idle connections are accepted (and closed) before the handshake's, which fails.
    let report = load::run(&options(&address, 1, 1, 3)).unwrap();
    assert_eq!(report.idle_opened, 3, "{report}");
    assert_eq!(report.idle_closed_early, 3, "{report}");
    assert_eq!(report.failed(), 1, "{report}");
    assert!(
        report
            .to_string()
            .contains("idle       3 opened, 3 closed early by the server"),
        "{report}"
    );
}
