//! The ground-truth writer (`--truth FILE`): one JSON line per probe firing, in the schema of
//! docs/event-format.md, written with a single write() and flushed per line.

use crate::json;
use std::fs::File;
use std::io::Write;
use std::sync::Mutex;

static OUT: Mutex<Option<File>> = Mutex::new(None);

pub enum Arg<'a> {
    Str(&'a str),
    Num(u64),
}

pub fn open(path: &str) -> std::io::Result<()> {
    let f = File::create(path)?;
    *OUT.lock().unwrap() = Some(f);
    Ok(())
}

/// Builds one event line (without writing it).
pub fn line(probe: &str, t_ns: u64, tid: i64, arg0_struct: &str, args: &[Arg]) -> String {
    let arg0 = format!("{{\"ok\":{arg0_struct}}}");
    let mut s = String::from("{\"probe\":");
    json::push_str(&mut s, probe);
    s.push_str(&format!(",\"t_ns\":{t_ns},\"tid\":{tid},\"arg0\":"));
    json::push_str(&mut s, &arg0);
    s.push_str(",\"args\":[");
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        match a {
            Arg::Str(v) => json::push_str(&mut s, v),
            Arg::Num(n) => s.push_str(&n.to_string()),
        }
    }
    s.push_str("]}\n");
    s
}

/// Fires a probe: stamps CLOCK_MONOTONIC and the tid now, and writes the line.
pub fn fire(probe: &str, arg0_struct: &str, args: &[Arg]) {
    let t = crate::sys::monotonic_ns();
    let mut g = OUT.lock().unwrap();
    if let Some(f) = g.as_mut() {
        let l = line(probe, t, crate::sys::gettid(), arg0_struct, args);
        let _ = f.write_all(l.as_bytes());
    }
}

/// `{"ok":"<uuid>"}` — how usdt encodes the ReportUuid argument of run-start/run-done.
pub fn uuid_arg(run_id: &str) -> String {
    format!("{{\"ok\":{}}}", json::quote(run_id))
}
