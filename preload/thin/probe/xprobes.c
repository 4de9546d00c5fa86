/* extras/xprobes.c — the extra provider's sites and semaphores.
 *
 * Owns: the ELF side of xprobes.h.  One noinline site per probe holding a
 * `nop` and its .note.stapsdt entry (usdt 0.6's stapsdt template, exactly as
 * preload/thin/probe/probes.c writes nextest's, with provider "nextest_extra"), its six
 * operands pinned to rdi rsi rdx rcx r8 r9 like nextest's (x0…x5 on aarch64,
 * where usdt writes "8@x0"; a 4-byte operand is read from the same x register
 * as "4@x0", as preload/thin/probe/probes.c does).  One 2-byte hidden semaphore per probe,
 * __usdt_sema_nextest_extra_<ident>, in ".probes" between two page
 * alignments, so they share no page with anything but nextest's own
 * semaphores (attach-by-path before start activates them).
 * Linux x86_64 and aarch64; elsewhere (or with -DNX_NO_NOTES) every probe is
 * inert.
 */
#include <stdint.h>

#include "xprobes.h"

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__)) && !defined(NX_NO_NOTES)
#define NX_X_NOTES 1
#else
#define NX_X_NOTES 0
#endif

#define NX_XSEMA(ident) __usdt_sema_nextest_extra_##ident
#define NX_XSTR_(x) #x
#define NX_XSTR(x) NX_XSTR_(x)

#define NX_XSEMA_DECL(e, ident, name, k0, k1, k2, k3, k4, k5) \
	extern volatile unsigned short NX_XSEMA(ident) __attribute__((visibility("hidden")));
NX_XPROBE_LIST(NX_XSEMA_DECL)

#if NX_X_NOTES
#define NX_XSEMA_ASM(e, ident, name, k0, k1, k2, k3, k4, k5) \
	".globl " NX_XSTR(NX_XSEMA(ident)) "\n" \
	".hidden " NX_XSTR(NX_XSEMA(ident)) "\n" \
	".type " NX_XSTR(NX_XSEMA(ident)) ", \"object\"\n" \
	".size " NX_XSTR(NX_XSEMA(ident)) ", 2\n" \
	".balign 2\n" \
	NX_XSTR(NX_XSEMA(ident)) ":\n" \
	".zero 2\n"

__asm__(".pushsection .probes, \"aw\", \"progbits\"\n"
	".balign 4096\n"
	NX_XPROBE_LIST(NX_XSEMA_ASM)
	".balign 4096\n"
	".popsection\n");

/* Argument descriptors ('%' doubled: used in an extended asm template). */
#if defined(__x86_64__)
#define NX_XR_0 "%%rdi"
#define NX_XR_1 "%%rsi"
#define NX_XR_2 "%%rdx"
#define NX_XR_3 "%%rcx"
#define NX_XR_4 "%%r8"
#define NX_XR_5 "%%r9"
#define NX_XE_0 "%%edi"
#define NX_XE_1 "%%esi"
#define NX_XE_2 "%%edx"
#define NX_XE_3 "%%ecx"
#define NX_XE_4 "%%r8d"
#define NX_XE_5 "%%r9d"
#define NX_XREG0 "rdi"
#define NX_XREG1 "rsi"
#define NX_XREG2 "rdx"
#define NX_XREG3 "rcx"
#define NX_XREG4 "r8"
#define NX_XREG5 "r9"
#elif defined(__aarch64__)
#define NX_XR_0 "x0"
#define NX_XR_1 "x1"
#define NX_XR_2 "x2"
#define NX_XR_3 "x3"
#define NX_XR_4 "x4"
#define NX_XR_5 "x5"
#define NX_XE_0 NX_XR_0
#define NX_XE_1 NX_XR_1
#define NX_XE_2 NX_XR_2
#define NX_XE_3 NX_XR_3
#define NX_XE_4 NX_XR_4
#define NX_XE_5 NX_XR_5
#define NX_XREG0 "x0"
#define NX_XREG1 "x1"
#define NX_XREG2 "x2"
#define NX_XREG3 "x3"
#define NX_XREG4 "x4"
#define NX_XREG5 "x5"
#endif
#define NX_XSEP0 ""
#define NX_XSEP1 " "
#define NX_XSEP2 " "
#define NX_XSEP3 " "
#define NX_XSEP4 " "
#define NX_XSEP5 " "
#define NX_XARG_P(i) NX_XSEP##i "8@" NX_XR_##i
#define NX_XARG_U64(i) NX_XSEP##i "8@" NX_XR_##i
#define NX_XARG_U32(i) NX_XSEP##i "4@" NX_XE_##i
#define NX_XARG__(i) ""
#define NX_XARG(kind, i) NX_XARG_##kind(i)
#define NX_XARGSTR(k0, k1, k2, k3, k4, k5) \
	NX_XARG(k0, 0) NX_XARG(k1, 1) NX_XARG(k2, 2) NX_XARG(k3, 3) NX_XARG(k4, 4) \
	NX_XARG(k5, 5)

#define NX_XNOTE(sema, name, args) \
	"990: nop\n" \
	".pushsection .note.stapsdt, \"\", \"note\"\n" \
	".balign 4\n" \
	".4byte 992f-991f, 994f-993f, 3\n" \
	"991: .asciz \"stapsdt\"\n" \
	"992: .balign 4\n" \
	"993: .8byte 990b\n" \
	".8byte _.stapsdt.base\n" \
	".8byte " sema "\n" \
	".asciz \"nextest_extra\"\n" \
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

#if defined(__clang__)
#define NX_XSITE_ATTR __attribute__((noinline))
#else
#define NX_XSITE_ATTR __attribute__((noipa))
#endif

#define NX_XSITE(e, ident, name, k0, k1, k2, k3, k4, k5) \
	static NX_XSITE_ATTR void xsite_##ident(const uint64_t *a) \
	{ \
		register uint64_t r0 __asm__(NX_XREG0) = a[0]; \
		register uint64_t r1 __asm__(NX_XREG1) = a[1]; \
		register uint64_t r2 __asm__(NX_XREG2) = a[2]; \
		register uint64_t r3 __asm__(NX_XREG3) = a[3]; \
		register uint64_t r4 __asm__(NX_XREG4) = a[4]; \
		register uint64_t r5 __asm__(NX_XREG5) = a[5]; \
		__asm__ __volatile__(NX_XNOTE(NX_XSTR(NX_XSEMA(ident)), name, \
					      NX_XARGSTR(k0, k1, k2, k3, k4, k5)) \
				     : : "r"(r0), "r"(r1), "r"(r2), "r"(r3), "r"(r4), \
				       "r"(r5)); \
	}
#else
#define NX_XSEMA_DEF(e, ident, name, k0, k1, k2, k3, k4, k5) \
	volatile unsigned short NX_XSEMA(ident);
NX_XPROBE_LIST(NX_XSEMA_DEF)
#define NX_XSITE(e, ident, name, k0, k1, k2, k3, k4, k5) \
	static void xsite_##ident(const uint64_t *a) \
	{ \
		(void)a; \
	}
#endif
NX_XPROBE_LIST(NX_XSITE)

#define NX_XSEMA_PTR(e, ident, name, k0, k1, k2, k3, k4, k5) \
	[e] = &NX_XSEMA(ident),
static volatile unsigned short *const xsemas[NX_XPROBE_COUNT] = {
	NX_XPROBE_LIST(NX_XSEMA_PTR)
};

int nx_x_enabled(enum nx_xprobe p)
{
	return (unsigned)p < NX_XPROBE_COUNT && *xsemas[p] != 0;
}

void nx_x_fire(enum nx_xprobe p, const uint64_t a[6])
{
	switch (p) {
#define NX_XCASE(e, ident, name, k0, k1, k2, k3, k4, k5) \
	case e: \
		xsite_##ident(a); \
		break;
	NX_XPROBE_LIST(NX_XCASE)
	default:
		break;
	}
}
