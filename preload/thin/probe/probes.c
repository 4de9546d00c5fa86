/* probes.c — the probe sites and semaphores of both providers.
 *
 * Owns: the ELF side of the contract in probes.h and xprobes.h, in the object
 * users attach to (the thin one).  Each probe has exactly one site (a
 * noinline function holding a `nop` and its .note.stapsdt entry, the
 * template of usdt 0.6's stapsdt backend, one template for both providers)
 * with its operands pinned to the argument registers, and one 2-byte hidden
 * semaphore __usdt_sema_<provider>_<ident> in ".probes", which sits on a page
 * of its own so that a tracer attached by path before the process starts
 * activates it (kernel uprobe ref_ctr_offset).  The sixteen semaphores are
 * one array, nx_semas (nextest's ten, then nextest_extra's six), so that a
 * read is PC-relative and the object needs no pointer table (no relocation
 * at load).  Arguments are built by the caller (engine/encode/fire.c, the
 * extras) only while the semaphore is non-zero.
 *
 * Architectures: x86_64 and aarch64 get real notes (aarch64 operands as usdt
 * writes them: "8@x0 … 4@x4", the 64-bit register name even for u32).  Any
 * other architecture (or -DNX_NO_NOTES) compiles to inert probes: plain
 * semaphores that no tracer can raise (there are no notes), so every fire
 * function returns at once.  Inert rather than #error: the library's only
 * job is observation, and a build without probes still leaves the runner
 * untouched.
 *
 * macOS (NX_DTRACE, probes.h): no notes; nextest's sites call
 * nx_dtrace_fire() and "enabled" asks nx_dtrace_enabled() (probes_darwin.c,
 * DTrace's is-enabled probes); the extra provider is inert there.
 */
#include <stdint.h>

#include "probes.h"
#include "xprobes.h"

_Static_assert(NX_SEMA_COUNT == NX_PROBE_COUNT + NX_XPROBE_COUNT, "probes.h: NX_SEMA_COUNT");

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
#define NX_XSEMA(ident) __usdt_sema_nextest_extra_##ident
#define NX_STR(x) #x
#define NX_XSTR(x) NX_STR(x)

/* ---- semaphores: sixteen u16, on a page of their own ---- */

#if NX_HAVE_NOTES
#define NX_SEMA_ASM(sym) \
	".globl " sym "\n" \
	".hidden " sym "\n" \
	".type " sym ", \"object\"\n" \
	".size " sym ", 2\n" \
	sym ":\n" \
	".zero 2\n"
#define NX_SEMA_ONE(e, ident, name, n, k0, k1, k2, k3, k4, k5) NX_SEMA_ASM(NX_XSTR(NX_SEMA(ident)))
#define NX_XSEMA_ONE(e, ident, name, k0, k1, k2, k3, k4, k5) NX_SEMA_ASM(NX_XSTR(NX_XSEMA(ident)))

__asm__(".pushsection .probes, \"aw\", \"progbits\"\n"
	".balign 4096\n"
	".globl nx_semas\n"
	".hidden nx_semas\n"
	".type nx_semas, \"object\"\n"
	"nx_semas:\n"
	NX_PROBE_LIST(NX_SEMA_ONE)
	NX_XPROBE_LIST(NX_XSEMA_ONE)
	".size nx_semas, . - nx_semas\n"
	".balign 4096\n"
	".popsection\n");
extern volatile unsigned short nx_semas[NX_SEMA_COUNT] __attribute__((visibility("hidden")));
#elif !NX_DTRACE
volatile unsigned short nx_semas[NX_SEMA_COUNT] __attribute__((visibility("hidden")));
#endif

/* ---- probe sites: one noinline function per probe, one note each ---- */

#if defined(__clang__)
#define NX_SITE_ATTR __attribute__((noinline))
#else
#define NX_SITE_ATTR __attribute__((noipa))	/* never inlined, cloned or split */
#endif

#if NX_HAVE_NOTES
/* usdt 0.6 stapsdt template (probe site, note entry, base symbol), one for
 * both providers; the base section uses "aG" like sys/sdt.h (usdt's "aGR"
 * adds only SHF_GNU_RETAIN). */
#define NX_NOTE(provider, sema, name, args) \
	"990: nop\n" \
	".pushsection .note.stapsdt, \"\", \"note\"\n" \
	".balign 4\n" \
	".4byte 992f-991f, 994f-993f, 3\n" \
	"991: .asciz \"stapsdt\"\n" \
	"992: .balign 4\n" \
	"993: .8byte 990b\n" \
	".8byte _.stapsdt.base\n" \
	".8byte " sema "\n" \
	".asciz \"" provider "\"\n" \
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

/* Each operand in its fixed register (GCC local register variables).  The
 * values are the site's parameters, not loads from memory: nothing may run
 * between the pins and the asm (an instrumented load, under TSan, is a call
 * that would clobber the registers already pinned). */
#define NX_PIN(i) register uint64_t r##i __asm__(NX_REG##i) = a##i;
#define NX_SITE_PARAMS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5

#define NX_SITE_BODY(provider, sema, name, args) \
	{ \
		NX_PIN(0) NX_PIN(1) NX_PIN(2) NX_PIN(3) NX_PIN(4) NX_PIN(5) \
		__asm__ __volatile__(NX_NOTE(provider, sema, name, args) \
				     : : "r"(r0), "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5)); \
	}
#define NX_SITE(e, ident, name, n, k0, k1, k2, k3, k4, k5) \
	static NX_SITE_ATTR void site_##ident(NX_SITE_PARAMS) \
		NX_SITE_BODY("nextest", NX_XSTR(NX_SEMA(ident)), name, \
			     NX_ARGSTR(k0, k1, k2, k3, k4, k5))
#define NX_XSITE(e, ident, name, k0, k1, k2, k3, k4, k5) \
	static NX_SITE_ATTR void xsite_##ident(NX_SITE_PARAMS) \
		NX_SITE_BODY("nextest_extra", NX_XSTR(NX_XSEMA(ident)), name, \
			     NX_ARGSTR(k0, k1, k2, k3, k4, k5))
#else
#define NX_SITE_PARAMS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5
#define NX_UNUSED (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5
#if NX_DTRACE
#define NX_SITE(e, ident, name, n, k0, k1, k2, k3, k4, k5) \
	static void site_##ident(NX_SITE_PARAMS) \
	{ \
		nx_dtrace_fire(e, a0, a1, a2, a3, a4, a5); \
	}
#else
#define NX_SITE(e, ident, name, n, k0, k1, k2, k3, k4, k5) \
	static void site_##ident(NX_SITE_PARAMS) \
	{ \
		NX_UNUSED; \
	}
#endif
#define NX_XSITE(e, ident, name, k0, k1, k2, k3, k4, k5) \
	static void xsite_##ident(NX_SITE_PARAMS) \
	{ \
		NX_UNUSED; \
	}
#endif
NX_PROBE_LIST(NX_SITE)
NX_XPROBE_LIST(NX_XSITE)

/* One entry for every site: a switch compiles to code (or a table of
 * offsets), never to a table of pointers the loader would relocate. */
void nx_probe_fire(unsigned s, const uint64_t a[6])
{
	switch (s) {
#define NX_CASE(e, ident, name, n, k0, k1, k2, k3, k4, k5) \
	case e: \
		site_##ident(a[0], a[1], a[2], a[3], a[4], a[5]); \
		break;
#define NX_XCASE(e, ident, name, k0, k1, k2, k3, k4, k5) \
	case NX_PROBE_COUNT + e: \
		xsite_##ident(a[0], a[1], a[2], a[3], a[4], a[5]); \
		break;
	NX_PROBE_LIST(NX_CASE)
	NX_XPROBE_LIST(NX_XCASE)
	default:
		break;
	}
}

void nx_x_fire(enum nx_xprobe p, const uint64_t a[6])
{
	if ((unsigned)p < NX_XPROBE_COUNT)
		nx_probe_fire(NX_PROBE_COUNT + (unsigned)p, a);
}

/* ---- semaphore queries ---- */

#if !NX_DTRACE
int nx_probe_enabled(enum nx_probe p)
{
	return (unsigned)p < NX_PROBE_COUNT && nx_semas[p] != 0;
}

int nx_any_enabled(void)
{
	unsigned v = 0;
	for (int i = 0; i < NX_PROBE_COUNT; i++)
		v |= nx_semas[i];
	return v != 0;
}

int nx_x_enabled(enum nx_xprobe p)
{
	return (unsigned)p < NX_XPROBE_COUNT && nx_semas[NX_PROBE_COUNT + p] != 0;
}

const volatile unsigned short *nx_probe_semas(void)
{
	return nx_semas;
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

int nx_x_enabled(enum nx_xprobe p)
{
	(void)p;
	return 0;
}

const volatile unsigned short *nx_probe_semas(void)
{
	return NULL;
}
#endif

/* The names, as one string: "run-start\0run-done\0…" (no pointer table). */
#define NX_NAME(e, ident, name, n, k0, k1, k2, k3, k4, k5) name "\0"
static const char names[] = NX_PROBE_LIST(NX_NAME);

const char *nx_probe_name(enum nx_probe p)
{
	if ((unsigned)p >= NX_PROBE_COUNT)
		return NULL;
	const char *s = names;
	for (unsigned i = 0; i < (unsigned)p; i++)
		while (*s++)
			;
	return s;
}
