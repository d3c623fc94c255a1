//! Lab `cost`: what the private key's work costs next to the session keys', measured now.

use super::paragraph;
use crate::bench;
use crate::error::Error;
use crate::phrase;
use crate::render::{Lang, say};

/// The quick benchmark, between an explanation and its lesson. The explanation is in `lang`;
/// the measured figures (from [`bench::run`]) are in English.
pub fn cost(lang: Lang) -> Result<String, Error> {
    let mut text = format!("{}\n\n", say(lang, &phrase!("Lab: what things cost.")));
    let intro = [
        phrase!(
            "A handshake uses public-key crypto a few times (RSA decryption or signing with the \
             private key, X25519), then every record uses only AES-GCM with the session keys. \
             How do the two compare?"
        ),
        phrase!(
            "This machine measures both now, in one run, and reports ratios (a quick run: the \
             figures move by a few percent from run to run; `cargo bench` measures carefully)."
        ),
    ];
    for p in &intro {
        text.push_str(&paragraph(lang, "", 95, p));
    }
    text.push('\n');
    text.push_str(&bench::run(true)?);
    let lesson = phrase!(
        "The lesson: one private-key operation costs as much as encrypting megabytes with the \
         session keys."
    );
    text.push_str(&format!("\n{}\n", say(lang, &lesson)));
    let why = phrase!(
        "That is why TLS uses the private key once per handshake, to agree on symmetric keys, and \
         never for the data itself; and why resuming sessions (or TLS 1.3's PSK) saves servers \
         real work."
    );
    text.push_str(&paragraph(lang, "", 95, &why));
    Ok(text)
}
