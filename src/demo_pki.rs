//! The demo PKI: everything a class needs to watch mutual TLS accept and refuse.
//!
//! | file | what it is |
//! |---|---|
//! | `ca.pem`/`.key` | the demo CA that both sides trust |
//! | `server.pem`/`.key` | `localhost` and `127.0.0.1`, serverAuth, issued by the CA |
//! | `client.pem`/`.key` | "alice", clientAuth, issued by the CA: accepted |
//! | `expired.pem`/`.key` | "bob", whose certificate ran out on 2025-01-01: `certificate_expired` |
//! | `revoked.pem`/`.key` | "carol", who left the company: on the CRL, `certificate_revoked` |
//! | `crl.pem` | the CA's certificate revocation list, listing carol's serial number |
//! | `other-ca.pem`/`.key` | a second CA that nobody here trusts |
//! | `stranger.pem`/`.key` | "mallory", issued by the other CA: `unknown_ca` |
//!
//! All keys are RSA-2048, all certificates and the CRL are built with `x509-cert`'s builder and
//! signed (sha256WithRSAEncryption) by our `rsa` dependency. The set is made once from a fixed
//! seed and embedded (`src/demo/`), so every run and every class sees the same certificates;
//! `tls12-sim pki --out DIR` writes it out, `--fresh` makes a new one.

use std::path::Path;
use std::time::Duration;

use rsa::RsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use sha2::Sha256;
use x509_cert::builder::{Builder, CrlBuilder};
use x509_cert::crl::RevokedCert;
use x509_cert::der::asn1::Uint;
use x509_cert::der::{DateTime, EncodePem};
use x509_cert::ext::pkix::CrlNumber;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;

use crate::error::Error;
use crate::phrase;
use crate::pki::{self, CertSpec, Identity};
use crate::rng::{RoleRng, Side};

/// The embedded files, as `tls12-sim pki --out` writes them.
pub const FILES: [(&str, &str); 15] = [
    ("ca.pem", include_str!("demo/ca.pem")),
    ("ca.key", include_str!("demo/ca.key")),
    ("server.pem", include_str!("demo/server.pem")),
    ("server.key", include_str!("demo/server.key")),
    ("client.pem", include_str!("demo/client.pem")),
    ("client.key", include_str!("demo/client.key")),
    ("expired.pem", include_str!("demo/expired.pem")),
    ("expired.key", include_str!("demo/expired.key")),
    ("revoked.pem", include_str!("demo/revoked.pem")),
    ("revoked.key", include_str!("demo/revoked.key")),
    ("crl.pem", include_str!("demo/crl.pem")),
    ("other-ca.pem", include_str!("demo/other-ca.pem")),
    ("other-ca.key", include_str!("demo/other-ca.key")),
    ("stranger.pem", include_str!("demo/stranger.pem")),
    ("stranger.key", include_str!("demo/stranger.key")),
];

/// The seed the embedded set was made from.
pub const SEED: u64 = 2026;

/// 2025-01-01T00:00:00Z: where the validity of the CA, the server and alice begins; also the
/// CRL's thisUpdate.
pub const NOT_BEFORE: u64 = 1_735_689_600;
/// 2045-01-01T00:00:00Z: where the validity of the CA, the server and alice ends; also the CRL's
/// nextUpdate.
pub const NOT_AFTER: u64 = 2_366_841_600;
/// 2024-01-01T00:00:00Z: where bob's certificate becomes valid.
pub const EXPIRED_NOT_BEFORE: u64 = 1_704_067_200;
/// 2025-01-01T00:00:00Z: where bob's certificate ran out, long ago.
pub const EXPIRED_NOT_AFTER: u64 = 1_735_689_600;
/// When carol's certificate was revoked: 2026-06-30T00:00:00Z.
pub const REVOKED_AT: u64 = 1_782_777_600;
/// carol's serial number, which the CRL lists.
pub const REVOKED_SERIAL: u32 = 5;

/// One of the embedded files, by name.
pub fn file(name: &str) -> Result<&'static str, Error> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, pem)| *pem)
        .ok_or_else(|| Error::Internal(phrase!("no demo file {}", name)))
}

fn identity(cert: &str, key: &str) -> Result<Identity, Error> {
    Ok(Identity {
        chain: pki::load_certificates_pem(file(cert)?)?,
        key: pki::load_private_key_pem(file(key)?)?,
    })
}

/// The demo CA certificate (DER): the trust anchor of both sides.
pub fn ca() -> Result<Vec<u8>, Error> {
    first_certificate("ca.pem")
}

/// The demo CA and its CRL, as a trust store (parsed once per call).
pub fn trust_store() -> Result<pki::TrustStore, Error> {
    pki::TrustStore::new(&[ca()?], &[crl()?])
}

/// The CA's CRL (DER).
pub fn crl() -> Result<Vec<u8>, Error> {
    pki::load_crls_pem(file("crl.pem")?)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::Internal(phrase!("no demo CRL")))
}

fn first_certificate(name: &str) -> Result<Vec<u8>, Error> {
    pki::load_certificates_pem(file(name)?)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::Internal(phrase!("no certificate in {}", name)))
}

/// The demo server: `localhost`, issued by the demo CA.
pub fn server() -> Result<Identity, Error> {
    identity("server.pem", "server.key")
}

/// The demo clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoClient {
    /// alice: a valid certificate from the demo CA.
    Alice,
    /// bob: expired.
    Bob,
    /// carol: revoked (on the CRL).
    Carol,
    /// mallory: issued by a CA nobody trusts.
    Mallory,
}

impl DemoClient {
    /// This client's certificate chain and private key, from the embedded files.
    pub fn identity(self) -> Result<Identity, Error> {
        match self {
            DemoClient::Alice => identity("client.pem", "client.key"),
            DemoClient::Bob => identity("expired.pem", "expired.key"),
            DemoClient::Carol => identity("revoked.pem", "revoked.key"),
            DemoClient::Mallory => identity("stranger.pem", "stranger.key"),
        }
    }
}

/// Writes the embedded set into `dir`.
pub fn write(dir: &Path) -> Result<(), Error> {
    let files: Vec<(String, String)> = FILES
        .iter()
        .map(|(n, p)| (n.to_string(), p.to_string()))
        .collect();
    write_files(dir, &files)
}

/// Writes `(name, contents)` pairs into `dir`, creating it. Private keys (`*.key`) are
/// readable by their owner only (mode 0600 on Unix), as `openssl genpkey` writes them: even a
/// demo key should not teach that keys lie around world-readable.
pub fn write_files(dir: &Path, files: &[(String, String)]) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::Config(phrase!(
            "cannot create {}: {}",
            dir.display().to_string(),
            e.to_string()
        ))
    })?;
    for (name, contents) in files {
        let path = dir.join(name);
        write_file(&path, contents, name.ends_with(".key")).map_err(|e| {
            Error::Config(phrase!(
                "cannot write {}: {}",
                path.display().to_string(),
                e.to_string()
            ))
        })?;
    }
    Ok(())
}

/// Writes one file, replacing it; a `private` one is created with mode 0600 (Unix), and an
/// existing one is brought down to 0600 before it is written.
fn write_file(path: &Path, contents: &str, private: bool) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = private;
    options.open(path)?.write_all(contents.as_bytes())
}

fn spec(subject: &str, serial: u32, ca: bool) -> CertSpec {
    CertSpec {
        subject: subject.into(),
        serial,
        not_before: NOT_BEFORE,
        not_after: NOT_AFTER,
        ca,
        server_auth: false,
        client_auth: false,
        dns_names: Vec::new(),
        ip_addresses: Vec::new(),
    }
}

/// Makes a whole new demo PKI from `seed` (eight RSA-2048 keys: a few seconds). Returns the
/// files as `(name, PEM)`, in the order of [`FILES`].
pub fn make(seed: u64) -> Result<Vec<(String, String)>, Error> {
    let mut rng = RoleRng::seeded(seed, Side::Server);
    let mut files = Vec::new();

    // The CA: self-signed, may sign certificates and CRLs.
    let ca_key = new_key(&mut rng)?;
    let ca_spec = spec("CN=tls12-sim demo CA,O=tls12-sim", 1, true);
    let ca = pki::issue_certificate(&ca_spec, ca_key.as_public_key(), None, &ca_key, &mut rng)?;
    add(&mut files, "ca", &ca, &ca_key)?;

    // The server: localhost and 127.0.0.1.
    let server_key = new_key(&mut rng)?;
    let mut server_spec = spec("CN=localhost,O=tls12-sim demo server", 2, false);
    server_spec.server_auth = true;
    server_spec.dns_names = vec!["localhost".into()];
    server_spec.ip_addresses = vec![std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)];
    let server = pki::issue_certificate(
        &server_spec,
        server_key.as_public_key(),
        Some(&ca),
        &ca_key,
        &mut rng,
    )?;
    add(&mut files, "server", &server, &server_key)?;

    // The clients: alice (good), bob (expired), carol (revoked).
    make_clients(&mut files, &ca, &ca_key, &mut rng)?;

    // The CRL: the CA says carol's certificate is revoked.
    let crl = make_crl(&ca, &ca_key, &[REVOKED_SERIAL], &mut rng)?;
    files.push(("crl.pem".into(), crl));

    // Another CA, and mallory, whom it vouches for.
    make_other_ca_and_stranger(&mut files, &mut rng)?;
    Ok(files)
}

/// alice (good), bob (expired) and carol (revoked), issued by the demo CA.
fn make_clients(
    files: &mut Vec<(String, String)>,
    ca: &[u8],
    ca_key: &RsaPrivateKey,
    rng: &mut RoleRng,
) -> Result<(), Error> {
    let clients = [
        ("client", "CN=alice,OU=staff,O=tls12-sim demo", 3, None),
        (
            "expired",
            "CN=bob,OU=staff,O=tls12-sim demo",
            4,
            Some((EXPIRED_NOT_BEFORE, EXPIRED_NOT_AFTER)),
        ),
        (
            "revoked",
            "CN=carol,OU=former staff,O=tls12-sim demo",
            REVOKED_SERIAL,
            None,
        ),
    ];
    for (name, subject, serial, validity) in clients {
        let key = new_key(rng)?;
        let mut client_spec = spec(subject, serial, false);
        client_spec.client_auth = true;
        if let Some((not_before, not_after)) = validity {
            client_spec.not_before = not_before;
            client_spec.not_after = not_after;
        }
        let cert =
            pki::issue_certificate(&client_spec, key.as_public_key(), Some(ca), ca_key, rng)?;
        add(files, name, &cert, &key)?;
    }
    Ok(())
}

/// A CA the demo server does not trust, and mallory, whom it vouches for.
fn make_other_ca_and_stranger(
    files: &mut Vec<(String, String)>,
    rng: &mut RoleRng,
) -> Result<(), Error> {
    let other_key = new_key(rng)?;
    let other_spec = spec("CN=tls12-sim other CA,O=somewhere else", 1, true);
    let other = pki::issue_certificate(
        &other_spec,
        other_key.as_public_key(),
        None,
        &other_key,
        rng,
    )?;
    add(files, "other-ca", &other, &other_key)?;
    let stranger_key = new_key(rng)?;
    let mut stranger_spec = spec("CN=mallory,O=somewhere else", 2, false);
    stranger_spec.client_auth = true;
    let stranger = pki::issue_certificate(
        &stranger_spec,
        stranger_key.as_public_key(),
        Some(&other),
        &other_key,
        rng,
    )?;
    add(files, "stranger", &stranger, &stranger_key)?;
    Ok(())
}

fn new_key(rng: &mut RoleRng) -> Result<RsaPrivateKey, Error> {
    RsaPrivateKey::new(rng, 2048)
        .map_err(|e| Error::Config(phrase!("key generation: {}", e.to_string())))
}

/// Adds `name.pem` and `name.key`.
fn add(
    files: &mut Vec<(String, String)>,
    name: &str,
    der: &[u8],
    key: &RsaPrivateKey,
) -> Result<(), Error> {
    files.push((format!("{name}.pem"), pki::certificate_pem(der)?));
    files.push((format!("{name}.key"), pki::private_key_pem(key)?));
    Ok(())
}

fn time(seconds: u64) -> Result<Time, Error> {
    DateTime::from_unix_duration(Duration::from_secs(seconds))
        .map(Time::from)
        .map_err(|e| Error::Config(phrase!("time out of range: {}", e.to_string())))
}

/// A CRL from `ca` listing `serials` as revoked at [`REVOKED_AT`], valid from [`NOT_BEFORE`] to
/// [`NOT_AFTER`]; returned as PEM.
pub fn make_crl(
    ca: &[u8],
    ca_key: &RsaPrivateKey,
    serials: &[u32],
    rng: &mut RoleRng,
) -> Result<String, Error> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::Config(phrase!("cannot build the CRL: {}", e.to_string()))
    };
    let ca_cert = pki::parse_certificate(ca)?;
    let number = CrlNumber(Uint::new(&[1]).map_err(|e| fail(&e))?);
    let revoked: Vec<RevokedCert> = serials
        .iter()
        .map(|&serial| {
            Ok(RevokedCert {
                serial_number: SerialNumber::from(serial),
                revocation_date: time(REVOKED_AT)?,
                crl_entry_extensions: None,
            })
        })
        .collect::<Result<_, Error>>()?;
    let builder = CrlBuilder::new_with_this_update(&ca_cert, number, time(NOT_BEFORE)?)
        .map_err(|e| fail(&e))?
        .with_next_update(Some(time(NOT_AFTER)?))
        .with_certificates(revoked.into_iter());
    let signer = SigningKey::<Sha256>::new(ca_key.clone());
    let crl = builder
        .build_with_rng::<_, rsa::pkcs1v15::Signature, _>(&signer, rng)
        .map_err(|e| fail(&e))?;
    crl.to_pem(rsa::pkcs8::LineEnding::LF).map_err(|e| fail(&e))
}
