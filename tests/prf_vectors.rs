//! The TLS 1.2 PRF and the key schedule built on it, against the 14 outside vectors in
//! `vectors/tls12-prf.json` (IETF list, NIST CAVP, NIST ACVP RFC 7627): each through `prf()`
//! and, where the vector is one, through the named function (`master_secret`,
//! `extended_master_secret`, `key_block`), which also checks the order of the randoms.

use serde_json::Value;
use tls12_sim::prf;
use tls12_sim::suites::HashAlg;

fn unhex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn random(bytes: &[u8]) -> [u8; 32] {
    bytes.try_into().unwrap()
}

#[test]
fn all_fourteen_vectors() {
    let doc: Value = serde_json::from_str(include_str!("../vectors/tls12-prf.json")).unwrap();
    let vectors = doc["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 14);
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        assert!(
            !v["source"].as_str().unwrap().is_empty(),
            "{name} names its source"
        );
        let alg = match v["hash"].as_str().unwrap() {
            "sha256" => HashAlg::Sha256,
            "sha384" => HashAlg::Sha384,
            other => panic!("{name}: hash {other}"),
        };
        let secret = unhex(&v["secret"]);
        let label = v["label"].as_str().unwrap();
        let seed = unhex(&v["seed"]);
        let length = v["length"].as_u64().unwrap() as usize;
        let expected = unhex(&v["output"]);

        let out = prf::prf(alg, &secret, label.as_bytes(), &seed, length);
        assert_eq!(hex::encode(&*out), hex::encode(&expected), "{name}: PRF");

        let named: Option<Vec<u8>> = match label {
            // seed = client_random + server_random
            "master secret" => Some(
                prf::master_secret(alg, &secret, &random(&seed[..32]), &random(&seed[32..]))
                    .to_vec(),
            ),
            // seed = server_random + client_random: key_block takes them the other way round
            "key expansion" => Some(
                prf::key_block(
                    alg,
                    &secret,
                    &random(&seed[..32]),
                    &random(&seed[32..]),
                    length,
                )
                .to_vec(),
            ),
            // seed = session_hash
            "extended master secret" => {
                Some(prf::extended_master_secret(alg, &secret, &seed).to_vec())
            }
            _ => None,
        };
        if let Some(named) = named {
            assert_eq!(
                hex::encode(named),
                hex::encode(&expected),
                "{name}: named function"
            );
        }
    }
}
