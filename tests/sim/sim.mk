# tests/sim/sim.mk — builds nextest-sim (the nextest-faithful runner simulator) and runs its
# self-checks. Owned by tests/sim; included by the top-level Makefile.

SIM_DIR        := tests/sim
# SIM_TARGET_DIR and SIM_BIN are set in the top-level Makefile (other areas name them).
SIM_SRCS       := $(SIM_DIR)/Cargo.toml $(wildcard $(SIM_DIR)/src/*.rs)
SIM_CARGO      ?= cargo

.PHONY: sim sim-selfcheck sim-unit sim-build-cache
sim: $(SIM_BIN)

# `nextest-sim run --no-build` reads the build messages a plain run saved in the
# fixtures' target directory: one listing with a build writes them, so tests
# that run the simulator with --no-build work from a clean clone in any order.
# (A filter no test matches: the run builds, lists and runs nothing; its exit
# code says so, the file it leaves is what counts.)
sim-build-cache: $(SIM_BIN) e2e-fixtures
	cd tests/fixtures/workspace && CARGO_TARGET_DIR=$(abspath $(BUILD))/fixtures-target \
	    $(abspath $(SIM_BIN)) run no-test-is-named-this >/dev/null 2>&1 || true
	ls $(BUILD)/fixtures-target/nextest-sim-build-*.jsonl >/dev/null

$(SIM_BIN): $(SIM_SRCS)
	$(SIM_CARGO) build --release --offline --manifest-path $(SIM_DIR)/Cargo.toml --target-dir $(SIM_TARGET_DIR)
	touch $@

# Unit tests inside the crate (no workspace needed).
sim-unit:
	$(SIM_CARGO) test --release --offline --manifest-path $(SIM_DIR)/Cargo.toml --target-dir $(SIM_TARGET_DIR)

# Unit tests + end-to-end checks on a throwaway workspace (tests/sim/selfcheck/ws), pytest.
sim-selfcheck: $(SIM_BIN) sim-unit
	$(PYTEST) $(SIM_DIR)/selfcheck/test_selfcheck.py $(PYTEST_ARGS) --sim $(abspath $(SIM_BIN))

CHECKS += sim-selfcheck
