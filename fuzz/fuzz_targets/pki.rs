//! `pki`: arbitrary bytes as the certificates and CRLs a peer or a configuration file hands us
//! (src/pki/): one DER certificate (parsed, described, its key and names read, checked as a
//! one-certificate chain against the demo CA and its CRL), a DER CRL (parsed, and offered to a
//! trust store under the demo CA), a trust anchor, a TLS `certificate_list` (the body of a
//! Certificate message: 3-byte lengths, leaf first) checked for each purpose, and PEM text.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tls12_sim::demo_pki;
use tls12_sim::messages::HandshakeMessage;
use tls12_sim::messages::certificate::Certificate;
use tls12_sim::pki::{self, Purpose, TrustStore};
use tls12_sim::rng::DEFAULT_SIMULATION_TIME as NOW;

/// The demo CA (DER) and a trust store with it and its CRL, parsed once.
fn demo() -> &'static (Vec<u8>, TrustStore) {
    static DEMO: OnceLock<(Vec<u8>, TrustStore)> = OnceLock::new();
    DEMO.get_or_init(|| (demo_pki::ca().unwrap(), demo_pki::trust_store().unwrap()))
}

fuzz_target!(|data: &[u8]| {
    let (ca, trust) = demo();

    // 1. One DER certificate.
    if let Ok(cert) = pki::parse_certificate(data) {
        let _ = pki::describe_certificate(&cert);
        let _ = pki::rsa_public_key(&cert);
        let _ = pki::subject_alt_names(&cert);
        let _ = pki::certificate_names_host(&cert, "localhost");
        let _ = pki::check_validity(&cert, NOW);
        if let Ok(subject) = pki::subject_der(&cert) {
            let _ = pki::describe_name(&subject);
        }
        let chain = [data.to_vec()];
        let purpose = Purpose::ServerRsaKeyExchange;
        let _ = pki::verify_chain(&chain, trust, NOW, purpose, Some("localhost"), true).result;
    }
    let _ = pki::describe_name(data);

    // 2. One DER CRL, alone and as the demo CA's.
    let _ = pki::parse_crl(data);
    let _ = TrustStore::new(std::slice::from_ref(ca), &[data.to_vec()]);

    // 3. A trust anchor.
    let _ = TrustStore::new(&[data.to_vec()], &[]);

    // 4. A certificate_list, as the Certificate message carries it, checked for each purpose.
    let mut message = vec![11];
    message.extend_from_slice(&(data.len() as u32).to_be_bytes()[1..]);
    message.extend_from_slice(data);
    let decoded = (data.len() < 1 << 24).then(|| Certificate::decode(&message));
    if let Some(Ok((list, _))) = decoded {
        for purpose in [
            Purpose::ServerRsaKeyExchange,
            Purpose::ServerSigning,
            Purpose::ClientAuth,
        ] {
            let chain = &list.certificate_list;
            let _ = pki::verify_chain(chain, trust, NOW, purpose, Some("localhost"), true).result;
        }
    }

    // 5. PEM text.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = pki::load_certificates_pem(text);
        let _ = pki::load_crls_pem(text);
    }
});
