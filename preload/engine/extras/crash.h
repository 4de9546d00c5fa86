/* extras/crash.h — crash backtraces in test processes: what sigaction.c
 * needs to know about the signals crash.c watches. */
#ifndef NX_XCRASH_H
#define NX_XCRASH_H

#include <signal.h>

/* Our handler is installed for sig and the program's own disposition is
 * kept virtually (one load and a branch; 0 in every process that is not a
 * traced nextest test). */
int nx_xcrash_watching(int sig);

/* sigaction() as the program sees it for a watched signal: reads and writes
 * the virtual disposition (a handler or SIG_DFL; SIG_IGN makes us step aside
 * for good, since nothing may run when an ignored signal arrives). */
int nx_xcrash_sigaction(int sig, const struct sigaction *act, struct sigaction *old);

#if defined(__linux__)
/* sigaction.c's definition (to check that it is the one the program
 * calls, i.e. that exports.map exports it). */
extern __typeof__(sigaction) nx_xsigaction_ours;

/* glibc's public alias of the real sigaction (not interposable). */
extern int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);
#endif

#endif
