# tests/fuzz/fuzz.mk — libFuzzer targets for the library's parsers and encoder.
#
# Owns: build/fuzz/ and the targets fuzz-build, fuzz (part of `make check`: each
# target runs FUZZ_SECONDS on a scratch copy of its seed corpus, prints its
# executions and findings, then a final `N passed, N failed` line) and
# fuzz-long (FUZZ_SECONDS=300, not in check).  Compiled with Debian's clang
# (-fsanitize=fuzzer,address,undefined); the preload sources are compiled
# into each target directly.  New inputs go to build/fuzz/scratch/<target>, the
# seeds in tests/fuzz/corpus/<target> are only read.

FUZZ_CC      ?= clang
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SECONDS ?= 15
FUZZ_CFLAGS  := -std=gnu11 -O1 -g -D_GNU_SOURCE -fno-strict-aliasing $(PRELOAD_INC) \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_TARGETS := libtest reporter shellwords encode toml filterset

FUZZ_SRCS_libtest    := tests/fuzz/spans_libtest.c tests/unit/libtest/libtest.c $(NX_PARSERS_SRCS)
FUZZ_SRCS_reporter   := tests/fuzz/spans_reporter.c $(NX_PARSERS_SRCS)
FUZZ_SRCS_shellwords := $(NX_PARSERS_SRCS)
FUZZ_SRCS_encode     := $(NX_ENCODE_SRCS)
FUZZ_LIBS_encode     := -lcjson
FUZZ_SRCS_toml       := $(NX_PARSERS_SRCS)
FUZZ_SRCS_filterset  := $(NX_PARSERS_SRCS)
FUZZ_LIBS_filterset  := -ldl

FUZZ_BINS := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-build fuzz-long
CHECKS += fuzz

.SECONDEXPANSION:
$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*) $(PRELOAD_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRCS_$*) $(FUZZ_LIBS_$*)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	sh tests/fuzz/run_fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-long: fuzz-build
	sh tests/fuzz/run_fuzz.sh $(FUZZ_DIR) 300 $(FUZZ_TARGETS)
