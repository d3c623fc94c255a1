//! docs/walkthrough.md is generated from seeded runs (src/render/walkthrough.rs): it must be exactly
//! what the code produces today. Regenerate on purpose with
//! `UPDATE_DOCS=1 cargo test --test walkthrough`.

use std::path::PathBuf;

#[test]
fn the_walkthrough_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/walkthrough.md");
    let fresh = tls12_sim::render::walkthrough::render().unwrap();
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
            "docs/walkthrough.md is stale from line {}:\n  stored: {:?}\n  now:    {:?}\n\
             Regenerate it with UPDATE_DOCS=1 cargo test --test walkthrough",
            line + 1,
            stored.lines().nth(line),
            fresh.lines().nth(line)
        );
    }
}

#[test]
fn the_walkthrough_covers_both_key_exchanges_message_by_message() {
    let text = tls12_sim::render::walkthrough::render().unwrap();
    for needle in [
        "## TLS_RSA_WITH_AES_128_GCM_SHA256",
        "## TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "ClientHello, client to server (RFC 5246 7.4.1.2",
        "ServerKeyExchange, server to client (RFC 5246 7.4.3, RFC 8422 5.4",
        "ClientKeyExchange, client to server (RFC 5246 7.4.7",
        "Finished, server to client (RFC 5246 7.4.9",
        "**pre_master_secret**",
        "**master_secret**",
        "**client_write_key**",
        "encrypted_pre_master_secret",
        "signature_scheme",
    ] {
        assert!(text.contains(needle), "missing {needle:?}");
    }
}

#[test]
fn the_example_pages_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/examples");
    let update = std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1");
    for (name, fresh) in tls12_sim::render::walkthrough::example_pages().unwrap() {
        let path = dir.join(&name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &fresh).unwrap();
            continue;
        }
        let stored = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            stored == fresh,
            "docs/examples/{name} is stale: regenerate with UPDATE_DOCS=1 cargo test --test walkthrough"
        );
    }
}
