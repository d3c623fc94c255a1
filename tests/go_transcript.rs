//! Go's recording `Client-TLSv12-AES128-GCM-SHA256` (a Go client and an OpenSSL server), read
//! with our codec and record layer by the passive observer holding the server's private key:
//! every record parses, the pre-master decrypts, and master secret, both verify_data values and
//! the application data come out as Go and OpenSSL had them.

use tls12_sim::messages::HandshakeType;
use tls12_sim::observer::{self, ObserverKey};
use tls12_sim::pki;
use tls12_sim::rng::Side;
use tls12_sim::suites::CipherSuite;
use tls12_sim::wire::parse_flows;

fn go_server_key() -> rsa::RsaPrivateKey {
    let text = include_str!("../vectors/go-crypto-tls/server-key.der.hex");
    let hex: String = text.lines().filter(|l| !l.starts_with('#')).collect();
    pki::load_private_key_der(&hex::decode(hex.trim()).unwrap()).unwrap()
}

#[test]
fn go_rsa_aes128_gcm_recording() {
    let flows = parse_flows(include_str!(
        "../vectors/go-crypto-tls/Client-TLSv12-AES128-GCM-SHA256"
    ))
    .unwrap();
    assert_eq!(flows.len(), 5);
    let key = go_server_key();
    let obs = observer::observe(&flows, ObserverKey::ServerPrivateKey(&key)).unwrap();

    // Every record was read, and every protected one opened.
    assert_eq!(obs.unreadable_records, 0);
    assert!(obs.records.iter().all(|r| r.plaintext.is_some()));
    let kinds: Vec<(Side, HandshakeType)> = obs.messages.iter().map(|(s, t, _)| (*s, *t)).collect();
    assert_eq!(
        kinds,
        [
            (Side::Client, HandshakeType::ClientHello),
            (Side::Server, HandshakeType::ServerHello),
            (Side::Server, HandshakeType::Certificate),
            (Side::Server, HandshakeType::ServerHelloDone),
            (Side::Client, HandshakeType::ClientKeyExchange),
            (Side::Client, HandshakeType::Finished),
            (Side::Server, HandshakeType::Finished),
        ]
    );
    assert_eq!(obs.suite, Some(CipherSuite::RsaAes128GcmSha256));
    assert!(!obs.extended_master_secret);
    assert_eq!(obs.client_hello.as_ref().unwrap().random, [0; 32]);

    // The pre-master: 0303 and 46 zero bytes (Go's test RNG gives zeros).
    let mut pre_master = vec![3, 3];
    pre_master.extend([0; 46]);
    assert_eq!(obs.pre_master_secret.as_deref(), Some(&pre_master[..]));
    let master = hex::encode(obs.master_secret.as_ref().unwrap());
    assert!(
        master.starts_with("da637ab4") && master.ends_with("6e304a"),
        "{master}"
    );

    assert_eq!(
        hex::encode(obs.client_verify_data.unwrap()),
        "d1dec8c0c54da5028ab6df27"
    );
    assert_eq!(
        hex::encode(obs.server_verify_data.unwrap()),
        "3bd7bebd28654e94442d5b3f"
    );
    assert_eq!(obs.client_verify_data, obs.expected_client_verify_data);
    assert_eq!(obs.server_verify_data, obs.expected_server_verify_data);

    assert_eq!(
        obs.application_data,
        vec![(Side::Client, b"hello\n".to_vec())]
    );
    assert_eq!(obs.alerts.len(), 1, "close_notify");
}

#[test]
fn go_x25519_ecdhe_recording() {
    let flows = parse_flows(include_str!(
        "../vectors/go-crypto-tls/Client-TLSv12-X25519-ECDHE"
    ))
    .unwrap();
    // Go's test client uses 32 zero bytes as its X25519 private key.
    let obs = observer::observe(&flows, ObserverKey::ClientEcdhPrivateKey([0; 32])).unwrap();
    assert_eq!(obs.suite, Some(CipherSuite::EcdheRsaAes128GcmSha256));
    assert!(obs.extended_master_secret);
    assert_eq!(obs.unreadable_records, 0);
    let ske = obs.server_key_exchange.as_ref().unwrap();
    assert_eq!(ske.params.named_curve, 0x001d);
    // The server's signature over the randoms and its ephemeral key, checked with the public key
    // of the certificate in the same recording.
    assert_eq!(obs.server_key_exchange_signature_ok, Some(true));
    // The client's public key is X25519(0, 9).
    let expected_public = x25519_dalek::x25519([0; 32], x25519_dalek::X25519_BASEPOINT_BYTES);
    assert_eq!(
        obs.client_ecdh_public.as_deref(),
        Some(&expected_public[..])
    );

    let pre_master = hex::encode(obs.pre_master_secret.as_ref().unwrap());
    assert!(
        pre_master.starts_with("a9904453") && pre_master.ends_with("2ab05a"),
        "{pre_master}"
    );
    let master = hex::encode(obs.master_secret.as_ref().unwrap());
    assert!(
        master.starts_with("ca84fcb0") && master.ends_with("66757c"),
        "{master}"
    );
    assert_eq!(
        hex::encode(obs.client_verify_data.unwrap()),
        "9ddd07f1168bd68a37672e87"
    );
    assert_eq!(
        hex::encode(obs.server_verify_data.unwrap()),
        "4d9131858fb705e9267e56e5"
    );
    assert_eq!(obs.client_verify_data, obs.expected_client_verify_data);
    assert_eq!(obs.server_verify_data, obs.expected_server_verify_data);
    assert!(!obs.application_data.is_empty());
}
