"""conftest (children): the paths `make children-tests` passes besides --lib and --sim."""


def pytest_addoption(parser):
    g = parser.getgroup("children")
    g.addoption("--target", help="CARGO_TARGET_DIR of tests/children/ws")
    g.addoption("--other-a", dest="other_a", help="competing preload A")
    g.addoption("--other-b", dest="other_b", help="competing preload B")
