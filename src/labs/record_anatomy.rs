//! Lab `gcm-vs-cbc`: one GCM record and one CBC record (in both CBC orders) side by side: which
//! bytes are authenticated, and where the receiver's check happens, before or after it
//! decrypts.
//!
//! The client sends the same 16 bytes in three seeded sessions; the lab takes the record from
//! the client's own trace, with its GCM or CBC details, and cuts it into its fields.

use std::fmt::Write as _;

use super::paragraph;
use crate::error::Error;
use crate::event::Event;
use crate::phrase;
use crate::phrase::Phrase;
use crate::render::{Lang, say};
use crate::rng::Side;
use crate::simulate::{self, Options};
use crate::suites::CipherSuite;

/// What the client sends in each session.
pub const MESSAGE: &[u8] = b"transfer 100 EUR";

/// One field of a record: its name, its bytes, and whether the receiver's check covers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnatomyField {
    /// `header`, `explicit_nonce`, `iv`, `ciphertext`, `tag`, `mac`.
    pub name: &'static str,
    /// Its bytes on the wire.
    pub bytes: Vec<u8>,
    /// Whether its value is covered by the tag or MAC (directly, or as part of the nonce).
    pub authenticated: bool,
}

/// One record, cut into its fields.
#[derive(Clone, Debug)]
pub struct Anatomy {
    /// The suite.
    pub suite: CipherSuite,
    /// With CBC: encrypt-then-MAC (RFC 7366) if true.
    pub encrypt_then_mac: bool,
    /// The fields, in wire order.
    pub fields: Vec<AnatomyField>,
    /// Whether the receiver checks the tag or MAC before it decrypts anything.
    pub checked_before_decrypting: bool,
    /// With MAC-then-encrypt: bytes inside the ciphertext that no MAC covers (the padding).
    pub unauthenticated_padding: usize,
}

/// What the `gcm-vs-cbc` lab showed.
pub struct RecordAnatomy {
    /// GCM, CBC MAC-then-encrypt, CBC encrypt-then-MAC.
    pub records: Vec<Anatomy>,
    /// The printed lesson (`tls12-sim lab gcm-vs-cbc`).
    pub text: String,
}

/// The client's application-data record of a seeded session, as the client traced it.
fn client_record(suite: CipherSuite, encrypt_then_mac: bool) -> Result<Anatomy, Error> {
    let options = Options {
        suite,
        seed: 23,
        encrypt_then_mac,
        client_message: MESSAGE.to_vec(),
        ..Options::default()
    };
    let report = simulate::run(&options)?;
    let record = report.events.into_iter().find_map(|e| match e {
        Event::Record {
            side: Side::Client,
            from: Side::Client,
            content_type: 23,
            wire,
            gcm,
            cbc,
            ..
        } => Some((wire, gcm.is_some(), cbc)),
        _ => None,
    });
    let Some((wire, _, cbc)) = record else {
        return Err(Error::Config(phrase!(
            "the lab could not find the client's record"
        )));
    };
    let cut = |from: usize, to: usize| wire[from.min(wire.len())..to.min(wire.len())].to_vec();
    let field = |name, from, to, authenticated| AnatomyField {
        name,
        bytes: cut(from, to),
        authenticated,
    };
    let len = wire.len();
    Ok(match cbc {
        None => Anatomy {
            suite,
            encrypt_then_mac: false,
            fields: vec![
                field("header", 0, 5, true),
                field("explicit_nonce", 5, 13, true),
                field("ciphertext", 13, len - 16, true),
                field("tag", len - 16, len, true),
            ],
            checked_before_decrypting: true,
            unauthenticated_padding: 0,
        },
        Some(cbc) if cbc.encrypt_then_mac => Anatomy {
            suite,
            encrypt_then_mac: true,
            fields: vec![
                field("header", 0, 5, true),
                field("iv", 5, 21, true),
                field("ciphertext", 21, len - cbc.mac.len(), true),
                field("mac", len - cbc.mac.len(), len, true),
            ],
            checked_before_decrypting: true,
            unauthenticated_padding: 0,
        },
        Some(cbc) => Anatomy {
            suite,
            encrypt_then_mac: false,
            fields: vec![
                field("header", 0, 5, true),
                // The IV is not MACed: it only changes the first block's plaintext, which is.
                field("iv", 5, 21, false),
                field("ciphertext", 21, len, true),
            ],
            checked_before_decrypting: false,
            unauthenticated_padding: cbc.padding.len(),
        },
    })
}

/// What a field is, in words: in the clear or encrypted, and what covers it.
fn field_meaning(record: &Anatomy, field: &AnatomyField) -> Phrase {
    match (field.name, record.encrypt_then_mac) {
        ("header", _) => phrase!(
            "in the clear; authenticated, with the sequence number (never sent) in front of it"
        ),
        ("explicit_nonce", _) => {
            phrase!("in the clear; authenticated as part of the nonce (another nonce, another tag)")
        }
        ("iv", true) => phrase!("in the clear; authenticated: the MAC covers it"),
        ("iv", false) => phrase!(
            "in the clear; NOT authenticated itself (it changes the first plaintext block, which \
             the MAC covers)"
        ),
        ("tag", _) => phrase!("the check: GHASH over the AAD and the ciphertext, encrypted"),
        ("mac", _) => phrase!("the check: HMAC over the header, the IV and the ciphertext"),
        (_, _) if record.suite.is_cbc() && !record.encrypt_then_mac => phrase!(
            "content + MAC + padding, encrypted; the MAC covers the content only: the {} \
             bytes of padding are covered by nothing",
            record.unauthenticated_padding
        ),
        (_, true) => phrase!("content + padding, encrypted; covered by the MAC after it"),
        (_, _) => phrase!("the content, encrypted; covered by the tag"),
    }
}

/// The receiver's steps for a record, in order.
fn receiver_steps(record: &Anatomy) -> Phrase {
    match (record.suite.is_cbc(), record.encrypt_then_mac) {
        (false, _) => phrase!(
            "The receiver: 1. computes the tag over the AAD and the ciphertext, 2. compares it, \
             3. only then decrypts. Nothing unauthenticated is ever decrypted."
        ),
        (true, true) => phrase!(
            "The receiver: 1. computes the MAC over the header, the IV and the ciphertext, 2. \
             compares it, 3. only then decrypts and removes the padding."
        ),
        (true, false) => phrase!(
            "The receiver: 1. decrypts everything, 2. checks and removes the padding, bytes \
             nobody has authenticated, 3. computes the MAC over the content, 4. compares it. The \
             check comes last: between 2 and 4 is where the padding oracle lives."
        ),
    }
}

/// Runs the lab, in `lang`.
pub fn record_anatomy(lang: Lang) -> Result<RecordAnatomy, Error> {
    let records = vec![
        client_record(CipherSuite::RsaAes128GcmSha256, false)?,
        client_record(CipherSuite::RsaAes128CbcSha, false)?,
        client_record(CipherSuite::RsaAes128CbcSha, true)?,
    ];
    let mut text = format!(
        "{}\n\n",
        say(
            lang,
            &phrase!("Lab: a GCM record and a CBC record, side by side.")
        )
    );
    let introduction = phrase!(
        "The client sends the same 16 bytes, {}, in three sessions: AES-GCM, then AES-CBC with \
         HMAC-SHA1 in each order. Which bytes does the receiver's check cover, and does it check \
         before or after it decrypts?",
        format!("{:?}", String::from_utf8_lossy(MESSAGE))
    );
    text.push_str(&paragraph(lang, "", 96, &introduction));
    for record in &records {
        let order = match (record.suite.is_cbc(), record.encrypt_then_mac) {
            (false, _) => "AES-GCM, RFC 5288",
            (true, true) => "encrypt-then-MAC, RFC 7366",
            (true, false) => "MAC-then-encrypt, RFC 5246 6.2.3.2",
        };
        let size: usize = record.fields.iter().map(|f| f.bytes.len()).sum();
        let title = phrase!("{} ({}), {} bytes", record.suite.name(), order, size);
        let _ = writeln!(text, "\n--- {} ---", say(lang, &title));
        for field in &record.fields {
            let head = &field.bytes[..field.bytes.len().min(6)];
            let shown = say(
                lang,
                &phrase!("{} .. ({} bytes)", hex::encode(head), field.bytes.len()),
            );
            let meaning = say(lang, &field_meaning(record, field));
            let pad = " ".repeat(28usize.saturating_sub(shown.chars().count()));
            let _ = writeln!(text, "  {shown}{pad} {:<15} {meaning}", field.name);
        }
        text.push_str(&paragraph(lang, "  ", 100, &receiver_steps(record)));
    }
    let lesson = phrase!(
        "The lesson: GCM and encrypt-then-MAC authenticate every byte they will decrypt, and \
         check before they decrypt. MAC-then-encrypt authenticates the content but not the \
         padding around it, and can only check after decrypting: the padding oracle's opening \
         (`tls12-sim lab padding-oracle`)."
    );
    text.push('\n');
    text.push_str(&paragraph(lang, "", 95, &lesson));
    Ok(RecordAnatomy { records, text })
}
