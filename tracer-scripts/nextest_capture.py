"""nextest_capture: whole-argument capture of nextest's ten USDT probes with bpftrace 0.17.

Owns: the bpftrace program that prints every firing of the ten probes with all of its
arguments (strings read whole, past bpftrace 0.17's 200-byte `str()` limit), and the
streaming parser that turns that output back into event lines (docs/event-format.md),
one firing at a time, as soon as the firing is complete.  Used by `nextest-probes
perfetto` and `nextest-probes capture`; stdlib only, installed next to the scripts.

Output format of the program (one line each, fields separated by one space):
  H <probe> <tid> <seq> <nsecs> <pointer of each string arg, hex> <int args, decimal>
  D <tid> <seq> <arg index> <line index> <WORDS 8-byte words, hex>
  E <tid> <seq>
`seq` is a per-thread firing counter (@n[tid]); one probe block prints all lines of a
firing, so (tid, seq) keys them even when CPUs' output interleaves.  One block per probe
keeps attach and detach fast (bpftrace 0.17 detaches each block separately, ~0.1 s each).
Strings are read as aligned 8-byte words (an aligned word never crosses a page) in a
bounded `while` loop (kernel >= 5.3): a line of WORDS words is printed only while no NUL
byte has been seen yet in that string, so a short string costs one line.  A loop rather
than `unroll()`: the unrolled program took bpftrace ~5 s of CPU to compile, the loop ~0.8 s
(docs/performance.md, "Tracer start-up").  A string longer than
max_len(arg) is cut and the event carries "truncated": [arg indices].
"""

import sys

WORDS = 8                   # words per D line (BPF stack variables; 24 overflow it in a loop,
                            # and fewer words per line compile faster: 8 -> 0.8 s CPU, 16 -> 1.2 s)
ARG0_LINES = 72             # arg0 (JSON): 72 * 8 * 8 = 4608 bytes read
STR_LINES = 12              # other strings: 768 bytes read
MASK = "0xfffffffffffffff8"

# probe -> [(arg name, kind)] for arg1.. ; kind "str", "u32" or "u64" (nextest-runner/src/usdt.rs)
PROBE_ARGS = {
    "test-attempt-start": [("attempt_id", "str"), ("binary_id", "str"), ("test_name", "str"), ("pid", "u32")],
    "test-attempt-done": [("attempt_id", "str"), ("binary_id", "str"), ("test_name", "str"),
                          ("result", "str"), ("duration_nanos", "u64")],
    "test-attempt-slow": [("attempt_id", "str"), ("binary_id", "str"), ("test_name", "str"),
                          ("elapsed_nanos", "u64")],
    "setup-script-start": [("id", "str"), ("script_id", "str"), ("pid", "u32")],
    "setup-script-slow": [("id", "str"), ("script_id", "str"), ("elapsed_nanos", "u64")],
    "setup-script-done": [("id", "str"), ("script_id", "str"), ("result", "str"), ("duration_nanos", "u64")],
    "run-start": [("run_id", "str")],
    "run-done": [("run_id", "str")],
    "stress-sub-run-start": [("stress_sub_run_id", "str"), ("stress_current", "u32")],
    "stress-sub-run-done": [("stress_sub_run_id", "str"), ("stress_current", "u32")],
}


def string_args(probe):
    return [0] + [i for i, (_n, k) in enumerate(PROBE_ARGS[probe], 1) if k == "str"]


def int_args(probe):
    return [(i, k) for i, (_n, k) in enumerate(PROBE_ARGS[probe], 1) if k != "str"]


def lines_for(arg):
    return ARG0_LINES if arg == 0 else STR_LINES


def max_len(arg):
    """Longest string (without its NUL) always read whole: worst case 7 bytes of misalignment."""
    return lines_for(arg) * WORDS * 8 - 8


def _haszero(v):
    return f"((({v} - 0x0101010101010101) & ~{v}) & 0x8080808080808080)"


def _string_lines(arg):
    """Statements printing the D lines of string argument `arg`: an unrolled loop over its
    lines, ending once a line holds the terminating NUL (`$more` cleared)."""
    words = " ".join(f"$w{j} = *(uint64 *)($b + {8 * j});" for j in range(WORDS))
    z = " | ".join(_haszero(f"$w{j}") for j in range(WORDS))
    fmt = " ".join(["D", "%d", "%lu", str(arg), "%d"] + ["%016lx"] * WORDS)
    vals = ", ".join(["tid", "@n[tid]", "$k"] + [f"$w{j}" for j in range(WORDS)])
    return (f"$k = 0; $more = 1; $b = arg{arg} & {MASK}; "
            f"while ($more && $k < {lines_for(arg)}) {{ {words} "
            # bytes before the pointer are not part of the string: never a NUL
            f"if ($k == 0) {{ $w0 = $w0 | ((1 << ((arg{arg} & 7) * 8)) - 1); }} "
            f"if (({z}) != 0) {{ $more = 0; }} "
            f'printf("{fmt}\\n", {vals}); $k = $k + 1; $b = $b + {8 * WORDS}; }}')


def program(lib, probes=None, ready="READY", root=None):
    """The bpftrace program attaching every probe (or `probes`) of the ELF file `lib`
    (a path, or '$1' to take it from bpftrace's first positional parameter; a list of
    them attaches each probe in every one).
    One block per probe, so attaching and detaching stay fast.
    `root` (a pid, or '$N'): only firings of that process and its descendants are kept —
    a probe attached by path fires in every process on the machine that maps the object
    (another user's run of the same cargo-nextest, say).  Descendants are followed with
    sched_process_fork from BEGIN on (the fork tracepoint fires in the parent before the
    child runs, so none is missed)."""
    libs = [lib] if isinstance(lib, str) else list(lib)
    pred = ""
    if root is None:
        out = [f'BEGIN {{ printf("{ready}\\n"); }}']
    else:
        pred = " /@ours[pid]/"
        out = [f'BEGIN {{ @ours[{root}] = 1; printf("{ready}\\n"); }}',
               "tracepoint:sched:sched_process_fork /@ours[pid]/ { @ours[args->child_pid] = 1; }",
               "tracepoint:sched:sched_process_exit /@ours[tid]/ { delete(@ours[tid]); }"]
    for probe in probes or PROBE_ARGS:
        ptrs, ints = string_args(probe), int_args(probe)
        fmt = " ".join(["H", probe, "%d", "%lu", "%lu"] + ["%lx"] * len(ptrs) +
                       ["%u" if k == "u32" else "%lu" for _i, k in ints])
        vals = ["tid", "@n[tid]", "nsecs"] + [f"arg{i}" for i in ptrs] + [f"arg{i}" for i, _k in ints]
        body = [f'@n[tid] = @n[tid] + 1; printf("{fmt}\\n", {", ".join(vals)});']
        body += [_string_lines(arg) for arg in ptrs]
        body.append('printf("E %d %lu\\n", tid, @n[tid]);')
        spec = ", ".join(f"usdt:{l}:nextest:{probe}" for l in libs)
        out.append(f"{spec}{pred} {{\n  " + "\n  ".join(body) + "\n}")
    out.append('END { clear(@n); ' + ("clear(@ours); " if root is not None else "") + 'printf("END\\n"); }')
    return "\n".join(out) + "\n"


class Parser:
    """Feed bpftrace output lines; complete firings come out as event-line dicts.

    Unknown lines (bpftrace's own messages, "Lost N events") are kept in `self.notes`.
    """

    def __init__(self):
        self.heads = {}     # (tid, seq) -> (probe, t_ns, ptrs, ints)
        self.data = {}      # (tid, seq) -> {(arg, line): [words]}
        self.notes = []
        self.lost = 0
        self.ended = False
        self.malformed = 0

    def feed(self, line):
        """Returns a list of completed events (0 or 1) for one output line."""
        line = line.rstrip("\n")
        parts = line.split(" ")
        try:
            if parts[0] == "H" and len(parts) >= 6 and parts[1] in PROBE_ARGS:
                probe = parts[1]
                tid, seq, t_ns = int(parts[2]), int(parts[3]), int(parts[4])
                n = len(string_args(probe))
                ptrs = [int(x, 16) for x in parts[5:5 + n]]
                ints = [int(x) for x in parts[5 + n:]]
                if len(ptrs) != n or len(ints) != len(int_args(probe)):
                    raise ValueError
                self.heads[(tid, seq)] = (probe, t_ns, ptrs, ints)
                self.data[(tid, seq)] = {}
                return []
            if parts[0] == "D" and len(parts) == 5 + WORDS:
                tid, seq, arg, idx = (int(x) for x in parts[1:5])
                self.data.setdefault((tid, seq), {})[(arg, idx)] = [int(x, 16) for x in parts[5:]]
                return []
            if parts[0] == "E" and len(parts) == 3:
                key = (int(parts[1]), int(parts[2]))
                ev = self._assemble(key)
                return [ev] if ev else []
        except ValueError:
            self.malformed += 1
            self.notes.append(line)
            return []
        if line == "END":
            self.ended = True
        elif line.startswith("Lost ") and line.endswith(" events"):
            try:
                self.lost += int(line.split(" ")[1])
            except ValueError:
                pass
            self.notes.append(line)
        elif line and line != "READY" and not line.startswith("Attaching "):
            self.notes.append(line)
        return []

    def _string(self, words, ptr, arg):
        raw = b"".join(w.to_bytes(8, "little") for w in words)[ptr & 7:]
        end = raw.find(b"\0")
        if end < 0:
            return raw.decode("utf-8", "replace"), True
        return raw[:end].decode("utf-8", "replace"), False

    def _assemble(self, key):
        head = self.heads.pop(key, None)
        data = self.data.pop(key, {})
        if head is None:
            self.malformed += 1
            return None
        probe, t_ns, ptrs, ints = head
        strings, truncated = [], []
        for arg, ptr in zip(string_args(probe), ptrs):
            words = []
            for idx in range(lines_for(arg)):
                w = data.get((arg, idx))
                if w is None:
                    break
                words += w
            s, cut = ("", False) if ptr == 0 else self._string(words, ptr, arg)
            if cut:
                truncated.append(arg)
            strings.append(s)
        merged, si, ii = [], iter(strings[1:]), iter(ints)
        for _name, kind in PROBE_ARGS[probe]:
            merged.append(next(si) if kind == "str" else next(ii))
        ev = {"probe": probe, "t_ns": t_ns, "tid": key[0], "arg0": strings[0], "args": merged}
        if truncated:
            ev["truncated"] = truncated
        return ev


def main(argv):
    """`python3 nextest_capture.py program [--root PID] LIB [LIB…]` prints the program;
    `python3 nextest_capture.py parse` turns bpftrace output on stdin into event lines."""
    import json
    if len(argv) >= 3 and argv[1] == "program":
        root = None
        if argv[2] == "--root" and len(argv) >= 5:
            root, argv = argv[3], argv[:2] + argv[4:]
        sys.stdout.write(program(argv[2:], root=root))
        return 0
    if len(argv) == 2 and argv[1] == "parse":
        p = Parser()
        for line in sys.stdin:
            for ev in p.feed(line):
                sys.stdout.write(json.dumps(ev, ensure_ascii=False) + "\n")
                sys.stdout.flush()
        if p.lost:
            sys.stderr.write(f"nextest_capture: bpftrace lost {p.lost} events\n")
        return 0
    sys.stderr.write("usage: nextest_capture.py program [--root PID] LIB [LIB…] | parse\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
