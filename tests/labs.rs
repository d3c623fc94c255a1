//! Every lab runs, and each shows the outcome its lesson claims.

use tls12_sim::event::Key;
use tls12_sim::labs::{self, TamperCase};
use tls12_sim::messages::alert::AlertDescription as A;
use tls12_sim::rng::Side;
use tls12_sim::suites::{CipherSuite, KeyExchange};

#[test]
fn every_lab_is_listed_runs_and_explains_itself() {
    for lab in labs::LABS {
        let (name, summary) = (lab.name, lab.summary);
        assert!(!summary.is_empty());
        if name == "cost" {
            continue; // a measurement: tests/cli.rs runs it through the binary
        }
        let text = labs::run(name).unwrap();
        assert!(text.starts_with("Lab: "), "{name}");
        assert!(
            text.contains("The lesson: ") || text.contains("Why: "),
            "{name}"
        );
    }
    let err = labs::run("no-such-lab").unwrap_err().to_string();
    assert!(err.contains("no-private-key-needed"), "{err}");
}

#[test]
fn the_client_never_holds_a_private_key_and_reads_the_data_anyway() {
    let lab = labs::no_private_key_needed().unwrap();
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
    assert!(lab.text.contains("server uses the server private key"));
}

#[test]
fn the_eavesdropper_reads_nothing() {
    let lab = labs::eavesdropper().unwrap();
    assert_eq!(lab.runs.len(), 2);
    for (suite, protected, opened, master_secret) in &lab.runs {
        assert!(*protected >= 6, "{}", suite.name());
        assert_eq!(*opened, 0, "{}", suite.name());
        assert!(!master_secret, "{}", suite.name());
    }
    assert!(lab.text.contains("Application data read: none."));
}

#[test]
fn a_server_without_its_private_key_fails_where_the_key_exchange_needs_it() {
    let lab = labs::server_without_private_key().unwrap();
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
    let lab = labs::tamper().unwrap();
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
    let lab = labs::server_without_private_key().unwrap();
    let suites: Vec<CipherSuite> = lab.runs.iter().map(|r| r.0).collect();
    assert_eq!(
        suites,
        [
            CipherSuite::RsaAes128GcmSha256,
            CipherSuite::EcdheRsaAes128GcmSha256
        ]
    );
}
