//! The summary a class reads: one run's costs as ratios, one function per paragraph, in the
//! order they are printed (and OpenSSL's figures beside ours, when there are any).

use std::fmt::Write as _;

use super::costs::{Costs, Op};
use super::cpu::cpu_name;
use super::handshakes::HandshakeKind;
use super::openssl::OpenSslSpeed;

/// The ratios a class reads, from one run's costs (and OpenSSL's, side by side).
pub fn summary(costs: &Costs, openssl: Option<&OpenSslSpeed>) -> String {
    let mut out = String::new();
    heading(&mut out);
    private_key_against_session_keys(&mut out, costs);
    key_exchanges_and_key_sizes(&mut out, costs);
    server_and_client(&mut out, costs);
    where_the_time_goes(&mut out, costs);
    record_layer(&mut out, costs);
    memory(&mut out, costs);
    if let Some(ssl) = openssl {
        openssl_side_by_side(&mut out, costs, ssl);
    }
    out
}

/// A duration, in the unit that reads best.
fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// The title, and the machine.
fn heading(out: &mut String) {
    let _ = writeln!(
        out,
        "\n==== tls12-sim: what a TLS 1.2 connection costs (one run, this machine) ===="
    );
    if let Some(cpu) = cpu_name() {
        let _ = writeln!(out, "CPU: {cpu}");
    }
}

/// The article's claim: a private-key operation, and a handshake, in kilobytes of AES-GCM.
fn private_key_against_session_keys(out: &mut String, costs: &Costs) {
    // Per-KiB AES-128-GCM cost from the 16 KiB measurement.
    let aes_per_kib = costs.get(Op::Aes128Seal16k).map(|ns| ns / 16.0);
    let record_per_mib = costs.get(Op::RecordSeal16k).map(|ns| ns * 64.0);
    let _ = writeln!(out, "\nThe private key against the session keys:");
    if let (Some(rsa), Some(kib)) = (costs.get(Op::Rsa2048Decrypt), aes_per_kib) {
        let _ = writeln!(
            out,
            "  one RSA-2048 private-key operation ({}) costs as much as AES-128-GCM on {:.0} KiB \
             ({:.2} MiB)",
            fmt_ns(rsa),
            rsa / kib,
            rsa / kib / 1024.0
        );
    }
    if let (Some(rsa), Some(kib)) = (costs.get(Op::Rsa2048Encrypt), aes_per_kib) {
        let _ = writeln!(
            out,
            "  one RSA-2048 public-key operation ({}) costs as much as AES-128-GCM on {:.0} KiB",
            fmt_ns(rsa),
            rsa / kib
        );
    }
    if let (Some(aes), Some(aes256)) = (costs.get(Op::Aes128Seal16k), costs.get(Op::Aes256Seal16k))
    {
        let _ = writeln!(
            out,
            "  AES-128-GCM: {:.0} MB/s, AES-256-GCM: {:.0} MB/s (16 KiB records)",
            16384.0 / aes * 1e3,
            16384.0 / aes256 * 1e3
        );
    }
    for kind in HandshakeKind::ALL {
        if let (Some(full), Some(mib)) = (costs.get(Op::HandshakeFull(kind)), record_per_mib) {
            let _ = writeln!(
                out,
                "  a full {} handshake ({}) costs as much as {:.1} MiB of records",
                kind.name(),
                fmt_ns(full),
                full / mib
            );
        }
    }
}

/// RSA key exchange against ECDHE, and RSA's key sizes against each other and X25519.
fn key_exchanges_and_key_sizes(out: &mut String, costs: &Costs) {
    let _ = writeln!(out, "\nKey exchanges and key sizes:");
    if let (Some(rsa), Some(ecdhe)) = (
        costs.get(Op::HandshakeFull(HandshakeKind::Rsa)),
        costs.get(Op::HandshakeFull(HandshakeKind::Ecdhe)),
    ) {
        let _ = writeln!(
            out,
            "  RSA key exchange handshake {} vs ECDHE {}: ECDHE costs {:.2}x (it signs instead of \
             decrypting, and adds two X25519 operations per side)",
            fmt_ns(rsa),
            fmt_ns(ecdhe),
            ecdhe / rsa
        );
    }
    if let (Some(a), Some(b), Some(c)) = (
        costs.get(Op::Rsa2048Decrypt),
        costs.get(Op::Rsa3072Decrypt),
        costs.get(Op::Rsa4096Decrypt),
    ) {
        let _ = writeln!(
            out,
            "  RSA private key operation: 2048 bits {} | 3072 bits {} ({:.1}x) | 4096 bits {} \
             ({:.1}x)",
            fmt_ns(a),
            fmt_ns(b),
            b / a,
            fmt_ns(c),
            c / a
        );
    }
    if let (Some(x), Some(rsa)) = (costs.get(Op::X25519Exchange), costs.get(Op::Rsa2048Decrypt)) {
        let _ = writeln!(
            out,
            "  X25519 key pair + shared secret {}: {:.0} of them per RSA-2048 private operation",
            fmt_ns(x),
            rsa / x
        );
    }
}

/// Who pays: each side alone, replaying the other's recorded flights.
fn server_and_client(out: &mut String, costs: &Costs) {
    let _ = writeln!(
        out,
        "\nServer and client, each alone (replaying recorded flights):"
    );
    for kind in HandshakeKind::ALL {
        if let (Some(server), Some(client)) = (
            costs.get(Op::HandshakeServer(kind)),
            costs.get(Op::HandshakeClient(kind)),
        ) {
            let _ = writeln!(
                out,
                "  {:<11} server {:>9}  client {:>9}  server's share {:.0}%",
                kind.name(),
                fmt_ns(server),
                fmt_ns(client),
                100.0 * server / (server + client)
            );
        }
    }
}

/// A handshake's total against the public-key operations it must do, each measured alone.
fn where_the_time_goes(out: &mut String, costs: &Costs) {
    let _ = writeln!(
        out,
        "\nWhere a handshake's time goes (target: asymmetric crypto >= 95%):"
    );
    for kind in HandshakeKind::ALL {
        let Some(full) = costs.get(Op::HandshakeFull(kind)) else {
            continue;
        };
        let mut asymmetric = 0.0;
        let mut parts = Vec::new();
        for (op, count) in kind.asymmetric_work() {
            if let Some(ns) = costs.get(op) {
                asymmetric += ns * f64::from(count);
                parts.push(format!("{count}x {}", op.function()));
            }
        }
        let _ = writeln!(
            out,
            "  {:<11} total {:>9}, asymmetric {:>9} = {:.1}%, everything else {}  [{}]",
            kind.name(),
            fmt_ns(full),
            fmt_ns(asymmetric),
            100.0 * asymmetric / full,
            fmt_ns((full - asymmetric).max(0.0)),
            parts.join(", ")
        );
    }
}

/// Our record layer against the bare aes-gcm call on the same bytes.
fn record_layer(out: &mut String, costs: &Costs) {
    let _ = writeln!(
        out,
        "\nOur record layer against the bare aes-gcm call (target: <= 1.05x):"
    );
    for (ours, bare, what) in [
        (Op::RecordSeal16k, Op::BareSeal16k, "seal"),
        (Op::RecordOpen16k, Op::BareOpen16k, "open"),
    ] {
        if let (Some(ours), Some(bare)) = (costs.get(ours), costs.get(bare)) {
            let _ = writeln!(
                out,
                "  {what} 16 KiB: ours {} vs bare {} = {:.3}x",
                fmt_ns(ours),
                fmt_ns(bare),
                ours / bare
            );
        }
    }
}

/// Allocations and peak heap; or, where nothing counted them, where to find them.
fn memory(out: &mut String, costs: &Costs) {
    let Some(memory) = &costs.memory else {
        let _ = writeln!(
            out,
            "\nMemory: measured by `cargo bench`, where the counting allocator is installed (not \
             in tls12-sim: a global allocator would sit under every allocation of every subcommand)"
        );
        return;
    };
    let _ = writeln!(out, "\nMemory (counting allocator):");
    for row in memory {
        let _ = writeln!(
            out,
            "  {}: {} allocations, peak heap {:.1} KiB",
            row.what,
            row.allocations,
            row.peak_bytes as f64 / 1024.0
        );
    }
}

/// The same operations on OpenSSL, and the article's ratio with OpenSSL's figures.
fn openssl_side_by_side(out: &mut String, costs: &Costs, ssl: &OpenSslSpeed) {
    let _ = writeln!(
        out,
        "\nThe same on OpenSSL ({}), hand-tuned C and assembly:",
        ssl.version
    );
    let rows = [
        (
            "RSA-2048 private op",
            costs.get(Op::Rsa2048Decrypt),
            ssl.rsa2048_private_ns,
        ),
        (
            "RSA-2048 public op",
            costs.get(Op::Rsa2048Encrypt),
            ssl.rsa2048_public_ns,
        ),
        (
            "X25519 (one scalar mult)",
            costs.get(Op::X25519Exchange).map(|n| n / 2.0),
            ssl.x25519_ns,
        ),
        (
            "AES-128-GCM, 16 KiB",
            costs.get(Op::Aes128Seal16k),
            ssl.aes128gcm_16k_ns,
        ),
        (
            "AES-256-GCM, 16 KiB",
            costs.get(Op::Aes256Seal16k),
            ssl.aes256gcm_16k_ns,
        ),
    ];
    let _ = writeln!(
        out,
        "  {:<26} {:>12} {:>12} {:>8}",
        "", "RustCrypto", "OpenSSL", "ratio"
    );
    for (what, ours, theirs) in rows {
        if let (Some(ours), Some(theirs)) = (ours, theirs) {
            let _ = writeln!(
                out,
                "  {what:<26} {:>12} {:>12} {:>7.1}x",
                fmt_ns(ours),
                fmt_ns(theirs),
                ours / theirs
            );
        }
    }
    if let (Some(rsa), Some(aes)) = (ssl.rsa2048_private_ns, ssl.aes128gcm_16k_ns) {
        let _ = writeln!(
            out,
            "  OpenSSL: one RSA-2048 private-key operation = AES-128-GCM on {:.0} KiB",
            rsa / (aes / 16.0)
        );
    }
}
