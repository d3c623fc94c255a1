//! TCP stream reassembly (RFC 9293 3.4, 3.10.7.4): the segments of each connection put back
//! into the two byte streams its ends sent, in order, as a receiver would.
//!
//! A capture is not a receiver's view: it may hold a segment twice (a retransmission), out of
//! order, not at all (the capture dropped it), or start after the connection did. Each of
//! those is counted and said in the connection's notes, never a panic:
//!
//! - a segment whose bytes were all delivered already is a retransmission, and dropped; one
//!   that overlaps what was delivered gives only its new bytes;
//! - a segment beyond a hole waits (out of order) until the hole is filled; if it is never
//!   filled, or too much waits ([`MAX_WAITING`]), the hole is a gap: a [`Delivery::Gap`]
//!   records how many bytes are missing, and the stream goes on after it;
//! - a side whose SYN the capture lacks started before the capture: its first segment with
//!   data is taken as the start of its stream;
//! - a stream longer than [`MAX_STREAM`] is cut there, and the connections followed are at
//!   most [`MAX_CONNECTIONS`]: memory stays bounded whatever the file says;
//! - packets whose order in the file is not their time order (a capture merged from two, or
//!   taken on a mirror port) are read in time order: each delivery keeps the time of the
//!   packet that made it available, and the two directions are interleaved by that time (a
//!   stable sort: equal times keep the file's order), so that a flight is never read before
//!   the one it answers.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;

use super::link::Segment;
use crate::phrase;
use crate::phrase::Phrase;
use crate::rng::Side;

/// The most bytes kept of one direction of one connection: 64 MiB.
pub const MAX_STREAM: usize = 64 << 20;
/// The most bytes that may wait, out of order, behind a hole in one direction: 4 MiB.
pub const MAX_WAITING: usize = 4 << 20;
/// The most connections followed in one capture.
pub const MAX_CONNECTIONS: usize = 100_000;

/// What became available in one direction, in the order it did: the observer is fed in this
/// order, so the two sides' records interleave as they did on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// `len` more bytes of what `from` sent.
    Data {
        /// The sender.
        from: Side,
        /// How many bytes.
        len: usize,
    },
    /// `missing` bytes of what `from` sent are not in the capture.
    Gap {
        /// The sender.
        from: Side,
        /// How many bytes are missing.
        missing: u64,
    },
}

/// One direction of a connection, as it is reassembled.
#[derive(Debug, Default)]
struct Half {
    /// The sequence number of the next byte expected, once known.
    next: Option<u32>,
    /// Where the stream is (bytes delivered and missing so far): out-of-order segments are
    /// kept by their position in it.
    position: u64,
    bytes: Vec<u8>,
    waiting: BTreeMap<u64, Vec<u8>>,
    waiting_bytes: usize,
    syn: bool,
    fin: bool,
    rst: bool,
    /// The time of its latest packet (nanoseconds).
    latest: i128,
    retransmitted: u64,
    out_of_order: u64,
    cut: bool,
    cut_frames: u64,
    gaps: u64,
    missing: u64,
}

/// One TCP connection of the capture: its ends, and what each sent.
#[derive(Debug)]
pub struct Connection {
    /// Its number, from 0, in the order the capture first shows it: Wireshark's `tcp.stream`.
    pub number: usize,
    /// The end that opened it (sent SYN), or that sent the first ClientHello.
    pub client: SocketAddr,
    /// The other end.
    pub server: SocketAddr,
    /// The capture's packet number (from 1) of its first segment.
    pub first_packet: u64,
    /// What was odd about it: retransmissions, segments out of order, gaps, a start or an end
    /// the capture does not hold.
    pub notes: Vec<Phrase>,
    streams: [Vec<u8>; 2],
    deliveries: Vec<Delivery>,
}

impl Connection {
    /// What `from` sent, as far as the capture holds it (gaps left out).
    pub fn stream(&self, from: Side) -> &[u8] {
        &self.streams[index(from)]
    }

    /// Each direction's bytes in the order they became available.
    pub fn deliveries(&self) -> &[Delivery] {
        &self.deliveries
    }
}

fn index(side: Side) -> usize {
    match side {
        Side::Client => 0,
        Side::Server => 1,
    }
}

/// A connection being reassembled: its two halves, by the order their ends appeared.
struct Open {
    ends: [SocketAddr; 2],
    halves: [Half; 2],
    /// Deliveries by half (0 or 1), before the client is known, each with the time (in
    /// nanoseconds) of the packet that made it available.
    deliveries: Vec<(usize, Delivery, i128)>,
    /// Which half opened it (sent SYN without ACK), if the capture shows it.
    opener: Option<usize>,
    first_packet: u64,
}

/// Puts the TCP segments of a capture back into connections.
#[derive(Default)]
pub struct Reassembler {
    open: Vec<Open>,
    by_ends: HashMap<(SocketAddr, SocketAddr), usize>,
    /// What the capture as a whole did that the connections do not say.
    pub notes: Vec<Phrase>,
}

impl Reassembler {
    /// Nothing yet.
    pub fn new() -> Self {
        Reassembler::default()
    }

    /// One segment, the capture's packet `packet` (from 1), captured at `time` (nanoseconds).
    pub fn add(&mut self, segment: &Segment<'_>, packet: u64, time: i128) {
        let Some(at) = self.connection_for(segment, packet) else {
            return;
        };
        let open = &mut self.open[at];
        let half = usize::from(open.ends[0] != segment.source);
        open.halves[half].latest = open.halves[half].latest.max(time);
        if segment.syn && open.opener.is_none() {
            // SYN alone opens a connection; SYN with ACK answers it (RFC 9293 3.5).
            open.opener = Some(if segment.ack { 1 - half } else { half });
        }
        for delivery in open.halves[half].segment(segment) {
            open.deliveries.push((half, delivery, time));
        }
    }

    /// The connection this segment belongs to, opening one if it is new (a SYN on ends whose
    /// connection has ended starts another: the ports were reused).
    fn connection_for(&mut self, segment: &Segment<'_>, packet: u64) -> Option<usize> {
        let key = if segment.source <= segment.destination {
            (segment.source, segment.destination)
        } else {
            (segment.destination, segment.source)
        };
        if let Some(&at) = self.by_ends.get(&key) {
            let open = &self.open[at];
            let ended = open.halves.iter().any(|h| h.rst) || open.halves.iter().all(|h| h.fin);
            if !(segment.syn && ended) {
                return Some(at);
            }
        }
        if self.open.len() >= MAX_CONNECTIONS {
            if self.open.len() == MAX_CONNECTIONS {
                self.notes.push(phrase!(
                    "more than {} TCP connections: the rest are passed over",
                    MAX_CONNECTIONS
                ));
                self.open
                    .push(Open::new([segment.source, segment.destination], packet));
            }
            return None;
        }
        self.open
            .push(Open::new([segment.source, segment.destination], packet));
        self.by_ends.insert(key, self.open.len() - 1);
        Some(self.open.len() - 1)
    }

    /// Every connection, each stream ended (what still waits behind a hole comes after a
    /// gap), with its client and server told apart.
    pub fn finish(self) -> Vec<Connection> {
        let mut connections = Vec::new();
        for mut open in self.open.into_iter().take(MAX_CONNECTIONS) {
            for half in 0..2 {
                // What still waits arrived at the latest by this side's last packet.
                let time = open.halves[half].latest;
                for delivery in open.halves[half].flush_waiting() {
                    open.deliveries.push((half, delivery, time));
                }
            }
            connections.push(open.into_connection(connections.len()));
        }
        connections
    }
}

impl Open {
    fn new(ends: [SocketAddr; 2], first_packet: u64) -> Self {
        Open {
            ends,
            halves: [Half::default(), Half::default()],
            deliveries: Vec::new(),
            opener: None,
            first_packet,
        }
    }

    /// Which half is the client: the one that sent the SYN; without it, the one whose first
    /// bytes are a ClientHello; without that, the one that wrote to the lower port (servers
    /// listen on well-known ports, clients on high ephemeral ones).
    fn client_half(&self) -> usize {
        if let Some(opener) = self.opener {
            return opener;
        }
        let hello = |h: &Half| h.bytes.first() == Some(&22) && h.bytes.get(5) == Some(&1);
        match (hello(&self.halves[0]), hello(&self.halves[1])) {
            (true, false) => 0,
            (false, true) => 1,
            _ => usize::from(self.ends[1].port() > self.ends[0].port()),
        }
    }

    fn into_connection(self, number: usize) -> Connection {
        let client = self.client_half();
        let side = |half: usize| {
            if half == client {
                Side::Client
            } else {
                Side::Server
            }
        };
        let mut notes = Vec::new();
        for half in [client, 1 - client] {
            notes.extend(self.halves[half].notes(side(half)));
        }
        if !self.halves.iter().any(|h| h.fin || h.rst) {
            notes.push(phrase!(
                "the capture ends before the connection closed (no FIN or RST)"
            ));
        }
        let (in_order, reordered) = in_time_order(self.deliveries);
        if reordered {
            notes.push(phrase!(
                "packets are not in time order in the file: read in time order"
            ));
        }
        let deliveries = merge(
            in_order
                .into_iter()
                .map(|(half, delivery)| with_side(delivery, side(half)))
                .collect(),
        );
        let [a, b] = self.halves;
        let streams = if client == 0 {
            [a.bytes, b.bytes]
        } else {
            [b.bytes, a.bytes]
        };
        Connection {
            number,
            client: self.ends[client],
            server: self.ends[1 - client],
            first_packet: self.first_packet,
            notes,
            streams,
            deliveries,
        }
    }
}

/// The deliveries of both halves interleaved by time, and whether that is not the file's
/// order. Each half keeps its own order (a gap stays where it was in its stream): a
/// delivery's time is taken as at least that of the one before it from the same half; then a
/// stable sort by that time. Packets out of time order that move no data across the other
/// side's (a reset stamped a microsecond early, as live captures have) change nothing.
fn in_time_order(deliveries: Vec<(usize, Delivery, i128)>) -> (Vec<(usize, Delivery)>, bool) {
    let mut latest = [i128::MIN; 2];
    let mut timed: Vec<(i128, usize, Delivery)> = deliveries
        .into_iter()
        .map(|(half, delivery, time)| {
            latest[half] = latest[half].max(time);
            (latest[half], half, delivery)
        })
        .collect();
    let reordered = !timed.is_sorted_by_key(|&(time, _, _)| time);
    timed.sort_by_key(|&(time, _, _)| time);
    let in_order = timed
        .into_iter()
        .map(|(_, half, delivery)| (half, delivery))
        .collect();
    (in_order, reordered)
}

/// `delivery` with its sender named (halves are known by number until the client is).
fn with_side(delivery: Delivery, from: Side) -> Delivery {
    match delivery {
        Delivery::Data { len, .. } => Delivery::Data { from, len },
        Delivery::Gap { missing, .. } => Delivery::Gap { from, missing },
    }
}

/// Consecutive data deliveries of one side made one.
fn merge(deliveries: Vec<Delivery>) -> Vec<Delivery> {
    let mut merged: Vec<Delivery> = Vec::with_capacity(deliveries.len());
    for delivery in deliveries {
        if let (
            Some(Delivery::Data { from, len }),
            Delivery::Data {
                from: next_from,
                len: more,
            },
        ) = (merged.last_mut(), delivery)
        {
            if *from == next_from {
                *len += more;
                continue;
            }
        }
        merged.push(delivery);
    }
    merged
}

impl Half {
    /// One segment of this direction: what it makes available, in order.
    fn segment(&mut self, segment: &Segment<'_>) -> Vec<Delivery> {
        self.rst |= segment.rst;
        if segment.cut_short {
            self.cut_frames += 1;
        }
        let mut seq = segment.seq;
        if segment.syn {
            self.syn = true;
            // The SYN takes one sequence number; data (TCP Fast Open) follows it.
            seq = seq.wrapping_add(1);
            if self.next.is_none() || self.bytes.is_empty() {
                self.next = Some(seq);
            }
        }
        let mut out = Vec::new();
        if !segment.payload.is_empty() {
            let next = *self.next.get_or_insert(seq);
            self.data(seq, next, segment.payload, &mut out);
        }
        if segment.fin {
            self.fin = true;
        }
        out
    }

    /// Bytes that start at sequence number `seq`, when `next` is expected.
    fn data(&mut self, seq: u32, next: u32, payload: &[u8], out: &mut Vec<Delivery>) {
        // Distances in sequence space, which wraps at 2^32 (RFC 9293 3.4).
        let ahead = seq.wrapping_sub(next) as i32;
        if ahead > 0 {
            self.out_of_order += 1;
            let at = self.position + ahead as u64;
            self.waiting_bytes += payload.len();
            self.waiting.entry(at).or_insert_with(|| payload.to_vec());
            if self.waiting_bytes > MAX_WAITING {
                out.extend(self.skip_hole());
            }
            return;
        }
        let old = ahead.unsigned_abs() as usize;
        if old >= payload.len() {
            self.retransmitted += 1;
            return;
        }
        if old > 0 {
            self.retransmitted += 1;
        }
        out.extend(self.deliver(&payload[old..]));
        out.extend(self.take_waiting());
    }

    /// Appends in-order bytes to the stream.
    fn deliver(&mut self, bytes: &[u8]) -> Option<Delivery> {
        self.position += bytes.len() as u64;
        self.next = self.next.map(|n| n.wrapping_add(bytes.len() as u32));
        let room = MAX_STREAM.saturating_sub(self.bytes.len());
        let kept = bytes.len().min(room);
        if kept < bytes.len() {
            self.cut = true;
        }
        self.bytes.extend_from_slice(&bytes[..kept]);
        (kept > 0).then_some(Delivery::Data {
            from: Side::Client,
            len: kept,
        })
    }

    /// The waiting segments that the stream has now reached, in order.
    fn take_waiting(&mut self) -> Vec<Delivery> {
        let mut out = Vec::new();
        while let Some((&at, _)) = self.waiting.first_key_value() {
            if at > self.position {
                break;
            }
            let Some((at, bytes)) = self.waiting.pop_first() else {
                break;
            };
            self.waiting_bytes -= bytes.len();
            let old = usize::try_from(self.position - at).unwrap_or(usize::MAX);
            if let Some(new) = bytes.get(old..).filter(|b| !b.is_empty()) {
                out.extend(self.deliver(new));
            }
        }
        out
    }

    /// Gives up on the hole before the first waiting segment: a gap, then what follows it.
    fn skip_hole(&mut self) -> Vec<Delivery> {
        let Some((&at, _)) = self.waiting.first_key_value() else {
            return Vec::new();
        };
        let missing = at - self.position;
        self.gaps += 1;
        self.missing += missing;
        self.position = at;
        self.next = self.next.map(|n| n.wrapping_add(missing as u32));
        let mut out = vec![Delivery::Gap {
            from: Side::Client,
            missing,
        }];
        out.extend(self.take_waiting());
        out
    }

    /// At the end of the capture: every hole still open is a gap.
    fn flush_waiting(&mut self) -> Vec<Delivery> {
        let mut out = Vec::new();
        while !self.waiting.is_empty() {
            out.extend(self.skip_hole());
        }
        out
    }

    /// What was odd about this direction, in words.
    fn notes(&self, side: Side) -> Vec<Phrase> {
        let mut notes = Vec::new();
        if !self.syn && !self.bytes.is_empty() {
            notes.push(phrase!(
                "the capture starts after the {} began sending: its SYN is not in it",
                side.phrase()
            ));
        }
        if self.retransmitted > 0 {
            notes.push(phrase!(
                "{} segments from the {} repeat bytes already seen (retransmissions): their \
                 repeated bytes are dropped",
                self.retransmitted,
                side.phrase()
            ));
        }
        if self.out_of_order > 0 {
            notes.push(phrase!(
                "{} segments from the {} arrived ahead of bytes before them: put back in \
                 order",
                self.out_of_order,
                side.phrase()
            ));
        }
        if self.gaps > 0 {
            notes.push(phrase!(
                "{} holes in the {}'s stream that the capture never fills: {} bytes missing",
                self.gaps,
                side.phrase(),
                self.missing
            ));
        }
        if self.cut_frames > 0 {
            notes.push(phrase!(
                "{} frames from the {} were cut short by the capture (its snap length)",
                self.cut_frames,
                side.phrase()
            ));
        }
        if self.cut {
            notes.push(phrase!(
                "the {}'s stream is longer than {} MiB: the rest is not read",
                side.phrase(),
                MAX_STREAM >> 20
            ));
        }
        notes
    }
}
