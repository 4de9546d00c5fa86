"""Generates the bpftrace (0.17) program that captures every nextest probe firing whole.

Owns: the program text and its limits.  Design (see README.md "Capture"):
  * one header block per probe: bumps a per-thread firing counter `@n[tid]` and prints
    `H <label> <probe> <pid> <tid> <seq> <nsecs> <pointer of each string arg, hex> <int args>`;
  * each string argument (arg0 and the `char *` args) is read in CHUNK-byte pieces from the
    CHUNK-aligned address at or below the pointer, by one block per argument looping over
    lines of one piece (two no longer fit the 512-byte BPF stack next to the loop's NUL
    check) until the line that holds the terminating NUL, printed as hex bytes with `%rh`:
    `D <tid> <seq> <arg index> <line index> <hex byte>…`.  Aligned pieces of a power-of-two
    size never cross a page, so the piece holding the terminating NUL is always read whole
    (a read that crosses into an unmapped page would fail as a whole).  Hex is unambiguous:
    bpftrace 0.17's `%r` prints `\\` unescaped, so `\\x0a` text and a newline byte would
    print alike;
  * blocks on one probe run in order on one CPU, so (tid, seq) keys every line of a
    firing even when CPUs' output interleaves.
`buf()` is limited to BPFTRACE_STRLEN (at most 200 on 0.17), hence CHUNK = 128.  arg0 gets
ARG0_LINES lines, other strings STR_LINES; a longer string is reported as unterminated by
the parser (a loud failure), see max_string_len().
"""

from events import PROBE_ARGS
from nextest_capture import int_args, string_args  # (tracer-scripts, on sys.path through events)

CHUNK = 128
CHUNKS_PER_LINE = 1  # with the loop's NUL check, two 128-byte pieces exceed the BPF stack
LINE_BYTES = CHUNK * CHUNKS_PER_LINE
ARG0_LINES = 64     # 8192 bytes read: arg0 strings up to 8064 bytes are always complete
STR_LINES = 16      # 2048 bytes read: other strings up to 1920 bytes
ALIGN_MASK = "0xffffffffffffff80"  # ~(CHUNK - 1)
STRLEN_ENV = str(CHUNK)            # BPFTRACE_STRLEN needed for buf(…, CHUNK)


def lines_for(arg_index):
    return ARG0_LINES if arg_index == 0 else STR_LINES


def max_string_len(lines):
    """Longest string (without NUL) always complete: worst case CHUNK-1 bytes of leading
    misalignment, and the NUL must fit."""
    return lines * LINE_BYTES - (CHUNK - 1) - 1


def _header(label, attach, probe):
    ptrs = string_args(probe)
    ints = int_args(probe)
    fmt = " ".join(["H", label, probe, "%d", "%d", "%lu", "%lu"] + ["%lx"] * len(ptrs) +
                   ["%u" if kind == "u32" else "%lu" for _i, kind in ints])
    vals = ["pid", "tid", "@n[tid]", "nsecs"] + [f"arg{i}" for i in ptrs] + [f"arg{i}" for i, _k in ints]
    return f'{attach} {{ @n[tid] = @n[tid] + 1; printf("{fmt}\\n", {", ".join(vals)}); }}'


def _data(attach, arg):
    """One block per string argument: a bounded loop printing one D line per iteration (a
    loop reuses its stack slot, so the block count, and with it bpftrace's attach and detach
    time, stays at one per argument).  After each line the loop checks, 8 aligned bytes at
    a time, whether the line held the terminating NUL (bytes before the pointer do not
    count) and stops there, so a short string costs one line, not the whole window."""
    p = "$p"  # read the argument once: a memory-operand argument costs stack per read
    bufs = [f"buf($base + $i * {LINE_BYTES} + {CHUNK * j}, {CHUNK})" for j in range(CHUNKS_PER_LINE)]
    fmt = " ".join(["D", "%d", "%lu", str(arg), "%lu"] + ["%rh"] * CHUNKS_PER_LINE)
    return (
        f"{attach} {{ $p = (uint64)arg{arg}; $base = $p & {ALIGN_MASK}; $i = (uint64)0; "
        f"while ($i < {lines_for(arg)}) {{ "
        f'printf("{fmt}\\n", tid, @n[tid], $i, {", ".join(bufs)}); '
        f"$z = (uint64)0; $j = (uint64)0; "
        f"while ($j < {LINE_BYTES // 8}) {{ $a = $base + $i * {LINE_BYTES} + $j * 8; "
        f"if ($a + 8 > {p}) {{ $w = *(uint64*)$a; "
        f"if ($a < {p}) {{ $w = $w | ((1 << (({p} - $a) * 8)) - 1); }} "
        f"if ((($w - 0x0101010101010101) & ~$w & 0x8080808080808080) != 0) {{ $z = 1; }} }} "
        f"$j = $j + 1; }} "
        f"if ($z) {{ break; }} $i = $i + 1; }} }}")


def program(targets):
    """targets: [(label, absolute ELF path)], e.g. [("shim", "/…/libnextest_probes.so")]."""
    out = ['BEGIN { printf("READY\\n"); }',
           # Process tree: `F <parent pid> <child pid>` for every fork, so the events of one
           # command's process tree can be told from other processes firing the same probes.
           'tracepoint:sched:sched_process_fork { printf("F %d %d\\n", pid, args->child_pid); }']
    for label, path in targets:
        if not label.isalnum():
            raise ValueError(f"label {label!r} must be alphanumeric")
        for probe in PROBE_ARGS:
            attach = f"usdt:{path}:nextest:{probe}"
            out.append(_header(label, attach, probe))
            for arg in string_args(probe):
                out.append(_data(attach, arg))
    out.append('END { clear(@n); printf("END\\n"); }')
    return "\n".join(out) + "\n"
