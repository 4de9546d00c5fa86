# Makefile — builds libnextest_probes.so and runs every test.
#
# Owns: the top-level targets.  Each test area keeps its own rules in a
# fragment (tests/*/*.mk) included below, so the areas stay independent.

PREFIX  ?= /usr/local
DESTDIR ?=
LIBDIR  ?= $(PREFIX)/lib
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/libnextest_probes

CC      ?= cc
BUILD   := build
LIB     := $(BUILD)/libnextest_probes.so

CFLAGS_COMMON := -std=gnu11 -O2 -g -Wall -Wextra -Werror -fPIC -pthread \
                 -fvisibility=hidden -fno-strict-aliasing -D_GNU_SOURCE
CFLAGS  ?=
LDLIBS_LIB := -ldl -pthread

PRELOAD_SRCS := $(sort $(wildcard preload/*.c preload/extras/*.c))
PRELOAD_OBJS := $(patsubst preload/%.c,$(BUILD)/obj/%.o,$(PRELOAD_SRCS))
PRELOAD_HDRS := $(wildcard preload/*.h preload/extras/*.h)

.PHONY: all check check-all demo install uninstall clean deps
all: $(LIB)

$(BUILD)/obj/%.o: preload/%.c $(PRELOAD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS) -c -o $@ $<

$(LIB): $(PRELOAD_OBJS) preload/exports.map
	$(CC) -shared -o $@ $(PRELOAD_OBJS) -Wl,--version-script=preload/exports.map \
	      -Wl,-z,defs -Wl,--no-undefined $(LDLIBS_LIB)

# Test areas.  Each fragment (tests/<area>/*.mk) appends its test targets
# to CHECKS.
CHECKS :=
include $(sort $(wildcard tests/*/*.mk))

# `make check` and `make demo` install what they need first (as root).
check: deps
	$(MAKE) check-all

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
	install -m 0755 $(LIB) $(DESTDIR)$(LIBDIR)/libnextest_probes.so

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libnextest_probes.so
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(BUILD)
