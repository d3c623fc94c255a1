//! The labs about session resumption (RFC 5246 7.3, RFC 5077):
//! - `resumption`: a full handshake against resumed ones, by session id and by ticket: the
//!   messages, the keys each uses (the resumed ones use none but the session keys), and what
//!   each costs, measured now;
//! - `stolen-ticket-key`: the catch. A ticket carries the master secret sealed under the
//!   server's ticket key; whoever steals that key later opens every ticket recorded, and with
//!   it the ECDHE session that issued it and every resumption: forward secrecy lasts only as
//!   long as the ticket key.

use std::fmt::Write as _;
use std::time::Instant;

use super::{head, paragraph};
use crate::demo_pki;
use crate::error::Error;
use crate::event::{Event, Key};
use crate::observer::{self, Observation, ObserverKey};
use crate::phrase;
use crate::phrase::Phrase;
use crate::render::{Lang, say};
use crate::session::{Resumption, TicketKeys};
use crate::simulate::{self, Options, Report, Simulation};
use crate::suites::CipherSuite;
use crate::wire::Flow;

// ---------------------------------------------------------------------------------------------
// resumption

/// One connection of the `resumption` lab.
pub struct ResumptionRun {
    /// `None`: the full handshake; else how the session was resumed.
    pub resumed: Option<Resumption>,
    /// The handshake messages sent, in wire order.
    pub messages: Vec<String>,
    /// Public- and private-key operations (every key use but the session keys').
    pub asymmetric_operations: usize,
    /// Bytes on the wire, both ways, up to the end of the handshake.
    pub handshake_bytes: usize,
    /// The median time of one such handshake (both sides, in memory, trace off), nanoseconds.
    pub nanoseconds: f64,
}

/// What the `resumption` lab showed.
pub struct ResumptionLab {
    /// The full handshake, then resumed by session id, then by ticket.
    pub runs: Vec<ResumptionRun>,
    /// The printed lesson (`tls12-sim lab resumption`).
    pub text: String,
}

/// How many handshakes of each kind the lab times (the median is printed).
const TIMED: usize = 15;

/// A full RSA handshake, then the same session resumed by session id and by ticket; the keys
/// each connection used, and what each costs, measured now. The lesson is in `lang`.
pub fn resumption(lang: Lang) -> Result<ResumptionLab, Error> {
    let title = phrase!("Lab: session resumption, the handshake that needs no private key.");
    let mut text = format!("{}\n\n", say(lang, &title));
    let question = phrase!(
        "One RSA private-key operation costs as much as encrypting megabytes (lab cost). A busy \
         server cannot pay that for every connection of every client. It does not have to: a \
         client that comes back offers the session it already has, and the server resumes it \
         with an abbreviated handshake (RFC 5246 7.3), found by its session id in the server's \
         cache, or carried back by the client in a ticket (RFC 5077)."
    );
    text.push_str(&paragraph(lang, "", 92, &question));
    let mut runs = Vec::new();
    for resumed in [None, Some(Resumption::SessionId), Some(Resumption::Ticket)] {
        let run = resumption_run(resumed)?;
        text.push('\n');
        describe_run(&mut text, lang, &run);
        runs.push(run);
    }
    text.push('\n');
    compare_costs(&mut text, lang, &runs);
    let lesson = phrase!(
        "The lesson: a resumed session skips the certificate and the key exchange. The same \
         master secret and the two new randoms make new session keys, so the connection is as \
         well protected, and the server's private key is not touched: resuming is what makes a \
         busy server affordable. The price: the server must keep sessions (a cache) or trust a \
         key that seals them (tickets); see lab stolen-ticket-key."
    );
    text.push('\n');
    text.push_str(&paragraph(lang, "", 92, &lesson));
    Ok(ResumptionLab { runs, text })
}

/// One connection: the full handshake (`None`) or its session resumed, traced for its facts,
/// then timed with the trace off.
fn resumption_run(resumed: Option<Resumption>) -> Result<ResumptionRun, Error> {
    let options = Options {
        suite: CipherSuite::RsaAes128GcmSha256,
        resume: resumed,
        ..Options::default()
    };
    let report = simulate::run(&options)?;
    if let Err(failure) = &report.outcome {
        return Err(Error::Internal(failure.error.phrase()));
    }
    if report.server.resumed() != resumed {
        return Err(Error::Internal(phrase!("the session was not resumed")));
    }
    Ok(ResumptionRun {
        resumed,
        messages: sent_messages(&report),
        asymmetric_operations: asymmetric_operations(&report.events),
        handshake_bytes: handshake_bytes(&report),
        nanoseconds: time_handshakes(&options)?,
    })
}

/// The handshake messages its sender logged, in wire order.
fn sent_messages(report: &Report) -> Vec<String> {
    let mut names = Vec::new();
    for event in &report.events {
        match event {
            Event::Message {
                side, from, name, ..
            } if side == from => names.push(name.clone()),
            Event::AppData { .. } => break,
            _ => {}
        }
    }
    names
}

/// Every use of a public or private key (the session keys aside).
pub fn asymmetric_operations(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::KeyUse { key, .. } if *key != Key::SessionKeys))
        .count()
}

/// The bytes of the flows before the first application data (the handshake's flights).
fn handshake_bytes(report: &Report) -> usize {
    let flights = if report.server.resumed().is_some() {
        3
    } else {
        4
    };
    report
        .flows
        .iter()
        .take(flights)
        .map(|flow| flow.bytes.len())
        .sum()
}

/// The median nanoseconds of one handshake for `options`: the full one, or the resumption of
/// a session made once beforehand. Both sides in memory, the trace off.
fn time_handshakes(options: &Options) -> Result<f64, Error> {
    let options = Options {
        trace: false,
        ..options.clone()
    };
    let mut times = Vec::with_capacity(TIMED);
    let shared = options
        .resume
        .map(|how| simulate::resumption_state(&options, how));
    let session = match &shared {
        Some(shared) => {
            let server = simulate::server_sharing(&options, shared.clone(), "", options.time)?;
            let mut sim = Simulation::new(simulate::demo_client(&options)?, server);
            handshake(&mut sim)?;
            sim.client.session()
        }
        None => None,
    };
    for _ in 0..TIMED {
        let mut sim = match &shared {
            Some(shared) => Simulation::new(
                simulate::client_offering(&options, session.clone(), "timed", options.time)?,
                simulate::server_sharing(&options, shared.clone(), "timed", options.time)?,
            ),
            None => Simulation::new(
                simulate::demo_client(&options)?,
                simulate::demo_server(&options)?,
            ),
        };
        let started = Instant::now();
        handshake(&mut sim)?;
        times.push(started.elapsed().as_secs_f64() * 1e9);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// The flights of one handshake, full or abbreviated, without application data.
fn handshake(sim: &mut Simulation) -> Result<(), Error> {
    sim.client.send_hello(&mut sim.wire.client())?;
    sim.server.answer_hello(&mut sim.wire.server())?;
    sim.client.answer_server(&mut sim.wire.client())?;
    sim.server.finish(&mut sim.wire.server())?;
    sim.client.finish(&mut sim.wire.client())
}

/// One connection, in words.
fn describe_run(text: &mut String, lang: Lang, run: &ResumptionRun) {
    let heading = match run.resumed {
        None => phrase!("Connection 1, a full handshake (TLS_RSA_WITH_AES_128_GCM_SHA256):"),
        Some(how) => phrase!(
            "A later connection, offering that session back by {}:",
            how.name()
        ),
    };
    let _ = writeln!(text, "{}", say(lang, &heading));
    let lines = [
        phrase!("messages: {}", run.messages.join(", ")),
        phrase!(
            "public- and private-key operations: {} | handshake bytes on the wire: {}",
            run.asymmetric_operations,
            run.handshake_bytes
        ),
    ];
    for line in &lines {
        let _ = writeln!(text, "  {}", say(lang, line));
    }
}

/// The costs side by side, as measured.
fn compare_costs(text: &mut String, lang: Lang, runs: &[ResumptionRun]) {
    let Some(full) = runs.first().map(|r| r.nanoseconds) else {
        return;
    };
    let heading = phrase!(
        "Measured now, both sides in one process (median of {} handshakes each; a debug build is \
         slower, the ratio holds):",
        TIMED
    );
    text.push_str(&paragraph(lang, "", 92, &heading));
    for run in runs {
        let name = match run.resumed {
            None => phrase!("full handshake"),
            Some(Resumption::SessionId) => phrase!("resumed by session id"),
            Some(Resumption::Ticket) => phrase!("resumed by ticket"),
        };
        let line = phrase!(
            "{}: {} µs, {}% of the full handshake",
            name,
            format!("{:.0}", run.nanoseconds / 1e3),
            format!("{:.1}", 100.0 * run.nanoseconds / full)
        );
        let _ = writeln!(text, "  {}", say(lang, &line));
    }
}

// ---------------------------------------------------------------------------------------------
// stolen-ticket-key

/// What the `stolen-ticket-key` lab showed.
pub struct StolenTicketKey {
    /// What the server's private key, stolen, read of the full ECDHE session and of the
    /// resumed one.
    pub private_key_reads: (Vec<Vec<u8>>, Vec<Vec<u8>>),
    /// What the ticket key, stolen, read of the full ECDHE session and of the resumed one.
    pub ticket_key_reads: (Vec<Vec<u8>>, Vec<Vec<u8>>),
    /// Tickets the thief opened.
    pub tickets_opened: usize,
    /// The printed lesson (`tls12-sim lab stolen-ticket-key`).
    pub text: String,
}

/// Seed of the recorded sessions of the `stolen-ticket-key` lab.
pub const TICKET_LAB_SEED: u64 = 2026;

/// Records an ECDHE session whose server issues a ticket, and a later connection resumed by
/// that ticket; then a thief steals the server's private key, and then its ticket key, and
/// tries each on both recordings. The lesson is in `lang`.
pub fn stolen_ticket_key(lang: Lang) -> Result<StolenTicketKey, Error> {
    let title = phrase!("Lab: the stolen ticket key. Forward secrecy, as long as the ticket key.");
    let mut text = format!("{}\n\n", say(lang, &title));
    let story = phrase!(
        "An eavesdropper records two connections of one client: a full handshake with ECDHE \
         (forward secret: lab forward-secrecy), in which the server hands out a session ticket, \
         and a connection a minute later that resumes by that ticket. Later the thief steals the \
         server's private key; later still, its ticket key."
    );
    text.push_str(&paragraph(lang, "", 92, &story));
    let options = Options {
        suite: CipherSuite::EcdheRsaAes128GcmSha256,
        seed: TICKET_LAB_SEED,
        trace: false,
        resume: Some(Resumption::Ticket),
        client_message: b"card 4111 1111 1111 1111\n".to_vec(),
        ..Options::default()
    };
    let recorded = record_ticket_sessions(&options)?;
    let private_key = demo_pki::server()?.key;
    let mut with_private_key = Vec::new();
    for flows in [&recorded.0, &recorded.1] {
        let key = ObserverKey::ServerPrivateKey(&private_key);
        with_private_key.push(thief(&mut text, lang, flows, key)?);
    }
    let (_, keys) = simulate::resumption_state(&options, Resumption::Ticket);
    let keys = keys.ok_or_else(|| Error::Internal(phrase!("no ticket keys")))?;
    let with_ticket_key = ticket_thief(&mut text, lang, &keys, &recorded)?;
    let lesson = phrase!(
        "The lesson: a ticket is the session's master secret, sealed under a key the server keeps \
         for hours or days, and it travels in the clear (NewSessionTicket goes before \
         ChangeCipherSpec; the ClientHello carries it back). Whoever gets that key later opens \
         every recorded ticket, and with it the ECDHE session that issued it: ECDHE's forward \
         secrecy lasts only as long as the ticket key. Rotate ticket keys often, and destroy the \
         old ones (RFC 5077 5.5; for this reason TLS 1.3 can add a fresh (EC)DHE exchange to a \
         resumption, psk_dhe_ke)."
    );
    text.push('\n');
    text.push_str(&paragraph(lang, "", 92, &lesson));
    let reads = |obs: &Observation| -> Vec<Vec<u8>> {
        obs.application_data
            .iter()
            .map(|(_, d)| d.clone())
            .collect()
    };
    let [full_obs, resumed_obs] = &with_ticket_key;
    Ok(StolenTicketKey {
        private_key_reads: (reads(&with_private_key[0]), reads(&with_private_key[1])),
        ticket_key_reads: (reads(full_obs), reads(resumed_obs)),
        tickets_opened: full_obs.tickets_opened + resumed_obs.tickets_opened,
        text,
    })
}

/// The stolen ticket key against both recordings.
fn ticket_thief(
    text: &mut String,
    lang: Lang,
    keys: &TicketKeys,
    (full, resumed): &(Vec<Flow>, Vec<Flow>),
) -> Result<[Observation; 2], Error> {
    let stolen = phrase!(
        "Then it steals the ticket key ({}..): the key every ticket of this server is sealed \
         under.",
        head(keys.current().secret())
    );
    text.push('\n');
    text.push_str(&paragraph(lang, "", 92, &stolen));
    let full_obs = observer::observe(full, ObserverKey::TicketKeys(keys))?;
    let resumed_obs = observer::observe(resumed, ObserverKey::TicketKeys(keys))?;
    describe_theft(text, lang, &full_obs, phrase!("the full ECDHE handshake"));
    describe_theft(text, lang, &resumed_obs, phrase!("the resumed connection"));
    Ok([full_obs, resumed_obs])
}

/// The two recorded connections: the full handshake that issued the ticket, and the one
/// resumed by it.
fn record_ticket_sessions(options: &Options) -> Result<(Vec<Flow>, Vec<Flow>), Error> {
    let report = simulate::run(options)?;
    if report.server.resumed() != Some(Resumption::Ticket) {
        return Err(Error::Internal(phrase!("the session was not resumed")));
    }
    let full = report
        .full_handshake
        .ok_or_else(|| Error::Internal(phrase!("no full handshake first")))?;
    Ok((full.flows, report.flows))
}

/// The stolen private key against one recording.
fn thief(
    text: &mut String,
    lang: Lang,
    flows: &[Flow],
    key: ObserverKey<'_>,
) -> Result<Observation, Error> {
    let obs = observer::observe(flows, key)?;
    let what = if obs.resumed {
        phrase!("the resumed connection")
    } else {
        phrase!("the full ECDHE handshake")
    };
    let line = if obs.resumed {
        phrase!(
            "With the server's private key, {}: no key exchange at all to attack; protected \
             records opened: {} of {}.",
            what,
            opened(&obs),
            protected(&obs)
        )
    } else {
        phrase!(
            "With the server's private key, {}: it only signed the ephemeral key; protected \
             records opened: {} of {}.",
            what,
            opened(&obs),
            protected(&obs)
        )
    };
    text.push('\n');
    text.push_str(&paragraph(lang, "", 92, &line));
    Ok(obs)
}

/// What the stolen ticket key opened in one recording.
fn describe_theft(text: &mut String, lang: Lang, obs: &Observation, what: Phrase) {
    let where_ = if obs.resumed {
        phrase!("the ticket in the ClientHello")
    } else {
        phrase!("the ticket in NewSessionTicket")
    };
    text.push('\n');
    let line = phrase!(
        "With the ticket key, {}: {} opens, master secret {}..; protected records opened: {} of \
         {}.",
        what,
        where_,
        head(obs.master_secret.as_deref().unwrap_or_default()),
        opened(obs),
        protected(obs)
    );
    text.push_str(&paragraph(lang, "", 92, &line));
    for (from, data) in &obs.application_data {
        let read = phrase!(
            "The thief reads ({} -> {}): {}",
            from.phrase(),
            from.peer().phrase(),
            format!("{:?}", String::from_utf8_lossy(data))
        );
        let _ = writeln!(text, "  {}", say(lang, &read));
    }
}

fn protected(obs: &Observation) -> usize {
    obs.records.iter().filter(|r| r.protected).count()
}

fn opened(obs: &Observation) -> usize {
    protected(obs) - obs.unreadable_records
}
