//! Hostile and odd captures for `inspect`: files that are not captures, cut short, or with
//! length fields that lie; TCP streams with holes, retransmissions, segments out of order,
//! records cut into many segments, a capture that starts mid-connection; every link type
//! `inspect` reads, IPv4 and IPv6. Each is read without a panic and said in words; a seeded
//! simulated session is the traffic, so every byte and its key log are known.

use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::Command;

use etherparse::PacketBuilder;
use tls12_sim::capture::{self, Keys, link};
use tls12_sim::keylog::KeyLog;
use tls12_sim::observer::Observation;
use tls12_sim::rng::Side;
use tls12_sim::simulate::{self, Options};
use tls12_sim::suites::CipherSuite;

const BIN: &str = env!("CARGO_BIN_EXE_tls12-sim");

/// One TCP segment to put in a capture.
#[derive(Clone)]
struct Segment {
    from: Side,
    seq: u32,
    syn: bool,
    fin: bool,
    payload: Vec<u8>,
}

/// A seeded simulated session: its segments (SYN, data in pieces of at most `mss` bytes, FIN)
/// and its key log.
fn session(suite: CipherSuite, mss: usize) -> (Vec<Segment>, KeyLog) {
    let report = simulate::run(&Options {
        suite,
        ..Options::default()
    })
    .unwrap();
    let mut next = [1000u32, 9000u32];
    let mut segments = Vec::new();
    let mut push = |from: Side, syn: bool, fin: bool, payload: &[u8], next: &mut [u32; 2]| {
        let i = usize::from(from == Side::Server);
        segments.push(Segment {
            from,
            seq: next[i],
            syn,
            fin,
            payload: payload.to_vec(),
        });
        next[i] = next[i].wrapping_add(payload.len() as u32 + u32::from(syn || fin));
    };
    push(Side::Client, true, false, &[], &mut next);
    push(Side::Server, true, false, &[], &mut next);
    for flow in &report.flows {
        for piece in flow.bytes.chunks(mss) {
            push(flow.from, false, false, piece, &mut next);
        }
    }
    push(Side::Client, false, true, &[], &mut next);
    push(Side::Server, false, true, &[], &mut next);
    let mut keylog = KeyLog::new();
    keylog
        .add_text(report.keylog.as_deref().unwrap(), "the simulation")
        .unwrap();
    (segments, keylog)
}

/// The IP packet of `segment` between `client` and `server`.
fn ip_packet(segment: &Segment, client: SocketAddr, server: SocketAddr) -> Vec<u8> {
    let (from, to) = match segment.from {
        Side::Client => (client, server),
        Side::Server => (server, client),
    };
    let ip = match (from.ip(), to.ip()) {
        (IpAddr::V4(a), IpAddr::V4(b)) => PacketBuilder::ipv4(a.octets(), b.octets(), 64),
        (IpAddr::V6(a), IpAddr::V6(b)) => PacketBuilder::ipv6(a.octets(), b.octets(), 64),
        _ => unreachable!(),
    };
    let tcp = ip.tcp(from.port(), to.port(), segment.seq, 65535);
    let tcp = match (segment.syn, segment.fin, segment.from) {
        (true, _, Side::Client) => tcp.syn(),
        (true, _, Side::Server) => tcp.syn().ack(1),
        (_, true, _) => tcp.fin().ack(1),
        _ => tcp.ack(1),
    };
    let mut out = Vec::new();
    tcp.write(&mut out, &segment.payload).unwrap();
    out
}

/// `ip` in a frame of `link_type`.
fn frame(link_type: i32, ip: &[u8]) -> Vec<u8> {
    let v6 = ip[0] >> 4 == 6;
    let ether_type: u16 = if v6 { 0x86dd } else { 0x0800 };
    let mut out = Vec::new();
    match link_type {
        link::ETHERNET => {
            out.extend([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]);
            out.extend(ether_type.to_be_bytes());
        }
        link::LINUX_SLL => {
            out.extend([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
            out.extend(ether_type.to_be_bytes());
        }
        link::LINUX_SLL2 => {
            out.extend(ether_type.to_be_bytes());
            out.extend([0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
        }
        link::NULL => out.extend((if v6 { 24u32 } else { 2u32 }).to_le_bytes()),
        link::LOOP => out.extend((if v6 { 24u32 } else { 2u32 }).to_be_bytes()),
        _ => {}
    }
    out.extend(ip);
    out
}

/// A classic pcap file of `frames`, of `link_type`, one second apart.
fn pcap(link_type: i32, frames: &[Vec<u8>]) -> Vec<u8> {
    let timed: Vec<(u32, Vec<u8>)> = frames
        .iter()
        .enumerate()
        .map(|(i, frame)| (1_800_000_000 + i as u32, frame.clone()))
        .collect();
    pcap_timed(link_type, &timed)
}

/// A classic pcap file of `frames`, of `link_type`, each with its time in seconds.
fn pcap_timed(link_type: i32, frames: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(0xa1b2_c3d4u32.to_le_bytes());
    out.extend(2u16.to_le_bytes());
    out.extend(4u16.to_le_bytes());
    out.extend([0; 8]);
    out.extend(65535u32.to_le_bytes());
    out.extend((link_type as u32).to_le_bytes());
    for (time, frame) in frames {
        out.extend(time.to_le_bytes());
        out.extend(0u32.to_le_bytes());
        out.extend((frame.len() as u32).to_le_bytes());
        out.extend((frame.len() as u32).to_le_bytes());
        out.extend(frame);
    }
    out
}

fn v4() -> (SocketAddr, SocketAddr) {
    (
        SocketAddr::new(Ipv4Addr::new(10, 0, 0, 2).into(), 51000),
        SocketAddr::new(Ipv4Addr::new(10, 0, 0, 1).into(), 443),
    )
}

fn file_of(segments: &[Segment], link_type: i32, ends: (SocketAddr, SocketAddr)) -> Vec<u8> {
    let frames: Vec<Vec<u8>> = segments
        .iter()
        .map(|s| frame(link_type, &ip_packet(s, ends.0, ends.1)))
        .collect();
    pcap(link_type, &frames)
}

fn read(bytes: &[u8]) -> Result<capture::Capture, tls12_sim::Error> {
    capture::read(Cursor::new(bytes.to_vec()), "test.pcap")
}

fn inspect(capture: &capture::Capture, keylog: KeyLog) -> Observation {
    let keys = Keys {
        keylog,
        server_key: None,
    };
    capture::inspect(&capture.connections[0], &keys, true).observation
}

fn notes(capture: &capture::Capture) -> String {
    let connection = capture.connections.iter().flat_map(|c| c.notes.iter());
    let all: Vec<String> = capture
        .notes
        .iter()
        .chain(connection)
        .map(|n| n.to_string())
        .collect();
    all.join("\n")
}

#[test]
fn every_link_type_and_ipv6_give_the_same_streams() {
    let (segments, keylog) = session(CipherSuite::EcdheRsaAes128GcmSha256, 1460);
    let v6 = (
        SocketAddr::new(Ipv6Addr::LOCALHOST.into(), 51000),
        SocketAddr::new(Ipv6Addr::LOCALHOST.into(), 443),
    );
    let mut streams = Vec::new();
    for link_type in [
        link::ETHERNET,
        link::LINUX_SLL,
        link::LINUX_SLL2,
        link::RAW,
        link::IPV4,
        link::NULL,
        link::LOOP,
    ] {
        for ends in [v4(), v6] {
            if link_type == link::IPV4 && ends.0.is_ipv6() {
                continue;
            }
            let capture = read(&file_of(&segments, link_type, ends)).unwrap();
            assert_eq!(capture.connections.len(), 1, "link type {link_type}");
            let connection = &capture.connections[0];
            assert_eq!((connection.client, connection.server), ends);
            assert!(connection.notes.is_empty(), "{:?}", connection.notes);
            streams.push(connection.stream(Side::Server).to_vec());
            assert!(
                inspect(&capture, keylog.clone()).finished_verified(),
                "link type {link_type}"
            );
        }
    }
    assert!(streams.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn records_cut_into_many_segments_out_of_order_and_repeated_are_put_back() {
    let (mut segments, keylog) = session(CipherSuite::RsaAes256GcmSha384, 7);
    // Swap neighbours (out of order), and send some segments twice (retransmissions), one of
    // them overlapping the next.
    for i in (3..segments.len() - 3).step_by(5) {
        segments.swap(i, i + 1);
    }
    let mut repeated = segments.clone();
    for i in (4..segments.len() - 2).step_by(9).rev() {
        repeated.insert(i + 3, segments[i].clone());
    }
    let mut overlap = segments[10].clone();
    overlap
        .payload
        .extend_from_slice(&segments[11].payload[..3]);
    repeated.insert(20, overlap);
    let capture = read(&file_of(&repeated, link::ETHERNET, v4())).unwrap();
    let said = notes(&capture);
    assert!(
        said.contains("(retransmissions): their repeated bytes are dropped"),
        "{said}"
    );
    assert!(
        said.contains("arrived ahead of bytes before them: put back in order"),
        "{said}"
    );
    let seen = inspect(&capture, keylog);
    assert!(seen.finished_verified());
    assert_eq!(seen.application_data.len(), 2);
}

#[test]
fn a_hole_in_a_stream_stops_the_observer_there_and_says_so() {
    let (mut segments, keylog) = session(CipherSuite::RsaAes128GcmSha256, 100);
    // Lose one of the server's segments in its first flight.
    let lost = segments
        .iter()
        .position(|s| s.from == Side::Server && !s.payload.is_empty())
        .unwrap()
        + 3;
    segments.remove(lost);
    let capture = read(&file_of(&segments, link::ETHERNET, v4())).unwrap();
    let said = notes(&capture);
    assert!(
        said.contains(
            "holes in the server's stream that the capture never fills: 100 bytes missing"
        ),
        "{said}"
    );
    let seen = inspect(&capture, keylog);
    let stopped = seen.stopped.map(|p| p.to_string()).unwrap_or_default();
    assert!(
        stopped.starts_with("100 bytes the server sent are missing from the capture"),
        "{stopped}"
    );
    assert!(
        seen.client_hello.is_some(),
        "what came before the hole is read"
    );
}

#[test]
fn a_capture_that_starts_mid_connection_or_ends_early_is_said() {
    let (segments, keylog) = session(CipherSuite::RsaAes128GcmSha256, 1460);
    // Without the SYNs, the hellos and the key exchange: it starts at the first record of
    // application data the client sent; then nothing after the server's first answer.
    let start = segments
        .iter()
        .rposition(|s| s.from == Side::Client && s.payload.first() == Some(&23))
        .unwrap();
    let late = &segments[start..segments.len() - 3];
    let capture = read(&file_of(late, link::ETHERNET, v4())).unwrap();
    let said = notes(&capture);
    assert!(
        said.contains("the capture starts after the client began sending: its SYN is not in it"),
        "{said}"
    );
    assert!(
        said.contains("the capture ends before the connection closed"),
        "{said}"
    );
    // The client is the side on the high port: its records are named, not opened.
    assert_eq!(capture.connections[0].client, v4().0);
    let seen = inspect(&capture, keylog);
    assert!(seen.client_hello.is_none() && seen.application_data.is_empty());
    assert!(seen.unreadable_records > 0);
}

#[test]
fn files_that_are_not_captures_are_refused_by_name() {
    let cases: [(&[u8], &str); 4] = [
        (b"", "the file is empty"),
        (
            b"GET / HTTP/1.1\r\nHost: example\r\n\r\n",
            "not a pcap or pcapng file",
        ),
        (&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0], "too short to be a capture"),
        // pcapng's magic number, and nothing after it.
        (b"\x0a\x0d\x0d\x0a", "the file ends inside its header"),
    ];
    for (bytes, said) in cases {
        let error = read(bytes).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains(said), "{bytes:?}: {error}");
        assert!(
            error.starts_with("test.pcap: "),
            "the file is named: {error}"
        );
    }
    let out = Command::new(BIN)
        .args(["inspect", "Cargo.toml"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Cargo.toml: not a pcap or pcapng file"));
}

#[test]
fn a_file_cut_anywhere_reads_what_it_holds() {
    let whole = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/vectors/openssl-sessions/session.pcapng"
    ))
    .unwrap();
    let mut cut_inside = 0;
    for end in (0..whole.len()).step_by(613) {
        match read(&whole[..end]) {
            Ok(capture) => {
                assert!(capture.connections.len() <= 6);
                if notes(&capture).contains("the file ends inside a block")
                    || capture.connections.is_empty()
                {
                    cut_inside += 1;
                }
                for connection in &capture.connections {
                    let _ = capture::inspect(connection, &Keys::default(), true);
                }
            }
            Err(e) => assert!(e.to_string().starts_with("test.pcap: "), "{e}"),
        }
    }
    assert!(cut_inside > 10);
}

#[test]
fn gigantic_length_fields_are_refused_without_reading_them() {
    // A pcapng Enhanced Packet Block claiming 4 GiB, in a file of a few hundred bytes.
    let mut file = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/vectors/openssl-sessions/session.pcapng"
    ))
    .unwrap();
    file.truncate(400);
    file.extend(6u32.to_le_bytes());
    file.extend(0xffff_fff0u32.to_le_bytes());
    file.extend([0u8; 64]);
    let result = read(&file);
    let said = match &result {
        Ok(capture) => notes(capture),
        Err(e) => e.to_string(),
    };
    assert!(
        said.contains("the file ends inside a block")
            || said.contains("damaged")
            || said.contains("longer than 16 MiB"),
        "{said}"
    );
    // A classic pcap record claiming 4 GiB of packet.
    let mut pcap_file = pcap(link::ETHERNET, &[]);
    pcap_file.extend([0u8; 8]);
    pcap_file.extend(u32::MAX.to_le_bytes());
    pcap_file.extend(u32::MAX.to_le_bytes());
    pcap_file.extend([0u8; 32]);
    let said = match read(&pcap_file) {
        Ok(capture) => notes(&capture),
        Err(e) => e.to_string(),
    };
    assert!(
        said.contains("the file ends inside a packet record")
            || said.contains("longer than 16 MiB"),
        "{said}"
    );
    // A TLS record length over 2^14 + 2048 in a stream: not a record, said, nothing buffered.
    let mut segments = session(CipherSuite::RsaAes128GcmSha256, 1460).0;
    let first = segments
        .iter_mut()
        .find(|s| s.from == Side::Server && !s.payload.is_empty())
        .unwrap();
    first.payload[3] = 0xff;
    first.payload[4] = 0xff;
    let capture = read(&file_of(&segments, link::ETHERNET, v4())).unwrap();
    let seen = inspect(&capture, KeyLog::new());
    let stopped = seen.stopped.map(|p| p.to_string()).unwrap_or_default();
    assert!(
        stopped.contains("a record length of 65535 bytes, over the largest a record may have"),
        "{stopped}"
    );
}

#[test]
fn cooked_captures_of_loopback_and_tun_devices_are_read_by_their_protocol_type() {
    // `tcpdump -i any` on localhost: Linux cooked capture v1 frames whose hardware type is
    // loopback (ARPHRD 772), or none (0xfffe: a tun device, a VPN), not Ethernet.
    let (segments, keylog) = session(CipherSuite::EcdheRsaAes128GcmSha256, 1460);
    let v6 = (
        SocketAddr::new(Ipv6Addr::LOCALHOST.into(), 51000),
        SocketAddr::new(Ipv6Addr::LOCALHOST.into(), 443),
    );
    for hardware in [772u16, 0xfffe, 1] {
        for ends in [v4(), v6] {
            let frames: Vec<Vec<u8>> = segments
                .iter()
                .map(|s| {
                    let mut f = frame(link::LINUX_SLL, &ip_packet(s, ends.0, ends.1));
                    f[2..4].copy_from_slice(&hardware.to_be_bytes());
                    f
                })
                .collect();
            let capture = read(&pcap(link::LINUX_SLL, &frames)).unwrap();
            assert_eq!(capture.connections.len(), 1, "ARPHRD {hardware}");
            assert!(capture.notes.is_empty(), "{:?}", capture.notes);
            let connection = &capture.connections[0];
            assert_eq!((connection.client, connection.server), ends);
            assert!(
                inspect(&capture, keylog.clone()).finished_verified(),
                "ARPHRD {hardware}"
            );
        }
    }
}

#[test]
fn packets_out_of_time_order_in_the_file_are_read_in_time_order() {
    // A merged capture: the server's last flight (ChangeCipherSpec, Finished) is in the file
    // before the client's flight it answers, but its timestamp is later.
    let (segments, keylog) = session(CipherSuite::RsaAes128GcmSha256, 1460);
    let ends = v4();
    let mut timed: Vec<(u32, Vec<u8>)> = segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                1_800_000_000 + i as u32,
                frame(link::ETHERNET, &ip_packet(s, ends.0, ends.1)),
            )
        })
        .collect();
    let answer = segments
        .iter()
        .position(|s| s.from == Side::Server && s.payload.first() == Some(&20))
        .unwrap();
    assert_eq!(segments[answer - 1].from, Side::Client);
    timed.swap(answer - 1, answer);
    let capture = read(&pcap_timed(link::ETHERNET, &timed)).unwrap();
    assert!(
        notes(&capture).contains("packets are not in time order in the file: read in time order"),
        "{}",
        notes(&capture)
    );
    let seen = inspect(&capture, keylog.clone());
    assert!(seen.finished_verified(), "{:?}", seen.stopped);
    assert_eq!(seen.application_data.len(), 2);
    // Equal timestamps keep the file's order: all at one time, in order, read as they are.
    let same: Vec<(u32, Vec<u8>)> = segments
        .iter()
        .map(|s| {
            (
                1_800_000_000,
                frame(link::ETHERNET, &ip_packet(s, ends.0, ends.1)),
            )
        })
        .collect();
    let capture = read(&pcap_timed(link::ETHERNET, &same)).unwrap();
    assert!(!notes(&capture).contains("time order"));
    assert!(inspect(&capture, keylog.clone()).finished_verified());
    // Packets without data a little out of time order (the two FINs, as a live capture's
    // timestamps taken on two CPUs have them) move no bytes: nothing to say.
    let mut fins = same.clone();
    let n = fins.len();
    for (i, (time, _)) in fins.iter_mut().enumerate() {
        *time += i as u32;
    }
    fins[n - 1].0 -= 2;
    let capture = read(&pcap_timed(link::ETHERNET, &fins)).unwrap();
    assert!(
        !notes(&capture).contains("time order"),
        "{}",
        notes(&capture)
    );
    assert!(inspect(&capture, keylog).finished_verified());
}

/// The session.pcapng of the OpenSSL vectors, and where each of its blocks starts.
fn openssl_pcapng() -> (Vec<u8>, Vec<usize>) {
    let file = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/vectors/openssl-sessions/session.pcapng"
    ))
    .unwrap();
    let mut starts = Vec::new();
    let mut at = 0;
    while at + 8 <= file.len() {
        starts.push(at);
        at += u32::from_le_bytes(file[at + 4..at + 8].try_into().unwrap()) as usize;
    }
    (file, starts)
}

fn said(bytes: &[u8]) -> String {
    match read(bytes) {
        Ok(capture) => notes(&capture),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_file_cut_inside_its_header_or_a_packet_record_is_said_so() {
    let (file, starts) = openssl_pcapng();
    // Cut anywhere inside the Section Header Block: the magic number is right, the header
    // is not all there.
    for end in 4..starts[1] {
        let error = said(&file[..end]);
        assert!(
            error.contains("test.pcap: the file ends inside its header"),
            "{end}: {error}"
        );
    }
    // A pcap file cut inside a packet record says so in pcap's words.
    let (segments, _) = session(CipherSuite::RsaAes128GcmSha256, 1460);
    let whole = file_of(&segments, link::ETHERNET, v4());
    let notes = said(&whole[..whole.len() - 10]);
    assert!(
        notes.contains("the file ends inside a packet record: it was cut short"),
        "{notes}"
    );
}

#[test]
fn damaged_blocks_and_compressed_files_are_said_in_words() {
    let (file, starts) = openssl_pcapng();
    let third = starts[2];
    // A block length of 3, shorter than any block's header.
    let mut short = file.clone();
    short[third + 4..third + 8].copy_from_slice(&3u32.to_le_bytes());
    let error = said(&short);
    assert!(
        error.starts_with(&format!(
            "test.pcap: at byte {third}, a damaged block: its length fields do not hold together"
        )),
        "{error}"
    );
    // A second Section Header Block that is not one.
    let mut section = file.clone();
    section[third..third + 4].copy_from_slice(&[0x0a, 0x0d, 0x0d, 0x0a]);
    let error = said(&section);
    assert!(
        error.starts_with(&format!(
            "test.pcap: at byte {third}, a new section whose header is not pcapng's"
        )),
        "{error}"
    );
    // A packet naming an interface the file never described.
    let packet = starts
        .iter()
        .copied()
        .find(|&at| file[at..at + 4] == 6u32.to_le_bytes())
        .unwrap();
    let mut interface = file.clone();
    interface[packet + 8..packet + 12].copy_from_slice(&115u32.to_le_bytes());
    let notes = said(&interface);
    assert!(
        notes.contains("1 packets name an interface the file never described"),
        "{notes}"
    );
    for error in [&said(&short), &said(&section), &notes] {
        for internal in ["Verify", "HeaderNotRecognized", "link type -1", "Nom"] {
            assert!(!error.contains(internal), "{error}");
        }
    }
    // A gzip-compressed capture: named as such, with what to do.
    let error = said(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]);
    assert!(
        error.contains("test.pcap: a gzip-compressed file, not a capture itself: decompress it first (gunzip test.pcap)"),
        "{error}"
    );
    // A directory.
    let out = Command::new(BIN).args(["inspect", "src"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("src: a directory, not a capture file"),
        "{stderr}"
    );
}

/// Damage after some packets (a capture copied while still being written, a download cut and
/// resumed): the packets before it are read, and the damage is a note saying where.
#[test]
fn damage_after_some_packets_leaves_those_packets_readable() {
    let (file, starts) = openssl_pcapng();
    let middle = starts[starts.len() / 2];
    for (what, mut damaged) in [
        ("a damaged block", file.clone()),
        ("a new section whose header is not pcapng's", file.clone()),
    ] {
        if what == "a damaged block" {
            damaged[middle + 4..middle + 8].copy_from_slice(&3u32.to_le_bytes());
        } else {
            damaged[middle..middle + 4].copy_from_slice(&[0x0a, 0x0d, 0x0d, 0x0a]);
        }
        let capture = read(&damaged).unwrap_or_else(|e| panic!("{what}: {e}"));
        let notes = notes(&capture);
        assert!(
            notes.contains(&format!("test.pcap: at byte {middle}, {what}"))
                && notes.contains("packets before it are read, nothing after it"),
            "{notes}"
        );
        assert!(!capture.connections.is_empty(), "{what}");
    }
}
