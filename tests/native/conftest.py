"""conftest: the import path of tests/native's pytest tests (this folder and tests/e2e,
whose modules the judge shares)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
for d in (HERE, os.path.join(HERE, "..", "e2e")):
    if d not in sys.path:
        sys.path.insert(0, d)
