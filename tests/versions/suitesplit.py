"""Output differences between two runs of the same command that nextest's libtest-json-plus
stream of each run explains: a test binary's suite closed early, at a point set by timing.

Owns: that explanation, for the unchanged-output check of real releases
(tests/e2e/run_e2e.py).  nextest's libtest reporter (`reporter/structured/libtest.rs`,
the same rule from cargo-nextest-0.9.72 to 0.9.143) opens a suite for a binary at its first
event with `running` = the binary's tests that match the filters and are not ignored, and
counts `running` down on every finished test AND on every ignored test's skip event; when
it reaches 0 it writes the suite's summary and forgets the suite.  A binary with ignored
tests thus closes its suite early, and its later events open a second suite of the same
binary.  Where the split falls depends on whether the skips (sent as the runner walks its
test list, when a slot frees) come before or after the last test's finish, which is
scheduling: at `-j 2` real 0.9.72 printed 3 + 1 passed in one run and 4 + 0 in another.
The tests' own lines are the same; the suites' `passed`/`failed` counts and the
`"event":"ignored"` lines (written only when a finished test follows the skips inside the
same suite) differ.

Two runs whose outputs differ only there are the same behaviour iff, in each run's own
stream, every suite that is not a binary's last closed exactly when nextest's counter
reached 0 (its finished tests plus its skipped tests equal its `test_count` less its
`ignored`), and per binary both runs have the same
number of suites and the same total of passed and of failed tests.  Anything else that
differs stays a difference.
"""

import json
import re

import mask

# a test line: its event and its name, up to the `"` that ends the line or starts exec_time
_TEST = re.compile(rb'\{"type":"test","event":"(\w+)","name":"(.*?)"(?:,"exec_time":|\}\s*$)')


def _lines(data):
    return [ln for ln in data.split(b"\n") if ln.startswith((b'{"type":"suite"', b'{"type":"test"'))]


def _key_of_test(name):
    head = name.partition("$")[0]
    head = head.rsplit("@stress-", 1)[0]
    crate, _, binary = head.partition("::")
    return crate, binary


def parse(data):
    """{(crate, binary): [suite]} in output order, suite = {"test_count", "summary" (dict or
    None), "events": [(event, test name)]}; and the set of names that finished (ok/failed).
    Raises ValueError on a line it cannot place (no `nextest` object: not -plus)."""
    suites, open_, finished = {}, {}, set()
    for raw in _lines(data):
        if raw.startswith(b'{"type":"test"'):
            # nextest writes test names unescaped (a `"` in a name stays raw): not JSON
            m = _TEST.match(raw)
            if not m:
                raise ValueError(f"unreadable test line {raw[:120]!r}")
            e = {"type": "test", "event": m.group(1).decode(),
                 "name": m.group(2).decode(errors="surrogateescape")}
        else:
            e = json.loads(raw)
        if e["type"] == "suite":
            nx = e.get("nextest")
            if not nx:
                raise ValueError("suite line without the nextest object (not libtest-json-plus)")
            key = (nx["crate"], nx["test_binary"])
            if e["event"] == "started":
                s = {"test_count": e["test_count"], "summary": None, "events": []}
                suites.setdefault(key, []).append(s)
                open_[key] = s
            else:
                s = open_.pop(key, None)
                if s is None:
                    raise ValueError(f"suite summary of {key} without a started suite")
                s["summary"] = e
            continue
        key = _key_of_test(e["name"])
        s = open_.get(key)
        if s is None:
            raise ValueError(f"test line outside a suite: {e['name']}")
        s["events"].append((e["event"], e["name"]))
        if e["event"] in ("ok", "failed"):
            finished.add(e["name"])
    return suites, finished


def _closing_problems(tag, suites, finished):
    """Each suite of a run closed where nextest's counter reached 0."""
    out = []
    for key, blocks in suites.items():
        for i, s in enumerate(blocks):
            if s["summary"] is None:
                out.append(f"run {tag}: a suite of {key} has no summary")
                continue
            r = s["test_count"] - s["summary"]["ignored"]
            done = sum(1 for ev, n in s["events"]
                       if ev in ("ok", "failed") or (ev == "started" and n not in finished))
            # the last suite closes at 0 or at the run's end (a binary with no test to run
            # counts its skips below 0: nextest's usize wraps and the suite stays open)
            if i < len(blocks) - 1 and done != r:
                out.append(f"run {tag}: suite {i + 1} of {key[0]}::{key[1]} closed after {done} "
                           f"finished or skipped tests, nextest closes it at {r}")
            for ev, n in s["events"]:
                if ev == "ignored" and n in finished:
                    out.append(f"run {tag}: {n} both ignored and finished")
    return out


def _rest(data):
    """The lines the explanation does not cover, masked, sorted: everything except the
    suites' summaries and the ignored tests' lines."""
    keep = [ln for ln in data.split(b"\n")
            if not (ln.startswith(b'{"type":"suite"') and b'"event":"started"' not in ln)
            and not (ln.startswith(b'{"type":"test"') and b'"event":"ignored"' in ln)]
    return sorted(mask.mask(b"\n".join(keep), parallel=True).split(b"\n"))


def explain(a_stdout, b_stdout):
    """Problems (empty: the two stdouts differ only by suite splits each run's own stream
    accounts for).  A difference beyond them, or no split at all, is a problem."""
    if _rest(a_stdout) != _rest(b_stdout):
        return ["stdout differs beyond suite summaries and ignored-test lines"]
    try:
        (sa, fa), (sb, fb) = parse(a_stdout), parse(b_stdout)
    except (ValueError, KeyError) as e:
        return [f"libtest-json-plus stream unreadable: {e}"]
    problems = _closing_problems("a", sa, fa) + _closing_problems("b", sb, fb)
    if set(sa) != set(sb):
        problems.append(f"binaries with suites differ: {sorted(set(sa) ^ set(sb))}")
    split_differs = False
    for key in sorted(set(sa) & set(sb)):
        ta, tb = sa[key], sb[key]
        if len(ta) != len(tb):
            problems.append(f"{key[0]}::{key[1]}: {len(ta)} suites in run a, {len(tb)} in run b")
            continue
        for field in ("passed", "failed"):
            xa = sum(s["summary"][field] for s in ta if s["summary"])
            xb = sum(s["summary"][field] for s in tb if s["summary"])
            if xa != xb:
                problems.append(f"{key[0]}::{key[1]}: {field} {xa} in run a, {xb} in run b")
        if [s["summary"] and s["summary"]["passed"] for s in ta] != \
                [s["summary"] and s["summary"]["passed"] for s in tb]:
            split_differs = True
    if not problems and not split_differs:
        problems.append("no suite split differs between the runs")
    return problems


def splits(data):
    """'crate::binary p+p+…' for every binary whose suite was split (for a run's note)."""
    try:
        suites, _ = parse(data)
    except (ValueError, KeyError):
        return []
    return [f"{k[0]}::{k[1]} passed " + "+".join(str(s["summary"]["passed"]) for s in v if s["summary"])
            for k, v in sorted(suites.items()) if len(v) > 1]
