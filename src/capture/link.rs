//! From a captured frame to a TCP segment: the link layer (Ethernet, Linux cooked capture v1
//! and v2, raw IP, BSD loopback), IPv4 or IPv6, then TCP. The headers are read with
//! `etherparse`; this file only says which header a link type starts with.

use std::net::{IpAddr, SocketAddr};

use etherparse::{EtherType, NetSlice, SlicedPacket, TransportSlice};

use crate::phrase;
use crate::phrase::Phrase;

/// LINKTYPE_NULL: BSD loopback, a 4-byte address family in the capturing host's byte order.
pub const NULL: i32 = 0;
/// LINKTYPE_ETHERNET.
pub const ETHERNET: i32 = 1;
/// LINKTYPE_RAW: an IPv4 or IPv6 header first.
pub const RAW: i32 = 101;
/// LINKTYPE_LOOP: OpenBSD loopback, the 4-byte address family in network byte order.
pub const LOOP: i32 = 108;
/// LINKTYPE_LINUX_SLL: Linux cooked capture (`tcpdump -i any`), 16-byte header.
pub const LINUX_SLL: i32 = 113;
/// LINKTYPE_IPV4: a bare IPv4 header first.
pub const IPV4: i32 = 228;
/// LINKTYPE_IPV6: a bare IPv6 header first.
pub const IPV6: i32 = 229;
/// LINKTYPE_LINUX_SLL2: Linux cooked capture v2, 20-byte header.
pub const LINUX_SLL2: i32 = 276;

/// The link types `inspect` reads.
pub const SUPPORTED: [i32; 8] = [NULL, ETHERNET, RAW, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2];

/// The name of a link type, for a message.
pub fn link_type_name(link_type: i32) -> String {
    match link_type {
        NULL => "BSD loopback (NULL)".into(),
        ETHERNET => "Ethernet".into(),
        RAW | IPV4 | IPV6 => "raw IP".into(),
        LOOP => "OpenBSD loopback (LOOP)".into(),
        LINUX_SLL => "Linux cooked capture (SLL)".into(),
        LINUX_SLL2 => "Linux cooked capture v2 (SLL2)".into(),
        other => format!("link type {other}"),
    }
}

/// One TCP segment, as the capture holds it.
#[derive(Clone, Debug)]
pub struct Segment<'a> {
    /// Who sent it.
    pub source: SocketAddr,
    /// Who it went to.
    pub destination: SocketAddr,
    /// The sequence number of its first byte (of the SYN, for a SYN).
    pub seq: u32,
    /// SYN: the sender's first sequence number.
    pub syn: bool,
    /// ACK: the acknowledgment number is valid (every segment but the first SYN has it).
    pub ack: bool,
    /// FIN: the sender is done.
    pub fin: bool,
    /// RST: the connection is reset.
    pub rst: bool,
    /// The bytes it carries (as many as the capture kept).
    pub payload: &'a [u8],
    /// The capture kept fewer bytes of the packet than it had (a short snap length).
    pub cut_short: bool,
}

/// What a frame that is not a TCP segment we can follow is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotTcp {
    /// Another protocol (ARP, UDP, ICMP, ...): passed over without a word.
    Other,
    /// A fragment of an IP packet: the segment inside is not reassembled here.
    Fragment,
    /// Headers that do not parse (the capture cut them, or they are malformed).
    Malformed(Phrase),
}

/// A Linux cooked capture frame: the protocol type (an EtherType) at `type_at`, the network
/// layer from `header_len` on (SLL: 14 and 16; SLL2: 0 and 20).
fn cooked(frame: &[u8], type_at: usize, header_len: usize) -> Result<(EtherType, &[u8]), NotTcp> {
    match (frame.get(type_at..type_at + 2), frame.get(header_len..)) {
        (Some(&[hi, lo]), Some(rest)) => Ok((EtherType(u16::from_be_bytes([hi, lo])), rest)),
        _ => Err(NotTcp::Malformed(phrase!(
            "a frame shorter than its header"
        ))),
    }
}

/// The TCP segment in a frame of `link_type`; `orig_len` is the frame's length on the wire.
pub fn segment(link_type: i32, frame: &[u8], orig_len: u32) -> Result<Segment<'_>, NotTcp> {
    let sliced = match link_type {
        ETHERNET => SlicedPacket::from_ethernet(frame),
        // Cooked captures name the protocol (an EtherType) in their own header, whatever the
        // device was: Ethernet, loopback (ARPHRD 772), none (0xfffe: tun, VPN), ... So the
        // network layer is read from the protocol type, not from the hardware type.
        LINUX_SLL => {
            let (ether_type, rest) = cooked(frame, 14, 16)?;
            SlicedPacket::from_ether_type(ether_type, rest)
        }
        LINUX_SLL2 => {
            let (ether_type, rest) = cooked(frame, 0, 20)?;
            SlicedPacket::from_ether_type(ether_type, rest)
        }
        NULL | LOOP => match frame.get(4..) {
            // An address family (AF_INET is 2 everywhere; AF_INET6 differs by system): the IP
            // header says which version it is, so the family is not needed.
            Some(rest) => SlicedPacket::from_ip(rest),
            None => {
                return Err(NotTcp::Malformed(phrase!(
                    "a frame shorter than its header"
                )));
            }
        },
        RAW | IPV4 | IPV6 => SlicedPacket::from_ip(frame),
        _ => return Err(NotTcp::Other),
    };
    let sliced = sliced
        .map_err(|e| NotTcp::Malformed(phrase!("headers that do not parse: {}", e.to_string())))?;
    let (source, destination, fragmented) = match &sliced.net {
        Some(NetSlice::Ipv4(ip)) => (
            IpAddr::V4(ip.header().source_addr()),
            IpAddr::V4(ip.header().destination_addr()),
            ip.is_payload_fragmented(),
        ),
        Some(NetSlice::Ipv6(ip)) => (
            IpAddr::V6(ip.header().source_addr()),
            IpAddr::V6(ip.header().destination_addr()),
            ip.is_payload_fragmented(),
        ),
        _ => return Err(NotTcp::Other),
    };
    if fragmented {
        return Err(NotTcp::Fragment);
    }
    let Some(TransportSlice::Tcp(tcp)) = &sliced.transport else {
        return Err(NotTcp::Other);
    };
    Ok(Segment {
        source: SocketAddr::new(source, tcp.source_port()),
        destination: SocketAddr::new(destination, tcp.destination_port()),
        seq: tcp.sequence_number(),
        syn: tcp.syn(),
        ack: tcp.ack(),
        fin: tcp.fin(),
        rst: tcp.rst(),
        payload: tcp.payload(),
        cut_short: (frame.len() as u64) < u64::from(orig_len),
    })
}
