//! The padding-oracle defence of the CBC record layer (RFC 5246 6.2.3.2; Lucky 13), from
//! outside: whatever is wrong with a MAC-then-encrypt record (its MAC, its padding bytes, a
//! padding too long for the record or long enough to eat the MAC, its length, its IV, its
//! sequence number), the server behaves *identically*. With the same seeds, every byte it sends
//! back is the same in every case: the same bad_record_mac alert, sealed under the same keys with
//! the same IV, after the same error. There is nothing to tell the cases apart by, except time,
//! which this test cannot promise (see README: what the defence does and does not guarantee).
//!
//! The records are built here by hand, with the client's keys taken from its trace, so that
//! each one is wrong in exactly one way.

mod common;

use common::*;
use tls12_sim::error::Error;
use tls12_sim::event::Event;
use tls12_sim::messages::alert::AlertDescription as A;
use tls12_sim::record::cbc::{aes_cbc_encrypt, hmac, mac_header};
use tls12_sim::rng::Side;
use tls12_sim::simulate::{Options, Simulation};
use tls12_sim::suites::{CipherSuite, MacAlg};

const SUITE: CipherSuite = CipherSuite::RsaAes128CbcSha256;
const MAC: MacAlg = MacAlg::HmacSha256;

fn options(encrypt_then_mac: bool) -> Options {
    Options {
        suite: SUITE,
        encrypt_then_mac,
        ..Options::default()
    }
}

/// A finished handshake, nothing else on the wire.
fn established(encrypt_then_mac: bool) -> Simulation {
    let mut sim = sim_with(&options(encrypt_then_mac));
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    sim.client(|c, w| c.answer_server(w)).unwrap();
    sim.server(|s, w| s.finish(w)).unwrap();
    sim.client(|c, w| c.finish(w)).unwrap();
    sim
}

fn secret(sim: &Simulation, name: &str) -> Vec<u8> {
    sim.events
        .iter()
        .find_map(|e| match e {
            Event::Secret {
                side: Side::Client,
                name: n,
                value,
                ..
            } if *n == name => Some(value.clone()),
            _ => None,
        })
        .unwrap()
}

/// What the client's next application-data record (sequence number 1, after Finished) is
/// made of, before encryption: `content`, its MAC, and `padding` (the bytes after the MAC,
/// padding_length byte included), all chosen by the test.
struct Inner {
    content: Vec<u8>,
    mac: Vec<u8>,
    padding: Vec<u8>,
    iv: [u8; 16],
}

/// 27 bytes: with a 32-byte MAC, 4 bytes of padding and the padding_length byte fill 4 blocks.
const CONTENT: &[u8] = b"GET /secret-cookie HTTP/1.0";

impl Inner {
    /// A correct record: MAC over seq 1 and the content, the fewest padding bytes.
    fn good(mac_key: &[u8]) -> Inner {
        let header = mac_header(1, 23, 0x0303, CONTENT.len());
        let mac = hmac(MAC, mac_key, &[&header[..], CONTENT].concat());
        let used = CONTENT.len() + mac.len();
        let padding_length = 15 - used % 16;
        Inner {
            content: CONTENT.to_vec(),
            mac,
            padding: vec![padding_length as u8; padding_length + 1],
            iv: [0x5a; 16],
        }
    }

    /// The record on the wire: header, IV, AES-CBC(content + MAC + padding).
    fn seal(&self, key: &[u8]) -> Vec<u8> {
        let mut body = [&self.content[..], &self.mac, &self.padding].concat();
        aes_cbc_encrypt(key, &self.iv, &mut body).unwrap();
        record(23, 0x0303, &[&self.iv[..], &body].concat())
    }
}

/// The server's answer to `bad`, the client's next record: the server's error, and every byte
/// it sent.
fn server_answer(
    encrypt_then_mac: bool,
    bad: impl Fn(&[u8], &[u8]) -> Vec<u8>,
) -> (Error, Vec<u8>) {
    let mut sim = established(encrypt_then_mac);
    let key = secret(&sim, "client_write_key");
    let mac_key = secret(&sim, "client_write_mac_key");
    put(&mut sim, Side::Server, &bad(&key, &mac_key));
    assert!(take(&mut sim, Side::Client).is_empty());
    let failure = sim.server(|s, w| s.receive(w)).unwrap_err();
    (failure.error, take(&mut sim, Side::Client))
}

/// Makes the bad record from the client's write key and MAC key.
type MakeRecord = Box<dyn Fn(&[u8], &[u8]) -> Vec<u8>>;
type Case = (&'static str, MakeRecord);

fn mac_then_encrypt_cases() -> Vec<Case> {
    let with = |change: fn(&mut Inner)| -> MakeRecord {
        Box::new(move |key, mac_key| {
            let mut inner = Inner::good(mac_key);
            change(&mut inner);
            inner.seal(key)
        })
    };
    vec![
        ("a wrong MAC, good padding", with(|r| r.mac[0] ^= 1)),
        (
            "a changed content byte, good padding",
            with(|r| r.content[4] ^= 1),
        ),
        (
            "one padding byte wrong, good MAC",
            with(|r| {
                r.padding[0] ^= 1;
            }),
        ),
        (
            "padding_length larger than the record",
            with(|r| {
                let n = r.padding.len();
                r.padding[n - 1] = 0xff;
            }),
        ),
        (
            "every byte a consistent padding that leaves no room for the MAC",
            with(|r| {
                let n = r.content.len() + r.mac.len() + r.padding.len() - 1;
                r.content.clear();
                r.mac.clear();
                r.padding = vec![n as u8; n + 1];
            }),
        ),
        (
            "padding_length 0, the MAC then taken from the wrong place",
            with(|r| {
                let n = r.padding.len();
                r.padding = vec![0; n];
            }),
        ),
        (
            "a long padding (16 bytes more) whose first byte is wrong, good MAC",
            with(|r| {
                let n = r.padding.len() + 16;
                r.padding = vec![(n - 1) as u8; n];
                r.padding[0] ^= 0x40;
            }),
        ),
        (
            "a flipped IV bit (a flipped bit of the first block's plaintext)",
            Box::new(|key, mac_key| {
                let mut sealed = Inner::good(mac_key).seal(key);
                sealed[5 + 3] ^= 0x80;
                sealed
            }),
        ),
        (
            "a flipped bit of the last ciphertext block's predecessor (a padding byte changed)",
            Box::new(|key, mac_key| {
                let mut sealed = Inner::good(mac_key).seal(key);
                let at = sealed.len() - 17;
                sealed[at] ^= 0x01;
                sealed
            }),
        ),
        (
            "the right MAC for another sequence number (a replay)",
            Box::new(|key, mac_key| {
                let header = mac_header(0, 23, 0x0303, CONTENT.len());
                let mut inner = Inner::good(mac_key);
                inner.mac = hmac(MAC, mac_key, &[&header[..], CONTENT].concat());
                inner.seal(key)
            }),
        ),
        (
            "a ciphertext cut to a length that is not whole blocks",
            Box::new(|key, mac_key| {
                let mut sealed = Inner::good(mac_key).seal(key);
                sealed.truncate(sealed.len() - 5);
                let len = (sealed.len() - 5) as u16;
                sealed[3..5].copy_from_slice(&len.to_be_bytes());
                sealed
            }),
        ),
        (
            "an IV and one block: too short to hold a MAC",
            Box::new(|_, _| record(23, 0x0303, &[0x11; 32])),
        ),
    ]
}

#[test]
fn every_bad_mac_then_encrypt_record_gets_byte_identical_answers() {
    // First, the good record is accepted, and so is one with 16 more bytes of padding (TLS
    // lets a sender pad up to 255 bytes, RFC 5246 6.2.3.2): the cases differ from these in one
    // way each.
    for extra in [0, 16] {
        let mut sim = established(false);
        let key = secret(&sim, "client_write_key");
        let mac_key = secret(&sim, "client_write_mac_key");
        let mut inner = Inner::good(&mac_key);
        let n = inner.padding.len() + extra;
        inner.padding = vec![(n - 1) as u8; n];
        put(&mut sim, Side::Server, &inner.seal(&key));
        let got = sim.server(|s, w| s.receive(w)).unwrap();
        assert_eq!(got.as_deref(), Some(CONTENT));
    }

    let cases = mac_then_encrypt_cases();
    let (first_error, first_bytes) = server_answer(false, &cases[0].1);
    assert!(matches!(first_error, Error::BadCbcRecord), "{first_error}");
    assert_eq!(first_error.alert(), Some(A::BadRecordMac));
    assert_eq!(
        first_bytes.first(),
        Some(&21),
        "the server sent an alert record"
    );
    for (what, bad) in &cases[1..] {
        let (error, bytes) = server_answer(false, bad);
        assert!(matches!(error, Error::BadCbcRecord), "{what}: {error}");
        assert_eq!(
            error.to_string(),
            first_error.to_string(),
            "{what}: the same words"
        );
        assert_eq!(
            bytes, first_bytes,
            "{what}: the server's answer differs from the bad-MAC case"
        );
    }
}

#[test]
fn every_bad_encrypt_then_mac_record_gets_byte_identical_answers() {
    // With RFC 7366 the MAC covers IV + ciphertext and is checked first: a flipped byte
    // anywhere, a cut, or a wrong MAC are all refused before decryption, the same way.
    let good = |key: &[u8], mac_key: &[u8]| -> Vec<u8> {
        let mut body = CONTENT.to_vec();
        let padding_length = 15 - body.len() % 16;
        body.extend(vec![padding_length as u8; padding_length + 1]);
        let iv = [0x5a; 16];
        aes_cbc_encrypt(key, &iv, &mut body).unwrap();
        let ciphertext = [&iv[..], &body].concat();
        let header = mac_header(1, 23, 0x0303, ciphertext.len());
        let mac = hmac(MAC, mac_key, &[&header[..], &ciphertext].concat());
        record(23, 0x0303, &[&ciphertext[..], &mac].concat())
    };
    let mut sim = established(true);
    let key = secret(&sim, "client_write_key");
    let mac_key = secret(&sim, "client_write_mac_key");
    put(&mut sim, Side::Server, &good(&key, &mac_key));
    assert_eq!(
        sim.server(|s, w| s.receive(w)).unwrap().as_deref(),
        Some(CONTENT)
    );
    let mut answers = Vec::new();
    for at in [5, 5 + 15, 5 + 16, 5 + 40, 5 + 48 + 3] {
        answers.push(server_answer(true, move |key, mac_key| {
            let mut sealed = good(key, mac_key);
            sealed[at] ^= 1;
            sealed
        }));
    }
    answers.push(server_answer(true, move |key, mac_key| {
        let mut sealed = good(key, mac_key);
        sealed.truncate(sealed.len() - 1);
        let len = (sealed.len() - 5) as u16;
        sealed[3..5].copy_from_slice(&len.to_be_bytes());
        sealed
    }));
    let (first_error, first_bytes) = &answers[0];
    assert!(matches!(first_error, Error::BadCbcRecord));
    for (error, bytes) in &answers[1..] {
        assert!(matches!(error, Error::BadCbcRecord), "{error}");
        assert_eq!(bytes, first_bytes);
    }
}
