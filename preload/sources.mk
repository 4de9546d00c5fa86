# preload/sources.mk — the library's sources, per component.
#
# Owns: which .c files make up each folder of preload/ (one folder per stage of
# an event's path: hook → observe → model → encode → probe, with parse and
# config as leaves) and the include path that lets a file name a header of
# another stage by its plain name.  The Makefile and the test fragments name
# these components, not single files.  macOS-only sources (*_darwin.c) are
# added by the Makefile's Darwin branch.

preload_srcs = $(sort $(filter-out %_darwin.c,$(wildcard preload/$(1)/*.c)))

NX_HOOK_SRCS    := $(call preload_srcs,thin/hook)
NX_PROBE_SRCS   := $(call preload_srcs,thin/probe)
NX_OBSERVE_SRCS := $(call preload_srcs,engine/observe)
NX_PARSE_SRCS   := $(call preload_srcs,engine/parse)
NX_CONFIG_SRCS  := $(call preload_srcs,engine/config)
NX_MODEL_SRCS   := $(call preload_srcs,engine/model)
NX_ENCODE_SRCS  := $(call preload_srcs,engine/encode)
NX_EXTRAS_SRCS  := $(call preload_srcs,engine/extras)

# Finer components: the parts a test compiles on its own, each with the
# sources it needs to link.
NX_PROBE_SITE_SRCS := preload/thin/probe/probes.c
NX_FIRE_SRCS       := $(NX_PROBE_SITE_SRCS) $(NX_ENCODE_SRCS)
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
# The parsers (a leaf: they call nothing but each other and the encoder's
# bounded buffer), and the configuration with everything it parses.
NX_PARSERS_SRCS     := $(NX_PARSE_SRCS) $(NX_ENCODE_SRCS)
NX_CONFIG_LOAD_SRCS := $(NX_CONFIG_SRCS) $(NX_PARSERS_SRCS)

PRELOAD_DIRS := thin/hook thin/probe engine/observe engine/parse engine/config \
                engine/model engine/encode engine/extras
PRELOAD_SRCS := $(NX_HOOK_SRCS) $(NX_PROBE_SRCS) $(NX_OBSERVE_SRCS) $(NX_PARSE_SRCS) \
                $(NX_CONFIG_SRCS) $(NX_MODEL_SRCS) $(NX_ENCODE_SRCS) $(NX_EXTRAS_SRCS)
PRELOAD_HDRS := $(wildcard $(addprefix preload/,$(addsuffix /*.h,$(PRELOAD_DIRS))))
PRELOAD_INC  := $(addprefix -Ipreload/,$(PRELOAD_DIRS))
PRELOAD_EXPORTS := preload/thin/hook/exports.map
