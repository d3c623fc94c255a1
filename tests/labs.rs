//! Every lab runs, and each shows the outcome its lesson claims.

mod common;

use common::{english_prose, has_japanese};
use tls12_sim::event::Key;
use tls12_sim::labs::{self, MtlsCase, TamperCase, Target};
use tls12_sim::messages::alert::AlertDescription as A;
use tls12_sim::render::Lang;
use tls12_sim::rng::Side;
use tls12_sim::session::Resumption;
use tls12_sim::suites::{CipherSuite, KeyExchange};

#[test]
fn every_lab_is_listed_runs_and_explains_itself() {
    for lab in labs::LABS {
        let (name, summary) = (lab.name, (lab.summary)());
        assert!(!summary.to_string().is_empty());
        if name == "cost" {
            continue; // a measurement: tests/cli.rs runs it through the binary
        }
        let text = labs::run(name, Lang::En).unwrap();
        assert!(text.starts_with("Lab: "), "{name}");
        assert!(
            text.contains("The lesson: ") || text.contains("Why: "),
            "{name}"
        );
    }
    let err = labs::run("no-such-lab", Lang::En).unwrap_err().to_string();
    assert!(err.contains("no-private-key-needed"), "{err}");
}

#[test]
fn the_client_never_holds_a_private_key_and_reads_the_data_anyway() {
    for lang in [Lang::En, Lang::Ja] {
        let lab = labs::no_private_key_needed(lang).unwrap();
        assert_eq!(lab.runs.len(), 2);
        for (suite, client_has_private_key, keys, read) in &lab.runs {
            assert!(!client_has_private_key, "{}", suite.name());
            assert_eq!(read, b"your balance is 42 euros\n");
            assert!(keys.contains(&Key::ServerPublicKey));
            assert!(keys.contains(&Key::SessionKeys));
            for key in keys {
                assert!(
                    !matches!(key, Key::ServerPrivateKey | Key::ClientPrivateKey),
                    "{}: the client used the {}",
                    suite.name(),
                    key.name()
                );
            }
        }
        let server_uses_its_key = match lang {
            Lang::En => "server uses the server private key",
            Lang::Ja => "サーバーがサーバーの秘密鍵を使う",
        };
        assert!(lab.text.contains(server_uses_its_key), "{lang:?}");
    }
}

#[test]
fn the_eavesdropper_reads_nothing() {
    for lang in [Lang::En, Lang::Ja] {
        let lab = labs::eavesdropper(lang).unwrap();
        assert_eq!(lab.runs.len(), 2);
        for (suite, protected, opened, master_secret) in &lab.runs {
            assert!(*protected >= 6, "{}", suite.name());
            assert_eq!(*opened, 0, "{}", suite.name());
            assert!(!master_secret, "{}", suite.name());
        }
        let nothing_read = match lang {
            Lang::En => "Application data read: none.",
            Lang::Ja => "読めたアプリケーションデータ: なし。",
        };
        assert!(lab.text.contains(nothing_read), "{lang:?}");
    }
}

#[test]
fn a_server_without_its_private_key_fails_where_the_key_exchange_needs_it() {
    for lang in [Lang::En, Lang::Ja] {
        a_server_without_its_private_key_fails_in(lang);
    }
}

fn a_server_without_its_private_key_fails_in(lang: Lang) {
    let lab = labs::server_without_private_key(lang).unwrap();
    let outcome: Vec<_> = lab
        .runs
        .iter()
        .map(|(suite, side, alert, step)| (suite.key_exchange(), *side, *alert, *step))
        .collect();
    assert_eq!(
        outcome,
        [
            // RSA: the server "decrypts" a wrong pre-master without a word (RFC 5246 7.4.7.1);
            // the client's Finished record then fails to authenticate.
            (
                KeyExchange::Rsa,
                Side::Server,
                Some(A::BadRecordMac),
                "server.finish"
            ),
            // ECDHE: the client checks the ServerKeyExchange signature at once.
            (
                KeyExchange::Ecdhe,
                Side::Client,
                Some(A::DecryptError),
                "client.answer_server"
            ),
        ]
    );
}

#[test]
fn every_tampered_bit_is_noticed_with_its_alert() {
    for lang in [Lang::En, Lang::Ja] {
        every_tampered_bit_is_noticed_in(lang);
    }
}

fn every_tampered_bit_is_noticed_in(lang: Lang) {
    let lab = labs::tamper(lang).unwrap();
    let outcome: Vec<_> = lab
        .runs
        .iter()
        .map(|(case, side, alert, step)| (*case, *side, *alert, *step))
        .collect();
    assert_eq!(
        outcome,
        [
            (
                TamperCase::ApplicationData,
                Side::Server,
                Some(A::BadRecordMac),
                "server.receive"
            ),
            (
                TamperCase::FinishedRecord,
                Side::Server,
                Some(A::BadRecordMac),
                "server.finish"
            ),
            (
                TamperCase::FinishedVerifyData,
                Side::Server,
                Some(A::DecryptError),
                "server.finish"
            ),
            (
                TamperCase::ServerKeyExchange,
                Side::Client,
                Some(A::DecryptError),
                "client.answer_server"
            ),
        ]
    );
}

#[test]
fn the_labs_use_one_suite_of_each_key_exchange() {
    let lab = labs::server_without_private_key(Lang::En).unwrap();
    let suites: Vec<CipherSuite> = lab.runs.iter().map(|r| r.0).collect();
    assert_eq!(
        suites,
        [
            CipherSuite::RsaAes128GcmSha256,
            CipherSuite::EcdheRsaAes128GcmSha256
        ]
    );
}

#[test]
fn the_padding_oracle_reads_a_record_from_the_leaky_server_and_nothing_from_ours() {
    for lang in [Lang::En, Lang::Ja] {
        let lab = labs::padding_oracle(lang).unwrap();
        let targets: Vec<Target> = lab.runs.iter().map(|r| r.target).collect();
        assert_eq!(
            targets,
            [
                Target::Leaky,
                Target::OurMacThenEncrypt,
                Target::OurEncryptThenMac,
                Target::Gcm
            ]
        );
        // The leaky server: two kinds of answer, and the whole record (4 blocks: content, MAC,
        // padding) read byte by byte, in far fewer queries than 256 per byte.
        let leaky = &lab.runs[0];
        assert_eq!(lab.recovered_content, lab.secret, "{lang:?}");
        assert_eq!(lab.secret, labs::padding_oracle::SECRET);
        assert_eq!(leaky.recovered.len(), 64);
        assert_eq!(leaky.distinct_answers, 2);
        assert!(
            leaky.queries > 64 && leaky.queries < 64 * 160,
            "{}",
            leaky.queries
        );
        assert!(lab.text.contains(&leaky.queries.to_string()), "{lang:?}");
        // Our record layer in both orders, and GCM: one kind of answer to all 256 guesses of
        // the first byte, nothing learnt.
        for run in &lab.runs[1..] {
            assert!(run.recovered.is_empty(), "{:?}", run.target);
            assert_eq!(run.distinct_answers, 1, "{:?}", run.target);
            assert_eq!(run.queries, 256, "{:?}", run.target);
        }
    }
}

#[test]
fn gcm_and_encrypt_then_mac_check_before_decrypting_and_mac_then_encrypt_after() {
    for lang in [Lang::En, Lang::Ja] {
        let lab = labs::record_anatomy(lang).unwrap();
        let [gcm, mte, etm] = &lab.records[..] else {
            panic!("three records");
        };
        assert_eq!(gcm.suite, CipherSuite::RsaAes128GcmSha256);
        assert!(gcm.checked_before_decrypting && etm.checked_before_decrypting);
        assert!(!mte.checked_before_decrypting);
        assert!(etm.encrypt_then_mac && !mte.encrypt_then_mac);
        for record in [gcm, etm] {
            assert!(record.fields.iter().all(|f| f.authenticated));
            assert_eq!(record.unauthenticated_padding, 0);
        }
        // MAC-then-encrypt: the IV and the padding are covered by nothing.
        let iv = mte.fields.iter().find(|f| f.name == "iv").unwrap();
        assert!(!iv.authenticated);
        assert_eq!(iv.bytes.len(), 16);
        assert!(mte.unauthenticated_padding > 0);
        let names: Vec<&str> = etm.fields.iter().map(|f| f.name).collect();
        assert_eq!(names, ["header", "iv", "ciphertext", "mac"]);
        let names: Vec<&str> = gcm.fields.iter().map(|f| f.name).collect();
        assert_eq!(names, ["header", "explicit_nonce", "ciphertext", "tag"]);
        let sizes: usize = gcm.fields.iter().map(|f| f.bytes.len()).sum();
        assert_eq!(sizes, 5 + 8 + 16 + 16);
    }
}

// ---------------------------------------------------------------------------------------------
// In Japanese (`tls12-sim lab NAME --lang ja`)

#[test]
fn the_prose_check_sees_english_prose() {
    assert!(english_prose("The lesson: the client only ever uses"));
    assert!(!english_prose(
        "  攻撃者が読む (クライアント -> サーバー): \"PIN 2468 (RSA session)\\n\""
    ));
    assert!(!english_prose("(`lab forward-secrecy` を参照)"));
    assert!(!english_prose("  ab cd ef 01 be ad .."));
    let english = labs::run("tamper", Lang::En).unwrap();
    assert!(english.lines().filter(|l| english_prose(l)).count() > 10);
    assert!(!has_japanese(&english));
}

#[test]
fn every_lab_speaks_japanese() {
    for lab in labs::LABS {
        if lab.name == "cost" {
            continue; // its figures come from the benchmark, in English
        }
        let text = labs::run(lab.name, Lang::Ja).unwrap();
        let name = lab.name;
        assert!(text.starts_with("ラボ: "), "{name}:\n{text}");
        assert!(
            text.contains("教訓: ") || text.contains("理由: "),
            "{name}:\n{text}"
        );
        let prose: Vec<&str> = text.lines().filter(|l| english_prose(l)).collect();
        assert!(
            prose.is_empty(),
            "{name}: English prose in the Japanese lab:\n{}",
            prose.join("\n")
        );
        for frame in [
            "Lab: ",
            "The lesson",
            "Why: ",
            "Result: ",
            "Key ledger",
            " holds: ",
            " sends ",
            " uses the ",
            "(start)",
        ] {
            assert!(!text.contains(frame), "{name}: {frame:?} left in:\n{text}");
        }
    }
    let list = labs::list(Lang::Ja);
    assert!(list.lines().all(has_japanese), "{list}");
    assert!(!list.lines().any(english_prose), "{list}");
    assert!(list.contains("forward-secrecy") && list.contains("mtls-revoked"));
}

#[test]
fn the_japanese_labs_show_the_same_facts() {
    let en = labs::forward_secrecy(Lang::En).unwrap();
    let ja = labs::forward_secrecy(Lang::Ja).unwrap();
    assert_eq!(ja.rsa_plaintexts, en.rsa_plaintexts);
    assert_eq!(ja.ecdhe_plaintexts, en.ecdhe_plaintexts);
    assert_eq!(ja.ecdhe_unreadable, en.ecdhe_unreadable);
    assert!(ja.text.contains("攻撃者が読めるもの: なし。"));
    assert!(ja.text.contains("\"PIN 2468 (RSA session)\\n\""));
    for case in [
        MtlsCase::Accepted,
        MtlsCase::Expired,
        MtlsCase::Revoked,
        MtlsCase::UnknownCa,
        MtlsCase::NoCertificate,
        MtlsCase::WrongKey,
    ] {
        let en = labs::mtls(case, Lang::En).unwrap();
        let ja = labs::mtls(case, Lang::Ja).unwrap();
        assert_eq!(ja.alert, en.alert, "{case:?}");
        assert_eq!(ja.server_checks, en.server_checks, "{case:?}");
        match ja.alert {
            Some(alert) => assert!(ja.text.contains(alert.name()), "{case:?}"),
            None => assert!(ja.text.contains("結果: 受け入れられた。"), "{case:?}"),
        }
    }
    // The tamper lab names each alert and the step that sent it, in both languages.
    let tamper = labs::tamper(Lang::Ja).unwrap();
    for (_, _, alert, step) in &tamper.runs {
        assert!(tamper.text.contains(&format!("{step}()")));
        assert!(tamper.text.contains(alert.unwrap().name()));
    }
}

#[test]
fn a_resumed_session_uses_no_public_or_private_key_and_costs_a_fraction() {
    for lang in [Lang::En, Lang::Ja] {
        let lab = labs::resumption(lang).unwrap();
        assert_eq!(lab.runs.len(), 3);
        let full = &lab.runs[0];
        assert_eq!(full.resumed, None);
        // RSA key exchange: the client checks nothing asymmetric in memory but takes the
        // certificate's key and encrypts to it; the server decrypts with its private key.
        assert_eq!(full.asymmetric_operations, 3);
        assert!(full.messages.contains(&"Certificate".to_string()));
        for (run, how) in lab.runs[1..]
            .iter()
            .zip([Resumption::SessionId, Resumption::Ticket])
        {
            assert_eq!(run.resumed, Some(how));
            assert_eq!(run.asymmetric_operations, 0, "{how:?}");
            assert_eq!(
                run.messages,
                [
                    "ClientHello",
                    "ServerHello",
                    "ChangeCipherSpec",
                    "Finished",
                    "ChangeCipherSpec",
                    "Finished"
                ]
            );
            assert!(run.handshake_bytes < full.handshake_bytes / 2, "{how:?}");
            // Measured: a resumed handshake costs a fraction of a full one, even unoptimised.
            assert!(run.nanoseconds < full.nanoseconds / 5.0, "{how:?}");
        }
        let no_keys = match lang {
            Lang::En => "public- and private-key operations: 0",
            Lang::Ja => "公開鍵・秘密鍵の演算: 0",
        };
        assert_eq!(
            lab.text.matches(no_keys).count(),
            2,
            "{lang:?}\n{}",
            lab.text
        );
    }
}

#[test]
fn the_stolen_ticket_key_opens_what_the_private_key_cannot() {
    for lang in [Lang::En, Lang::Ja] {
        let lab = labs::stolen_ticket_key(lang).unwrap();
        // The server's private key: ECDHE, and a resumption without a key exchange: nothing.
        assert!(lab.private_key_reads.0.is_empty());
        assert!(lab.private_key_reads.1.is_empty());
        // The ticket key: the ticket in NewSessionTicket and the one in the ClientHello open,
        // and both sessions' data with them.
        assert_eq!(lab.tickets_opened, 2);
        for read in [&lab.ticket_key_reads.0, &lab.ticket_key_reads.1] {
            assert_eq!(read.len(), 2);
            assert_eq!(read[0], b"card 4111 1111 1111 1111\n");
        }
        assert!(lab.text.contains("card 4111"), "{lang:?}");
    }
}
