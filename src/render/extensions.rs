//! `docs/extensions.md`: every extension type this program knows, by number and name, with
//! its RFC and what the program does with it, generated from [`KNOWN_EXTENSIONS`]. For the
//! extensions it does not act on, the words are the very ones the trace prints beside the
//! extension's type ([`explain_field`]), so the page cannot say something the trace does not.
//! `tests/docs_vectors.rs` checks that the file is what this code writes today.

use std::fmt::Write;

use super::{Lang, explain_field, say_arg};
use crate::codec::FieldKind;
use crate::messages::extensions::{Handling, KNOWN_EXTENSIONS, is_grease};

/// What the trace says beside an `extension_type` field holding `ext_type`, in English.
fn trace_words(ext_type: u16) -> String {
    let arg = explain_field("extension_type", &FieldKind::Int(ext_type.into()), &[]);
    say_arg(Lang::En, &arg)
}

/// The whole of `docs/extensions.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Extensions: what tls12-sim does with each\n\
         \n\
         <!-- Generated from KNOWN_EXTENSIONS in src/messages/extensions.rs by\n\
         src/render/extensions.rs; tests/docs_vectors.rs checks it. Regenerate with\n\
         UPDATE_DOCS=1 cargo test --test docs_vectors -->\n\
         \n\
         A ClientHello or ServerHello may carry extensions (RFC 5246 7.4.1.4): a two-byte type,\n\
         then its data. This is every type the codec knows by number and name: the IANA registry\n\
         \"TLS ExtensionType Values\", and a few code points browsers send without registering\n\
         them. For each, the document that defines it and what this program does with it:\n\
         \n\
         - **acts on it**: it reads it with a decoder of its own, which checks the extension's\n\
         \x20 rules in the hello it is in (anything malformed is `decode_error`), and uses it;\n\
         - **reads and names it**: the trace names it and passes over it, in the words shown\n\
         \x20 (RFC 5246 7.4.1.4: a server ignores what it does not understand; our client never\n\
         \x20 offers these, so a ServerHello that carries one gets `unsupported_extension`);\n\
         - **ignores it**: a GREASE value or a number it does not know, skipped the same way.\n\
         \n\
         An extension of any type that appears twice in one hello is `illegal_parameter`.\n\
         \n\
         | number | hex | name | defined in | what tls12-sim does |\n\
         |---:|---|---|---|---|\n",
    );
    for info in KNOWN_EXTENSIONS {
        let does = match info.handling {
            Handling::ActedOn(does) => format!("**acts on it**: {does}"),
            Handling::PassedOver => format!("reads and names it: \"{}\"", trace_words(info.number)),
        };
        let _ = writeln!(
            out,
            "| {} | 0x{:04x} | `{}` | {} | {} |",
            info.number, info.number, info.name, info.rfc, does
        );
    }
    let grease: Vec<String> = (0..=u16::MAX)
        .filter(|&v| is_grease(v))
        .map(|v| format!("0x{v:04x}"))
        .collect();
    let _ = write!(
        out,
        "\n\
         And the rest:\n\
         \n\
         | numbers | what tls12-sim does |\n\
         |---|---|\n\
         | GREASE (RFC 8701 2): {} | ignores it: \"{}\" |\n\
         | any other, e.g. 0x1234 | ignores it: \"{}\" |\n",
        grease.join(", "),
        trace_words(0x0a0a),
        trace_words(0x1234)
    );
    out
}
