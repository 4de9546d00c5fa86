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

// The pauses of the current unit's own stopwatch (a unit runs on its own thread): nextest
// pauses a unit's stopwatch right before it sends SIGTSTP to the unit's process group and
// resumes it right before SIGCONT (`handle_signal_request`, nextest-runner/src/runner/
// executor.rs at cargo-nextest-0.9.143; `handle_forward_event`, runner.rs at 0.9.85),
// not when the runner stops itself.  A unit thread that never stopped its child uses the
// runner's pauses.
thread_local! {
    static UNIT_PAUSED: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) }; // (total, start; 0 = running)
    static UNIT_STOPPED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub fn unit_pause_begin() {
    UNIT_STOPPED.with(|s| s.set(true));
    UNIT_PAUSED.with(|p| {
        let (total, start) = p.get();
        if start == 0 {
            p.set((total, crate::sys::monotonic_ns().max(1)));
        }
    });
}

pub fn unit_pause_end() {
    UNIT_PAUSED.with(|p| {
        let (total, start) = p.get();
        if start != 0 {
            p.set((total + crate::sys::monotonic_ns().saturating_sub(start), 0));
        }
    });
}

fn unit_paused_now() -> u64 {
    UNIT_PAUSED.with(|p| {
        let (total, start) = p.get();
        total + if start == 0 { 0 } else { crate::sys::monotonic_ns().saturating_sub(start) }
    })
}

#[derive(Clone, Copy)]
pub struct Stopwatch {
    start: Instant,
    paused_at_start: u64,
    unit_paused_at_start: u64,
}

pub struct Snapshot {
    pub active: Duration,
    pub paused: Duration,
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        Stopwatch { start: Instant::now(), paused_at_start: paused_now(), unit_paused_at_start: unit_paused_now() }
    }
    pub fn snapshot(&self) -> Snapshot {
        let total = self.start.elapsed();
        let paused = if UNIT_STOPPED.with(|s| s.get()) {
            Duration::from_nanos(unit_paused_now().saturating_sub(self.unit_paused_at_start))
        } else {
            Duration::from_nanos(paused_now().saturating_sub(self.paused_at_start))
        };
        Snapshot { active: total.saturating_sub(paused), paused }
    }
    pub fn active(&self) -> Duration {
        self.snapshot().active
    }
}
