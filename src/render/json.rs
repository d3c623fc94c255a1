//! The trace as JSON, for tools (docs/trace-format.md describes it).

use super::Event;

/// The trace as one JSON document (docs/trace-format.md describes it).
pub fn render_json(header: serde_json::Value, events: &[Event]) -> String {
    let doc = serde_json::json!({
        "format": "tls12-sim-trace",
        "format_version": 1,
        "run": header,
        "events": events,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
