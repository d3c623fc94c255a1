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
    let max = rows.iter().map(|(_, _, us)| *us).fold(1.0, f64::max);
    let scale = |us: f64| ((us.max(1.0)).log10() / max.log10().max(1.0)) * (width - label_w - 90.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"13\">\n\
         <text x=\"10\" y=\"22\" font-size=\"15\">What it costs (microseconds, log scale)</text>\n"
    );
    for (i, (op, label, us)) in rows.iter().enumerate() {
        let y = 40.0 + bar_h * i as f64;
        let color = bar_colour(*op);
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

/// A bar's colour, by the operation's group: handshakes red, asymmetric crypto orange, the
/// symmetric and record operations blue.
fn bar_colour(op: Op) -> &'static str {
    match op.group() {
        "handshake" => "#c0504d",
        "asymmetric" => "#f79646",
        _ => "#4f81bd",
    }
}

/// The bars: (operation, label, microseconds), for the operations that were measured.
fn chart_rows(costs: &Costs) -> Vec<(Op, String, f64)> {
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
    .filter_map(|&(op, label)| costs.get(op).map(|ns| (op, label.to_string(), ns / 1e3)))
    .chain(HandshakeKind::ALL.iter().filter_map(|&k| {
        let op = Op::HandshakeFull(k);
        costs
            .get(op)
            .map(|ns| (op, format!("full handshake: {}", k.name()), ns / 1e3))
    }))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_coloured_by_the_operation_group_not_the_label() {
        assert_eq!(bar_colour(Op::X25519Exchange), "#f79646");
        assert_eq!(bar_colour(Op::Rsa2048PssSign), "#f79646");
        assert_eq!(bar_colour(Op::HandshakeFull(HandshakeKind::Rsa)), "#c0504d");
        assert_eq!(bar_colour(Op::RecordSeal16k), "#4f81bd");
        let mut costs = Costs::default();
        costs.set(Op::HandshakeFull(HandshakeKind::Rsa), 1e6);
        costs.set(Op::Aes128Seal16k, 5e3);
        let svg = svg_chart(&costs);
        assert!(svg.contains("fill=\"#c0504d\"") && svg.contains("fill=\"#4f81bd\""));
        assert!(!svg.contains("fill=\"#f79646\""), "{svg}");
    }
}
