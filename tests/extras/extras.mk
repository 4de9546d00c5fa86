# tests/extras/extras.mk — the extra provider's end-to-end tests.
#
# Owns: extras-tests (test_xsym.c: demangling, JSON escaping, naming an
# address; test_taskregs.c: a thread's registers from /proc, read again while
# it runs; test_extras.py under pytest, checks in run_extras.py: rusage, crash backtraces incl. a stack overflow,
# dispositions as the program set them, hung-test stacks, no cost untraced;
# root + bpftrace + strace) and
# extras-ws (builds our crash fixtures in tests/extras/ws), build/extras/sigvirt.  Uses the
# simulator ($(SIM_BIN), tests/sim/sim.mk) and the fixture workspace
# (e2e-fixtures, tests/e2e/e2e.mk).

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

$(EXTRAS_BUILD)/test_xsym: tests/extras/test_xsym.c $(NX_SYMBOLS_SRCS) $(PRELOAD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $(filter %.c,$^)

$(EXTRAS_BUILD)/test_taskregs: tests/extras/test_taskregs.c $(NX_TASKREGS_SRCS) $(PRELOAD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -o $@ $(filter %.c,$^)

extras-tests: $(LIB) $(SIM_BIN) e2e-fixtures extras-ws $(EXTRAS_BUILD)/sigvirt $(EXTRAS_BUILD)/test_xsym \
	      $(EXTRAS_BUILD)/test_taskregs
	$(EXTRAS_BUILD)/test_xsym
	$(EXTRAS_BUILD)/test_taskregs
	$(PYTEST) tests/extras/test_extras.py $(PYTEST_ARGS) --lib $(abspath $(LIB))
