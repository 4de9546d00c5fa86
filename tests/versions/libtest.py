"""nextest's libtest-json(-plus) stream of a run as a truth for the library's probes.

Owns: reading the `{"type":"test",…}` lines nextest writes to stdout with
`--message-format libtest-json[-plus]` and comparing each finished test with the captured
test-attempt-done events of the same run.  What the stream has (nextest-runner
`reporter/structured/libtest.rs` at cargo-nextest-0.9.143; the same fields since 0.9.66):
  name       "<package>::<binary name>[@stress-<i>]$<test name>[#<attempts>]", the suffix
             only when the test ran more than once
  event      ok | failed, from the test's final status (flaky = ok)
  exec_time  the LAST attempt's duration in seconds, full f64 precision
Ignored tests (`"event":"ignored"`) are never probed and are skipped here.
"""

import json

import records

EVENTS = ("ok", "failed")


def parse(stdout):
    """{(package, binary_name, stress, test_name): {"attempts", "ok", "exec_ns"}}."""
    out = {}
    for raw in stdout.splitlines():
        if not raw.startswith(b'{"type":"test"'):
            continue
        try:
            e = json.loads(raw)
        except ValueError:
            continue
        if e.get("event") not in EVENTS:
            continue
        name = e["name"]
        head, _, test = name.partition("$")
        attempts = 1
        if "#" in test and test.rsplit("#", 1)[1].isdigit():
            test, n = test.rsplit("#", 1)
            attempts = int(n)
        stress = None
        if "@stress-" in head:
            head, s = head.rsplit("@stress-", 1)
            stress = int(s)
        package, _, binary = head.partition("::")
        key = (package, binary, stress, test)
        if key in out:
            raise ValueError(f"libtest stream: {name} finished twice")
        out[key] = {"attempts": attempts, "ok": e["event"] == "ok",
                    "exec_ns": round(float(e["exec_time"]) * 1e9)}
    return out


def probe_key(a):
    """The stream's key for a probed attempt: binary ids are `pkg` (library: the binary is
    the crate name with underscores), `pkg::name` or `pkg::kind/name`."""
    bid = a["binary_id"]
    package, sep, rest = bid.partition("::")
    binary = rest.rsplit("/", 1)[-1] if sep else package.replace("-", "_")
    return (package, binary, a.get("stress_current"), a["test_name"])


def compare(stream, capture, preempted=None):
    """(problems, counts) for one run: stream = parse(stdout), capture = captured events,
    preempted = the runner threads' measured waits for a CPU (records.py)."""
    last = {}
    for a in records.probed(capture, "test-attempt-done"):
        k = probe_key(a)
        if k not in last or a["attempt"] > last[k]["attempt"]:
            last[k] = a
    t = records.Tally("LIBTEST")

    def name_of(k):
        return f"{k[0]}::{k[1]}{'' if k[2] is None else f'@stress-{k[2]}'}${k[3]}"
    for k, s, p in t.pair(stream, last, name_of, "nextest's stream"):
        t.counts["tests"] += 1
        t.counts["attempts"] += 1
        bad = []
        if p["attempt"] != s["attempts"]:
            bad.append(f"last attempt {p['attempt']} (stream: {s['attempts']})")
        ok = p["result"] in ("pass", "leak")
        if ok != s["ok"]:
            bad.append(f"result {p['result']} (stream: {'ok' if s['ok'] else 'failed'})")
        t.judge_duration(name_of(k), bad, p, s["exec_ns"], "stream exec_time", preempted)
    if not stream:
        t.problems.append("LIBTEST: nextest's stream lists no finished test")
    return t.problems, t.counts
