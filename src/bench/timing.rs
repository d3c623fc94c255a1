//! A small timer, for `tls12-sim bench` (`cargo bench` uses criterion): run the operation in
//! batches for a time budget, keep the median, so that a stray slow sample does not count.

use std::time::{Duration, Instant};

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

/// The median of `samples` (sorted in place); NaN if there are none.
fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}
