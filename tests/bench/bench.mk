# tests/bench/bench.mk — `make bench`: the performance table (not in CHECKS).
#
# Owns: build/bench/ and the targets bench (bench/bench.py: untraced and
# all-probes-traced run overhead, syscalls per attempt, load cost, RSS over
# BENCH_RSS_STRESS x 1,000 attempts; writes build/bench/results.md) and
# bench-quick (fewer rounds, 10,000 attempts for RSS).  docs/performance.md
# holds the figures of a full run.  Needs root, bpftrace, strace, valgrind.

BENCH_DIR        := $(BUILD)/bench
BENCH_ROUNDS     ?= 5
BENCH_RSS_STRESS ?= 100

.PHONY: bench bench-quick

$(BENCH_DIR)/spawn_true: bench/spawn_true.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

bench: $(LIB) $(BENCH_DIR)/spawn_true $(BUILD)/sim-target/release/nextest-sim e2e-fixtures
	python3 bench/bench.py --lib $(LIB) --sim $(BUILD)/sim-target/release/nextest-sim \
	    --build $(BENCH_DIR) --rounds $(BENCH_ROUNDS) --rss-stress $(BENCH_RSS_STRESS)

bench-quick: $(LIB) $(BENCH_DIR)/spawn_true $(BUILD)/sim-target/release/nextest-sim e2e-fixtures
	python3 bench/bench.py --lib $(LIB) --sim $(BUILD)/sim-target/release/nextest-sim \
	    --build $(BENCH_DIR) --rounds 3 --rss-stress 10
