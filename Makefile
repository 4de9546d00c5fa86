# Makefile — builds libnextest_probes.so and runs every test.
#
# Owns: the top-level targets.  Each test area keeps its own rules in a
# fragment (tests/*/*.mk) included below, so the areas stay independent.

PREFIX  ?= /usr/local
DESTDIR ?=
LIBDIR  ?= $(PREFIX)/lib
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/libnextest_probes

# Tests behave the same whatever the caller's shell exports: RUST_BACKTRACE
# changes what the fixtures' panicking tests print and how long they take.
unexport RUST_BACKTRACE

CC      ?= cc
BUILD   := build
LIB     := $(BUILD)/libnextest_probes.so

include preload/sources.mk

CFLAGS_COMMON := -std=gnu11 -O2 -g -Wall -Wextra -Werror -fPIC -pthread \
                 -fvisibility=hidden -fno-strict-aliasing -D_GNU_SOURCE $(PRELOAD_INC)
CFLAGS  ?=
LDLIBS_LIB := -ldl -pthread


# macOS: build/libnextest_probes.dylib, inserted with DYLD_INSERT_LIBRARIES;
# hooks interposed through __DATA,__interpose (preload/thin/hook/interpose_darwin.c),
# probes declared in preload/thin/probe/nextest_probes.d and fired through the header
# `dtrace -h` generates (preload/thin/probe/probes_darwin.c).  See docs/macos.md.
ifeq ($(shell uname -s),Darwin)
LIB     := $(BUILD)/libnextest_probes.dylib
DTRACE  ?= /usr/sbin/dtrace
PRELOAD_SRCS += $(sort $(wildcard $(addprefix preload/,$(addsuffix /*_darwin.c,$(PRELOAD_DIRS)))))
CFLAGS_COMMON += -I$(BUILD)
LDLIBS_LIB := -pthread
endif
PRELOAD_OBJS := $(patsubst preload/%.c,$(BUILD)/obj/%.o,$(PRELOAD_SRCS))

.PHONY: all check check-all demo install uninstall clean deps
all: $(LIB)

$(BUILD)/obj/%.o: preload/%.c $(PRELOAD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -c -o $@ $<

ifeq ($(shell uname -s),Darwin)
$(BUILD)/nextest_probes_dtrace.h: preload/thin/probe/nextest_probes.d
	@mkdir -p $(dir $@)
	$(DTRACE) -h -s $< -o $@

$(BUILD)/obj/thin/probe/probes_darwin.o: $(BUILD)/nextest_probes_dtrace.h

$(LIB): $(PRELOAD_OBJS) $(BUILD)/exports_darwin.txt
	$(CC) -dynamiclib -o $@ $(PRELOAD_OBJS) \
	      -Wl,-install_name,$(LIBDIR)/$(notdir $(LIB)) \
	      -Wl,-exported_symbols_list,$(BUILD)/exports_darwin.txt $(LDLIBS_LIB)
else
$(LIB): $(PRELOAD_OBJS) preload/thin/hook/exports.map
	$(CC) -shared -o $@ $(PRELOAD_OBJS) -Wl,--version-script=preload/thin/hook/exports.map \
	      -Wl,-z,defs -Wl,--no-undefined $(LDLIBS_LIB)
endif

# The dylib's export list, derived from preload/thin/hook/exports.map: on macOS each
# hook is named nx_hook_<name> (real.h), and the hooks of functions libSystem
# does not have are not built (DARWIN_NO_HOOK; hooks.c guards them with
# __APPLE__).  Defined on every system so that `make darwin-static-check`
# can compare it with the interpose table.
# sigaction/signal: the crash-report part of the extra provider, Linux only
# (preload/thin/hook/sigaction.c).
DARWIN_NO_HOOK := pipe2 execvpe fexecve sigaction signal
$(BUILD)/exports_darwin.txt: preload/thin/hook/exports.map Makefile
	@mkdir -p $(dir $@)
	sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);[[:space:]]*$$/\1/p' preload/thin/hook/exports.map | \
	    grep -vxF $(addprefix -e ,$(DARWIN_NO_HOOK)) | sed 's/^/_nx_hook_/' > $@

# The simulator (built by tests/sim/sim.mk): set here, before the test areas, because
# several of them name it as a prerequisite.
SIM_TARGET_DIR := $(BUILD)/sim-target
SIM_BIN        := $(SIM_TARGET_DIR)/release/nextest-sim

# nextest-probes, scripts, docs, man page, completion; `make deb`, `make help`.
# Before the test areas: their rules name its variables (the .deb's path).
include tracer-scripts/install.mk

# Every Python test area runs under pytest (Debian's python3-pytest, installed for
# /usr/bin/python3 by .ci/install-deps): `make <area-target> PYTEST_ARGS='-k basic'` selects.
PYTHON3     ?= /usr/bin/python3
PYTEST      ?= $(PYTHON3) -m pytest
PYTEST_ARGS ?=

# Test areas.  Each fragment (tests/<area>/*.mk) appends its test targets
# to CHECKS.
CHECKS :=
include $(sort $(wildcard tests/*/*.mk))

# `make check` and `make demo` install what they need first (as root).
check: deps
	$(MAKE) -k check-all

check-all: all $(CHECKS)
	@echo "make check: all test areas passed: $(CHECKS)"

deps:
	sh .ci/install-deps

# The bundled example workspace through the runner (real cargo-nextest when
# installed, else the simulator), traced live, with a Perfetto trace.
demo: deps
	$(MAKE) all sim e2e-fixtures
	bash tracer-scripts/demo.sh

install: $(LIB)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)
	install -m 0755 $(LIB) $(DESTDIR)$(LIBDIR)/$(notdir $(LIB))

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/$(notdir $(LIB))
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(BUILD)
