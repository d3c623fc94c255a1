//! Lab `tamper`: a man in the middle flips one bit, in four places, and we watch who notices,
//! where, and with which alert.
//!
//! Each case runs the simulator flight by flight (as [`simulate::handshake_and_exchange`] does)
//! and changes the bytes waiting on the wire for the receiver before it reads them.

use std::fmt::Write as _;

use super::paragraph;
use crate::error::Error;
use crate::event::traced_value;
use crate::messages::alert::AlertDescription;
use crate::phrase;
use crate::phrase::{Arg, Phrase};
use crate::record::{Direction, record_spans};
use crate::render::{Lang, say};
use crate::rng::Side;
use crate::simulate::{self, Failure, Options, Simulation};
use crate::suites::CipherSuite;

/// Where the bit is flipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TamperCase {
    /// A ciphertext byte of an application-data record.
    ApplicationData,
    /// A ciphertext byte of the client's (encrypted) Finished record.
    FinishedRecord,
    /// verify_data inside the client's Finished, by someone who holds the session keys and
    /// seals the record again.
    FinishedVerifyData,
    /// The server's ephemeral public key inside ServerKeyExchange (ECDHE).
    ServerKeyExchange,
}

impl TamperCase {
    /// Every case, in the order the lab runs them.
    pub const ALL: [TamperCase; 4] = [
        TamperCase::ApplicationData,
        TamperCase::FinishedRecord,
        TamperCase::FinishedVerifyData,
        TamperCase::ServerKeyExchange,
    ];

    fn title(self) -> Phrase {
        match self {
            TamperCase::ApplicationData => phrase!("one bit of an application-data record"),
            TamperCase::FinishedRecord => {
                phrase!("one bit of the client's encrypted Finished record")
            }
            TamperCase::FinishedVerifyData => phrase!(
                "one bit of verify_data in the client's Finished, sealed again with the session \
                 keys"
            ),
            TamperCase::ServerKeyExchange => {
                phrase!("one bit of the server's ephemeral key in ServerKeyExchange")
            }
        }
    }

    /// Why the change is noticed: paragraphs, each with the width its English is wrapped at
    /// (see [`paragraph`]).
    fn why(self) -> Vec<(usize, Phrase)> {
        match self {
            TamperCase::ApplicationData => vec![(
                102,
                phrase!(
                    "AES-GCM authenticates every record: the tag, computed with the session key \
                     over the ciphertext and the AAD (sequence number, type, version, length), no \
                     longer matches (RFC 5246 6.2.3.3)."
                ),
            )],
            TamperCase::FinishedRecord => vec![(
                96,
                phrase!(
                    "Finished is the first record under the new keys, so GCM catches the change \
                     before the Finished check even runs: bad_record_mac, as for any record."
                ),
            )],
            TamperCase::FinishedVerifyData => vec![
                (
                    110,
                    phrase!(
                        "This attacker knows the session keys (say, from a leaked key log), so \
                         the record authenticates."
                    ),
                ),
                (
                    96,
                    phrase!(
                        "But verify_data = PRF(master_secret, \"client finished\", hash of the \
                         handshake) does not match the server's own computation (RFC 5246 \
                         7.4.9): decrypt_error."
                    ),
                ),
            ],
            TamperCase::ServerKeyExchange => vec![
                (
                    110,
                    phrase!(
                        "The server signed client_random + server_random + its ECDH parameters \
                         with its private key."
                    ),
                ),
                (
                    90,
                    phrase!(
                        "The client checks the signature with the certificate's public key \
                         before it uses the ephemeral key (RFC 8422 5.4): a changed key no longer \
                         verifies: decrypt_error."
                    ),
                ),
            ],
        }
    }
}

/// What the `tamper` lab showed.
pub struct Tamper {
    /// (case, the side that noticed, its alert, the flight it noticed in).
    pub runs: Vec<(TamperCase, Side, Option<AlertDescription>, &'static str)>,
    /// The printed lesson (`tls12-sim lab tamper`).
    pub text: String,
}

/// Runs every tamper case and explains who noticed, in `lang`.
pub fn tamper(lang: Lang) -> Result<Tamper, Error> {
    let mut text = format!("{}\n\n", say(lang, &phrase!("Lab: tampering in transit.")));
    // Three lines, as the English was laid out: one phrase each.
    let introduction = [
        phrase!(
            "A man in the middle changes one bit of what one side sent, before the other reads \
             it. TLS promises"
        ),
        phrase!(
            "integrity: every change must be noticed, and the connection must end with an alert, \
             not go on"
        ),
        phrase!("with changed data. Four places to flip a bit:"),
    ];
    for line in &introduction {
        text.push_str(&format!("{}\n", say(lang, line)));
    }
    let mut runs = Vec::new();
    for case in TamperCase::ALL {
        let (suite, failure, step) = run_case(case)?;
        let alert = failure.error.any_alert();
        let _ = writeln!(
            text,
            "\n--- {} ({}) ---",
            say(lang, &case.title()),
            suite.name()
        );
        let result = phrase!(
            "Result: the {} notices in {}() and sends the fatal alert {} ({}).",
            failure.side.phrase(),
            step,
            alert.map_or(Arg::from(phrase!("(none)")), |a| Arg::from(a.name())),
            failure.error.reason()
        );
        let _ = writeln!(text, "  {}", say(lang, &result));
        for (i, (width, why)) in case.why().into_iter().enumerate() {
            let why = if i == 0 { phrase!("Why: {}", why) } else { why };
            text.push_str(&paragraph(lang, "  ", width, &why));
        }
        runs.push((case, failure.side, alert, step));
    }
    let lesson = phrase!(
        "The lesson: after the handshake, the session keys authenticate every record; during it, \
         the server's signature protects its key exchange and the Finished messages protect the \
         whole transcript. Tampering is always noticed; the alert tells you which layer noticed."
    );
    text.push('\n');
    text.push_str(&paragraph(lang, "", 95, &lesson));
    Ok(Tamper { runs, text })
}

/// Runs one case to the failure it must provoke; returns the suite, the failure and the step
/// in which it happened.
fn run_case(case: TamperCase) -> Result<(CipherSuite, Failure, &'static str), Error> {
    let suite = match case {
        TamperCase::ServerKeyExchange => CipherSuite::EcdheRsaAes128GcmSha256,
        _ => CipherSuite::RsaAes128GcmSha256,
    };
    let options = Options {
        suite,
        ..Options::default()
    };
    let mut sim = Simulation::new(
        simulate::demo_client(&options)?,
        simulate::demo_server(&options)?,
    );
    let mut step = "";
    let outcome = tampered_run(&mut sim, case, &mut step);
    match outcome {
        Ok(()) => Err(Error::Config(phrase!(
            "tampering with {} went unnoticed: that is a bug",
            case.title()
        ))),
        Err(mut failure) => {
            sim.peer_reads_alert(&mut failure);
            Ok((suite, failure, step))
        }
    }
}

/// The handshake and one application-data record, with the bit flipped where `case` says;
/// `step` names the step under way.
fn tampered_run(
    sim: &mut Simulation,
    case: TamperCase,
    step: &mut &'static str,
) -> Result<(), Failure> {
    *step = "client.send_hello";
    let flight = sim.client.send_hello(&mut sim.wire.client());
    sim.done(Side::Client, flight)?;
    *step = "server.answer_hello";
    let flight = sim.server.answer_hello(&mut sim.wire.server());
    sim.done(Side::Server, flight)?;
    if case == TamperCase::ServerKeyExchange {
        // The server's flight: ServerHello, Certificate, ServerKeyExchange, ServerHelloDone.
        // ServerKeyExchange: header(4) curve_type(1) named_curve(2) length(1) public key(32).
        let at = find_handshake_message(sim, Side::Client, 12).map(|m| m + 4 + 1 + 2 + 1 + 5);
        flip(sim, Side::Client, at, 0x01)?;
    }
    *step = "client.answer_server";
    let flight = sim.client.answer_server(&mut sim.wire.client());
    sim.done(Side::Client, flight)?;
    match case {
        TamperCase::FinishedRecord => {
            // The client's flight: ClientKeyExchange, ChangeCipherSpec, Finished (protected:
            // header(5), explicit nonce(8), ciphertext).
            let at = nth_record(sim, Side::Server, 2).map(|r| r + 5 + 8 + 1);
            flip(sim, Side::Server, at, 0x80)?;
        }
        TamperCase::FinishedVerifyData => reseal_flipped_finished(sim)?,
        _ => {}
    }
    *step = "server.finish";
    let flight = sim.server.finish(&mut sim.wire.server());
    sim.done(Side::Server, flight)?;
    *step = "client.finish";
    let flight = sim.client.finish(&mut sim.wire.client());
    sim.done(Side::Client, flight)?;

    *step = "client.send";
    let sent = sim
        .client
        .send(&mut sim.wire.client(), b"pay 10 euros to bob");
    sim.done(Side::Client, sent)?;
    if case == TamperCase::ApplicationData {
        let at = nth_record(sim, Side::Server, 0).map(|r| r + 5 + 8 + 11);
        flip(sim, Side::Server, at, 0x01)?;
    }
    *step = "server.receive";
    let received = sim.server.receive(&mut sim.wire.server());
    sim.done(Side::Server, received)?;
    Ok(())
}

/// Flips `mask` into the byte at `at` of what `reader` has waiting.
fn flip(sim: &mut Simulation, reader: Side, at: Option<usize>, mask: u8) -> Result<(), Failure> {
    let queue = sim.wire.in_flight(reader);
    match at.and_then(|i| queue.get_mut(i)) {
        Some(byte) => {
            *byte ^= mask;
            Ok(())
        }
        None => Err(Failure {
            side: reader.peer(),
            error: Error::Config(phrase!("the lab did not find the byte to flip")),
            peer_error: None,
        }),
    }
}

/// The offset of the `n`th record waiting for `reader`.
fn nth_record(sim: &mut Simulation, reader: Side, n: usize) -> Option<usize> {
    let bytes = sim.wire.in_flight(reader).make_contiguous();
    record_spans(bytes).get(n).map(|span| span.start)
}

/// The offset of the first handshake message of type `msg_type` waiting for `reader`, in the
/// clear (each message inside one record, as our server writes them).
fn find_handshake_message(sim: &mut Simulation, reader: Side, msg_type: u8) -> Option<usize> {
    let bytes = sim.wire.in_flight(reader).make_contiguous();
    for span in record_spans(bytes) {
        if bytes[span.start] != 22 {
            continue;
        }
        // Handshake messages: type(1), length(3), body.
        let mut message = span.start + 5;
        while message + 4 <= span.end {
            if bytes[message] == msg_type {
                return Some(message);
            }
            let body = usize::from(bytes[message + 1]) << 16
                | usize::from(bytes[message + 2]) << 8
                | usize::from(bytes[message + 3]);
            message += 4 + body;
        }
    }
    None
}

/// An attacker with the client's session keys opens the client's Finished record, flips a bit
/// of verify_data, and seals it again: the record is authentic, its contents are not.
fn reseal_flipped_finished(sim: &mut Simulation) -> Result<(), Failure> {
    let lab_error = |what: &str| Failure {
        side: Side::Client,
        error: Error::Config(phrase!("the lab could not {}", what)),
        peer_error: None,
    };
    let key = traced_value(&sim.events, Side::Client, "client_write_key")
        .ok_or(lab_error("find the key"))?
        .to_vec();
    let iv: [u8; 4] = traced_value(&sim.events, Side::Client, "client_write_iv")
        .and_then(|iv| iv.try_into().ok())
        .ok_or(lab_error("find the IV"))?;
    let at = nth_record(sim, Side::Server, 2).ok_or(lab_error("find Finished"))?;
    let queue = sim.wire.in_flight(Side::Server);
    let record: Vec<u8> = queue.drain(at..).collect();
    let fragment = record.get(5..).ok_or(lab_error("read Finished"))?.to_vec();
    let mut plaintext = Direction::protected(&key, iv)
        .and_then(|mut opener| opener.open(22, 0x0303, fragment))
        .map_err(|_| lab_error("open Finished"))?;
    // handshake header(4), then verify_data: flip its first bit.
    let first = plaintext.get_mut(4).ok_or(lab_error("read verify_data"))?;
    *first ^= 0x80;
    let mut resealed = Vec::new();
    Direction::protected(&key, iv)
        .and_then(|mut sealer| sealer.seal(22, 0x0303, &plaintext, &mut resealed))
        .map_err(|_| lab_error("seal Finished"))?;
    sim.wire.in_flight(Side::Server).extend(resealed);
    Ok(())
}
