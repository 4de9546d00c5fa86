//! The emulated nextest version and the behaviour switches that depend on it
//! (see docs/compatibility.md for the table and its sources).
//!
//! The version lives in the binary the way cargo-nextest's does: as a literal
//! in .rodata (nextest's is clap's `env!("CARGO_PKG_VERSION")`). One build
//! emulates 0.9.143; `nextest-sim emulate VER DEST` writes a copy of itself
//! whose literal says VER. Nothing on the command line or in the environment
//! names the version, so a preloaded library can learn it only the ways it
//! can learn a real runner's (its children's NEXTEST_* variables, the binary's
//! literal, the behaviour). The binary holds no other `0.9.N` text.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub minor: u32,
    pub patch: u32,
}

pub const CURRENT: Version = Version { minor: 9, patch: 143 };

/// Where the emulated version is written: a fixed prefix, the version, NULs.
const SLOT_PREFIX: &[u8] = b"nextest-sim emulates cargo-nextest ";
const SLOT_LEN: usize = 48;

#[used]
static SLOT: [u8; SLOT_LEN] = *b"nextest-sim emulates cargo-nextest 0.9.143\0\0\0\0\0\0";

fn slot_version(bytes: &[u8]) -> Option<Version> {
    let rest = bytes.strip_prefix(SLOT_PREFIX)?;
    let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    Version::parse(std::str::from_utf8(&rest[..end]).ok()?).ok()
}

/// The version this binary emulates (read at run time, so a patched copy
/// behaves as the version its literal names).
pub fn embedded() -> Version {
    // SAFETY: SLOT is a valid, initialised static; the volatile read keeps the
    // compiler from folding its build-time value into the code.
    let bytes = unsafe { std::ptr::read_volatile(&SLOT) };
    slot_version(&bytes).unwrap_or(CURRENT)
}

/// `nextest-sim emulate VER DEST`: a copy of this executable emulating VER.
pub fn write_copy(ver: &str, dest: &str) -> Result<(), String> {
    let v = Version::parse(ver)?;
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let mut data = std::fs::read(&exe).map_err(|e| format!("{}: {e}", exe.display()))?;
    let cur = unsafe { std::ptr::read_volatile(&SLOT) };
    let hits: Vec<usize> = data.windows(SLOT_LEN).enumerate()
        .filter(|(_, w)| *w == &cur[..]).map(|(i, _)| i).take(2).collect();
    if hits.len() != 1 {
        return Err(format!("{}: version slot found {} times", exe.display(), hits.len()));
    }
    let mut slot = [0u8; SLOT_LEN];
    let text = v.text();
    slot[..SLOT_PREFIX.len()].copy_from_slice(SLOT_PREFIX);
    slot[SLOT_PREFIX.len()..SLOT_PREFIX.len() + text.len()].copy_from_slice(text.as_bytes());
    data[hits[0]..hits[0] + SLOT_LEN].copy_from_slice(&slot);
    let tmp = format!("{dest}.tmp{}", std::process::id());
    std::fs::write(&tmp, &data).map_err(|e| format!("{tmp}: {e}"))?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).map_err(|e| format!("{tmp}: {e}"))?;
    std::fs::rename(&tmp, dest).map_err(|e| format!("{dest}: {e}"))
}

impl Version {
    pub fn parse(s: &str) -> Result<Version, String> {
        let s = s.trim_start_matches('v');
        let parts: Vec<&str> = s.split('.').collect();
        if parts.len() != 3 || parts[0] != "0" || parts[1] != "9" {
            return Err(format!("unsupported version {s:?} (only 0.9.x)"));
        }
        let patch: u32 = parts[2].parse().map_err(|_| format!("bad version {s:?}"))?;
        if !(48..=143).contains(&patch) {
            // no version literal other than SLOT's in the binary (see the top)
            let (lo, hi) = (Version { minor: 9, patch: 48 }, CURRENT);
            return Err(format!("version {s} outside the emulated range {}..={}", lo.text(), hi.text()));
        }
        Ok(Version { minor: 9, patch })
    }
    pub fn text(&self) -> String {
        format!("0.{}.{}", self.minor, self.patch)
    }
    fn at_least(&self, p: u32) -> bool {
        self.patch >= p
    }
    // Environment (nextest-version-history.md §1).
    pub fn env_profile(&self) -> bool { self.at_least(89) }
    pub fn env_test_phase(&self) -> bool { self.at_least(98) }
    pub fn env_slots(&self) -> bool { self.at_least(90) }
    pub fn env_new_attempt(&self) -> bool { self.at_least(116) }
    pub fn env_run_mode(&self) -> bool { self.at_least(117) }
    pub fn env_threads_root_version(&self) -> bool { self.at_least(130) }
    pub fn env_cargo_bin_exe(&self) -> bool { self.at_least(130) }
    pub fn env_bin_exe_underscore(&self) -> bool { self.at_least(113) }
    pub fn env_out_dir(&self) -> bool { self.at_least(66) }
    pub fn env_build_script_vars(&self) -> bool { self.at_least(82) }
    pub fn env_orig_manifest_dir(&self) -> bool { !self.at_least(86) }
    pub fn list_run_id(&self) -> bool { self.at_least(138) }
    /// A bad NEXTEST_ENV file fails the script (exec-fail) from 0.9.129 (#3094, 3e20bef7);
    /// before, nextest logged the parse error, exported nothing and the script passed
    /// (real 0.9.106: `SETUP PASS`, exit 0).
    pub fn script_env_file_error_fails(&self) -> bool { self.at_least(129) }
    /// Env-file keys must be `[A-Za-z_][A-Za-z0-9_]*` from 0.9.131 (validate_env_var_key);
    /// a `NEXTEST*` key is refused at every version that has setup scripts.
    pub fn script_env_key_chars(&self) -> bool { self.at_least(131) }
    pub fn script_command_env(&self) -> bool { self.at_least(131) }
    pub fn artifact_dir_first(&self) -> bool { self.at_least(143) }
    pub fn rust_libdir_in_path(&self) -> bool { self.at_least(72) }
    // Spawning and capture.
    pub fn combined_capture(&self) -> bool { self.at_least(67) }
    pub fn list_stdin_null(&self) -> bool { !self.at_least(67) }
    pub fn pidfd_reaper(&self) -> bool { self.at_least(68) }
    pub fn default_leak_ms(&self) -> u64 { if self.at_least(107) { 200 } else { 100 } }
    pub fn signal_grace_configurable(&self) -> bool { self.at_least(61) }
    // Features.
    pub fn libtest_json(&self) -> bool { self.at_least(66) }
    pub fn plus_streaming(&self) -> bool { self.at_least(103) }
    pub fn stress(&self) -> bool { self.at_least(103) }
    pub fn setup_scripts(&self) -> bool { self.at_least(59) }
    pub fn leak_result_fail(&self) -> bool { self.at_least(95) }
    pub fn on_timeout_pass(&self) -> bool { self.at_least(115) }
    // Human output (nextest-version-history.md §5).
    pub fn plural_words(&self) -> bool { self.at_least(54) }
    pub fn run_id_in_starting(&self) -> bool { self.at_least(68) && !self.at_least(75) }
    pub fn run_id_line(&self) -> bool { self.at_least(75) }
    pub fn pad_binary_id(&self) -> bool { !self.at_least(86) }
    pub fn unicode_rule(&self) -> bool { self.at_least(86) }
    pub fn setup_done_duration(&self) -> bool { self.at_least(86) }
    pub fn counter(&self) -> bool { self.at_least(107) }
    pub fn counter_placeholder(&self) -> bool { self.at_least(109) }
    pub fn retry_line(&self) -> bool { !self.at_least(116) }
    pub fn try_slow_on_first(&self) -> bool { !self.at_least(131) }
    pub fn new_skip_wording(&self) -> bool { self.at_least(75) }
    pub fn cancelling_spelling(&self) -> bool { self.at_least(84) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        let v = |p| Version { minor: 9, patch: p };
        assert!(!v(115).env_new_attempt() && v(116).env_new_attempt());
        assert!(!v(137).list_run_id() && v(138).list_run_id());
        assert!(!v(66).combined_capture() && v(67).combined_capture());
        assert_eq!(v(106).default_leak_ms(), 100);
        assert_eq!(v(107).default_leak_ms(), 200);
        assert_eq!(v(108).default_leak_ms(), 200);
        assert!(!v(67).pidfd_reaper() && v(68).pidfd_reaper());
        assert!(!v(102).plus_streaming() && v(103).plus_streaming());
        assert!(Version::parse("0.9.47").is_err());
        assert_eq!(embedded(), CURRENT);
        let mut slot = [0u8; SLOT_LEN];
        slot[..SLOT_PREFIX.len()].copy_from_slice(SLOT_PREFIX);
        slot[SLOT_PREFIX.len()..SLOT_PREFIX.len() + 6].copy_from_slice(b"0.9.90");
        assert_eq!(slot_version(&slot), Some(v(90)));
        assert_eq!(Version::parse("0.9.90").unwrap().text(), "0.9.90");
    }
}
