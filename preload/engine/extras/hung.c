/* extras/hung.c — every thread's stack of a slow test, without touching it.
 *
 * Owns: the hung-stacks / hung-thread / hung-frame probes.  When an attempt
 * turns slow (and only while one of those probes is attached) a detached
 * helper thread of ours — every signal blocked in it from its creation
 * (pthread_attr_setsigmask_np: the runner's own masks and handlers are never
 * touched) — reads each /proc/PID/task/TID: the thread's name (comm) and, from
 * /proc/PID/task/TID/syscall, the system call it is blocked in with its user
 * stack pointer and program counter, every thread's before any walk.  From
 * those two registers libunwind walks each stack through process_vm_readv
 * (xunwind.c).  No ptrace: a
 * ptrace-stop would be reported to the runner's own waitpid() on the test and
 * change what it sees; reading /proc and the test's memory neither stops nor
 * signals it, so it times out exactly as before.  A thread that is running
 * on a CPU (not in a system call) has no registers to offer: it is read
 * again for up to ~10 ms (taskregs.c), then reported with zero frames and
 * state "running".
 */
#include "hung.h"
#include "xprobes.h"

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "taskregs.h"
#include "xsym.h"
#include "xtext.h"
#include "xunwind.h"

#define MAX_THREADS 256
#define MAX_ACTIVE 2
#define MAPS_MAX (1u << 20)

struct job {
	pid_t pid;
	char *attempt_id, *binary_id, *test_name;
};

static int active;
static pthread_mutex_t walk_lock = PTHREAD_MUTEX_INITIALIZER;

int nx_hung_wanted(void)
{
	return nx_x_enabled(NX_X_HUNG_STACKS) | nx_x_enabled(NX_X_HUNG_THREAD) |
	       nx_x_enabled(NX_X_HUNG_FRAME);
}

#define P(x) ((uint64_t)(uintptr_t)(x))

static int list_tasks(pid_t pid, pid_t *tids, int max)
{
	char path[64];
	nx_xt_proc_path(path, sizeof path, pid, 0, "task");
	long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int n = 0;
	char buf[4096];
	for (;;) {
		long got = syscall(SYS_getdents64, fd, buf, sizeof buf);
		if (got <= 0)
			break;
		for (long off = 0; off < got;) {
			unsigned short reclen;
			memcpy(&reclen, buf + off + 16, sizeof reclen);
			const char *name = buf + off + 19;
			if (name[0] >= '0' && name[0] <= '9' && n < max)
				tids[n++] = (pid_t)strtol(name, NULL, 10);
			off += reclen;
		}
	}
	syscall(SYS_close, fd);
	/* ascending tid: the main thread first */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && tids[j - 1] > tids[j]; j--) {
			pid_t t = tids[j];
			tids[j] = tids[j - 1];
			tids[j - 1] = t;
		}
	return n;
}

/* /proc/PID/task/TID/syscall gives only sp and pc, but code built with
 * frame pointers (Rust's std is) needs rbp to find its CFA.  Candidates for
 * rbp are the stack slots that look like a frame record (saved rbp above
 * them or 0, return address into executable code above that); each is tried
 * and the deepest walk wins (rbp = 0 is the baseline).  aarch64's frame
 * record has the same shape (saved x29, then saved x30): a candidate sets
 * x29.  When pc is in a leaf function (the libc wrapper of the system call)
 * its return address is still only in x30, which /proc does not give; then
 * the nearest record is its caller's, saved by the caller's prologue: the
 * record's x30 returns into the caller's caller, right after the call
 * instruction, and its x29 is the caller's caller's frame.  The walk goes on
 * from those two, and the caller itself is put back as the target of that
 * call instruction (a direct BL): its entry, so the function is named but
 * not the instruction it was at (*entry_ix, -1 when no frame was put in).
 * A walk
 * that reaches the outermost frame (the thread's entry) is complete: no
 * further candidate is tried, the nearest one that completes is kept (each
 * walk reads the modules' unwind tables again; a capture must end while the
 * test is still there to be read, before a terminating slow event kills it). */
#define SCAN_BYTES 16384
#define MAX_CANDIDATES 12

#if defined(__aarch64__)
/* The target of the direct call (BL) just before ret, 0 if that instruction
 * is not one or cannot be read. */
static uint64_t bl_target(pid_t pid, const char *maps, uint64_t ret)
{
	uint32_t insn = 0;
	struct iovec local = { &insn, sizeof insn }, remote = { (void *)(uintptr_t)(ret - 4), sizeof insn };
	if (ret < 4 || syscall(SYS_process_vm_readv, pid, &local, 1UL, &remote, 1UL, 0UL) != (long)sizeof insn)
		return 0;
	if ((insn & 0xFC000000u) != 0x94000000u)	/* BL imm26 */
		return 0;
	int64_t off = (int64_t)((uint64_t)(insn & 0x03FFFFFFu) << 38) >> 36;	/* sign-extended, x4 */
	uint64_t target = ret - 4 + (uint64_t)off;
	return nx_xsym_is_code(maps, target) ? target : 0;
}
#endif

static int walk_best(struct nx_xunw *u, pid_t pid, const char *maps, uint64_t sp, uint64_t pc,
		     uint64_t *ips, int *entry_ix)
{
	int best_entry = -1;
	static uint64_t stack[SCAN_BYTES / 8], best_ips[NX_XUNW_MAX_FRAMES];
	struct nx_xunw_regs r = { .have = ((uint64_t)1 << NX_XUNW_SP) | ((uint64_t)1 << NX_XUNW_PC) };
	r.r[NX_XUNW_SP] = sp;
	r.r[NX_XUNW_PC] = pc;
	int complete = 0;
	int best = nx_xunw_walk_ex(u, &r, best_ips, NX_XUNW_MAX_FRAMES, &complete);
	struct iovec local = { stack, sizeof stack }, remote = { (void *)(uintptr_t)sp, sizeof stack };
	long got = maps && !complete ? syscall(SYS_process_vm_readv, pid, &local, 1UL, &remote, 1UL, 0UL) : -1;
	size_t words = got > 0 ? (size_t)got / 8 : 0;
	int tried = 0;
	for (size_t i = 0; i + 1 < words && tried < MAX_CANDIDATES && !complete; i++) {
		uint64_t a = sp + 8 * i, saved = stack[i], ret = stack[i + 1];
		if (saved != 0 && (saved <= a || saved - a > (64u << 20)))
			continue;
		if (!nx_xsym_is_code(maps, ret))
			continue;
		tried++;
		r.r[NX_XUNW_FP] = a;	/* rbp, x29 */
		r.have |= (uint64_t)1 << NX_XUNW_FP;
		int done = 0;
		int n = nx_xunw_walk_ex(u, &r, ips, NX_XUNW_MAX_FRAMES, &done);
		if (n > best || (done && n == best)) {
			best = n;
			complete = done;
			best_entry = -1;
			memcpy(best_ips, ips, sizeof(uint64_t) * (size_t)n);
		}
#if defined(__aarch64__)
		if (complete)
			break;
		/* pc in a leaf, this record its caller's (above) */
		r.r[NX_XUNW_LR] = ret;
		r.r[NX_XUNW_FP] = saved;
		r.have |= (uint64_t)1 << NX_XUNW_LR;
		n = nx_xunw_walk_ex(u, &r, ips, NX_XUNW_MAX_FRAMES, &done);
		r.have &= ~((uint64_t)1 << NX_XUNW_LR);
		int entry = -1;
		uint64_t caller = n >= 2 && ips[1] == ret ? bl_target(pid, maps, ret) : 0;
		if (caller && n < NX_XUNW_MAX_FRAMES) {
			memmove(ips + 2, ips + 1, sizeof(uint64_t) * (size_t)(n - 1));
			ips[1] = caller;
			entry = 1;
			n++;
		}
		if (n > best || (done && n == best)) {
			best = n;
			complete = done;
			best_entry = entry;
			memcpy(best_ips, ips, sizeof(uint64_t) * (size_t)n);
		}
#endif
	}
	memcpy(ips, best_ips, sizeof(uint64_t) * (size_t)best);
	*entry_ix = best_entry;
	return best;
}

static void fire_summary(const struct job *j, int threads)
{
	char buf[2048];
	struct nx_xt t;
	nx_xt_init(&t, buf, sizeof buf);
	nx_xt_open(&t, j->attempt_id);
	nx_xt_f_json(&t, "binary_id", j->binary_id);
	nx_xt_f_json(&t, "test_name", j->test_name);
	nx_xt_f_u64(&t, "pid", (uint64_t)j->pid);
	nx_xt_f_u64(&t, "threads", (uint64_t)threads);
	nx_xt_close(&t);
	size_t id = nx_xt_str(&t, j->attempt_id);
	size_t bin = nx_xt_str(&t, j->binary_id);
	size_t test = nx_xt_str(&t, j->test_name);
	if (t.cut)
		return;
	uint64_t a[6] = { P(buf), P(buf + id), P(buf + bin), P(buf + test), (uint32_t)j->pid,
			  (uint32_t)threads };
	nx_x_fire(NX_X_HUNG_STACKS, a);
}

static void fire_thread(const struct job *j, pid_t tid, const char *comm, int has_regs, long nr,
			int frames)
{
	char buf[2048];
	struct nx_xt t;
	nx_xt_init(&t, buf, sizeof buf);
	nx_xt_open(&t, j->attempt_id);
	nx_xt_f_u64(&t, "pid", (uint64_t)j->pid);
	nx_xt_f_u64(&t, "tid", (uint64_t)tid);
	nx_xt_f_json(&t, "thread_name", comm);
	nx_xt_f_json(&t, "state", has_regs ? (nr >= 0 ? "syscall" : "blocked") : "running");
	nx_xt_f_opt_i64(&t, "syscall", has_regs && nr >= 0, nr);
	nx_xt_f_u64(&t, "frames", (uint64_t)frames);
	nx_xt_close(&t);
	size_t id = nx_xt_str(&t, j->attempt_id);
	size_t name = nx_xt_str(&t, comm);
	if (t.cut)
		return;
	uint64_t a[6] = { P(buf), P(buf + id), P(buf + name), (uint32_t)tid, (uint32_t)frames,
			  (uint64_t)(has_regs ? nr : -1) };
	nx_x_fire(NX_X_HUNG_THREAD, a);
}

static void fire_frame(const struct job *j, pid_t tid, const char *comm, int index,
		       const struct nx_xframe *f)
{
	char buf[4096];
	struct nx_xt t;
	nx_xt_init(&t, buf, sizeof buf);
	nx_xt_open(&t, j->attempt_id);
	nx_xt_f_u64(&t, "tid", (uint64_t)tid);
	nx_xt_f_json(&t, "thread_name", comm);
	nx_xt_f_u64(&t, "index", (uint64_t)index);
	nx_xt_frame_fields(&t, f->ip, f->module, f->module_offset, f->symbol, f->symbol_offset);
	size_t id = nx_xt_str(&t, j->attempt_id);
	size_t mod = nx_xt_str(&t, f->module);
	size_t sym = nx_xt_str(&t, f->symbol);
	if (t.cut)
		return;
	uint64_t a[6] = { P(buf), P(buf + id), P(buf + mod), P(buf + sym), (uint32_t)index, f->ip };
	nx_x_fire(NX_X_HUNG_FRAME, a);
}

/* A thread read as "running" (on a CPU or runnable) is often one that woke
 * from a periodic sleep a moment ago — a hung test's poll loop that checks a
 * flag every 100 ms, whose slow timer started with the loop, so the capture
 * tends to meet it just awake.  Such threads are read again, up to
 * RUNNING_ROUNDS times RUNNING_PAUSE_NS apart (at most ~10 ms, in this helper
 * thread only); one still running after that is reported running. */
#define RUNNING_ROUNDS 10
#define RUNNING_PAUSE_NS 1000000L

static void capture(const struct job *j)
{
	static pid_t tids[MAX_THREADS];
	static struct nx_task_regs th[MAX_THREADS];
	static char comm[MAX_THREADS][64];
	static uint64_t ips[NX_XUNW_MAX_FRAMES];
	static struct nx_xframe frame;
	static struct nx_xsym_cache cache;
	char *maps = malloc(MAPS_MAX);
	struct nx_xunw *u = nx_xunw_new(j->pid);
	char path[96];
	if (maps) {
		nx_xt_proc_path(path, sizeof path, j->pid, 0, "maps");
		if (nx_xt_read_file(path, maps, MAPS_MAX) < 0)
			maps[0] = '\0';
	}
	/* Every thread's name and registers first, all within a few reads of
	 * /proc: the walks below take far longer, and the test may be gone (a
	 * terminating slow event) before the last one. */
	int listed = list_tasks(j->pid, tids, MAX_THREADS), n = 0;
	for (int i = 0; i < listed; i++) {
		nx_xt_proc_path(path, sizeof path, j->pid, tids[i], "comm");
		ssize_t cl = nx_xt_read_file(path, comm[n], sizeof comm[n]);
		if (cl < 0)
			continue;	/* the thread is gone */
		if (cl > 0 && comm[n][cl - 1] == '\n')
			comm[n][cl - 1] = '\0';
		th[n].tid = tids[i];
		nx_task_regs_read(j->pid, &th[n]);
		n++;
	}
	nx_task_regs_settle(j->pid, th, n, RUNNING_ROUNDS, RUNNING_PAUSE_NS);
	fire_summary(j, n);
	for (int i = 0; i < n; i++) {
		const struct nx_task_regs *t = &th[i];
		int frames = 0, entry_ix = -1;
		if (t->has) {
			frames = u ? walk_best(u, j->pid, maps, t->sp, t->pc, ips, &entry_ix) : 0;
			if (frames == 0) {
				ips[0] = t->pc;
				frames = 1;
			}
		}
		if (entry_ix >= 0) {
			/* a caller put back by its entry (walk_best): kept only if that
			 * entry is a function symbol's start (not a PLT stub, a veneer) */
			memset(&frame, 0, sizeof frame);
			frame.ip = ips[entry_ix];
			if (maps)
				nx_xsym_describe(maps, &cache, &frame, 0);
			if (!maps || frame.symbol[0] == '\0' || frame.symbol_offset != 0) {
				memmove(ips + entry_ix, ips + entry_ix + 1,
					sizeof(uint64_t) * (size_t)(frames - entry_ix - 1));
				frames--;
				entry_ix = -1;
			}
		}
		fire_thread(j, t->tid, comm[i], t->has, t->nr, frames);
		if (!nx_x_enabled(NX_X_HUNG_FRAME))
			continue;
		for (int k = 0; k < frames; k++) {
			memset(&frame, 0, sizeof frame);
			frame.ip = ips[k];
			if (maps)
				nx_xsym_describe(maps, &cache, &frame, k > 0 && k != entry_ix);
			fire_frame(j, t->tid, comm[i], k, &frame);
		}
	}
	nx_xsym_release(&cache);
	nx_xunw_free(u);
	free(maps);
}

static void job_free(struct job *j)
{
	free(j->attempt_id);
	free(j->binary_id);
	free(j->test_name);
	free(j);
}

static void *helper(void *arg)
{
	struct job *j = arg;
	pthread_mutex_lock(&walk_lock);
	capture(j);
	pthread_mutex_unlock(&walk_lock);
	job_free(j);
	__atomic_sub_fetch(&active, 1, __ATOMIC_RELAXED);
	return NULL;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

void nx_hung_capture(const char *attempt_id, const char *binary_id, const char *test_name,
		     pid_t pid)
{
	if (__atomic_add_fetch(&active, 1, __ATOMIC_RELAXED) > MAX_ACTIVE) {
		__atomic_sub_fetch(&active, 1, __ATOMIC_RELAXED);
		return;	/* bounded: drop rather than queue */
	}
	struct job *j = calloc(1, sizeof *j);
	pthread_attr_t attr;
	sigset_t all;
	sigfillset(&all);
	int ok = j && pthread_attr_init(&attr) == 0;
	if (ok) {
		j->pid = pid;
		j->attempt_id = dup_or_empty(attempt_id);
		j->binary_id = dup_or_empty(binary_id);
		j->test_name = dup_or_empty(test_name);
		pthread_t th;
		ok = j->attempt_id && j->binary_id && j->test_name &&
		     pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
		     pthread_attr_setsigmask_np(&attr, &all) == 0 &&
		     pthread_create(&th, &attr, helper, j) == 0;
		pthread_attr_destroy(&attr);
	}
	if (!ok) {
		if (j)
			job_free(j);
		__atomic_sub_fetch(&active, 1, __ATOMIC_RELAXED);
	}
}

#else	/* no unwinder here: the hung-* probes are never fired */

int nx_hung_wanted(void)
{
	return 0;
}

void nx_hung_capture(const char *attempt_id, const char *binary_id, const char *test_name,
		     pid_t pid)
{
	(void)attempt_id, (void)binary_id, (void)test_name, (void)pid;
}
#endif
