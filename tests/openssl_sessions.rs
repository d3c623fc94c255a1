//! Real OpenSSL 3.0 sessions (`vectors/openssl-sessions/`, made by `capture.sh` and checked
//! independently by `verify_sessions.py`): our observer, holding the server's private key,
//! reads every record with our codec, decrypts the pre-master, and must reproduce the session
//! hash, master secret, key block, both Finished and the application data that OpenSSL had.
//! The CBC sessions (`capture-cbc.sh`) check the CBC record layer, in both orders.

use serde_json::Value;
use tls12_sim::observer::{self, ObserverKey};
use tls12_sim::pki;
use tls12_sim::rng::Side;
use tls12_sim::wire::Flow;

fn sessions() -> Vec<Value> {
    let doc: Value =
        serde_json::from_str(include_str!("../vectors/openssl-sessions/sessions.json")).unwrap();
    doc["sessions"].as_array().unwrap().clone()
}

/// The session's records, regrouped into flows (consecutive records of one direction).
fn flows(session: &Value) -> Vec<Flow> {
    let mut flows: Vec<Flow> = Vec::new();
    for record in session["records"].as_array().unwrap() {
        let from = match record["dir"].as_str().unwrap() {
            "c2s" => Side::Client,
            _ => Side::Server,
        };
        let raw = hex::decode(record["raw"].as_str().unwrap()).unwrap();
        match flows.last_mut() {
            Some(flow) if flow.from == from => flow.bytes.extend(raw),
            _ => flows.push(Flow { from, bytes: raw }),
        }
    }
    flows
}

fn field(session: &Value, name: &str) -> Option<String> {
    session[name].as_str().map(str::to_string)
}

#[test]
fn rsa_key_exchange_sessions_with_and_without_ems() {
    let key =
        pki::load_private_key_pem(include_str!("../vectors/openssl-sessions/server.key")).unwrap();
    let mut checked = Vec::new();
    for session in sessions() {
        let suite = session["cipher_suite"].as_str().unwrap();
        if !suite.starts_with("TLS_RSA_") {
            continue;
        }
        let obs = observer::observe(&flows(&session), ObserverKey::ServerPrivateKey(&key)).unwrap();
        assert_eq!(obs.suite.unwrap().name(), suite);
        assert_eq!(obs.unreadable_records, 0, "{suite}");
        let ems = session["extended_master_secret"].as_bool().unwrap();
        assert_eq!(obs.extended_master_secret, ems);
        let hex_of = |v: &Option<Vec<u8>>| v.as_ref().map(hex::encode);
        assert_eq!(
            hex_of(&obs.pre_master_secret),
            field(&session, "pre_master_secret")
        );
        assert_eq!(hex_of(&obs.session_hash), field(&session, "session_hash"));
        assert_eq!(hex_of(&obs.master_secret), field(&session, "master_secret"));
        assert_eq!(hex_of(&obs.key_block), field(&session, "key_block"));

        let finished: Vec<String> = session["records"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["verify_data"].as_str().map(str::to_string))
            .collect();
        assert_eq!(hex::encode(obs.client_verify_data.unwrap()), finished[0]);
        assert_eq!(hex::encode(obs.server_verify_data.unwrap()), finished[1]);
        assert_eq!(obs.client_verify_data, obs.expected_client_verify_data);
        assert_eq!(obs.server_verify_data, obs.expected_server_verify_data);

        assert_plaintexts(&obs, &session, "");
        checked.push((suite.to_string(), ems));
    }
    assert_eq!(
        checked,
        [
            ("TLS_RSA_WITH_AES_128_GCM_SHA256".to_string(), true),
            ("TLS_RSA_WITH_AES_256_GCM_SHA384".to_string(), true),
            ("TLS_RSA_WITH_AES_128_GCM_SHA256".to_string(), false),
        ]
    );
}

#[test]
fn keylog_master_secrets_open_every_session() {
    // With only the NSS key log (as Wireshark has it), every session opens, ECDHE included.
    let keylog = include_str!("../vectors/openssl-sessions/keylog.txt");
    for session in sessions() {
        let client_random = field(&session, "client_random").unwrap();
        let line = keylog
            .lines()
            .find(|l| l.starts_with(&format!("CLIENT_RANDOM {client_random}")))
            .unwrap();
        let master: [u8; 48] = hex::decode(line.split(' ').nth(2).unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        let obs = observer::observe(&flows(&session), ObserverKey::MasterSecret(master)).unwrap();
        assert_eq!(obs.unreadable_records, 0);
        assert_eq!(obs.client_verify_data, obs.expected_client_verify_data);
        assert_eq!(obs.server_verify_data, obs.expected_server_verify_data);
        assert_eq!(obs.application_data.len(), 2);
    }
}

#[test]
fn ecdhe_sessions_signatures_verify_and_the_private_key_opens_nothing() {
    let key =
        pki::load_private_key_pem(include_str!("../vectors/openssl-sessions/server.key")).unwrap();
    let mut seen = Vec::new();
    for session in sessions() {
        let suite = session["cipher_suite"].as_str().unwrap();
        if !suite.starts_with("TLS_ECDHE_") {
            continue;
        }
        let obs = observer::observe(&flows(&session), ObserverKey::ServerPrivateKey(&key)).unwrap();
        let ske = obs.server_key_exchange.as_ref().unwrap();
        // OpenSSL signs with RSA-PSS (rsa_pss_rsae_sha256) when offered: our verify must agree.
        assert_eq!(
            format!("0x{:04X}", ske.signed_params.scheme),
            session["ske_signature_scheme"].as_str().unwrap()
        );
        assert_eq!(obs.server_key_exchange_signature_ok, Some(true), "{suite}");
        assert_eq!(
            hex::encode(&ske.params.public),
            session["ske_server_ecdh_public"].as_str().unwrap()
        );
        assert_eq!(
            obs.client_ecdh_public.as_ref().map(hex::encode),
            field(&session, "client_ecdh_public")
        );
        // Forward secrecy, on a real recording: the server's private key opens nothing.
        assert!(obs.master_secret.is_none());
        assert!(obs.application_data.is_empty());
        assert_eq!(
            obs.unreadable_records,
            obs.records.iter().filter(|r| r.protected).count()
        );
        seen.push((
            suite.to_string(),
            session["extended_master_secret"].as_bool().unwrap(),
        ));
    }
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().any(|(_, ems)| *ems) && seen.iter().any(|(_, ems)| !*ems));
}

#[test]
fn cbc_sessions_every_suite_in_both_orders() {
    // `capture-cbc.sh`: one OpenSSL session per CBC suite, encrypt-then-MAC (RFC 7366) for half
    // of them and MAC-then-encrypt for the others, checked independently by
    // `verify_sessions.py`. RSA sessions open with the server's private key, ECDHE ones with the
    // key log; our record layer must open every record, in the order the hellos agreed.
    let doc: Value = serde_json::from_str(include_str!(
        "../vectors/openssl-sessions/cbc-sessions.json"
    ))
    .unwrap();
    let key =
        pki::load_private_key_pem(include_str!("../vectors/openssl-sessions/server.key")).unwrap();
    let keylog = include_str!("../vectors/openssl-sessions/cbc-keylog.txt");
    let mut seen = Vec::new();
    for session in doc["sessions"].as_array().unwrap() {
        let suite = session["cipher_suite"].as_str().unwrap();
        let client_random = field(session, "client_random").unwrap();
        let observer_key = if suite.starts_with("TLS_RSA_") {
            ObserverKey::ServerPrivateKey(&key)
        } else {
            let line = keylog
                .lines()
                .find(|l| l.starts_with(&format!("CLIENT_RANDOM {client_random}")))
                .unwrap();
            let master = hex::decode(line.split(' ').nth(2).unwrap()).unwrap();
            ObserverKey::MasterSecret(master.try_into().unwrap())
        };
        let obs = observer::observe(&flows(session), observer_key).unwrap();
        assert_eq!(obs.suite.unwrap().name(), suite);
        assert_eq!(obs.unreadable_records, 0, "{suite}");
        let etm = session["encrypt_then_mac"].as_bool().unwrap();
        assert_eq!(obs.encrypt_then_mac, etm, "{suite}");
        let hex_of = |v: &Option<Vec<u8>>| v.as_ref().map(hex::encode);
        assert_eq!(hex_of(&obs.master_secret), field(session, "master_secret"));
        assert_eq!(
            hex_of(&obs.key_block),
            field(session, "key_block"),
            "{suite}"
        );
        assert_eq!(obs.client_verify_data, obs.expected_client_verify_data);
        assert_eq!(obs.server_verify_data, obs.expected_server_verify_data);
        assert_plaintexts(&obs, session, suite);
        seen.push((suite.to_string(), etm));
    }
    let mut suites: Vec<&str> = seen.iter().map(|(s, _)| s.as_str()).collect();
    suites.sort();
    let mut ours: Vec<&str> = tls12_sim::suites::CipherSuite::CBC
        .iter()
        .map(|s| s.name())
        .collect();
    ours.sort();
    assert_eq!(suites, ours, "every CBC suite, once");
    assert_eq!(seen.iter().filter(|(_, etm)| *etm).count(), 4);
}

/// The application data the observer decrypted is, record by record, the plaintext OpenSSL
/// sent (`application_data_plaintexts` of the session's vector).
fn assert_plaintexts(obs: &observer::Observation, session: &Value, what: &str) {
    let texts: Vec<String> = obs
        .application_data
        .iter()
        .map(|(_, d)| String::from_utf8_lossy(d).into_owned())
        .collect();
    let expected: Vec<String> = session["application_data_plaintexts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts, expected, "{what}");
}
