//! Keeps three documents honest.
//!
//! - `docs/trace-format.md` must document every event kind and every field name that
//!   `tls12-sim simulate --format json` prints (RSA, ECDHE, mutual TLS, and a failed run), and
//!   every label of a message field, and the format must be version 1.
//! - `vectors/README.md` must name every file and directory under `vectors/`, and its
//!   "Check one value by hand" commands (the fenced blocks marked `sh check`) must print what
//!   the page says: the expected value, taken from the vector file, once computed by an outside
//!   tool and once read from the file, and exactly the output pasted under the block.
//! - `docs/extensions.md` must be exactly what `render::extensions::markdown` writes from
//!   `KNOWN_EXTENSIONS` today (regenerate on purpose with
//!   `UPDATE_DOCS=1 cargo test --test docs_vectors`), so every extension the codec knows is in
//!   it, with the words the trace uses.
//!
//! The checks need `openssl` and `python3`. When one is missing, they are SKIPPED (and fail
//! under `TLS12SIM_REQUIRE_PEERS=1`), as for the interop tests. A check that needs Python's
//! `cryptography` package needs it: `scripts/install-test-deps.sh` installs it into `.venv-peers/`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::peers::{BIN, manifest, peer};
use serde_json::Value;

// ---- docs/trace-format.md ----

/// The inline code spans (`like this`) of the lines outside fenced blocks.
fn inline_code(markdown: &str) -> BTreeSet<String> {
    let mut spans = BTreeSet::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        // Odd-numbered pieces between backticks are code.
        for (i, piece) in line.split('`').enumerate() {
            if i % 2 == 1 {
                spans.insert(piece.to_string());
            }
        }
    }
    spans
}

/// The sections headed "### `name`", by name, each with the text up to the next heading.
fn event_sections(markdown: &str) -> BTreeMap<String, String> {
    let mut sections = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        let heading = !in_fence && (line.starts_with("## ") || line.starts_with("### "));
        if heading {
            if let Some((name, text)) = current.take() {
                sections.insert(name, text);
            }
            if let Some(name) = line
                .strip_prefix("### `")
                .and_then(|rest| rest.strip_suffix('`'))
            {
                current = Some((name.to_string(), String::new()));
            }
            continue;
        }
        if let Some((_, text)) = current.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    if let Some((name, text)) = current {
        sections.insert(name, text);
    }
    sections
}

/// Every object key anywhere in `value`, and every string `kind` of a message field.
fn collect_names(value: &Value, names: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                names.insert(key.clone());
                if let (true, Value::String(kind)) = (key == "kind", inner) {
                    names.insert(kind.clone());
                }
                collect_names(inner, names);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_names(v, names)),
        _ => {}
    }
}

/// Runs the binary; the JSON it prints, and whether it exited 0.
fn simulate_json(args: &[&str]) -> (Value, bool) {
    let out = Command::new(BIN)
        .arg("simulate")
        .args(["--format", "json"])
        .args(args)
        .output()
        .expect("run tls12-sim");
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let doc = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "simulate {args:?} --format json is not JSON: {e}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, out.status.success())
}

#[test]
fn every_event_kind_field_and_label_of_the_json_trace_is_documented() {
    let doc = std::fs::read_to_string(manifest("docs/trace-format.md")).unwrap();
    let documented = inline_code(&doc);
    let sections = event_sections(&doc);

    let runs: [(&[&str], bool); 8] = [
        (&[], true),
        // Resumption: the run's `resume`, `resumed` and `full_handshake`, NewSessionTicket.
        (&["--resume", "id"], true),
        (&["--resume", "ticket", "--mtls"], true),
        // A CBC suite, for the `cbc` details of a record.
        (&["--suite", "TLS_RSA_WITH_AES_128_CBC_SHA"], true),
        (&["--suite", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], true),
        (&["--mtls"], true),
        (
            &["--suite", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "--mtls"],
            true,
        ),
        // A failed run, for the fields of a failed outcome.
        (&["--mtls", "--client", "bob"], false),
    ];
    let mut kinds = BTreeSet::new();
    let mut missing = Vec::new();
    for (args, should_succeed) in runs {
        let (trace, ok) = simulate_json(args);
        assert_eq!(ok, should_succeed, "exit status of simulate {args:?}");
        assert_eq!(trace["format"], "tls12-sim-trace", "{args:?}");
        assert_eq!(trace["format_version"], 1, "{args:?}");
        assert_eq!(trace["run"]["outcome"]["ok"], should_succeed, "{args:?}");

        // Each event's own fields, in the section of its kind.
        let events = trace["events"].as_array().expect("events");
        for event in events {
            let kind = event["event"].as_str().expect("every event has a kind");
            kinds.insert(kind.to_string());
            let Some(section) = sections.get(kind) else {
                missing.push(format!("event kind `{kind}` (no \"### `{kind}`\" section)"));
                continue;
            };
            let in_section = inline_code(section);
            for key in event.as_object().unwrap().keys() {
                if !in_section.contains(key) {
                    missing.push(format!("field `{key}` of `{kind}` events"));
                }
            }
            if kind == "message" {
                for field in event["fields"].as_array().expect("fields") {
                    let label = field["label"].as_str().expect("label");
                    if !documented.contains(label) {
                        missing.push(format!("message field label `{label}`"));
                    }
                }
            }
            if kind == "key_use" {
                let key = event["key"].as_str().expect("key");
                if !documented.contains(key) {
                    missing.push(format!("key `{key}` of key_use events"));
                }
            }
            if kind == "message" {
                let name = event["name"].as_str().expect("name");
                if !documented.contains(name) {
                    missing.push(format!("message name `{name}`"));
                }
            }
        }

        // Every other name, anywhere in the document.
        let mut names = BTreeSet::new();
        collect_names(&trace, &mut names);
        for name in names {
            if !documented.contains(&name) {
                missing.push(format!("field `{name}`"));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "docs/trace-format.md does not document:\n  {}",
        missing.join("\n  ")
    );
    // The runs above show every kind of event of format version 1 (a new kind is caught above,
    // until it is documented).
    for kind in [
        "flight", "record", "message", "secret", "value", "key_use", "check", "note", "alert",
        "app_data",
    ] {
        assert!(kinds.contains(kind), "no `{kind}` event in the runs");
    }
}

// ---- docs/extensions.md ----

#[test]
fn the_extension_table_is_current() {
    let path = manifest("docs/extensions.md");
    let fresh = tls12_sim::render::extensions::markdown();
    if std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    if stored != fresh {
        let line = stored
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(stored.lines().count().min(fresh.lines().count()));
        panic!(
            "docs/extensions.md is stale from line {}:\n  stored: {:?}\n  now:    {:?}\n\
             Regenerate it with UPDATE_DOCS=1 cargo test --test docs_vectors",
            line + 1,
            stored.lines().nth(line),
            fresh.lines().nth(line)
        );
    }
}

#[test]
fn the_extension_table_has_every_known_extension_in_the_trace_s_words() {
    use tls12_sim::messages::extensions::{Handling, KNOWN_EXTENSIONS, extension_name};
    let doc = tls12_sim::render::extensions::markdown();
    for info in KNOWN_EXTENSIONS {
        let row = doc
            .lines()
            .find(|line| line.starts_with(&format!("| {} | 0x{:04x} |", info.number, info.number)))
            .unwrap_or_else(|| panic!("no row for {}", info.name));
        assert!(
            row.contains(&format!("`{}`", extension_name(info.number))),
            "{row}"
        );
        assert!(row.contains(info.rfc), "{row}");
        match info.handling {
            Handling::ActedOn(_) => assert!(row.contains("**acts on it**"), "{row}"),
            // The sentence the trace prints beside such an extension_type (render/mod.rs).
            Handling::PassedOver => assert!(
                row.contains(&format!(
                    "\"{}: read, and passed over: this program does not act on it (RFC 5246 \
                     7.4.1.4)\"",
                    info.name
                )),
                "{row}"
            ),
        }
    }
    assert!(doc.contains("GREASE (RFC 8701): a made-up value"));
    assert!(doc.contains("\"extension 0x1234: read, and passed over"));
    let readme = std::fs::read_to_string(manifest("README.md")).unwrap();
    assert!(
        readme.contains("(docs/extensions.md)"),
        "README links the table"
    );
}

// ---- vectors/README.md: the files ----

/// Every file and directory under `dir`, as paths relative to `root`.
fn entries(root: &Path, dir: &Path, out: &mut Vec<(String, bool)>) {
    let mut list: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    list.sort();
    for path in list {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "__pycache__" {
            continue;
        }
        let relative = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if path.is_dir() {
            out.push((relative, true));
            entries(root, &path, out);
        } else {
            out.push((relative, false));
        }
    }
}

#[test]
fn the_vectors_readme_names_every_file_and_directory() {
    let root = manifest("vectors");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let named = inline_code(&readme);
    let mut all = Vec::new();
    entries(&root, &root, &mut all);
    let missing: Vec<String> = all
        .iter()
        .filter(|(path, _)| path != "README.md")
        .filter_map(|(path, is_dir)| {
            let name = Path::new(path).file_name().unwrap().to_string_lossy();
            let mention = if *is_dir {
                format!("{name}/")
            } else {
                name.into_owned()
            };
            (!named.contains(&mention)).then(|| format!("`{mention}` ({path})"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "vectors/README.md does not mention:\n  {}",
        missing.join("\n  ")
    );
}

// ---- vectors/README.md: the checks by hand ----

/// One `sh check` block, with what the page says about it.
struct HandCheck {
    commands: String,
    /// The hex value stated on the "Expected:" line.
    expected: String,
    /// The vector file the "Expected:" line names.
    file: String,
    /// The output pasted under it.
    pasted: Vec<String>,
}

/// The fenced blocks of a markdown text, in order: (info string, body), and the text between
/// a block and the next one.
fn fenced_blocks(markdown: &str) -> Vec<(String, String, String)> {
    let mut blocks: Vec<(String, String, String)> = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in markdown.lines() {
        match open.as_mut() {
            None => {
                if let Some(info) = line.trim_start().strip_prefix("```") {
                    open = Some((info.trim().to_string(), String::new()));
                } else if let Some(last) = blocks.last_mut() {
                    last.2.push_str(line);
                    last.2.push('\n');
                }
            }
            Some((_, body)) => {
                if line.trim_start().starts_with("```") {
                    let (info, body) = open.take().unwrap();
                    blocks.push((info, body, String::new()));
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    assert!(open.is_none(), "a fenced block is not closed");
    blocks
}

fn hand_checks(readme: &str) -> Vec<HandCheck> {
    let blocks = fenced_blocks(readme);
    let mut checks = Vec::new();
    for (i, (info, body, after)) in blocks.iter().enumerate() {
        if info != "sh check" {
            continue;
        }
        let stated = after
            .split_once("Expected:")
            .unwrap_or_else(|| panic!("no \"Expected:\" after the check\n{body}"))
            .1;
        let spans = inline_code(stated);
        let expected = spans
            .iter()
            .find(|s| s.len() >= 8 && s.chars().all(|c| c.is_ascii_hexdigit()))
            .unwrap_or_else(|| panic!("no expected hex value after the check\n{body}"))
            .to_lowercase();
        let file = spans
            .iter()
            .find(|s| s.starts_with("vectors/"))
            .unwrap_or_else(|| panic!("the expected value names no vector file\n{body}"))
            .clone();
        let (output_info, output, _) = blocks
            .get(i + 1)
            .unwrap_or_else(|| panic!("no output pasted after the check\n{body}"));
        assert_eq!(output_info, "text", "the output block after\n{body}");
        checks.push(HandCheck {
            commands: body.clone(),
            expected,
            file,
            pasted: output.lines().map(|l| l.trim_end().to_string()).collect(),
        });
    }
    checks
}

/// Whether `python3` can import `module`.
fn python_has(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn lines_of(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn the_checks_by_hand_print_what_the_vectors_readme_says() {
    let readme = std::fs::read_to_string(manifest("vectors/README.md")).unwrap();
    let checks = hand_checks(&readme);

    // The page keeps its promise before anything runs: at least the PRF, a GCM record and
    // X25519, each two lines, each expected value really in the file it names.
    for needed in [
        "vectors/tls12-prf.json",
        "vectors/transcripts/",
        "vectors/x25519-rfc7748.json",
    ] {
        assert!(
            checks.iter().any(|c| c.file.starts_with(needed)),
            "no check by hand for {needed}"
        );
    }
    for check in &checks {
        assert_eq!(
            lines_of(&check.commands).len(),
            2,
            "a check is two lines:\n{}",
            check.commands
        );
        let file = std::fs::read_to_string(manifest(&check.file))
            .unwrap_or_else(|e| panic!("{}: {e}", check.file));
        assert!(
            file.to_lowercase().contains(&check.expected),
            "{} does not contain the expected value {}",
            check.file,
            check.expected
        );
        assert!(
            check.pasted.iter().any(|l| l.contains(&check.expected)),
            "the pasted output does not show {}",
            check.expected
        );
    }

    let (Some(_), Some(python)) = (peer("openssl"), peer("python3")) else {
        return;
    };
    // scripts/install-test-deps.sh installs Python's cryptography package into .venv-peers/:
    // the checks run with that environment's python3 first on the PATH, as a reader who
    // activated it would.
    let venv_bin = manifest(".venv-peers/bin");
    let path = std::env::join_paths(std::iter::once(venv_bin.clone()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let python = if venv_bin.join("python3").exists() {
        venv_bin.join("python3")
    } else {
        python
    };
    for check in &checks {
        if check.commands.contains("cryptography") && !python_has(&python, "cryptography") {
            if std::env::var("TLS12SIM_REQUIRE_PEERS").is_ok_and(|v| v == "1") {
                panic!("Python's cryptography package is required (./scripts/test.sh installs it)");
            }
            eprintln!(
                "SKIPPED: the check of {} needs Python's cryptography package (./scripts/test.sh installs it)",
                check.file
            );
            continue;
        }
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("set -e\n{}", check.commands))
            .env("PATH", &path)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run sh");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "check failed:\n{}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            check.commands
        );
        // Once computed by the outside tool, once read from the vector file.
        assert!(
            stdout.matches(check.expected.as_str()).count() >= 2,
            "the check does not show {} twice:\n{}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            check.expected,
            check.commands
        );
        assert_eq!(
            lines_of(&stdout),
            lines_of(&check.pasted.join("\n")),
            "the output pasted in vectors/README.md differs from a real run of:\n{}",
            check.commands
        );
    }
}
