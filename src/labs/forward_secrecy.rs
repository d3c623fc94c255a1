//! Lab `forward-secrecy`: record an RSA and an ECDHE session, steal the server's private key
//! later, and see which recording it opens.

use std::fmt::Write as _;

use rsa::RsaPrivateKey;

use super::head;
use crate::demo_pki;
use crate::error::Error;
use crate::observer::{self, Observation, ObserverKey};
use crate::simulate::{self, Options};
use crate::suites::CipherSuite;
use crate::wire::Flow;

/// The outcome of the forward-secrecy lab.
pub struct ForwardSecrecy {
    /// What the attacker read from the recorded RSA-key-exchange session.
    pub rsa_plaintexts: Vec<Vec<u8>>,
    /// What the attacker read from the recorded ECDHE session.
    pub ecdhe_plaintexts: Vec<Vec<u8>>,
    /// Protected records of the ECDHE session the attacker could not open.
    pub ecdhe_unreadable: usize,
    /// The printed lesson (`tls12-sim lab forward-secrecy`).
    pub text: String,
}

/// Records one session of each key exchange, then plays a passive attacker who later steals
/// the server's private key and tries to read both recordings.
pub fn forward_secrecy() -> Result<ForwardSecrecy, Error> {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Lab: forward secrecy. What does a private key stolen *later* open?\n\n\
         Today a passive eavesdropper records two sessions between the same client and server\n\
         (the server uses the same certificate and private key for both):\n  \
         1. {}  (RSA key exchange)\n  \
         2. {}  (ECDHE key exchange)\n\
         Years later it steals the server's private key. It tries the key on both recordings.\n",
        CipherSuite::RsaAes128GcmSha256.name(),
        CipherSuite::EcdheRsaAes128GcmSha256.name(),
    );
    let stolen_key = demo_pki::server()?.key;

    // Two independent sessions: each gets its own seed. (Runs with the *same* seed draw the same
    // random bytes whatever the suite, which would tie the two sessions together.)
    let rsa = rsa_session(&mut text, &stolen_key)?;
    let ecdhe = ecdhe_session(&mut text, &stolen_key)?;

    let rsa_plaintexts: Vec<Vec<u8>> = rsa
        .application_data
        .iter()
        .map(|(_, d)| d.clone())
        .collect();
    let ecdhe_plaintexts: Vec<Vec<u8>> = ecdhe
        .application_data
        .iter()
        .map(|(_, d)| d.clone())
        .collect();
    let _ = writeln!(
        text,
        "\nThe lesson: with RSA key exchange, one stolen key opens every session ever recorded\n\
         with it. With ECDHE the session keys come from ephemeral keys that no longer exist, so\n\
         the same key opens nothing: that is forward secrecy. (TLS 1.3 allows only the second\n\
         kind.)"
    );
    Ok(ForwardSecrecy {
        rsa_plaintexts,
        ecdhe_plaintexts,
        ecdhe_unreadable: ecdhe.unreadable_records,
        text,
    })
}

/// Session 1: RSA key exchange, recorded, then opened with the stolen key.
fn rsa_session(text: &mut String, stolen_key: &RsaPrivateKey) -> Result<Observation, Error> {
    let rsa_flows = record_session(
        CipherSuite::RsaAes128GcmSha256,
        RSA_SESSION_SEED,
        b"PIN 2468 (RSA session)\n",
    )?;
    let rsa = observer::observe(&rsa_flows, ObserverKey::ServerPrivateKey(stolen_key))?;
    let _ = writeln!(
        text,
        "Session 1, RSA key exchange: {} records recorded.",
        rsa.records.len()
    );
    if let Some(encrypted) = &rsa.encrypted_pre_master {
        let _ = writeln!(
            text,
            "  The ClientKeyExchange holds the pre-master secret, encrypted to the server's public\n  \
             key ({} bytes of RSA ciphertext: {}..). The stolen private key decrypts it:",
            encrypted.len(),
            head(encrypted)
        );
    }
    describe_opened(text, &rsa);

    Ok(rsa)
}

/// Session 2: ECDHE, recorded, and the stolen key tried on it.
fn ecdhe_session(text: &mut String, stolen_key: &RsaPrivateKey) -> Result<Observation, Error> {
    let ecdhe_flows = record_session(
        CipherSuite::EcdheRsaAes128GcmSha256,
        ECDHE_SESSION_SEED,
        b"PIN 1357 (ECDHE session)\n",
    )?;
    let ecdhe = observer::observe(&ecdhe_flows, ObserverKey::ServerPrivateKey(stolen_key))?;
    let _ = writeln!(
        text,
        "\nSession 2, ECDHE key exchange: {} records recorded.",
        ecdhe.records.len()
    );
    if let (Some(ske), Some(client_public)) =
        (&ecdhe.server_key_exchange, &ecdhe.client_ecdh_public)
    {
        let _ = writeln!(
            text,
            "  ServerKeyExchange: the server's ephemeral X25519 key {}..,\n  \
             signed with the private key (anyone can check it with the certificate: {}).\n  \
             ClientKeyExchange: the client's ephemeral X25519 key {}..\n  \
             The pre-master is X25519(one side's ephemeral *private* key, the other's public key).\n  \
             Neither ephemeral private key was ever sent, and both were erased when the handshake\n  \
             ended. The server's private key only signed; nothing was encrypted to it.",
            head(&ske.params.public),
            match ecdhe.server_key_exchange_signature_ok {
                Some(true) => "it verifies",
                Some(false) => "it does NOT verify",
                None => "not checked",
            },
            head(client_public),
        );
    }
    describe_opened(text, &ecdhe);

    Ok(ecdhe)
}

/// Seed of the recorded RSA-key-exchange session.
pub const RSA_SESSION_SEED: u64 = 2024;
/// Seed of the recorded ECDHE session.
pub const ECDHE_SESSION_SEED: u64 = 2025;

/// One seeded session with `secret` as the client's message; returns what crossed the wire.
pub fn record_session(suite: CipherSuite, seed: u64, secret: &[u8]) -> Result<Vec<Flow>, Error> {
    let options = Options {
        suite,
        seed,
        trace: false,
        client_message: secret.to_vec(),
        server_message: b"OK, noted.\n".to_vec(),
        ..Options::default()
    };
    let report = simulate::run(&options)?;
    if let Err(failure) = report.outcome {
        return Err(failure.error);
    }
    Ok(report.flows)
}

pub(super) fn describe_opened(text: &mut String, obs: &Observation) {
    let protected = obs.records.iter().filter(|r| r.protected).count();
    match &obs.master_secret {
        Some(master) => {
            let _ = writeln!(
                text,
                "  -> pre-master secret {}.., master secret {}..: the session keys follow.",
                head(obs.pre_master_secret.as_deref().unwrap_or_default()),
                head(master)
            );
        }
        None => {
            let _ = writeln!(
                text,
                "  -> no way from the private key to the pre-master secret."
            );
        }
    }
    let _ = writeln!(
        text,
        "  Protected records opened: {} of {protected}.",
        protected - obs.unreadable_records
    );
    for (from, data) in &obs.application_data {
        let _ = writeln!(
            text,
            "  The attacker reads ({} -> {}): {:?}",
            from.name(),
            from.peer().name(),
            String::from_utf8_lossy(data)
        );
    }
    if obs.application_data.is_empty() {
        let _ = writeln!(text, "  The attacker reads: nothing.");
    }
}
