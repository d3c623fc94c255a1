//! The mutual-TLS labs: accepted, and each refusal the source article names.

use std::fmt::Write as _;

use crate::demo_pki::DemoClient;
use crate::error::Error;
use crate::event::Event;
use crate::messages::alert::AlertDescription;
use crate::rng::Side;
use crate::simulate::{self, Options, Simulation};
use crate::suites::CipherSuite;

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
        if let Some(identity) = client.config_mut().identity.as_mut() {
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
            } => Some((what.to_string(), *ok)),
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
            let reason = failure.error.reason();
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
        } if text.pattern() == "client certificate: {}" => text
            .args()
            .first()
            .map(|certificate| certificate.to_string()),
        _ => None,
    })
}
