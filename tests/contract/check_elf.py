"""check_elf.py — the probe contract, checked on a built ELF object.

Owns: the static contract tests.  Given a library (or executable) it asserts,
from `readelf -n/-S --wide` and the file bytes:
  * exactly ten .note.stapsdt notes, provider "nextest", the ten names,
    argument strings exactly as native nextest's (probe-encoding.md §1.5 for
    x86_64; usdt's "8@x0 … 4@x4" form for aarch64) and descsz as in §1.5;
  * ten distinct, non-zero, 2-byte-aligned semaphores inside a ".probes"
    section that starts on a page boundary and shares its pages with no other
    allocated section;
  * Location and Base non-zero, Base = the .stapsdt.base section, and a nop
    at every Location;
  * optionally: `bpftrace -l 'usdt:<abs path>:*'` lists exactly the ten;
  * optionally: `nm -D --defined-only` exports nothing beyond exports.map.
Each check_* returns the list of what is wrong (empty: it holds); the pytest cases are
tests/contract/test_elf.py (make contract-tests, cross-aarch64, contract-lld).  The
readers (run, parse_notes, parse_sections, map_symbols, dynamic_symbols) serve
tests/contract/test_engine.py too.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import elfprobes  # noqa: E402

# The contract, written independently of preload/probes.h.
PROBES_X86_64 = {
    "test-attempt-start": "8@%rdi 8@%rsi 8@%rdx 8@%rcx 4@%r8d",
    "test-attempt-done": "8@%rdi 8@%rsi 8@%rdx 8@%rcx 8@%r8 8@%r9",
    "test-attempt-slow": "8@%rdi 8@%rsi 8@%rdx 8@%rcx 8@%r8",
    "setup-script-start": "8@%rdi 8@%rsi 8@%rdx 4@%ecx",
    "setup-script-slow": "8@%rdi 8@%rsi 8@%rdx 8@%rcx",
    "setup-script-done": "8@%rdi 8@%rsi 8@%rdx 8@%rcx 8@%r8",
    "run-start": "8@%rdi 8@%rsi",
    "run-done": "8@%rdi 8@%rsi",
    "stress-sub-run-start": "8@%rdi 8@%rsi 4@%edx",
    "stress-sub-run-done": "8@%rdi 8@%rsi 4@%edx",
}
DESCSZ_X86_64 = {
    "run-done": 55, "run-start": 56, "test-attempt-start": 86, "test-attempt-done": 90,
    "test-attempt-slow": 84, "setup-script-start": 79, "setup-script-slow": 78,
    "setup-script-done": 84, "stress-sub-run-start": 74, "stress-sub-run-done": 73,
}
# usdt (usdt-impl/src/stapsdt/args.rs) names the 64-bit register x0..x5 for
# every width on aarch64; the size prefix still says 4 for u32.
PROBES_AARCH64 = {
    "test-attempt-start": "8@x0 8@x1 8@x2 8@x3 4@x4",
    "test-attempt-done": "8@x0 8@x1 8@x2 8@x3 8@x4 8@x5",
    "test-attempt-slow": "8@x0 8@x1 8@x2 8@x3 8@x4",
    "setup-script-start": "8@x0 8@x1 8@x2 4@x3",
    "setup-script-slow": "8@x0 8@x1 8@x2 8@x3",
    "setup-script-done": "8@x0 8@x1 8@x2 8@x3 8@x4",
    "run-start": "8@x0 8@x1",
    "run-done": "8@x0 8@x1",
    "stress-sub-run-start": "8@x0 8@x1 4@x2",
    "stress-sub-run-done": "8@x0 8@x1 4@x2",
}
NOP = {"x86_64": b"\x90", "aarch64": b"\x1f\x20\x03\xd5"}
PAGE = 4096

def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def parse_notes(lib):
    out = run(["readelf", "-n", "--wide", lib])
    notes = []
    cur = None
    for line in out.splitlines():
        m = re.match(r"\s*stapsdt\s+0x([0-9a-f]+)\s+NT_STAPSDT.*Provider:\s*(\S*)", line)
        if m:
            cur = {"descsz": int(m.group(1), 16), "provider": m.group(2)}
            notes.append(cur)
            continue
        if cur is None:
            continue
        m = re.match(r"\s*Name:\s*(\S+)", line)
        if m:
            cur["name"] = m.group(1)
        m = re.match(r"\s*Location:\s*0x([0-9a-f]+),\s*Base:\s*0x([0-9a-f]+),"
                     r"\s*Semaphore:\s*0x([0-9a-f]+)", line)
        if m:
            cur["loc"], cur["base"], cur["sema"] = (int(g, 16) for g in m.groups())
        m = re.match(r"\s*Arguments:\s?(.*)$", line)
        if m:
            cur["args"] = m.group(1)
    return notes


def parse_sections(lib):
    out = run(["readelf", "-S", "-W", lib])
    secs = []
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+"
                     r"([0-9a-f]+)\s+[0-9a-f]+\s+(\S*)\s+\d+\s+\d+\s+(\d+)", line)
        if m:
            secs.append({"name": m.group(1), "type": m.group(2), "addr": int(m.group(3), 16),
                         "off": int(m.group(4), 16), "size": int(m.group(5), 16),
                         "flags": m.group(6), "align": int(m.group(7))})
    return secs


def vaddr_to_offset(secs, addr):
    for s in secs:
        if "A" in s["flags"] and s["type"] != "NOBITS" and s["addr"] <= addr < s["addr"] + s["size"]:
            return s, addr - s["addr"] + s["off"]
    return None, None


# Another provider of ours (docs/extras.md) may sit beside nextest's ten; it is
# checked by tests/extras, and here only kept apart from them.
OTHER_PROVIDERS = {"nextest_extra"}


def check_notes(lib, arch):
    failures = []
    fail = failures.append
    want = PROBES_X86_64 if arch == "x86_64" else PROBES_AARCH64
    all_notes = parse_notes(lib)
    notes = [n for n in all_notes if n["provider"] == "nextest"]
    for n in all_notes:
        if n["provider"] != "nextest" and n["provider"] not in OTHER_PROVIDERS:
            fail(f"{n.get('name', '?')}: unexpected provider {n['provider']!r}")
    secs = parse_sections(lib)
    if len(notes) != 10:
        fail(f"{len(notes)} stapsdt notes, want 10")
    names = [n.get("name") for n in notes]
    if sorted(names) != sorted(want):
        fail(f"probe names {sorted(names)} != {sorted(want)}")
    if len(set(names)) != len(names):
        fail(f"duplicate probe names: {names}")
    probes = [s for s in secs if s["name"] == ".probes"]
    base_sec = [s for s in secs if s["name"] == ".stapsdt.base"]
    if len(probes) != 1:
        fail(f"{len(probes)} .probes sections, want 1")
        return failures
    p = probes[0]
    if p["flags"] != "WA" or p["type"] != "PROGBITS":
        fail(f".probes is {p['type']} {p['flags']}, want PROGBITS WA")
    if p["addr"] % PAGE:
        fail(f".probes at {p['addr']:#x}, not page-aligned")
    lo, hi = p["addr"] - p["addr"] % PAGE, -(-(p["addr"] + p["size"]) // PAGE) * PAGE
    for s in secs:
        if s is p or "A" not in s["flags"] or s["size"] == 0:
            continue
        if s["addr"] < hi and s["addr"] + s["size"] > lo:
            fail(f"section {s['name']} [{s['addr']:#x},+{s['size']:#x}) shares the "
                 f".probes pages [{lo:#x},{hi:#x})")
    with open(lib, "rb") as f:
        data = f.read()
    semas = []
    for n in notes:
        name = n.get("name", "?")
        if n["provider"] != "nextest":
            fail(f"{name}: provider {n['provider']!r}")
        if n.get("args") != want.get(name):
            fail(f"{name}: arguments {n.get('args')!r}, want {want.get(name)!r}")
        expect_sz = 24 + len("nextest") + 1 + len(name) + 1 + len(want.get(name, "")) + 1
        if arch == "x86_64":
            expect_sz = DESCSZ_X86_64.get(name, -1)
        if n["descsz"] != expect_sz:
            fail(f"{name}: descsz {n['descsz']}, want {expect_sz}")
        for k in ("loc", "base", "sema"):
            if not n.get(k):
                fail(f"{name}: {k} is zero or missing")
        if not n.get("loc") or not n.get("sema"):
            continue
        if base_sec and n["base"] != base_sec[0]["addr"]:
            fail(f"{name}: base {n['base']:#x} != .stapsdt.base {base_sec[0]['addr']:#x}")
        sec, off = vaddr_to_offset(secs, n["loc"])
        if sec is None or "X" not in sec["flags"]:
            fail(f"{name}: location {n['loc']:#x} not in an executable section")
        elif data[off:off + len(NOP[arch])] != NOP[arch]:
            fail(f"{name}: no nop at location {n['loc']:#x}")
        s = n["sema"]
        semas.append(s)
        if s % 2:
            fail(f"{name}: semaphore {s:#x} is odd")
        if not p["addr"] <= s < p["addr"] + p["size"] - 1:
            fail(f"{name}: semaphore {s:#x} outside .probes")
    if len(set(semas)) != len(semas) or len(semas) != 10:
        fail(f"semaphores not ten distinct: {[hex(s) for s in semas]}")
    print(f"notes: {len(notes)} probes, .probes at {p['addr']:#x} size {p['size']:#x}")
    return failures


def check_bpftrace(lib):
    path = os.path.abspath(lib)
    rc, names, err = elfprobes.bpftrace_list(path, "nextest", timeout=60)
    got = sorted(f"usdt:{path}:nextest:{n}" for n in names)
    want = sorted(f"usdt:{path}:nextest:{n}" for n in PROBES_X86_64)
    if rc != 0 or got != want:
        return [f"bpftrace -l (rc {rc}) listed {got}, want {want}; stderr: {err.strip()}"]
    print("bpftrace -l: the ten probes")
    return []


def map_symbols(map_path):
    """The global symbols a version script (exports.map, engine.map) names."""
    text = re.sub(r"/\*.*?\*/", "", open(map_path).read(), flags=re.S)
    m = re.search(r"global:(.*?)local:", text, re.S)
    return set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*;", m.group(1) if m else ""))


def dynamic_symbols(lib):
    """The symbols `nm -D --defined-only` lists for lib (absolute ones left out), unversioned."""
    syms = set()
    for line in run(["nm", "-D", "--defined-only", lib]).splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] not in ("A",):
            syms.add(parts[2].split("@")[0])
    return syms


def check_exports(lib, map_path):
    failures = []
    fail = failures.append
    allowed = map_symbols(map_path)
    if not allowed:
        fail(f"no global symbols found in {map_path}")
    syms = dynamic_symbols(lib)
    extra = sorted(syms - allowed)
    if extra:
        fail(f"exported beyond {map_path}: {extra}")
    leaked = sorted(s for s in syms if re.match(r"(nx_|cJSON|unw_|_U|__usdt)", s))
    if leaked:
        fail(f"internal symbols exported: {leaked}")
    if not extra and not leaked:
        print(f"exports: {len(syms)} symbols, all in {map_path}")
    return failures
