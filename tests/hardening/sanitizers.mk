# tests/hardening/sanitizers.mk — ASan+UBSan and TSan builds of the library.
#
# Owns: build/asan/, build/tsan/ and the targets hardening-asan (the library
# built with -fsanitize=address,undefined, preloaded after libasan into
# simulator scenarios and the fakerunner while a tracer is attached, plus
# sanitized copies of the Criterion unit tests) and hardening-tsan (the
# library built with -fsanitize=thread, preloaded into storm.c, a TSan'd
# spawn storm, while a tracer is attached).  Included after hardening.mk.

SAN_FLAGS_COMMON := -std=gnu11 -O1 -g -fPIC -pthread -fvisibility=hidden -fno-strict-aliasing \
                    -D_GNU_SOURCE -fno-omit-frame-pointer $(PRELOAD_INC)
ASAN_FLAGS := $(SAN_FLAGS_COMMON) -fsanitize=address,undefined -fno-sanitize-recover=undefined
TSAN_FLAGS := $(SAN_FLAGS_COMMON) -fsanitize=thread
# Each build is the pair, in one directory (the thin object loads the engine from its own).
san_objs = $(patsubst preload/%.c,$(BUILD)/$(1)/obj/%.o,$(2))

$(BUILD)/asan/obj/%.o: preload/%.c $(PRELOAD_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ASAN_FLAGS) $(NX_SRC_DEFS) -c -o $@ $<

$(BUILD)/tsan/obj/%.o: preload/%.c $(PRELOAD_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TSAN_FLAGS) $(NX_SRC_DEFS) -c -o $@ $<

$(BUILD)/asan/libnextest_probes.so: $(call san_objs,asan,$(NX_THIN_SRCS)) $(PRELOAD_EXPORTS) \
		| $(BUILD)/asan/libnextest_probes_engine.so
	$(CC) -shared -fsanitize=address,undefined -o $@ $(call san_objs,asan,$(NX_THIN_SRCS)) \
	    -Wl,--version-script=$(PRELOAD_EXPORTS) $(LDLIBS_LIB)

$(BUILD)/asan/libnextest_probes_engine.so: $(call san_objs,asan,$(NX_ENGINE_SRCS)) $(ENGINE_EXPORTS)
	$(CC) -shared -fsanitize=address,undefined -o $@ $(call san_objs,asan,$(NX_ENGINE_SRCS)) \
	    -Wl,--version-script=$(ENGINE_EXPORTS) $(LDLIBS_LIB)

$(BUILD)/tsan/libnextest_probes.so: $(call san_objs,tsan,$(NX_THIN_SRCS)) $(PRELOAD_EXPORTS) \
		| $(BUILD)/tsan/libnextest_probes_engine.so
	$(CC) -shared -fsanitize=thread -o $@ $(call san_objs,tsan,$(NX_THIN_SRCS)) \
	    -Wl,--version-script=$(PRELOAD_EXPORTS) $(LDLIBS_LIB)

$(BUILD)/tsan/libnextest_probes_engine.so: $(call san_objs,tsan,$(NX_ENGINE_SRCS)) $(ENGINE_EXPORTS)
	$(CC) -shared -fsanitize=thread -o $@ $(call san_objs,tsan,$(NX_ENGINE_SRCS)) \
	    -Wl,--version-script=$(ENGINE_EXPORTS) $(LDLIBS_LIB)

$(HARD_DIR)/storm-tsan: $(HARD_SRC)/storm.c
	@mkdir -p $(@D)
	$(CC) $(HARD_CFLAGS) -O1 -fsanitize=thread -o $@ $<

SAN_UNIT_CC := $(CC) -std=gnu11 -O1 -g -fno-strict-aliasing -D_GNU_SOURCE -pthread \
               -fsanitize=address,undefined -fno-sanitize-recover=undefined $(PRELOAD_INC)

# Sanitized copies of the unit tests (the unit fragments' own source lists,
# expanded when the recipe runs, since those fragments are included later).
hardening-asan-unit:
	@mkdir -p $(BUILD)/asan
	$(SAN_UNIT_CC) -o $(BUILD)/asan/unit-tests $(UNIT_SRCS) $(UNIT_LIBSRC) -lcriterion -lcjson
	$(SAN_UNIT_CC) -o $(BUILD)/asan/test_reporter tests/unit/test_reporter.c $(UNIT_PARSERS_SRCS) -lcriterion
	$(SAN_UNIT_CC) -o $(BUILD)/asan/test_libtest tests/unit/test_libtest.c $(UNIT_PARSERS_SRCS) -lcriterion
	$(SAN_UNIT_CC) -o $(BUILD)/asan/unit-config $(UNIT_CONFIG_TESTS) $(UNIT_CONFIG_LIBSRC) -lcriterion
	$(SAN_UNIT_CC) -o $(BUILD)/asan/test-attempts tests/unit/test_attempts.c $(UNIT_ATTEMPTS_LIBSRC) -lcriterion
	$(SAN_UNIT_CC) -o $(BUILD)/asan/test-run tests/unit/test_run.c $(UNIT_RUN_LIBSRC) -lcriterion
	$(PYTEST) $(HARD_SRC)/test_asan_unit.py $(PYTEST_ARGS) --asan-dir $(BUILD)/asan

hardening-asan: $(BUILD)/asan/libnextest_probes.so $(HARD_PROGS) $(HARD_SIM) sim-build-cache hardening-asan-unit
	$(call HARD_PYTEST,asan,$(BUILD)/asan/libnextest_probes.so)

hardening-tsan: $(BUILD)/tsan/libnextest_probes.so $(HARD_DIR)/storm-tsan $(HARD_DIR)/fakechild
	$(call HARD_PYTEST,tsan,$(BUILD)/tsan/libnextest_probes.so)

.PHONY: hardening-asan hardening-tsan hardening-asan-unit
CHECKS += hardening-asan hardening-tsan
