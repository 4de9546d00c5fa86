//! Every process of this test binary — nextest's list-phase child and each test — writes,
//! from a constructor that runs before main, what it sees of the preloads into a file in
//! `$CHILDREN_REPORT_DIR`: its argv, LD_PRELOAD, NEXTEST_LD_PRELOAD, and every file mapped
//! in /proc/self/maps.  The tests themselves only pass.

use std::io::Write;

fn report() {
    let Some(dir) = std::env::var_os("CHILDREN_REPORT_DIR") else { return };
    let mut text = String::new();
    let args: Vec<String> = std::env::args().collect();
    text.push_str(&format!("argv\t{}\n", args.join(" ")));
    for name in ["LD_PRELOAD", "NEXTEST_LD_PRELOAD", "NEXTEST_TEST_PHASE", "NEXTEST_TEST_NAME"] {
        match std::env::var(name) {
            Ok(v) => text.push_str(&format!("env\t{name}\t{v}\n")),
            Err(_) => text.push_str(&format!("unset\t{name}\n")),
        }
    }
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    let mut seen = std::collections::BTreeSet::new();
    for line in maps.lines() {
        if let Some(path) = line.split_whitespace().nth(5) {
            if path.starts_with('/') && seen.insert(path.to_string()) {
                text.push_str(&format!("map\t{path}\n"));
            }
        }
    }
    let file = std::path::Path::new(&dir).join(format!("test-{}.txt", std::process::id()));
    if let Ok(mut f) = std::fs::File::create(file) {
        let _ = f.write_all(text.as_bytes());
    }
}

#[used]
#[link_section = ".init_array"]
static REPORT: extern "C" fn() = {
    extern "C" fn init() {
        report();
    }
    init
};

#[test]
fn envreport_one() {}

#[test]
fn envreport_two() {}
