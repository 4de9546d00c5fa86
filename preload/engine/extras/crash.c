/* extras/crash.c — crash backtraces, in the crashing test process itself.
 *
 * Owns: the crash / crash-frame probes.  nx_xcrash_init (called once by the
 * thin object's constructor, which loaded the engine for it) decides:
 * only if one of those probes is attached already (a tracer attached by path
 * before the process started has raised the semaphore: kernel ref_ctr),
 * only in a nextest test process (NEXTEST_EXECUTION_MODE in its environment,
 * not the list phase, not the __double-spawn stub, not with the kill switch
 * or AT_SECURE), it loads libunwind (xunwind.c), maps a private stack and
 * installs one handler for SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT.
 * Otherwise it does nothing at all (volatile reads only).
 *
 * Faithfulness.  The program keeps seeing its own dispositions: sigaction()
 * and signal() are interposed (sigaction.c) and, for a watched signal, read
 * and write a virtual disposition, so Rust's std still finds SIG_DFL at its
 * runtime init, installs its stack-overflow handler (and the alternate signal
 * stacks that come with it) exactly as without us, and we chain to it.  On a
 * crash the handler (1) walks the faulting thread's stack from the signal's
 * ucontext on our own stack (std's alternate stack is only a few KiB), reads
 * memory only through process_vm_readv, names frames from /proc/self/maps and
 * the modules' ELF symbols, fires crash then crash-frame per frame; (2) hands
 * the signal on: to the program's handler with the mask the kernel would have
 * set (SA_SIGINFO, SA_RESETHAND, SA_NODEFER honoured), on our private chain
 * stack (a handler that aborts needs room for the SIGABRT frame); or, for
 * SIG_DFL, restores it for real, re-queues the very siginfo to the same
 * thread (rt_tgsigqueueinfo) and returns, so the process dies by the same
 * signal with the same core-dump behaviour (a fault that is re-executed
 * faults again under the restored disposition).  A program that sets SIG_IGN
 * gets the real SIG_IGN at once and we step aside.  If our sigaction() is not
 * the one the program calls (not exported), nothing is armed.  One report at
 * a time; a second crashing thread is handed on without a report.
 */
#include <signal.h>

#include "crash.h"

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "xprobes.h"
#include "xsym.h"
#include "xtext.h"
#include "xunwind.h"

#define MAXSIG 65
#define STACK_SIZE (512u * 1024)	/* [0, CHAIN_STACK): chained handlers; above: reports */
#define CHAIN_STACK (256u * 1024)
#define MAPS_SIZE (512u * 1024)

static const int watched[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

static struct {
	int armed;
	struct sigaction virt;	/* what the program believes is installed */
} slots[MAXSIG];

/* What the kernel stores for a handler installed through glibc: on x86_64
 * glibc adds SA_RESTORER and its restorer (aarch64 glibc adds neither: the
 * kernel returns through the vDSO); the kernel drops SIGKILL/SIGSTOP from the
 * mask.  A virtual disposition is stored the same way, so that reading it
 * back gives the bytes the real sigaction() would have given.  What glibc
 * adds is learnt once, by reading back our own handler (kernel_adds). */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
static void (*glibc_restorer)(void);
static int kernel_adds;	/* flags set on read-back that the caller did not pass */

static struct sigaction as_kernel_keeps(const struct sigaction *act)
{
	struct sigaction v = *act;
	v.sa_flags |= kernel_adds;
	if (kernel_adds & SA_RESTORER)
		v.sa_restorer = glibc_restorer;
	sigdelset(&v.sa_mask, SIGKILL);
	sigdelset(&v.sa_mask, SIGSTOP);
	return v;
}

static int lock_word;
static int busy;
static struct nx_xunw *unw;
static char *stack_mem;
static char *maps;
static char attempt_id[512], binary_id[256], test_name[512];

int nx_xcrash_watching(int sig)
{
	return sig > 0 && sig < MAXSIG && __atomic_load_n(&slots[sig].armed, __ATOMIC_ACQUIRE);
}

static void lock(void)
{
	while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE))
		;
}

static void unlock(void)
{
	__atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
}

int nx_xcrash_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	lock();
	if (!nx_xcrash_watching(sig)) {
		unlock();
		return __sigaction(sig, act, old);
	}
	struct sigaction prev = slots[sig].virt;
	int rc = 0;
	if (act && act->sa_handler == SIG_IGN) {
		/* Ignored: nothing may run on delivery (not even an EINTR). */
		rc = __sigaction(sig, act, NULL);
		if (rc == 0) {
			slots[sig].virt = *act;
			__atomic_store_n(&slots[sig].armed, 0, __ATOMIC_RELEASE);
		}
	} else if (act) {
		slots[sig].virt = as_kernel_keeps(act);	/* a handler or SIG_DFL */
	}
	unlock();
	if (rc == 0 && old)
		*old = prev;
	return rc;
}

/* ---- the report ---- */

static const char *sig_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGILL: return "SIGILL";
	case SIGFPE: return "SIGFPE";
	case SIGABRT: return "SIGABRT";
	default: return "";
	}
}

struct report {
	int sig;
	siginfo_t *info;
	ucontext_t *uc;
};

#define P(x) ((uint64_t)(uintptr_t)(x))

static void fire_crash(const struct report *r, pid_t tid, const char *comm, int frames)
{
	static char buf[4096];
	struct nx_xt t;
	int fault = r->sig != SIGABRT && r->info->si_code > 0;
	nx_xt_init(&t, buf, sizeof buf);
	nx_xt_open(&t, attempt_id);
	nx_xt_f_json(&t, "binary_id", binary_id);
	nx_xt_f_json(&t, "test_name", test_name);
	nx_xt_f_u64(&t, "pid", (uint64_t)getpid());
	nx_xt_f_u64(&t, "tid", (uint64_t)tid);
	nx_xt_f_json(&t, "thread_name", comm);
	nx_xt_f_u64(&t, "signal", (uint64_t)r->sig);
	nx_xt_f_json(&t, "signal_name", sig_name(r->sig));
	nx_xt_f_i64(&t, "code", r->info->si_code);
	nx_xt_f_opt_u64(&t, "fault_address", fault, P(r->info->si_addr));
	nx_xt_f_u64(&t, "frames", (uint64_t)frames);
	nx_xt_close(&t);
	size_t id = nx_xt_str(&t, attempt_id);
	size_t test = nx_xt_str(&t, test_name);
	size_t name = nx_xt_str(&t, comm);
	if (t.cut)
		return;
	uint64_t a[6] = { P(buf), P(buf + id), P(buf + test), P(buf + name), (uint32_t)r->sig,
			  (uint32_t)frames };
	nx_x_fire(NX_X_CRASH, a);
}

static void fire_frame(pid_t tid, int index, const struct nx_xframe *f)
{
	static char buf[4096];
	struct nx_xt t;
	nx_xt_init(&t, buf, sizeof buf);
	nx_xt_open(&t, attempt_id);
	nx_xt_f_u64(&t, "pid", (uint64_t)getpid());
	nx_xt_f_u64(&t, "tid", (uint64_t)tid);
	nx_xt_f_u64(&t, "index", (uint64_t)index);
	nx_xt_frame_fields(&t, f->ip, f->module, f->module_offset, f->symbol, f->symbol_offset);
	size_t mod = nx_xt_str(&t, f->module);
	size_t sym = nx_xt_str(&t, f->symbol);
	if (t.cut)
		return;
	uint64_t a[6] = { P(buf), P(buf + mod), P(buf + sym), (uint32_t)index, f->ip,
			  f->module_offset };
	nx_x_fire(NX_X_CRASH_FRAME, a);
}

#if defined(__x86_64__)
static const int greg_of[NX_XUNW_NREGS] = {
	REG_RAX, REG_RDX, REG_RCX, REG_RBX, REG_RSI, REG_RDI, REG_RBP, REG_RSP,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15, REG_RIP,
};
#endif

static void report(void *arg)
{
	const struct report *r = arg;
	static uint64_t ips[NX_XUNW_MAX_FRAMES];
	static struct nx_xframe frame;
	static struct nx_xsym_cache cache;
	static struct nx_xunw_regs regs;
	int n = 0;
	regs.have = 0;
#if defined(__x86_64__)
	for (int i = 0; i < NX_XUNW_NREGS; i++)
		regs.r[i] = (uint64_t)r->uc->uc_mcontext.gregs[greg_of[i]];
#elif defined(__aarch64__)
	/* The arm64 signal frame: x0…x30, sp, pc in uc_mcontext. */
	for (int i = 0; i < 31; i++)
		regs.r[i] = (uint64_t)r->uc->uc_mcontext.regs[i];
	regs.r[NX_XUNW_SP] = (uint64_t)r->uc->uc_mcontext.sp;
	regs.r[NX_XUNW_PC] = (uint64_t)r->uc->uc_mcontext.pc;
#endif
	for (int i = 0; i < NX_XUNW_NREGS; i++)
		regs.have |= (uint64_t)1 << i;
	n = nx_xunw_walk(unw, &regs, ips, NX_XUNW_MAX_FRAMES);
	if (n == 0) {
		ips[0] = regs.r[NX_XUNW_PC];
		n = 1;
	}
	pid_t tid = (pid_t)syscall(SYS_gettid);
	char path[96], comm[64];
	nx_xt_proc_path(path, sizeof path, getpid(), tid, "comm");
	ssize_t cl = nx_xt_read_file(path, comm, sizeof comm);
	if (cl > 0 && comm[cl - 1] == '\n')
		comm[cl - 1] = '\0';
	if (cl < 0)
		comm[0] = '\0';
	if (nx_x_enabled(NX_X_CRASH))
		fire_crash(r, tid, comm, n);
	if (!nx_x_enabled(NX_X_CRASH_FRAME))
		return;
	if (nx_xt_read_file("/proc/self/maps", maps, MAPS_SIZE) < 0)
		maps[0] = '\0';
	for (int k = 0; k < n; k++) {
		memset(&frame, 0, sizeof frame);
		frame.ip = ips[k];
		nx_xsym_describe(maps, &cache, &frame, k > 0);
		fire_frame(tid, k, &frame);
	}
	nx_xsym_release(&cache);
}

/* ---- running the report on our own stack ---- */

#if defined(__x86_64__)
void nx_xcrash_on_stack(void (*fn)(void *), void *arg, void *top)
	__attribute__((visibility("hidden")));
__asm__(".text\n"
	".globl nx_xcrash_on_stack\n"
	".hidden nx_xcrash_on_stack\n"
	".type nx_xcrash_on_stack, @function\n"
	"nx_xcrash_on_stack:\n"
	".cfi_startproc\n"
	"push %rbp\n"
	".cfi_def_cfa_offset 16\n"
	".cfi_offset %rbp, -16\n"
	"mov %rsp, %rbp\n"
	".cfi_def_cfa_register %rbp\n"
	"mov %rdx, %rsp\n"
	"and $-16, %rsp\n"
	"mov %rdi, %rax\n"
	"mov %rsi, %rdi\n"
	"call *%rax\n"
	"mov %rbp, %rsp\n"
	"pop %rbp\n"
	".cfi_def_cfa %rsp, 8\n"
	"ret\n"
	".cfi_endproc\n"
	".size nx_xcrash_on_stack, .-nx_xcrash_on_stack\n");
#elif defined(__aarch64__)
/* x0 = fn, x1 = arg, x2 = top: a frame record (x29, x30) on the current
 * stack, then fn(arg) on the new one; CFI says where the caller's are. */
void nx_xcrash_on_stack(void (*fn)(void *), void *arg, void *top)
	__attribute__((visibility("hidden")));
__asm__(".text\n"
	".globl nx_xcrash_on_stack\n"
	".hidden nx_xcrash_on_stack\n"
	".type nx_xcrash_on_stack, %function\n"
	".balign 4\n"
	"nx_xcrash_on_stack:\n"
	".cfi_startproc\n"
	"stp x29, x30, [sp, #-16]!\n"
	".cfi_def_cfa_offset 16\n"
	".cfi_offset x29, -16\n"
	".cfi_offset x30, -8\n"
	"mov x29, sp\n"
	".cfi_def_cfa_register x29\n"
	"and x2, x2, #-16\n"
	"mov sp, x2\n"
	"mov x3, x0\n"
	"mov x0, x1\n"
	"blr x3\n"
	"mov sp, x29\n"
	".cfi_def_cfa_register sp\n"
	"ldp x29, x30, [sp], #16\n"
	".cfi_def_cfa_offset 0\n"
	".cfi_restore x29\n"
	".cfi_restore x30\n"
	"ret\n"
	".cfi_endproc\n"
	".size nx_xcrash_on_stack, .-nx_xcrash_on_stack\n");
#endif

/* ---- handing the signal on ---- */

static void sigmask_raw(int how, const sigset_t *set, sigset_t *old)
{
	syscall(SYS_rt_sigprocmask, how, set, old, (long)(_NSIG / 8));
}

struct chained {
	struct sigaction v;
	int sig;
	siginfo_t *info;
	ucontext_t *uc;
};

static void call_chained(void *arg)
{
	struct chained *c = arg;
	if (c->v.sa_flags & SA_SIGINFO)
		c->v.sa_sigaction(c->sig, c->info, c->uc);
	else
		c->v.sa_handler(c->sig);
}

static int chain_depth;

static void hand_on(int sig, siginfo_t *info, ucontext_t *uc)
{
	lock();
	struct sigaction v = slots[sig].virt;
	int armed = slots[sig].armed;
	if (armed && v.sa_handler != SIG_DFL && v.sa_handler != SIG_IGN &&
	    (v.sa_flags & SA_RESETHAND)) {
		struct sigaction d;
		memset(&d, 0, sizeof d);
		d.sa_handler = SIG_DFL;
		slots[sig].virt = d;
		__sigaction(sig, &d, NULL);
		__atomic_store_n(&slots[sig].armed, 0, __ATOMIC_RELEASE);
	}
	if (!armed || v.sa_handler == SIG_DFL || v.sa_handler == SIG_IGN) {
		if (armed) {
			__sigaction(sig, &v, NULL);	/* step aside: the program's own */
			__atomic_store_n(&slots[sig].armed, 0, __ATOMIC_RELEASE);
		}
		unlock();
		/* Pending until we return (sig is blocked in this handler). */
		syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), sig, info);
		return;
	}
	unlock();
	sigset_t m = uc->uc_sigmask, old;
	for (int s = 1; s < _NSIG; s++)
		if (sigismember(&v.sa_mask, s) == 1)
			sigaddset(&m, s);
	if (!(v.sa_flags & SA_NODEFER))
		sigaddset(&m, sig);
	sigmask_raw(SIG_SETMASK, &m, &old);
	/* The program's handler runs on our chain stack, not on the alternate
	 * stack we were called on: std's is one signal frame deep, and a handler
	 * that aborts (std's stack-overflow handler does) needs room for the
	 * SIGABRT frame and our report of it. */
	struct chained c = { v, sig, info, uc };
	if (__atomic_add_fetch(&chain_depth, 1, __ATOMIC_ACQ_REL) == 1)
		nx_xcrash_on_stack(call_chained, &c, stack_mem + CHAIN_STACK);
	else
		call_chained(&c);
	__atomic_sub_fetch(&chain_depth, 1, __ATOMIC_ACQ_REL);
	/* A handler that set SIG_DFL and returned (std's, for a fault that is not
	 * a stack overflow) expects the re-executed fault to kill: step aside so
	 * that it does, without a second report. */
	lock();
	if (slots[sig].armed && slots[sig].virt.sa_handler == SIG_DFL) {
		struct sigaction d = slots[sig].virt;
		__sigaction(sig, &d, NULL);
		__atomic_store_n(&slots[sig].armed, 0, __ATOMIC_RELEASE);
	}
	unlock();
	sigmask_raw(SIG_SETMASK, &old, NULL);
}

static void on_crash(int sig, siginfo_t *info, void *ucv)
{
	int saved = errno;
	ucontext_t *uc = ucv;
	if (!__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE)) {
		struct report r = { sig, info, uc };
		nx_xcrash_on_stack(report, &r, stack_mem + STACK_SIZE);
		__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	}
	hand_on(sig, info, uc);
	errno = saved;
}

/* ---- the decision, once, at the thin object's constructor ---- */

static const char *env_get(char **envp, const char *name)
{
	size_t n = strlen(name);
	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static void copy(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static int is_test_process(int argc, char **argv, char **envp)
{
	const char *off = env_get(envp, "LIBNEXTEST_PROBES_DISABLE");
	if ((off && *off && strcmp(off, "0") != 0) || getauxval(AT_SECURE))
		return 0;
	if (argc > 1 && argv && argv[1] && strcmp(argv[1], "__double-spawn") == 0)
		return 0;
	if (!env_get(envp, "NEXTEST_EXECUTION_MODE"))
		return 0;
	const char *phase = env_get(envp, "NEXTEST_TEST_PHASE");
	return !phase || strcmp(phase, "run") == 0;
}

void nx_xcrash_init(int argc, char **argv, char **envp, void *sigaction_ours)
{
	if (__builtin_expect(!nx_x_enabled(NX_X_CRASH) && !nx_x_enabled(NX_X_CRASH_FRAME), 1))
		return;
	if (!is_test_process(argc, argv, envp))
		return;
	copy(attempt_id, sizeof attempt_id, env_get(envp, "NEXTEST_ATTEMPT_ID"));
	copy(binary_id, sizeof binary_id, env_get(envp, "NEXTEST_BINARY_ID"));
	copy(test_name, sizeof test_name, env_get(envp, "NEXTEST_TEST_NAME"));
	for (int i = 1; !test_name[0] && i < argc; i++)	/* before 0.9.116: libtest's filter */
		if (argv[i][0] != '-')
			copy(test_name, sizeof test_name, argv[i]);
	/* Without our sigaction() in front of libc's the program would see our
	 * handlers (std would skip its stack-overflow handler, whose SIGABRT
	 * would then land on its one-frame alternate stack): then do nothing. */
	if (!sigaction_ours || dlsym(RTLD_DEFAULT, "sigaction") != sigaction_ours)
		return;
	unw = nx_xunw_new(getpid());
	void *st = mmap(NULL, STACK_SIZE + MAPS_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!unw || st == MAP_FAILED) {
		nx_xunw_free(unw);
		unw = NULL;
		if (st != MAP_FAILED)
			munmap(st, STACK_SIZE + MAPS_SIZE);
		return;
	}
	stack_mem = st;
	maps = (char *)st + STACK_SIZE;
	struct sigaction ours;
	memset(&ours, 0, sizeof ours);
	ours.sa_sigaction = on_crash;
	ours.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&ours.sa_mask);
	lock();
	for (size_t i = 0; i < sizeof watched / sizeof watched[0]; i++) {
		int s = watched[i];
		struct sigaction old;
		if (__sigaction(s, NULL, &old) != 0 || old.sa_handler == SIG_IGN)
			continue;	/* ignored: nothing would be delivered; leave it */
		if (__sigaction(s, &ours, NULL) == 0) {
			struct sigaction now;
			if (!glibc_restorer && !kernel_adds && __sigaction(s, NULL, &now) == 0) {
				kernel_adds = now.sa_flags & ~ours.sa_flags;
				glibc_restorer = now.sa_restorer;
			}
			slots[s].virt = old;
			__atomic_store_n(&slots[s].armed, 1, __ATOMIC_RELEASE);
		}
	}
	unlock();
}

#else	/* not Linux x86_64 or aarch64: no unwinder, nothing is ever watched */

void nx_xcrash_init(int argc, char **argv, char **envp, void *sigaction_ours)
{
	(void)argc, (void)argv, (void)envp, (void)sigaction_ours;
}

int nx_xcrash_watching(int sig)
{
	(void)sig;
	return 0;
}

#if defined(__linux__)
int nx_xcrash_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	return __sigaction(sig, act, old);
}
#endif
#endif
