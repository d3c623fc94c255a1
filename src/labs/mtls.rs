//! The mutual-TLS labs: accepted, and each refusal the source article names.

use std::fmt::Write as _;

use crate::demo_pki::DemoClient;
use crate::error::Error;
use crate::messages::alert::AlertDescription;
use crate::render::check_of;
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
    title: &'static str,
    who: Option<DemoClient>,
    story: &'static str,
    why: &'static str,
}

/// Runs one mutual-TLS case in memory with the embedded demo PKI and explains the outcome.
pub fn mtls(case: MtlsCase) -> Result<MtlsLab, Error> {
    let story = story(case);
    let report = run_case(case, story.who)?;
    let server_checks = server_checks(&report);
    let alert = report.alert();
    let text = explain(&story, &report, &server_checks);
    Ok(MtlsLab {
        alert,
        server_checks,
        text,
    })
}

/// What each case is about, in the words of the source article.
fn story(case: MtlsCase) -> Story {
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
    Story {
        title,
        who,
        story,
        why,
    }
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

/// What the server checked, in order, with the outcome.
fn server_checks(report: &simulate::Report) -> Vec<(String, bool)> {
    report
        .events
        .iter()
        .filter_map(check_of)
        .filter(|(side, _, _)| *side == Side::Server)
        .map(|(_, what, ok)| (what.to_string(), ok))
        .collect()
}

/// The lab's text: the story, what the client presented, the server's checks, the outcome,
/// and why.
fn explain(story: &Story, report: &simulate::Report, server_checks: &[(String, bool)]) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Lab: {}.\n\n\
         The server requires a client certificate issued by \"CN=tls12-sim demo CA\", and checks \
         who issued it, whether it is still valid, and whether it was revoked; the client must \
         prove it holds the private key (the source article's four checks).\n\n{}\n",
        story.title, story.story
    );
    if let Some(identity) = &client_identity(report) {
        let _ = writeln!(text, "The client presents: {identity}\n");
    }
    let _ = writeln!(text, "What the server checked:");
    for (what, ok) in server_checks {
        let _ = writeln!(text, "  [{}] {what}", if *ok { "ok  " } else { "FAIL" });
    }
    if server_checks.is_empty() {
        let _ = writeln!(text, "  (nothing: there was no certificate to check)");
    }
    text.push_str(&outcome(report));
    let _ = writeln!(text, "\nWhy: {}", story.why);
    text
}

/// Accepted, or refused with which alert and why.
fn outcome(report: &simulate::Report) -> String {
    match (&report.outcome, report.alert()) {
        (Ok(()), _) => format!(
            "\nResult: accepted. The server read {:?} and answered {:?}.\n",
            String::from_utf8_lossy(&report.server_received),
            String::from_utf8_lossy(&report.client_received)
        ),
        (Err(failure), Some(alert)) => format!(
            "\nResult: refused. The {} sends the fatal alert {} ({}), because {}.\n\
             The client receives it and the connection ends before any application data.\n",
            failure.side.name(),
            alert.name(),
            alert.code(),
            failure.error.reason()
        ),
        (Err(failure), None) => format!("\nResult: failed: {}\n", failure.error),
    }
}

/// The client certificate the server saw, described.
fn client_identity(report: &simulate::Report) -> Option<String> {
    let leaf = report.server.client_certificates().first()?;
    let certificate = crate::pki::parse_certificate(leaf).ok()?;
    Some(crate::pki::describe_certificate(&certificate).to_string())
}
