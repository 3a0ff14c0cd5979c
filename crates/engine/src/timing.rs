//! Phase timings for profiling large models: with `THREATWRIGHT_TIMING` set, each phase
//! prints its wall-clock time since the process started and the resident memory, so the
//! critical path and the memory growth of an analysis can be read off one run.

use std::sync::OnceLock;
use std::time::Instant;

fn start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// Whether timings are on (read once).
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("THREATWRIGHT_TIMING").is_some())
}

/// Starts the clock; call first thing so later marks count from process start.
pub fn begin() {
    if enabled() {
        start();
    }
}

/// Prints `phase` with the time since [`begin`] and the resident set size.
pub fn mark(phase: &str) {
    if !enabled() {
        return;
    }
    let elapsed = start().elapsed();
    let rss_mb = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096 / (1 << 20));
    eprintln!(
        "[{:>7.1} ms] {phase} (rss {rss_mb} MB)",
        elapsed.as_secs_f64() * 1e3
    );
}
