# preload/sources.mk — the library's sources, per component.
#
# Owns: which .c files make up each folder of preload/ (one folder per stage of
# an event's path: hook → observe → model → encode → probe, with parse and
# config as leaves), which folders make up each of the two objects (thin:
# libnextest_probes.so, always loaded; engine: libnextest_probes_engine.so,
# dlopen'ed by the thin one in a runner), and the include path that lets a
# file name a header of another stage by its plain name.  The Makefile and the test fragments name
# these components, not single files.  macOS-only sources (*_darwin.c) are
# added by the Makefile's Darwin branch.

preload_srcs = $(sort $(filter-out %_darwin.c,$(wildcard preload/$(1)/*.c)))

NX_HOOK_SRCS    := $(call preload_srcs,thin/hook)
NX_PROBE_SRCS   := $(call preload_srcs,thin/probe)
NX_OBSERVE_SRCS := $(call preload_srcs,engine/observe)
NX_PARSE_SRCS   := $(call preload_srcs,engine/parse)
NX_CONFIG_SRCS  := $(call preload_srcs,engine/config)
NX_MODEL_SRCS   := $(call preload_srcs,engine/model)
# fire.c calls the probe sites (thin/probe): not part of the encoder proper,
# which the parsers' tests link without any probe.
NX_FIRE_C       := preload/engine/encode/fire.c
NX_ENCODE_SRCS  := $(filter-out $(NX_FIRE_C),$(call preload_srcs,engine/encode))
NX_EXTRAS_SRCS  := $(call preload_srcs,engine/extras)

# The engine's entry point (preload/engine/entry.c) and its export list.
NX_ENTRY_SRCS   := preload/engine/entry.c

NX_THIN_SRCS   := $(NX_HOOK_SRCS) $(NX_PROBE_SRCS)
NX_ENGINE_SRCS := $(NX_ENTRY_SRCS) $(NX_OBSERVE_SRCS) $(NX_PARSE_SRCS) $(NX_CONFIG_SRCS) \
                  $(NX_MODEL_SRCS) $(NX_FIRE_C) $(NX_ENCODE_SRCS) $(NX_EXTRAS_SRCS)

# Finer components: the parts a test compiles on its own, each with the
# sources it needs to link.
NX_PROBE_SITE_SRCS := preload/thin/probe/probes.c
# fire.c: nextest's ten probes built and fired through the site (thin/probe).
NX_FIRE_SRCS       := $(NX_PROBE_SITE_SRCS) $(NX_FIRE_C) $(NX_ENCODE_SRCS)
NX_CHILDENV_SRCS   := preload/thin/hook/childenv.c
NX_WRAPPER_SRCS    := preload/thin/hook/hooks.c
# macOS: the DTrace probe sites and the interpose table (built on Linux too, by
# the contract's Darwin checks).
NX_DARWIN_PROBE_SITE_SRCS := preload/thin/probe/probes_darwin.c
NX_DARWIN_INTERPOSE_SRCS  := preload/thin/hook/interpose_darwin.c
NX_CLASSIFY_SRCS   := preload/engine/observe/classify.c
NX_VERSION_SRCS    := preload/engine/observe/version.c
NX_LINES_SRCS      := preload/engine/observe/lines.c
NX_TTYLINES_SRCS   := preload/engine/observe/ttylines.c
NX_SLOTS_SRCS      := preload/engine/model/slots.c
NX_PAUSE_SRCS      := preload/engine/model/pause.c
NX_SYMBOLS_SRCS    := $(addprefix preload/engine/extras/,xsym.c xdemangle_v0.c xtext.c)
NX_TASKREGS_SRCS   := $(addprefix preload/engine/extras/,taskregs.c xtext.c)
# The parsers (a leaf: they call nothing but each other and the encoder's
# bounded buffer), and the configuration with everything it parses.
NX_PARSERS_SRCS     := $(NX_PARSE_SRCS) $(NX_ENCODE_SRCS)
NX_CONFIG_LOAD_SRCS := $(NX_CONFIG_SRCS) $(NX_PARSERS_SRCS)

PRELOAD_DIRS := thin/hook thin/probe engine/observe engine/parse engine/config \
                engine/model engine/encode engine/extras
PRELOAD_SRCS := $(NX_THIN_SRCS) $(NX_ENGINE_SRCS)
PRELOAD_HDRS := $(wildcard $(addprefix preload/,$(addsuffix /*.h,$(PRELOAD_DIRS))))
PRELOAD_INC  := $(addprefix -Ipreload/,$(PRELOAD_DIRS))
PRELOAD_EXPORTS := preload/thin/hook/exports.map
ENGINE_EXPORTS  := preload/engine/engine.map

# Compiling one source: the engine's own build reads the thin object's role and
# semaphores through the bridge (role.h, engine/entry.c).  Expanded in a
# recipe ($< is the source).
NX_SRC_DEFS = $(if $(filter preload/engine/%,$<),-DNX_ENGINE_DSO=1)
