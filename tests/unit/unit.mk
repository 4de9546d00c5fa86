# tests/unit/unit.mk — Criterion unit tests of the encoder, the shell-words
# splitter/joiner, the id formats, the probe table, the derived slots and the
# paused-time clock; and, each in a binary of its own (the rest of the engine
# replaced by stubs in the test), of the attempt table's late slow events and of
# a stress sub-run's times from late reporter lines.
#
# Owns: build/unit/ and the test files listed in UNIT_SRCS (other unit
# fragments in tests/unit/ own theirs).  The tests link the individual preload
# sources (not the .so, which exports only the hooks), built with the
# library's own flags.

UNIT_DIR   := $(BUILD)/unit
UNIT_SRCS  := tests/unit/test_encode.c tests/unit/test_ids.c tests/unit/test_probes.c \
              tests/unit/test_slots.c tests/unit/test_version.c tests/unit/test_envfile.c \
              tests/unit/test_shellwords.c tests/unit/test_pause.c
UNIT_LIBSRC := $(NX_PROBE_SITE_SRCS) $(NX_FIRE_C) $(NX_PARSERS_SRCS) $(NX_SLOTS_SRCS) $(NX_VERSION_SRCS) \
               $(NX_PAUSE_SRCS)
UNIT_OBJS  := $(patsubst tests/unit/%.c,$(UNIT_DIR)/%.o,$(UNIT_SRCS)) \
              $(patsubst preload/%.c,$(UNIT_DIR)/lib_%.o,$(UNIT_LIBSRC))
UNIT_BIN   := $(UNIT_DIR)/unit-tests

.PHONY: unit-tests
CHECKS += unit-tests

$(UNIT_DIR)/lib_%.o: preload/%.c $(PRELOAD_HDRS) | $(UNIT_DIR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -c -o $@ $<

$(UNIT_DIR)/%.o: tests/unit/%.c $(PRELOAD_HDRS) | $(UNIT_DIR)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) $(PRELOAD_INC) -c -o $@ $<

$(UNIT_BIN): $(UNIT_OBJS)
	$(CC) -o $@ $(UNIT_OBJS) -lcriterion -lcjson -pthread

$(UNIT_DIR):
	mkdir -p $@

# attempts.c with the id formats and the pause clock; test_attempts.c stubs the rest.
UNIT_ATTEMPTS_BIN := $(UNIT_DIR)/test-attempts
UNIT_ATTEMPTS_LIBSRC := preload/engine/model/attempts.c preload/engine/encode/format.c $(NX_PAUSE_SRCS)

$(UNIT_ATTEMPTS_BIN): $(UNIT_DIR)/test_attempts.o $(patsubst preload/%.c,$(UNIT_DIR)/lib_%.o,$(UNIT_ATTEMPTS_LIBSRC))
	$(CC) -o $@ $^ -lcriterion -pthread

# run.c with the id formats and the pause clock; test_run.c stubs the rest.
UNIT_RUN_BIN := $(UNIT_DIR)/test-run
UNIT_RUN_LIBSRC := preload/engine/model/run.c preload/engine/encode/format.c $(NX_PAUSE_SRCS)

$(UNIT_RUN_BIN): $(UNIT_DIR)/test_run.o $(patsubst preload/%.c,$(UNIT_DIR)/lib_%.o,$(UNIT_RUN_LIBSRC))
	$(CC) -o $@ $^ -lcriterion -pthread

unit-tests: $(UNIT_BIN) $(UNIT_ATTEMPTS_BIN) $(UNIT_RUN_BIN)
	$(UNIT_BIN) -j2
	$(UNIT_ATTEMPTS_BIN) -j2
	$(UNIT_RUN_BIN) -j2
