/* streams.h — what the runner writes to its own stdout and stderr.
 *
 * Owns: one bounded line assembler per stream (fd 1: libtest-json, fd 2: the
 * human reporter), fed with exactly the bytes each write/writev wrote, from
 * any thread, and the hand-off of every complete line to run.c.  Runs after
 * the real write returned; CPU only, no system call.
 */
#ifndef NX_STREAMS_H
#define NX_STREAMS_H

#include <sys/types.h>
#include <sys/uio.h>

void nx_streams_write(int fd, const void *buf, ssize_t n);
void nx_streams_writev(int fd, const struct iovec *iov, int iovcnt, ssize_t n);

#endif
