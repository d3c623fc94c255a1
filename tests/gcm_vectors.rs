//! AES-GCM as the record layer calls it, against Wycheproof's cases for TLS's shape (96-bit
//! nonce, 128-bit tag; AES-128 and AES-256): valid cases seal and open, invalid ones must fail
//! to open with `bad_record_mac`.

use serde_json::Value;
use tls12_sim::error::Error;
use tls12_sim::record::{gcm_open, gcm_seal};

fn unhex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

#[test]
fn wycheproof_aes_gcm() {
    let doc: Value =
        serde_json::from_str(include_str!("../vectors/aes-gcm-wycheproof.json")).unwrap();
    assert!(doc["source"].as_str().unwrap().contains("Wycheproof"));
    let (mut valid, mut invalid) = (0, 0);
    for group in doc["testGroups"].as_array().unwrap() {
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            let key = unhex(&t["key"]);
            let nonce: [u8; 12] = unhex(&t["iv"]).try_into().unwrap();
            let aad = unhex(&t["aad"]);
            let msg = unhex(&t["msg"]);
            let ct = unhex(&t["ct"]);
            let tag: [u8; 16] = unhex(&t["tag"]).try_into().unwrap();
            let mut buf = ct.clone();
            let opened = gcm_open(&key, &nonce, &aad, &mut buf, &tag);
            match t["result"].as_str().unwrap() {
                "valid" => {
                    valid += 1;
                    assert!(opened.is_ok(), "tcId {id} should open");
                    assert_eq!(buf, msg, "tcId {id} plaintext");
                    let mut sealed = msg.clone();
                    let got_tag = gcm_seal(&key, &nonce, &aad, &mut sealed).unwrap();
                    assert_eq!((sealed, got_tag), (ct, tag), "tcId {id} seal");
                }
                "invalid" => {
                    invalid += 1;
                    assert!(
                        matches!(opened, Err(Error::BadRecordMac)),
                        "tcId {id} must be refused"
                    );
                }
                other => panic!("tcId {id}: result {other}"),
            }
        }
    }
    assert_eq!((valid, invalid), (79, 54));
}
