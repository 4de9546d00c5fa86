//! nextest's libtest-json / libtest-json-plus reporter on stdout (reporter/structured/libtest.rs):
//! per-suite buffering (plain) vs per-event writes (plus, 0.9.103+), the `running` counter quirk
//! (decremented for ignored skips, wrapping), unescaped names, libtest's EscapedString for output.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

pub struct SuiteMeta {
    pub crate_name: String,
    pub binary_name: String,
    pub kind: String,
    pub running: usize,
    pub ignored: usize,
    pub filtered: usize,
}

struct Suite {
    running: usize,
    failed: usize,
    succeeded: usize,
    ignored: usize,
    filtered: usize,
    stress: Option<(u32, Option<u32>)>,
    total: Duration,
    ignore_block: Option<Vec<u8>>,
    out: Vec<u8>,
}

pub struct Libtest {
    pub plus: bool,
    /// Before 0.9.103 the plus format was buffered like the plain one.
    pub streaming: bool,
    pub metas: BTreeMap<String, SuiteMeta>,
    suites: BTreeMap<String, Suite>,
}

pub enum Finished<'a> {
    Ok,
    /// Combined capture: libtest's human lines are stripped from the output.
    Failed { output: &'a [u8], test_name: &'a str },
    /// Split capture: `--- STDOUT ---` / `--- STDERR ---` sections.
    FailedSplit { stdout: &'a [u8], stderr: &'a [u8], test_name: &'a str },
    /// No capture: the literal-newline quirk of `writeln!(out, "\\n(stderr not captured)")`.
    FailedNotCaptured,
    TimeLimit,
}

/// libtest's json.rs EscapedString: `"`, `\`, control chars and 0x7f escaped.
pub fn escape_libtest(s: &str, out: &mut Vec<u8>) {
    for b in s.bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\x08' => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\x0c' => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0..=0x1f | 0x7f => out.extend_from_slice(format!("\\u{:04x}", b).as_bytes()),
            _ => out.push(b),
        }
    }
}

/// strip_human_stdout_or_combined: keep the lines between `running 1 test` and the FAILED line.
pub fn strip_human(output: &[u8], test_name: &str, out: &mut Vec<u8>) {
    let text = String::from_utf8_lossy(output);
    if text.contains("running 1 test\n") {
        let failed_line = format!("test {test_name} ... FAILED");
        let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect::<Vec<_>>();
        if text.ends_with('\n') {
            lines.pop();
        }
        let start = lines.iter().position(|l| *l == "running 1 test").map(|p| p + 1).unwrap_or(lines.len());
        for l in &lines[start..] {
            if *l == failed_line {
                break;
            }
            escape_libtest(l, out);
            out.extend_from_slice(b"\\n");
        }
    } else {
        escape_libtest(&text, out);
    }
}

fn write_stdout(b: &[u8]) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(b);
    let _ = o.flush();
}

impl Libtest {
    pub fn new(plus: bool, streaming: bool) -> Libtest {
        Libtest { plus, streaming, metas: BTreeMap::new(), suites: BTreeMap::new() }
    }

    fn nextest_obj(&self, m: &SuiteMeta, stress: Option<(u32, Option<u32>)>, out: &mut Vec<u8>) {
        if !self.plus {
            return;
        }
        out.extend_from_slice(format!(r#","nextest":{{"crate":"{}","test_binary":"{}","kind":"{}""#, m.crate_name, m.binary_name, m.kind).as_bytes());
        if let Some((cur, total)) = stress {
            out.extend_from_slice(format!(r#","stress_index":{cur}"#).as_bytes());
            if let Some(t) = total {
                out.extend_from_slice(format!(r#","stress_total":{t}"#).as_bytes());
            }
        }
        out.push(b'}');
    }

    /// One event: `kind` = started | ignored-skip | finished.
    fn event(&mut self, binary_id: &str, test_name: &str, stress: Option<(u32, Option<u32>)>, ev: Option<(&str, Duration, Finished, Option<usize>)>, ignored_skip: bool) {
        let Some(m) = self.metas.get(binary_id) else { return };
        if !self.suites.contains_key(binary_id) {
            let mut out = Vec::new();
            out.extend_from_slice(format!(r#"{{"type":"suite","event":"started","test_count":{}"#, m.running + m.ignored).as_bytes());
            self.nextest_obj(m, stress, &mut out);
            out.extend_from_slice(b"}\n");
            self.suites.insert(
                binary_id.to_string(),
                Suite { running: m.running, failed: 0, succeeded: 0, ignored: m.ignored, filtered: m.filtered, stress, total: Duration::ZERO, ignore_block: None, out },
            );
        }
        let (crate_name, binary_name) = (m.crate_name.clone(), m.binary_name.clone());
        let suite = self.suites.get_mut(binary_id).unwrap();
        if ev.is_some() {
            if let Some(ib) = suite.ignore_block.take() {
                suite.out.extend_from_slice(&ib);
            }
        }
        let event = match &ev {
            Some((e, ..)) => *e,
            None => "started",
        };
        let mut line = format!(r#"{{"type":"test","event":"{event}","name":"{crate_name}::{binary_name}"#);
        if let Some((cur, _)) = stress {
            line.push_str(&format!("@stress-{cur}"));
        }
        line.push('$');
        line.push_str(test_name);
        let retries = ev.as_ref().and_then(|e| e.3);
        match retries {
            Some(n) => line.push_str(&format!("#{n}\"")),
            None => line.push('"'),
        }
        suite.out.extend_from_slice(line.as_bytes());
        if let Some((_, took, fin, _)) = ev {
            suite.total += took;
            suite.running = suite.running.wrapping_sub(1);
            suite.out.extend_from_slice(format!(r#","exec_time":{}"#, took.as_secs_f64()).as_bytes());
            match fin {
                Finished::Failed { output, test_name } => {
                    suite.failed += 1;
                    suite.out.extend_from_slice(br#","stdout":""#);
                    strip_human(output, test_name, &mut suite.out);
                    suite.out.push(b'"');
                }
                Finished::FailedSplit { stdout, stderr, test_name } => {
                    suite.failed += 1;
                    suite.out.extend_from_slice(br#","stdout":""#);
                    if !stdout.is_empty() {
                        suite.out.extend_from_slice(b"--- STDOUT ---\\n");
                        strip_human(stdout, test_name, &mut suite.out);
                    }
                    if !stderr.is_empty() {
                        suite.out.extend_from_slice(b"\\n--- STDERR ---\\n");
                        escape_libtest(&String::from_utf8_lossy(stderr), &mut suite.out);
                    }
                    suite.out.push(b'"');
                }
                Finished::FailedNotCaptured => {
                    suite.failed += 1;
                    suite.out.extend_from_slice(b",\"stdout\":\"(stdout not captured)\\n(stderr not captured)\n\"");
                }
                Finished::TimeLimit => {
                    suite.failed += 1;
                    suite.out.extend_from_slice(br#","reason":"time limit exceeded""#);
                }
                Finished::Ok => suite.succeeded += 1,
            }
        } else if ignored_skip {
            suite.running = suite.running.wrapping_sub(1);
            let ib = suite.ignore_block.get_or_insert_with(Vec::new);
            ib.extend_from_slice(format!("{{\"type\":\"test\",\"event\":\"ignored\",\"name\":\"{crate_name}::{binary_name}${test_name}\"}}\n").as_bytes());
        }
        suite.out.extend_from_slice(b"}\n");
        let done = suite.running == 0;
        if self.plus && self.streaming {
            write_stdout(&suite.out);
            suite.out.clear();
        }
        if done {
            let s = self.suites.remove(binary_id).unwrap();
            self.finalize(binary_id, s);
        }
    }

    pub fn started(&mut self, binary_id: &str, test_name: &str, stress: Option<(u32, Option<u32>)>) {
        self.event(binary_id, test_name, stress, None, false);
    }

    pub fn ignored_skip(&mut self, binary_id: &str, test_name: &str, stress: Option<(u32, Option<u32>)>) {
        self.event(binary_id, test_name, stress, None, true);
    }

    pub fn finished(&mut self, binary_id: &str, test_name: &str, stress: Option<(u32, Option<u32>)>, ok: bool, took: Duration, fin: Finished, attempts: usize) {
        let retries = if attempts > 1 { Some(attempts) } else { None };
        self.event(binary_id, test_name, stress, Some((if ok { "ok" } else { "failed" }, took, fin, retries)), false);
    }

    /// StressSubRunFinished / RunFinished: flush every open suite.
    pub fn flush_all(&mut self) {
        // in nextest's binary-id order (its map is keyed by `RustBinaryId`, whose Ord is by
        // components: `discover::binary_id_order`), not by the id string
        let mut suites: Vec<(String, Suite)> = std::mem::take(&mut self.suites).into_iter().collect();
        suites.sort_by(|a, b| crate::discover::binary_id_order(&a.0).cmp(&crate::discover::binary_id_order(&b.0)));
        for (id, s) in suites {
            self.finalize(&id, s);
        }
    }

    fn finalize(&self, binary_id: &str, mut s: Suite) {
        let event = if s.failed > 0 { "failed" } else { "ok" };
        // The counter may have wrapped; nextest adds it to filtered when "> 0".
        if s.running > 0 {
            s.filtered = s.filtered.wrapping_add(s.running);
        }
        s.out.extend_from_slice(
            format!(
                r#"{{"type":"suite","event":"{event}","passed":{},"failed":{},"ignored":{},"measured":0,"filtered_out":{},"exec_time":{}"#,
                s.succeeded,
                s.failed,
                s.ignored,
                s.filtered,
                s.total.as_secs_f64()
            )
            .as_bytes(),
        );
        if let Some(m) = self.metas.get(binary_id) {
            self.nextest_obj(m, s.stress, &mut s.out);
        }
        s.out.extend_from_slice(b"}\n");
        write_stdout(&s.out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaper_and_stripper() {
        let mut o = Vec::new();
        escape_libtest("a\"\u{1}\u{7f}é\n", &mut o);
        assert_eq!(String::from_utf8(o).unwrap(), "a\\\"\\u0001\\u007fé\\n");
        let mut o = Vec::new();
        strip_human(b"\nrunning 1 test\nhello\nthread panicked\ntest a::b ... FAILED\n\nfailures:\n", "a::b", &mut o);
        assert_eq!(String::from_utf8(o).unwrap(), "hello\\nthread panicked\\n");
    }
}
