"""test_cgcost.py — the callgrind reader of the bench's cost estimate (cgcost.py).

Owns: checking, on a made-up profile in callgrind's own format (name
compression, relative positions, calls into other objects), that the library's
work is its functions' self cost plus what they call, without the interposed
real calls and without anyone else's functions.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cgcost  # noqa: E402

PROFILE = """# callgrind format
version: 1
creator: callgrind-3.24.0
cmd:  cargo-nextest nextest run
positions: line
events: Ir
summary: 100000

ob=(1) /usr/bin/cargo-nextest
fl=(1) main.rs
fn=(1) main
10 5000
cob=(2) /opt/lib/libnextest_probes.so
cfi=(2) hooks.c
cfn=(2) read
calls=3 20
+2 900

ob=(2)
fl=(2)
fn=(2)
20 300
cob=(3) /usr/lib/x86_64-linux-gnu/libc.so.6
cfi=(3) read.c
cfn=(3) __libc_read
calls=3 7
* 450
+1 30
cfn=(4) parse_line
calls=1 40
* 70

fn=(4)
40 60
-1 10
cob=(3)
cfi=(4) memchr.S
cfn=(5) __memchr_avx2
calls=2 1
* 25

ob=(4) /opt/lib/libnextest_probes_engine.so
fl=(5) enc.c
fn=(6) encode
5 400
cob=(3)
cfn=(7) posix_spawnp@@GLIBC_2.15
calls=1 1
* 1000

ob=(3)
fl=(3)
fn=(3)
7 450
"""


def write(tmp_path):
    p = tmp_path / "cg.out"
    p.write_text(PROFILE)
    return str(p)


def test_parse_self_and_calls(tmp_path):
    selfc, calls, summary = cgcost.parse(write(tmp_path))
    assert summary == 100000
    assert selfc[("/opt/lib/libnextest_probes.so", "read")] == 330
    assert selfc[("/opt/lib/libnextest_probes.so", "parse_line")] == 70       # 60 + 10
    assert selfc[("/usr/bin/cargo-nextest", "main")] == 5000                  # not the call's 900
    assert calls[("/usr/bin/cargo-nextest", "main", "/opt/lib/libnextest_probes.so", "read")] == 900
    assert calls[("/opt/lib/libnextest_probes.so", "parse_line",
                  "/usr/lib/x86_64-linux-gnu/libc.so.6", "__memchr_avx2")] == 25
    # a call within the object (no cob=): the caller's object
    assert calls[("/opt/lib/libnextest_probes.so", "read", "/opt/lib/libnextest_probes.so", "parse_line")] == 70


def test_library_cost_leaves_out_the_real_calls(tmp_path):
    c = cgcost.library_cost(write(tmp_path), ["read", "posix_spawnp"])
    # self: read 330 + parse_line 70 + encode 400; calls out: memchr 25
    assert c["self"] == 800
    assert c["calls"] == 25
    assert c["total"] == 825
    # the real read (via __libc_read) and the real posix_spawnp are the runner's own
    assert c["real"] == 1450


def test_a_call_that_is_not_interposed_counts(tmp_path):
    c = cgcost.library_cost(write(tmp_path), ["read"])
    assert c["calls"] == 1025          # posix_spawnp is now the library's own call
    assert c["real"] == 450


def test_plain_names():
    assert cgcost.plain("posix_spawnp@@GLIBC_2.15") == "posix_spawnp"
    assert cgcost.plain("__libc_read") == "read"
    assert cgcost.plain("__read") == "read"
    assert cgcost.plain("write") == "write"
