/* darwin_interpose_tu.c — hooks.c and the interpose table in one translation unit.
 *
 * Owns: the object darwin.mk builds on Linux with -DNX_INTERPOSE=1 (the macOS
 * hook naming, real.h) and an ELF name for the table's section.  One unit, so
 * that every `extern __typeof__(libc function) nx_hook_<name>` declaration of
 * interpose_darwin.c meets hooks.c's definition: a hook whose signature
 * differs from its libc function fails to compile.
 */
#include "../../preload/thin/hook/hooks.c"
#include "../../preload/thin/hook/interpose_darwin.c"
