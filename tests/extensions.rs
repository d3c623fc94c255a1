//! Extensions to the letter: ALPN (RFC 7301) and SNI (RFC 6066 3) on both sides, first in
//! memory (the exact alert of each refusal), then against real peers:
//!
//! - `curl` (its default ALPN over TLS 1.2 offers h2 and http/1.1; `--http1.1` only http/1.1)
//!   and `openssl s_client -alpn` against `tls12-sim serve`, which chooses http/1.1, never h2,
//!   and refuses a client that offers only h2 with no_application_protocol (alert 120) unless
//!   `--alpn-optional`;
//! - `tls12-sim connect --alpn h2,http/1.1` against `openssl s_server -alpn`, which shows the
//!   server's choice;
//! - headless Chromium, which gets http/1.1 and sees its own offer and the choice on the page.
//!
//! The malformed extensions (one test per rule, with the RFC each cites) are rows of
//! `tests/hostile_tcp.rs` (ClientHello, against the real server) and tests in
//! `tests/negative.rs` (ServerHello, at our client); the docs table of every extension is
//! checked in `tests/docs_vectors.rs`.
//!
//! Every server here listens on 127.0.0.1 and every peer runs under a time limit.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::peers::{BIN, Running, connect, demo_ca, demo_cert, demo_key, free_port, peer};
use common::{assert_alert, has_japanese};
use tls12_sim::error::Error;
use tls12_sim::messages::alert::AlertDescription as A;
use tls12_sim::render::{self, Lang, TextOptions};
use tls12_sim::rng::Side;
use tls12_sim::simulate::{self, Options, Report, Simulation};

// ---- in memory: our client and our server ----

/// A simulated run where the client offers `offer` and the server speaks `ours`.
fn alpn_run(offer: &[&str], ours: &[&str], optional: bool) -> Report {
    let options = Options::default();
    let mut client = simulate::demo_client(&options).unwrap();
    client.config_mut().alpn_protocols = offer.iter().map(|p| p.to_string()).collect();
    let mut server = simulate::demo_server(&options).unwrap();
    server.config_mut().alpn_protocols = ours.iter().map(|p| p.to_string()).collect();
    server.config_mut().alpn_optional = optional;
    simulate::run_simulation(Simulation::new(client, server), &options)
}

fn text(report: &Report, lang: Lang) -> String {
    render::render_text(
        &report.events,
        TextOptions {
            show_received: true,
            lang,
        },
    )
}

#[test]
fn the_server_picks_http_1_1_from_h2_and_http_1_1() {
    let report = alpn_run(&["h2", "http/1.1"], &["http/1.1"], false);
    assert!(report.outcome.is_ok(), "{:?}", report.outcome.err());
    assert_eq!(report.client.alpn_protocol(), Some(&b"http/1.1"[..]));
    assert_eq!(report.server.alpn_protocol(), Some(&b"http/1.1"[..]));
    let trace = text(&report, Lang::En);
    for needle in [
        "offers the application protocols h2, http/1.1 (ALPN, RFC 7301 3.1), best first",
        "the client offers the application protocols h2, http/1.1 (ALPN, RFC 7301 3.1)",
        "chooses the application protocol http/1.1: the first of this server's (http/1.1) \
         that the client offers (ALPN, RFC 7301 3.2)",
        "the server chose the application protocol http/1.1 (ALPN, RFC 7301 3.2), one we \
         offered",
        // The labelled fields of both hellos: the offer, then the choice.
        "protocol_name_list",
        "\"h2\"",
        "\"http/1.1\"",
    ] {
        assert!(trace.contains(needle), "missing {needle:?} in\n{trace}");
    }
    // And in Japanese, every word of it.
    let ja = text(&report, Lang::Ja);
    assert!(has_japanese(&ja) && !ja.contains("chooses the application protocol"));
}

#[test]
fn the_server_s_order_decides() {
    // RFC 7301 3.2: "the most highly preferred protocol that it supports": the server's.
    let report = alpn_run(
        &["h2", "spdy/3", "http/1.1"],
        &["http/1.1", "spdy/3"],
        false,
    );
    assert!(report.outcome.is_ok());
    assert_eq!(report.client.alpn_protocol(), Some(&b"http/1.1"[..]));
}

#[test]
fn only_h2_is_no_application_protocol() {
    let report = alpn_run(&["h2"], &["http/1.1"], false);
    let failure = report.outcome.as_ref().unwrap_err();
    assert_alert(failure, Side::Server, A::NoApplicationProtocol);
    assert_eq!(A::NoApplicationProtocol.code(), 120);
    let reason = failure.error.to_string();
    assert_eq!(
        reason,
        "no_application_protocol: the client offers only the application protocols h2 (ALPN); \
         this server speaks http/1.1 (RFC 7301 3.2)"
    );
    // Refused at the ClientHello: no ServerHello was sent.
    assert!(report.value_of(Side::Server, "server_random").is_none());
}

#[test]
fn with_alpn_optional_the_server_goes_on_without_answering() {
    let report = alpn_run(&["h2"], &["http/1.1"], true);
    assert!(report.outcome.is_ok(), "{:?}", report.outcome.err());
    assert_eq!(report.client.alpn_protocol(), None);
    assert_eq!(report.server.alpn_protocol(), None);
    let trace = text(&report, Lang::En);
    assert!(
        trace.contains("ALPN is optional here, so the ServerHello carries no ALPN extension"),
        "{trace}"
    );
    assert!(
        trace.contains("the server does not answer our ALPN offer"),
        "{trace}"
    );
}

#[test]
fn a_server_without_protocols_reads_the_offer_and_does_not_answer() {
    // The simulator's own server speaks no protocol by name.
    let report = alpn_run(&["h2", "http/1.1"], &[], false);
    assert!(report.outcome.is_ok());
    assert_eq!(report.client.alpn_protocol(), None);
    let trace = text(&report, Lang::En);
    assert!(
        trace.contains("this server speaks no application protocol by name"),
        "{trace}"
    );
}

#[test]
fn our_client_refuses_to_send_an_empty_protocol_name() {
    let options = Options::default();
    let mut client = simulate::demo_client(&options).unwrap();
    client.config_mut().alpn_protocols = vec!["h2".into(), String::new()];
    let server = simulate::demo_server(&options).unwrap();
    let mut sim = Simulation::new(client, server);
    let failure = sim.client(|c, w| c.send_hello(w)).unwrap_err();
    assert!(
        matches!(failure.error, Error::Config(_)),
        "{}",
        failure.error
    );
    assert!(sim.wire.flows.is_empty(), "nothing went on the wire");
}

#[test]
fn without_alpn_the_client_hello_is_unchanged() {
    // No ALPN unless asked: the golden transcripts hold every byte; here, the extension list.
    let report = simulate::run(&Options::default()).unwrap();
    let trace = text(&report, Lang::En);
    assert!(!trace.contains("application_layer_protocol_negotiation"));
    assert!(!trace.contains("ALPN"));
}

// ---- real peers ----

/// `tls12-sim serve` without `--once`, on a free port, with `extra` flags.
fn serve_many(extra: &[&str]) -> (Running, String) {
    let mut command = Command::new(BIN);
    command.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--read-timeout-ms",
        "3000",
    ]);
    command.args(extra);
    let mut server = Running::spawn(command);
    let line = server.wait_for("listening on ", Duration::from_secs(10));
    let address = line.trim_start_matches("listening on ").trim().to_string();
    (server, address)
}

/// Runs a peer to the end, its standard input closed; returns (success, stdout + stderr).
fn run(mut command: Command) -> (bool, String) {
    let out = command
        .stdin(Stdio::null())
        .output()
        .expect("the peer runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

#[test]
fn curl_negotiates_http_1_1_with_serve() {
    let Some(curl) = peer("curl") else {
        return;
    };
    let (mut server, address) = serve_many(&[]);
    let port = address.rsplit(':').next().unwrap().to_string();
    // curl's default over TLS 1.2 offers h2 and http/1.1; --http1.1 offers http/1.1 alone.
    let variants: [&[&str]; 2] = [&[], &["--http1.1"]];
    for (n, extra) in variants.into_iter().enumerate() {
        let mut command = Command::new(&curl);
        command.args(["-sv", "--max-time", "20", "--tlsv1.2", "--tls-max", "1.2"]);
        command.arg("--cacert").arg(demo_ca());
        command.args(["--resolve", &format!("localhost:{port}:127.0.0.1")]);
        command.args(extra);
        command.arg(format!("https://localhost:{port}/"));
        let (ok, said) = run(command);
        let what = format!("curl {extra:?}");
        assert!(ok, "{what}: {said}");
        let offer = if extra.is_empty() {
            "ALPN: offers h2,http/1.1"
        } else {
            "ALPN: offers http/1.1"
        };
        assert!(said.contains(offer), "{what}: {said}");
        assert!(
            said.contains("ALPN: server accepted http/1.1"),
            "{what}: {said}"
        );
        assert!(
            said.contains("application protocol:   http/1.1 (ALPN, RFC 7301)"),
            "{what}: {said}"
        );
        let line = server.wait_for(
            &format!("connection {} from", n + 1),
            Duration::from_secs(10),
        );
        assert!(line.ends_with("; ALPN http/1.1"), "{what}: {line}");
    }
}

/// `openssl s_client -alpn LIST` against `address`; returns (success, what it printed).
fn s_client_alpn(openssl: &std::path::Path, address: &str, alpn: &str) -> (bool, String) {
    let mut command = Command::new(openssl);
    command.args(["s_client", "-connect", address, "-tls1_2", "-alpn", alpn]);
    command.arg("-CAfile").arg(demo_ca());
    command.args(["-servername", "localhost", "-verify_return_error"]);
    run(command)
}

#[test]
fn openssl_s_client_alpn_against_serve() {
    let Some(openssl) = peer("openssl") else {
        return;
    };
    let (mut server, address) = serve_many(&["--trace"]);
    let (ok, said) = s_client_alpn(&openssl, &address, "h2,http/1.1");
    assert!(ok, "{said}");
    assert!(said.contains("ALPN protocol: http/1.1"), "{said}");
    let line = server.wait_for("connection 1 from", Duration::from_secs(10));
    assert!(line.ends_with("; ALPN http/1.1"), "{line}");
    // SNI: the server read the name s_client sent (RFC 6066 3).
    server.wait_for(
        "the client asks for host \"localhost\" (SNI)",
        Duration::from_secs(1),
    );

    // h2 alone: fatal no_application_protocol (120), which s_client names.
    let (ok, said) = s_client_alpn(&openssl, &address, "h2");
    assert!(!ok, "{said}");
    assert!(
        said.contains("no application protocol") || said.contains("alert number 120"),
        "{said}"
    );
    let line = server.wait_for("connection 2 from", Duration::from_secs(10));
    assert!(
        line.contains(
            "failed: no_application_protocol: the client offers only the application \
             protocols h2 (ALPN); this server speaks http/1.1 (RFC 7301 3.2)"
        ),
        "{line}"
    );
    server.finish(Duration::from_millis(100));

    // With --alpn-optional: no ALPN in the ServerHello, and the handshake completes.
    let (mut server, address) = serve_many(&["--alpn-optional"]);
    let (ok, said) = s_client_alpn(&openssl, &address, "h2");
    assert!(ok, "{said}");
    assert!(said.contains("No ALPN negotiated"), "{said}");
    let line = server.wait_for("connection 1 from", Duration::from_secs(10));
    assert!(
        line.contains("completed") && !line.contains("ALPN"),
        "{line}"
    );
}

/// `openssl s_server -alpn LIST` for one connection, on a free port; returns it and its
/// address.
fn s_server_alpn(openssl: &std::path::Path, alpn: &str) -> (Running, String) {
    let address = format!("127.0.0.1:{}", free_port());
    let mut command = Command::new(openssl);
    command.args(["s_server", "-accept", &address, "-tls1_2", "-naccept", "1"]);
    command.args(["-rev", "-alpn", alpn]);
    command
        .arg("-cert")
        .arg(demo_cert())
        .arg("-key")
        .arg(demo_key());
    let mut server = Running::spawn(command);
    server.wait_for("ACCEPT", Duration::from_secs(10));
    (server, address)
}

/// `tls12-sim connect --alpn LIST` (no `--alpn` when `alpn` is empty).
fn connect_alpn(address: &str, alpn: &str) -> (bool, String, String) {
    let ca = demo_ca();
    let mut args = vec![
        address,
        "--ca",
        ca.to_str().unwrap(),
        "--server-name",
        "localhost",
        "--send",
        "hello openssl",
        "--idle-ms",
        "500",
        "--timeout",
        "20",
    ];
    if !alpn.is_empty() {
        args.extend(["--alpn", alpn]);
    }
    connect(&args)
}

#[test]
fn connect_alpn_shows_the_choice_of_openssl_s_server() {
    let Some(openssl) = peer("openssl") else {
        return;
    };
    // s_server picks by its own order (RFC 7301 3.2): h2 first, then http/1.1.
    for (theirs, chosen) in [("h2,http/1.1", "h2"), ("http/1.1", "http/1.1")] {
        let (server, address) = s_server_alpn(&openssl, theirs);
        let (ok, stdout, stderr) = connect_alpn(&address, "h2,http/1.1");
        assert!(ok, "s_server -alpn {theirs}: {stderr}");
        assert_eq!(stdout.trim(), "lssnepo olleh", "the reply, reversed");
        assert!(
            stderr.contains(&format!("ALPN: the server chose {chosen}\n")),
            "s_server -alpn {theirs}: {stderr}"
        );
        server.finish(Duration::from_secs(2));
    }
    // Nothing in common: s_server refuses with no_application_protocol.
    let (server, address) = s_server_alpn(&openssl, "spdy/3");
    let (ok, _, stderr) = connect_alpn(&address, "h2,http/1.1");
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("the peer sent the alert no_application_protocol"),
        "{stderr}"
    );
    server.finish(Duration::from_secs(2));
    // No --alpn: no offer, so s_server has nothing to answer, and `connect` says nothing.
    let (server, address) = s_server_alpn(&openssl, "h2,http/1.1");
    let (ok, _, stderr) = connect_alpn(&address, "");
    assert!(ok && !stderr.contains("ALPN"), "{stderr}");
    server.finish(Duration::from_secs(2));
}

/// Headless Chromium loads `url` and prints the page as it rendered it (`--dump-dom`).
fn chromium_page(chromium: &std::path::Path, url: &str) -> String {
    let profile = common::peers::tempdir("chromium-alpn-profile");
    let mut command = Command::new(chromium);
    command.args([
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
        "--dump-dom",
        url,
    ]);
    let out = command.stderr(Stdio::null()).output().unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn chromium_gets_http_1_1_and_sees_the_choice() {
    let Some(chromium) = peer("chromium") else {
        return;
    };
    let (mut server, address) = serve_many(&[]);
    let port = address.rsplit(':').next().unwrap();
    let page = chromium_page(&chromium, &format!("https://localhost:{port}/"));
    // Its offer (h2 and http/1.1), the server's choice, and its own HTTP/1.1 request, all on
    // the page of its connection.
    for needle in [
        "application_layer_protocol_negotiation",
        "protocol_name_list",
        "the client offers the application protocols h2, http/1.1 (ALPN, RFC 7301 3.1)",
        "chooses the application protocol http/1.1",
        "HeadlessChrome",
        "HTTP/1.1",
    ] {
        assert!(page.contains(needle), "missing {needle:?} on the page");
    }
    let line = server.wait_for("; ALPN http/1.1", Duration::from_secs(10));
    assert!(line.contains("completed"), "{line}");
}
