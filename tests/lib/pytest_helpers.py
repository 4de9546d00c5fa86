"""pytest_helpers: small pieces the pytest test files share (imported under pytest only).

Owns: `selected_params` — the parameter values of the tests pytest will actually run, so a
group of scenarios sharing one tracer session runs only what -k selected — and
`need_option`, a required option of one test file.
"""
import pytest


def selected_params(request, *argnames):
    """The values of parameter `argname` (several names: tuples of their values) of every
    selected test of the requesting test function, in run order (after -k, -m and node-id
    selection)."""
    fn = getattr(request.node, "originalname", None) or request.function.__name__
    out = []
    for item in request.session.items:
        cs = getattr(item, "callspec", None)
        if cs is None or not all(a in cs.params for a in argnames) \
                or getattr(item, "originalname", None) != fn or getattr(item, "module", None) is not request.module:
            continue
        v = cs.params[argnames[0]] if len(argnames) == 1 else tuple(cs.params[a] for a in argnames)
        if v not in out:
            out.append(v)
    return out


def need_option(config, name):
    """The value of an option this test needs (missing: the test fails, it is not skipped)."""
    v = config.getoption(name)
    if not v:
        pytest.fail(f"--{name.replace('_', '-')} is required for this test", pytrace=False)
    return v


def no_problems(problems, header=""):
    """Fails the test with every problem listed (no traceback: the list says it all)."""
    if problems:
        pytest.fail((header + "\n" if header else "") + "\n".join(problems), pytrace=False)
