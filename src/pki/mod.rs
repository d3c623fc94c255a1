//! Certificates and keys: parsing what a peer sends, loading PEM files, the embedded demo
//! identity, and making certificates.
//!
//! X.509 and DER are not TLS; they are parsed and built with RustCrypto's `x509-cert` crate (and
//! keys with `rsa`'s PKCS#1/PKCS#8 decoders). What TLS needs from a certificate, and what this
//! module hands to the handshake, is small: the subject's RSA public key, and for checking, the
//! names, the validity period and the issuer's signature.

use std::str::FromStr;
use std::time::Duration;

use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, LineEnding, PrivateKeyInfoRef,
};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::der::asn1::{Ia5String, ObjectIdentifier};
use x509_cert::der::{DateTime, Decode, Encode, EncodePem};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::time::{Time, Validity};

use crate::error::Error;
use crate::phrase;
use crate::phrase::Phrase;
use crate::rng::RoleRng;

mod chain;

pub use chain::{
    ChainCheck, ChainReport, Checked, MAX_CHAIN_DEPTH, Purpose, TrustStore,
    verify_certificate_signature, verify_chain, verify_crl_signature,
};

/// A certificate chain (own certificate first, DER) and the private key of the first.
#[derive(Clone)]
pub struct Identity {
    /// The certificates (DER), own first, each followed by its issuer's, as Certificate sends them.
    pub chain: Vec<Vec<u8>>,
    /// The private key of the first certificate.
    pub key: RsaPrivateKey,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private key.
        write!(
            f,
            "Identity({} certificates, private key held)",
            self.chain.len()
        )
    }
}

/// Parses a DER certificate a peer sent. Malformed DER is `bad_certificate`.
pub fn parse_certificate(der: &[u8]) -> Result<Certificate, Error> {
    Certificate::from_der(der).map_err(|e| {
        Error::BadCertificate(phrase!(
            "certificate does not parse as X.509: {}",
            e.to_string()
        ))
    })
}

/// The RSA public key of a certificate; another kind of key (RSA-PSS, EC, Ed25519, ...) is
/// `unsupported_certificate`, named.
pub fn rsa_public_key(cert: &Certificate) -> Result<RsaPublicKey, Error> {
    let spki = cert.tbs_certificate().subject_public_key_info();
    if spki.algorithm.oid != RSA_ENCRYPTION {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as().ok());
        return Err(Error::UnsupportedCertificate(not_an_rsa_key(
            phrase!("the certificate's key"),
            spki.algorithm.oid,
            curve,
        )));
    }
    let der = spki.to_der().map_err(|e| {
        Error::BadCertificate(phrase!("public key does not encode: {}", e.to_string()))
    })?;
    RsaPublicKey::from_public_key_der(&der).map_err(|e| {
        Error::UnsupportedCertificate(phrase!(
            "the certificate's key is not a usable RSA key: {}",
            e.to_string()
        ))
    })
}

/// rsaEncryption (RFC 8017 A.1): the one kind of key every suite here needs.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// Why a key of algorithm `oid` (an EC key's `curve`) will not do: every suite here is
/// `*_RSA_*`, and needs an ordinary RSA key.
fn not_an_rsa_key(whose: Phrase, oid: ObjectIdentifier, curve: Option<ObjectIdentifier>) -> Phrase {
    let fix = "`openssl req -x509 -newkey rsa:2048 ...`";
    match oid.to_string().as_str() {
        "1.2.840.113549.1.1.10" => phrase!(
            "{} is an RSA-PSS key (id-RSASSA-PSS, 1.2.840.113549.1.1.10), which may only make \
             RSA-PSS signatures; the RSA key exchange decrypts with the key, and ECDHE_RSA signs \
             with rsa_pss_rsae_* or PKCS#1 v1.5, so both need an ordinary RSA key \
             (rsaEncryption, 1.2.840.113549.1.1.1); make one with {}",
            whose,
            fix
        ),
        "1.2.840.10045.2.1" => phrase!(
            "{} is an EC key (id-ecPublicKey, curve {}); every suite here is *_RSA_* (RSA key \
             exchange, or ECDHE signed with RSA) and needs an RSA key (rsaEncryption, \
             1.2.840.113549.1.1.1); make one with {}",
            whose,
            curve.map_or("?".to_string(), |c| curve_name(&c.to_string())),
            fix
        ),
        "1.3.101.112" | "1.3.101.113" => phrase!(
            "{} is an EdDSA key (Ed25519 or Ed448); every suite here is *_RSA_* and needs an \
             RSA key (rsaEncryption, 1.2.840.113549.1.1.1); make one with {}",
            whose,
            fix
        ),
        other => phrase!(
            "{} is not an RSA key (its algorithm is {}); every suite here is *_RSA_* and needs \
             an RSA key (rsaEncryption, 1.2.840.113549.1.1.1); make one with {}",
            whose,
            other.to_string(),
            fix
        ),
    }
}

/// A named curve's name (RFC 5480 2.1.1.1), or its OID.
fn curve_name(oid: &str) -> String {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256 (prime256v1, secp256r1)".into(),
        "1.3.132.0.34" => "P-384 (secp384r1)".into(),
        "1.3.132.0.35" => "P-521 (secp521r1)".into(),
        other => other.into(),
    }
}

/// A one-line description: subject, issuer, validity, serial.
pub fn describe_certificate(cert: &Certificate) -> Phrase {
    let tbs = cert.tbs_certificate();
    phrase!(
        "subject \"{}\", issuer \"{}\", valid {} to {}, serial {}",
        tbs.subject().to_string(),
        tbs.issuer().to_string(),
        tbs.validity().not_before.to_string(),
        tbs.validity().not_after.to_string(),
        tbs.serial_number().to_string()
    )
}

/// What PEM text holds, in words, for an error that says what was found instead of what was
/// expected: "a private key", "a certificate", "no PEM block", ... (the first block's label
/// decides).
pub fn pem_contents(text: &str) -> Phrase {
    if text.trim().is_empty() {
        return phrase!("an empty file");
    }
    let Some(begin) = text.find("-----BEGIN ") else {
        return phrase!("text without any -----BEGIN line (not PEM)");
    };
    let label = text[begin + "-----BEGIN ".len()..]
        .split("-----")
        .next()
        .unwrap_or_default();
    match label {
        "CERTIFICATE" | "TRUSTED CERTIFICATE" => phrase!("a certificate"),
        "PRIVATE KEY" | "RSA PRIVATE KEY" => phrase!("a private key"),
        "ENCRYPTED PRIVATE KEY" => {
            phrase!("an encrypted private key (give it without a passphrase)")
        }
        "EC PRIVATE KEY" => phrase!("an EC private key (this program uses RSA keys)"),
        "PUBLIC KEY" | "RSA PUBLIC KEY" => phrase!("a public key"),
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
            phrase!("a certificate request (CSR), not yet a certificate")
        }
        "X509 CRL" => phrase!("a CRL"),
        other => phrase!("a PEM block labelled {}", other),
    }
}

/// Loads every certificate from PEM text (`-----BEGIN CERTIFICATE-----` blocks), as DER.
pub fn load_certificates_pem(text: &str) -> Result<Vec<Vec<u8>>, Error> {
    if !text.contains("-----BEGIN CERTIFICATE-----") {
        return Err(Error::Config(phrase!(
            "expected a certificate (-----BEGIN CERTIFICATE-----), found {}",
            pem_contents(text)
        )));
    }
    let certs = Certificate::load_pem_chain(text.as_bytes()).map_err(|e| {
        Error::Config(phrase!(
            "a certificate that does not parse: {}",
            e.to_string()
        ))
    })?;
    if certs.is_empty() {
        return Err(Error::Config(phrase!("no certificate in the PEM text")));
    }
    certs
        .iter()
        .map(|c| {
            c.to_der().map_err(|e| {
                Error::Config(phrase!("certificate does not re-encode: {}", e.to_string()))
            })
        })
        .collect()
}

/// Loads an RSA private key from PEM: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1
/// (`BEGIN RSA PRIVATE KEY`), as OpenSSL writes them.
pub fn load_private_key_pem(text: &str) -> Result<RsaPrivateKey, Error> {
    if text.contains("BEGIN RSA PRIVATE KEY") {
        RsaPrivateKey::from_pkcs1_pem(text)
            .map_err(|e| Error::Config(phrase!("PKCS#1 RSA key does not parse: {}", e.to_string())))
    } else if text.contains("BEGIN PRIVATE KEY") {
        let (_, der) = x509_cert::der::pem::decode_vec(text.as_bytes())
            .map_err(|e| Error::Config(phrase!("PKCS#8 key does not parse: {}", e.to_string())))?;
        load_private_key_der(&der)
    } else if text.contains("BEGIN EC PRIVATE KEY") {
        Err(Error::Config(phrase!(
            "this is an EC private key (-----BEGIN EC PRIVATE KEY-----); every suite here is \
             *_RSA_* and needs an RSA key; make one with {}",
            "`openssl req -x509 -newkey rsa:2048 ...`"
        )))
    } else {
        Err(Error::Config(phrase!(
            "expected an RSA private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE \
             KEY-----), found {}",
            pem_contents(text)
        )))
    }
}

/// Loads an RSA private key from DER: PKCS#1 or PKCS#8. A PKCS#8 key of another algorithm
/// (RSA-PSS, EC, Ed25519) is refused by name.
pub fn load_private_key_der(der: &[u8]) -> Result<RsaPrivateKey, Error> {
    if let Ok(key) = RsaPrivateKey::from_pkcs1_der(der) {
        return Ok(key);
    }
    if let Ok(info) = PrivateKeyInfoRef::from_der(der) {
        if info.algorithm.oid != RSA_ENCRYPTION {
            let curve = info.algorithm.parameters.and_then(|p| p.decode_as().ok());
            return Err(Error::Config(not_an_rsa_key(
                phrase!("the private key"),
                info.algorithm.oid,
                curve,
            )));
        }
    }
    RsaPrivateKey::from_pkcs8_der(der).map_err(|e| {
        Error::Config(phrase!(
            "DER key is neither PKCS#1 nor PKCS#8 RSA: {}",
            e.to_string()
        ))
    })
}

/// True if the private key is the one whose public half is in the certificate.
pub fn key_matches_certificate(key: &RsaPrivateKey, cert_der: &[u8]) -> bool {
    parse_certificate(cert_der)
        .and_then(|c| rsa_public_key(&c))
        .is_ok_and(|public| public == *key.as_public_key())
}

// ---------------------------------------------------------------------------------------------
// Making certificates

/// What a certificate says. Extensions follow RFC 5280 and what OpenSSL's verifier expects.
#[derive(Clone, Debug)]
pub struct CertSpec {
    /// RFC 4514 string, e.g. `CN=tls12-sim demo server,O=tls12-sim`.
    pub subject: String,
    /// The serial number, by which a CRL lists a revoked certificate.
    pub serial: u32,
    /// Start of the validity period (notBefore), Unix seconds.
    pub not_before: u64,
    /// End of the validity period (notAfter), Unix seconds.
    pub not_after: u64,
    /// A CA certificate (basicConstraints cA, keyCertSign and cRLSign).
    pub ca: bool,
    /// extendedKeyUsage: serverAuth.
    pub server_auth: bool,
    /// extendedKeyUsage: clientAuth.
    pub client_auth: bool,
    /// subjectAltName DNS names.
    pub dns_names: Vec<String>,
    /// subjectAltName IP addresses.
    pub ip_addresses: Vec<std::net::IpAddr>,
}

/// Our certificate profile for the builder: exactly the extensions `CertSpec` asks for.
struct SpecProfile<'a> {
    spec: &'a CertSpec,
    subject: Name,
    issuer: Name,
}

impl BuilderProfile for SpecProfile<'_> {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &x509_cert::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let subject = tbs.subject();
        let mut ext: Vec<Extension> = Vec::new();
        let basic = BasicConstraints {
            ca: self.spec.ca,
            path_len_constraint: None,
        };
        ext.push(basic.to_extension(subject, &ext)?);
        let usage = if self.spec.ca {
            KeyUsages::KeyCertSign | KeyUsages::CRLSign | KeyUsages::DigitalSignature
        } else {
            // keyEncipherment: RSA key exchange encrypts the pre-master to this key
            // (RFC 5246 7.4.2); digitalSignature: ECDHE and CertificateVerify sign with it.
            KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment
        };
        ext.push(KeyUsage(usage).to_extension(subject, &ext)?);
        let mut purposes = Vec::new();
        if self.spec.server_auth {
            purposes.push(const_oid_kp(KpPurpose::ServerAuth));
        }
        if self.spec.client_auth {
            purposes.push(const_oid_kp(KpPurpose::ClientAuth));
        }
        if !purposes.is_empty() {
            ext.push(ExtendedKeyUsage(purposes).to_extension(subject, &ext)?);
        }
        let mut names = Vec::new();
        for dns in &self.spec.dns_names {
            names.push(GeneralName::DnsName(Ia5String::new(dns)?));
        }
        for ip in &self.spec.ip_addresses {
            names.push(GeneralName::from(*ip));
        }
        if !names.is_empty() {
            ext.push(SubjectAltName(names).to_extension(subject, &ext)?);
        }
        ext.push(SubjectKeyIdentifier::try_from(spk)?.to_extension(subject, &ext)?);
        ext.push(AuthorityKeyIdentifier::try_from(issuer_spk)?.to_extension(subject, &ext)?);
        Ok(ext)
    }
}

pub(crate) enum KpPurpose {
    ServerAuth,
    ClientAuth,
}

pub(crate) fn const_oid_kp(purpose: KpPurpose) -> x509_cert::der::oid::ObjectIdentifier {
    use x509_cert::der::oid::db::rfc5280::{ID_KP_CLIENT_AUTH, ID_KP_SERVER_AUTH};
    match purpose {
        KpPurpose::ServerAuth => ID_KP_SERVER_AUTH,
        KpPurpose::ClientAuth => ID_KP_CLIENT_AUTH,
    }
}

fn unix_time(seconds: u64) -> Result<Time, Error> {
    DateTime::from_unix_duration(Duration::from_secs(seconds))
        .map(Time::from)
        .map_err(|e| {
            Error::Config(phrase!(
                "time {} out of range: {}",
                seconds.to_string(),
                e.to_string()
            ))
        })
}

/// Issues a certificate for `subject_key` as `spec` says, signed by `issuer_key` with
/// sha256WithRSAEncryption. `issuer` is the issuer's certificate (DER), or `None` for a
/// self-signed certificate (then `issuer_key` must be the subject's own key).
pub fn issue_certificate(
    spec: &CertSpec,
    subject_key: &RsaPublicKey,
    issuer: Option<&[u8]>,
    issuer_key: &RsaPrivateKey,
    rng: &mut RoleRng,
) -> Result<Vec<u8>, Error> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::Config(phrase!("cannot issue certificate: {}", e.to_string()))
    };
    let subject = Name::from_str(&spec.subject).map_err(|e| fail(&e))?;
    let issuer_name = match issuer {
        Some(der) => parse_certificate(der)?.tbs_certificate().subject().clone(),
        None => subject.clone(),
    };
    let profile = SpecProfile {
        spec,
        subject,
        issuer: issuer_name,
    };
    let spki = SubjectPublicKeyInfoOwned::from_key(subject_key).map_err(|e| fail(&e))?;
    let validity = Validity::new(unix_time(spec.not_before)?, unix_time(spec.not_after)?);
    let builder = CertificateBuilder::new(profile, SerialNumber::from(spec.serial), validity, spki)
        .map_err(|e| fail(&e))?;
    let signer = SigningKey::<Sha256>::new(issuer_key.clone());
    let cert = builder
        .build_with_rng::<_, rsa::pkcs1v15::Signature, _>(&signer, rng)
        .map_err(|e| fail(&e))?;
    cert.to_der().map_err(|e| fail(&e))
}

/// PEM text of a DER certificate.
pub fn certificate_pem(der: &[u8]) -> Result<String, Error> {
    let cert = parse_certificate(der)?;
    cert.to_pem(LineEnding::LF)
        .map_err(|e| Error::Config(phrase!("PEM encoding failed: {}", e.to_string())))
}

/// PKCS#8 PEM text of a private key.
pub fn private_key_pem(key: &RsaPrivateKey) -> Result<String, Error> {
    key.to_pkcs8_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|e| Error::Config(phrase!("PEM encoding failed: {}", e.to_string())))
}

/// Checks that `now` (Unix seconds, from the injected clock) lies in the certificate's validity
/// period (RFC 5280 4.1.2.5). Outside it: `certificate_expired` (TLS has no alert of its own for
/// "not yet valid"; OpenSSL uses the same one).
pub fn check_validity(cert: &Certificate, now: u64) -> Result<(), Error> {
    let validity = cert.tbs_certificate().validity();
    let not_before = validity.not_before.to_unix_duration().as_secs();
    let not_after = validity.not_after.to_unix_duration().as_secs();
    if now < not_before {
        return Err(Error::CertificateExpired(phrase!(
            "certificate \"{}\" is not valid before {}",
            cert.tbs_certificate().subject().to_string(),
            validity.not_before.to_string()
        )));
    }
    if now > not_after {
        return Err(Error::CertificateExpired(phrase!(
            "certificate \"{}\" expired at {}",
            cert.tbs_certificate().subject().to_string(),
            validity.not_after.to_string()
        )));
    }
    Ok(())
}

/// Parses a DER CRL.
pub fn parse_crl(der: &[u8]) -> Result<CertificateList, Error> {
    CertificateList::from_der(der)
        .map_err(|e| Error::Config(phrase!("CRL does not parse: {}", e.to_string())))
}

/// Loads every CRL from PEM text (`-----BEGIN X509 CRL-----` blocks), as DER.
pub fn load_crls_pem(text: &str) -> Result<Vec<Vec<u8>>, Error> {
    use x509_cert::der::pem;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN X509 CRL-----") {
        let block = &rest[start..];
        let end_marker = "-----END X509 CRL-----";
        let Some(end) = block.find(end_marker) else {
            return Err(Error::Config(phrase!("unterminated PEM CRL")));
        };
        let pem_text = &block[..end + end_marker.len()];
        let (label, der) = pem::decode_vec(pem_text.as_bytes())
            .map_err(|e| Error::Config(phrase!("bad PEM CRL: {}", e.to_string())))?;
        if label != "X509 CRL" {
            return Err(Error::Config(phrase!(
                "expected an X509 CRL, found {}",
                label
            )));
        }
        parse_crl(&der)?;
        out.push(der);
        rest = &block[end + end_marker.len()..];
    }
    if out.is_empty() {
        return Err(Error::Config(phrase!(
            "expected a CRL (-----BEGIN X509 CRL-----), found {}",
            pem_contents(text)
        )));
    }
    Ok(out)
}

/// The DNS names and IP addresses in the certificate's subjectAltName.
pub fn subject_alt_names(cert: &Certificate) -> Vec<String> {
    let Ok(Some((_, san))) = cert.tbs_certificate().get_extension::<SubjectAltName>() else {
        return Vec::new();
    };
    san.0
        .iter()
        .filter_map(|name| match name {
            GeneralName::DnsName(dns) => Some(dns.to_string()),
            GeneralName::IpAddress(ip) => match ip.as_bytes().len() {
                4 => {
                    let b = ip.as_bytes();
                    Some(std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string())
                }
                16 => {
                    let octets: [u8; 16] = ip.as_bytes().try_into().ok()?;
                    Some(std::net::Ipv6Addr::from(octets).to_string())
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Does the certificate name `host` (RFC 6125 6.4: DNS names case-insensitively, a `*` only as
/// the whole left-most label; IP addresses only against iPAddress entries)?
pub fn certificate_names_host(cert: &Certificate, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host_ip = host.parse::<std::net::IpAddr>().ok();
    subject_alt_names(cert).iter().any(|name| {
        let name = name.to_ascii_lowercase();
        match (host_ip, name.parse::<std::net::IpAddr>()) {
            (Some(ip), Ok(cert_ip)) => ip == cert_ip,
            (Some(_), Err(_)) | (None, Ok(_)) => false,
            (None, Err(_)) => match name.strip_prefix("*.") {
                Some(suffix) => host
                    .split_once('.')
                    .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
                None => name == host,
            },
        }
    })
}

/// A DER-encoded name (as CertificateRequest carries them), in RFC 4514 form.
pub fn describe_name(der: &[u8]) -> String {
    Name::from_der(der).map_or_else(
        |_| format!("(undecodable name, {} bytes)", der.len()),
        |n| n.to_string(),
    )
}

/// The DER encoding of a certificate's subject name, as CertificateRequest lists the CAs it
/// accepts (RFC 5246 7.4.4).
pub fn subject_der(cert: &Certificate) -> Result<Vec<u8>, Error> {
    cert.tbs_certificate()
        .subject()
        .to_der()
        .map_err(|e| Error::Internal(phrase!("name does not encode: {}", e.to_string())))
}
