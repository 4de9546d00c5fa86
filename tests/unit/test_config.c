/* test_config.c — the resolved runner configuration (preload/engine/config/config.c).
 *
 * Owns: realistic .config/nextest.toml files (shapes from nextest's
 * configuration docs, written afresh) in temporary workspaces, and the exact
 * settings nextest would use: profile inheritance, CLI > env > config
 * precedence, per-test overrides, test groups, setup scripts (both
 * syntaxes) and their mapping back from a spawn, version-dependent defaults,
 * workspace discovery, and configs that must fail cleanly.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../preload/engine/config/config.h"
#include "../../preload/engine/config/cpus.h"
#include "../../preload/engine/parse/rustregex.h"

#define S 1000000000ull
#define MS 1000000ull
#define NCPUS 8

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	char *slash = strrchr(path, '/');
	*slash = 0;
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
	cr_assert_eq(system(cmd), 0);
	*slash = '/';
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* A fresh workspace with the given .config/nextest.toml (NULL = none). */
static char *workspace(const char *nextest_toml)
{
	char *dir = strdup("/tmp/nx-config-test-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	write_file(dir, "Cargo.toml", "[workspace]\nmembers = [\"a\"]\n");
	if (nextest_toml)
		write_file(dir, ".config/nextest.toml", nextest_toml);
	return dir;
}

static void rmrf(char *dir)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(dir);
}

static int load_v(struct nx_config *c, const char *root, unsigned version, int argc, char **argv, char **envp)
{
	struct nx_config_opts o = { version, root, NCPUS };
	return nx_config_load_opts(c, &o, argc, argv, envp);
}

#define LOAD(c, root, ...) load_v((c), (root), 0, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), NULL)
#define LOAD_ENV(c, root, envp, ...) load_v((c), (root), 0, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (envp))
#define LOAD_V(c, root, ver, ...) load_v((c), (root), (ver), ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), NULL)

static void must_load(int rc, struct nx_config *c)
{
	cr_assert_eq(rc, 0, "load failed: %s", c->error);
}

static void must_fail(int rc, struct nx_config *c, const char *needle)
{
	cr_assert_eq(rc, -1, "load should fail (%s)", needle);
	cr_assert(strstr(c->error, needle) != NULL, "error '%s' lacks '%s'", c->error, needle);
}

static struct nx_test_settings T(const struct nx_config *c, const char *bin, const char *test)
{
	struct nx_test_settings s;
	memset(&s, 0x5a, sizeof s);
	cr_assert_eq(nx_config_test(c, bin, test, NULL, NULL, &s), 0);
	return s;
}

/* ---- defaults ---- */

Test(config, builtin_defaults_latest)
{
	char *ws = workspace(NULL);
	struct nx_config c;
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c);
	cr_assert_eq(c.is_run, 1);
	cr_assert_str_eq(c.profile, "default");
	cr_assert_eq(c.version, NX_VERSION_LATEST);
	cr_assert_eq(c.test_threads, NCPUS);
	cr_assert_str_eq(c.status_level, "pass");
	cr_assert_str_eq(c.final_status_level, "flaky");
	cr_assert_str_eq(c.failure_output, "immediate");
	cr_assert_str_eq(c.success_output, "never");
	cr_assert_str_eq(c.message_format, "human");
	cr_assert_str_eq(c.run_ignored, "default");
	cr_assert_eq(c.max_fail, 1);	/* fail-fast = true */
	cr_assert_eq(c.stress, NX_STRESS_NONE);
	cr_assert_eq(c.nscripts, 0);
	cr_assert_eq(c.ngroups, 0);
	struct nx_test_settings s = T(&c, "fx-basic", "tests::a");
	cr_assert_eq(s.retries.count, 0);
	cr_assert_eq(s.total_attempts, 1);
	cr_assert_eq(s.slow.period_ns, 60 * S);
	cr_assert_eq(s.slow.terminate_after, 0);
	cr_assert_eq(s.slow.grace_ns, 10 * S);
	cr_assert_eq(s.slow.on_timeout_pass, 0);
	cr_assert_eq(s.leak.period_ns, 200 * MS);
	cr_assert_eq(s.leak.fail, 0);
	cr_assert_null(s.test_group);
	cr_assert_eq(s.threads_required, 1);
	cr_assert_eq(s.priority, 0);
	cr_assert_eq(s.flaky_fail, 0);
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, leak_timeout_default_before_0_9_107)
{
	/* default-config.toml: 100ms at cargo-nextest-0.9.106, 200ms at the
	 * cargo-nextest-0.9.107 tag (never published) and at 0.9.108 */
	char *ws = workspace(NULL);
	struct nx_config c;
	must_load(LOAD_V(&c, ws, NX_VERSION(0, 9, 106), "cargo-nextest", "nextest", "run"), &c);
	cr_assert_eq(T(&c, "p", "t").leak.period_ns, 100 * MS);
	nx_config_free(&c);
	must_load(LOAD_V(&c, ws, NX_VERSION(0, 9, 107), "cargo-nextest", "nextest", "run"), &c);
	cr_assert_eq(T(&c, "p", "t").leak.period_ns, 200 * MS);
	nx_config_free(&c);
	must_load(LOAD_V(&c, ws, NX_VERSION(0, 9, 108), "cargo-nextest", "nextest", "run"), &c);
	cr_assert_eq(T(&c, "p", "t").leak.period_ns, 200 * MS);
	nx_config_free(&c);
	/* argv never names the version: a simulator-style --emulate flag is
	 * skipped like any other unknown flag and changes nothing */
	must_load(LOAD(&c, ws, "nextest-sim", "run", "--emulate", "0.9.90"), &c);
	cr_assert_eq(c.version, NX_VERSION_LATEST);
	nx_config_free(&c);
	rmrf(ws);
}

/* ---- profiles ---- */

static const char PROFILES[] =
	"[profile.default]\n"
	"retries = 2\n"
	"slow-timeout = \"30s\"\n"
	"leak-timeout = \"1s\"\n"
	"status-level = \"slow\"\n"
	"\n"
	"[profile.ci]\n"
	"slow-timeout = { period = \"60s\", terminate-after = 3, grace-period = \"0s\" }\n"
	"fail-fast = false\n"
	"test-threads = 3\n"
	"\n"
	"[profile.quick]\n"
	"slow-timeout = { period = \"5s\", on-timeout = \"pass\", terminate-after = 1 }\n"
	"retries = { backoff = \"exponential\", count = 4, delay = \"1s\", jitter = true, max-delay = \"10s\" }\n";

Test(config, custom_profile_falls_back_to_default)
{
	char *ws = workspace(PROFILES);
	struct nx_config c;
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c);
	struct nx_test_settings s = T(&c, "p", "t");
	cr_assert_eq(s.retries.count, 2);
	cr_assert_eq(s.total_attempts, 3);
	cr_assert_eq(s.slow.period_ns, 30 * S);
	cr_assert_eq(s.slow.terminate_after, 0);
	cr_assert_eq(s.leak.period_ns, 1 * S);
	cr_assert_str_eq(c.status_level, "slow");
	cr_assert_eq(c.max_fail, 1);
	cr_assert_eq(c.test_threads, NCPUS);
	nx_config_free(&c);

	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-P", "ci"), &c);
	cr_assert_str_eq(c.profile, "ci");
	s = T(&c, "p", "t");
	cr_assert_eq(s.retries.count, 2);		/* from profile.default */
	cr_assert_eq(s.slow.period_ns, 60 * S);
	cr_assert_eq(s.slow.terminate_after, 3);
	cr_assert_eq(s.slow.grace_ns, 0);
	cr_assert_eq(s.leak.period_ns, 1 * S);
	cr_assert_str_eq(c.status_level, "slow");
	cr_assert_eq(c.max_fail, 0);			/* fail-fast = false */
	cr_assert_eq(c.test_threads, 3);
	nx_config_free(&c);

	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "--profile=quick"), &c);
	s = T(&c, "p", "t");
	cr_assert_eq(s.slow.period_ns, 5 * S);
	cr_assert_eq(s.slow.on_timeout_pass, 1);
	cr_assert_eq(s.slow.grace_ns, 10 * S);
	cr_assert_eq(s.retries.count, 4);
	cr_assert_eq(s.retries.exponential, 1);
	cr_assert_eq(s.retries.delay_ns, 1 * S);
	cr_assert_eq(s.retries.jitter, 1);
	cr_assert_eq(s.retries.max_delay_ns, 10 * S);
	cr_assert_eq(s.total_attempts, 5);
	nx_config_free(&c);

	/* on-timeout = "pass" does not exist before 0.9.115 */
	must_load(LOAD_V(&c, ws, NX_VERSION(0, 9, 114), "cargo-nextest", "nextest", "run", "-P", "quick"), &c);
	cr_assert_eq(T(&c, "p", "t").slow.on_timeout_pass, 0);
	nx_config_free(&c);

	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-P", "nope"), &c, "not found");
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, inherits_chain)
{
	char *ws = workspace(
		"[profile.prof_a]\n"
		"inherits = \"prof_b\"\n"
		"\n"
		"[profile.prof_b]\n"
		"inherits = \"prof_c\"\n"
		"fail-fast = { max-fail = 4 }\n"
		"\n"
		"[profile.prof_c]\n"
		"inherits = \"default\"\n"
		"fail-fast = { max-fail = 10, terminate = \"immediate\" }\n"
		"retries = 3\n"
		"slow-timeout = \"2s\"\n");
	struct nx_config c;
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-P", "prof_a"), &c);
	cr_assert_eq(T(&c, "p", "t").retries.count, 3);
	cr_assert_eq(T(&c, "p", "t").slow.period_ns, 2 * S);
	cr_assert_eq(c.max_fail, 4);
	cr_assert_eq(c.terminate_immediate, 0);
	nx_config_free(&c);
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-P", "prof_c"), &c);
	cr_assert_eq(c.max_fail, 10);
	cr_assert_eq(c.terminate_immediate, 1);
	nx_config_free(&c);
	/* before 0.9.115 `inherits` is not a thing: only profile.default backs prof_a */
	must_load(LOAD_V(&c, ws, NX_VERSION(0, 9, 114), "cargo-nextest", "nextest", "run", "-P", "prof_a"), &c);
	cr_assert_eq(T(&c, "p", "t").retries.count, 0);
	cr_assert_eq(c.max_fail, 1);
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, inherits_errors)
{
	char *ws = workspace(
		"[profile.a]\ninherits = \"b\"\n[profile.b]\ninherits = \"a\"\n"
		"[profile.c]\ninherits = \"missing\"\n");
	struct nx_config c;
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-P", "a"), &c, "cycle");
	nx_config_free(&c);
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-P", "c"), &c, "unknown profile");
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, miri_profile)
{
	char *ws = workspace("[profile.default-miri]\nslow-timeout = \"10m\"\n");
	struct nx_config c;
	char *env[] = { "MIRI_SYSROOT=/x", NULL };
	must_load(LOAD_ENV(&c, ws, env, "cargo-nextest", "nextest", "run"), &c);
	cr_assert_str_eq(c.profile, "default-miri");
	cr_assert_eq(T(&c, "p", "t").slow.period_ns, 600 * S);
	cr_assert_eq(c.test_threads, NCPUS);
	nx_config_free(&c);
	/* up to 0.9.67 the built-in default-miri profile ran one test at a time */
	cr_assert_eq(load_v(&c, ws, NX_VERSION(0, 9, 67), 3, ARGV("cargo-nextest", "nextest", "run"), env), 0,
		     "%s", c.error);
	cr_assert_eq(c.test_threads, 1);
	nx_config_free(&c);
	rmrf(ws);
}

/* ---- precedence ---- */

Test(config, cli_beats_env_beats_config)
{
	char *ws = workspace(PROFILES);
	struct nx_config c;
	char *env[] = { "NEXTEST_RETRIES=5",      "NEXTEST_TEST_THREADS=6",
			"NEXTEST_PROFILE=ci",     "NEXTEST_STATUS_LEVEL=fail",
			"NEXTEST_FINAL_STATUS_LEVEL=all", "NEXTEST_MESSAGE_FORMAT=libtest-json",
			"NEXTEST_FAILURE_OUTPUT=final", "NEXTEST_SUCCESS_OUTPUT=immediate",
			"NEXTEST_HIDE_PROGRESS_BAR=true", "NEXTEST_EXPERIMENTAL_LIBTEST_JSON=1",
			"UNRELATED=1",            NULL };
	/* env over config */
	must_load(LOAD_ENV(&c, ws, env, "cargo-nextest", "nextest", "run"), &c);
	cr_assert_str_eq(c.profile, "ci");
	cr_assert_eq(c.test_threads, 6);
	cr_assert_eq(T(&c, "p", "t").retries.count, 5);
	cr_assert_eq(T(&c, "p", "t").total_attempts, 6);
	cr_assert_str_eq(c.status_level, "fail");
	cr_assert_str_eq(c.final_status_level, "all");
	cr_assert_str_eq(c.message_format, "libtest-json");
	cr_assert_str_eq(c.failure_output, "final");
	cr_assert_str_eq(c.success_output, "immediate");
	cr_assert_eq(c.hide_progress_bar, 1);
	cr_assert_eq(c.libtest_json_enabled, 1);
	nx_config_free(&c);
	/* CLI over env */
	must_load(LOAD_ENV(&c, ws, env, "cargo-nextest", "nextest", "run", "-P", "default", "-j", "2",
			   "--retries", "1", "--status-level", "none", "--message-format", "human"),
		  &c);
	cr_assert_str_eq(c.profile, "default");
	cr_assert_eq(c.test_threads, 2);
	cr_assert_eq(T(&c, "p", "t").retries.count, 1);
	cr_assert_str_eq(c.status_level, "none");
	cr_assert_str_eq(c.message_format, "human");
	nx_config_free(&c);
	/* empty env values count as unset (clap) */
	char *empty[] = { "NEXTEST_RETRIES=", "NEXTEST_PROFILE=", NULL };
	must_load(LOAD_ENV(&c, ws, empty, "cargo-nextest", "nextest", "run"), &c);
	cr_assert_str_eq(c.profile, "default");
	cr_assert_eq(T(&c, "p", "t").retries.count, 2);
	nx_config_free(&c);
	char *badenv[] = { "NEXTEST_RETRIES=lots", NULL };
	must_fail(LOAD_ENV(&c, ws, badenv, "cargo-nextest", "nextest", "run"), &c, "NEXTEST_RETRIES");
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, test_threads_forms)
{
	char *ws = workspace("[profile.neg]\ntest-threads = -3\n[profile.cpus]\ntest-threads = \"num-cpus\"\n"
			     "[profile.tiny]\ntest-threads = -100\n[profile.zero]\ntest-threads = 0\n");
	struct nx_config c;
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-P", "neg"), &c);
	cr_assert_eq(c.test_threads, NCPUS - 3);
	nx_config_free(&c);
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-P", "cpus"), &c);
	cr_assert_eq(c.test_threads, NCPUS);
	nx_config_free(&c);
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-P", "tiny"), &c);
	cr_assert_eq(c.test_threads, 1);
	nx_config_free(&c);
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-P", "zero"), &c, "test-threads");
	nx_config_free(&c);
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-j", "-2"), &c);
	cr_assert_eq(c.test_threads, NCPUS - 2);
	nx_config_free(&c);
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-j", "0"), &c, "test-threads");
	nx_config_free(&c);
	/* --no-capture forces 1 whatever -j says */
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-j", "8", "--no-capture"), &c);
	cr_assert_eq(c.test_threads, 1);
	cr_assert_eq(c.no_capture, 1);
	nx_config_free(&c);
	/* `-- --nocapture` counts from 0.9.133 only */
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "--", "--nocapture"), &c);
	cr_assert_eq(c.no_capture, 1);
	cr_assert_eq(c.test_threads, 1);
	nx_config_free(&c);
	must_load(LOAD_V(&c, ws, NX_VERSION(0, 9, 132), "cargo-nextest", "nextest", "run", "--", "--nocapture"), &c);
	cr_assert_eq(c.no_capture, 0);
	cr_assert_eq(c.test_threads, NCPUS);
	nx_config_free(&c);
	/* benchmarks always run with one thread */
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "bench"), &c);
	cr_assert_eq(c.is_bench, 1);
	cr_assert_eq(c.test_threads, 1);
	cr_assert_eq(T(&c, "p", "t").slow.period_ns, 30ull * 31557600 * S);	/* bench.slow-timeout 30y */
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, fail_fast_cli)
{
	char *ws = workspace("[profile.default]\nfail-fast = { max-fail = \"all\" }\n");
	struct nx_config c;
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c);
	cr_assert_eq(c.max_fail, 0);
	nx_config_free(&c);
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "--fail-fast"), &c);
	cr_assert_eq(c.max_fail, 1);
	nx_config_free(&c);
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "--max-fail", "3:immediate"), &c);
	cr_assert_eq(c.max_fail, 3);
	cr_assert_eq(c.terminate_immediate, 1);
	nx_config_free(&c);
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "--max-fail", "0"), &c, "max-fail");
	nx_config_free(&c);
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "--max-fail", "2:later"), &c, "max-fail");
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, stress_flags)
{
	char *ws = workspace(NULL);
	struct nx_config c;
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "--stress-count", "7"), &c);
	cr_assert_eq(c.stress, NX_STRESS_COUNT);
	cr_assert_eq(c.stress_count, 7);
	nx_config_free(&c);
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "--stress-duration", "2m"), &c);
	cr_assert_eq(c.stress, NX_STRESS_DURATION);
	cr_assert_eq(c.stress_duration_ns, 120 * S);
	nx_config_free(&c);
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "--stress-count", "0"), &c, "command line");
	nx_config_free(&c);
	rmrf(ws);
}

/* ---- overrides ---- */

static const char OVERRIDES[] =
	"[test-groups]\n"
	"serial-integration = { max-threads = 1 }\n"
	"resource-limited = { max-threads = -6 }\n"
	"all-cpus = { max-threads = \"num-cpus\" }\n"
	"\n"
	"[profile.default]\n"
	"retries = 1\n"
	"\n"
	"[[profile.default.overrides]]\n"
	"filter = 'test(/^flaky::/)'\n"
	"retries = 4\n"
	"\n"
	"[[profile.default.overrides]]\n"
	"filter = 'test(flaky::network) | test(slow)'\n"
	"retries = 9\n"
	"slow-timeout = { period = \"120s\", terminate-after = 2 }\n"
	"\n"
	"[[profile.default.overrides]]\n"
	"filter = 'package(fx-basic) and kind(test)'\n"
	"test-group = 'serial-integration'\n"
	"threads-required = 2\n"
	"priority = 50\n"
	"\n"
	"[[profile.default.overrides]]\n"
	"filter = 'binary_id(fx-many)'\n"
	"test-group = 'resource-limited'\n"
	"leak-timeout = { period = \"500ms\", result = \"fail\" }\n"
	"threads-required = 'num-cpus'\n"
	"\n"
	"[[profile.default.overrides]]\n"
	"platform = 'cfg(windows)'\n"
	"retries = 99\n"
	"\n"
	"[[profile.default.overrides]]\n"
	"platform = { host = 'cfg(all(unix, target_os = \"linux\"))' }\n"
	"filter = 'test(=linux_only)'\n"
	"retries = 7\n"
	"\n"
	"[profile.ci]\n"
	"retries = 0\n"
	"\n"
	"[[profile.ci.overrides]]\n"
	"filter = 'test(flaky::)'\n"
	"slow-timeout = '1s'\n"
	"flaky-result = 'fail'\n";

Test(config, overrides_first_match_wins_per_setting)
{
	char *ws = workspace(OVERRIDES);
	struct nx_config c;
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c);
	cr_assert_eq(c.ngroups, 3);
	cr_assert_str_eq(c.groups[0].name, "serial-integration");
	cr_assert_eq(c.groups[0].max_threads, 1);
	cr_assert_eq(c.groups[1].max_threads, NCPUS - 6);
	cr_assert_eq(c.groups[2].max_threads, NCPUS);

	/* no override: the profile's */
	struct nx_test_settings s = T(&c, "fx-macro", "plain");
	cr_assert_eq(s.retries.count, 1);
	cr_assert_eq(s.slow.period_ns, 60 * S);
	cr_assert_null(s.test_group);

	/* first override sets retries; the second only contributes slow-timeout */
	s = T(&c, "fx-macro", "flaky::network");
	cr_assert_eq(s.retries.count, 4);
	cr_assert_eq(s.total_attempts, 5);
	cr_assert_eq(s.slow.period_ns, 120 * S);
	cr_assert_eq(s.slow.terminate_after, 2);

	/* only the second override */
	s = T(&c, "fx-macro", "a::slow");
	cr_assert_eq(s.retries.count, 9);

	/* group, threads-required, priority from the third */
	s = T(&c, "fx-basic::integration", "it::x");
	cr_assert_str_eq(s.test_group, "serial-integration");
	cr_assert_eq(s.threads_required, 2);
	cr_assert_eq(s.priority, 50);
	s = T(&c, "fx-basic", "unit");	/* kind lib: no match */
	cr_assert_null(s.test_group);
	cr_assert_eq(s.threads_required, 1);

	s = T(&c, "fx-many", "t");
	cr_assert_str_eq(s.test_group, "resource-limited");
	cr_assert_eq(s.leak.period_ns, 500 * MS);
	cr_assert_eq(s.leak.fail, 1);
	cr_assert_eq(s.threads_required, NCPUS);

	/* platform filters: cfg(windows) never applies here; the linux one does */
	s = T(&c, "x", "linux_only");
	cr_assert_eq(s.retries.count, 7);
	nx_config_free(&c);

	/* --retries beats every override */
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "--retries", "0"), &c);
	s = T(&c, "fx-macro", "flaky::network");
	cr_assert_eq(s.retries.count, 0);
	cr_assert_eq(s.total_attempts, 1);
	cr_assert_eq(s.slow.period_ns, 120 * S);
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, profile_overrides_come_before_default_overrides)
{
	char *ws = workspace(OVERRIDES);
	struct nx_config c;
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-P", "ci"), &c);
	struct nx_test_settings s = T(&c, "p", "flaky::network");
	cr_assert_eq(s.slow.period_ns, 1 * S);		/* ci override first */
	cr_assert_eq(s.slow.terminate_after, 0);
	cr_assert_eq(s.retries.count, 4);			/* default's overrides still apply */
	cr_assert_eq(s.flaky_fail, 1);
	s = T(&c, "p", "plain");
	cr_assert_eq(s.retries.count, 0);			/* profile ci's own retries */
	nx_config_free(&c);
	/* flaky-result = "fail" exists from 0.9.131 */
	must_load(LOAD_V(&c, ws, NX_VERSION(0, 9, 130), "cargo-nextest", "nextest", "run", "-P", "ci"), &c);
	cr_assert_eq(T(&c, "p", "flaky::network").flaky_fail, 0);
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, tool_config_files_and_config_file)
{
	char *ws = workspace(
		"[profile.default]\nretries = 1\n"
		"[[profile.default.overrides]]\nfilter = 'test(both)'\nretries = 10\n");
	write_file(ws, "tool1.toml",
		   "[profile.default]\nretries = 5\nslow-timeout = '7s'\n"
		   "[[profile.default.overrides]]\nfilter = 'test(both)'\nretries = 20\nleak-timeout = '3s'\n"
		   "[[profile.default.overrides]]\nfilter = 'test(tool)'\nretries = 21\n");
	write_file(ws, "tool2.toml",
		   "[profile.default]\nslow-timeout = '9s'\nleak-timeout = '4s'\n"
		   "[[profile.default.overrides]]\nfilter = 'test(tool)'\nretries = 22\n");
	char t1[PATH_MAX], t2[PATH_MAX];
	snprintf(t1, sizeof t1, "tool1:%s/tool1.toml", ws);
	snprintf(t2, sizeof t2, "tool2:%s/tool2.toml", ws);
	struct nx_config c;
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "--tool-config-file", t1,
		       "--tool-config-file", t2),
		  &c);
	struct nx_test_settings s = T(&c, "p", "plain");
	cr_assert_eq(s.retries.count, 1);		/* main config beats tools */
	cr_assert_eq(s.slow.period_ns, 7 * S);		/* earlier tool file beats later */
	cr_assert_eq(s.leak.period_ns, 4 * S);
	s = T(&c, "p", "both");
	cr_assert_eq(s.retries.count, 10);		/* main config's override first */
	cr_assert_eq(s.leak.period_ns, 3 * S);		/* then tool1's */
	s = T(&c, "p", "tool");
	cr_assert_eq(s.retries.count, 21);		/* tool1 before tool2 */
	nx_config_free(&c);

	/* --config-file replaces .config/nextest.toml */
	write_file(ws, "other.toml", "[profile.default]\nretries = 8\n");
	char cf[PATH_MAX];
	snprintf(cf, sizeof cf, "%s/other.toml", ws);
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "--config-file", cf), &c);
	cr_assert_eq(T(&c, "p", "both").retries.count, 8);
	nx_config_free(&c);
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "--config-file", "/nonexistent/x.toml"), &c,
		  "not found");
	nx_config_free(&c);
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "--tool-config-file", "relative.toml"), &c,
		  "TOOL:ABS_PATH");
	nx_config_free(&c);
	rmrf(ws);
}

/* ---- setup scripts ---- */

static const char SCRIPTS_NEW[] =
	"experimental = [\"setup-scripts\"]\n"
	"\n"
	"[scripts.setup.db-generate]\n"
	"command = 'cargo run -p db-generate -- --flag \"two words\"'\n"
	"capture-stdout = true\n"
	"slow-timeout = { period = \"60s\", terminate-after = 2 }\n"
	"leak-timeout = \"1s\"\n"
	"\n"
	"[scripts.setup.my-script]\n"
	"command = ['script.sh', '-x', '']\n"
	"capture-stderr = true\n"
	"\n"
	"[scripts.setup.rel]\n"
	"command = { command-line = \"scripts/setup.sh --fast\", relative-to = \"workspace-root\", env = { A = \"1\", B = \"x y\" } }\n"
	"\n"
	"[scripts.setup.unused]\n"
	"command = 'true'\n"
	"\n"
	"[[profile.default.scripts]]\n"
	"filter = 'rdeps(db-tests)'\n"
	"setup = 'db-generate'\n"
	"\n"
	"[[profile.default.scripts]]\n"
	"platform = { host = \"cfg(unix)\" }\n"
	"filter = 'test(needs_env)'\n"
	"setup = ['my-script', 'rel']\n"
	"\n"
	"[[profile.default.scripts]]\n"
	"platform = 'cfg(windows)'\n"
	"setup = 'unused'\n";

Test(config, setup_scripts_new_syntax)
{
	char *ws = workspace(SCRIPTS_NEW);
	struct nx_config c;
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c);
	cr_assert_eq(c.nscripts, 4);
	const struct nx_script *s0 = &c.scripts[0], *s1 = &c.scripts[1], *s2 = &c.scripts[2];
	cr_assert_str_eq(s0->id, "db-generate");
	cr_assert_str_eq(s0->program, "cargo");
	cr_assert_eq(s0->nargs, 6);
	cr_assert_str_eq(s0->args[0], "run");
	cr_assert_str_eq(s0->args[4], "--flag");
	cr_assert_str_eq(s0->args[5], "two words");
	cr_assert_eq(s0->capture_stdout, 1);
	cr_assert_eq(s0->capture_stderr, 0);
	cr_assert_eq(s0->slow.period_ns, 60 * S);
	cr_assert_eq(s0->slow.terminate_after, 2);
	cr_assert_eq(s0->leak.period_ns, 1 * S);

	cr_assert_str_eq(s1->id, "my-script");
	cr_assert_str_eq(s1->program, "script.sh");
	cr_assert_eq(s1->nargs, 2);
	cr_assert_str_eq(s1->args[1], "");
	cr_assert_eq(s1->capture_stderr, 1);
	/* script defaults: never slow (VERY_LARGE), leak 100 ms */
	cr_assert_eq(s1->slow.period_ns, NX_FAR_FUTURE_NS);
	cr_assert_eq(s1->slow.period_ns, 86400ull * 365 * 30 * S);
	cr_assert_eq(s1->leak.period_ns, 100 * MS);

	char expect[PATH_MAX];
	snprintf(expect, sizeof expect, "%s/scripts/setup.sh", ws);
	cr_assert_str_eq(s2->program, expect);
	cr_assert_eq(s2->nargs, 1);
	cr_assert_eq(s2->nenv, 2);
	cr_assert_str_eq(s2->env[0], "A=1");
	cr_assert_str_eq(s2->env[1], "B=x y");

	/* gates */
	cr_assert_eq(nx_config_script_applies(&c, 0, "db-tests::it", "x", NULL, NULL), 1);
	cr_assert_eq(nx_config_script_applies(&c, 0, "other", "x", NULL, NULL), 0);
	cr_assert_eq(nx_config_script_applies(&c, 1, "other", "a::needs_env", NULL, NULL), 1);
	cr_assert_eq(nx_config_script_applies(&c, 2, "other", "a::needs_env", NULL, NULL), 1);
	cr_assert_eq(nx_config_script_applies(&c, 1, "other", "a::plain", NULL, NULL), 0);
	cr_assert_eq(nx_config_script_applies(&c, 3, "other", "anything", NULL, NULL), 0);
	cr_assert_eq(nx_config_script_applies(&c, 9, "other", "anything", NULL, NULL), 0);

	/* mapping a spawn back to its script */
	const char *a0[] = { "run", "-p", "db-generate", "--", "--flag", "two words" };
	cr_assert_eq(nx_config_script_for(&c, "cargo", a0, 6), 0);
	cr_assert_eq(nx_config_script_for(&c, "/usr/bin/cargo", a0, 6), 0);	/* basename */
	cr_assert_eq(nx_config_script_for(&c, "cargo", a0, 5), -1);
	const char *a1[] = { "-x", "" };
	cr_assert_eq(nx_config_script_for(&c, "script.sh", a1, 2), 1);
	const char *a2[] = { "--fast" };
	cr_assert_eq(nx_config_script_for(&c, expect, a2, 1), 2);
	cr_assert_eq(nx_config_script_for(&c, "true", NULL, 0), 3);
	cr_assert_eq(nx_config_script_for(&c, "false", NULL, 0), -1);
	nx_config_free(&c);

	/* before 0.9.98 the [scripts.setup] table does not exist, so the
	 * profile's setup = 'db-generate' names an unknown script: nextest
	 * refuses the config */
	must_fail(LOAD_V(&c, ws, NX_VERSION(0, 9, 97), "cargo-nextest", "nextest", "run"), &c,
		  "unknown setup script");
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, setup_script_relative_to_target)
{
	char *ws = workspace("experimental = ['setup-scripts']\n"
			     "[scripts.setup.t]\n"
			     "command = { command-line = 'debug/gen --x', relative-to = 'target' }\n"
			     "[scripts.setup.abs]\n"
			     "command = { command-line = '/bin/true', relative-to = 'target' }\n");
	struct nx_config c;
	char want[PATH_MAX];
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c);
	snprintf(want, sizeof want, "%s/target/debug/gen", ws);
	cr_assert_str_eq(c.scripts[0].program, want);
	cr_assert_str_eq(c.scripts[1].program, "/bin/true");
	nx_config_free(&c);
	char *env[] = { "CARGO_TARGET_DIR=/tmp/tgt", NULL };
	must_load(LOAD_ENV(&c, ws, env, "cargo-nextest", "nextest", "run"), &c);
	cr_assert_str_eq(c.scripts[0].program, "/tmp/tgt/debug/gen");
	nx_config_free(&c);
	char *rel[] = { "CARGO_TARGET_DIR=out", NULL };
	must_load(LOAD_ENV(&c, ws, rel, "cargo-nextest", "nextest", "run"), &c);
	snprintf(want, sizeof want, "%s/out/debug/gen", ws);
	cr_assert_str_eq(c.scripts[0].program, want);
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, setup_scripts_old_syntax)
{
	char *ws = workspace(
		"experimental = [\"setup-scripts\"]\n"
		"[script.db]\ncommand = 'make db'\n"
		"[script.cache]\ncommand = ['warm', 'cache']\nslow-timeout = '3s'\n"
		"[[profile.default.scripts]]\nfilter = 'all()'\nsetup = ['cache', 'db']\n");
	struct nx_config c;
	must_load(LOAD_V(&c, ws, NX_VERSION(0, 9, 90), "cargo-nextest", "nextest", "run"), &c);
	cr_assert_eq(c.nscripts, 2);
	/* run order is definition order, not the order in `setup` */
	cr_assert_str_eq(c.scripts[0].id, "db");
	cr_assert_str_eq(c.scripts[1].id, "cache");
	cr_assert_eq(c.scripts[1].slow.period_ns, 3 * S);
	cr_assert_eq(nx_config_script_applies(&c, 0, "p", "t", NULL, NULL), 1);
	nx_config_free(&c);
	/* still accepted (deprecated) on current versions */
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c);
	cr_assert_eq(c.nscripts, 2);
	nx_config_free(&c);
	/* before 0.9.59 there are no setup scripts */
	must_load(LOAD_V(&c, ws, NX_VERSION(0, 9, 58), "cargo-nextest", "nextest", "run"), &c);
	cr_assert_eq(c.nscripts, 0);
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, setup_script_errors)
{
	struct nx_config c;
	char *ws = workspace("[scripts.setup.a]\ncommand = 'x'\n");
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c, "experimental");
	nx_config_free(&c);
	rmrf(ws);
	ws = workspace("[experimental]\nsetup-scripts = true\n[scripts.setup.a]\ncommand = 'x'\n");
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c);
	cr_assert_eq(c.nscripts, 1);
	nx_config_free(&c);
	rmrf(ws);
	ws = workspace("experimental = ['setup-scripts']\n[script.a]\ncommand = 'x'\n[scripts.setup.b]\ncommand = 'y'\n");
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c, "both");
	nx_config_free(&c);
	rmrf(ws);
	ws = workspace("experimental = ['setup-scripts']\n[scripts.setup.a]\ncommand = 'x'\n[[profile.default.scripts]]\nfilter='all()'\nsetup = 'zz'\n");
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c, "unknown setup script");
	nx_config_free(&c);
	rmrf(ws);
	ws = workspace("experimental = ['setup-scripts']\n[scripts.setup.a]\ncommand = 'unterminated \"quote'\n");
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c, "cannot split");
	nx_config_free(&c);
	rmrf(ws);
	ws = workspace("experimental = ['setup-scripts']\n[scripts.setup.a]\ncommand = []\n");
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c, "empty command");
	nx_config_free(&c);
	rmrf(ws);
	ws = workspace("experimental = ['setup-scripts']\n[scripts.setup.a]\ncommand = 'x'\n[[profile.default.scripts]]\nsetup = 'a'\n");
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c, "platform and filter");
	nx_config_free(&c);
	rmrf(ws);
}

/* ---- bad configs ---- */

/* An override whose filter has a regex, with libpcre2-8 missing: the load
 * reports the regex as unsupported (the runner then runs without the
 * configuration, never breaks); with the library the same file loads. */
Test(config, regex_override_with_pcre2)
{
	static const char TOML[] = "[[profile.default.overrides]]\n"
				   "filter = 'test(/^a[\\d_]b$/)'\n"
				   "retries = 3\n";
	char *ws = workspace(TOML);
	struct nx_config c;
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c);
	cr_assert_eq(T(&c, "fx", "a_b").retries.count, 3);
	cr_assert_eq(T(&c, "fx", "axb").retries.count, 0);
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, regex_override_without_pcre2_is_unsupported)
{
	nx_rustregex_use_library("libpcre2-8-not-installed.so.0");
	char *ws = workspace("[[profile.default.overrides]]\nfilter = 'test(/a/)'\nretries = 3\n");
	struct nx_config c;
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c, "unsupported regex");
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, invalid_configs_fail_cleanly)
{
	static const struct {
		const char *toml, *needle;
	} cases[] = {
		{ "[profile.default\nretries = 1\n", "line 1" },
		{ "[profile.default]\nretries = -1\n", "retries" },
		{ "[profile.default]\nretries = 'three'\n", "retries" },
		{ "[profile.default]\nretries = { backoff = 'linear', count = 1 }\n", "backoff" },
		{ "[profile.default]\nretries = { backoff = 'exponential', count = 1 }\n", "delay" },
		{ "[profile.default]\nretries = { backoff = 'fixed', count = 1, bogus = 1 }\n", "unknown field" },
		{ "[profile.default]\nslow-timeout = '60'\n", "invalid duration" },
		{ "[profile.default]\nslow-timeout = { period = 5 }\n", "duration string" },
		{ "[profile.default]\nslow-timeout = { period = '1s', terminate-after = 0 }\n", "terminate-after" },
		{ "[profile.default]\nslow-timeout = { period = '1s', on-timeout = 'maybe' }\n", "on-timeout" },
		{ "[profile.default]\nslow-timeout = 5\n", "slow-timeout" },
		{ "[profile.default]\nleak-timeout = { result = 'fail' }\n", "period" },
		{ "[profile.default]\nstatus-level = 'loud'\n", "status level" },
		{ "[profile.default]\nfail-fast = 'yes'\n", "fail-fast" },
		{ "[[profile.default.overrides]]\nretries = 1\n", "platform and filter" },
		{ "[[profile.default.overrides]]\nfilter = 'test(a'\n", "invalid filter" },
		{ "[[profile.default.overrides]]\nfilter = 'all()'\ntest-group = 'nope'\n", "unknown test group" },
		{ "[[profile.default.overrides]]\nplatform = 'cfg(unix'\n", "platform spec" },
		{ "[[profile.default.overrides]]\nfilter = 'all()'\npriority = 101\n", "priority" },
		{ "[[profile.default.overrides]]\nfilter = 'all()'\ndefault-filter = 'all()'\n", "default-filter" },
		{ "[test-groups.g]\nmax-threads = 0\n", "max-threads" },
		{ "[test-groups.g]\n", "max-threads" },
		{ "[test-groups.'@bad']\nmax-threads = 1\n", "reserved" },
		{ "[profile.default]\ndefault-filter = 'nope('\n", "default-filter" },
		{ "[profile.default]\nthreads-required = 0\n", "threads-required" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *ws = workspace(cases[i].toml);
		struct nx_config c;
		int rc = LOAD(&c, ws, "cargo-nextest", "nextest", "run");
		cr_assert_eq(rc, -1, "case %zu should fail:\n%s", i, cases[i].toml);
		cr_assert(strstr(c.error, cases[i].needle) != NULL, "case %zu: error '%s' lacks '%s'", i, c.error,
			  cases[i].needle);
		nx_config_free(&c);
		rmrf(ws);
	}
}

Test(config, garbage_files_never_crash)
{
	char *ws = workspace(NULL);
	static const char alphabet[] = "[]{}=\"'.,#\n \\profile.default retries slow-timeout 1s 0x";
	unsigned seed = 4242;
	char buf[300];
	int ok = 0;
	for (int round = 0; round < 300; round++) {
		size_t len = (size_t)(round % 250) + 1;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		buf[len] = 0;
		write_file(ws, ".config/nextest.toml", buf);
		struct nx_config c;
		int rc = LOAD(&c, ws, "cargo-nextest", "nextest", "run");
		cr_assert(rc == 0 || rc == -1);
		if (rc == 0) {
			ok++;
			struct nx_test_settings s = T(&c, "p", "t");
			cr_assert_eq(s.total_attempts, s.retries.count + 1);
		} else {
			cr_assert(c.error[0] == 0 || strlen(c.error) < sizeof c.error);
		}
		nx_config_free(&c);
	}
	cr_assert(ok > 0);
	rmrf(ws);
}

/* ---- workspace discovery ---- */

Test(config, workspace_root_discovery)
{
	char *ws = workspace("[profile.default]\nretries = 6\n");
	write_file(ws, "a/Cargo.toml", "[package]\nname = \"a\"\n");
	write_file(ws, "a/src/lib.rs", "");
	char sub[PATH_MAX], manifest[PATH_MAX], real[PATH_MAX];
	snprintf(sub, sizeof sub, "%s/a/src", ws);
	snprintf(manifest, sizeof manifest, "%s/a/Cargo.toml", ws);
	cr_assert_not_null(realpath(ws, real));
	struct nx_config c;
	/* from the cwd, walking up past the package to the [workspace] */
	char old[PATH_MAX];
	cr_assert_not_null(getcwd(old, sizeof old));
	cr_assert_eq(chdir(sub), 0);
	must_load(LOAD_V(&c, NULL, 0, "cargo-nextest", "nextest", "run"), &c);
	cr_assert_eq(chdir(old), 0);
	cr_assert_str_eq(c.workspace_root, real);
	cr_assert_eq(T(&c, "p", "t").retries.count, 6);
	nx_config_free(&c);
	/* from --manifest-path */
	must_load(LOAD_V(&c, NULL, 0, "cargo-nextest", "nextest", "run", "--manifest-path", manifest), &c);
	cr_assert_str_eq(c.workspace_root, real);
	nx_config_free(&c);
	/* the simulator's --workspace-dir */
	must_load(LOAD_V(&c, NULL, 0, "nextest-sim", "run", "--workspace-dir", sub), &c);
	cr_assert_str_eq(c.workspace_root, real);
	nx_config_free(&c);
	rmrf(ws);
}

Test(config, ncpus_is_sane)
{
	unsigned n = nx_cpus_available();
	cr_assert_geq(n, 1);
	cr_assert_leq(n, (unsigned)sysconf(_SC_NPROCESSORS_CONF));
	cr_assert_eq(nx_config_parse_version("0.9.143"), NX_VERSION(0, 9, 143));
	cr_assert_eq(nx_config_parse_version("cargo-nextest 0.9.90"), NX_VERSION(0, 9, 90));
	cr_assert_eq(nx_config_parse_version("x"), 0);
	cr_assert_eq(nx_config_parse_version(NULL), 0);
}

Test(config, partial_tables_merge_with_builtin_defaults)
{
	/* profile.default's table merges with the built-in
	 * { period = "60s", on-timeout = "fail" }, so a partial table is fine
	 * there; a custom profile's partial table has nothing to merge with */
	char *ws = workspace("[profile.default]\nslow-timeout = { terminate-after = 2 }\n"
			     "[profile.ci]\nslow-timeout = { terminate-after = 3 }\n");
	struct nx_config c;
	must_load(LOAD(&c, ws, "cargo-nextest", "nextest", "run"), &c);
	struct nx_test_settings s = T(&c, "p", "t");
	cr_assert_eq(s.slow.period_ns, 60 * S);
	cr_assert_eq(s.slow.terminate_after, 2);
	nx_config_free(&c);
	must_fail(LOAD(&c, ws, "cargo-nextest", "nextest", "run", "-P", "ci"), &c, "period");
	nx_config_free(&c);
	rmrf(ws);
}
