/* version.c — detecting the runner's cargo-nextest version (see version.h).
 *
 * Owns: the behaviour bounds taken from children's environments (the table
 * below, nextest-version-history.md §1), reading the version literal out of
 * the runner's executable, the decision between them, and the optional
 * detection log.  Runs in the runner's parent process only, after the real
 * call returned.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawned.h"
#include "config.h"
#include "role.h"
#include "version.h"

/* ---- observations (lock-free: spawn hooks run on many threads) ---- */

static unsigned obs_env;		/* NEXTEST_VERSION of a child */
static unsigned obs_lo;			/* at least */
static unsigned obs_hi = ~0u;		/* at most */

static void at_least(unsigned v)
{
	unsigned cur = __atomic_load_n(&obs_lo, __ATOMIC_RELAXED);
	while (v > cur && !__atomic_compare_exchange_n(&obs_lo, &cur, v, 1, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		;
}

static void at_most(unsigned v)
{
	unsigned cur = __atomic_load_n(&obs_hi, __ATOMIC_RELAXED);
	while (v < cur && !__atomic_compare_exchange_n(&obs_hi, &cur, v, 1, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		;
}

/* "0.9.143", "0.9.100-rc.1" → NX_VERSION; 0 if it is not a.b.c. */
static unsigned parse_semver(const char *s, const char **end)
{
	unsigned part[3] = { 0, 0, 0 };
	for (int i = 0; i < 3; i++) {
		if (*s < '0' || *s > '9')
			return 0;
		unsigned n = 0;
		int digits = 0;
		while (*s >= '0' && *s <= '9') {
			if (++digits > 4)
				return 0;
			n = n * 10 + (unsigned)(*s++ - '0');
		}
		part[i] = n;
		if (i < 2 && *s++ != '.')
			return 0;
	}
	if (part[1] > 999 || part[2] > 999)
		return 0;
	if (end)
		*end = s;
	return NX_VERSION(part[0], part[1], part[2]);
}

#define V(p) NX_VERSION(0, 9, p)

/* Which variables a child carries: one pass over envp. */
struct child_env {
	const char *version;	/* NEXTEST_VERSION */
	int required;		/* NEXTEST_REQUIRED_VERSION (0.9.130+, list 0.9.138+) */
	int attempt_id;		/* NEXTEST_ATTEMPT_ID (0.9.116+) */
	int old_attempt;	/* __NEXTEST_ATTEMPT (…0.9.115) */
	int run_mode;		/* NEXTEST_RUN_MODE (0.9.117+) */
	int global_slot;	/* NEXTEST_TEST_GLOBAL_SLOT (0.9.90+) */
	int phase;		/* NEXTEST_TEST_PHASE (0.9.98+) */
	int orig_manifest;	/* __NEXTEST_ORIGINAL_CARGO_MANIFEST_DIR (…0.9.85) */
};

static int is_key(const char *e, const char *k, size_t n)
{
	return strncmp(e, k, n) == 0 && e[n] == '=';
}
#define KEY(e, k) is_key(e, k, sizeof(k) - 1)

static void read_child_env(struct child_env *c, char *const envp[])
{
	memset(c, 0, sizeof *c);
	for (char *const *e = envp; e && *e; e++) {
		const char *s = *e;
		if (s[0] == 'N') {
			if (strncmp(s, "NEXTEST_", 8))
				continue;
			if (KEY(s, "NEXTEST_VERSION"))
				c->version = s + sizeof("NEXTEST_VERSION");
			else if (KEY(s, "NEXTEST_REQUIRED_VERSION"))
				c->required = 1;
			else if (KEY(s, "NEXTEST_ATTEMPT_ID"))
				c->attempt_id = 1;
			else if (KEY(s, "NEXTEST_RUN_MODE"))
				c->run_mode = 1;
			else if (KEY(s, "NEXTEST_TEST_GLOBAL_SLOT"))
				c->global_slot = 1;
			else if (KEY(s, "NEXTEST_TEST_PHASE"))
				c->phase = 1;
		} else if (s[0] == '_') {
			if (KEY(s, "__NEXTEST_ATTEMPT"))
				c->old_attempt = 1;
			else if (KEY(s, "__NEXTEST_ORIGINAL_CARGO_MANIFEST_DIR"))
				c->orig_manifest = 1;
		}
	}
}

/* A present variable proves "at least", a missing one "at most", only where
 * nextest sets it unconditionally for that kind of child (and the user cannot
 * plausibly have exported it).  NEXTEST_PROFILE and NEXTEST_TEST_THREADS are
 * not used: before 0.9.89 / 0.9.130 they are inherited when exported. */
void nx_version_note_child(int kind, char *const envp[])
{
	if (kind != NX_SPAWN_TEST && kind != NX_SPAWN_LIST && kind != NX_SPAWN_SCRIPT)
		return;
	struct child_env c;
	read_child_env(&c, envp);
	/* NEXTEST_VERSION with NEXTEST_REQUIRED_VERSION: VersionEnvVars::apply_env,
	 * run phase + scripts 0.9.130, list phase 0.9.138. */
	if (c.required) {
		at_least(kind == NX_SPAWN_LIST ? V(138) : V(130));
		unsigned v = c.version ? parse_semver(c.version, NULL) : 0;
		if (v)
			__atomic_store_n(&obs_env, v, __ATOMIC_RELAXED);
	} else {
		at_most(kind == NX_SPAWN_LIST ? V(137) : V(129));
	}
	if (kind == NX_SPAWN_SCRIPT) {
		at_least(V(59));	/* setup scripts exist */
		if (c.run_mode)
			at_least(V(117));
		else
			at_most(V(116));
		return;
	}
	/* tests and list children */
	if (c.phase)
		at_least(V(98));
	else
		at_most(V(97));
	if (c.orig_manifest)
		at_most(V(85));
	else
		at_least(V(86));
	if (kind != NX_SPAWN_TEST)
		return;
	if (c.attempt_id)
		at_least(V(116));
	if (c.old_attempt && !c.attempt_id)
		at_most(V(115));
	if (c.run_mode)
		at_least(V(117));
	else
		at_most(V(116));
	if (c.global_slot)
		at_least(V(90));
	else
		at_most(V(89));
}

void nx_version_observed(struct nx_version_obs *o)
{
	o->env = __atomic_load_n(&obs_env, __ATOMIC_RELAXED);
	o->binary = 0;
	o->lo = __atomic_load_n(&obs_lo, __ATOMIC_RELAXED);
	o->hi = __atomic_load_n(&obs_hi, __ATOMIC_RELAXED);
}

unsigned nx_version_resolve(const struct nx_version_obs *o, enum nx_version_source *src)
{
	enum nx_version_source s;
	unsigned v;
	int bounded = o->lo <= o->hi;	/* contradictory bounds are ignored */
	if (o->env) {
		s = NX_VSRC_ENV;	/* the runner says so itself */
		v = o->env;
	} else if (o->binary) {
		s = NX_VSRC_BINARY;
		v = o->binary;
		if (bounded && (v < o->lo || v > o->hi)) {
			s = NX_VSRC_BINARY_CLAMPED;
			v = v < o->lo ? o->lo : o->hi;
		}
	} else {
		v = NX_VERSION_LATEST;
		s = NX_VSRC_DEFAULT;
		if (bounded && (v < o->lo || v > o->hi)) {
			s = NX_VSRC_BEHAVIOUR;
			v = v < o->lo ? o->lo : o->hi;
		}
	}
	if (src)
		*src = s;
	return v;
}

/* ---- the binary's version literal ---- */

static int reject_before(char c)
{
	return c == '-' || c == '.' || c == '/' || c == '_';
}

/* Tokens starting at or after `limit` are left for the next window. */
static unsigned scan_window(const char *buf, size_t len, size_t limit, int at_end)
{
	unsigned best = 0;
	const char *p = buf, *endp = buf + len;
	while ((p = memmem(p, (size_t)(endp - p), "0.9.", 4)) != NULL) {
		size_t at = (size_t)(p - buf);
		if (at >= limit)
			break;
		const char *q = p + 4;
		p++;
		if (at > 0 && reject_before(buf[at - 1]))
			continue;
		unsigned n = 0;
		int digits = 0;
		while (q < endp && *q >= '0' && *q <= '9' && digits < 5) {
			n = n * 10 + (unsigned)(*q++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 4)
			continue;
		if (q == endp) {
			if (!at_end)
				continue;	/* cannot see what follows */
		} else if (*q == '/' || (*q == '.' && q + 1 < endp && q[1] >= '0' && q[1] <= '9')) {
			continue;
		} else if (*q == '.' && q + 1 == endp && !at_end) {
			continue;
		}
		if (n >= 48 && n <= 999 && V(n) > best)
			best = V(n);
	}
	return best;
}

unsigned nx_version_scan(const char *buf, size_t len)
{
	return scan_window(buf, len, len, 1);
}

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* .rodata's [offset, size) of a little-endian ELF64 file; -1 if none. */
static int find_rodata(int fd, uint64_t *off, uint64_t *size)
{
	unsigned char eh[64];
	if (read_at(fd, eh, sizeof eh, 0) || memcmp(eh, "\177ELF", 4) || eh[4] != 2 || eh[5] != 1)
		return -1;
	uint64_t shoff = le(eh + 40, 8);
	unsigned shentsize = (unsigned)le(eh + 58, 2), shnum = (unsigned)le(eh + 60, 2);
	unsigned shstrndx = (unsigned)le(eh + 62, 2);
	if (!shoff || shentsize < 64 || !shnum || shnum > 4096 || shstrndx >= shnum)
		return -1;
	unsigned char *sh = malloc((size_t)shentsize * shnum);
	if (!sh)
		return -1;
	int rc = -1;
	if (read_at(fd, sh, (size_t)shentsize * shnum, shoff))
		goto out;
	const unsigned char *strsec = sh + (size_t)shstrndx * shentsize;
	uint64_t str_off = le(strsec + 24, 8), str_size = le(strsec + 32, 8);
	for (unsigned i = 0; i < shnum; i++) {
		const unsigned char *s = sh + (size_t)i * shentsize;
		uint64_t name = le(s, 4);
		char nm[9] = { 0 };
		if (name + 8 > str_size || read_at(fd, nm, 8, str_off + name))
			continue;
		if (memcmp(nm, ".rodata", 8) == 0) {	/* exactly ".rodata" + NUL */
			*off = le(s + 24, 8);
			*size = le(s + 32, 8);
			rc = 0;
			break;
		}
	}
out:
	free(sh);
	return rc;
}

#define CHUNK (256u * 1024u)
#define OVERLAP 24u

unsigned nx_version_of_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	uint64_t off = 0, size = 0;
	if (find_rodata(fd, &off, &size)) {
		off_t end = lseek(fd, 0, SEEK_END);
		off = 0;
		size = end > 0 ? (uint64_t)end : 0;
	}
	if (size > (512ull << 20))
		size = 512ull << 20;
	char *buf = malloc(CHUNK + OVERLAP);
	unsigned best = 0;
	size_t carry = 0;
	uint64_t pos = 0;
	while (buf && pos < size) {
		size_t want = size - pos < CHUNK ? (size_t)(size - pos) : CHUNK;
		if (read_at(fd, buf + carry, want, off + pos))
			break;
		pos += want;
		size_t len = carry + want;
		int at_end = pos >= size;
		size_t limit = at_end || len < 16 ? len : len - 16;
		unsigned v = scan_window(buf, len, limit, at_end);
		if (v > best)
			best = v;
		carry = len < OVERLAP ? len : OVERLAP;
		memmove(buf, buf + len - carry, carry);
	}
	free(buf);
	close(fd);
	return best;
}

/* ---- detection, once ---- */

static pthread_mutex_t detect_lock = PTHREAD_MUTEX_INITIALIZER;
static int detected;
static unsigned detected_version;

static const char *const SOURCE_NAMES[] = {
	[NX_VSRC_DEFAULT] = "default (nothing observed)",
	[NX_VSRC_ENV] = "NEXTEST_VERSION",
	[NX_VSRC_BINARY] = "binary",
	[NX_VSRC_BINARY_CLAMPED] = "binary, clamped to behaviour",
	[NX_VSRC_BEHAVIOUR] = "behaviour",
};

char *nx_version_text(unsigned v, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u.%u.%u", v / 1000000u, v / 1000u % 1000u, v % 1000u);
	return buf;
}

static void write_log(const struct nx_version_obs *o, unsigned v, enum nx_version_source s)
{
	const char *path = getenv(NX_VERSION_LOG_ENV);
	if (!path || !*path)
		return;
	char a[32], e[32], b[32], lo[32], hi[32], line[512];
	int n = snprintf(line, sizeof line,
			 "nextest-version %s source=%s pid=%ld env=%s binary=%s bounds=%s..%s\n",
			 nx_version_text(v, a, sizeof a), SOURCE_NAMES[s], (long)getpid(),
			 o->env ? nx_version_text(o->env, e, sizeof e) : "-",
			 o->binary ? nx_version_text(o->binary, b, sizeof b) : "-",
			 o->lo ? nx_version_text(o->lo, lo, sizeof lo) : "-",
			 o->hi != ~0u ? nx_version_text(o->hi, hi, sizeof hi) : "-");
	if (n <= 0 || (size_t)n >= sizeof line)
		return;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	ssize_t w = write(fd, line, (size_t)n);
	(void)w;
	close(fd);
}

unsigned nx_version_detect(void)
{
	int saved = errno;
	pthread_mutex_lock(&detect_lock);
	if (!detected) {
		struct nx_version_obs o;
		nx_version_observed(&o);
#ifdef __linux__
		if (!o.env)
			o.binary = nx_version_of_file("/proc/self/exe");
#endif
		enum nx_version_source s;
		detected_version = nx_version_resolve(&o, &s);
		detected = 1;
		write_log(&o, detected_version, s);
	}
	unsigned v = detected_version;
	pthread_mutex_unlock(&detect_lock);
	errno = saved;
	return v;
}

/* A run in which no probe needed the configuration still reports, if asked. */
__attribute__((destructor)) static void nx_version_fini(void)
{
	if (nx_role_runner() && !__atomic_load_n(&detected, __ATOMIC_RELAXED) &&
	    getenv(NX_VERSION_LOG_ENV))
		nx_version_detect();
}
