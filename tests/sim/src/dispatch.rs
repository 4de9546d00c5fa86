//! The test dispatcher of one (sub-)run: lazy iteration in list order, skip events, global and
//! group slots (smallest free), test groups, retries on the unit's thread, fail-fast/max-fail,
//! signal cancellation, and the per-event human/libtest output.

use crate::attempt::{self, Ctx, Kind, Outcome, Req};
use crate::config::TestSettings;
use crate::discover::Binary;
use crate::filter::{Expr, Query};
use crate::human::{Human, Level, Line, Stats, Style};
use crate::libtest::{Finished, Libtest};
use crate::spawn::Capture;
use crate::status::{signal_reason, status_for};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::mpsc;
use std::time::Duration;

#[derive(Clone)]
pub struct Unit {
    pub bin: usize,
    pub name: String,
    pub ignored: bool,
    pub settings: TestSettings,
    pub run: bool,
    pub skip_ignored: bool,
}

enum Msg {
    Slow { unit: usize, attempt: u32, total: u32, elapsed: Duration, will_terminate: bool },
    WillRetry { unit: usize, attempt: u32, total: u32, outcome: Outcome },
    Finished { unit: usize, outcomes: Vec<Outcome> },
}

/// Pops units in list order, reporting the skipped ones (libtest `ignored` lines, human SKIP
/// lines), until a unit that runs; None at the end of the list.
fn pull_runnable(pending: &mut Vec<usize>, units: &[Unit], bins: &[Binary], human: &Human, mut libtest: Option<&mut Libtest>, stress: Option<(u32, Option<u32>)>) -> Option<usize> {
    while let Some(i) = pending.pop() {
        let u = &units[i];
        if u.run {
            return Some(i);
        }
        if u.skip_ignored {
            if let Some(lt) = libtest.as_deref_mut() {
                lt.ignored_skip(&bins[u.bin].binary_id, &u.name, stress);
            }
        }
        if human.status_level >= Level::Skip {
            let line = Line { binary_id: &bins[u.bin].binary_id, test_name: &u.name, stress };
            human.write(&format!("{} [         ] {}\n", human.status(Style::Skip, "SKIP"), human.instance(&line, None, true)));
        }
    }
    None
}

fn smallest_free(used: &BTreeSet<usize>) -> usize {
    (0..).find(|i| !used.contains(i)).unwrap()
}

/// Runs one (sub-)run's tests. Returns true if cancelled by a signal.
#[allow(clippy::too_many_arguments)]
pub fn dispatch(
    ctx: &Ctx,
    human: &Human,
    mut libtest: Option<&mut Libtest>,
    bins: &[Binary],
    units: &[Unit],
    script_env: &[(usize, Expr, Vec<(String, String)>)],
    threads: usize,
    groups: &BTreeMap<String, usize>,
    max_fail: Option<u32>,
    stress: Option<(u32, Option<u32>)>,
    stats: &mut Stats,
    shutdown0: u64,
) -> bool {
    let (tx, rx) = mpsc::channel::<Msg>();
    let mut pending: Vec<usize> = (0..units.len()).collect();
    pending.reverse();
    let mut waiting: Vec<usize> = Vec::new();
    let mut lookahead: Option<usize> = None;
    let mut running: BTreeMap<usize, (usize, Option<(String, usize)>)> = BTreeMap::new();
    let mut global_used = BTreeSet::new();
    let mut group_used: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    let mut cancelled = false;
    let mut by_signal = false;
    // Cancelled by Ctrl-C: nextest hides the output of the tests that finish afterwards
    // (`nextest-runner/src/reporter/displayer/status_level.rs` `compute_output_on_test_finished`
    // at cargo-nextest-0.9.143: "if the run is cancelled due to an interrupt, we hide the output").
    let mut interrupted = false;
    let mut failures: u32 = 0;
    fn line_for<'a>(bins: &'a [Binary], u: &'a Unit, stress: Option<(u32, Option<u32>)>) -> Line<'a> {
        Line { binary_id: &bins[u.bin].binary_id, test_name: &u.name, stress }
    }
    std::thread::scope(|s| {
        loop {
            let (gen, sig) = crate::signals::shutdown();
            if !cancelled && gen != shutdown0 {
                cancelled = true;
                by_signal = true;
                interrupted = sig == crate::sys::SIGINT;
                human.write(&human.cancelling(signal_reason(sig), running.len()));
            }
            // Launch whatever fits (tests whose group is full wait; later tests may proceed).
            // nextest's future_queue pulls items from the lazy test stream until one does not fit
            // and keeps that one aside (future-queue 0.4 `FutureQueue::poll_next`; the stream is
            // `nextest-runner/src/runner/imp.rs` at cargo-nextest-0.9.143): so when a test takes
            // the last free slot, the skips up to the next runnable test are reported at once,
            // before the test's own start. (Seen by the protocol check on the libtest-json
            // stream at -j 1.)
            let mut launched: Vec<(usize, usize, Option<(String, usize)>)> = Vec::new();
            while !cancelled && running.len() < threads {
                let next = waiting
                    .iter()
                    .position(|&i| units[i].settings.group.as_ref().is_none_or(|g| group_used.get(g).map_or(0, |s| s.len()) < *groups.get(g).unwrap_or(&1)))
                    .map(|p| waiting.remove(p))
                    .or_else(|| lookahead.take())
                    .or_else(|| pull_runnable(&mut pending, units, bins, human, libtest.as_deref_mut(), stress));
                let Some(i) = next else { break };
                let u = &units[i];
                if let Some(g) = &u.settings.group {
                    let max = *groups.get(g).unwrap_or(&1);
                    if group_used.get(g).map_or(0, |s| s.len()) >= max {
                        waiting.push(i);
                        if pending.is_empty() {
                            break;
                        }
                        continue;
                    }
                }
                let gslot = smallest_free(&global_used);
                global_used.insert(gslot);
                let group = u.settings.group.clone().map(|g| {
                    let used = group_used.entry(g.clone()).or_default();
                    let slot = smallest_free(used);
                    used.insert(slot);
                    (g, slot)
                });
                running.insert(i, (gslot, group.clone()));
                launched.push((i, gslot, group));
            }
            if !cancelled && running.len() >= threads && lookahead.is_none() {
                lookahead = pull_runnable(&mut pending, units, bins, human, libtest.as_deref_mut(), stress);
            }
            for (i, gslot, group) in launched {
                let u = &units[i];
                if let Some(lt) = libtest.as_deref_mut() {
                    lt.started(&bins[u.bin].binary_id, &u.name, stress);
                }
                human.write(&human.test_started(&line_for(bins, u, stress), stats.finished));
                let b = &bins[u.bin];
                let env: Vec<(String, String)> = script_env
                    .iter()
                    .filter(|(_, f, _)| f.matches(&Query { binary_id: &b.binary_id, binary_name: &b.binary_name, package: &b.package.name, kind: &b.kind, test_name: &u.name }))
                    .flat_map(|(_, _, e)| e.iter().cloned())
                    .collect();
                let tx = tx.clone();
                s.spawn(move || run_unit(ctx, b, u, i, gslot, group, env, stress, shutdown0, tx));
            }
            if running.is_empty() && (cancelled || (pending.is_empty() && waiting.is_empty() && lookahead.is_none())) {
                break;
            }
            let msg = match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(m) => m,
                Err(_) => continue,
            };
            // A signal that arrived while waiting is reported before the event it caused (the
            // killed test's end): nextest's dispatcher handles the signal first, so the
            // `Cancelling … 1 test still running` line precedes the test's status line.
            let (gen, sig) = crate::signals::shutdown();
            if !cancelled && gen != shutdown0 {
                cancelled = true;
                by_signal = true;
                interrupted = sig == crate::sys::SIGINT;
                human.write(&human.cancelling(signal_reason(sig), running.len()));
            }
            match msg {
                Msg::Slow { unit, attempt, total, elapsed, will_terminate } => {
                    human.write(&human.test_slow(&line_for(bins, &units[unit], stress), attempt, total, elapsed, will_terminate));
                }
                Msg::WillRetry { unit, attempt, total, outcome } => {
                    let u = &units[unit];
                    let (short, _) = status_for(&outcome, &u.settings, true);
                    let mut block = human.output_block(Style::Retry, split_of(ctx, &outcome), combined_of(ctx, &outcome));
                    block.push_str(&crate::status::info_line(human, "test", &outcome, &u.settings).unwrap_or_default());
                    human.write(&human.retry_lines(&line_for(bins, u, stress), attempt, total, &short, outcome.duration, &block));
                }
                Msg::Finished { unit, outcomes } => {
                    let u = &units[unit];
                    let (gslot, group) = running.remove(&unit).unwrap();
                    global_used.remove(&gslot);
                    if let Some((g, slot)) = group {
                        group_used.get_mut(&g).map(|s| s.remove(&slot));
                    }
                    let last = outcomes.last().unwrap();
                    let success = last.is_success(&u.settings);
                    let flaky = success && outcomes.len() > 1;
                    stats.finished += 1;
                    let slow = last.slow_after.is_some();
                    if success {
                        stats.passed += 1;
                        if slow && last.kind != Kind::Timeout {
                            stats.passed_slow += 1;
                        }
                        if flaky {
                            stats.flaky += 1;
                        }
                        if last.kind == Kind::Leak {
                            stats.leaky += 1;
                        }
                    } else {
                        match last.kind {
                            Kind::ExecFail => stats.exec_failed += 1,
                            Kind::Timeout => stats.timed_out += 1,
                            Kind::Leak => {
                                stats.failed += 1;
                                stats.leaky_failed += 1;
                            }
                            _ => stats.failed += 1,
                        }
                    }
                    // Status line.
                    let line = line_for(bins, u, stress);
                    let n = stats.finished;
                    let attempts = outcomes.len() as u32;
                    let (label, style) = if flaky {
                        (format!("TRY {attempts} PASS"), Style::Skip)
                    } else if success {
                        status_for(last, &u.settings, false)
                    } else if attempts > 1 {
                        (format!("TRY {attempts} {}", status_for(last, &u.settings, true).0), Style::Fail)
                    } else {
                        status_for(last, &u.settings, false)
                    };
                    let level = if success {
                        if last.kind == Kind::Leak { Level::Leak } else if flaky { Level::Retry } else { Level::Pass }
                    } else {
                        Level::Fail
                    };
                    let mut out = String::new();
                    if human.status_level >= level {
                        out.push_str(&format!("{} {}{}\n", human.status(style, &label), Human::dur(last.duration), human.instance(&line, Some(n), true)));
                    }
                    if !success && !interrupted {
                        if let Some(e) = &last.start_error {
                            out.push_str(&format!("{} {} {}\n    error spawning test process: {e}\n", human.st(Style::Fail, " "), human.st(Style::Fail, "errors"), human.st(Style::Fail, &human.hbar(3))));
                        }
                        out.push_str(&human.output_block(Style::Fail, split_of(ctx, last), combined_of(ctx, last)));
                        out.push_str(&crate::status::info_line(human, "test", last, &u.settings).unwrap_or_default());
                    }
                    if !success {
                        failures += 1;
                    }
                    human.write(&out);
                    // Final status lines after the summary (final-status-level: fail=1, flaky=2).
                    if !success && human.final_level >= 1 && !interrupted {
                        let l = if attempts > 1 { format!("TRY {attempts} {}", status_for(last, &u.settings, true).0) } else { status_for(last, &u.settings, false).0 };
                        push_final(1, stress, n, &bins[u.bin].binary_id, &u.name, format!("{} {}{}\n", human.status(Style::Fail, &l), Human::dur(last.duration), human.instance(&line, Some(n), true)));
                    } else if flaky && human.final_level >= 2 {
                        push_final(2, stress, n, &bins[u.bin].binary_id, &u.name, format!("{} {}{}\n", human.status(Style::Skip, &format!("FLAKY {attempts}/{}", u.settings.retries + 1)), Human::dur(last.duration), human.instance(&line, Some(n), true)));
                    }
                    if let Some(lt) = libtest.as_deref_mut() {
                        let fin = if !success {
                            match last.kind {
                                Kind::Timeout => Finished::TimeLimit,
                                Kind::Leak => Finished::Ok,
                                _ => match ctx.capture {
                                    Capture::Combined => Finished::Failed { output: &last.combined, test_name: &u.name },
                                    Capture::Split => Finished::FailedSplit { stdout: &last.stdout, stderr: &last.stderr, test_name: &u.name },
                                    Capture::None => Finished::FailedNotCaptured,
                                },
                            }
                        } else {
                            Finished::Ok
                        };
                        let ok = success;
                        lt.finished(&bins[u.bin].binary_id, &u.name, stress, ok, last.duration, fin, outcomes.len());
                    }
                    if !success && max_fail.is_some_and(|m| failures >= m) && !cancelled {
                        cancelled = true;
                        human.write(&human.cancelling("test failure", running.len()));
                    }
                }
            }
        }
    });
    by_signal
}

/// A final status line printed after the summary: (final status level, stress index, counter,
/// binary id, test name, line).
type FinalEntry = (u8, Option<u32>, usize, String, String, String);

thread_local! {
    static FINAL: std::cell::RefCell<Vec<FinalEntry>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn push_final(level: u8, stress: Option<(u32, Option<u32>)>, counter: usize, binary_id: &str, name: &str, line: String) {
    FINAL.with(|f| f.borrow_mut().push((level, stress.map(|s| s.0), counter, binary_id.to_string(), name.to_string(), line)));
}

/// sort_final_outputs: final status level descending, stress index, counter (when shown), instance.
pub fn take_final(include_counter: bool) -> Vec<String> {
    let mut v = FINAL.with(|f| std::mem::take(&mut *f.borrow_mut()));
    v.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| a.1.cmp(&b.1))
            .then_with(|| if include_counter { a.2.cmp(&b.2) } else { std::cmp::Ordering::Equal })
            .then_with(|| (&a.3, &a.4).cmp(&(&b.3, &b.4)))
    });
    v.into_iter().map(|e| e.5).collect()
}

fn split_of<'a>(ctx: &Ctx, o: &'a Outcome) -> Option<(&'a [u8], &'a [u8])> {
    if ctx.capture == Capture::Split {
        Some((&o.stdout, &o.stderr))
    } else {
        None
    }
}

fn combined_of<'a>(ctx: &Ctx, o: &'a Outcome) -> Option<&'a [u8]> {
    if ctx.capture == Capture::Combined {
        Some(&o.combined)
    } else {
        None
    }
}

#[allow(clippy::too_many_arguments)]
/// `shutdown_gen`: the generation the dispatcher launched it under (it launches nothing once
/// a later one is seen), so a request made while the unit starts is one to it.
fn run_unit(ctx: &Ctx, b: &Binary, u: &Unit, idx: usize, gslot: usize, group: Option<(String, usize)>, env: Vec<(String, String)>, stress: Option<(u32, Option<u32>)>, shutdown_gen: u64, tx: mpsc::Sender<Msg>) {
    let total = u.settings.retries + 1;
    let mut outcomes = Vec::new();
    for attempt in 1..=total {
        let req = Req {
            binary: b,
            test_name: &u.name,
            ignored: u.ignored,
            attempt,
            total_attempts: total,
            stress_current: stress.map(|s| s.0),
            stress_total: stress.map(|s| s.1),
            global_slot: gslot,
            group: group.as_ref().map(|g| g.0.as_str()),
            group_slot: group.as_ref().map(|g| g.1),
            settings: &u.settings,
            script_env: &env,
            shutdown_gen,
        };
        let txs = tx.clone();
        let mut on_slow = move |elapsed: Duration, will_terminate: bool| {
            let _ = txs.send(Msg::Slow { unit: idx, attempt, total, elapsed, will_terminate });
        };
        let o = attempt::run(ctx, &req, &mut on_slow);
        let ok = o.is_success(&u.settings);
        // No further attempts once the run is being shut down by a signal.
        if ok || attempt == total || crate::signals::shutdown().0 != shutdown_gen {
            outcomes.push(o);
            break;
        }
        let _ = tx.send(Msg::WillRetry { unit: idx, attempt, total, outcome: o.clone() });
        outcomes.push(o);
    }
    let _ = tx.send(Msg::Finished { unit: idx, outcomes });
}
