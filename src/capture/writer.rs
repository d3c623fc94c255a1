//! Recording our own connections as a pcapng file (`serve --pcap`, `connect --pcap`, `load
//! --pcap`), with each session's key log line in a Decryption Secrets Block before its packets,
//! so that Wireshark, tshark and `tls12-sim inspect` open it with nothing else.
//!
//! The bytes are the real ones, as the program read and wrote them on its socket
//! ([`Tap`]); the Ethernet, IPv4/IPv6 and TCP headers around them are synthesised (made up,
//! with the real addresses and ports, checksums right, one TCP handshake, segments of at most
//! 1460 bytes, the FINs at the end), since capturing the real packets needs privileges a
//! student rarely has. Each connection is written whole when it ends, under one lock, so
//! connections served at once do not interleave in the file.
//!
//! The four blocks (pcapng, draft-ietf-opsawg-pcapng) are written here; `pcap-parser`, which
//! reads them back in the tests, writes only with an extra dependency tree.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use etherparse::PacketBuilder;

use crate::error::Error;
use crate::phrase;
use crate::rng::Side;

/// Block types (pcapng 4.1, 4.2, 4.3, 4.7).
const SECTION_HEADER: u32 = 0x0A0D_0D0A;
const INTERFACE_DESCRIPTION: u32 = 1;
const ENHANCED_PACKET: u32 = 6;
const DECRYPTION_SECRETS: u32 = 0x0000_000A;
/// Secrets type of a TLS key log: "TLSK".
const TLS_KEY_LOG: u32 = 0x544C_534B;
/// The most payload per synthesised segment: Ethernet's usual MSS.
const MSS: usize = 1460;
/// The most bytes recorded of one connection: its first 16 MiB.
pub const MAX_RECORDED: usize = 16 << 20;

/// A pcapng file that connections are added to, from any thread.
pub struct PcapWriter {
    file: Mutex<BufWriter<File>>,
}

impl PcapWriter {
    /// Creates (or truncates) the file at `path` and writes its section header and its one
    /// interface (Ethernet).
    pub fn create(path: &Path) -> Result<PcapWriter, Error> {
        let cannot = |e: std::io::Error| {
            Error::Config(phrase!(
                "--pcap {}: cannot be written: {}",
                path.display().to_string(),
                e.to_string()
            ))
        };
        let mut file = BufWriter::new(File::create(path).map_err(cannot)?);
        let mut header = Vec::new();
        // Section Header Block: byte-order magic, version 1.0, section length unknown (-1).
        let mut body = 0x1A2B_3C4Du32.to_le_bytes().to_vec();
        body.extend_from_slice(&1u16.to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes());
        body.extend_from_slice(&(-1i64).to_le_bytes());
        block(&mut header, SECTION_HEADER, &body);
        // Interface Description Block: LINKTYPE_ETHERNET, no snap length limit.
        let mut body = 1u16.to_le_bytes().to_vec();
        body.extend_from_slice(&0u16.to_le_bytes());
        body.extend_from_slice(&0u32.to_le_bytes());
        block(&mut header, INTERFACE_DESCRIPTION, &body);
        file.write_all(&header).map_err(cannot)?;
        file.flush().map_err(cannot)?;
        Ok(PcapWriter {
            file: Mutex::new(file),
        })
    }

    /// Adds one connection: its key log line (if the handshake got a master secret) in a
    /// Decryption Secrets Block, then its packets.
    pub fn add(&self, recording: &Recording, keylog_line: Option<&str>) -> std::io::Result<()> {
        let mut out = Vec::new();
        if let Some(line) = keylog_line {
            let mut body = TLS_KEY_LOG.to_le_bytes().to_vec();
            body.extend_from_slice(&(line.len() as u32).to_le_bytes());
            body.extend_from_slice(line.as_bytes());
            block(&mut out, DECRYPTION_SECRETS, &body);
        }
        for (micros, frame) in recording.frames() {
            let mut body = 0u32.to_le_bytes().to_vec();
            body.extend_from_slice(&((micros >> 32) as u32).to_le_bytes());
            body.extend_from_slice(&(micros as u32).to_le_bytes());
            body.extend_from_slice(&(frame.len() as u32).to_le_bytes());
            body.extend_from_slice(&(frame.len() as u32).to_le_bytes());
            body.extend_from_slice(&frame);
            block(&mut out, ENHANCED_PACKET, &body);
        }
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.write_all(&out)?;
        file.flush()
    }
}

/// Appends one block: type, total length, the body padded to 32 bits, total length again.
fn block(out: &mut Vec<u8>, block_type: u32, body: &[u8]) {
    let padded = body.len().div_ceil(4) * 4;
    let total = (12 + padded) as u32;
    out.extend_from_slice(&block_type.to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(body);
    out.resize(out.len() + padded - body.len(), 0);
    out.extend_from_slice(&total.to_le_bytes());
}

/// What one connection carried, each way, with when: what [`Tap`] saw.
pub struct Recording {
    client: SocketAddr,
    server: SocketAddr,
    start: u64,
    chunks: Vec<(u64, Side, Vec<u8>)>,
    bytes: usize,
}

/// Microseconds since the Unix epoch, now.
fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

impl Recording {
    /// A recording of the connection between `client` and `server`, opened now.
    pub fn new(client: SocketAddr, server: SocketAddr) -> Self {
        Recording {
            client,
            server,
            start: now_micros(),
            chunks: Vec::new(),
            bytes: 0,
        }
    }

    /// `bytes` that `from` sent, now (up to [`MAX_RECORDED`] in all).
    pub fn record(&mut self, from: Side, bytes: &[u8]) {
        let room = MAX_RECORDED.saturating_sub(self.bytes);
        let bytes = &bytes[..bytes.len().min(room)];
        if bytes.is_empty() {
            return;
        }
        self.bytes += bytes.len();
        match self.chunks.last_mut() {
            Some((_, last, chunk)) if *last == from => chunk.extend_from_slice(bytes),
            _ => self.chunks.push((now_micros(), from, bytes.to_vec())),
        }
    }

    /// The connection as Ethernet frames, with their times: the TCP handshake, the data in
    /// segments of at most [`MSS`] bytes, each acknowledging what the other side sent, and
    /// the two FINs.
    fn frames(&self) -> Vec<(u64, Vec<u8>)> {
        let mut tcp = Synthesis {
            ends: [self.client, self.server],
            next: [0x1000_0000, 0x5000_0000],
            frames: Vec::new(),
        };
        let end = self.chunks.last().map_or(self.start, |(t, _, _)| *t);
        tcp.segment(self.start, Side::Client, Flags::Syn, &[]);
        tcp.segment(self.start, Side::Server, Flags::SynAck, &[]);
        tcp.segment(self.start, Side::Client, Flags::Ack, &[]);
        for (time, from, bytes) in &self.chunks {
            for piece in bytes.chunks(MSS) {
                tcp.segment(*time, *from, Flags::Ack, piece);
            }
        }
        tcp.segment(end, Side::Client, Flags::Fin, &[]);
        tcp.segment(end, Side::Server, Flags::Fin, &[]);
        tcp.segment(end, Side::Client, Flags::Ack, &[]);
        tcp.frames
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flags {
    Syn,
    SynAck,
    Ack,
    Fin,
}

/// The made-up TCP of one connection: each side's next sequence number.
struct Synthesis {
    ends: [SocketAddr; 2],
    next: [u32; 2],
    frames: Vec<(u64, Vec<u8>)>,
}

impl Synthesis {
    fn segment(&mut self, time: u64, from: Side, flags: Flags, payload: &[u8]) {
        let (me, peer) = match from {
            Side::Client => (0, 1),
            Side::Server => (1, 0),
        };
        let (source, destination) = (self.ends[me], self.ends[peer]);
        let macs = (
            [2, 0, 0, 0, 0, 1 + me as u8],
            [2, 0, 0, 0, 0, 1 + peer as u8],
        );
        let link = PacketBuilder::ethernet2(macs.0, macs.1);
        let ip = match (source.ip(), destination.ip()) {
            (IpAddr::V4(s), IpAddr::V4(d)) => link.ipv4(s.octets(), d.octets(), 64),
            (s, d) => link.ipv6(v6(s), v6(d), 64),
        };
        let tcp = ip.tcp(source.port(), destination.port(), self.next[me], 65535);
        let tcp = match flags {
            Flags::Syn => tcp.syn(),
            Flags::SynAck => tcp.syn().ack(self.next[peer]),
            Flags::Ack => tcp.ack(self.next[peer]).psh(),
            Flags::Fin => tcp.fin().ack(self.next[peer]),
        };
        let mut frame = Vec::new();
        if tcp.write(&mut frame, payload).is_ok() {
            self.frames.push((time, frame));
        }
        let used = payload.len() as u32 + u32::from(flags != Flags::Ack);
        self.next[me] = self.next[me].wrapping_add(used);
    }
}

/// An address as IPv6 (an IPv4 one mapped, RFC 4291 2.5.5.2).
fn v6(address: IpAddr) -> [u8; 16] {
    match address {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// A stream that records what it reads and writes into a [`Recording`], if it is given one:
/// `us` is the side that holds it, so what it writes was sent by `us` and what it reads by
/// the peer.
pub struct Tap<'a, S> {
    stream: S,
    us: Side,
    recording: Option<&'a mut Recording>,
}

impl<'a, S> Tap<'a, S> {
    /// `stream`, recorded into `recording` (when there is one) as seen by `us`.
    pub fn new(stream: S, us: Side, recording: Option<&'a mut Recording>) -> Self {
        Tap {
            stream,
            us,
            recording,
        }
    }

    /// The stream inside.
    pub fn inner(&mut self) -> &mut S {
        &mut self.stream
    }
}

impl<S: Read> Read for Tap<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.stream.read(buf)?;
        if let Some(recording) = self.recording.as_deref_mut() {
            recording.record(self.us.peer(), &buf[..n]);
        }
        Ok(n)
    }
}

impl<S: Write> Write for Tap<'_, S> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.stream.write(buf)?;
        if let Some(recording) = self.recording.as_deref_mut() {
            recording.record(self.us, &buf[..n]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.stream.flush()
    }
}
