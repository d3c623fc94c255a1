//! Mutation test of resumption: every byte of the handshakes that carry a session flipped, cut
//! and grown in flight, as `tests/mutation.rs` does for full handshakes:
//!
//! - the abbreviated handshake by session id (the ClientHello's session_id, the server's echo,
//!   both Finished);
//! - the abbreviated handshake by ticket (the session_ticket extension and every byte of the
//!   ticket in it: key name, nonce, sealed state, tag);
//! - the full handshake that issues a ticket (NewSessionTicket, its lifetime hint and ticket).
//!
//! A man in the middle changes the bytes one side receives, just before it reads them, at
//! every byte position: xor 0x01 (and 0x80 on record headers), cut the delivery there, or
//! insert a zero byte (the record length raised to match, inside a record's body). Then the run
//! goes on to its end. No case may panic or hang, a failure must show on the wire as the design
//! says (the failing side sent exactly one fatal alert, the one its error names, and its peer
//! read that alert; a side left waiting sent nothing), and no case may complete: a changed
//! session id or ticket gives a full handshake instead (the ticket does not open, the id is
//! not in the cache), whose Finished covers the ClientHello as each side saw it; a changed
//! NewSessionTicket or ServerHello is caught by Finished too. The one thing no MAC covers, the
//! version in the header of the first record each side reads, may change (RFC 5246 Appendix
//! E.1). A forged or
//! altered ticket never resumes a session.

mod common;

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use tls12_sim::client::Client;
use tls12_sim::error::Error;
use tls12_sim::messages::alert::AlertLevel;
use tls12_sim::rng::Side;
use tls12_sim::server::Server;
use tls12_sim::session::{Resumption, Session, SessionCache, TicketKeys};
use tls12_sim::simulate::{self, Failure, Options, Simulation};
use tls12_sim::suites::CipherSuite;

/// A run to mutate: how to make its two sides afresh, and which deliveries to mutate.
struct Run {
    name: &'static str,
    options: Options,
    keys: Option<Arc<TicketKeys>>,
    /// For resumption by id: the session to put in a fresh cache for each case (a failed case
    /// removes it, RFC 5246 7.2.2).
    cached: Option<Session>,
    /// The client's saved session (resumed runs).
    offered: Option<Session>,
    /// The deliveries to mutate: (receiver, its n-th delivery).
    targets: Vec<(Side, usize)>,
}

impl Run {
    fn fresh(&self) -> Simulation {
        let cache = self.cached.clone().map(|session| {
            let cache = SessionCache::new(8, 7200);
            cache.insert(session);
            Arc::new(cache)
        });
        let stream = if self.offered.is_some() {
            "resumed"
        } else {
            ""
        };
        let time = self.options.time;
        let server: Server =
            simulate::server_sharing(&self.options, (cache, self.keys.clone()), stream, time)
                .unwrap();
        let client: Client = match &self.offered {
            Some(session) => {
                simulate::client_offering(&self.options, Some(session.clone()), stream, time)
                    .unwrap()
            }
            None => simulate::demo_client(&self.options).unwrap(),
        };
        Simulation::new(client, server)
    }
}

/// How a case ended.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Completed,
    Waits,
    Alert(u8),
}

/// The run's steps, in the order of `simulate::handshake_and_exchange` (for an abbreviated
/// handshake `client.finish` has nothing to do); before each step that reads, the bytes in
/// flight to the reader are its next delivery, changed by `mutate` when it is `target`.
fn drive(
    sim: &mut Simulation,
    options: &Options,
    target: Option<(Side, usize)>,
    mutate: &dyn Fn(&[u8]) -> Vec<u8>,
    deliveries: &mut Vec<(Side, Vec<u8>)>,
) -> Result<(), Failure> {
    type Step = fn(&mut Simulation, &Options) -> Result<(), Error>;
    let steps: [(Side, Step); 11] = [
        (Side::Client, |s, _| {
            s.client.send_hello(&mut s.wire.client())
        }),
        (Side::Server, |s, _| {
            s.server.answer_hello(&mut s.wire.server())
        }),
        (Side::Client, |s, _| {
            s.client.answer_server(&mut s.wire.client())
        }),
        (Side::Server, |s, _| s.server.finish(&mut s.wire.server())),
        (Side::Client, |s, _| s.client.finish(&mut s.wire.client())),
        (Side::Client, |s, o| {
            s.client.send(&mut s.wire.client(), &o.client_message)
        }),
        (Side::Server, |s, _| {
            s.server.receive(&mut s.wire.server()).map(|_| ())
        }),
        (Side::Server, |s, o| {
            s.server.send(&mut s.wire.server(), &o.server_message)
        }),
        (Side::Client, |s, _| {
            s.client.receive(&mut s.wire.client()).map(|_| ())
        }),
        (Side::Client, |s, _| s.client.close(&mut s.wire.client())),
        (Side::Server, |s, _| {
            s.server.receive(&mut s.wire.server()).map(|_| ())
        }),
    ];
    for (side, step) in steps {
        let waiting: Vec<u8> = sim.wire.in_flight(side).drain(..).collect();
        if !waiting.is_empty() {
            let n = deliveries.iter().filter(|(s, _)| *s == side).count();
            let bytes = if target == Some((side, n)) {
                mutate(&waiting)
            } else {
                waiting.clone()
            };
            deliveries.push((side, waiting));
            sim.wire.in_flight(side).extend(bytes);
        }
        let result = step(sim, options);
        sim.done(side, result)?;
    }
    Ok(())
}

/// What a failure looked like on the wire.
fn outcome_of(sim: &mut Simulation, mut failure: Failure) -> Result<Outcome, String> {
    sim.peer_reads_alert(&mut failure);
    let alert_sent = match failure.side {
        Side::Client => sim.client.conn().alert_sent(),
        Side::Server => sim.server.conn().alert_sent(),
    };
    if failure.error.is_timeout() {
        let peer_waits = failure.peer_error.as_ref().is_some_and(Error::is_timeout);
        return if alert_sent || !peer_waits {
            Err(format!("waits, yet an alert, or {:?}", failure.peer_error))
        } else {
            Ok(Outcome::Waits)
        };
    }
    match (failure.error.alert(), &failure.peer_error) {
        (Some(sent), Some(Error::PeerAlert(read)))
            if alert_sent && read.description == sent && read.level == AlertLevel::Fatal =>
        {
            Ok(Outcome::Alert(sent.code()))
        }
        (sent, read) => Err(format!(
            "the {} failed with \"{}\" (alert {sent:?}), its peer read {read:?}",
            failure.side.name(),
            failure.error
        )),
    }
}

/// Every mutation of a delivery, by byte: (position, mutated bytes, may it complete).
fn mutations(delivery: &[u8], first_of_the_run: bool) -> Vec<(usize, &'static str, Vec<u8>, bool)> {
    let mut record_starts = Vec::new();
    let mut at = 0;
    while at + 5 <= delivery.len() {
        record_starts.push(at);
        at += 5 + usize::from(u16::from_be_bytes([delivery[at + 3], delivery[at + 4]]));
    }
    let record_of = |i: usize| *record_starts.iter().rev().find(|&&s| s <= i).unwrap_or(&0);
    let mut out = Vec::new();
    for i in 0..delivery.len() {
        let start = record_of(i);
        let header = i < start + 5;
        // The first record's version, read before the hellos agree: any {03,xx} (RFC 5246
        // Appendix E.1; our client reads the ServerHello's record alike).
        let version = first_of_the_run && start == 0 && (i == 1 || i == 2);
        let mut flips = vec![0x01];
        if header {
            flips.push(0x80);
        }
        for bits in flips {
            let mut bytes = delivery.to_vec();
            bytes[i] ^= bits;
            out.push((i, "flip", bytes, version));
        }
        out.push((i, "truncate", delivery[..i].to_vec(), false));
        let mut bytes = delivery.to_vec();
        bytes.insert(i, 0);
        if !header {
            let len = u16::from_be_bytes([bytes[start + 3], bytes[start + 4]]) + 1;
            bytes[start + 3..start + 5].copy_from_slice(&len.to_be_bytes());
        }
        out.push((i, "insert", bytes, false));
    }
    out
}

fn mutate_every_byte(run: &Run) -> usize {
    // The clean run: every delivery, and it completes.
    let mut clean = Vec::new();
    let mut sim = run.fresh();
    drive(&mut sim, &run.options, None, &|b| b.to_vec(), &mut clean)
        .unwrap_or_else(|f| panic!("{}: the clean run fails: {}", run.name, f.error));
    if run.offered.is_some() {
        assert!(sim.server.resumed().is_some(), "{}: not resumed", run.name);
    }
    let mut wrong = Vec::new();
    let mut count = 0;
    for &(side, n) in &run.targets {
        let delivery = clean
            .iter()
            .filter(|(s, _)| *s == side)
            .nth(n)
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| panic!("{}: no delivery {n} to the {side:?}", run.name));
        // The first record each side reads (ClientHello, ServerHello) comes before the hellos
        // agree on a version.
        let first = n == 0;
        for (at, how, bytes, may_complete) in mutations(&delivery, first) {
            count += 1;
            let result = panic::catch_unwind(AssertUnwindSafe(|| {
                let mut sim = run.fresh();
                let mut seen = Vec::new();
                let target = Some((side, n));
                match drive(
                    &mut sim,
                    &run.options,
                    target,
                    &|_| bytes.clone(),
                    &mut seen,
                ) {
                    Ok(()) => Ok(Outcome::Completed),
                    Err(failure) => outcome_of(&mut sim, failure),
                }
            }));
            let what = format!(
                "{}: to the {side:?}, delivery {n}, byte {at}, {how}",
                run.name
            );
            match result {
                Err(_) => wrong.push(format!("{what}: PANICKED")),
                Ok(Err(why)) => wrong.push(format!("{what}: {why}")),
                Ok(Ok(Outcome::Completed)) if !may_complete => {
                    wrong.push(format!("{what}: a changed handshake completed"))
                }
                // A correct prefix: the receiver must wait for the rest, and say nothing.
                Ok(Ok(outcome)) if how == "truncate" && outcome != Outcome::Waits => {
                    wrong.push(format!("{what}: {outcome:?} instead of waiting"))
                }
                Ok(Ok(_)) => {}
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {count} cases went wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    count
}

/// The session a full handshake makes, and the state its server keeps.
fn session_of(options: &Options, how: Resumption) -> (Session, Option<Arc<TicketKeys>>) {
    let (cache, keys) = simulate::resumption_state(options, how);
    let server =
        simulate::server_sharing(options, (cache, keys.clone()), "", options.time).unwrap();
    let client = simulate::demo_client(options).unwrap();
    let report = simulate::run_simulation(Simulation::new(client, server), options);
    assert!(report.outcome.is_ok());
    (report.client.session().unwrap(), keys)
}

fn options(how: Resumption) -> Options {
    Options {
        suite: CipherSuite::EcdheRsaAes128GcmSha256,
        seed: 6,
        trace: false,
        resume: Some(how),
        ..Options::default()
    }
}

#[test]
fn every_byte_of_an_abbreviated_handshake_by_session_id() {
    let options = options(Resumption::SessionId);
    let (session, _) = session_of(&options, Resumption::SessionId);
    let run = Run {
        name: "resumed by session id",
        options,
        keys: None,
        cached: Some(session.clone()),
        offered: Some(session),
        // ClientHello; ServerHello, ChangeCipherSpec, Finished; the client's CCS, Finished.
        targets: vec![(Side::Server, 0), (Side::Client, 0), (Side::Server, 1)],
    };
    assert!(mutate_every_byte(&run) > 1000);
}

#[test]
fn every_byte_of_an_abbreviated_handshake_by_ticket_and_of_its_ticket() {
    let options = options(Resumption::Ticket);
    let (session, keys) = session_of(&options, Resumption::Ticket);
    assert!(session.ticket.is_some());
    let run = Run {
        name: "resumed by ticket",
        options,
        keys,
        cached: None,
        offered: Some(session),
        targets: vec![(Side::Server, 0), (Side::Client, 0), (Side::Server, 1)],
    };
    assert!(mutate_every_byte(&run) > 1000);
}

#[test]
fn every_byte_of_new_session_ticket_in_a_full_handshake() {
    let options = Options {
        suite: CipherSuite::RsaAes128GcmSha256,
        ..options(Resumption::Ticket)
    };
    let (_, keys) = simulate::resumption_state(&options, Resumption::Ticket);
    let run = Run {
        name: "full handshake issuing a ticket",
        options,
        keys,
        cached: None,
        offered: None,
        // The server's NewSessionTicket, ChangeCipherSpec and Finished.
        targets: vec![(Side::Client, 1)],
    };
    assert!(mutate_every_byte(&run) > 500);
}
