# tests/unit/config.mk — Criterion tests of the runner-configuration module:
# TOML parser, durations, filtersets (globs, Rust regexes through PCRE2),
# cfg() platform specs, argv parsing, the shared cursor and resolved config.
#
# Owns: build/unit-config/ and the `unit-config` target.  Links the preload
# sources it tests directly (the .so exports only the hooks), compiled with
# the library's own flags.  UNIT_CONFIG_TESTS lists this area's test files so
# other unit fragments can leave them out of their wildcard.

UNIT_CONFIG_DIR    := $(BUILD)/unit-config
UNIT_CONFIG_TESTS  := tests/unit/test_config.c tests/unit/test_toml.c \
                      tests/unit/test_filterset.c tests/unit/test_duration.c \
                      tests/unit/test_cmdline.c tests/unit/test_rustregex.c \
                      tests/unit/test_cursor.c tests/unit/test_platform.c
UNIT_CONFIG_LIBSRC := $(NX_CONFIG_LOAD_SRCS)
UNIT_CONFIG_OBJS   := $(patsubst tests/unit/%.c,$(UNIT_CONFIG_DIR)/%.o,$(UNIT_CONFIG_TESTS)) \
                      $(patsubst preload/%.c,$(UNIT_CONFIG_DIR)/lib_%.o,$(UNIT_CONFIG_LIBSRC))
UNIT_CONFIG_BIN    := $(UNIT_CONFIG_DIR)/unit-config

.PHONY: unit-config
CHECKS += unit-config

$(UNIT_CONFIG_DIR)/lib_%.o: preload/%.c $(PRELOAD_HDRS) | $(UNIT_CONFIG_DIR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -c -o $@ $<

$(UNIT_CONFIG_DIR)/%.o: tests/unit/%.c $(PRELOAD_HDRS) | $(UNIT_CONFIG_DIR)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) $(PRELOAD_INC) -c -o $@ $<

$(UNIT_CONFIG_BIN): $(UNIT_CONFIG_OBJS)
	$(CC) -o $@ $(UNIT_CONFIG_OBJS) -lcriterion -ldl -pthread

$(UNIT_CONFIG_DIR):
	mkdir -p $@

unit-config: $(UNIT_CONFIG_BIN)
	$(UNIT_CONFIG_BIN) -j2
