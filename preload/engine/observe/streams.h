/* streams.h — what the runner writes to its own stdout and stderr.
 *
 * Owns: the bounded line assembler of the human reporter's stream (fd 2),
 * fed with exactly the bytes each write/writev wrote, from any thread; the
 * parsing of every complete line (reporter.h) and its hand-off to exactly
 * one consumer: a slow (or terminating) test or script to the attempts
 * (attempts.h) when slow events come from the reporter's lines, every other
 * line about the run to run.h, at the time the write that completed it began
 * (t_write: CLOCK_MONOTONIC ns read before the real call, as nextest read its
 * clock before writing; a reader that drains the pipe late blocks the write).
 * Where slow events come from is the slow timer's decision (slowtimer.h):
 * the configuration's status level, or a progress bar seen here.  fd 1 (libtest-json, when asked for) carries
 * nothing the probes lack and is not read.  Runs after the real write
 * returned; CPU only, except on a terminal: fd 2 is checked once
 * (TIOCGWINSZ), and when it is a terminal its width is read on every write,
 * because nextest's progress bar draws lines to that width (ttylines.h).
 */
#ifndef NX_STREAMS_H
#define NX_STREAMS_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

void nx_streams_write(int fd, const void *buf, ssize_t n, uint64_t t_write);
void nx_streams_writev(int fd, const struct iovec *iov, int iovcnt, ssize_t n, uint64_t t_write);

#endif
