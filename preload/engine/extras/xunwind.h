/* extras/xunwind.h — walking a thread's stack from a register snapshot.
 *
 * Owns: libunwind's generic (remote) unwinder, loaded lazily with dlopen
 * (libunwind-x86_64.so.8 or libunwind-aarch64.so.8, + libunwind-ptrace.so.0)
 * only in a process that
 * needs it, never linked: no other process pays for it and no libunwind
 * symbol is exported.  Memory is read with process_vm_readv, never with
 * ptrace and never by dereferencing: a bad address is an error, not a fault,
 * and no thread is stopped.  The same walk serves crashes (our own process,
 * registers from the signal's ucontext) and hung tests (another process,
 * registers from /proc/PID/task/TID/syscall).  Linux x86_64 and aarch64.
 */
#ifndef NX_XUNWIND_H
#define NX_XUNWIND_H

#include <stdint.h>
#include <sys/types.h>

#define NX_XUNW_MAX_FRAMES 64

/* Registers in libunwind's numbering; bit i of `have` says r[i] is known.
 * x86_64: rax rdx rcx rbx rsi rdi rbp rsp r8…r15 rip.
 * aarch64: x0…x30 (x29 = fp, x30 = lr), sp, pc. */
#if defined(__aarch64__)
#define NX_XUNW_NREGS 33
#define NX_XUNW_FP 29
#define NX_XUNW_LR 30
#define NX_XUNW_SP 31
#define NX_XUNW_PC 32
#else
#define NX_XUNW_NREGS 17
#define NX_XUNW_FP 6
#define NX_XUNW_SP 7
#define NX_XUNW_PC 16
#endif
struct nx_xunw_regs {
	uint64_t r[NX_XUNW_NREGS];
	uint64_t have;
};
#define NX_XUNW_RSP NX_XUNW_SP
#define NX_XUNW_RIP NX_XUNW_PC

struct nx_xunw;

/* dlopen + dlsym once; 0 on success.  Not async-signal-safe. */
int nx_xunw_load(void);

/* An unwinder for process pid (allocates; not async-signal-safe). */
struct nx_xunw *nx_xunw_new(pid_t pid);
void nx_xunw_free(struct nx_xunw *u);

/* Walks from regs; fills up to max instruction pointers, returns how many.
 * Async-signal-safe once u exists (raw syscalls, libunwind's mmap pools);
 * one walk at a time per process (callers serialize). */
int nx_xunw_walk(struct nx_xunw *u, const struct nx_xunw_regs *regs, uint64_t *ips, int max);
/* The same; *complete = 1 when the walk ended at the outermost frame (libunwind's
 * step said so: the thread's or the process's entry, whose unwind info ends the chain),
 * 0 when it stopped at an error or at max. */
int nx_xunw_walk_ex(struct nx_xunw *u, const struct nx_xunw_regs *regs, uint64_t *ips, int max,
		    int *complete);

#endif
