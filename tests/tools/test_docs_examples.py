"""test_docs_examples: runs every shell example of README.md, tracer-scripts/README.md and docs/.

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

One pytest test per code block (its id: document:line) and one for the words.
Usage: pytest tests/tools/test_docs_examples.py --lib LIB --nextest CARGO_NEXTEST_DIR
       --target-dir DIR [--all] [-k words]
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

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


def run_block(text, lib, env, cwd):
    text = text.replace(INSTALLED, lib)
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
        script = f"LD_PRELOAD={lib} cargo nextest run\n"
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


ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def all_blocks(root=ROOT):
    docs = DOCS + sorted("docs/" + f for f in os.listdir(os.path.join(root, "docs")) if f.endswith(".md"))
    out = []
    for d in docs:
        for line, info, text, prev in blocks(os.path.join(root, d)):
            words = (info or "").split()
            if info is not None and words and words[0] in NOT_COMMANDS:
                continue        # not a command
            out.append(pytest.param(info, text, prev, id=f"{d}:{line}"))
    return out


def test_no_machine_paths_issue_numbers_or_internal_words():
    """The repository speaks to its users only."""
    files = subprocess.run(["git", "-C", ROOT, "ls-files", "-co", "--exclude-standard"], stdout=subprocess.PIPE,
                           text=True).stdout.split()
    hits = []
    for f in files:
        p = os.path.join(ROOT, f)
        try:
            data = open(p, encoding="utf-8").read()
        except (UnicodeDecodeError, OSError):
            continue
        if f == "tests/tools/test_docs_examples.py":
            continue
        for n, l in enumerate(data.splitlines(), 1):
            if INTERNAL.search(l):
                hits.append(f"{f}:{n}: {l.strip()[:120]}")
    assert not hits, "\n".join(hits)


@pytest.fixture(scope="module")
def setting(pytestconfig):
    """(library, environment, the scratch copy of the fixture workspace)."""
    cfg = pytestconfig
    lib, nextest, target = (cfg.getoption(k) for k in ("lib", "nextest", "target_dir"))
    if not (lib and nextest and target):
        pytest.fail("--lib, --nextest and --target-dir are required to run the examples", pytrace=False)
    env = dict(os.environ)
    env["PATH"] = os.path.join(ROOT, "tracer-scripts") + ":" + os.path.abspath(nextest) + ":" + env["PATH"]
    env["NEXTEST_PROBES_LIB"] = os.path.abspath(lib)
    env["CARGO_TARGET_DIR"] = os.path.abspath(target)
    scratch = tempfile.mkdtemp(prefix="docs-examples-")
    cwd = os.path.join(scratch, "workspace")
    shutil.copytree(os.path.join(ROOT, "tests", "fixtures", "workspace"), cwd,
                    ignore=shutil.ignore_patterns("target"))
    env["DESTDIR"] = os.path.join(scratch, "destdir")
    yield os.path.abspath(lib), env, cwd
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.mark.parametrize("info,text,prev", all_blocks())
def test_block(info, text, prev, pytestconfig, request):
    if info is None:
        pytest.fail(f"an indented code block: fence it and give it a kind\n{text}", pytrace=False)
    words = info.split()
    if not words:
        pytest.fail(f"a code block without a kind (```sh, ```text …)\n{text[:200]}", pytrace=False)
    if words[0] != "sh":
        pytest.fail(f"unknown block kind {info!r}\n{text[:200]}", pytrace=False)
    if "norun" in words:
        m = re.match(r"<!-- norun: (.+) -->", prev.strip())
        assert m, "a ```sh norun block needs <!-- norun: reason --> right before it"
        print(f"not run ({m.group(1)})")
        return
    if "slow" in words and not pytestconfig.getoption("all_examples"):
        pytest.skip("slow (run by make docs-examples-all)")
    lib, env, cwd = request.getfixturevalue("setting")
    ok, out = run_block(text, lib, env, ROOT if "root" in words else cwd)
    assert ok, text + "\n---\n" + out
