/* extras/xunwind.c — see xunwind.h. */
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "xunwind.h"

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define UNW_REMOTE_ONLY
#include <libunwind.h>

/* libunwind entry points, resolved by name (never linked). */
static struct {
	unw_addr_space_t (*create_addr_space)(unw_accessors_t *, int);
	void (*destroy_addr_space)(unw_addr_space_t);
	int (*set_caching_policy)(unw_addr_space_t, unw_caching_policy_t);
	int (*init_remote)(unw_cursor_t *, unw_addr_space_t, void *);
	int (*step)(unw_cursor_t *);
	int (*get_reg)(unw_cursor_t *, unw_regnum_t, unw_word_t *);
	void *(*upt_create)(pid_t);
	void (*upt_destroy)(void *);
	int (*upt_find_proc_info)(unw_addr_space_t, unw_word_t, unw_proc_info_t *, int, void *);
	int loaded;	/* 1 ok, -1 failed */
} lu;

#define PAGE 4096u
#define CACHE_PAGES 16

struct nx_xunw {
	pid_t pid;
	unw_addr_space_t as;
	void *upt;
	const struct nx_xunw_regs *regs;
	uint64_t page_addr[CACHE_PAGES];
	int page_ok[CACHE_PAGES];
	unsigned next;
	unsigned char page[CACHE_PAGES][PAGE];
};

/* libunwind calls find_proc_info's helpers with the _UPT handle as their
 * argument, so the accessors find the walk in progress here (one walk at a
 * time per process, xunwind.h). */
static struct nx_xunw *cur;

static int read_page(struct nx_xunw *u, uint64_t pa, unsigned slot)
{
	struct iovec local = { u->page[slot], PAGE };
	struct iovec remote = { (void *)(uintptr_t)pa, PAGE };
	long n = syscall(SYS_process_vm_readv, u->pid, &local, 1UL, &remote, 1UL, 0UL);
	u->page_addr[slot] = pa;
	u->page_ok[slot] = n == (long)PAGE;
	return u->page_ok[slot] ? 0 : -1;
}

static int read_word(struct nx_xunw *u, uint64_t addr, uint64_t *val)
{
	unsigned char out[8];
	for (unsigned i = 0; i < 8; i++) {
		uint64_t a = addr + i, pa = a & ~(uint64_t)(PAGE - 1);
		unsigned slot = CACHE_PAGES;
		for (unsigned k = 0; k < CACHE_PAGES; k++)
			if (u->page_ok[k] && u->page_addr[k] == pa)
				slot = k;
		if (slot == CACHE_PAGES) {
			slot = u->next++ % CACHE_PAGES;
			if (read_page(u, pa, slot) < 0)
				return -1;
		}
		out[i] = u->page[slot][a - pa];
	}
	memcpy(val, out, 8);
	return 0;
}

static int acc_find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
			      int need, void *arg)
{
	(void)arg;
	if (!cur)
		return -UNW_EINVAL;
	return lu.upt_find_proc_info(as, ip, pi, need, cur->upt);
}

/* Only dynamically registered info (which we never report) comes back here;
 * DWARF info is released by libunwind's own pools. */
static void acc_put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	(void)as, (void)pi, (void)arg;
}

static int acc_get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
	(void)as, (void)addr, (void)arg;
	return -UNW_ENOINFO;
}

static int acc_access_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write,
			  void *arg)
{
	(void)as, (void)arg;
	if (write || !cur)
		return -UNW_EINVAL;
	uint64_t v;
	if (read_word(cur, addr, &v) < 0)
		return -UNW_EINVAL;
	*val = v;
	return 0;
}

static int acc_access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write,
			  void *arg)
{
	(void)as, (void)arg;
	if (write || !cur || reg < 0 || reg >= NX_XUNW_NREGS ||
	    !(cur->regs->have & ((uint64_t)1 << reg)))
		return -UNW_EBADREG;
	*val = cur->regs->r[reg];
	return 0;
}

static int acc_access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val, int write,
			    void *arg)
{
	(void)as, (void)reg, (void)val, (void)write, (void)arg;
	return -UNW_EBADREG;
}

static int acc_resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
	(void)as, (void)c, (void)arg;
	return -UNW_EINVAL;
}

static unw_accessors_t accessors = {
	.find_proc_info = acc_find_proc_info,
	.put_unwind_info = acc_put_unwind_info,
	.get_dyn_info_list_addr = acc_get_dyn_info_list_addr,
	.access_mem = acc_access_mem,
	.access_reg = acc_access_reg,
	.access_fpreg = acc_access_fpreg,
	.resume = acc_resume,
	.get_proc_name = NULL,
};

int nx_xunw_load(void)
{
	if (__atomic_load_n(&lu.loaded, __ATOMIC_ACQUIRE))
		return lu.loaded > 0 ? 0 : -1;
	/* RTLD_GLOBAL: Debian's libunwind-ptrace.so.0 leaves the generic
	 * unwinder's internals (_Ux86_64_get_elf_image …) undefined. */
#if defined(__aarch64__)
#define NX_UNW_LIB "libunwind-aarch64.so.8"
#define NX_UNW(name) "_Uaarch64_" name
#else
#define NX_UNW_LIB "libunwind-x86_64.so.8"
#define NX_UNW(name) "_Ux86_64_" name
#endif
	void *gen = dlopen(NX_UNW_LIB, RTLD_NOW | RTLD_GLOBAL);
	void *upt = gen ? dlopen("libunwind-ptrace.so.0", RTLD_NOW | RTLD_LOCAL) : NULL;
	int ok = upt != NULL;
#define SYM(h, field, name) \
	do { \
		if (ok) { \
			*(void **)&lu.field = dlsym(h, name); \
			ok = lu.field != NULL; \
		} \
	} while (0)
	SYM(gen, create_addr_space, NX_UNW("create_addr_space"));
	SYM(gen, destroy_addr_space, NX_UNW("destroy_addr_space"));
	SYM(gen, set_caching_policy, NX_UNW("set_caching_policy"));
	SYM(gen, init_remote, NX_UNW("init_remote"));
	SYM(gen, step, NX_UNW("step"));
	SYM(gen, get_reg, NX_UNW("get_reg"));
	SYM(upt, upt_create, "_UPT_create");
	SYM(upt, upt_destroy, "_UPT_destroy");
	SYM(upt, upt_find_proc_info, "_UPT_find_proc_info");
#undef SYM
	__atomic_store_n(&lu.loaded, ok ? 1 : -1, __ATOMIC_RELEASE);
	return ok ? 0 : -1;
}

struct nx_xunw *nx_xunw_new(pid_t pid)
{
	if (nx_xunw_load() < 0)
		return NULL;
	struct nx_xunw *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->pid = pid;
	u->as = lu.create_addr_space(&accessors, 0);
	u->upt = lu.upt_create(pid);	/* only remembers the pid: no ptrace */
	if (!u->as || !u->upt) {
		nx_xunw_free(u);
		return NULL;
	}
	lu.set_caching_policy(u->as, UNW_CACHE_NONE);
	return u;
}

void nx_xunw_free(struct nx_xunw *u)
{
	if (!u)
		return;
	if (u->upt)
		lu.upt_destroy(u->upt);
	if (u->as)
		lu.destroy_addr_space(u->as);
	free(u);
}

int nx_xunw_walk_ex(struct nx_xunw *u, const struct nx_xunw_regs *regs, uint64_t *ips, int max,
		    int *complete)
{
	int done = 0;
	if (complete)
		*complete = 0;
	if (!u || max <= 0 || !(regs->have & ((uint64_t)1 << NX_XUNW_PC)))
		return 0;
	for (unsigned k = 0; k < CACHE_PAGES; k++)
		u->page_ok[k] = 0;
	u->regs = regs;
	cur = u;
	int n = 0;
	unw_cursor_t c;
	if (lu.init_remote(&c, u->as, u) < 0) {
		ips[n++] = regs->r[NX_XUNW_PC];
	} else {
		for (;;) {
			unw_word_t ip = 0;
			if (lu.get_reg(&c, UNW_REG_IP, &ip) < 0 || ip == 0)
				break;
			ips[n++] = ip;
			if (n >= max)
				break;
			int r = lu.step(&c);
			if (r <= 0) {
				done = r == 0;	/* the outermost frame: its unwind info ends the chain */
				break;
			}
		}
	}
	cur = NULL;
	if (complete)
		*complete = done;
	return n;
}

int nx_xunw_walk(struct nx_xunw *u, const struct nx_xunw_regs *regs, uint64_t *ips, int max)
{
	return nx_xunw_walk_ex(u, regs, ips, max, NULL);
}

#else	/* not Linux x86_64 or aarch64: no unwinder */

int nx_xunw_load(void)
{
	return -1;
}

struct nx_xunw *nx_xunw_new(pid_t pid)
{
	(void)pid;
	return NULL;
}

void nx_xunw_free(struct nx_xunw *u)
{
	(void)u;
}

int nx_xunw_walk_ex(struct nx_xunw *u, const struct nx_xunw_regs *regs, uint64_t *ips, int max,
		    int *complete)
{
	(void)u, (void)regs, (void)ips, (void)max;
	if (complete)
		*complete = 0;
	return 0;
}

int nx_xunw_walk(struct nx_xunw *u, const struct nx_xunw_regs *regs, uint64_t *ips, int max)
{
	return nx_xunw_walk_ex(u, regs, ips, max, NULL);
}
#endif
