//! Capture files: reading someone else's connections (`tls12-sim inspect`) and recording our
//! own (`serve --pcap`, `connect --pcap`).
//!
//! Reading goes down the stack and back up:
//!
//! ```text
//!   file.rs   pcap / pcapng blocks (pcap-parser)   ─┬─ packets ─▶ link.rs  Ethernet, SLL, raw IP,
//!             Decryption Secrets Blocks ─▶ key log   │                     loopback; IPv4/IPv6; TCP
//!                                                    │                     (etherparse)
//!                                                    └──────────▶ tcp.rs   our reassembly: each
//!                                                                          connection's two streams
//!   inspect(): each direction's bytes, in the order they arrived ─▶ observer::Observer
//!              (our codec and record layer) ─▶ Observation + the events the renderers draw
//! ```
//!
//! A layer above the protocol core (it uses the observer) and below the presentation (the
//! renderers read what it finds); `writer.rs` is the other direction, for `net`.

pub mod file;
pub mod link;
pub mod tcp;
pub mod writer;

use std::io::Read;
use std::path::Path;

use rsa::RsaPrivateKey;

use crate::error::Error;
use crate::event::Event;
use crate::keylog::KeyLog;
use crate::observer::{EarlierSessions, Observation, Observer, ObserverKey};
use crate::phrase;
use crate::phrase::Phrase;
use crate::rng::Side;
pub use file::Format;
use link::NotTcp;
pub use tcp::{Connection, Delivery};

/// What a capture file holds.
pub struct Capture {
    /// pcap or pcapng.
    pub format: Format,
    /// How many packets it holds.
    pub packets: u64,
    /// Every TCP connection in it, in the order the file first shows each.
    pub connections: Vec<Connection>,
    /// What the file did that the connections do not say: packets passed over, link types
    /// not read, a cut-short end.
    pub notes: Vec<Phrase>,
    /// The key log of its Decryption Secrets Blocks (pcapng), if it has any.
    pub secrets: KeyLog,
}

/// Reads the capture file at `path`; an error names the file.
pub fn read_file(path: &Path) -> Result<Capture, Error> {
    let name = path.display().to_string();
    if path.is_dir() {
        return Err(Error::Config(phrase!(
            "{}: a directory, not a capture file (name a .pcap or .pcapng file)",
            name
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| {
        Error::Config(phrase!(
            "{}: cannot be read: {}",
            name.clone(),
            e.to_string()
        ))
    })?;
    read(std::io::BufReader::new(file), &name)
}

/// Reads a capture from `reader`; `name` names it in errors and notes.
pub fn read(reader: impl Read + Send, name: &str) -> Result<Capture, Error> {
    let mut reassembler = tcp::Reassembler::new();
    let mut secrets = KeyLog::new();
    let mut counts = Counts::default();
    let mut secrets_error = None;
    let (format, mut notes) = file::read(reader, name, &mut |item| match item {
        file::Item::Packet {
            link_type,
            data,
            orig_len,
            time,
        } => {
            counts.packets += 1;
            match link::segment(link_type, data, orig_len) {
                Ok(segment) => reassembler.add(&segment, counts.packets, time),
                Err(NotTcp::Other) if !link::SUPPORTED.contains(&link_type) => {
                    counts.unknown_link.get_or_insert(link_type);
                }
                Err(NotTcp::Other) => {}
                Err(NotTcp::Fragment) => counts.fragments += 1,
                Err(NotTcp::Malformed(_)) => counts.malformed += 1,
            }
        }
        file::Item::TlsKeyLog(text) => {
            let text = String::from_utf8_lossy(text);
            let source = format!("the key log in {name}");
            if let Err(e) = secrets.add_text(&text, &source) {
                secrets_error.get_or_insert(e.reason());
            }
        }
    })?;
    notes.extend(counts.notes());
    notes.extend(secrets_error);
    notes.append(&mut reassembler.notes);
    Ok(Capture {
        format,
        packets: counts.packets,
        connections: reassembler.finish(),
        notes,
        secrets,
    })
}

/// Packets that are not TCP segments we follow, counted for the notes.
#[derive(Default)]
struct Counts {
    packets: u64,
    unknown_link: Option<i32>,
    fragments: u64,
    malformed: u64,
}

impl Counts {
    fn notes(&self) -> Vec<Phrase> {
        let mut notes = Vec::new();
        if let Some(link_type) = self.unknown_link {
            notes.push(phrase!(
                "packets of {}: not read (this program reads Ethernet, Linux cooked capture, \
                 raw IP and loopback captures)",
                link::link_type_name(link_type)
            ));
        }
        if self.fragments > 0 {
            notes.push(phrase!(
                "{} IP fragments: not reassembled here, their TCP bytes are missing",
                self.fragments
            ));
        }
        if self.malformed > 0 {
            notes.push(phrase!(
                "{} packets whose headers do not parse (cut by the capture, or malformed): \
                 passed over",
                self.malformed
            ));
        }
        notes
    }
}

/// The keys `inspect` holds: a key log (a file, the capture's own), the server's private key.
#[derive(Default)]
pub struct Keys {
    /// Master secrets by client random.
    pub keylog: KeyLog,
    /// The server's RSA private key (opens RSA key exchange only).
    pub server_key: Option<RsaPrivateKey>,
}

/// Whether a connection speaks TLS: the first bytes of one side are a record header (a
/// content type of 20 to 23, then version 3.x). SSL 2.0-format hellos count too: they are
/// named, not read.
pub fn looks_like_tls(connection: &Connection) -> bool {
    [Side::Client, Side::Server]
        .iter()
        .any(|&side| match connection.stream(side) {
            [20..=23, 3, ..] => true,
            [first, _, 1, ..] => first & 0x80 != 0,
            _ => false,
        })
}

/// One connection as the observer read it.
pub struct Inspected {
    /// What it learned.
    pub observation: Observation,
    /// What it traced (empty unless asked for).
    pub events: Vec<Event>,
}

/// Feeds the observer each direction of `connection`, in the order its bytes arrived (by the
/// packets' timestamps, whatever their order in the file), holding
/// `keys`; with `trace`, it records the events the renderers draw.
pub fn inspect(connection: &Connection, keys: &Keys, trace: bool) -> Inspected {
    inspect_linked(connection, keys, &mut EarlierSessions::default(), trace)
}

/// As [`inspect`], for connections read in capture order: a resumed session is linked to the
/// full handshake of an `earlier` one (by session_id or ticket), and this connection's own
/// session is remembered for the later ones.
pub fn inspect_linked(
    connection: &Connection,
    keys: &Keys,
    earlier: &mut EarlierSessions,
    trace: bool,
) -> Inspected {
    let key = match (&keys.server_key, keys.keylog.is_empty()) {
        (server_key, false) => ObserverKey::KeyLog {
            keylog: &keys.keylog,
            server_key: server_key.as_ref(),
        },
        (Some(key), true) => ObserverKey::ServerPrivateKey(key),
        (None, true) => ObserverKey::Nothing,
    };
    let mut observer = Observer::new(key, trace).linking(earlier);
    let mut offsets = [0usize; 2];
    for delivery in connection.deliveries() {
        match *delivery {
            Delivery::Data { from, len } => {
                let at = &mut offsets[usize::from(from == Side::Server)];
                let bytes = connection
                    .stream(from)
                    .get(*at..*at + len)
                    .unwrap_or_default();
                *at += len;
                // An error stops the observer, which notes it: it is in the observation.
                let _ = observer.feed(from, bytes);
            }
            Delivery::Gap { from, missing } => observer.gap(from, missing),
        }
    }
    let (observation, events) = observer.finish();
    earlier.remember(&observation, connection.number);
    Inspected {
        observation,
        events,
    }
}
