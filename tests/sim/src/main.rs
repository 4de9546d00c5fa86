//! nextest-sim: a std-only simulator of cargo-nextest's runner at the libc level, on its output
//! streams, and in the values of its USDT probes (written to `--truth FILE`). See README.md.

mod attempt;
mod capture;
mod cli;
mod clock;
mod config;
mod discover;
mod dispatch;
mod envset;
mod filter;
mod human;
mod json;
mod libtest;
mod listing;
mod probes;
mod reaper;
mod run;
mod script;
mod shellwords;
mod signals;
mod spawn;
mod status;
mod sys;
mod toml;
mod truth;
mod unit;
mod uuid;
mod version;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // cargo passes "nextest" as argv[1]; the double-spawn child gets "__double-spawn".
    let rest: &[String] = if args.first().map(|s| s.as_str()) == Some("nextest") { &args[1..] } else { &args };
    if rest.first().map(|s| s.as_str()) == Some("__double-spawn") {
        std::process::exit(spawn::double_spawn_main(&rest[1..]));
    }
    if rest.first().map(|s| s.as_str()) == Some("emulate") {
        // nextest-sim emulate VER DEST: a copy of this binary emulating VER
        let r = match rest {
            [_, ver, dest] => version::write_copy(ver, dest),
            _ => Err("usage: nextest-sim emulate VERSION DEST".into()),
        };
        if let Err(e) = r {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
        std::process::exit(0);
    }
    let opts = match cli::parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let code = run::main(opts);
    std::process::exit(code);
}
