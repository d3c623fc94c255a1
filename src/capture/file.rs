//! The capture file itself: pcap (libpcap's format) or pcapng (IETF draft-ietf-opsawg-pcapng),
//! read block by block with `pcap-parser`, with memory bounded by the largest block allowed
//! ([`MAX_BLOCK`]), not by the file's size.
//!
//! What comes out: each packet with its link type, and the TLS key log of every pcapng
//! Decryption Secrets Block (block type 10, secrets type `TLSK`), which is how Wireshark's
//! `editcap --inject-secrets` and `tls12-sim serve --pcap` put the keys into the file.

use std::io::{Cursor, Read};

use pcap_parser::pcapng::SecretsType;
use pcap_parser::traits::{PcapNGPacketBlock, PcapReaderIterator};
use pcap_parser::{Block, PcapBlockOwned, PcapError, create_reader};

use crate::error::Error;
use crate::phrase;
use crate::phrase::Phrase;

/// The largest block (a packet with its headers, or a block of secrets) read: 16 MiB. A length
/// field claiming more is refused, whatever the file says.
pub const MAX_BLOCK: usize = 16 << 20;
/// The reader's buffer to begin with; it grows, up to [`MAX_BLOCK`], for a larger block.
const BUFFER: usize = 1 << 16;

/// What the file holds, handed over one item at a time.
pub enum Item<'a> {
    /// A packet: its link type, the bytes the capture kept, its length on the wire.
    Packet {
        /// The link type of its interface (LINKTYPE_ETHERNET, ...).
        link_type: i32,
        /// The bytes the capture kept.
        data: &'a [u8],
        /// Its length on the wire (more than `data` when the snap length cut it).
        orig_len: u32,
        /// When it was captured, in nanoseconds since 1970 (a Simple Packet Block, which has
        /// no time, takes the time of the packet before it).
        time: i128,
    },
    /// The text of a TLS key log carried in a Decryption Secrets Block.
    TlsKeyLog(&'a [u8]),
}

/// Which of the two formats the file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The original libpcap format.
    Pcap,
    /// pcapng.
    PcapNg,
}

/// Reads a capture from `reader`, handing each packet and each key log to `each`. `name` is
/// the file's name for the errors. Returns the format and the notes about blocks it passed
/// over.
pub fn read(
    reader: impl Read + Send,
    name: &str,
    each: &mut dyn FnMut(Item<'_>),
) -> Result<(Format, Vec<Phrase>), Error> {
    let (head, rest) = first_bytes(reader, name)?;
    let mut reader = create_reader(BUFFER, Cursor::new(head.as_slice()).chain(rest))
        .map_err(|e| not_a_capture(name, &head, &e))?;
    let mut state = Reading::default();
    let mut capacity = BUFFER;
    // How far into the file the blocks read so far reach, for a damaged block's message.
    let mut at = 0u64;
    // Packets read so far: damage after some of them leaves those readable.
    let mut packets = 0u64;
    let mut counting = |item: Item<'_>| {
        packets += u64::from(matches!(item, Item::Packet { .. }));
        each(item);
    };
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                state.block(block, &mut counting);
                reader.consume(offset);
                at += offset as u64;
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::UnexpectedEof) => {
                state.notes.push(match state.format {
                    Some(Format::Pcap) => phrase!(
                        "the file ends inside a packet record: it was cut short (the capture \
                         was still being written?); the packets before it are read"
                    ),
                    _ => phrase!(
                        "the file ends inside a block: it was cut short (the capture was still \
                         being written?); the packets before it are read"
                    ),
                });
                break;
            }
            Err(PcapError::Incomplete(needed)) => {
                let grown = if needed > 0 && reader.data().len() + needed > capacity {
                    grow(&mut *reader, capacity, needed, name)
                } else {
                    Ok(capacity)
                };
                let refilled = grown.and_then(|c| {
                    capacity = c;
                    reader.refill().map_err(|e| broken(name, at, &e))
                });
                if let Err(e) = refilled {
                    stop_at_damage(e, packets, &mut state.notes)?;
                    break;
                }
            }
            Err(PcapError::BufferTooSmall) => {
                let refilled = grow(&mut *reader, capacity, capacity, name).and_then(|c| {
                    capacity = c;
                    reader.refill().map_err(|e| broken(name, at, &e))
                });
                if let Err(e) = refilled {
                    stop_at_damage(e, packets, &mut state.notes)?;
                    break;
                }
            }
            Err(e) => {
                stop_at_damage(broken(name, at, &e), packets, &mut state.notes)?;
                break;
            }
        }
    }
    Ok((state.format.unwrap_or(Format::Pcap), state.finish()))
}

/// Damage in the file (`damage`, naming where): with no packet read before it, the file is
/// refused; after some, those are read and the damage is a note (a capture copied while it
/// was still being written, a download cut and resumed), as Wireshark shows what it could read.
fn stop_at_damage(damage: Error, packets: u64, notes: &mut Vec<Phrase>) -> Result<(), Error> {
    if packets == 0 {
        return Err(damage);
    }
    notes.push(phrase!(
        "{}; the {} packets before it are read, nothing after it",
        damage.reason(),
        packets
    ));
    Ok(())
}

/// The file's first bytes (up to [`BUFFER`]), read here so that a file that is not a capture
/// can be named for what it is, and an error reading it says why; then the rest of it.
fn first_bytes<R: Read>(mut reader: R, name: &str) -> Result<(Vec<u8>, R), Error> {
    let mut head = vec![0u8; BUFFER];
    let mut filled = 0;
    while filled < head.len() {
        match reader.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(Error::Config(phrase!(
                    "{}: cannot be read: {}",
                    name.to_string(),
                    e.to_string()
                )));
            }
        }
    }
    head.truncate(filled);
    Ok((head, reader))
}

/// A larger buffer for a block of `needed` more bytes, up to [`MAX_BLOCK`].
fn grow(
    reader: &mut dyn PcapReaderIterator,
    capacity: usize,
    needed: usize,
    name: &str,
) -> Result<usize, Error> {
    let wanted = capacity
        .saturating_add(needed)
        .max(capacity.saturating_mul(2));
    if capacity >= MAX_BLOCK {
        return Err(Error::Config(phrase!(
            "{}: a block longer than {} MiB, the largest this program reads: the file is \
             damaged, or its length fields are hostile",
            name.to_string(),
            MAX_BLOCK >> 20
        )));
    }
    let new = wanted.min(MAX_BLOCK);
    if !reader.grow(new) {
        return Err(Error::Config(phrase!(
            "{}: no room for a block of {} bytes",
            name.to_string(),
            new
        )));
    }
    Ok(new)
}

/// Compressed files: their magic number, the compression's name, the command that undoes it.
const COMPRESSED: [(&[u8], &str, &str); 4] = [
    (&[0x1f, 0x8b], "gzip", "gunzip"),
    (&[0x28, 0xb5, 0x2f, 0xfd], "zstd", "unzstd"),
    (&[0xfd, b'7', b'z', b'X', b'Z', 0], "xz", "unxz"),
    (b"BZh", "bzip2", "bunzip2"),
];

/// The pcapng Section Header Block's block type, its first four bytes.
const PCAPNG_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];

/// The error for a file that does not start like a capture; `head` is its first bytes.
fn not_a_capture(name: &str, head: &[u8], e: &PcapError<&[u8]>) -> Error {
    let name = name.to_string();
    if let Some((_, kind, command)) = COMPRESSED.iter().find(|(m, _, _)| head.starts_with(m)) {
        return Error::Config(phrase!(
            "{}: a {}-compressed file, not a capture itself: decompress it first ({} {}), \
             then inspect the capture inside",
            name.clone(),
            kind.to_string(),
            command.to_string(),
            name
        ));
    }
    if head.starts_with(&PCAPNG_MAGIC) && head.len() < BUFFER {
        // The whole file is in `head`: is its first block all there?
        let declared = match (head.get(4..8), head.get(8..12)) {
            (Some(&[a, b, c, d]), Some(&[0x4d, 0x3c, 0x2b, 0x1a])) => {
                u32::from_le_bytes([a, b, c, d])
            }
            (Some(&[a, b, c, d]), Some(_)) => u32::from_be_bytes([a, b, c, d]),
            _ => u32::MAX,
        };
        if head.len() < 28 || declared as usize > head.len() {
            return ends_inside_header(name);
        }
    }
    if head.starts_with(&PCAPNG_MAGIC) {
        return Error::Config(phrase!(
            "{}: a pcapng file whose first block, the Section Header Block, is damaged (its \
             length or byte-order magic do not hold together)",
            name
        ));
    }
    match e {
        PcapError::Eof => Error::Config(phrase!("{}: the file is empty", name)),
        PcapError::Incomplete(_) | PcapError::UnexpectedEof => ends_inside_header(name),
        _ => Error::Config(phrase!(
            "{}: not a pcap or pcapng file (its first bytes are no capture's magic number; \
             save it from Wireshark as pcapng, or capture with tcpdump -w or dumpcap -w)",
            name
        )),
    }
}

fn ends_inside_header(name: String) -> Error {
    Error::Config(phrase!(
        "{}: the file ends inside its header: too short to be a capture",
        name
    ))
}

/// The error for a file that is a capture but breaks inside, `at` bytes in.
fn broken(name: &str, at: u64, e: &PcapError<&[u8]>) -> Error {
    let name = name.to_string();
    match e {
        PcapError::HeaderNotRecognized => Error::Config(phrase!(
            "{}: at byte {}, a new section whose header is not pcapng's (the file is damaged, \
             or two files were joined)",
            name,
            at
        )),
        PcapError::ReadError => {
            Error::Config(phrase!("{}: cannot be read after byte {}", name, at))
        }
        _ => Error::Config(phrase!(
            "{}: at byte {}, a damaged block: its length fields do not hold together (shorter \
             than a block's own header, or its two copies differ, or fields beyond its end)",
            name,
            at
        )),
    }
}

/// What the reading has learned so far: the interfaces of the current pcapng section, or the
/// pcap file's one.
#[derive(Default)]
struct Reading {
    format: Option<Format>,
    interfaces: Vec<Interface>,
    /// The time of the last packet, for a Simple Packet Block (which has none).
    time: i128,
    notes: Vec<Phrase>,
    other_secrets: usize,
    /// Packets naming an interface the section never described (their link type unknown).
    undescribed: u64,
}

/// What a packet's interface says about it: its link type, and how its timestamps count.
#[derive(Clone, Copy)]
struct Interface {
    link_type: i32,
    /// Timestamp units per second (pcap: 10^6, or 10^9 for the nanosecond format; pcapng:
    /// `if_tsresol`, 10^6 when absent).
    units_per_second: u64,
    /// Seconds to add to every timestamp (pcapng `if_tsoffset`).
    offset: i64,
}

impl Interface {
    /// A timestamp of `units` in nanoseconds since 1970.
    fn nanoseconds(&self, units: u64) -> i128 {
        let per_second = i128::from(self.units_per_second.max(1));
        let units = i128::from(units);
        (i128::from(self.offset) + units / per_second) * 1_000_000_000
            + (units % per_second) * 1_000_000_000 / per_second
    }
}

impl Reading {
    /// The notes, with what was passed over counted.
    fn finish(mut self) -> Vec<Phrase> {
        if self.undescribed > 0 {
            self.notes.push(phrase!(
                "{} packets name an interface the file never described (no Interface \
                 Description Block gives its link type): not read",
                self.undescribed
            ));
        }
        self.notes
    }

    fn block(&mut self, block: PcapBlockOwned<'_>, each: &mut dyn FnMut(Item<'_>)) {
        match block {
            PcapBlockOwned::LegacyHeader(header) => {
                self.format = Some(Format::Pcap);
                let nanoseconds = header.is_nanosecond_precision();
                self.interfaces = vec![Interface {
                    link_type: header.network.0,
                    units_per_second: if nanoseconds {
                        1_000_000_000
                    } else {
                        1_000_000
                    },
                    offset: 0,
                }];
            }
            PcapBlockOwned::Legacy(packet) => {
                let Some(interface) = self.interfaces.first().copied() else {
                    return;
                };
                let data = packet
                    .data
                    .get(..packet.caplen as usize)
                    .unwrap_or(packet.data);
                let units = u64::from(packet.ts_sec) * interface.units_per_second
                    + u64::from(packet.ts_usec);
                self.time = interface.nanoseconds(units);
                each(Item::Packet {
                    link_type: interface.link_type,
                    data,
                    orig_len: packet.origlen,
                    time: self.time,
                });
            }
            PcapBlockOwned::NG(block) => self.pcapng_block(block, each),
        }
    }

    fn pcapng_block(&mut self, block: Block<'_>, each: &mut dyn FnMut(Item<'_>)) {
        match block {
            Block::SectionHeader(_) => {
                self.format = Some(Format::PcapNg);
                // A new section starts its own list of interfaces.
                self.interfaces.clear();
            }
            Block::InterfaceDescription(interface) => self.interfaces.push(Interface {
                link_type: interface.linktype.0,
                units_per_second: interface.ts_resolution().unwrap_or(1_000_000),
                offset: interface.ts_offset(),
            }),
            Block::EnhancedPacket(packet) => {
                let Some(interface) = usize::try_from(packet.if_id)
                    .ok()
                    .and_then(|i| self.interfaces.get(i).copied())
                else {
                    self.undescribed += 1;
                    return;
                };
                let units = (u64::from(packet.ts_high) << 32) | u64::from(packet.ts_low);
                self.time = interface.nanoseconds(units);
                each(Item::Packet {
                    link_type: interface.link_type,
                    data: packet.packet_data(),
                    orig_len: packet.origlen,
                    time: self.time,
                });
            }
            Block::SimplePacket(packet) => match self.interfaces.first() {
                Some(interface) => each(Item::Packet {
                    link_type: interface.link_type,
                    data: packet.packet_data(),
                    orig_len: packet.origlen,
                    time: self.time,
                }),
                None => self.undescribed += 1,
            },
            Block::DecryptionSecrets(secrets) if secrets.secrets_type == SecretsType::TlsKeyLog => {
                let len = (secrets.secrets_len as usize).min(secrets.data.len());
                each(Item::TlsKeyLog(&secrets.data[..len]));
            }
            Block::DecryptionSecrets(_) => {
                self.other_secrets += 1;
                if self.other_secrets == 1 {
                    self.notes.push(phrase!(
                        "a Decryption Secrets Block of another kind (not a TLS key log) is \
                         passed over"
                    ));
                }
            }
            _ => {}
        }
    }
}
