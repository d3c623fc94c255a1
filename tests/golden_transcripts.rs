//! Our own seeded transcripts, kept in `vectors/transcripts/` as readable test vectors: a fresh
//! run with the same seed must reproduce every byte and every secret. Regenerate (on purpose
//! only) with `UPDATE_VECTORS=1 cargo test --test golden_transcripts`.
//!
//! Each file is also read back by the passive observer holding the demo server's private key,
//! which must derive the same secrets from the bytes alone: the file is consistent in itself,
//! not only with today's code.

use std::path::PathBuf;

use tls12_sim::observer::{self, ObserverKey};
use tls12_sim::session::Resumption;
use tls12_sim::simulate::{self, Options};
use tls12_sim::suites::CipherSuite;
use tls12_sim::wire::parse_flows;

fn cases() -> Vec<(&'static str, Options)> {
    let rsa128 = Options {
        suite: CipherSuite::RsaAes128GcmSha256,
        seed: 1,
        ..Options::default()
    };
    vec![
        ("rsa-aes128-gcm-sha256.seed1.txt", rsa128.clone()),
        (
            "rsa-aes256-gcm-sha384.seed1.txt",
            Options {
                suite: CipherSuite::RsaAes256GcmSha384,
                ..rsa128.clone()
            },
        ),
        (
            "rsa-aes128-gcm-sha256.seed2.no-ems.txt",
            Options {
                seed: 2,
                extended_master_secret: false,
                ..rsa128.clone()
            },
        ),
        (
            "ecdhe-rsa-aes128-gcm-sha256.seed1.txt",
            Options {
                suite: CipherSuite::EcdheRsaAes128GcmSha256,
                ..rsa128.clone()
            },
        ),
        (
            "ecdhe-rsa-aes256-gcm-sha384.seed1.txt",
            Options {
                suite: CipherSuite::EcdheRsaAes256GcmSha384,
                ..rsa128.clone()
            },
        ),
        (
            "ecdhe-rsa-aes128-gcm-sha256.seed2.no-ems.txt",
            Options {
                suite: CipherSuite::EcdheRsaAes128GcmSha256,
                seed: 2,
                extended_master_secret: false,
                ..rsa128.clone()
            },
        ),
        (
            "ecdhe-rsa-aes256-gcm-sha384.seed1.mtls.txt",
            Options {
                suite: CipherSuite::EcdheRsaAes256GcmSha384,
                mtls: true,
                client_certificate: Some(tls12_sim::demo_pki::DemoClient::Alice),
                ..rsa128.clone()
            },
        ),
        (
            "rsa-aes128-cbc-sha.seed1.txt",
            Options {
                suite: CipherSuite::RsaAes128CbcSha,
                ..rsa128.clone()
            },
        ),
        (
            "ecdhe-rsa-aes256-cbc-sha384.seed1.no-etm.txt",
            Options {
                suite: CipherSuite::EcdheRsaAes256CbcSha384,
                encrypt_then_mac: false,
                ..rsa128.clone()
            },
        ),
        (
            "rsa-aes128-gcm-sha256.seed3.mtls.txt",
            Options {
                seed: 3,
                mtls: true,
                client_certificate: Some(tls12_sim::demo_pki::DemoClient::Alice),
                ..rsa128.clone()
            },
        ),
        // Resumption: the second connection of each run, the abbreviated handshake.
        (
            "rsa-aes128-gcm-sha256.seed4.resumed-id.txt",
            Options {
                seed: 4,
                resume: Some(Resumption::SessionId),
                ..rsa128.clone()
            },
        ),
        (
            "ecdhe-rsa-aes128-gcm-sha256.seed4.resumed-ticket.txt",
            Options {
                suite: CipherSuite::EcdheRsaAes128GcmSha256,
                seed: 4,
                resume: Some(Resumption::Ticket),
                ..rsa128
            },
        ),
    ]
}

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("vectors/transcripts")
        .join(name)
}

/// The `name value` lines of a transcript file.
fn value(text: &str, name: &str) -> Option<Vec<u8>> {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .map(|v| hex::decode(v).unwrap())
}

#[test]
fn seeded_runs_replay_byte_for_byte() {
    let update = std::env::var("UPDATE_VECTORS").is_ok_and(|v| v == "1");
    for (name, options) in cases() {
        let report = simulate::run(&options).unwrap();
        assert!(report.outcome.is_ok(), "{name}");
        let text = tls12_sim::render::worksheet::golden_transcript(&options, &report);
        if update {
            std::fs::write(path(name), &text).unwrap();
            continue;
        }
        let stored = std::fs::read_to_string(path(name))
            .unwrap_or_else(|e| panic!("{name}: {e} (make it with UPDATE_VECTORS=1)"));
        if stored != text {
            let first = stored
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{name} differs from a fresh run at line {}:\n  stored: {:?}\n  now:    {:?}\n\
                 If the change is intended, regenerate with UPDATE_VECTORS=1.",
                first + 1,
                stored.lines().nth(first),
                text.lines().nth(first)
            );
        }
    }
}

#[test]
fn the_stored_bytes_agree_with_the_stored_secrets() {
    let key = tls12_sim::demo_pki::server().unwrap().key;
    for (name, options) in cases() {
        let text = std::fs::read_to_string(path(name)).unwrap();
        let flows = parse_flows(&text).unwrap();
        // RSA: the server's private key opens the recording. ECDHE: it cannot (forward
        // secrecy), so use the client's ephemeral private key, which the file lists. A resumed
        // session has no key exchange at all: by ticket, the server's ticket keys (made from
        // the seed) open the ticket in the ClientHello; by session id, the file's master
        // secret must at least agree with every byte.
        let (_, ticket_keys) = match options.resume {
            Some(how) => simulate::resumption_state(&options, how),
            None => (None, None),
        };
        let master: Option<[u8; 48]> = value(&text, "master_secret").map(|m| m.try_into().unwrap());
        let observer_key = match (options.resume, &ticket_keys) {
            (Some(Resumption::Ticket), Some(keys)) => ObserverKey::TicketKeys(keys),
            (Some(_), _) => ObserverKey::MasterSecret(master.unwrap()),
            (None, _) => match value(&text, "client_ecdh_private") {
                Some(private) => ObserverKey::ClientEcdhPrivateKey(private.try_into().unwrap()),
                None => ObserverKey::ServerPrivateKey(&key),
            },
        };
        let obs = observer::observe(&flows, observer_key).unwrap();
        assert_eq!(obs.resumed, options.resume.is_some(), "{name}");
        assert_eq!(obs.unreadable_records, 0, "{name}");
        assert_eq!(
            obs.pre_master_secret,
            value(&text, "pre_master_secret"),
            "{name}"
        );
        assert_eq!(obs.session_hash, value(&text, "session_hash"), "{name}");
        assert_eq!(obs.master_secret, value(&text, "master_secret"), "{name}");
        assert_eq!(obs.key_block, value(&text, "key_block"), "{name}");
        assert_eq!(
            obs.client_verify_data.map(|v| v.to_vec()),
            value(&text, "client_verify_data")
        );
        assert_eq!(obs.client_verify_data, obs.expected_client_verify_data);
        assert_eq!(obs.server_verify_data, obs.expected_server_verify_data);
        let sent: Vec<Vec<u8>> = obs
            .application_data
            .iter()
            .map(|(_, d)| d.clone())
            .collect();
        assert_eq!(
            sent,
            vec![
                value(&text, "client_application_data").unwrap(),
                value(&text, "server_application_data").unwrap()
            ]
        );
    }
}

#[test]
fn every_record_and_message_of_a_transcript_is_annotated() {
    // A printed transcript is a worksheet: each record has its `# record N` heading and each
    // handshake message its name and fields, with the codec's labels.
    for (name, options) in cases() {
        let text = std::fs::read_to_string(path(name)).unwrap();
        let records: usize = parse_flows(&text)
            .unwrap()
            .iter()
            .map(|flow| {
                let mut count = 0;
                let mut at = 0;
                while at + 5 <= flow.bytes.len() {
                    at += 5 + usize::from(u16::from_be_bytes([
                        flow.bytes[at + 3],
                        flow.bytes[at + 4],
                    ]));
                    count += 1;
                }
                count
            })
            .sum();
        let headings = text.lines().filter(|l| l.starts_with("# record ")).count();
        assert_eq!(headings, records, "{name}");
        let mut messages = vec![
            "ClientHello",
            "ServerHello",
            "Certificate",
            "ServerHelloDone",
            "ClientKeyExchange",
            "Finished",
        ];
        if options.resume.is_some() {
            messages = vec!["ClientHello", "ServerHello", "Finished"];
        } else if options.suite.key_exchange() == tls12_sim::suites::KeyExchange::Ecdhe {
            messages.push("ServerKeyExchange");
        }
        if options.mtls {
            messages.extend(["CertificateRequest", "CertificateVerify"]);
        }
        for message in messages {
            assert!(
                text.contains(&format!("#   {message} (RFC ")),
                "{name}: {message}"
            );
        }
        let protection: &[&str] = if options.suite.is_cbc() {
            &["iv", "ciphertext"]
        } else {
            &["explicit_nonce", "tag"]
        };
        let labels = ["client_version", "random", "cipher_suite", "verify_data"];
        for &label in labels.iter().chain(protection) {
            let labelled = text
                .lines()
                .any(|l| l.starts_with('#') && l.split_whitespace().any(|word| word == label));
            assert!(labelled, "{name}: {label}");
        }
    }
}
