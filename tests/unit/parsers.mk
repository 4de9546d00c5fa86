# tests/unit/parsers.mk — Criterion tests of the stderr/stdout line parsers.
#
# Owns: target `unit-parsers`, which builds tests/unit/test_reporter.c and
# tests/unit/test_libtest.c (with the parser sources compiled in) into
# build/unit-parsers/ and runs them from the repository root (the corpus
# test reads tests/fuzz/corpus/).

UNIT_PARSERS_DIR   := $(BUILD)/unit-parsers
UNIT_PARSERS_SRCS  := preload/ansi.c preload/reporter.c preload/libtest.c preload/lines.c
UNIT_PARSERS_HDRS  := preload/ansi.h preload/reporter.h preload/libtest.h preload/lines.h
UNIT_PARSERS_BINS  := $(UNIT_PARSERS_DIR)/test_reporter $(UNIT_PARSERS_DIR)/test_libtest

$(UNIT_PARSERS_DIR)/test_reporter: tests/unit/test_reporter.c $(UNIT_PARSERS_SRCS) $(UNIT_PARSERS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -Ipreload -o $@ $< $(UNIT_PARSERS_SRCS) -lcriterion

$(UNIT_PARSERS_DIR)/test_libtest: tests/unit/test_libtest.c $(UNIT_PARSERS_SRCS) $(UNIT_PARSERS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -Ipreload -o $@ $< $(UNIT_PARSERS_SRCS) -lcriterion

.PHONY: unit-parsers
unit-parsers: $(UNIT_PARSERS_BINS)
	@set -e; for t in $(UNIT_PARSERS_BINS); do echo "== $$t"; $$t --jobs=2; done

CHECKS += unit-parsers
