//! Lab `forward-secrecy`: record an RSA and an ECDHE session, steal the server's private key
//! later, and see which recording it opens.

use std::fmt::Write as _;

use rsa::RsaPrivateKey;

use super::{head, paragraph};
use crate::demo_pki;
use crate::error::Error;
use crate::observer::{self, Observation, ObserverKey};
use crate::phrase;
use crate::phrase::Phrase;
use crate::render::{Lang, say};
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
/// the server's private key and tries to read both recordings. The lesson is in `lang`.
pub fn forward_secrecy(lang: Lang) -> Result<ForwardSecrecy, Error> {
    let mut text = introduction(lang);
    let stolen_key = demo_pki::server()?.key;

    // Two independent sessions: each gets its own seed. (Runs with the *same* seed draw the same
    // random bytes whatever the suite, which would tie the two sessions together.)
    let rsa = rsa_session(&mut text, lang, &stolen_key)?;
    let ecdhe = ecdhe_session(&mut text, lang, &stolen_key)?;

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
    let lesson = phrase!(
        "The lesson: with RSA key exchange, one stolen key opens every session ever recorded with \
         it. With ECDHE the session keys come from ephemeral keys that no longer exist, so the \
         same key opens nothing: that is forward secrecy. (TLS 1.3 allows only the second kind.)"
    );
    text.push('\n');
    text.push_str(&paragraph(lang, "", 86, &lesson));
    Ok(ForwardSecrecy {
        rsa_plaintexts,
        ecdhe_plaintexts,
        ecdhe_unreadable: ecdhe.unreadable_records,
        text,
    })
}

/// The story: two sessions recorded today, the server's private key stolen years later.
fn introduction(lang: Lang) -> String {
    let title = phrase!("Lab: forward secrecy. What does a private key stolen *later* open?");
    let mut text = format!("{}\n\n", say(lang, &title));
    let today = phrase!(
        "Today a passive eavesdropper records two sessions between the same client and server \
         (the server uses the same certificate and private key for both):"
    );
    text.push_str(&paragraph(lang, "", 84, &today));
    let sessions = [
        (CipherSuite::RsaAes128GcmSha256, phrase!("RSA key exchange")),
        (
            CipherSuite::EcdheRsaAes128GcmSha256,
            phrase!("ECDHE key exchange"),
        ),
    ];
    for (n, (suite, kind)) in sessions.iter().enumerate() {
        let _ = writeln!(text, "  {}. {}  ({})", n + 1, suite.name(), say(lang, kind));
    }
    let later = phrase!(
        "Years later it steals the server's private key. It tries the key on both recordings."
    );
    let _ = writeln!(text, "{}\n", say(lang, &later));
    text
}

/// Session 1: RSA key exchange, recorded, then opened with the stolen key.
fn rsa_session(
    text: &mut String,
    lang: Lang,
    stolen_key: &RsaPrivateKey,
) -> Result<Observation, Error> {
    let rsa_flows = record_session(
        CipherSuite::RsaAes128GcmSha256,
        RSA_SESSION_SEED,
        b"PIN 2468 (RSA session)\n",
    )?;
    let rsa = observer::observe(&rsa_flows, ObserverKey::ServerPrivateKey(stolen_key))?;
    let recorded = phrase!(
        "Session 1, RSA key exchange: {} records recorded.",
        rsa.records.len()
    );
    let _ = writeln!(text, "{}", say(lang, &recorded));
    if let Some(encrypted) = &rsa.encrypted_pre_master {
        // Two lines, as the English was laid out: one phrase each.
        let lines = [
            phrase!(
                "The ClientKeyExchange holds the pre-master secret, encrypted to the server's \
                 public"
            ),
            phrase!(
                "key ({} bytes of RSA ciphertext: {}..). The stolen private key decrypts it:",
                encrypted.len(),
                head(encrypted)
            ),
        ];
        for line in &lines {
            let _ = writeln!(text, "  {}", say(lang, line));
        }
    }
    describe_opened(text, lang, &rsa);

    Ok(rsa)
}

/// Session 2: ECDHE, recorded, and the stolen key tried on it.
fn ecdhe_session(
    text: &mut String,
    lang: Lang,
    stolen_key: &RsaPrivateKey,
) -> Result<Observation, Error> {
    let ecdhe_flows = record_session(
        CipherSuite::EcdheRsaAes128GcmSha256,
        ECDHE_SESSION_SEED,
        b"PIN 1357 (ECDHE session)\n",
    )?;
    let ecdhe = observer::observe(&ecdhe_flows, ObserverKey::ServerPrivateKey(stolen_key))?;
    let recorded = phrase!(
        "Session 2, ECDHE key exchange: {} records recorded.",
        ecdhe.records.len()
    );
    let _ = writeln!(text, "\n{}", say(lang, &recorded));
    if let (Some(ske), Some(client_public)) =
        (&ecdhe.server_key_exchange, &ecdhe.client_ecdh_public)
    {
        let verdict = match ecdhe.server_key_exchange_signature_ok {
            Some(true) => phrase!("it verifies"),
            Some(false) => phrase!("it does NOT verify"),
            None => phrase!("not checked"),
        };
        let lines = [
            phrase!(
                "ServerKeyExchange: the server's ephemeral X25519 key {}..,",
                head(&ske.params.public)
            ),
            phrase!(
                "signed with the private key (anyone can check it with the certificate: {}).",
                verdict
            ),
            phrase!(
                "ClientKeyExchange: the client's ephemeral X25519 key {}..",
                head(client_public)
            ),
            phrase!(
                "The pre-master is X25519(one side's ephemeral *private* key, the other's public \
                 key)."
            ),
        ];
        for line in &lines {
            let _ = writeln!(text, "  {}", say(lang, line));
        }
        let erased = phrase!(
            "Neither ephemeral private key was ever sent, and both were erased when the \
             handshake ended. The server's private key only signed; nothing was encrypted to it."
        );
        text.push_str(&paragraph(lang, "  ", 86, &erased));
    }
    describe_opened(text, lang, &ecdhe);

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

/// What the stolen key opened in one recording, in `lang`.
fn describe_opened(text: &mut String, lang: Lang, obs: &Observation) {
    let mut line = |phrase: Phrase| {
        let _ = writeln!(text, "  {}", say(lang, &phrase));
    };
    let protected = obs.records.iter().filter(|r| r.protected).count();
    match &obs.master_secret {
        Some(master) => line(phrase!(
            "-> pre-master secret {}.., master secret {}..: the session keys follow.",
            head(obs.pre_master_secret.as_deref().unwrap_or_default()),
            head(master)
        )),
        None => line(phrase!(
            "-> no way from the private key to the pre-master secret."
        )),
    }
    line(phrase!(
        "Protected records opened: {} of {}.",
        protected - obs.unreadable_records,
        protected
    ));
    for (from, data) in &obs.application_data {
        line(phrase!(
            "The attacker reads ({} -> {}): {}",
            from.phrase(),
            from.peer().phrase(),
            format!("{:?}", String::from_utf8_lossy(data))
        ));
    }
    if obs.application_data.is_empty() {
        line(phrase!("The attacker reads: nothing."));
    }
}
