/* fire.c — nextest's ten probes: their arguments, built and fired.
 *
 * Owns: the nx_fire_* functions of probes.h.  Each names its probe's
 * arguments; fire() does the rest, the same way for all ten: nothing unless
 * the probe's semaphore is non-zero; then arg0 = {"ok":<payload>} + NUL, each
 * string argument copied after it (lossy UTF-8, NUL-terminated; the run-*
 * probes' arg1 is {"ok":"<run id>"}, a serialized ReportUuid), all in one
 * buffer just written, the scalars after them, the site fired once
 * (nx_probe_fire: the thin object's note), the buffer freed.  errno is kept.
 * On OOM or an oversized event the probe is not fired.
 */
#include <errno.h>
#include <stdint.h>

#include "buf.h"
#include "encode.h"
#include "probes.h"

/* How a probe's arguments after arg0 are made: nstr strings (the first one
 * a run id to wrap as {"ok":"…"} if uuid), then the scalars. */
struct args {
	const char *str[4];
	unsigned nstr;
	int uuid;
	uint64_t scalar[2];
	unsigned nscalar;
};

static void ok_close(struct nx_buf *b)
{
	nx_buf_putc(b, '}');
	nx_buf_put_nul(b);
}

/* The payload of probe p, whose event is e. */
static void encode(struct nx_buf *b, enum nx_probe p, const void *e)
{
	switch (p) {
	case NX_TEST_ATTEMPT_START:
		nx_encode_test_attempt_start(b, e);
		break;
	case NX_TEST_ATTEMPT_DONE:
		nx_encode_test_attempt_done(b, e);
		break;
	case NX_TEST_ATTEMPT_SLOW:
		nx_encode_test_attempt_slow(b, e);
		break;
	case NX_SETUP_SCRIPT_START:
		nx_encode_setup_script_start(b, e);
		break;
	case NX_SETUP_SCRIPT_SLOW:
		nx_encode_setup_script_slow(b, e);
		break;
	case NX_SETUP_SCRIPT_DONE:
		nx_encode_setup_script_done(b, e);
		break;
	case NX_RUN_START:
		nx_encode_run_start(b, e);
		break;
	case NX_RUN_DONE:
		nx_encode_run_done(b, e);
		break;
	case NX_STRESS_SUB_RUN_START:
		nx_encode_stress_sub_run_start(b, e);
		break;
	case NX_STRESS_SUB_RUN_DONE:
		nx_encode_stress_sub_run_done(b, e);
		break;
	default:
		break;
	}
}

static void fire(enum nx_probe p, const void *e, const struct args *x)
{
	if (__builtin_expect(!nx_probe_enabled(p), 1))
		return;
	int saved = errno;
	struct nx_buf b = NX_BUF_INIT;
	size_t off[4];
	nx_buf_puts(&b, "{\"ok\":");
	encode(&b, p, e);
	ok_close(&b);
	for (unsigned i = 0; i < x->nstr; i++) {
		off[i] = b.len;
		if (x->uuid) {
			nx_buf_puts(&b, "{\"ok\":");
			nx_json_string(&b, x->str[i] ? x->str[i] : "");
			ok_close(&b);
		} else {
			nx_utf8_lossy(&b, x->str[i]);
			nx_buf_put_nul(&b);
		}
	}
	if (!b.failed) {
		uint64_t a[6] = { (uint64_t)(uintptr_t)b.p, 0, 0, 0, 0, 0 };
		unsigned k = 1;
		for (unsigned i = 0; i < x->nstr; i++)
			a[k++] = (uint64_t)(uintptr_t)(b.p + off[i]);
		for (unsigned i = 0; i < x->nscalar; i++)
			a[k++] = x->scalar[i];
		nx_probe_fire((unsigned)p, a);
	}
	nx_buf_free(&b);
	errno = saved;
}

void nx_fire_test_attempt_start(const struct nx_test_attempt_start *e)
{
	struct args x = { { e->attempt_id, e->binary_id, e->test_name }, 3, 0, { (uint32_t)e->pid }, 1 };
	fire(NX_TEST_ATTEMPT_START, e, &x);
}

void nx_fire_test_attempt_done(const struct nx_test_attempt_done *e)
{
	struct args x = { { e->attempt_id, e->binary_id, e->test_name, e->result }, 4, 0,
			  { e->duration_nanos }, 1 };
	fire(NX_TEST_ATTEMPT_DONE, e, &x);
}

void nx_fire_test_attempt_slow(const struct nx_test_attempt_slow *e)
{
	struct args x = { { e->attempt_id, e->binary_id, e->test_name }, 3, 0, { e->elapsed_nanos }, 1 };
	fire(NX_TEST_ATTEMPT_SLOW, e, &x);
}

void nx_fire_setup_script_start(const struct nx_setup_script_start *e)
{
	struct args x = { { e->id, e->script_id }, 2, 0, { (uint32_t)e->pid }, 1 };
	fire(NX_SETUP_SCRIPT_START, e, &x);
}

void nx_fire_setup_script_slow(const struct nx_setup_script_slow *e)
{
	struct args x = { { e->id, e->script_id }, 2, 0, { e->elapsed_nanos }, 1 };
	fire(NX_SETUP_SCRIPT_SLOW, e, &x);
}

void nx_fire_setup_script_done(const struct nx_setup_script_done *e)
{
	struct args x = { { e->id, e->script_id, e->result }, 3, 0, { e->duration_nanos }, 1 };
	fire(NX_SETUP_SCRIPT_DONE, e, &x);
}

void nx_fire_run_start(const struct nx_run_start *e)
{
	struct args x = { { e->run_id }, 1, 1, { 0 }, 0 };
	fire(NX_RUN_START, e, &x);
}

void nx_fire_run_done(const struct nx_run_done *e)
{
	struct args x = { { e->run_id }, 1, 1, { 0 }, 0 };
	fire(NX_RUN_DONE, e, &x);
}

void nx_fire_stress_sub_run_start(const struct nx_stress_sub_run_start *e)
{
	struct args x = { { e->stress_sub_run_id }, 1, 0, { (uint32_t)e->stress_current }, 1 };
	fire(NX_STRESS_SUB_RUN_START, e, &x);
}

void nx_fire_stress_sub_run_done(const struct nx_stress_sub_run_done *e)
{
	struct args x = { { e->stress_sub_run_id }, 1, 0, { (uint32_t)e->stress_current }, 1 };
	fire(NX_STRESS_SUB_RUN_DONE, e, &x);
}
