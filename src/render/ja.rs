//! Japanese explanations (`--lang ja`), from the table in `locales/ja.txt`.
//!
//! Every explanation is a [`Phrase`]: an English pattern written where the work is done
//! (`client.rs`, `server.rs`, ...) and the values that fill it. The table pairs each pattern
//! with its Japanese; a translation is an exact lookup of the pattern, then the values put in
//! place (`{0}` is the first value, `{1}` the second: Japanese often puts them in another
//! order). A value that is itself a phrase (the reason inside "the connection fails here: {}")
//! is translated in turn.
//!
//! The table is a text file so that a teacher can change a word without reading Rust:
//!
//! ```text
//! en: the client offers: {}
//! ja: クライアントが提案する暗号スイート: {0}
//! ```
//!
//! What stays as the RFCs write it, in both languages: field names (`client_random`,
//! `pre_master_secret`), message names (`ClientHello`), alert names (`bad_certificate`), suite
//! names, hex, and RFC section numbers. The words follow the Japanese articles the lessons come
//! from: 秘密鍵 (プライベートキー), 公開鍵 (パブリックキー), 証明書, セッション鍵 (共通鍵),
//! pre-master secret, 署名, 暗号化, 復号.
//!
//! `tests/architecture.rs` lists every pattern in `src/` and fails on one the table lacks, on
//! an entry no code uses, and on a Japanese that drops or invents a value.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::phrase::Phrase;

/// The table as written: `en:` and `ja:` lines in pairs, `#` comments, blank lines.
pub const TABLE_TEXT: &str = include_str!("../../locales/ja.txt");

/// One entry of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The English pattern, exactly as the code's `phrase!` writes it.
    pub english: &'static str,
    /// Its Japanese, with `{0}`, `{1}`, ... for the values.
    pub japanese: &'static str,
    /// The line of the `en:` in the file, for messages about it.
    pub line: usize,
}

/// Reads the table's text: its entries, or the first line that is not in the format.
pub fn parse(text: &'static str) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    let mut pending: Option<(&'static str, usize)> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        match (
            line.strip_prefix("en: "),
            line.strip_prefix("ja: "),
            pending,
        ) {
            (Some(english), _, None) => pending = Some((english, number)),
            (_, Some(japanese), Some((english, line))) => {
                entries.push(Entry {
                    english,
                    japanese,
                    line,
                });
                pending = None;
            }
            _ => {
                return Err(format!(
                    "locales/ja.txt line {number}: expected {}, found {line:?}",
                    if pending.is_some() {
                        "\"ja: ...\""
                    } else {
                        "\"en: ...\""
                    }
                ));
            }
        }
    }
    match pending {
        Some((_, line)) => Err(format!(
            "locales/ja.txt line {line}: an en: without its ja:"
        )),
        None => Ok(entries),
    }
}

/// The table, read once: English pattern -> Japanese.
fn table() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        parse(TABLE_TEXT)
            .unwrap_or_default()
            .into_iter()
            .map(|entry| (entry.english, entry.japanese))
            .collect()
    })
}

/// The Japanese of a pattern, with `{0}`, `{1}`, ... for its values.
pub fn template(pattern: &str) -> Option<&'static str> {
    table().get(pattern).copied()
}

/// `phrase` in Japanese; `None` when the table lacks it or a phrase inside it.
pub fn translate(phrase: &Phrase) -> Option<String> {
    phrase.translate(&|pattern| template(pattern))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phrase;

    #[test]
    fn the_table_parses() {
        let entries = parse(TABLE_TEXT).unwrap();
        assert!(entries.len() > 200, "{}", entries.len());
    }

    #[test]
    fn values_go_where_the_japanese_says() {
        let p = phrase!(
            "key_block[{}..{}]: AES-{} key, server to client",
            16,
            32,
            128
        );
        assert_eq!(
            translate(&p).as_deref(),
            Some("key_block[16..32]: AES-128 の鍵、サーバーからクライアントへの向き")
        );
        let p = phrase!(
            "received {} where {} was expected",
            "ServerHello",
            "Certificate"
        );
        assert_eq!(
            translate(&p).as_deref(),
            Some("Certificate が来るはずのところで ServerHello を受け取った")
        );
    }

    #[test]
    fn a_phrase_inside_is_translated_in_turn() {
        let p = phrase!("the connection fails here: {}", phrase!("no certificate"));
        assert_eq!(
            translate(&p).as_deref(),
            Some("ここで接続が失敗する: 証明書がない")
        );
        let unknown = phrase!("the connection fails here: {}", phrase!("something new"));
        assert_eq!(translate(&unknown), None);
    }

    #[test]
    fn malformed_tables_are_refused_with_the_line() {
        assert!(parse("en: a\nen: b\n").unwrap_err().contains("line 2"));
        assert!(parse("ja: a\n").unwrap_err().contains("line 1"));
        assert!(parse("en: a\n").unwrap_err().contains("line 1"));
        assert_eq!(parse("# c\n\nen: a\nja: あ\n").unwrap().len(), 1);
    }
}
