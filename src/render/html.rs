//! The trace as one self-contained web page (`--format html`): the records of the run in order,
//! each expanding to its bytes with every byte range labelled by its field, the derived values
//! with the computation that made them, and the key ledger beside them.
//!
//! No network fetches: the CSS and the little JavaScript (expand/collapse, highlight a field's
//! bytes) are inline. The page is built from [`Event`]s only, so it works for a simulated run
//! (both sides traced) and for one side of a `serve`/`connect` run alike.

use std::fmt::Write as _;

use super::{
    Event, GcmDetails, Lang, MessageQueues, TracedMessage, content_type_name, explain_field,
    key_ledger, say, say_arg, traced_by_both_sides,
};
use crate::messages::alert::{AlertDescription, AlertLevel};
use crate::messages::version_name;
use crate::phrase;
use crate::phrase::Phrase;
use crate::rng::Side;

/// What the page says about the run, above the records.
pub struct HtmlPage<'a> {
    pub title: &'a str,
    /// (what, value) lines: suite, seed, clock, ...
    pub facts: Vec<(String, String)>,
    /// The outcome, one sentence.
    pub outcome: String,
    pub ok: bool,
    pub lang: Lang,
}

/// The page's own words, in the page's language (the table in `locales/ja.txt` has them).
/// Field names, message names and RFC terms stay as in the RFCs.
fn ui(lang: Lang, words: Phrase) -> String {
    say(lang, &words)
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page.
pub fn render_html(events: &[Event], page: &HtmlPage<'_>) -> String {
    let lang = page.lang;
    // In a simulation both sides log every record, message and alert (one as sender, one as
    // receiver): the page shows the sender's account, and the receiver's of application data
    // (the plaintext it read). A `serve`/`connect` trace has one side only: it shows everything.
    let simulated = traced_by_both_sides(events);
    let mut messages = MessageQueues::new(events, simulated);
    let mut body = String::new();
    let mut record_number = 0;
    for event in events {
        match event {
            Event::Flight {
                side,
                call,
                reads,
                sends,
            } => {
                let _ = write!(
                    body,
                    "<h2 class=\"flight {}\"><code>{}()</code>",
                    side.name(),
                    esc(call)
                );
                if !reads.is_empty() {
                    let _ = write!(
                        body,
                        " <span class=\"io\">{}: {}</span>",
                        ui(lang, phrase!("reads")),
                        esc(reads)
                    );
                }
                if !sends.is_empty() {
                    let _ = write!(
                        body,
                        " <span class=\"io\">{}: {}</span>",
                        ui(lang, phrase!("sends")),
                        esc(sends)
                    );
                }
                body.push_str("</h2>\n");
            }
            Event::Record {
                side,
                from,
                content_type,
                version,
                wire,
                gcm,
            } if !simulated || side == from => {
                record_number += 1;
                let record = RecordView {
                    number: record_number,
                    from: *from,
                    content_type: *content_type,
                    version: *version,
                    wire,
                    gcm: gcm.as_ref(),
                };
                body.push_str(&render_record(&record, &mut messages, lang));
            }
            Event::Secret {
                side,
                name,
                value,
                how,
            }
            | Event::Value {
                side,
                name,
                value,
                how,
            } => {
                let (kind, kind_words) = if matches!(event, Event::Secret { .. }) {
                    ("secret", phrase!("secret"))
                } else {
                    ("value", phrase!("value"))
                };
                let _ = writeln!(
                    body,
                    "<div class=\"derived {kind} {}\"><span class=\"kind\">{}</span> <b>{}</b> \
                     <span class=\"who\">({})</span> = <code class=\"hex\">{}</code>\
                     <div class=\"how\">{}</div></div>",
                    side.name(),
                    ui(lang, kind_words),
                    esc(name),
                    side.name(),
                    hex::encode(value),
                    esc(&say(lang, how))
                );
            }
            Event::KeyUse {
                side,
                key,
                operation,
            } => {
                let _ = writeln!(
                    body,
                    "<div class=\"keyuse {}\"><span class=\"badge\">KEY</span> <b>{}</b> {} <b>{}</b>: {}</div>",
                    side.name(),
                    side.name(),
                    ui(lang, phrase!("uses the")),
                    esc(&say(lang, &key.name())),
                    esc(&say(lang, operation))
                );
            }
            Event::Check { side, what, ok } => {
                let _ = writeln!(
                    body,
                    "<div class=\"check {}\">{} {}: {}</div>",
                    if *ok { "ok" } else { "fail" },
                    if *ok { "✔" } else { "✘" },
                    side.name(),
                    esc(&say(lang, what))
                );
            }
            Event::Note { side, text } => {
                let _ = writeln!(
                    body,
                    "<div class=\"note\">{}: {}</div>",
                    side.name(),
                    esc(&say(lang, text))
                );
            }
            Event::Alert {
                side,
                from,
                level,
                description,
            } if !simulated || side == from => {
                let _ = writeln!(
                    body,
                    "<div class=\"alert {}\">⚠ {} → {}: alert {} {} ({})</div>",
                    level.name(),
                    from.name(),
                    from.peer().name(),
                    level.name(),
                    description.name(),
                    description.code()
                );
            }
            Event::AppData {
                side, from, data, ..
            } if !simulated || side != from => {
                let _ = writeln!(
                    body,
                    "<div class=\"appdata\">{} {} → {}: <q>{}</q></div>",
                    ui(lang, phrase!("application data")),
                    from.name(),
                    side.name(),
                    esc(&String::from_utf8_lossy(data))
                );
            }
            _ => {}
        }
    }

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
         <div class=\"layout\">\n<main id=\"records\"><h2 class=\"section\">{records}</h2>\n{body}</main>\n\
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
        records = ui(lang, phrase!("Records on the wire")),
        ledger = render_ledger(events, lang),
    )
}

struct RecordView<'a> {
    number: usize,
    from: Side,
    content_type: u8,
    version: u16,
    wire: &'a [u8],
    gcm: Option<&'a GcmDetails>,
}

/// A labelled byte range within a record card: (start, len, depth, label, meaning).
struct Range {
    start: usize,
    len: usize,
    depth: usize,
    label: String,
    meaning: String,
}

/// One record as a `<details>` card: summary line; bytes with labelled ranges; field table;
/// for a protected record, the GCM computation and the decrypted plaintext's fields.
fn render_record(record: &RecordView<'_>, messages: &mut MessageQueues<'_>, lang: Lang) -> String {
    let fragment = record.wire.get(5..).unwrap_or_default();
    let plaintext: &[u8] = match record.gcm {
        Some(gcm) => &gcm.plaintext,
        None => fragment,
    };
    let carried = if record.content_type == 22 || record.content_type == 20 {
        messages.carried_by(record.from, plaintext)
    } else {
        Vec::new()
    };
    let names: Vec<&str> = carried.iter().map(|(_, m)| m.name).collect();
    let what = match record.content_type {
        21 => match plaintext {
            [level, description] => format!(
                "alert {} {}",
                AlertLevel::from_code(*level).name(),
                AlertDescription::from_code(*description).name()
            ),
            _ => "alert".into(),
        },
        23 => ui(lang, phrase!("application data")).to_string(),
        _ if names.is_empty() => content_type_name(record.content_type),
        _ => names.join(", "),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<details class=\"record {from}\" id=\"record-{n}\"><summary><span class=\"num\">#{n}</span> \
         <span class=\"dir\">{from} → {to}</span> <span class=\"what\">{what}</span> \
         <span class=\"meta\">{ct} · {version} · {len} {bytes} · {prot}</span></summary>",
        n = record.number,
        from = record.from.name(),
        to = record.from.peer().name(),
        what = esc(&what),
        ct = content_type_name(record.content_type),
        version = esc(&version_name(record.version)),
        len = record.wire.len(),
        bytes = ui(lang, phrase!("bytes")),
        prot = if record.gcm.is_some() {
            ui(lang, phrase!("protected"))
        } else {
            ui(lang, phrase!("in the clear"))
        },
    );

    // The record's own bytes: header, then the fragment (messages in the clear, or the GCM
    // parts).
    let mut ranges = vec![
        Range {
            start: 0,
            len: 1,
            depth: 0,
            label: "content_type".into(),
            meaning: format!(
                "{} ({})",
                content_type_name(record.content_type),
                record.content_type
            ),
        },
        Range {
            start: 1,
            len: 2,
            depth: 0,
            label: "version".into(),
            meaning: if record.version == 0x0301 && record.content_type == 22 {
                let version = version_name(record.version);
                ui(
                    lang,
                    phrase!(
                        "{} (the record layer's compatibility value for a first ClientHello, RFC \
                         5246 Appendix E.1)",
                        version
                    ),
                )
            } else {
                version_name(record.version)
            },
        },
        Range {
            start: 3,
            len: 2,
            depth: 0,
            label: "length".into(),
            meaning: ui(lang, phrase!("{} bytes follow", fragment.len())),
        },
    ];
    match record.gcm {
        None => ranges.extend(content_ranges(
            record.content_type,
            plaintext,
            &carried,
            5,
            lang,
        )),
        Some(gcm) => {
            let body = fragment.len().saturating_sub(8 + 16);
            ranges.push(Range {
                start: 5,
                len: 8.min(fragment.len()),
                depth: 0,
                label: "explicit_nonce".into(),
                meaning: ui(lang, phrase!("seq {}", gcm.seq)),
            });
            ranges.push(Range {
                start: 13,
                len: body,
                depth: 0,
                label: "ciphertext".into(),
                meaning: ui(lang, phrase!("{} bytes of AES-GCM ciphertext", body)),
            });
            ranges.push(Range {
                start: 13 + body,
                len: fragment.len().saturating_sub(8 + body),
                depth: 0,
                label: "tag".into(),
                meaning: ui(lang, phrase!("GCM authentication tag")),
            });
        }
    }
    let _ = writeln!(out, "<h4>{}</h4>", ui(lang, phrase!("Bytes on the wire")));
    out.push_str(&labelled_bytes(
        record.wire,
        &ranges,
        &format!("r{}", record.number),
    ));
    out.push_str(&field_table(
        record.wire,
        &ranges,
        &format!("r{}", record.number),
        lang,
    ));

    if let Some(gcm) = record.gcm {
        let _ = writeln!(
            out,
            "<h4>{}</h4><div class=\"gcm\">\
             <div>nonce = {iv} (<i>{from}_write_iv</i>, implicit) ‖ {explicit} (explicit) = \
             <code class=\"hex\">{nonce}</code></div>\
             <div>additional_data = seq_num ‖ type ‖ version ‖ length = <code class=\"hex\">{aad}</code></div>\
             <div>AES-GCM-Seal(<i>{from}_write_key</i>, nonce, plaintext, additional_data) → \
             ciphertext ‖ tag <code class=\"hex\">{tag}</code></div></div>",
            ui(lang, phrase!("AES-GCM protection")),
            iv = hex::encode(gcm.nonce.get(..4).unwrap_or_default()),
            explicit = hex::encode(&gcm.explicit_nonce),
            nonce = hex::encode(&gcm.nonce),
            aad = hex::encode(&gcm.aad),
            tag = hex::encode(&gcm.tag),
            from = record.from.name(),
        );
        let _ = writeln!(out, "<h4>{}</h4>", ui(lang, phrase!("Decrypted plaintext")));
        let inner = content_ranges(record.content_type, plaintext, &carried, 0, lang);
        let id = format!("r{}p", record.number);
        out.push_str(&labelled_bytes(plaintext, &inner, &id));
        out.push_str(&field_table(plaintext, &inner, &id, lang));
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

/// The labelled ranges of a record's content (plaintext), starting at `base` in the shown bytes.
fn content_ranges(
    content_type: u8,
    plaintext: &[u8],
    carried: &[(usize, TracedMessage<'_>)],
    base: usize,
    lang: Lang,
) -> Vec<Range> {
    let mut ranges = Vec::new();
    match content_type {
        22 | 20 => {
            for (offset, message) in carried {
                for f in message.fields {
                    let Some(bytes) = message.bytes.get(f.start..f.start + f.len) else {
                        continue;
                    };
                    if f.len == 0 {
                        continue;
                    }
                    ranges.push(Range {
                        start: base + offset + f.start,
                        len: f.len,
                        depth: f.depth + 1,
                        label: f.label.to_string(),
                        meaning: say_arg(lang, &explain_field(f.label, &f.kind, bytes)),
                    });
                }
            }
        }
        21 => {
            if let [level, description] = *plaintext {
                ranges.push(Range {
                    start: base,
                    len: 1,
                    depth: 1,
                    label: "level".into(),
                    meaning: AlertLevel::from_code(level).name().into(),
                });
                ranges.push(Range {
                    start: base + 1,
                    len: 1,
                    depth: 1,
                    label: "description".into(),
                    meaning: AlertDescription::from_code(description).name().into(),
                });
            }
        }
        23 => ranges.push(Range {
            start: base,
            len: plaintext.len(),
            depth: 1,
            label: "application_data".into(),
            meaning: format!("{:?}", String::from_utf8_lossy(plaintext)),
        }),
        _ => {}
    }
    ranges
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
                "{}… <span class=\"n\">({}&nbsp;bytes)</span>",
                hex::encode(&shown[..12]),
                shown.len()
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
                    side.name(),
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
if (location.hash) {
  var target = document.querySelector(location.hash);
  if (target && target.tagName === 'DETAILS') { target.open = true; target.scrollIntoView(); }
}
"#;
