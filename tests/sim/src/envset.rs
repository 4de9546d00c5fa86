//! The environment nextest adds to child commands, per phase and emulated version
//! (test_command.rs `TestCommand::new`, executor.rs `run_test_inner`/`run_setup_script_inner`).
//! std's Command keeps env changes in a sorted map, so only the set of (key, value) matters.

use crate::discover::Binary;
use crate::version::Version;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    List,
    Run,
}

pub type Env = Vec<(String, String)>;

fn ld_dyld_env(env: &mut Env, dylib_path: &str) {
    env.push(("LD_LIBRARY_PATH".into(), dylib_path.into()));
    for (k, v) in std::env::vars() {
        if (k.starts_with("LD_") || k.starts_with("DYLD_")) && k != "LD_LIBRARY_PATH" {
            env.push((format!("NEXTEST_{k}"), v));
        }
    }
    env.push(("NEXTEST_LD_LIBRARY_PATH".into(), dylib_path.into()));
}

/// Steps 1-6 of TestCommand::new (shared by list and run phases).
pub fn command_env(v: Version, phase: Phase, b: &Binary, profile: &str, dylib_path: &str) -> Env {
    let mut env = Env::new();
    if let Some(out) = &b.out_dir {
        if v.env_out_dir() {
            env.push(("OUT_DIR".into(), out.clone()));
            if v.env_build_script_vars() {
                env.extend(b.build_env.iter().cloned());
            }
        }
    }
    env.push(("NEXTEST".into(), "1".into()));
    env.push(("NEXTEST_EXECUTION_MODE".into(), "process-per-test".into()));
    if v.env_profile() {
        env.push(("NEXTEST_PROFILE".into(), profile.into()));
    }
    env.push(("CARGO_MANIFEST_DIR".into(), b.package.dir.clone()));
    if v.env_orig_manifest_dir() {
        env.push(("__NEXTEST_ORIGINAL_CARGO_MANIFEST_DIR".into(), b.package.dir.clone()));
    }
    if v.env_test_phase() {
        env.push(("NEXTEST_TEST_PHASE".into(), if phase == Phase::List { "list" } else { "run" }.into()));
    }
    let p = &b.package;
    let mut ver = p.version.splitn(2, '-');
    let core = ver.next().unwrap_or("");
    let pre = ver.next().unwrap_or("").split('+').next().unwrap_or("").to_string();
    let core = core.split('+').next().unwrap_or("");
    let mut nums = core.split('.');
    env.push(("CARGO_PKG_VERSION".into(), p.version.clone()));
    env.push(("CARGO_PKG_VERSION_MAJOR".into(), nums.next().unwrap_or("").into()));
    env.push(("CARGO_PKG_VERSION_MINOR".into(), nums.next().unwrap_or("").into()));
    env.push(("CARGO_PKG_VERSION_PATCH".into(), nums.next().unwrap_or("").into()));
    env.push(("CARGO_PKG_VERSION_PRE".into(), pre));
    env.push(("CARGO_PKG_AUTHORS".into(), p.authors.join(":")));
    env.push(("CARGO_PKG_NAME".into(), p.name.clone()));
    env.push(("CARGO_PKG_DESCRIPTION".into(), p.description.clone()));
    env.push(("CARGO_PKG_HOMEPAGE".into(), p.homepage.clone()));
    env.push(("CARGO_PKG_LICENSE".into(), p.license.clone()));
    env.push(("CARGO_PKG_LICENSE_FILE".into(), p.license_file.clone()));
    env.push(("CARGO_PKG_REPOSITORY".into(), p.repository.clone()));
    env.push(("CARGO_PKG_RUST_VERSION".into(), p.rust_version.clone()));
    ld_dyld_env(&mut env, dylib_path);
    for (name, path) in &b.non_test_bins {
        if v.env_cargo_bin_exe() {
            env.push((format!("CARGO_BIN_EXE_{name}"), path.clone()));
        }
        env.push((format!("NEXTEST_BIN_EXE_{name}"), path.clone()));
        let u = name.replace('-', "_");
        if &u != name && v.env_bin_exe_underscore() {
            env.push((format!("NEXTEST_BIN_EXE_{u}"), path.clone()));
        }
    }
    env
}

pub fn version_env(v: Version, env: &mut Env) {
    env.push(("NEXTEST_VERSION".into(), v.text()));
    env.push(("NEXTEST_REQUIRED_VERSION".into(), "none".into()));
    env.push(("NEXTEST_RECOMMENDED_VERSION".into(), "none".into()));
}

/// List-phase additions (test_list.rs `exec_single`, 0.9.138+).
pub fn list_env(v: Version, b: &Binary, run_id: &str, root: &str, env: &mut Env) {
    if v.list_run_id() {
        env.push(("NEXTEST_RUN_ID".into(), run_id.into()));
        env.push(("NEXTEST_BINARY_ID".into(), b.binary_id.clone()));
        env.push(("NEXTEST_WORKSPACE_ROOT".into(), root.into()));
        version_env(v, env);
    }
}

pub struct RunVars<'a> {
    pub run_id: &'a str,
    pub binary_id: &'a str,
    pub test_name: &'a str,
    pub attempt: u32,
    pub total_attempts: u32,
    pub attempt_id: &'a str,
    pub stress_current: Option<u32>,
    pub stress_total: Option<Option<u32>>,
    pub global_slot: usize,
    pub group: Option<&'a str>,
    pub group_slot: Option<usize>,
    pub test_threads: usize,
    pub root: &'a str,
}

/// Run-phase additions (executor.rs `run_test_inner`), in nextest's order.
pub fn run_env(v: Version, r: &RunVars, env: &mut Env) {
    env.push(("NEXTEST_RUN_ID".into(), r.run_id.into()));
    if v.env_run_mode() {
        env.push(("NEXTEST_RUN_MODE".into(), "test".into()));
    }
    if v.env_new_attempt() {
        env.push(("NEXTEST_BINARY_ID".into(), r.binary_id.into()));
        env.push(("NEXTEST_TEST_NAME".into(), r.test_name.into()));
        env.push(("NEXTEST_ATTEMPT".into(), r.attempt.to_string()));
        env.push(("NEXTEST_TOTAL_ATTEMPTS".into(), r.total_attempts.to_string()));
        env.push(("NEXTEST_ATTEMPT_ID".into(), r.attempt_id.into()));
        env.push(("NEXTEST_STRESS_CURRENT".into(), r.stress_current.map_or("none".into(), |c| c.to_string())));
        let total = match r.stress_total {
            None => "none".to_string(),
            Some(None) => "unknown".to_string(),
            Some(Some(n)) => n.to_string(),
        };
        env.push(("NEXTEST_STRESS_TOTAL".into(), total));
    } else {
        env.push(("__NEXTEST_ATTEMPT".into(), r.attempt.to_string()));
    }
    if v.env_slots() {
        env.push(("NEXTEST_TEST_GLOBAL_SLOT".into(), r.global_slot.to_string()));
        env.push(("NEXTEST_TEST_GROUP".into(), r.group.unwrap_or("@global").into()));
        env.push(("NEXTEST_TEST_GROUP_SLOT".into(), r.group_slot.map_or("none".into(), |s| s.to_string())));
    }
    if v.env_threads_root_version() {
        env.push(("NEXTEST_TEST_THREADS".into(), r.test_threads.to_string()));
        env.push(("NEXTEST_WORKSPACE_ROOT".into(), r.root.into()));
        version_env(v, env);
    }
}

/// Setup-script environment (scripts/imp.rs `SetupScriptCommand::new` + executor.rs).
pub fn script_env(v: Version, profile: &str, env_file: &str, dylib_path: &str, run_id: &str, threads: usize, root: &str, script_env: &[(String, String)]) -> Env {
    let mut env = Env::new();
    env.extend(script_env.iter().cloned());
    env.push(("NEXTEST".into(), "1".into()));
    if v.env_profile() {
        env.push(("NEXTEST_PROFILE".into(), profile.into()));
    }
    env.push(("NEXTEST_ENV".into(), env_file.into()));
    ld_dyld_env(&mut env, dylib_path);
    env.push(("NEXTEST_RUN_ID".into(), run_id.into()));
    if v.env_run_mode() {
        env.push(("NEXTEST_RUN_MODE".into(), "test".into()));
    }
    if v.env_threads_root_version() {
        env.push(("NEXTEST_TEST_THREADS".into(), threads.to_string()));
        env.push(("NEXTEST_WORKSPACE_ROOT".into(), root.into()));
        version_env(v, &mut env);
    }
    env
}

/// attempt_id per list/test_list.rs `attempt_id`.
pub fn attempt_id(run_id: &str, binary_id: &str, stress: Option<u32>, test: &str, attempt: u32) -> String {
    let mut s = format!("{run_id}:{binary_id}");
    if let Some(i) = stress {
        s.push_str(&format!("@stress-{i}"));
    }
    s.push('$');
    s.push_str(test);
    if attempt > 1 {
        s.push_str(&format!("#{attempt}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::{Binary, Package};
    use crate::version::Version;

    fn keys(v: u32) -> (Vec<String>, Vec<String>) {
        let v = Version { minor: 9, patch: v };
        let b = Binary {
            binary_id: "p::t".into(),
            binary_name: "t".into(),
            kind: "test".into(),
            path: "/x/t".into(),
            package: Package { name: "p".into(), version: "1.0.0".into(), dir: "/ws/p".into(), ..Default::default() },
            out_dir: None,
            build_env: Vec::new(),
            non_test_bins: Default::default(),
        };
        let mut run = command_env(v, Phase::Run, &b, "default", "/lib");
        let r = RunVars {
            run_id: "u",
            binary_id: "p::t",
            test_name: "a",
            attempt: 1,
            total_attempts: 1,
            attempt_id: "u:p::t$a",
            stress_current: None,
            stress_total: None,
            global_slot: 0,
            group: None,
            group_slot: None,
            test_threads: 2,
            root: "/ws",
        };
        run_env(v, &r, &mut run);
        let mut list = command_env(v, Phase::List, &b, "default", "/lib");
        list_env(v, &b, "u", "/ws", &mut list);
        let f = |e: Env| e.into_iter().map(|(k, _)| k).filter(|k| k.starts_with("NEXTEST") || k.starts_with("__NEXTEST")).collect();
        (f(run), f(list))
    }

    #[test]
    fn attempt_variable_switches_at_0_9_116() {
        let (run, _) = keys(115);
        assert!(run.contains(&"__NEXTEST_ATTEMPT".to_string()) && !run.contains(&"NEXTEST_ATTEMPT".to_string()));
        let (run, _) = keys(116);
        assert!(!run.contains(&"__NEXTEST_ATTEMPT".to_string()) && run.contains(&"NEXTEST_ATTEMPT_ID".to_string()));
    }

    #[test]
    fn list_run_id_from_0_9_138() {
        assert!(!keys(137).1.contains(&"NEXTEST_RUN_ID".to_string()));
        assert!(keys(138).1.contains(&"NEXTEST_RUN_ID".to_string()));
        assert!(keys(138).1.contains(&"NEXTEST_VERSION".to_string()));
    }

    #[test]
    fn slot_and_phase_boundaries() {
        assert!(!keys(89).0.contains(&"NEXTEST_TEST_GLOBAL_SLOT".to_string()));
        assert!(keys(90).0.contains(&"NEXTEST_TEST_GROUP_SLOT".to_string()));
        assert!(!keys(97).1.contains(&"NEXTEST_TEST_PHASE".to_string()));
        assert!(keys(98).1.contains(&"NEXTEST_TEST_PHASE".to_string()));
        assert!(!keys(88).0.contains(&"NEXTEST_PROFILE".to_string()));
        assert!(keys(129).0.iter().all(|k| k != "NEXTEST_TEST_THREADS"));
        assert!(keys(130).0.contains(&"NEXTEST_TEST_THREADS".to_string()));
    }

    #[test]
    fn attempt_ids() {
        assert_eq!(attempt_id("u", "p::t", None, "a", 1), "u:p::t$a");
        assert_eq!(attempt_id("u", "p::t", Some(3), "a", 2), "u:p::t@stress-3$a#2");
    }
}
