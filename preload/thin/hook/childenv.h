/* childenv.h — keeping the library out of nextest's children.
 *
 * Owns: the environment a runner's nextest child (a test, a list-phase child,
 * a setup script, the `__double-spawn` stub) receives.  Unless a probe that
 * works inside that child is listened to (today the extra provider's crash
 * probes), the child gets the runner's envp with this library's own entries
 * removed from LD_PRELOAD and NEXTEST_LD_PRELOAD (nextest's copy of its own
 * LD_PRELOAD): what nextest would have passed without the library.  Other
 * entries keep their bytes, order and separators; a variable left with
 * nothing but separators is dropped.  Every other child (cargo, rustc, …)
 * gets its envp untouched.
 *
 * Linux only (macOS inserts with DYLD_INSERT_LIBRARIES; not handled yet).
 */
#ifndef NX_CHILDENV_H
#define NX_CHILDENV_H

#include <stddef.h>

/* Parent, before a spawn or fork in a possible runner: learns this library's
 * own path (dladdr, once; no system call).  Children inherit the answer. */
void nx_childenv_prepare(void);

/* What build() needs: the size of the copy and where our entries are. */
#define NX_CHILDENV_MAX_HITS 8
struct nx_childenv_plan {
	size_t nvec;		/* pointers, the final NULL included */
	size_t ntext;		/* bytes for the rewritten entries */
	size_t nhits;
	size_t hit[NX_CHILDENV_MAX_HITS];	/* indices of the entries naming us */
};

/* Should this child get a stripped environment?  If so, returns 1 and fills
 * plan.  Async-signal-safe (string compares and volatile loads only). */
int nx_childenv_wanted(char *const argv[], char *const envp[], struct nx_childenv_plan *plan);

/* Writes the stripped copy of envp into vec (plan->nvec pointers) and text
 * (plan->ntext bytes).  Other entries are the caller's own pointers.
 * Async-signal-safe: no allocation. */
char **nx_childenv_build(char *const envp[], const struct nx_childenv_plan *plan, char **vec,
			 char *text);

/* The most a fork child puts on its stack for build(); beyond it the child
 * keeps its environment as it is. */
#define NX_CHILDENV_STACK_MAX 32768

#endif
