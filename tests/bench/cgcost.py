"""cgcost.py — what the library itself executes inside a process, from a callgrind profile.

Owns: reading a callgrind output file (format version 1, `positions: line`, one
event) and splitting out the instructions that belong to the library: the self
cost of every function in its objects (the thin object, the engine, libcjson)
plus the inclusive cost of every call those functions make into other objects,
except the calls that carry out the interposed call itself (a hook calling the
real `read`, `posix_spawnp`, `wait4`, ...): those the process makes with or
without the library.  What is left is the library's own work: its bookkeeping,
parsing, encoding, the engine's dlopen, the environment copy per spawn.
"""

import collections
import re

OURS = re.compile(r"libnextest_probes|libcjson")
_NAME = re.compile(r"\((\d+)\)\s*(.*)")


def plain(name):
    """A libc symbol's base name: `posix_spawnp@@GLIBC_2.15` and `__libc_read`
    both name the function a hook of that name interposes."""
    name = name.split("@", 1)[0]
    for prefix in ("__libc_", "__"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def parse(path):
    """(self cost per (object, function), inclusive cost per call
    (caller object, caller, callee object, callee), summary)."""
    names = {"ob": {}, "fn": {}}

    def name(kind, v):
        m = _NAME.match(v)
        if not m:
            return v
        if m.group(2):
            names[kind][m.group(1)] = m.group(2)
        return names[kind].get(m.group(1), "?")

    ob = fn = cob = cfn = None
    pending = False
    selfc, calls = collections.Counter(), collections.Counter()
    summary = None
    for line in open(path, errors="replace"):
        if line.startswith("ob="):
            ob = name("ob", line[3:].strip())
        elif line.startswith("fn="):
            fn = name("fn", line[3:].strip())
        elif line.startswith("cob="):
            cob = name("ob", line[4:].strip())
        elif line.startswith("cfn="):
            cfn = name("fn", line[4:].strip())
        elif line.startswith("calls="):
            pending = True
        elif line.startswith("summary:"):
            summary = int(line.split()[1])
        elif line[:1].isdigit() or line[:1] in ("+", "-", "*"):
            parts = line.split()
            if len(parts) < 2:
                continue
            cost = int(parts[1])
            if pending:     # the line after calls=: the call's inclusive cost
                calls[(ob, fn, cob or ob, cfn)] += cost
                pending, cob, cfn = False, None, None
            else:
                selfc[(ob, fn)] += cost
    return selfc, calls, summary


def library_cost(path, hooked):
    """Instructions the library executed in the profiled process: a dict with
    `self` (in its objects), `calls` (into other objects, the real interposed
    calls left out), `total`, `real` (the interposed calls, left out) and
    `summary` (the whole process)."""
    selfc, calls, summary = parse(path)
    hooked = {plain(h) for h in hooked}
    own = sum(v for (o, _), v in selfc.items() if o and OURS.search(o))
    out = real = 0
    for (o, _, co, cf), v in calls.items():
        if not (o and OURS.search(o)) or (co and OURS.search(co)):
            continue
        if plain(cf or "") in hooked:
            real += v
        else:
            out += v
    return {"self": own, "calls": out, "total": own + out, "real": real, "summary": summary}
