//! Supervising one spawned unit (test attempt or setup script) like executor.rs: the select loop
//! over output/exit/slow-timer/signal requests, terminate_child (unix.rs), and detect_fd_leaks.

use crate::capture::{Ev, Fds, Wait};
use crate::clock::Stopwatch;
use crate::config::{LeakTimeout, SlowTimeout};
use crate::reaper::Reaper;
use crate::signals;
use crate::sys;
use std::process::ExitStatus;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

pub struct UnitOutcome {
    pub exit: Option<ExitStatus>,
    pub timed_out: bool,
    pub leaked: bool,
    pub time_to_close: Option<Duration>,
    pub slow_after: Option<Duration>,
}

pub struct Limits {
    pub slow: SlowTimeout,
    pub leak: LeakTimeout,
    pub signal_grace: Duration,
    /// The shutdown generation the unit was launched under: a later one is a request to it
    /// (one made while it was being spawned included, as nextest's request channel keeps it).
    pub shutdown_gen: u64,
}

/// Deadline (wall clock) at which `active` time of `sw` reaches `target`.
fn deadline_for(sw: &Stopwatch, target: Duration) -> Instant {
    let active = sw.active();
    Instant::now() + target.saturating_sub(active)
}

struct SignalState {
    shutdown_gen: u64,
    stop_gen: u64,
    cont_gen: u64,
}

impl SignalState {
    fn new(shutdown_gen: u64) -> SignalState {
        let (st, c) = signals::job_gens();
        SignalState { shutdown_gen, stop_gen: st, cont_gen: c }
    }
    /// Returns Some(signal) when a new shutdown request arrived; handles stop/continue.
    fn poll(&mut self, reaper: &Reaper, pgid: i32) -> Option<i32> {
        let (st, c) = signals::job_gens();
        if st != self.stop_gen {
            self.stop_gen = st;
            crate::clock::unit_pause_begin();
            reaper.kill(pgid, sys::SIGTSTP);
            signals::ack_stop();
        }
        if c != self.cont_gen {
            self.cont_gen = c;
            crate::clock::unit_pause_end();
            reaper.kill(pgid, sys::SIGCONT);
        }
        let (g, sig) = signals::shutdown();
        if g != self.shutdown_gen {
            self.shutdown_gen = g;
            return Some(sig);
        }
        None
    }
}

/// Waits for the exit, reading output; a second shutdown request means SIGKILL at once.
fn wait_exit(fds: &mut Fds, rx: &Receiver<Ev>, reaper: &Reaper, pgid: i32, sigs: &mut SignalState, grace: Option<Duration>, read_output: bool) -> Option<std::io::Result<ExitStatus>> {
    let sw = Stopwatch::start();
    loop {
        let deadline = grace.map(|g| deadline_for(&sw, g));
        match fds.wait(rx, deadline, read_output) {
            Wait::Ev(ev) => {
                fds.apply(&ev);
                if let Ev::Exited(r) = ev {
                    return Some(r);
                }
            }
            Wait::Timeout => {
                if grace.is_some_and(|g| sw.active() >= g) {
                    reaper.kill(pgid, sys::SIGKILL);
                    return None;
                }
            }
            Wait::Tick => {
                if sigs.poll(reaper, pgid).is_some() {
                    reaper.kill(pgid, sys::SIGKILL);
                    return None;
                }
            }
        }
    }
}

/// Runs the unit to completion. `on_slow(elapsed, will_terminate)` is called for each slow event.
pub fn supervise(fds: &mut Fds, rx: &Receiver<Ev>, reaper: &Reaper, pid: u32, limits: &Limits, on_slow: &mut dyn FnMut(Duration, bool)) -> (std::io::Result<ExitStatus>, UnitOutcome) {
    let pgid = -(pid as i32);
    let mut sigs = SignalState::new(limits.shutdown_gen);
    // a request made while the unit was being spawned is handled at its first wait
    fds.watch = true;
    fds.kick = signals::shutdown().0 != limits.shutdown_gen;
    let slow_sw = Stopwatch::start();
    let mut next_slow = limits.slow.period;
    let mut timed_out = false;
    let mut slow_after = None;
    let mut timeout_hit: u32 = 0;
    let res: std::io::Result<ExitStatus> = loop {
        let deadline = if timed_out { None } else { Some(deadline_for(&slow_sw, next_slow)) };
        match fds.wait(rx, deadline, true) {
            Wait::Ev(ev) => {
                fds.apply(&ev);
                if let Ev::Exited(r) = ev {
                    break r;
                }
            }
            Wait::Timeout => {
                if slow_sw.active() < next_slow {
                    continue;
                }
                slow_after = Some(limits.slow.period);
                timeout_hit += 1;
                let will_terminate = limits.slow.terminate_after.is_some_and(|t| timeout_hit >= t);
                if !limits.slow.grace.is_zero() {
                    on_slow(limits.slow.period * timeout_hit, will_terminate);
                }
                if will_terminate {
                    timed_out = true;
                    if limits.slow.grace.is_zero() {
                        reaper.kill(pgid, sys::SIGKILL);
                        if let Some(r) = wait_exit(fds, rx, reaper, pgid, &mut sigs, None, false) {
                            break r;
                        }
                    } else {
                        reaper.kill(pgid, sys::SIGTERM);
                        if let Some(r) = wait_exit(fds, rx, reaper, pgid, &mut sigs, Some(limits.slow.grace), true) {
                            break r;
                        }
                    }
                } else {
                    next_slow += limits.slow.period;
                }
            }
            Wait::Tick => {
                if let Some(sig) = sigs.poll(reaper, pgid) {
                    // Shutdown: forward the signal, wait the grace period, then SIGKILL.
                    if limits.signal_grace.is_zero() {
                        reaper.kill(pgid, sys::SIGKILL);
                    } else {
                        reaper.kill(pgid, sig);
                        if let Some(r) = wait_exit(fds, rx, reaper, pgid, &mut sigs, Some(limits.signal_grace), true) {
                            break r;
                        }
                    }
                }
            }
        }
    };
    // detect_fd_leaks: each iteration restarts the leak timer and the waiting stopwatch.
    let (leaked, time_to_close) = loop {
        let waiting = Instant::now();
        if fds.is_done() {
            break (false, Some(waiting.elapsed()));
        }
        let deadline = waiting + limits.leak.period;
        let mut got = false;
        while !got {
            match fds.wait(rx, Some(deadline), true) {
                Wait::Ev(ev) => {
                    fds.apply(&ev);
                    got = true;
                }
                Wait::Timeout => break,
                Wait::Tick => {}
            }
        }
        if !got {
            break (true, None);
        }
    };
    fds.watch = false;
    let exit = res.as_ref().ok().copied();
    (res, UnitOutcome { exit, timed_out, leaked, time_to_close, slow_after })
}
