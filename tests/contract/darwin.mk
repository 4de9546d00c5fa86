# tests/contract/darwin.mk — the macOS build path, checked on Linux.
#
# Owns: build/darwin-check/ and `darwin-static-check` (no Mac here, so this is
# what can be checked without one):
# All four parts are tests of test_darwin.py (pytest):
#  * darwin_static.py: nextest_probes.d declares exactly NX_PROBE_LIST's
#    probes and types; the interpose table + DARWIN_NO_HOOK is exactly
#    exports.map; hooks.c's __APPLE__ guards and the Makefile's derived
#    dylib export list agree with both;
#  * probes.c and probes_darwin.c compiled for the DTrace path (-DNX_DTRACE=1)
#    against a stand-in for `dtrace -h` generated from the .d file (typed
#    prototypes, -Wconversion): no notes, no semaphores, and fire_all.c's ten
#    probes carry exactly the arguments the Linux live test expects;
#  * hooks.c + interpose_darwin.c compiled with the macOS hook naming
#    (-DNX_INTERPOSE=1) in one unit: every hook matches its libc function's
#    type, keeps no libc name, and the table pairs {nx_hook_<name>, <name>}.
# What only a Mac can show (Apple's dtrace -h, ld64, dyld, DTrace itself) is
# listed in docs/macos.md.

DARWIN_DIR := $(BUILD)/darwin-check

.PHONY: darwin-static-check
CHECKS += darwin-static-check

$(DARWIN_DIR):
	mkdir -p $@

$(DARWIN_DIR)/nextest_probes_dtrace.h $(DARWIN_DIR)/mock_dtrace.c: preload/thin/probe/nextest_probes.d \
		tests/contract/darwin_mock_dtrace.py | $(DARWIN_DIR)
	python3 tests/contract/darwin_mock_dtrace.py preload/thin/probe/nextest_probes.d $@

$(DARWIN_DIR)/probes.o: $(NX_PROBE_SITE_SRCS) $(PRELOAD_HDRS) | $(DARWIN_DIR)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -DNX_DTRACE=1 -c -o $@ $<

$(DARWIN_DIR)/probes_darwin.o: $(NX_DARWIN_PROBE_SITE_SRCS) $(DARWIN_DIR)/nextest_probes_dtrace.h \
		$(PRELOAD_HDRS)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -DNX_DTRACE=1 -Wconversion -I$(DARWIN_DIR) -c -o $@ $<

$(DARWIN_DIR)/fire-all-dtrace: tests/contract/fire_all.c $(DARWIN_DIR)/probes.o \
		$(DARWIN_DIR)/probes_darwin.o $(DARWIN_DIR)/mock_dtrace.c $(NX_ENCODE_SRCS)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -o $@ $^

$(DARWIN_DIR)/interpose_tu.o: tests/contract/darwin_interpose_tu.c $(NX_WRAPPER_SRCS) \
		$(NX_DARWIN_INTERPOSE_SRCS) $(PRELOAD_HDRS) | $(DARWIN_DIR)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -DNX_INTERPOSE=1 -DNX_INTERPOSE_SECTION='"nx_interpose"' \
	      -c -o $@ $<

$(DARWIN_DIR)/interpose-check: tests/contract/darwin_interpose_check.c $(DARWIN_DIR)/interpose_tu.o \
		$(filter-out $(BUILD)/obj/hooks.o,$(PRELOAD_OBJS))
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -rdynamic -o $@ $^ $(LDLIBS_LIB)

darwin-static-check: $(BUILD)/exports_darwin.txt $(DARWIN_DIR)/fire-all-dtrace \
		$(DARWIN_DIR)/interpose-check
	$(PYTEST) tests/contract/test_darwin.py $(PYTEST_ARGS) --darwin-dir $(DARWIN_DIR) \
	    --export-list $(BUILD)/exports_darwin.txt --no-hook "$(DARWIN_NO_HOOK)" \
	    --linux-only preload/thin/hook/sigaction.c:sigaction,signal
