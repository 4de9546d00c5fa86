"""conftest (sim selfcheck): the simulator `make sim-selfcheck` passes."""


def pytest_addoption(parser):
    parser.getgroup("sim").addoption("--sim", required=True, help="nextest-sim")
