//! `ticket`: arbitrary bytes as a session ticket, opened by the server's ticket keys
//! (src/session.rs, RFC 5077), and as a saved-session file (`connect --session-in`).
//!
//! A ticket that opens must be one the keys sealed: the fuzzer cannot forge the AES-GCM tag,
//! so an input that opens is a seed (a real ticket) or a bug. Whatever it is, opening ends in a
//! session or a `TicketProblem` (a full handshake), never a panic. A session file that parses
//! must write back to a file that parses to the same session.
//!
//! Input: the bytes of the ticket; the same bytes, as UTF-8 if they are, are the session file.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use tls12_sim::rng::DEFAULT_SIMULATION_TIME;
use tls12_sim::session::{Resumption, Session, TicketKeys};
use tls12_sim::simulate::{self, Options};

/// The ticket keys `simulate --resume ticket` (seed 1) makes, with a previous key too.
fn keys() -> &'static Arc<TicketKeys> {
    static KEYS: OnceLock<Arc<TicketKeys>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let options = Options::default();
        let (_, keys) = simulate::resumption_state(&options, Resumption::Ticket);
        keys.expect("ticket keys")
    })
}

fuzz_target!(|data: &[u8]| {
    let keys = keys();
    if let Ok(opened) = keys.open(data, DEFAULT_SIMULATION_TIME + 60) {
        // Only a real ticket opens: its session seals and opens again the same.
        let mut rng = tls12_sim::rng::RoleRng::seeded(1, tls12_sim::rng::Side::Server);
        let again = keys.seal(&opened.session, &mut rng).expect("seal");
        assert_eq!(keys.open_any_age(&again).expect("open").session, opened.session);
    }
    let _ = keys.open_any_age(data);
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(session) = Session::from_json(text)
    {
        assert_eq!(Session::from_json(&session.to_json()).expect("reparse"), session);
    }
});
