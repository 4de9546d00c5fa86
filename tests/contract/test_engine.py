"""tests/contract/test_engine.py — the engine object carries no part of the probe contract.

Owns: the static checks of libnextest_probes_engine.so, the object the library dlopen's in
a runner.  Users attach to the library's path, so every probe site and semaphore must be
there (test_elf.py) and none here: from `readelf -n/-S --wide` and `nm` (the readers of
check_elf.py), the engine has no stapsdt note, none of the probe sections, no
__usdt_sema_* symbol, and exports exactly the symbols of its export map (its one entry
point).
Usage: pytest tests/contract/test_engine.py --engine ENGINE --engine-exports MAP
       (make contract-tests, cross-aarch64)
"""
import pytest

import check_elf
from pytest_helpers import need_option as need

PROBE_SECTIONS = [".note.stapsdt", ".probes", ".stapsdt.base"]


@pytest.fixture(scope="module")
def engine(pytestconfig):
    return need(pytestconfig, "engine")


@pytest.fixture(scope="module")
def section_names(engine):
    return {s["name"] for s in check_elf.parse_sections(engine)}


def test_no_stapsdt_note(engine):
    notes = check_elf.run(["readelf", "-n", "--wide", engine])
    assert "stapsdt" not in notes and "NT_STAPSDT" not in notes, \
        "the engine has stapsdt notes: probes must live in the library users attach to"


@pytest.mark.parametrize("section", PROBE_SECTIONS)
def test_no_probe_section(section_names, section):
    assert section not in section_names, f"the engine has a {section} section"


def test_no_semaphore(engine, section_names):
    # The full symbol table when the object keeps one, the dynamic one always.
    syms = check_elf.run(["nm", engine]) if ".symtab" in section_names else ""
    syms += "\n".join(check_elf.dynamic_symbols(engine))
    assert "__usdt_sema_" not in syms, "the engine defines __usdt_sema_* semaphores"


def test_exports_exactly_the_map(engine, pytestconfig):
    map_path = need(pytestconfig, "engine_exports")
    allowed = check_elf.map_symbols(map_path)
    assert allowed, f"no global symbols found in {map_path}"
    exported = check_elf.dynamic_symbols(engine)
    assert exported == allowed, f"the engine exports {sorted(exported)}, want exactly {sorted(allowed)}"
