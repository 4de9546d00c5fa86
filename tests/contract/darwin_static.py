"""darwin_static.py — the macOS build's declarations agree with the Linux contract.

Owns: the text-level half of `make darwin-static-check` (no Mac needed).  Fails
when one side gains or loses a probe or a hook without the other:
  * preload/thin/probe/nextest_probes.d declares provider "nextest" with exactly the
    probes of NX_PROBE_LIST (preload/thin/probe/probes.h), each with the argument types
    of its kinds (P = char*, U32 = uint32_t, U64 = uint64_t), in the order of
    nextest's usdt.rs (probe-encoding.md §4), and NX_PROBE_LIST's note name
    is the ident with "__" -> "-";
  * the interpose table (NX_INTERPOSED in preload/thin/hook/interpose_darwin.c) plus the
    hooks macOS lacks (DARWIN_NO_HOOK, from the Makefile) is exactly the
    global list of preload/thin/hook/exports.map, with no overlap and no duplicate;
  * preload/thin/hook/hooks.c defines NX_HOOK(name) for every export, and the hooks it
    keeps under `#ifndef __APPLE__` are exactly DARWIN_NO_HOOK;
  * the export list the Makefile derives for the dylib
    (build/exports_darwin.txt) is exactly _nx_hook_<name> for the table.
verify() returns what is wrong; the pytest case is tests/contract/test_darwin.py.
"""
import re

# nextest-runner/src/usdt.rs declaration order (= usdt's to_d_source order).
NEXTEST_ORDER = [
    "test__attempt__start", "test__attempt__done", "test__attempt__slow",
    "setup__script__start", "setup__script__slow", "setup__script__done",
    "run__start", "run__done", "stress__sub__run__start", "stress__sub__run__done",
]
KIND_TO_D = {"P": "char*", "U32": "uint32_t", "U64": "uint64_t"}

failures = []


def fail(msg):
    failures.append(msg)


def strip_c_comments(text):
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def parse_probe_list(path):
    """NX_PROBE_LIST rows: ident -> (note name, nargs, [kinds])."""
    text = open(path).read()
    m = re.search(r"#define NX_PROBE_LIST\(X\)((?:.*\\\n)*.*\n)", text)
    if not m:
        fail(f"{path}: no NX_PROBE_LIST")
        return {}
    rows = {}
    for row in re.finditer(r"X\(([^)]*)\)", m.group(1)):
        f = [x.strip() for x in row.group(1).split(",")]
        if len(f) != 10:
            fail(f"{path}: malformed row {row.group(0)}")
            continue
        enum, ident, name, n, kinds = f[0], f[1], f[2].strip('"'), int(f[3]), f[4:]
        used = [k for k in kinds if k != "_"]
        if kinds[:n] != used or len(used) != n:
            fail(f"{path}: {ident}: nargs {n} disagrees with kinds {kinds}")
        if ident in rows:
            fail(f"{path}: {ident} listed twice")
        rows[ident] = (name, n, used)
    return rows


def parse_d(path):
    """provider nextest { probe ident(types); … }; -> [(ident, [types])]."""
    text = strip_c_comments(open(path).read())
    m = re.fullmatch(r"\s*provider\s+(\w+)\s*\{(.*)\}\s*;\s*", text, flags=re.S)
    if not m:
        fail(f"{path}: not a single `provider NAME {{ … }};` block")
        return None, []
    probes = []
    body = m.group(2).strip()
    for decl in [d.strip() for d in body.split(";") if d.strip()]:
        pm = re.fullmatch(r"probe\s+(\w+)\s*\(([^()]*)\)", decl)
        if not pm:
            fail(f"{path}: not a probe declaration: {decl!r}")
            continue
        args = [re.sub(r"\s+", "", a) for a in pm.group(2).split(",") if a.strip()]
        probes.append((pm.group(1), args))
    return m.group(1), probes


def check_provider(probes_h, d_path):
    rows = parse_probe_list(probes_h)
    provider, probes = parse_d(d_path)
    if provider is not None and provider != "nextest":
        fail(f"{d_path}: provider {provider!r}, want 'nextest'")
    d_idents = [p[0] for p in probes]
    if len(set(d_idents)) != len(d_idents):
        fail(f"{d_path}: a probe is declared twice: {d_idents}")
    if d_idents != NEXTEST_ORDER and sorted(d_idents) == sorted(NEXTEST_ORDER):
        fail(f"{d_path}: order {d_idents}, want nextest's {NEXTEST_ORDER}")
    only_d = sorted(set(d_idents) - set(rows))
    only_h = sorted(set(rows) - set(d_idents))
    if only_d:
        fail(f"probes only in {d_path}: {only_d}")
    if only_h:
        fail(f"probes only in NX_PROBE_LIST ({probes_h}): {only_h}")
    for ident, args in probes:
        if ident not in rows:
            continue
        name, n, kinds = rows[ident]
        want = [KIND_TO_D.get(k, f"?{k}") for k in kinds]
        if args != want:
            fail(f"{ident}: .d types {args}, NX_PROBE_LIST kinds {kinds} = {want}")
        if name != ident.replace("__", "-"):
            fail(f"{ident}: NX_PROBE_LIST note name {name!r} is not the ident with __ -> -")
    return len(probes)


def parse_exports(path):
    text = open(path).read()
    m = re.search(r"global:(.*?)local:", text, flags=re.S)
    if not m:
        fail(f"{path}: no global:/local: sections")
        return []
    return re.findall(r"^\s*([A-Za-z_]\w*)\s*;\s*$", m.group(1), flags=re.M)


def parse_interposed(path):
    text = strip_c_comments(open(path).read())
    m = re.search(r"#define NX_INTERPOSED\(X\)((?:.*\\\n)*.*\n)", text)
    if not m:
        fail(f"{path}: no NX_INTERPOSED(X) list")
        return []
    return re.findall(r"X\((\w+)\)", m.group(1))


def parse_hooks(path):
    """(all names defined with NX_HOOK(name), names defined under #ifndef __APPLE__)."""
    defined, linux_only = [], []
    # one entry per open conditional: does the current branch exclude macOS?
    # (#ifndef __APPLE__ and the #else of #ifdef __APPLE__ do)
    stack = []
    for line in open(path):
        s = line.strip()
        if re.match(r"#\s*ifndef\s+__APPLE__\b", s):
            stack.append(["ifndef", True])
        elif re.match(r"#\s*ifdef\s+__APPLE__\b", s):
            stack.append(["ifdef", False])
        elif re.match(r"#\s*if(n?def)?\b", s):
            stack.append(["other", False])
        elif re.match(r"#\s*else\b", s) and stack:
            stack[-1][1] = stack[-1][0] == "ifdef"
        elif re.match(r"#\s*elif\b", s) and stack:
            stack[-1][1] = False
        elif re.match(r"#\s*endif\b", s) and stack:
            stack.pop()
        m = re.match(r"NX_EXPORT\b.*\bNX_HOOK\((\w+)\)\s*\(", s)
        if m:
            defined.append(m.group(1))
            if any(excl for _, excl in stack):
                linux_only.append(m.group(1))
        elif re.match(r"NX_EXPORT\b", s):
            fail(f"{path}: exported definition without NX_HOOK(): {s}")
    return defined, linux_only


def parse_linux_only_file(path, names):
    """Exports defined outside hooks.c in a file that compiles to nothing off Linux
    (preload/thin/hook/sigaction.c): each must be defined there as NX_EXPORT."""
    text = open(path).read()
    found = [n for n in names if re.search(r"^NX_EXPORT\b[^;{]*\b" + re.escape(n) + r"\s*\(",
                                            text, re.M)]
    if sorted(found) != sorted(names):
        fail(f"{path}: {sorted(set(names) - set(found))} not defined there as NX_EXPORT")
    return found


def check_hooks(exports_map, interpose_c, hooks_c, export_list, no_hook, extra=()):
    exports = parse_exports(exports_map)
    table = parse_interposed(interpose_c)
    defined, linux_only = parse_hooks(hooks_c)
    for path, names in extra:
        got = parse_linux_only_file(path, names)
        defined = defined + got
        linux_only = linux_only + got
    if not exports:
        fail(f"{exports_map}: no exported names")
    for name, names in (("exports.map", exports), ("interpose table", table),
                        ("hooks.c", defined)):
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            fail(f"{name}: listed twice: {dup}")
    if set(no_hook) - set(exports):
        fail(f"DARWIN_NO_HOOK names not in exports.map: {sorted(set(no_hook) - set(exports))}")
    if set(table) & set(no_hook):
        fail(f"in the interpose table and DARWIN_NO_HOOK: {sorted(set(table) & set(no_hook))}")
    missing = sorted(set(exports) - set(table) - set(no_hook))
    extra = sorted(set(table) - set(exports))
    if missing:
        fail(f"exports.map hooks missing from the interpose table: {missing}")
    if extra:
        fail(f"interpose table entries not in exports.map: {extra}")
    if sorted(set(exports) - set(defined)):
        fail(f"exports with no NX_HOOK definition in hooks.c: {sorted(set(exports) - set(defined))}")
    if sorted(set(defined) - set(exports)):
        fail(f"hooks.c hooks not in exports.map: {sorted(set(defined) - set(exports))}")
    if sorted(linux_only) != sorted(no_hook):
        fail(f"hooks.c keeps {sorted(linux_only)} under #ifndef __APPLE__, "
             f"DARWIN_NO_HOOK says {sorted(no_hook)}")
    got = [ln.strip() for ln in open(export_list) if ln.strip()]
    want = ["_nx_hook_" + n for n in table]
    if sorted(got) != sorted(want):
        fail(f"{export_list}: {sorted(set(got) ^ set(want))} differ from the interpose table")
    return len(exports), len(table)


def verify(probes_h, d, exports_map, interpose, hooks, export_list, no_hook, linux_only=()):
    """([what is wrong], a one-line summary).  no_hook: DARWIN_NO_HOOK's names;
    linux_only: ["FILE:NAME,NAME", …], Linux-only exports defined in FILE."""
    failures.clear()
    extra = [(x.split(":", 1)[0], x.split(":", 1)[1].split(",")) for x in linux_only]
    n_probes = check_provider(probes_h, d)
    n_exports, n_table = check_hooks(exports_map, interpose, hooks, export_list, no_hook, extra)
    return list(failures), (f"darwin_static: {n_probes} probes in {d} match NX_PROBE_LIST; "
                            f"{n_table} interposed + {len(no_hook)} Linux-only = {n_exports} exports")
