/* streams.h — what the runner writes to its own stdout and stderr.
 *
 * Owns: one bounded line assembler per stream (fd 1: libtest-json, fd 2: the
 * human reporter), fed with exactly the bytes each write/writev wrote, from
 * any thread, and the hand-off of every complete line to run.c.  Runs after
 * the real write returned; CPU only, except on a terminal: fd 2 is checked
 * once (TIOCGWINSZ), and when it is a terminal its width is read on every
 * write, because nextest's progress bar draws lines to that width
 * (ttylines.h).
 */
#ifndef NX_STREAMS_H
#define NX_STREAMS_H

#include <sys/types.h>
#include <sys/uio.h>

void nx_streams_write(int fd, const void *buf, ssize_t n);
void nx_streams_writev(int fd, const struct iovec *iov, int iovcnt, ssize_t n);
/* 1 once the runner has redrawn a progress bar on its stderr terminal: its
 * reporter lines then reach the terminal at the bar's next tick (every 50 ms,
 * `nextest-runner/src/runner/dispatcher.rs` at cargo-nextest-0.9.143), not
 * when the event happened. */
int nx_streams_drawn(void);

#endif
