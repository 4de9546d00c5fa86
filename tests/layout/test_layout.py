"""test_layout.py — the include rules of check_includes.py, on small trees
made for each rule and on preload/ itself.

Owns: one test per rule that builds a tree breaking it and asserts the
checker names the break; a tree that keeps every rule must pass; the real
tree must pass."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import check_includes  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "preload")


def tree(tmp_path, files):
    """files: {"folder/name": [included headers]}; returns the tree's root."""
    for path, includes in files.items():
        p = tmp_path / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("".join(f'#include "{h}"\n' for h in includes) + "int x;\n")
    return str(tmp_path)


# Every folder, each file including only headers its rules allow.
GOOD = {
    "thin/hook/hooks.c": ["hooks.h", "attempts.h", "streams.h", "clock.h"],
    "thin/hook/hooks.h": [],
    "thin/hook/clock.h": [],
    "thin/probe/probes.c": ["probes.h", "encode.h", "buf.h"],
    "thin/probe/probes.h": ["events.h"],
    "engine/observe/streams.c": ["streams.h", "attempts.h", "run.h", "reporter.h", "clock.h"],
    "engine/observe/streams.h": [],
    "engine/model/attempts.c": ["attempts.h", "run.h", "runcfg.h", "probes.h", "extras.h"],
    "engine/model/attempts.h": [],
    "engine/model/run.c": ["run.h", "config.h", "probes.h"],
    "engine/model/run.h": [],
    "engine/extras/extras.h": ["events.h", "probes.h"],
    "engine/extras/core.c": ["extras.h", "encode.h"],
    "engine/encode/encode.c": ["encode.h"],
    "engine/encode/encode.h": ["events.h", "buf.h"],
    "engine/encode/buf.h": [],
    "engine/encode/fire.c": ["encode.h", "probes.h"],
    "engine/encode/events.h": [],
    "engine/config/config.c": ["config.h", "reporter.h"],
    "engine/config/config.h": [],
    "engine/config/runcfg.c": ["runcfg.h", "config.h"],
    "engine/config/runcfg.h": [],
    "engine/parse/reporter.c": ["reporter.h"],
    "engine/parse/reporter.h": [],
}


def with_(changes):
    files = {k: list(v) for k, v in GOOD.items()}
    for path, includes in changes.items():
        files.setdefault(path, []).extend(includes)
    return files


def test_a_tree_that_keeps_the_rules_passes(tmp_path):
    problems, units, edges = check_includes.check(tree(tmp_path, GOOD))
    assert problems == []
    assert units == 15 and edges > 10


@pytest.mark.parametrize("changes, expected", [
    # model -> observe: against the stage order
    ({"engine/model/run.c": ["streams.h"]}, "engine/model -> engine/observe points against"),
    # probe -> extras: against the stage order
    ({"thin/probe/probes.c": ["extras.h"]}, "thin/probe -> engine/extras points against"),
    # probe -> encode, except where an exception names the include
    ({"thin/probe/probes.h": ["encode.h"]}, "thin/probe -> engine/encode points against"),
    # a leaf calling a stage
    ({"engine/config/config.c": ["attempts.h"]}, "engine/config -> engine/model points against"),
    # parse is a leaf of leaves
    ({"engine/parse/reporter.c": ["config.h"]}, "engine/parse -> engine/config points against"),
    # thin -> engine through a header that is not on the boundary
    ({"thin/hook/hooks.c": ["config.h"]}, "thin/hook -> engine/config points against"),
    # engine -> thin/hook through a header that is not shared
    ({"engine/model/run.c": ["hooks.h"]}, "engine/model -> thin/hook points against"),
    # an include that names no header of the tree
    ({"engine/model/run.c": ["nowhere.h"]}, "which is not in"),
])
def test_a_broken_rule_is_named(tmp_path, changes, expected):
    problems, _, _ = check_includes.check(tree(tmp_path, with_(changes)))
    # the include itself; a backward include also closes a cycle, named after it
    assert problems and expected in problems[0], problems
    assert all(p.startswith("include cycle: ") for p in problems[1:]), problems


def test_a_cycle_is_named_with_its_path(tmp_path):
    files = with_({"engine/model/run.c": ["attempts.h"]})	# attempts -> run -> attempts
    problems, _, _ = check_includes.check(tree(tmp_path, files))
    assert problems == ["include cycle: engine/model/attempts -> engine/model/run -> "
                        "engine/model/attempts (units in the cycle: engine/model/attempts, "
                        "engine/model/run)"]


def test_a_cycle_through_a_header_counts(tmp_path):
    files = with_({"engine/model/attempts.h": ["run.h"], "engine/model/run.h": ["attempts.h"]})
    problems, _, _ = check_includes.check(tree(tmp_path, files))
    assert len(problems) == 1 and problems[0].startswith("include cycle: ")


def test_a_folder_outside_the_order_is_named(tmp_path):
    files = with_({"engine/misc/x.c": ["run.h"]})
    problems, _, _ = check_includes.check(tree(tmp_path, files))
    assert problems == ["engine/misc/x.c: folder engine/misc has no place in the stage order"]


def test_an_exception_no_longer_needed_is_named(tmp_path):
    files = {k: [h for h in v if h != "encode.h" or not k.startswith("thin/")]
             for k, v in GOOD.items()}
    problems, _, _ = check_includes.check(tree(tmp_path, files))
    assert problems == ["thin/probe/probes.c: no longer includes encode.h: remove the exception"]


def test_a_leaf_may_use_the_shared_buffer(tmp_path):
    files = with_({"engine/parse/reporter.c": ["buf.h"]})
    problems, _, _ = check_includes.check(tree(tmp_path, files))
    assert problems == []


def test_preload_keeps_the_rules():
    problems, units, edges = check_includes.check(ROOT)
    assert problems == []
    assert units > 40 and edges > 80
