//! The list phase (test_list.rs `exec_single`): per binary, two spawns `--list --format terse`
//! and `... --ignored` (built and spawned one after the other, read concurrently), stdout/stderr
//! piped, stdin inherited (null before 0.9.67), no process group; then parse the terse output.

use crate::capture::{Ev, Fds, Wait};
use crate::discover::Binary;
use crate::envset::{self, Phase};
use crate::spawn::{self, Spec};
use crate::version::Version;
use std::collections::BTreeMap;

pub struct ListCtx<'a> {
    pub v: Version,
    pub run_id: &'a str,
    pub profile: &'a str,
    pub root: &'a str,
    pub dylib_path: &'a str,
    pub double_spawn: bool,
    pub fork_path: bool,
    pub sigchld: bool,
}

/// test name → (ignored, is_benchmark)
pub type Cases = BTreeMap<String, (bool, bool)>;

struct Running {
    fds: Fds,
    rx: std::sync::mpsc::Receiver<Ev>,
    _reaper: crate::reaper::Reaper,
}

fn start(ctx: &ListCtx, b: &Binary, ignored: bool) -> Result<Running, String> {
    let mut args: Vec<String> = ["--list", "--format", "terse"].iter().map(|s| s.to_string()).collect();
    if ignored {
        args.push("--ignored".into());
    }
    let guard = spawn::TstpGuard::new(ctx.double_spawn);
    let mut env = envset::command_env(ctx.v, Phase::List, b, ctx.profile, ctx.dylib_path);
    envset::list_env(ctx.v, b, ctx.run_id, ctx.root, &mut env);
    let spec = Spec {
        program: &b.path,
        args: &args,
        env: &env,
        cwd: &b.package.dir,
        double_spawn: ctx.double_spawn,
        process_group: false,
        stdin_null: ctx.v.list_stdin_null(),
        stdout_piped: true,
        stderr_piped: true,
        combined: false,
        fork_path: ctx.fork_path,
    };
    let s = spawn::spawn(&spec).map_err(|e| format!("error: creating test list for {}: failed to spawn: {e}", b.binary_id))?;
    let (tx, rx) = std::sync::mpsc::channel();
    let pidfd = crate::reaper::open(&s.child, ctx.sigchld);
    drop(s.cmd);
    drop(guard);
    let pidfd_raw = pidfd.as_ref().map(|f| std::os::fd::AsRawFd::as_raw_fd(f));
    let fds = Fds::new(s.stdout, s.stderr, None, pidfd, pidfd_raw.is_none());
    let reaper = crate::reaper::start(s.child, pidfd_raw, tx.clone(), Ev::Exited);
    Ok(Running { fds, rx, _reaper: reaper })
}

/// wait_with_output: read both pipes to EOF and wait for the exit.
fn finish(mut r: Running, b: &Binary) -> Result<String, String> {
    let mut status = None;
    while status.is_none() || !r.fds.is_done() {
        if let Wait::Ev(ev) = r.fds.wait(&r.rx, None, true) {
            r.fds.apply(&ev);
            if let Ev::Exited(res) = ev {
                status = Some(res.map_err(|e| e.to_string())?);
            }
        }
    }
    let st = status.unwrap();
    let [out, err, _] = std::mem::take(&mut r.fds.out);
    if !st.success() {
        return Err(format!(
            "error: creating test list failed for {}: command exited with {st}\n--- stdout:\n{}\n--- stderr:\n{}",
            b.binary_id,
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&err)
        ));
    }
    String::from_utf8(out).map_err(|_| format!("error: test list for {} is not UTF-8", b.binary_id))
}

pub fn parse_terse(binary_id: &str, out: &str) -> Result<Vec<(String, bool)>, String> {
    let mut v = Vec::new();
    for line in out.lines() {
        if line.is_empty() {
            continue;
        }
        if let Some(n) = line.strip_suffix(": test") {
            v.push((n.to_string(), false));
        } else if let Some(n) = line.strip_suffix(": benchmark") {
            v.push((n.to_string(), true));
        } else {
            return Err(format!("error: for {binary_id}, line {line:?} did not end with \": test\" or \": benchmark\""));
        }
    }
    Ok(v)
}

pub fn list_binary(ctx: &ListCtx, b: &Binary) -> Result<Cases, String> {
    let a = start(ctx, b, false)?;
    let i = start(ctx, b, true)?;
    let non_ignored = finish(a, b)?;
    let ignored = finish(i, b)?;
    let mut cases = Cases::new();
    for (n, bench) in parse_terse(&b.binary_id, &non_ignored)? {
        cases.insert(n, (false, bench));
    }
    for (n, bench) in parse_terse(&b.binary_id, &ignored)? {
        cases.insert(n, (true, bench));
    }
    Ok(cases)
}

/// Lists all binaries, `threads` at a time; results in binary order.
pub fn list_all(ctx: &ListCtx, bins: &[Binary], threads: usize) -> Result<Vec<Cases>, String> {
    let mut results: Vec<Option<Result<Cases, String>>> = (0..bins.len()).map(|_| None).collect();
    for (chunk_i, chunk) in bins.chunks(threads.max(1)).enumerate() {
        std::thread::scope(|s| {
            let hs: Vec<_> = chunk.iter().map(|b| s.spawn(move || list_binary(ctx, b))).collect();
            for (k, h) in hs.into_iter().enumerate() {
                results[chunk_i * threads.max(1) + k] = Some(h.join().unwrap_or_else(|_| Err("list thread panicked".into())));
            }
        });
    }
    results.into_iter().map(|r| r.unwrap()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terse_parsing_keeps_colons_in_names() {
        let v = parse_terse("b", "a::b: test\nhostile::colon: test: test\nbench_x: benchmark\n").unwrap();
        assert_eq!(v, vec![("a::b".into(), false), ("hostile::colon: test".into(), false), ("bench_x".into(), true)]);
        assert!(parse_terse("b", "garbage\n").is_err());
    }
}
