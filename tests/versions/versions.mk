# tests/versions/versions.mk — which nextest the library thinks it is in, and the matrix of
# real cargo-nextest releases.
#
# Owns: version-detect (part of `make check`: preload/engine/observe/version.c reads the right
# version out of the simulator at every emulated version and out of every real cargo-nextest
# at hand), versions-selftest (part of `make check`: test_records.py, the readers and
# comparisons of nextest's own records and the signal timing, under pytest, no real nextest
# needed)
# and check-versions (NOT part of `make check`: every scenario the e2e has, through each
# real release listed in tests/versions/releases.txt, built into the release cache on first
# use; see docs/compatibility.md for what it checks and how long it takes).

VERSIONS_DIR    := tests/versions
VERSIONS_BUILD  := $(BUILD)/versions
VERSIONS_PYTHON ?= python3
VERSIONS_PYTEST ?= $(or $(PYTEST),/usr/bin/python3 -m pytest)
# check-versions: scenarios to run (default: all) and the bpftrace batch size; the releases
# to run (default: all of releases.txt), e.g. VERSIONS_ONLY="0.9.72 0.9.143-nousdt"
VERSIONS_ARGS   ?= --batch 10
VERSIONS_ONLY   ?=

.PHONY: version-detect versions-selftest check-versions

$(VERSIONS_BUILD)/version-of: $(VERSIONS_DIR)/version_of.c $(NX_VERSION_SRCS) $(PRELOAD_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) $(PRELOAD_INC) -o $@ $(VERSIONS_DIR)/version_of.c $(NX_VERSION_SRCS)

version-detect: $(VERSIONS_BUILD)/version-of $(SIM_BIN)
	$(VERSIONS_PYTEST) $(VERSIONS_DIR)/test_detect.py $(PYTEST_ARGS) --build $(abspath $(VERSIONS_BUILD)) \
	    --sim $(abspath $(SIM_BIN)) --out $(abspath $(VERSIONS_BUILD))/detect

versions-selftest:
	$(VERSIONS_PYTEST) -q $(PYTEST_ARGS) $(VERSIONS_DIR)/test_records.py

check-versions: $(LIB) e2e-fixtures $(VERSIONS_BUILD)/version-of
	FIXTURES_TARGET=$(abspath $(BUILD))/fixtures-target \
	    $(VERSIONS_PYTHON) $(VERSIONS_DIR)/matrix.py --lib $(abspath $(LIB)) \
	    --out $(abspath $(VERSIONS_BUILD))/matrix --releases $(VERSIONS_DIR)/releases.txt \
	    $(foreach r,$(VERSIONS_ONLY),--only $(r)) \
	    -- $(VERSIONS_ARGS)

CHECKS += version-detect versions-selftest
