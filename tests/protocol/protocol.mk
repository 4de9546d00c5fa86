# tests/protocol/protocol.mk — the protocol check: real cargo-nextest and nextest-sim run the
# same scenarios with the call logger preloaded; any difference in how they drive their
# children or what they print fails.  Owned by tests/protocol; included by the top-level
# Makefile.  test_protocol.py (pytest): one test per scenario.  Without cargo-nextest the
# tests are skipped (and fail under CI=true).

PROTOCOL_DIR    := tests/protocol
PROTOCOL_BUILD  := $(BUILD)/protocol
PROTOCOL_LOGGER := $(PROTOCOL_BUILD)/libcalllog.so
# (spelled out: tests/sim/sim.mk, which defines SIM_BIN, is included after this fragment)
PROTOCOL_SIM    ?= $(BUILD)/sim-target/release/nextest-sim
# Scenario selection (pytest): PROTOCOL_ARGS="-k 'basic-j1 or ctrl-c'".
PROTOCOL_ARGS   ?=

.PHONY: protocol

$(PROTOCOL_LOGGER): $(PROTOCOL_DIR)/calllog.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -o $@ $< -ldl

# The simulator is built by tests/sim/sim.mk, the fixtures by tests/e2e/e2e.mk.
protocol: $(PROTOCOL_LOGGER) $(PROTOCOL_SIM) e2e-fixtures
	$(PYTEST) $(PROTOCOL_DIR)/test_protocol.py $(PYTEST_ARGS) --calllog $(abspath $(PROTOCOL_LOGGER)) \
	    --sim $(abspath $(PROTOCOL_SIM)) --out $(abspath $(PROTOCOL_BUILD))/runs $(PROTOCOL_ARGS)

CHECKS += protocol
