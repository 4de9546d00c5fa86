/* extras/core.c — the extra provider's entry points from the core.
 *
 * Owns: nx_extras_attempt_done (attempt-rusage, built from the rusage the
 * runner's own reap returned — never a reap or a sample of ours) and
 * nx_extras_attempt_slow (hands a hung attempt to hung.c).  Both return at
 * once while their probes' semaphores are zero.
 */
#include <errno.h>
#include <stdint.h>

#include "buf.h"
#include "encode.h"
#include "extras.h"
#include "hung.h"
#include "runner.h"
#include "xprobes.h"

static uint64_t tv_nanos(struct timeval tv)
{
	if (tv.tv_sec < 0 || tv.tv_usec < 0)
		return 0;
	return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

static uint64_t nonneg(long v)
{
	return v < 0 ? 0 : (uint64_t)v;
}

static size_t arg_str(struct nx_buf *b, const char *s)
{
	size_t off = b->len;
	nx_utf8_lossy(b, s ? s : "");
	nx_buf_put_nul(b);
	return off;
}

static void field_u64(struct nx_buf *b, const char *name, uint64_t v)
{
	nx_buf_puts(b, name);
	nx_json_u64(b, v);
}

void nx_extras_attempt_done(const struct nx_test_attempt_done *d, pid_t pid,
			    const struct rusage *ru)
{
	if (__builtin_expect(!nx_x_enabled(NX_X_ATTEMPT_RUSAGE), 1) || !d || !ru)
		return;
	int saved = errno;
	struct nx_x_rusage r = {
		.user_cpu_nanos = tv_nanos(ru->ru_utime),
		.system_cpu_nanos = tv_nanos(ru->ru_stime),
		.max_rss_kib = nonneg(ru->ru_maxrss),
		.minor_faults = nonneg(ru->ru_minflt),
		.major_faults = nonneg(ru->ru_majflt),
		.voluntary_context_switches = nonneg(ru->ru_nvcsw),
		.involuntary_context_switches = nonneg(ru->ru_nivcsw),
	};
	struct nx_buf b = NX_BUF_INIT;
	nx_buf_puts(&b, "{\"ok\":{\"attempt_id\":");
	nx_json_string(&b, d->attempt_id ? d->attempt_id : "");
	nx_buf_puts(&b, ",\"binary_id\":");
	nx_json_string(&b, d->binary_id ? d->binary_id : "");
	nx_buf_puts(&b, ",\"test_name\":");
	nx_json_string(&b, d->test_name ? d->test_name : "");
	field_u64(&b, ",\"pid\":", (uint32_t)pid);
	nx_buf_puts(&b, ",\"result\":");
	nx_json_string(&b, d->result ? d->result : "");
	field_u64(&b, ",\"duration_nanos\":", d->duration_nanos);
	field_u64(&b, ",\"user_cpu_nanos\":", r.user_cpu_nanos);
	field_u64(&b, ",\"system_cpu_nanos\":", r.system_cpu_nanos);
	field_u64(&b, ",\"max_rss_kib\":", r.max_rss_kib);
	field_u64(&b, ",\"minor_faults\":", r.minor_faults);
	field_u64(&b, ",\"major_faults\":", r.major_faults);
	field_u64(&b, ",\"voluntary_context_switches\":", r.voluntary_context_switches);
	field_u64(&b, ",\"involuntary_context_switches\":", r.involuntary_context_switches);
	nx_buf_puts(&b, "}}");
	nx_buf_put_nul(&b);
	size_t id = arg_str(&b, d->attempt_id);
	size_t bin = arg_str(&b, d->binary_id);
	size_t test = arg_str(&b, d->test_name);
	if (!b.failed) {
		uint64_t a[6] = {
			(uint64_t)(uintptr_t)b.p, (uint64_t)(uintptr_t)(b.p + id),
			(uint64_t)(uintptr_t)(b.p + bin), (uint64_t)(uintptr_t)(b.p + test),
			(uint64_t)(uintptr_t)&r, (uint32_t)pid,
		};
		nx_x_fire(NX_X_ATTEMPT_RUSAGE, a);
	}
	nx_buf_free(&b);
	errno = saved;
}

/* Runner-side extra probes attached (attempt-rusage, hung-*): the core must
 * track attempts for them even when none of nextest's ten is attached. */
int nx_extras_runner_enabled(void)
{
	return nx_x_enabled(NX_X_ATTEMPT_RUSAGE) | nx_hung_wanted();
}

void nx_extras_attempt_slow(const struct nx_test_attempt_slow *e, pid_t pid)
{
	if (__builtin_expect(!nx_hung_wanted(), 1) || !e || pid <= 0)
		return;
	int saved = errno;
	nx_hung_capture(e->attempt_id, e->binary_id, e->test_name, pid);
	errno = saved;
}
