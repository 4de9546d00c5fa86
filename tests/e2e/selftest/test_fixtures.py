"""The fixture workspace does what tests/fixtures/README.md says, checked by running its
binaries directly (no runner): binary ids, listings, exit statuses and signals, attempt
handling, leaks, SIGTERM handling, output sizes, self-measurements, setup scripts, profiles.
"""

import os
import select
import signal
import subprocess
import tempfile
import time
import tomllib

import pytest

import fixtures

EXPECTED_IDS = {
    "fx-basic", "fx-basic::bin/fx-tool", "fx-basic::example/demo", "fx-basic::bench/fx-bench",
    "fx-basic::outcomes", "fx-basic::timing", "fx-basic::retry", "fx-basic::measure",
    "fx-hostile::names", "fx-many::many", "fx-macro",
}

HOSTILE_RUN = [
    'hostile::quote"double', "hostile::single'quote", "hostile::back\\slash\\\\double",
    "hostile::unicodé::日本語::🦀", "hostile::dollar$sign$HOME", "hostile::hash#2",
    "hostile::at@stress-1", "hostile::with space", "hostile::tab\there", "hostile::ctrl\x01char",
    "hostile::del\x7fchar", "hostile::percent%s%d%n", 'hostile::json{"ok":[1,2]}',
    "hostile::colon: test", "a::b::c::d::e::f::g::h::i::j::k::l::m::n::o::deep",
]
HOSTILE_IGNORED = ['hostile::ignored "quoted" name', 'hostile::fails "with" \\ output']

# Proc-macro test binaries link libstd dynamically: nextest puts the toolchain's target lib
# dir on LD_LIBRARY_PATH, so do the same here.
_LIBDIR = subprocess.run(["rustc", "--print", "target-libdir"], stdout=subprocess.PIPE,
                         check=True).stdout.decode().strip()
ENV = dict(os.environ, NEXTEST="1", LD_LIBRARY_PATH=_LIBDIR)
ENV.pop("NEXTEST_ATTEMPT", None)
ENV.pop("__NEXTEST_ATTEMPT", None)


def listing(path, ignored=False):
    args = [path, "--list", "--format", "terse"] + (["--ignored"] if ignored else [])
    out = subprocess.run(args, stdout=subprocess.PIPE, check=True, env=ENV).stdout.decode()
    names = []
    for line in out.split("\n")[:-1]:
        for suffix in (": test", ": benchmark"):
            if line.endswith(suffix):
                names.append(line[:-len(suffix)])
                break
        else:
            raise AssertionError(f"{path}: bad list line {line!r}")
    return names


class Built:
    def __init__(self):
        self.bins = {b["binary_id"]: b["path"] for b in fixtures.build()}

    def run_test(self, bid, name, ignored=True, env=None, timeout=30):
        args = [self.bins[bid], "--exact", name, "--nocapture"] + (["--ignored"] if ignored else [])
        return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=env or ENV, timeout=timeout)


@pytest.fixture(scope="module")
def fx():
    return Built()


def test_binary_ids(fx):
    assert set(fx.bins) == EXPECTED_IDS


def test_default_run_is_green_and_small(fx):
    total = 0
    for bid, path in fx.bins.items():
        if bid == "fx-macro":  # not a default member (needs --workspace)
            continue
        ignored = set(listing(path, True))
        for name in listing(path):
            if name in ignored:
                continue
            total += 1
            p = fx.run_test(bid, name, ignored=False)
            assert p.returncode == 0, f"{bid} {name}: {p.stderr[-500:]!r}"
            assert b"1 passed" in p.stdout, f"{bid} {name} did not run"
    assert total == 30


def test_proc_macro_needs_toolchain_libdir(fx):
    path = fx.bins["fx-macro"]
    env = dict(ENV)
    env.pop("LD_LIBRARY_PATH")
    p = subprocess.run([path, "--list", "--format", "terse"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.returncode == 127
    assert listing(path) == ["tests::macro_tokens"]
    assert fx.run_test("fx-macro", "tests::macro_tokens", ignored=False).returncode == 0


def test_default_members():
    with open(os.path.join(fixtures.WORKSPACE, "Cargo.toml"), "rb") as f:
        ws = tomllib.load(f)["workspace"]
    assert set(ws["members"]) - set(ws["default-members"]) == {"fx-macro"}


def test_everything_risky_is_ignored(fx):
    for bid in ("fx-basic::outcomes", "fx-basic::timing", "fx-basic::retry",
                "fx-basic::measure", "fx-many::many"):
        path = fx.bins[bid]
        assert listing(path) == listing(path, True), bid


def test_outcomes(fx):
    want = {"fail_assert": 101, "fail_panic": 101, "fail_exit_3": 3,
            "fail_abort": -signal.SIGABRT, "fail_segv": -signal.SIGSEGV}
    for name, code in want.items():
        assert fx.run_test("fx-basic::outcomes", name).returncode == code, name


def test_attempt_variables(fx):
    def rc(name, env):
        return fx.run_test("fx-basic::retry", name, env=dict(ENV, **env)).returncode
    assert rc("retry_flaky_once", {}) == 101
    assert rc("retry_flaky_once", {"NEXTEST_ATTEMPT": "1"}) == 101
    assert rc("retry_flaky_once", {"NEXTEST_ATTEMPT": "2"}) == 0
    assert rc("retry_flaky_once", {"__NEXTEST_ATTEMPT": "2"}) == 0
    assert rc("retry_flaky_twice", {"NEXTEST_ATTEMPT": "2"}) == 101
    assert rc("retry_flaky_twice", {"NEXTEST_ATTEMPT": "3"}) == 0
    assert rc("retry_always_fail", {"NEXTEST_ATTEMPT": "3"}) == 101


def test_ignored_tests_need_ignored_flag(fx):
    p = fx.run_test("fx-basic::outcomes", "fail_panic", ignored=False)
    assert p.returncode == 0
    assert b"1 ignored" in p.stdout


def test_leak_keeps_stdout_open(fx):
    path = fx.bins["fx-basic::timing"]
    p = subprocess.Popen([path, "--exact", "leak_grandchild", "--nocapture", "--ignored"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV)
    t0 = time.monotonic()
    assert p.wait(timeout=10) == 0
    exited = time.monotonic()
    p.stdout.read()  # EOF only when the sleeper exits too
    eof = time.monotonic()
    # the `sleep 1` grandchild holds stdout for about a second after it was spawned,
    # well past the test's own exit
    assert eof - t0 >= 0.95, "grandchild did not hold stdout open"
    assert eof - exited > 0.2, "stdout closed when the test exited"


def test_sigterm_handling(fx):
    path = fx.bins["fx-basic::timing"]
    for name, survives in (("hang_forever", False), ("hang_ignore_sigterm", True)):
        p = subprocess.Popen([path, "--exact", name, "--nocapture", "--ignored"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV)
        if survives:
            assert b"SIGTERM ignored" in p.stdout.readline() + p.stdout.readline() + p.stdout.readline()
        else:
            time.sleep(0.3)
        p.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert (p.poll() is None) == survives, name
        p.kill()
        p.wait()
        p.stdout.close()


def test_hang_threads(fx):
    path = fx.bins["fx-basic::timing"]
    p = subprocess.Popen([path, "--exact", "hang_threads", "--nocapture", "--ignored"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV)
    try:
        line = b""
        while b"threads blocked" not in line:
            r, _, _ = select.select([p.stdout], [], [], 10)
            assert r, "hang_threads never reported its threads"
            line = p.stdout.readline()
        names = set()
        for tid in os.listdir(f"/proc/{p.pid}/task"):
            with open(f"/proc/{p.pid}/task/{tid}/comm") as f:
                names.add(f.read().strip())
        assert {"fx-recv", "fx-park", "fx-sleep", "fx-condvar"} <= names, names
    finally:
        p.kill()
        p.wait()
        p.stdout.close()


def test_slow_takes_its_time(fx):
    t0 = time.monotonic()
    assert fx.run_test("fx-basic::timing", "slow_1200ms").returncode == 0
    assert time.monotonic() - t0 >= 1.2


def test_big_output(fx):
    p = fx.run_test("fx-basic::measure", "big_output_8mib")
    assert p.returncode == 0
    assert len(p.stdout) >= 8 << 20
    assert len(p.stderr) >= 64 << 10


def test_self_measurements(fx):
    def fields(name):
        p = fx.run_test("fx-basic::measure", name)
        assert p.returncode == 0, p.stderr[-500:]
        line = next(x for x in p.stdout.decode().splitlines() if x.startswith("fx-measure "))
        return dict(kv.split("=", 1) for kv in line.split()[1:])
    assert int(fields("measure_cpu_200ms")["cpu_us"]) >= 200_000
    assert int(fields("measure_mem_64mib")["maxrss_kib"]) >= 65536


def test_hostile_names(fx):
    path = fx.bins["fx-hostile::names"]
    names = listing(path)
    assert names[:len(HOSTILE_RUN)] == HOSTILE_RUN
    assert len(names) == 18
    assert len(names[len(HOSTILE_RUN)].encode()) > 600
    assert listing(path, True) == HOSTILE_IGNORED
    for n in names[:16]:
        p = fx.run_test("fx-hostile::names", n, ignored=False)
        assert p.returncode == 0, n
        assert b"1 passed" in p.stdout, n
    assert fx.run_test("fx-hostile::names", HOSTILE_IGNORED[1]).returncode == 101
    assert fx.run_test("fx-hostile::names", HOSTILE_IGNORED[0]).returncode == 0


def test_many(fx):
    names = listing(fx.bins["fx-many::many"], True)
    assert names == [f"many::t{i:04}" for i in range(1000)]


def test_bench_accepts_bench_flag(fx):
    path = fx.bins["fx-basic::bench/fx-bench"]
    out = subprocess.run([path, "--list", "--format", "terse"], stdout=subprocess.PIPE, env=ENV).stdout
    assert out == b"bench_sum: benchmark\nbench_sort: benchmark\n"
    p = subprocess.run([path, "--exact", "bench_sum", "--nocapture", "--bench"],
                       stdout=subprocess.PIPE, env=ENV)
    assert p.returncode == 0
    assert b"bench_sum: " in p.stdout


def run_script(name, *args):
    with tempfile.NamedTemporaryFile("r", prefix="nextest-env") as f:
        p = subprocess.run(["sh", f"scripts/{name}", *args], cwd=fixtures.WORKSPACE,
                           env=dict(os.environ, NEXTEST_ENV=f.name),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
        return p.returncode, f.read()


def test_ok():
    assert run_script("setup-ok.sh") == (0, "FX_SETUP_KEY=hello world\nFX_SETUP_OTHER=2\n")


def test_malformed():
    rc, text = run_script("setup-malformed.sh")
    assert rc == 0
    assert any("=" not in line for line in text.splitlines())


def test_fail():
    assert run_script("setup-fail.sh")[0] == 4


def test_reserved():
    assert run_script("setup-reserved.sh") == (0, "NEXTEST_FX_RESERVED=1\n")


def test_slow():
    t0 = time.monotonic()
    assert run_script("setup-slow.sh") == (0, "FX_SLOW_DONE=1\n")
    assert time.monotonic() - t0 >= 1.2


def test_profiles():
    with open(os.path.join(fixtures.WORKSPACE, ".config", "nextest.toml"), "rb") as f:
        cfg = tomllib.load(f)
    assert cfg["experimental"] == ["setup-scripts"]
    prof = cfg["profile"]
    assert prof["default"]["slow-timeout"] == {"period": "1s"}
    assert prof["retries"]["retries"] == 2
    assert prof["slow"]["slow-timeout"] == {"period": "500ms", "terminate-after": 2, "grace-period": "500ms"}
    assert prof["grace0"]["slow-timeout"]["grace-period"] == "0s"
    assert cfg["test-groups"] == {"serial": {"max-threads": 1}, "pair": {"max-threads": 2}}
    for name in ("stress", "groups", "scripts", "scripts-malformed", "scripts-fail", "ci"):
        assert name in prof
    scripts = cfg["scripts"]["setup"]
    for s in scripts.values():
        cmd = s["command"].split()
        assert cmd[0] == "sh"
        assert os.path.exists(os.path.join(fixtures.WORKSPACE, cmd[1])), cmd
    for p in prof.values():
        for rule in p.get("scripts", []):
            for sid in [rule["setup"]] if isinstance(rule["setup"], str) else rule["setup"]:
                assert sid in scripts
