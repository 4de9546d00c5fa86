//! Setup scripts (executor.rs `run_setup_script`): spawn from the workspace root with stdin null,
//! a process group, optional capture, the NEXTEST_ENV temp-file protocol, slow/leak timeouts, and
//! the setup-script-start/-slow/-done probes.

use crate::capture::{Ev, Fds};
use crate::clock::Stopwatch;
use crate::config::{LeakTimeout, ScriptConfig, SlowTimeout, VERY_LARGE};
use crate::envset;
use crate::probes::{self, Script};
use crate::spawn::{self, Spec};
use crate::unit::{self, Limits};
use crate::version::Version;
use std::time::Duration;

pub struct ScriptCtx<'a> {
    pub v: Version,
    pub run_id: &'a str,
    pub profile: &'a str,
    pub root: &'a str,
    pub dylib_path: &'a str,
    pub test_threads: usize,
    pub double_spawn: bool,
    pub fork_path: bool,
    pub sigchld: bool,
    pub capture: bool,
}

pub struct ScriptResult {
    pub result: &'static str,
    pub label: &'static str,
    pub success: bool,
    pub duration: Duration,
    pub env: Vec<(String, String)>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub error: Option<String>,
    /// The exit code of a `fail` result (also the done probe's `exit_code`).
    pub exit_code: Option<i32>,
    /// The signal that ended a `fail` result.
    pub signal: Option<i32>,
}

fn temp_env_file() -> std::io::Result<String> {
    // Like tempfile's Builder::new().prefix("nextest-env"): six random alphanumerics.
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let dir = std::env::temp_dir();
    loop {
        let mut b = [0u8; 6];
        crate::sys::random_bytes(&mut b);
        let name: String = b.iter().map(|x| ALNUM[*x as usize % ALNUM.len()] as char).collect();
        let path = dir.join(format!("nextest-env{name}"));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(_) => return Ok(path.to_string_lossy().into_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Parses the NEXTEST_ENV file: KEY=VALUE lines; a line without `=` or a NEXTEST* key is an
/// error, and with `key_chars` (0.9.131+) a key outside `[A-Za-z_][A-Za-z0-9_]*`.  Worded as
/// nextest 0.9.143 prints it in the `execfail` block (its error chain: `error reading setup
/// script output` / `caused by:` / `- …`).
pub fn parse_env_file(text: &str, key_chars: bool, path: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(format!("error reading setup script output\n  caused by:\n  - line `{line}` in environment file `{path}` not in KEY=VALUE format"));
        };
        if key_chars {
            // validate_env_var_key (nextest-runner/src/config/scripts/env_map.rs, 0.9.143)
            let mut cs = k.chars();
            let why = if !cs.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
                Some("does not start with a letter or underscore")
            } else if !cs.all(|c| c.is_ascii_alphanumeric() || c == '_') {
                Some("does not consist solely of letters, digits, and underscores")
            } else {
                None
            };
            if let Some(why) = why {
                return Err(format!("error reading setup script output\n  caused by:\n  - error in environment file `{path}`\n  - key `{k}` {why}"));
            }
        }
        if k.starts_with("NEXTEST") {
            return Err(format!("error reading setup script output\n  caused by:\n  - error in environment file `{path}`\n  - key `{k}` begins with `NEXTEST`, which is reserved for internal use"));
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

pub fn run(ctx: &ScriptCtx, script_id: &str, cfg: &ScriptConfig, stress: Option<(u32, Option<u32>)>, on_slow: &mut dyn FnMut(Duration, bool)) -> ScriptResult {
    let shutdown_gen = crate::signals::shutdown().0;
    let stopwatch = Stopwatch::start();
    let fail = |msg: String, sw: &Stopwatch| ScriptResult {
        result: "exec-fail",
        label: "SETUP XFAIL",
        success: false,
        duration: sw.active(),
        env: Vec::new(),
        stdout: Vec::new(),
        stderr: Vec::new(),
        error: Some(msg),
        exit_code: None,
        signal: None,
    };
    let env_file = match temp_env_file() {
        Ok(p) => p,
        Err(e) => return fail(format!("creating NEXTEST_ENV file: {e}"), &stopwatch),
    };
    let guard = spawn::TstpGuard::new(ctx.double_spawn);
    let cmd_env: &[(String, String)] = if ctx.v.script_command_env() { &cfg.env } else { &[] };
    let env = envset::script_env(ctx.v, ctx.profile, &env_file, ctx.dylib_path, ctx.run_id, ctx.test_threads, ctx.root, cmd_env);
    let spec = Spec {
        program: &cfg.program,
        args: &cfg.args,
        env: &env,
        cwd: ctx.root,
        double_spawn: ctx.double_spawn,
        process_group: true,
        stdin_null: true,
        stdout_piped: ctx.capture && cfg.capture_stdout,
        stderr_piped: ctx.capture && cfg.capture_stderr,
        combined: false,
        fork_path: ctx.fork_path,
    };
    let id = {
        let mut s = format!("{}:{}", ctx.run_id, script_id);
        if let Some((i, _)) = stress {
            s.push_str(&format!("@stress-{i}"));
        }
        s
    };
    let probe = Script {
        id: &id,
        run_id: ctx.run_id,
        script_id,
        program: &cfg.program,
        args: &cfg.args,
        stress_current: stress.map(|s| s.0),
        stress_total: stress.and_then(|s| s.1),
    };
    let spawned = match spawn::spawn(&spec) {
        Ok(s) => s,
        Err(e) => {
            drop(guard);
            let r = fail(format!("failed to spawn: {e}"), &stopwatch);
            probes::fire_script_done(&probe, r.result, None, r.duration.as_nanos() as u64, None, None);
            let _ = std::fs::remove_file(&env_file);
            return r;
        }
    };
    let (tx, rx) = std::sync::mpsc::channel::<Ev>();
    let pid = spawned.pid;
    let pidfd = crate::reaper::open(&spawned.child, ctx.sigchld);
    drop(spawned.cmd);
    drop(guard);
    let pidfd_raw = pidfd.as_ref().map(|f| std::os::fd::AsRawFd::as_raw_fd(f));
    let mut fds = Fds::new(spawned.stdout, spawned.stderr, None, pidfd, pidfd_raw.is_none());
    probes::fire_script_start(&probe, pid);
    let reaper = crate::reaper::start(spawned.child, pidfd_raw, tx.clone(), Ev::Exited);
    fds.start_reading(&tx);
    drop(tx);
    let _unit = crate::signals::UnitGuard::new();
    let slow = cfg.slow.unwrap_or(SlowTimeout { period: VERY_LARGE, terminate_after: None, grace: Duration::from_secs(10), on_timeout_pass: false });
    let leak = cfg.leak.unwrap_or(LeakTimeout { period: Duration::from_millis(100), fail: false });
    let limits = Limits { slow, leak, signal_grace: slow.grace, shutdown_gen };
    let mut cb = |elapsed: Duration, will_terminate: bool| {
        probes::fire_script_slow(&probe, elapsed.as_nanos() as u64, will_terminate);
        on_slow(elapsed, will_terminate);
    };
    let (res, out) = unit::supervise(&mut fds, &rx, &reaper, pid, &limits, &mut cb);
    let errors = res.is_err() || fds.errors > 0;
    let (mut result, mut label, mut success) = if out.timed_out {
        ("timeout", "SETUP TMT", false)
    } else if errors {
        ("exec-fail", "SETUP XFAIL", false)
    } else if out.exit.is_some_and(|e| e.success()) {
        if out.leaked {
            if leak.fail {
                ("leak", "SETUP LKFAIL", false)
            } else {
                ("leak", "SETUP LEAK", true)
            }
        } else {
            ("pass", "SETUP PASS", true)
        }
    } else {
        ("fail", "SETUP FAIL", false)
    };
    if !out.timed_out && !errors && out.exit.is_some_and(|e| !e.success()) {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = out.exit.and_then(|e| e.signal()) {
            label = crate::status::signal_label(sig, true);
        }
    }
    let mut env_out = Vec::new();
    let mut error = None;
    if success {
        match std::fs::read_to_string(&env_file).map_err(|e| e.to_string()).and_then(|t| parse_env_file(&t, ctx.v.script_env_key_chars(), &env_file)) {
            Ok(e) => env_out = e,
            Err(e) if ctx.v.script_env_file_error_fails() => {
                error = Some(e);
                result = "exec-fail";
                label = "SETUP XFAIL";
                success = false;
            }
            // before 0.9.129: logged (debug level), nothing exported, the script passes
            Err(_) => {}
        }
    }
    let duration = stopwatch.active();
    let (stdout_len, stderr_len) = fds.lens();
    let exit_code = if result == "fail" { out.exit.and_then(|e| e.code()) } else { None };
    probes::fire_script_done(&probe, result, exit_code, duration.as_nanos() as u64, stdout_len, stderr_len);
    let [stdout, stderr, _] = std::mem::take(&mut fds.out);
    fds.close();
    drop(reaper);
    let _ = std::fs::remove_file(&env_file);
    let signal = if result == "fail" {
        use std::os::unix::process::ExitStatusExt;
        out.exit.and_then(|e| e.signal())
    } else {
        None
    };
    ScriptResult { result, label, success, duration, env: env_out, stdout, stderr, error, exit_code, signal }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file_protocol() {
        assert_eq!(parse_env_file("A=1\nB=x=y\n", true, "f").unwrap(), vec![("A".into(), "1".into()), ("B".into(), "x=y".into())]);
        assert!(parse_env_file("novalue\n", true, "f").is_err());
        assert!(parse_env_file("novalue\n", false, "f").is_err());
        assert!(parse_env_file("NEXTEST_X=1\n", true, "f").is_err());
        assert!(parse_env_file("NEXTEST_X=1\n", false, "f").is_err());
        assert!(parse_env_file("1X=1\n", true, "f").is_err());
        assert!(parse_env_file("1X=1\n", false, "f").is_ok());
    }
}
