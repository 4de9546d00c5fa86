//! harness = false test binary for the simulator self-checks: implements the libtest CLI subset
//! nextest uses and dumps its argv and environment to $SIMCHECK_DIR/<pid>.dump (NUL separated).
use std::io::Write;

const TESTS: &[(&str, bool)] = &[
    ("check::fail_exit_7", false),
    ("check::flaky", false),
    ("check::ignored_one", true),
    ("check::out_bytes", false),
    ("check::pass", false),
    ("check::slow", false),
];

fn dump(args: &[String]) {
    let Ok(dir) = std::env::var("SIMCHECK_DIR") else { return };
    let mut buf = Vec::new();
    buf.extend_from_slice(b"argv\0");
    for a in args {
        buf.extend_from_slice(a.as_bytes());
        buf.push(0);
    }
    buf.extend_from_slice(b"\0env\0");
    for (k, v) in std::env::vars() {
        buf.extend_from_slice(format!("{k}={v}").as_bytes());
        buf.push(0);
    }
    let path = format!("{dir}/{}.dump", std::process::id());
    std::fs::write(path, buf).unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    dump(&args);
    let ignored = args.iter().any(|a| a == "--ignored");
    if args.iter().any(|a| a == "--list") {
        for (name, ign) in TESTS {
            if !ignored || *ign {
                println!("{name}: test");
            }
        }
        return;
    }
    let name = args.iter().position(|a| a == "--exact").and_then(|i| args.get(i + 1)).cloned().unwrap_or_default();
    match name.as_str() {
        "check::pass" | "check::ignored_one" => {}
        "check::fail_exit_7" => std::process::exit(7),
        "check::flaky" => {
            let attempt = std::env::var("NEXTEST_ATTEMPT").or_else(|_| std::env::var("__NEXTEST_ATTEMPT")).unwrap_or_default();
            if attempt == "1" {
                std::process::exit(1);
            }
        }
        "check::out_bytes" => {
            std::io::stdout().write_all(b"0123456789").unwrap();
            std::io::stderr().write_all(b"abc").unwrap();
        }
        "check::slow" => {
            let ms: u64 = std::env::var("SIMCHECK_SLOW_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
        _ => std::process::exit(99),
    }
}
