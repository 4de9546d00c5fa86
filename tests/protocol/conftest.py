"""conftest (protocol): the call logger `make protocol` passes besides --sim and --out."""


def pytest_addoption(parser):
    parser.getgroup("protocol").addoption("--calllog", help="build/protocol/libcalllog.so")
