//! The primitives under the CBC record layer, against published vectors: AES-CBC as the record
//! layer calls it (NIST SP 800-38A F.2.1-F.2.6) and HMAC-SHA1/256/384 as it calls them (RFC 2202,
//! RFC 4231). The record layer built on them is checked against OpenSSL's recorded sessions
//! (tests/openssl_sessions.rs) and real peers (tests/interop_cbc.rs).

use serde_json::Value;
use tls12_sim::record::cbc::{aes_cbc_decrypt, aes_cbc_encrypt, hmac};
use tls12_sim::suites::MacAlg;

fn unhex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

#[test]
fn nist_sp800_38a_aes_cbc() {
    let doc: Value =
        serde_json::from_str(include_str!("../vectors/aes-cbc-sp800-38a.json")).unwrap();
    assert!(doc["source"].as_str().unwrap().contains("SP 800-38A"));
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 6, "F.2.1 to F.2.6");
    for case in cases {
        let section = case["section"].as_str().unwrap();
        let key = unhex(&case["key"]);
        let iv: [u8; 16] = unhex(&case["iv"]).try_into().unwrap();
        let (plaintext, ciphertext) = (unhex(&case["plaintext"]), unhex(&case["ciphertext"]));
        let mut buf = match case["operation"].as_str().unwrap() {
            "encrypt" => {
                let mut buf = plaintext.clone();
                aes_cbc_encrypt(&key, &iv, &mut buf).unwrap();
                assert_eq!(buf, ciphertext, "{section}");
                buf
            }
            _ => {
                let mut buf = ciphertext.clone();
                aes_cbc_decrypt(&key, &iv, &mut buf).unwrap();
                assert_eq!(buf, plaintext, "{section}");
                buf
            }
        };
        // CBC chains: the first ciphertext block alone decrypts with the IV, the second with
        // the first ciphertext block as its IV (SP 800-38A 6.2).
        buf.copy_from_slice(&ciphertext);
        let c1: [u8; 16] = ciphertext[..16].try_into().unwrap();
        aes_cbc_decrypt(&key, &c1, &mut buf[16..32]).unwrap();
        assert_eq!(
            &buf[16..32],
            &plaintext[16..32],
            "{section}: block 2 from C1"
        );
    }
    // Not whole blocks: refused, never panics.
    assert!(aes_cbc_encrypt(&[0; 16], &[0; 16], &mut [0; 15]).is_err());
    assert!(aes_cbc_decrypt(&[0; 20], &[0; 16], &mut [0; 16]).is_err());
}

#[test]
fn rfc2202_and_rfc4231_hmac() {
    let doc: Value =
        serde_json::from_str(include_str!("../vectors/hmac-rfc2202-rfc4231.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    let mut counted = [0; 3];
    for case in cases {
        let (alg, index) = match case["mac"].as_str().unwrap() {
            "HMAC-SHA1" => (MacAlg::HmacSha1, 0),
            "HMAC-SHA256" => (MacAlg::HmacSha256, 1),
            "HMAC-SHA384" => (MacAlg::HmacSha384, 2),
            other => panic!("{other}"),
        };
        counted[index] += 1;
        let expected = unhex(&case["mac_value"]);
        let got = hmac(alg, &unhex(&case["key"]), &unhex(&case["data"]));
        assert_eq!(got.len(), alg.output_len());
        let shown = case["truncated_to_bytes"]
            .as_u64()
            .map_or(got.len(), |n| n as usize);
        assert_eq!(
            got[..shown],
            expected[..],
            "{}",
            case["source"].as_str().unwrap()
        );
    }
    assert_eq!(counted, [7, 7, 7]);
}
