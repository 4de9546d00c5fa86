//! Stopwatches with pause accounting (nextest's `time::stopwatch`) and CLOCK_MONOTONIC stamps.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Total nanoseconds the whole runner has spent paused (SIGTSTP), and the start of the current
/// pause (0 = not paused). Stopwatches subtract the pauses that happened during their lifetime.
static PAUSED_TOTAL: AtomicU64 = AtomicU64::new(0);
static PAUSE_START: AtomicU64 = AtomicU64::new(0);

pub fn begin_pause() {
    PAUSE_START.store(crate::sys::monotonic_ns().max(1), Ordering::SeqCst);
}

pub fn end_pause() -> u64 {
    let start = PAUSE_START.swap(0, Ordering::SeqCst);
    if start == 0 {
        return 0;
    }
    let d = crate::sys::monotonic_ns().saturating_sub(start);
    PAUSED_TOTAL.fetch_add(d, Ordering::SeqCst);
    d
}

fn paused_now() -> u64 {
    let start = PAUSE_START.load(Ordering::SeqCst);
    let extra = if start == 0 { 0 } else { crate::sys::monotonic_ns().saturating_sub(start) };
    PAUSED_TOTAL.load(Ordering::SeqCst) + extra
}

#[derive(Clone, Copy)]
pub struct Stopwatch {
    start: Instant,
    paused_at_start: u64,
}

pub struct Snapshot {
    pub active: Duration,
    pub paused: Duration,
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        Stopwatch { start: Instant::now(), paused_at_start: paused_now() }
    }
    pub fn snapshot(&self) -> Snapshot {
        let total = self.start.elapsed();
        let paused = Duration::from_nanos(paused_now().saturating_sub(self.paused_at_start));
        Snapshot { active: total.saturating_sub(paused), paused }
    }
    pub fn active(&self) -> Duration {
        self.snapshot().active
    }
}
