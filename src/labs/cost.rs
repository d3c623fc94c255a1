//! Lab `cost`: what the private key's work costs next to the session keys', measured now.

use crate::bench;
use crate::error::Error;

/// The quick benchmark, between an explanation and its lesson.
pub fn cost() -> Result<String, Error> {
    let mut text = String::from(
        "Lab: what things cost.\n\n\
         A handshake uses public-key crypto a few times (RSA decryption or signing with the \
         private key,\n\
         X25519), then every record uses only AES-GCM with the session keys. How do the two \
         compare?\n\
         This machine measures both now, in one run, and reports ratios (a quick run: the \
         figures move\n\
         by a few percent from run to run; `cargo bench` measures carefully).\n\n",
    );
    text.push_str(&bench::run(true)?);
    text.push_str(
        "\nThe lesson: one private-key operation costs as much as encrypting megabytes with the \
         session keys.\n\
         That is why TLS uses the private key once per handshake, to agree on symmetric keys, \
         and never\n\
         for the data itself; and why resuming sessions (or TLS 1.3's PSK) saves servers real \
         work.\n",
    );
    Ok(text)
}
