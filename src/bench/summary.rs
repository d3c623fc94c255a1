//! The summary a class reads: one run's costs as ratios, one function per paragraph, in the
//! order they are printed (and OpenSSL's figures beside ours, when there are any).

use std::fmt::Write as _;

use super::costs::{Costs, Op, Pairing, Part};
use super::cpu::cpu_name;
use super::handshakes::HandshakeKind;
use super::openssl::OpenSslSpeed;
use super::stats::Spread;
use super::wording::{self, fmt_ns};
use crate::session::Resumption;

/// The ratios a class reads, from one run's costs (and OpenSSL's, side by side).
pub fn summary(costs: &Costs, openssl: Option<&OpenSslSpeed>) -> String {
    let mut out = String::new();
    heading(&mut out);
    private_key_against_session_keys(&mut out, costs);
    key_exchanges_and_key_sizes(&mut out, costs);
    server_and_client(&mut out, costs);
    where_the_time_goes(&mut out, costs);
    resumption(&mut out, costs);
    record_layer(&mut out, costs);
    cbc_record_layer(&mut out, costs);
    memory(&mut out, costs);
    if let Some(ssl) = openssl {
        openssl_side_by_side(&mut out, costs, ssl);
    }
    out
}

/// A figure measured in pairs: the medians of its first and second timings, and its value
/// with the spread. Without paired samples, the separate medians of `first` and `second`, and
/// their quotient, marked unpaired.
fn paired_figure(
    costs: &Costs,
    pairing: Pairing,
    first: Op,
    second: Op,
) -> Option<(f64, f64, Spread)> {
    if let Some(paired) = costs.paired(pairing) {
        return Some((paired.first_ns, paired.second_ns, paired.value));
    }
    let (a, b) = (costs.get(first)?, costs.get(second)?);
    Some((a, b, Spread::unpaired(pairing.value(a, b))))
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
    let _ = writeln!(
        out,
        "Ratios followed by \"middle 80% of N samples\" were timed in pairs, the two things \
         compared one right\nafter the other in each sample: the ratio is the median of the \
         per-sample ratios, the range\n(10th to 90th percentile) shows how noisy this run was."
    );
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
    if let Some((rsa, ecdhe, ratio)) = paired_figure(
        costs,
        Pairing::EcdheOverRsa,
        Op::HandshakeFull(HandshakeKind::Rsa),
        Op::HandshakeFull(HandshakeKind::Ecdhe),
    ) {
        let _ = writeln!(out, "  {}", wording::ecdhe_against_rsa(rsa, ecdhe, &ratio));
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
        if let Some((server, client, share)) = paired_figure(
            costs,
            Pairing::ServerShare(kind),
            Op::HandshakeServer(kind),
            Op::HandshakeClient(kind),
        ) {
            let _ = writeln!(
                out,
                "  {:<11} server {:>9}  client {:>9}  server's share {}",
                kind.name(),
                fmt_ns(server),
                fmt_ns(client),
                wording::share(&share)
            );
        }
    }
}

/// A handshake's total against the public-key operations it does, timed right after it (or,
/// without paired samples, each measured alone and marked unpaired).
fn where_the_time_goes(out: &mut String, costs: &Costs) {
    let _ = writeln!(
        out,
        "\nWhere a handshake's time goes (target: asymmetric crypto >= 95%):"
    );
    for kind in HandshakeKind::ALL {
        let work = kind.asymmetric_work();
        let figure = match costs.paired(Pairing::AsymmetricShare(kind)) {
            Some(paired) => Some((paired.first_ns, paired.value)),
            None => unpaired_share(costs, kind, &work),
        };
        let Some((total, share)) = figure else {
            continue;
        };
        let parts: Vec<String> = work
            .iter()
            .map(|(op, count)| format!("{count}x {}", op.function()))
            .collect();
        let _ = writeln!(
            out,
            "  {:<11} total {:>9}, {}  [{}]",
            kind.name(),
            fmt_ns(total),
            wording::asymmetric_share(total, &share),
            parts.join(", ")
        );
    }
}

/// A resumed handshake against a full RSA one, by session id and by ticket: both sides, and
/// each side alone.
fn resumption(out: &mut String, costs: &Costs) {
    let _ = writeln!(
        out,
        "\nResumption, the abbreviated handshake (RFC 5246 7.3: no certificate, no key \
         exchange),\nagainst a full RSA handshake (target: under 2%):"
    );
    let full = Op::HandshakeFull(HandshakeKind::Rsa);
    for how in [Resumption::SessionId, Resumption::Ticket] {
        let figure = |part: Part, full_op: Op, resumed_op: Op| {
            paired_figure(
                costs,
                Pairing::ResumedOverFull(how, part),
                full_op,
                resumed_op,
            )
        };
        let Some((full_ns, resumed_ns, share)) = figure(Part::Both, full, Op::ResumedFull(how))
        else {
            continue;
        };
        let _ = writeln!(
            out,
            "  by {:<10} both sides {:>9} against {:>9}: {}; a full handshake costs as much as \
             {:.0} resumed ones",
            how.name(),
            fmt_ns(resumed_ns),
            fmt_ns(full_ns),
            wording::small_share(&share),
            1.0 / share.median
        );
        let kind = HandshakeKind::Rsa;
        let sides = [
            (
                "server",
                Part::Server,
                Op::HandshakeServer(kind),
                Op::ResumedServer(how),
            ),
            (
                "client",
                Part::Client,
                Op::HandshakeClient(kind),
                Op::ResumedClient(how),
            ),
        ];
        for (side, part, full_op, resumed_op) in sides {
            if let Some((full_ns, resumed_ns, share)) = figure(part, full_op, resumed_op) {
                let _ = writeln!(
                    out,
                    "     {side} alone {:>9} against {:>9}: {}",
                    fmt_ns(resumed_ns),
                    fmt_ns(full_ns),
                    wording::small_share(&share)
                );
            }
        }
    }
}

/// The handshake's median and the sum of its operations' medians over it, all timed
/// separately (`None` unless every one was measured).
fn unpaired_share(costs: &Costs, kind: HandshakeKind, work: &[(Op, u32)]) -> Option<(f64, Spread)> {
    let full = costs.get(Op::HandshakeFull(kind))?;
    let mut asymmetric = 0.0;
    for &(op, count) in work {
        asymmetric += costs.get(op)? * f64::from(count);
    }
    Some((full, Spread::unpaired(asymmetric / full)))
}

/// Our record layer against the bare aes-gcm call on the same bytes.
fn record_layer(out: &mut String, costs: &Costs) {
    let _ = writeln!(
        out,
        "\nOur record layer against the bare aes-gcm call (target: <= 1.05x):"
    );
    for (pairing, bare, ours, what) in [
        (
            Pairing::RecordSeal,
            Op::BareSeal16k,
            Op::RecordSeal16k,
            "seal",
        ),
        (
            Pairing::RecordOpen,
            Op::BareOpen16k,
            Op::RecordOpen16k,
            "open",
        ),
    ] {
        if let Some((bare, ours, ratio)) = paired_figure(costs, pairing, bare, ours) {
            let _ = writeln!(
                out,
                "  {what} 16 KiB: ours {} vs bare {} = {}",
                fmt_ns(ours),
                fmt_ns(bare),
                wording::ratio(&ratio, 3)
            );
        }
    }
}

/// Our CBC record layer against the bare aes/cbc and hmac calls, and CBC against GCM.
fn cbc_record_layer(out: &mut String, costs: &Costs) {
    let _ = writeln!(
        out,
        "\nOur CBC record layer (AES-128-CBC, HMAC-SHA256, MAC-then-encrypt) against the bare \
         aes/cbc + hmac calls\n(target: <= 1.05x), and against our GCM record layer:"
    );
    for (pairing, first, second, what) in [
        (
            Pairing::CbcRecordSeal,
            Op::BareCbcSeal16k,
            Op::CbcRecordSeal16k,
            "seal 16 KiB: ours",
        ),
        (
            Pairing::CbcRecordOpen,
            Op::BareCbcOpen16k,
            Op::CbcRecordOpen16k,
            "open 16 KiB (Lucky 13 countermeasure included): ours",
        ),
        (
            Pairing::CbcOverGcmSeal,
            Op::RecordSeal16k,
            Op::CbcRecordSeal16k,
            "seal 16 KiB: CBC",
        ),
        (
            Pairing::CbcOverGcmOpen,
            Op::RecordOpen16k,
            Op::CbcRecordOpen16k,
            "open 16 KiB: CBC",
        ),
    ] {
        if let Some((a, b, ratio)) = paired_figure(costs, pairing, first, second) {
            let against = match pairing {
                Pairing::CbcOverGcmSeal | Pairing::CbcOverGcmOpen => "GCM",
                _ => "bare",
            };
            let _ = writeln!(
                out,
                "  {what} {} vs {against} {} = {}",
                fmt_ns(b),
                fmt_ns(a),
                wording::ratio(&ratio, 3)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::costs::Paired;

    /// The issue's run, unpaired: the RSA-key-exchange handshake's operations timed alone add
    /// up to 113.5% of a handshake timed at another moment, and ECDHE came out at 0.76x.
    fn the_issues_run() -> Costs {
        let mut costs = Costs::default();
        costs.set(Op::HandshakeFull(HandshakeKind::Rsa), 2.54e6);
        costs.set(Op::HandshakeFull(HandshakeKind::Ecdhe), 1.93e6);
        costs.set(Op::Rsa2048Pkcs1Verify, 0.05e6);
        costs.set(Op::Rsa2048PssSign, 2.0e6);
        costs.set(Op::Rsa2048PssVerify, 0.05e6);
        costs.set(Op::X25519Exchange, 0.05e6);
        costs
    }

    #[test]
    fn unpaired_figures_never_read_above_100_percent_nor_contradict_their_sentence() {
        let text = summary(&the_issues_run(), None);
        // ecdhe: (0.05 + 2.0 + 0.05 + 2 x 0.05) / 1.93 = 113.99%
        assert!(
            text.contains(
                "ecdhe       total   1.93 ms, asymmetric ~100%: all of it, within noise \
                 (unpaired: two medians timed apart), everything else below the noise"
            ),
            "{text}"
        );
        for line in text.lines().filter(|line| line.contains("asymmetric")) {
            assert!(!line.contains("113") && !line.contains("114"), "{line}");
        }
        assert!(
            text.contains("ECDHE measured cheaper here (0.76x; unpaired"),
            "{text}"
        );
        assert!(!text.contains("signs instead of decrypting"), "{text}");
    }

    #[test]
    fn paired_figures_take_the_place_of_the_separate_medians() {
        let mut costs = the_issues_run();
        let kind = HandshakeKind::Ecdhe;
        // Timed together, the handshake and its operations: 2.3 ms and 2.2 ms, 2.5 and 2.3...
        let full = [2.3e6, 2.5e6, 2.4e6, 2.35e6, 2.45e6];
        let asymmetric = [2.2e6, 2.3e6, 2.25e6, 2.2e6, 2.3e6];
        let pairing = Pairing::AsymmetricShare(kind);
        costs
            .paired
            .insert(pairing, Paired::from_samples(pairing, &full, &asymmetric));
        let rsa = [2.1e6, 2.2e6, 2.0e6, 2.15e6, 2.1e6];
        let ecdhe = [2.3e6, 2.4e6, 2.2e6, 2.35e6, 2.3e6];
        let pairing = Pairing::EcdheOverRsa;
        costs
            .paired
            .insert(pairing, Paired::from_samples(pairing, &rsa, &ecdhe));
        let text = summary(&costs, None);
        assert!(
            text.contains("ecdhe       total   2.40 ms, asymmetric 93.8% (middle 80% of 5"),
            "{text}"
        );
        assert!(
            text.contains("RSA key exchange handshake 2.10 ms vs ECDHE 2.30 ms: ECDHE costs 1.10x"),
            "{text}"
        );
        assert!(text.contains("signs instead of decrypting"), "{text}");
    }
}
