//! The `run` command: discovery, list phase, filtering, run-start, setup scripts, stress
//! sub-runs around the dispatcher (dispatch.rs), run-done, summary and exit code.

use crate::attempt::Ctx;
use crate::cli::{MessageFormat, Opts, RunIgnored, Stress};
use crate::clock::Stopwatch;
use crate::config::Config;
use crate::discover;
use crate::dispatch::{dispatch, take_final, Unit};
use crate::filter::Query;
use crate::human::{Human, Stats, Style};
use crate::libtest::{Libtest, SuiteMeta};
use crate::listing::{self, ListCtx};
use crate::probes;
use crate::script::{self, ScriptCtx};
use crate::spawn::Capture;
use crate::status::*;
use std::time::Duration;

/// Writes one line to stderr, ignoring errors (a closed stderr must not panic the runner).
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

fn fail_error(msg: &str, code: i32) -> i32 {
    errln!("error: {msg}");
    code
}

pub fn main(opts: Opts) -> i32 {
    let v = opts.emulate;
    if let Some(t) = &opts.truth {
        if let Err(e) = crate::truth::open(t) {
            return fail_error(&format!("cannot create truth file {t}: {e}"), EXIT_SETUP_ERROR);
        }
    }
    let libtest_format = opts.message_format != MessageFormat::Human;
    if libtest_format {
        if !v.libtest_json() {
            return fail_error("--message-format libtest-json needs a newer nextest", 2);
        }
        if std::env::var("NEXTEST_EXPERIMENTAL_LIBTEST_JSON").as_deref() != Ok("1") {
            return fail_error(
                "libtest JSON output is experimental: set NEXTEST_EXPERIMENTAL_LIBTEST_JSON=1 to enable it",
                EXIT_EXPERIMENTAL_FEATURE_NOT_ENABLED,
            );
        }
    }
    if opts.stress.is_some() && !v.stress() {
        return fail_error("unexpected argument '--stress-count' (stress runs need a newer nextest)", 2);
    }
    let cwd = match &opts.workspace_dir {
        Some(d) => d.clone(),
        None => std::env::current_dir().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| ".".into()),
    };
    let run_id = crate::uuid::new_run_id();
    // `info: experimental features enabled: …` (tracing's info level, "info" in bold when colour
    // is on): printed when the config is loaded, after `cargo metadata` and before the build
    // (`cargo-nextest/src/dispatch/core/base.rs`, since 0.9.59 with setup scripts).
    let info_color = match opts.color.as_str() {
        "always" => true,
        "never" => false,
        _ => crate::sys::is_tty(2) && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut after_metadata = |root: &str| {
        let feats = crate::config::experimental_features(root);
        if v.setup_scripts() && !feats.is_empty() {
            let info = if info_color { "\x1b[1minfo\x1b[0m" } else { "info" };
            errln!("{info}: experimental features enabled: {}", feats.join(", "));
        }
    };
    let ws = match discover::discover(&cwd, opts.manifest_path.as_deref(), &opts.cargo_args, opts.no_build, v, &opts.color, &mut after_metadata) {
        Ok(w) => w,
        Err(e) => return fail_error(&e, EXIT_BUILD_FAILED),
    };
    let profile = opts.profile.clone().unwrap_or_else(|| "default".into());
    let cfg = match Config::load(&ws.root, &profile, v) {
        Ok(c) => c,
        Err(e) => return fail_error(&e, EXIT_SETUP_ERROR),
    };
    let capture = if opts.no_capture {
        Capture::None
    } else if !libtest_format || !v.combined_capture() {
        Capture::Split
    } else {
        Capture::Combined
    };
    let mut test_threads = match &opts.test_threads {
        Some(t) => match crate::config::parse_threads(t) {
            Ok(n) => n,
            Err(e) => return fail_error(&e, 2),
        },
        None => cfg.test_threads,
    };
    if capture == Capture::None {
        test_threads = 1;
    }
    // `cargo-nextest/src/dispatch/core/base.rs` `load_double_spawn` (cargo-nextest-0.9.143, and the
    // same line since 0.9.48): an info line when NEXTEST_DOUBLE_SPAWN=0, after the build.
    if std::env::var("NEXTEST_DOUBLE_SPAWN").as_deref() == Ok("0") {
        let info = if info_color { "\x1b[1minfo\x1b[0m" } else { "info" };
        errln!("{info}: NEXTEST_DOUBLE_SPAWN=0 set, disabling double-spawn for test processes");
    }
    let double_spawn = crate::spawn::double_spawn_enabled();
    let sigchld = opts.reaper_sigchld.unwrap_or(!v.pidfd_reaper());

    // List phase.
    let lctx = ListCtx { v, run_id: &run_id, profile: &profile, root: &ws.root, dylib_path: &ws.dylib_path, double_spawn, fork_path: opts.spawn_fork, sigchld };
    let cases = match listing::list_all(&lctx, &ws.binaries, crate::config::num_cpus()) {
        Ok(c) => c,
        Err(e) => {
            errln!("{e}");
            return EXIT_TEST_LIST_CREATION_FAILED;
        }
    };

    // Filtering (run-ignored, name filters) and per-test settings.
    let mut units: Vec<Unit> = Vec::new();
    for (bi, (b, cs)) in ws.binaries.iter().zip(&cases).enumerate() {
        for (name, (ignored, _bench)) in cs {
            let q = Query { binary_id: &b.binary_id, binary_name: &b.binary_name, package: &b.package.name, kind: &b.kind, test_name: name };
            let mut settings = match cfg.settings_for(&q) {
                Ok(s) => s,
                Err(e) => return fail_error(&e, EXIT_SETUP_ERROR),
            };
            // --retries / NEXTEST_RETRIES override the profile and its overrides.
            if let Some(r) = opts.retries {
                settings.retries = r;
            }
            let ignore_ok = match opts.run_ignored {
                RunIgnored::Default => !ignored,
                RunIgnored::Only => *ignored,
                RunIgnored::All => true,
            };
            let name_ok = opts.filters.is_empty() || opts.filters.iter().any(|f| name.contains(f.as_str()));
            units.push(Unit { bin: bi, name: name.clone(), ignored: *ignored, settings, run: ignore_ok && name_ok, skip_ignored: !ignore_ok });
        }
    }
    let total_tests = units.len();
    let run_count = units.iter().filter(|u| u.run).count();
    let skipped = total_tests - run_count;

    let final_level = crate::human::parse_final_level(opts.final_status_level.as_deref().unwrap_or(&cfg.final_status_level));
    let color = match opts.color.as_str() {
        "always" => true,
        "never" => false,
        _ => crate::sys::is_tty(2) && std::env::var_os("NO_COLOR").is_none(),
    };
    let human = Human {
        v,
        color,
        counter: v.counter() && (!crate::sys::is_tty(2) || std::env::var_os("CI").is_some() || opts.no_capture),
        status_level: crate::human::parse_status_level(opts.status_level.as_deref().unwrap_or(&cfg.status_level)),
        final_level,
        no_capture: opts.no_capture,
        total: run_count,
        pad_width: ws.binaries.iter().map(|b| b.binary_id.len()).max().unwrap_or(0),
    };
    crate::signals::install(color);
    // The shutdown generation every dispatch compares against: a signal that lands between
    // two stress sub-runs (or during setup scripts) cancels the next dispatch, as nextest's
    // dispatcher receives it from its signal stream; a per-dispatch baseline lost it.
    let shutdown0 = crate::signals::shutdown().0;
    let mut libtest = if libtest_format {
        let mut lt = Libtest::new(opts.message_format == MessageFormat::LibtestJsonPlus, v.plus_streaming());
        for (bi, b) in ws.binaries.iter().enumerate() {
            let (mut running, mut ignored, mut filtered) = (0, 0, 0);
            for u in units.iter().filter(|u| u.bin == bi) {
                if u.ignored {
                    ignored += 1;
                } else if u.run {
                    running += 1;
                } else {
                    filtered += 1;
                }
            }
            lt.metas.insert(
                b.binary_id.clone(),
                SuiteMeta { crate_name: b.package.name.clone(), binary_name: b.binary_name.clone(), kind: b.kind.clone(), running, ignored, filtered },
            );
        }
        Some(lt)
    } else {
        None
    };

    // Run start (dispatcher stopwatch created just before the probe).
    let dispatcher_sw = Stopwatch::start();
    let (stress_count, stress_infinite, stress_dur) = match opts.stress {
        Some(Stress::Count(n)) => (Some(n), false, None),
        Some(Stress::Infinite) => (None, true, None),
        Some(Stress::Duration(d)) => (None, false, Some(d.as_nanos() as u64)),
        None => (None, false, None),
    };
    probes::fire_run_start(&probes::RunStart {
        run_id: &run_id,
        profile: &profile,
        total_tests,
        filter_count: run_count,
        test_threads,
        stress_count,
        stress_infinite,
        stress_duration_nanos: stress_dur,
    });
    human.write(&human.run_started(&run_id, &profile, run_count, ws.binaries.len(), skipped));

    let ctx = Ctx { v, run_id: &run_id, profile: &profile, root: &ws.root, dylib_path: &ws.dylib_path, test_threads, capture, double_spawn, fork_path: opts.spawn_fork, sigchld };
    let sctx = ScriptCtx { v, run_id: &run_id, profile: &profile, root: &ws.root, dylib_path: &ws.dylib_path, test_threads, double_spawn, fork_path: opts.spawn_fork, sigchld, capture: capture != Capture::None };
    let fail_fast = opts.fail_fast.unwrap_or(cfg.fail_fast);
    let max_fail = opts.max_fail.or(if fail_fast { Some(1) } else { None });

    let mut completed: u32 = 0;
    let mut stress_failed: u32 = 0;
    let mut last_stats;
    let mut script_failed = false;
    let mut cancelled_by_signal = false;
    let stress_total: Option<u32> = stress_count;
    loop {
        let stress = opts.stress.map(|_| (completed, stress_total));
        let sub_sw = Stopwatch::start();
        if let Some((cur, total)) = stress {
            let id = format!("{run_id}:@stress-{cur}");
            let elapsed = dispatcher_sw.active();
            probes::fire_sub_run_start(&probes::SubRun { id: &id, run_id: &run_id, profile: &profile, stress_current: cur, stress_total: total, elapsed_nanos: elapsed.as_nanos() as u64 });
            let dur = match opts.stress {
                Some(Stress::Duration(d)) => Some(d),
                _ => None,
            };
            human.write(&human.stress_started(cur, total, dur, elapsed));
        }
        let mut stats = Stats { initial: run_count, skipped, ..Default::default() };
        // Setup scripts whose filter matches a test that will run.
        let mut script_env: Vec<(usize, crate::filter::Expr, Vec<(String, String)>)> = Vec::new();
        let mut to_run: Vec<(String, crate::filter::Expr)> = Vec::new();
        for (f, ids) in &cfg.profile_scripts {
            let used = units.iter().any(|u| {
                let b = &ws.binaries[u.bin];
                u.run && f.matches(&Query { binary_id: &b.binary_id, binary_name: &b.binary_name, package: &b.package.name, kind: &b.kind, test_name: &u.name })
            });
            if used {
                for id in ids {
                    if !to_run.iter().any(|(x, _)| x == id) {
                        to_run.push((id.clone(), f.clone()));
                    }
                }
            }
        }
        if !to_run.is_empty() && !v.setup_scripts() {
            return fail_error("setup scripts need a newer nextest", EXIT_SETUP_ERROR);
        }
        for (i, (id, f)) in to_run.iter().enumerate() {
            let Some(sc) = cfg.scripts.get(id) else {
                return fail_error(&format!("setup script `{id}` is not defined"), EXIT_SETUP_ERROR);
            };
            let cmd = crate::shellwords::join(&std::iter::once(sc.program.clone()).chain(sc.args.iter().cloned()).collect::<Vec<_>>());
            human.write(&human.setup_start(i, to_run.len(), stress, id, &cmd));
            let mut on_slow = |e: Duration, wt: bool| human.write(&human.setup_slow(stress, id, &cmd, e, wt));
            let r = script::run(&sctx, id, sc, stress, &mut on_slow);
            let style = if r.success { if r.label == "SETUP LEAK" { Style::Skip } else { Style::Pass } } else { Style::Fail };
            let mut out = human.setup_done(i, to_run.len(), stress, id, &cmd, r.label, style, r.duration);
            if !r.success {
                if let Some(e) = &r.error {
                    // nextest's exec-fail header `  execfail ─` (`exec_fail_header`,
                    // `nextest-runner/src/reporter/displayer/imp.rs` at cargo-nextest-0.9.143)
                    out.push_str(&format!("{} {} {}\n", human.st(style, " "), human.st(style, "execfail"), human.st(style, &human.hbar(1))));
                    for l in e.lines() {
                        out.push_str(&format!("    {l}\n"));
                    }
                }
                out.push_str(&human.output_block(style, Some((&r.stdout, &r.stderr)), None));
                // the info line under a failed script's output, as for tests (protocol check
                // against real nextest 0.9.143: `    (script failed with exit code 4)`)
                // (the wording of `write_info_execution_result`, as for tests)
                let info = match (r.result, r.exit_code, r.signal) {
                    ("fail", Some(code), _) => Some(format!("{} with exit code {}", human.st(Style::Fail, "failed"), human.st(Style::Count, &code.to_string()))),
                    ("fail", None, Some(sig)) => Some(format!(
                        "{} with signal {}{}",
                        human.st(Style::Fail, "aborted"),
                        human.st(Style::Count, &sig.to_string()),
                        crate::status::signal_name(sig).map(|n| format!(": SIG{n}")).unwrap_or_default()
                    )),
                    ("timeout", _, _) => Some(human.st(Style::Fail, "timed out")),
                    _ => None,
                };
                if let Some(text) = info {
                    out.push_str(&format!("    (script {text})\n\n"));
                }
            }
            human.write(&out);
            if !r.success {
                stats.scripts_failed += 1;
                script_failed = true;
                human.write(&human.cancelling("setup script failure", 0));
                break;
            }
            script_env.push((i, f.clone(), r.env));
        }

        if !script_failed {
            let r = dispatch(&ctx, &human, libtest.as_mut(), &ws.binaries, &units, &script_env, test_threads, &cfg.groups, max_fail, stress, &mut stats, shutdown0);
            cancelled_by_signal |= r;
        }
        let failed_here = stats.failed_count() > 0 || script_failed;
        last_stats = stats;
        if let Some((cur, total)) = stress {
            completed += 1;
            if failed_here {
                stress_failed += 1;
            }
            let id = format!("{run_id}:@stress-{completed}");
            probes::fire_sub_run_done(
                &probes::SubRun { id: &id, run_id: &run_id, profile: &profile, stress_current: cur, stress_total: total, elapsed_nanos: dispatcher_sw.active().as_nanos() as u64 },
                &probes::SubRunCounts {
                    sub_run_duration_nanos: sub_sw.active().as_nanos() as u64,
                    total_tests: run_count,
                    passed: last_stats.passed,
                    failed: last_stats.failed_count(),
                    skipped: last_stats.skipped,
                },
            );
            human.write(&human.stress_finished(completed, total, sub_sw.active(), &last_stats));
            // StressSubRunFinished reaches the reporters after the probe.
            if let Some(lt) = libtest.as_mut() {
                lt.flush_all();
            }
            let more = match opts.stress {
                Some(Stress::Count(n)) => completed < n,
                Some(Stress::Infinite) => true,
                Some(Stress::Duration(d)) => dispatcher_sw.active() < d,
                None => false,
            };
            if !more || (failed_here && fail_fast) || cancelled_by_signal || script_failed {
                break;
            }
        } else {
            break;
        }
    }
    let snap = dispatcher_sw.snapshot();
    let stress_fields = if opts.stress.is_some() {
        let success = completed - stress_failed;
        (Some(completed), Some(success), Some(stress_failed))
    } else {
        (None, None, None)
    };
    probes::fire_run_done(&probes::RunDone {
        run_id: &run_id,
        profile: &profile,
        total_tests: run_count,
        passed: last_stats.passed,
        failed: last_stats.failed_count(),
        skipped: last_stats.skipped,
        duration_nanos: snap.active.as_nanos() as u64,
        paused_nanos: snap.paused.as_nanos() as u64,
        stress_completed: stress_fields.0,
        stress_success: stress_fields.1,
        stress_failed: stress_fields.2,
    });
    // RunFinished reaches the reporters after the probe.
    if let Some(lt) = libtest.as_mut() {
        lt.flush_all();
    }
    let failed_run = last_stats.failed_count() > 0 || script_failed || stress_failed > 0;
    let mut out = if opts.stress.is_some() {
        human.stress_summary(completed, stress_count, stress_failed, snap.active)
    } else {
        human.summary(&last_stats, snap.active, failed_run)
    };
    // Final status lines are not shown when the run was interrupted (cancel reason >= Interrupt).
    let finals = take_final(human.counter && v.counter());
    if !(cancelled_by_signal && crate::signals::shutdown().1 == crate::sys::SIGINT) {
        for l in finals {
            out.push_str(&l);
        }
    }
    if last_stats.finished < last_stats.initial && !script_failed {
        let not_run = last_stats.initial - last_stats.finished;
        let (t, was) = if last_stats.initial == 1 { ("test", "was") } else { ("tests", "were") };
        if cancelled_by_signal {
            out.push_str(&format!("warning: {not_run}/{} {t} {was} not run due to {}\n", last_stats.initial, signal_reason(crate::signals::shutdown().1)));
        } else if last_stats.failed_count() > 0 {
            out.push_str(&format!(
                "{}: {not_run}/{} {t} {was} not run due to test failure (run with --no-fail-fast to run all tests, or run with --max-fail)\n",
                if human.color { "\x1b[33;1mwarning\x1b[0m" } else { "warning" },
                last_stats.initial
            ));
        }
    }
    human.write(&out);
    // tracing's level prefix, styled when colour is on (`cargo-nextest/src/output.rs`
    // `LogStyles::colorize` at cargo-nextest-0.9.143: error red bold, warning yellow bold)
    let error = if human.color { "\x1b[31;1merror\x1b[0m" } else { "error" };
    if script_failed {
        errln!("{error}: setup script failed");
        return EXIT_SETUP_SCRIPT_FAILED;
    }
    if failed_run || cancelled_by_signal {
        errln!("{error}: test run failed");
        return EXIT_TEST_RUN_FAILED;
    }
    if last_stats.finished == 0 {
        errln!("{error}: no tests to run\n(hint: use `--no-tests` to customize)");
        return EXIT_NO_TESTS_RUN;
    }
    EXIT_OK
}
