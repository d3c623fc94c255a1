//! The RSA pre-master defence (RFC 5246 7.4.7.1), from outside: whatever is wrong with the
//! ClientKeyExchange (bad padding, wrong length, wrong version bytes, not even RSA-sized), the
//! server behaves *identically*. With the same seeds, every byte it sends is the same in every
//! case: the same alert, at the same point, sealed under the same keys from the same fallback
//! pre-master. There is nothing to tell the cases apart by, except time, which this test
//! cannot promise (see README: the `rsa` crate and RUSTSEC-2023-0071).

mod common;

use common::*;
use tls12_sim::messages::alert::AlertDescription as A;
use tls12_sim::rng::{RoleRng, Side};
use tls12_sim::wire::Flow;

/// The server's answer to the client's third flight with `ciphertext` in ClientKeyExchange:
/// its failure, and every byte it sent after reading it.
fn server_answer(ciphertext: &[u8]) -> (Option<A>, Vec<u8>) {
    let mut sim = sim();
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    sim.client(|c, w| c.answer_server(w)).unwrap();
    let flight = records(&take(&mut sim, Side::Server));
    let mut body = (ciphertext.len() as u16).to_be_bytes().to_vec();
    body.extend(ciphertext);
    let mut message = vec![16];
    message.extend(&(body.len() as u32).to_be_bytes()[1..]);
    message.extend(&body);
    put(&mut sim, Side::Server, &record(22, 0x0303, &message));
    put(&mut sim, Side::Server, &flight[1]);
    put(&mut sim, Side::Server, &flight[2]);
    let sent_before = sim.wire.flows.len();
    let failure = sim.server(|s, w| s.finish(w)).unwrap_err();
    let sent: Vec<u8> = sim.wire.flows[sent_before..]
        .iter()
        .filter(|f: &&Flow| f.from == Side::Server)
        .flat_map(|f| f.bytes.clone())
        .collect();
    (failure.error.alert(), sent)
}

#[test]
fn every_bad_pre_master_gets_byte_identical_answers() {
    let public = tls12_sim::demo_pki::server().unwrap().key.to_public_key();
    let mut rng = RoleRng::seeded(99, Side::Client);
    let mut encrypt = |m: &[u8]| public.encrypt(&mut rng, rsa::Pkcs1v15Encrypt, m).unwrap();
    let mut wrong_version = vec![3, 1];
    wrong_version.extend([7; 46]);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("bad padding (not a PKCS#1 v1.5 block)", vec![0x42; 256]),
        ("47-byte plaintext", encrypt(&[3; 47])),
        ("49-byte plaintext", encrypt(&[3; 49])),
        ("empty plaintext", encrypt(&[])),
        ("version bytes 03 01", encrypt(&wrong_version)),
        ("ciphertext of 100 bytes", vec![1; 100]),
        ("ciphertext of 0 bytes", vec![]),
        ("ciphertext larger than the modulus", vec![0xff; 256]),
    ];
    let (first_alert, first_bytes) = server_answer(&cases[0].1);
    assert_eq!(first_alert, Some(A::BadRecordMac));
    assert_eq!(
        first_bytes.first(),
        Some(&21),
        "the server sent an alert record"
    );
    for (what, ciphertext) in &cases[1..] {
        let (alert, bytes) = server_answer(ciphertext);
        assert_eq!(alert, first_alert, "{what}");
        assert_eq!(
            bytes, first_bytes,
            "{what}: the server's answer differs from the bad-padding case"
        );
    }
}
