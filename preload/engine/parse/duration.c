/* duration.c — humantime duration parsing (see duration.h).
 *
 * Owns: nx_duration_parse.  Follows humantime's Parser (src/duration.rs):
 * first char after whitespace must be a digit; digits (and whitespace)
 * accumulate a number; letters form the unit, which ends at whitespace or at
 * the next digit.  Seconds and nanoseconds are kept apart like humantime's
 * (u64 secs, u64 nsecs) so overflow errors match.
 */
#include "duration.h"

#include <string.h>

struct unit {
	const char *name;
	uint64_t secs;		/* multiplier in seconds, or 0 */
	uint64_t nsecs;		/* multiplier in nanoseconds, when secs == 0 */
};

static const struct unit UNITS[] = {
	{ "nanos", 0, 1 }, { "nsec", 0, 1 }, { "ns", 0, 1 },
	{ "usec", 0, 1000 }, { "us", 0, 1000 }, { "\xc2\xb5s", 0, 1000 },
	{ "millis", 0, 1000000 }, { "msec", 0, 1000000 }, { "ms", 0, 1000000 },
	{ "seconds", 1, 0 }, { "second", 1, 0 }, { "secs", 1, 0 },
	{ "sec", 1, 0 }, { "s", 1, 0 },
	{ "minutes", 60, 0 }, { "minute", 60, 0 }, { "min", 60, 0 },
	{ "mins", 60, 0 }, { "m", 60, 0 },
	{ "hours", 3600, 0 }, { "hour", 3600, 0 }, { "hr", 3600, 0 },
	{ "hrs", 3600, 0 }, { "h", 3600, 0 },
	{ "days", 86400, 0 }, { "day", 86400, 0 }, { "d", 86400, 0 },
	{ "weeks", 604800, 0 }, { "week", 604800, 0 }, { "w", 604800, 0 },
	{ "months", 2630016, 0 }, { "month", 2630016, 0 }, { "M", 2630016, 0 },
	{ "years", 31557600, 0 }, { "year", 31557600, 0 }, { "y", 31557600, 0 },
};

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int mul_ok(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

static int add_ok(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

/* Apply n<unit> to (secs, nsecs); -1 on unknown unit or overflow. */
static int apply_unit(const char *u, size_t ulen, uint64_t n, uint64_t *secs, uint64_t *nsecs)
{
	const struct unit *found = NULL;
	for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++) {
		if (strlen(UNITS[i].name) == ulen && memcmp(UNITS[i].name, u, ulen) == 0) {
			found = &UNITS[i];
			break;
		}
	}
	if (!found)
		return -1;
	uint64_t s = 0, ns = 0;
	if (found->secs) {
		if (!mul_ok(n, found->secs, &s))
			return -1;
	} else if (!mul_ok(n, found->nsecs, &ns)) {
		return -1;
	}
	if (!add_ok(*nsecs, ns, &ns))
		return -1;
	if (ns > NX_NS_PER_SEC) {	/* humantime's own (off-by-one) check */
		if (!add_ok(s, ns / NX_NS_PER_SEC, &s))
			return -1;
		ns %= NX_NS_PER_SEC;
	}
	if (!add_ok(*secs, s, secs))
		return -1;
	*nsecs = ns;
	return 0;
}

int nx_duration_parse(const char *s, uint64_t *out_ns)
{
	if (!s || !out_ns)
		return -1;
	const unsigned char *p = (const unsigned char *)s;
	uint64_t secs = 0, nsecs = 0;
	int spans = 0;

	for (;;) {
		while (is_ws(*p))
			p++;
		if (!*p)
			break;
		if (*p < '0' || *p > '9')
			return -1;	/* NumberExpected */
		uint64_t n = 0;
		while (*p) {
			if (*p >= '0' && *p <= '9') {
				if (!mul_ok(n, 10, &n) || !add_ok(n, *p - '0', &n))
					return -1;	/* NumberOverflow */
				p++;
			} else if (is_ws(*p)) {
				p++;
			} else if (is_alpha(*p) || (p[0] == 0xc2 && p[1] == 0xb5)) {
				break;
			} else {
				return -1;	/* InvalidCharacter */
			}
		}
		const unsigned char *u = p;
		if (p[0] == 0xc2 && p[1] == 0xb5)
			p += 2;
		while (is_alpha(*p))
			p++;
		if (*p && !is_ws(*p) && !(*p >= '0' && *p <= '9'))
			return -1;	/* InvalidCharacter inside the unit */
		if (apply_unit((const char *)u, (size_t)(p - u), n, &secs, &nsecs) != 0)
			return -1;	/* UnknownUnit (incl. empty) or overflow */
		spans++;
	}
	if (!spans)
		return -1;	/* Empty */
	uint64_t total;
	if (!mul_ok(secs, NX_NS_PER_SEC, &total) || !add_ok(total, nsecs, &total))
		total = UINT64_MAX;
	*out_ns = total;
	return 0;
}
