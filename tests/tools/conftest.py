"""conftest (tools): what `make tools-tests` and `make docs-examples` pass besides --build,
--sim (test_tools.py), --lib and --nextest (a directory holding a private cargo-nextest:
test_docs_examples.py), and the groups of test_tools.py as markers."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

GROUPS = ("converter", "capture", "compile", "command", "scripts", "examples", "usability",
          "native", "perfetto", "top")


def pytest_addoption(parser):
    g = parser.getgroup("tools")
    g.addoption("--root", help="the repository (default: the one holding this file)")
    g.addoption("--target-dir", dest="target_dir", help="the fixtures' CARGO_TARGET_DIR (test_docs_examples.py)")
    g.addoption("--all", dest="all_examples", action="store_true",
                help="also the slow examples (test_docs_examples.py)")


def pytest_configure(config):
    for g in GROUPS:
        config.addinivalue_line("markers", f"{g}: test_tools.py group {g}")
