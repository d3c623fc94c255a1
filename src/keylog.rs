//! The NSS key log format: what browsers, curl, OpenSSL (`-keylogfile`) and this program
//! (`--keylog`) write so that Wireshark can decrypt their sessions, and what `inspect` reads.
//!
//! ```text
//! # a comment
//! CLIENT_RANDOM <64 hex digits: ClientHello.random> <96 hex digits: the master secret>
//! RSA <16 hex digits: the first 8 bytes of the encrypted pre-master> <96 hex: the pre-master>
//! ```
//!
//! A TLS 1.2 session is opened by its `CLIENT_RANDOM` line: the master secret is all the key
//! schedule needs (RFC 5246 6.3), whatever the key exchange was. The other labels (`RSA`, and
//! TLS 1.3's `CLIENT_HANDSHAKE_TRAFFIC_SECRET` and the like) are counted and passed over.
//! A pcapng file may carry the same text in a Decryption Secrets Block.

use std::collections::HashMap;

use crate::error::Error;
use crate::phrase;

/// The master secrets of a key log, by client random.
#[derive(Clone, Debug, Default)]
pub struct KeyLog {
    secrets: HashMap<[u8; 32], [u8; 48]>,
    /// Lines with another label (RSA, TLS 1.3 secrets): read and passed over.
    other_lines: usize,
    /// Lines that are not key log lines (a line cut short while a browser was still writing
    /// the file, a stray word): passed over, as Wireshark does; the first is named.
    skipped: usize,
    first_skipped: Option<usize>,
}

impl KeyLog {
    /// An empty key log.
    pub fn new() -> Self {
        KeyLog::default()
    }

    /// Reads NSS key log text, adding its `CLIENT_RANDOM` lines. A line that is not a key log
    /// line is passed over and counted ([`KeyLog::skipped`]); text in which no line is one is
    /// refused, naming `source` and its first line ("line 3 of keys.txt: ...").
    pub fn add_text(&mut self, text: &str, source: &str) -> Result<(), Error> {
        let (mut read, mut first_bad) = (0usize, None);
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_ascii_whitespace();
            let (label, first, second) = (words.next(), words.next(), words.next());
            let secret = match (label, first, second) {
                (Some("CLIENT_RANDOM"), Some(random), Some(master)) => {
                    hex_array(random).zip(hex_array(master))
                }
                // Another label (RSA, CLIENT_HANDSHAKE_TRAFFIC_SECRET, ...): upper case.
                (Some(other), Some(_), Some(_)) if is_label(other) => {
                    self.other_lines += 1;
                    read += 1;
                    continue;
                }
                _ => None,
            };
            match secret {
                Some((random, master)) => {
                    self.secrets.insert(random, master);
                    read += 1;
                }
                None => {
                    self.skipped += 1;
                    first_bad.get_or_insert((number + 1, line.starts_with("CLIENT_RANDOM")));
                }
            }
        }
        match first_bad {
            Some((line, client_random)) if read == 0 => Err(Error::Config(if client_random {
                phrase!(
                    "line {} of {}: a CLIENT_RANDOM line holds 32 bytes of client random and 48 \
                     bytes of master secret, in hex",
                    line,
                    source.to_string()
                )
            } else {
                phrase!(
                    "line {} of {}: not a key log line (LABEL CLIENT_RANDOM SECRET)",
                    line,
                    source.to_string()
                )
            })),
            Some((line, _)) => {
                self.first_skipped.get_or_insert(line);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Adds every master secret of `other`.
    pub fn extend(&mut self, other: &KeyLog) {
        self.secrets
            .extend(other.secrets.iter().map(|(r, m)| (*r, *m)));
        self.other_lines += other.other_lines;
    }

    /// The master secret logged for the session whose ClientHello carried `client_random`.
    pub fn master_secret(&self, client_random: &[u8; 32]) -> Option<[u8; 48]> {
        self.secrets.get(client_random).copied()
    }

    /// How many sessions it holds a master secret for.
    pub fn len(&self) -> usize {
        self.secrets.len()
    }

    /// Whether it holds no master secret at all.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// Lines with labels other than CLIENT_RANDOM, passed over.
    pub fn other_lines(&self) -> usize {
        self.other_lines
    }

    /// Lines that were not key log lines, passed over: how many, and the number of the first
    /// (in the first text that had any).
    pub fn skipped(&self) -> (usize, Option<usize>) {
        (self.skipped, self.first_skipped)
    }
}

/// Whether `word` looks like a key log label: upper-case letters, digits and underscores.
fn is_label(word: &str) -> bool {
    word != "CLIENT_RANDOM"
        && word
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// `text` as exactly N bytes of hex, or `None`.
fn hex_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    hex::decode(text).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_client_random_lines_and_passes_over_the_rest() {
        let text = format!(
            "# SSL/TLS secrets log file\n\nRSA 0011223344556677 {}\nCLIENT_RANDOM {} {}\n",
            "ab".repeat(48),
            "01".repeat(32),
            "02".repeat(48)
        );
        let mut log = KeyLog::new();
        log.add_text(&text, "keys.txt").unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log.other_lines(), 1);
        assert_eq!(log.master_secret(&[1; 32]), Some([2; 48]));
        assert_eq!(log.master_secret(&[3; 32]), None);
    }

    #[test]
    fn a_bad_line_is_named_with_its_number_and_file() {
        let mut log = KeyLog::new();
        let e = log
            .add_text("CLIENT_RANDOM 0102 zz\n", "keys.txt")
            .unwrap_err();
        assert!(e.to_string().contains("line 1 of keys.txt"), "{e}");
        let e = log.add_text("\nhello\n", "k").unwrap_err();
        assert!(e.to_string().contains("line 2 of k"), "{e}");
    }

    #[test]
    fn a_bad_line_among_good_ones_is_passed_over_and_counted() {
        // A browser still writing its SSLKEYLOGFILE: the last line is cut short.
        let good = format!("CLIENT_RANDOM {} {}", "01".repeat(32), "02".repeat(48));
        let text = format!("{good}\nCLIENT_RANDOM {} 0203\nhello\n", "03".repeat(32));
        let mut log = KeyLog::new();
        log.add_text(&text, "keys.txt").unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log.skipped(), (2, Some(2)));
    }
}
