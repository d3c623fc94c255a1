//! Full handshakes in memory: all four suites, with and without extended master secret, every
//! signature scheme; both sides derive the same secrets; the same seed gives the same bytes.

use tls12_sim::event::{Event, Key};
use tls12_sim::rng::Side;
use tls12_sim::simulate::{self, Options};
use tls12_sim::suites::CipherSuite;

const RSA_SUITES: [CipherSuite; 2] = [
    CipherSuite::RsaAes128GcmSha256,
    CipherSuite::RsaAes256GcmSha384,
];

#[test]
fn both_rsa_suites_complete_with_and_without_ems() {
    for suite in RSA_SUITES {
        for ems in [true, false] {
            let options = Options {
                suite,
                extended_master_secret: ems,
                ..Options::default()
            };
            let report = simulate::run(&options).unwrap();
            assert!(
                report.outcome.is_ok(),
                "{suite:?} ems={ems}: {:?}",
                report.outcome.err()
            );
            assert_eq!(report.server_received, options.client_message);
            assert_eq!(report.client_received, options.server_message);
            assert_eq!(report.client.conn().negotiated_suite(), Some(suite));
            assert_eq!(report.client.conn().extended_master_secret(), ems);
            assert_eq!(report.server.conn().extended_master_secret(), ems);
            // Both sides hold the same secrets, each derived on its own side.
            for name in [
                "pre_master_secret",
                "master_secret",
                "key_block",
                "client_write_key",
            ] {
                let client = report.value_of(Side::Client, name);
                assert!(client.is_some(), "{name}");
                assert_eq!(client, report.value_of(Side::Server, name), "{name}");
            }
            assert_eq!(
                report.value("key_block").unwrap().len(),
                suite.key_block_len()
            );
            assert_eq!(
                report.value("session_hash").is_some(),
                ems,
                "the session hash exists only with EMS"
            );
        }
    }
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let run = |seed| {
        simulate::run(&Options {
            seed,
            ..Options::default()
        })
        .unwrap()
        .flows
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[test]
fn the_private_key_is_used_once_and_only_by_the_server() {
    let report = simulate::run(&Options::default()).unwrap();
    let uses: Vec<Side> = report
        .events
        .iter()
        .filter_map(|e| match e {
            Event::KeyUse {
                side,
                key: Key::ServerPrivateKey,
                ..
            } => Some(*side),
            _ => None,
        })
        .collect();
    assert_eq!(uses, [Side::Server]);
}

#[test]
fn keylog_line_is_nss_format() {
    let report = simulate::run(&Options::default()).unwrap();
    let line = report.keylog.clone().unwrap();
    let parts: Vec<&str> = line.trim_end().split(' ').collect();
    assert_eq!(parts[0], "CLIENT_RANDOM");
    assert_eq!(parts[1], hex::encode(report.client.conn().client_random()));
    assert_eq!(
        parts[2],
        hex::encode(report.value("master_secret").unwrap())
    );
}

#[test]
fn a_record_larger_than_2_14_is_split() {
    let options = Options {
        client_message: vec![b'x'; 40_000],
        ..Options::default()
    };
    let report = simulate::run(&options).unwrap();
    assert!(report.outcome.is_ok());
    // The server reads one record at a time: the first 2^14 bytes.
    assert_eq!(report.server_received.len(), 1 << 14);
    let app_records = report
        .events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Record {
                    side: Side::Client,
                    from: Side::Client,
                    content_type: 23,
                    ..
                }
            )
        })
        .count();
    assert_eq!(app_records, 3);
}

#[test]
fn every_signature_scheme_is_produced_and_verified() {
    use tls12_sim::key_exchange::SUPPORTED_SCHEMES;
    use tls12_sim::simulate::{Simulation, demo_client, demo_server, handshake_and_exchange};
    for scheme in SUPPORTED_SCHEMES {
        let options = Options {
            suite: CipherSuite::EcdheRsaAes256GcmSha384,
            ..Options::default()
        };
        let mut client = demo_client(&options).unwrap();
        client.config_mut().signature_schemes = vec![scheme];
        let mut sim = Simulation::new(client, demo_server(&options).unwrap());
        handshake_and_exchange(&mut sim, &options).unwrap();
        assert_eq!(sim.server.signature_scheme(), Some(scheme));
    }
}

#[test]
fn in_ecdhe_the_private_key_only_signs() {
    let options = Options {
        suite: CipherSuite::EcdheRsaAes128GcmSha256,
        ..Options::default()
    };
    let report = simulate::run(&options).unwrap();
    let private_key_uses: Vec<String> = report
        .events
        .iter()
        .filter_map(|e| match e {
            Event::KeyUse {
                key: Key::ServerPrivateKey,
                operation,
                ..
            } => Some(operation.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(private_key_uses.len(), 1);
    assert!(private_key_uses[0].starts_with("sign the ServerKeyExchange"));
    // Both sides computed the same X25519 shared secret, from different private keys.
    assert_eq!(
        report.value_of(Side::Client, "pre_master_secret"),
        report.value_of(Side::Server, "pre_master_secret")
    );
    assert_ne!(
        report.value_of(Side::Client, "client_ecdh_private"),
        report.value_of(Side::Server, "server_ecdh_private")
    );
    // The ephemeral private keys are gone after the handshake.
    assert!(!report.server.holds_ephemeral_key());
}

#[test]
fn forward_secrecy_lab_opens_rsa_and_not_ecdhe() {
    let lab = tls12_sim::labs::forward_secrecy(tls12_sim::render::Lang::En).unwrap();
    let texts: Vec<String> = lab
        .rsa_plaintexts
        .iter()
        .map(|d| String::from_utf8_lossy(d).into_owned())
        .collect();
    assert_eq!(texts, ["PIN 2468 (RSA session)\n", "OK, noted.\n"]);
    assert!(lab.ecdhe_plaintexts.is_empty());
    assert_eq!(lab.ecdhe_unreadable, 6);
    assert!(lab.text.contains("The attacker reads: nothing."));
}

#[test]
fn the_lab_sessions_share_no_randomness() {
    // Nothing learnt from the RSA recording (its pre-master, which the stolen key reveals) may
    // open the ECDHE one: the two sessions are seeded independently.
    use tls12_sim::labs::{ECDHE_SESSION_SEED, RSA_SESSION_SEED, record_session};
    use tls12_sim::observer::{self, ObserverKey};
    let key = tls12_sim::demo_pki::server().unwrap().key;
    let rsa = record_session(CipherSuite::RsaAes128GcmSha256, RSA_SESSION_SEED, b"a").unwrap();
    let rsa_obs = observer::observe(&rsa, ObserverKey::ServerPrivateKey(&key)).unwrap();
    let pre_master = rsa_obs.pre_master_secret.unwrap();
    let ecdhe = record_session(
        CipherSuite::EcdheRsaAes128GcmSha256,
        ECDHE_SESSION_SEED,
        b"b",
    )
    .unwrap();
    for start in 0..=pre_master.len() - 32 {
        let guess: [u8; 32] = pre_master[start..start + 32].try_into().unwrap();
        let obs = observer::observe(&ecdhe, ObserverKey::ClientEcdhPrivateKey(guess)).unwrap();
        assert!(
            obs.application_data.is_empty(),
            "offset {start} opens the ECDHE session"
        );
    }
}
