//! Building and spawning child commands like nextest's `create_command` + `test_command/imp.rs`
//! `spawn`: double-spawn argv, SIGTSTP blocked around the spawn, process group, stdio wiring.
//! Also the `__double-spawn` subcommand.

use crate::sys;
use std::os::fd::OwnedFd;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

pub const PROC_SELF_EXE: &str = "/proc/self/exe";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Capture {
    Split,
    Combined,
    None,
}

/// Whether double spawn is on: `NEXTEST_DOUBLE_SPAWN=0` disables it; otherwise it needs
/// `/proc/self/exe` to exist (double_spawn.rs `try_enable`).
pub fn double_spawn_enabled() -> bool {
    if std::env::var("NEXTEST_DOUBLE_SPAWN").as_deref() == Ok("0") {
        return false;
    }
    std::fs::symlink_metadata(PROC_SELF_EXE).is_ok()
}

/// The argv nextest's `create_command` produces (program first).
pub fn command_argv(program: &str, args: &[String], double_spawn: bool) -> Vec<String> {
    if double_spawn {
        vec![
            PROC_SELF_EXE.to_string(),
            "__double-spawn".to_string(),
            "--".to_string(),
            program.to_string(),
            crate::shellwords::join(args),
        ]
    } else {
        let mut v = vec![program.to_string()];
        v.extend(args.iter().cloned());
        v
    }
}

pub struct Spec<'a> {
    pub program: &'a str,
    pub args: &'a [String],
    pub env: &'a [(String, String)],
    pub cwd: &'a str,
    pub double_spawn: bool,
    pub process_group: bool,
    pub stdin_null: bool,
    pub stdout_piped: bool,
    pub stderr_piped: bool,
    pub combined: bool,
    pub fork_path: bool,
}

pub struct Spawned {
    pub cmd: Command,
    pub child: Child,
    pub pid: u32,
    pub stdout: Option<OwnedFd>,
    pub stderr: Option<OwnedFd>,
    pub combined: Option<OwnedFd>,
}

/// Blocks SIGTSTP on this thread (DoubleSpawnContext::new) until dropped/finished.
pub struct TstpGuard(bool);

impl TstpGuard {
    pub fn new(active: bool) -> TstpGuard {
        if active {
            sys::block_signal(sys::SIGTSTP);
        }
        TstpGuard(active)
    }
}

impl Drop for TstpGuard {
    fn drop(&mut self) {
        if self.0 {
            sys::unblock_signal(sys::SIGTSTP);
        }
    }
}

/// Builds the std Command (the guard must already be held by the caller, as nextest creates the
/// DoubleSpawnContext when the command is built) and spawns it.
pub fn spawn(spec: &Spec) -> std::io::Result<Spawned> {
    let argv = command_argv(spec.program, spec.args, spec.double_spawn);
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    for (k, v) in spec.env {
        cmd.env(k, v);
    }
    cmd.current_dir(spec.cwd);
    if spec.process_group {
        cmd.process_group(0);
    }
    if spec.fork_path {
        // A (no-op) pre_exec closure makes std take its fork + execvp path, like glibc < 2.29.
        unsafe {
            cmd.pre_exec(|| Ok(()));
        }
    }
    if spec.stdin_null {
        cmd.stdin(Stdio::null());
    }
    let mut combined_rx = None;
    if spec.combined {
        let (rx, tx) = std::io::pipe()?;
        cmd.stdout(tx.try_clone()?).stderr(tx);
        combined_rx = Some(OwnedFd::from(rx));
    } else {
        if spec.stdout_piped {
            cmd.stdout(Stdio::piped());
        }
        if spec.stderr_piped {
            cmd.stderr(Stdio::piped());
        }
    }
    let mut child = cmd.spawn()?;
    let pid = child.id();
    let stdout = child.stdout.take().map(OwnedFd::from);
    let stderr = child.stderr.take().map(OwnedFd::from);
    // tokio's `spawn_child` turns the piped read ends non-blocking right after the spawn, before
    // it opens the pidfd (and before nextest's DoubleSpawnContext unblocks SIGTSTP); the
    // protocol check sees `fcntl(F_SETFL, O_NONBLOCK)` on both ends there in real nextest.
    for f in [&stdout, &stderr].into_iter().flatten() {
        sys::set_nonblocking(std::os::fd::AsRawFd::as_raw_fd(f));
    }
    Ok(Spawned { cmd, child, pid, stdout, stderr, combined: combined_rx })
}

/// `nextest __double-spawn -- <program> <joined args>`: unblock SIGTSTP, split, execvp; 70 on error.
pub fn double_spawn_main(args: &[String]) -> i32 {
    sys::unblock_signal(sys::SIGTSTP);
    let rest: &[String] = if args.first().map(|s| s.as_str()) == Some("--") { &args[1..] } else { args };
    let (Some(program), joined) = (rest.first(), rest.get(1).map(|s| s.as_str()).unwrap_or("")) else {
        eprintln!("error: __double-spawn needs a program");
        return 70;
    };
    let words = match crate::shellwords::split(joined) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: double-spawn: failed to split {joined:?}: {e}");
            return 70;
        }
    };
    let err = Command::new(program).args(words).exec();
    eprintln!("error: double-spawn: failed to exec {program:?}: {err}");
    70
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_spawn_argv_has_five_elements() {
        let args: Vec<String> = ["--exact", "a b", "--nocapture", "--ignored"].iter().map(|s| s.to_string()).collect();
        let v = command_argv("/t/bin", &args, true);
        assert_eq!(v, vec!["/proc/self/exe", "__double-spawn", "--", "/t/bin", "--exact 'a b' --nocapture --ignored"]);
        let v = command_argv("/t/bin", &args, false);
        assert_eq!(v.len(), 5);
        assert_eq!(v[0], "/t/bin");
    }
}
