/* childenv.c — the environment of a nextest child, without this library.
 *
 * Owns: recognising this library's entries in LD_PRELOAD and writing the
 * stripped copy of an envp (see childenv.h).  prepare() runs in the parent;
 * wanted() and build() may run in a fork child between fork and exec, so they
 * only compare strings and write into memory the caller hands them.
 *
 * An entry is ours if it is the path the loader recorded for this object
 * (dladdr's dli_fname: the LD_PRELOAD spelling for a name with a slash), or,
 * for a bare name the loader searched for, that path's last component.  ld.so
 * splits LD_PRELOAD at ' ' and ':' (elf/rtld.c, handle_preload_list), so do
 * we.  Removing an entry removes the separator before it (after it, for the
 * first entry); everything else is copied byte for byte.
 */
#include <dlfcn.h>
#include <string.h>

#include "childenv.h"
#include "classify.h"
#include "xprobes.h"

static const char *self_path;	/* dli_fname, or NULL before prepare() */
static const char *self_base;	/* its last component */
static size_t self_len, base_len;

void nx_childenv_prepare(void)
{
	if (__atomic_load_n(&self_path, __ATOMIC_ACQUIRE))
		return;
	Dl_info info;
	if (!dladdr((void *)nx_childenv_prepare, &info) || !info.dli_fname || !*info.dli_fname)
		return;
	const char *slash = strrchr(info.dli_fname, '/');
	self_base = slash ? slash + 1 : info.dli_fname;
	base_len = strlen(self_base);
	self_len = strlen(info.dli_fname);
	__atomic_store_n(&self_path, info.dli_fname, __ATOMIC_RELEASE);
}

static int is_sep(char c)
{
	return c == ':' || c == ' ';
}

static int ours(const char *tok, size_t n)
{
	if (n == self_len && memcmp(tok, self_path, n) == 0)
		return 1;
	if (n == base_len && memcmp(tok, self_base, n) == 0 && !memchr(tok, '/', n))
		return 1;
	return 0;
}

/* Does s start with p?  Inline: most entries differ in the first bytes. */
static int prefix(const char *s, const char *p)
{
	while (*p)
		if (*s++ != *p++)
			return 0;
	return 1;
}

/* The value of envp entry e if it is LD_PRELOAD or NEXTEST_LD_PRELOAD.  A
 * runner's child has some fifty NEXTEST_* entries: the ninth byte ('L')
 * rejects them before a full compare. */
static const char *preload_value(const char *e)
{
	if (e[0] == 'L' && prefix(e, "LD_PRELOAD="))
		return e + 11;
	if (e[0] == 'N' && prefix(e, "NEXTEST_L") && prefix(e + 9, "D_PRELOAD="))
		return e + 19;
	return NULL;
}

static int names_us(const char *v)
{
	if (!strstr(v, self_base))	/* every spelling of ours contains it */
		return 0;
	while (*v) {
		while (is_sep(*v))
			v++;
		const char *t = v;
		while (*v && !is_sep(*v))
			v++;
		if (v > t && ours(t, (size_t)(v - t)))
			return 1;
	}
	return 0;
}

/* The crash probes work inside the test: keep the library there while a
 * tracer listens to either of them. */
static int wanted_inside(void)
{
	return nx_x_enabled(NX_X_CRASH) || nx_x_enabled(NX_X_CRASH_FRAME);
}

int nx_childenv_wanted(char *const argv[], char *const envp[], struct nx_childenv_plan *plan)
{
	if (!__atomic_load_n(&self_path, __ATOMIC_ACQUIRE) || !envp)
		return 0;
	if (!nx_spawn_is_nextest_child(argv, envp) || wanted_inside())
		return 0;
	size_t n = 0, text = 0, hits = 0;
	for (char *const *e = envp; *e; e++, n++) {
		const char *v = preload_value(*e);
		if (v && names_us(v)) {
			if (hits == NX_CHILDENV_MAX_HITS)
				return 0;	/* absurd environment: leave it as it is */
			plan->hit[hits++] = n;
			text += strlen(*e) + 1;
		}
	}
	if (!hits)
		return 0;
	plan->nhits = hits;
	plan->nvec = n + 1;
	plan->ntext = text;
	return 1;
}

/* Copies value v without our entries to out; returns the length written. */
static size_t strip(const char *v, char *out)
{
	size_t o = 0;
	int skip_sep = 0;
	for (size_t i = 0; v[i];) {
		if (is_sep(v[i])) {
			if (skip_sep)
				skip_sep = 0;
			else
				out[o++] = v[i];
			i++;
			continue;
		}
		size_t j = i;
		while (v[j] && !is_sep(v[j]))
			j++;
		if (ours(v + i, j - i)) {
			if (o > 0 && i > 0 && is_sep(v[i - 1]) && out[o - 1] == v[i - 1])
				o--;	/* the separator that preceded us */
			else
				skip_sep = 1;	/* we were first: the one after us */
		} else {
			memcpy(out + o, v + i, j - i);
			o += j - i;
			skip_sep = 0;
		}
		i = j;
	}
	return o;
}

static int only_separators(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_sep(s[i]))
			return 0;
	return 1;
}

char **nx_childenv_build(char *const envp[], const struct nx_childenv_plan *plan, char **vec,
			 char *text)
{
	size_t k = 0, used = 0, from = 0;
	for (size_t h = 0; h < plan->nhits; h++) {
		size_t i = plan->hit[h];
		memcpy(vec + k, envp + from, (i - from) * sizeof(char *));
		k += i - from;
		from = i + 1;
		const char *e = envp[i];
		const char *v = preload_value(e);
		size_t name = (size_t)(v - e);
		char *out = text + used;
		memcpy(out, e, name);
		size_t len = strip(v, out + name);
		if (only_separators(out + name, len))
			continue;	/* nothing but us: the variable goes */
		out[name + len] = '\0';
		used += name + len + 1;
		vec[k++] = out;
	}
	memcpy(vec + k, envp + from, (plan->nvec - 1 - from) * sizeof(char *));
	k += plan->nvec - 1 - from;
	vec[k] = NULL;
	return vec;
}
