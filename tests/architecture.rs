//! The design rules of ARCHITECTURE.md, checked on the source itself:
//!
//! - every explanation pattern in `src/` (each `phrase!`, which is also how every `Error`
//!   reason is written) has Japanese in `locales/ja.txt`, every entry there is used, and each
//!   Japanese keeps exactly the values of its English;
//! - the modules import each other in one direction: no cycle, the protocol core never imports
//!   presentation or applications, the event model is a leaf;
//! - no function in `src/` is longer than 80 lines (tests aside).
//!
//! The source is read as text: these are checks of how the code is written, not of what it
//! does.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use tls12_sim::render::ja;

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// A file's code without its unit tests (`#[cfg(test)] mod tests`, always at the end) and
/// without comment lines.
fn code_of(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let text = without_unit_tests(path, &text);
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` without its unit tests: the `#[cfg(test)] mod tests { ... }` module, which must be
/// the last thing in the file (so that cutting there hides no code).
fn without_unit_tests<'a>(path: &Path, text: &'a str) -> &'a str {
    let Some(at) = text.find("#[cfg(test)]\nmod tests") else {
        return text;
    };
    let module = &text[at..];
    let end = module.find("\n}\n").map_or(module.len(), |e| e + 3);
    assert!(
        module[end..].trim().is_empty(),
        "{}: the unit-test module must be the last thing in the file",
        path.display()
    );
    &text[..at]
}

/// The value of the Rust string literal that starts at `text[0]` (a `"`), and the rest of
/// `text` after it. Handles the escapes the source uses, and `\` at a line's end.
fn string_literal(text: &str) -> (String, &str) {
    let mut out = String::new();
    let mut chars = text.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (out, &text[i + 1..]),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('\\') => out.push('\\'),
                Some('"') => out.push('"'),
                Some('\'') => out.push('\''),
                Some('\n') => {
                    while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                        chars.next();
                    }
                }
                other => panic!("escape \\{other:?} not handled in {text:.40}"),
            },
            c => out.push(c),
        }
    }
    panic!("unterminated string literal: {text:.40}")
}

/// Every pattern written with `phrase!` in `src/`, with the files it appears in.
fn source_patterns() -> BTreeMap<String, BTreeSet<String>> {
    let mut patterns: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in rust_files(&src()) {
        let code = code_of(&path);
        let name = path.strip_prefix(src()).unwrap().display().to_string();
        let mut rest = code.as_str();
        while let Some(at) = rest.find("phrase!") {
            rest = rest[at + "phrase!".len()..].trim_start();
            let Some(inside) = rest.strip_prefix(['(', '[', '{']) else {
                continue; // `phrase!` named in prose
            };
            rest = inside.trim_start();
            if rest.starts_with("$pattern") && path.ends_with("phrase.rs") {
                continue; // the macro's own definition
            }
            assert!(
                rest.starts_with('"'),
                "{name}: a phrase! pattern must be a plain string literal (\"...\"), so that \
                 this test can read it: {:.60}",
                rest
            );
            let (pattern, after) = string_literal(rest);
            patterns.entry(pattern).or_default().insert(name.clone());
            rest = after;
        }
    }
    patterns
}

/// How many `{}` a pattern has.
fn placeholders(pattern: &str) -> usize {
    pattern.matches("{}").count()
}

#[test]
fn every_pattern_in_the_source_has_japanese_and_every_entry_is_used() {
    let patterns = source_patterns();
    assert!(
        patterns.len() > 250,
        "only {} patterns found",
        patterns.len()
    );
    let entries = ja::parse(ja::TABLE_TEXT).unwrap();
    let table: BTreeSet<&str> = entries.iter().map(|e| e.english).collect();
    let missing: Vec<String> = patterns
        .iter()
        .filter(|(pattern, _)| !table.contains(pattern.as_str()))
        .map(|(pattern, files)| format!("  en: {pattern}    (in {files:?})"))
        .collect();
    assert!(
        missing.is_empty(),
        "{} patterns in src/ have no Japanese in locales/ja.txt:\n{}",
        missing.len(),
        missing.join("\n")
    );
    let unused: Vec<String> = entries
        .iter()
        .filter(|e| !patterns.contains_key(e.english))
        .map(|e| format!("  line {}: en: {}", e.line, e.english))
        .collect();
    assert!(
        unused.is_empty(),
        "entries of locales/ja.txt that no code writes (changed English?):\n{}",
        unused.join("\n")
    );
}

#[test]
fn the_japanese_table_is_well_formed() {
    let entries = ja::parse(ja::TABLE_TEXT).unwrap();
    let mut seen = BTreeSet::new();
    for entry in &entries {
        assert!(
            seen.insert(entry.english),
            "line {}: {:?} appears twice",
            entry.line,
            entry.english
        );
        let count = placeholders(entry.english);
        for i in 0..count {
            assert!(
                entry.japanese.contains(&format!("{{{i}}}")),
                "line {}: the Japanese drops value {{{i}}} of {:?}",
                entry.line,
                entry.english
            );
        }
        for i in count..count + 10 {
            assert!(
                !entry.japanese.contains(&format!("{{{i}}}")),
                "line {}: the Japanese has {{{i}}}, the English only {count} values",
                entry.line
            );
        }
        assert!(
            !entry.japanese.contains("{}"),
            "line {}: the Japanese must number its values: {{0}}, {{1}}, ...",
            entry.line
        );
        assert!(
            !entry.japanese.trim().is_empty(),
            "line {}: empty",
            entry.line
        );
    }
}

#[test]
fn phrases_are_only_made_with_the_macro() {
    // A Phrase built another way would escape the pattern check above.
    for path in rust_files(&src()) {
        if path.ends_with("phrase.rs") {
            continue;
        }
        let code = code_of(&path);
        assert!(
            !code.contains("Phrase::new("),
            "{}: make phrases with phrase!(...)",
            path.display()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The layers

/// The layers, lowest first. A module may import modules of its own layer and of the layers
/// below it, never above. `bin` (the command line) may import anything.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "core",
        &[
            "phrase",
            "codec",
            "error",
            "rng",
            "event",
            "messages",
            "suites",
            "prf",
            "transcript",
            "record",
            "key_exchange",
            "pki",
            "demo_pki",
            "conn",
            "client",
            "server",
            "session",
            "wire",
            "simulate",
            "keylog",
            "observer",
        ],
    ),
    ("recordings", &["capture"]),
    ("measurement", &["bench"]),
    ("presentation", &["render", "labs"]),
    ("applications", &["net", "load", "inspect"]),
];

/// What the event model (the leaf the core writes and the renderers read) may import.
const EVENT_MAY_IMPORT: &[&str] = &["phrase", "codec", "messages", "rng"];

/// The top-level module a file belongs to: `src/messages/alert.rs` -> `messages`.
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix(src()).unwrap();
    let first = relative.components().next().unwrap();
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// The top-level modules a file's code names with `crate::` (in `use` lines or inline paths),
/// `crate::{a, b}` groups included.
fn imports_of(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    names.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.insert(name);
        }
    }
    names
}

/// Module -> the modules it imports (other than itself), for the library's modules.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = LAYERS
        .iter()
        .flat_map(|(_, modules)| modules.iter().map(|m| m.to_string()))
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in rust_files(&src()) {
        let module = module_of(&path);
        if module == "bin" || module == "lib" {
            continue;
        }
        assert!(
            modules.contains(&module),
            "src/{module}: a module not in any layer of tests/architecture.rs (and \
             ARCHITECTURE.md): add it"
        );
        let imports = imports_of(&code_of(&path));
        let entry = graph.entry(module.clone()).or_default();
        for import in imports {
            if import != module && modules.contains(&import) {
                entry.insert(import);
            }
        }
    }
    graph
}

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
        .unwrap_or(usize::MAX)
}

#[test]
fn no_module_imports_a_layer_above_its_own() {
    let mut wrong = Vec::new();
    for (module, imports) in module_graph() {
        for import in imports {
            if layer_of(&import) > layer_of(&module) {
                wrong.push(format!(
                    "  {module} ({}) imports {import} ({})",
                    LAYERS[layer_of(&module)].0,
                    LAYERS[layer_of(&import)].0
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_event_model_is_a_leaf() {
    let graph = module_graph();
    for import in &graph["event"] {
        assert!(
            EVENT_MAY_IMPORT.contains(&import.as_str()),
            "event imports {import}: the event model may only use {EVENT_MAY_IMPORT:?}"
        );
    }
}

/// A file's module path: `src/messages/alert.rs` -> `messages::alert`, `src/render/mod.rs` ->
/// `render`.
fn module_path_of(path: &Path) -> String {
    let relative = path.strip_prefix(src()).unwrap().with_extension("");
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .filter(|part| part != "mod")
        .collect();
    parts.join("::")
}

/// Every path a file's code names from `crate::`, `super::` or `self::`, as segments from the
/// crate root: use trees are expanded (`use crate::{codec::{A, B}, error::E}` gives
/// `codec::A`, `codec::B`, `error::E`), and `super`/`self` are resolved against `module`, the
/// file's own module path.
fn paths_named(code: &str, module: &str) -> Vec<Vec<String>> {
    let own: Vec<String> = module
        .split("::")
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect();
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut at = 0;
    while at < code.len() {
        let rest = &code[at..];
        let start = ["crate::", "super::", "self::"]
            .iter()
            .find(|prefix| rest.starts_with(**prefix));
        let preceded_by_ident = at > 0
            && (bytes[at - 1].is_ascii_alphanumeric()
                || bytes[at - 1] == b'_'
                || bytes[at - 1] == b':');
        let Some(prefix) = start.filter(|_| !preceded_by_ident) else {
            at += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        // The base the path starts from.
        let mut base: Vec<String> = Vec::new();
        let mut tail = rest;
        let mut prefix = *prefix;
        loop {
            match prefix {
                "crate::" => base.clear(),
                "self::" => base = own.clone(),
                _ => {
                    if base.is_empty() {
                        base = own.clone();
                    }
                    base.pop();
                }
            }
            tail = &tail[prefix.len()..];
            match tail.starts_with("super::") {
                true => prefix = "super::",
                false => break,
            }
        }
        let (trees, used) = use_tree(tail);
        for tree in trees {
            let mut full = base.clone();
            full.extend(tree);
            out.push(full);
        }
        at = code.len() - tail.len() + used.max(1);
    }
    out
}

/// Parses a use tree at the start of `text` (`a::b`, `a::{b, c::{d}}`, `{a, b}`): the paths
/// it names, and how many bytes it took.
fn use_tree(text: &str) -> (Vec<Vec<String>>, usize) {
    let mut prefix: Vec<String> = Vec::new();
    let mut at = 0;
    loop {
        let rest = &text[at..];
        if let Some(group) = rest.strip_prefix('{') {
            // Items separated by commas at depth 0, up to the matching brace.
            let mut paths = Vec::new();
            let mut used = 1;
            let mut inner = group;
            loop {
                let trimmed = inner.trim_start();
                used += inner.len() - trimmed.len();
                inner = trimmed;
                if let Some(after) = inner.strip_prefix('}') {
                    used += 1;
                    let _ = after;
                    break;
                }
                if inner.is_empty() {
                    break;
                }
                let (subtrees, taken) = use_tree(inner);
                for sub in subtrees {
                    let mut full = prefix.clone();
                    full.extend(sub);
                    paths.push(full);
                }
                let taken = taken.max(1);
                used += taken;
                inner = &inner[taken..];
                let trimmed = inner.trim_start();
                used += inner.len() - trimmed.len();
                inner = trimmed;
                if let Some(after) = inner.strip_prefix(',') {
                    used += 1;
                    inner = after;
                }
            }
            return (paths, at + used);
        }
        let segment: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if segment.is_empty() {
            return (vec![prefix], at);
        }
        at += segment.len();
        prefix.push(segment);
        if text[at..].starts_with("::") {
            at += 2;
        } else {
            return (vec![prefix], at);
        }
    }
}

/// The file modules a file's code uses, each path resolved to the deepest module that is a
/// file (`crate::messages::alert::Alert` -> `messages::alert`).
fn file_imports_of(code: &str, module: &str, files: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for parts in paths_named(code, module) {
        let deepest = (1..=parts.len())
            .rev()
            .map(|n| parts[..n].join("::"))
            .find(|candidate| files.contains(candidate));
        if let Some(module) = deepest {
            found.insert(module);
        }
    }
    found
}

/// File module -> the file modules it imports, for the library's files.
fn file_graph() -> BTreeMap<String, BTreeSet<String>> {
    let paths: Vec<PathBuf> = rust_files(&src())
        .into_iter()
        .filter(|p| !p.starts_with(src().join("bin")) && !p.ends_with("lib.rs"))
        .collect();
    let files: BTreeSet<String> = paths.iter().map(|p| module_path_of(p)).collect();
    let mut graph = BTreeMap::new();
    for path in &paths {
        let module = module_path_of(path);
        let mut imports = file_imports_of(&code_of(path), &module, &files);
        imports.remove(&module);
        graph.insert(module, imports);
    }
    graph
}

#[test]
fn no_import_cycles() {
    // Between files: `messages::alert` is its own node, so error -> messages::alert is fine
    // while messages::client_hello -> error is too.
    let graph = file_graph();
    // Depth-first search; a module met again while still on the path closes a cycle.
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut cycle = path[at..].to_vec();
            cycle.push(module.to_string());
            cycles.push(cycle.join(" -> "));
            return;
        }
        if done.contains(module) {
            return;
        }
        path.push(module.to_string());
        for next in graph.get(module).into_iter().flatten() {
            visit(next, graph, path, done, cycles);
        }
        path.pop();
        done.insert(module.to_string());
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        visit(module, &graph, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(
        cycles.is_empty(),
        "import cycles:\n  {}",
        cycles.join("\n  ")
    );
}

#[test]
fn the_file_import_reader_resolves_to_the_deepest_file() {
    let files: BTreeSet<String> = ["messages", "messages::alert", "codec", "pki"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let code = "use crate::messages::alert::{Alert, AlertLevel};\nuse crate::messages::HandshakeType;\n\
                use crate::{codec, pki::TrustStore};";
    let found: Vec<String> = file_imports_of(code, "x", &files).into_iter().collect();
    assert_eq!(found, ["codec", "messages", "messages::alert", "pki"]);
    // Nested groups, and paths relative to the file.
    let files: BTreeSet<String> = [
        "bench",
        "bench::costs",
        "bench::handshakes",
        "codec",
        "error",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let code = "use crate::{codec::{Reader, Writer}, error::Error};\nuse super::handshakes::Kind;\n\
                let x = self::helper(); let y = super::super::codec::Writer::new();";
    let found: Vec<String> = file_imports_of(code, "bench::costs", &files)
        .into_iter()
        .collect();
    assert_eq!(
        found,
        ["bench::costs", "bench::handshakes", "codec", "error"]
    );
    // `super` from a mod.rs is the crate.
    let found: Vec<String> = file_imports_of("use super::codec::Reader;", "bench", &files)
        .into_iter()
        .collect();
    assert_eq!(found, ["codec"]);
}

#[test]
fn the_import_reader_sees_groups_and_paths() {
    let code = "use crate::codec::{Field, Labelled};\nuse crate::{key_exchange, pki};\n\
                let x = crate::messages::alert::Alert::fatal(d);";
    let imports: Vec<String> = imports_of(code).into_iter().collect();
    assert_eq!(imports, ["codec", "key_exchange", "messages", "pki"]);
}

// ---------------------------------------------------------------------------------------------
// Short functions

/// The longest a function in `src/` may be, in lines from `fn` to its closing brace.
const MAX_FUNCTION_LINES: usize = 80;

/// What follows `fn ` when `line` (trimmed) starts a function: visibility (`pub`,
/// `pub(crate)`, `pub(in path)`, ...) and qualifiers (`const`, `async`, `unsafe`,
/// `extern "C"`) in any combination before it.
fn fn_signature(line: &str) -> Option<&str> {
    let mut rest = line;
    loop {
        if let Some(after) = rest.strip_prefix("fn ") {
            return Some(after);
        }
        let word_end = if rest.starts_with("pub(") {
            rest.find(')')? + 1
        } else if let Some(abi) = rest.strip_prefix("extern \"") {
            abi.find('"')? + "extern \"".len() + 1
        } else {
            let word = rest.split_whitespace().next()?;
            if !["pub", "const", "async", "unsafe", "extern", "default"].contains(&word) {
                return None;
            }
            word.len()
        };
        rest = rest[word_end..].trim_start();
    }
}

/// (name, first line, length) of every function with a body in `code` (rustfmt'd: a body
/// ends at the first line that is its `fn` line's indentation and `}`).
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let signature = fn_signature(trimmed);
        let Some(signature) = signature else {
            continue;
        };
        let name: String = signature
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let indent = &line[..line.len() - trimmed.len()];
        let closing = format!("{indent}}}");
        // A declaration without a body (in a trait) ends with `;` before any `{`.
        let mut end = None;
        for (j, later) in lines.iter().enumerate().skip(i) {
            if j == i && later.trim_end().ends_with('}') {
                end = Some(j);
                break;
            }
            if later.trim_end().ends_with(';') && !lines[i..=j].iter().any(|l| l.contains('{')) {
                break;
            }
            if *later == closing {
                end = Some(j);
                break;
            }
        }
        if let Some(end) = end {
            out.push((name, i + 1, end - i + 1));
        }
    }
    out
}

#[test]
fn no_function_in_src_is_longer_than_80_lines() {
    let mut long = Vec::new();
    for path in rust_files(&src()) {
        let text = fs::read_to_string(&path).unwrap();
        let code = without_unit_tests(&path, &text);
        for (name, line, length) in functions(code) {
            if length > MAX_FUNCTION_LINES {
                let file = path.strip_prefix(src()).unwrap().display();
                long.push(format!("  src/{file}:{line} {name}: {length} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines (split them into named steps):\n{}",
        long.join("\n")
    );
}

#[test]
fn the_function_reader_measures_bodies() {
    let code = "fn a() {\n    x();\n}\n\n    pub fn b(\n        y: u8,\n    ) -> u8 {\n        y\n    }\n\
                fn c() {}\n    fn d(&self);\npub(crate) const unsafe fn e() {\n}\n\
                pub(in crate::x) async fn f() {\n}\nextern \"C\" fn g() {\n}\n";
    let found = functions(code);
    assert_eq!(
        found,
        [
            ("a".to_string(), 1, 3),
            ("b".to_string(), 5, 5),
            ("c".to_string(), 10, 1),
            ("e".to_string(), 12, 2),
            ("f".to_string(), 14, 2),
            ("g".to_string(), 16, 2)
        ]
    );
    assert_eq!(fn_signature("pub struct S;"), None);
    assert_eq!(fn_signature("let f = x;"), None);
}
