//! The trace as a mermaid sequence diagram (`--format mermaid`).

use super::Event;

/// A mermaid `sequenceDiagram` of the run.
pub fn render_mermaid(_events: &[Event]) -> String {
    String::from("sequenceDiagram\n")
}
