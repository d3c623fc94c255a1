//! `tls12-sim inspect` on the real OpenSSL capture of `vectors/openssl-sessions/` (six
//! connections, s_client against s_server, made by its `capture.sh`): the capture is read and
//! reassembled with our code, each connection's two byte streams are exactly the records
//! `verify_sessions.py` took from it with tshark, and the observer opens what each key opens,
//! verifies both Finished and reads the application data OpenSSL sent.

use std::process::Command;

use serde_json::Value;
use tls12_sim::capture::{self, Keys};
use tls12_sim::keylog::KeyLog;
use tls12_sim::observer::Opener;
use tls12_sim::pki;
use tls12_sim::rng::Side;

const BIN: &str = env!("CARGO_BIN_EXE_tls12-sim");
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/openssl-sessions");

fn sessions() -> Vec<Value> {
    let doc: Value =
        serde_json::from_str(include_str!("../vectors/openssl-sessions/sessions.json")).unwrap();
    doc["sessions"].as_array().unwrap().clone()
}

/// What `dir` sent in `session`, as tshark saw the records.
fn stream(session: &Value, dir: &str) -> Vec<u8> {
    session["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["dir"] == dir)
        .flat_map(|r| hex::decode(r["raw"].as_str().unwrap()).unwrap())
        .collect()
}

fn capture() -> capture::Capture {
    capture::read_file(&std::path::Path::new(DIR).join("session.pcapng")).unwrap()
}

fn keylog() -> KeyLog {
    let mut log = KeyLog::new();
    log.add_text(
        include_str!("../vectors/openssl-sessions/keylog.txt"),
        "keylog.txt",
    )
    .unwrap();
    log
}

fn run(args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("inspect")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "inspect {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_reassembled_streams_are_the_records_tshark_saw() {
    let capture = capture();
    assert_eq!(capture.format, capture::Format::PcapNg);
    let sessions = sessions();
    assert_eq!(capture.connections.len(), sessions.len());
    for (connection, session) in capture.connections.iter().zip(&sessions) {
        assert_eq!(
            connection.number as u64,
            session["tcp_stream"].as_u64().unwrap()
        );
        assert_eq!(connection.server.port(), 44360);
        assert_eq!(connection.stream(Side::Client), stream(session, "c2s"));
        assert_eq!(connection.stream(Side::Server), stream(session, "s2c"));
        assert!(capture::looks_like_tls(connection));
        assert!(connection.notes.is_empty(), "{:?}", connection.notes);
    }
}

#[test]
fn the_key_log_opens_every_session_and_both_finished_verify() {
    let capture = capture();
    let keys = Keys {
        keylog: keylog(),
        server_key: None,
    };
    for (connection, session) in capture.connections.iter().zip(sessions()) {
        let seen = capture::inspect(connection, &keys, false).observation;
        assert_eq!(seen.opened_by, Some(Opener::KeyLog));
        assert!(seen.finished_verified(), "{}", connection.number);
        assert_eq!(seen.unreadable_records, 0);
        assert_eq!(
            seen.suite.unwrap().name(),
            session["cipher_suite"].as_str().unwrap()
        );
        assert_eq!(
            hex::encode(seen.master_secret.unwrap()),
            session["master_secret"].as_str().unwrap()
        );
        let texts: Vec<Value> = seen
            .application_data
            .iter()
            .map(|(_, d)| Value::from(String::from_utf8_lossy(d).into_owned()))
            .collect();
        assert_eq!(&Value::from(texts), &session["application_data_plaintexts"]);
    }
}

#[test]
fn the_server_key_opens_rsa_and_forward_secrecy_keeps_ecdhe_shut() {
    let capture = capture();
    let key =
        pki::load_private_key_pem(include_str!("../vectors/openssl-sessions/server.key")).unwrap();
    let keys = Keys {
        keylog: KeyLog::new(),
        server_key: Some(key),
    };
    for (connection, session) in capture.connections.iter().zip(sessions()) {
        let seen = capture::inspect(connection, &keys, false).observation;
        if session["cipher_suite"]
            .as_str()
            .unwrap()
            .starts_with("TLS_RSA_")
        {
            assert_eq!(seen.opened_by, Some(Opener::ServerPrivateKey));
            assert!(seen.finished_verified());
            assert_eq!(
                seen.pre_master_secret.map(hex::encode),
                session["pre_master_secret"].as_str().map(str::to_string)
            );
        } else {
            assert_eq!(seen.opened_by, None);
            assert!(
                seen.not_opened
                    .unwrap()
                    .to_string()
                    .contains("forward secrecy")
            );
            assert!(seen.application_data.is_empty());
            // The signature is checked even so: the certificate is public.
            assert_eq!(seen.server_key_exchange_signature_ok, Some(true));
        }
    }
}

#[test]
fn the_list_names_every_connection_and_what_opens_it() {
    let capture = format!("{DIR}/session.pcapng");
    let none = run(&[&capture]);
    assert!(none.contains("6 TCP connections, 6 of them TLS (recorded, not simulated)"));
    assert!(none.contains("keys: none"));
    assert_eq!(
        none.matches("not opened: the observer holds no key")
            .count(),
        6
    );
    assert!(none.contains("#2   127.0.0.1:37352 -> 127.0.0.1:44360  TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, SNI localhost, extended master secret"), "{none}");
    let by_key = run(&[&capture, "--key", &format!("{DIR}/server.key")]);
    assert_eq!(by_key.matches("both Finished verified").count(), 3);
    assert_eq!(by_key.matches("forward secrecy").count(), 3);
    let by_log = run(&[&capture, "--keylog", &format!("{DIR}/keylog.txt")]);
    assert_eq!(by_log.matches("both Finished verified").count(), 6);
    let ja = run(&[
        &capture,
        "--keylog",
        &format!("{DIR}/keylog.txt"),
        "--lang",
        "ja",
    ]);
    assert_eq!(ja.matches("両方の Finished を検証できた").count(), 6);
}

#[test]
fn one_connection_in_every_format_is_marked_recorded() {
    let capture = format!("{DIR}/session.pcapng");
    let keylog = format!("{DIR}/keylog.txt");
    let text = run(&[&capture, "--keylog", &keylog, "--stream", "2"]);
    assert!(text.starts_with("tls12-sim inspect: connection 2 of"));
    assert!(text.contains("RECORDED, NOT SIMULATED"));
    assert!(text.contains("[ok  ] server checks the client Finished"));
    assert!(text.contains("[ok  ] client checks the server Finished"));
    assert!(text.contains(
        "client writes application data (29 bytes): \"hello from ecdhe-aes128-mtls\\n\""
    ));
    let json: Value = serde_json::from_str(&run(&[
        &capture, "--keylog", &keylog, "--stream", "2", "--format", "json",
    ]))
    .unwrap();
    assert_eq!(json["format"], "tls12-sim-trace");
    assert_eq!(json["run"]["recorded"], true);
    assert_eq!(json["run"]["finished_verified"], true);
    assert_eq!(json["run"]["opened_by"], "KeyLog");
    let mermaid = run(&[
        &capture, "--keylog", &keylog, "--stream", "2", "--format", "mermaid",
    ]);
    assert!(mermaid.contains("title Recorded, not simulated: TLS 1.2 handshake"));
    assert!(mermaid.contains("Client->>Server: ClientKeyExchange"));
    let html = run(&[
        &capture, "--keylog", &keylog, "--stream", "2", "--format", "html", "--lang", "ja",
    ]);
    assert!(html.contains("記録であって、シミュレーションではない"));
    let all: Value = serde_json::from_str(&run(&[
        &capture,
        "--key",
        &format!("{DIR}/server.key"),
        "--stream",
        "all",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(all["connections"].as_array().unwrap().len(), 6);
}

#[test]
fn bad_arguments_are_named() {
    let capture = format!("{DIR}/session.pcapng");
    let out = Command::new(BIN)
        .args(["inspect", &capture, "--stream", "9"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--stream 9") && err.contains("0, 1, 2, 3, 4, 5"),
        "{err}"
    );
    let out = Command::new(BIN)
        .args(["inspect", &capture, "--format", "html"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("choose it with --stream N"));
}

mod common;
use common::peers::{connect, peer, sent_by, serve_on_a_free_port, tempdir, tshark_follow};
use std::time::Duration;
use tls12_sim::suites::CipherSuite;

#[test]
fn serve_and_connect_record_captures_that_inspect_and_tshark_open_unaided() {
    let dir = tempdir("pcap");
    let served = dir.join("serve.pcapng");
    let (mut server, address) = serve_on_a_free_port(&["--pcap", served.to_str().unwrap()]);
    for (i, suite) in CipherSuite::ALL.iter().enumerate() {
        let pcap = dir.join(format!("connect-{i}.pcapng"));
        let text = format!("hello {}", suite.name());
        let (ok, stdout, stderr) = connect(&[
            &address,
            "--suite",
            suite.name(),
            "--server-name",
            "localhost",
            "--send",
            &text,
            "--idle-ms",
            "300",
            "--pcap",
            pcap.to_str().unwrap(),
        ]);
        assert!(ok, "{stderr}");
        assert_eq!(stdout.trim(), text);
        let capture = capture::read_file(&pcap).unwrap();
        assert_eq!(capture.secrets.len(), 1, "the key log line is in the file");
        let keys = Keys {
            keylog: capture.secrets.clone(),
            server_key: None,
        };
        let seen = capture::inspect(&capture.connections[0], &keys, false).observation;
        assert!(seen.finished_verified(), "connect --pcap, {}", suite.name());
        assert_eq!(sent_by(&seen, Side::Client), format!("{text}\n").as_bytes());
        server.wait_for(
            &format!("connection {} from", i + 1),
            Duration::from_secs(10),
        );
    }
    let capture = capture::read_file(&served).unwrap();
    assert_eq!(capture.connections.len(), CipherSuite::ALL.len());
    let tshark = peer("tshark");
    let keys = Keys {
        keylog: capture.secrets.clone(),
        server_key: None,
    };
    for (connection, suite) in capture.connections.iter().zip(CipherSuite::ALL) {
        let seen = capture::inspect(connection, &keys, false).observation;
        assert_eq!(seen.suite, Some(suite));
        assert!(seen.finished_verified(), "serve --pcap, {}", suite.name());
        if let Some(tshark) = &tshark {
            // tshark finds the keys in the file itself, as inspect does.
            // Only the port is named, no key: it is the server's port, not a guess.
            let tls = [(connection.server.port(), "tls")];
            let number = connection.number;
            let (client, server) = tshark_follow(tshark, &served, None, &[number], &tls)
                .remove(&number)
                .unwrap_or_default();
            assert_eq!(client, sent_by(&seen, Side::Client), "{}", suite.name());
            assert_eq!(server, sent_by(&seen, Side::Server), "{}", suite.name());
            assert!(!server.is_empty());
            if suite != CipherSuite::EcdheRsaAes256CbcSha {
                continue;
            }
            // The unlucky case, made to happen (once, it did by chance, for this suite): the
            // client's ephemeral port is one tshark gives to IRC. Naming the server's port as
            // TLS still decodes it.
            let unlucky = [(connection.client.port(), "irc"), tls[0]];
            let (client_again, server_again) =
                tshark_follow(tshark, &served, None, &[number], &unlucky)
                    .remove(&number)
                    .unwrap_or_default();
            assert_eq!(client_again, client, "{}, client port as IRC", suite.name());
            assert_eq!(server_again, server, "{}, client port as IRC", suite.name());
        }
    }
}

#[test]
fn the_load_generator_records_every_connection_it_makes() {
    // A small version of scripts/inspect-figures.sh: load --pcap against serve.
    let dir = tempdir("load-pcap");
    let (_server, address) = serve_on_a_free_port(&[]);
    let pcap = dir.join("load.pcapng");
    let out = Command::new(BIN)
        .args([
            "load",
            &address,
            "--server-name",
            "localhost",
            "--connections",
            "12",
        ])
        .args(["--concurrency", "3", "--pcap", pcap.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let listing = run(&[pcap.to_str().unwrap()]);
    assert!(
        listing.contains("12 TCP connections, 12 of them TLS"),
        "{listing}"
    );
    assert!(
        listing
            .contains("the capture's own key log, in its Decryption Secrets Blocks (12 sessions)")
    );
    assert_eq!(listing.matches("both Finished verified").count(), 12);
}

/// A class's own capture with resumption in it: `serve --pcap` while `connect --reconnect`
/// resumes by ticket, then by session id. `inspect` names the connection each resumed one
/// takes up, with keys and without; with a key log holding only the full handshakes' lines,
/// each resumed connection opens with its full handshake's master secret.
#[test]
fn inspect_links_each_resumed_connection_to_the_full_handshake_it_takes_up() {
    let dir = tempdir("linked");
    let (served, keylog) = (dir.join("serve.pcapng"), dir.join("serve.keys"));
    let (mut server, address) = serve_on_a_free_port(&[
        "--pcap",
        served.to_str().unwrap(),
        "--keylog",
        keylog.to_str().unwrap(),
    ]);
    let base = [&address, "--server-name", "localhost", "--send", "hi"];
    // Connections 0, 1, 2: a full handshake, two resumed by ticket. 3, 4: by session id.
    for (extra, resumed) in [
        (&["--reconnect", "2"][..], "resumed (ticket)"),
        (
            &["--reconnect", "1", "--no-tickets"][..],
            "resumed (session id)",
        ),
    ] {
        let args: Vec<&str> = base.iter().copied().chain(extra.iter().copied()).collect();
        let (ok, _, stderr) = connect(&args);
        assert!(ok && stderr.contains(resumed), "{stderr}");
    }
    server.wait_for("connection 5 from", Duration::from_secs(10));
    drop(server);

    let file = served.to_str().unwrap();
    let listed = Command::new(BIN).args(["inspect", file]).output().unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    let takes_up = |n: usize| format!("no key exchange; it takes up the session of connection {n}");
    assert_eq!(listed.matches(&takes_up(0)).count(), 2, "{listed}");
    assert_eq!(listed.matches(&takes_up(3)).count(), 1, "{listed}");
    assert_eq!(
        listed.matches("both Finished verified").count(),
        5,
        "{listed}"
    );
    let json = Command::new(BIN)
        .args(["inspect", file, "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    let resumes: Vec<Value> = (json["connections"].as_array().unwrap().iter())
        .map(|c| c["run"]["resumes"].clone())
        .collect();
    let expected = [Value::Null, 0.into(), 0.into(), Value::Null, 3.into()];
    assert_eq!(resumes, expected);

    // Without keys the link is still seen (by the ticket and the session_id in the clear).
    let capture = capture::read_file(&served).unwrap();
    let no_keys = Keys {
        keylog: KeyLog::new(),
        server_key: None,
    };
    let mut earlier = tls12_sim::observer::EarlierSessions::default();
    for (connection, resumes) in capture.connections.iter().zip(expected.iter()) {
        let seen = capture::inspect_linked(connection, &no_keys, &mut earlier, false).observation;
        assert_eq!(
            seen.resumes.map(Value::from).unwrap_or(Value::Null),
            *resumes
        );
        assert!(seen.opened_by.is_none());
        if seen.resumed {
            let why = seen.not_opened.unwrap().to_string();
            assert!(why.contains("that connection was not opened"), "{why}");
        }
    }
    // A key log of the full handshakes alone (serve wrote a line for each connection, in
    // order): the resumed ones open by their full handshake's master secret.
    let lines: Vec<String> = std::fs::read_to_string(&keylog)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    let mut full_only = KeyLog::new();
    full_only
        .add_text(&format!("{}\n{}\n", lines[0], lines[3]), "full handshakes")
        .unwrap();
    let keys = Keys {
        keylog: full_only,
        server_key: None,
    };
    let mut earlier = tls12_sim::observer::EarlierSessions::default();
    for (connection, resumes) in capture.connections.iter().zip(expected.iter()) {
        let seen = capture::inspect_linked(connection, &keys, &mut earlier, false).observation;
        assert!(seen.finished_verified(), "connection {}", connection.number);
        let opener = match resumes.as_u64() {
            Some(full) => Opener::EarlierSession(full as usize),
            None => Opener::KeyLog,
        };
        assert_eq!(
            seen.opened_by,
            Some(opener),
            "connection {}",
            connection.number
        );
    }
}

/// Wrong keys are named as wrong, never taken for success: another RSA key (the OpenSSL
/// client's) is not the server's; a master secret with one byte changed opens nothing; a key
/// log cut short in its last line (a browser still writing it) still opens every session; a
/// capture given as the key log is refused with what it is.
#[test]
fn wrong_keys_are_named_as_wrong() {
    let file = format!("{DIR}/session.pcapng");
    let listed = run(&[&file, "--key", &format!("{DIR}/client.key")]);
    assert!(!listed.contains("opened with"), "{listed}");
    assert_eq!(
        listed
            .matches("is not the one for this server's certificate")
            .count(),
        3,
        "the three RSA connections\n{listed}"
    );
    let dir = tempdir("wrong-keys");
    let text = include_str!("../vectors/openssl-sessions/keylog.txt");
    let first = text
        .lines()
        .find(|l| l.starts_with("CLIENT_RANDOM"))
        .unwrap();
    let mut changed = first.to_string();
    let last = changed.pop().unwrap();
    changed.push(if last == '0' { '1' } else { '0' });
    let wrong = dir.join("wrong.keys");
    std::fs::write(&wrong, text.replacen(first, &changed, 1)).unwrap();
    let listed = run(&[&file, "--keylog", wrong.to_str().unwrap()]);
    assert!(
        listed.contains(
            "but the keys do NOT open this session: the session keys do not open the client's \
             first protected record"
        ),
        "{listed}"
    );
    assert_eq!(listed.matches("both Finished verified").count(), 5);
    let cut = dir.join("cut.keys");
    std::fs::write(&cut, format!("{text}CLIENT_RANDOM 0102")).unwrap();
    let listed = run(&[&file, "--keylog", cut.to_str().unwrap()]);
    assert!(
        listed.contains("1 lines that are not key log lines passed over"),
        "{listed}"
    );
    assert_eq!(listed.matches("both Finished verified").count(), 6);
    let out = Command::new(BIN)
        .args(["inspect", &file, "--keylog", &file])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("binary data, not a key log"),
        "{err}"
    );
    let ja = run(&[&file, "--stream", "0", "--lang", "ja"]);
    assert!(ja.contains("== 記録されたクライアントのフライト"), "{ja}");
}

/// A client that offers TLS 1.3 only gets no ServerHello from serve: the capture says so,
/// with the alert that ended it, in the list and in the diagram (the ClientHello drawn).
#[test]
fn a_handshake_without_a_server_hello_is_explained() {
    let Some(openssl) = peer("openssl") else {
        return;
    };
    let dir = tempdir("no-server-hello");
    let served = dir.join("serve.pcapng");
    let (mut server, address) = serve_on_a_free_port(&["--pcap", served.to_str().unwrap()]);
    let out = Command::new(openssl)
        .args(["s_client", "-connect", &address, "-tls1_3"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    server.wait_for("connection 1 from", Duration::from_secs(10));
    drop(server);
    let file = served.to_str().unwrap();
    let listed = run(&[file]);
    for said in [
        "packets): 1 TCP connection, TLS (recorded, not simulated)",
        "ClientHello only",
        "no ServerHello: the handshake ended before the server chose a version or a suite",
        "the client offered TLS 1.3 only",
        "the server sent the alert fatal protocol_version",
    ] {
        assert!(listed.contains(said), "{said}\n{listed}");
    }
    let diagram = run(&[file, "--stream", "0", "--format", "mermaid"]);
    assert!(
        diagram.contains("Client->>Server: ClientHello")
            && diagram.contains("Server-xClient: Alert fatal protocol_version"),
        "{diagram}"
    );
}

/// Mutual TLS in a real capture: the client's Certificate and CertificateVerify travel in the
/// clear, so the proof that the client holds its private key is checked without any key, as
/// OpenSSL's server checked it; one byte changed in the signature and it does not verify.
#[test]
fn the_clients_certificate_verify_is_checked_with_its_certificate() {
    let no_keys = Keys::default();
    for (connection, session) in capture().connections.iter().zip(sessions()) {
        let seen = capture::inspect(connection, &no_keys, false).observation;
        let expected = session["checks"]["client_certificate_verify_signature"].as_bool();
        assert_eq!(
            seen.certificate_verify_ok, expected,
            "{}",
            connection.number
        );
    }
    let listed = run(&[&format!("{DIR}/session.pcapng")]);
    assert_eq!(
        listed
            .matches("mutual TLS: the client's CertificateVerify verifies")
            .count(),
        4,
        "{listed}"
    );
    // Session 0 again, record by record as tshark read it, the signature's last byte changed.
    let session = &sessions()[0];
    let log = keylog();
    let mut observer = tls12_sim::observer::Observer::new(
        tls12_sim::observer::ObserverKey::KeyLog {
            keylog: &log,
            server_key: None,
        },
        false,
    );
    let mut changed = 0;
    for record in session["records"].as_array().unwrap() {
        let mut bytes = hex::decode(record["raw"].as_str().unwrap()).unwrap();
        let from = if record["dir"] == "c2s" {
            Side::Client
        } else {
            Side::Server
        };
        // A CertificateVerify in its own handshake record: 16 03 03 LL LL 0f ...
        if from == Side::Client && bytes[0] == 22 && bytes[5] == 15 {
            *bytes.last_mut().unwrap() ^= 1;
            changed += 1;
        }
        observer.feed(from, &bytes).unwrap();
    }
    assert_eq!(changed, 1);
    let (seen, _) = observer.finish();
    assert_eq!(seen.certificate_verify_ok, Some(false));
}

/// Connections that are not TLS are named in the list by their first bytes (a student's
/// capture holds more than TLS), and `--stream` on one says what it is instead of "no such".
#[test]
fn connections_that_are_not_tls_are_named_by_their_first_bytes() {
    use tls12_sim::capture::writer::{PcapWriter, Recording};
    let dir = tempdir("not-tls");
    let file = dir.join("mixed.pcapng");
    let server: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
    let writer = PcapWriter::create(&file).unwrap();
    let mut http = Recording::new("127.0.0.1:50001".parse().unwrap(), server);
    http.record(Side::Client, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    http.record(Side::Server, b"HTTP/1.1 200 OK\r\n\r\n");
    writer.add(&http, None).unwrap();
    let mut banner = Recording::new("127.0.0.1:50002".parse().unwrap(), server);
    banner.record(Side::Server, &[0, 1, 2, 0xff]);
    writer.add(&banner, None).unwrap();
    drop(writer);
    let path = file.to_str().unwrap();
    let listed = run(&[path]);
    assert!(
        listed.contains("#0   127.0.0.1:50001 -> 127.0.0.1:8080  not TLS: the client's first bytes are \"GET / HTTP/1.1\""),
        "{listed}"
    );
    assert!(
        listed
            .contains("not TLS: the client sent nothing; the server's first bytes are 00 01 02 ff"),
        "{listed}"
    );
    let out = Command::new(BIN)
        .args(["inspect", path, "--stream", "0"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("connection 0 of") && err.contains("is not TLS"),
        "{err}"
    );
}

/// `-` reads the capture from standard input (a compressed capture through zcat, a file
/// copied off another machine), and names it "standard input".
#[test]
fn a_capture_on_standard_input_is_read() {
    use std::io::Write as _;
    let mut child = Command::new(BIN)
        .args(["inspect", "-", "--keylog", &format!("{DIR}/keylog.txt")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = std::fs::read(format!("{DIR}/session.pcapng")).unwrap();
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{listed}");
    assert!(
        listed.starts_with("standard input (pcapng, 108 packets)"),
        "{listed}"
    );
    assert_eq!(listed.matches("both Finished verified").count(), 6);
}
