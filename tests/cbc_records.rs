//! The CBC suites in memory: every one completes a handshake and carries data both ways, the
//! trace shows each CBC record's parts, and a passive observer holding the key log opens every
//! record of the run with the same record layer.

mod common;

use tls12_sim::event::Event;
use tls12_sim::observer::{self, ObserverKey};
use tls12_sim::simulate::{self, Options};
use tls12_sim::suites::CipherSuite;

fn run(suite: CipherSuite, seed: u64) -> simulate::Report {
    let options = Options {
        suite,
        seed,
        ..Options::default()
    };
    let report = simulate::run(&options).unwrap();
    assert!(report.outcome.is_ok(), "{}", suite.name());
    report
}

#[test]
fn every_cbc_suite_completes_and_carries_data() {
    for suite in CipherSuite::CBC {
        let report = run(suite, 5);
        let options = Options::default();
        assert_eq!(
            report.server_received,
            options.client_message,
            "{}",
            suite.name()
        );
        assert_eq!(
            report.client_received,
            options.server_message,
            "{}",
            suite.name()
        );
        let mac_len = suite.mac().unwrap().output_len();
        // Every protected record is CBC: an IV, whole blocks, and the MAC and padding inside.
        let mut protected = 0;
        for event in &report.events {
            if let Event::Record { gcm, cbc, wire, .. } = event {
                assert!(gcm.is_none(), "{}", suite.name());
                let Some(cbc) = cbc else { continue };
                protected += 1;
                assert_eq!(cbc.iv.len(), 16);
                assert_eq!(cbc.mac.len(), mac_len);
                assert_eq!(cbc.mac_header.len(), 13);
                let fragment = wire.len() - 5;
                let inside = if cbc.encrypt_then_mac { 0 } else { mac_len };
                assert_eq!(
                    fragment,
                    16 + cbc.plaintext.len()
                        + inside
                        + cbc.padding.len()
                        + if cbc.encrypt_then_mac { mac_len } else { 0 },
                    "{}",
                    suite.name()
                );
                assert_eq!((fragment - 16 - (mac_len - inside)) % 16, 0);
                assert!(
                    cbc.padding
                        .iter()
                        .all(|&b| usize::from(b) == cbc.padding.len() - 1)
                );
            }
        }
        // Finished, data and close_notify, each way, traced by the sender and the receiver.
        assert_eq!(protected, 12, "{}", suite.name());
    }
}

#[test]
fn the_observer_opens_every_cbc_record_with_the_key_log() {
    for suite in CipherSuite::CBC {
        let report = run(suite, 6);
        let keylog = report.keylog.clone().unwrap();
        let master: [u8; 48] = hex::decode(keylog.split_whitespace().nth(2).unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        let obs = observer::observe(&report.flows, ObserverKey::MasterSecret(master)).unwrap();
        assert_eq!(obs.unreadable_records, 0, "{}", suite.name());
        assert_eq!(obs.suite, Some(suite));
        assert_eq!(obs.client_verify_data, obs.expected_client_verify_data);
        assert_eq!(obs.server_verify_data, obs.expected_server_verify_data);
        assert_eq!(obs.application_data.len(), 2, "{}", suite.name());
        assert_eq!(
            obs.encrypt_then_mac,
            report.client.conn().encrypt_then_mac(),
            "{}",
            suite.name()
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_ivs_and_another_seed_others() {
    let ivs = |seed| -> Vec<Vec<u8>> {
        run(CipherSuite::RsaAes128CbcSha, seed)
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Record { cbc: Some(cbc), .. } => Some(cbc.iv.clone()),
                _ => None,
            })
            .collect()
    };
    let (a, b, c) = (ivs(8), ivs(8), ivs(9));
    assert_eq!(a, b);
    assert_ne!(a, c);
    // Each record its own IV: no two alike in a run (the sender's and receiver's events of one
    // record share theirs).
    let mut distinct = a.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), a.len() / 2);
}

#[test]
fn encrypt_then_mac_is_used_only_when_both_sides_agree() {
    for (client, server, agreed) in [
        (true, true, true),
        (true, false, false),
        (false, true, false),
        (false, false, false),
    ] {
        let options = Options {
            suite: CipherSuite::EcdheRsaAes128CbcSha256,
            encrypt_then_mac: client,
            ..Options::default()
        };
        let mut sim = common::sim_with(&options);
        sim.server.config_mut().allow_encrypt_then_mac = server;
        simulate::handshake_and_exchange(&mut sim, &options).unwrap();
        let what = format!("client {client}, server {server}");
        assert_eq!(sim.client.conn().encrypt_then_mac(), agreed, "{what}");
        assert_eq!(sim.server.conn().encrypt_then_mac(), agreed, "{what}");
        let orders: Vec<bool> = sim
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Record { cbc: Some(cbc), .. } => Some(cbc.encrypt_then_mac),
                _ => None,
            })
            .collect();
        assert!(
            !orders.is_empty() && orders.iter().all(|&o| o == agreed),
            "{what}"
        );
    }
}

#[test]
fn the_server_takes_gcm_before_cbc_whatever_the_client_lists_first() {
    let options = Options::default();
    let mut sim = common::sim_with(&options);
    sim.client.config_mut().suites = vec![
        CipherSuite::RsaAes128CbcSha,
        CipherSuite::RsaAes256GcmSha384,
        CipherSuite::RsaAes128GcmSha256,
    ];
    simulate::handshake_and_exchange(&mut sim, &options).unwrap();
    assert_eq!(
        sim.server.conn().negotiated_suite(),
        Some(CipherSuite::RsaAes256GcmSha384),
        "the client's first GCM suite"
    );
    // Offered with GCM, encrypt_then_mac is in the ClientHello but not answered.
    assert!(
        sim.server
            .client_hello()
            .unwrap()
            .extensions
            .encrypt_then_mac
    );
    assert!(!sim.server.conn().encrypt_then_mac());
}
