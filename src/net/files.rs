//! The files `serve` and `connect` write: the NSS key log (appended, one line per session, by
//! many connections at once) and the web page of a session (replaced whole), and standard input
//! for `connect`.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::capture::writer::{PcapWriter, Recording};
use crate::conn::Conn;
use crate::error::Error;
use crate::phrase;
use crate::render::{self, Lang};

/// The lines of each file appended to so far (read once, at its first append): the check for
/// a line already there costs no re-reading of a growing file, and the check and the write do
/// not interleave between connections.
static APPENDED: Mutex<Option<HashMap<PathBuf, HashSet<String>>>> = Mutex::new(None);

/// Appends `text` to the file at `path` (created if missing), skipping a line already there.
pub fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut appended = APPENDED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let lines = appended
        .get_or_insert_with(HashMap::new)
        .entry(path.to_path_buf())
        .or_insert_with(|| {
            let existing = std::fs::read_to_string(path).unwrap_or_default();
            existing.lines().map(str::to_string).collect()
        });
    let line = text.trim_end();
    if lines.contains(line) {
        return Ok(());
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(text.as_bytes())?;
    lines.insert(line.to_string());
    Ok(())
}

/// Reads all of standard input, for `connect` without `--send`.
pub fn read_stdin() -> Result<Vec<u8>, Error> {
    let mut data = Vec::new();
    std::io::stdin()
        .read_to_end(&mut data)
        .map_err(|e| Error::Config(phrase!("cannot read standard input: {}", e.to_string())))?;
    Ok(data)
}

/// Appends the connection's NSS key log line to `path`, once it has a master secret.
pub(super) fn write_keylog(conn: &Conn, path: Option<&Path>) {
    let (Some(path), Some(line)) = (path, conn.keylog_line()) else {
        return;
    };
    if let Err(e) = append(path, &line) {
        let _ = writeln!(
            std::io::stderr(),
            "cannot write the key log {}: {e}",
            path.display()
        );
    }
}

/// Adds a connection to the `--pcap` file, its key log line with it; a failure is said on
/// standard error and the connection goes on.
pub(super) fn write_pcap(pcap: &PcapWriter, recording: &Recording, keylog_line: Option<String>) {
    if let Err(e) = pcap.add(recording, keylog_line.as_deref()) {
        let _ = writeln!(std::io::stderr(), "cannot write the --pcap file: {e}");
    }
}

/// The web page of one side's session: its trace, the facts, the outcome.
pub(super) fn session_page(conn: &Conn, outcome: Result<(), &Error>, lang: Lang) -> String {
    let side = conn.side();
    let suite = conn
        .negotiated_suite()
        .map_or("(no suite agreed)", |s| s.name());
    let title = format!("tls12-sim {}: {suite}", side.name());
    let facts = vec![
        (
            "side".to_string(),
            format!("this page is the {}'s view", side.name()),
        ),
        ("suite".to_string(), suite.to_string()),
        (
            "extended master secret".to_string(),
            if conn.extended_master_secret() {
                "yes"
            } else {
                "no"
            }
            .to_string(),
        ),
    ];
    let (ok, outcome) = match outcome {
        Ok(()) => (true, "handshake complete, connection closed".to_string()),
        Err(e) => (false, format!("failed: {e}")),
    };
    render::render_html(
        conn.events(),
        &render::HtmlPage {
            title: &title,
            facts,
            outcome,
            ok,
            lang,
        },
    )
}

/// Writes the connection's trace as a web page to `path`, if asked for one. The page is
/// written beside it and renamed into place, so a reader never sees half of it while another
/// connection replaces it.
pub(super) fn write_html(
    conn: &Conn,
    path: Option<&Path>,
    outcome: Result<(), &Error>,
    lang: Lang,
) {
    let Some(path) = path else {
        return;
    };
    let page = session_page(conn, outcome, lang);
    let partial = path.with_extension(format!(
        "{}.partial",
        std::thread::current()
            .name()
            .unwrap_or("main")
            .replace(' ', "-")
    ));
    let written = std::fs::write(&partial, page).and_then(|()| std::fs::rename(&partial, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        let _ = writeln!(std::io::stderr(), "cannot write {}: {e}", path.display());
    }
}
