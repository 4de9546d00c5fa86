"""nextest_script: what `nextest-probes trace` does to a bpftrace program before bpftrace sees it.

Owns: finding the program's real code (outside comments and strings), checking every
`usdt:$1:<provider>:<probe>` it names against the probes the object really has, pointing
nextest's probes at the chosen source (the library, the runner's native probes, or both),
and adding the two lines the wrapper needs: a ready marker at the start of the program's
BEGIN block and a "did anything fire" flag printed at the start of its END block.  Lines
are only added after the last one, so bpftrace's line numbers stay the user's.

Usage (stdlib only; called by nextest-probes):
  nextest_script.py prepare SRC DST --shown NAME --lib-notes F [--runner-notes F]
                    [--source shim|native|both] [--runner-param N] [--marker M]
  nextest_script.py probes SRC        the usdt attach points SRC names, one a line
Exit status: 0, or 5 with the reasons on stderr when a probe does not exist.
"""

import argparse
import fnmatch
import re
import sys

TEN = ["run-start", "run-done", "test-attempt-start", "test-attempt-done", "test-attempt-slow",
       "setup-script-start", "setup-script-slow", "setup-script-done",
       "stress-sub-run-start", "stress-sub-run-done"]

FIRED_MAP = "@__nextest_probes_fired"


def code_only(text):
    """`text` with comments and string literals replaced by spaces (newlines kept), so that
    positions in the result are positions in `text`."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"' and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
        elif c == "#" and (i == 0 or text[i - 1] == "\n"):   # shebang, #include, #define
            j = text.find("\n", i)
            j = n if j < 0 else j
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


# usdt:<path>:<provider>:<probe>; path may be $N, a quoted string is not allowed by bpftrace
USDT = re.compile(r"\busdt:([^:\s,{]+):([A-Za-z_][A-Za-z0-9_]*):([A-Za-z0-9_*?\-\[\]]+)")


def attach_points(code):
    return [(m.start(), m.end(), m.group(1), m.group(2), m.group(3)) for m in USDT.finditer(code)]


def block_open(code, name):
    """Position just after the `{` of the block of probe `name` (BEGIN or END), or None."""
    m = re.search(r"(?<![\w:$@])" + name + r"(?![\w:])\s*(?:/[^/]*/\s*)?\{", code)
    return m.end() if m else None


def read_notes(path):
    """provider:name lines -> set of (provider, name)."""
    out = set()
    if not path:
        return out
    with open(path) as f:
        for line in f:
            line = line.strip()
            if ":" in line:
                p, n = line.split(":", 1)
                out.add((p, n))
    return out


def prepare(opts):
    text = open(opts.src, encoding="utf-8", errors="surrogateescape").read()
    code = code_only(text)
    lib = read_notes(opts.lib_notes)
    runner = read_notes(opts.runner_notes)
    errors = []
    edits = []          # (start, end, replacement)
    nextest_sources = {"shim": ["$1"], "native": [f"${opts.runner_param}"],
                       "both": ["$1", f"${opts.runner_param}"]}[opts.source]
    for start, end, path, provider, probe in attach_points(code):
        if path != "$1":
            continue
        if provider == "nextest" and opts.source != "shim":
            have, where = runner, opts.runner_name
            if opts.source == "both":
                have = lib | runner
                where = f"{opts.lib_name} or {opts.runner_name}"
        else:
            have, where = lib, opts.lib_name
        names = sorted(n for p, n in have if p == provider)
        if not any(fnmatch.fnmatchcase(n, probe) for n in names):
            line = text.count("\n", 0, start) + 1
            if names:
                errors.append(f"{opts.shown}:{line}: probe {provider}:{probe} is not in {where}; "
                              f"its {provider} probes are: {', '.join(names)}")
            else:
                providers = sorted({p for p, _n in have})
                errors.append(f"{opts.shown}:{line}: {where} has no provider '{provider}'"
                              + (f" (it has: {', '.join(providers)})" if providers else ""))
            continue
        if provider == "nextest" and nextest_sources != ["$1"]:
            edits.append((start, end, ", ".join(f"usdt:{s}:nextest:{probe}" for s in nextest_sources)))
    if errors:
        sys.stderr.write("\n".join(errors) + "\n")
        return 5
    # The flag: any probe of the chosen sources fired (run-start is the first of every run).
    fired = " ".join(f"usdt:{s}:nextest:run-start {{ {FIRED_MAP} = 1; }}" for s in nextest_sources)
    begin, end = block_open(code, "BEGIN"), block_open(code, "END")
    if begin is not None:
        edits.append((begin, begin, f' printf("{opts.marker}\\n");'))
    if end is not None:
        edits.append((end, end, f' printf("{opts.marker}_FIRED %d\\n", {FIRED_MAP}); clear({FIRED_MAP});'))
    for s, e, rep in sorted(edits, reverse=True):
        text = text[:s] + rep + text[e:]
    tail = []
    if begin is None:
        tail.append(f'BEGIN {{ printf("{opts.marker}\\n"); }}')
    if end is None:
        tail.append(f'END {{ printf("{opts.marker}_FIRED %d\\n", {FIRED_MAP}); clear({FIRED_MAP}); }}')
    # appended after the last line: no line is added before any of the user's
    text = text.rstrip("\n") + "\n" + " ".join(tail + [fired]) + "\n"
    with open(opts.dst, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text)
    return 0


def main(argv):
    ap = argparse.ArgumentParser(prog="nextest_script.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("src")
    p.add_argument("dst")
    p.add_argument("--shown", required=True, help="the script's name as the user gave it")
    p.add_argument("--lib-notes", required=True)
    p.add_argument("--lib-name", default="the library")
    p.add_argument("--runner-notes")
    p.add_argument("--runner-name", default="the runner")
    p.add_argument("--source", choices=["shim", "native", "both"], default="shim")
    p.add_argument("--runner-param", type=int, default=2)
    p.add_argument("--marker", default="@@NEXTEST_PROBES_READY@@")
    q = sub.add_parser("probes")
    q.add_argument("src")
    opts = ap.parse_args(argv[1:])
    if opts.cmd == "probes":
        code = code_only(open(opts.src).read())
        for _s, _e, path, provider, probe in attach_points(code):
            print(f"usdt:{path}:{provider}:{probe}")
        return 0
    return prepare(opts)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
