# tests/native/native.mk — the differential test against real nextest's own USDT probes.
#
# Owns: native-diff (every e2e scenario and the PTY scenarios through real
# `cargo nextest run`, one bpftrace session attached to the library and to the runner;
# not yet part of `make check`, see below), native-soak (short soak on real nextest, part of `make check`)
# and native-soak-full (10^4 attempts; not part of `make check`).  Without a nextest
# that has native probes each prints one `skipped: …` line and passes, except under
# CI=true.  See tests/native/README.md.

NATIVE_DIR    := tests/native
NATIVE_BUILD  := $(BUILD)/native
NATIVE_PYTHON ?= python3
NATIVE_ARGS   ?= --batch 10

.PHONY: native-diff native-soak native-soak-full

# Not yet part of `make check`: durations still differ from nextest's beyond the stated
# tolerance now and then, even on an idle machine (tests/native/README.md, "Open
# differences").  On an idle machine every failure seen so far was a duration.
native-diff: $(LIB) e2e-fixtures
	FIXTURES_TARGET=$(abspath $(BUILD))/fixtures-target \
	    $(NATIVE_PYTHON) $(NATIVE_DIR)/run_native.py --lib $(abspath $(LIB)) \
	    --out $(abspath $(NATIVE_BUILD))/runs $(NATIVE_ARGS)

# The soak on real nextest: NATIVE_SOAK_STRESS x 1,000 attempts at -j 32 while a tracer
# attaches and detaches.  `make check` runs 2,000; native-soak-full the 10^4 of the
# acceptance check (about 10 times as long).
NATIVE_SOAK_STRESS ?= 2

native-soak: $(LIB) e2e-fixtures
	FIXTURES_TARGET=$(abspath $(BUILD))/fixtures-target \
	    $(NATIVE_PYTHON) $(NATIVE_DIR)/soak.py --lib $(abspath $(LIB)) \
	    --out $(abspath $(NATIVE_BUILD))/soak --stress-count $(NATIVE_SOAK_STRESS) -j 32

native-soak-full: $(LIB) e2e-fixtures
	FIXTURES_TARGET=$(abspath $(BUILD))/fixtures-target \
	    $(NATIVE_PYTHON) $(NATIVE_DIR)/soak.py --lib $(abspath $(LIB)) \
	    --out $(abspath $(NATIVE_BUILD))/soak-full --stress-count 10 -j 32

CHECKS += native-soak

# Criterion tests of preload/engine/observe/ttylines.c (reporter lines drawn through a progress bar).
NATIVE_UNIT := $(NATIVE_BUILD)/test-ttylines

$(NATIVE_UNIT): $(NATIVE_DIR)/test_ttylines.c $(NX_TTYLINES_SRCS) $(PRELOAD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) $(PRELOAD_INC) -o $@ $(NATIVE_DIR)/test_ttylines.c $(NX_TTYLINES_SRCS) \
	    -lcriterion -pthread

native-unit: $(NATIVE_UNIT)
	$(NATIVE_UNIT) -j2

.PHONY: native-unit
CHECKS += native-unit
