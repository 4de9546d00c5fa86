/* pipes.c — per-thread records of pipes and dup2 file actions.
 *
 * Owns: two small rings in thread-local storage (initial-exec TLS: no
 * allocation on first use).  Resolution prefers exact fd matches (pipe2 gave
 * us the pair) and falls back to comparing pipe inodes with fstat, which is
 * needed for the Combined capture's try_clone()d write end.  Only called while
 * a tracer is attached, so the fstat calls cost nothing untraced.
 */
#include <string.h>
#include <sys/stat.h>

#include "pipes.h"

#define NPIPES 8
#define NDUPS 8
#define TLS __thread __attribute__((tls_model("initial-exec")))

struct pair { int r, w; };
struct dup { const void *fa; int fd, newfd; };

static TLS struct pair pairs[NPIPES];
static TLS unsigned npairs;		/* total recorded; ring index = n % NPIPES */
static TLS struct dup dups[NDUPS];
static TLS unsigned ndups;
static TLS uint64_t prepared_at;

void nx_pipes_note_pipe(int r, int w)
{
	pairs[npairs % NPIPES] = (struct pair){ r, w };
	npairs++;
}

void nx_pipes_note_dup2(const void *fa, int fd, int newfd)
{
	if (newfd != 1 && newfd != 2)
		return;
	dups[ndups % NDUPS] = (struct dup){ fa, fd, newfd };
	ndups++;
}

void nx_pipes_note_prepare(uint64_t t)
{
	if (!prepared_at)
		prepared_at = t;
}

uint64_t nx_pipes_prepared_at(void)
{
	return prepared_at;
}

void nx_pipes_reset(void)
{
	npairs = 0;
	ndups = 0;
	prepared_at = 0;
}

static unsigned count(unsigned n, unsigned cap)
{
	return n < cap ? n : cap;
}

static int read_end_by_ino(dev_t dev, ino_t ino)
{
	struct stat st;
	unsigned n = count(npairs, NPIPES);
	for (unsigned k = 0; k < n; k++) {
		const struct pair *p = &pairs[(npairs - 1 - k) % NPIPES];
		if (fstat(p->r, &st) == 0 && S_ISFIFO(st.st_mode) && st.st_dev == dev &&
		    st.st_ino == ino)
			return p->r;
	}
	return -1;
}

/* The read end whose pipe the write end `w` belongs to, newest first. */
static int read_end_for(int w)
{
	unsigned n = count(npairs, NPIPES);
	for (unsigned k = 0; k < n; k++) {
		const struct pair *p = &pairs[(npairs - 1 - k) % NPIPES];
		if (p->w == w)
			return p->r;
	}
	struct stat st;
	if (fstat(w, &st) != 0 || !S_ISFIFO(st.st_mode))
		return -1;
	return read_end_by_ino(st.st_dev, st.st_ino);
}

static void decide(struct nx_child_pipes *out)
{
	if (out->out_fd >= 0 && out->out_fd == out->err_fd)
		out->capture = NX_CAPTURE_COMBINED;
	else if (out->out_fd >= 0 && out->err_fd >= 0)
		out->capture = NX_CAPTURE_SPLIT;
	else if (out->out_fd >= 0 || out->err_fd >= 0)
		out->capture = NX_CAPTURE_PARTIAL;
	else
		out->capture = NX_CAPTURE_NONE;
}

void nx_pipes_for_spawn(const void *fa, struct nx_child_pipes *out)
{
	int w1 = -1, w2 = -1;
	unsigned n = count(ndups, NDUPS);
	/* Oldest to newest: a later dup2 onto the same target wins, as in the
	 * child. */
	for (unsigned k = n; k-- > 0;) {
		const struct dup *d = &dups[(ndups - 1 - k) % NDUPS];
		if (d->fa != fa)
			continue;
		if (d->newfd == 1)
			w1 = d->fd;
		else
			w2 = d->fd;
	}
	out->out_fd = w1 >= 0 ? read_end_for(w1) : -1;
	out->err_fd = w2 >= 0 ? read_end_for(w2) : -1;
	decide(out);
}

void nx_pipes_for_fork(dev_t dev1, ino_t ino1, dev_t dev2, ino_t ino2,
		       struct nx_child_pipes *out)
{
	out->out_fd = ino1 ? read_end_by_ino(dev1, ino1) : -1;
	out->err_fd = ino2 ? read_end_by_ino(dev2, ino2) : -1;
	decide(out);
}
