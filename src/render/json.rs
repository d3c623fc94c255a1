//! The trace as JSON, for tools (docs/trace-format.md describes it).
//!
//! Each event is serialized as it is, with two kinds shown in their general shape: a
//! certificate-chain check as a `check` with its words in `what`, and a failure as the `note`
//! the text trace shows ("the connection fails here: ..."), so that a tool reads one kind of
//! check and one kind of note.

use super::{Event, check_of, failure_note};

/// The trace as one JSON document (docs/trace-format.md describes it).
pub fn render_json(header: serde_json::Value, events: &[Event]) -> String {
    let events: Vec<serde_json::Value> = events.iter().map(event_json).collect();
    let doc = serde_json::json!({
        "format": "tls12-sim-trace",
        "format_version": 1,
        "run": header,
        "events": events,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// One event as JSON.
pub(super) fn event_json(event: &Event) -> serde_json::Value {
    match event {
        Event::ChainCheck { .. } => match check_of(event) {
            Some((side, what, ok)) => serde_json::json!({
                "event": "check",
                "side": side,
                "what": what.to_string(),
                "ok": ok,
            }),
            None => serde_json::Value::Null,
        },
        Event::Failure { side, error, .. } => serde_json::json!({
            "event": "note",
            "side": side,
            "text": failure_note(error).to_string(),
        }),
        other => serde_json::to_value(other).unwrap_or(serde_json::Value::Null),
    }
}
