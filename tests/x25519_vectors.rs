//! X25519 as the ECDHE key exchange calls it, against RFC 7748 and Wycheproof: every valid or
//! acceptable case gives the expected shared secret, and every low-order public key (all-zero
//! shared secret) is refused with illegal_parameter, as RFC 7748 6.1 asks.

use serde_json::Value;
use tls12_sim::error::Error;
use tls12_sim::key_exchange::x25519_shared_secret;

fn unhex32(v: &Value) -> [u8; 32] {
    hex::decode(v.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

#[test]
fn rfc7748_vectors() {
    let doc: Value = serde_json::from_str(include_str!("../vectors/x25519-rfc7748.json")).unwrap();
    for case in doc["function"].as_array().unwrap() {
        let out = x25519_shared_secret(&unhex32(&case["scalar"]), &unhex32(&case["u"])).unwrap();
        assert_eq!(*out, unhex32(&case["output"]));
    }
    // Iterated: k = u = 9; then repeatedly (k, u) = (X25519(k, u), k).
    let (mut k, mut u) = ([0u8; 32], [0u8; 32]);
    k[0] = 9;
    u[0] = 9;
    let mut done = 0;
    for case in doc["iterated"].as_array().unwrap() {
        let target = case["iterations"].as_u64().unwrap();
        while done < target {
            let next = *x25519_shared_secret(&k, &u).unwrap();
            u = k;
            k = next;
            done += 1;
        }
        assert_eq!(k, unhex32(&case["output"]), "after {target} iterations");
    }
    let dh = &doc["diffie_hellman"];
    let mut nine = [0u8; 32];
    nine[0] = 9;
    assert_eq!(
        *x25519_shared_secret(&unhex32(&dh["alice_private"]), &nine).unwrap(),
        unhex32(&dh["alice_public"])
    );
    assert_eq!(
        *x25519_shared_secret(&unhex32(&dh["bob_private"]), &nine).unwrap(),
        unhex32(&dh["bob_public"])
    );
    let ab =
        x25519_shared_secret(&unhex32(&dh["alice_private"]), &unhex32(&dh["bob_public"])).unwrap();
    let ba =
        x25519_shared_secret(&unhex32(&dh["bob_private"]), &unhex32(&dh["alice_public"])).unwrap();
    assert_eq!(*ab, unhex32(&dh["shared"]));
    assert_eq!(ab, ba);
}

#[test]
fn wycheproof_x25519() {
    let doc: Value =
        serde_json::from_str(include_str!("../vectors/x25519-wycheproof.json")).unwrap();
    let (mut computed, mut refused) = (0, 0);
    for group in doc["testGroups"].as_array().unwrap() {
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            let flags: Vec<&str> = t["flags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            let public = hex::decode(t["public"].as_str().unwrap()).unwrap();
            let result = x25519_shared_secret(&unhex32(&t["private"]), &public);
            if flags.contains(&"ZeroSharedSecret") {
                assert!(
                    matches!(result, Err(Error::IllegalParameter(_))),
                    "tcId {id} must be refused"
                );
                refused += 1;
            } else {
                assert_eq!(
                    t["result"].as_str().unwrap() == "invalid",
                    result.is_err(),
                    "tcId {id}"
                );
                assert_eq!(*result.unwrap(), unhex32(&t["shared"]), "tcId {id}");
                computed += 1;
            }
        }
    }
    assert_eq!(computed + refused, 518);
    assert!(refused >= 30, "low-order points refused: {refused}");
}

#[test]
fn wrong_length_points_are_illegal_parameter() {
    for len in [0, 31, 33, 65] {
        assert!(matches!(
            x25519_shared_secret(&[1; 32], &vec![9; len]),
            Err(Error::IllegalParameter(_))
        ));
    }
}
