//! Explanations that know what they say: an English pattern and the values that fill it.
//!
//! Every sentence the program shows a learner (a note in the trace, how a secret was derived,
//! why a handshake failed) is written in English where the work is done, with
//! [`phrase!`](crate::phrase!):
//!
//! ```
//! use tls12_sim::phrase;
//!
//! let p = phrase!("record of {} bytes, the limit is {}", 20000, 18432);
//! assert_eq!(p.to_string(), "record of 20000 bytes, the limit is 18432");
//! assert_eq!(p.pattern(), "record of {} bytes, the limit is {}");
//! ```
//!
//! The phrase keeps its pattern (a `&'static str` written in the source) and its values apart,
//! so a translation is an exact lookup of the pattern, never a re-reading of printed English
//! (`src/render/ja.rs` and its table `locales/ja.txt`). A value is either copied as it is in
//! every language ([`Arg::Verbatim`]: a number, hex, a name) or is itself a phrase, translated
//! in turn ([`Arg::Phrase`]: the reason inside "the connection fails here: {}").
//!
//! `tests/architecture.rs` reads every `phrase!` in `src/` and fails on a pattern that has no
//! Japanese.

use std::fmt;

/// An English pattern with `{}` placeholders, and the values that fill them, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phrase {
    pattern: &'static str,
    args: Vec<Arg>,
}

/// One value of a [`Phrase`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// Copied as it is in every language: a number, hex, a name, a certificate's subject.
    Verbatim(String),
    /// Words of their own, translated in turn.
    Phrase(Phrase),
}

/// A phrase: `phrase!("pattern with {} and {}", a, b)`. Each `{}` takes the next value; a
/// [`Phrase`] value is translated in turn, anything else is copied as it is (see [`Arg`]). The
/// number of values must match the number of `{}` (checked when compiling).
#[macro_export]
macro_rules! phrase {
    ($pattern:literal $(, $arg:expr)* $(,)?) => {{
        const _: () = assert!(
            $crate::phrase::placeholders($pattern) == <[&str]>::len(&[$(stringify!($arg)),*]),
            "phrase!: the pattern's placeholders and the values differ in number"
        );
        $crate::phrase::Phrase::new($pattern, vec![$($crate::phrase::Arg::from($arg)),*])
    }};
}

/// "yes" or "no", as a word of the trace (Japanese: あり, なし).
pub fn yes_no(yes: bool) -> Phrase {
    if yes { phrase!("yes") } else { phrase!("no") }
}

/// How many `{}` placeholders `pattern` has.
pub const fn placeholders(pattern: &str) -> usize {
    let bytes = pattern.as_bytes();
    let mut count = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'{' && bytes[i + 1] == b'}' {
            count += 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    count
}

impl Phrase {
    /// A phrase from its pattern and values. Write [`phrase!`](crate::phrase!) instead:
    /// `tests/architecture.rs` reads the patterns of `phrase!` only, to check that each has its
    /// Japanese.
    #[doc(hidden)]
    pub fn new(pattern: &'static str, args: Vec<Arg>) -> Self {
        Phrase { pattern, args }
    }

    /// The English pattern, as written in the source: the key of every translation.
    pub fn pattern(&self) -> &'static str {
        self.pattern
    }

    /// The values, in the order of the pattern's `{}`.
    pub fn args(&self) -> &[Arg] {
        &self.args
    }

    /// The phrase in another language. `template` gives, for a pattern, its translation with
    /// `{0}`, `{1}`, ... where the values go (in any order); `None` when the phrase or any phrase
    /// inside it has no translation.
    pub fn translate(
        &self,
        template: &dyn Fn(&'static str) -> Option<&'static str>,
    ) -> Option<String> {
        let target = template(self.pattern)?;
        let mut values = Vec::with_capacity(self.args.len());
        for arg in &self.args {
            values.push(match arg {
                Arg::Verbatim(text) => text.clone(),
                Arg::Phrase(inner) => inner.translate(template)?,
            });
        }
        Some(fill_numbered(target, &values))
    }
}

/// The English: the pattern with each `{}` replaced by its value's English.
impl fmt::Display for Phrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut args = self.args.iter();
        let mut rest = self.pattern;
        while let Some(at) = rest.find("{}") {
            f.write_str(&rest[..at])?;
            match args.next() {
                Some(arg) => write!(f, "{arg}")?,
                None => f.write_str("{}")?,
            }
            rest = &rest[at + 2..];
        }
        f.write_str(rest)
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Verbatim(text) => f.write_str(text),
            Arg::Phrase(phrase) => write!(f, "{phrase}"),
        }
    }
}

/// A trace's JSON carries the English.
impl serde::Serialize for Phrase {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `template` with `{0}`, `{1}`, ... replaced by `values`. (Not with `str::replace`: a value
/// may itself contain "{1}", in application data for instance.)
fn fill_numbered(template: &str, values: &[String]) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let number = after
            .find('}')
            .and_then(|close| Some((close, after[..close].parse::<usize>().ok()?)));
        match number {
            Some((close, n)) if n < values.len() => {
                out.push_str(&values[n]);
                rest = &after[close + 1..];
            }
            // Not a placeholder: the brace as it is.
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl From<Phrase> for Arg {
    fn from(phrase: Phrase) -> Self {
        Arg::Phrase(phrase)
    }
}

impl From<&Phrase> for Arg {
    fn from(phrase: &Phrase) -> Self {
        Arg::Phrase(phrase.clone())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Arg::Verbatim(text)
    }
}

impl From<&String> for Arg {
    fn from(text: &String) -> Self {
        Arg::Verbatim(text.clone())
    }
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Arg::Verbatim(text.to_string())
    }
}

impl From<&&str> for Arg {
    fn from(text: &&str) -> Self {
        Arg::Verbatim((*text).to_string())
    }
}

macro_rules! verbatim_numbers {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(value: $t) -> Self {
                Arg::Verbatim(value.to_string())
            }
        }
    )*};
}
verbatim_numbers!(u8, u16, u32, u64, usize, i32, i64);

#[cfg(test)]
mod tests {
    use super::*;

    fn ja(pattern: &'static str) -> Option<&'static str> {
        match pattern {
            "the connection fails here: {}" => Some("ここで接続が失敗する: {0}"),
            "received {} where {} was expected" => {
                Some("{1} が来るはずのところで {0} を受け取った")
            }
            "no certificate" => Some("証明書がない"),
            _ => None,
        }
    }

    #[test]
    fn english_fills_the_pattern_in_order() {
        let p = phrase!(
            "received {} where {} was expected",
            "ServerHello",
            "Certificate"
        );
        assert_eq!(
            p.to_string(),
            "received ServerHello where Certificate was expected"
        );
        assert_eq!(phrase!("no values").to_string(), "no values");
    }

    #[test]
    fn a_translation_may_reorder_and_translates_inner_phrases() {
        let p = phrase!(
            "received {} where {} was expected",
            "ServerHello",
            "Certificate"
        );
        assert_eq!(
            p.translate(&ja).as_deref(),
            Some("Certificate が来るはずのところで ServerHello を受け取った")
        );
        let outer = phrase!("the connection fails here: {}", phrase!("no certificate"));
        assert_eq!(
            outer.translate(&ja).as_deref(),
            Some("ここで接続が失敗する: 証明書がない")
        );
        // An inner phrase without a translation: none at all, rather than half of one.
        let half = phrase!("the connection fails here: {}", phrase!("something new"));
        assert_eq!(half.translate(&ja), None);
    }

    #[test]
    fn a_value_with_braces_is_copied_as_it_is() {
        let p = phrase!("the connection fails here: {}", "{1}{0}");
        assert_eq!(
            p.translate(&ja).as_deref(),
            Some("ここで接続が失敗する: {1}{0}")
        );
        assert_eq!(p.to_string(), "the connection fails here: {1}{0}");
    }

    #[test]
    fn placeholders_are_counted() {
        assert_eq!(placeholders("a {} b {}{}"), 3);
        assert_eq!(placeholders("{0} {"), 0);
    }
}
