//! `tls12-sim inspect CAPTURE`: the TLS connections of someone else's capture, listed, then
//! explained one by one with the same renderers as a simulated run.
//!
//! The capture is read ([`crate::capture`]), the keys gathered (key log files, the capture's
//! own Decryption Secrets Blocks, the server's private key), each TLS connection fed to the
//! observer, and the result rendered ([`crate::render::inspect`]).

use std::path::Path;

use rsa::RsaPrivateKey;

use crate::capture::{self, Capture, Keys};
use crate::error::Error;
use crate::keylog::KeyLog;
use crate::observer::EarlierSessions;
use crate::phrase;
use crate::phrase::Phrase;
use crate::render::Lang;
use crate::render::inspect::{self as show, CaptureSummary, Shown};

/// Which connections to explain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// Only the list.
    List,
    /// The connection with this number (Wireshark's `tcp.stream`).
    One(usize),
    /// Every TLS connection.
    All,
}

/// How to show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InspectFormat {
    /// Annotated text.
    Text,
    /// The JSON trace.
    Json,
    /// A mermaid sequence diagram (one connection).
    Mermaid,
    /// A web page (one connection).
    Html,
}

/// What `inspect` was asked.
pub struct InspectOptions<'a> {
    /// The capture file.
    pub capture: &'a Path,
    /// Key log files: (name, text).
    pub keylogs: Vec<(String, String)>,
    /// The server's private key: (name, key).
    pub server_key: Option<(String, RsaPrivateKey)>,
    /// Which connections to explain.
    pub which: Which,
    /// The output format.
    pub format: InspectFormat,
    /// The language of the explanations.
    pub lang: Lang,
}

/// Reads the capture, opens what the keys open, and returns what to print.
pub fn run(options: InspectOptions<'_>) -> Result<String, Error> {
    let (name, capture) = read_capture(options.capture)?;
    let (keys, key_lines) = gather_keys(&capture, options.keylogs, options.server_key)?;
    let tls: Vec<&capture::Connection> = capture
        .connections
        .iter()
        .filter(|c| capture::looks_like_tls(c))
        .collect();
    let which = match (options.which, options.format) {
        // A page or a diagram is of one connection: the only one, if there is only one.
        (Which::List, InspectFormat::Mermaid | InspectFormat::Html) if tls.len() == 1 => {
            Which::One(tls[0].number)
        }
        (which, _) => which,
    };
    if matches!(which, Which::List | Which::All)
        && matches!(options.format, InspectFormat::Mermaid | InspectFormat::Html)
    {
        return Err(Error::Config(phrase!(
            "a diagram or a page shows one connection: choose it with --stream N (the \
             numbers are in the list: tls12-sim inspect FILE)"
        )));
    }
    let chosen: Vec<&capture::Connection> = match which {
        Which::List | Which::All => tls.clone(),
        Which::One(number) => {
            let found = tls.iter().find(|c| c.number == number).copied();
            vec![found.ok_or_else(|| no_such_stream(&name, number, &tls, &capture))?]
        }
    };
    let summary = CaptureSummary {
        name: &name,
        capture: &capture,
        keys: key_lines,
    };
    // Each connection is rendered as soon as it is read: a capture of thousands is never held
    // as thousands of traces at once.
    let list_only = which == Which::List && options.format == InspectFormat::Text;
    let mut texts = Vec::new();
    let mut listed = Vec::new();
    // A resumed session is linked to an earlier full handshake: the connections before the
    // one chosen are read first (untraced) for their sessions.
    let mut earlier = EarlierSessions::default();
    if let Which::One(number) = which {
        for connection in tls.iter().filter(|c| c.number < number) {
            capture::inspect_linked(connection, &keys, &mut earlier, false);
        }
    }
    for connection in &chosen {
        let inspected = capture::inspect_linked(connection, &keys, &mut earlier, !list_only);
        let shown = Shown {
            connection,
            inspected: &inspected,
        };
        match (which, options.format) {
            _ if list_only => listed.push(inspected),
            (Which::List | Which::All, InspectFormat::Json) => {
                texts.push(show::render_json(&summary, &shown));
            }
            (_, format) => texts.push(render_one(&summary, &shown, format, options.lang)),
        }
    }
    Ok(match (which, options.format) {
        (Which::List, InspectFormat::Text) => {
            let shown: Vec<Shown<'_>> = chosen
                .iter()
                .zip(&listed)
                .map(|(connection, inspected)| Shown {
                    connection,
                    inspected,
                })
                .collect();
            show::render_list(&summary, &shown, options.lang)
        }
        (Which::List | Which::All, InspectFormat::Json) => show::render_json_all(&summary, &texts),
        _ => texts.join("\n\n"),
    })
}

/// The capture and the name to call it by; `-` is standard input (`zcat my.pcap.gz |
/// tls12-sim inspect -`).
fn read_capture(path: &Path) -> Result<(String, Capture), Error> {
    if path == Path::new("-") {
        let name = "standard input".to_string();
        let capture = capture::read(std::io::stdin(), &name)?;
        return Ok((name, capture));
    }
    Ok((path.display().to_string(), capture::read_file(path)?))
}

/// One connection in `format`: a diagram or a page only for one chosen connection.
fn render_one(
    summary: &CaptureSummary<'_>,
    shown: &Shown<'_>,
    format: InspectFormat,
    lang: Lang,
) -> String {
    match format {
        InspectFormat::Text => show::render_text(summary, shown, lang),
        InspectFormat::Json => show::render_json(summary, shown) + "\n",
        InspectFormat::Mermaid => show::render_mermaid(shown),
        InspectFormat::Html => show::render_html(summary, shown, lang),
    }
}

/// The keys `inspect` holds, and a line saying where each came from.
fn gather_keys(
    capture: &Capture,
    keylogs: Vec<(String, String)>,
    server_key: Option<(String, RsaPrivateKey)>,
) -> Result<(Keys, Vec<Phrase>), Error> {
    let mut keys = Keys::default();
    let mut lines = Vec::new();
    for (name, text) in keylogs {
        let mut log = KeyLog::new();
        log.add_text(&text, &name)?;
        lines.push(match log.skipped() {
            (0, _) | (_, None) => phrase!("keys: the key log {} ({} sessions)", name, log.len()),
            (skipped, Some(first)) => phrase!(
                "keys: the key log {} ({} sessions; {} lines that are not key log lines passed \
                 over, the first at line {})",
                name.clone(),
                log.len(),
                skipped,
                first
            ),
        });
        keys.keylog.extend(&log);
    }
    if !capture.secrets.is_empty() {
        lines.push(phrase!(
            "keys: the capture's own key log, in its Decryption Secrets Blocks ({} sessions)",
            capture.secrets.len()
        ));
        keys.keylog.extend(&capture.secrets);
    }
    if let Some((name, key)) = server_key {
        lines.push(phrase!(
            "keys: the server's private key {} (it opens RSA key exchange only)",
            name
        ));
        keys.server_key = Some(key);
    }
    if lines.is_empty() {
        lines.push(phrase!(
            "keys: none. The handshakes are annotated; the protected records cannot be opened \
             (give --keylog FILE, or --key server.key for RSA key exchange)"
        ));
    }
    Ok((keys, lines))
}

/// The error for a `--stream` that is not a TLS connection of the capture.
fn no_such_stream(
    name: &str,
    number: usize,
    tls: &[&capture::Connection],
    capture: &Capture,
) -> Error {
    let numbers: Vec<String> = tls.iter().map(|c| c.number.to_string()).collect();
    if let Some(other) = capture.connections.iter().find(|c| c.number == number) {
        return Error::Config(phrase!(
            "--stream {}: connection {} of {} is {}",
            number,
            number,
            name.to_string(),
            show::not_tls_line(other)
        ));
    }
    Error::Config(phrase!(
        "--stream {}: {} has no TLS connection with that number (its TLS connections: {})",
        number,
        name.to_string(),
        if numbers.is_empty() {
            "none".to_string()
        } else {
            numbers.join(", ")
        }
    ))
}
