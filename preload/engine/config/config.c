/* config.c — loading and resolving nextest's configuration (see config.h).
 *
 * Owns: the embedded built-in defaults, finding and layering the config
 * files, profile inheritance, decoding each setting (retries, slow-timeout,
 * leak-timeout, test-threads, threads-required, test groups, fail-fast),
 * compiling overrides and setup scripts, platform specs, and the CLI > env >
 * config precedence.  Never touches the process's own environment (envp is
 * passed in) so it is testable and side-effect free.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "duration.h"
#include "filterset.h"
#include "shellwords.h"
#include "toml.h"

#define MAX_CONFIG_FILES (NX_CMDLINE_MAX_TOOL_CONFIGS + 1)
#define MAX_INHERIT_DEPTH 32

/* One [[profile.<p>.overrides]] entry, compiled. */
struct nx_override {
	struct nx_filterset *filter;
	int platform_ok;
	int has_retries, has_slow, has_bench_slow, has_leak, has_group, has_threads, has_priority,
	    has_flaky;
	struct nx_retry_policy retries;
	struct nx_slow_timeout slow, bench_slow;
	struct nx_leak_timeout leak;
	const char *group;	/* NULL with has_group = "@global" */
	uint32_t threads_required;
	int priority;
	int flaky_fail;
};

/* Built-in defaults: the values of nextest-runner/default-config.toml
 * (0.9.143) that this module reads.  leak-timeout is "100ms" before 0.9.108
 * (default-config.toml@cargo-nextest-0.9.106 vs @0.9.108), and
 * profile.default-miri has test-threads = 1 up to 0.9.67 (gone at 0.9.68). */
static const char DEFAULT_CONFIG_FMT[] =
	"[profile.default]\n"
	"default-filter = \"all()\"\n"
	"retries = 0\n"
	"flaky-result = \"pass\"\n"
	"test-threads = \"num-cpus\"\n"
	"threads-required = 1\n"
	"status-level = \"pass\"\n"
	"final-status-level = \"flaky\"\n"
	"failure-output = \"immediate\"\n"
	"success-output = \"never\"\n"
	"fail-fast = true\n"
	"slow-timeout = { period = \"60s\", on-timeout = \"fail\" }\n"
	"bench.slow-timeout = { period = \"30y\" }\n"
	"leak-timeout = \"%s\"\n"
	"[profile.default-miri]\n"
	"%s";

/* ---- small helpers ---- */

struct loader {
	struct nx_config *c;
	char **envp;
	const struct nx_toml *merged;
	const struct nx_toml *files[MAX_CONFIG_FILES];	/* highest priority first */
	size_t nfiles;
	const struct nx_toml *chain[MAX_INHERIT_DEPTH + 2];	/* custom … default */
	size_t nchain;
	const struct nx_toml *default_profile;
};

static int err(struct nx_config *c, const char *fmt, ...)
{
	if (c->error[0])
		return -1;	/* keep the first message */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof c->error, fmt, ap);
	va_end(ap);
	return -1;
}

static char *keep(struct nx_config *c, char *s)
{
	if (!s)
		return NULL;
	if (c->nstrings == c->capstrings) {
		size_t cap = c->capstrings ? c->capstrings * 2 : 16;
		char **n = realloc(c->strings, cap * sizeof *n);
		if (!n) {
			free(s);
			return NULL;
		}
		c->strings = n;
		c->capstrings = cap;
	}
	c->strings[c->nstrings++] = s;
	return s;
}

static char *kdup(struct nx_config *c, const char *s)
{
	return s ? keep(c, strdup(s)) : NULL;
}

static int keep_tree(struct nx_config *c, struct nx_toml *t)
{
	struct nx_toml **n = realloc(c->trees, (c->ntrees + 1) * sizeof *n);
	if (!n) {
		nx_toml_free(t);
		return -1;
	}
	c->trees = n;
	c->trees[c->ntrees++] = t;
	return 0;
}

static const char *env_get(char **envp, const char *name)
{
	if (!envp)
		return NULL;
	size_t n = strlen(name);
	for (char **e = envp; *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return (*e)[n + 1] ? *e + n + 1 : NULL;	/* clap: empty = unset */
	return NULL;
}

/* clap's BoolishValueParser. */
static int boolish(const char *s, int *out)
{
	static const char *const yes[] = { "y", "yes", "t", "true", "on", "1" };
	static const char *const no[] = { "n", "no", "f", "false", "off", "0" };
	for (size_t i = 0; i < 6; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

unsigned nx_config_parse_version(const char *s)
{
	if (!s)
		return 0;
	while (*s && (*s < '0' || *s > '9'))
		s++;
	unsigned a, b, p;
	if (sscanf(s, "%u.%u.%u", &a, &b, &p) != 3 || b > 999 || p > 999 || a > 999)
		return 0;
	return NX_VERSION(a, b, p);
}

/* ---- available_parallelism ---- */

static long read_cpu_max(const char *dir)
{
	char path[PATH_MAX + 32], buf[64];
	snprintf(path, sizeof path, "/sys/fs/cgroup%s/cpu.max", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	long quota, period;
	if (sscanf(buf, "%ld %ld", &quota, &period) != 2 || period <= 0 || quota <= 0)
		return -1;	/* "max …" = no limit */
	long cpus = quota / period;
	return cpus < 1 ? 1 : cpus;
}

unsigned nx_ncpus(void)
{
	cpu_set_t set;
	long n = 0;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		n = CPU_COUNT(&set);
	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n <= 0)
		n = 1;
	/* cgroup v2 quota, from this process's cgroup up to the root */
	char buf[PATH_MAX];
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t r = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (r > 0) {
			buf[r] = 0;
			char *line = strstr(buf, "0::");
			if (line == buf || (line && line[-1] == '\n')) {
				char *path = line + 3, *nl = strchr(path, '\n');
				if (nl)
					*nl = 0;
				for (;;) {
					long q = read_cpu_max(!strcmp(path, "/") ? "" : path);
					if (q > 0 && q < n)
						n = q;
					char *slash = strrchr(path, '/');
					if (!slash || slash == path)
						break;
					*slash = 0;
				}
			}
		}
	}
	return (unsigned)n;
}

/* ---- platform specs (target-spec subset) ---- */

#if defined(__x86_64__)
#define HOST_ARCH "x86_64"
#elif defined(__aarch64__)
#define HOST_ARCH "aarch64"
#elif defined(__riscv)
#define HOST_ARCH "riscv64gc"
#else
#define HOST_ARCH "unknown"
#endif
#if defined(__GLIBC__)
#define HOST_ENV "gnu"
#else
#define HOST_ENV "musl"
#endif
#define HOST_TRIPLE HOST_ARCH "-unknown-linux-" HOST_ENV

struct cfgp {
	const char *s;
	int bad;
};

static void cfg_ws(struct cfgp *p)
{
	while (*p->s == ' ' || *p->s == '\t')
		p->s++;
}

static int cfg_ident(struct cfgp *p, char *out, size_t cap)
{
	cfg_ws(p);
	size_t k = 0;
	while ((*p->s >= 'a' && *p->s <= 'z') || (*p->s >= 'A' && *p->s <= 'Z') ||
	       (*p->s >= '0' && *p->s <= '9') || *p->s == '_') {
		if (k + 1 >= cap) {
			p->bad = 1;
			return -1;
		}
		out[k++] = *p->s++;
	}
	out[k] = 0;
	if (!k)
		p->bad = 1;
	return k ? 0 : -1;
}

static int cfg_expr(struct cfgp *p, int depth);

static int cfg_list(struct cfgp *p, int all, int depth)
{
	cfg_ws(p);
	if (*p->s != '(') {
		p->bad = 1;
		return 0;
	}
	p->s++;
	int acc = all;
	for (;;) {
		cfg_ws(p);
		if (*p->s == ')') {
			p->s++;
			return acc;
		}
		int v = cfg_expr(p, depth + 1);
		if (p->bad)
			return 0;
		acc = all ? (acc && v) : (acc || v);
		cfg_ws(p);
		if (*p->s == ',')
			p->s++;
		else if (*p->s != ')') {
			p->bad = 1;
			return 0;
		}
	}
}

static int cfg_pred(const char *key, const char *val)
{
	static const char *const kv[][2] = {
		{ "target_os", "linux" }, { "target_family", "unix" },
		{ "target_arch", HOST_ARCH }, { "target_env", HOST_ENV },
		{ "target_vendor", "unknown" }, { "target_endian", "little" },
		{ "target_pointer_width", "64" },
	};
	if (!val)
		return !strcmp(key, "unix");
	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
		if (!strcmp(key, kv[i][0]))
			return !strcmp(val, kv[i][1]);
	return 0;
}

static int cfg_expr(struct cfgp *p, int depth)
{
	char id[64];
	if (depth > 32 || cfg_ident(p, id, sizeof id)) {
		p->bad = 1;
		return 0;
	}
	if (!strcmp(id, "all") || !strcmp(id, "any"))
		return cfg_list(p, id[1] == 'l', depth);
	if (!strcmp(id, "not")) {
		cfg_ws(p);
		if (*p->s != '(') {
			p->bad = 1;
			return 0;
		}
		p->s++;
		int v = cfg_expr(p, depth + 1);
		cfg_ws(p);
		if (*p->s != ')') {
			p->bad = 1;
			return 0;
		}
		p->s++;
		return !v;
	}
	cfg_ws(p);
	if (*p->s != '=')
		return cfg_pred(id, NULL);
	p->s++;
	cfg_ws(p);
	if (*p->s != '"') {
		p->bad = 1;
		return 0;
	}
	const char *start = ++p->s;
	while (*p->s && *p->s != '"')
		p->s++;
	if (!*p->s || (size_t)(p->s - start) >= 64) {
		p->bad = 1;
		return 0;
	}
	char val[64];
	memcpy(val, start, (size_t)(p->s - start));
	val[p->s - start] = 0;
	p->s++;
	return cfg_pred(id, val);
}

/* 1 / 0, or -1 for a spec that does not parse. */
static int platform_eval(const char *spec)
{
	if (!strncmp(spec, "cfg(", 4)) {
		struct cfgp p = { spec + 4, 0 };
		int v = cfg_expr(&p, 0);
		cfg_ws(&p);
		if (p.bad || *p.s != ')')
			return -1;
		p.s++;
		cfg_ws(&p);
		return *p.s ? -1 : v;
	}
	for (const char *s = spec; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-' || *s == '.'))
			return -1;
	return !strcmp(spec, HOST_TRIPLE);
}

/* A `platform` value: string (target spec) or { host, target }. */
static int platform_ok(struct nx_config *c, const struct nx_toml *v, int *ok)
{
	*ok = 1;
	if (!v)
		return 0;
	const char *specs[2] = { NULL, NULL };
	if (v->type == NX_TOML_STRING) {
		specs[0] = v->str;
	} else if (v->type == NX_TOML_TABLE) {
		specs[0] = nx_toml_str(nx_toml_get(v, "host"));
		specs[1] = nx_toml_str(nx_toml_get(v, "target"));
		if ((nx_toml_get(v, "host") && !specs[0]) || (nx_toml_get(v, "target") && !specs[1]))
			return err(c, "platform host/target must be strings");
	} else {
		return err(c, "platform must be a string or a table");
	}
	for (int i = 0; i < 2; i++) {
		if (!specs[i])
			continue;
		int r = platform_eval(specs[i]);
		if (r < 0)
			return err(c, "invalid platform spec '%s'", specs[i]);
		*ok = *ok && r;
	}
	return 0;
}

/* ---- decoding settings ---- */

static int get_duration(struct nx_config *c, const struct nx_toml *v, const char *what, uint64_t *ns)
{
	if (!v || v->type != NX_TOML_STRING)
		return err(c, "%s: expected a duration string", what);
	if (nx_duration_parse(v->str, ns))
		return err(c, "%s: invalid duration '%s'", what, v->str);
	return 0;
}

/* slow-timeout: "60s" or { period, terminate-after, grace-period, on-timeout }.
 * Returns 1 if set, 0 if absent (or ""), -1 on error. */
static int decode_slow(struct nx_config *c, const struct nx_toml *v, struct nx_slow_timeout *out)
{
	if (!v)
		return 0;
	struct nx_slow_timeout st = { 0, 0, 10 * NX_NS_PER_SEC, 0 };
	if (v->type == NX_TOML_STRING) {
		if (!v->str[0])
			return 0;	/* "" = not set (deserialize_slow_timeout) */
		if (get_duration(c, v, "slow-timeout", &st.period_ns))
			return -1;
	} else if (v->type == NX_TOML_TABLE) {
		for (const struct nx_toml *k = v->head; k; k = k->next)
			if (strcmp(k->key, "period") && strcmp(k->key, "terminate-after") &&
			    strcmp(k->key, "grace-period") && strcmp(k->key, "on-timeout"))
				return err(c, "slow-timeout: unknown field '%s'", k->key);
		const struct nx_toml *p = nx_toml_get(v, "period");
		if (!p)
			return err(c, "slow-timeout: missing field 'period'");
		if (get_duration(c, p, "slow-timeout.period", &st.period_ns))
			return -1;
		const struct nx_toml *ta = nx_toml_get(v, "terminate-after");
		if (ta) {
			if (ta->type != NX_TOML_INT || ta->i < 1 || ta->i > UINT32_MAX)
				return err(c, "slow-timeout.terminate-after: expected a positive integer");
			st.terminate_after = (uint32_t)ta->i;
		}
		const struct nx_toml *g = nx_toml_get(v, "grace-period");
		if (g && get_duration(c, g, "slow-timeout.grace-period", &st.grace_ns))
			return -1;
		const struct nx_toml *ot = nx_toml_get(v, "on-timeout");
		if (ot) {
			const char *s = nx_toml_str(ot);
			if (!s || (strcmp(s, "pass") && strcmp(s, "fail")))
				return err(c, "slow-timeout.on-timeout: expected \"pass\" or \"fail\"");
			/* on-timeout exists from 0.9.115 (#2742) */
			st.on_timeout_pass = !strcmp(s, "pass") && c->version >= NX_VERSION(0, 9, 115);
		}
	} else {
		return err(c, "slow-timeout: expected a string or a table");
	}
	*out = st;
	return 1;
}

static int decode_leak(struct nx_config *c, const struct nx_toml *v, struct nx_leak_timeout *out)
{
	if (!v)
		return 0;
	struct nx_leak_timeout lt = { 0, 0 };
	if (v->type == NX_TOML_STRING) {
		if (get_duration(c, v, "leak-timeout", &lt.period_ns))
			return -1;
	} else if (v->type == NX_TOML_TABLE && c->version >= NX_VERSION(0, 9, 95)) {
		const struct nx_toml *p = nx_toml_get(v, "period");
		if (!p)
			return err(c, "leak-timeout: missing field 'period'");
		if (get_duration(c, p, "leak-timeout.period", &lt.period_ns))
			return -1;
		const struct nx_toml *r = nx_toml_get(v, "result");
		if (r) {
			const char *s = nx_toml_str(r);
			if (!s || (strcmp(s, "pass") && strcmp(s, "fail")))
				return err(c, "leak-timeout.result: expected \"pass\" or \"fail\"");
			lt.fail = !strcmp(s, "fail");
		}
	} else {
		return err(c, "leak-timeout: expected a duration string%s",
			   c->version >= NX_VERSION(0, 9, 95) ? " or a table" : "");
	}
	*out = lt;
	return 1;
}

static int decode_retries(struct nx_config *c, const struct nx_toml *v, struct nx_retry_policy *out)
{
	if (!v)
		return 0;
	struct nx_retry_policy rp = { 0 };
	if (v->type == NX_TOML_INT) {
		if (v->i < 0 || v->i > UINT32_MAX)
			return err(c, "retries: out of range");
		rp.count = (uint32_t)v->i;
	} else if (v->type == NX_TOML_TABLE) {
		const char *b = nx_toml_str(nx_toml_get(v, "backoff"));
		if (!b || (strcmp(b, "fixed") && strcmp(b, "exponential")))
			return err(c, "retries.backoff: expected \"fixed\" or \"exponential\"");
		rp.exponential = b[0] == 'e';
		for (const struct nx_toml *k = v->head; k; k = k->next)
			if (strcmp(k->key, "backoff") && strcmp(k->key, "count") && strcmp(k->key, "delay") &&
			    strcmp(k->key, "jitter") && (!rp.exponential || strcmp(k->key, "max-delay")))
				return err(c, "retries: unknown field '%s'", k->key);
		const struct nx_toml *n = nx_toml_get(v, "count");
		if (!n || n->type != NX_TOML_INT || n->i < 0 || n->i > UINT32_MAX)
			return err(c, "retries.count: expected a non-negative integer");
		rp.count = (uint32_t)n->i;
		const struct nx_toml *d = nx_toml_get(v, "delay");
		if (d && get_duration(c, d, "retries.delay", &rp.delay_ns))
			return -1;
		if (rp.exponential && !d)
			return err(c, "retries: exponential backoff needs a delay");
		if (rp.exponential && rp.delay_ns == 0)
			return err(c, "retries: exponential backoff delay must be non-zero");
		const struct nx_toml *j = nx_toml_get(v, "jitter");
		if (j) {
			if (j->type != NX_TOML_BOOL)
				return err(c, "retries.jitter: expected a bool");
			rp.jitter = (int)j->i;
		}
		const struct nx_toml *md = nx_toml_get(v, "max-delay");
		if (md && get_duration(c, md, "retries.max-delay", &rp.max_delay_ns))
			return -1;
		if (md && rp.max_delay_ns < rp.delay_ns)
			return err(c, "retries: max-delay is less than delay");
	} else {
		return err(c, "retries: expected an integer or a table");
	}
	*out = rp;
	return 1;
}

/* test-threads / max-threads: integer (negative = ncpus - n, at least 1) or
 * "num-cpus" (test_threads.rs). */
static int decode_threads(struct nx_config *c, const struct nx_toml *v, const char *what, uint32_t *out)
{
	if (!v)
		return 0;
	if (v->type == NX_TOML_STRING && !strcmp(v->str, "num-cpus")) {
		*out = c->ncpus;
		return 1;
	}
	if (v->type != NX_TOML_INT || v->i == 0)
		return err(c, "%s: expected a non-zero integer or \"num-cpus\"", what);
	if (v->i < 0) {
		long long n = (long long)c->ncpus + v->i;
		*out = n < 1 ? 1 : (uint32_t)n;
	} else {
		*out = v->i > UINT32_MAX ? UINT32_MAX : (uint32_t)v->i;
	}
	return 1;
}

/* The CLI / env form of test-threads (TestThreads::from_str). */
static int parse_threads_str(struct nx_config *c, const char *s, uint32_t *out)
{
	if (!strcmp(s, "num-cpus")) {
		*out = c->ncpus;
		return 0;
	}
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v == 0)
		return err(c, "invalid test-threads '%s'", s);
	if (v < 0) {
		long long n = (long long)c->ncpus + v;
		*out = n < 1 ? 1 : (uint32_t)n;
	} else {
		*out = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	}
	return 0;
}

/* threads-required: integer ≥ 1, "num-cpus" or "num-test-threads". */
static int decode_threads_required(struct nx_config *c, const struct nx_toml *v, uint32_t *out)
{
	if (!v)
		return 0;
	if (v->type == NX_TOML_STRING) {
		if (!strcmp(v->str, "num-cpus")) {
			*out = c->ncpus;
			return 1;
		}
		if (!strcmp(v->str, "num-test-threads")) {
			*out = c->test_threads;
			return 1;
		}
	} else if (v->type == NX_TOML_INT && v->i >= 1) {
		*out = v->i > UINT32_MAX ? UINT32_MAX : (uint32_t)v->i;
		return 1;
	}
	return err(c, "threads-required: expected a positive integer, \"num-cpus\" or \"num-test-threads\"");
}

static int decode_flaky(struct nx_config *c, const struct nx_toml *v, int *fail)
{
	if (!v)
		return 0;
	const char *s = nx_toml_str(v);
	if (!s || (strcmp(s, "pass") && strcmp(s, "fail")))
		return err(c, "flaky-result: expected \"pass\" or \"fail\"");
	*fail = !strcmp(s, "fail") && c->version >= NX_VERSION(0, 9, 131);
	return 1;
}

/* --max-fail / max-fail: "all" or N[:wait|:immediate]. */
static int parse_max_fail(struct nx_config *c, const char *s)
{
	if (!strcmp(s, "all")) {
		c->max_fail = 0;
		c->terminate_immediate = 0;
		return 0;
	}
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || errno || v < 1 || v > INT32_MAX)
		return err(c, "invalid max-fail '%s'", s);
	int imm = 0;
	if (*end == ':') {
		if (!strcmp(end + 1, "immediate"))
			imm = 1;
		else if (strcmp(end + 1, "wait"))
			return err(c, "invalid max-fail mode '%s'", end + 1);
	} else if (*end) {
		return err(c, "invalid max-fail '%s'", s);
	}
	c->max_fail = (int)v;
	c->terminate_immediate = imm;
	return 0;
}

/* fail-fast: bool or { max-fail = N | "all", terminate = "wait" | "immediate" }. */
static int decode_fail_fast(struct nx_config *c, const struct nx_toml *v)
{
	if (v->type == NX_TOML_BOOL) {
		c->max_fail = v->i ? 1 : 0;
		c->terminate_immediate = 0;
		return 0;
	}
	if (v->type != NX_TOML_TABLE)
		return err(c, "fail-fast: expected a bool or a table");
	const struct nx_toml *mf = nx_toml_get(v, "max-fail");
	c->max_fail = 1;
	if (mf) {
		if (mf->type == NX_TOML_INT) {
			if (mf->i < 1 || mf->i > INT32_MAX)
				return err(c, "fail-fast.max-fail: out of range");
			c->max_fail = (int)mf->i;
		} else if (nx_toml_str(mf) && !strcmp(mf->str, "all")) {
			c->max_fail = 0;
		} else {
			return err(c, "fail-fast.max-fail: expected an integer or \"all\"");
		}
	}
	const char *t = nx_toml_str(nx_toml_get(v, "terminate"));
	c->terminate_immediate = t && !strcmp(t, "immediate");
	if (t && strcmp(t, "immediate") && strcmp(t, "wait"))
		return err(c, "fail-fast.terminate: expected \"wait\" or \"immediate\"");
	return 0;
}

/* ---- files ---- */

/* Reads a whole file (bounded).  1 = read, 0 = absent, -1 = error. */
static int read_file(struct nx_config *c, const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return err(c, "%s: %s", path, strerror(errno));
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		close(fd);
		return err(c, "out of memory");
	}
	for (;;) {
		if (n == cap) {
			if (cap > NX_TOML_MAX_INPUT) {
				free(buf);
				close(fd);
				return err(c, "%s: file too large", path);
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				close(fd);
				return err(c, "out of memory");
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			close(fd);
			return err(c, "%s: %s", path, strerror(errno));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = n;
	return 1;
}

static struct nx_toml *parse_kept(struct nx_config *c, const char *text, size_t len, const char *name)
{
	char msg[200];
	struct nx_toml *t = nx_toml_parse(text, len, msg, sizeof msg);
	if (!t) {
		err(c, "%s: %s", name, msg);
		return NULL;
	}
	if (keep_tree(c, t)) {
		err(c, "out of memory");
		return NULL;
	}
	return t;
}

/* Loads a file; *out = NULL if absent and optional. */
static int load_file(struct nx_config *c, const char *path, int required, const struct nx_toml **out)
{
	char *text = NULL;
	size_t len = 0;
	*out = NULL;
	int r = read_file(c, path, &text, &len);
	if (r < 0)
		return -1;
	if (r == 0)
		return required ? err(c, "%s: not found", path) : 0;
	const struct nx_toml *t = parse_kept(c, text, len, path);
	free(text);
	if (!t)
		return -1;
	*out = t;
	return 0;
}

static int has_workspace_table(const char *manifest)
{
	int fd = open(manifest, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	static const size_t max = 1u << 20;
	char *buf = malloc(max + 1);
	size_t n = 0;
	ssize_t r;
	while (buf && n < max && ((r = read(fd, buf + n, max - n)) > 0 || (r < 0 && errno == EINTR)))
		if (r > 0)
			n += (size_t)r;
	close(fd);
	if (!buf)
		return 0;
	struct nx_toml *t = nx_toml_parse(buf, n, NULL, 0);
	free(buf);
	int ws = t && nx_toml_get(t, "workspace") != NULL;
	nx_toml_free(t);
	return ws;
}

/* Cargo's rule, simplified: the nearest Cargo.toml at or above dir is the
 * package; the nearest manifest at or above it with [workspace] is the
 * workspace root, else the package itself; no manifest at all → dir. */
static char *discover_root(const char *dir)
{
	char cur[PATH_MAX], pkg[PATH_MAX] = "", path[PATH_MAX + 16];
	if (!realpath(dir, cur))
		return strdup(dir);
	for (;;) {
		snprintf(path, sizeof path, "%s/Cargo.toml", cur);
		if (access(path, R_OK) == 0) {
			if (!pkg[0])
				snprintf(pkg, sizeof pkg, "%s", cur);
			if (has_workspace_table(path))
				return strdup(cur);
		}
		char *slash = strrchr(cur, '/');
		if (!slash)
			break;
		if (slash == cur) {
			if (!cur[1])
				break;
			cur[1] = 0;
		} else {
			*slash = 0;
		}
	}
	return strdup(pkg[0] ? pkg : dir);
}

/* ---- profiles ---- */

static const struct nx_toml *profile_table(const struct loader *L, const char *name)
{
	return nx_toml_get(nx_toml_get(L->merged, "profile"), name);
}

/* The custom profile, its inheritance chain, then profile.default. */
static int resolve_chain(struct loader *L, const char *name)
{
	struct nx_config *c = L->c;
	L->nchain = 0;
	L->default_profile = profile_table(L, "default");
	if (!L->default_profile)
		return err(c, "profile.default missing");
	if (strcmp(name, "default") != 0) {
		const struct nx_toml *p = profile_table(L, name);
		if (!p)
			return err(c, "profile '%s' not found", name);
		const char *cur = name;
		while (p && strcmp(cur, "default") != 0) {
			for (size_t i = 0; i < L->nchain; i++)
				if (L->chain[i] == p)
					return err(c, "profile '%s': inheritance cycle", name);
			if (L->nchain == MAX_INHERIT_DEPTH)
				return err(c, "profile '%s': inheritance too deep", name);
			L->chain[L->nchain++] = p;
			if (c->version < NX_VERSION(0, 9, 115))
				break;	/* `inherits` arrived in 0.9.115 */
			const struct nx_toml *inh = nx_toml_get(p, "inherits");
			if (!inh)
				break;
			if (inh->type != NX_TOML_STRING)
				return err(c, "profile '%s': inherits must be a string", cur);
			cur = inh->str;
			if (!strcmp(cur, "default"))
				break;
			p = profile_table(L, cur);
			if (!p)
				return err(c, "profile '%s' inherits from unknown profile '%s'", name, cur);
		}
	}
	L->chain[L->nchain++] = L->default_profile;
	return 0;
}

/* profile_field!: first profile in the chain that sets key (key2 nested). */
static const struct nx_toml *pfield(const struct loader *L, const char *key, const char *key2)
{
	for (size_t i = 0; i < L->nchain; i++) {
		const struct nx_toml *v = nx_toml_get(L->chain[i], key);
		if (key2)
			v = nx_toml_get(v, key2);
		if (!v)
			continue;
		/* an empty slow-timeout string means "unset" and falls through */
		if (v->type == NX_TOML_STRING && !v->str[0] && !strcmp(key2 ? key2 : key, "slow-timeout"))
			continue;
		return v;
	}
	return NULL;
}

static const char *pstring(struct loader *L, const char *key)
{
	const struct nx_toml *v = pfield(L, key, NULL);
	if (v && v->type != NX_TOML_STRING) {
		err(L->c, "%s: expected a string", key);
		return NULL;
	}
	return v ? v->str : NULL;
}

/* ---- overrides and scripts ---- */

static int compile_filter(struct nx_config *c, const struct nx_toml *v, const char *what,
			  struct nx_filterset **out)
{
	*out = NULL;
	if (!v)
		return 0;
	if (v->type != NX_TOML_STRING)
		return err(c, "%s: filter must be a string", what);
	char msg[160];
	*out = nx_filterset_parse(v->str, msg, sizeof msg);
	if (!*out)
		return err(c, "%s: invalid filter '%s': %s", what, v->str, msg);
	return 0;
}

static const struct nx_test_group *find_group(const struct nx_config *c, const char *name)
{
	for (size_t i = 0; i < c->ngroups; i++)
		if (!strcmp(c->groups[i].name, name))
			return &c->groups[i];
	return NULL;
}

static int compile_override(struct nx_config *c, const struct nx_toml *t, struct nx_override *o)
{
	memset(o, 0, sizeof *o);
	if (t->type != NX_TOML_TABLE)
		return err(c, "overrides: expected a table");
	const struct nx_toml *f = nx_toml_get(t, "filter"), *pl = nx_toml_get(t, "platform");
	if (!f && !pl)
		return err(c, "override: at least one of platform and filter must be specified");
	if (f && nx_toml_get(t, "default-filter"))
		return err(c, "override: filter and default-filter both specified");
	if (compile_filter(c, f, "override", &o->filter) || platform_ok(c, pl, &o->platform_ok))
		return -1;
	int r;
	if ((r = decode_retries(c, nx_toml_get(t, "retries"), &o->retries)) < 0)
		return -1;
	o->has_retries = r;
	if ((r = decode_slow(c, nx_toml_get(t, "slow-timeout"), &o->slow)) < 0)
		return -1;
	o->has_slow = r;
	if ((r = decode_slow(c, nx_toml_get(nx_toml_get(t, "bench"), "slow-timeout"), &o->bench_slow)) < 0)
		return -1;
	o->has_bench_slow = r;
	if ((r = decode_leak(c, nx_toml_get(t, "leak-timeout"), &o->leak)) < 0)
		return -1;
	o->has_leak = r;
	if ((r = decode_threads_required(c, nx_toml_get(t, "threads-required"), &o->threads_required)) < 0)
		return -1;
	o->has_threads = r;
	if ((r = decode_flaky(c, nx_toml_get(t, "flaky-result"), &o->flaky_fail)) < 0)
		return -1;
	o->has_flaky = r;
	const struct nx_toml *pr = nx_toml_get(t, "priority");
	if (pr) {
		if (pr->type != NX_TOML_INT || pr->i < -100 || pr->i > 100)
			return err(c, "priority: expected an integer in -100..=100");
		o->has_priority = 1;
		o->priority = (int)pr->i;
	}
	const struct nx_toml *g = nx_toml_get(t, "test-group");
	if (g) {
		if (g->type != NX_TOML_STRING)
			return err(c, "test-group: expected a string");
		o->has_group = 1;
		if (strcmp(g->str, "@global") != 0) {
			const struct nx_test_group *tg = find_group(c, g->str);
			if (!tg)
				return err(c, "override: unknown test group '%s'", g->str);
			o->group = tg->name;
		}
	}
	return 0;
}

/* Appends the entries of array key `arr` of profile `pname` in every file
 * (highest priority first) via fn. */
typedef int (*entry_fn)(struct loader *L, const struct nx_toml *entry, void *arg);

static int for_profile_entries(struct loader *L, const char *pname, const char *arr, entry_fn fn, void *arg)
{
	for (size_t f = 0; f < L->nfiles; f++) {
		const struct nx_toml *p = nx_toml_get(nx_toml_get(L->files[f], "profile"), pname);
		const struct nx_toml *a = nx_toml_get(p, arr);
		if (!a)
			continue;
		if (a->type != NX_TOML_ARRAY)
			return err(L->c, "profile.%s.%s: expected an array of tables", pname, arr);
		for (const struct nx_toml *e = a->head; e; e = e->next)
			if (fn(L, e, arg))
				return -1;
	}
	return 0;
}

static int add_override(struct loader *L, const struct nx_toml *e, void *arg)
{
	(void)arg;
	struct nx_config *c = L->c;
	struct nx_override *n = realloc(c->overrides, (c->noverrides + 1) * sizeof *n);
	if (!n)
		return err(c, "out of memory");
	c->overrides = n;
	if (compile_override(c, e, &c->overrides[c->noverrides])) {
		nx_filterset_free(c->overrides[c->noverrides].filter);
		return -1;
	}
	c->noverrides++;
	return 0;
}

static int load_groups(struct loader *L)
{
	struct nx_config *c = L->c;
	const struct nx_toml *tg = nx_toml_get(L->merged, "test-groups");
	if (!tg)
		return 0;
	if (tg->type != NX_TOML_TABLE)
		return err(c, "test-groups: expected a table");
	c->groups = calloc(tg->count ? tg->count : 1, sizeof *c->groups);
	if (!c->groups)
		return err(c, "out of memory");
	for (const struct nx_toml *g = tg->head; g; g = g->next) {
		struct nx_test_group *out = &c->groups[c->ngroups];
		out->name = g->key;
		if (g->key[0] == '@' && strncmp(g->key, "@tool:", 6) != 0)
			return err(c, "test group '%s': names starting with @ are reserved", g->key);
		int r = decode_threads(c, nx_toml_get(g, "max-threads"), "max-threads", &out->max_threads);
		if (r < 0)
			return -1;
		if (r == 0)
			return err(c, "test group '%s': missing max-threads", g->key);
		c->ngroups++;
	}
	return 0;
}

/* ScriptCommand: string (shell-words), array, or
 * { command-line, env, relative-to } (relative-to 0.9.99+, env 0.9.131+). */
static int decode_command(struct loader *L, const struct nx_toml *v, struct nx_script *s)
{
	struct nx_config *c = L->c;
	const struct nx_toml *cmd = v, *env = NULL;
	const char *rel = NULL;
	if (v && v->type == NX_TOML_TABLE) {
		cmd = nx_toml_get(v, "command-line");
		env = nx_toml_get(v, "env");
		rel = nx_toml_str(nx_toml_get(v, "relative-to"));
		if (!cmd)
			return err(c, "script '%s': command table needs command-line", s->id);
		if (nx_toml_get(v, "relative-to") && !rel)
			return err(c, "script '%s': relative-to must be a string", s->id);
		if (rel && strcmp(rel, "none") && strcmp(rel, "workspace-root") && strcmp(rel, "target"))
			return err(c, "script '%s': unknown relative-to '%s'", s->id, rel);
	}
	const char **words = NULL;
	size_t nwords = 0;
	if (cmd && cmd->type == NX_TOML_STRING) {
		size_t len = cmd->len;
		char *out = keep(c, malloc(len + len / 2 + 2));
		words = (const char **)keep(c, malloc((len / 2 + 1) * sizeof *words));
		if (!out || !words)
			return err(c, "out of memory");
		long n = nx_shell_split(cmd->str, out, len + len / 2 + 2, words, len / 2 + 1);
		if (n < 0)
			return err(c, "script '%s': cannot split command '%s'", s->id, cmd->str);
		nwords = (size_t)n;
	} else if (cmd && cmd->type == NX_TOML_ARRAY) {
		words = (const char **)keep(c, malloc((cmd->count + 1) * sizeof *words));
		if (!words)
			return err(c, "out of memory");
		for (const struct nx_toml *w = cmd->head; w; w = w->next) {
			if (w->type != NX_TOML_STRING)
				return err(c, "script '%s': command array must hold strings", s->id);
			words[nwords++] = w->str;
		}
	} else {
		return err(c, "script '%s': missing or invalid command", s->id);
	}
	if (!nwords)
		return err(c, "script '%s': empty command", s->id);
	s->program = words[0];
	s->args = words + 1;
	s->nargs = nwords - 1;
	if (rel && strcmp(rel, "none") && s->program[0] != '/') {
		char path[PATH_MAX * 2];
		if (!strcmp(rel, "workspace-root")) {
			snprintf(path, sizeof path, "%s/%s", c->workspace_root, s->program);
		} else {
			/* the target dir: CARGO_TARGET_DIR (relative to the workspace
			 * root) or cargo's default <workspace>/target */
			const char *td = env_get(L->envp, "CARGO_TARGET_DIR");
			if (td && td[0] == '/')
				snprintf(path, sizeof path, "%s/%s", td, s->program);
			else
				snprintf(path, sizeof path, "%s/%s/%s", c->workspace_root, td ? td : "target",
					 s->program);
		}
		s->program = kdup(c, path);
		if (!s->program)
			return err(c, "out of memory");
	}
	if (env) {
		if (env->type != NX_TOML_TABLE)
			return err(c, "script '%s': env must be a table", s->id);
		s->env = (const char **)keep(c, malloc((env->count + 1) * sizeof *s->env));
		if (!s->env)
			return err(c, "out of memory");
		for (const struct nx_toml *e = env->head; e; e = e->next) {
			if (e->type != NX_TOML_STRING)
				return err(c, "script '%s': env values must be strings", s->id);
			size_t n = strlen(e->key) + e->len + 2;
			char *kv = keep(c, malloc(n));
			if (!kv)
				return err(c, "out of memory");
			snprintf(kv, n, "%s=%s", e->key, e->str);
			s->env[s->nenv++] = kv;
		}
	}
	return 0;
}

static int decode_script(struct loader *L, const struct nx_toml *t, struct nx_script *s)
{
	struct nx_config *c = L->c;
	s->id = t->key;
	s->slow = (struct nx_slow_timeout){ NX_FAR_FUTURE_NS, 0, 10 * NX_NS_PER_SEC, 0 };
	s->leak = (struct nx_leak_timeout){ 100 * 1000000ull, 0 };	/* LeakTimeout::default() */
	if (t->type != NX_TOML_TABLE)
		return err(c, "script '%s': expected a table", s->id);
	if (decode_command(L, nx_toml_get(t, "command"), s))
		return -1;
	if (decode_slow(c, nx_toml_get(t, "slow-timeout"), &s->slow) < 0 ||
	    decode_leak(c, nx_toml_get(t, "leak-timeout"), &s->leak) < 0)
		return -1;
	const struct nx_toml *b;
	if ((b = nx_toml_get(t, "capture-stdout"))) {
		if (b->type != NX_TOML_BOOL)
			return err(c, "script '%s': capture-stdout must be a bool", s->id);
		s->capture_stdout = (int)b->i;
	}
	if ((b = nx_toml_get(t, "capture-stderr"))) {
		if (b->type != NX_TOML_BOOL)
			return err(c, "script '%s': capture-stderr must be a bool", s->id);
		s->capture_stderr = (int)b->i;
	}
	return 0;
}

/* `experimental = ["x", …]` or `[experimental] x = true`
 * (nextest-runner/src/config/core/nextest_version.rs). */
static int experimental_enabled(const struct nx_toml *root, const char *feature)
{
	const struct nx_toml *e = nx_toml_get(root, "experimental");
	if (!e)
		return 0;
	if (e->type == NX_TOML_TABLE) {
		const struct nx_toml *v = nx_toml_get(e, feature);
		return v && v->type == NX_TOML_BOOL && v->i;
	}
	if (e->type != NX_TOML_ARRAY)
		return 0;
	for (const struct nx_toml *x = e->head; x; x = x->next)
		if (x->type == NX_TOML_STRING && !strcmp(x->str, feature))
			return 1;
	return 0;
}

static int load_scripts(struct loader *L)
{
	struct nx_config *c = L->c;
	if (c->version < NX_VERSION(0, 9, 59))
		return 0;
	const struct nx_toml *newer = NULL;
	if (c->version >= NX_VERSION(0, 9, 98))
		newer = nx_toml_get(nx_toml_get(L->merged, "scripts"), "setup");
	const struct nx_toml *older = nx_toml_get(L->merged, "script");
	if (newer && newer->count && older && older->count)
		return err(c, "both [script.*] and [scripts.setup.*] are defined");
	const struct nx_toml *defs = newer && newer->count ? newer : older;
	if (!defs)
		return 0;
	if (defs->count && !experimental_enabled(L->merged, "setup-scripts"))
		return err(c, "setup scripts are experimental: add experimental = [\"setup-scripts\"]");
	if (defs->type != NX_TOML_TABLE)
		return err(c, "setup scripts: expected a table");
	c->scripts = calloc(defs->count ? defs->count : 1, sizeof *c->scripts);
	if (!c->scripts)
		return err(c, "out of memory");
	for (const struct nx_toml *t = defs->head; t; t = t->next) {
		if (decode_script(L, t, &c->scripts[c->nscripts]))
			return -1;
		c->nscripts++;
	}
	return 0;
}

static int find_script(const struct nx_config *c, const char *id)
{
	for (size_t i = 0; i < c->nscripts; i++)
		if (!strcmp(c->scripts[i].id, id))
			return (int)i;
	return -1;
}

static int add_gate(struct nx_config *c, const char *id, struct nx_filterset *f, int pok)
{
	int idx = find_script(c, id);
	if (idx < 0)
		return err(c, "profile scripts: unknown setup script '%s'", id);
	struct nx_script *s = &c->scripts[idx];
	struct nx_script_gate *g = realloc(s->gates, (s->ngates + 1) * sizeof *g);
	if (!g)
		return err(c, "out of memory");
	s->gates = g;
	g[s->ngates].filter = f;	/* each gate owns its own compiled filter */
	g[s->ngates].platform_ok = pok;
	s->ngates++;
	return 0;
}

static int add_profile_script(struct loader *L, const struct nx_toml *e, void *arg)
{
	(void)arg;
	struct nx_config *c = L->c;
	if (e->type != NX_TOML_TABLE)
		return err(c, "profile scripts: expected a table");
	const struct nx_toml *f = nx_toml_get(e, "filter"), *pl = nx_toml_get(e, "platform");
	if (!f && !pl)
		return err(c, "profile scripts: at least one of platform and filter must be specified");
	int pok;
	if (platform_ok(c, pl, &pok))
		return -1;
	const struct nx_toml *setup = nx_toml_get(e, "setup");
	if (!setup)
		return 0;	/* wrapper-only entry */
	const struct nx_toml *one = setup->type == NX_TOML_STRING ? setup : NULL;
	if (!one && setup->type != NX_TOML_ARRAY)
		return err(c, "profile scripts: setup must be a string or an array");
	for (const struct nx_toml *id = one ? one : setup->head; id; id = one ? NULL : id->next) {
		if (id->type != NX_TOML_STRING)
			return err(c, "profile scripts: setup ids must be strings");
		struct nx_filterset *fs;
		if (compile_filter(c, f, "profile scripts", &fs))
			return -1;
		if (add_gate(c, id->str, fs, pok)) {
			nx_filterset_free(fs);
			return -1;
		}
	}
	return 0;
}

/* ---- the whole load ---- */

static int build_default_config(struct nx_config *c, struct nx_toml **out)
{
	char text[sizeof DEFAULT_CONFIG_FMT + 64];
	/* 200 ms from #2671 (dc6a40ed), first in the (unpublished) 0.9.107 tag's
	 * default-config.toml; the first published release with it is 0.9.108 */
	const char *leak = c->version >= NX_VERSION(0, 9, 107) ? "200ms" : "100ms";
	const char *miri = c->version < NX_VERSION(0, 9, 68) ? "test-threads = 1\n" : "";
	snprintf(text, sizeof text, DEFAULT_CONFIG_FMT, leak, miri);
	char msg[100];
	*out = nx_toml_parse(text, strlen(text), msg, sizeof msg);
	if (!*out)
		return err(c, "built-in defaults: %s", msg);
	return 0;
}

static int load_sources(struct loader *L, const struct nx_cmdline *cl)
{
	struct nx_config *c = L->c;
	const struct nx_toml *tools[NX_CMDLINE_MAX_TOOL_CONFIGS];
	for (int i = 0; i < cl->n_tool_config_files; i++) {
		const char *colon = strchr(cl->tool_config_files[i], ':');
		if (!colon || colon == cl->tool_config_files[i] || colon[1] != '/')
			return err(c, "--tool-config-file: expected TOOL:ABS_PATH");
		if (load_file(c, colon + 1, 1, &tools[i]))
			return -1;
	}
	const struct nx_toml *main_cfg;
	if (cl->config_file) {
		char path[PATH_MAX * 2];
		if (cl->config_file[0] == '/')
			snprintf(path, sizeof path, "%s", cl->config_file);
		else {
			char cwd[PATH_MAX];
			snprintf(path, sizeof path, "%s/%s", getcwd(cwd, sizeof cwd) ? cwd : ".",
				 cl->config_file);
		}
		if (load_file(c, path, 1, &main_cfg))
			return -1;
	} else {
		char path[PATH_MAX + 32];
		snprintf(path, sizeof path, "%s/.config/nextest.toml", c->workspace_root);
		if (load_file(c, path, 0, &main_cfg))
			return -1;
	}
	/* priority: main config, then tool configs in the order given */
	L->nfiles = 0;
	if (main_cfg)
		L->files[L->nfiles++] = main_cfg;
	for (int i = 0; i < cl->n_tool_config_files; i++)
		L->files[L->nfiles++] = tools[i];
	/* merged: defaults, then tool configs lowest priority first, then main */
	struct nx_toml *merged;
	if (build_default_config(c, &merged))
		return -1;
	if (keep_tree(c, merged))
		return err(c, "out of memory");
	for (size_t i = L->nfiles; i-- > 0;)
		if (nx_toml_merge(merged, L->files[i]))
			return err(c, "out of memory merging config");
	L->merged = merged;
	return 0;
}

/* CLI > env > profile for a string setting. */
static const char *pick(const char *cli, char **envp, const char *env, const char *profile_value)
{
	if (cli)
		return cli;
	const char *e = env ? env_get(envp, env) : NULL;
	return e ? e : profile_value;
}

static int one_of(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (!strcmp(v, *allowed))
			return 1;
	return 0;
}

static int resolve_run_settings(struct loader *L, const struct nx_cmdline *cl, char **envp)
{
	struct nx_config *c = L->c;
	static const char *const levels[] = { "none", "fail", "retry", "slow", "leak", "pass", "skip", "all", NULL };
	static const char *const flevels[] = { "none", "fail", "flaky", "retry", "slow", "leak", "pass", "skip", "all", NULL };
	static const char *const outputs[] = { "immediate", "immediate-final", "final", "never", NULL };
	static const char *const formats[] = { "human", "libtest-json", "libtest-json-plus", NULL };

	c->status_level = pick(cl->status_level, envp, "NEXTEST_STATUS_LEVEL", pstring(L, "status-level"));
	c->final_status_level = pick(cl->final_status_level, envp, "NEXTEST_FINAL_STATUS_LEVEL",
				     pstring(L, "final-status-level"));
	c->failure_output = pick(cl->failure_output, envp, "NEXTEST_FAILURE_OUTPUT", pstring(L, "failure-output"));
	c->success_output = pick(cl->success_output, envp, "NEXTEST_SUCCESS_OUTPUT", pstring(L, "success-output"));
	c->message_format = pick(cl->message_format, envp, "NEXTEST_MESSAGE_FORMAT", "human");
	if (c->error[0])
		return -1;
	if (!c->status_level || !one_of(c->status_level, levels))
		return err(c, "invalid status level '%s'", c->status_level ? c->status_level : "");
	if (!c->final_status_level || !one_of(c->final_status_level, flevels))
		return err(c, "invalid final status level '%s'", c->final_status_level ? c->final_status_level : "");
	if (!c->failure_output || !one_of(c->failure_output, outputs) || !c->success_output ||
	    !one_of(c->success_output, outputs))
		return err(c, "invalid failure-output / success-output");
	if (!one_of(c->message_format, formats))
		return err(c, "invalid message format '%s'", c->message_format);
	const char *lj = env_get(envp, "NEXTEST_EXPERIMENTAL_LIBTEST_JSON");
	c->libtest_json_enabled = lj && !strcmp(lj, "1");

	const char *hp = env_get(envp, "NEXTEST_HIDE_PROGRESS_BAR");
	c->hide_progress_bar = cl->hide_progress_bar;
	if (!c->hide_progress_bar && hp && boolish(hp, &c->hide_progress_bar))
		return err(c, "invalid NEXTEST_HIDE_PROGRESS_BAR '%s'", hp);

	/* no-capture: --no-capture, or `-- --nocapture` from 0.9.133 */
	c->no_capture = cl->no_capture || (cl->libtest_nocapture && c->version >= NX_VERSION(0, 9, 133));
	c->run_ignored = cl->run_ignored ? cl->run_ignored : "default";

	/* test threads (runner/imp.rs: None capture → 1; bench → 1) */
	uint32_t threads;
	const char *tt = pick(cl->test_threads, envp, "NEXTEST_TEST_THREADS", NULL);
	if (tt) {
		if (parse_threads_str(c, tt, &threads))
			return -1;
	} else {
		int r = decode_threads(c, pfield(L, "test-threads", NULL), "test-threads", &threads);
		if (r < 0)
			return -1;
		if (r == 0)
			threads = c->ncpus;
	}
	c->test_threads = (c->no_capture || c->is_bench) ? 1 : threads;

	/* retries forced from the CLI or NEXTEST_RETRIES */
	if (cl->has_retries) {
		c->force_retries = 1;
		c->forced_retries = cl->retries;
	} else {
		const char *r = env_get(envp, "NEXTEST_RETRIES");
		if (r) {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(r, &end, 10);
			if (*r == '-' || *end || errno || v > UINT32_MAX)
				return err(c, "invalid NEXTEST_RETRIES '%s'", r);
			c->force_retries = 1;
			c->forced_retries = (uint32_t)v;
		}
	}

	/* fail-fast: --max-fail, --no-fail-fast, --fail-fast, then the profile */
	const struct nx_toml *ff = pfield(L, "fail-fast", NULL);
	if (ff && decode_fail_fast(c, ff))
		return -1;
	if (cl->max_fail) {
		if (parse_max_fail(c, cl->max_fail))
			return -1;
	} else if (cl->fail_fast >= 0) {
		c->max_fail = cl->fail_fast ? 1 : 0;
		c->terminate_immediate = 0;
	}

	c->stress = cl->stress;
	c->stress_count = cl->stress_count;
	c->stress_duration_ns = cl->stress_duration_ns;
	return 0;
}

static int resolve_profile_settings(struct loader *L)
{
	struct nx_config *c = L->c;
	struct nx_test_settings *s = &c->profile_settings;
	memset(s, 0, sizeof *s);
	if (decode_retries(c, pfield(L, "retries", NULL), &s->retries) < 0)
		return -1;
	const struct nx_toml *st = c->is_bench ? pfield(L, "bench", "slow-timeout") : pfield(L, "slow-timeout", NULL);
	int r = decode_slow(c, st, &s->slow);
	if (r < 0)
		return -1;
	if (r == 0)
		s->slow = (struct nx_slow_timeout){ 60 * NX_NS_PER_SEC, 0, 10 * NX_NS_PER_SEC, 0 };
	if (decode_leak(c, pfield(L, "leak-timeout", NULL), &s->leak) < 0)
		return -1;
	s->threads_required = 1;
	if (decode_threads_required(c, pfield(L, "threads-required", NULL), &s->threads_required) < 0)
		return -1;
	if (decode_flaky(c, pfield(L, "flaky-result", NULL), &s->flaky_fail) < 0)
		return -1;
	s->total_attempts = s->retries.count + 1;
	return 0;
}

int nx_config_load_opts(struct nx_config *c, const struct nx_config_opts *o, int argc, char **argv,
			char **envp)
{
	memset(c, 0, sizeof *c);
	struct nx_cmdline cl;
	if (nx_cmdline_parse(&cl, argc, argv))
		return err(c, "malformed command line");
	c->is_run = cl.is_run;
	c->is_bench = cl.is_bench;
	/* the runner's version comes from version.c's detection (run.c) */
	c->version = o && o->version ? o->version : NX_VERSION_LATEST;
	c->ncpus = o && o->ncpus ? o->ncpus : nx_ncpus();

	/* workspace root */
	char *root = NULL;
	if (o && o->workspace_root) {
		root = strdup(o->workspace_root);
	} else if (cl.workspace_dir) {
		root = discover_root(cl.workspace_dir);
	} else if (cl.manifest_path) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%s", cl.manifest_path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		else
			snprintf(dir, sizeof dir, ".");
		root = discover_root(dir);
	} else {
		char cwd[PATH_MAX];
		root = discover_root(getcwd(cwd, sizeof cwd) ? cwd : ".");
	}
	c->workspace_root = kdup(c, root);
	free(root);
	if (!c->workspace_root)
		return err(c, "out of memory");

	struct loader L = { .c = c, .envp = envp };
	if (load_sources(&L, &cl))
		return -1;

	/* profile: -P > NEXTEST_PROFILE > default(-miri) */
	const char *prof = pick(cl.profile, envp, "NEXTEST_PROFILE", NULL);
	if (!prof)
		prof = env_get(envp, "MIRI_SYSROOT") ? "default-miri" : "default";
	c->profile = kdup(c, prof);
	if (!c->profile)
		return err(c, "out of memory");
	if (resolve_chain(&L, c->profile))
		return -1;

	if (resolve_run_settings(&L, &cl, envp) || resolve_profile_settings(&L) || load_groups(&L) ||
	    load_scripts(&L))
		return -1;

	/* default filter of the profile chain */
	const struct nx_toml *df = pfield(&L, "default-filter", NULL);
	if (compile_filter(c, df, "default-filter", &c->default_filter))
		return -1;

	/* overrides and profile scripts: the profile's, then default's */
	const char *names[2] = { c->profile, "default" };
	int nn = strcmp(c->profile, "default") ? 2 : 1;
	for (int i = 0; i < nn; i++)
		if (for_profile_entries(&L, names[i], "overrides", add_override, NULL))
			return -1;
	/* [[profile.<p>.scripts]] arrived with setup scripts in 0.9.59 */
	for (int i = 0; i < nn && c->version >= NX_VERSION(0, 9, 59); i++)
		if (for_profile_entries(&L, names[i], "scripts", add_profile_script, NULL))
			return -1;
	return 0;
}

int nx_config_load(struct nx_config *c, const char *workspace_root, int argc, char **argv, char **envp)
{
	struct nx_config_opts o = { 0, workspace_root, 0 };
	return nx_config_load_opts(c, &o, argc, argv, envp);
}

void nx_config_free(struct nx_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->noverrides; i++)
		nx_filterset_free(c->overrides[i].filter);
	free(c->overrides);
	for (size_t i = 0; i < c->nscripts; i++) {
		for (size_t g = 0; g < c->scripts[i].ngates; g++)
			nx_filterset_free(c->scripts[i].gates[g].filter);
		free(c->scripts[i].gates);
	}
	free(c->scripts);
	free(c->groups);
	nx_filterset_free(c->default_filter);
	for (size_t i = 0; i < c->ntrees; i++)
		nx_toml_free(c->trees[i]);
	free(c->trees);
	for (size_t i = 0; i < c->nstrings; i++)
		free(c->strings[i]);
	free(c->strings);
	memset(c, 0, sizeof *c);
}

/* ---- queries ---- */

static void make_query(const struct nx_config *c, struct nx_filter_query *q, const char *binary_id,
		       const char *test_name, const char *package, const char *kind)
{
	memset(q, 0, sizeof *q);
	q->binary_id = binary_id;
	q->test_name = test_name;
	q->package = package;
	q->kind = kind;
	q->platform_is_host = kind && !strcmp(kind, "proc-macro");
	q->default_filter = c->default_filter;
}

int nx_config_test(const struct nx_config *c, const char *binary_id, const char *test_name,
		   const char *package, const char *kind, struct nx_test_settings *out)
{
	*out = c->profile_settings;
	struct nx_filter_query q;
	make_query(c, &q, binary_id, test_name, package, kind);
	int got_r = 0, got_s = 0, got_l = 0, got_g = 0, got_t = 0, got_p = 0, got_f = 0;
	for (size_t i = 0; i < c->noverrides; i++) {
		const struct nx_override *o = &c->overrides[i];
		if (!o->platform_ok || (o->filter && !nx_filterset_match(o->filter, &q)))
			continue;
		if (!got_r && o->has_retries) {
			out->retries = o->retries;
			got_r = 1;
		}
		int has_slow = c->is_bench ? o->has_bench_slow : o->has_slow;
		if (!got_s && has_slow) {
			out->slow = c->is_bench ? o->bench_slow : o->slow;
			got_s = 1;
		}
		if (!got_l && o->has_leak) {
			out->leak = o->leak;
			got_l = 1;
		}
		if (!got_g && o->has_group) {
			out->test_group = o->group;
			got_g = 1;
		}
		if (!got_t && o->has_threads) {
			out->threads_required = o->threads_required;
			got_t = 1;
		}
		if (!got_p && o->has_priority) {
			out->priority = o->priority;
			got_p = 1;
		}
		if (!got_f && o->has_flaky) {
			out->flaky_fail = o->flaky_fail;
			got_f = 1;
		}
	}
	if (c->force_retries)
		out->retries = (struct nx_retry_policy){ .count = c->forced_retries };
	out->total_attempts = out->retries.count + 1;
	return 0;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

int nx_config_script_for(const struct nx_config *c, const char *program, const char *const *args,
			 size_t nargs)
{
	if (!c || !program)
		return -1;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < c->nscripts; i++) {
			const struct nx_script *s = &c->scripts[i];
			if (s->nargs != nargs)
				continue;
			if (pass == 0 ? strcmp(s->program, program) != 0
				      : strcmp(base_name(s->program), base_name(program)) != 0)
				continue;
			size_t k = 0;
			while (k < nargs && args && args[k] && !strcmp(args[k], s->args[k]))
				k++;
			if (k == nargs)
				return (int)i;
		}
	}
	return -1;
}

int nx_config_script_applies(const struct nx_config *c, size_t idx, const char *binary_id,
			     const char *test_name, const char *package, const char *kind)
{
	if (!c || idx >= c->nscripts)
		return 0;
	struct nx_filter_query q;
	make_query(c, &q, binary_id, test_name, package, kind);
	const struct nx_script *s = &c->scripts[idx];
	for (size_t g = 0; g < s->ngates; g++)
		if (s->gates[g].platform_ok && (!s->gates[g].filter || nx_filterset_match(s->gates[g].filter, &q)))
			return 1;
	return 0;
}
