//! Session resumption in memory (RFC 5246 7.3, RFC 5077): a full handshake makes a session,
//! a second connection resumes it with the abbreviated handshake, by session ID or by ticket,
//! and uses no private or public key at all; and each rule that keeps resumption safe, with
//! the full handshake or the exact alert it gives when broken.

use std::sync::Arc;

use tls12_sim::event::{Event, Key};
use tls12_sim::messages::alert::AlertDescription;
use tls12_sim::rng::Side;
use tls12_sim::server::ClientAuth;
use tls12_sim::session::{Resumption, Session, SessionCache, TicketKeys};
use tls12_sim::simulate::{
    self, Options, RECONNECT_AFTER, Report, Simulation, client_offering, resumption_state,
    run_simulation, server_sharing,
};
use tls12_sim::suites::CipherSuite;

type Shared = (Option<Arc<SessionCache>>, Option<Arc<TicketKeys>>);

fn options(suite: CipherSuite, how: Resumption) -> Options {
    Options {
        suite,
        resume: Some(how),
        ..Options::default()
    }
}

/// Connection 1: a full handshake with a server that shares `shared` (fresh if `None`).
fn full(options: &Options, shared: &Shared) -> Report {
    let server = server_sharing(options, shared.clone(), "", options.time).unwrap();
    let client = simulate::demo_client(options).unwrap();
    let report = run_simulation(Simulation::new(client, server), options);
    assert!(report.outcome.is_ok(), "{:?}", report.outcome.err());
    report
}

/// A later connection whose client offers `session` to a server sharing `shared`, `after`
/// seconds on; `tweak` changes either side before the first flight.
fn later(
    options: &Options,
    shared: &Shared,
    session: Option<Session>,
    after: u64,
    tweak: impl FnOnce(&mut Simulation),
) -> Report {
    let time = options.time + after;
    let stream = format!("connection at {after}");
    let client = client_offering(options, session, &stream, time).unwrap();
    let server = server_sharing(options, shared.clone(), &stream, time).unwrap();
    let mut sim = Simulation::new(client, server);
    tweak(&mut sim);
    run_simulation(sim, options)
}

/// The names of the handshake messages the sender logged, in order.
fn messages(report: &Report) -> Vec<String> {
    report
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Message {
                side, from, name, ..
            } if side == from => Some(name.clone()),
            _ => None,
        })
        .collect()
}

fn keys_used(report: &Report) -> Vec<Key> {
    let mut keys: Vec<Key> = report
        .events
        .iter()
        .filter_map(|e| match e {
            Event::KeyUse { key, .. } => Some(*key),
            _ => None,
        })
        .collect();
    keys.dedup();
    keys
}

fn notes(report: &Report) -> String {
    report
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Note { text, .. } => Some(text.to_string()),
            Event::Check { what, .. } => Some(what.to_string()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_full_handshake(report: &Report) {
    assert!(
        report.outcome.is_ok(),
        "{:?}",
        report.outcome.as_ref().err()
    );
    assert_eq!(report.server.resumed(), None);
    assert_eq!(report.client.resumed(), None);
    assert!(messages(report).contains(&"Certificate".to_string()));
}

fn assert_resumed(report: &Report, how: Resumption) {
    assert!(
        report.outcome.is_ok(),
        "{:?}",
        report.outcome.as_ref().err()
    );
    assert_eq!(report.server.resumed(), Some(how));
    assert_eq!(report.client.resumed(), Some(how));
}

#[test]
fn every_suite_resumes_by_session_id_and_by_ticket_with_no_asymmetric_key() {
    for suite in CipherSuite::ALL {
        for how in [Resumption::SessionId, Resumption::Ticket] {
            let report = simulate::run(&options(suite, how)).unwrap();
            assert_resumed(&report, how);
            let first = report.full_handshake.as_ref().unwrap();
            // The key ledger of the resumed run: the session keys and nothing else.
            assert_eq!(keys_used(&report), [Key::SessionKeys], "{suite:?} {how:?}");
            assert!(keys_used(first).contains(&Key::ServerPrivateKey));
            // The abbreviated handshake, in wire order.
            let expected = ["ClientHello", "ServerHello", "ChangeCipherSpec", "Finished"];
            let sent = messages(&report);
            assert_eq!(&sent[..4], expected, "{suite:?} {how:?}");
            assert_eq!(&sent[4..6], ["ChangeCipherSpec", "Finished"]);
            // The same master secret, new randoms, so new session keys.
            assert_eq!(report.value("master_secret"), first.value("master_secret"));
            for name in ["client_random", "server_random", "client_write_key"] {
                assert_ne!(report.value(name), first.value(name), "{name}");
            }
            assert!(report.value("pre_master_secret").is_none());
            assert!(report.value("session_hash").is_none());
            assert_eq!(report.client_received, Options::default().server_message);
        }
    }
}

#[test]
fn a_ticket_comes_in_new_session_ticket_and_the_session_id_stays_empty() {
    let options = options(CipherSuite::EcdheRsaAes128GcmSha256, Resumption::Ticket);
    let report = simulate::run(&options).unwrap();
    let first = report.full_handshake.as_ref().unwrap();
    let sent = messages(first);
    let at = sent.iter().position(|m| m == "NewSessionTicket").unwrap();
    assert_eq!(sent[at + 1], "ChangeCipherSpec");
    assert!(first.value("session_id").is_none(), "no id from the server");
    let session = first.client.session().unwrap();
    assert!(session.id.is_empty());
    assert_eq!(session.ticket_lifetime_hint, 7200);
    assert!(session.ticket.as_ref().unwrap().len() > 100);
    // By session ID, the server's ServerHello names the session, and there is no ticket.
    let by_id = simulate::run(&Options {
        resume: Some(Resumption::SessionId),
        ..options
    })
    .unwrap();
    let first = by_id.full_handshake.as_ref().unwrap();
    assert!(!messages(first).contains(&"NewSessionTicket".to_string()));
    assert_eq!(
        first.client.session().unwrap().id,
        first.value("session_id").unwrap()
    );
}

#[test]
fn a_ticket_under_the_previous_key_is_renewed_and_one_older_gives_a_full_handshake() {
    let options = options(CipherSuite::RsaAes128GcmSha256, Resumption::Ticket);
    let shared = resumption_state(&options, Resumption::Ticket);
    let session = full(&options, &shared).client.session();
    let keys = shared.1.clone().unwrap();
    let mut rng = tls12_sim::rng::RoleRng::seeded(9, Side::Server);
    keys.rotate(&mut rng, options.time + 10);
    let renewed = later(&options, &shared, session.clone(), 20, |_| {});
    assert_resumed(&renewed, Resumption::Ticket);
    assert!(messages(&renewed).contains(&"NewSessionTicket".to_string()));
    let fresh = renewed.client.session().unwrap().ticket.unwrap();
    assert_eq!(&fresh[..16], &keys.current().name);
    keys.rotate(&mut rng, options.time + 30);
    let report = later(&options, &shared, session, 40, |_| {});
    assert_full_handshake(&report);
    assert!(notes(&report).contains("is not one of our ticket keys"));
}

#[test]
fn forged_tampered_expired_or_foreign_tickets_give_a_full_handshake() {
    let options = options(CipherSuite::RsaAes128GcmSha256, Resumption::Ticket);
    let shared = resumption_state(&options, Resumption::Ticket);
    let session = full(&options, &shared).client.session().unwrap();
    let ticket = session.ticket.clone().unwrap();
    let with_ticket = |ticket: Vec<u8>| Session {
        ticket: Some(ticket),
        ..session.clone()
    };
    let mut tampered = ticket.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x80;
    // Well formed, our key's name, made up contents.
    let mut forged = ticket[..28].to_vec();
    forged.extend([0, 80]);
    forged.extend([7u8; 80]);
    let mut foreign = ticket.clone();
    foreign[..16].copy_from_slice(&[9; 16]);
    let cases = [
        (with_ticket(tampered), 10, "AES-GCM tag does not check"),
        (with_ticket(forged), 10, "AES-GCM tag does not check"),
        (with_ticket(foreign), 10, "is not one of our ticket keys"),
        (with_ticket(vec![1, 2, 3]), 10, "too short"),
        (session.clone(), 7200, "expired"),
    ];
    for (offered, after, why) in cases {
        let report = later(&options, &shared, Some(offered), after, |_| {});
        assert_full_handshake(&report);
        assert!(notes(&report).contains(why), "{why}:\n{}", notes(&report));
        // The full handshake hands out a fresh ticket.
        assert!(report.client.session().unwrap().ticket.is_some());
    }
    // Another server's ticket keys open nothing of ours.
    let other = resumption_state(
        &Options {
            seed: 2,
            ..options.clone()
        },
        Resumption::Ticket,
    );
    let report = later(&options, &other, Some(session), 10, |_| {});
    assert_full_handshake(&report);
}

#[test]
fn a_replayed_ticket_or_session_id_without_the_master_secret_never_resumes() {
    for how in [Resumption::Ticket, Resumption::SessionId] {
        let options = options(CipherSuite::EcdheRsaAes128GcmSha256, how);
        let shared = resumption_state(&options, how);
        let victim = full(&options, &shared).client.session().unwrap();
        // An eavesdropper copies the ticket or id off the wire; the master secret it lacks.
        let thief = Session {
            master_secret: zeroize::Zeroizing::new([0x42; 48]),
            ..victim.clone()
        };
        let report = later(&options, &shared, Some(thief), 10, |_| {});
        let failure = report.outcome.as_ref().unwrap_err();
        // The server resumed and spoke first; its Finished record does not open with keys
        // from the wrong master secret.
        assert_eq!(failure.side, Side::Client);
        assert_eq!(report.alert(), Some(AlertDescription::BadRecordMac));
        assert!(!report.server.conn().handshake_complete());
        assert!(report.client.session().is_none());
        // RFC 5246 7.2.2: a session whose connection ended with a fatal alert is not resumed
        // again: the cache forgets it (a ticket cannot be taken back).
        let again = later(&options, &shared, Some(victim), 20, |_| {});
        match how {
            Resumption::SessionId => assert_full_handshake(&again),
            Resumption::Ticket => assert_resumed(&again, how),
        }
    }
}

#[test]
fn a_session_ended_by_a_fatal_alert_is_not_resumed() {
    let options = options(CipherSuite::RsaAes128GcmSha256, Resumption::SessionId);
    let shared = resumption_state(&options, Resumption::SessionId);
    let server = server_sharing(&options, shared.clone(), "", options.time).unwrap();
    let mut sim = Simulation::new(simulate::demo_client(&options).unwrap(), server);
    sim.client(|c, w| c.send_hello(w)).unwrap();
    sim.server(|s, w| s.answer_hello(w)).unwrap();
    sim.client(|c, w| c.answer_server(w)).unwrap();
    sim.server(|s, w| s.finish(w)).unwrap();
    sim.client(|c, w| c.finish(w)).unwrap();
    let saved = sim.client.session().unwrap();
    assert_eq!(shared.0.as_ref().unwrap().len(), 1);
    // A record with a flipped bit: the server answers bad_record_mac, and forgets the session.
    sim.client(|c, w| c.send(w, b"hello")).unwrap();
    let last = sim.wire.in_flight(Side::Server).len() - 1;
    sim.wire.in_flight(Side::Server)[last] ^= 1;
    let failure = sim.server(|s, w| s.receive(w)).unwrap_err();
    assert_eq!(failure.error.alert(), Some(AlertDescription::BadRecordMac));
    assert!(shared.0.as_ref().unwrap().is_empty());
    assert!(sim.server.conn().ended_with_fatal_alert());
    // The client received the fatal alert: it keeps no session either.
    assert!(sim.client(|c, w| c.receive(w)).is_err());
    assert!(sim.client.session().is_none());
    let report = later(&options, &shared, Some(saved), 10, |_| {});
    assert_full_handshake(&report);
    assert!(notes(&report).contains("is not in our cache"));
}

#[test]
fn the_cache_is_bounded_in_size_and_age() {
    let options = options(CipherSuite::RsaAes128GcmSha256, Resumption::SessionId);
    let shared: Shared = (Some(Arc::new(SessionCache::new(1, 100))), None);
    let first = full(&options, &shared).client.session();
    let second = later(&options, &shared, None, 1, |_| {});
    assert_full_handshake(&second);
    // The first session was evicted by the second (a cache of one).
    let report = later(&options, &shared, first, 2, |_| {});
    assert_full_handshake(&report);
    assert!(notes(&report).contains("is not in our cache"));
    assert!(second.client.session().is_some());
    // The latest session (made at +2), resumed too late.
    let report = later(&options, &shared, report.client.session(), 102, |_| {});
    assert_full_handshake(&report);
    assert!(notes(&report).contains("past our lifetime of 100 s"));
}

#[test]
fn a_different_server_name_is_not_resumed() {
    let options = options(CipherSuite::RsaAes128GcmSha256, Resumption::SessionId);
    let shared = resumption_state(&options, Resumption::SessionId);
    let session = full(&options, &shared).client.session().unwrap();
    // Our client does not offer it for another name (RFC 6066 3)...
    let report = later(&options, &shared, Some(session.clone()), 10, |sim| {
        sim.client.config_mut().server_name = Some("127.0.0.1".into());
    });
    assert!(notes(&report).contains("made for another server name"));
    assert_eq!(report.server.resumed(), None);
    // ... and the server does not resume it for another name.
    let elsewhere = Session {
        server_name: Some("other.example".into()),
        ..session.clone()
    };
    shared.0.as_ref().unwrap().insert(elsewhere);
    let report = later(&options, &shared, Some(session), 20, |_| {});
    assert_full_handshake(&report);
    assert!(notes(&report).contains("(SNI, RFC 6066 3)"));
}

#[test]
fn the_suite_and_version_must_be_the_session_s() {
    let options = options(CipherSuite::RsaAes128GcmSha256, Resumption::SessionId);
    let shared = resumption_state(&options, Resumption::SessionId);
    let session = full(&options, &shared).client.session().unwrap();
    let cache = shared.0.clone().unwrap();
    // Our client offers a session only with its suite among its own.
    let report = later(&options, &shared, Some(session.clone()), 10, |sim| {
        sim.client.config_mut().suites = vec![CipherSuite::RsaAes256GcmSha384];
    });
    assert!(notes(&report).contains("is not among ours"));
    assert_full_handshake(&report);
    // The server resumes only a suite the client offers (here, its copy says another).
    let aes256 = Session {
        suite: CipherSuite::RsaAes256GcmSha384,
        ..session.clone()
    };
    cache.insert(aes256.clone());
    let report = later(&options, &shared, Some(session.clone()), 20, |_| {});
    assert_full_handshake(&report);
    assert!(notes(&report).contains("not both offered by the client"));
    // A server that resumes with another suite than the client's copy of the session:
    // illegal_parameter from the client (RFC 5246 7.4.1.3).
    cache.insert(aes256);
    let report = later(&options, &shared, Some(session.clone()), 30, |sim| {
        sim.client.config_mut().suites = vec![
            CipherSuite::RsaAes128GcmSha256,
            CipherSuite::RsaAes256GcmSha384,
        ];
    });
    let failure = report.outcome.as_ref().unwrap_err();
    assert_eq!(failure.side, Side::Client);
    assert_eq!(report.alert(), Some(AlertDescription::IllegalParameter));
    // A session of another version is not resumed.
    cache.insert(Session {
        version: 0x0302,
        ..session.clone()
    });
    let report = later(&options, &shared, Some(session), 40, |_| {});
    assert_full_handshake(&report);
    assert!(notes(&report).contains("the session is TLS 1.1"));
}

/// RFC 7627 5.3, each case: which mismatch falls back to a full handshake, which aborts with
/// handshake_failure, and who aborts.
#[test]
fn extended_master_secret_mismatches_fall_back_or_abort_as_rfc_7627_says() {
    let options = options(CipherSuite::RsaAes128GcmSha256, Resumption::SessionId);
    let no_ems = Options {
        extended_master_secret: false,
        ..options.clone()
    };
    // Session with EMS, ClientHello without it (a client that regressed): the server aborts.
    let shared = resumption_state(&options, Resumption::SessionId);
    let session = full(&options, &shared).client.session().unwrap();
    let report = later(&no_ems, &shared, Some(session.clone()), 10, |sim| {
        sim.server.config_mut().allow_extended_master_secret = true;
    });
    let failure = report.outcome.as_ref().unwrap_err();
    assert_eq!(failure.side, Side::Server);
    assert_eq!(report.alert(), Some(AlertDescription::HandshakeFailure));
    // Session without EMS, ClientHello with it: not resumed, a full handshake.
    let cache = shared.0.clone().unwrap();
    cache.insert(Session {
        extended_master_secret: false,
        ..session.clone()
    });
    let report = later(&options, &shared, Some(session.clone()), 20, |_| {});
    assert_full_handshake(&report);
    assert!(notes(&report).contains("MUST NOT perform the abbreviated handshake"));
    // Neither: the server aborts (the RFC's SHOULD).
    let legacy = full(
        &Options {
            extended_master_secret: false,
            ..options.clone()
        },
        &shared,
    );
    let legacy_session = legacy.client.session().unwrap();
    assert!(!legacy_session.extended_master_secret);
    let report = later(&no_ems, &shared, Some(legacy_session.clone()), 30, |sim| {
        sim.server.config_mut().allow_extended_master_secret = true;
    });
    assert_eq!(report.outcome.as_ref().unwrap_err().side, Side::Server);
    assert_eq!(report.alert(), Some(AlertDescription::HandshakeFailure));
    // Our client does not offer a session without EMS when it offers EMS (SHOULD NOT).
    let report = later(&options, &shared, Some(legacy_session), 40, |_| {});
    assert!(notes(&report).contains("SHOULD NOT offer"));
    assert_full_handshake(&report);
    // A server resuming an EMS session without EMS in its ServerHello: the client aborts.
    cache.insert(session.clone());
    let report = later(&options, &shared, Some(session), 50, |sim| {
        sim.server.config_mut().allow_extended_master_secret = false;
    });
    assert_eq!(report.outcome.as_ref().unwrap_err().side, Side::Client);
    assert_eq!(report.alert(), Some(AlertDescription::HandshakeFailure));
}

#[test]
fn a_resumed_mtls_session_keeps_the_client_identity_and_says_it_was_not_rechecked() {
    for how in [Resumption::SessionId, Resumption::Ticket] {
        let options = Options {
            mtls: true,
            client_certificate: Some(tls12_sim::demo_pki::DemoClient::Alice),
            ..options(CipherSuite::EcdheRsaAes256GcmSha384, how)
        };
        let report = simulate::run(&options).unwrap();
        assert_resumed(&report, how);
        let first = report.full_handshake.as_ref().unwrap();
        assert!(report.server.client_authenticated());
        assert_eq!(
            report.server.client_certificates(),
            first.server.client_certificates()
        );
        assert!(!report.server.client_certificates().is_empty());
        // No CertificateRequest, no client Certificate, no CertificateVerify, no key.
        assert_eq!(keys_used(&report), [Key::SessionKeys]);
        let said = notes(&report);
        assert!(said.contains("CN=alice"), "{said}");
        assert!(said.contains("NOT checked again now"), "{said}");
    }
}

#[test]
fn a_server_that_requires_a_certificate_does_not_resume_an_anonymous_session() {
    let options = options(CipherSuite::RsaAes128GcmSha256, Resumption::SessionId);
    let shared = resumption_state(&options, Resumption::SessionId);
    let session = full(&options, &shared).client.session();
    let report = later(&options, &shared, session, 10, |sim| {
        sim.server.config_mut().client_auth = ClientAuth::Require;
        sim.client.config_mut().identity =
            Some(tls12_sim::demo_pki::DemoClient::Alice.identity().unwrap());
    });
    assert_full_handshake(&report);
    assert!(notes(&report).contains("proved none"));
    assert!(report.server.client_authenticated());
}

#[test]
fn a_server_without_a_cache_answers_a_session_id_with_a_full_handshake() {
    let options = options(CipherSuite::RsaAes128GcmSha256, Resumption::SessionId);
    let shared = resumption_state(&options, Resumption::SessionId);
    let session = full(&options, &shared).client.session();
    let report = later(&options, &(None, None), session, 10, |_| {});
    assert_full_handshake(&report);
    assert!(notes(&report).contains("this server keeps no sessions"));
    // And its ServerHello names no session: nothing to save.
    assert!(report.client.session().is_none());
    assert_eq!(RECONNECT_AFTER, 60);
}

#[test]
fn every_renderer_shows_the_abbreviated_handshake_in_both_languages() {
    use tls12_sim::render::{Lang, render_ladder, report};
    for how in [Resumption::SessionId, Resumption::Ticket] {
        let options = options(CipherSuite::EcdheRsaAes128GcmSha256, how);
        let report = simulate::run(&options).unwrap();
        let text = report::render_text(&options, &report, Lang::En);
        assert!(text.contains("Connection 1, a full handshake"), "{text}");
        assert!(text.contains("server sends: ServerHello, ChangeCipherSpec, Finished"));
        assert!(text.contains("the session was resumed"), "{text}");
        // The first connection's ledger is in the header; the second's trace uses no key.
        let second = text.split("its trace follows.").nth(1).unwrap();
        assert!(!second.contains("server private key"), "{second}");
        let ja = report::render_text(&options, &report, Lang::Ja);
        assert!(ja.contains("セッションが再開された"), "{ja}");
        let json: serde_json::Value =
            serde_json::from_str(&report::render_json(&options, &report)).unwrap();
        let name = match how {
            Resumption::SessionId => "session_id",
            Resumption::Ticket => "ticket",
        };
        assert_eq!(json["run"]["resumed"], name);
        assert!(
            json["run"]["full_handshake"]["events"]
                .as_array()
                .unwrap()
                .len()
                > 20
        );
        let html = report::render_html(&options, &report, Lang::Ja);
        assert!(html.contains("セッション再開"), "the page's facts");
        let ladder = render_ladder(&report.events, Lang::En);
        assert!(ladder.contains("ServerHello") && !ladder.contains("Certificate"));
    }
}

#[test]
fn the_observer_follows_tickets_and_key_logs_of_resumed_and_refused_sessions() {
    use tls12_sim::observer::{self, ObserverKey};
    let options = options(CipherSuite::EcdheRsaAes128GcmSha256, Resumption::Ticket);
    let shared = resumption_state(&options, Resumption::Ticket);
    let keys = shared.1.clone().unwrap();
    let first = full(&options, &shared);
    // A ticket offered, and refused (the server now wants a client certificate): a full
    // handshake with a new ticket. The thief must follow the new ticket, not the refused one.
    let refused = later(&options, &shared, first.client.session(), 10, |sim| {
        sim.server.config_mut().client_auth = ClientAuth::Require;
        sim.client.config_mut().identity =
            Some(tls12_sim::demo_pki::DemoClient::Alice.identity().unwrap());
    });
    assert_full_handshake(&refused);
    let obs = observer::observe(&refused.flows, ObserverKey::TicketKeys(&keys)).unwrap();
    assert!(!obs.resumed);
    assert_eq!(obs.tickets_opened, 2);
    assert_eq!(obs.master_secret.as_deref(), refused.value("master_secret"));
    assert_eq!(obs.application_data.len(), 2);
    // A resumed connection, read with its key log line's master secret.
    let resumed = later(&options, &shared, first.client.session(), 20, |_| {});
    assert_resumed(&resumed, Resumption::Ticket);
    let master: [u8; 48] = resumed.value("master_secret").unwrap().try_into().unwrap();
    let obs = observer::observe(&resumed.flows, ObserverKey::MasterSecret(master)).unwrap();
    assert!(obs.resumed);
    assert_eq!(obs.unreadable_records, 0);
    assert_eq!(obs.client_verify_data, obs.expected_client_verify_data);
    assert_eq!(obs.server_verify_data, obs.expected_server_verify_data);
}

#[test]
fn the_cli_names_a_bad_session_file_and_simulates_both_resumptions() {
    let bin = env!("CARGO_BIN_EXE_tls12-sim");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(bin).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr,
        )
    };
    let dir = std::env::temp_dir().join(format!("tls12-sim-session-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("missing.json");
    let (ok, _, err) = run(&[
        "connect",
        "127.0.0.1:9",
        "--send",
        "x",
        "--session-in",
        missing.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        err.contains("--session-in") && err.contains("cannot be read"),
        "{err}"
    );
    let wrong = dir.join("wrong.json");
    std::fs::write(&wrong, "{\"format\": \"something else\"}").unwrap();
    let (ok, _, err) = run(&[
        "connect",
        "127.0.0.1:9",
        "--send",
        "x",
        "--session-in",
        wrong.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(err.contains("not a saved session"), "{err}");
    for how in ["id", "ticket"] {
        let (ok, out, err) = run(&["simulate", "--resume", how]);
        assert!(ok, "{err}");
        assert!(out.contains("Result: the session was resumed"), "{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
