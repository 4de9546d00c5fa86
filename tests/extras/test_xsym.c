/* test_xsym.c — unit tests of the extras' signal-safe helpers (tests/extras).
 *
 * Owns: checks of nx_xdemangle (legacy Rust), nx_xdemangle_v0 (Rust v0),
 * nx_xt_json (serde_json escaping), nx_xsym_describe (module, ELF offset and
 * symbol of an address of this very program, from /proc/self/maps) and
 * nx_xsym_is_code.  Prints one line per check and `N passed, N failed`.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../preload/engine/extras/xsym.h"
#include "../../preload/engine/extras/xtext.h"

static int passed, failed;

static void check(const char *what, int ok, const char *got)
{
	printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", what, ok ? "" : ": got ", ok ? "" : got);
	ok ? passed++ : failed++;
}

static void demangle(const char *in, const char *want)
{
	char out[256], what[512];
	int ok = nx_xdemangle(in, out, sizeof out) || nx_xdemangle_v0(in, out, sizeof out);
	snprintf(what, sizeof what, "demangle %s -> %s", in, want ? want : "(kept)");
	check(what, want ? ok && strcmp(out, want) == 0 : !ok, ok ? out : "(not demangled)");
}

__attribute__((noinline)) int xsym_probe_target(int x)
{
	return x * 3 + 1;
}

int main(void)
{
	demangle("_ZN8outcomes9fail_segv17h0123456789abcdefE", "outcomes::fail_segv");
	demangle("_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h1111111111111111E",
		 "core::ptr::drop_in_place<std::rt::lang_start<()>::{{closure}}>");
	demangle("_RNvNtNtCsjrHSEGnQ3l9_3std6thread9functions5sleep", "std::thread::functions::sleep");
	demangle("_RNvMs_NtNtCsjrHSEGnQ3l9_3std6thread6threadNtB4_6Thread12park_timeout",
		 "<std::thread::thread::Thread>::park_timeout");
	demangle("_RNCNvCs3mSbOeLENLV_4test8run_test0B3_", "test::run_test::{closure}");
	demangle("_RINvNtNtCsjrHSEGnQ3l9_3std3sys9backtrace28___rust_begin_short_backtraceNCNvCs3mSbOeLENLV_4test8run_tests_0uEB1b_",
		 "std::sys::backtrace::__rust_begin_short_backtrace");
	demangle("_RNvB0_4loop", NULL);	/* a back-reference to itself: refused */
	demangle("_RNvNtCs1_3abc", NULL);	/* truncated */
	demangle("main", NULL);
	demangle("_ZN3abc", NULL);	/* no terminating E */
	demangle("_ZN3abc3defE.llvm.1234", "abc::def");	/* LLVM suffix tolerated */

	char buf[64];
	struct nx_xt t;
	nx_xt_init(&t, buf, sizeof buf);
	nx_xt_json(&t, "a\"b\\c\n\x01/\x7f");
	check("json escaping like serde_json", strcmp(buf, "\"a\\\"b\\\\c\\n\\u0001/\x7f\"") == 0, buf);
	nx_xt_init(&t, buf, 8);
	nx_xt_puts(&t, "0123456789");
	check("a full buffer cuts and says so", t.cut && strcmp(buf, "0123456") == 0, buf);

	static char maps[1 << 20];
	check("read /proc/self/maps", nx_xt_read_file("/proc/self/maps", maps, sizeof maps) > 0, "");
	struct nx_xsym_cache cache = { { 0 }, NULL, 0 };
	struct nx_xframe f;
	memset(&f, 0, sizeof f);
	f.ip = (uint64_t)(uintptr_t)&xsym_probe_target + 2;
	nx_xsym_describe(maps, &cache, &f, 0);
	check("symbol of an address in this program", strcmp(f.symbol, "xsym_probe_target") == 0, f.symbol);
	check("symbol offset", f.symbol_offset == 2, "");
	char exe[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = '\0';
	check("module is this program", strcmp(f.module, exe) == 0, f.module);
	check("module offset is below the address (PIE: an ELF vaddr)",
	      f.module_offset > 0 && f.module_offset < f.ip, "");
	memset(&f, 0, sizeof f);
	f.ip = (uint64_t)(uintptr_t)&strlen;
	nx_xsym_describe(maps, &cache, &f, 0);
	check("module of a libc function is libc", strstr(f.module, "libc.so") != NULL, f.module);
	nx_xsym_release(&cache);
	check("code address is code", nx_xsym_is_code(maps, (uint64_t)(uintptr_t)&xsym_probe_target), "");
	check("a stack address is not code", !nx_xsym_is_code(maps, (uint64_t)(uintptr_t)&f), "");
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
