/* rawsys.h — the few system calls the thin object makes directly.
 *
 * Owns: nx_fstat, fstat as a raw system call (the kernel's struct stat is
 * glibc's on x86_64 and aarch64).  Async-signal-safe, usable between fork
 * and exec, and no import of glibc's fstat@GLIBC_2.33 (symver.h).
 */
#ifndef NX_RAWSYS_H
#define NX_RAWSYS_H

#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline int nx_fstat(int fd, struct stat *st)
{
#if defined(__linux__) && defined(SYS_fstat)
	return (int)syscall(SYS_fstat, fd, st);
#else
	return fstat(fd, st);
#endif
}

#endif
