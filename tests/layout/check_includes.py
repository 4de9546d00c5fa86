#!/usr/bin/env python3
"""check_includes.py — the include graph of preload/ points one way.

Owns: reading every `#include "…"` of preload/ and failing on
  - a cycle between files: a file and its header are one unit (x.c and x.h
    are "x"); x depends on y when x.c or x.h includes y.h;
  - an include against the stage order (STAGE_ORDER, LEAVES, SHARED below:
    the rules are stated there and nowhere else);
  - an include across the boundary of the two objects (thin/ ↔ engine/)
    that does not name one of the boundary headers (BOUNDARY).

Usage: check_includes.py [PRELOAD_DIR]   (default: preload)
Prints one line per problem and exits 1, or one summary line and exits 0.
"""
import os
import re
import sys

# ---- the rules ---------------------------------------------------------

# The stages an event passes, in the direction includes may point: a file
# may include the headers of its own folder and of any folder after its own.
# "engine" is the engine's own entry (the callbacks the hooks call).
STAGE_ORDER = [
    "thin/hook",
    "engine",
    "engine/observe",
    "engine/model",
    "engine/extras",
    "engine/encode",
    "thin/probe",
]

# Leaves: every stage may include them; they include only what is listed.
LEAVES = {
    "engine/config": {"engine/parse"},
    "engine/parse": set(),
}

# Headers any folder may include whatever its place: the clock, the process
# role, the capture-pipe types, the interface between the two objects and the
# quick tests on a spawn's argv/envp (thin/hook, header-only inline, so the
# engine asks the same question without linking thin code); the event structs
# every stage passes on and the bounded buffer (engine/encode).
SHARED = {"clock.h", "role.h", "pipes.h", "bridge.h", "nxchild.h", "events.h", "buf.h"}

# The headers an include from thin/ into engine/ (or back) may name: the
# engine's entry points the hooks call, the probe sites the engine calls, and
# SHARED.
BOUNDARY = SHARED | {
    # engine entry points called from thin/hook
    "attempts.h", "cargo.h", "children.h", "classify.h", "run.h", "streams.h", "runcfg.h",
    "extras.h", "crash.h",
    # the probe sites, called from the engine
    "probes.h", "xprobes.h",
}

# Includes allowed against these rules, each with its reason.  An exception
# that no longer matches an include is reported too, so the list only shrinks.
# (Empty since the probe sites no longer build arg0: engine/encode/fire.c does.)
EXCEPTIONS = set()

# Headers generated at build time (not in the tree).
GENERATED = {"nextest_probes_dtrace.h"}

# ---- the graph ---------------------------------------------------------

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def scan(root):
    """{unit: folder}, {header: unit}, [(unit, header, file)] of root."""
    units, headers, includes = {}, {}, []
    for dirpath, _, files in os.walk(root):
        folder = os.path.relpath(dirpath, root)
        if folder == ".":
            continue
        for name in sorted(files):
            stem, ext = os.path.splitext(name)
            if ext not in (".c", ".h"):
                continue
            unit = f"{folder}/{stem}"
            units[unit] = folder
            if ext == ".h":
                if name in headers:
                    raise SystemExit(f"check_includes: two headers named {name}: "
                                     f"{headers[name]}.h and {unit}.h")
                headers[name] = unit
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                for inc in INCLUDE.findall(f.read()):
                    includes.append((unit, inc, f"{folder}/{name}"))
    return units, headers, includes


def allowed(src, dst, header):
    """Is an include of header (in folder dst) from folder src allowed?"""
    if src == dst:
        return True
    if src.split("/")[0] != dst.split("/")[0] and header not in BOUNDARY:
        return False
    if header in SHARED:
        return True
    if dst in LEAVES:
        return src not in LEAVES or dst in LEAVES[src]
    if src in LEAVES:
        return False
    return STAGE_ORDER.index(src) < STAGE_ORDER.index(dst)


def cycles(edges):
    """Strongly connected components of more than one unit (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def one_cycle(edges, comp):
    """A shortest path from comp[0] back to itself inside comp."""
    start, inside = comp[0], set(comp)
    prev, queue = {}, [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges.get(v, ())):
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(prev[path[-1]])
                return [start] + path[::-1][1:] + [start] if v != start else [start, start]
            if w in inside and w not in prev and w != start:
                prev[w] = v
                queue.append(w)
    return comp


def check(root):
    """The problems of the tree at root, one string each; and the counts."""
    units, headers, includes = scan(root)
    problems, edges, used = [], {}, set()
    for unit, inc, path in includes:
        name = os.path.basename(inc)
        if name in GENERATED:
            continue
        target = headers.get(name)
        if target is None:
            problems.append(f"{path}: includes \"{inc}\", which is not in {root}")
            continue
        src, dst = units[unit], units[target]
        if target != unit:
            edges.setdefault(unit, set()).add(target)
        if STAGE_ORDER.count(src) + (src in LEAVES) == 0:
            problems.append(f"{path}: folder {src} has no place in the stage order")
        elif STAGE_ORDER.count(dst) + (dst in LEAVES) == 0:
            problems.append(f"{path}: includes {target}.h, whose folder has no place "
                            f"in the stage order")
        elif (path, name) in EXCEPTIONS:
            used.add((path, name))
        elif not allowed(src, dst, name):
            problems.append(f"{path}: includes {target}.h: {src} -> {dst} points "
                            f"against the stage order")
    for path, name in sorted(EXCEPTIONS - used):
        problems.append(f"{path}: no longer includes {name}: remove the exception")
    for comp in cycles(edges):
        problems.append("include cycle: " + " -> ".join(one_cycle(edges, comp)) +
                        f" (units in the cycle: {', '.join(comp)})")
    return problems, len(units), sum(len(v) for v in edges.values())


def main(argv):
    root = argv[1] if len(argv) > 1 else "preload"
    problems, nunits, nedges = check(root)
    for p in problems:
        print(p)
    if problems:
        print(f"check_includes: {len(problems)} problems in {root}")
        return 1
    print(f"check_includes: {nunits} units, {nedges} dependencies, no cycle, "
          f"all along the stage order")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
