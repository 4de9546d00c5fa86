/* forkslot.c — the shared slots of the fork + execvp path.
 *
 * Owns: the shared area and the per-thread list of pending forks.  The child
 * side uses only raw system calls and atomic stores into memory that already
 * exists, because it runs between fork and exec.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attempts.h"
#include "cargo.h"
#include "children.h"
#include "classify.h"
#include "forkslot.h"

#define NSLOTS 64
#define TEXT 16384
#define MAXV 512
#define NPENDING 8

enum { FREE = 0, WRITING, READY, FAILED, OVERFLOW };

struct slot {
	int state;
	pid_t pid;
	dev_t dev[2];
	ino_t ino[2];
	uint32_t nargv, nenv, len;
	char text[TEXT];
};

struct area {
	struct slot s[NSLOTS];
};

static struct area *area;

struct pending {
	pid_t pid;
	uint64_t t_start;
};

static __thread struct pending pending[NPENDING] __attribute__((tls_model("initial-exec")));
static __thread unsigned npending __attribute__((tls_model("initial-exec")));

int nx_forkslot_prepare(void)
{
	struct area *a = __atomic_load_n(&area, __ATOMIC_ACQUIRE);
	if (a)
		return 0;
	void *p = mmap(NULL, sizeof(struct area), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	struct area *expect = NULL;
	if (!__atomic_compare_exchange_n(&area, &expect, (struct area *)p, 0, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		munmap(p, sizeof(struct area));
	return 0;
}

void nx_forkslot_forked(pid_t pid, uint64_t t_start)
{
	if (npending < NPENDING)
		pending[npending++] = (struct pending){ pid, t_start };
}

int nx_forkslot_pending(void)
{
	return npending != 0;
}

/* ---- child side: async-signal-safe ---- */

static int wanted_env(const char *e)
{
	return strncmp(e, "NEXTEST_", 8) == 0 || strncmp(e, "__NEXTEST_", 10) == 0;
}

static int put(struct slot *s, const char *str)
{
	size_t n = strlen(str) + 1;
	if (s->len + n > TEXT)
		return -1;
	memcpy(s->text + s->len, str, n);
	s->len += (uint32_t)n;
	return 0;
}

static void identify(int fd, dev_t *dev, ino_t *ino)
{
	struct stat st;
	*dev = 0;
	*ino = 0;
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
		*dev = st.st_dev;
		*ino = st.st_ino;
	}
}

int nx_forkslot_child_exec(char *const argv[], char *const envp[])
{
	struct area *a = __atomic_load_n(&area, __ATOMIC_ACQUIRE);
	if (!a)
		return -1;
	/* a nextest child, or the runner's cargo build: std takes this path
	 * for `cargo` by bare name when the runner passes an explicit
	 * environment (nextest's duct commands, without CARGO set) */
	int interesting = nx_cargo_candidate(argv);
	for (char *const *e = envp; e && *e && !interesting; e++)
		interesting = wanted_env(*e);
	if (!interesting)
		return -1;

	for (int i = 0; i < NSLOTS; i++) {
		struct slot *s = &a->s[i];
		int expect = FREE;
		if (!__atomic_compare_exchange_n(&s->state, &expect, WRITING, 0, __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
			continue;
		int e = errno;
		s->pid = getpid();
		identify(1, &s->dev[0], &s->ino[0]);
		identify(2, &s->dev[1], &s->ino[1]);
		s->len = s->nargv = s->nenv = 0;
		int ok = 1;
		for (char *const *v = argv; v && *v && ok; v++, s->nargv++)
			ok = s->nargv < MAXV && put(s, *v) == 0;
		for (char *const *v = envp; v && *v && ok; v++)
			if (wanted_env(*v)) {
				ok = s->nenv < MAXV && put(s, *v) == 0;
				s->nenv++;
			}
		errno = e;
		__atomic_store_n(&s->state, ok ? READY : OVERFLOW, __ATOMIC_RELEASE);
		return i;
	}
	return -1;
}

void nx_forkslot_child_failed(int handle)
{
	struct area *a = __atomic_load_n(&area, __ATOMIC_ACQUIRE);
	if (a && handle >= 0 && handle < NSLOTS)
		__atomic_store_n(&a->s[handle].state, FAILED, __ATOMIC_RELEASE);
}

/* ---- parent side ---- */

static struct slot *find(pid_t pid)
{
	for (int i = 0; i < NSLOTS; i++) {
		struct slot *s = &area->s[i];
		int st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		if (st >= READY && s->pid == pid)
			return s;
	}
	return NULL;
}

static void consume(struct slot *s, const struct pending *p)
{
	char *argv[MAXV + 1], *envp[MAXV + 1];
	char *t = s->text;
	for (uint32_t i = 0; i < s->nargv; i++) {
		argv[i] = t;
		t += strlen(t) + 1;
	}
	argv[s->nargv] = NULL;
	for (uint32_t i = 0; i < s->nenv; i++) {
		envp[i] = t;
		t += strlen(t) + 1;
	}
	envp[s->nenv] = NULL;
	struct nx_child_pipes pipes;
	nx_pipes_for_fork(s->dev[0], s->ino[0], s->dev[1], s->ino[1], &pipes);
	if (nx_spawn_is_nextest_child(argv, envp))
		nx_attempt_spawned(p->t_start, p->pid, argv, envp, &pipes);
	else
		nx_cargo_spawned(argv, &pipes);
}

void nx_forkslot_collect(void)
{
	if (!area) {
		npending = 0;
		return;
	}
	for (unsigned k = 0; k < npending; k++) {
		struct slot *s = find(pending[k].pid);
		if (!s)
			continue;	/* not a nextest child, or no free slot */
		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == READY)
			consume(s, &pending[k]);
		__atomic_store_n(&s->state, FREE, __ATOMIC_RELEASE);
	}
	npending = 0;
	nx_pipes_reset();
}
