//! The chart `cargo bench` writes beside its summary: the costs that tell the story as bars, in
//! microseconds on a log scale (records at the short end, handshakes at the long one).

use std::fmt::Write as _;

use super::costs::{Costs, Op};
use super::handshakes::HandshakeKind;

/// A bar chart (SVG) of the costs that tell the story, in microseconds, log scale.
pub fn svg_chart(costs: &Costs) -> String {
    let rows = chart_rows(costs);
    let width = 900.0;
    let label_w = 300.0;
    let bar_h = 22.0;
    let height = 40.0 + bar_h * rows.len() as f64 + 30.0;
    let max = rows.iter().map(|(_, us)| *us).fold(1.0, f64::max);
    let scale = |us: f64| ((us.max(1.0)).log10() / max.log10().max(1.0)) * (width - label_w - 90.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"13\">\n\
         <text x=\"10\" y=\"22\" font-size=\"15\">What it costs (microseconds, log scale)</text>\n"
    );
    for (i, (label, us)) in rows.iter().enumerate() {
        let y = 40.0 + bar_h * i as f64;
        let color = if label.starts_with("full") {
            "#c0504d"
        } else if label.contains("RSA") || label.contains("X25519") {
            "#f79646"
        } else {
            "#4f81bd"
        };
        let w = scale(*us).max(2.0);
        let _ = writeln!(
            svg,
            "<text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{label}</text>\
             <rect x=\"{label_w}\" y=\"{:.0}\" width=\"{w:.0}\" height=\"{:.0}\" fill=\"{color}\"/>\
             <text x=\"{:.0}\" y=\"{:.0}\">{:.1} µs</text>",
            label_w - 8.0,
            y + 15.0,
            y + 3.0,
            bar_h - 6.0,
            label_w + w + 6.0,
            y + 15.0,
            us
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The bars: (label, microseconds), for the operations that were measured.
fn chart_rows(costs: &Costs) -> Vec<(String, f64)> {
    [
        (Op::Aes128Seal16k, "AES-128-GCM, one 16 KiB record"),
        (Op::RecordSeal16k, "our record layer, 16 KiB"),
        (Op::X25519Exchange, "X25519 key pair + shared secret"),
        (Op::Rsa2048Encrypt, "RSA-2048 public op (encrypt)"),
        (Op::Rsa2048Pkcs1Verify, "RSA-2048 verify"),
        (Op::Rsa2048Decrypt, "RSA-2048 private op (decrypt)"),
        (Op::Rsa2048PssSign, "RSA-2048 PSS sign"),
        (Op::Rsa3072Decrypt, "RSA-3072 private op"),
        (Op::Rsa4096Decrypt, "RSA-4096 private op"),
    ]
    .iter()
    .filter_map(|(op, label)| costs.get(*op).map(|ns| (label.to_string(), ns / 1e3)))
    .chain(HandshakeKind::ALL.iter().filter_map(|k| {
        costs
            .get(Op::HandshakeFull(*k))
            .map(|ns| (format!("full handshake: {}", k.name()), ns / 1e3))
    }))
    .collect()
}
