# tracer-scripts/install.mk — installing nextest-probes, its scripts, docs, man page and
# bash completion, and building a Debian package of it all.
#
# Owns: install-tools / uninstall-tools (parts of `make install` / `make uninstall`),
# `make deb` (build/deb/nextest-probes_<version>_<arch>.deb, with dpkg-deb), `make help`.
# The installed nextest-probes gets LIBDIR and DATADIR written into it, and the same
# two as paths relative to BINDIR (tried first, so an unpacked tree works wherever it is).

MANDIR      ?= $(PREFIX)/share/man
DOCDIR      ?= $(PREFIX)/share/doc/nextest-probes
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SCDOC       ?= scdoc

NP_VERSION := $(shell sed -n 's/^NP_VERSION=//p' tracer-scripts/nextest-probes)
NP_HELPERS := nextest_capture.py nextest_perfetto.py nextest_script.py nextest_top.py
NP_DOCS    := README.md LICENSE-MIT LICENSE-APACHE $(wildcard docs/*.md)
MAN1       := $(BUILD)/man/nextest-probes.1

.PHONY: install-tools uninstall-tools deb help

$(MAN1): tracer-scripts/man/nextest-probes.1.scd
	@mkdir -p $(dir $@)
	$(SCDOC) < $< > $@.tmp && mv -f $@.tmp $@

install: install-tools
install-tools: $(MAN1)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/extras $(DESTDIR)$(DATADIR)/examples/extras \
	    $(DESTDIR)$(DOCDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	sed -e 's|^NP_LIBDIR=$$|NP_LIBDIR=$(LIBDIR)|' -e 's|^NP_DATADIR=$$|NP_DATADIR=$(DATADIR)|' \
	    -e "s|^NP_LIBDIR_REL=$$|NP_LIBDIR_REL=$$(realpath -m --relative-to=$(BINDIR) $(LIBDIR))|" \
	    -e "s|^NP_DATADIR_REL=$$|NP_DATADIR_REL=$$(realpath -m --relative-to=$(BINDIR) $(DATADIR))|" \
	    tracer-scripts/nextest-probes > $(DESTDIR)$(BINDIR)/nextest-probes.tmp
	chmod 0755 $(DESTDIR)$(BINDIR)/nextest-probes.tmp
	mv -f $(DESTDIR)$(BINDIR)/nextest-probes.tmp $(DESTDIR)$(BINDIR)/nextest-probes
	install -m 0644 $(addprefix tracer-scripts/,$(NP_HELPERS)) tracer-scripts/*.d $(DESTDIR)$(DATADIR)/
	install -m 0755 tracer-scripts/*.bt $(DESTDIR)$(DATADIR)/
	install -m 0755 tracer-scripts/extras/*.bt $(DESTDIR)$(DATADIR)/extras/
	install -m 0644 $(wildcard tracer-scripts/examples/*.*) $(DESTDIR)$(DATADIR)/examples/
	$(if $(wildcard tracer-scripts/examples/extras/*),install -m 0644 $(wildcard tracer-scripts/examples/extras/*) $(DESTDIR)$(DATADIR)/examples/extras/)
	install -m 0644 $(NP_DOCS) $(DESTDIR)$(DOCDIR)/
	gzip -9n < $(MAN1) > $(DESTDIR)$(MANDIR)/man1/nextest-probes.1.gz
	install -m 0644 tracer-scripts/completion/nextest-probes.bash $(DESTDIR)$(BASHCOMPDIR)/nextest-probes

uninstall: uninstall-tools
uninstall-tools:
	rm -f $(DESTDIR)$(BINDIR)/nextest-probes $(DESTDIR)$(MANDIR)/man1/nextest-probes.1.gz \
	    $(DESTDIR)$(BASHCOMPDIR)/nextest-probes
	rm -rf $(DESTDIR)$(DOCDIR)

# ---- make deb -------------------------------------------------------------------------
DEB_ARCH      := $(shell dpkg --print-architecture 2>/dev/null)
DEB_MULTIARCH := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
DEB_ROOT      := $(BUILD)/deb/root
DEB           := $(BUILD)/deb/nextest-probes_$(NP_VERSION)_$(DEB_ARCH).deb

deb: $(DEB)
$(DEB): $(LIB) $(ENGINE) $(MAN1) tracer-scripts/deb/control.in tracer-scripts/deb/copyright \
        $(wildcard tracer-scripts/* tracer-scripts/*/*) $(NP_DOCS)
	rm -rf $(DEB_ROOT)
	$(MAKE) --no-print-directory install DESTDIR=$(abspath $(DEB_ROOT)) PREFIX=/usr \
	    LIBDIR=/usr/lib/$(DEB_MULTIARCH) DATADIR=/usr/share/nextest-probes
	install -m 0644 tracer-scripts/deb/copyright $(DEB_ROOT)/usr/share/doc/nextest-probes/copyright
	strip --strip-unneeded $(DEB_ROOT)/usr/lib/$(DEB_MULTIARCH)/libnextest_probes.so \
	    $(DEB_ROOT)/usr/lib/$(DEB_MULTIARCH)/libnextest_probes_engine.so
	install -d $(DEB_ROOT)/DEBIAN
	sed -e 's/@VERSION@/$(NP_VERSION)/' -e 's/@ARCH@/$(DEB_ARCH)/' \
	    -e "s/@SIZE@/$$(du -sk --exclude=DEBIAN $(DEB_ROOT) | cut -f1)/" \
	    tracer-scripts/deb/control.in > $(DEB_ROOT)/DEBIAN/control
	dpkg-deb --root-owner-group -Zxz --build $(DEB_ROOT) $@

# ---- make help --------------------------------------------------------------------------
help:
	@echo 'make                build build/libnextest_probes.so and build/libnextest_probes_engine.so'
	@echo 'make install        install the library, nextest-probes, scripts, docs, man page and'
	@echo '                    bash completion (PREFIX=$(PREFIX) LIBDIR BINDIR DATADIR MANDIR DOCDIR DESTDIR)'
	@echo 'make uninstall      remove them'
	@echo 'make deb            build build/deb/nextest-probes_<version>_<arch>.deb (dpkg-deb)'
	@echo 'make demo           run the example workspace traced (installs Debian packages, root)'
	@echo 'make check          every test (installs Debian packages; root for bpftrace)'
	@echo 'make tools-tests    the tests of nextest-probes and the scripts'
	@echo 'make tools-deb-test build the .deb, install it into a scratch root, run it from there'
	@echo 'make docs-examples  run every example of README.md and docs/'
	@echo 'make tools-examples re-make tracer-scripts/examples/ (with real cargo-nextest when installed)'
	@echo 'make clean          remove build/'
	@echo 'Test areas (each a fragment tests/<area>/*.mk): $(CHECKS)'
