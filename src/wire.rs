//! The simulator's wire: two byte queues in memory, one per direction, and the record of every
//! byte that crossed them, as *flows*.
//!
//! A flow is what one side sent before the other answered (Go's crypto/tls test recordings call
//! them `>>> Flow N (client to server)`). The same hex-dump format is used for our golden
//! transcripts in `vectors/` and is read back to check Go's recordings.
//!
//! Both ends of a [`MemoryWire`] live in one thread: each flight writes to the peer's queue and
//! reads only what the peer has already written. Reading from an empty queue is an error
//! (`WouldBlock`): in a simulation it means a side waited for a message that was never sent.

use std::collections::VecDeque;
use std::io::{self, Read, Write};

use crate::error::Error;
use crate::phrase;
use crate::rng::Side;

/// Bytes one side sent in one go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The side that sent the bytes.
    pub from: Side,
    /// What it sent: whole records, as on the wire.
    pub bytes: Vec<u8>,
}

/// An in-memory connection.
#[derive(Debug, Default)]
pub struct MemoryWire {
    to_server: VecDeque<u8>,
    to_client: VecDeque<u8>,
    /// Every byte sent, in order, grouped into flows.
    pub flows: Vec<Flow>,
}

/// One end of a [`MemoryWire`]: reads what the peer sent, writes to the peer.
pub struct WireEnd<'a> {
    wire: &'a mut MemoryWire,
    side: Side,
}

impl MemoryWire {
    /// An empty wire: nothing in flight, no flows.
    pub fn new() -> Self {
        Self::default()
    }

    /// The client's end.
    pub fn client(&mut self) -> WireEnd<'_> {
        WireEnd {
            wire: self,
            side: Side::Client,
        }
    }

    /// The server's end.
    pub fn server(&mut self) -> WireEnd<'_> {
        WireEnd {
            wire: self,
            side: Side::Server,
        }
    }

    /// The bytes waiting to be read by `side`: a man in the middle may change them (the
    /// recorded flows keep what was sent).
    pub fn in_flight(&mut self, side: Side) -> &mut VecDeque<u8> {
        match side {
            Side::Client => &mut self.to_client,
            Side::Server => &mut self.to_server,
        }
    }
}

impl Read for WireEnd<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let queue = self.wire.in_flight(self.side);
        if queue.is_empty() && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                format!(
                    "the {} waits for bytes the peer has not sent",
                    self.side.name()
                ),
            ));
        }
        let n = queue.read(buf)?;
        Ok(n)
    }
}

impl Write for WireEnd<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let peer = self.side.peer();
        self.wire.in_flight(peer).extend(buf);
        match self.wire.flows.last_mut() {
            Some(flow) if flow.from == self.side => flow.bytes.extend_from_slice(buf),
            _ if buf.is_empty() => {}
            _ => self.wire.flows.push(Flow {
                from: self.side,
                bytes: buf.to_vec(),
            }),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Formats flows as Go's hex dumps: `>>> Flow N (client to server)` and 16 bytes a line.
pub fn format_flows(flows: &[Flow]) -> String {
    let mut out = String::new();
    for (i, flow) in flows.iter().enumerate() {
        let direction = match flow.from {
            Side::Client => "client to server",
            Side::Server => "server to client",
        };
        out.push_str(&format!(">>> Flow {} ({direction})\n", i + 1));
        out.push_str(&hex_dump(&flow.bytes));
    }
    out
}

/// `hexdump -C` style: offset, 16 bytes in two groups of 8, ASCII.
pub fn hex_dump(bytes: &[u8]) -> String {
    hex_dump_from(bytes, 0)
}

/// [`hex_dump`] of bytes that start at offset `base` of a longer stream (one record of a
/// flow): the offsets count from the stream's start.
pub fn hex_dump_from(bytes: &[u8], base: usize) -> String {
    let mut out = String::new();
    for (line, chunk) in bytes.chunks(16).enumerate() {
        let mut hex = String::new();
        for (i, b) in chunk.iter().enumerate() {
            if i == 8 {
                hex.push(' ');
            }
            hex.push_str(&format!("{b:02x} "));
        }
        let ascii: String = chunk
            .iter()
            .map(|&b| {
                if (0x20..0x7f).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!("{:08x}  {hex:<49} |{ascii}|\n", base + line * 16));
    }
    out
}

/// Reads flows back from the hex-dump format (ours or Go's). Lines starting with `#` are
/// annotations (see [`crate::render::worksheet`]) and are skipped.
pub fn parse_flows(text: &str) -> Result<Vec<Flow>, Error> {
    let mut flows: Vec<Flow> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix(">>> Flow ") {
            let from = if rest.contains("(client to server)") {
                Side::Client
            } else if rest.contains("(server to client)") {
                Side::Server
            } else {
                return Err(Error::BadRecording(phrase!(
                    "line {}: flow without a direction",
                    number + 1
                )));
            };
            flows.push(Flow {
                from,
                bytes: Vec::new(),
            });
            continue;
        }
        let Some(flow) = flows.last_mut() else {
            continue; // text before the first flow: comments, secrets
        };
        // "00000000  16 03 01 00 95 01 00 00  91 03 03 00 ...  |................|"
        let Some(hex_part) = line.get(10..) else {
            continue;
        };
        let hex_part = hex_part.split('|').next().unwrap_or("");
        for token in hex_part.split_whitespace() {
            let byte = u8::from_str_radix(token, 16).map_err(|_| {
                Error::BadRecording(phrase!(
                    "line {}: {} is not a hex byte",
                    number + 1,
                    format!("{:?}", token)
                ))
            })?;
            flow.bytes.push(byte);
        }
    }
    Ok(flows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_round_trip_through_the_hex_dump() {
        let flows = vec![
            Flow {
                from: Side::Client,
                bytes: (0..=40).collect(),
            },
            Flow {
                from: Side::Server,
                bytes: b"hello, world: 16 bytes+".to_vec(),
            },
        ];
        let text = format_flows(&flows);
        assert!(text.starts_with(">>> Flow 1 (client to server)\n00000000  00 01"));
        assert_eq!(parse_flows(&text).unwrap(), flows);
    }

    #[test]
    fn consecutive_writes_make_one_flow() {
        let mut wire = MemoryWire::new();
        wire.client().write_all(b"ab").unwrap();
        wire.client().write_all(b"cd").unwrap();
        wire.server().write_all(b"x").unwrap();
        assert_eq!(wire.flows.len(), 2);
        let mut buf = [0u8; 4];
        wire.server().read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"abcd");
        assert!(wire.server().read(&mut buf).is_err());
    }
}
