# tests/tools/tools.mk — tests of tracer-scripts/ (bpftrace scripts, nextest-probes, the
# Perfetto converter, top), of installing them (make install, make deb) and of the
# examples in README.md and docs/.
#
# Owns: tools-tests (part of `make check`; test_tools.py under pytest, TOOLS_ARGS='-m top' or
# '-k perfetto' selects; needs root + bpftrace for the live parts, real cargo-nextest for the
# native ones),
# tools-examples (re-makes tracer-scripts/examples/: each script's output and the truth of
# the same run, with real cargo-nextest when installed, else the simulator),
# tools-deb-test, tools-top-test, docs-examples (test_docs_examples.py; also parts of CHECKS).
# The install rules are in tracer-scripts/install.mk.

TOOLS_DIR    := tests/tools
TOOLS_BUILD  := $(BUILD)/tools
TOOLS_SIM    ?= $(BUILD)/sim-target/release/nextest-sim
TOOLS_ARGS   ?=
TOOLS_CFLAGS := -O2 -Wall -Wextra -Werror

.PHONY: tools-tests tools-examples tools-deb-test docs-examples docs-examples-all

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
	$(PYTEST) $(TOOLS_DIR)/test_tools.py $(PYTEST_ARGS) --root $(CURDIR) --build $(abspath $(BUILD)) \
	    --sim $(abspath $(TOOLS_SIM)) $(TOOLS_ARGS)

# Not a test run: re-makes the committed examples (test_tools.py's writer).
tools-examples: $(TOOLS_DEPS)
	$(PYTHON3) $(TOOLS_DIR)/test_tools.py --root $(CURDIR) --build $(abspath $(BUILD)) \
	    --sim $(abspath $(TOOLS_SIM)) --write-examples $(CURDIR)/tracer-scripts/examples

CHECKS += tools-tests

# The Debian package: built, installed with dpkg into a scratch root, run from there.
tools-deb-test: $(DEB) $(TOOLS_DEPS)
	bash $(TOOLS_DIR)/deb_test.sh $(DEB)

CHECKS += tools-deb-test

# Every shell example of README.md, tracer-scripts/README.md and docs/, run (slow ones:
# docs-examples-all), and no machine paths or internal words anywhere in the repository.
DOCS_EX_ARGS = --root $(CURDIR) --lib $(abspath $(TOOLS_BUILD)/private/libnextest_probes.so) \
    --nextest $(abspath $(TOOLS_BUILD)/private/bin) --target-dir $(abspath $(BUILD)/fixtures-target)
$(TOOLS_BUILD)/private/bin/cargo-nextest:
	@command -v cargo-nextest >/dev/null || { echo "docs-examples: cargo-nextest must be installed"; exit 1; }
	mkdir -p $(dir $@)
	cp "$$(command -v cargo-nextest)" $@.tmp && mv -f $@.tmp $@

docs-examples: $(TOOLS_DEPS) $(TOOLS_BUILD)/private/bin/cargo-nextest
	$(PYTEST) $(TOOLS_DIR)/test_docs_examples.py $(PYTEST_ARGS) $(DOCS_EX_ARGS)

docs-examples-all: $(TOOLS_DEPS) $(TOOLS_BUILD)/private/bin/cargo-nextest
	$(PYTEST) $(TOOLS_DIR)/test_docs_examples.py $(PYTEST_ARGS) $(DOCS_EX_ARGS) --all

CHECKS += docs-examples
