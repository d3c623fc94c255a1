//! A capture's connections as `tls12-sim inspect` shows them: the list, and one connection
//! explained with the same renderers as a simulated run (text, JSON, mermaid, HTML), always
//! marked "recorded, not simulated".

use std::fmt::Write as _;

use super::text::render_key_ledger_in;
use super::{HtmlPage, Lang, TextOptions, say};
use crate::capture::{Capture, Connection, Format, Inspected};
use crate::messages::version_name;
use crate::observer::{Observation, Opener};
use crate::phrase;
use crate::phrase::Phrase;
use crate::rng::Side;
use crate::suites::describe_suite_id;

/// One connection of the capture, with what the observer made of it.
pub struct Shown<'a> {
    /// The connection (its number, its ends, the reassembly's notes).
    pub connection: &'a Connection,
    /// What the observer learned and traced.
    pub inspected: &'a Inspected,
}

/// The capture as a whole: its name and what it holds.
pub struct CaptureSummary<'a> {
    /// The file's name, as given.
    pub name: &'a str,
    /// The capture.
    pub capture: &'a Capture,
    /// Where the keys came from, in words (one line each).
    pub keys: Vec<Phrase>,
}

/// `client -> server`, the connection's ends.
fn ends(connection: &Connection) -> String {
    format!("{} -> {}", connection.client, connection.server)
}

/// The version, suite and server name the hellos show, as a line of names.
fn facts(observation: &Observation) -> String {
    let mut facts = Vec::new();
    if let Some(version) = observation.version {
        facts.push(version_name(version));
    }
    if let Some(server) = &observation.server_hello {
        facts.push(describe_suite_id(server.cipher_suite));
    }
    let sni = observation
        .client_hello
        .as_ref()
        .and_then(|c| c.extensions.server_name.clone());
    if let Some(sni) = sni {
        facts.push(format!("SNI {sni}"));
    }
    if observation.extended_master_secret {
        facts.push("extended master secret".into());
    }
    if observation.client_hello.is_some() && observation.server_hello.is_none() {
        facts.push("ClientHello only".into());
    }
    facts.join(", ")
}

/// What the observer could do with the connection, in a few sentences.
pub fn status(observation: &Observation) -> Vec<Phrase> {
    let mut lines = Vec::new();
    match (observation.resumed, observation.resumes) {
        (true, Some(stream)) => lines.push(phrase!(
            "a resumed session: an abbreviated handshake (RFC 5246 7.3), no key exchange; it \
             takes up the session of connection {}",
            stream
        )),
        (true, None) => lines.push(phrase!(
            "a resumed session: an abbreviated handshake (RFC 5246 7.3), no key exchange"
        )),
        (false, _) => {}
    }
    if let Some(why) = &observation.unsupported {
        lines.push(phrase!("not followed: {}", why));
    }
    if observation.server_hello.is_none() {
        lines.extend(no_server_hello(observation));
    }
    match (observation.opened_by, &observation.not_opened) {
        (Some(opener), Some(why)) if !observation.finished_verified() => {
            lines.push(opened_by(opener));
            lines.push(phrase!("but the keys do NOT open this session: {}", why));
        }
        (Some(opener), _) => {
            lines.push(opened_by(opener));
            lines.push(finished_status(observation));
        }
        (None, Some(why)) if observation.unsupported.is_none() => {
            lines.push(phrase!("not opened: {}", why));
        }
        _ => {}
    }
    match observation.certificate_verify_ok {
        Some(true) => lines.push(phrase!(
            "mutual TLS: the client's CertificateVerify verifies with the public key of its \
             certificate: the client holds that certificate's private key"
        )),
        Some(false) => lines.push(phrase!(
            "mutual TLS: the client's CertificateVerify does NOT verify with the public key of \
             its certificate"
        )),
        None => {}
    }
    if observation.renegotiation {
        lines.push(phrase!(
            "renegotiation: a second handshake began inside the protected connection; its \
             records are listed, not opened"
        ));
    }
    if let Some(why) = &observation.stopped {
        lines.push(phrase!("the observer stopped: {}", why));
    }
    lines
}

/// A handshake that ended before the server chose anything: what the client offered that
/// explains it, and the alerts that ended it.
fn no_server_hello(observation: &Observation) -> Vec<Phrase> {
    let mut lines = vec![phrase!(
        "no ServerHello: the handshake ended before the server chose a version or a suite"
    )];
    let versions = (observation.client_hello.as_ref())
        .and_then(|c| c.extensions.supported_versions.clone())
        .unwrap_or_default();
    let offers_tls12 = versions.contains(&0x0303);
    if !versions.is_empty() && !offers_tls12 && versions.contains(&0x0304) {
        lines.push(phrase!(
            "the client offered TLS 1.3 only: its supported_versions lists no TLS 1.2 (RFC 8446 \
             4.2.1)"
        ));
    }
    for (from, alert) in &observation.alerts {
        lines.push(phrase!(
            "the {} sent the alert {} {}",
            from.phrase(),
            alert.level.name(),
            alert.description.name()
        ));
    }
    lines
}

fn opened_by(opener: Opener) -> Phrase {
    match opener {
        Opener::KeyLog => phrase!("opened with the key log (the master secret)"),
        Opener::MasterSecret => phrase!("opened with the master secret given"),
        Opener::ServerPrivateKey => {
            phrase!("opened with the server's private key: it decrypts the RSA pre-master secret")
        }
        Opener::EphemeralKey => phrase!("opened with an ephemeral X25519 private key"),
        Opener::EarlierSession(stream) => phrase!(
            "opened by linking: the master secret of connection {}, the full handshake this \
             session resumes",
            stream
        ),
        Opener::Ticket => {
            phrase!(
                "opened with the server's ticket keys: the session ticket holds the master secret"
            )
        }
    }
}

fn finished_status(observation: &Observation) -> Phrase {
    let count = [
        observation.client_verify_data,
        observation.server_verify_data,
    ]
    .iter()
    .filter(|v| v.is_some())
    .count();
    let records = observation.application_data.len();
    if observation.finished_verified() && records == 1 {
        phrase!(
            "both Finished verified: the keys are right, and both sides saw the same handshake; \
             1 application data record read"
        )
    } else if observation.finished_verified() {
        phrase!(
            "both Finished verified: the keys are right, and both sides saw the same handshake; \
             {} application data records read",
            records
        )
    } else if count == 2 {
        phrase!("the Finished messages do NOT verify: the keys are not this session's")
    } else {
        phrase!(
            "{} of the 2 Finished messages are in the capture and verified",
            count
        )
    }
}

/// The list: the file, where the keys came from, then each TLS connection with its ends,
/// version, suite, server name, and what the observer could do with it.
pub fn render_list(summary: &CaptureSummary<'_>, shown: &[Shown<'_>], lang: Lang) -> String {
    let capture = summary.capture;
    let format = match capture.format {
        Format::Pcap => "pcap",
        Format::PcapNg => "pcapng",
    };
    let name = summary.name.to_string();
    let title = match (capture.connections.len(), shown.len()) {
        (1, 1) => phrase!(
            "{} ({}, {} packets): 1 TCP connection, TLS (recorded, not simulated)",
            name,
            format,
            capture.packets
        ),
        (1, _) => phrase!(
            "{} ({}, {} packets): 1 TCP connection, not TLS",
            name,
            format,
            capture.packets
        ),
        (connections, tls) => phrase!(
            "{} ({}, {} packets): {} TCP connections, {} of them TLS (recorded, not simulated)",
            name,
            format,
            capture.packets,
            connections,
            tls
        ),
    };
    let mut out = format!("{}\n", say(lang, &title));
    for line in summary.keys.iter().chain(&capture.notes) {
        let _ = writeln!(out, "  {}", say(lang, line));
    }
    // Every TCP connection in capture order: the TLS ones explained, the others named by
    // their first bytes (the first few dozen of them).
    let mut tls = shown.iter().peekable();
    let mut not_tls = 0;
    for connection in &capture.connections {
        let Some(item) = tls.next_if(|item| item.connection.number == connection.number) else {
            not_tls += 1;
            if not_tls <= NOT_TLS_LISTED {
                let what = not_tls_line(connection);
                let (number, ends) = (connection.number, ends(connection));
                let _ = writeln!(out, "\n#{number:<3} {ends}  {}", say(lang, &what));
            }
            continue;
        };
        let observation = &item.inspected.observation;
        let _ = writeln!(
            out,
            "\n#{:<3} {}  {}",
            connection.number,
            ends(connection),
            facts(observation)
        );
        for line in status(observation).iter().chain(&connection.notes) {
            let _ = writeln!(out, "      {}", say(lang, line));
        }
    }
    if not_tls > NOT_TLS_LISTED {
        let more = phrase!(
            "... and {} more TCP connections that are not TLS",
            not_tls - NOT_TLS_LISTED
        );
        let _ = writeln!(out, "\n{}", say(lang, &more));
    }
    if shown.is_empty() {
        let none = phrase!("no TLS connection in this capture");
        let _ = writeln!(out, "\n{}", say(lang, &none));
    } else {
        let hint = phrase!(
            "Explain one with --stream N (--format text, json, mermaid or html), or all with \
             --stream all."
        );
        let _ = writeln!(out, "\n{}", say(lang, &hint));
    }
    out
}

/// How many connections that are not TLS the list names one by one.
const NOT_TLS_LISTED: usize = 30;

/// A TCP connection that is not TLS, named by what it carries first.
pub fn not_tls_line(connection: &Connection) -> Phrase {
    let client = connection.stream(Side::Client);
    let server = connection.stream(Side::Server);
    match (client.is_empty(), server.is_empty()) {
        (true, true) => phrase!("not TLS: no data (a TCP handshake at most)"),
        (false, _) => phrase!(
            "not TLS: the client's first bytes are {}",
            first_bytes(client)
        ),
        (true, false) => phrase!(
            "not TLS: the client sent nothing; the server's first bytes are {}",
            first_bytes(server)
        ),
    }
}

/// The first bytes of a stream: as text in quotes when they are printable (an HTTP request,
/// an SSH banner), else in hex.
fn first_bytes(stream: &[u8]) -> String {
    let head = &stream[..stream.len().min(24)];
    let line = head
        .split(|&b| b == b'\r' || b == b'\n')
        .next()
        .unwrap_or(head);
    let printable = !line.is_empty() && line.iter().all(|b| (0x20..0x7f).contains(b));
    if printable {
        format!("\"{}\"", String::from_utf8_lossy(line))
    } else {
        head.iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The lines above an inspected connection's trace.
fn header(summary: &CaptureSummary<'_>, shown: &Shown<'_>) -> Vec<Phrase> {
    let (connection, observation) = (shown.connection, &shown.inspected.observation);
    let mut lines = vec![
        phrase!(
            "tls12-sim inspect: connection {} of {}, RECORDED, NOT SIMULATED",
            connection.number,
            summary.name.to_string()
        ),
        phrase!(
            "client {} -> server {}: {}",
            connection.client.to_string(),
            connection.server.to_string(),
            facts(observation)
        ),
    ];
    lines.extend(summary.keys.iter().cloned());
    lines.extend(connection.notes.iter().cloned());
    lines.extend(status(observation));
    lines
}

/// An inspected connection as annotated text: the header, every event, the key ledger.
pub fn render_text(summary: &CaptureSummary<'_>, shown: &Shown<'_>, lang: Lang) -> String {
    let mut out = String::new();
    for line in header(summary, shown) {
        let _ = writeln!(out, "{}", say(lang, &line));
    }
    out.push_str(&super::render_text(
        &shown.inspected.events,
        TextOptions {
            show_received: true,
            lang,
        },
    ));
    out.push_str(&render_key_ledger_in(&shown.inspected.events, lang));
    out
}

/// The `run` object of an inspected connection's JSON trace.
fn json_header(summary: &CaptureSummary<'_>, shown: &Shown<'_>) -> serde_json::Value {
    let (connection, obs) = (shown.connection, &shown.inspected.observation);
    let text = |p: &Option<Phrase>| p.as_ref().map(|p| p.to_string());
    serde_json::json!({
        "recorded": true,
        "capture": summary.name,
        "connection": connection.number,
        "client": connection.client.to_string(),
        "server": connection.server.to_string(),
        "version": obs.version.map(version_name),
        "suite": obs.server_hello.as_ref().map(|s| describe_suite_id(s.cipher_suite)),
        "server_name": obs.client_hello.as_ref().and_then(|c| c.extensions.server_name.clone()),
        "extended_master_secret": obs.extended_master_secret,
        "opened_by": obs.opened_by.map(opener_name),
        "resumed": obs.resumed,
        "renegotiation": obs.renegotiation,
        "resumes": obs.resumes,
        "finished_verified": obs.finished_verified(),
        "client_certificate_verified": obs.certificate_verify_ok,
        "application_data_records": obs.application_data.len(),
        "not_opened": text(&obs.not_opened),
        "unsupported": text(&obs.unsupported),
        "stopped": text(&obs.stopped),
        "notes": connection.notes.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
    })
}

/// The `opened_by` of the JSON run object: the key that gave the master secret, by name (an
/// earlier connection's number is in `resumes`).
fn opener_name(opener: Opener) -> &'static str {
    match opener {
        Opener::KeyLog => "KeyLog",
        Opener::MasterSecret => "MasterSecret",
        Opener::ServerPrivateKey => "ServerPrivateKey",
        Opener::EphemeralKey => "EphemeralKey",
        Opener::Ticket => "Ticket",
        Opener::EarlierSession(_) => "EarlierSession",
    }
}

/// An inspected connection as JSON: the trace format of docs/trace-format.md, its `run` saying
/// where it was recorded.
pub fn render_json(summary: &CaptureSummary<'_>, shown: &Shown<'_>) -> String {
    super::render_json(json_header(summary, shown), &shown.inspected.events)
}

/// Every listed connection as one JSON document: the capture, then each connection's trace
/// (`traces`: each as [`render_json`] wrote it).
pub fn render_json_all(summary: &CaptureSummary<'_>, traces: &[String]) -> String {
    let connections: Vec<serde_json::Value> = traces
        .iter()
        .map(|trace| serde_json::from_str(trace).unwrap_or_default())
        .collect();
    let doc = serde_json::json!({
        "format": "tls12-sim-capture",
        "format_version": 1,
        "capture": summary.name,
        "packets": summary.capture.packets,
        "notes": summary.capture.notes.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
        "connections": connections,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// An inspected connection as a mermaid sequence diagram, its title marked as recorded.
pub fn render_mermaid(shown: &Shown<'_>) -> String {
    let diagram = super::render_mermaid(&shown.inspected.events);
    diagram.replacen(
        "title TLS 1.2 handshake",
        "title Recorded, not simulated: TLS 1.2 handshake",
        1,
    )
}

/// An inspected connection as one web page, marked as recorded.
pub fn render_html(summary: &CaptureSummary<'_>, shown: &Shown<'_>, lang: Lang) -> String {
    let (connection, observation) = (shown.connection, &shown.inspected.observation);
    let mut facts = vec![
        (
            say(lang, &phrase!("recorded")),
            say(
                lang,
                &phrase!("recorded, not simulated: read from a capture file"),
            ),
        ),
        (
            say(lang, &phrase!("capture")),
            format!("{} #{}", summary.name, connection.number),
        ),
        ("client -> server".to_string(), ends(connection)),
        (say(lang, &phrase!("suite")), facts(observation)),
    ];
    for line in summary.keys.iter().chain(&connection.notes) {
        facts.push((say(lang, &phrase!("note")), say(lang, line)));
    }
    let status: Vec<String> = status(observation).iter().map(|p| say(lang, p)).collect();
    let title = format!(
        "tls12-sim inspect: {} #{} (recorded)",
        summary.name, connection.number
    );
    super::render_html(
        &shown.inspected.events,
        &HtmlPage {
            title: &title,
            facts,
            outcome: status.join("; "),
            ok: observation.finished_verified(),
            lang,
        },
    )
}
