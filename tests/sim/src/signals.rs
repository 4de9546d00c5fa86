//! Signal handling of the runner: SIGINT/SIGTERM/SIGHUP/SIGQUIT are forwarded to every running
//! process group (units look at `shutdown()`), SIGTSTP stops the children then the runner
//! (raise(SIGSTOP)), SIGCONT resumes them; paused time is excluded from stopwatches.
//! nextest acts on a signal as it arrives (its tokio signal stream and `select!` loops,
//! `nextest-runner/src/runner/executor.rs` `handle_signal_request` at cargo-nextest-0.9.107);
//! here the handler wakes the monitor thread (a semaphore) and a running unit looks for
//! requests every `UNIT_LOOK` while it waits for its test, so a Ctrl-C that lands while a
//! test runs kills it (`SIGINT [   0.001s]` in real 0.9.106 and 0.9.143).

use crate::sys;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

static PENDING: AtomicU64 = AtomicU64::new(0);
static SHUTDOWN_SIG: AtomicI32 = AtomicI32::new(0);
static SHUTDOWN_GEN: AtomicU64 = AtomicU64::new(0);
static STOP_GEN: AtomicU64 = AtomicU64::new(0);
static CONT_GEN: AtomicU64 = AtomicU64::new(0);
static RUNNING_UNITS: AtomicUsize = AtomicUsize::new(0);
static STOP_ACKS: AtomicUsize = AtomicUsize::new(0);
static COLOR: AtomicBool = AtomicBool::new(false);
static WAIT_FULL_100MS: AtomicBool = AtomicBool::new(false);
/// The semaphore the handler wakes the monitor thread with (sem_post is async-signal-safe;
/// no descriptor, so the simulator's descriptors stay nextest's pipes and pidfds).
struct Sem(std::cell::UnsafeCell<sys::Sem>);
unsafe impl Sync for Sem {}
static SEM: Sem = Sem(std::cell::UnsafeCell::new(sys::Sem::ZERO));
static SEM_OK: AtomicBool = AtomicBool::new(false);
/// How often a unit looks for a request while it waits for its test (nextest's `select!`
/// takes one at once; a descriptor per unit to wake it would change the runner's
/// descriptor count, which the RLIMIT_NOFILE hardening case runs close to).
pub const UNIT_LOOK: Duration = Duration::from_millis(1);

extern "C" fn on_signal(sig: i32) {
    PENDING.fetch_or(1 << sig, Ordering::SeqCst);
    if SEM_OK.load(Ordering::SeqCst) {
        sys::sem_post_keep_errno(SEM.0.get());
    }
}

pub fn install(color: bool) {
    COLOR.store(color, Ordering::SeqCst);
    SEM_OK.store(sys::sem_init_private(SEM.0.get()), Ordering::SeqCst);
    WAIT_FULL_100MS.store(crate::version::embedded() <= crate::version::Version { minor: 9, patch: 85 },
                          Ordering::SeqCst);
    // nextest-runner/src/signal.rs (cargo-nextest-0.9.143) `Signals::new`: INT, HUP, TERM, QUIT,
    // TSTP, CONT, USR1, in this order (SIGUSR1 asks for an info report, which the simulator
    // does not print: it is received and ignored).
    for s in [sys::SIGINT, sys::SIGHUP, sys::SIGTERM, sys::SIGQUIT, sys::SIGTSTP, sys::SIGCONT, sys::SIGUSR1] {
        sys::install_handler(s, on_signal);
    }
    std::thread::Builder::new()
        .name("nextest-sim-signals".into())
        .spawn(monitor)
        .expect("signal thread");
}

fn monitor() {
    loop {
        if !SEM_OK.load(Ordering::SeqCst) || !sys::sem_wait_one(SEM.0.get()) {
            std::thread::sleep(Duration::from_millis(2));
        }
        let p = PENDING.swap(0, Ordering::SeqCst);
        if p == 0 {
            continue;
        }
        for s in [sys::SIGINT, sys::SIGTERM, sys::SIGHUP, sys::SIGQUIT] {
            if p & (1 << s) != 0 {
                SHUTDOWN_SIG.store(s, Ordering::SeqCst);
                SHUTDOWN_GEN.fetch_add(1, Ordering::SeqCst);
            }
        }
        if p & (1 << sys::SIGTSTP) != 0 {
            STOP_ACKS.store(0, Ordering::SeqCst);
            // the run's stopwatch pauses before the units are asked to stop (dispatcher.rs)
            crate::clock::begin_pause();
            let asked = std::time::Instant::now();
            STOP_GEN.fetch_add(1, Ordering::SeqCst);
            // Wait (bounded) until every running unit has sent SIGTSTP to its process group.
            for _ in 0..500 {
                if STOP_ACKS.load(Ordering::SeqCst) >= RUNNING_UNITS.load(Ordering::SeqCst) {
                    break;
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            // Up to 0.9.85 the runner then waits out its 100 ms bound anyway: its select!
            // loop has no branch that ends once every unit has answered (runner.rs at
            // cargo-nextest-0.9.85); 0.9.86 breaks out when the channel closes
            // (runner/dispatcher.rs).  The units' stopwatches are paused meanwhile.
            if WAIT_FULL_100MS.load(Ordering::SeqCst) {
                let bound = Duration::from_millis(100);
                let waited = asked.elapsed();
                if waited < bound {
                    std::thread::sleep(bound - waited);
                }
            }
            pause_line("Pausing");
            unsafe { sys::raise(sys::SIGSTOP) };
            crate::clock::end_pause();
            pause_line("Continuing");
            CONT_GEN.fetch_add(1, Ordering::SeqCst);
        } else if p & (1 << sys::SIGCONT) != 0 {
            CONT_GEN.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// RunPaused / RunContinued: `{:>12} due to signal[: N tests running]`.
fn pause_line(word: &str) {
    let color = COLOR.load(Ordering::SeqCst);
    let st = |code: &str, t: &str| if color { format!("{code}{t}\x1b[0m") } else { t.to_string() };
    let n = RUNNING_UNITS.load(Ordering::SeqCst);
    let mut s = format!("{} due to {}", st("\x1b[32;1m", &format!("{word:>12}")), st("\x1b[1m", "signal"));
    if n > 0 {
        s.push_str(&format!(": {} {} running", st("\x1b[1m", &n.to_string()), if n == 1 { "test" } else { "tests" }));
    }
    s.push('\n');
    let _ = std::io::stderr().lock().write_all(s.as_bytes());
}

/// (generation, signal) of the latest shutdown request.
pub fn shutdown() -> (u64, i32) {
    (SHUTDOWN_GEN.load(Ordering::SeqCst), SHUTDOWN_SIG.load(Ordering::SeqCst))
}

pub fn job_gens() -> (u64, u64) {
    (STOP_GEN.load(Ordering::SeqCst), CONT_GEN.load(Ordering::SeqCst))
}

pub fn ack_stop() {
    STOP_ACKS.fetch_add(1, Ordering::SeqCst);
}

pub struct UnitGuard;

impl UnitGuard {
    pub fn new() -> UnitGuard {
        RUNNING_UNITS.fetch_add(1, Ordering::SeqCst);
        UnitGuard
    }
}

impl Drop for UnitGuard {
    fn drop(&mut self) {
        RUNNING_UNITS.fetch_sub(1, Ordering::SeqCst);
    }
}
