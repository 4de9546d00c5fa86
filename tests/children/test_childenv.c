/* test_childenv.c — preload/thin/hook/childenv.c's rewriting of a nextest child's
 * environment, byte for byte (Criterion).
 *
 * "Ours" is what dladdr says this test program is (its own path), exactly as
 * in the library, where it is the library's path.  The crash probes'
 * semaphores are stood in for by `crash_listened`.
 */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "childenv.h"
#include "xprobes.h"

static int crash_listened;

int nx_x_enabled(enum nx_xprobe p)
{
	return crash_listened && (p == NX_X_CRASH || p == NX_X_CRASH_FRAME);
}

static char self[4096];
static const char *base;

static void setup(void)
{
	Dl_info info;
	nx_childenv_prepare();
	cr_assert(dladdr((void *)nx_childenv_prepare, &info) && info.dli_fname);
	snprintf(self, sizeof(self), "%s", info.dli_fname);
	base = strrchr(self, '/') ? strrchr(self, '/') + 1 : self;
	crash_listened = 0;
}

TestSuite(childenv, .init = setup);

static char *test_argv[] = { "/bin/test-binary", "--exact", "t", "--nocapture", NULL };

/* Runs wanted()+build() on envp; returns the resulting vector joined by '\n'
 * into out, or "UNCHANGED" when wanted() said no. */
static void rewrite(char **envp, char *out, size_t cap)
{
	struct nx_childenv_plan plan;
	if (!nx_childenv_wanted(test_argv, envp, &plan)) {
		snprintf(out, cap, "UNCHANGED");
		return;
	}
	char *vec[plan.nvec], text[plan.ntext];
	char **r = nx_childenv_build(envp, &plan, vec, text);
	out[0] = '\0';
	for (char **e = r; *e; e++) {
		strncat(out, *e, cap - strlen(out) - 1);
		strncat(out, "\n", cap - strlen(out) - 1);
	}
}

static void expect_preload(const char *value, const char *want)
{
	char lp[8192], nlp[8192], got[16384], exp[16384];
	snprintf(lp, sizeof(lp), "LD_PRELOAD=%s", value);
	snprintf(nlp, sizeof(nlp), "NEXTEST_LD_PRELOAD=%s", value);
	char *envp[] = { "PATH=/bin", lp, "NEXTEST_TEST_PHASE=run", nlp, "HOME=/h", NULL };
	rewrite(envp, got, sizeof(got));
	if (want)
		snprintf(exp, sizeof(exp),
			 "PATH=/bin\nLD_PRELOAD=%s\nNEXTEST_TEST_PHASE=run\nNEXTEST_LD_PRELOAD=%s\nHOME=/h\n",
			 want, want);
	else
		snprintf(exp, sizeof(exp), "PATH=/bin\nNEXTEST_TEST_PHASE=run\nHOME=/h\n");
	cr_assert_str_eq(got, exp, "LD_PRELOAD=%s", value);
}

Test(childenv, only_us_drops_both_variables)
{
	expect_preload(self, NULL);
}

Test(childenv, others_keep_order_and_separators)
{
	char v[9000], w[9000];
	snprintf(v, sizeof(v), "/a/A.so:%s /b/B.so", self);
	expect_preload(v, "/a/A.so /b/B.so");
	snprintf(v, sizeof(v), "%s:/a/A.so /b/B.so", self);
	expect_preload(v, "/a/A.so /b/B.so");
	snprintf(v, sizeof(v), "/a/A.so /b/B.so:%s", self);
	expect_preload(v, "/a/A.so /b/B.so");
	snprintf(v, sizeof(v), "/a/A.so %s:/b/B.so", self);
	expect_preload(v, "/a/A.so:/b/B.so");
	snprintf(v, sizeof(v), "%s:%s:/a/A.so", self, self);
	expect_preload(v, "/a/A.so");
	snprintf(v, sizeof(v), "  %s::/a/A.so", self);
	snprintf(w, sizeof(w), " ::/a/A.so");
	expect_preload(v, w);
}

Test(childenv, bare_name_is_ours_path_with_same_name_elsewhere_is_not)
{
	char v[9000], other[9000];
	snprintf(v, sizeof(v), "%s:/a/A.so", base);
	expect_preload(v, "/a/A.so");
	snprintf(other, sizeof(other), "/elsewhere/%s", base);
	snprintf(v, sizeof(v), "%s:%s", other, self);
	expect_preload(v, other);
}

Test(childenv, only_separators_left_drops_the_variable)
{
	char v[9000];
	snprintf(v, sizeof(v), ": %s :", self);
	expect_preload(v, NULL);
}

Test(childenv, untouched_when_not_ours_or_not_a_nextest_child_or_crash_listened)
{
	char got[4096], lp[8192];
	char *plain[] = { "LD_PRELOAD=/a/A.so", "NEXTEST_TEST_PHASE=run", NULL };
	rewrite(plain, got, sizeof(got));
	cr_assert_str_eq(got, "UNCHANGED");

	snprintf(lp, sizeof(lp), "LD_PRELOAD=%s", self);
	char *cargo[] = { lp, "CARGO=/usr/bin/cargo", "NEXTEST=1", NULL };
	rewrite(cargo, got, sizeof(got));
	cr_assert_str_eq(got, "UNCHANGED", "not a nextest child: no protocol variable");

	char *test[] = { lp, "NEXTEST_EXECUTION_MODE=process-per-test", NULL };
	crash_listened = 1;
	rewrite(test, got, sizeof(got));
	cr_assert_str_eq(got, "UNCHANGED", "crash probe listened to: the library stays");
	crash_listened = 0;
	rewrite(test, got, sizeof(got));
	cr_assert_str_eq(got, "NEXTEST_EXECUTION_MODE=process-per-test\n");
}

Test(childenv, double_spawn_stub_and_setup_script_are_nextest_children)
{
	char got[4096], lp[8192];
	snprintf(lp, sizeof(lp), "LD_PRELOAD=%s", self);
	char *script[] = { lp, "NEXTEST_ENV=/tmp/nextest-env", NULL };
	rewrite(script, got, sizeof(got));
	cr_assert_str_eq(got, "NEXTEST_ENV=/tmp/nextest-env\n");

	char *stub_argv[] = { "/usr/bin/cargo-nextest", "__double-spawn", "--", "/t", "--exact t", NULL };
	char *stub_env[] = { lp, "X=1", NULL };
	struct nx_childenv_plan plan;
	cr_assert(nx_childenv_wanted(stub_argv, stub_env, &plan));
	char *vec[plan.nvec], text[plan.ntext];
	char **r = nx_childenv_build(stub_env, &plan, vec, text);
	cr_assert_str_eq(r[0], "X=1");
	cr_assert_null(r[1]);
}

Test(childenv, several_entries_and_neighbours_keep_their_places)
{
	char lp[8192], nlp[8192], got[16384], exp[16384];
	snprintf(lp, sizeof(lp), "LD_PRELOAD=/a/A.so:%s", self);
	snprintf(nlp, sizeof(nlp), "NEXTEST_LD_PRELOAD=%s", self);
	char *envp[] = { lp, "A=1", "NEXTEST_LD_LIBRARY_PATH=/l", nlp, "NEXTEST_EXECUTION_MODE=process-per-test", "Z=2", NULL };
	rewrite(envp, got, sizeof(got));
	snprintf(exp, sizeof(exp), "LD_PRELOAD=/a/A.so\nA=1\nNEXTEST_LD_LIBRARY_PATH=/l\nNEXTEST_EXECUTION_MODE=process-per-test\nZ=2\n");
	cr_assert_str_eq(got, exp);
}
