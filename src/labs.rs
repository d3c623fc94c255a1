//! The labs: short experiments, each run in memory from fixed seeds, whose printed output is the
//! lesson. `tls12-sim lab --list` lists them; `tls12-sim lab NAME` runs one.

use std::fmt::Write as _;

use crate::demo_pki::{self, DemoClient};
use crate::error::Error;
use crate::messages::alert::AlertDescription;
use crate::observer::{self, Observation, ObserverKey};
use crate::rng::Side;
use crate::simulate::{self, Options, Simulation};
use crate::suites::CipherSuite;
use crate::trace::Event;
use crate::wire::Flow;

/// Every lab: (name, one-line summary).
pub const LABS: [(&str, &str); 7] = [
    (
        "forward-secrecy",
        "record an RSA and an ECDHE session, steal the server's private key later: what opens?",
    ),
    (
        "mtls",
        "mutual TLS accepted: alice shows her certificate and proves she holds its key",
    ),
    (
        "mtls-expired",
        "bob's client certificate ran out: certificate_expired",
    ),
    (
        "mtls-revoked",
        "carol left the company and the CA revoked her certificate: certificate_revoked",
    ),
    (
        "mtls-unknown-ca",
        "mallory's certificate comes from a CA the server does not trust: unknown_ca",
    ),
    (
        "mtls-no-certificate",
        "a client without a certificate, at a server that requires one: handshake_failure",
    ),
    (
        "mtls-wrong-key",
        "alice's certificate, copied, without alice's private key: decrypt_error",
    ),
];

/// Runs a lab by name and returns its printed lesson.
pub fn run(name: &str) -> Result<String, Error> {
    match name {
        "forward-secrecy" => Ok(forward_secrecy()?.text),
        "mtls" => Ok(mtls(MtlsCase::Accepted)?.text),
        "mtls-expired" => Ok(mtls(MtlsCase::Expired)?.text),
        "mtls-revoked" => Ok(mtls(MtlsCase::Revoked)?.text),
        "mtls-unknown-ca" => Ok(mtls(MtlsCase::UnknownCa)?.text),
        "mtls-no-certificate" => Ok(mtls(MtlsCase::NoCertificate)?.text),
        "mtls-wrong-key" => Ok(mtls(MtlsCase::WrongKey)?.text),
        other => {
            let names: Vec<&str> = LABS.iter().map(|(n, _)| *n).collect();
            Err(Error::Config(format!(
                "no lab called {other:?}; the labs are: {}",
                names.join(", ")
            )))
        }
    }
}

/// The outcome of the forward-secrecy lab.
pub struct ForwardSecrecy {
    /// What the attacker read from the recorded RSA-key-exchange session.
    pub rsa_plaintexts: Vec<Vec<u8>>,
    /// What the attacker read from the recorded ECDHE session.
    pub ecdhe_plaintexts: Vec<Vec<u8>>,
    /// Protected records of the ECDHE session the attacker could not open.
    pub ecdhe_unreadable: usize,
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
    let rsa_flows = record_session(
        CipherSuite::RsaAes128GcmSha256,
        RSA_SESSION_SEED,
        b"PIN 2468 (RSA session)\n",
    )?;
    let rsa = observer::observe(&rsa_flows, ObserverKey::ServerPrivateKey(&stolen_key))?;
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
    describe_opened(&mut text, &rsa);

    let ecdhe_flows = record_session(
        CipherSuite::EcdheRsaAes128GcmSha256,
        ECDHE_SESSION_SEED,
        b"PIN 1357 (ECDHE session)\n",
    )?;
    let ecdhe = observer::observe(&ecdhe_flows, ObserverKey::ServerPrivateKey(&stolen_key))?;
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
    describe_opened(&mut text, &ecdhe);

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

/// The seeds of the lab's two recorded sessions.
pub const RSA_SESSION_SEED: u64 = 2024;
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

fn describe_opened(text: &mut String, obs: &Observation) {
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

/// The first 8 bytes in hex: enough to recognise a value in the trace.
fn head(bytes: &[u8]) -> String {
    hex::encode(&bytes[..bytes.len().min(8)])
}

// ---------------------------------------------------------------------------------------------
// Mutual TLS: accepted, and each refusal the source article names

/// The mutual-TLS labs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MtlsCase {
    Accepted,
    Expired,
    Revoked,
    UnknownCa,
    NoCertificate,
    WrongKey,
}

/// What a mutual-TLS lab showed.
pub struct MtlsLab {
    /// The alert that ended the handshake, `None` if it succeeded.
    pub alert: Option<AlertDescription>,
    /// What the server checked, in order, with the outcome.
    pub server_checks: Vec<(String, bool)>,
    pub text: String,
}

/// Runs one mutual-TLS case in memory with the embedded demo PKI and explains the outcome.
pub fn mtls(case: MtlsCase) -> Result<MtlsLab, Error> {
    let (title, who, story, why) = match case {
        MtlsCase::Accepted => (
            "mutual TLS, accepted",
            Some(DemoClient::Alice),
            "alice, a member of staff, connects with the certificate the company CA issued her.",
            "Both sides showed a certificate from a CA the other trusts, and each proved it \
             holds the matching private key: the server by signing (ECDHE) or decrypting (RSA), \
             alice by signing the handshake in CertificateVerify.",
        ),
        MtlsCase::Expired => (
            "an expired client certificate",
            Some(DemoClient::Bob),
            "bob's certificate was valid for 2024 only. It is still signed by the right CA, and \
             bob still holds its key, but the server checks the validity period at its clock.",
            "A certificate vouches for a key only between notBefore and notAfter (RFC 5280 \
             4.1.2.5). Renewing certificates on time is part of running mTLS.",
        ),
        MtlsCase::Revoked => (
            "a revoked certificate: an employee who left",
            Some(DemoClient::Carol),
            "carol left the company in June. Her certificate has not expired, and she kept her \
             private key, so everything verifies, except that the CA put her certificate's \
             serial number on its certificate revocation list (CRL), which the server checks.",
            "Revocation is how a CA takes back a certificate before it expires: the server must \
             consult the CA's CRL (RFC 5280 5), signed by the CA so nobody can forge one.",
        ),
        MtlsCase::UnknownCa => (
            "a certificate from a CA nobody here trusts",
            Some(DemoClient::Mallory),
            "mallory made her own CA and issued herself a perfectly formed certificate for \
             clientAuth. The server trusts only the company CA.",
            "Anyone can make a CA: a certificate means something only if it chains to a trust \
             anchor the server chose. The server names its CAs in CertificateRequest.",
        ),
        MtlsCase::NoCertificate => (
            "no certificate at all",
            None,
            "a client without a certificate answers the CertificateRequest with an empty \
             Certificate message, as RFC 5246 7.4.6 tells it to.",
            "The server requires a certificate; TLS 1.2 has no alert of its own for a missing \
             one, and RFC 5246 7.4.6 names handshake_failure (TLS 1.3 added \
             certificate_required). A server that only *requests* one would carry on with an \
             anonymous client.",
        ),
        MtlsCase::WrongKey => (
            "a copied certificate without its private key",
            Some(DemoClient::Alice),
            "someone copied alice's certificate (certificates are public: they travel in the \
             clear in every handshake) and presents it, signing with another key.",
            "The certificate is fine; the proof is not. CertificateVerify is a signature over the \
             whole handshake so far, which only the holder of the certificate's private key can \
             make, and it covers this handshake's randoms, so an old one cannot be replayed.",
        ),
    };
    let options = Options {
        suite: CipherSuite::EcdheRsaAes128GcmSha256,
        seed: 7,
        mtls: true,
        client_certificate: who,
        client_message: b"GET /payroll\n".to_vec(),
        server_message: b"payroll for staff only\n".to_vec(),
        ..Options::default()
    };
    let mut client = simulate::demo_client(&options)?;
    if case == MtlsCase::WrongKey {
        if let Some(identity) = client.config.identity.as_mut() {
            identity.key = DemoClient::Carol.identity()?.key;
        }
    }
    let server = simulate::demo_server(&options)?;
    let report = simulate::run_simulation(Simulation::new(client, server), &options);

    let mut text = String::new();
    let _ = writeln!(
        text,
        "Lab: {title}.\n\n\
         The server requires a client certificate issued by \"CN=tls12-sim demo CA\", and checks \
         who issued it, whether it is still valid, and whether it was revoked; the client must \
         prove it holds the private key (the source article's four checks).\n\n{story}\n"
    );
    if let Some(identity) = &client_identity(&report) {
        let _ = writeln!(text, "The client presents: {identity}\n");
    }
    let server_checks: Vec<(String, bool)> = report
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Check {
                side: Side::Server,
                what,
                ok,
            } => Some((what.clone(), *ok)),
            _ => None,
        })
        .collect();
    let _ = writeln!(text, "What the server checked:");
    for (what, ok) in &server_checks {
        let _ = writeln!(text, "  [{}] {what}", if *ok { "ok  " } else { "FAIL" });
    }
    if server_checks.is_empty() {
        let _ = writeln!(text, "  (nothing: there was no certificate to check)");
    }
    let alert = report.alert();
    match (&report.outcome, alert) {
        (Ok(()), _) => {
            let _ = writeln!(
                text,
                "\nResult: accepted. The server read {:?} and answered {:?}.",
                String::from_utf8_lossy(&report.server_received),
                String::from_utf8_lossy(&report.client_received)
            );
        }
        (Err(failure), Some(alert)) => {
            let reason = failure.error.to_string();
            let reason = reason
                .strip_prefix(&format!("{}: ", alert.name()))
                .unwrap_or(&reason);
            let _ = writeln!(
                text,
                "\nResult: refused. The {} sends the fatal alert {} ({}), because {reason}.\n\
                 The client receives it and the connection ends before any application data.",
                failure.side.name(),
                alert.name(),
                alert.code(),
            );
        }
        (Err(failure), None) => {
            let _ = writeln!(text, "\nResult: failed: {}", failure.error);
        }
    }
    let _ = writeln!(text, "\nWhy: {why}");
    Ok(MtlsLab {
        alert,
        server_checks,
        text,
    })
}

/// The client certificate the server saw, described.
fn client_identity(report: &simulate::Report) -> Option<String> {
    report.events.iter().find_map(|e| match e {
        Event::Note {
            side: Side::Server,
            text,
        } => text
            .strip_prefix("client certificate: ")
            .map(str::to_string),
        _ => None,
    })
}
