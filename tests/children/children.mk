# tests/children/children.mk — the library stays out of the runner's children.
#
# Owns: children-tests (test_children.py, under pytest, on tests/children/ws under the
# simulator's posix_spawn and fork + execvp paths and real cargo-nextest when
# installed, untraced and with the crash probe attached, with competing
# preloads around ours; root, bpftrace, strace), children-unit (Criterion:
# preload/thin/hook/childenv.c's rewriting of LD_PRELOAD, byte for byte), the competing
# preloads build/children/other-{a,b}.so.

CHILDREN_BUILD  := $(BUILD)/children
CHILDREN_TARGET := $(BUILD)/children-target

.PHONY: children-tests children-unit
CHECKS += children-unit children-tests

$(CHILDREN_BUILD)/other-%.so: tests/children/other.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O2 -o $@ $<

$(CHILDREN_BUILD)/test_childenv: tests/children/test_childenv.c $(NX_CHILDENV_SRCS) $(NX_CLASSIFY_SRCS) \
		$(NX_PARSERS_SRCS) $(PRELOAD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -Wno-format-truncation $(PRELOAD_INC) -o $@ $(filter %.c,$^) -lcriterion -ldl

children-unit: $(CHILDREN_BUILD)/test_childenv
	$(CHILDREN_BUILD)/test_childenv -j2

children-tests: $(LIB) $(SIM_BIN) $(CHILDREN_BUILD)/other-a.so $(CHILDREN_BUILD)/other-b.so
	$(PYTEST) tests/children/test_children.py $(PYTEST_ARGS) --lib $(abspath $(LIB)) --sim $(abspath $(SIM_BIN)) \
	    --target $(abspath $(CHILDREN_TARGET)) \
	    --other-a $(abspath $(CHILDREN_BUILD)/other-a.so) --other-b $(abspath $(CHILDREN_BUILD)/other-b.so)
