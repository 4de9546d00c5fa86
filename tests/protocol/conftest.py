"""conftest (protocol): the paths `make protocol` passes."""
import os

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def pytest_addoption(parser):
    g = parser.getgroup("protocol")
    g.addoption("--calllog", required=True, help="build/protocol/libcalllog.so")
    g.addoption("--sim", required=True, help="nextest-sim")
    g.addoption("--out", default=os.path.join(REPO, "build", "protocol", "runs"))
