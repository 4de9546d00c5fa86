# tests/bench/bench.mk — `make bench`: the performance table (not in CHECKS);
# bench-selftest (in CHECKS).
#
# Owns: build/bench/ and the targets bench (tests/bench/bench.py: whole-tree CPU
# time and page faults of 2,000 trivial tests at -j 1, default and -j 8 against
# no preload, an empty preloaded object and the library untraced and traced;
# the runner's own syscalls; the load cost of /bin/true; runner instructions;
# the library's own work per attempt turned into CPU time (cost: callgrind of
# real nextest with a valgrind that knows pidfd_open, tests/bench/valgrind.sh,
# and one probe firing's cost, tests/bench/firecost.c); RSS over
# BENCH_RSS_STRESS x 1,000 attempts; writes build/bench/results.md)
# and bench-quick (3 rounds, 10,000 attempts for RSS); bench-selftest: the
# callgrind reader tests/bench/cgcost.py on a made-up profile.  The runner is real
# cargo-nextest when installed, else the simulator (BENCH_RUNNER=sim|cargo-nextest
# to choose).  docs/performance.md holds the figures of a full run.  Needs root,
# perf, bpftrace, strace, valgrind.

BENCH_DIR        := $(BUILD)/bench
BENCH_ROUNDS     ?= 5
BENCH_RSS_STRESS ?= 100
BENCH_RUNNER     ?= auto
BENCH_ONLY       ?= whole,syscalls,load,instr,cost,rss
BENCH_JOBS       ?= 1,default,8
BENCH_CONFIGS    ?= A,E,B,T,C

.PHONY: bench bench-quick bench-selftest

$(BENCH_DIR)/spawn_true: tests/bench/spawn_true.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

$(BENCH_DIR)/ownclock: tests/bench/ownclock.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

$(BENCH_DIR)/firecost: tests/bench/firecost.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

$(BENCH_DIR)/empty.so: tests/bench/empty.c
	@mkdir -p $(@D)
	$(CC) -O2 -shared -fPIC -o $@ $<

BENCH_DEPS := $(LIB) $(ENGINE) $(BENCH_DIR)/spawn_true $(BENCH_DIR)/ownclock $(BENCH_DIR)/firecost $(BENCH_DIR)/empty.so \
	      $(SIM_BIN) e2e-fixtures
BENCH_CMD   = python3 tests/bench/bench.py --lib $(LIB) --sim $(SIM_BIN) --build $(BENCH_DIR) \
	    --empty $(BENCH_DIR)/empty.so --spawn-true $(BENCH_DIR)/spawn_true \
	    --ownclock $(BENCH_DIR)/ownclock --firecost $(BENCH_DIR)/firecost --runner $(BENCH_RUNNER) \
	    --jobs $(BENCH_JOBS) --configs $(BENCH_CONFIGS)

bench: $(BENCH_DEPS)
	$(BENCH_CMD) --rounds $(BENCH_ROUNDS) --rss-stress $(BENCH_RSS_STRESS) --only $(BENCH_ONLY)

bench-quick: $(BENCH_DEPS)
	$(BENCH_CMD) --rounds 3 --rss-stress 10 --only $(BENCH_ONLY)

bench-selftest:
	$(PYTEST) -q $(PYTEST_ARGS) tests/bench/test_cgcost.py

CHECKS += bench-selftest
