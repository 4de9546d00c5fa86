# tests/e2e/e2e.mk — the truth-diff harness: its self-tests and the scenarios.
#
# Owns: e2e-selftest (diff tests on synthetic pairs, the fixture checks and the bpftrace
# capture round trip; always part of `make check`) and e2e (every scenario under real
# bpftrace with the shim preloaded; part of `make check` only when E2E_ENABLED=1).
# Both run pytest: e2e-selftest the tests of selftest/, e2e test_e2e.py (one test
# per scenario run).  Needs root + bpftrace for the capture.

E2E_DIR     := tests/e2e
E2E_BUILD   := $(BUILD)/e2e
E2E_ENABLED ?= 1
E2E_SIM     ?= $(BUILD)/sim-target/release/nextest-sim
# Scenario selection for `make e2e` (pytest): E2E_ARGS="-k 'basic or retries'" runs only
# those, E2E_ARGS='--emulate 0.9.66' one version.  Ten runs share one bpftrace session
# (attaching costs seconds each time).
E2E_ARGS    ?=
E2E_CFLAGS  := -O2 -g -Wall -Wextra -Werror

.PHONY: e2e-selftest e2e e2e-fixtures

$(E2E_BUILD):
	mkdir -p $@

$(E2E_BUILD)/libfakeprobes.so: $(E2E_DIR)/selftest/fakeprobes.c | $(E2E_BUILD)
	$(CC) $(E2E_CFLAGS) -fPIC -shared -o $@ $<

$(E2E_BUILD)/fakeprobe_run: $(E2E_DIR)/selftest/fakeprobe_run.c $(E2E_BUILD)/libfakeprobes.so
	$(CC) $(E2E_CFLAGS) -pthread -o $@ $< -L$(E2E_BUILD) -lfakeprobes -Wl,-rpath,'$$ORIGIN'

# cargo decides what is stale; always ask it.
e2e-fixtures:
	cd tests/fixtures/workspace && CARGO_TARGET_DIR=$(abspath $(BUILD))/fixtures-target \
	    cargo test --no-run --offline --workspace

e2e-selftest: $(E2E_BUILD)/libfakeprobes.so $(E2E_BUILD)/fakeprobe_run e2e-fixtures
	E2E_BUILD=$(abspath $(E2E_BUILD)) FIXTURES_TARGET=$(abspath $(BUILD))/fixtures-target \
	    $(PYTEST) $(E2E_DIR)/selftest $(PYTEST_ARGS)

# The simulator is built by tests/sim/sim.mk (its rule for $(E2E_SIM)).
e2e: $(LIB) $(E2E_SIM) e2e-fixtures
	FIXTURES_TARGET=$(abspath $(BUILD))/fixtures-target \
	    $(PYTEST) $(E2E_DIR)/test_e2e.py $(PYTEST_ARGS) --lib $(abspath $(LIB)) --sim $(abspath $(E2E_SIM)) \
	    --out $(abspath $(E2E_BUILD))/runs --batch 10 $(E2E_ARGS)

CHECKS += e2e-selftest
ifeq ($(E2E_ENABLED),1)
CHECKS += e2e
endif
