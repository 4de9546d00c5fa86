/* pipes.h — which parent fds are a child's capture pipes.
 *
 * Owns: the per-thread memory of recently created pipes and of the dup2 file
 * actions being prepared for posix_spawn, and resolving, at spawn time, the
 * read ends that carry the child's stdout and stderr.  Per-thread state needs
 * no lock: std creates the pipes and the file actions on the spawning thread.
 */
#ifndef NX_PIPES_H
#define NX_PIPES_H

#include <stdint.h>
#include <sys/types.h>

enum nx_capture {
	NX_CAPTURE_NONE = 0,	/* stdout and stderr inherited (--no-capture) */
	NX_CAPTURE_SPLIT,	/* two pipes */
	NX_CAPTURE_COMBINED,	/* one pipe on both fd 1 and fd 2 */
	NX_CAPTURE_PARTIAL,	/* only one of the two is piped (setup scripts) */
};

struct nx_child_pipes {
	enum nx_capture capture;
	int out_fd;		/* read end carrying the child's stdout, or -1 */
	int err_fd;		/* read end carrying the child's stderr, or -1 */
};

/* Hooks record; cheap, per thread. */
void nx_pipes_note_pipe(int r, int w);
void nx_pipes_note_dup2(const void *file_actions, int fd, int newfd);

/* posix_spawn path: resolve from the dup2 actions recorded for file_actions. */
void nx_pipes_for_spawn(const void *file_actions, struct nx_child_pipes *out);
/* fork path: resolve from the pipe identities the child reported. */
void nx_pipes_for_fork(dev_t dev1, ino_t ino1, dev_t dev2, ino_t ino2,
		       struct nx_child_pipes *out);
/* The earliest moment this thread was seen preparing a spawn (SIGTSTP
 * blocked for double spawn, or a pipe created) since the last spawn; the
 * attempt's clock starts there, as close to nextest's stopwatch (started
 * before the command is built) as the library can see.  0 if none. */
void nx_pipes_note_prepare(uint64_t t);
uint64_t nx_pipes_prepared_at(void);

/* Forget this thread's records (after a spawn consumed them). */
void nx_pipes_reset(void);

#endif
