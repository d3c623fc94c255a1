//! `simulate --format mermaid` (src/render/mermaid.rs): the sequence diagram of the run the binary
//! actually made. Each run's diagram is checked here for what that run must and must not show
//! (RFC 5246 7.3: ServerKeyExchange only in ECDHE; CertificateRequest, the client's Certificate
//! and CertificateVerify only in mutual TLS; where private keys are used; protection after
//! ChangeCipherSpec; which side failed), then every diagram goes through mermaid's own parser,
//! all in one node process (tests/js/parse-mermaid.mjs, with the mermaid that
//! tests/js/package-lock.json pins).

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread;

use common::peers::{BIN, manifest, peer};
use tls12_sim::event::{Event, Key};
use tls12_sim::messages::alert::{AlertDescription, AlertLevel};
use tls12_sim::phrase;
use tls12_sim::render::render_mermaid;
use tls12_sim::rng::Side;
use tls12_sim::suites::{CipherSuite, KeyExchange};

/// One `tls12-sim simulate --format mermaid` run.
struct Run {
    args: Vec<String>,
    diagram: String,
    succeeded: bool,
}

impl Run {
    fn has(&self, text: &str) -> bool {
        self.diagram.contains(text)
    }

    fn arrows(&self) -> Vec<&str> {
        self.diagram
            .lines()
            .map(str::trim)
            .filter(|line| is_arrow(line))
            .collect()
    }
}

fn is_arrow(line: &str) -> bool {
    line.starts_with("Client-") || line.starts_with("Server-")
}

fn simulate(args: &[&str]) -> Run {
    let output = Command::new(BIN)
        .args(["simulate", "--format", "mermaid"])
        .args(args)
        .output()
        .expect("run tls12-sim");
    Run {
        args: args.iter().map(|a| a.to_string()).collect(),
        diagram: String::from_utf8(output.stdout).expect("UTF-8 diagram"),
        succeeded: output.status.success(),
    }
}

/// The demo clients the server refuses, and the alert each gets (tests/mtls.rs has the why).
const REFUSED: [(&str, &str); 4] = [
    ("bob", "certificate_expired"),
    ("carol", "certificate_revoked"),
    ("mallory", "unknown_ca"),
    ("none", "handshake_failure"),
];

/// The suites drawn: the four GCM ones and two CBC ones (one of each key exchange; the CBC
/// suites draw the same diagram as their GCM siblings, under another name).
fn suites() -> Vec<CipherSuite> {
    let mut suites = CipherSuite::GCM.to_vec();
    suites.extend([
        CipherSuite::RsaAes128CbcSha,
        CipherSuite::EcdheRsaAes256CbcSha384,
    ]);
    suites
}

/// Every suite drawn ([`suites`]), without and with mutual TLS (alice), then every refused
/// client: the diagrams of all the runs the CLI can make with the demo PKI. Made once, shared by
/// the tests.
fn runs() -> &'static [Run] {
    static RUNS: OnceLock<Vec<Run>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let mut runs = Vec::new();
        for suite in suites() {
            runs.push(simulate(&["--suite", suite.name()]));
            runs.push(simulate(&["--suite", suite.name(), "--mtls"]));
        }
        for (client, _) in REFUSED {
            runs.push(simulate(&["--mtls", "--client", client]));
        }
        let ecdhe = CipherSuite::EcdheRsaAes256GcmSha384.name();
        runs.push(simulate(&["--suite", ecdhe, "--mtls", "--client", "bob"]));
        runs.push(simulate(&["--resume", "id"]));
        runs.push(simulate(&[
            "--suite", ecdhe, "--mtls", "--resume", "ticket",
        ]));
        runs
    })
}

fn run_with(args: &[&str]) -> &'static Run {
    runs()
        .iter()
        .find(|run| run.args == args)
        .unwrap_or_else(|| panic!("no run with {args:?}"))
}

#[test]
fn each_suite_draws_its_own_key_exchange() {
    for suite in suites() {
        let run = run_with(&["--suite", suite.name()]);
        let d = &run.diagram;
        assert!(run.succeeded, "{d}");
        assert!(d.starts_with("sequenceDiagram\n"), "{d}");
        assert!(run.has(&format!("title TLS 1.2 handshake, {}", suite.name())));
        // The handshake of RFC 5246 7.3 without client authentication, in wire order.
        let names: Vec<&str> = run
            .arrows()
            .iter()
            .filter_map(|arrow| arrow.split(": ").nth(1))
            .map(|text| text.split(" (").next().unwrap_or(text))
            .collect();
        let mut expected = vec!["ClientHello", "ServerHello", "Certificate"];
        if suite.key_exchange() == KeyExchange::Ecdhe {
            expected.push("ServerKeyExchange");
        }
        expected.extend([
            "ServerHelloDone",
            "ClientKeyExchange",
            "ChangeCipherSpec",
            "Finished",
            "ChangeCipherSpec",
            "Finished",
            "application data",
            "application data",
            "Alert close_notify",
            "Alert close_notify",
        ]);
        assert_eq!(names, expected, "{d}");
        match suite.key_exchange() {
            KeyExchange::Rsa => {
                assert!(
                    run.has("Note over Server: no ServerKeyExchange - RSA key exchange"),
                    "{d}"
                );
                assert!(run.has(
                    "Note over Server: server private key, used to RSA-decrypt the pre-master secret"
                ));
                assert!(
                    run.has("ClientKeyExchange (pre-master encrypted with the server public key)")
                );
            }
            KeyExchange::Ecdhe => {
                assert!(!run.has("no ServerKeyExchange"), "{d}");
                assert!(run.has(
                    "Note over Server: server private key, used to sign the ServerKeyExchange"
                ));
                assert!(!run.has("RSA-decrypt"), "{d}");
            }
        }
        // Without mutual TLS the optional client messages are notes, not arrows.
        assert!(run.has("Note over Server: no CertificateRequest"), "{d}");
        assert!(
            run.has("Note over Client: no client Certificate, no CertificateVerify"),
            "{d}"
        );
        assert!(!run.has("client private key"), "{d}");
        assert!(!run.has("-x"), "a successful run has no fatal alert: {d}");
    }
}

#[test]
fn mutual_tls_draws_the_client_certificate_and_its_signature() {
    for suite in suites() {
        let run = run_with(&["--suite", suite.name(), "--mtls"]);
        let d = &run.diagram;
        assert!(run.succeeded, "{d}");
        for arrow in [
            "Server->>Client: CertificateRequest",
            "Client->>Server: Certificate (client chain, public key)",
            "Client->>Server: CertificateVerify",
        ] {
            assert!(run.has(arrow), "{arrow} missing: {d}");
        }
        // The client's private key signs, just before the CertificateVerify it makes.
        let sign = d
            .find("Note over Client: client private key, used to sign the handshake messages")
            .expect("client private key note");
        let verify = d.find("Client->>Server: CertificateVerify").unwrap_or(0);
        assert!(sign < verify, "{d}");
        assert!(!run.has("no CertificateRequest"), "{d}");
        assert!(!run.has("no CertificateVerify"), "{d}");
        assert!(!run.has("no client Certificate"), "{d}");
    }
}

#[test]
fn records_after_change_cipher_spec_sit_in_rect_blocks() {
    for suite in suites() {
        for mtls in [false, true] {
            let mut args = vec!["--suite", suite.name()];
            if mtls {
                args.push("--mtls");
            }
            let run = run_with(&args);
            let d = &run.diagram;
            // Which arrows a `rect` holds, and where each side's session keys take over.
            let mut rect = false;
            let mut sealed = Vec::new();
            let mut plain = Vec::new();
            for line in d.lines().map(str::trim) {
                if line.starts_with("rect ") {
                    assert!(!rect, "nested rect: {d}");
                    rect = true;
                } else if line == "end" {
                    assert!(rect, "end without rect: {d}");
                    rect = false;
                } else if is_arrow(line) && rect {
                    sealed.push(line);
                } else if is_arrow(line) {
                    plain.push(line);
                } else if rect {
                    panic!("a rect holds only protected arrows, not {line:?}: {d}");
                }
            }
            assert!(!rect, "unclosed rect: {d}");
            assert!(plain.iter().all(|a| !a.contains("Finished")), "{d}");
            assert!(plain.iter().any(|a| a.contains("ChangeCipherSpec")), "{d}");
            assert!(
                sealed.iter().all(|a| !a.contains("ChangeCipherSpec")),
                "{d}"
            );
            assert_eq!(sealed.iter().filter(|a| a.contains("Finished")).count(), 2);
            assert_eq!(
                sealed
                    .iter()
                    .filter(|a| a.contains("application data"))
                    .count(),
                2
            );
            assert_eq!(
                sealed.len(),
                6,
                "Finished, data and close_notify both ways: {d}"
            );
            for side in ["client", "server"] {
                let marker = format!("{side}_write_key protects every record {side} sends");
                assert!(run.has(&marker), "{marker}: {d}");
            }
            assert!(
                run.has("Note over Client,Server: handshake complete"),
                "{d}"
            );
        }
    }
}

#[test]
fn refused_clients_end_with_the_servers_alert() {
    for (client, alert) in REFUSED {
        let run = run_with(&["--mtls", "--client", client]);
        let d = &run.diagram;
        assert!(!run.succeeded, "{client} should be refused: {d}");
        let arrows = run.arrows();
        assert_eq!(
            arrows.last().copied(),
            Some(format!("Server-xClient: Alert fatal {alert}").as_str()),
            "{d}"
        );
        assert!(
            d.trim_end()
                .lines()
                .last()
                .is_some_and(|l| l.contains("Note over Server: the server fails here - ")),
            "the last line says which side failed: {d}"
        );
        // The client's whole flight went out before the server read its Certificate.
        assert!(run.has("Client->>Server: Finished"), "{d}");
        assert!(!run.has("application data"), "{d}");
        assert!(!run.has("handshake complete"), "{d}");
        // The server refused before it decrypted anything with its private key.
        assert!(!run.has("server private key"), "{d}");
        if client == "none" {
            assert!(run.has("Certificate (empty, the client has none)"), "{d}");
            assert!(run.has("Note over Client: no CertificateVerify"), "{d}");
        } else {
            assert!(run.has("Client->>Server: CertificateVerify"), "{d}");
            assert!(run.has("Note over Client: client private key"), "{d}");
        }
    }
    // With ECDHE the server's private key signed its ServerKeyExchange before it refused bob.
    let ecdhe = CipherSuite::EcdheRsaAes256GcmSha384.name();
    let run = run_with(&["--suite", ecdhe, "--mtls", "--client", "bob"]);
    assert!(!run.succeeded);
    assert!(run.has("server private key, used to sign the ServerKeyExchange"));
    assert!(run.has("Server-xClient: Alert fatal certificate_expired"));
}

#[test]
fn a_resumed_session_draws_the_abbreviated_handshake() {
    let ecdhe = CipherSuite::EcdheRsaAes256GcmSha384.name();
    for (args, how) in [
        (&["--resume", "id"][..], "session id"),
        (
            &["--suite", ecdhe, "--mtls", "--resume", "ticket"][..],
            "ticket",
        ),
    ] {
        let run = run_with(args);
        let d = &run.diagram;
        assert!(run.succeeded, "{d}");
        assert!(run.has("title TLS 1.2 abbreviated handshake"), "{d}");
        assert!(
            run.has(&format!("Note over Client,Server: resumed by {how}")),
            "{d}"
        );
        // RFC 5246 7.3: ServerHello, the server's ChangeCipherSpec and Finished first, then
        // the client's; no certificate, key exchange or private key anywhere.
        let arrows = run.arrows();
        assert_eq!(
            arrows[..6],
            [
                arrows[0],
                "Server->>Client: ServerHello (server_random, the same session_id - resumed)",
                "Server-->>Client: ChangeCipherSpec",
                "Server->>Client: Finished (verify_data over the handshake)",
                "Client-->>Server: ChangeCipherSpec",
                "Client->>Server: Finished (verify_data over the handshake)",
            ],
            "{d}"
        );
        for absent in ["Certificate", "KeyExchange", "ServerHelloDone"] {
            assert!(!arrows.iter().any(|a| a.contains(absent)), "{absent}: {d}");
        }
        assert!(!run.has("private key, used"), "{d}");
    }
}

/// Events whose text holds every character mermaid cares about, and empty text.
fn awkward_events() -> Vec<Event> {
    let message = |name: &str| Event::Message {
        side: Side::Client,
        from: Side::Client,
        name: name.into(),
        rfc: "",
        bytes: Vec::new(),
        fields: Vec::new(),
    };
    vec![
        message("odd; #name: <b>bold</b> %% end"),
        message(""),
        Event::KeyUse {
            side: Side::Client,
            key: Key::SessionKeys,
            operation: phrase!(""),
        },
        Event::Alert {
            side: Side::Server,
            from: Side::Server,
            level: AlertLevel::Fatal,
            description: AlertDescription::DecodeError,
        },
        Event::Failure {
            side: Side::Server,
            error: phrase!("{}: {}", "decode_error", "a;b#c:d<e>f\nnext line"),
            reason: phrase!("{}", "a;b#c:d<e>f\nnext line"),
        },
    ]
}

#[test]
fn every_diagram_parses_with_mermaid() {
    let Some(node) = mermaid_parser() else {
        return;
    };
    let mut diagrams: Vec<(String, String)> = runs()
        .iter()
        .map(|run| (run.args.join(" "), run.diagram.clone()))
        .collect();
    diagrams.extend(recorded_diagrams());
    diagrams.push(("no events".into(), render_mermaid(&[])));
    diagrams.push(("awkward text".into(), render_mermaid(&awkward_events())));

    let input: String = diagrams
        .iter()
        .map(|(_, diagram)| format!("{diagram}%%END%%\n"))
        .collect();
    let (ok, lines) = parse_with_mermaid(&node, &input);
    assert!(ok, "mermaid refused a diagram:\n{}", lines.join("\n"));
    assert_eq!(lines.len(), diagrams.len(), "{lines:?}");

    for ((name, diagram), line) in diagrams.iter().zip(&lines) {
        let parsed: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        assert_eq!(parsed["ok"], true, "{name}: {line}\n{diagram}");
        assert_eq!(parsed["type"], "sequence", "{name}");
        // No misspelt participant crept in, and every rect was closed.
        assert_eq!(
            parsed["actors"],
            serde_json::json!(["Client", "Server"]),
            "{name}"
        );
        assert_eq!(parsed["openRects"], 0, "{name}");
        // No entity codes (`#59;`): mermaid parses them, but not every page draws them back.
        assert!(!diagram.contains('#'), "{name}: {diagram}");
        let ours = diagram.lines().filter(|l| is_arrow(l.trim())).count();
        let arrows = parsed["arrows"].as_array().map_or(0, Vec::len);
        assert_eq!(arrows, ours, "{name}: mermaid saw another number of arrows");
    }

    // What mermaid read is what we meant to say.
    let parsed =
        |i: usize| -> serde_json::Value { serde_json::from_str(&lines[i]).expect("JSON line") };
    let bob = runs()
        .iter()
        .position(|run| run.args == ["--mtls", "--client", "bob"])
        .expect("bob's run");
    assert_eq!(
        parsed(0)["arrows"][0]["text"],
        "ClientHello (client_random, cipher suites)"
    );
    let bob_notes = parsed(bob)["notes"].to_string();
    assert!(
        bob_notes.contains("expired at 2025-01-01T00:00:00Z"),
        "{bob_notes}"
    );
    let awkward = parsed(diagrams.len() - 1);
    assert_eq!(
        awkward["arrows"][0]["text"],
        "odd, name: ‹b›bold‹/b› %% end"
    );
    assert_eq!(awkward["arrows"][1]["text"], "(unnamed message)");
    assert_eq!(
        awkward["notes"]
            .as_array()
            .and_then(|n| n.last())
            .map(|n| n["text"].clone()),
        Some("the server fails here - a,bc:d‹e›f next line".into())
    );
}

/// Connections of the OpenSSL capture as `inspect --format mermaid` draws them: opened with the
/// key log (every message drawn), and with no key (the records after ChangeCipherSpec left out).
fn recorded_diagrams() -> Vec<(String, String)> {
    use tls12_sim::capture::{self, Keys};
    use tls12_sim::render::inspect::{Shown, render_mermaid as recorded};
    let dir = manifest("vectors/openssl-sessions");
    let file = capture::read_file(&dir.join("session.pcapng")).expect("the OpenSSL capture");
    let mut keys = Keys::default();
    let keylog = std::fs::read_to_string(dir.join("keylog.txt")).expect("keylog.txt");
    keys.keylog
        .add_text(&keylog, "keylog.txt")
        .expect("key log");
    let mut diagrams = Vec::new();
    for (name, keys) in [
        ("inspect --keylog", keys),
        ("inspect, no key", Keys::default()),
    ] {
        for connection in &file.connections {
            let inspected = capture::inspect(connection, &keys, true);
            let shown = Shown {
                connection,
                inspected: &inspected,
            };
            diagrams.push((format!("{name} #{}", connection.number), recorded(&shown)));
        }
    }
    diagrams
}

#[test]
fn the_mermaid_check_refuses_broken_diagrams() {
    let Some(node) = mermaid_parser() else {
        return;
    };
    let broken = [
        // `;` ends a statement in mermaid, leaving "b" as a statement of its own.
        "sequenceDiagram\n    Client->>Server: a; b\n",
        "sequenceDiagram\n    rect rgb(1, 2, 3)\n    Client->>Server: never closed\n",
        "sequenceDiagram\n    Client->>Server without text\n",
    ];
    let input: String = broken.iter().map(|d| format!("{d}%%END%%\n")).collect();
    let (ok, lines) = parse_with_mermaid(&node, &input);
    assert!(!ok, "mermaid accepted a broken diagram: {lines:?}");
    assert_eq!(lines.len(), broken.len(), "{lines:?}");
    for (diagram, line) in broken.iter().zip(&lines) {
        assert!(
            line.contains("\"ok\":false"),
            "accepted {diagram:?}: {line}"
        );
    }
}

/// Runs tests/js/parse-mermaid.mjs on `input`: whether it exited 0, and its JSON lines.
fn parse_with_mermaid(node: &PathBuf, input: &str) -> (bool, Vec<String>) {
    let mut child = Command::new(node)
        .arg(manifest("tests/js/parse-mermaid.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    let mut stdin = child.stdin.take().expect("node's stdin");
    let input = input.to_string();
    let writer = thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("node's output");
    writer.join().expect("writer").expect("write to node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    }
    (
        output.status.success(),
        stdout.lines().map(str::to_string).collect(),
    )
}

/// node, when mermaid is installed in tests/js/node_modules; None (with SKIPPED printed) when
/// either is missing, a failure instead when TLS12SIM_REQUIRE_PEERS=1, as for the other peers.
fn mermaid_parser() -> Option<PathBuf> {
    let node = peer("node")?;
    let installed = ["mermaid", "jsdom"].iter().all(|package| {
        manifest(&format!("tests/js/node_modules/{package}/package.json")).is_file()
    });
    if installed {
        return Some(node);
    }
    if std::env::var("TLS12SIM_REQUIRE_PEERS").is_ok_and(|v| v == "1") {
        panic!("tests/js/node_modules is required (TLS12SIM_REQUIRE_PEERS=1) but is not installed");
    }
    eprintln!(
        "SKIPPED: tests/js/node_modules is not installed (./scripts/install-test-deps.sh installs it)"
    );
    None
}
