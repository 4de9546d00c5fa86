# tests/hardening/hardening.mk — sabotage, errno, sanitizer and soak tests.
#
# Owns: build/hardening/, build/asan/, build/tsan/ and the targets
#   hardening-errno      every hook keeps errno (errno_check.c, with/without)
#   hardening-sabotage   env -i, clean child env, competing preloads, early
#                        constructor spawn, allocator calling write, EMFILE,
#                        kill switch, AT_SECURE, concurrent fork (fakerunner.c)
#   hardening-asan       ASan+UBSan library under simulator scenarios, and
#                        sanitized copies of the unit tests
#   hardening-tsan       TSan library + TSan spawn storm (storm.c)
#   hardening-soak-short 2,000 attempts while a tracer attaches and detaches
#   soak                 the long soak (10^5 attempts; not in CHECKS)
# The first five are in CHECKS; each runs pytest on its tests (test_hardening.py: one test
# per case; test_soak.py).
# sanitizers.mk and soak.mk (same folder) hold the last three; the top-level
# wildcard includes them after this file.  Needs root and bpftrace (tracer sessions attach by path to private copies
# of the library, so other areas' runs never mix in).

HARD_DIR    := $(BUILD)/hardening
HARD_SRC    := tests/hardening
HARD_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -pthread
HARD_SIM    ?= $(BUILD)/sim-target/release/nextest-sim

HARD_PROGS := $(HARD_DIR)/fakerunner $(HARD_DIR)/fakechild $(HARD_DIR)/errno_check \
              $(HARD_DIR)/libcompete.so $(HARD_DIR)/libctorspawn.so $(HARD_DIR)/libmallocwrite.so \
              $(HARD_DIR)/traced/libnextest_probes.so $(HARD_DIR)/untraced/libnextest_probes.so \
              $(HARD_DIR)/suid/libnextest_probes.so $(HARD_DIR)/suid/suidrunner \
              $(HARD_DIR)/traced/libnextest_probes_engine.so \
              $(HARD_DIR)/untraced/libnextest_probes_engine.so \
              $(HARD_DIR)/suid/libnextest_probes_engine.so \
              $(HARD_DIR)/noengine/libnextest_probes.so \
              $(HARD_DIR)/suid/fakechild

.PHONY: hardening-errno hardening-sabotage hardening-asan hardening-tsan hardening-soak-short soak
CHECKS += hardening-errno hardening-sabotage

$(HARD_DIR)/fakerunner $(HARD_DIR)/fakechild $(HARD_DIR)/errno_check: $(HARD_DIR)/%: $(HARD_SRC)/%.c
	@mkdir -p $(@D)
	$(CC) $(HARD_CFLAGS) -o $@ $<

$(HARD_DIR)/lib%.so: $(HARD_SRC)/%.c
	@mkdir -p $(@D)
	$(CC) $(HARD_CFLAGS) -fPIC -shared -o $@ $< -ldl

# Private copies: tracer sessions attach by path (inode).
$(HARD_DIR)/traced/libnextest_probes.so $(HARD_DIR)/untraced/libnextest_probes.so \
$(HARD_DIR)/suid/libnextest_probes.so: $(LIB)
	@mkdir -p $(@D)
	cp $(LIB) $@.tmp && mv -f $@.tmp $@

# A copy without its engine (the sabotage case "engine missing").
$(HARD_DIR)/noengine/libnextest_probes.so: $(LIB)
	@mkdir -p $(@D)
	rm -f $(@D)/libnextest_probes_engine.so
	cp $(LIB) $@.tmp && mv -f $@.tmp $@

# Each copy with its engine: the library loads it from its own directory.
$(HARD_DIR)/traced/libnextest_probes_engine.so $(HARD_DIR)/untraced/libnextest_probes_engine.so \
$(HARD_DIR)/suid/libnextest_probes_engine.so: $(ENGINE)
	@mkdir -p $(@D)
	cp $(ENGINE) $@.tmp && mv -f $@.tmp $@

$(HARD_DIR)/suid/fakechild: $(HARD_DIR)/fakechild
	cp $< $@

# The AT_SECURE runner: fakerunner linked against its own copy of the library
# (an absolute RUNPATH is honoured in secure mode, LD_PRELOAD paths are not);
# run_hardening.py makes it setuid root.
$(HARD_DIR)/suid/suidrunner: $(HARD_SRC)/fakerunner.c $(HARD_DIR)/suid/libnextest_probes.so
	$(CC) $(HARD_CFLAGS) -o $@ $< -L$(HARD_DIR)/suid -l:libnextest_probes.so \
	    -Wl,--no-as-needed -Wl,-rpath,$(abspath $(HARD_DIR))/suid

# One group of test_hardening.py: $(call HARD_PYTEST,GROUP,LIB)
HARD_PYTEST = $(PYTEST) $(HARD_SRC)/test_hardening.py -m $(1) $(PYTEST_ARGS) --build $(HARD_DIR) \
	    --sim $(HARD_SIM) --lib $(2)

hardening-errno: $(HARD_PROGS)
	$(call HARD_PYTEST,errno,$(HARD_DIR)/traced/libnextest_probes.so)

hardening-sabotage: $(HARD_PROGS) $(HARD_SIM) sim-build-cache
	$(call HARD_PYTEST,sabotage,$(HARD_DIR)/traced/libnextest_probes.so)

