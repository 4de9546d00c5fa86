# tests/contract/contract.mk — the probe contract on the built library.
#
# Owns: build/contract/.  `contract-tests` checks $(CONTRACT_LIB) (default:
# the real build/libnextest_probes.so) with test_elf.py (pytest; checks in
# check_elf.py) — notes, names,
# argument strings, descsz, semaphores on their own page, bpftrace -l, and the
# exported symbols against preload/thin/hook/exports.map — test_engine.py (the
# engine object carries no note, probe section or semaphore, and exports only
# what engine.map names), and the root-only live
# test (test_live.py, live_probes.py): bpftrace attached by path before fire-all starts must see all ten
# probes fire once with the expected arguments.
# `make contract-probes-only` checks a library built from the probe sources
# alone (useful while the runtime does not link).

CONTRACT_DIR := $(BUILD)/contract
CONTRACT_LIB ?= $(LIB)
CONTRACT_PROBE_SRCS := $(NX_FIRE_SRCS)

.PHONY: contract-tests contract-probes-only
CHECKS += contract-tests

$(CONTRACT_DIR):
	mkdir -p $@

$(CONTRACT_DIR)/fire-all: tests/contract/fire_all.c $(CONTRACT_PROBE_SRCS) $(PRELOAD_HDRS) | $(CONTRACT_DIR)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -o $@ tests/contract/fire_all.c $(CONTRACT_PROBE_SRCS)

$(CONTRACT_DIR)/libprobes_only.so: $(CONTRACT_PROBE_SRCS) $(PRELOAD_HDRS) | $(CONTRACT_DIR)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -shared -o $@ $(CONTRACT_PROBE_SRCS)

contract-tests: $(CONTRACT_LIB) $(CONTRACT_DIR)/fire-all $(ENGINE)
	$(PYTEST) tests/contract/test_elf.py tests/contract/test_engine.py tests/contract/test_live.py $(PYTEST_ARGS) \
	    --lib $(CONTRACT_LIB) --bpftrace --exports preload/thin/hook/exports.map --fire-all $(CONTRACT_DIR)/fire-all \
	    --engine $(ENGINE) --engine-exports $(ENGINE_EXPORTS)

contract-probes-only: $(CONTRACT_DIR)/libprobes_only.so $(CONTRACT_DIR)/fire-all
	$(PYTEST) tests/contract/test_elf.py tests/contract/test_live.py $(PYTEST_ARGS) \
	    --lib $< --bpftrace --fire-all $(CONTRACT_DIR)/fire-all

# Not in CHECKS (needs the `lld` package): the same probes linked with lld,
# whose split-RELRO layout broke attach-before-start semaphores until .probes
# got a page of its own (probe-encoding.md §3.4(5)).
.PHONY: contract-lld
$(CONTRACT_DIR)/fire-all-lld: tests/contract/fire_all.c $(CONTRACT_PROBE_SRCS) $(PRELOAD_HDRS) | $(CONTRACT_DIR)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -fuse-ld=lld -o $@ tests/contract/fire_all.c $(CONTRACT_PROBE_SRCS)

contract-lld: $(CONTRACT_DIR)/fire-all-lld
	$(PYTEST) tests/contract/test_elf.py tests/contract/test_live.py $(PYTEST_ARGS) --lib $< --fire-all $<
