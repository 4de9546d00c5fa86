//! Profile settings from `.config/nextest.toml` (+ nextest's built-in defaults): threads, retries,
//! slow/leak timeouts, fail-fast, test groups, per-test overrides and setup scripts.

use crate::cli::parse_duration;
use crate::filter::{self, Expr, Query};
use crate::toml::{self, Toml};
use crate::version::Version;
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SlowTimeout {
    pub period: Duration,
    pub terminate_after: Option<u32>,
    pub grace: Duration,
    pub on_timeout_pass: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakTimeout {
    pub period: Duration,
    pub fail: bool,
}

#[derive(Clone, Debug)]
pub struct TestSettings {
    pub retries: u32,
    pub slow: SlowTimeout,
    pub leak: LeakTimeout,
    pub group: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ScriptConfig {
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub capture_stdout: bool,
    pub capture_stderr: bool,
    pub slow: Option<SlowTimeout>,
    pub leak: Option<LeakTimeout>,
}

struct Override {
    filter: Expr,
    table: Toml,
}

pub struct Config {
    version: Version,
    pub test_threads: usize,
    pub fail_fast: bool,
    pub base: TestSettings,
    overrides: Vec<Override>,
    pub groups: BTreeMap<String, usize>,
    pub scripts: BTreeMap<String, ScriptConfig>,
    pub profile_scripts: Vec<(Expr, Vec<String>)>,
    pub status_level: String,
    pub final_status_level: String,
}

pub const VERY_LARGE: Duration = Duration::from_secs(30 * 365 * 86400 + 7 * 86400);

fn builtin_slow() -> SlowTimeout {
    SlowTimeout { period: Duration::from_secs(60), terminate_after: None, grace: Duration::from_secs(10), on_timeout_pass: false }
}

pub fn parse_slow(v: &Toml, base: SlowTimeout, version: Version) -> Result<SlowTimeout, String> {
    match v {
        Toml::Str(s) => Ok(SlowTimeout { period: parse_duration(s)?, ..builtin_slow() }),
        Toml::Table(_) => {
            let mut s = SlowTimeout { ..builtin_slow() };
            let _ = base;
            if let Some(p) = v.get("period").and_then(|p| p.as_str()) {
                s.period = parse_duration(p)?;
            }
            if let Some(Toml::Int(n)) = v.get("terminate-after") {
                s.terminate_after = Some(*n as u32);
            }
            if let Some(g) = v.get("grace-period").and_then(|p| p.as_str()) {
                s.grace = parse_duration(g)?;
            }
            // on-timeout exists from 0.9.115 (#2742); older versions ignore the key.
            if let Some(o) = v.get("on-timeout").and_then(|p| p.as_str()) {
                s.on_timeout_pass = o == "pass" && version.on_timeout_pass();
            }
            Ok(s)
        }
        _ => Err("bad slow-timeout".into()),
    }
}

pub fn parse_leak(v: &Toml, default_period: Duration, version: Version) -> Result<LeakTimeout, String> {
    match v {
        Toml::Str(s) => Ok(LeakTimeout { period: parse_duration(s)?, fail: false }),
        Toml::Table(_) => Ok(LeakTimeout {
            period: match v.get("period").and_then(|p| p.as_str()) {
                Some(p) => parse_duration(p)?,
                None => default_period,
            },
            // leak-timeout.result exists from 0.9.95 (a1333b1b).
            fail: v.get("result").and_then(|r| r.as_str()) == Some("fail") && version.leak_result_fail(),
        }),
        _ => Err("bad leak-timeout".into()),
    }
}

fn parse_retries(v: &Toml) -> Option<u32> {
    match v {
        Toml::Int(n) => Some(*n as u32),
        Toml::Table(_) => match v.get("count") {
            Some(Toml::Int(n)) => Some(*n as u32),
            _ => None,
        },
        _ => None,
    }
}

pub fn num_cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

pub fn parse_threads(s: &str) -> Result<usize, String> {
    if s == "num-cpus" {
        return Ok(num_cpus());
    }
    let n: i64 = s.parse().map_err(|_| format!("bad test-threads {s:?}"))?;
    Ok(if n > 0 { n as usize } else { (num_cpus() as i64 + n).max(1) as usize })
}

fn parse_command(v: &Toml) -> Result<(Vec<String>, Vec<(String, String)>), String> {
    match v {
        Toml::Str(s) => Ok((crate::shellwords::split(s)?, Vec::new())),
        Toml::Arr(a) => Ok((a.iter().filter_map(|x| x.as_str().map(String::from)).collect(), Vec::new())),
        Toml::Table(_) => {
            let (words, _) = parse_command(v.get("command-line").ok_or("command-line missing")?)?;
            let env = v.get("env").map(|e| env_pairs(e)).unwrap_or_default();
            Ok((words, env))
        }
        _ => Err("bad command".into()),
    }
}

fn env_pairs(e: &Toml) -> Vec<(String, String)> {
    e.entries().iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect()
}

/// The `experimental = [...]` features of the repository config that nextest knows, in its
/// `ConfigExperimental` order (setup-scripts, wrapper-scripts, benchmarks;
/// `nextest-runner/src/config/core/nextest_version.rs` at cargo-nextest-0.9.143).
pub fn experimental_features(workspace_root: &str) -> Vec<&'static str> {
    let path = format!("{workspace_root}/.config/nextest.toml");
    let Ok(text) = std::fs::read_to_string(&path) else { return Vec::new() };
    let Ok(doc) = toml::parse(&text) else { return Vec::new() };
    let listed: Vec<String> =
        doc.get("experimental").map(|e| e.items().iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default();
    ["setup-scripts", "wrapper-scripts", "benchmarks"].into_iter().filter(|k| listed.iter().any(|l| l == k)).collect()
}

impl Config {
    pub fn load(workspace_root: &str, profile: &str, version: Version) -> Result<Config, String> {
        let path = format!("{workspace_root}/.config/nextest.toml");
        let doc = match std::fs::read_to_string(&path) {
            Ok(s) => toml::parse(&s)?,
            Err(_) => Toml::Table(Vec::new()),
        };
        let empty = Toml::Table(Vec::new());
        let dflt = doc.path(&["profile", "default"]).unwrap_or(&empty);
        let this = if profile == "default" {
            dflt
        } else {
            doc.path(&["profile", profile]).ok_or_else(|| format!("profile `{profile}` not found"))?
        };
        let chain = [this, dflt];
        let lookup = |key: &str| chain.iter().find_map(|t| t.get(key));
        let leak_default = Duration::from_millis(version.default_leak_ms());
        let mut base = TestSettings {
            retries: 0,
            slow: builtin_slow(),
            leak: LeakTimeout { period: leak_default, fail: false },
            group: None,
        };
        if let Some(v) = lookup("retries") {
            base.retries = parse_retries(v).unwrap_or(0);
        }
        if let Some(v) = lookup("slow-timeout") {
            base.slow = parse_slow(v, base.slow, version)?;
        }
        if let Some(v) = lookup("leak-timeout") {
            base.leak = parse_leak(v, leak_default, version)?;
        }
        let test_threads = match lookup("test-threads") {
            Some(Toml::Int(n)) => parse_threads(&n.to_string())?,
            Some(Toml::Str(s)) => parse_threads(s)?,
            _ => num_cpus(),
        };
        let fail_fast = match lookup("fail-fast") {
            Some(Toml::Bool(b)) => *b,
            Some(t @ Toml::Table(_)) => !matches!(t.get("max-fail"), Some(Toml::Str(s)) if s == "all"),
            _ => true,
        };
        let mut overrides = Vec::new();
        for t in chain.iter().take(if profile == "default" { 1 } else { 2 }) {
            for o in t.get("overrides").map(|o| o.items()).unwrap_or(&[]) {
                let f = o.get("filter").and_then(|f| f.as_str()).unwrap_or("all()");
                overrides.push(Override { filter: filter::parse(f)?, table: o.clone() });
            }
        }
        let mut groups = BTreeMap::new();
        for (name, g) in doc.get("test-groups").map(|g| g.entries()).unwrap_or(&[]) {
            let n = match g.get("max-threads") {
                Some(Toml::Int(n)) => *n as usize,
                Some(Toml::Str(s)) => parse_threads(s)?,
                _ => 1,
            };
            groups.insert(name.clone(), n);
        }
        let mut scripts = BTreeMap::new();
        let script_tables = doc.path(&["scripts", "setup"]).or_else(|| doc.get("script"));
        for (id, s) in script_tables.map(|t| t.entries()).unwrap_or(&[]) {
            let (words, mut env) = parse_command(s.get("command").ok_or_else(|| format!("script {id}: no command"))?)?;
            if let Some(e) = s.get("env") {
                env.extend(env_pairs(e));
            }
            let (program, args) = words.split_first().ok_or_else(|| format!("script {id}: empty command"))?;
            scripts.insert(
                id.clone(),
                ScriptConfig {
                    program: program.clone(),
                    args: args.to_vec(),
                    env,
                    capture_stdout: s.get("capture-stdout") == Some(&Toml::Bool(true)),
                    capture_stderr: s.get("capture-stderr") == Some(&Toml::Bool(true)),
                    slow: s.get("slow-timeout").map(|v| parse_slow(v, builtin_slow(), version)).transpose()?,
                    leak: s.get("leak-timeout").map(|v| parse_leak(v, Duration::from_millis(100), version)).transpose()?,
                },
            );
        }
        let mut profile_scripts = Vec::new();
        for t in chain.iter().take(if profile == "default" { 1 } else { 2 }) {
            for s in t.get("scripts").map(|o| o.items()).unwrap_or(&[]) {
                let f = s.get("filter").and_then(|f| f.as_str()).unwrap_or("all()");
                let ids = match s.get("setup") {
                    Some(Toml::Str(one)) => vec![one.clone()],
                    Some(Toml::Arr(a)) => a.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
                    _ => Vec::new(),
                };
                profile_scripts.push((filter::parse(f)?, ids));
            }
        }
        let experimental: Vec<String> =
            doc.get("experimental").map(|e| e.items().iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default();
        if !profile_scripts.is_empty() && !experimental.iter().any(|e| e == "setup-scripts") {
            return Err("setup scripts are experimental: add `experimental = [\"setup-scripts\"]`".into());
        }
        let status_level = lookup("status-level").and_then(|v| v.as_str()).unwrap_or("pass").to_string();
        let final_status_level = lookup("final-status-level").and_then(|v| v.as_str()).unwrap_or("flaky").to_string();
        Ok(Config {
            version,
            test_threads,
            fail_fast,
            base,
            overrides,
            groups,
            scripts,
            profile_scripts,
            status_level,
            final_status_level,
        })
    }

    /// Settings for one test: the first matching override wins per key, then the profile.
    pub fn settings_for(&self, q: &Query) -> Result<TestSettings, String> {
        let mut s = self.base.clone();
        let (mut got_r, mut got_s, mut got_l, mut got_g) = (false, false, false, false);
        for o in &self.overrides {
            if !o.filter.matches(q) {
                continue;
            }
            if !got_r {
                if let Some(r) = o.table.get("retries").and_then(parse_retries) {
                    s.retries = r;
                    got_r = true;
                }
            }
            if !got_s {
                if let Some(v) = o.table.get("slow-timeout") {
                    s.slow = parse_slow(v, s.slow, self.version)?;
                    got_s = true;
                }
            }
            if !got_l {
                if let Some(v) = o.table.get("leak-timeout") {
                    s.leak = parse_leak(v, s.leak.period, self.version)?;
                    got_l = true;
                }
            }
            if !got_g {
                if let Some(g) = o.table.get("test-group").and_then(|g| g.as_str()) {
                    s.group = if g == "@global" { None } else { Some(g.to_string()) };
                    got_g = true;
                }
            }
        }
        Ok(s)
    }
}
