//! A small timer, for `tls12-sim bench` (`cargo bench` uses criterion): run the operation in
//! batches for a time budget, keep the median, so that a stray slow sample does not count.
//! And a paired timer, for ratios: two pieces of work timed alternately, sample by sample.

use std::time::{Duration, Instant};

use crate::error::Error;

/// The fewest samples a paired measurement takes, whatever its budget.
const MIN_PAIRED_SAMPLES: usize = 15;

/// Median nanoseconds per call of `op`, over batches that run for about `budget` in all.
pub fn time_op(budget: Duration, mut op: impl FnMut()) -> f64 {
    op(); // warm up
    let mut per_batch = 1u32;
    loop {
        let start = Instant::now();
        for _ in 0..per_batch {
            op();
        }
        if start.elapsed() >= Duration::from_millis(2) || per_batch >= 1 << 20 {
            break;
        }
        per_batch *= 2;
    }
    let mut samples = Vec::new();
    let deadline = Instant::now() + budget;
    while samples.len() < 5 || (Instant::now() < deadline && samples.len() < 200) {
        let start = Instant::now();
        for _ in 0..per_batch {
            op();
        }
        samples.push(start.elapsed().as_nanos() as f64 / f64::from(per_batch));
    }
    median(&mut samples)
}

/// Median nanoseconds of `routine`, each call on a fresh input from `setup` (not timed).
pub fn time_batched<T>(
    budget: Duration,
    mut setup: impl FnMut() -> T,
    mut routine: impl FnMut(T),
) -> f64 {
    let mut samples = Vec::new();
    let deadline = Instant::now() + budget;
    while samples.len() < 5 || (Instant::now() < deadline && samples.len() < 500) {
        let input = setup();
        let start = Instant::now();
        routine(input);
        samples.push(start.elapsed().as_nanos() as f64);
    }
    median(&mut samples)
}

/// Median nanoseconds of `routine` on `state`, after `reset` (not timed) before each call.
pub fn time_reset<S>(
    budget: Duration,
    state: &mut S,
    mut reset: impl FnMut(&mut S),
    mut routine: impl FnMut(&mut S),
) -> f64 {
    let mut samples = Vec::new();
    let deadline = Instant::now() + budget;
    while samples.len() < 5 || (Instant::now() < deadline && samples.len() < 2000) {
        reset(state);
        let start = Instant::now();
        routine(state);
        samples.push(start.elapsed().as_nanos() as f64);
    }
    median(&mut samples)
}

/// Nanoseconds that `work` takes.
pub fn timed(work: impl FnOnce()) -> f64 {
    let start = Instant::now();
    work();
    start.elapsed().as_nanos() as f64
}

/// Paired samples: in each sample `first` and `second` run one right after the other, on this
/// thread, the order swapped from one sample to the next (so that neither always runs on the
/// caches the other left). Each returns the nanoseconds it timed (so that it can leave its
/// set-up out of them). Samples are taken for about `budget`: at least 15, at most `max`. The
/// first error either returns stops the measurement. Returns the two lists of timings, in
/// step: `first[i]` and `second[i]` were timed together.
pub fn time_paired(
    budget: Duration,
    max: usize,
    mut first: impl FnMut() -> Result<f64, Error>,
    mut second: impl FnMut() -> Result<f64, Error>,
) -> Result<(Vec<f64>, Vec<f64>), Error> {
    // warm up
    first()?;
    second()?;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let deadline = Instant::now() + budget;
    while a.len() < MIN_PAIRED_SAMPLES || (Instant::now() < deadline && a.len() < max) {
        if a.len() % 2 == 0 {
            a.push(first()?);
            b.push(second()?);
        } else {
            b.push(second()?);
            a.push(first()?);
        }
    }
    Ok((a, b))
}

/// The median of `samples` (sorted in place); NaN if there are none.
fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    #[test]
    fn paired_samples_alternate_which_runs_first_and_stay_in_step() {
        let order = RefCell::new(Vec::new());
        let (first, second) = time_paired(
            Duration::ZERO,
            100,
            || {
                order.borrow_mut().push('a');
                Ok(1.0)
            },
            || {
                order.borrow_mut().push('b');
                Ok(2.0)
            },
        )
        .unwrap();
        assert_eq!((first.len(), second.len()), (15, 15));
        assert!(first.iter().all(|&ns| ns == 1.0) && second.iter().all(|&ns| ns == 2.0));
        let order: String = order.into_inner().into_iter().collect();
        // warm-up, then a before b, b before a, ...
        assert!(order.starts_with("ab"));
        assert!(order[2..].starts_with("abbaab"), "{order}");
    }
}
