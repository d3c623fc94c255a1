//! `--lang ja`: every explanation the simulator can print has a Japanese translation, the
//! Japanese trace keeps the RFC's names and the same bytes, and English stays as it was.

use std::process::Command;

mod common;

use common::{english_prose, has_japanese};

use tls12_sim::demo_pki::DemoClient;
use tls12_sim::event::Event;
use tls12_sim::phrase::Phrase;
use tls12_sim::render::report;
use tls12_sim::render::{self, Lang, ja};
use tls12_sim::simulate::{Options, Report, run};
use tls12_sim::suites::CipherSuite;

/// The runs whose explanations must all be translated: every suite with and without extended
/// master secret, and mutual TLS with each demo client (accepted, expired, revoked, unknown CA)
/// and with none.
fn cases() -> Vec<Options> {
    let mut cases = Vec::new();
    for suite in CipherSuite::ALL {
        for extended_master_secret in [true, false] {
            cases.push(Options {
                suite,
                extended_master_secret,
                ..Options::default()
            });
        }
        for client_certificate in [
            Some(DemoClient::Alice),
            Some(DemoClient::Bob),
            Some(DemoClient::Carol),
            Some(DemoClient::Mallory),
            None,
        ] {
            cases.push(Options {
                suite,
                seed: 7,
                mtls: true,
                client_certificate,
                ..Options::default()
            });
        }
    }
    cases
}

/// The free-text explanations carried in a run's events, and the failure, if any.
fn explanations(report: &Report) -> Vec<Phrase> {
    let mut out: Vec<Phrase> = report
        .events
        .iter()
        .filter_map(|event| match event {
            Event::Note { text, .. } => Some(text.clone()),
            Event::Failure { error, .. } => Some(render::failure_note(error)),
            Event::Check { .. } | Event::ChainCheck { .. } => {
                render::check_of(event).map(|(_, what, _)| what)
            }
            Event::KeyUse { operation, .. } => Some(operation.clone()),
            Event::Secret { how, .. } | Event::Value { how, .. } => Some(how.clone()),
            _ => None,
        })
        .collect();
    if let Err(failure) = &report.outcome {
        out.push(failure.error.phrase());
    }
    out
}

#[test]
fn every_explanation_has_a_japanese_translation() {
    let mut missing: Vec<String> = Vec::new();
    let mut count = 0;
    for options in cases() {
        let report = run(&options).unwrap();
        for english in explanations(&report) {
            count += 1;
            let english_text = english.to_string();
            if ja::translate(&english).is_none() && !missing.contains(&english_text) {
                missing.push(english_text);
            }
        }
    }
    assert!(count > 500, "only {count} explanations collected");
    assert!(
        missing.is_empty(),
        "{} explanations have no Japanese in locales/ja.txt:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn mtls_failures_are_explained_in_japanese() {
    for who in [DemoClient::Bob, DemoClient::Carol, DemoClient::Mallory] {
        let options = Options {
            mtls: true,
            client_certificate: Some(who),
            ..Options::default()
        };
        let report = run(&options).unwrap();
        let failure = report.outcome.as_ref().unwrap_err();
        let japanese = ja::translate(&failure.error.phrase()).unwrap();
        assert!(has_japanese(&japanese), "{who:?}: {japanese}");
        // The alert keeps its RFC name.
        let alert = failure.error.any_alert().unwrap().name();
        assert!(japanese.starts_with(alert), "{who:?}: {japanese}");
        let text = report::render_text(&options, &report, Lang::Ja);
        assert!(
            text.contains("結果: ハンドシェイクはサーバー側で失敗した"),
            "{who:?}"
        );
        assert!(text.contains(&japanese), "{who:?}");
    }
}

#[test]
fn the_japanese_trace_keeps_the_names_and_the_bytes() {
    let options = Options::default();
    let report = run(&options).unwrap();
    let english = report::render_text(&options, &report, Lang::En);
    let japanese = report::render_text(&options, &report, Lang::Ja);
    for word in [
        "秘密鍵",
        "公開鍵",
        "証明書",
        "セッション鍵",
        "復号",
        "暗号化",
        "鍵の台帳",
    ] {
        assert!(japanese.contains(word), "no {word}");
    }
    let master_secret = hex::encode(report.value("master_secret").unwrap());
    for needle in [
        "== client.send_hello()",
        "ClientHello",
        "ClientKeyExchange",
        "client_random",
        "pre_master_secret",
        "encrypted_pre_master_secret",
        "client_write_key",
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "RFC 5246 7.4.7.1",
        "close_notify",
        "CLIENT_RANDOM",
        &master_secret[..64],
        &master_secret[64..],
    ] {
        assert!(english.contains(needle), "English lacks {needle:?}");
        assert!(japanese.contains(needle), "Japanese lacks {needle:?}");
    }
    // The same number of lines, and every hex line of the English is in the Japanese.
    assert_eq!(english.lines().count(), japanese.lines().count());
    let japanese_lines: Vec<&str> = japanese.lines().collect();
    for line in english.lines() {
        let hex_line = line.trim();
        if !hex_line.is_empty() && hex_line.chars().all(|c| c.is_ascii_hexdigit()) {
            assert!(japanese_lines.contains(&line), "missing hex line {line}");
        }
    }
}

#[test]
fn no_translated_english_is_left_in_the_japanese_trace() {
    for options in cases() {
        let report = run(&options).unwrap();
        let japanese = report::render_text(&options, &report, Lang::Ja);
        for english in explanations(&report) {
            let translated = ja::translate(&english);
            let english = english.to_string();
            if translated.is_some_and(|t| t != english) {
                assert!(
                    !japanese.contains(&english),
                    "{:?}: English left in the Japanese trace: {english}",
                    options.suite
                );
            }
        }
        let prose: Vec<&str> = japanese.lines().filter(|l| english_prose(l)).collect();
        assert!(
            prose.is_empty(),
            "{:?}: English prose in the Japanese trace:\n{}",
            options.suite,
            prose.join("\n")
        );
        for frame in [
            " reads: ",
            " sends: ",
            " secret master_secret (",
            " uses the ",
            " checks ",
            "held by",
            "bytes follow",
            "[record sent",
            "protected with",
            "Key ledger",
            "Result:",
        ] {
            assert!(!japanese.contains(frame), "{frame:?} left in:\n{japanese}");
        }
    }
}

#[test]
fn english_stays_english() {
    for options in cases() {
        let report = run(&options).unwrap();
        let english = report::render_text(&options, &report, Lang::En);
        assert!(!has_japanese(&english));
    }
    // The fixed phrases around the events, byte for byte as before `--lang` existed.
    let options = Options::default();
    let report = run(&options).unwrap();
    let english = report::render_text(&options, &report, Lang::En);
    for line in [
        "tls12-sim: a TLS 1.2 handshake, client and server in one process",
        "suite TLS_RSA_WITH_AES_128_GCM_SHA256 | seed 1 | clock 1795392000 | extended master \
         secret offered",
        "Legend: KEY = a key is used, * = a secret, . = a derived public value, [ok] = a check.",
        "   client sends: ClientHello",
        "   server reads: ClientHello",
        "      01                                       msg_type                       \
         ClientHello (1)",
        "      00 00 54                                 length                         84 bytes \
         follow",
        "   [record sent, client -> server] 16 03 01 00 58 | handshake, version TLS 1.0, 88 bytes",
        "      not protected: the client has not switched to its session keys yet",
        "      ChangeCipherSpec itself travels in the clear; the next record from the client is \
         protected with client_write_key",
        "      protected with AES-GCM, seq 0: explicit nonce 0000000000000000 (sent), nonce = \
         implicit IV + explicit = 6b64725c0000000000000000",
        "      AAD = seq + type + version + length = 00000000000000001603030010",
        "      16 bytes of plaintext -> 16 bytes of ciphertext + tag \
         8b9da1775931814d64adbce76fd3e1a8",
        "   * client secret pre_master_secret (48 bytes) = client_version (03 03) + 46 random \
         bytes from the client's RNG",
        "   . client client_random = 32 bytes from the client's RNG",
        "   KEY server uses the server private key: RSA-decrypt the pre-master secret: the one \
         and only use of the private key in this handshake",
        "   [ok  ] client checks keyUsage allows keyEncipherment",
        "   client: handshake complete: from here on only the symmetric session keys are used",
        "   ALERT client sends warning close_notify (0)",
        "   server reads application data: \"Hello, server! (sealed with client_write_key)\\n\"",
        "Key ledger: who held which key, and what each key did",
        "  server public key              held by anyone: it is in the server's certificate",
        "                                   - sealed 6 records (each opened by the peer's copy)",
        "Both sides sent close_notify. The server's private key was used once, in the \
         handshake; every record after it used only the symmetric session keys.",
    ] {
        assert!(
            english.lines().any(|l| l == line),
            "English changed: no line {line:?}"
        );
    }
    // The prose check of the Japanese test does see English prose.
    assert!(english.lines().filter(|l| english_prose(l)).count() > 20);
    // The hex column, padded as before (the meaning after it is not ours to pin).
    let random = "        25 45 ef 7e 2d 7a .. (32 bytes)        random                         ";
    assert!(english.lines().any(|l| l.starts_with(random)));
}

#[test]
fn the_binary_speaks_japanese() {
    let bin = env!("CARGO_BIN_EXE_tls12-sim");
    let ja = Command::new(bin)
        .args(["simulate", "--lang", "ja"])
        .output()
        .unwrap();
    assert!(ja.status.success());
    let ja = String::from_utf8(ja.stdout).unwrap();
    assert!(ja.contains("秘密鍵"));
    assert!(ja.contains("結果: ハンドシェイク完了"));

    let en = Command::new(bin)
        .args(["simulate", "--lang", "en"])
        .output()
        .unwrap();
    let default = Command::new(bin).args(["simulate"]).output().unwrap();
    assert!(en.status.success());
    assert_eq!(en.stdout, default.stdout);
    assert!(!has_japanese(&String::from_utf8(en.stdout).unwrap()));
}
