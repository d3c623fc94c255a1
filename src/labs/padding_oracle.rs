//! Lab `padding-oracle`: Vaudenay's attack (2002) on MAC-then-encrypt CBC records.
//!
//! The client sends one secret record in `TLS_RSA_WITH_AES_128_CBC_SHA`, MAC-then-encrypt. An
//! attacker on the wire keeps it, and sends the server records of its own, made from two of the
//! recorded blocks: `[any IV] [any block] [C(i-1) xor delta] [C(i)]`. The server decrypts the
//! last block to `P(i) xor delta`, and looks at its padding before it looks at the MAC. A server
//! that answers a bad padding differently from a bad MAC (here: the alert `decryption_failed`
//! against `bad_record_mac`, as SSL 3.0 and TLS 1.0 implementations did; Lucky 13 got the same
//! bit from timing) tells the attacker whether `P(i) xor delta` ends in valid padding: whether a
//! guess of one plaintext byte was right. 256 guesses at most per byte, byte by byte from the end
//! of each block, and the whole record is read without the key.
//!
//! [`LeakyOpener`] is that server, written here in the lab only: it is not, and cannot be
//! reached from, the record layer (`record::cbc`), which answers every bad record the same way.
//! The same attack is then run against our real record layer (MAC-then-encrypt and
//! encrypt-then-MAC) and against AES-GCM: every answer is the same `bad_record_mac`, and it
//! learns nothing.
//!
//! One simplification, said in the lab's text too: in real TLS every bad record ends the
//! connection, so each guess needs a new connection in which the victim sends the same secret at
//! the same place (a browser resending a cookie, as the BEAST, Lucky 13 and POODLE attacks
//! arranged). The guess is about the plaintext, not the key (`delta` is applied to the recorded
//! previous block), so it works across connections; the lab keeps one connection's keys.

use std::fmt::Write as _;

use super::paragraph;
use crate::error::Error;
use crate::event::traced_value;
use crate::phrase;
use crate::phrase::Phrase;
use crate::record::cbc::{aes_cbc_decrypt, hmac, mac_header};
use crate::record::{Direction, record_spans};
use crate::render::{Lang, say};
use crate::rng::Side;
use crate::simulate::{self, Options};
use crate::suites::{CipherSuite, MacAlg};

/// The secret the client sends: a cookie, in one record.
pub const SECRET: &[u8] = b"Cookie: session=7f3a9c0e21b4d865\n";
/// The alert an SSL 3.0 / TLS 1.0 server sent for a bad padding (RFC 2246 7.2.2):
/// `decryption_failed`, 21. TLS 1.1 reserved it for this very reason.
pub const DECRYPTION_FAILED: u8 = 21;
/// `bad_record_mac`, 20.
pub const BAD_RECORD_MAC: u8 = 20;
/// The record was accepted (the attacker's record never is).
const ACCEPTED: u8 = 0;

/// What the attacker ran against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The lab's leaky server: bad padding and bad MAC get different alerts.
    Leaky,
    /// Our record layer, MAC-then-encrypt (RFC 5246 6.2.3.2).
    OurMacThenEncrypt,
    /// Our record layer, encrypt-then-MAC (RFC 7366).
    OurEncryptThenMac,
    /// Our record layer, AES-GCM (RFC 5288).
    Gcm,
}

impl Target {
    fn name(self) -> Phrase {
        match self {
            Target::Leaky => phrase!("the leaky server (padding checked and answered first)"),
            Target::OurMacThenEncrypt => phrase!("our record layer, MAC-then-encrypt"),
            Target::OurEncryptThenMac => phrase!("our record layer, encrypt-then-MAC"),
            Target::Gcm => phrase!("our record layer, AES-GCM"),
        }
    }

    /// Why the attack learns nothing from it (nothing for the leaky server: it does learn).
    fn why(self) -> Option<Phrase> {
        Some(match self {
            Target::Leaky => return None,
            Target::OurMacThenEncrypt => phrase!(
                "Why: a bad padding and a bad MAC are one error here, decided at one point, \
                 after the same work (the Lucky 13 countermeasure, src/record/cbc.rs): the one \
                 bit the attack needs is never given."
            ),
            Target::OurEncryptThenMac => phrase!(
                "Why: the MAC covers the IV and ciphertext and is checked first; no forged \
                 record is ever decrypted, so its padding is never looked at."
            ),
            Target::Gcm => phrase!(
                "Why: GCM checks its tag over the whole record before it decrypts anything, \
                 and has no padding at all."
            ),
        })
    }
}

/// One run of the attack.
#[derive(Clone, Debug)]
pub struct AttackRun {
    /// Against what.
    pub target: Target,
    /// Records sent to the server.
    pub queries: usize,
    /// How many different answers the server gave.
    pub distinct_answers: usize,
    /// The plaintext recovered, byte for byte (whole blocks: content, MAC, padding).
    pub recovered: Vec<u8>,
}

/// What the `padding-oracle` lab showed.
pub struct PaddingOracle {
    /// The content of the client's record.
    pub secret: Vec<u8>,
    /// The content the attacker read out of the leaky server's answers (padding and MAC
    /// removed).
    pub recovered_content: Vec<u8>,
    /// Each run: the leaky server first, then our record layer and GCM.
    pub runs: Vec<AttackRun>,
    /// The printed lesson (`tls12-sim lab padding-oracle`).
    pub text: String,
}

/// The server of SSL 3.0 and early TLS, as the attacks found it: decrypt, check the padding
/// and say so if it is bad, then check the MAC. Only this lab uses it.
pub struct LeakyOpener {
    key: Vec<u8>,
    mac_alg: MacAlg,
    mac_key: Vec<u8>,
    seq: u64,
}

impl LeakyOpener {
    /// The alert it answers a MAC-then-encrypt fragment with (0 if it accepts it).
    pub fn answer(&self, fragment: &[u8]) -> u8 {
        let mac_len = self.mac_alg.output_len();
        if fragment.len() < 32 || !fragment.len().is_multiple_of(16) {
            return DECRYPTION_FAILED;
        }
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&fragment[..16]);
        let mut body = fragment[16..].to_vec();
        if aes_cbc_decrypt(&self.key, &iv, &mut body).is_err() {
            return DECRYPTION_FAILED;
        }
        // The leak: the padding is judged, and answered, before anything is authenticated.
        let padding_length = usize::from(body[body.len() - 1]);
        let padding = body.len().checked_sub(padding_length + 1);
        let good = padding.is_some_and(|at| {
            at >= mac_len && body[at..].iter().all(|&b| usize::from(b) == padding_length)
        });
        let Some(at) = padding.filter(|_| good) else {
            return DECRYPTION_FAILED;
        };
        let content = &body[..at - mac_len];
        let header = mac_header(self.seq, 23, 0x0303, content.len());
        let mac = hmac(
            self.mac_alg,
            &self.mac_key,
            &[&header[..], content].concat(),
        );
        if mac != body[at - mac_len..at] {
            return BAD_RECORD_MAC;
        }
        ACCEPTED
    }
}

/// A recorded session: the client's first application-data record (its fragment), and the
/// client's write keys as the server holds them.
pub(super) struct Recorded {
    /// The record's fragment: what follows its 5-byte header.
    pub(super) fragment: Vec<u8>,
    key: Vec<u8>,
    mac_key: Vec<u8>,
    iv: Vec<u8>,
}

/// Runs a seeded session in `suite` in which the client sends `message`, and keeps what the
/// attacker and the server each have.
pub(super) fn record_session(
    suite: CipherSuite,
    encrypt_then_mac: bool,
    message: &[u8],
) -> Result<Recorded, Error> {
    let options = Options {
        suite,
        seed: 17,
        encrypt_then_mac,
        client_message: message.to_vec(),
        ..Options::default()
    };
    let report = simulate::run(&options)?;
    let fragment = report
        .flows
        .iter()
        .filter(|flow| flow.from == Side::Client)
        .flat_map(|flow| {
            record_spans(&flow.bytes)
                .into_iter()
                .map(|span| flow.bytes[span].to_vec())
        })
        .find(|record| record.first() == Some(&23))
        .and_then(|record| record.get(5..).map(<[u8]>::to_vec))
        .ok_or_else(|| Error::Config(phrase!("the lab could not find the client's record")))?;
    let value = |name| {
        traced_value(&report.events, Side::Server, name)
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    };
    Ok(Recorded {
        fragment,
        key: value("client_write_key"),
        mac_key: value("client_write_mac_key"),
        iv: value("client_write_iv"),
    })
}

/// Where a fragment's encrypted blocks start and how many there are, and the bytes after them
/// (encrypt-then-MAC's MAC, GCM's tag).
struct Layout {
    /// Bytes before the first block: CBC's IV (16, itself block 0) or GCM's explicit nonce (8).
    front: usize,
    /// The blocks to recover.
    blocks: usize,
    /// Bytes after the blocks.
    back: usize,
    /// CBC: block i's predecessor is changed; GCM (a stream): block i itself.
    cbc: bool,
}

impl Layout {
    /// The record the attacker sends to learn about block `i` (1-based), with `delta` applied:
    /// CBC `[zero IV] [zero block] [C(i-1) xor delta] [C(i)] [the MAC, if after]` (the zero
    /// block makes room for a MAC in front of up to 16 bytes of padding); GCM the record with
    /// block `i` xor delta.
    fn forge(&self, fragment: &[u8], i: usize, delta: &[u8; 16]) -> Vec<u8> {
        let block = |n: usize| {
            let at = self.front + (n - 1) * 16;
            &fragment[at.min(fragment.len())..(at + 16).min(fragment.len())]
        };
        let xor =
            |bytes: &[u8]| -> Vec<u8> { bytes.iter().zip(delta).map(|(b, d)| b ^ d).collect() };
        if !self.cbc {
            let mut forged = fragment.to_vec();
            let at = self.front + (i - 1) * 16;
            let changed = xor(block(i));
            forged[at..at + changed.len()].copy_from_slice(&changed);
            return forged;
        }
        let previous = if i == 1 {
            &fragment[..16]
        } else {
            block(i - 1)
        };
        let mut forged = vec![0u8; 32];
        forged.extend(xor(previous));
        forged.extend_from_slice(block(i));
        forged.extend_from_slice(&fragment[fragment.len() - self.back..]);
        forged
    }
}

/// Vaudenay's attack on `fragment`, asking `ask` for the server's answer to each forged
/// record. Stops at the first byte it cannot find (no answer stood out among 256).
fn attack(
    target: Target,
    fragment: &[u8],
    layout: &Layout,
    ask: &mut dyn FnMut(&[u8]) -> u8,
) -> AttackRun {
    let mut run = AttackRun {
        target,
        queries: 0,
        distinct_answers: 0,
        recovered: Vec::new(),
    };
    let mut answers_seen = Vec::new();
    for i in 1..=layout.blocks {
        let mut known = [0u8; 16];
        for j in (0..16).rev() {
            let mut asked = |delta: &[u8; 16]| {
                run.queries += 1;
                let answer = ask(&layout.forge(fragment, i, delta));
                if !answers_seen.contains(&answer) {
                    answers_seen.push(answer);
                }
                answer
            };
            match find_byte(j, &known, &mut asked) {
                Some(byte) => known[j] = byte,
                None => {
                    run.distinct_answers = answers_seen.len();
                    return run;
                }
            }
        }
        run.recovered.extend_from_slice(&known);
    }
    run.distinct_answers = answers_seen.len();
    run
}

/// Byte `j` of a block whose later bytes are `known`: tries every guess g, making the block
/// end in `v = 15 - j` bytes of padding value v if g is right, until one answer stands out.
fn find_byte(j: usize, known: &[u8; 16], ask: &mut dyn FnMut(&[u8; 16]) -> u8) -> Option<u8> {
    let v = (15 - j) as u8;
    let delta = |guess: u8| {
        let mut delta = [0u8; 16];
        for m in j + 1..16 {
            delta[m] = known[m] ^ v;
        }
        delta[j] = guess ^ v;
        delta
    };
    let mut answers: Vec<(u8, u8)> = Vec::new();
    for guess in 0..=255u8 {
        answers.push((guess, ask(&delta(guess))));
        let Some((candidate, answer)) = stands_out(&answers) else {
            continue;
        };
        // The last byte: `01 01` at the end is valid padding too. Change the byte before it;
        // if the answer holds, the padding was one byte of 00 and the guess is right.
        if j == 15 {
            let mut check = delta(candidate);
            check[14] ^= 0xff;
            if ask(&check) != answer {
                answers.retain(|(g, _)| *g != candidate);
                continue;
            }
        }
        return Some(candidate);
    }
    None
}

/// The one guess whose answer differs from all the others (seen at least twice), if any.
fn stands_out(answers: &[(u8, u8)]) -> Option<(u8, u8)> {
    let (_, first) = *answers.first()?;
    let others: Vec<&(u8, u8)> = answers.iter().filter(|(_, a)| *a != first).collect();
    match (answers.len() - others.len(), others.as_slice()) {
        (n, [(guess, answer)]) if n >= 2 => Some((*guess, *answer)),
        (1, [_, _, ..]) => Some(answers[0]),
        _ => None,
    }
}

/// The content of a decrypted MAC-then-encrypt record: without its padding and its MAC.
fn content_of(plaintext: &[u8], mac_len: usize) -> Vec<u8> {
    let padding = plaintext.last().map_or(0, |&v| usize::from(v) + 1);
    let end = plaintext.len().saturating_sub(padding + mac_len);
    plaintext[..end].to_vec()
}

/// The attack against the leaky server, then against our record layer and GCM.
fn runs() -> Result<Vec<AttackRun>, Error> {
    let mte = record_session(CipherSuite::RsaAes128CbcSha, false, SECRET)?;
    let blocks = (mte.fragment.len() - 16) / 16;
    let cbc_layout = |back| Layout {
        front: 16,
        blocks,
        back,
        cbc: true,
    };
    let leaky = LeakyOpener {
        key: mte.key.clone(),
        mac_alg: MacAlg::HmacSha1,
        mac_key: mte.mac_key.clone(),
        seq: 2,
    };
    let mut runs = vec![attack(
        Target::Leaky,
        &mte.fragment,
        &cbc_layout(0),
        &mut |f| leaky.answer(f),
    )];
    let ours = |recorded: &Recorded, etm| {
        Direction::cbc(
            &recorded.key,
            MacAlg::HmacSha1,
            &recorded.mac_key,
            etm,
            None,
        )
    };
    let mut real = ours(&mte, false)?;
    runs.push(attack(
        Target::OurMacThenEncrypt,
        &mte.fragment,
        &cbc_layout(0),
        &mut |f| ask_real(&mut real, f),
    ));
    let etm = record_session(CipherSuite::RsaAes128CbcSha, true, SECRET)?;
    let mut real = ours(&etm, true)?;
    let layout = Layout {
        blocks: (etm.fragment.len() - 16 - 20) / 16,
        ..cbc_layout(20)
    };
    runs.push(attack(
        Target::OurEncryptThenMac,
        &etm.fragment,
        &layout,
        &mut |f| ask_real(&mut real, f),
    ));
    let gcm = record_session(CipherSuite::RsaAes128GcmSha256, false, SECRET)?;
    let iv = gcm.iv.as_slice().try_into().unwrap_or([0; 4]);
    let mut real = Direction::protected(&gcm.key, iv)?;
    let layout = Layout {
        front: 8,
        blocks: (gcm.fragment.len() - 8 - 16).div_ceil(16),
        back: 16,
        cbc: false,
    };
    runs.push(attack(Target::Gcm, &gcm.fragment, &layout, &mut |f| {
        ask_real(&mut real, f)
    }));
    Ok(runs)
}

/// Our record layer's answer to a forged record: the alert it would send (0 if it accepted it),
/// reading as the server does after the client's record (sequence number 2: the recorded record
/// itself, sent again, is a replay).
fn ask_real(direction: &mut Direction, fragment: &[u8]) -> u8 {
    direction.seq = 2;
    let mut buf = fragment.to_vec();
    match direction.open_in_place(23, 0x0303, &mut buf) {
        Ok(_) => ACCEPTED,
        Err(e) => e.alert().map_or(ACCEPTED, |a| a.code()),
    }
}

/// Runs the lab, in `lang`.
pub fn padding_oracle(lang: Lang) -> Result<PaddingOracle, Error> {
    let runs = runs()?;
    let leaky = &runs[0];
    let recovered_content = content_of(&leaky.recovered, MacAlg::HmacSha1.output_len());
    let mut text = format!(
        "{}\n\n",
        say(lang, &phrase!("Lab: the padding oracle (Vaudenay, 2002)."))
    );
    for (width, line) in introduction() {
        text.push_str(&paragraph(lang, "", width, &line));
    }
    let against = phrase!("against {}", Target::Leaky.name());
    let _ = writeln!(text, "\n--- {} ---", say(lang, &against));
    for (i, block) in leaky.recovered.chunks(16).enumerate() {
        let shown: String = block
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    char::from(b)
                } else {
                    '.'
                }
            })
            .collect();
        let line = phrase!("block {}: {}  |{}|", i + 1, hex::encode(block), shown);
        let _ = writeln!(text, "  {}", say(lang, &line));
    }
    let result = phrase!(
        "Result: {} queries ({} per byte on average), {} bytes read without the key; the \
         content: {}",
        leaky.queries,
        leaky.queries / leaky.recovered.len().max(1),
        leaky.recovered.len(),
        format!("{:?}", String::from_utf8_lossy(&recovered_content))
    );
    text.push_str(&paragraph(lang, "  ", 100, &result));
    text.push_str(&against_the_real_layers(lang, &runs[1..]));
    Ok(PaddingOracle {
        secret: SECRET.to_vec(),
        recovered_content,
        runs,
        text,
    })
}

fn introduction() -> Vec<(usize, Phrase)> {
    vec![
        (
            96,
            phrase!(
                "The client sends one record in TLS_RSA_WITH_AES_128_CBC_SHA, MAC-then-encrypt: \
                 a session cookie. An attacker on the wire keeps it, and sends the server \
                 records made from two of its blocks, [any IV] [any block] [C(i-1) xor delta] [C(i)]. The \
                 server decrypts the last block to P(i) xor delta, and looks at its padding \
                 before the MAC."
            ),
        ),
        (
            96,
            phrase!(
                "This server answers a bad padding with decryption_failed and a bad MAC with \
                 bad_record_mac, as SSL 3.0 and TLS 1.0 servers did (Lucky 13 got the same bit \
                 from timing). A padding that checks means P(i) xor delta ends in valid padding: \
                 a guess of one plaintext byte was right. At most 256 guesses per byte, from \
                 the end of each block."
            ),
        ),
        (
            96,
            phrase!(
                "(In real TLS each bad record ends the connection, so every guess needs a new \
                 connection in which the victim sends the same secret at the same place, as \
                 BEAST, Lucky 13 and POODLE arranged with a browser's cookie. The guess is about \
                 the plaintext, not the key, so it works across connections; the lab keeps one \
                 connection's keys.)"
            ),
        ),
    ]
}

/// The same attack against our record layer and GCM, and the lesson.
fn against_the_real_layers(lang: Lang, runs: &[AttackRun]) -> String {
    let mut text = String::new();
    for run in runs {
        let against = phrase!("against {}", run.target.name());
        let _ = writeln!(text, "\n--- {} ---", say(lang, &against));
        let result = phrase!(
            "Result: {} queries; {} kind of answer, always bad_record_mac; {} bytes learnt.",
            run.queries,
            run.distinct_answers,
            run.recovered.len()
        );
        text.push_str(&paragraph(lang, "  ", 100, &result));
        if let Some(why) = run.target.why() {
            text.push_str(&paragraph(lang, "  ", 100, &why));
        }
    }
    let lesson = phrase!(
        "The lesson: with MAC-then-encrypt, the receiver must handle bytes nobody has \
         authenticated yet (the padding), and any difference in how it answers them (an alert, \
         a few microseconds) decrypts the record. Encrypt-then-MAC and AEAD check first and \
         decrypt after, which is why TLS 1.3 kept only AEAD suites."
    );
    text.push('\n');
    text.push_str(&paragraph(lang, "", 95, &lesson));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stands_out_finds_the_one_different_answer() {
        assert_eq!(stands_out(&[(0, 21), (1, 21), (2, 20)]), Some((2, 20)));
        assert_eq!(stands_out(&[(0, 20), (1, 21), (2, 21)]), Some((0, 20)));
        assert_eq!(stands_out(&[(0, 21), (1, 20)]), None);
        assert_eq!(stands_out(&[(0, 20), (1, 20), (2, 20)]), None);
    }

    #[test]
    fn content_without_padding_and_mac() {
        let mut plaintext = b"abc".to_vec();
        plaintext.extend([9; 20]);
        plaintext.extend([2, 2, 2]);
        assert_eq!(content_of(&plaintext, 20), b"abc");
    }
}
