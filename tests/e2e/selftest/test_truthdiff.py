"""Self-tests of truthdiff.py on synthetic truth/capture pairs: identical lists pass, and
every kind of difference (missing, extra, changed field, key order, escaping, order, time
beyond tolerance, null vs 0, types) fails with a message that names it."""

import json
import os
import tempfile

import pytest

import events
import synth
import truthdiff


def find(evs, probe, name_part):
    for e in evs:
        if e["probe"] == probe and name_part in e["args"][0]:
            return e
    raise AssertionError(f"no {probe} with {name_part}")


def edit_arg0(e, fn):
    obj = json.loads(e["arg0"])
    fn(obj["ok"])
    e["arg0"] = '{"ok":' + synth.serde(obj["ok"]) + "}"


class Diff:
    def __init__(self):
        self.truth = synth.run_events()
        self.cap = synth.clone(self.truth)

    def diff(self):
        lines, counts = truthdiff.diff(self.truth, self.cap)
        return "\n".join(lines), counts

    def fails(self, *needles):
        text, counts = self.diff()
        assert text, "diff reported no problem"
        for n in needles:
            assert n in text
        return text, counts

    def stall_case(self, shorter_ms, stall, earlier_ms=None):
        """slow_2500ms's duration `shorter_ms` shorter in the capture, which fires
        `earlier_ms` (default: as much) before the truth; `stall` (begin, end) in ns from the
        truth's done firing, in the log named by NX_E2E_GUEST_STALLS."""
        t = find(self.truth, "test-attempt-done", "slow_2500ms")
        e = find(self.cap, "test-attempt-done", "slow_2500ms")
        d = -shorter_ms * 1_000_000
        edit_arg0(e, lambda o: o.update(duration_nanos=o["duration_nanos"] + d))
        e["args"][4] += d
        e["t_ns"] -= (shorter_ms if earlier_ms is None else earlier_ms) * 1_000_000
        with tempfile.NamedTemporaryFile("w", suffix=".stalls", delete=False) as f:
            if stall:
                f.write(f"{t['t_ns'] + stall[0]} {t['t_ns'] + stall[1]}\n")
        old = os.environ.get(truthdiff.GUEST_STALLS_ENV)
        os.environ[truthdiff.GUEST_STALLS_ENV] = f.name
        try:
            return self.diff()[0]
        finally:
            os.unlink(f.name)
            if old is None:
                del os.environ[truthdiff.GUEST_STALLS_ENV]
            else:
                os.environ[truthdiff.GUEST_STALLS_ENV] = old


@pytest.fixture
def d():
    return Diff()


def test_identical_passes(d):
    text, counts = d.diff()
    assert text == ""
    assert counts["matched"] == len(d.truth)


def test_synthetic_events_are_valid(d):
    for e in d.truth:
        events.validate(e)


def test_missing_event(d):
    victim = find(d.cap, "test-attempt-done", "pass_quick")
    d.cap.remove(victim)
    text, counts = d.fails("MISSING test-attempt-done [", "basic::pass_quick] #0")
    assert counts["missing"] == 1


def test_missing_second_slow_event(d):
    slows = [e for e in d.cap if e["probe"] == "test-attempt-slow"]
    d.cap.remove(slows[1])
    d.fails("MISSING test-attempt-slow [", "slow_2500ms] #1")


def test_extra_event(d):
    dup = synth.clone([find(d.cap, "test-attempt-slow", "slow_2500ms")])[0]
    d.cap.insert(d.cap.index(find(d.cap, "test-attempt-done", "slow_2500ms")), dup)
    text, counts = d.fails("EXTRA test-attempt-slow [", "slow_2500ms] #2")
    assert counts["extra"] == 1


def test_changed_field(d):
    edit_arg0(find(d.cap, "test-attempt-done", "pass_quick"), lambda o: o.update(exit_code=1))
    d.fails("DIFFERENT test-attempt-done", "arg0.ok.exit_code: truth 0 capture 1")


def test_changed_string_field(d):
    edit_arg0(find(d.cap, "test-attempt-start", "pass_quick"),
              lambda o: o.update(args=["--exact", "basic::pass_quick"]))
    d.fails("arg0.ok.args: length truth 3 capture 2")


def test_changed_scalar_arg(d):
    e = find(d.cap, "test-attempt-done", "pass_quick")
    e["args"][3] = "fail"
    d.fails('arg4 result: truth "pass" capture "fail"')


def test_changed_pid(d):
    e = find(d.cap, "test-attempt-start", "pass_quick")
    e["args"][3] += 1
    d.fails("arg4 pid: truth 301 capture 302")


def test_changed_key_order(d):
    e = find(d.cap, "test-attempt-done", "pass_quick")
    obj = json.loads(e["arg0"])["ok"]
    keys = list(obj)
    keys[0], keys[1] = keys[1], keys[0]
    e["arg0"] = '{"ok":' + synth.serde({k: obj[k] for k in keys}) + "}"
    d.fails("key order differs")


def test_missing_key(d):
    edit_arg0(find(d.cap, "test-attempt-done", "pass_quick"), lambda o: o.pop("stderr_len"))
    d.fails("keys differ: missing ['stderr_len']")


def test_changed_escaping_slash(d):
    e = find(d.cap, "test-attempt-start", "hostile")
    assert "/" in e["arg0"]
    e["arg0"] = e["arg0"].replace("/", "\\/")  # same JSON value, different bytes
    text, _ = d.fails("arg0 bytes differ at offset")
    assert "arg0.ok" not in text  # the parsed values are equal


def test_changed_escaping_unicode(d):
    e = find(d.cap, "test-attempt-start", "hostile")
    e["arg0"] = e["arg0"].replace("é", "\\u00e9")
    d.fails("arg0 bytes differ")


def test_changed_escaping_control_case(d):
    # serde writes \u00xx with lowercase hex; an encoder writing uppercase must fail.
    e = find(d.cap, "test-attempt-start", "hostile")
    assert "\\u0001" in e["arg0"]
    t = find(d.truth, "test-attempt-start", "hostile")
    t["arg0"] = t["arg0"].replace("\\u0001", "\\u001f")
    e["arg0"] = e["arg0"].replace("\\u0001", "\\u001F")
    text, _ = d.fails("arg0 bytes differ")
    assert "arg0.ok" not in text


def test_number_formatting(d):
    e = find(d.cap, "test-attempt-done", "pass_quick")
    e["arg0"] = e["arg0"].replace('"stdout_len":120', '"stdout_len":120.0')
    d.fails("arg0.ok.stdout_len: type differs", "arg0 bytes differ")


def test_out_of_order_start_done(d):
    start = find(d.cap, "test-attempt-start", "pass_quick")
    done = find(d.cap, "test-attempt-done", "pass_quick")
    i, j = d.cap.index(start), d.cap.index(done)
    d.cap[i], d.cap[j] = done, start
    d.fails("ORDER capture: test-attempt [", "fired in order 'done start'")


def test_slow_after_done(d):
    slow = find(d.cap, "test-attempt-slow", "slow_2500ms")
    d.cap.remove(slow)
    d.cap.insert(d.cap.index(find(d.cap, "test-attempt-done", "slow_2500ms")) + 1, slow)
    d.fails("fired in order 'start slow done slow'")


def test_run_done_not_last(d):
    rd = d.cap.pop()
    d.cap.insert(len(d.cap) - 1, rd)
    d.fails("ORDER capture: run-done is event")


def test_run_start_not_first(d):
    rs = d.cap.pop(0)
    d.cap.insert(1, rs)
    d.fails("ORDER capture: run-start is event 1")


def test_setup_script_after_test_start(d):
    sd = find(d.cap, "setup-script-done", "env-ok")
    d.cap.remove(sd)
    d.cap.insert(d.cap.index(find(d.cap, "test-attempt-start", "pass_quick")) + 1, sd)
    d.fails("before a setup script finished")


def test_time_beyond_tolerance(d):
    edit_arg0(find(d.cap, "test-attempt-done", "slow_2500ms"),
              lambda o: o.update(duration_nanos=o["duration_nanos"] + 80_000_000))
    d.fails("arg0.ok.duration_nanos: truth 2501000000 capture 2581000000", "tolerance")


def test_time_scalar_beyond_tolerance(d):
    e = find(d.cap, "test-attempt-done", "pass_quick")
    e["args"][4] += 30_000_000
    d.fails("arg5 duration_nanos: truth 5123456 capture 35123456")


def test_time_within_tolerance_passes(d):
    e = find(d.cap, "test-attempt-done", "slow_2500ms")
    edit_arg0(e, lambda o: o.update(duration_nanos=o["duration_nanos"] + 40_000_000,
                                    time_to_close_fds_nanos=3_000_000))
    e["args"][4] += 40_000_000  # 40 ms < 20 ms + 2 % of 2.5 s
    text, _ = d.diff()
    assert text == ""


def test_guest_stall_between_the_clock_stops_allows_a_shorter_time(d):
    # 90 ms short: 70.02 ms tolerance, a 25 ms stall after the library's clock stopped
    assert d.stall_case(90, (-26_000_000, -1_000_000)) == ""


def test_guest_stall_covers_only_its_length(d):
    text = d.stall_case(100, (-26_000_000, -1_000_000))
    assert "guest stalls between the clock points 25.000 ms" in text


def test_guest_stall_while_both_clocks_run_does_not_count(d):
    # inside the attempt (2.5 s), but not between the two starts or the two stops
    text = d.stall_case(90, (-1_026_000_000, -1_001_000_000))
    assert "arg0.ok.duration_nanos" in text
    assert "guest stalls" not in text


def test_guest_stall_between_the_clock_starts_counts(d):
    # the capture fires with the truth: its clock started 90 ms late
    assert d.stall_case(90, (-2_490_000_000, -2_465_000_000), earlier_ms=0) == ""


def test_guest_stall_never_allows_a_longer_time(d):
    text = d.stall_case(-90, (-26_000_000, -1_000_000), earlier_ms=0)
    assert "off by +90.000 ms" in text


def test_null_vs_zero(d):
    edit_arg0(find(d.cap, "test-attempt-done", "pass_quick"),
              lambda o: o.update(time_to_close_fds_nanos=None))
    t = find(d.truth, "test-attempt-done", "pass_quick")
    edit_arg0(t, lambda o: o.update(time_to_close_fds_nanos=0))
    d.fails("arg0.ok.time_to_close_fds_nanos: null vs non-null")


def test_null_vs_zero_plain_field(d):
    edit_arg0(find(d.cap, "test-attempt-done", "pass_quick"), lambda o: o.update(exit_code=None))
    d.fails("arg0.ok.exit_code: null vs non-null: truth int 0 capture null null")


def test_bool_vs_int(d):
    edit_arg0(find(d.cap, "test-attempt-done", "pass_quick"), lambda o: o.update(leaked=0))
    d.fails("arg0.ok.leaked: type differs")


def test_string_vs_int(d):
    edit_arg0(find(d.cap, "run-start", ""), lambda o: o.update(total_tests="3"))
    d.fails("arg0.ok.total_tests: type differs")


def test_t_ns_far_off(d):
    find(d.cap, "test-attempt-start", "pass_quick")["t_ns"] += 1_000_000_000
    d.fails("t_ns: capture fired +1000.0 ms")


def test_t_ns_bound(d):
    # 200 ms: inside the old 250 ms limit, beyond the measured bound of 150 ms
    find(d.cap, "test-attempt-done", "pass_quick")["t_ns"] -= 200_000_000
    d.fails("t_ns: capture fired -200.0 ms from the truth (limit 150 ms)")


def test_t_ns_within_bound_passes(d):
    find(d.cap, "test-attempt-slow", "slow_2500ms")["t_ns"] += 140_000_000
    text, _ = d.diff()
    assert text == ""


def test_run_start_may_wait_for_the_first_child(d):
    # before 0.9.68 the library fires run-start at the first child's spawn: as late as
    # the truth's first setup-script-start / test-attempt-start + the bound, not later
    rs = find(d.cap, "run-start", "")
    first = min(e["t_ns"] for e in d.truth if e["probe"].endswith("-start") and e["probe"] != "run-start")
    for e in d.truth + d.cap:       # the first child 400 ms after run-start
        if e["probe"] != "run-start":
            e["t_ns"] += 400_000_000
    first += 400_000_000
    rs["t_ns"] = first + 100_000_000
    assert d.diff()[0] == ""
    rs["t_ns"] = first + 200_000_000
    d.fails("run-start", "t_ns: capture fired")
    rs["t_ns"] = find(d.truth, "run-start", "")["t_ns"] - 200_000_000   # never earlier
    d.fails("t_ns: capture fired -200.0 ms")


def test_slow_elapsed_is_exact(d):
    # k x period, documented exact: 1 ns off fails (the time tolerance used to pass it)
    e = find(d.cap, "test-attempt-slow", "slow_2500ms")
    edit_arg0(e, lambda o: o.update(elapsed_nanos=o["elapsed_nanos"] + 1))
    d.fails("arg0.ok.elapsed_nanos: truth 1000000000 capture 1000000001",
            "arg0 bytes differ")


def test_slow_elapsed_scalar_is_exact(d):
    find(d.cap, "test-attempt-slow", "slow_2500ms")["args"][3] += 1_000_000
    d.fails("arg4 elapsed_nanos: truth 1000000000 capture 1001000000")


def test_script_slow_elapsed_is_exact(d):
    sid = f"{synth.RUN_ID}:env-ok"
    slow = {"id": sid, "run_id": synth.RUN_ID, "script_id": "env-ok", "program": "sh",
            "args": ["scripts/setup-ok.sh"], "elapsed_nanos": 500_000_000,
            "will_terminate": False, "stress_current": None, "stress_total": None}
    for evs in (d.truth, d.cap):
        evs.insert(2, synth.ev("setup-script-slow", 1_005_000_000, slow, [sid, "env-ok", 500_000_000]))
    assert d.diff()[0] == ""
    d.cap[2]["args"][2] += 5_000_000
    edit_arg0(d.cap[2], lambda o: o.update(elapsed_nanos=505_000_000))
    d.fails("arg0.ok.elapsed_nanos: truth 500000000 capture 505000000",
            "arg3 elapsed_nanos: truth 500000000 capture 505000000")


def test_stress_elapsed_stays_measured():
    t = 5_000_000_000
    st = {"stress_sub_run_id": "r:@stress-0", "run_id": "r", "profile_name": "default",
          "stress_current": 0, "stress_total": 2, "elapsed_nanos": 7_000_000}
    truth = [synth.ev("stress-sub-run-start", t, st, ["r:@stress-0", 0])]
    cap = synth.clone(truth)
    edit_arg0(cap[0], lambda o: o.update(elapsed_nanos=9_000_000))
    lines, _ = truthdiff.diff(truth, cap)
    assert lines == []


def test_mask_times_keeps_exact_fields():
    raw = '{"ok":{"elapsed_nanos":5,"duration_nanos":7}}'
    assert truthdiff.mask_times(raw, "test-attempt-slow") == '{"ok":{"elapsed_nanos":5,"duration_nanos":T}}'
    assert truthdiff.mask_times(raw, "stress-sub-run-done") == '{"ok":{"elapsed_nanos":T,"duration_nanos":T}}'


def test_stress_bracket():
    t = 5_000_000_000
    sub = lambda probe, cur, tt: synth.ev(probe, tt, {"stress_current": cur}, [f"x:@stress-{cur}", cur])
    att = synth.attempt_events("fx-basic", "basic::pass_quick", t + 10, 400, stress=0)
    good = [sub("stress-sub-run-start", 0, t)] + att + [sub("stress-sub-run-done", 0, t + 99_000_000)]
    assert truthdiff.check_order(good, "x") == []
    bad = [sub("stress-sub-run-start", 0, t), att[0], sub("stress-sub-run-done", 0, t + 1), att[1]]
    probs = truthdiff.check_order(bad, "capture")
    assert any("outside its sub-run" in p for p in probs), probs


def test_mask_times_ignores_strings():
    raw = '{"ok":{"test_name":"x\\"duration_nanos\\":5","duration_nanos":7}}'
    assert truthdiff.mask_times(raw) == '{"ok":{"test_name":"x\\"duration_nanos\\":5","duration_nanos":T}}'


def run_cli(truth, cap):
    with tempfile.TemporaryDirectory() as d:
        tp, cp = os.path.join(d, "t.jsonl"), os.path.join(d, "c.jsonl")
        events.save(tp, truth)
        if isinstance(cap, str):
            with open(cp, "w") as f:
                f.write(cap)
        else:
            events.save(cp, cap)
        return truthdiff.main([tp, cp])


def test_exit_codes():
    truth = synth.run_events()
    assert run_cli(truth, synth.clone(truth)) == 0
    assert run_cli(truth, truth[:-1]) == 1
    assert run_cli(truth, "not json\n") == 2
    assert run_cli(truth, '{"probe":"nope","t_ns":1,"tid":1,"arg0":"","args":[]}\n') == 2


MS = 1_000_000
T0 = 1_000_000_000


def schedule(rows, threads=4):
    """A run from rows (test, [(start ms, end ms) per attempt], global_slot, group, group_slot):
    run-start (test_threads), every attempt's start and done, run-done; sorted by t_ns."""
    evs = [synth.ev("run-start", T0, {"run_id": synth.RUN_ID, "profile_name": "default",
                                      "total_tests": len(rows), "filter_count": len(rows),
                                      "test_threads": threads, "stress_count": None,
                                      "stress_infinite": False, "stress_duration_nanos": None},
                    [synth.RUN_ARG])]
    end = T0
    for n, (test, attempts, gs, grp, grs) in enumerate(rows):
        for k, (st, en) in enumerate(attempts, 1):
            att = synth.attempt_events("fx-basic", test, T0 + st * MS, 500 + n, attempt=k,
                                       total=len(attempts), duration=(en - st) * MS)
            edit_arg0(att[0], lambda ok: ok.update(global_slot=gs, group_slot=grs, test_group=grp))
            evs += att
            end = max(end, T0 + en * MS)
    evs.sort(key=lambda e: e["t_ns"])
    evs.append(synth.ev("run-done", end + MS, {"run_id": synth.RUN_ID}, [synth.RUN_ARG]))
    return evs


def set_slot(evs, test, **kw):
    for e in evs:
        if e["probe"] == "test-attempt-start" and e["args"][2] == test:
            edit_arg0(e, lambda ok: ok.update(**kw))


def slot_lines(truth, cap, group_max=None):
    lines, _ = truthdiff.diff(truth, cap, derived_slots=True, group_max=group_max)
    return [x for x in lines if x.startswith("SLOTS")], lines


class Slots:
    """nextest < 0.9.90: the shim derives the slots; the capture's values are judged by
    the smallest-free rule replayed on the truth's start/done order, exact except at ties."""

    # -j 2: a and b start together; a ends at 50 ms, c takes its slot at 60 ms; d waits
    # for b (ends 200 ms) and gets slot 1.
    ROWS = [("a", [(0, 50)], 0, None, None), ("b", [(1, 200)], 1, None, None),
            ("c", [(60, 300)], 0, None, None), ("d", [(210, 260)], 1, None, None)]

    def __init__(self):
        self.truth = schedule(self.ROWS, threads=2)
        self.cap = synth.clone(self.truth)

    def problem(self, needle):
        sl, lines = slot_lines(self.truth, self.cap)
        assert any(needle in x for x in sl), "\n".join(lines) or "no problem reported"


@pytest.fixture
def s():
    return Slots()


def test_rule_following_slots_pass(s):
    sl, lines = slot_lines(s.truth, s.cap)
    assert lines == [], "\n".join(lines)


def test_not_the_smallest_free_slot_fails(s):
    # c starts 10 ms after a freed slot 0 (no tie): slot 1 is b's, slot 2 breaks the rule
    set_slot(s.cap, "c", global_slot=2)
    s.problem("c: global_slot 2 at its start, but slot 0 was free")


def test_the_old_pairwise_check_missed_it(s):
    # what the harness checked before: only that overlapping attempts differ
    set_slot(s.cap, "c", global_slot=2)
    assert truthdiff.check_slots(s.cap) == []


def test_a_held_slot_fails(s):
    set_slot(s.cap, "d", global_slot=0)     # c holds 0 from 60 to 300 ms
    s.problem("d: global_slot 0 at its start, but fx-basic c held it then")
    s.problem("ran at the same time with global_slot 0")


def test_slot_beyond_test_threads_fails(s):
    set_slot(s.cap, "d", global_slot=2)
    s.problem("d: global_slot 2 >= test-threads 2")
    # also where the values come from the runner (0.9.90+) and are compared one by one
    set_slot(s.truth, "d", global_slot=2)
    lines, _ = truthdiff.diff(s.truth, s.cap)
    assert any("global_slot 2 >= test-threads 2" in x for x in lines), lines


def test_simultaneous_starts_may_swap(s):
    # a and b start 1 ms apart (a tie): either order is nextest's rule
    set_slot(s.cap, "a", global_slot=1)
    set_slot(s.cap, "b", global_slot=0)
    set_slot(s.cap, "c", global_slot=1)   # c then takes a's slot, 1
    set_slot(s.cap, "d", global_slot=0)   # and d b's, 0
    sl, lines = slot_lines(s.truth, s.cap)
    assert lines == [], "\n".join(lines)


def test_starts_apart_may_not_swap(s):
    rows = [("a", [(0, 50)], 0, None, None), ("b", [(20, 200)], 1, None, None),
            ("c", [(60, 300)], 0, None, None), ("d", [(210, 260)], 1, None, None)]
    s.truth = schedule(rows, threads=2)
    s.cap = synth.clone(s.truth)
    set_slot(s.cap, "a", global_slot=1)
    set_slot(s.cap, "b", global_slot=0)
    set_slot(s.cap, "c", global_slot=1)
    s.problem("a: global_slot 1 at its start, but slot 0 was free")


def test_a_done_and_a_start_at_one_instant_tie(s):
    # c starts 2 ms after a is done: within the tie window, c may get 0 or 2
    rows = [("a", [(0, 58)], 0, None, None), ("b", [(1, 200)], 1, None, None),
            ("c", [(60, 300)], 0, None, None)]
    s.truth = schedule(rows, threads=3)
    s.cap = synth.clone(s.truth)
    set_slot(s.cap, "c", global_slot=2)
    sl, lines = slot_lines(s.truth, s.cap)
    assert lines == [], "\n".join(lines)
    set_slot(s.cap, "c", global_slot=1)      # b's: surely held
    s.problem("c: global_slot 1 at its start, but fx-basic b held it then")


def test_observers_disagreeing_on_order_tie(s):
    # truth: a done 10 ms before c starts; capture: the shim saw c start first.  The
    # rule cannot decide, so both 0 (a's, freed) and 2 pass.
    rows = [("a", [(0, 50)], 0, None, None), ("b", [(1, 200)], 1, None, None),
            ("c", [(60, 300)], 0, None, None)]
    s.truth = schedule(rows, threads=3)
    s.cap = synth.clone(s.truth)
    find(s.cap, "test-attempt-done", "$a")["t_ns"] = T0 + 70 * MS
    s.cap.sort(key=lambda e: e["t_ns"])
    set_slot(s.cap, "c", global_slot=2)
    sl, lines = slot_lines(s.truth, s.cap)
    assert sl == [], "\n".join(sl)


def test_retry_keeps_its_slot(s):
    rows = [("a", [(0, 50), (60, 120)], 0, None, None), ("b", [(1, 55)], 1, None, None),
            ("c", [(58 + 10, 300)], 1, None, None)]
    s.truth = schedule(rows, threads=2)
    s.cap = synth.clone(s.truth)
    assert slot_lines(s.truth, s.cap)[1] == []
    # a's second attempt with another slot
    second = next(e for e in s.cap if e["probe"] == "test-attempt-start" and e["args"][0].endswith("#2"))
    edit_arg0(second, lambda ok: ok.update(global_slot=1))
    s.problem("a#2: slots (1, None, None) differ from the first attempt's (0, None, None)")
    # a retry holds the slot between attempts: c may not take 0 at 68 ms
    s.cap = synth.clone(s.truth)
    set_slot(s.cap, "c", global_slot=0)
    s.problem("c: global_slot 0 at its start, but fx-basic a held it then")


def test_group_slots(s):
    gm = {"pair": 2, "serial": 1}
    rows = [("p1", [(0, 100)], 0, "pair", 0), ("x", [(1, 30)], 1, None, None),
            ("p2", [(10, 150)], 2, "pair", 1), ("p3", [(120, 200)], 0, "pair", 0)]
    s.truth = schedule(rows, threads=4)
    s.cap = synth.clone(s.truth)
    sl, lines = slot_lines(s.truth, s.cap, gm)
    assert lines == [], "\n".join(lines)
    for kw, needle in ((dict(group_slot=1), "p3: group_slot 1 of group 'pair' at its start, but fx-basic p2 held it then"),
                       (dict(group_slot=2), "p3: group_slot 2 >= max-threads 2 of group 'pair'"),
                       (dict(test_group="nope"), "p3: test group 'nope' is not configured"),
                       (dict(group_slot=None), "p3: group_slot None in group 'pair' is not an integer")):
        s.cap = synth.clone(s.truth)
        set_slot(s.cap, "p3", **kw)
        sl, lines = slot_lines(s.truth, s.cap, gm)
        assert any(needle in x for x in sl), f"{needle}: " + "\n".join(lines)


def test_null_vs_slot_still_fails_when_derived(s):
    set_slot(s.cap, "a", group_slot=3)
    lines, _ = truthdiff.diff(s.truth, s.cap, derived_slots=True)
    assert any("group_slot" in x for x in lines), "\n".join(lines)


def test_values_compared_exactly_when_not_derived(s):
    set_slot(s.cap, "a", global_slot=1)
    set_slot(s.cap, "b", global_slot=0)
    lines, _ = truthdiff.diff(s.truth, s.cap)
    assert any("arg0.ok.global_slot: truth 0 capture 1" in x for x in lines), lines


def test_fixture_groups():
    import fixtures
    path = os.path.join(fixtures.WORKSPACE, ".config", "nextest.toml")
    assert truthdiff.test_groups(path) == {"serial": 1, "pair": 2}
