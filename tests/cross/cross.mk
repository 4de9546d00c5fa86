# tests/cross/cross.mk — the aarch64 build of the library.
#
# Owns: build/cross-aarch64/.  `cross-aarch64` compiles every preload/*.c with
# Debian's cross gcc (same flags as the native build), links the .so against
# the arm64 cross glibc (libc6-dev-arm64-cross) with the same version script,
# preload/engine/extras/xunwind.c against arm64 libunwind.h (libunwind-dev:arm64,
# multiarch: /usr/include/aarch64-linux-gnu; dlopen'ed at run time, never
# linked),
# and checks its ten notes with tests/contract/test_elf.py --arch aarch64 (argument strings
# in usdt's aarch64 form "8@x0 … 4@x4", semaphores, page, exports) and its
# engine with tests/contract/test_engine.py (no probe in it, one export).
# aarch64 Linux nextest builds never carry native probes, so this is the
# build that gives them probes at all.  It also compiles probes.c the way any
# other architecture would (-DNX_NO_NOTES: inert probes) and checks that this
# builds warning-free and emits no notes.

CROSS_CC    ?= aarch64-linux-gnu-gcc
CROSS_DIR   := $(BUILD)/cross-aarch64
CROSS_THIN_OBJS   := $(patsubst preload/%.c,$(CROSS_DIR)/obj/%.o,$(NX_THIN_SRCS))
CROSS_ENGINE_OBJS := $(patsubst preload/%.c,$(CROSS_DIR)/obj/%.o,$(NX_ENGINE_SRCS))
CROSS_LIB   := $(CROSS_DIR)/libnextest_probes.so
CROSS_ENGINE := $(CROSS_DIR)/libnextest_probes_engine.so

.PHONY: cross-aarch64
CHECKS += cross-aarch64

$(CROSS_DIR)/obj:
	mkdir -p $@

$(CROSS_DIR)/obj/%.o: preload/%.c $(PRELOAD_HDRS) | $(CROSS_DIR)/obj
	@mkdir -p $(dir $@)
	@case $< in *xunwind.c) echo '#include <libunwind-aarch64.h>' | $(CROSS_CC) -E -o /dev/null - 2>/dev/null || \
		{ echo "cross-aarch64: arm64 libunwind.h missing: dpkg --add-architecture arm64; apt-get update; apt-get install libunwind-dev:arm64"; exit 1; } ;; esac
	$(CROSS_CC) $(CFLAGS_COMMON) $(NX_SRC_DEFS) $(CFLAGS) -c -o $@ $<

$(CROSS_LIB): $(CROSS_THIN_OBJS) $(PRELOAD_EXPORTS) | $(CROSS_ENGINE)
	$(CROSS_CC) -shared $(THIN_LDFLAGS) -o $@ $(CROSS_THIN_OBJS) -Wl,--version-script=$(PRELOAD_EXPORTS) \
	      -Wl,-z,defs -Wl,--no-undefined $(LDLIBS_THIN)

$(CROSS_ENGINE): $(CROSS_ENGINE_OBJS) $(ENGINE_EXPORTS)
	$(CROSS_CC) -shared -o $@ $(CROSS_ENGINE_OBJS) -Wl,--version-script=$(ENGINE_EXPORTS) \
	      -Wl,-z,defs -Wl,--no-undefined $(LDLIBS_LIB)

cross-aarch64: $(CROSS_LIB) $(CROSS_ENGINE)
	@readelf -h $(CROSS_LIB) | grep -q 'Machine:.*AArch64' || \
		{ echo "cross-aarch64: $(CROSS_LIB) is not an AArch64 object"; exit 1; }
	$(PYTEST) tests/contract/test_elf.py tests/contract/test_engine.py $(PYTEST_ARGS) --lib $(CROSS_LIB) \
	    --arch aarch64 --exports preload/thin/hook/exports.map \
	    --engine $(CROSS_ENGINE) --engine-exports $(ENGINE_EXPORTS)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -DNX_NO_NOTES -c -o $(CROSS_DIR)/probes-inert.o $(NX_PROBE_SITE_SRCS)
	@if readelf -S -W $(CROSS_DIR)/probes-inert.o | grep -q 'note.stapsdt'; then \
		echo "cross-aarch64: -DNX_NO_NOTES build still has stapsdt notes"; exit 1; fi
	@echo "cross-aarch64: inert (no-notes) build of probes.c compiles, no notes"
