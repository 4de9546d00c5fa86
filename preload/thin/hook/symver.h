/* symver.h — the thin object's imports, all from glibc's base version.
 *
 * Owns: binding the few libc functions the thin object imports whose
 * default version is newer than the architecture's base version (dlsym,
 * dlopen, dladdr: GLIBC_2.34; clock_gettime: 2.17; memcpy: 2.14 on x86_64)
 * to the base-version entry glibc keeps for them, the same code.  Each
 * distinct version an object needs is matched against libc's version list
 * at every process start (_dl_check_map_versions: measured, about 300
 * instructions each); with one version there is one match.  Included first
 * by every thin source that calls one of them.  memcpy@GLIBC_2.2.5 is glibc's
 * overlap-tolerant one: the same result for the copies made here.
 */
#ifndef NX_SYMVER_H
#define NX_SYMVER_H

#include <features.h>

#if defined(__GLIBC__)
#if defined(__x86_64__)
__asm__(".symver dlsym, dlsym@GLIBC_2.2.5\n"
	".symver dlopen, dlopen@GLIBC_2.2.5\n"
	".symver dladdr, dladdr@GLIBC_2.2.5\n"
	".symver clock_gettime, clock_gettime@GLIBC_2.2.5\n"
	".symver memcpy, memcpy@GLIBC_2.2.5\n");
#elif defined(__aarch64__)
__asm__(".symver dlsym, dlsym@GLIBC_2.17\n"
	".symver dlopen, dlopen@GLIBC_2.17\n"
	".symver dladdr, dladdr@GLIBC_2.17\n");
#endif
#endif

#endif
