//! Exit codes (nextest-metadata/src/exit_codes.rs), status strings (displayer `status_str` /
//! `short_status_str`) and cancel-reason wording.

use crate::attempt::{Kind, Outcome};
use crate::config::TestSettings;
use crate::human::Style;

pub const EXIT_OK: i32 = 0;
pub const EXIT_NO_TESTS_RUN: i32 = 4;
pub const EXIT_TEST_RUN_FAILED: i32 = 100;
pub const EXIT_BUILD_FAILED: i32 = 101;
pub const EXIT_TEST_LIST_CREATION_FAILED: i32 = 104;
pub const EXIT_SETUP_SCRIPT_FAILED: i32 = 105;
pub const EXIT_SETUP_ERROR: i32 = 96;
pub const EXIT_EXPERIMENTAL_FEATURE_NOT_ENABLED: i32 = 95;

pub fn signal_name(sig: i32) -> Option<&'static str> {
    Some(match sig {
        1 => "HUP",
        2 => "INT",
        3 => "QUIT",
        4 => "ILL",
        5 => "TRAP",
        6 => "ABRT",
        7 => "BUS",
        8 => "FPE",
        9 => "KILL",
        10 => "USR1",
        11 => "SEGV",
        12 => "USR2",
        13 => "PIPE",
        14 => "ALRM",
        15 => "TERM",
        _ => return None,
    })
}

/// status_str / short_status_str for a signal death.
pub fn signal_label(sig: i32, short: bool) -> &'static str {
    let s = match (signal_name(sig), short) {
        (Some(n), false) => format!("SIG{n}"),
        (Some(n), true) => n.to_string(),
        (None, false) => format!("ABORT SIG {sig}"),
        (None, true) => format!("SIG {sig}"),
    };
    Box::leak(s.into_boxed_str())
}

pub fn status_for(o: &Outcome, s: &TestSettings, short: bool) -> (String, Style) {
    match o.kind {
        Kind::Pass => ("PASS".into(), Style::Pass),
        Kind::Leak => {
            if s.leak.fail {
                ((if short { "LKFAIL" } else { "LEAK-FAIL" }).into(), Style::Fail)
            } else {
                ("LEAK".into(), Style::Skip)
            }
        }
        Kind::Timeout => {
            if s.slow.on_timeout_pass {
                ((if short { "TMPASS" } else { "TIMEOUT-PASS" }).into(), Style::Skip)
            } else {
                ((if short { "TMT" } else { "TIMEOUT" }).into(), Style::Fail)
            }
        }
        Kind::ExecFail => ("XFAIL".into(), Style::Fail),
        Kind::Fail => {
            if let Some(sig) = o.signal {
                (signal_label(sig, short).into(), Style::Fail)
            } else if o.leaked {
                ((if short { "FL+LK" } else { "FAIL + LEAK" }).into(), Style::Fail)
            } else {
                ("FAIL".into(), Style::Fail)
            }
        }
    }
}

/// CancelReason::to_static_str for a shutdown signal (SIGINT → interrupt, others → signal).
pub fn signal_reason(sig: i32) -> &'static str {
    if sig == crate::sys::SIGINT {
        "interrupt"
    } else {
        "signal"
    }
}

/// show_finished_status_info_line + write_info_execution_result: the `    (test …)` line shown
/// after a displayed output block, or None.
pub fn info_line(h: &crate::human::Human, unit: &str, o: &Outcome, s: &TestSettings) -> Option<String> {
    let fail = |t: &str| h.st(Style::Fail, t);
    let text = match o.kind {
        Kind::Pass | Kind::ExecFail => return None,
        Kind::Leak if s.leak.fail => format!("{}: exited with code 0, but leaked handles", fail("failed")),
        Kind::Leak => h.st(Style::Skip, "passed with leaked handles"),
        Kind::Timeout if s.slow.on_timeout_pass => h.st(Style::Skip, "passed with timeout"),
        Kind::Timeout => fail("timed out"),
        Kind::Fail => match (o.signal, o.exit_code) {
            (Some(sig), _) => {
                let mut t = format!("{} with signal {}", fail("aborted"), h.st(Style::Count, &sig.to_string()));
                if let Some(n) = signal_name(sig) {
                    t.push_str(&format!(": SIG{n}"));
                }
                if o.leaked {
                    t.push_str(" (leaked handles)");
                }
                t
            }
            (None, Some(code)) if code != 101 && !o.leaked => format!("{} with exit code {}", fail("failed"), h.st(Style::Count, &code.to_string())),
            _ => return None,
        },
    };
    Some(format!("    ({unit} {text})\n\n"))
}
