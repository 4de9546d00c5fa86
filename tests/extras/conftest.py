"""conftest (extras): the path `make extras-tests` passes."""


def pytest_addoption(parser):
    parser.getgroup("extras").addoption("--lib", required=True, help="build/libnextest_probes.so")
