//! The mutual-TLS labs: accepted, and each refusal the source article names.

use std::fmt::Write as _;

use crate::demo_pki::DemoClient;
use crate::error::Error;
use crate::messages::alert::AlertDescription;
use crate::phrase;
use crate::phrase::Phrase;
use crate::render::{Lang, check_of, say};
use crate::rng::Side;
use crate::simulate::{self, Options, Simulation};
use crate::suites::CipherSuite;

/// The mutual-TLS labs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MtlsCase {
    /// alice, with a valid certificate from the demo CA: accepted (`lab mtls`).
    Accepted,
    /// bob, whose certificate has expired: `certificate_expired` (`lab mtls-expired`).
    Expired,
    /// carol, whose certificate is on the CA's CRL: `certificate_revoked` (`lab mtls-revoked`).
    Revoked,
    /// mallory, certified by a CA the server does not trust: `unknown_ca` (`lab mtls-unknown-ca`).
    UnknownCa,
    /// A client with no certificate, at a server that requires one: `handshake_failure`
    /// (`lab mtls-no-certificate`).
    NoCertificate,
    /// alice's certificate, copied, with CertificateVerify signed by another key:
    /// `decrypt_error` (`lab mtls-wrong-key`).
    WrongKey,
}

/// What a mutual-TLS lab showed.
pub struct MtlsLab {
    /// The alert that ended the handshake, `None` if it succeeded.
    pub alert: Option<AlertDescription>,
    /// What the server checked, in order, with the outcome.
    pub server_checks: Vec<(String, bool)>,
    /// The printed lesson.
    pub text: String,
}

/// A case's story: its title, which demo client connects, what happens, and why.
struct Story {
    title: Phrase,
    who: Option<DemoClient>,
    story: Phrase,
    why: Phrase,
}

/// Runs one mutual-TLS case in memory with the embedded demo PKI and explains the outcome in
/// `lang`.
pub fn mtls(case: MtlsCase, lang: Lang) -> Result<MtlsLab, Error> {
    let story = story(case);
    let report = run_case(case, story.who)?;
    let checks = checks_by_server(&report);
    let alert = report.alert();
    let text = explain(lang, &story, &report, &checks);
    Ok(MtlsLab {
        alert,
        server_checks: checks
            .into_iter()
            .map(|(what, ok)| (what.to_string(), ok))
            .collect(),
        text,
    })
}

/// What each case is about, in the words of the source article.
fn story(case: MtlsCase) -> Story {
    let who = match case {
        MtlsCase::Accepted | MtlsCase::WrongKey => Some(DemoClient::Alice),
        MtlsCase::Expired => Some(DemoClient::Bob),
        MtlsCase::Revoked => Some(DemoClient::Carol),
        MtlsCase::UnknownCa => Some(DemoClient::Mallory),
        MtlsCase::NoCertificate => None,
    };
    let (title, story, why) = match case {
        MtlsCase::Accepted => accepted(),
        MtlsCase::Expired => expired(),
        MtlsCase::Revoked => revoked(),
        MtlsCase::UnknownCa => unknown_ca(),
        MtlsCase::NoCertificate => no_certificate(),
        MtlsCase::WrongKey => wrong_key(),
    };
    Story {
        title,
        who,
        story,
        why,
    }
}

/// alice, accepted: (title, story, why).
fn accepted() -> (Phrase, Phrase, Phrase) {
    (
        phrase!("mutual TLS, accepted"),
        phrase!(
            "alice, a member of staff, connects with the certificate the company CA issued her."
        ),
        phrase!(
            "Both sides showed a certificate from a CA the other trusts, and each proved it holds \
             the matching private key: the server by signing (ECDHE) or decrypting (RSA), alice by \
             signing the handshake in CertificateVerify."
        ),
    )
}

/// bob, expired: (title, story, why).
fn expired() -> (Phrase, Phrase, Phrase) {
    (
        phrase!("an expired client certificate"),
        phrase!(
            "bob's certificate was valid for 2024 only. It is still signed by the right CA, and \
             bob still holds its key, but the server checks the validity period at its clock."
        ),
        phrase!(
            "A certificate vouches for a key only between notBefore and notAfter (RFC 5280 \
             4.1.2.5). Renewing certificates on time is part of running mTLS."
        ),
    )
}

/// carol, revoked: (title, story, why).
fn revoked() -> (Phrase, Phrase, Phrase) {
    (
        phrase!("a revoked certificate: an employee who left"),
        phrase!(
            "carol left the company in June. Her certificate has not expired, and she kept her \
             private key, so everything verifies, except that the CA put her certificate's serial \
             number on its certificate revocation list (CRL), which the server checks."
        ),
        phrase!(
            "Revocation is how a CA takes back a certificate before it expires: the server must \
             consult the CA's CRL (RFC 5280 5), signed by the CA so nobody can forge one."
        ),
    )
}

/// mallory, from another CA: (title, story, why).
fn unknown_ca() -> (Phrase, Phrase, Phrase) {
    (
        phrase!("a certificate from a CA nobody here trusts"),
        phrase!(
            "mallory made her own CA and issued herself a perfectly formed certificate for \
             clientAuth. The server trusts only the company CA."
        ),
        phrase!(
            "Anyone can make a CA: a certificate means something only if it chains to a trust \
             anchor the server chose. The server names its CAs in CertificateRequest."
        ),
    )
}

/// No certificate at all: (title, story, why).
fn no_certificate() -> (Phrase, Phrase, Phrase) {
    (
        phrase!("no certificate at all"),
        phrase!(
            "a client without a certificate answers the CertificateRequest with an empty \
             Certificate message, as RFC 5246 7.4.6 tells it to."
        ),
        phrase!(
            "The server requires a certificate; TLS 1.2 has no alert of its own for a missing \
             one, and RFC 5246 7.4.6 names handshake_failure (TLS 1.3 added \
             certificate_required). A server that only *requests* one would carry on with an \
             anonymous client."
        ),
    )
}

/// alice's certificate with another key: (title, story, why).
fn wrong_key() -> (Phrase, Phrase, Phrase) {
    (
        phrase!("a copied certificate without its private key"),
        phrase!(
            "someone copied alice's certificate (certificates are public: they travel in the \
             clear in every handshake) and presents it, signing with another key."
        ),
        phrase!(
            "The certificate is fine; the proof is not. CertificateVerify is a signature over the \
             whole handshake so far, which only the holder of the certificate's private key can \
             make, and it covers this handshake's randoms, so an old one cannot be replayed."
        ),
    )
}

/// The handshake of one case: ECDHE, mutual TLS, the case's demo client (with another key in
/// place of alice's for the copied certificate).
fn run_case(case: MtlsCase, who: Option<DemoClient>) -> Result<simulate::Report, Error> {
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
        if let Some(identity) = client.config_mut().identity.as_mut() {
            identity.key = DemoClient::Carol.identity()?.key;
        }
    }
    let server = simulate::demo_server(&options)?;
    Ok(simulate::run_simulation(
        Simulation::new(client, server),
        &options,
    ))
}

/// What the server checked, in order, in words, with the outcome.
fn checks_by_server(report: &simulate::Report) -> Vec<(Phrase, bool)> {
    report
        .events
        .iter()
        .filter_map(check_of)
        .filter(|(side, _, _)| *side == Side::Server)
        .map(|(_, what, ok)| (what, ok))
        .collect()
}

/// The lab's text in `lang`: the story, what the client presented, the server's checks, the
/// outcome, and why.
fn explain(
    lang: Lang,
    story: &Story,
    report: &simulate::Report,
    server_checks: &[(Phrase, bool)],
) -> String {
    let requires = phrase!(
        "The server requires a client certificate issued by \"CN=tls12-sim demo CA\", and checks \
         who issued it, whether it is still valid, and whether it was revoked; the client must \
         prove it holds the private key (the source article's four checks)."
    );
    let mut text = format!(
        "{}\n\n{}\n\n{}\n\n",
        say(lang, &phrase!("Lab: {}.", &story.title)),
        say(lang, &requires),
        say(lang, &story.story)
    );
    if let Some(identity) = client_identity(report) {
        let presents = phrase!("The client presents: {}", identity);
        let _ = writeln!(text, "{}\n", say(lang, &presents));
    }
    let _ = writeln!(text, "{}", say(lang, &phrase!("What the server checked:")));
    for (what, ok) in server_checks {
        let mark = if *ok { "ok  " } else { "FAIL" };
        let _ = writeln!(text, "  [{mark}] {}", say(lang, what));
    }
    if server_checks.is_empty() {
        let nothing = phrase!("(nothing: there was no certificate to check)");
        let _ = writeln!(text, "  {}", say(lang, &nothing));
    }
    text.push_str(&outcome(lang, report));
    let _ = writeln!(text, "\n{}", say(lang, &phrase!("Why: {}", &story.why)));
    text
}

/// Accepted, or refused with which alert and why, in `lang`.
fn outcome(lang: Lang, report: &simulate::Report) -> String {
    let lines = match (&report.outcome, report.alert()) {
        (Ok(()), _) => vec![phrase!(
            "Result: accepted. The server read {} and answered {}.",
            format!("{:?}", String::from_utf8_lossy(&report.server_received)),
            format!("{:?}", String::from_utf8_lossy(&report.client_received))
        )],
        (Err(failure), Some(alert)) => vec![
            phrase!(
                "Result: refused. The {} sends the fatal alert {} ({}), because {}.",
                failure.side.phrase(),
                alert.name(),
                alert.code(),
                failure.error.reason()
            ),
            phrase!("The client receives it and the connection ends before any application data."),
        ],
        (Err(failure), None) => vec![phrase!("Result: failed: {}", failure.error.phrase())],
    };
    let mut text = String::from("\n");
    for line in &lines {
        let _ = writeln!(text, "{}", say(lang, line));
    }
    text
}

/// The client certificate the server saw, described.
fn client_identity(report: &simulate::Report) -> Option<Phrase> {
    let leaf = report.server.client_certificates().first()?;
    let certificate = crate::pki::parse_certificate(leaf).ok()?;
    Some(crate::pki::describe_certificate(&certificate))
}
