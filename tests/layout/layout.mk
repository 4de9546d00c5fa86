# tests/layout/layout.mk — the shape of preload/: dependencies point one way.
#
# Owns: layout-check (in CHECKS): check_includes.py reads the `#include "…"`
# graph of preload/ and fails on a cycle between files or an include against
# the stage order; test_layout.py (pytest) checks each rule of it on trees made
# to break it, and preload/ itself.

PYTHON3 ?= /usr/bin/python3
PYTEST  ?= $(PYTHON3) -m pytest

.PHONY: layout-check
CHECKS += layout-check

layout-check:
	$(PYTHON3) tests/layout/check_includes.py preload
	$(PYTEST) -q tests/layout/test_layout.py $(PYTEST_ARGS)
