/* probes.c — the ten probe sites, their semaphores and the fire functions.
 *
 * Owns: the ELF side of the contract in probes.h.  Each probe has exactly one
 * site (a noinline function holding a `nop` and its .note.stapsdt entry, the
 * template of usdt 0.6's stapsdt backend) with its operands pinned to the
 * argument registers, and one 2-byte hidden semaphore
 * __usdt_sema_nextest_<ident> in ".probes", which sits on a page of its own
 * so that a tracer attached by path before the process starts activates it
 * (kernel uprobe ref_ctr_offset).  Arguments are built only while the
 * semaphore is non-zero.
 *
 * Architectures: x86_64 and aarch64 get real notes (aarch64 operands as usdt
 * writes them: "8@x0 … 4@x4", the 64-bit register name even for u32).  Any
 * other architecture (or -DNX_NO_NOTES) compiles to inert probes: plain
 * semaphores that no tracer can raise (there are no notes), so every fire
 * function returns at once.  Inert rather than #error: the library's only
 * job is observation, and a build without probes still leaves the runner
 * untouched.
 *
 * macOS (NX_DTRACE, probes.h): no notes and no semaphores; the sites call
 * nx_dtrace_fire() and "enabled" asks nx_dtrace_enabled() (probes_darwin.c,
 * DTrace's is-enabled probes).  The argument building below is shared.
 */
#include <errno.h>
#include <stdint.h>

#include "buf.h"
#include "encode.h"
#include "probes.h"

#if (defined(__x86_64__) || defined(__aarch64__)) && !defined(NX_NO_NOTES) && !NX_DTRACE
#define NX_HAVE_NOTES 1
#else
#define NX_HAVE_NOTES 0
#endif

/* ---- argument descriptors, built from the kinds in NX_PROBE_LIST ---- */

#if defined(__x86_64__)
/* '%' doubled: the note is emitted from an extended asm statement. */
#define NX_R64_0 "%%rdi"
#define NX_R64_1 "%%rsi"
#define NX_R64_2 "%%rdx"
#define NX_R64_3 "%%rcx"
#define NX_R64_4 "%%r8"
#define NX_R64_5 "%%r9"
#define NX_R32_0 "%%edi"
#define NX_R32_1 "%%esi"
#define NX_R32_2 "%%edx"
#define NX_R32_3 "%%ecx"
#define NX_R32_4 "%%r8d"
#define NX_R32_5 "%%r9d"
#define NX_REG0 "rdi"
#define NX_REG1 "rsi"
#define NX_REG2 "rdx"
#define NX_REG3 "rcx"
#define NX_REG4 "r8"
#define NX_REG5 "r9"
#elif defined(__aarch64__)
#define NX_R64_0 "x0"
#define NX_R64_1 "x1"
#define NX_R64_2 "x2"
#define NX_R64_3 "x3"
#define NX_R64_4 "x4"
#define NX_R64_5 "x5"
#define NX_R32_0 NX_R64_0
#define NX_R32_1 NX_R64_1
#define NX_R32_2 NX_R64_2
#define NX_R32_3 NX_R64_3
#define NX_R32_4 NX_R64_4
#define NX_R32_5 NX_R64_5
#define NX_REG0 "x0"
#define NX_REG1 "x1"
#define NX_REG2 "x2"
#define NX_REG3 "x3"
#define NX_REG4 "x4"
#define NX_REG5 "x5"
#endif

#define NX_SEP0 ""
#define NX_SEP1 " "
#define NX_SEP2 " "
#define NX_SEP3 " "
#define NX_SEP4 " "
#define NX_SEP5 " "
#define NX_ARG_P(i) NX_SEP##i "8@" NX_R64_##i
#define NX_ARG_U64(i) NX_SEP##i "8@" NX_R64_##i
#define NX_ARG_U32(i) NX_SEP##i "4@" NX_R32_##i
#define NX_ARG__(i) ""
#define NX_ARG(kind, i) NX_ARG_##kind(i)
#define NX_ARGSTR(k0, k1, k2, k3, k4, k5) \
	NX_ARG(k0, 0) NX_ARG(k1, 1) NX_ARG(k2, 2) NX_ARG(k3, 3) NX_ARG(k4, 4) NX_ARG(k5, 5)

#define NX_SEMA(ident) __usdt_sema_nextest_##ident
#define NX_STR(x) #x
#define NX_XSTR(x) NX_STR(x)

/* ---- semaphores: ten u16, on a page of their own ---- */

#if !NX_DTRACE
#define NX_SEMA_DECL(e, ident, name, n, k0, k1, k2, k3, k4, k5) \
	extern volatile unsigned short NX_SEMA(ident) __attribute__((visibility("hidden")));
NX_PROBE_LIST(NX_SEMA_DECL)

#if NX_HAVE_NOTES
#define NX_SEMA_ASM(e, ident, name, n, k0, k1, k2, k3, k4, k5) \
	".globl " NX_XSTR(NX_SEMA(ident)) "\n" \
	".hidden " NX_XSTR(NX_SEMA(ident)) "\n" \
	".type " NX_XSTR(NX_SEMA(ident)) ", \"object\"\n" \
	".size " NX_XSTR(NX_SEMA(ident)) ", 2\n" \
	".balign 2\n" \
	NX_XSTR(NX_SEMA(ident)) ":\n" \
	".zero 2\n"

__asm__(".pushsection .probes, \"aw\", \"progbits\"\n"
	".balign 4096\n"
	NX_PROBE_LIST(NX_SEMA_ASM)
	".balign 4096\n"
	".popsection\n");
#else
#define NX_SEMA_DEF(e, ident, name, n, k0, k1, k2, k3, k4, k5) \
	volatile unsigned short NX_SEMA(ident);
NX_PROBE_LIST(NX_SEMA_DEF)
#endif
#endif /* !NX_DTRACE */

/* ---- probe sites: one noinline function per probe, one note each ---- */

#if defined(__clang__)
#define NX_SITE_ATTR __attribute__((noinline))
#else
#define NX_SITE_ATTR __attribute__((noipa))	/* never inlined, cloned or split */
#endif

#if NX_HAVE_NOTES
/* usdt 0.6 stapsdt template (probe site, note entry, base symbol); the base
 * section uses "aG" like sys/sdt.h (usdt's "aGR" adds only SHF_GNU_RETAIN). */
#define NX_NOTE(sema, name, args) \
	"990: nop\n" \
	".pushsection .note.stapsdt, \"\", \"note\"\n" \
	".balign 4\n" \
	".4byte 992f-991f, 994f-993f, 3\n" \
	"991: .asciz \"stapsdt\"\n" \
	"992: .balign 4\n" \
	"993: .8byte 990b\n" \
	".8byte _.stapsdt.base\n" \
	".8byte " sema "\n" \
	".asciz \"nextest\"\n" \
	".asciz \"" name "\"\n" \
	".asciz \"" args "\"\n" \
	"994: .balign 4\n" \
	".popsection\n" \
	".ifndef _.stapsdt.base\n" \
	".pushsection .stapsdt.base, \"aG\", \"progbits\", .stapsdt.base, comdat\n" \
	".weak _.stapsdt.base\n" \
	".hidden _.stapsdt.base\n" \
	"_.stapsdt.base: .space 1\n" \
	".size _.stapsdt.base, 1\n" \
	".popsection\n" \
	".endif\n"

/* Each operand in its fixed register (GCC local register variables). */
#define NX_PIN(i) register uint64_t r##i __asm__(NX_REG##i) = a##i;

#define NX_SITE(e, ident, name, n, k0, k1, k2, k3, k4, k5) \
	static NX_SITE_ATTR void site_##ident(uint64_t a0, uint64_t a1, uint64_t a2, \
					      uint64_t a3, uint64_t a4, uint64_t a5) \
	{ \
		NX_PIN(0) NX_PIN(1) NX_PIN(2) NX_PIN(3) NX_PIN(4) NX_PIN(5) \
		__asm__ __volatile__(NX_NOTE(NX_XSTR(NX_SEMA(ident)), name, \
					     NX_ARGSTR(k0, k1, k2, k3, k4, k5)) \
				     : : "r"(r0), "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5)); \
	}
#elif NX_DTRACE
#define NX_SITE(e, ident, name, n, k0, k1, k2, k3, k4, k5) \
	static void site_##ident(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, \
				 uint64_t a4, uint64_t a5) \
	{ \
		nx_dtrace_fire(e, a0, a1, a2, a3, a4, a5); \
	}
#else
#define NX_SITE(e, ident, name, n, k0, k1, k2, k3, k4, k5) \
	static void site_##ident(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, \
				 uint64_t a4, uint64_t a5) \
	{ \
		(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5; \
	}
#endif
NX_PROBE_LIST(NX_SITE)

/* ---- semaphore queries ---- */

#if !NX_DTRACE
#define NX_SEMA_PTR(e, ident, name, n, k0, k1, k2, k3, k4, k5) [e] = &NX_SEMA(ident),
static volatile unsigned short *const semas[NX_PROBE_COUNT] = { NX_PROBE_LIST(NX_SEMA_PTR) };
#endif

#define NX_NAME(e, ident, name, n, k0, k1, k2, k3, k4, k5) [e] = name,
static const char *const names[NX_PROBE_COUNT] = { NX_PROBE_LIST(NX_NAME) };

#if !NX_DTRACE
int nx_probe_enabled(enum nx_probe p)
{
	return (unsigned)p < NX_PROBE_COUNT && *semas[p] != 0;
}

int nx_any_enabled(void)
{
	unsigned v = 0;
	for (int i = 0; i < NX_PROBE_COUNT; i++)
		v |= *semas[i];
	return v != 0;
}
#else
int nx_probe_enabled(enum nx_probe p)
{
	return (unsigned)p < NX_PROBE_COUNT && nx_dtrace_enabled(p);
}

int nx_any_enabled(void)
{
	int v = 0;
	for (int i = 0; i < NX_PROBE_COUNT; i++)
		v |= nx_dtrace_enabled((enum nx_probe)i);
	return v != 0;
}
#endif

const char *nx_probe_name(enum nx_probe p)
{
	return (unsigned)p < NX_PROBE_COUNT ? names[p] : NULL;
}

/* ---- argument building: everything in one buffer, NUL-separated ---- */

#if !NX_DTRACE
#define ENABLED(ident) __builtin_expect(NX_SEMA(ident) != 0, 0)
#else
#define NX_ENABLED_FN(e, ident, name, n, k0, k1, k2, k3, k4, k5) \
	static int enabled_##ident(void) \
	{ \
		return nx_dtrace_enabled(e); \
	}
NX_PROBE_LIST(NX_ENABLED_FN)
#define ENABLED(ident) __builtin_expect(enabled_##ident(), 0)
#endif
#define U(x) ((uint64_t)(x))

static void ok_open(struct nx_buf *b)
{
	nx_buf_puts(b, "{\"ok\":");
}

static void ok_close(struct nx_buf *b)
{
	nx_buf_putc(b, '}');
	nx_buf_put_nul(b);
}

/* Appends a string argument; returns its offset in the buffer. */
static size_t arg_str(struct nx_buf *b, const char *s)
{
	size_t off = b->len;
	nx_utf8_lossy(b, s);
	nx_buf_put_nul(b);
	return off;
}

/* {"ok":"<uuid>"} — the run-* probes' arg1 (a serialized ReportUuid). */
static size_t arg_uuid(struct nx_buf *b, const char *run_id)
{
	size_t off = b->len;
	ok_open(b);
	nx_json_string(b, run_id ? run_id : "");
	ok_close(b);
	return off;
}

#define PTR(b, off) U((uintptr_t)((b)->p + (off)))

void nx_fire_test_attempt_start(const struct nx_test_attempt_start *e)
{
	if (!ENABLED(test__attempt__start))
		return;
	int saved = errno;
	struct nx_buf b = NX_BUF_INIT;
	ok_open(&b);
	nx_encode_test_attempt_start(&b, e);
	ok_close(&b);
	size_t id = arg_str(&b, e->attempt_id);
	size_t bin = arg_str(&b, e->binary_id);
	size_t test = arg_str(&b, e->test_name);
	if (!b.failed)
		site_test__attempt__start(PTR(&b, 0), PTR(&b, id), PTR(&b, bin), PTR(&b, test),
					  U((uint32_t)e->pid), 0);
	nx_buf_free(&b);
	errno = saved;
}

void nx_fire_test_attempt_done(const struct nx_test_attempt_done *e)
{
	if (!ENABLED(test__attempt__done))
		return;
	int saved = errno;
	struct nx_buf b = NX_BUF_INIT;
	ok_open(&b);
	nx_encode_test_attempt_done(&b, e);
	ok_close(&b);
	size_t id = arg_str(&b, e->attempt_id);
	size_t bin = arg_str(&b, e->binary_id);
	size_t test = arg_str(&b, e->test_name);
	size_t result = arg_str(&b, e->result);
	if (!b.failed)
		site_test__attempt__done(PTR(&b, 0), PTR(&b, id), PTR(&b, bin), PTR(&b, test),
					 PTR(&b, result), U(e->duration_nanos));
	nx_buf_free(&b);
	errno = saved;
}

void nx_fire_test_attempt_slow(const struct nx_test_attempt_slow *e)
{
	if (!ENABLED(test__attempt__slow))
		return;
	int saved = errno;
	struct nx_buf b = NX_BUF_INIT;
	ok_open(&b);
	nx_encode_test_attempt_slow(&b, e);
	ok_close(&b);
	size_t id = arg_str(&b, e->attempt_id);
	size_t bin = arg_str(&b, e->binary_id);
	size_t test = arg_str(&b, e->test_name);
	if (!b.failed)
		site_test__attempt__slow(PTR(&b, 0), PTR(&b, id), PTR(&b, bin), PTR(&b, test),
					 U(e->elapsed_nanos), 0);
	nx_buf_free(&b);
	errno = saved;
}

void nx_fire_setup_script_start(const struct nx_setup_script_start *e)
{
	if (!ENABLED(setup__script__start))
		return;
	int saved = errno;
	struct nx_buf b = NX_BUF_INIT;
	ok_open(&b);
	nx_encode_setup_script_start(&b, e);
	ok_close(&b);
	size_t id = arg_str(&b, e->id);
	size_t script = arg_str(&b, e->script_id);
	if (!b.failed)
		site_setup__script__start(PTR(&b, 0), PTR(&b, id), PTR(&b, script),
					  U((uint32_t)e->pid), 0, 0);
	nx_buf_free(&b);
	errno = saved;
}

void nx_fire_setup_script_slow(const struct nx_setup_script_slow *e)
{
	if (!ENABLED(setup__script__slow))
		return;
	int saved = errno;
	struct nx_buf b = NX_BUF_INIT;
	ok_open(&b);
	nx_encode_setup_script_slow(&b, e);
	ok_close(&b);
	size_t id = arg_str(&b, e->id);
	size_t script = arg_str(&b, e->script_id);
	if (!b.failed)
		site_setup__script__slow(PTR(&b, 0), PTR(&b, id), PTR(&b, script),
					 U(e->elapsed_nanos), 0, 0);
	nx_buf_free(&b);
	errno = saved;
}

void nx_fire_setup_script_done(const struct nx_setup_script_done *e)
{
	if (!ENABLED(setup__script__done))
		return;
	int saved = errno;
	struct nx_buf b = NX_BUF_INIT;
	ok_open(&b);
	nx_encode_setup_script_done(&b, e);
	ok_close(&b);
	size_t id = arg_str(&b, e->id);
	size_t script = arg_str(&b, e->script_id);
	size_t result = arg_str(&b, e->result);
	if (!b.failed)
		site_setup__script__done(PTR(&b, 0), PTR(&b, id), PTR(&b, script),
					 PTR(&b, result), U(e->duration_nanos), 0);
	nx_buf_free(&b);
	errno = saved;
}

void nx_fire_run_start(const struct nx_run_start *e)
{
	if (!ENABLED(run__start))
		return;
	int saved = errno;
	struct nx_buf b = NX_BUF_INIT;
	ok_open(&b);
	nx_encode_run_start(&b, e);
	ok_close(&b);
	size_t uuid = arg_uuid(&b, e->run_id);
	if (!b.failed)
		site_run__start(PTR(&b, 0), PTR(&b, uuid), 0, 0, 0, 0);
	nx_buf_free(&b);
	errno = saved;
}

void nx_fire_run_done(const struct nx_run_done *e)
{
	if (!ENABLED(run__done))
		return;
	int saved = errno;
	struct nx_buf b = NX_BUF_INIT;
	ok_open(&b);
	nx_encode_run_done(&b, e);
	ok_close(&b);
	size_t uuid = arg_uuid(&b, e->run_id);
	if (!b.failed)
		site_run__done(PTR(&b, 0), PTR(&b, uuid), 0, 0, 0, 0);
	nx_buf_free(&b);
	errno = saved;
}

void nx_fire_stress_sub_run_start(const struct nx_stress_sub_run_start *e)
{
	if (!ENABLED(stress__sub__run__start))
		return;
	int saved = errno;
	struct nx_buf b = NX_BUF_INIT;
	ok_open(&b);
	nx_encode_stress_sub_run_start(&b, e);
	ok_close(&b);
	size_t id = arg_str(&b, e->stress_sub_run_id);
	if (!b.failed)
		site_stress__sub__run__start(PTR(&b, 0), PTR(&b, id), U((uint32_t)e->stress_current),
					     0, 0, 0);
	nx_buf_free(&b);
	errno = saved;
}

void nx_fire_stress_sub_run_done(const struct nx_stress_sub_run_done *e)
{
	if (!ENABLED(stress__sub__run__done))
		return;
	int saved = errno;
	struct nx_buf b = NX_BUF_INIT;
	ok_open(&b);
	nx_encode_stress_sub_run_done(&b, e);
	ok_close(&b);
	size_t id = arg_str(&b, e->stress_sub_run_id);
	if (!b.failed)
		site_stress__sub__run__done(PTR(&b, 0), PTR(&b, id), U((uint32_t)e->stress_current),
					    0, 0, 0);
	nx_buf_free(&b);
	errno = saved;
}
