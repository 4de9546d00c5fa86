/* tls.h — the thin object's per-thread memory, in one block.
 *
 * Owns: the layout of the one initial-exec TLS variable of the thin object
 * (defined in hooks.c).  One variable means one TLS relocation at load and
 * one small zero-filled static-TLS block per thread (no allocation on first
 * use, safe in signal handlers and between fork and exec).
 */
#ifndef NX_TLS_H
#define NX_TLS_H

#include <stdint.h>
#include <sys/types.h>

#define NX_TLS_PIPES 8
#define NX_TLS_DUPS 8
#define NX_TLS_FORKS 8

struct nx_tls {
	int busy;		/* hooks.c: this thread runs the library's own work */
	int resolving;		/* real.c: this thread is inside dlsym */
	/* pipes.c: rings of recent pipes and dup2 file actions */
	unsigned npairs, ndups;
	struct { int r, w; } pairs[NX_TLS_PIPES];
	struct { const void *fa; int fd, newfd; } dups[NX_TLS_DUPS];
	uint64_t prepared_at;
	/* forkslot.c: forks whose exec result is pending */
	unsigned npending;
	struct { pid_t pid; uint64_t t_start; } pending[NX_TLS_FORKS];
};

extern __thread struct nx_tls nx_tls
	__attribute__((tls_model("initial-exec"), visibility("hidden")));

#endif
