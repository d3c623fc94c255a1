//! Japanese explanations for the trace (`--lang ja`).

/// The Japanese for an English explanation, when there is one.
pub fn translate(_english: &str) -> Option<String> {
    None
}
