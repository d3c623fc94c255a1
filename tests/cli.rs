//! The command line as a user meets it: the default run, the formats, the labs, the PKI, the
//! quick benchmark, and clear errors with a non-zero exit.

mod common;

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_tls12-sim");

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_default_run_prints_the_whole_handshake() {
    let (ok, out, _) = run(&[]);
    assert!(ok);
    for needle in [
        "== client.send_hello()",
        "== server.answer_hello()",
        "== client.answer_server()",
        "== server.finish()",
        "== client.finish()",
        "ClientHello",
        "encrypted_pre_master_secret",
        "KEY server uses the server private key: RSA-decrypt the pre-master",
        "* client secret master_secret",
        "client_write_key",
        "Key ledger",
        "Result: handshake complete",
        "CLIENT_RANDOM",
    ] {
        assert!(out.contains(needle), "missing {needle:?}");
    }
}

#[test]
fn the_same_seed_prints_the_same_bytes() {
    let a = run(&["simulate", "--seed", "5", "--format", "json"]).1;
    let b = run(&["simulate", "--seed", "5", "--format", "json"]).1;
    assert_eq!(a, b);
    let json: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(json["format"], "tls12-sim-trace");
    assert_eq!(json["run"]["outcome"]["ok"], true);
    assert!(json["events"].as_array().unwrap().len() > 50);
}

#[test]
fn every_suite_and_mtls_runs() {
    for suite in [
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
    ] {
        let (ok, out, err) = run(&["simulate", "--suite", suite, "--mtls"]);
        assert!(ok, "{suite}: {err}");
        assert!(out.contains("CertificateVerify"), "{suite}");
    }
    let (ok, out, err) = run(&["simulate", "--mtls", "--client", "carol"]);
    assert!(!ok);
    assert!(out.contains("the handshake FAILED"));
    assert!(err.contains("certificate_revoked"), "{err}");
}

#[test]
fn keylog_file_is_appended() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tmp");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("cli-keylog-{}.txt", std::process::id()));
    let _ = std::fs::remove_file(&path);
    for seed in ["1", "2"] {
        assert!(
            run(&[
                "simulate",
                "--seed",
                seed,
                "--keylog",
                path.to_str().unwrap()
            ])
            .0
        );
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("CLIENT_RANDOM "))
            .count(),
        2
    );
}

#[test]
fn bad_arguments_fail_clearly() {
    let (ok, _, err) = run(&["simulate", "--suite", "TLS_CHACHA20"]);
    assert!(!ok);
    assert!(err.contains("unknown suite"), "{err}");
    let (ok, _, err) = run(&["lab", "nonsense"]);
    assert!(!ok);
    assert!(err.contains("no lab called"), "{err}");
    let (ok, _, err) = run(&[
        "serve",
        "--cert",
        "/no/such/file.pem",
        "--key",
        "/no/such/key.pem",
        "--once",
    ]);
    assert!(!ok);
    assert!(
        err.contains("--cert /no/such/file.pem: cannot be read"),
        "{err}"
    );
    let (ok, _, err) = run(&["connect", "127.0.0.1:1", "--send", "x"]);
    assert!(!ok);
    assert!(err.contains("cannot connect"), "{err}");
}

#[test]
fn labs_list_and_run() {
    let (ok, out, _) = run(&["lab", "--list"]);
    assert!(ok);
    assert!(out.contains("forward-secrecy") && out.contains("mtls-revoked"));
    let (ok, out, _) = run(&["lab", "mtls-expired"]);
    assert!(ok);
    assert!(out.contains("certificate_expired"));
}

#[test]
fn a_lab_speaks_japanese() {
    let (ok, ja, err) = run(&["lab", "tamper", "--lang", "ja"]);
    assert!(ok, "{err}");
    assert!(ja.starts_with("ラボ: 通信途中の改ざん。"), "{ja}");
    assert!(
        ja.contains("教訓: ") && ja.contains("bad_record_mac"),
        "{ja}"
    );
    let (ok, en, _) = run(&["lab", "tamper", "--lang", "en"]);
    assert!(ok);
    assert!(en.starts_with("Lab: tampering in transit."));
    assert_eq!(en, run(&["lab", "tamper"]).1);
    let (ok, list, _) = run(&["lab", "--list", "--lang", "ja"]);
    assert!(ok && list.starts_with("ラボの一覧"), "{list}");
}

#[test]
fn pki_writes_every_file() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-tmp")
        .join(format!("cli-pki-{}", std::process::id()));
    let (ok, out, _) = run(&["pki", "--out", dir.to_str().unwrap()]);
    assert!(ok);
    for (name, _) in tls12_sim::demo_pki::FILES {
        assert!(dir.join(name).exists(), "{name}");
        assert!(out.contains(name));
    }
    // Private keys are the owner's alone; certificates and CRLs are public.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for (name, _) in tls12_sim::demo_pki::FILES {
            let mode = std::fs::metadata(dir.join(name))
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            if name.ends_with(".key") {
                assert_eq!(mode, 0o600, "{name}");
            } else {
                assert_eq!(mode & 0o077, mode & 0o044, "{name}: {mode:o}");
            }
        }
        // Written again over a world-readable key, the key is made private too.
        let key = dir.join("ca.key");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(run(&["pki", "--out", dir.to_str().unwrap()]).0);
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn the_cost_lab_runs_the_quick_benchmark() {
    // `lab cost` is `bench --quick` between an explanation and its lesson (one run of the
    // measurement serves both here).
    let (ok, out, err) = run(&["lab", "cost"]);
    assert!(ok, "{err}");
    let (ok, help, _) = run(&["bench", "--help"]);
    assert!(ok && help.contains("--quick"));
    for needle in [
        "Lab: what things cost.",
        "The lesson: one private-key operation",
        "one RSA-2048 private-key operation",
        "costs as much as AES-128-GCM on",
        "a full rsa handshake",
        "server's share",
        "Where a handshake's time goes",
        "Our record layer against the bare aes-gcm call",
    ] {
        assert!(out.contains(needle), "missing {needle:?}\n{out}");
    }
}

#[test]
fn serve_and_connect_write_their_web_pages() {
    use common::peers::{connect, serve, tempdir};
    let dir = tempdir("html-pages");
    let (server_page, client_page) = (dir.join("server.html"), dir.join("client.html"));
    let (server, address) = serve(&["--html", server_page.to_str().unwrap()]);
    let (ok, out, err) = connect(&[
        &address,
        "--server-name",
        "localhost",
        "--send",
        "hello over TCP",
        "--html",
        client_page.to_str().unwrap(),
        "--lang",
        "ja",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("hello over TCP"));
    server.finish(std::time::Duration::from_secs(5));
    for (page, lang) in [(&server_page, "en"), (&client_page, "ja")] {
        let html = std::fs::read_to_string(page).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(&format!("<html lang=\"{lang}\">")));
        assert!(html.contains("id=\"record-1\""), "{}", page.display());
        assert!(html.contains("<b>master_secret</b>"));
        assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    }
}

#[test]
fn malformed_files_get_a_clear_message_and_a_non_zero_exit() {
    let dir = common::peers::tempdir("malformed-files");
    let good_cert = common::peers::demo_cert();
    let good_key = common::peers::demo_key();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    };
    let empty = write("empty.pem", b"");
    let junk = write("junk.pem", &[0xff, 0x00, 0x30, 0x82, 0x01]);
    let not_base64 = write(
        "bad-base64.pem",
        b"-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n-----END CERTIFICATE-----\n",
    );
    let not_der = write(
        "bad-der.pem",
        b"-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n",
    );
    let truncated = {
        let pem = std::fs::read_to_string(&good_cert).unwrap();
        write("truncated.pem", &pem.as_bytes()[..pem.len() / 2])
    };
    let key_as_cert = good_key.to_str().unwrap().to_string();
    let cert = good_cert.to_str().unwrap().to_string();
    let key = good_key.to_str().unwrap().to_string();
    let listen = ["--listen", "127.0.0.1:0", "--once"];
    let mut cases: Vec<Vec<String>> = Vec::new();
    for bad in [
        &empty,
        &junk,
        &not_base64,
        &not_der,
        &truncated,
        &key_as_cert,
    ] {
        cases.push(
            ["serve", "--cert", bad, "--key", &key]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
        cases.push(
            ["serve", "--client-ca", bad, "--require-client-cert"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
        cases.push(
            [
                "serve",
                "--client-ca",
                &cert,
                "--require-client-cert",
                "--crl",
                bad,
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        );
        cases.push(
            ["connect", "127.0.0.1:9", "--ca", bad, "--send", "x"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
    }
    for bad in [&empty, &junk, &not_base64, &cert] {
        cases.push(
            ["serve", "--cert", &cert, "--key", bad]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
    }
    for mut case in cases {
        if case[0] == "serve" {
            case.extend(listen.iter().map(|s| s.to_string()));
        }
        let args: Vec<&str> = case.iter().map(String::as_str).collect();
        let (ok, _, err) = run(&args);
        assert!(!ok, "{args:?} succeeded");
        assert!(err.starts_with("tls12-sim: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        // The message names the option and the file it is about.
        let named = args.windows(2).any(|pair| {
            pair[0].starts_with("--") && err.contains(&format!("{} {}: ", pair[0], pair[1]))
        });
        assert!(
            named,
            "{args:?}: the error does not name the option and file: {err}"
        );
    }
}

#[test]
fn a_wrong_file_is_named_with_what_was_expected_and_what_was_found() {
    let key = common::peers::demo_key();
    let key = key.to_str().unwrap();
    let cert = common::peers::demo_cert();
    let cert = cert.to_str().unwrap();
    let readme = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let cases: [(&[&str], String); 5] = [
        (
            &["serve", "--cert", readme, "--key", key],
            format!(
                "tls12-sim: --cert {readme}: expected a certificate (-----BEGIN CERTIFICATE-----), \
                 found text without any -----BEGIN line (not PEM)"
            ),
        ),
        (
            &["serve", "--cert", key, "--key", key],
            format!(
                "tls12-sim: --cert {key}: expected a certificate (-----BEGIN CERTIFICATE-----), \
                 found a private key"
            ),
        ),
        (
            &["serve", "--cert", cert, "--key", cert],
            format!(
                "tls12-sim: --key {cert}: expected an RSA private key (-----BEGIN PRIVATE KEY----- \
                 or -----BEGIN RSA PRIVATE KEY-----), found a certificate"
            ),
        ),
        (
            &["serve", "--client-ca", readme, "--require-client-cert"],
            format!(
                "tls12-sim: --client-ca {readme}: expected a certificate \
                 (-----BEGIN CERTIFICATE-----), found text without any -----BEGIN line (not PEM)"
            ),
        ),
        (
            &[
                "connect",
                "127.0.0.1:9",
                "--ca",
                "/no/such/ca.pem",
                "--send",
                "x",
            ],
            "tls12-sim: --ca /no/such/ca.pem: cannot be read: No such file or directory (os \
             error 2)"
                .to_string(),
        ),
    ];
    for (args, expected) in cases {
        let mut args = args.to_vec();
        if args[0] == "serve" {
            args.extend(["--listen", "127.0.0.1:0", "--once"]);
        }
        let (ok, _, err) = run(&args);
        assert!(!ok, "{args:?}");
        assert_eq!(err.trim(), expected, "{args:?}");
    }
}

#[test]
fn the_html_page_shows_each_alert_once() {
    // Both sides trace every alert (sender and receiver): the page shows the sender's account.
    let (ok, page, err) = run(&["simulate", "--format", "html"]);
    assert!(ok, "{err}");
    assert_eq!(
        page.matches("<div class=\"alert ").count(),
        2,
        "two close_notify"
    );
    let (_, page, _) = run(&["simulate", "--format", "html", "--mtls", "--client", "bob"]);
    assert_eq!(
        page.matches("<div class=\"alert ").count(),
        1,
        "one fatal alert"
    );
}

/// Runs the binary with its standard output closed from the start, as `| head -0` does: the
/// reader is gone before the first byte.
fn run_into_closed_pipe(args: &[&str]) -> (std::process::ExitStatus, String) {
    use std::process::Stdio;
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_every_subcommand_quietly() {
    let dir = common::peers::tempdir("closed-pipe");
    let pki_dir = dir.join("pki");
    let pki_dir = pki_dir.to_str().unwrap();
    for args in [
        &[][..],
        &["simulate", "--format", "json"],
        &[
            "simulate",
            "--format",
            "html",
            "--mtls",
            "--suite",
            "ECDHE-RSA-AES256-GCM-SHA384",
        ],
        &["simulate", "--format", "mermaid"],
        &["simulate", "--lang", "ja"],
        &["lab", "--list"],
        &["lab", "tamper"],
        &["pki", "--out", pki_dir],
    ] {
        let (status, err) = run_into_closed_pipe(args);
        assert!(status.success(), "{args:?}: {status}\n{err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    }
}

#[test]
fn connect_into_a_closed_pipe_is_not_a_transport_failure() {
    use common::peers::serve;
    let (server, address) = serve(&[]);
    let (status, err) = run_into_closed_pipe(&[
        "connect",
        &address,
        "--server-name",
        "localhost",
        "--send",
        "echo me into a closed pipe",
    ]);
    assert!(status.success(), "{status}\n{err}");
    assert!(
        !err.contains("transport error") && !err.contains("panicked"),
        "{err}"
    );
    server.finish(std::time::Duration::from_secs(5));
}

#[test]
fn output_files_are_checked_before_any_work() {
    let dir = common::peers::tempdir("output-files");
    let a_dir = dir.to_str().unwrap().to_string();
    let missing = dir.join("no/such/dir/x.html");
    let missing = missing.to_str().unwrap();
    // connect: refused before connecting (port 1 would be refused anyway: the message says the
    // file, not the network), once, with a non-zero exit.
    let (ok, _, err) = run(&["connect", "127.0.0.1:1", "--send", "x", "--keylog", &a_dir]);
    assert!(!ok);
    assert_eq!(
        err.trim(),
        format!("tls12-sim: --keylog {a_dir}: a directory, not a file; give a file name")
    );
    let (ok, _, err) = run(&["connect", "127.0.0.1:1", "--send", "x", "--html", missing]);
    assert!(!ok);
    assert!(
        err.contains(&format!("--html {missing}: the directory")),
        "{err}"
    );
    assert!(err.contains("does not exist"), "{err}");
    // serve: refused at start-up, before listening.
    let (ok, out, err) = run(&["serve", "--listen", "127.0.0.1:0", "--keylog", &a_dir]);
    assert!(!ok);
    assert!(!out.contains("listening"), "{out}");
    assert!(err.contains("--keylog"), "{err}");
    let (ok, _, err) = run(&["serve", "--listen", "127.0.0.1:0", "--html", missing]);
    assert!(!ok, "{err}");
    // simulate.
    let (ok, _, err) = run(&["simulate", "--keylog", &a_dir]);
    assert!(!ok);
    assert!(err.contains("a directory, not a file"), "{err}");
}

#[test]
fn a_negative_seed_is_named_as_a_bad_seed() {
    let (ok, _, err) = run(&["simulate", "--seed", "-1"]);
    assert!(!ok);
    assert!(
        err.contains("a seed is a whole number from 0 to 18446744073709551615, not \"-1\""),
        "{err}"
    );
    assert!(!err.contains("unexpected argument"), "{err}");
}

#[test]
fn lang_ja_with_json_or_mermaid_says_they_stay_english() {
    for format in ["json", "mermaid"] {
        let (ok, _, err) = run(&["simulate", "--format", format, "--lang", "ja"]);
        assert!(ok);
        assert!(err.contains("JSON and mermaid stay in English"), "{err}");
    }
    let (_, _, err) = run(&["simulate", "--format", "html", "--lang", "ja"]);
    assert!(!err.contains("stay in English"));
}

#[test]
fn a_silent_server_times_out_in_words() {
    // A server that accepts and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let holder = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        std::thread::sleep(std::time::Duration::from_secs(3));
        drop(stream);
    });
    let started = std::time::Instant::now();
    let (ok, _, err) = run(&["connect", &address, "--timeout", "1", "--send", "x"]);
    assert!(!ok);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "{err}"
    );
    assert_eq!(
        err.trim(),
        format!("tls12-sim: failed: timed out: no answer from {address} in 1 s")
    );
    assert!(!err.contains("os error"), "{err}");
    holder.join().unwrap();
}

#[test]
fn a_silent_client_is_reported_in_words() {
    use common::peers::serve;
    let (server, address) = serve(&["--read-timeout-ms", "500"]);
    let stream = std::net::TcpStream::connect(&address).unwrap();
    let log = server.finish(std::time::Duration::from_secs(5));
    drop(stream);
    assert!(
        log.contains("failed: no data from the client for 0.5 s"),
        "{log}"
    );
    assert!(!log.contains("os error"), "{log}");
}

#[test]
fn a_received_record_says_its_nonce_was_received() {
    use common::peers::{connect, serve};
    let (server, address) = serve(&[]);
    let (ok, _, trace) = connect(&[
        &address,
        "--server-name",
        "localhost",
        "--send",
        "hi",
        "--trace",
    ]);
    assert!(ok, "{trace}");
    server.finish(std::time::Duration::from_secs(5));
    let received = trace
        .lines()
        .filter(|l| l.contains("explicit nonce") && l.contains("(received)"))
        .count();
    let sent = trace
        .lines()
        .filter(|l| l.contains("explicit nonce") && l.contains("(sent)"))
        .count();
    // The client sends Finished and data; it receives the server's Finished, data, close_notify.
    assert!(
        sent >= 2 && received >= 2,
        "sent {sent}, received {received}:\n{trace}"
    );
}

#[test]
fn the_readme_shows_the_code_as_it_is() {
    // "Reading the code": every line of the snippet is in handshake_and_exchange.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let simulate =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/simulate.rs")).unwrap();
    let section = readme.split("## Reading the code").nth(1).unwrap();
    let snippet = section
        .split("```rust")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    let lines: Vec<&str> = snippet
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert!(lines.len() >= 10, "{snippet}");
    for line in lines {
        assert!(
            simulate.contains(line),
            "README.md shows code src/simulate.rs does not have: {line}"
        );
    }
    // The two set-up commands, and how to call the program.
    assert!(readme.contains("cargo run --release     #"));
    assert!(readme.contains("./scripts/test.sh       #"));
    assert!(readme.contains("cargo install --path ."));
}

#[test]
fn the_benchmark_into_a_closed_pipe_ends_quietly() {
    let (status, err) = run_into_closed_pipe(&["bench", "--quick"]);
    assert!(status.success(), "{status}\n{err}");
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
}

#[test]
fn a_key_that_does_not_match_names_where_each_key_exchange_fails() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/src/demo/");
    let (ok, _, err) = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--cert",
        &format!("{demo}server.pem"),
        "--key",
        &format!("{demo}client.key"),
        "--client-ca",
        "/no/such/ca.pem",
        "--require-client-cert",
    ]);
    // The missing CA file stops it at start-up, after the warning about the key.
    assert!(!ok);
    assert!(
        err.contains(
            "warning: the private key does not match the certificate: every handshake will fail \
             (RSA key exchange at the client's Finished, with bad_record_mac"
        ) && err.contains("ECDHE at the ServerKeyExchange, with decrypt_error"),
        "{err}"
    );
}

#[test]
fn the_key_log_options_say_a_line_is_not_written_twice() {
    for command in ["simulate", "serve", "connect"] {
        let (ok, out, _) = run(&[command, "--help"]);
        assert!(ok);
        assert!(
            out.contains("not written again"),
            "{command} --help:\n{out}"
        );
    }
}
