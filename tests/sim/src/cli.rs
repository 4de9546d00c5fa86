//! Command-line parsing: the subset of `cargo nextest run` flags the simulator accepts.

use crate::version::{self, Version};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RunIgnored {
    Default,
    Only,
    All,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MessageFormat {
    Human,
    LibtestJson,
    LibtestJsonPlus,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Stress {
    Count(u32),
    Infinite,
    Duration(std::time::Duration),
}

#[derive(Clone, Debug)]
pub struct Opts {
    pub emulate: Version,
    pub truth: Option<String>,
    pub profile: Option<String>,
    pub test_threads: Option<String>,
    pub retries: Option<u32>,
    pub fail_fast: Option<bool>,
    pub max_fail: Option<u32>,
    pub run_ignored: RunIgnored,
    pub no_capture: bool,
    pub message_format: MessageFormat,
    pub color: String,
    pub stress: Option<Stress>,
    pub spawn_fork: bool,
    pub reaper_sigchld: Option<bool>,
    pub manifest_path: Option<String>,
    pub workspace_dir: Option<String>,
    pub no_build: bool,
    pub filters: Vec<String>,
    /// Build-selection arguments passed on to `cargo test --no-run`.
    pub cargo_args: Vec<String>,
    pub status_level: Option<String>,
    pub final_status_level: Option<String>,
}

pub fn usage() -> &'static str {
    "usage: nextest-sim [nextest] run [--truth FILE] [-P PROFILE] [-j N] [--retries N]\n\
     \t[--no-fail-fast|--fail-fast|--max-fail N] [--run-ignored default|only|all] [--no-capture]\n\
     \t[--message-format human|libtest-json|libtest-json-plus] [--color always|never|auto]\n\
     \t[--stress-count N|infinite] [--stress-duration D] [--spawn-path posix-spawn|fork]\n\
     \t[--reaper pidfd|sigchld] [--manifest-path P] [--workspace-dir D] [--no-build] [FILTERS...] [-- FILTERS...]"
}

pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let idx = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (num, unit) = s.split_at(idx);
    let n: f64 = num.parse().map_err(|_| format!("bad duration {s:?}"))?;
    let mult = match unit.trim() {
        "ns" => 1e-9,
        "us" => 1e-6,
        "ms" => 1e-3,
        "s" | "" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86400.0,
        "y" => 365.25 * 86400.0,
        u => return Err(format!("bad duration unit {u:?}")),
    };
    Ok(std::time::Duration::from_nanos((n * mult * 1e9).round() as u64))
}

pub fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        emulate: version::embedded(),
        truth: None,
        profile: std::env::var("NEXTEST_PROFILE").ok(),
        test_threads: std::env::var("NEXTEST_TEST_THREADS").ok(),
        retries: std::env::var("NEXTEST_RETRIES").ok().and_then(|v| v.parse().ok()),
        fail_fast: None,
        max_fail: None,
        run_ignored: RunIgnored::Default,
        no_capture: false,
        message_format: MessageFormat::Human,
        color: "auto".into(),
        stress: None,
        spawn_fork: false,
        reaper_sigchld: None,
        manifest_path: None,
        workspace_dir: None,
        no_build: false,
        filters: Vec::new(),
        cargo_args: Vec::new(),
        status_level: std::env::var("NEXTEST_STATUS_LEVEL").ok(),
        final_status_level: std::env::var("NEXTEST_FINAL_STATUS_LEVEL").ok(),
    };
    if let Ok(v) = std::env::var("NEXTEST_MESSAGE_FORMAT") {
        o.message_format = parse_format(&v)?;
    }
    let mut it = args.iter().peekable();
    let mut after_dashes = false;
    let mut saw_run = false;
    while let Some(a) = it.next() {
        if after_dashes {
            o.filters.push(a.clone());
            continue;
        }
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut val = || -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            it.next().cloned().ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "nextest" if !saw_run => {}
            "run" | "r" if !saw_run => saw_run = true,
            "--" => after_dashes = true,
            "--truth" => o.truth = Some(val()?),
            "-P" | "--profile" => o.profile = Some(val()?),
            "-j" | "--test-threads" | "--jobs" => o.test_threads = Some(val()?),
            "--retries" => o.retries = Some(val()?.parse().map_err(|_| "bad --retries")?),
            "--no-fail-fast" => o.fail_fast = Some(false),
            "--fail-fast" => o.fail_fast = Some(true),
            "--max-fail" => {
                let v = val()?;
                if v == "all" {
                    o.fail_fast = Some(false);
                } else {
                    o.max_fail = Some(v.split(':').next().unwrap_or("").parse().map_err(|_| "bad --max-fail")?);
                }
            }
            "--run-ignored" => {
                o.run_ignored = match val()?.as_str() {
                    "default" => RunIgnored::Default,
                    "only" | "ignored-only" => RunIgnored::Only,
                    "all" => RunIgnored::All,
                    v => return Err(format!("bad --run-ignored {v}")),
                }
            }
            "--no-capture" | "--nocapture" => o.no_capture = true,
            "--message-format" => o.message_format = parse_format(&val()?)?,
            "--message-format-version" => {
                val()?;
            }
            "--color" => o.color = val()?,
            "--status-level" => o.status_level = Some(val()?),
            "--final-status-level" => o.final_status_level = Some(val()?),
            "--stress-count" => {
                let v = val()?;
                o.stress = Some(if v == "infinite" {
                    Stress::Infinite
                } else {
                    Stress::Count(v.parse().map_err(|_| "bad --stress-count")?)
                });
            }
            "--stress-duration" => o.stress = Some(Stress::Duration(parse_duration(&val()?)?)),
            "--spawn-path" => {
                o.spawn_fork = match val()?.as_str() {
                    "fork" => true,
                    "posix-spawn" | "posix_spawn" => false,
                    v => return Err(format!("bad --spawn-path {v}")),
                }
            }
            "--reaper" => {
                o.reaper_sigchld = Some(match val()?.as_str() {
                    "sigchld" => true,
                    "pidfd" => false,
                    v => return Err(format!("bad --reaper {v}")),
                })
            }
            "--manifest-path" => o.manifest_path = Some(val()?),
            "--workspace-dir" => o.workspace_dir = Some(val()?),
            "--no-build" => o.no_build = true,
            "--workspace" | "--all" => o.cargo_args.push("--workspace".into()),
            "-p" | "--package" => {
                let p = val()?;
                o.cargo_args.push("--package".into());
                o.cargo_args.push(p);
            }
            f if f.starts_with('-') => return Err(format!("unknown flag {f}\n{}", usage())),
            _ => o.filters.push(a.clone()),
        }
    }
    if !saw_run {
        return Err(usage().to_string());
    }
    Ok(o)
}

fn parse_format(v: &str) -> Result<MessageFormat, String> {
    Ok(match v {
        "human" => MessageFormat::Human,
        "libtest-json" => MessageFormat::LibtestJson,
        "libtest-json-plus" => MessageFormat::LibtestJsonPlus,
        _ => return Err(format!("bad --message-format {v}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(a: &[&str]) -> Opts {
        parse(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn accepts_cargo_style_argv() {
        let o = p(&["nextest", "run", "-j", "2", "--retries=3", "foo", "--", "bar"]);
        assert_eq!(o.test_threads.as_deref(), Some("2"));
        assert_eq!(o.retries, Some(3));
        assert_eq!(o.filters, vec!["foo", "bar"]);
        assert_eq!(parse_duration("1.5s").unwrap().as_millis(), 1500);
        assert_eq!(parse_duration("200ms").unwrap().as_millis(), 200);
    }
}
