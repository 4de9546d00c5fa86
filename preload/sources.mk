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
NX_ENCODE_SRCS  := $(call preload_srcs,engine/encode)
NX_EXTRAS_SRCS  := $(call preload_srcs,engine/extras)

# The engine's entry point (preload/engine/entry.c) and its export list.
NX_ENTRY_SRCS   := preload/engine/entry.c

NX_THIN_SRCS   := $(NX_HOOK_SRCS) $(NX_PROBE_SRCS)
NX_ENGINE_SRCS := $(NX_ENTRY_SRCS) $(NX_OBSERVE_SRCS) $(NX_PARSE_SRCS) $(NX_CONFIG_SRCS) \
                  $(NX_MODEL_SRCS) $(NX_ENCODE_SRCS) $(NX_EXTRAS_SRCS)

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
