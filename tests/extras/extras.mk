# tests/extras/extras.mk — the extra provider's end-to-end tests.
#
# Owns: extras-tests (test_xsym.c: demangling, JSON escaping, naming an
# address; run_extras.py: rusage, crash backtraces incl. a stack overflow,
# dispositions as the program set them, hung-test stacks, no cost untraced;
# root + bpftrace + strace) and
# extras-ws (builds our crash fixtures in tests/extras/ws), build/extras/sigvirt.  Uses the
# simulator ($(SIM_BIN), tests/sim/sim.mk) and the fixture workspace
# (e2e-fixtures, tests/e2e/e2e.mk).  Prints a final `N passed, N failed`.

EXTRAS_WS_TARGET := $(BUILD)/extras-ws-target
EXTRAS_BUILD     := $(BUILD)/extras

.PHONY: extras-tests extras-ws
CHECKS += extras-tests

# cargo decides what is stale; always ask it.
extras-ws:
	cd tests/extras/ws && CARGO_TARGET_DIR=$(abspath $(EXTRAS_WS_TARGET)) \
	    cargo test --no-run --offline

$(EXTRAS_BUILD)/sigvirt: tests/extras/sigvirt.c
	@mkdir -p $(dir $@)
	$(CC) -O0 -g -Wall -Wextra -Werror -o $@ $<

$(EXTRAS_BUILD)/test_xsym: tests/extras/test_xsym.c preload/engine/extras/xsym.c \
		preload/engine/extras/xdemangle_v0.c preload/engine/extras/xtext.c $(PRELOAD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $(filter %.c,$^)

extras-tests: $(LIB) $(SIM_BIN) e2e-fixtures extras-ws $(EXTRAS_BUILD)/sigvirt $(EXTRAS_BUILD)/test_xsym
	$(EXTRAS_BUILD)/test_xsym
	python3 tests/extras/run_extras.py --lib $(abspath $(LIB))
