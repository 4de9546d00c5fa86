//! nextest's human reporter on stderr (reporter/displayer/imp.rs, helpers.rs, formatters.rs),
//! per emulated version, with owo-colors styling when colour is on. One write() per event.

use crate::version::Version;
use std::io::Write;
use std::time::Duration;

#[derive(Clone, Copy)]
pub enum Style {
    Count,
    Pass,
    Retry,
    Fail,
    Skip,
    ScriptId,
    BinaryId,
    TestName,
    ModulePath,
}

fn ansi(s: Style) -> &'static str {
    match s {
        Style::Count => "\x1b[1m",
        Style::Pass => "\x1b[32;1m",
        Style::Retry => "\x1b[35;1m",
        Style::Fail => "\x1b[31;1m",
        Style::Skip => "\x1b[33;1m",
        Style::ScriptId => "\x1b[34;1m",
        Style::BinaryId => "\x1b[35;1m",
        Style::TestName => "\x1b[34;1m",
        Style::ModulePath => "\x1b[36m",
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    None,
    Fail,
    Retry,
    Slow,
    Leak,
    Pass,
    Skip,
    All,
}

pub fn parse_status_level(s: &str) -> Level {
    match s {
        "none" => Level::None,
        "fail" => Level::Fail,
        "retry" => Level::Retry,
        "slow" => Level::Slow,
        "leak" => Level::Leak,
        "skip" => Level::Skip,
        "all" => Level::All,
        _ => Level::Pass,
    }
}

/// Final status levels: none < fail < flaky < slow < skip < pass < all.
pub fn parse_final_level(s: &str) -> u8 {
    match s {
        "none" => 0,
        "fail" => 1,
        "slow" => 3,
        "skip" => 4,
        "pass" => 5,
        "all" => 6,
        _ => 2,
    }
}

pub struct Human {
    pub v: Version,
    pub color: bool,
    pub counter: bool,
    pub status_level: Level,
    pub final_level: u8,
    pub no_capture: bool,
    pub total: usize,
    pub pad_width: usize,
}

/// What a status line needs to know about the final (or intermediate) attempt.
#[derive(Clone)]
pub struct Line<'a> {
    pub binary_id: &'a str,
    pub test_name: &'a str,
    pub stress: Option<(u32, Option<u32>)>,
}

impl Human {
    pub fn st(&self, s: Style, text: &str) -> String {
        if self.color {
            format!("{}{}\x1b[0m", ansi(s), text)
        } else {
            text.to_string()
        }
    }
    /// `{:>12}` applied inside the style, as owo-colors does.
    pub fn status(&self, s: Style, text: &str) -> String {
        self.st(s, &format!("{text:>12}"))
    }
    pub fn hbar(&self, n: usize) -> String {
        let c = if self.v.unicode_rule() { "─" } else { "-" };
        c.repeat(n)
    }
    fn counter_width(&self) -> usize {
        self.total.max(1).to_string().len()
    }
    fn stress_prefix(&self, stress: Option<(u32, Option<u32>)>) -> String {
        match stress {
            None => String::new(),
            Some((cur, Some(total))) => {
                let w = total.to_string().len();
                format!("[{}/{}] ", self.st(Style::Count, &format!("{:>w$}", cur + 1)), self.st(Style::Count, &total.to_string()))
            }
            Some((cur, None)) => format!("[{}] ", self.st(Style::Count, &(cur + 1).to_string())),
        }
    }
    /// DisplayTestInstance: `[stress] (n/N) binary_id module::name`.
    /// `counter` = Some(n) for a counter, None for the padded placeholder; `use_counter` = false for none.
    pub fn instance(&self, l: &Line, counter: Option<usize>, use_counter: bool) -> String {
        let mut s = self.stress_prefix(l.stress);
        if self.counter && self.v.counter() && use_counter {
            let w = self.counter_width();
            match counter {
                Some(n) => s.push_str(&format!("({:>w$}/{}) ", n, self.total)),
                None if self.v.counter_placeholder() => {
                    let c = if self.v.unicode_rule() { "─" } else { "-" };
                    s.push_str(&format!("({}) ", c.repeat(2 * w + 1)));
                }
                None => {}
            }
        }
        let bid = if self.v.pad_binary_id() { format!("{:>w$}", l.binary_id, w = self.pad_width) } else { l.binary_id.to_string() };
        s.push_str(&self.st(Style::BinaryId, &bid));
        s.push(' ');
        match l.test_name.rsplit_once("::") {
            Some((m, t)) => {
                s.push_str(&self.st(Style::ModulePath, m));
                s.push_str(&self.st(Style::ModulePath, "::"));
                s.push_str(&self.st(Style::TestName, t));
            }
            None => s.push_str(&self.st(Style::TestName, l.test_name)),
        }
        s
    }
    pub fn dur(d: Duration) -> String {
        format!("[{:>8.3}s] ", d.as_secs_f64())
    }
    pub fn slow_dur(d: Duration) -> String {
        format!("[>{:>7.3}s] ", d.as_secs_f64())
    }
    pub fn write(&self, s: &str) {
        if !s.is_empty() {
            let _ = std::io::stderr().lock().write_all(s.as_bytes());
        }
    }

    pub fn run_started(&self, run_id: &str, profile: &str, run_count: usize, binaries: usize, skipped: usize) -> String {
        let tests = if run_count == 1 && self.v.plural_words() { "test" } else { "tests" };
        let bins = if binaries == 1 && self.v.plural_words() { "binary" } else { "binaries" };
        let mut s = String::new();
        if self.v.run_id_line() {
            s.push_str(&format!("{}\n", self.hbar(12)));
            s.push_str(&format!("{} ID {} with nextest profile: {}\n", self.status(Style::Pass, "Nextest run"), self.st(Style::Count, run_id), self.st(Style::Count, profile)));
        }
        s.push_str(&format!(
            "{} {} {tests} across {} {bins}",
            self.status(Style::Pass, "Starting"),
            self.st(Style::Count, &run_count.to_string()),
            self.st(Style::Count, &binaries.to_string())
        ));
        if self.v.new_skip_wording() {
            if skipped > 0 {
                let t = if skipped == 1 { "test" } else { "tests" };
                s.push_str(&format!(" ({} {t} {})", self.st(Style::Count, &skipped.to_string()), self.st(Style::Skip, "skipped")));
            }
        } else if self.v.run_id_in_starting() {
            if skipped > 0 {
                s.push_str(&format!(" ({skipped} skipped; run ID: {run_id}, nextest profile: {profile})"));
            } else {
                s.push_str(&format!(" (run ID: {run_id}, nextest profile: {profile})"));
            }
        } else if skipped > 0 {
            s.push_str(&format!(" ({skipped} skipped)"));
        }
        s.push('\n');
        s
    }

    pub fn test_started(&self, l: &Line, finished: usize) -> String {
        if !self.no_capture {
            return String::new();
        }
        if self.v.retry_line() {
            format!("{}             {}\n", self.status(Style::Pass, "START"), self.instance(l, Some(finished + 1), true))
        } else {
            format!("{} [         ] {}\n", self.status(Style::Pass, "START"), self.instance(l, Some(finished + 1), true))
        }
    }

    pub fn test_slow(&self, l: &Line, attempt: u32, total_attempts: u32, elapsed: Duration, will_terminate: bool) -> String {
        if !will_terminate && self.status_level >= Level::Slow {
            let label = if (self.v.try_slow_on_first() && total_attempts > 1) || attempt > 1 { format!("TRY {attempt} SLOW") } else { "SLOW".to_string() };
            format!("{} {}{}\n", self.status(Style::Skip, &label), Self::slow_dur(elapsed), self.instance(l, None, true))
        } else if will_terminate {
            let last = attempt == total_attempts;
            let (req, style) = if last { (Level::Fail, Style::Fail) } else { (Level::Retry, Style::Retry) };
            if self.status_level < req {
                return String::new();
            }
            let label = if total_attempts > 1 && self.status_level > req { format!("TRY {attempt} TRMNTG") } else { "TERMINATING".to_string() };
            format!("{} {}{}\n", self.status(style, &label), Self::slow_dur(elapsed), self.instance(l, None, true))
        } else {
            String::new()
        }
    }

    pub fn retry_lines(&self, l: &Line, attempt: u32, total: u32, short: &str, took: Duration, output: &str) -> String {
        let mut s = String::new();
        if self.status_level >= Level::Retry {
            s.push_str(&format!("{} {}{}\n", self.status(Style::Retry, &format!("TRY {attempt} {short}")), Self::dur(took), self.instance(l, None, true)));
            s.push_str(output);
        }
        if self.v.retry_line() {
            s.push_str(&format!("{} [         ] {}\n", self.status(Style::Retry, &format!("RETRY {}/{}", attempt + 1, total)), self.instance(l, None, true)));
        } else if self.no_capture {
            s.push_str(&format!("{} [         ] {}\n", self.status(Style::Retry, &format!("TRY {} START", attempt + 1)), self.instance(l, None, true)));
        }
        s
    }

    pub fn setup_start(&self, index: usize, total: usize, stress: Option<(u32, Option<u32>)>, script_id: &str, cmd: &str) -> String {
        format!("{} [{:>9}] {}{}: {}\n", self.status(Style::Pass, "SETUP"), format!("{}/{}", index + 1, total), self.stress_prefix(stress), self.st(Style::ScriptId, script_id), cmd)
    }

    pub fn setup_slow(&self, stress: Option<(u32, Option<u32>)>, script_id: &str, cmd: &str, elapsed: Duration, will_terminate: bool) -> String {
        if !will_terminate && self.status_level >= Level::Slow {
            format!("{} {}{}{}: {}\n", self.status(Style::Skip, "SETUP SLOW"), Self::slow_dur(elapsed), self.stress_prefix(stress), self.st(Style::ScriptId, script_id), cmd)
        } else if will_terminate && self.status_level >= Level::Fail {
            format!("{} {}{}{}: {}\n", self.status(Style::Fail, "TERMINATING"), Self::slow_dur(elapsed), self.stress_prefix(stress), self.st(Style::ScriptId, script_id), cmd)
        } else {
            String::new()
        }
    }

    pub fn setup_done(&self, index: usize, total: usize, stress: Option<(u32, Option<u32>)>, script_id: &str, cmd: &str, label: &str, style: Style, took: Duration) -> String {
        let field = if self.v.setup_done_duration() { Self::dur(took) } else { format!("[{:>9}] ", format!("{}/{}", index + 1, total)) };
        format!("{} {}{}{}: {}\n", self.status(style, label), field, self.stress_prefix(stress), self.st(Style::ScriptId, script_id), cmd)
    }

    /// The captured-output block shown after a failing status line (unit_output.rs, indented form).
    pub fn output_block(&self, style: Style, split: Option<(&[u8], &[u8])>, combined: Option<&[u8]>) -> String {
        let mut s = String::new();
        let section = |s: &mut String, name: &str, data: &[u8]| {
            if data.is_empty() {
                return;
            }
            s.push_str(&format!("{} {} {}\n", self.st(style, " "), self.st(style, name), self.st(style, &self.hbar(3))));
            let text = String::from_utf8_lossy(data);
            // `write_test_single_output_with_description` (`nextest-runner/src/reporter/displayer/
            // unit_output.rs` at cargo-nextest-0.9.143): with colour the output is written as is
            // and a colour reset goes right before its final newline (the protocol check shows
            // `…exiting with code 3\e[0m`); without colour ANSI escapes are stripped. A newline
            // is always added at the end.
            let text = if self.color { text.into_owned() } else { strip_ansi(&text) };
            let body = text.strip_suffix('\n').unwrap_or(&text);
            let full = format!("{body}{}\n", if self.color { "\x1b[0m" } else { "" });
            // indent_write's IndentWriter: empty lines are not indented.
            for line in full.split_inclusive('\n') {
                if line != "\n" {
                    s.push_str("    ");
                }
                s.push_str(line);
            }
        };
        if let Some((o, e)) = split {
            section(&mut s, "stdout", o);
            section(&mut s, "stderr", e);
        }
        if let Some(c) = combined {
            section(&mut s, "output", c);
        }
        s.push('\n');
        s
    }

    pub fn cancelling(&self, reason: &str, running: usize) -> String {
        let word = if self.v.cancelling_spelling() { "Cancelling" } else { "Canceling" };
        let tests = if running == 1 { "test" } else { "tests" };
        let mut s = format!("{} due to {}: ", self.status(Style::Fail, word), self.st(Style::Fail, reason));
        if running > 0 {
            s.push_str(&format!("{} {tests} still running", self.st(Style::Count, &running.to_string())));
        }
        s.push('\n');
        s
    }
}

#[derive(Default, Clone, Debug)]
pub struct Stats {
    pub initial: usize,
    pub finished: usize,
    pub passed: usize,
    pub passed_slow: usize,
    pub flaky: usize,
    pub failed: usize,
    pub leaky: usize,
    pub leaky_failed: usize,
    pub exec_failed: usize,
    pub timed_out: usize,
    pub skipped: usize,
    pub scripts_failed: usize,
}

impl Stats {
    pub fn failed_count(&self) -> usize {
        self.failed + self.exec_failed + self.timed_out
    }
}

impl Human {
    pub fn summary(&self, st: &Stats, elapsed: Duration, failed_run: bool) -> String {
        let style = if failed_run || st.finished < st.initial {
            Style::Fail
        } else if st.finished == 0 {
            Style::Skip
        } else {
            Style::Pass
        };
        let mut s = format!("{}\n{} ", self.hbar(12), self.status(style, "Summary"));
        s.push_str(&format!("[{:>8.3}s] ", elapsed.as_secs_f64()));
        s.push_str(&self.st(Style::Count, &st.finished.to_string()));
        if st.finished != st.initial {
            s.push_str(&format!("/{}", self.st(Style::Count, &st.initial.to_string())));
        }
        let plural = !self.v.plural_words() || st.initial != 1 || st.finished != 1;
        s.push_str(if plural { " tests run: " } else { " test run: " });
        s.push_str(&self.summary_str(st));
        s
    }

    /// write_summary_str (displayer/progress.rs).
    pub fn summary_str(&self, st: &Stats) -> String {
        let mut s = format!("{} {}", self.st(Style::Count, &st.passed.to_string()), self.st(Style::Pass, "passed"));
        let mut extra = Vec::new();
        if st.passed_slow > 0 {
            extra.push(format!("{} {}", self.st(Style::Count, &st.passed_slow.to_string()), self.st(Style::Skip, "slow")));
        }
        if st.flaky > 0 {
            extra.push(format!("{} {}", self.st(Style::Count, &st.flaky.to_string()), self.st(Style::Skip, "flaky")));
        }
        if st.leaky > 0 {
            extra.push(format!("{} {}", self.st(Style::Count, &st.leaky.to_string()), self.st(Style::Skip, "leaky")));
        }
        if !extra.is_empty() {
            s.push_str(&format!(" ({})", extra.join(", ")));
        }
        s.push_str(", ");
        if st.failed > 0 {
            s.push_str(&format!("{} {}", self.st(Style::Count, &st.failed.to_string()), self.st(Style::Fail, "failed")));
            if st.leaky_failed > 0 && self.v.leak_result_fail() {
                s.push_str(&format!(" ({} due to being {})", self.st(Style::Count, &st.leaky_failed.to_string()), self.st(Style::Fail, "leaky")));
            }
            s.push_str(", ");
        }
        if st.exec_failed > 0 {
            s.push_str(&format!("{} {}, ", self.st(Style::Count, &st.exec_failed.to_string()), self.st(Style::Fail, "exec failed")));
        }
        if st.timed_out > 0 {
            s.push_str(&format!("{} {}, ", self.st(Style::Count, &st.timed_out.to_string()), self.st(Style::Fail, "timed out")));
        }
        s.push_str(&format!("{} {}\n", self.st(Style::Count, &st.skipped.to_string()), self.st(Style::Skip, "skipped")));
        s
    }

    /// StressSubRunStarted: rule + `Stress test iteration i/n (hh:mm:ss elapsed so far, k iterations remaining)`.
    pub fn stress_started(&self, completed: u32, count: Option<u32>, duration: Option<Duration>, elapsed: Duration) -> String {
        let mut s = format!("{}\n{} ", self.hbar(12), self.status(Style::Pass, "Stress test"));
        let c = |t: &str| self.st(Style::Count, t);
        match (count, duration) {
            (Some(n), _) => {
                s.push_str(&format!("iteration {}/{} ({} elapsed so far", c(&(completed + 1).to_string()), c(&n.to_string()), c(&hhmmss(elapsed, false))));
                let rem = n.saturating_sub(completed);
                if rem > 0 {
                    s.push_str(&format!(", {} {} remaining", c(&rem.to_string()), if rem == 1 { "iteration" } else { "iterations" }));
                }
            }
            (None, Some(total)) => {
                s.push_str(&format!("iteration {} ({}/{} elapsed so far", c(&(completed + 1).to_string()), c(&hhmmss(elapsed, false)), c(&hhmmss(total, false))));
                if let Some(rem) = total.checked_sub(elapsed) {
                    s.push_str(&format!(", {} remaining", c(&hhmmss(rem, true))));
                }
            }
            (None, None) => s.push_str(&format!("iteration {} ({} elapsed so far", c(&(completed + 1).to_string()), c(&hhmmss(elapsed, false)))),
        }
        s.push_str(")\n");
        s
    }

    /// StressSubRunFinished: `Stress test [d] iteration c/n: X tests run: …`.
    pub fn stress_finished(&self, completed: u32, count: Option<u32>, took: Duration, st: &Stats) -> String {
        let style = if st.failed_count() > 0 || st.finished < st.initial { Style::Fail } else if st.finished == 0 { Style::Skip } else { Style::Pass };
        let mut s = format!("{} {}", self.status(style, "Stress test"), Self::dur(took));
        match count {
            Some(n) => s.push_str(&format!("iteration {}/{}: ", self.st(Style::Count, &completed.to_string()), self.st(Style::Count, &n.to_string()))),
            None => s.push_str(&format!("iteration {}: ", self.st(Style::Count, &completed.to_string()))),
        }
        s.push_str(&self.st(Style::Count, &st.finished.to_string()));
        if st.finished != st.initial {
            s.push_str(&format!("/{}", self.st(Style::Count, &st.initial.to_string())));
        }
        s.push_str(if st.initial != 1 || st.finished != 1 { " tests run: " } else { " test run: " });
        s.push_str(&self.summary_str(st));
        s
    }

    /// Final summary of a stress run.
    pub fn stress_summary(&self, completed: u32, count: Option<u32>, failed: u32, elapsed: Duration) -> String {
        let style = if failed > 0 { Style::Fail } else { Style::Pass };
        let mut s = format!("{}\n{} [{:>8.3}s] {}", self.hbar(12), self.status(style, "Summary"), elapsed.as_secs_f64(), self.st(Style::Count, &completed.to_string()));
        // `nextest-runner/src/reporter/displayer/imp.rs` (cargo-nextest-0.9.143): a known total is
        // always printed (`3/3`), and the plural follows the total when there is one.
        let plural_of = match count {
            Some(n) => {
                s.push_str(&format!("/{}", self.st(Style::Count, &n.to_string())));
                n
            }
            None => completed,
        };
        s.push_str(&format!(" stress run {}: {} {}", if plural_of == 1 { "iteration" } else { "iterations" }, self.st(Style::Count, &(completed - failed).to_string()), self.st(Style::Pass, "passed")));
        if failed > 0 {
            s.push_str(&format!(", {} {}", self.st(Style::Count, &failed.to_string()), self.st(Style::Fail, "failed")));
        }
        s.push('\n');
        s
    }
}

/// `hh:mm:ss` (floor or ceiling to whole seconds).
pub fn hhmmss(d: Duration, ceil: bool) -> String {
    let mut secs = d.as_secs();
    if ceil && d.subsec_nanos() > 0 {
        secs += 1;
    }
    format!("{:02}:{:02}:{:02}", secs / 3600, (secs / 60) % 60, secs % 60)
}

/// Removes ANSI escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL|ESC \\`, and two-byte
/// `ESC x`), like the strip-ansi-escapes crate nextest uses for uncoloured output.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('[') => {
                while let Some(&n) = it.peek() {
                    it.next();
                    if ('\x40'..='\x7e').contains(&n) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(n) = it.next() {
                    if n == '\x07' || (n == '\x1b' && it.peek() == Some(&'\\')) {
                        if n == '\x1b' {
                            it.next();
                        }
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::{Version, CURRENT};

    fn h(v: Version, total: usize) -> Human {
        Human { v, color: false, counter: true, status_level: Level::Pass, final_level: 2, no_capture: false, total, pad_width: 10 }
    }

    #[test]
    fn current_status_lines() {
        let r = h(CURRENT, 12);
        let l = Line { binary_id: "fx-basic", test_name: "basic::pass_quick", stress: None };
        assert_eq!(
            format!("{} {}{}", r.status(Style::Pass, "PASS"), Human::dur(Duration::from_millis(4)), r.instance(&l, Some(3), true)),
            "        PASS [   0.004s] ( 3/12) fx-basic basic::pass_quick"
        );
        assert_eq!(
            r.test_slow(&l, 1, 1, Duration::from_secs(1), false),
            "        SLOW [>  1.000s] (─────) fx-basic basic::pass_quick\n"
        );
        assert_eq!(
            r.run_started("u", "default", 3, 2, 1),
            "────────────\n Nextest run ID u with nextest profile: default\n    Starting 3 tests across 2 binaries (1 test skipped)\n"
        );
    }

    #[test]
    fn output_block_colour_reset_and_stripping() {
        let mut r = h(CURRENT, 1);
        assert_eq!(r.output_block(Style::Fail, Some((b"\nrunning 1 test\n\x1b[31mred\x1b[0m\n", b"")), None), "  stdout ───\n\n    running 1 test\n    red\n\n");
        r.color = true;
        assert_eq!(
            r.output_block(Style::Fail, Some((b"a\nb\n", b"")), None),
            "\x1b[31;1m \x1b[0m \x1b[31;1mstdout\x1b[0m \x1b[31;1m───\x1b[0m\n    a\n    b\x1b[0m\n\n"
        );
        assert_eq!(strip_ansi("x\x1b]8;;u\x07y\x1b[1;2mz"), "xyz");
    }

    #[test]
    fn stress_summary_shows_a_known_total() {
        let r = h(CURRENT, 3);
        assert_eq!(r.stress_summary(3, Some(3), 0, Duration::from_millis(5)), "────────────\n     Summary [   0.005s] 3/3 stress run iterations: 3 passed\n");
        assert_eq!(r.stress_summary(1, Some(1), 0, Duration::from_millis(5)), "────────────\n     Summary [   0.005s] 1/1 stress run iteration: 1 passed\n");
        assert_eq!(r.stress_summary(5, None, 1, Duration::from_millis(5)), "────────────\n     Summary [   0.005s] 5 stress run iterations: 4 passed, 1 failed\n");
    }

    #[test]
    fn old_version_lines() {
        let v48 = Version { minor: 9, patch: 48 };
        let r = h(v48, 3);
        let l = Line { binary_id: "fx-basic", test_name: "a", stress: None };
        assert_eq!(r.instance(&l, Some(1), true), "  fx-basic a");
        assert_eq!(r.run_started("u", "default", 1, 1, 0), "    Starting 1 tests across 1 binaries\n");
        let st = Stats { initial: 3, finished: 3, passed: 3, skipped: 1, ..Default::default() };
        assert_eq!(r.summary(&st, Duration::from_millis(10), false), "------------\n     Summary [   0.010s] 3 tests run: 3 passed, 1 skipped\n");
    }

    #[test]
    fn colour_codes() {
        let mut r = h(CURRENT, 1);
        r.color = true;
        assert_eq!(r.status(Style::Pass, "PASS"), "\x1b[32;1m        PASS\x1b[0m");
    }
}
