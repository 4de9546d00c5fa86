"""nextest_config writes a config an old nextest can parse: the full config round-trips
through the writer, and each version gate drops exactly the profiles that need it."""

import tomllib

import pytest

import nextest_config as nc


@pytest.fixture
def cfg():
    with open(nc.CONFIG, "rb") as f:
        return tomllib.load(f)


def test_writer_round_trips(cfg):
    assert tomllib.loads(nc.dumps(cfg)) == cfg


def test_gates(cfg):
    old = nc.reduce(cfg, (0, 9, 48))
    assert "scripts" not in old
    assert "experimental" not in old
    assert not {"scripts", "scripts-fail", "leak-fail", "timeout-pass"} & set(old["profile"])
    assert {"default", "retries", "slow", "grace0", "groups"} <= set(old["profile"])
    mid = nc.reduce(cfg, (0, 9, 103))
    assert "scripts" in mid["profile"]
    assert "leak-fail" in mid["profile"]
    assert "timeout-pass" not in mid["profile"]
    assert nc.reduce(cfg, nc.NEWEST) == cfg


def test_config_for(cfg, tmp_path):
    assert nc.config_for((0, 9, 143), str(tmp_path)) is None
    path = nc.config_for((0, 9, 66), str(tmp_path))
    with open(path, "rb") as f:
        assert tomllib.load(f) == nc.reduce(cfg, (0, 9, 66))
