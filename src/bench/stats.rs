//! The statistics of paired samples: a median and how far the samples spread around it.
//!
//! The noise measure is the same everywhere: the middle 80% of the samples, from the 10th to
//! the 90th percentile (linear interpolation between neighbouring samples, as numpy's default).
//! It says how noisy the run was; it is not a confidence interval of the median.

/// A figure measured sample by sample: the median of the per-sample values, and their spread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// The median of the per-sample values.
    pub median: f64,
    /// The 10th percentile of the per-sample values.
    pub low: f64,
    /// The 90th percentile of the per-sample values.
    pub high: f64,
    /// How many samples; 0 for a figure that was not sampled in pairs (one quotient of two
    /// medians timed separately, with no spread to show).
    pub samples: usize,
}

impl Spread {
    /// The median and middle 80% of `values` (NaN everywhere if there are none).
    pub fn of(values: &[f64]) -> Spread {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Spread {
            median: percentile(&sorted, 0.5),
            low: percentile(&sorted, 0.1),
            high: percentile(&sorted, 0.9),
            samples: sorted.len(),
        }
    }

    /// A figure from two medians timed separately: no samples, no spread.
    pub fn unpaired(value: f64) -> Spread {
        Spread {
            median: value,
            low: value,
            high: value,
            samples: 0,
        }
    }
}

/// The `q`-quantile (0 to 1) of `sorted` (ascending), interpolating linearly between the two
/// nearest samples; NaN if there are none.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let at = q.clamp(0.0, 1.0) * last as f64;
    let below = at.floor() as usize;
    let above = at.ceil() as usize;
    let weight = at - below as f64;
    sorted[below] + (sorted[above] - sorted[below]) * weight
}

/// The median of `values` (NaN if there are none).
pub fn median(values: &[f64]) -> f64 {
    Spread::of(values).median
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_neighbouring_samples() {
        let sorted: Vec<f64> = (0..=10).map(f64::from).collect();
        assert_eq!(percentile(&sorted, 0.5), 5.0);
        assert_eq!(percentile(&sorted, 0.1), 1.0);
        assert_eq!(percentile(&sorted, 0.9), 9.0);
        assert_eq!(percentile(&[1.0, 2.0], 0.5), 1.5);
        assert_eq!(percentile(&[4.0], 0.9), 4.0);
        assert!(percentile(&[], 0.5).is_nan());
    }

    #[test]
    fn a_spread_is_the_median_and_the_middle_80_percent_whatever_the_order() {
        let values = [9.0, 1.0, 5.0, 3.0, 7.0, 2.0, 8.0, 4.0, 6.0, 0.0, 10.0];
        let spread = Spread::of(&values);
        assert_eq!(
            spread,
            Spread {
                median: 5.0,
                low: 1.0,
                high: 9.0,
                samples: 11
            }
        );
        // One wild sample moves neither the median nor the middle 80% much.
        let mut wild = values.to_vec();
        wild[0] = 1e9;
        let with_outlier = Spread::of(&wild);
        assert_eq!(with_outlier.median, 5.0);
        assert!(with_outlier.high <= 10.0);
    }

    #[test]
    fn an_unpaired_figure_has_no_samples_and_no_spread() {
        let spread = Spread::unpaired(1.135);
        assert_eq!((spread.low, spread.high, spread.samples), (1.135, 1.135, 0));
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    }
}
