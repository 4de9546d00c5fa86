"""conftest (children): the paths `make children-tests` passes."""


def pytest_addoption(parser):
    g = parser.getgroup("children")
    g.addoption("--lib", required=True, help="build/libnextest_probes.so")
    g.addoption("--sim", required=True, help="nextest-sim")
    g.addoption("--target", required=True, help="CARGO_TARGET_DIR of tests/children/ws")
    g.addoption("--other-a", dest="other_a", required=True, help="competing preload A")
    g.addoption("--other-b", dest="other_b", required=True, help="competing preload B")
