#!/usr/bin/env python3
"""docs_examples: runs every shell example of README.md, tracer-scripts/README.md and docs/.

Owns: extracting the fenced code blocks and running each ```sh block, and checking that
the repository speaks to its users only (no machine paths, issue numbers or internal words).

Rules for the documents (checked here):
  * every code block is fenced and has an info string; ```sh blocks are commands and are
    run, other kinds (```text, ```json, ```c, ```toml, ```dtrace) are not commands;
  * ```sh norun blocks are not run; an HTML comment `<!-- norun: reason -->` right before
    the block must say why (e.g. macOS only, or `make check` itself);
  * ```sh slow blocks (minutes: benchmarks) run only with --all.
How a block runs: as a bash script with `set -e -o pipefail`, from a copy of the fixture
workspace (tests/fixtures/workspace, where `cargo nextest run` works; ```sh root blocks: from
the repository root, with DESTDIR pointing at a scratch directory so that `make install`
stays out of the system), with tracer-scripts/ and a
private copy of cargo-nextest first on PATH, and the documented install path
/usr/local/lib/libnextest_probes.so standing for the library under test.  A line starting
with `bpftrace` (after optional VAR=value words) is a tracer: it starts first, in the
background; the rest of the block (or, when there is none, `LD_PRELOAD=<lib> cargo nextest
run`) runs once it has attached; then it gets SIGINT and must have printed something and no
ERROR.  `sudo ` is dropped (the tests run as root).

Usage: docs_examples.py --root REPO --lib LIB --nextest CARGO_NEXTEST_DIR [--all] [--words-only]
Prints one line per block and a final `N passed, N failed`.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

DOCS = ["README.md", "tracer-scripts/README.md"]
INSTALLED = "/usr/local/lib/libnextest_probes.so"
NOT_COMMANDS = {"text", "json", "c", "toml", "dtrace"}

# What the repository must not contain: paths of the machine it was made on, issue numbers,
# words about how the work was organised.
# (Written in pieces, so that this line does not match a plain grep for the same words.)
INTERNAL = re.compile(r"(?<![\w.~-])/wor" r"k/|\.mirr" r"or/|\bthe le" r"ad\b|\(iss" r"ue [0-9]|"
                      r"\biss" r"ue [0-9]+\b|\.\./sha" r"red/|/sha" r"red/reference", re.I)


def blocks(path):
    """[(line number, info string, text, preceding line)] of the fenced blocks; indented
    code blocks are reported as info None."""
    out = []
    lines = open(path, encoding="utf-8").read().splitlines()
    i = 0
    prev = ""
    in_list = False
    while i < len(lines):
        l = lines[i]
        m = re.match(r"^```(.*)$", l)
        if m:
            start, info, body = i + 1, m.group(1).strip(), []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            out.append((start, info, "\n".join(body), prev))
        elif l.startswith("    ") and l.strip() and prev.strip() == "" and not in_list:
            out.append((i + 1, None, l, prev))
        if l.strip():
            prev = l
            in_list = bool(re.match(r"^\s*([-*]|\d+\.)\s", l)) or (in_list and l.startswith("  "))
        else:
            prev = ""
        i += 1
    return out


def run_block(text, opts, env, cwd):
    text = text.replace(INSTALLED, opts.lib)
    text = re.sub(r"(^|\n)sudo ", r"\1", text)
    lines = text.splitlines()
    tracer, rest, cont = [], [], False
    for l in lines:
        if cont:                                # an -e program continued on the next lines
            tracer.append(l)
            cont = l.count("'") % 2 == 0
            continue
        if re.match(r"^(\w+=\S+\s+)*bpftrace\s", l):
            tracer.append(l)
            cont = l.count("'") % 2 == 1
            continue
        rest.append(l)
    script = "set -e -o pipefail\n" + "\n".join(rest) + "\n"
    if not tracer:
        r = subprocess.run(["bash", "-c", script], env=env, cwd=cwd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=900, errors="replace")
        return r.returncode == 0, r.stdout
    if not any(l.strip() and not l.strip().startswith("#") for l in rest):
        script = f"LD_PRELOAD={opts.lib} cargo nextest run\n"
    with tempfile.TemporaryFile("w+") as out:
        t = subprocess.Popen(["bash", "-c", "exec " + "\n".join(tracer)], env=env, cwd=cwd,
                             stdout=out, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        deadline = time.time() + 300
        while time.time() < deadline:
            out.seek(0)
            if "Attaching" in out.read() or t.poll() is not None:
                break
            time.sleep(0.1)
        time.sleep(1)
        r = subprocess.run(["bash", "-c", script], env=env, cwd=cwd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=900, errors="replace")
        time.sleep(0.5)
        if t.poll() is None:
            os.killpg(t.pid, signal.SIGINT)
        try:
            t.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(t.pid, signal.SIGKILL)
            t.wait()
        out.seek(0)
        traced = out.read()
    err = [l for l in traced.splitlines() if "ERROR" in l and "RLIMIT_MEMLOCK" not in l]
    printed = [l for l in traced.splitlines() if l.strip() and not l.startswith("Attaching")
               and "RLIMIT_MEMLOCK" not in l]
    if any("@" in l for l in tracer):        # a map: printed at exit
        printed = [l for l in printed if l.startswith("@")]
    ok = r.returncode == 0 and not err and printed
    return ok, f"tracer:\n{traced[-1500:]}\ncommands (status {r.returncode}):\n{r.stdout[-1500:]}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--nextest", required=True, help="directory holding the cargo-nextest to use")
    ap.add_argument("--target-dir", required=True)
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--words-only", action="store_true")
    opts = ap.parse_args()
    root = os.path.abspath(opts.root)
    passed = failed = 0

    def report(ok, what, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok     {what}", flush=True)
        else:
            failed += 1
            print(f"FAIL   {what}\n{detail}", flush=True)

    # the repository speaks to its users only
    files = subprocess.run(["git", "-C", root, "ls-files", "-co", "--exclude-standard"], stdout=subprocess.PIPE,
                           text=True).stdout.split()
    hits = []
    for f in files:
        p = os.path.join(root, f)
        try:
            data = open(p, encoding="utf-8").read()
        except (UnicodeDecodeError, OSError):
            continue
        if f == "tests/tools/docs_examples.py":
            continue
        for n, l in enumerate(data.splitlines(), 1):
            if INTERNAL.search(l):
                hits.append(f"{f}:{n}: {l.strip()[:120]}")
    report(not hits, "no machine paths, issue numbers or internal words in the repository", "\n".join(hits))
    if opts.words_only:
        print(f"{passed} passed, {failed} failed")
        return 1 if failed else 0

    docs = DOCS + sorted("docs/" + f for f in os.listdir(os.path.join(root, "docs")) if f.endswith(".md"))
    env = dict(os.environ)
    env["PATH"] = os.path.join(root, "tracer-scripts") + ":" + opts.nextest + ":" + env["PATH"]
    env["NEXTEST_PROBES_LIB"] = opts.lib
    env["CARGO_TARGET_DIR"] = opts.target_dir
    scratch = tempfile.mkdtemp(prefix="docs-examples-")
    cwd = os.path.join(scratch, "workspace")
    shutil.copytree(os.path.join(root, "tests", "fixtures", "workspace"), cwd,
                    ignore=shutil.ignore_patterns("target"))
    env["DESTDIR"] = os.path.join(scratch, "destdir")
    for d in docs:
        for line, info, text, prev in blocks(os.path.join(root, d)):
            where = f"{d}:{line}"
            if info is None:
                report(False, f"{where}: an indented code block: fence it and give it a kind", text)
                continue
            words = info.split()
            if not words:
                report(False, f"{where}: a code block without a kind (```sh, ```text …)", text[:200])
                continue
            if words[0] in NOT_COMMANDS:
                continue
            if words[0] != "sh":
                report(False, f"{where}: unknown block kind {info!r}", text[:200])
                continue
            if "norun" in words:
                m = re.match(r"<!-- norun: (.+) -->", prev.strip())
                report(bool(m), f"{where}: not run ({m.group(1) if m else 'no reason given'})",
                       "a ```sh norun block needs <!-- norun: reason --> right before it")
                continue
            if "slow" in words and not opts.all:
                print(f"skip   {where}: slow (run by make docs-examples-all)", flush=True)
                continue
            t0 = time.time()
            ok, out = run_block(text, opts, env, root if "root" in words else cwd)
            report(ok, f"{where}: runs ({time.time() - t0:.0f}s)", text + "\n---\n" + out)
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
