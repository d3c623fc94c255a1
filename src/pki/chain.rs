//! Checking a peer's certificate chain (RFC 5280 6, reduced to what TLS peers need): each
//! certificate's validity and issuer signature up to a trust anchor, CA flags on issuers,
//! revocation against the anchors' CRLs, the leaf's key usage and extended key usage for its
//! purpose, and the host name.
//!
//! The trust anchors and CRLs are parsed and checked once, when a [`TrustStore`] is made (a CRL
//! must carry the signature of one of the anchors, or the store refuses it), as a server loads
//! its trust store at start-up; a handshake then parses only the peer's chain.

use rsa::RsaPublicKey;
use rsa::pkcs1v15::Pkcs1v15Sign;
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_cert::certificate::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::der::Encode;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage};

use super::{
    KpPurpose, certificate_names_host, check_validity, const_oid_kp, parse_certificate, parse_crl,
    rsa_public_key, subject_alt_names, subject_der,
};
use crate::error::Error;
pub use crate::event::Checked;
use crate::phrase;

/// What the certificate will be used for, which decides the key usage and extended key usage
/// it must allow (RFC 5246 7.4.2, RFC 5280 4.2.1.3 and 4.2.1.12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A server certificate for RSA key exchange: the pre-master is encrypted to it
    /// (keyEncipherment).
    ServerRsaKeyExchange,
    /// A server certificate for ECDHE_RSA: it signs the ServerKeyExchange (digitalSignature).
    ServerSigning,
    /// A client certificate: it signs CertificateVerify (digitalSignature, clientAuth).
    ClientAuth,
}

/// The most certificates a chain may have.
pub const MAX_CHAIN_DEPTH: usize = 8;

/// A trust anchor, parsed once.
#[derive(Clone, Debug)]
struct Anchor {
    der: Vec<u8>,
    cert: Certificate,
    key: RsaPublicKey,
}

/// What a chain is checked against: trust anchors and their CRLs, parsed and checked once.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    anchors: Vec<Anchor>,
    /// Each CRL, already verified with its anchor's key.
    crls: Vec<CertificateList>,
}

impl TrustStore {
    /// Parses the anchors (DER certificates with RSA keys) and the CRLs (DER). A CRL must be
    /// signed by one of the anchors: a CRL is only as good as its issuer's signature, and one
    /// we cannot trust is refused now rather than consulted later.
    pub fn new(anchors: &[Vec<u8>], crls: &[Vec<u8>]) -> Result<Self, Error> {
        let mut store = TrustStore::default();
        for der in anchors {
            let cert = parse_certificate(der).map_err(|e| Error::Config(e.phrase()))?;
            let key = rsa_public_key(&cert).map_err(|e| Error::Config(e.phrase()))?;
            store.anchors.push(Anchor {
                der: der.clone(),
                cert,
                key,
            });
        }
        for der in crls {
            let crl = parse_crl(der)?;
            let signed = store.anchors.iter().any(|a| {
                a.cert.tbs_certificate().subject() == &crl.tbs_cert_list.issuer
                    && verify_crl_signature(&crl, &a.key).is_ok()
            });
            if !signed {
                return Err(Error::Config(phrase!(
                    "the CRL from \"{}\" is not signed by any of the given CA certificates",
                    crl.tbs_cert_list.issuer.to_string()
                )));
            }
            store.crls.push(crl);
        }
        Ok(store)
    }

    /// True when the store holds no trust anchor.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// The anchors' subject names (DER), as CertificateRequest lists them (RFC 5246 7.4.4).
    pub fn subjects_der(&self) -> Result<Vec<Vec<u8>>, Error> {
        self.anchors.iter().map(|a| subject_der(&a.cert)).collect()
    }
}

/// The result of checking a chain: the checks made, in order, with their outcome (only when
/// asked to explain), and the verdict.
pub struct ChainReport {
    /// Every check made, in order (empty unless asked to explain).
    pub checks: Vec<ChainCheck>,
    /// The verdict: the first check that failed, as the error (and alert) it means.
    pub result: Result<(), Error>,
}

/// One check made on a chain, and whether it held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainCheck {
    /// What was checked, with the values it was about.
    pub checked: Checked,
    /// Whether it held.
    pub ok: bool,
}

/// Collects the checks, only when they will be shown: formatting names costs more than some of
/// the checks.
struct Explain {
    on: bool,
    checks: Vec<ChainCheck>,
}

impl Explain {
    fn check(&mut self, ok: bool, checked: impl FnOnce() -> Checked) {
        if self.on {
            self.checks.push(ChainCheck {
                checked: checked(),
                ok,
            });
        }
    }
}

/// Checks `chain` (leaf first, DER) against `trust` at time `now` (Unix seconds): see the module
/// doc. With `explain`, the report lists every check in words for the trace.
pub fn verify_chain(
    chain: &[Vec<u8>],
    trust: &TrustStore,
    now: u64,
    purpose: Purpose,
    host: Option<&str>,
    explain: bool,
) -> ChainReport {
    let mut explain = Explain {
        on: explain,
        checks: Vec::new(),
    };
    let result = verify_chain_steps(chain, trust, now, purpose, host, &mut explain);
    ChainReport {
        checks: explain.checks,
        result,
    }
}

fn verify_chain_steps(
    chain: &[Vec<u8>],
    trust: &TrustStore,
    now: u64,
    purpose: Purpose,
    host: Option<&str>,
    explain: &mut Explain,
) -> Result<(), Error> {
    let certs = parse_chain(chain)?;
    // 1. The leaf: what it may be used for, and for whom.
    check_leaf(&certs[0], purpose, host, explain)?;
    // 2. Walk up: each certificate valid now, signed by the next one or by an anchor, and not
    //    revoked by its issuer, until a trust anchor ends the walk.
    for (i, cert) in certs.iter().enumerate() {
        let link = Link {
            cert,
            der: &chain[i],
            next: certs.get(i + 1),
        };
        if check_link(&link, trust, now, explain)? == Walk::ReachedAnchor {
            return Ok(());
        }
    }
    Err(Error::UnknownCa(phrase!(
        "the chain ends without reaching a trust anchor"
    )))
}

/// The chain's certificates, parsed; an empty or overlong chain is refused first.
fn parse_chain(chain: &[Vec<u8>]) -> Result<Vec<Certificate>, Error> {
    if chain.is_empty() {
        return Err(Error::BadCertificate(phrase!("no certificate")));
    }
    if chain.len() > MAX_CHAIN_DEPTH {
        return Err(Error::BadCertificate(phrase!(
            "a chain of {} certificates; at most {} are accepted",
            chain.len(),
            MAX_CHAIN_DEPTH
        )));
    }
    chain.iter().map(|der| parse_certificate(der)).collect()
}

/// The leaf: its key usages for `purpose`, and the host name we connected to.
fn check_leaf(
    leaf: &Certificate,
    purpose: Purpose,
    host: Option<&str>,
    explain: &mut Explain,
) -> Result<(), Error> {
    check_leaf_usage(leaf, purpose, explain)?;
    let Some(host) = host else {
        return Ok(());
    };
    let ok = certificate_names_host(leaf, host);
    explain.check(ok, || Checked::HostName {
        host: host.to_string(),
    });
    if !ok {
        return Err(Error::BadCertificate(phrase!(
            "the certificate is not for \"{}\": its subjectAltName names {}",
            host,
            subject_alt_names(leaf).join(", ")
        )));
    }
    Ok(())
}

/// One certificate of the chain, as DER and parsed, and the one after it (its issuer, unless
/// a trust anchor issued it).
struct Link<'a> {
    cert: &'a Certificate,
    der: &'a [u8],
    next: Option<&'a Certificate>,
}

/// Where the walk up the chain stands after a link.
#[derive(PartialEq, Eq)]
enum Walk {
    /// Checked; go on to the issuer.
    Continue,
    /// A trust anchor vouched for this certificate (or is it): the chain is good.
    ReachedAnchor,
}

/// One step up the chain (RFC 5280 6.1.3): the certificate is valid now, its issuer is known
/// and may issue certificates, the issuer's signature verifies, and the issuer has not revoked
/// it.
fn check_link(
    link: &Link<'_>,
    trust: &TrustStore,
    now: u64,
    explain: &mut Explain,
) -> Result<Walk, Error> {
    let cert = link.cert;
    let subject = || cert.tbs_certificate().subject().to_string();
    let valid = check_validity(cert, now);
    explain.check(valid.is_ok(), || Checked::ValidNow { subject: subject() });
    valid?;
    // A certificate that is itself a trust anchor ends the walk (a self-signed server
    // certificate given as the CA, for instance).
    if trust.anchors.iter().any(|a| a.der == link.der) {
        explain.check(true, || Checked::IsTrustAnchor { subject: subject() });
        return Ok(Walk::ReachedAnchor);
    }
    let issuer_name = cert.tbs_certificate().issuer();
    // The issuer: a trust anchor if one matches, else the next certificate in the chain.
    let anchor = trust
        .anchors
        .iter()
        .find(|a| a.cert.tbs_certificate().subject() == issuer_name);
    let next_key;
    let (issuer, issuer_key, is_anchor) = match (anchor, link.next) {
        (Some(a), _) => (&a.cert, &a.key, true),
        (None, Some(next)) if next.tbs_certificate().subject() == issuer_name => {
            next_key = rsa_public_key(next)?;
            (next, &next_key, false)
        }
        _ => {
            explain.check(false, || Checked::IssuerKnown {
                issuer: issuer_name.to_string(),
            });
            return Err(Error::UnknownCa(phrase!(
                "\"{}\" was issued by \"{}\", which is not a trust anchor",
                subject(),
                issuer_name.to_string()
            )));
        }
    };
    if !is_certificate_authority(issuer) {
        explain.check(false, || Checked::IssuerIsCa {
            issuer: issuer_name.to_string(),
        });
        return Err(Error::BadCertificate(phrase!(
            "\"{}\" is not a CA certificate but issued \"{}\"",
            issuer_name.to_string(),
            subject()
        )));
    }
    let signed = verify_certificate_signature(cert, issuer_key);
    explain.check(signed.is_ok(), || Checked::Signature {
        subject: subject(),
        issuer: issuer_name.to_string(),
    });
    signed?;
    check_revocation(cert, trust, now, explain)?;
    if !is_anchor {
        return Ok(Walk::Continue);
    }
    let anchor_valid = check_validity(issuer, now);
    explain.check(anchor_valid.is_ok(), || Checked::AnchorValidNow {
        anchor: issuer_name.to_string(),
    });
    anchor_valid.map(|()| Walk::ReachedAnchor)
}

/// If the issuer published a CRL we hold (already checked to carry the issuer's signature):
/// it must be current, and must not list the certificate's serial number (RFC 5280 5 and 6.3).
fn check_revocation(
    cert: &Certificate,
    trust: &TrustStore,
    now: u64,
    explain: &mut Explain,
) -> Result<(), Error> {
    let issuer_name = cert.tbs_certificate().issuer();
    let crls = trust
        .crls
        .iter()
        .filter(|crl| &crl.tbs_cert_list.issuer == issuer_name);
    for crl in crls {
        explain.check(true, || Checked::CrlSigned {
            issuer: issuer_name.to_string(),
        });
        let current = check_crl_dates(crl, now);
        explain.check(current.is_ok(), || Checked::CrlCurrent {
            issuer: issuer_name.to_string(),
        });
        current?;
        let serial = cert.tbs_certificate().serial_number();
        let revoked = crl
            .tbs_cert_list
            .revoked_certificates
            .as_ref()
            .and_then(|list| list.iter().find(|r| &r.serial_number == serial));
        let subject = || cert.tbs_certificate().subject().to_string();
        explain.check(revoked.is_none(), || Checked::NotRevoked {
            subject: subject(),
            serial: serial.to_string(),
        });
        if let Some(entry) = revoked {
            return Err(Error::CertificateRevoked(phrase!(
                "\"{}\" (serial {}) was revoked by \"{}\" on {}",
                subject().to_string(),
                serial.to_string(),
                issuer_name.to_string(),
                entry.revocation_date.to_string()
            )));
        }
    }
    Ok(())
}

fn check_crl_dates(crl: &CertificateList, now: u64) -> Result<(), Error> {
    let this_update = crl.tbs_cert_list.this_update.to_unix_duration().as_secs();
    let next_update = crl
        .tbs_cert_list
        .next_update
        .map(|t| t.to_unix_duration().as_secs());
    if now < this_update || next_update.is_some_and(|next| now > next) {
        return Err(Error::CertificateExpired(phrase!(
            "the CRL from \"{}\" is not current (thisUpdate {}, nextUpdate {})",
            crl.tbs_cert_list.issuer.to_string(),
            crl.tbs_cert_list.this_update.to_string(),
            match crl.tbs_cert_list.next_update {
                Some(next) => crate::phrase::Arg::Verbatim(next.to_string()),
                None => phrase!("none").into(),
            }
        )));
    }
    Ok(())
}

fn is_certificate_authority(cert: &Certificate) -> bool {
    matches!(
        cert.tbs_certificate().get_extension::<BasicConstraints>(),
        Ok(Some((_, BasicConstraints { ca: true, .. })))
    )
}

/// Key usage and extended key usage of the leaf, for `purpose`.
fn check_leaf_usage(
    leaf: &Certificate,
    purpose: Purpose,
    explain: &mut Explain,
) -> Result<(), Error> {
    let tbs = leaf.tbs_certificate();
    match tbs.get_extension::<KeyUsage>() {
        Ok(Some((_, usage))) => {
            let (needed, ok) = match purpose {
                Purpose::ServerRsaKeyExchange => ("keyEncipherment", usage.key_encipherment()),
                Purpose::ServerSigning | Purpose::ClientAuth => {
                    ("digitalSignature", usage.digital_signature())
                }
            };
            explain.check(ok, || Checked::KeyUsage { needed });
            if !ok {
                return Err(Error::UnsupportedCertificate(phrase!(
                    "the certificate's keyUsage does not allow {}",
                    needed
                )));
            }
        }
        Ok(None) => {}
        Err(e) => {
            return Err(Error::BadCertificate(phrase!(
                "bad keyUsage: {}",
                e.to_string()
            )));
        }
    }
    match tbs.get_extension::<ExtendedKeyUsage>() {
        Ok(Some((_, eku))) => {
            let (needed, wanted) = match purpose {
                Purpose::ClientAuth => ("clientAuth", const_oid_kp(KpPurpose::ClientAuth)),
                _ => ("serverAuth", const_oid_kp(KpPurpose::ServerAuth)),
            };
            let any = x509_cert::der::oid::db::rfc5280::ANY_EXTENDED_KEY_USAGE;
            let ok = eku.0.contains(&wanted) || eku.0.contains(&any);
            explain.check(ok, || Checked::ExtendedKeyUsage { needed });
            if !ok {
                return Err(Error::UnsupportedCertificate(phrase!(
                    "the certificate's extendedKeyUsage does not allow {}",
                    needed
                )));
            }
        }
        Ok(None) => {}
        Err(e) => {
            return Err(Error::BadCertificate(phrase!(
                "bad extendedKeyUsage: {}",
                e.to_string()
            )));
        }
    }
    Ok(())
}

/// Verifies `cert`'s signature with its issuer's public key.
pub fn verify_certificate_signature(
    cert: &Certificate,
    issuer_key: &RsaPublicKey,
) -> Result<(), Error> {
    let tbs = cert.tbs_certificate().to_der().map_err(|e| {
        Error::BadCertificate(phrase!("certificate does not re-encode: {}", e.to_string()))
    })?;
    // RFC 5280 4.1.1.2: the outer signatureAlgorithm "MUST contain the same algorithm
    // identifier as the signature field in the sequence tbsCertificate". Only the inner one is
    // signed: without this check the outer one's parameters (NULL) could be changed in transit
    // and the altered certificate would still verify.
    if cert.signature_algorithm() != cert.tbs_certificate().signature() {
        return Err(Error::BadCertificate(phrase!(
            "the signature algorithm of \"{}\" differs from the one inside the signed part",
            cert.tbs_certificate().subject().to_string()
        )));
    }
    // An RSA signature is a whole number of bytes: a BIT STRING with unused bits is not one
    // (and `raw_bytes` would ignore the count, accepting an altered certificate).
    let signature = cert.signature().as_bytes().ok_or_else(|| {
        Error::BadCertificate(phrase!(
            "the signature of \"{}\" is not a whole number of bytes",
            cert.tbs_certificate().subject().to_string()
        ))
    })?;
    verify_signed(
        &tbs,
        &cert.signature_algorithm().oid.to_string(),
        signature,
        issuer_key,
    )
    .map_err(|e| match e {
        Error::BadCertificate(_) => Error::BadCertificate(phrase!(
            "the signature on \"{}\" does not verify",
            cert.tbs_certificate().subject().to_string()
        )),
        other => other,
    })
}

/// Verifies a CRL's signature with its issuer's public key.
pub fn verify_crl_signature(crl: &CertificateList, issuer_key: &RsaPublicKey) -> Result<(), Error> {
    let tbs = crl
        .tbs_cert_list
        .to_der()
        .map_err(|e| Error::BadCertificate(phrase!("CRL does not re-encode: {}", e.to_string())))?;
    // The same two rules as for certificates (RFC 5280 5.1.1.2): the outer algorithm is the
    // signed inner one, and the signature is a whole number of bytes.
    if crl.signature_algorithm != crl.tbs_cert_list.signature {
        return Err(Error::BadCertificate(phrase!(
            "the CRL's signature algorithm differs from the one inside the signed part"
        )));
    }
    let signature = crl.signature.as_bytes().ok_or_else(|| {
        Error::BadCertificate(phrase!(
            "the CRL's signature is not a whole number of bytes"
        ))
    })?;
    verify_signed(
        &tbs,
        &crl.signature_algorithm.oid.to_string(),
        signature,
        issuer_key,
    )
}

/// An X.509 signature (certificate or CRL): RSA PKCS#1 v1.5 with SHA-256/384/512. SHA-1 is
/// refused; other algorithms are not supported here.
fn verify_signed(
    tbs: &[u8],
    algorithm: &str,
    signature: &[u8],
    public_key: &RsaPublicKey,
) -> Result<(), Error> {
    let result = match algorithm {
        "1.2.840.113549.1.1.11" => public_key.verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(tbs),
            signature,
        ),
        "1.2.840.113549.1.1.12" => public_key.verify(
            Pkcs1v15Sign::new::<Sha384>(),
            &Sha384::digest(tbs),
            signature,
        ),
        "1.2.840.113549.1.1.13" => public_key.verify(
            Pkcs1v15Sign::new::<Sha512>(),
            &Sha512::digest(tbs),
            signature,
        ),
        "1.2.840.113549.1.1.5" => {
            return Err(Error::BadCertificate(phrase!(
                "signed with SHA-1, which is no longer accepted"
            )));
        }
        other => {
            return Err(Error::UnsupportedCertificate(phrase!(
                "signature algorithm {} is not supported here",
                other
            )));
        }
    };
    result.map_err(|_| Error::BadCertificate(phrase!("the signature does not verify")))
}
