//! Finding test binaries like nextest: `cargo metadata` + `cargo test --no-run
//! --message-format json-render-diagnostics`, binary ids per nextest-metadata's test_list.rs.

use crate::json::{self, Json};
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};

#[derive(Clone, Debug, Default)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub authors: Vec<String>,
    pub description: String,
    pub homepage: String,
    pub license: String,
    pub license_file: String,
    pub repository: String,
    pub rust_version: String,
    pub dir: String,
}

#[derive(Clone, Debug)]
pub struct Binary {
    pub binary_id: String,
    pub binary_name: String,
    pub kind: String,
    pub path: String,
    pub package: Package,
    pub out_dir: Option<String>,
    pub build_env: Vec<(String, String)>,
    pub non_test_bins: BTreeSet<(String, String)>,
}

pub struct Workspace {
    pub root: String,
    pub binaries: Vec<Binary>,
    pub dylib_path: String,
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}

/// nextest's canonical order of binary ids (`RustBinaryIdComponents`, `nextest-metadata/src/
/// test_list.rs` at cargo-nextest-0.9.143): by package, then no suffix < `name` < `kind/name`,
/// then by kind and name — so `pkg::measure` sorts before `pkg::bin/tool`, unlike the plain
/// string order (protocol check, libtest-json skip order).
pub fn binary_id_order(id: &str) -> (&str, u8, &str, &str) {
    match id.split_once("::") {
        None => (id, 0, "", ""),
        Some((pkg, rest)) => match rest.split_once('/') {
            None => (pkg, 1, rest, ""),
            Some((kind, name)) => (pkg, 2, kind, name),
        },
    }
}

pub fn binary_id(package: &str, kind: &str, name: &str) -> String {
    match kind {
        "lib" | "proc-macro" => package.to_string(),
        "test" => format!("{package}::{name}"),
        _ => format!("{package}::{kind}/{name}"),
    }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn rustc() -> String {
    std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into())
}

/// A command built like duct's `cmd` (nextest runs cargo and rustc through duct:
/// `cargo-nextest/src/cargo_cli.rs` `to_expression`, `nextest-runner/src/rustc_cli.rs` at
/// cargo-nextest-0.9.143): duct hands the child its whole environment explicitly (env_clear +
/// every variable), so std sees `PATH` set and, for a bare program name such as `rustc` or
/// `cargo` (no `CARGO`), takes its fork + execvp path instead of posix_spawnp; the protocol check
/// sees exactly that on real nextest.
fn duct_command(program: &str) -> Command {
    let mut c = Command::new(program);
    c.env_clear();
    c.envs(std::env::vars_os());
    c
}

/// The host triple from `rustc --version --verbose` (nextest's `RustcCli::version_verbose`,
/// run before `cargo metadata`, whose `--filter-platform` it feeds).
fn host_triple() -> String {
    let out = duct_command(&rustc()).args(["--version", "--verbose"]).stderr(Stdio::piped()).output();
    if let Ok(o) = out {
        for l in String::from_utf8_lossy(&o.stdout).lines() {
            if let Some(h) = l.strip_prefix("host: ") {
                return h.trim().to_string();
            }
        }
    }
    "x86_64-unknown-linux-gnu".into()
}

/// `rustc --print target-libdir` (nextest's `RustcCli::print_target_libdir`), run first.
fn target_libdir() -> Option<String> {
    let out = duct_command(&rustc()).args(["--print", "target-libdir"]).stderr(Stdio::piped()).output().ok()?;
    let s = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !s.is_empty()).then_some(s)
}

fn opt_str(p: &Json, k: &str) -> String {
    p.str_at(k).unwrap_or("").to_string()
}

fn run_capture(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.stderr(Stdio::inherit()).output().map_err(|e| format!("spawning {cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{cmd:?} failed with {}", out.status));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}

/// `cargo --color=<c> <command> [--manifest-path M]` as nextest's `CargoCli::to_expression`.
fn cargo_command(color: &str, command: &str, manifest_path: Option<&str>) -> Command {
    let mut c = duct_command(&cargo());
    c.arg(format!("--color={color}")).arg(command);
    if let Some(m) = manifest_path {
        c.args(["--manifest-path", m]);
    }
    c
}

/// The commands and their order are real nextest's (protocol check): `rustc --print
/// target-libdir`, `rustc --version --verbose`, `cargo metadata --format-version=1 --all-features
/// --filter-platform <host>` (`cargo-nextest/src/dispatch/helpers.rs`), then — after
/// `after_metadata` (the config is read between the two, `dispatch/core/base.rs`) — `cargo test
/// --no-run --message-format json-render-diagnostics <cargo args>`.
pub fn discover(dir: &str, manifest_path: Option<&str>, cargo_args: &[String], no_build: bool, version: crate::version::Version, color: &str, after_metadata: &mut dyn FnMut(&str)) -> Result<Workspace, String> {
    let libdir = if version.rust_libdir_in_path() { target_libdir() } else { None };
    let host = host_triple();
    let mut meta_cmd = cargo_command(color, "metadata", manifest_path);
    meta_cmd.args(["--format-version=1", "--all-features", "--filter-platform", &host]).current_dir(dir);
    let meta = json::parse(run_capture(&mut meta_cmd)?.trim())?;
    let root = meta.str_at("workspace_root").ok_or("no workspace_root")?.to_string();
    after_metadata(&root);
    let target_dir = meta.str_at("target_directory").ok_or("no target_directory")?.to_string();
    let mut packages: BTreeMap<String, Package> = BTreeMap::new();
    for p in meta.get("packages").map(|p| p.as_arr()).unwrap_or(&[]) {
        let manifest = opt_str(p, "manifest_path");
        let dir = manifest.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default();
        packages.insert(
            opt_str(p, "id"),
            Package {
                name: opt_str(p, "name"),
                version: opt_str(p, "version"),
                authors: p.get("authors").map(|a| a.as_arr().iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default(),
                description: opt_str(p, "description"),
                homepage: opt_str(p, "homepage"),
                license: opt_str(p, "license"),
                license_file: opt_str(p, "license_file"),
                repository: opt_str(p, "repository"),
                rust_version: opt_str(p, "rust_version"),
                dir,
            },
        );
    }
    // The cache is keyed by the invocation (cwd + manifest path): cargo builds a different set
    // of packages from a member directory.
    let key = fnv1a(&format!("{dir}\0{}\0{}", manifest_path.unwrap_or(""), cargo_args.join("\0")));
    let cache = format!("{target_dir}/nextest-sim-build-{key:016x}.jsonl");
    let messages = if no_build {
        std::fs::read_to_string(&cache).map_err(|e| format!("--no-build: cannot read {cache}: {e}"))?
    } else {
        let mut build = cargo_command(color, "test", manifest_path);
        build.args(["--no-run", "--message-format", "json-render-diagnostics"]).args(cargo_args).current_dir(dir);
        let out = run_capture(&mut build)?;
        let _ = std::fs::write(&cache, &out);
        out
    };
    let mut binaries = Vec::new();
    let mut out_dirs: BTreeMap<String, (String, Vec<(String, String)>)> = BTreeMap::new();
    let mut non_test: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    let mut linked: Vec<String> = Vec::new();
    for line in messages.lines().filter(|l| l.starts_with('{')) {
        let m = json::parse(line)?;
        let pkg_id = opt_str(&m, "package_id");
        match m.str_at("reason") {
            Some("build-script-executed") => {
                let env = m
                    .get("env")
                    .map(|e| {
                        e.as_arr()
                            .iter()
                            .filter_map(|kv| Some((kv.as_arr().first()?.as_str()?.to_string(), kv.as_arr().get(1)?.as_str()?.to_string())))
                            .collect()
                    })
                    .unwrap_or_default();
                out_dirs.insert(pkg_id.clone(), (opt_str(&m, "out_dir"), env));
                for l in m.get("linked_paths").map(|l| l.as_arr()).unwrap_or(&[]) {
                    if let Some(s) = l.as_str() {
                        let p = s.split_once('=').map(|(_, p)| p).unwrap_or(s).to_string();
                        if !linked.contains(&p) {
                            linked.push(p);
                        }
                    }
                }
            }
            Some("compiler-artifact") => {
                let target = m.get("target").ok_or("artifact without target")?;
                let kind = target.get("kind").and_then(|k| k.as_arr().first()).and_then(|k| k.as_str()).unwrap_or("").to_string();
                let name = opt_str(target, "name");
                let is_test = m.get("profile").and_then(|p| p.get("test")).and_then(|t| t.as_bool()).unwrap_or(false);
                let Some(exe) = m.str_at("executable").map(String::from) else { continue };
                if !is_test {
                    if kind == "bin" {
                        non_test.entry(pkg_id).or_default().insert((name, exe));
                    }
                    continue;
                }
                let package = packages.get(&pkg_id).cloned().ok_or_else(|| format!("unknown package {pkg_id}"))?;
                let kind = match kind.as_str() {
                    "lib" | "rlib" | "dylib" | "cdylib" | "staticlib" => "lib".to_string(),
                    k => k.to_string(),
                };
                binaries.push((pkg_id, Binary {
                    binary_id: binary_id(&package.name, &kind, &name),
                    binary_name: name,
                    kind,
                    path: exe,
                    package,
                    out_dir: None,
                    build_env: Vec::new(),
                    non_test_bins: BTreeSet::new(),
                }));
            }
            _ => {}
        }
    }
    let binaries: Vec<Binary> = binaries
        .into_iter()
        .map(|(pkg_id, mut b)| {
            if let Some((o, env)) = out_dirs.get(&pkg_id) {
                b.out_dir = Some(o.clone());
                b.build_env = env.clone();
            }
            if b.kind == "test" || b.kind == "bench" {
                b.non_test_bins = non_test.get(&pkg_id).cloned().unwrap_or_default();
            }
            b
        })
        .collect();
    let mut sorted = binaries;
    sorted.sort_by(|a, b| binary_id_order(&a.binary_id).cmp(&binary_id_order(&b.binary_id)));
    sorted.dedup_by(|a, b| a.binary_id == b.binary_id);
    let dylib_path = dylib_path(&target_dir, &linked, version, libdir);
    Ok(Workspace { root, binaries: sorted, dylib_path })
}

/// nextest's LD_LIBRARY_PATH: linked paths, the artifact dir and deps dir, rust libdirs, then the
/// inherited value (rust_build_meta.rs `dylib_paths` + test_list.rs `create_dylib_path`).
fn dylib_path(target_dir: &str, linked: &[String], version: crate::version::Version, libdir: Option<String>) -> String {
    let mut parts: Vec<String> = linked.iter().filter(|p| std::path::Path::new(p).exists()).cloned().collect();
    let artifact = format!("{target_dir}/debug");
    let deps = format!("{target_dir}/debug/deps");
    if version.artifact_dir_first() {
        parts.push(artifact);
        parts.push(deps);
    } else {
        parts.push(deps);
        parts.push(artifact);
    }
    if version.rust_libdir_in_path() {
        parts.extend(libdir);
    }
    if let Some(old) = std::env::var_os("LD_LIBRARY_PATH") {
        for p in std::env::split_paths(&old) {
            parts.push(p.to_string_lossy().into_owned());
        }
    }
    let mut seen = BTreeSet::new();
    parts.retain(|p| seen.insert(p.clone()));
    parts.join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_ids_like_nextest_metadata() {
        assert_eq!(binary_id("fx-basic", "lib", "fx_basic"), "fx-basic");
        assert_eq!(binary_id("fx-macro", "proc-macro", "fx_macro"), "fx-macro");
        assert_eq!(binary_id("fx-basic", "test", "outcomes"), "fx-basic::outcomes");
        assert_eq!(binary_id("fx-basic", "bin", "fx-tool"), "fx-basic::bin/fx-tool");
        assert_eq!(binary_id("fx-basic", "bench", "fx-bench"), "fx-basic::bench/fx-bench");
    }

    #[test]
    fn binary_ids_in_nextest_component_order() {
        let mut ids = vec!["fx-basic::bin/fx-tool", "fx-hostile::names", "fx-basic::timing", "fx-basic", "fx-basic::bench/fx-bench", "fx-basic::measure"];
        ids.sort_by(|a, b| binary_id_order(a).cmp(&binary_id_order(b)));
        assert_eq!(ids, ["fx-basic", "fx-basic::measure", "fx-basic::timing", "fx-basic::bench/fx-bench", "fx-basic::bin/fx-tool", "fx-hostile::names"]);
    }
}
