//! The run at a glance: a ladder diagram, an inline SVG at the top of the web page. The client's
//! column on the left, the server's on the right, one arrow per message (handshake,
//! ChangeCipherSpec, alert) and per application-data record, in wire order; each arrow drawn in
//! the colour of its record's protection (dashed grey in the clear, green under the session
//! keys), a fatal alert in red, and where the connection failed marked on the failing side's
//! column with the reason. Each arrow is a link to the card of the record that carries it
//! (`#record-N`, numbered as the page numbers its cards).
//!
//! Built from [`Event`]s only, like the page: a simulated run (both sides traced, the sender's
//! copy of each record shown) and one side of a `serve`/`connect` run (every record once) give
//! the same arrows, as far as that side read them (a side that fails stops reading). The SVG
//! needs no script, no stylesheet and no fetch: colours and fonts are attributes; the page's CSS
//! only adds a hover effect, and its script opens the card an arrow links to.

use std::fmt::Write as _;

use super::parts::{TracedRecord, alert_in, esc};
use super::{
    Event, Lang, MessageQueues, content_type_name, failure_note, say, traced_by_both_sides,
};
use crate::messages::alert::AlertLevel;
use crate::phrase;
use crate::rng::Side;

/// The width of the drawing (its height grows with the arrows); the page scales it to fit.
const WIDTH: f32 = 640.0;
/// The client's column (its lifeline).
const CLIENT_X: f32 = 130.0;
/// The server's column.
const SERVER_X: f32 = 550.0;
/// Where the first arrow's row starts, below the legend and the column heads.
const TOP: f32 = 78.0;
/// The height of one arrow's row.
const ROW: f32 = 30.0;
/// A record in the clear.
const CLEAR: &str = "#80868f";
/// A record sealed with the session keys.
const SEALED: &str = "#1a7f37";
/// A fatal alert, and the failure.
const FATAL: &str = "#c62828";
/// Size of a message's name on its arrow.
const LABEL_SIZE: f32 = 13.0;
/// Size of the legend's and the failure's words.
const SMALL_SIZE: f32 = 12.0;

/// How a record travelled.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Protection {
    /// In the clear: anyone on the path reads it.
    Clear,
    /// Sealed with the session keys (AES-GCM).
    SessionKeys,
}

/// One arrow: a message, or a record of application data.
struct Arrow {
    /// The number of the record card that carries it (`record-N`).
    record: usize,
    /// Who sent it.
    from: Side,
    /// The message's name (as the RFC writes it), or "application data" in the page's language.
    label: String,
    /// How its record travelled.
    protection: Protection,
    /// Whether it is a fatal alert.
    fatal: bool,
    /// On a record's first arrow, how many arrows the record has (its number and bracket are
    /// drawn with it); 0 on the others.
    span: usize,
}

/// A row of the diagram.
enum Row {
    /// A message on the wire.
    Arrow(Arrow),
    /// Where the connection failed: the side, and what it says, in the page's language.
    Failure {
        /// The side that failed.
        side: Side,
        /// "client: the connection fails here: ...".
        text: String,
    },
}

/// The ladder diagram of `events` as an inline `<svg>`, in `lang`.
pub fn render_ladder(events: &[Event], lang: Lang) -> String {
    let rows = rows(events, lang);
    let mut body = String::new();
    let mut y = TOP;
    for row in &rows {
        y = match row {
            Row::Arrow(arrow) => draw_arrow(&mut body, arrow, y, lang),
            Row::Failure { side, text } => draw_failure(&mut body, *side, text, y),
        };
    }
    if rows.is_empty() {
        let _ = writeln!(
            body,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{SMALL_SIZE}\" \
             font-style=\"italic\" fill=\"#666\">{}</text>",
            px(mid()),
            px(y + 19.0),
            esc(&say(lang, &phrase!("nothing on the wire")))
        );
        y += ROW;
    }
    let height = y + 12.0;
    let fatal = rows
        .iter()
        .any(|row| matches!(row, Row::Arrow(arrow) if arrow.fatal));
    let mut out = format!(
        "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" \
         width=\"100%\" font-family=\"system-ui, sans-serif\">\n<title>{}</title>\n",
        px(WIDTH),
        px(height),
        esc(&say(
            lang,
            &phrase!("The messages between client and server, in wire order")
        ))
    );
    legend(&mut out, fatal, lang);
    columns(&mut out, height, lang);
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}

/// The rows, in the order of the events: the arrows of each record the page shows a card for
/// (numbered as the page numbers them: in a simulation only the sender's copy of a record, in
/// one side's trace every record), and the first failure where it happened.
fn rows(events: &[Event], lang: Lang) -> Vec<Row> {
    let simulated = traced_by_both_sides(events);
    let mut messages = MessageQueues::new(events, simulated);
    let mut rows = Vec::new();
    let mut records = 0;
    let mut failed = false;
    for event in events {
        match event {
            Event::Record { .. } => {
                if let Some(record) = TracedRecord::of(event).filter(|r| !simulated || r.sent()) {
                    records += 1;
                    let arrows = record_arrows(records, &record, &mut messages, lang);
                    rows.extend(arrows.into_iter().map(Row::Arrow));
                }
            }
            Event::Failure { side, reason, .. } if !failed => {
                failed = true;
                let text = format!(
                    "{}: {}",
                    say(lang, &side.phrase()),
                    say(lang, &failure_note(reason))
                );
                rows.push(Row::Failure { side: *side, text });
            }
            _ => {}
        }
    }
    rows
}

/// The arrows of one record: one per message it carries, one for an alert or for application
/// data.
fn record_arrows(
    number: usize,
    record: &TracedRecord<'_>,
    messages: &mut MessageQueues<'_>,
    lang: Lang,
) -> Vec<Arrow> {
    let carried = if record.carries_messages() {
        messages.carried_by(record.from, record.plaintext())
    } else {
        Vec::new()
    };
    let mut labels: Vec<(String, bool)> = carried
        .iter()
        .map(|(_, message)| (message.name.to_string(), false))
        .collect();
    if labels.is_empty() {
        labels.push(match record.content_type {
            21 => match alert_in(record.plaintext()) {
                Some((level, description)) => (
                    format!("alert {} {}", level.name(), description.name()),
                    level == AlertLevel::Fatal,
                ),
                None => ("alert".into(), false),
            },
            23 => (say(lang, &phrase!("application data")), false),
            // The receiver of a ChangeCipherSpec does not trace it as a message.
            20 => ("ChangeCipherSpec".into(), false),
            other => (content_type_name(other), false),
        });
    }
    let span = labels.len();
    let protection = if record.protected() {
        Protection::SessionKeys
    } else {
        Protection::Clear
    };
    labels
        .into_iter()
        .enumerate()
        .map(|(i, (label, fatal))| Arrow {
            record: number,
            from: record.from,
            label,
            protection,
            fatal,
            span: if i == 0 { span } else { 0 },
        })
        .collect()
}

/// The legend across the top: a sample of each kind of arrow, and its words.
fn legend(out: &mut String, fatal: bool, lang: Lang) {
    let mut items = vec![
        (CLEAR, true, say(lang, &phrase!("in the clear"))),
        (
            SEALED,
            false,
            say(lang, &phrase!("protected with the session keys")),
        ),
    ];
    if fatal {
        items.push((FATAL, false, say(lang, &phrase!("fatal alert"))));
    }
    let y = 20.0;
    let mut x = 14.0;
    out.push_str("<g class=\"legend\">\n");
    for (colour, dashed, words) in items {
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{colour}\" \
             stroke-width=\"{}\"{}/>",
            px(x),
            px(x + 30.0),
            if colour == FATAL { 3.0 } else { 2.0 },
            if dashed { DASHES } else { "" }
        );
        if colour == SEALED {
            padlock(out, x + 2.0, y - 12.0, colour);
        }
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{SMALL_SIZE}\" fill=\"#333\">{}</text>",
            px(x + 36.0),
            px(y + 4.0),
            esc(&words)
        );
        x += 36.0 + text_width(&words, SMALL_SIZE) + 24.0;
    }
    out.push_str("</g>\n");
}

/// The two columns: a named box on top of each, and its lifeline down to the bottom.
fn columns(out: &mut String, height: f32, lang: Lang) {
    let sides = [
        (Side::Client, "#e3efff", "#3b7ddd"),
        (Side::Server, "#fff0dc", "#e08a1e"),
    ];
    for (side, fill, stroke) in sides {
        let x = column_x(side);
        let _ = writeln!(
            out,
            "<g class=\"column {side}\"><line x1=\"{x}\" y1=\"64\" x2=\"{x}\" y2=\"{bottom}\" \
             stroke=\"{stroke}\" stroke-opacity=\"0.45\" stroke-width=\"2\"/>\
             <rect x=\"{left}\" y=\"36\" width=\"140\" height=\"28\" rx=\"6\" fill=\"{fill}\" \
             stroke=\"{stroke}\"/><text x=\"{x}\" y=\"55\" text-anchor=\"middle\" \
             font-size=\"14\" font-weight=\"bold\" fill=\"#1d1d1f\">{name}</text></g>",
            side = side.name(),
            x = px(x),
            left = px(x - 70.0),
            bottom = px(height - 6.0),
            name = esc(&say(lang, &side.phrase())),
        );
    }
}

/// One arrow in the row starting at `top`, as a link to its record's card; returns where the
/// next row starts.
fn draw_arrow(out: &mut String, arrow: &Arrow, top: f32, lang: Lang) -> f32 {
    let (from, to) = (column_x(arrow.from), column_x(arrow.from.peer()));
    let direction = (to - from).signum();
    let y = top + 21.0;
    let tip = to - direction * 2.0;
    let base = tip - direction * 11.0;
    let (colour, class) = match (arrow.fatal, arrow.protection) {
        (true, _) => (FATAL, "fatal"),
        (false, Protection::Clear) => (CLEAR, "clear"),
        (false, Protection::SessionKeys) => (SEALED, "sealed"),
    };
    let protection = match arrow.protection {
        Protection::Clear => say(lang, &phrase!("in the clear")),
        Protection::SessionKeys => say(lang, &phrase!("protected")),
    };
    let tooltip = format!(
        "#{} {} → {}: {} ({protection})",
        arrow.record,
        say(lang, &arrow.from.phrase()),
        say(lang, &arrow.from.peer().phrase()),
        arrow.label
    );
    let _ = write!(
        out,
        "<a href=\"#record-{record}\" class=\"arrow {class}\"><title>{tooltip}</title>\
         <rect class=\"hit\" x=\"0\" y=\"{top}\" width=\"{width}\" height=\"{ROW}\" fill=\"#000\" \
         fill-opacity=\"0\"/><line x1=\"{from}\" y1=\"{y}\" x2=\"{base}\" y2=\"{y}\" \
         stroke=\"{colour}\" stroke-width=\"{stroke}\"{dashes}/>\
         <polygon points=\"{tip},{y} {base},{above} {base},{below}\" fill=\"{colour}\"/>\
         <text class=\"label\" x=\"{mid}\" y=\"{text_y}\" text-anchor=\"middle\" \
         font-size=\"{LABEL_SIZE}\" fill=\"{text_colour}\"{weight}>{label}</text>",
        record = arrow.record,
        tooltip = esc(&tooltip),
        top = px(top),
        width = px(WIDTH),
        from = px(from),
        base = px(base),
        tip = px(tip),
        y = px(y),
        above = px(y - 5.5),
        below = px(y + 5.5),
        stroke = if arrow.fatal { 3.0 } else { 2.0 },
        dashes = dashes(arrow.protection),
        mid = px(mid()),
        text_y = px(top + 14.0),
        text_colour = if arrow.fatal { FATAL } else { "#1d1d1f" },
        weight = if arrow.fatal {
            " font-weight=\"bold\""
        } else {
            ""
        },
        label = esc(&arrow.label),
    );
    if arrow.protection == Protection::SessionKeys {
        // Above the line, where it leaves its sender: sealed from the start.
        let left = if direction > 0.0 {
            from + 8.0
        } else {
            from - 17.0
        };
        padlock(out, left, top + 6.0, colour);
    }
    if arrow.span > 0 {
        record_number(out, arrow.record, arrow.span, y);
    }
    out.push_str("</a>\n");
    top + ROW
}

/// The record's number left of the client's column, level with its arrows (`y` is the first
/// one's line); a bracket joins the arrows of a record that carries several messages.
fn record_number(out: &mut String, record: usize, span: usize, y: f32) {
    let last = y + (span - 1) as f32 * ROW;
    if span > 1 {
        let _ = write!(
            out,
            "<path d=\"M58 {} H52 V{} H58\" fill=\"none\" stroke=\"#999\"/>",
            px(y),
            px(last)
        );
    }
    let _ = write!(
        out,
        "<text x=\"46\" y=\"{}\" text-anchor=\"end\" font-size=\"11\" fill=\"#888\">#{record}</text>",
        px((y + last) / 2.0 + 4.0)
    );
}

/// Where the connection failed: a red cross on the failing side's lifeline, and below it what
/// that side says, wrapped to the width of the drawing; returns where the next row starts.
fn draw_failure(out: &mut String, side: Side, text: &str, top: f32) -> f32 {
    let x = column_x(side);
    let cy = top + 12.0;
    let lines = wrap(text, SMALL_SIZE, WIDTH - 60.0);
    let box_top = top + 26.0;
    let box_height = lines.len() as f32 * 16.0 + 10.0;
    let _ = write!(
        out,
        "<g class=\"failure {side}\"><circle cx=\"{x}\" cy=\"{cy}\" r=\"10\" fill=\"{FATAL}\"/>\
         <path d=\"M{l} {t} L{r} {b} M{r} {t} L{l} {b}\" stroke=\"#fff\" stroke-width=\"2.5\"/>\
         <rect x=\"20\" y=\"{box_top}\" width=\"{box_width}\" height=\"{box_height}\" rx=\"5\" \
         fill=\"#fdecea\" stroke=\"{FATAL}\"/><text font-size=\"{SMALL_SIZE}\" fill=\"#8a1c1c\">",
        side = side.name(),
        x = px(x),
        cy = px(cy),
        l = px(x - 4.5),
        r = px(x + 4.5),
        t = px(cy - 4.5),
        b = px(cy + 4.5),
        box_top = px(box_top),
        box_width = px(WIDTH - 40.0),
        box_height = px(box_height),
    );
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            "<tspan x=\"30\" y=\"{}\">{}</tspan>",
            px(box_top + 17.0 + i as f32 * 16.0),
            esc(line)
        );
    }
    out.push_str("</text></g>\n");
    box_top + box_height + 12.0
}

/// The dash pattern of a record in the clear, as an attribute.
const DASHES: &str = " stroke-dasharray=\"7 5\"";

/// The dash pattern of a record's arrow: dashed in the clear, none when sealed.
fn dashes(protection: Protection) -> &'static str {
    match protection {
        Protection::Clear => DASHES,
        Protection::SessionKeys => "",
    }
}

/// A small padlock (body and shackle) with its top left corner at (`x`, `y`), 9 by 10.
fn padlock(out: &mut String, x: f32, y: f32, colour: &str) {
    let _ = write!(
        out,
        "<path d=\"M{} {} v-2.5 a2.75 2.75 0 0 1 5.5 0 v2.5\" fill=\"none\" stroke=\"{colour}\" \
         stroke-width=\"1.5\"/><rect x=\"{}\" y=\"{}\" width=\"9\" height=\"6.5\" rx=\"1.2\" \
         fill=\"{colour}\"/>",
        px(x + 1.75),
        px(y + 3.5),
        px(x),
        px(y + 3.5)
    );
}

/// The x of `side`'s column.
fn column_x(side: Side) -> f32 {
    match side {
        Side::Client => CLIENT_X,
        Side::Server => SERVER_X,
    }
}

/// The middle between the columns, where the arrows' names go.
fn mid() -> f32 {
    (CLIENT_X + SERVER_X) / 2.0
}

/// A coordinate as the SVG gets it: at most one decimal.
fn px(v: f32) -> String {
    format!("{}", (v * 10.0).round() / 10.0)
}

/// Whether `c` takes a full em (CJK, kana, full-width forms).
fn is_wide(c: char) -> bool {
    c >= '\u{2e80}'
}

/// About how wide `text` is at font size `size` (SVG text does not measure itself without a
/// script; this is a guess for a sans-serif font, on the wide side).
fn text_width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| match c {
            c if is_wide(c) => 1.0,
            'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.3,
            ' ' | 'f' | 'r' | 't' | '(' | ')' | '[' | ']' | '-' | '"' | '/' => 0.4,
            'A'..='Z' | 'm' | 'w' | '_' | '@' => 0.72,
            _ => 0.58,
        })
        .sum::<f32>()
        * size
}

/// `text` in lines at most `width` wide at font size `size`: broken at spaces, or anywhere
/// beside a wide character (Japanese has no spaces); a word wider than a line is cut.
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut piece = String::new();
    for c in text.chars() {
        let cut = is_wide(c) || text_width(&format!("{piece}{c}"), size) > width;
        if cut && !piece.is_empty() {
            pieces.push(std::mem::take(&mut piece));
        }
        piece.push(c);
        if c == ' ' || is_wide(c) {
            pieces.push(std::mem::take(&mut piece));
        }
    }
    pieces.push(piece);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        let joined = format!("{line}{}", piece.trim_end());
        if !line.trim().is_empty() && text_width(&joined, size) > width {
            lines.push(std::mem::replace(&mut line, piece));
        } else {
            line.push_str(&piece);
        }
    }
    lines.push(line);
    lines
        .into_iter()
        .map(|line| line.trim().to_string())
        .filter(|line| !line.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo_pki::DemoClient;
    use crate::render::{HtmlPage, render_html};
    use crate::simulate::{self, Options};

    /// Who logged `event`.
    fn logged_by(event: &Event) -> Side {
        match event {
            Event::Flight { side, .. }
            | Event::Record { side, .. }
            | Event::Message { side, .. }
            | Event::Secret { side, .. }
            | Event::Value { side, .. }
            | Event::KeyUse { side, .. }
            | Event::ChainCheck { side, .. }
            | Event::Failure { side, .. }
            | Event::Check { side, .. }
            | Event::Note { side, .. }
            | Event::Alert { side, .. }
            | Event::AppData { side, .. } => *side,
        }
    }

    /// The events `side` logged: its trace alone, as `serve` or `connect` would have it.
    fn one_side(events: &[Event], side: Side) -> Vec<Event> {
        events
            .iter()
            .filter(|e| logged_by(e) == side)
            .cloned()
            .collect()
    }

    fn events(options: &Options) -> Vec<Event> {
        simulate::run(options).unwrap().events
    }

    fn bob() -> Options {
        Options {
            mtls: true,
            client_certificate: Some(DemoClient::Bob),
            ..Options::default()
        }
    }

    /// Checks that `svg` is one well-formed `<svg>` element: every tag closed in order, every
    /// `&` an entity, no stray `<` or `>` in text or attributes.
    fn assert_well_formed(svg: &str) {
        assert!(
            svg.starts_with("<svg ") && svg.ends_with("</svg>\n"),
            "{svg}"
        );
        let mut open: Vec<&str> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            let text = &rest[..start];
            assert!(!text.contains('>'), "stray > in {text:?}");
            assert_entities(text);
            let end = rest[start..].find('>').expect("an unclosed tag") + start;
            let tag = &rest[start + 1..end];
            assert!(!tag.contains('<'), "< inside the tag {tag:?}");
            assert_entities(tag);
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(open.pop(), Some(name), "</{name}> closes the wrong tag");
            } else if !tag.ends_with('/') {
                let name = tag.split([' ', '\n']).next().unwrap_or_default();
                assert!(
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
                    "bad tag {tag:?}"
                );
                open.push(name);
            }
            assert_eq!(
                tag.matches('"').count() % 2,
                0,
                "unbalanced quotes in {tag:?}"
            );
            rest = &rest[end + 1..];
            if open.is_empty() {
                assert_eq!(rest, "\n", "something after </svg>");
            }
        }
        assert!(open.is_empty(), "unclosed: {open:?}");
    }

    fn assert_entities(text: &str) {
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                    .iter()
                    .any(|e| entity.starts_with(e)),
                "a bare & in {text:?}"
            );
        }
    }

    /// The arrows of a diagram: (the record it links to, the message's name, its class).
    fn arrows(svg: &str) -> Vec<(usize, String, String)> {
        svg.split("<a href=\"#record-")
            .skip(1)
            .map(|a| {
                let (number, rest) = a.split_once('"').unwrap();
                let class = rest.split('"').nth(1).unwrap().to_string();
                let label = rest.split("class=\"label\"").nth(1).unwrap();
                let label = label.split_once('>').unwrap().1.split_once('<').unwrap().0;
                (number.parse().unwrap(), label.to_string(), class)
            })
            .collect()
    }

    /// The number of messages and application-data records its sender logged.
    fn sent_messages(events: &[Event]) -> usize {
        events
            .iter()
            .filter(|e| match e {
                Event::Message { side, from, .. } => side == from,
                Event::Record {
                    side,
                    from,
                    content_type,
                    ..
                } => side == from && matches!(content_type, 21 | 23),
                _ => false,
            })
            .count()
    }

    /// Every arrow links to a record card of the page, whose summary names what the arrow does.
    fn assert_links_to_cards(events: &[Event], svg: &str) {
        let page = render_html(
            events,
            &HtmlPage {
                title: "t",
                facts: Vec::new(),
                outcome: String::new(),
                ok: true,
                lang: Lang::En,
            },
        );
        assert!(page.contains(svg), "the page does not carry the diagram");
        for (number, label, _) in arrows(svg) {
            let card = format!("<details class=\"record client\" id=\"record-{number}\">");
            let other = card.replace("client", "server");
            let at = page
                .find(&card)
                .or_else(|| page.find(&other))
                .unwrap_or_else(|| panic!("no card record-{number} for {label}"));
            let summary = &page[at..at + page[at..].find("</summary>").unwrap()];
            let named = if label == "ChangeCipherSpec" {
                summary.contains(&label) || summary.contains("change_cipher_spec")
            } else {
                summary.contains(&label)
            };
            assert!(named, "record-{number} is {summary:?}, the arrow {label:?}");
        }
    }

    #[test]
    fn a_full_run_has_one_arrow_per_message_in_wire_order() {
        let events = events(&Options::default());
        let svg = render_ladder(&events, Lang::En);
        assert_well_formed(&svg);
        let arrows = arrows(&svg);
        assert_eq!(arrows.len(), sent_messages(&events));
        let names: Vec<&str> = arrows.iter().map(|(_, name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "ClientHello",
                "ServerHello",
                "Certificate",
                "ServerHelloDone",
                "ClientKeyExchange",
                "ChangeCipherSpec",
                "Finished",
                "ChangeCipherSpec",
                "Finished",
                "application data",
                "application data",
                "alert warning close_notify",
                "alert warning close_notify",
            ]
        );
        let records: Vec<usize> = arrows.iter().map(|(n, _, _)| *n).collect();
        assert_eq!(records, [1, 2, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        // The first Finished is the first record under the session keys.
        let classes: Vec<&str> = arrows.iter().map(|(_, _, c)| c.as_str()).collect();
        assert_eq!(classes[..6], ["arrow clear"; 6]);
        assert_eq!(classes[6], "arrow sealed");
        assert_eq!(classes[7], "arrow clear", "the server's ChangeCipherSpec");
        assert_eq!(classes[8..], ["arrow sealed"; 5]);
        assert!(!svg.contains("failure") && !svg.contains("fatal"), "{svg}");
        assert_eq!(svg.matches("<title>").count(), 1 + arrows.len());
        assert_links_to_cards(&events, &svg);
    }

    #[test]
    fn a_failed_run_marks_the_fatal_alert_and_the_side_that_failed() {
        let events = events(&bob());
        let svg = render_ladder(&events, Lang::En);
        assert_well_formed(&svg);
        let arrows = arrows(&svg);
        assert_eq!(arrows.len(), sent_messages(&events));
        let last = arrows.last().unwrap();
        assert_eq!(last.1, "alert fatal certificate_expired");
        assert_eq!(last.2, "arrow fatal");
        assert_eq!(svg.matches("class=\"arrow fatal\"").count(), 1);
        // The cross is on the server's lifeline, after the alert, with the reason, escaped.
        let failure = &svg[svg.find("<g class=\"failure server\">").expect(&svg)..];
        assert!(svg.find("class=\"arrow fatal\"").unwrap() < svg.find("class=\"failure").unwrap());
        assert!(failure.contains(&format!("<circle cx=\"{}\"", px(SERVER_X))));
        let said: Vec<&str> = failure
            .split("<tspan")
            .skip(1)
            .map(|t| t.split_once('>').unwrap().1.split_once('<').unwrap().0)
            .collect();
        assert!(said.len() >= 2, "the reason fits on one line? {said:?}");
        assert_eq!(
            said.join(" "),
            "server: the connection fails here: certificate &quot;CN=bob,OU=staff,O=tls12-sim \
             demo&quot; expired at 2025-01-01T00:00:00Z"
        );
        assert_eq!(
            svg.matches("class=\"failure").count(),
            1,
            "the first failure only"
        );
        assert!(svg.contains(">fatal alert</text>"), "no legend for red");
        assert_links_to_cards(&events, &svg);
    }

    #[test]
    fn one_side_of_a_run_draws_the_same_arrows() {
        let full = events(&Options::default());
        let both = arrows(&render_ladder(&full, Lang::En));
        for side in [Side::Client, Side::Server] {
            let events = one_side(&full, side);
            let svg = render_ladder(&events, Lang::En);
            assert_well_formed(&svg);
            assert_eq!(arrows(&svg), both, "{side:?}'s trace");
            assert_links_to_cards(&events, &svg);
        }
    }

    #[test]
    fn one_side_of_a_failed_run_draws_what_that_side_saw() {
        let full = events(&bob());
        let both = arrows(&render_ladder(&full, Lang::En));
        // The client traced every record: its own, and the alert it read.
        let client = one_side(&full, Side::Client);
        let svg = render_ladder(&client, Lang::En);
        assert_well_formed(&svg);
        assert_eq!(arrows(&svg), both);
        assert_links_to_cards(&client, &svg);
        // It failed on reading the alert.
        assert!(svg.contains("<g class=\"failure client\">"), "{svg}");
        assert!(svg.contains("client: the connection fails here: the peer sent a fatal alert"));
        // The server stopped at the client's Certificate: it never decoded the rest of that
        // record, nor read the records after it.
        let server = one_side(&full, Side::Server);
        let svg = render_ladder(&server, Lang::En);
        assert_well_formed(&svg);
        let names: Vec<(usize, String)> =
            arrows(&svg).into_iter().map(|(n, s, _)| (n, s)).collect();
        let want = [
            (1, "ClientHello"),
            (2, "ServerHello"),
            (2, "Certificate"),
            (2, "CertificateRequest"),
            (2, "ServerHelloDone"),
            (3, "Certificate"),
            (4, "alert fatal certificate_expired"),
        ];
        assert_eq!(names, want.map(|(n, s)| (n, s.to_string())));
        assert!(svg.contains("<g class=\"failure server\">"), "{svg}");
        assert_links_to_cards(&server, &svg);
    }

    #[test]
    fn no_events_is_an_empty_ladder() {
        let svg = render_ladder(&[], Lang::En);
        assert_well_formed(&svg);
        assert!(arrows(&svg).is_empty());
        assert!(svg.contains(">client</text>") && svg.contains(">server</text>"));
        assert!(svg.contains(">nothing on the wire</text>"));
    }

    #[test]
    fn the_words_are_japanese_and_the_names_stay() {
        let svg = render_ladder(&events(&bob()), Lang::Ja);
        assert_well_formed(&svg);
        for want in [
            ">クライアント</text>",
            ">サーバー</text>",
            "セッション鍵で保護",
            "致命的アラート",
            ">ClientHello</text>",
            ">alert fatal certificate_expired</text>",
        ] {
            assert!(svg.contains(want), "{want:?} not in\n{svg}");
        }
    }

    #[test]
    fn wrapping_keeps_every_word_and_each_line_in_width() {
        let text = "server: the connection fails here: certificate \"CN=bob\" expired at 2025";
        let lines = wrap(text, 12.0, 200.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), text);
        assert!(
            lines.iter().all(|l| text_width(l, 12.0) <= 200.0),
            "{lines:?}"
        );
        let ja = "サーバー: ここで接続が失敗する: 証明書の有効期限が切れている";
        let lines = wrap(ja, 12.0, 100.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), ja.replace(' ', ""));
        assert!(
            lines.iter().all(|l| text_width(l, 12.0) <= 100.0),
            "{lines:?}"
        );
        assert_eq!(wrap("", 12.0, 100.0), Vec::<String>::new());
        let long = "a".repeat(100);
        assert!(
            wrap(&long, 12.0, 100.0)
                .iter()
                .all(|l| text_width(l, 12.0) <= 100.0)
        );
    }
}
