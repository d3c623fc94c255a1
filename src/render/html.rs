//! The trace as one self-contained web page (`--format html`): a ladder diagram of the run on
//! top ([`super::ladder`]), then the records of the run in order, each expanding to its bytes
//! with every byte range labelled by its field, the derived values with the computation that made
//! them, and the key ledger beside them.
//!
//! No network fetches: the CSS, the diagram's SVG and the little JavaScript (expand/collapse,
//! highlight a field's bytes, open the record an arrow of the diagram links to) are inline. The
//! page is built from [`Event`]s only, so it works for a simulated run (both sides traced) and
//! for one side of a `serve`/`connect` run alike.

use std::fmt::Write as _;

use super::ladder::render_ladder;
use super::parts::{
    CbcHex, Derived, FieldView, GcmHex, TracedRecord, alert_fields, alert_in, cbc_blocks,
    cbc_layout, cbc_order, esc, flight_steps, gcm_layout, labelled_fields, quoted,
};
use super::{
    Event, GcmDetails, Key, Lang, MessageQueues, TracedMessage, check_of, content_type_name,
    failure_note, key_ledger, say, say_arg, traced_by_both_sides,
};
use crate::event::CbcDetails;
use crate::messages::alert::{AlertDescription, AlertLevel};
use crate::messages::version_name;
use crate::phrase;
use crate::phrase::Phrase;
use crate::rng::Side;

/// What the page says about the run, above the records.
pub struct HtmlPage<'a> {
    /// The page's title and heading.
    pub title: &'a str,
    /// (what, value) lines: suite, seed, clock, ...
    pub facts: Vec<(String, String)>,
    /// The outcome, one sentence.
    pub outcome: String,
    /// Whether the run succeeded (the outcome is shown green, else red).
    pub ok: bool,
    /// The language of the page's words and explanations.
    pub lang: Lang,
}

/// The page's own words, in the page's language (the table in `locales/ja.txt` has them).
/// Field names, message names and RFC terms stay as in the RFCs.
fn ui(lang: Lang, words: Phrase) -> String {
    say(lang, &words)
}

/// The page: the run's facts and outcome, the records and the events between them, and the
/// key ledger beside them.
pub fn render_html(events: &[Event], page: &HtmlPage<'_>) -> String {
    let ladder = render_ladder(events, page.lang);
    let body = render_body(events, page.lang);
    let ledger = render_ledger(events, page.lang);
    page_html(page, &ladder, &body, &ledger)
}

/// The page around its `ladder` diagram, `body` and `ledger`: head, styles, the run's facts,
/// the script.
fn page_html(page: &HtmlPage<'_>, ladder: &str, body: &str, ledger: &str) -> String {
    let lang = page.lang;
    let mut facts = String::new();
    for (what, value) in &page.facts {
        let _ = write!(facts, "<dt>{}</dt><dd>{}</dd>", esc(what), esc(value));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang_code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n\
         <header><h1>{title}</h1><dl class=\"facts\">{facts}</dl>\
         <p class=\"outcome {outcome_class}\" id=\"outcome\"><b>{outcome_word}:</b> {outcome}</p>\
         <p class=\"help\">{help} <button id=\"expand\">{expand}</button> \
         <button id=\"collapse\">{collapse}</button></p></header>\n\
         <div class=\"layout\">\n<main id=\"records\"><h2 class=\"section\">{glance}</h2>\n\
         <div class=\"ladder\">{ladder}<p class=\"help\">{click}</p></div>\n\
         <h2 class=\"section\">{records}</h2>\n{body}</main>\n\
         <aside id=\"ledger\">{ledger}</aside>\n</div>\n<script>\n{JS}</script>\n</body>\n</html>\n",
        lang_code = if lang == Lang::Ja { "ja" } else { "en" },
        title = esc(page.title),
        outcome_class = if page.ok { "ok" } else { "fail" },
        outcome_word = ui(lang, phrase!("Outcome")),
        outcome = esc(&page.outcome),
        help = ui(
            lang,
            phrase!("Hover over a field to see its bytes; click a record to expand it.")
        ),
        expand = ui(lang, phrase!("expand all")),
        collapse = ui(lang, phrase!("collapse all")),
        glance = ui(lang, phrase!("The run at a glance")),
        click = ui(
            lang,
            phrase!("One arrow per message, in wire order; click an arrow to open its record.")
        ),
        records = ui(lang, phrase!("Records on the wire")),
    )
}

/// The records on the wire and the events between them, in order; each kind of event has its
/// function below. In a simulation both sides log every record, message and alert (one as
/// sender, one as receiver): the page shows the sender's account, and the receiver's of
/// application data (the plaintext it read). A `serve`/`connect` trace has one side only: it
/// shows everything.
fn render_body(events: &[Event], lang: Lang) -> String {
    let simulated = traced_by_both_sides(events);
    let mut messages = MessageQueues::new(events, simulated);
    let mut body = String::new();
    let mut records = 0;
    for event in events {
        match event {
            Event::Flight {
                side,
                call,
                reads,
                sends,
            } => flight_heading(&mut body, *side, call, reads, sends, lang),
            Event::Record { .. } => {
                if let Some(record) = TracedRecord::of(event).filter(|r| !simulated || r.sent()) {
                    records += 1;
                    body.push_str(&record_card(records, &record, &mut messages, lang));
                }
            }
            // Shown inside the record that carries it.
            Event::Message { .. } => {}
            Event::Secret { .. } | Event::Value { .. } => {
                if let Some(derived) = Derived::of(event) {
                    derived_block(&mut body, &derived, lang);
                }
            }
            Event::KeyUse {
                side,
                key,
                operation,
            } => key_use_block(&mut body, *side, *key, operation, lang),
            Event::Check { .. } | Event::ChainCheck { .. } => {
                if let Some((side, what, ok)) = check_of(event) {
                    check_block(&mut body, side, &what, ok, lang);
                }
            }
            Event::Note { side, text } => note_block(&mut body, *side, text, lang),
            Event::Failure { side, error, .. } => {
                note_block(&mut body, *side, &failure_note(error), lang);
            }
            Event::Alert {
                side,
                from,
                level,
                description,
            } if !simulated || side == from => {
                alert_block(&mut body, *from, *level, *description, lang)
            }
            Event::AppData {
                side, from, data, ..
            } if !simulated || side != from => app_data_block(&mut body, *side, *from, data, lang),
            Event::Alert { .. } | Event::AppData { .. } => {}
        }
    }
    body
}

/// A flight: the method's name, and what the side reads and sends.
fn flight_heading(out: &mut String, side: Side, call: &str, reads: &str, sends: &str, lang: Lang) {
    // A method is shown called; a recorded flight (`inspect`) by its name.
    let (call, parens) = if call.contains(' ') {
        let recorded = phrase!("recorded {} flight", side.phrase());
        (ui(lang, recorded), "")
    } else {
        (call.to_string(), "()")
    };
    let _ = write!(
        out,
        "<h2 class=\"flight {}\"><code>{}{parens}</code>",
        side.name(),
        esc(&call)
    );
    for (does, messages) in flight_steps(reads, sends) {
        let _ = write!(
            out,
            " <span class=\"io\">{}: {}</span>",
            ui(lang, does.word()),
            esc(messages)
        );
    }
    out.push_str("</h2>\n");
}

/// A side's name as the page shows it ("client", クライアント).
fn who(lang: Lang, side: Side) -> String {
    say(lang, &side.phrase())
}

/// A secret or a derived value: its name, who derived it, its hex and how it was made.
fn derived_block(out: &mut String, derived: &Derived<'_>, lang: Lang) {
    let _ = writeln!(
        out,
        "<div class=\"derived {} {}\"><span class=\"kind\">{}</span> <b>{}</b> \
         <span class=\"who\">({})</span> = <code class=\"hex\">{}</code>\
         <div class=\"how\">{}</div></div>",
        derived.kind(),
        derived.side.name(),
        ui(lang, derived.kind_word()),
        esc(derived.name),
        who(lang, derived.side),
        hex::encode(derived.value),
        esc(&say(lang, derived.how))
    );
}

/// A use of a key, for the key ledger.
fn key_use_block(out: &mut String, side: Side, key: Key, operation: &Phrase, lang: Lang) {
    let _ = writeln!(
        out,
        "<div class=\"keyuse {}\"><span class=\"badge\">KEY</span> <b>{}</b> {} <b>{}</b>: {}</div>",
        side.name(),
        who(lang, side),
        ui(lang, phrase!("uses the")),
        esc(&say(lang, &key.name())),
        esc(&say(lang, operation)),
    );
}

/// A check and its outcome.
fn check_block(out: &mut String, side: Side, what: &Phrase, ok: bool, lang: Lang) {
    let _ = writeln!(
        out,
        "<div class=\"check {}\">{} {}: {}</div>",
        if ok { "ok" } else { "fail" },
        if ok { "✔" } else { "✘" },
        who(lang, side),
        esc(&say(lang, what))
    );
}

/// A note: who says what.
fn note_block(out: &mut String, side: Side, text: &Phrase, lang: Lang) {
    let _ = writeln!(
        out,
        "<div class=\"note\">{}: {}</div>",
        who(lang, side),
        esc(&say(lang, text))
    );
}

/// An alert, from its sender to its receiver.
fn alert_block(
    out: &mut String,
    from: Side,
    level: AlertLevel,
    description: AlertDescription,
    lang: Lang,
) {
    let _ = writeln!(
        out,
        "<div class=\"alert {}\">⚠ {} → {}: alert {} {} ({})</div>",
        level.name(),
        who(lang, from),
        who(lang, from.peer()),
        level.name(),
        description.name(),
        description.code()
    );
}

/// Application data, as its receiver read it (or, in one side's trace, as that side saw it).
fn app_data_block(out: &mut String, side: Side, from: Side, data: &[u8], lang: Lang) {
    let _ = writeln!(
        out,
        "<div class=\"appdata\">{} {} → {}: <q>{}</q></div>",
        ui(lang, phrase!("application data")),
        who(lang, from),
        who(lang, side),
        esc(&String::from_utf8_lossy(data))
    );
}

/// A labelled byte range within a record card.
struct Range {
    /// Offset of its first byte in the bytes shown.
    start: usize,
    /// Number of bytes.
    len: usize,
    /// Nesting depth: 0 for the record's own fields.
    depth: usize,
    /// The field's label.
    label: String,
    /// What the bytes mean, in the page's language.
    meaning: String,
}

/// One record as a `<details>` card: summary line; bytes with labelled ranges; field table;
/// for a protected record, the GCM computation and the decrypted plaintext's fields; the RFC
/// sections of the messages it carries.
fn record_card(
    number: usize,
    record: &TracedRecord<'_>,
    messages: &mut MessageQueues<'_>,
    lang: Lang,
) -> String {
    let carried = if record.carries_messages() {
        messages.carried_by(record.from, record.plaintext())
    } else {
        Vec::new()
    };
    let mut out = record_summary(number, record, &carried, lang);
    let mut ranges = header_ranges(record, lang);
    match (record.gcm, record.cbc) {
        (Some(gcm), _) => ranges.extend(gcm_ranges(record.fragment(), gcm, lang)),
        (None, Some(cbc)) => ranges.extend(cbc_ranges(record.fragment(), cbc, lang)),
        (None, None) => ranges.extend(content_ranges(record, &carried, 5, lang)),
    }
    let id = format!("r{number}");
    let _ = writeln!(out, "<h4>{}</h4>", ui(lang, phrase!("Bytes on the wire")));
    out.push_str(&labelled_bytes(record.wire, &ranges, &id));
    out.push_str(&field_table(record.wire, &ranges, &id, lang));
    if record.protected() {
        match (record.gcm, record.cbc) {
            (Some(gcm), _) => out.push_str(&gcm_computation(record.from, gcm, lang)),
            (None, Some(cbc)) => out.push_str(&cbc_computation(record, cbc, lang)),
            (None, None) => {}
        }
        let _ = writeln!(out, "<h4>{}</h4>", ui(lang, phrase!("Decrypted plaintext")));
        let inner = content_ranges(record, &carried, 0, lang);
        let id = format!("r{number}p");
        out.push_str(&labelled_bytes(record.plaintext(), &inner, &id));
        out.push_str(&field_table(record.plaintext(), &inner, &id, lang));
    }
    for (_, message) in &carried {
        let _ = writeln!(
            out,
            "<p class=\"rfc\">{}: {}</p>",
            esc(message.name),
            esc(message.rfc)
        );
    }
    out.push_str("</details>\n");
    out
}

/// The card's summary line (and its opening tag): number, direction, what the record carries,
/// its content type, version, size and whether it is protected.
fn record_summary(
    number: usize,
    record: &TracedRecord<'_>,
    carried: &[(usize, TracedMessage<'_>)],
    lang: Lang,
) -> String {
    format!(
        "<details class=\"record {from}\" id=\"record-{n}\"><summary><span class=\"num\">#{n}</span> \
         <span class=\"dir\">{from} → {to}</span> <span class=\"what\">{what}</span> \
         <span class=\"meta\">{ct} · {version} · {len} {bytes} · {prot}</span></summary>\n",
        n = number,
        from = record.from.name(),
        to = record.from.peer().name(),
        what = esc(&record_what(record, carried, lang)),
        ct = content_type_name(record.content_type),
        version = esc(&version_name(record.version)),
        len = record.wire.len(),
        bytes = ui(lang, phrase!("bytes")),
        prot = if record.protected() {
            ui(lang, phrase!("protected"))
        } else {
            ui(lang, phrase!("in the clear"))
        },
    )
}

/// What a record carries, in a few words: its messages' names, the alert, application data.
fn record_what(
    record: &TracedRecord<'_>,
    carried: &[(usize, TracedMessage<'_>)],
    lang: Lang,
) -> String {
    let names: Vec<&str> = carried.iter().map(|(_, m)| m.name).collect();
    match record.content_type {
        21 => match alert_in(record.plaintext()) {
            Some((level, description)) => {
                format!("alert {} {}", level.name(), description.name())
            }
            None => "alert".into(),
        },
        23 => ui(lang, phrase!("application data")),
        _ if names.is_empty() => content_type_name(record.content_type),
        _ => names.join(", "),
    }
}

/// The ranges of the record header: content type, version, length.
fn header_ranges(record: &TracedRecord<'_>, lang: Lang) -> Vec<Range> {
    let range = |start, len, label: &str, meaning| Range {
        start,
        len,
        depth: 0,
        label: label.into(),
        meaning,
    };
    let version = version_name(record.version);
    let version_meaning = if record.version == 0x0301 && record.content_type == 22 {
        ui(
            lang,
            phrase!(
                "{} (the record layer's compatibility value for a first ClientHello, RFC 5246 \
                 Appendix E.1)",
                version
            ),
        )
    } else {
        version
    };
    let content_type = record.content_type;
    vec![
        range(
            0,
            1,
            "content_type",
            format!("{} ({content_type})", content_type_name(content_type)),
        ),
        range(1, 2, "version", version_meaning),
        range(
            3,
            2,
            "length",
            ui(lang, phrase!("{} bytes follow", record.fragment().len())),
        ),
    ]
}

/// The ranges of a protected fragment: explicit nonce, ciphertext, tag.
fn gcm_ranges(fragment: &[u8], gcm: &GcmDetails, lang: Lang) -> Vec<Range> {
    let layout = gcm_layout(fragment.len());
    let range = |at: std::ops::Range<usize>, label: &str, meaning| Range {
        start: 5 + at.start,
        len: at.len(),
        depth: 0,
        label: label.into(),
        meaning,
    };
    let body = layout.ciphertext.len();
    vec![
        range(
            layout.explicit_nonce,
            "explicit_nonce",
            ui(lang, phrase!("seq {}", gcm.seq)),
        ),
        range(
            layout.ciphertext,
            "ciphertext",
            ui(lang, phrase!("{} bytes of AES-GCM ciphertext", body)),
        ),
        range(
            layout.tag,
            "tag",
            ui(lang, phrase!("GCM authentication tag")),
        ),
    ]
}

/// How the record was sealed: the nonce, the additional data, and AES-GCM-Seal.
fn gcm_computation(from: Side, gcm: &GcmDetails, lang: Lang) -> String {
    let hex = GcmHex::of(gcm);
    format!(
        "<h4>{}</h4><div class=\"gcm\">\
         <div>nonce = {iv} (<i>{from}_write_iv</i>, {implicit}) ‖ {explicit} ({explicit_word}) = \
         <code class=\"hex\">{nonce}</code></div>\
         <div>additional_data = seq_num ‖ type ‖ version ‖ length = <code class=\"hex\">{aad}</code></div>\
         <div>AES-GCM-Seal(<i>{from}_write_key</i>, nonce, plaintext, additional_data) → \
         ciphertext ‖ tag <code class=\"hex\">{tag}</code></div></div>\n",
        ui(lang, phrase!("AES-GCM protection")),
        implicit = ui(lang, phrase!("implicit")),
        explicit_word = ui(lang, phrase!("explicit")),
        iv = hex.implicit_iv,
        explicit = hex.explicit_nonce,
        nonce = hex.nonce,
        aad = hex.aad,
        tag = hex.tag,
        from = from.name(),
    )
}

/// The ranges of a CBC fragment: IV, ciphertext, and the MAC after it (encrypt-then-MAC).
fn cbc_ranges(fragment: &[u8], cbc: &CbcDetails, lang: Lang) -> Vec<Range> {
    let layout = cbc_layout(fragment.len(), cbc);
    let range = |at: std::ops::Range<usize>, label: &str, meaning| Range {
        start: 5 + at.start,
        len: at.len(),
        depth: 0,
        label: label.into(),
        meaning,
    };
    let blocks = layout.ciphertext.len() / 16;
    let mut ranges = vec![
        range(
            layout.iv,
            "iv",
            ui(lang, phrase!("seq {}; 16 random bytes", cbc.seq)),
        ),
        range(
            layout.ciphertext,
            "ciphertext",
            if cbc.encrypt_then_mac {
                ui(
                    lang,
                    phrase!("{} AES-CBC blocks: content + padding", blocks),
                )
            } else {
                ui(
                    lang,
                    phrase!("{} AES-CBC blocks: content + MAC + padding", blocks),
                )
            },
        ),
    ];
    if !layout.mac.is_empty() {
        let meaning = ui(
            lang,
            phrase!("{} over the IV and ciphertext", cbc.mac_algorithm),
        );
        ranges.push(range(layout.mac, "mac", meaning));
    }
    ranges
}

/// How a CBC record was protected: the MAC and what it covers, the padding, AES-CBC with its
/// blocks, and the order with why it matters.
fn cbc_computation(record: &TracedRecord<'_>, cbc: &CbcDetails, lang: Lang) -> String {
    let hex = CbcHex::of(cbc);
    let from = record.from.name();
    let layout = cbc_layout(record.fragment().len(), cbc);
    let ciphertext = record.fragment().get(layout.ciphertext).unwrap_or_default();
    let (covered, encrypted) = if cbc.encrypt_then_mac {
        ("IV ‖ ciphertext", "content ‖ padding")
    } else {
        ("content", "content ‖ MAC ‖ padding")
    };
    format!(
        "<h4>{title}</h4><div class=\"gcm\">\
         <div>IV = <code class=\"hex\">{iv}</code> ({random})</div>\
         <div>MAC = {mac_alg}(<i>{from}_write_MAC_key</i>, seq_num ‖ type ‖ version ‖ length ‖ \
         {covered}) = <code class=\"hex\">{mac}</code>; seq_num ‖ type ‖ version ‖ length = \
         <code class=\"hex\">{header}</code></div>\
         <div>padding = <code class=\"hex\">{padding}</code></div>\
         <div>AES-CBC(<i>{from}_write_key</i>, IV, {encrypted}) → <code class=\"hex\">{blocks}\
         </code></div><div>{order}</div></div>\n",
        title = ui(lang, phrase!("AES-CBC and HMAC protection")),
        random = ui(lang, phrase!("16 random bytes, sent first")),
        iv = hex.iv,
        mac_alg = hex.mac_algorithm,
        mac = hex.mac,
        header = hex.mac_header,
        padding = hex.padding,
        blocks = esc(&cbc_blocks(ciphertext)),
        order = esc(&ui(lang, cbc_order(cbc))),
    )
}

/// The labelled ranges of a record's content (plaintext), starting at `base` in the shown bytes.
fn content_ranges(
    record: &TracedRecord<'_>,
    carried: &[(usize, TracedMessage<'_>)],
    base: usize,
    lang: Lang,
) -> Vec<Range> {
    let plaintext = record.plaintext();
    match record.content_type {
        22 | 20 => carried
            .iter()
            .flat_map(|(offset, message)| message_ranges(base + offset, message, lang))
            .collect(),
        21 => field_ranges(base, alert_fields(plaintext), lang),
        23 => vec![Range {
            start: base,
            len: plaintext.len(),
            depth: 1,
            label: "application_data".into(),
            meaning: quoted(plaintext),
        }],
        _ => Vec::new(),
    }
}

/// The ranges of one message's fields, the message starting at `base` in the shown bytes.
fn message_ranges(base: usize, message: &TracedMessage<'_>, lang: Lang) -> Vec<Range> {
    field_ranges(base, labelled_fields(message.bytes, message.fields), lang)
}

/// Labelled fields as ranges inside the record, one level deeper than its own fields.
fn field_ranges(base: usize, fields: Vec<FieldView<'_>>, lang: Lang) -> Vec<Range> {
    fields
        .into_iter()
        .map(|field| Range {
            start: base + field.start,
            len: field.bytes.len(),
            depth: field.depth + 1,
            label: field.label.to_string(),
            meaning: say_arg(lang, &field.meaning),
        })
        .collect()
}

/// The bytes as a hex grid; each byte belongs to the deepest (last) range covering it, and
/// carries that range's label as a tooltip and a data attribute for highlighting.
fn labelled_bytes(bytes: &[u8], ranges: &[Range], id: &str) -> String {
    let mut owner: Vec<Option<usize>> = vec![None; bytes.len()];
    for (i, range) in ranges.iter().enumerate() {
        for slot in owner.iter_mut().skip(range.start).take(range.len) {
            *slot = Some(i);
        }
    }
    let mut out = String::from("<div class=\"bytes\">");
    let mut i = 0;
    while i < bytes.len() {
        let current = owner[i];
        let mut j = i;
        while j < bytes.len() && owner[j] == current {
            j += 1;
        }
        let hex: Vec<String> = bytes[i..j].iter().map(|b| format!("{b:02x}")).collect();
        match current {
            Some(r) => {
                let _ = write!(
                    out,
                    "<span class=\"f c{}\" data-f=\"{id}-{r}\" title=\"{}: {}\">{}</span> ",
                    r % 6,
                    esc(&ranges[r].label),
                    esc(&ranges[r].meaning),
                    hex.join(" ")
                );
            }
            None => {
                let _ = write!(out, "<span class=\"u\">{}</span> ", hex.join(" "));
            }
        }
        i = j;
    }
    out.push_str("</div>\n");
    out
}

/// The ranges as a table: offset, bytes, field (indented by depth), meaning.
fn field_table(bytes: &[u8], ranges: &[Range], id: &str, lang: Lang) -> String {
    let mut out = format!(
        "<table class=\"fields\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\
         </thead><tbody>",
        ui(lang, phrase!("offset")),
        ui(lang, phrase!("bytes")),
        ui(lang, phrase!("field")),
        ui(lang, phrase!("meaning"))
    );
    for (r, range) in ranges.iter().enumerate() {
        let shown = bytes
            .get(range.start..range.start + range.len)
            .unwrap_or_default();
        let hex = if shown.len() <= 16 {
            hex::encode(shown)
        } else {
            format!(
                "{}… <span class=\"n\">({}&nbsp;{})</span>",
                hex::encode(&shown[..12]),
                shown.len(),
                ui(lang, phrase!("bytes"))
            )
        };
        let _ = write!(
            out,
            "<tr data-f=\"{id}-{r}\" class=\"c{}\"><td>{}</td><td><code>{hex}</code></td>\
             <td class=\"label\" style=\"padding-left:{}em\">{}</td><td>{}</td></tr>",
            r % 6,
            range.start,
            0.3 + range.depth as f32,
            esc(&range.label),
            esc(&range.meaning)
        );
    }
    out.push_str("</tbody></table>\n");
    out
}

/// The key ledger: every key, who holds it, and each use in this run.
fn render_ledger(events: &[Event], lang: Lang) -> String {
    let mut out = format!(
        "<h2 class=\"section\">{}</h2>",
        ui(lang, phrase!("Key ledger"))
    );
    for entry in key_ledger(events) {
        let uses: String = entry
            .uses
            .iter()
            .map(|(side, operation)| {
                format!(
                    "<li><b>{}</b>: {}</li>",
                    who(lang, *side),
                    esc(&say(lang, operation))
                )
            })
            .collect();
        let _ = write!(
            out,
            "<div class=\"key\"><h3>{}</h3><p class=\"holder\">{}: {}</p><ul>{uses}</ul>",
            esc(&say(lang, &entry.key.name())),
            ui(lang, phrase!("held by")),
            esc(&say(lang, &entry.key.held_by())),
        );
        if entry.sealed_records > 0 {
            let _ = write!(
                out,
                "<p>{}: {}</p>",
                ui(lang, phrase!("sealed records")),
                entry.sealed_records
            );
        }
        out.push_str("</div>");
    }
    out
}

const CSS: &str = r#"body { font-family: system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
header { padding: 1em 2em; background: #fff; border-bottom: 1px solid #ddd; }
h1 { font-size: 1.4em; margin: 0 0 .4em; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; margin: 0; font-size: .9em; }
dl.facts dt { color: #666; } dl.facts dd { margin: 0; font-family: ui-monospace, monospace; }
.outcome.ok { color: #176b2c; } .outcome.fail { color: #a3141c; }
.help { font-size: .85em; color: #555; }
.layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(16em, 1fr); gap: 1.5em; padding: 1em 2em; }
aside { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow: auto; font-size: .9em; }
h2.section { font-size: 1.1em; border-bottom: 2px solid #333; }
h2.flight { font-size: 1em; margin: 1.4em 0 .4em; padding: .3em .6em; border-radius: 4px; }
h2.flight.client { background: #e3efff; } h2.flight.server { background: #fff0dc; }
h2.flight .io { font-weight: normal; color: #444; margin-left: 1em; font-size: .9em; }
details.record { background: #fff; border: 1px solid #ccc; border-radius: 6px; margin: .4em 0; }
details.record.client { border-left: 6px solid #3b7ddd; margin-right: 3em; }
details.record.server { border-left: 6px solid #e08a1e; margin-left: 3em; }
details.record summary { cursor: pointer; padding: .4em .6em; }
details.record[open] { padding-bottom: .6em; }
details.record { padding: 0 .8em; }
details.record summary { margin: 0 -.8em; }
.num { color: #888; } .what { font-weight: bold; } .meta { color: #666; font-size: .85em; margin-left: .6em; }
h4 { margin: .8em 0 .3em; font-size: .9em; }
.bytes { font-family: ui-monospace, monospace; font-size: .85em; line-height: 1.7; overflow-wrap: anywhere; }
.bytes .f { border-radius: 3px; padding: 0 1px; }
.c0 { background: #e8f1ff; } .c1 { background: #fff2d9; } .c2 { background: #e6f7e9; }
.c3 { background: #f9e6f4; } .c4 { background: #eeeaff; } .c5 { background: #e4f6f6; }
.hl, tr.hl td { outline: 2px solid #d00; background: #ffe08a !important; }
table.fields { border-collapse: collapse; font-size: .82em; margin-top: .5em; width: 100%; }
table.fields th { text-align: left; color: #555; border-bottom: 1px solid #bbb; padding: 1px 6px; }
table.fields td { padding: 1px 6px; vertical-align: top; }
table.fields td code { overflow-wrap: anywhere; font-size: inherit; }
.gcm { font-size: .85em; } .gcm div { margin: .2em 0; }
code.hex { overflow-wrap: anywhere; font-size: inherit; }
.derived { font-size: .85em; margin: .3em 0; padding: .3em .6em; background: #fffbe6; border-left: 3px solid #d9b300; }
.derived.value { background: #f4f4f4; border-left-color: #999; }
.derived .how { color: #444; margin-top: .2em; }
.kind { text-transform: uppercase; font-size: .75em; color: #7a6400; }
.keyuse { font-size: .85em; margin: .3em 0; padding: .3em .6em; background: #ffecec; border-left: 3px solid #c33; }
.check { font-size: .8em; color: #176b2c; } .check.fail { color: #a3141c; font-weight: bold; }
.note { font-size: .8em; color: #555; }
.alert { margin: .4em 0; padding: .3em .6em; background: #fde2e1; }
.appdata { margin: .4em 0; padding: .3em .6em; background: #e6f7e9; }
.key { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .3em .8em; margin: .5em 0; }
.key h3 { font-size: 1em; margin: .3em 0; } .holder { color: #555; } .key ul { padding-left: 1.2em; }
.rfc { font-size: .8em; color: #666; }
.badge { font-size: .7em; font-weight: bold; color: #fff; background: #c33; border-radius: 3px; padding: 0 .3em; }
div.ladder { max-width: 46em; margin: .6em 0 1.2em; }
div.ladder .help { margin: .3em 0 0; }
svg.ladder { display: block; width: 100%; height: auto; background: #fff; border: 1px solid #ddd; border-radius: 6px; }
svg.ladder a { cursor: pointer; }
svg.ladder a:hover .hit, svg.ladder a:focus .hit { fill-opacity: .07; }
svg.ladder a:hover .label { text-decoration: underline; }
details.record:target { box-shadow: 0 0 0 3px #f5b400; }
"#;

const JS: &str = r#"document.getElementById('expand').onclick = function () {
  document.querySelectorAll('details.record').forEach(function (d) { d.open = true; });
};
document.getElementById('collapse').onclick = function () {
  document.querySelectorAll('details.record').forEach(function (d) { d.open = false; });
};
document.addEventListener('mouseover', function (e) {
  var t = e.target.closest('[data-f]');
  document.querySelectorAll('.hl').forEach(function (x) { x.classList.remove('hl'); });
  if (t) {
    document.querySelectorAll('[data-f="' + t.dataset.f + '"]').forEach(function (x) {
      x.classList.add('hl');
    });
  }
});
function openRecord(hash) {
  var target = hash && document.getElementById(hash.slice(1));
  if (target && target.tagName === 'DETAILS') { target.open = true; return target; }
}
// An arrow of the ladder links to its record: open the card, then the link scrolls to it.
document.addEventListener('click', function (e) {
  var link = e.target.closest("a[href^='#record-']");
  if (link) { openRecord(link.getAttribute('href')); }
});
var opened = openRecord(location.hash);
if (opened) { opened.scrollIntoView(); }
"#;
