/* test_platform.c — target specs of `platform = …` (preload/engine/parse/platform.c).
 *
 * Owns: triples, cfg() with all() any() not(), bare and key = "value"
 * predicates, whitespace, the nesting bound, and malformed specs (-1).
 * The host is the x86_64/aarch64 glibc Linux this test runs on.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/engine/parse/platform.h"

Test(platform, triples)
{
#if defined(__x86_64__) && defined(__GLIBC__)
	cr_assert_eq(nx_platform_eval("x86_64-unknown-linux-gnu"), 1);
	cr_assert_eq(nx_platform_eval("aarch64-unknown-linux-gnu"), 0);
	cr_assert_eq(nx_platform_eval("cfg(target_arch = \"x86_64\")"), 1);
#endif
	cr_assert_eq(nx_platform_eval("x86_64-pc-windows-msvc"), 0);
	cr_assert_eq(nx_platform_eval("x86_64 linux"), -1);
	cr_assert_eq(nx_platform_eval(""), 0);
}

Test(platform, cfg_expressions)
{
	cr_assert_eq(nx_platform_eval("cfg(unix)"), 1);
	cr_assert_eq(nx_platform_eval("cfg(windows)"), 0);
	cr_assert_eq(nx_platform_eval("cfg(not(windows))"), 1);
	cr_assert_eq(nx_platform_eval("cfg(all(unix, target_os = \"linux\"))"), 1);
	cr_assert_eq(nx_platform_eval("cfg(all(unix, target_os = \"macos\"))"), 0);
	cr_assert_eq(nx_platform_eval("cfg(any(windows, target_pointer_width = \"64\"))"), 1);
	cr_assert_eq(nx_platform_eval("cfg(any())"), 0);
	cr_assert_eq(nx_platform_eval("cfg(all())"), 1);
	cr_assert_eq(nx_platform_eval("cfg(all(unix,))"), 1, "trailing comma");
	cr_assert_eq(nx_platform_eval("cfg( all ( unix ,\ttarget_family = \"unix\" ) ) "), 1);
	cr_assert_eq(nx_platform_eval("cfg(target_vendor = \"unknown\")"), 1);
	cr_assert_eq(nx_platform_eval("cfg(feature = \"x\")"), 0, "unknown keys are false");
}

Test(platform, malformed)
{
	static const char *const bad[] = {
		"cfg(unix", "cfg()", "cfg(unix) x", "cfg(all(unix)", "cfg(not unix)",
		"cfg(target_os = linux)", "cfg(target_os = \"linux)", "cfg(all(unix windows))",
		"cfg(,)", "cfg(\"unix\")",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(nx_platform_eval(bad[i]), -1, "'%s' should not parse", bad[i]);
	/* a 64-byte value or identifier is too long */
	char longv[128];
	snprintf(longv, sizeof longv, "cfg(target_os = \"%064d\")", 0);
	cr_assert_eq(nx_platform_eval(longv), -1);
}

Test(platform, nesting_is_bounded)
{
	char spec[1024] = "cfg(";
	for (int i = 0; i < 32; i++)
		strcat(spec, "not(");
	strcat(spec, "unix");
	for (int i = 0; i < 32; i++)
		strcat(spec, ")");
	strcat(spec, ")");
	cr_assert_eq(nx_platform_eval(spec), 1, "33 levels (32 not() and unix) are allowed");
	char deep[1024] = "cfg(";
	for (int i = 0; i < 33; i++)
		strcat(deep, "not(");
	strcat(deep, "unix");
	for (int i = 0; i < 33; i++)
		strcat(deep, ")");
	strcat(deep, ")");
	cr_assert_eq(nx_platform_eval(deep), -1);
}
