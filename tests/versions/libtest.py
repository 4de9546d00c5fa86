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

import junit

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


def compare(stream, capture):
    last = {}
    for e in capture:
        if e["probe"] != "test-attempt-done":
            continue
        a = json.loads(e["arg0"])["ok"]
        k = probe_key(a)
        if k not in last or a["attempt"] > last[k]["attempt"]:
            last[k] = a
    problems = []
    counts = {"tests": 0, "exact": 0, "within": 0, "different": 0}
    for k in sorted(set(stream) | set(last), key=repr):
        s, p = stream.get(k), last.get(k)
        name = f"{k[0]}::{k[1]}{'' if k[2] is None else f'@stress-{k[2]}'}${k[3]}"
        if s is None:
            problems.append(f"LIBTEST {name}: probed, not in nextest's stream")
            continue
        if p is None:
            problems.append(f"LIBTEST {name}: in nextest's stream, not probed")
            continue
        counts["tests"] += 1
        bad = []
        if p["attempt"] != s["attempts"]:
            bad.append(f"last attempt {p['attempt']} (stream: {s['attempts']})")
        ok = p["result"] in ("pass", "leak")
        if ok != s["ok"]:
            bad.append(f"result {p['result']} (stream: {'ok' if s['ok'] else 'failed'})")
        d, t = p["duration_nanos"], s["exec_ns"]
        tol = junit.TIME_ABS_NS + junit.TIME_REL * t
        if abs(d - t) > tol:
            bad.append(f"duration_nanos {d} (stream exec_time: {t}, ±{tol / 1e6:.1f} ms)")
        if bad:
            counts["different"] += 1
            problems.append(f"LIBTEST {name}: " + "; ".join(bad))
        elif abs(d - t) <= 1_000_000:
            counts["exact"] += 1
        else:
            counts["within"] += 1
    if not stream:
        problems.append("LIBTEST: nextest's stream lists no finished test")
    return problems, counts
