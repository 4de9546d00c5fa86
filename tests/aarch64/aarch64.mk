# tests/aarch64/aarch64.mk — the library proven on an emulated arm64 machine.
#
# Owns: build/aarch64/ and `make check-aarch64` (not part of `make check`:
# 45-95 min on a 2-core x86_64 host the first time, when the disk images are
# built and the Rust programs compiled inside the guest, about 20 min after
# that; docs/compatibility.md has the measured times).  It cross-builds the library
# (cross-aarch64, tests/cross/cross.mk) and the C test programs below, then
# tests/aarch64/run.sh boots arm64 Debian under qemu-system-aarch64 and runs
# tests/aarch64/guest.sh inside: the live probe contract, the extra
# provider's checks, the e2e scenarios with nextest-sim built for aarch64 in
# the guest, and the hardening suites driven by the C fakerunner; in the
# guest's copy of the tree the fixtures' slow-timeouts are ten times longer
# (tests/aarch64/slowscale.py).  Results:
# build/aarch64/out/ (console.log, one log per stage, status).
# Needs root, qemu-system-aarch64, debootstrap, qemu-user-static + binfmt_misc
# (tests/aarch64/rootfs.sh says which piece is missing).

CROSS_CC   ?= aarch64-linux-gnu-gcc
A64_DIR    := $(BUILD)/aarch64
A64_BIN    := $(A64_DIR)/bin
A64_HARD   := $(A64_BIN)/hardening
A64_OUT    ?= $(A64_DIR)/out
A64_LIB    := $(BUILD)/cross-aarch64/libnextest_probes.so
A64_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -pthread
# Where guest.sh puts the tree and the hardening programs inside the guest
# (the setuid runner finds its copy of the library through an absolute RUNPATH).
A64_GUEST_HARD := /root/tree/build/hardening
A64_PROBE_SRCS := $(NX_FIRE_SRCS)

A64_PROGS := $(A64_BIN)/fire-all $(A64_BIN)/test_xsym $(A64_BIN)/test_taskregs $(A64_BIN)/sigvirt \
             $(A64_BIN)/stalls \
             $(A64_HARD)/fakerunner $(A64_HARD)/fakechild $(A64_HARD)/errno_check \
             $(A64_HARD)/libcompete.so $(A64_HARD)/libctorspawn.so $(A64_HARD)/libmallocwrite.so \
             $(A64_HARD)/suid/suidrunner $(A64_HARD)/suid/fakechild

.PHONY: check-aarch64 aarch64-progs
aarch64-progs: $(A64_PROGS)

$(A64_BIN)/fire-all: tests/contract/fire_all.c $(A64_PROBE_SRCS) $(PRELOAD_HDRS)
	@mkdir -p $(@D)
	$(CROSS_CC) $(CFLAGS_COMMON) $(CFLAGS) -o $@ tests/contract/fire_all.c $(A64_PROBE_SRCS)

$(A64_BIN)/test_xsym: tests/extras/test_xsym.c $(NX_SYMBOLS_SRCS) $(PRELOAD_HDRS)
	@mkdir -p $(@D)
	$(CROSS_CC) -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $(filter %.c,$^)

$(A64_BIN)/test_taskregs: tests/extras/test_taskregs.c $(NX_TASKREGS_SRCS) $(PRELOAD_HDRS)
	@mkdir -p $(@D)
	$(CROSS_CC) -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -o $@ $(filter %.c,$^)

$(A64_BIN)/sigvirt: tests/extras/sigvirt.c
	@mkdir -p $(@D)
	$(CROSS_CC) -O0 -g -Wall -Wextra -Werror -o $@ $<

$(A64_BIN)/stalls: tests/aarch64/stalls.c
	@mkdir -p $(@D)
	$(CROSS_CC) -O2 -g -Wall -Wextra -Werror -o $@ $<

$(A64_HARD)/fakerunner $(A64_HARD)/fakechild $(A64_HARD)/errno_check: $(A64_HARD)/%: tests/hardening/%.c
	@mkdir -p $(@D)
	$(CROSS_CC) $(A64_CFLAGS) -o $@ $<

$(A64_HARD)/lib%.so: tests/hardening/%.c
	@mkdir -p $(@D)
	$(CROSS_CC) $(A64_CFLAGS) -fPIC -shared -o $@ $< -ldl

$(A64_HARD)/suid/suidrunner: tests/hardening/fakerunner.c $(A64_LIB)
	@mkdir -p $(@D)
	$(CROSS_CC) $(A64_CFLAGS) -o $@ $< -L$(dir $(A64_LIB)) -l:libnextest_probes.so \
	    -Wl,--no-as-needed -Wl,-rpath,$(A64_GUEST_HARD)/suid

$(A64_HARD)/suid/fakechild: $(A64_HARD)/fakechild
	@mkdir -p $(@D)
	cp $< $@

check-aarch64: cross-aarch64 aarch64-progs
	sh tests/aarch64/run.sh $(abspath $(A64_OUT))
