# tests/tools/tools.mk — tests of tracer-scripts/ (bpftrace scripts, nextest-probes, the
# Perfetto converter) and the install rules for them.
#
# Owns: tools-tests (part of `make check`; prints a final `N passed, N failed` line; needs
# root + bpftrace for the live parts), tools-examples (re-captures
# tracer-scripts/examples/*.txt from simulator runs), install-tools / uninstall-tools
# (added to `make install` / `make uninstall`).

TOOLS_DIR    := tests/tools
TOOLS_BUILD  := $(BUILD)/tools
TOOLS_SIM    ?= $(BUILD)/sim-target/release/nextest-sim
TOOLS_PYTHON ?= python3
TOOLS_ARGS   ?=
TOOLS_CFLAGS := -O2 -Wall -Wextra -Werror

.PHONY: tools-tests tools-examples install-tools uninstall-tools

$(TOOLS_BUILD):
	mkdir -p $@

$(TOOLS_BUILD)/static-hello: $(TOOLS_DIR)/static_hello.c | $(TOOLS_BUILD)
	$(CC) $(TOOLS_CFLAGS) -static -o $@ $<

# A private copy of the e2e area's fake probe library (its own inode, so other areas'
# tests firing their copy cannot reach our tracer sessions).
$(TOOLS_BUILD)/libfakeprobes.so: tests/e2e/selftest/fakeprobes.c | $(TOOLS_BUILD)
	$(CC) $(TOOLS_CFLAGS) -fPIC -shared -o $@ $<

$(TOOLS_BUILD)/fakeprobe_run: tests/e2e/selftest/fakeprobe_run.c $(TOOLS_BUILD)/libfakeprobes.so
	$(CC) $(TOOLS_CFLAGS) -pthread -o $@ $< -L$(TOOLS_BUILD) -lfakeprobes -Wl,-rpath,'$$ORIGIN'

# A private copy of the library: tracer sessions attach by path (inode), so runs by other
# areas that preload build/libnextest_probes.so at the same time stay out of our output.
$(TOOLS_BUILD)/private/libnextest_probes.so: $(LIB) | $(TOOLS_BUILD)
	mkdir -p $(dir $@)
	cp $(LIB) $@.tmp && mv -f $@.tmp $@

TOOLS_DEPS := $(TOOLS_BUILD)/private/libnextest_probes.so $(TOOLS_SIM) $(TOOLS_BUILD)/static-hello $(TOOLS_BUILD)/fakeprobe_run e2e-fixtures

tools-tests: $(TOOLS_DEPS)
	$(TOOLS_PYTHON) $(TOOLS_DIR)/run_tests.py --root $(CURDIR) --build $(abspath $(BUILD)) \
	    --sim $(abspath $(TOOLS_SIM)) $(TOOLS_ARGS)

tools-examples: $(TOOLS_DEPS)
	$(TOOLS_PYTHON) $(TOOLS_DIR)/run_tests.py --root $(CURDIR) --build $(abspath $(BUILD)) \
	    --sim $(abspath $(TOOLS_SIM)) --write-examples $(CURDIR)/tracer-scripts/examples scripts

CHECKS += tools-tests

# Installed layout: $(BINDIR)/nextest-probes finds ../lib/libnextest_probes.so and
# ../share/libnextest_probes/{nextest_perfetto.py,nextest_capture.py,*.bt,*.d,examples/}.
install: install-tools
install-tools:
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/examples
	install -m 0755 tracer-scripts/nextest-probes $(DESTDIR)$(BINDIR)/nextest-probes
	install -m 0644 tracer-scripts/nextest_perfetto.py tracer-scripts/nextest_capture.py \
	    tracer-scripts/*.bt tracer-scripts/*.d $(DESTDIR)$(DATADIR)/
	install -m 0644 tracer-scripts/examples/*.txt $(DESTDIR)$(DATADIR)/examples/

uninstall: uninstall-tools
uninstall-tools:
	rm -f $(DESTDIR)$(BINDIR)/nextest-probes
