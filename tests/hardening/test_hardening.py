"""tests/hardening/test_hardening.py — the sabotage, errno and sanitizer cases of
run_hardening.py (which says how each case is judged), one pytest test per case.

The selected cases of a group run together under one bpftrace session (attaching costs
seconds), before the first of them is judged; -k selects cases.  Each make target runs
one group, by its marker: make hardening-errno → `pytest tests/hardening/test_hardening.py -m errno …`.
"""

import pytest

import run_hardening as rh
from pytest_helpers import need_option, no_problems, selected_params

_RESULTS = {}


def group_results(request, group):
    """{case name: (events seen, problems)} for the selected cases of `group`, run once."""
    if group not in _RESULTS:
        cfg = request.config
        only = [c for g, c in selected_params(request, "group", "case") if g == group]
        res = rh.run_group(group, *(need_option(cfg, k) for k in ("build", "sim", "lib")), only)
        _RESULTS[group] = {name: (n_ev, problems) for name, n_ev, problems in res}
    return _RESULTS[group]


@pytest.mark.parametrize("group,case", [pytest.param(g, c, marks=getattr(pytest.mark, g), id=f"{g}-{c}")
                                        for g in rh.GROUPS for c in rh.case_names(g)])
def test_case(request, group, case):
    n_ev, problems = group_results(request, group)[case]
    print(f"{group}: {case} ({n_ev} events)")
    no_problems(problems)
