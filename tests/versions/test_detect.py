"""test_detect.py: the library reads the right version out of every runner binary it may meet.

Owns: the check that preload/engine/observe/version.c's reading of an executable (the tool
built from tests/versions/version_of.c, `--build DIR` holds it as DIR/version-of) names the
release, for
  - the simulator at every version it emulates (0.9.48 … 0.9.143, `nextest-sim emulate`),
  - every real cargo-nextest in the release cache (<cache>/nextest/<version>[-nousdt]/bin),
  - the cargo-nextest on PATH (its `--version`).
The children's NEXTEST_* variables and the final decision are checked per run by the e2e
(each run line names the detected version).  Also checks that the detection-log line shown
in docs/compatibility.md has the format the library writes (versionlog.LINE_RE).
Usage: pytest test_detect.py --build DIR --sim SIM --out DIR.
"""

import os
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import versionlog  # noqa: E402

CACHE = os.environ.get("NEXTEST_PROBES_CACHE") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "libnextest_probes")
SIM_VERSIONS = [f"0.9.{p}" for p in range(48, 144)]
DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "compatibility.md")


def read(tool, paths):
    out = subprocess.run([tool, *paths], stdout=subprocess.PIPE, check=True, text=True).stdout
    return [line.split("\t", 1)[0] for line in out.splitlines()]


def real_runners():
    """(id, path, expected version) of every real cargo-nextest at hand."""
    cases = []
    root = os.path.join(CACHE, "nextest")
    for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        exe = os.path.join(root, name, "bin", "cargo-nextest")
        if os.path.exists(exe):
            cases.append((f"cache-{name}", exe, name.split("-")[0]))
    on_path = shutil.which("cargo-nextest")
    if on_path:
        v = subprocess.run([on_path, "nextest", "--version"], stdout=subprocess.PIPE, text=True).stdout.split()
        cases.append(("on-path", on_path, v[1] if len(v) > 1 else "?"))
    return cases


@pytest.fixture(scope="module")
def tool(request):
    return os.path.join(os.path.abspath(request.config.getoption("--build")), "version-of")


@pytest.fixture(scope="module")
def out(request):
    d = os.path.abspath(request.config.getoption("--out"))
    os.makedirs(d, exist_ok=True)
    return d


@pytest.mark.parametrize("ver", SIM_VERSIONS)
def test_simulator_copy(tool, out, request, ver):
    """A copy of the simulator emulating `ver` reads as `ver` (one copy at a time:
    96 copies of the simulator add up)."""
    copy = os.path.join(out, "nextest-sim")
    subprocess.run([request.config.getoption("--sim"), "emulate", ver, copy], check=True)
    assert read(tool, [copy])[0] == ver


@pytest.mark.parametrize("label,path,want", real_runners(), ids=[c[0] for c in real_runners()])
def test_real_release(tool, label, path, want):
    assert read(tool, [path])[0] == want, label


def test_doc_shows_the_log_format():
    shown = [l.strip() for l in open(DOC) if l.startswith("nextest-version ")]
    assert shown, "docs/compatibility.md shows no detection-log line"
    bad = [l for l in shown if not versionlog.LINE_RE.match(l)]
    assert not bad, f"not in the library's format: {bad}"
