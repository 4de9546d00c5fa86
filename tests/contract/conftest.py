"""conftest (contract): the objects and files `make contract-tests`, `darwin-static-check`,
`cross-aarch64` and `contract-lld` pass (and --lib: the ELF object test_elf.py checks; --engine: the one test_engine.py checks)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def pytest_addoption(parser):
    g = parser.getgroup("contract")
    g.addoption("--arch", default="x86_64", choices=["x86_64", "aarch64"])
    g.addoption("--bpftrace", action="store_true", help="also check `bpftrace -l` (test_elf.py)")
    g.addoption("--exports", help="exports.map the dynamic symbols must match (test_elf.py)")
    g.addoption("--engine", help="libnextest_probes_engine.so (test_engine.py)")
    g.addoption("--engine-exports", dest="engine_exports",
                help="engine.map the engine's dynamic symbols must equal (test_engine.py)")
    g.addoption("--fire-all", dest="fire_all", help="fire_all executable (test_live.py)")
    g.addoption("--darwin-dir", dest="darwin_dir", help="build/darwin-check (test_darwin.py)")
    g.addoption("--export-list", dest="export_list", help="build/exports_darwin.txt (test_darwin.py)")
    g.addoption("--no-hook", dest="no_hook", default="", help="DARWIN_NO_HOOK (test_darwin.py)")
    g.addoption("--linux-only", dest="linux_only", action="append", default=[],
                help="FILE:NAME,NAME — Linux-only exports defined in FILE (test_darwin.py)")
