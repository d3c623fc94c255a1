//! The words around the measured ratios, chosen from the numbers alone (pure functions, so
//! that every wording is tested with made-up numbers): no sentence may say what its number
//! contradicts, and no share may read above 100%.
//!
//! The rules:
//! - a share is shown clamped to 100%; from 99.5% up (or above 100%, as noise can make it) it
//!   reads "~100%: all of it, within noise" and the rest "below the noise";
//! - ECDHE against RSA key exchange (the median of per-pair ratios, as printed to 0.01x) reads
//!   "costs 1.09x ..., it signs instead of decrypting" only from 1.03x up; from 0.97x to 1.02x
//!   "about the same" ("within noise" when the spread straddles 1); below, "measured cheaper
//!   ... noise, not a finding" (it does as much RSA work as RSA key exchange, and X25519
//!   besides);
//! - every paired figure carries its spread, "middle 80% of N samples: low–high"; a figure
//!   that could not be paired says "unpaired" instead.

use super::stats::Spread;

/// From this share up, the rest of a handshake is smaller than the noise.
const ALL_OF_IT: f64 = 0.995;
/// ECDHE / RSA key exchange, in hundredths as printed: from 0.97x to 1.02x it costs "about the
/// same"; from 1.03x up it costs more.
const ABOUT_THE_SAME: std::ops::Range<i64> = 97..103;

/// A duration, in the unit that reads best.
pub fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// A share, 0 to 1, in percent with `decimals`, never above 100%.
fn percent(share: f64, decimals: usize) -> String {
    format!("{:.*}%", decimals, 100.0 * share.clamp(0.0, 1.0))
}

/// How noisy a figure was: "middle 80% of 60 samples: 91.0–95.2%", each end written by
/// `show`; or "unpaired: two medians timed apart".
fn noise(spread: &Spread, show: impl Fn(f64) -> String) -> String {
    if spread.samples == 0 {
        return "unpaired: two medians timed apart".to_string();
    }
    format!(
        "middle 80% of {} samples: {}–{}",
        spread.samples,
        show(spread.low).trim_end_matches(['%', 'x']),
        show(spread.high)
    )
}

/// A share with its spread, whole percent: "90% (middle 80% of 40 samples: 89–91%)".
pub fn share(spread: &Spread) -> String {
    let show = |x| percent(x, 0);
    format!("{} ({})", show(spread.median), noise(spread, show))
}

/// A small share with its spread, in hundredths of a percent: "1.23% (middle 80% of 90
/// samples: 1.10–1.40%)".
pub fn small_share(spread: &Spread) -> String {
    let show = |x| percent(x, 2);
    format!("{} ({})", show(spread.median), noise(spread, show))
}

/// A ratio with its spread: "1.003x (middle 80% of 900 samples: 0.990–1.020x)".
pub fn ratio(spread: &Spread, decimals: usize) -> String {
    let show = |x: f64| format!("{x:.decimals$}x");
    format!("{} ({})", show(spread.median), noise(spread, show))
}

/// The asymmetric part of a handshake whose median is `total_ns`, and everything else:
/// "asymmetric 93.1% (middle 80% ...), everything else 90.3 µs". The rest is derived from the
/// share (total × (1 − share)), so that the line adds up.
pub fn asymmetric_share(total_ns: f64, share: &Spread) -> String {
    let show = |x| percent(x, 1);
    if share.median >= ALL_OF_IT {
        return format!(
            "asymmetric ~100%: all of it, within noise ({}), everything else below the noise",
            noise(share, show)
        );
    }
    format!(
        "asymmetric {} ({}), everything else {}",
        show(share.median),
        noise(share, show),
        fmt_ns(total_ns * (1.0 - share.median))
    )
}

/// RSA key exchange against ECDHE, the handshakes' medians and ECDHE / RSA.
pub fn ecdhe_against_rsa(rsa_ns: f64, ecdhe_ns: f64, ratio: &Spread) -> String {
    let hundredths = (ratio.median * 100.0).round() as i64;
    let x = hundredths as f64 / 100.0;
    let show = |x: f64| format!("{x:.2}x");
    let figures = format!(
        "RSA key exchange handshake {} vs ECDHE {}",
        fmt_ns(rsa_ns),
        fmt_ns(ecdhe_ns)
    );
    if hundredths >= ABOUT_THE_SAME.end {
        format!(
            "{figures}: ECDHE costs {} ({}): it signs instead of decrypting, and adds two X25519 \
             operations per side",
            show(x),
            noise(ratio, show)
        )
    } else if ABOUT_THE_SAME.contains(&hundredths) {
        let within = ratio.samples > 0 && ratio.low <= 1.0 && ratio.high >= 1.0;
        format!(
            "{figures}: ECDHE costs about the same as RSA key exchange here ({}{}{})",
            show(x),
            if within { ", within noise: " } else { "; " },
            noise(ratio, show)
        )
    } else {
        format!(
            "{figures}: ECDHE measured cheaper here ({}; {}), though it does as much RSA work \
             plus X25519: noise, not a finding",
            show(x),
            noise(ratio, show)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spread(median: f64, low: f64, high: f64) -> Spread {
        Spread {
            median,
            low,
            high,
            samples: 40,
        }
    }

    #[test]
    fn a_share_reads_with_its_spread() {
        let line = asymmetric_share(2e6, &spread(0.931, 0.91, 0.952));
        assert_eq!(
            line,
            "asymmetric 93.1% (middle 80% of 40 samples: 91.0–95.2%), everything else 138.0 µs"
        );
        assert_eq!(
            share(&spread(0.9, 0.89, 0.91)),
            "90% (middle 80% of 40 samples: 89–91%)"
        );
    }

    #[test]
    fn the_naive_113_percent_share_reads_as_all_of_it_within_noise() {
        // The run: asymmetric 2.20 ms, timed alone, against a handshake of 1.93 ms
        // timed at another moment: 113.5%, unpaired.
        let naive = Spread::unpaired(2.20 / 1.93);
        let line = asymmetric_share(1.93e6, &naive);
        assert_eq!(
            line,
            "asymmetric ~100%: all of it, within noise (unpaired: two medians timed apart), \
             everything else below the noise"
        );
        assert!(!line.contains("113"));
    }

    #[test]
    fn no_share_reads_above_100_percent() {
        // Paired, the median just below 100% and the top of the spread above it.
        let line = asymmetric_share(2e6, &spread(0.998, 0.97, 1.04));
        assert!(
            line.starts_with("asymmetric ~100%: all of it, within noise"),
            "{line}"
        );
        assert!(line.contains("97.0–100.0%"), "{line}");
        let line = asymmetric_share(2e6, &spread(0.99, 0.96, 1.02));
        assert!(line.starts_with("asymmetric 99.0% ("), "{line}");
        assert!(line.contains("96.0–100.0%") && line.contains("everything else 20.0 µs"));
        for text in [line, share(&spread(1.2, 1.1, 1.3))] {
            for number in text.split(|c: char| !c.is_ascii_digit() && c != '.') {
                if let Ok(n) = number.parse::<f64>() {
                    assert!(n <= 100.0, "{text}");
                }
            }
        }
    }

    #[test]
    fn ecdhe_reads_as_costlier_only_when_it_measured_costlier() {
        let more = ecdhe_against_rsa(1.31e6, 1.42e6, &spread(1.09, 1.02, 1.15));
        assert_eq!(
            more,
            "RSA key exchange handshake 1.31 ms vs ECDHE 1.42 ms: ECDHE costs 1.09x (middle 80% \
             of 40 samples: 1.02–1.15x): it signs instead of decrypting, and adds two X25519 \
             operations per side"
        );
        let same = ecdhe_against_rsa(1.31e6, 1.27e6, &spread(0.974, 0.90, 1.05));
        assert!(
            same.ends_with(
                "ECDHE costs about the same as RSA key exchange here (0.97x, within noise: middle \
                 80% of 40 samples: 0.90–1.05x)"
            ),
            "{same}"
        );
        let same_and_steady = ecdhe_against_rsa(1.31e6, 1.34e6, &spread(1.02, 1.01, 1.03));
        assert!(same_and_steady.contains("about the same as RSA key exchange here (1.02x; middle"));
        // The run: 0.76x, unpaired.
        let less = ecdhe_against_rsa(2.54e6, 1.93e6, &Spread::unpaired(0.76));
        assert!(
            less.contains("ECDHE measured cheaper here (0.76x; unpaired"),
            "{less}"
        );
        assert!(less.ends_with("noise, not a finding"));
        for (median, reads) in [
            (1.026, "costs 1.03x"),
            (1.024, "about the same"),
            (0.965, "about the same"),
            (0.964, "measured cheaper"),
        ] {
            let text = ecdhe_against_rsa(1e6, 1e6, &spread(median, 0.9, 1.1));
            assert!(text.contains(reads), "{median}: {text}");
        }
        for text in [same, less] {
            assert!(!text.contains("signs instead of decrypting"), "{text}");
        }
    }

    #[test]
    fn ratios_and_durations_read_in_their_units() {
        assert_eq!(
            ratio(&spread(1.003, 0.99, 1.02), 3),
            "1.003x (middle 80% of 40 samples: 0.990–1.020x)"
        );
        assert_eq!(fmt_ns(1.93e6), "1.93 ms");
        assert_eq!(fmt_ns(89_800.0), "89.8 µs");
        assert_eq!(fmt_ns(512.0), "512 ns");
    }
}
