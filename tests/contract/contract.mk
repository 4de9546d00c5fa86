# tests/contract/contract.mk — the probe contract on the built library.
#
# Owns: build/contract/.  `contract-tests` checks $(CONTRACT_LIB) (default:
# the real build/libnextest_probes.so) with check_elf.py — notes, names,
# argument strings, descsz, semaphores on their own page, bpftrace -l, and the
# exported symbols against preload/thin/hook/exports.map — then runs the root-only live
# test: bpftrace attached by path before fire-all starts must see all ten
# probes fire once with the expected arguments.
# `make contract-probes-only` checks a library built from the probe sources
# alone (useful while the runtime does not link).

CONTRACT_DIR := $(BUILD)/contract
CONTRACT_LIB ?= $(LIB)
CONTRACT_PROBE_SRCS := preload/thin/probe/probes.c preload/engine/encode/encode.c preload/engine/encode/buf.c

.PHONY: contract-tests contract-probes-only
CHECKS += contract-tests

$(CONTRACT_DIR):
	mkdir -p $@

$(CONTRACT_DIR)/fire-all: tests/contract/fire_all.c $(CONTRACT_PROBE_SRCS) $(PRELOAD_HDRS) | $(CONTRACT_DIR)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -o $@ tests/contract/fire_all.c $(CONTRACT_PROBE_SRCS)

$(CONTRACT_DIR)/libprobes_only.so: $(CONTRACT_PROBE_SRCS) $(PRELOAD_HDRS) | $(CONTRACT_DIR)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -shared -o $@ $(CONTRACT_PROBE_SRCS)

contract-tests: $(CONTRACT_LIB) $(CONTRACT_DIR)/fire-all
	python3 tests/contract/check_elf.py $(CONTRACT_LIB) --bpftrace --exports preload/thin/hook/exports.map
	python3 tests/contract/live_probes.py $(CONTRACT_DIR)/fire-all

contract-probes-only: $(CONTRACT_DIR)/libprobes_only.so $(CONTRACT_DIR)/fire-all
	python3 tests/contract/check_elf.py $< --bpftrace
	python3 tests/contract/live_probes.py $(CONTRACT_DIR)/fire-all

# Not in CHECKS (needs the `lld` package): the same probes linked with lld,
# whose split-RELRO layout broke attach-before-start semaphores until .probes
# got a page of its own (probe-encoding.md §3.4(5)).
.PHONY: contract-lld
$(CONTRACT_DIR)/fire-all-lld: tests/contract/fire_all.c $(CONTRACT_PROBE_SRCS) $(PRELOAD_HDRS) | $(CONTRACT_DIR)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -fuse-ld=lld -o $@ tests/contract/fire_all.c $(CONTRACT_PROBE_SRCS)

contract-lld: $(CONTRACT_DIR)/fire-all-lld
	python3 tests/contract/check_elf.py $<
	python3 tests/contract/live_probes.py $<
