//! Writes the seed corpora into `fuzz/corpus/<target>/`, from our golden transcripts
//! (`vectors/transcripts/*.txt`, read with `tls12_sim::wire::parse_flows`) and the demo PKI
//! (`src/demo/*.pem`). `scripts/fuzz.sh` runs it before fuzzing:
//!
//! ```text
//! cargo run --manifest-path fuzz/Cargo.toml --example seed_corpus
//! ```
//!
//! Each target's input format is described at the top of its file in `fuzz/fuzz_targets/`;
//! the seeds here follow it (a mode or configuration byte first, where the target has one).
//! Seeds are written under fixed names, so running this again rewrites them and leaves alone
//! what the fuzzer added to the corpus.

use std::fs;
use std::path::{Path, PathBuf};

use tls12_sim::messages::HandshakeMessage;
use tls12_sim::messages::certificate::Certificate;
use tls12_sim::messages::client_hello::ClientHello;
use tls12_sim::pki;
use tls12_sim::capture::writer::{PcapWriter, Recording};
use tls12_sim::record::{CHANGE_CIPHER_SPEC, HANDSHAKE, take_handshake_message};
use tls12_sim::rng::Side;
use tls12_sim::session::Resumption;
use tls12_sim::simulate::{self, Options};
use tls12_sim::suites::CipherSuite;
use tls12_sim::wire::{Flow, parse_flows};

fn main() {
    let fuzz_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = fuzz_dir.parent().expect("fuzz/ lies inside the crate");
    let corpus = fuzz_dir.join("corpus");
    let mut seeds = Seeds::default();

    let mut transcripts: Vec<PathBuf> = fs::read_dir(root.join("vectors/transcripts"))
        .expect("vectors/transcripts")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    transcripts.sort();
    for path in &transcripts {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(path).expect("transcript");
        let flows = parse_flows(&text).expect("transcript flows");
        transcript_seeds(&mut seeds, &name, &text, &flows);
    }
    hand_made_seeds(&mut seeds);
    session_seeds(&mut seeds);
    pki_file_seeds(&mut seeds, &root.join("src/demo"));
    capture_seeds(&mut seeds, root, &transcripts);

    for (target, name, bytes) in &seeds.0 {
        let dir = corpus.join(target);
        fs::create_dir_all(&dir).expect("corpus directory");
        fs::write(dir.join(name), bytes).expect("seed file");
    }
    for target in [
        "record",
        "messages",
        "server_first_flight",
        "client_response",
        "ticket",
        "pki",
        "capture",
    ] {
        let count = seeds.0.iter().filter(|(t, _, _)| *t == target).count();
        println!(
            "{target}: {count} seeds in {}",
            corpus.join(target).display()
        );
    }
}

/// (target, file name, bytes).
#[derive(Default)]
struct Seeds(Vec<(&'static str, String, Vec<u8>)>);

impl Seeds {
    fn add(&mut self, target: &'static str, name: String, bytes: Vec<u8>) {
        self.0.push((target, name, bytes));
    }
}

/// What a transcript's header says about the run: `suite NAME`, `seed N`,
/// `extended_master_secret yes|no`, and "mutual TLS" on the first line.
struct RunConfig {
    suite: usize,
    seed: u64,
    ems: bool,
    mtls: bool,
    /// "resumed by ticket" on the first line: the second connection of `--resume ticket`.
    ticket: bool,
    /// "resumed by session id": the server's cache is not reproduced by the flight targets.
    session_id: bool,
}

impl RunConfig {
    fn read(text: &str) -> Self {
        let value = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix(' '))
                .unwrap_or_else(|| panic!("no {key} line"))
        };
        let suite = CipherSuite::from_name(value("suite")).expect("a known suite");
        RunConfig {
            suite: CipherSuite::ALL.iter().position(|s| *s == suite).unwrap(),
            seed: value("seed").parse().expect("a seed"),
            ems: value("extended_master_secret") == "yes",
            mtls: text
                .lines()
                .next()
                .is_some_and(|l| l.contains("mutual TLS")),
            ticket: text
                .lines()
                .next()
                .is_some_and(|l| l.contains("resumed by ticket")),
            session_id: text
                .lines()
                .next()
                .is_some_and(|l| l.contains("resumed by session id")),
        }
    }

    /// fuzz_targets/server_first_flight.rs's configuration byte.
    fn server_byte(&self) -> u8 {
        u8::from(self.mtls)
            | ((self.seed - 1) as u8 & 3) << 1
            | u8::from(!self.ems) << 3
            | u8::from(self.ticket) << 6
    }

    /// fuzz_targets/client_response.rs's configuration byte.
    fn client_byte(&self) -> u8 {
        self.suite as u8
            | ((self.seed - 1) as u8 & 3) << 2
            | u8::from(!self.ems) << 4
            | u8::from(self.mtls) << 5
            | u8::from(self.ticket) << 7
    }
}

fn transcript_seeds(seeds: &mut Seeds, name: &str, text: &str, flows: &[Flow]) {
    let config = RunConfig::read(text);

    // server_first_flight: everything the client sent; and the ClientHello flight alone.
    // client_response: everything the server sent; and its first flight alone.
    let sent_by = |side: Side| -> Vec<u8> {
        flows
            .iter()
            .filter(|f| f.from == side)
            .flat_map(|f| f.bytes.iter().copied())
            .collect()
    };
    let first_from = |side: Side| flows.iter().find(|f| f.from == side).unwrap().bytes.clone();
    let with_byte = |byte: u8, bytes: Vec<u8>| [vec![byte], bytes].concat();
    let server = config.server_byte();
    let client = config.client_byte();
    if config.ticket {
        ticket_seed(seeds, name, flows);
    }
    if config.session_id {
        // The flight targets keep no session cache: only the records and messages below.
        message_seeds(seeds, name, flows);
        return;
    }
    seeds.add(
        "server_first_flight",
        format!("{name}.all"),
        with_byte(server, sent_by(Side::Client)),
    );
    seeds.add(
        "server_first_flight",
        format!("{name}.hello"),
        with_byte(server, first_from(Side::Client)),
    );
    seeds.add(
        "client_response",
        format!("{name}.all"),
        with_byte(client, sent_by(Side::Server)),
    );
    seeds.add(
        "client_response",
        format!("{name}.flight"),
        with_byte(client, first_from(Side::Server)),
    );
    message_seeds(seeds, name, flows);
}

/// ticket: the ticket a resumed ClientHello hands back.
fn ticket_seed(seeds: &mut Seeds, name: &str, flows: &[Flow]) {
    let mut handshake = flows[0].bytes[5..].to_vec();
    if let Ok(Some(message)) = take_handshake_message(&mut handshake)
        && let Ok((hello, _)) = ClientHello::decode(&message)
        && let Some(ticket) = hello.extensions.session_ticket
    {
        seeds.add("ticket", format!("{name}.ticket"), ticket);
    }
}

/// ticket: a saved-session file, as `connect --session-out` writes it.
fn session_seeds(seeds: &mut Seeds) {
    let options = Options {
        resume: Some(Resumption::Ticket),
        trace: false,
        ..Options::default()
    };
    if let Some(session) = simulate::run(&options)
        .ok()
        .and_then(|r| r.full_handshake)
        .and_then(|full| full.client.session())
    {
        seeds.add("ticket", "session.json".into(), session.to_json().into_bytes());
    }
}

/// record and messages (and pki): every flow, record and handshake message of a transcript.
fn message_seeds(seeds: &mut Seeds, name: &str, flows: &[Flow]) {
    let with_byte = |byte: u8, bytes: Vec<u8>| [vec![byte], bytes].concat();
    for (i, flow) in flows.iter().enumerate() {
        let flow_name = format!("{name}.flow{}", i + 1);
        // The side that reads this flow, and whether the version is agreed by then.
        let reader = match flow.from {
            Side::Client => 0,
            Side::Server => 1,
        };
        let agreed = if i == 0 { 0 } else { 2 };
        seeds.add(
            "record",
            flow_name.clone(),
            with_byte(reader | agreed, flow.bytes.clone()),
        );

        let mut handshake = Vec::new();
        let mut plaintext = true;
        for (j, record) in records(&flow.bytes).into_iter().enumerate() {
            let record_name = format!("{flow_name}.record{}", j + 1);
            seeds.add(
                "record",
                record_name.clone(),
                with_byte(reader | agreed, record.to_vec()),
            );
            if !plaintext {
                continue; // protected: the handshake messages inside are not readable here
            }
            // The record target seals its input's records itself (mode bit 2).
            seeds.add(
                "record",
                format!("{record_name}.sealed"),
                with_byte(reader | agreed | 4, record.to_vec()),
            );
            match record[0] {
                HANDSHAKE => handshake.extend_from_slice(&record[5..]),
                CHANGE_CIPHER_SPEC => plaintext = false,
                _ => {}
            }
        }
        let mut k = 0;
        while let Ok(Some(message)) = take_handshake_message(&mut handshake) {
            k += 1;
            if message[0] == 11 {
                // pki: the certificate_list, as a Certificate message carries it.
                let (certificate, _) = Certificate::decode(&message).expect("Certificate");
                seeds.add(
                    "pki",
                    format!("{flow_name}.certificate_list"),
                    message[4..].to_vec(),
                );
                for (n, der) in certificate.certificate_list.into_iter().enumerate() {
                    seeds.add("pki", format!("{flow_name}.certificate{}.der", n + 1), der);
                }
            }
            seeds.add("messages", format!("{flow_name}.message{k}"), message);
        }
    }
}

/// Whole records of a flow (header and fragment).
fn records(mut bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while bytes.len() >= 5 {
        let len = (5 + usize::from(u16::from_be_bytes([bytes[3], bytes[4]]))).min(bytes.len());
        out.push(&bytes[..len]);
        bytes = &bytes[len..];
    }
    out
}

/// Messages the transcripts carry only encrypted, or not at all.
fn hand_made_seeds(seeds: &mut Seeds) {
    let mut finished = vec![20, 0, 0, 12];
    finished.extend([0xa5; 12]);
    seeds.add("messages", "finished".into(), finished);
    seeds.add("messages", "alert.fatal_decode_error".into(), vec![2, 50]);
    seeds.add("messages", "alert.close_notify".into(), vec![1, 0]);
    seeds.add("messages", "change_cipher_spec".into(), vec![1]);
    seeds.add("messages", "hello_request".into(), vec![0, 0, 0, 0]);
    // record: an alert, application data and a HelloRequest, all in plaintext and sealed
    // (GCM, and CBC in both orders: bits 4 and 5).
    for mode in [0u8, 1, 2, 3, 4, 5, 6, 7, 4 | 16, 6 | 16, 4 | 16 | 32, 7 | 16 | 32] {
        let mut bytes = vec![mode];
        bytes.extend([21, 3, 3, 0, 2, 1, 0]); // warning close_notify
        seeds.add("record", format!("alert.mode{mode}"), bytes);
        let mut bytes = vec![mode];
        bytes.extend([22, 3, 3, 0, 4, 0, 0, 0, 0, 23, 3, 3, 0, 5]); // HelloRequest, app data
        bytes.extend(b"hello");
        seeds.add("record", format!("hello_request.mode{mode}"), bytes);
    }
}

/// pki: every demo PEM file (certificates, CRL) as text, and each as DER.
fn pki_file_seeds(seeds: &mut Seeds, demo: &Path) {
    let mut files: Vec<PathBuf> = fs::read_dir(demo)
        .expect("src/demo")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "pem"))
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&path).expect("PEM file");
        let ders = pki::load_certificates_pem(&text)
            .or_else(|_| pki::load_crls_pem(&text))
            .unwrap_or_default();
        for (n, der) in ders.into_iter().enumerate() {
            seeds.add("pki", format!("{name}.{}.der", n + 1), der);
        }
        seeds.add("pki", name, text.into_bytes());
    }
}

/// capture: the OpenSSL capture of vectors/openssl-sessions/, each golden transcript as
/// `serve --pcap` would record it (a pcapng with its Decryption Secrets Block, when the
/// transcript's session got a master secret), and all of them in one file, one connection each
/// (a full handshake and the resumption of its session side by side, for the linking).
fn capture_seeds(seeds: &mut Seeds, root: &Path, transcripts: &[PathBuf]) {
    let openssl = root.join("vectors/openssl-sessions/session.pcapng");
    seeds.add(
        "capture",
        "openssl-sessions.pcapng".into(),
        fs::read(openssl).expect("session.pcapng"),
    );
    let scratch = std::env::temp_dir().join(format!("seed-capture-{}", std::process::id()));
    let together = std::env::temp_dir().join(format!("seed-captures-{}", std::process::id()));
    let all = PcapWriter::create(&together).expect("scratch pcapng");
    for (port, path) in (50000u16..).zip(transcripts) {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let flows = parse_flows(&fs::read_to_string(path).expect("transcript")).expect("flows");
        let client = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let server = "127.0.0.1:4433".parse().expect("address");
        let mut recording = Recording::new(client, server);
        for flow in &flows {
            recording.record(flow.from, &flow.bytes);
        }
        let writer = PcapWriter::create(&scratch).expect("scratch pcapng");
        writer.add(&recording, None).expect("pcapng");
        drop(writer);
        all.add(&recording, None).expect("pcapng");
        seeds.add("capture", format!("{name}.pcapng"), fs::read(&scratch).expect("pcapng"));
    }
    drop(all);
    seeds.add(
        "capture",
        "all-transcripts.pcapng".into(),
        fs::read(&together).expect("pcapng"),
    );
    let _ = fs::remove_file(&scratch);
    let _ = fs::remove_file(&together);
}
