"""nextest_config writes a config an old nextest can parse: the full config round-trips
through the writer, and each version gate drops exactly the profiles that need it."""

import os
import sys
import tempfile
import tomllib
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import nextest_config as nc  # noqa: E402


class ConfigTests(unittest.TestCase):
    def setUp(self):
        with open(nc.CONFIG, "rb") as f:
            self.cfg = tomllib.load(f)

    def test_writer_round_trips(self):
        self.assertEqual(tomllib.loads(nc.dumps(self.cfg)), self.cfg)

    def test_gates(self):
        old = nc.reduce(self.cfg, (0, 9, 48))
        self.assertNotIn("scripts", old)
        self.assertNotIn("experimental", old)
        self.assertFalse({"scripts", "scripts-fail", "leak-fail", "timeout-pass"} & set(old["profile"]))
        self.assertTrue({"default", "retries", "slow", "grace0", "groups"} <= set(old["profile"]))
        mid = nc.reduce(self.cfg, (0, 9, 103))
        self.assertIn("scripts", mid["profile"])
        self.assertIn("leak-fail", mid["profile"])
        self.assertNotIn("timeout-pass", mid["profile"])
        self.assertEqual(nc.reduce(self.cfg, nc.NEWEST), self.cfg)

    def test_config_for(self):
        with tempfile.TemporaryDirectory() as d:
            self.assertIsNone(nc.config_for((0, 9, 143), d))
            path = nc.config_for((0, 9, 66), d)
            with open(path, "rb") as f:
                self.assertEqual(tomllib.load(f), nc.reduce(self.cfg, (0, 9, 66)))


if __name__ == "__main__":
    unittest.main()
