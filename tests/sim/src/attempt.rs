//! One test attempt, in nextest's order (executor.rs `run_test`/`run_test_inner`): stopwatch,
//! command + env, SIGTSTP-guarded spawn, reaper, test-attempt-start, supervision, leak detection,
//! test-attempt-done, then the read ends and the pidfd are closed.

use crate::capture::{Ev, Fds};
use crate::clock::Stopwatch;
use crate::config::TestSettings;
use crate::discover::Binary;
use crate::envset::{self, Phase, RunVars};
use crate::probes::{self, AttemptDone, AttemptStart, Common};
use crate::spawn::{self, Capture, Spec};
use crate::unit::{self, Limits};
use crate::version::Version;
use std::time::Duration;

pub struct Ctx<'a> {
    pub v: Version,
    pub run_id: &'a str,
    pub profile: &'a str,
    pub root: &'a str,
    pub dylib_path: &'a str,
    pub test_threads: usize,
    pub capture: Capture,
    pub double_spawn: bool,
    pub fork_path: bool,
    pub sigchld: bool,
}

pub struct Req<'a> {
    pub binary: &'a Binary,
    pub test_name: &'a str,
    pub ignored: bool,
    pub attempt: u32,
    pub total_attempts: u32,
    pub stress_current: Option<u32>,
    /// None = not a stress run; Some(None) = unknown total.
    pub stress_total: Option<Option<u32>>,
    pub global_slot: usize,
    pub group: Option<&'a str>,
    pub group_slot: Option<usize>,
    pub settings: &'a TestSettings,
    pub script_env: &'a [(String, String)],
    /// The shutdown generation the dispatcher launched the test under (unit::Limits).
    pub shutdown_gen: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Pass,
    Leak,
    Fail,
    ExecFail,
    Timeout,
}

impl Kind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Pass => "pass",
            Kind::Leak => "leak",
            Kind::Fail => "fail",
            Kind::ExecFail => "exec-fail",
            Kind::Timeout => "timeout",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub kind: Kind,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub leaked: bool,
    pub duration: Duration,
    pub slow_after: Option<Duration>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub combined: Vec<u8>,
    pub start_error: Option<String>,
}

impl Outcome {
    /// Counts as success for retries/summary: pass, leak with result=pass, timeout with on-timeout=pass.
    pub fn is_success(&self, s: &TestSettings) -> bool {
        match self.kind {
            Kind::Pass => true,
            Kind::Leak => !s.leak.fail,
            Kind::Timeout => s.slow.on_timeout_pass,
            _ => false,
        }
    }
}

pub fn test_args(name: &str, ignored: bool) -> Vec<String> {
    let mut a = vec!["--exact".to_string(), name.to_string(), "--nocapture".to_string()];
    if ignored {
        a.push("--ignored".to_string());
    }
    a
}

pub fn run(ctx: &Ctx, r: &Req, on_slow: &mut dyn FnMut(Duration, bool)) -> Outcome {
    use std::os::unix::process::ExitStatusExt;
    let stopwatch = Stopwatch::start();
    let b = r.binary;
    let guard = spawn::TstpGuard::new(ctx.double_spawn);
    let args = test_args(r.test_name, r.ignored);
    let attempt_id = envset::attempt_id(ctx.run_id, &b.binary_id, r.stress_current, r.test_name, r.attempt);
    let mut env = envset::command_env(ctx.v, Phase::Run, b, ctx.profile, ctx.dylib_path);
    envset::run_env(
        ctx.v,
        &RunVars {
            run_id: ctx.run_id,
            binary_id: &b.binary_id,
            test_name: r.test_name,
            attempt: r.attempt,
            total_attempts: r.total_attempts,
            attempt_id: &attempt_id,
            stress_current: r.stress_current,
            stress_total: r.stress_total,
            global_slot: r.global_slot,
            group: r.group,
            group_slot: r.group_slot,
            test_threads: ctx.test_threads,
            root: ctx.root,
        },
        &mut env,
    );
    env.extend(r.script_env.iter().cloned());
    let spec = Spec {
        program: &b.path,
        args: &args,
        env: &env,
        cwd: &b.package.dir,
        double_spawn: ctx.double_spawn,
        process_group: true,
        stdin_null: true,
        stdout_piped: ctx.capture == Capture::Split,
        stderr_piped: ctx.capture == Capture::Split,
        combined: ctx.capture == Capture::Combined,
        fork_path: ctx.fork_path,
    };
    let spawned = match spawn::spawn(&spec) {
        Ok(s) => s,
        Err(e) => {
            drop(guard);
            return Outcome {
                kind: Kind::ExecFail,
                exit_code: None,
                signal: None,
                leaked: false,
                duration: stopwatch.active(),
                slow_after: None,
                stdout: Vec::new(),
                stderr: Vec::new(),
                combined: Vec::new(),
                start_error: Some(e.to_string()),
            };
        }
    };
    let (tx, rx) = std::sync::mpsc::channel::<Ev>();
    let pid = spawned.pid;
    let pidfd = crate::reaper::open(&spawned.child, ctx.sigchld);
    drop(spawned.cmd);
    drop(guard);
    let pidfd_raw = pidfd.as_ref().map(|f| std::os::fd::AsRawFd::as_raw_fd(f));
    let mut fds = Fds::new(spawned.stdout, spawned.stderr, spawned.combined, pidfd, pidfd_raw.is_none());
    let stress_total_probe = r.stress_total.flatten();
    let common = Common {
        attempt_id: &attempt_id,
        run_id: ctx.run_id,
        binary_id: &b.binary_id,
        test_name: r.test_name,
        attempt: r.attempt,
        total_attempts: r.total_attempts,
        stress_current: r.stress_current,
        stress_total: stress_total_probe,
    };
    probes::fire_attempt_start(&AttemptStart {
        c: &common,
        pid,
        program: &b.path,
        args: &args,
        global_slot: r.global_slot as u64,
        group_slot: r.group_slot.map(|s| s as u64),
        test_group: r.group,
    });
    let reaper = crate::reaper::start(spawned.child, pidfd_raw, tx.clone(), Ev::Exited);
    fds.start_reading(&tx);
    drop(tx);
    let _unit = crate::signals::UnitGuard::new();
    let limits = Limits {
        slow: r.settings.slow,
        leak: r.settings.leak,
        signal_grace: if ctx.v.signal_grace_configurable() { r.settings.slow.grace } else { Duration::from_secs(10) },
        shutdown_gen: r.shutdown_gen,
    };
    let mut slow_cb = |elapsed: Duration, will_terminate: bool| {
        probes::fire_attempt_slow(&common, elapsed.as_nanos() as u64, will_terminate);
        on_slow(elapsed, will_terminate);
    };
    let (res, out) = unit::supervise(&mut fds, &rx, &reaper, pid, &limits, &mut slow_cb);
    let exec_errors = res.is_err() || fds.errors > 0;
    let kind = if out.timed_out {
        Kind::Timeout
    } else if exec_errors {
        Kind::ExecFail
    } else if out.exit.is_some_and(|e| e.success()) {
        if out.leaked {
            Kind::Leak
        } else {
            Kind::Pass
        }
    } else {
        Kind::Fail
    };
    let duration = stopwatch.active();
    let (stdout_len, stderr_len) = fds.lens();
    let exit_code = out.exit.and_then(|e| e.code());
    probes::fire_attempt_done(&AttemptDone {
        c: &common,
        result: kind.as_str(),
        exit_code,
        duration_nanos: duration.as_nanos() as u64,
        leaked: out.leaked,
        time_to_close_fds_nanos: out.time_to_close.map(|d| d.as_nanos() as u64),
        stdout_len,
        stderr_len,
    });
    let [stdout, stderr, combined] = std::mem::take(&mut fds.out);
    fds.close();
    drop(reaper);
    Outcome {
        kind,
        exit_code,
        signal: out.exit.and_then(|e| e.signal()),
        leaked: out.leaked,
        duration,
        slow_after: out.slow_after,
        stdout,
        stderr,
        combined,
        start_error: None,
    }
}
