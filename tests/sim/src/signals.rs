//! Signal handling of the runner: SIGINT/SIGTERM/SIGHUP/SIGQUIT are forwarded to every running
//! process group (units read `shutdown()` when woken), SIGTSTP stops the children then the runner
//! (raise(SIGSTOP)), SIGCONT resumes them; paused time is excluded from stopwatches.
//! A signal is acted on as it arrives, as nextest's tokio signal stream and `select!` loops do
//! (`nextest-runner/src/runner/executor.rs` `handle_signal_request` at cargo-nextest-0.9.107):
//! the handler wakes the monitor thread, which wakes every running unit (`Waker`). A Ctrl-C
//! that lands while a test runs kills it (`SIGINT [   0.001s]` in real 0.9.106 and 0.9.143).

use crate::sys;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
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
/// The eventfd the handler wakes the monitor thread with (-1: none, the monitor polls).
static SIGNAL_FD: AtomicI32 = AtomicI32::new(-1);
/// (id, eventfd) of every unit being supervised: woken on each new request.
static WAKERS: Mutex<Vec<(u64, i32)>> = Mutex::new(Vec::new());
static NEXT_WAKER: AtomicU64 = AtomicU64::new(0);

extern "C" fn on_signal(sig: i32) {
    PENDING.fetch_or(1 << sig, Ordering::SeqCst);
    let fd = SIGNAL_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        sys::eventfd_add(fd);
    }
}

/// A unit's wake-up: readable (poll) once a shutdown, stop or continue request is made after
/// it was created.
pub struct Waker {
    id: u64,
    fd: std::os::fd::OwnedFd,
}

impl Waker {
    pub fn new() -> Option<Waker> {
        use std::os::fd::FromRawFd;
        let fd = sys::new_eventfd(true);
        if fd < 0 {
            return None;
        }
        let id = NEXT_WAKER.fetch_add(1, Ordering::SeqCst);
        WAKERS.lock().unwrap_or_else(|e| e.into_inner()).push((id, fd));
        Some(Waker { id, fd: unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) } })
    }
    pub fn fd(&self) -> i32 {
        use std::os::fd::AsRawFd;
        self.fd.as_raw_fd()
    }
}

impl Drop for Waker {
    fn drop(&mut self) {
        WAKERS.lock().unwrap_or_else(|e| e.into_inner()).retain(|w| w.0 != self.id);
    }
}

fn wake_units() {
    for &(_, fd) in WAKERS.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        sys::eventfd_add(fd);
    }
}

pub fn install(color: bool) {
    COLOR.store(color, Ordering::SeqCst);
    SIGNAL_FD.store(sys::new_eventfd(false), Ordering::SeqCst);
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
        let fd = SIGNAL_FD.load(Ordering::SeqCst);
        if fd < 0 || !sys::eventfd_take(fd) {
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
                wake_units();
            }
        }
        if p & (1 << sys::SIGTSTP) != 0 {
            STOP_ACKS.store(0, Ordering::SeqCst);
            // the run's stopwatch pauses before the units are asked to stop (dispatcher.rs)
            crate::clock::begin_pause();
            let asked = std::time::Instant::now();
            STOP_GEN.fetch_add(1, Ordering::SeqCst);
            wake_units();
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
            wake_units();
        } else if p & (1 << sys::SIGCONT) != 0 {
            CONT_GEN.fetch_add(1, Ordering::SeqCst);
            wake_units();
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
