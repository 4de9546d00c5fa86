"""tests/contract/test_darwin.py — the macOS build path, checked on Linux (darwin.mk says
what each part proves).

Usage: pytest tests/contract/test_darwin.py --darwin-dir build/darwin-check
       --export-list build/exports_darwin.txt --no-hook "NAMES" [--linux-only FILE:NAMES]
"""
import os
import re
import subprocess

import darwin_interpose_check
import darwin_mock_run
import darwin_static
from pytest_helpers import need_option as need, no_problems

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
HOOK = os.path.join(REPO, "preload", "thin", "hook")
PROBE = os.path.join(REPO, "preload", "thin", "probe")


def linux_only_names(config):
    return [n for spec in config.getoption("linux_only") for n in spec.split(":", 1)[1].split(",")]


def test_static_tables(pytestconfig):
    problems, summary = darwin_static.verify(
        os.path.join(PROBE, "probes.h"), os.path.join(PROBE, "nextest_probes.d"),
        os.path.join(HOOK, "exports.map"), os.path.join(HOOK, "interpose_darwin.c"),
        os.path.join(HOOK, "hooks.c"), need(pytestconfig, "export_list"),
        pytestconfig.getoption("no_hook").split(), pytestconfig.getoption("linux_only"))
    no_problems(problems)
    print(summary)


def test_dtrace_build_has_no_notes_or_semaphores(pytestconfig):
    obj = os.path.join(need(pytestconfig, "darwin_dir"), "probes.o")
    sections = subprocess.run(["readelf", "-S", "-W", obj], capture_output=True, text=True, check=True).stdout
    symbols = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    assert not re.search(r"note\.stapsdt|\.probes", sections), "the DTrace build of probes.c has notes"
    assert "__usdt_sema_" not in symbols, "the DTrace build of probes.c has semaphores"


def test_mock_dtrace_run(pytestconfig):
    problems, summary = darwin_mock_run.verify(os.path.join(need(pytestconfig, "darwin_dir"), "fire-all-dtrace"))
    no_problems(problems)
    print(summary)


def test_interpose_table(pytestconfig):
    d = need(pytestconfig, "darwin_dir")
    problems, summary = darwin_interpose_check.verify(
        os.path.join(d, "interpose_tu.o"), os.path.join(d, "interpose-check"),
        os.path.join(HOOK, "exports.map"), os.path.join(HOOK, "interpose_darwin.c"),
        linux_only_names(pytestconfig))
    no_problems(problems)
    print(summary)
