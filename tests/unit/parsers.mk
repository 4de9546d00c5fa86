# tests/unit/parsers.mk — Criterion tests of the stderr/stdout line parsers.
#
# Owns: target `unit-parsers`, which builds tests/unit/test_reporter.c and
# tests/unit/test_libtest.c (with the reporter parser, the libtest-json reader
# of tests/unit/libtest/ and the fuzz self-checks of tests/fuzz/spans_*.c
# compiled in) into build/unit-parsers/ and runs them from the repository root
# (the corpus test reads tests/fuzz/corpus/).

UNIT_PARSERS_DIR   := $(BUILD)/unit-parsers
UNIT_PARSERS_SRCS  := $(NX_PARSERS_SRCS) $(NX_LINES_SRCS) tests/unit/libtest/libtest.c \
                      tests/fuzz/spans_reporter.c tests/fuzz/spans_libtest.c
UNIT_PARSERS_HDRS  := $(PRELOAD_HDRS) tests/unit/libtest/libtest.h tests/unit/linetests.h tests/fuzz/spans.h
UNIT_PARSERS_BINS  := $(UNIT_PARSERS_DIR)/test_reporter $(UNIT_PARSERS_DIR)/test_libtest

$(UNIT_PARSERS_DIR)/test_reporter: tests/unit/test_reporter.c $(UNIT_PARSERS_SRCS) $(UNIT_PARSERS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) $(PRELOAD_INC) -o $@ $< $(UNIT_PARSERS_SRCS) -lcriterion

$(UNIT_PARSERS_DIR)/test_libtest: tests/unit/test_libtest.c $(UNIT_PARSERS_SRCS) $(UNIT_PARSERS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) $(PRELOAD_INC) -o $@ $< $(UNIT_PARSERS_SRCS) -lcriterion

.PHONY: unit-parsers
unit-parsers: $(UNIT_PARSERS_BINS)
	@set -e; for t in $(UNIT_PARSERS_BINS); do echo "== $$t"; $$t --jobs=2; done

CHECKS += unit-parsers
