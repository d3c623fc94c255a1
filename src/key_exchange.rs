//! The asymmetric steps of the handshake, as pure functions: RSA encryption of the pre-master
//! secret and its careful decryption (RFC 5246 7.4.7.1), and the RSA signatures TLS 1.2 uses
//! (RFC 5246 4.7, with the RFC 8446 4.2.3 SignatureScheme code points).
//!
//! This is the only file where a private key does anything. In RSA key exchange the server's
//! private key *decrypts*, once per handshake; in ECDHE it only *signs*. Everything after the
//! handshake is symmetric (record.rs).

use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::{Pkcs1v15Encrypt, Pss, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::error::Error;
use crate::messages::extensions::{GREASE, is_grease};
use crate::phrase;
use crate::rng::RoleRng;

/// The 48-byte pre-master secret of RSA key exchange:
///
/// ```text
/// struct {
///     ProtocolVersion client_version;
///     opaque random[46];
/// } PreMasterSecret;
/// ```
pub type RsaPreMaster = Zeroizing<[u8; 48]>;

/// Client side of RSA key exchange (RFC 5246 7.4.7.1): a fresh pre-master secret, and its
/// RSAES-PKCS1-v1_5 encryption under the server's public key.
///
/// The first two bytes are the version the client *offered* in ClientHello, not the one
/// negotiated: the server checks them, which stops an attacker who rewrote the hellos from
/// pushing both sides down to an older version unnoticed.
pub fn rsa_encrypt_pre_master(
    rng: &mut RoleRng,
    server_public_key: &RsaPublicKey,
    client_version: u16,
) -> Result<(RsaPreMaster, Vec<u8>), Error> {
    let mut pre_master = Zeroizing::new([0u8; 48]);
    pre_master[..2].copy_from_slice(&client_version.to_be_bytes());
    rng.fill(&mut pre_master[2..]);
    // PKCS#1 v1.5 type 2 padding: 00 02 <at least 8 non-zero random bytes> 00 <pre-master>.
    // The padding bytes come from the same RNG, so a seeded run encrypts identically.
    let encrypted = server_public_key
        .encrypt(rng, Pkcs1v15Encrypt, &pre_master[..])
        .map_err(|e| Error::Internal(phrase!("RSA encryption failed: {}", e.to_string())))?;
    Ok((pre_master, encrypted))
}

/// Server side of RSA key exchange: decrypt the pre-master secret *without ever telling anyone
/// whether the decryption worked* (RFC 5246 7.4.7.1).
///
/// Why: in 1998 Daniel Bleichenbacher showed that a server which answers a badly padded
/// ciphertext differently from a well padded one (another alert, an earlier error, even a
/// slightly different response time) is a *padding oracle*. An attacker who recorded a
/// ClientKeyExchange sends the server many doctored versions of it; each answer leaks a little
/// about the plaintext, and after some thousands to millions of connections the attacker has the
/// pre-master secret of the recorded session, and so every byte of it. The attack came back as
/// ROBOT (2017) and Marvin (2023) each time an implementation let the difference show.
///
/// The defence: before decrypting, draw a random 46-byte fallback R. If anything is wrong
/// (padding, length not 48, version bytes not the ClientHello's client_version) continue
/// with `client_version + R` as if nothing happened. Both sides then derive different keys, so
/// the first record under the new keys, the client's Finished, fails its GCM tag: every bad
/// ciphertext ends the same way, with `bad_record_mac` at the client's Finished record. One
/// outcome, one alert, one code path, whatever went wrong.
///
/// What the `rsa` crate adds (0.10 line): blinding of the private-key operation (the RNG below
/// supplies the blinding factor) and *implicit rejection*: on bad padding it returns a
/// deterministic pseudo-random message instead of an error, so no early error exists for us to
/// leak. What it does not promise: that the decryption runs in constant time on every platform
/// (see RUSTSEC-2023-0071, the Marvin attack, and the README). Choosing between the decrypted
/// value and R below is done with constant-time selection, so our own code adds no branch on
/// the secret.
pub fn rsa_decrypt_pre_master(
    rng: &mut RoleRng,
    server_private_key: &RsaPrivateKey,
    encrypted: &[u8],
    client_version: u16,
) -> RsaPreMaster {
    // 1. The fallback, drawn first, so the RNG is used identically whatever happens next.
    let mut fallback = Zeroizing::new([0u8; 48]);
    fallback[..2].copy_from_slice(&client_version.to_be_bytes());
    rng.fill(&mut fallback[2..]);

    // 2. Decrypt. An error here (ciphertext not the modulus length, or not below it) depends
    //    only on public data; it takes the same road as bad padding anyway.
    let decrypted = Zeroizing::new(
        server_private_key
            .decrypt_blinded(rng, Pkcs1v15Encrypt, encrypted)
            .unwrap_or_default(),
    );

    // 3. Accept the decryption only if it is 48 bytes starting with client_version.
    let mut candidate = Zeroizing::new([0u8; 48]);
    for (i, byte) in candidate.iter_mut().enumerate() {
        *byte = decrypted.get(i).copied().unwrap_or(0);
    }
    let [major, minor] = client_version.to_be_bytes();
    let accept = (decrypted.len() as u64).ct_eq(&48)
        & candidate[0].ct_eq(&major)
        & candidate[1].ct_eq(&minor);

    // 4. Choose, byte by byte, without a branch.
    choose_pre_master(&fallback, &candidate, accept)
}

/// Step 4 of [`rsa_decrypt_pre_master`]: `candidate` if `accept`, else `fallback`, chosen byte
/// by byte with constant-time selection (no branch on the secret). Its own function so that a
/// debugger can stop here and show all three (docs/debugging.md).
pub fn choose_pre_master(
    fallback: &[u8; 48],
    candidate: &[u8; 48],
    accept: subtle::Choice,
) -> RsaPreMaster {
    let mut pre_master = Zeroizing::new([0u8; 48]);
    for i in 0..48 {
        pre_master[i] = u8::conditional_select(&fallback[i], &candidate[i], accept);
    }
    pre_master
}

// ---------------------------------------------------------------------------------------------
// Signatures: ServerKeyExchange (ECDHE) and CertificateVerify (mutual TLS)

// SignatureScheme code points for RSA (RFC 8446 4.2.3), as TLS 1.2 uses them in
// `signature_algorithms` and `digitally-signed` (hash byte, then signature byte).

/// `rsa_pkcs1_sha256` (0x0401): RSASSA-PKCS1-v1_5 over a SHA-256 hash.
pub const RSA_PKCS1_SHA256: u16 = 0x0401;
/// `rsa_pkcs1_sha384` (0x0501): RSASSA-PKCS1-v1_5 over a SHA-384 hash.
pub const RSA_PKCS1_SHA384: u16 = 0x0501;
/// `rsa_pss_rsae_sha256` (0x0804): RSASSA-PSS with SHA-256, for a key in an ordinary RSA
/// (rsaEncryption) certificate.
pub const RSA_PSS_RSAE_SHA256: u16 = 0x0804;
/// `rsa_pss_rsae_sha384` (0x0805): RSASSA-PSS with SHA-384, for an rsaEncryption key.
pub const RSA_PSS_RSAE_SHA384: u16 = 0x0805;

/// The schemes we produce and verify, in our order of preference (PSS first, as OpenSSL).
pub const SUPPORTED_SCHEMES: [u16; 4] = [
    RSA_PSS_RSAE_SHA256,
    RSA_PSS_RSAE_SHA384,
    RSA_PKCS1_SHA256,
    RSA_PKCS1_SHA384,
];

/// The RFC 8446 4.2.3 name of a SignatureScheme code point, e.g. `rsa_pss_rsae_sha256` (IANA
/// "TLS SignatureScheme"); a TLS 1.2 pair with no such name as RFC 5246 7.4.1.4.1 writes it,
/// e.g. `{sha224, rsa}`.
pub fn scheme_name(scheme: u16) -> String {
    let name = match scheme {
        0x0201 => "rsa_pkcs1_sha1",
        0x0203 => "ecdsa_sha1",
        RSA_PKCS1_SHA256 => "rsa_pkcs1_sha256",
        0x0403 => "ecdsa_secp256r1_sha256",
        RSA_PKCS1_SHA384 => "rsa_pkcs1_sha384",
        0x0503 => "ecdsa_secp384r1_sha384",
        0x0601 => "rsa_pkcs1_sha512",
        0x0603 => "ecdsa_secp521r1_sha512",
        0x0807 => "ed25519",
        0x0808 => "ed448",
        RSA_PSS_RSAE_SHA256 => "rsa_pss_rsae_sha256",
        RSA_PSS_RSAE_SHA384 => "rsa_pss_rsae_sha384",
        0x0806 => "rsa_pss_rsae_sha512",
        0x0809 => "rsa_pss_pss_sha256",
        0x080a => "rsa_pss_pss_sha384",
        0x080b => "rsa_pss_pss_sha512",
        0x081a => "ecdsa_brainpoolP256r1tls13_sha256",
        0x081b => "ecdsa_brainpoolP384r1tls13_sha384",
        0x081c => "ecdsa_brainpoolP512r1tls13_sha512",
        0x0904 => "mldsa44",
        0x0905 => "mldsa65",
        0x0906 => "mldsa87",
        other if is_grease(other) => GREASE,
        other => return tls12_pair_name(other),
    };
    name.into()
}

/// A TLS 1.2 SignatureAndHashAlgorithm as RFC 5246 7.4.1.4.1 names its two bytes, e.g.
/// `{sha224, ecdsa}` (OpenSSL still offers the SHA-224 and DSA pairs); `scheme 0x....` if
/// either byte is unknown.
fn tls12_pair_name(scheme: u16) -> String {
    const HASHES: [&str; 7] = [
        "none", "md5", "sha1", "sha224", "sha256", "sha384", "sha512",
    ];
    const SIGNATURES: [&str; 4] = ["anonymous", "rsa", "dsa", "ecdsa"];
    let [hash, signature] = scheme.to_be_bytes();
    match (
        HASHES.get(usize::from(hash)),
        SIGNATURES.get(usize::from(signature)),
    ) {
        (Some(hash), Some(signature)) if hash != &"none" && signature != &"anonymous" => {
            format!("{{{hash}, {signature}}}")
        }
        _ => format!("scheme 0x{scheme:04x}"),
    }
}

/// The hash that `scheme` applies to a signed message (what the RSA operation really signs).
pub fn scheme_hash(scheme: u16, message: &[u8]) -> Vec<u8> {
    match scheme {
        RSA_PKCS1_SHA384 | RSA_PSS_RSAE_SHA384 => Sha384::digest(message).to_vec(),
        _ => Sha256::digest(message).to_vec(),
    }
}

/// Signs `message` with `scheme`. PSS uses a salt as long as the hash (RFC 8446 4.2.3); the salt
/// and the blinding factor come from the role's RNG.
pub fn sign(
    rng: &mut RoleRng,
    key: &RsaPrivateKey,
    scheme: u16,
    message: &[u8],
) -> Result<Vec<u8>, Error> {
    let result = match scheme {
        RSA_PKCS1_SHA256 => {
            key.sign_with_rng(rng, Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
        }
        RSA_PKCS1_SHA384 => {
            key.sign_with_rng(rng, Pkcs1v15Sign::new::<Sha384>(), &Sha384::digest(message))
        }
        RSA_PSS_RSAE_SHA256 => {
            key.sign_with_rng(rng, Pss::<Sha256>::new(), &Sha256::digest(message))
        }
        RSA_PSS_RSAE_SHA384 => {
            key.sign_with_rng(rng, Pss::<Sha384>::new(), &Sha384::digest(message))
        }
        other => {
            return Err(Error::Internal(phrase!(
                "asked to sign with {}",
                scheme_name(other)
            )));
        }
    };
    result.map_err(|e| Error::Internal(phrase!("RSA signing failed: {}", e.to_string())))
}

/// Verifies a signature; any failure is `decrypt_error` (RFC 5246 7.2.2: "a handshake
/// cryptographic operation failed, including being unable to correctly verify a signature").
pub fn verify(
    key: &RsaPublicKey,
    scheme: u16,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    let result = match scheme {
        RSA_PKCS1_SHA256 => key.verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(message),
            signature,
        ),
        RSA_PKCS1_SHA384 => key.verify(
            Pkcs1v15Sign::new::<Sha384>(),
            &Sha384::digest(message),
            signature,
        ),
        RSA_PSS_RSAE_SHA256 => {
            key.verify(Pss::<Sha256>::new(), &Sha256::digest(message), signature)
        }
        RSA_PSS_RSAE_SHA384 => {
            key.verify(Pss::<Sha384>::new(), &Sha384::digest(message), signature)
        }
        other => {
            return Err(Error::IllegalParameter(phrase!(
                "signature scheme {} was not offered",
                scheme_name(other)
            )));
        }
    };
    result.map_err(|_| {
        Error::DecryptError(phrase!(
            "the {} signature does not verify with the certificate's public key",
            scheme_name(scheme)
        ))
    })
}

// ---------------------------------------------------------------------------------------------
// ECDHE with X25519 (RFC 8422, RFC 7748)

/// An ephemeral X25519 key pair: made for one handshake, erased after it.
pub struct X25519KeyPair {
    /// The private scalar: 32 random bytes, wiped when dropped.
    pub private: Zeroizing<[u8; 32]>,
    /// X25519(private, 9): the key share sent in ServerKeyExchange or ClientKeyExchange.
    pub public: [u8; 32],
}

/// A fresh X25519 key pair: 32 random bytes from the role's RNG as the private key (X25519
/// clamps them itself, RFC 7748 5), and public = X25519(private, 9).
pub fn x25519_key_pair(rng: &mut RoleRng) -> X25519KeyPair {
    let private = Zeroizing::new(rng.array::<32>());
    // x25519() takes its scalar by value: that stack copy is not wiped, a limit of the API.
    let public = x25519_dalek::x25519(*private, x25519_dalek::X25519_BASEPOINT_BYTES);
    X25519KeyPair { private, public }
}

/// The shared secret X25519(our private, their public): the pre-master secret of ECDHE
/// (RFC 8422 5.10).
///
/// The peer's point must be 32 bytes (RFC 8422 5.11), and the result must not be all zeros:
/// a low-order point forces that output whatever our private key, so the "secret" would be known
/// to anyone (RFC 7748 6.1: "check for the all-zero value and abort if so"). Both are
/// `illegal_parameter`.
pub fn x25519_shared_secret(
    private: &[u8; 32],
    peer_public: &[u8],
) -> Result<Zeroizing<[u8; 32]>, Error> {
    let peer: [u8; 32] = peer_public.try_into().map_err(|_| {
        Error::IllegalParameter(phrase!(
            "an X25519 public key is 32 bytes, this one {}",
            peer_public.len()
        ))
    })?;
    let shared = Zeroizing::new(x25519_dalek::x25519(*private, peer));
    if bool::from(shared.ct_eq(&[0u8; 32])) {
        return Err(Error::IllegalParameter(phrase!(
            "the X25519 shared secret is all zeros: the peer sent a low-order point"
        )));
    }
    Ok(shared)
}

/// The server's choice of signature scheme: the client's first choice among those we can make
/// (RFC 5246 7.4.1.4.1: the server must use one the client listed).
pub fn choose_scheme(client_offers: &[u16]) -> Option<u16> {
    client_offers
        .iter()
        .copied()
        .find(|s| SUPPORTED_SCHEMES.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_names_follow_the_registry() {
        for (scheme, name) in [
            (0x0401, "rsa_pkcs1_sha256"),
            (0x0804, "rsa_pss_rsae_sha256"),
            (0x0201, "rsa_pkcs1_sha1"),
            (0x0203, "ecdsa_sha1"),
            (0x0403, "ecdsa_secp256r1_sha256"),
            (0x0503, "ecdsa_secp384r1_sha384"),
            (0x0601, "rsa_pkcs1_sha512"),
            (0x0603, "ecdsa_secp521r1_sha512"),
            (0x0807, "ed25519"),
            (0x0808, "ed448"),
            (0x080a, "rsa_pss_pss_sha384"),
            (0x0905, "mldsa65"),
            (0x0303, "{sha224, ecdsa}"),
            (0x0202, "{sha1, dsa}"),
            (0x3a3a, "GREASE (RFC 8701)"),
            (0x0001, "scheme 0x0001"),
            (0x0701, "scheme 0x0701"),
        ] {
            assert_eq!(scheme_name(scheme), name);
        }
    }
}
