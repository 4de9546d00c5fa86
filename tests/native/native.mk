# tests/native/native.mk — the differential test against real nextest's own USDT probes.
#
# Owns: native-diff (every e2e scenario, the PTY scenarios and this area's own through
# real `cargo nextest run`, one bpftrace session attached to the library and to the
# runner), native-soak (short soak on real nextest), native-unit (all three part of
# `make check`) and native-soak-full (10^4 attempts; not part of `make check`).  Without
# a nextest that has native probes (or without root) native-diff skips its scenarios with
# the reason and the soaks print one `skipped: …` line; all pass, except under CI=true,
# where they fail.  See tests/native/README.md.

NATIVE_DIR    := tests/native
NATIVE_BUILD  := $(BUILD)/native
NATIVE_PYTHON ?= python3

.PHONY: native-diff native-soak native-soak-full

# One pytest test per scenario: make native-diff PYTEST_ARGS="-k 'retries or pty-16-slow'".
native-diff: $(LIB) e2e-fixtures
	FIXTURES_TARGET=$(abspath $(BUILD))/fixtures-target \
	    $(PYTEST) $(NATIVE_DIR)/test_native_diff.py $(PYTEST_ARGS) --lib $(abspath $(LIB)) \
	    --out $(abspath $(NATIVE_BUILD))/runs

# The soak on real nextest: NATIVE_SOAK_STRESS x 1,000 attempts at -j 32 while a tracer
# attaches and detaches.  `make check` runs 2,000; native-soak-full the 10^4 of the
# acceptance check (about 10 times as long).
NATIVE_SOAK_STRESS ?= 2

native-soak: $(LIB) e2e-fixtures
	FIXTURES_TARGET=$(abspath $(BUILD))/fixtures-target \
	    $(PYTEST) $(NATIVE_DIR)/test_native_soak.py $(PYTEST_ARGS) -s --lib $(abspath $(LIB)) \
	    --out $(abspath $(NATIVE_BUILD))/soak --soak-stress $(NATIVE_SOAK_STRESS) --soak-jobs 32

native-soak-full: $(LIB) e2e-fixtures
	FIXTURES_TARGET=$(abspath $(BUILD))/fixtures-target \
	    $(PYTEST) $(NATIVE_DIR)/test_native_soak.py $(PYTEST_ARGS) -s --lib $(abspath $(LIB)) \
	    --out $(abspath $(NATIVE_BUILD))/soak-full --soak-stress 10 --soak-jobs 32

# native-diff adds about 2 minutes to `make check` on 2 cores (113-115 s in three
# consecutive full runs at load average below 1, tests/native/README.md).
CHECKS += native-diff native-soak

# Criterion tests of preload/engine/observe/ttylines.c (reporter lines drawn through a
# progress bar), and pytest tests of the judge's comparison, of the preemption index and
# of the PTY masks.
NATIVE_UNIT := $(NATIVE_BUILD)/test-ttylines

$(NATIVE_UNIT): $(NATIVE_DIR)/test_ttylines.c $(NX_TTYLINES_SRCS) $(PRELOAD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) $(PRELOAD_INC) -o $@ $(NATIVE_DIR)/test_ttylines.c $(NX_TTYLINES_SRCS) \
	    -lcriterion -pthread

native-unit: $(NATIVE_UNIT)
	$(NATIVE_UNIT) -j2
	$(PYTEST) $(NATIVE_DIR)/test_preempt.py $(NATIVE_DIR)/test_judge.py $(NATIVE_DIR)/test_ptymask.py $(PYTEST_ARGS)

.PHONY: native-unit
CHECKS += native-unit
