/* test_cmdline.c — parsing the runner's argv (preload/engine/parse/cmdline.c).
 *
 * Owns: real cargo-nextest argv shapes (cargo passes `cargo-nextest nextest
 * run …`), `ntr`, bench, the simulator, value forms (--x v, --x=v, -jN),
 * skipping of unknown value flags, the `--` separator, and malformed values.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../preload/engine/parse/cmdline.h"

#define ARGV(...) ((char *const[]){ __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *const[]){ __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(c, ...) nx_cmdline_parse((c), ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

Test(cmdline, cargo_nextest_run_full)
{
	struct nx_cmdline c;
	cr_assert_eq(PARSE(&c, "/root/.cargo/bin/cargo-nextest", "nextest", "run", "-P", "ci", "-j", "4",
			   "--retries", "2", "--no-fail-fast", "--status-level", "slow",
			   "--final-status-level=none", "--message-format", "libtest-json-plus",
			   "--stress-count", "5", "--config-file", "/tmp/n.toml", "--tool-config-file",
			   "my-tool:/abs/tool.toml", "--manifest-path", "/ws/Cargo.toml", "--workspace",
			   "filter1", "--", "filter2"),
		     0);
	cr_assert_eq(c.is_run, 1);
	cr_assert_eq(c.is_bench, 0);
	cr_assert_str_eq(c.profile, "ci");
	cr_assert_str_eq(c.test_threads, "4");
	cr_assert_eq(c.has_retries, 1);
	cr_assert_eq(c.retries, 2);
	cr_assert_eq(c.fail_fast, 0);
	cr_assert_str_eq(c.status_level, "slow");
	cr_assert_str_eq(c.final_status_level, "none");
	cr_assert_str_eq(c.message_format, "libtest-json-plus");
	cr_assert_eq(c.stress, NX_STRESS_COUNT);
	cr_assert_eq(c.stress_count, 5);
	cr_assert_str_eq(c.config_file, "/tmp/n.toml");
	cr_assert_eq(c.n_tool_config_files, 1);
	cr_assert_str_eq(c.tool_config_files[0], "my-tool:/abs/tool.toml");
	cr_assert_str_eq(c.manifest_path, "/ws/Cargo.toml");
	cr_assert_eq(c.n_filters, 2);
	cr_assert_eq(c.no_capture, 0);
}

Test(cmdline, defaults_when_absent)
{
	struct nx_cmdline c;
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run"), 0);
	cr_assert_eq(c.is_run, 1);
	cr_assert_null(c.profile);
	cr_assert_null(c.test_threads);
	cr_assert_eq(c.has_retries, 0);
	cr_assert_eq(c.fail_fast, -1);
	cr_assert_eq(c.stress, NX_STRESS_NONE);
	cr_assert_eq(c.n_filters, 0);
}

Test(cmdline, short_and_inline_forms)
{
	struct nx_cmdline c;
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "-j8", "-Pci", "--retries=3",
			   "--test-threads=-1"),
		     0);
	/* the last -j/--test-threads wins, as clap does */
	cr_assert_str_eq(c.test_threads, "-1");
	cr_assert_str_eq(c.profile, "ci");
	cr_assert_eq(c.retries, 3);
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--jobs", "num-cpus", "-P=x"), 0);
	cr_assert_str_eq(c.test_threads, "num-cpus");
	cr_assert_str_eq(c.profile, "x");
}

Test(cmdline, ntr_bench_and_other_subcommands)
{
	struct nx_cmdline c;
	cr_assert_eq(PARSE(&c, "cargo-nextest", "ntr", "--no-capture"), 0);
	cr_assert_eq(c.is_run, 1);
	cr_assert_eq(c.no_capture, 1);
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "bench", "--nocapture"), 0);
	cr_assert_eq(c.is_run, 1);
	cr_assert_eq(c.is_bench, 1);
	cr_assert_eq(c.no_capture, 1);
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "list", "run"), 0);
	cr_assert_eq(c.is_run, 0);
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "show-config", "test-groups"), 0);
	cr_assert_eq(c.is_run, 0);
	/* global options before the subcommand */
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "--manifest-path", "run", "run", "-P", "p"), 0);
	cr_assert_eq(c.is_run, 1);
	cr_assert_str_eq(c.manifest_path, "run");
	cr_assert_str_eq(c.profile, "p");
}

Test(cmdline, simulator)
{
	struct nx_cmdline c;
	cr_assert_eq(PARSE(&c, "build/nextest-sim", "run", "--truth",
			   "/tmp/t.jsonl", "--workspace-dir", "/ws", "--spawn-path", "fork", "--reaper",
			   "sigchld", "-j", "1", "--stress-duration", "1m 30s"),
		     0);
	cr_assert_eq(c.is_run, 1);
	cr_assert_str_eq(c.workspace_dir, "/ws");
	cr_assert_str_eq(c.test_threads, "1");
	cr_assert_eq(c.stress, NX_STRESS_DURATION);
	cr_assert_eq(c.stress_duration_ns, 90000000000ull);
	cr_assert_eq(c.n_filters, 0, "sim flag values must not count as filters");
	cr_assert_eq(PARSE(&c, "nextest-sim", "nextest", "run", "--stress-count", "infinite"), 0);
	cr_assert_eq(c.stress, NX_STRESS_INFINITE);
}

Test(cmdline, unknown_value_flags_are_skipped)
{
	struct nx_cmdline c;
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--package", "fx-basic", "-p", "fx-many",
			   "-E", "test(a)", "--features", "x y", "--target", "x86_64-unknown-linux-gnu",
			   "--partition", "count:1/2", "--cargo-profile", "dev", "--timings", "-v",
			   "--release", "--color", "always", "realfilter"),
		     0);
	cr_assert_eq(c.n_filters, 1);
	cr_assert_null(c.profile);
	cr_assert_eq(c.is_run, 1);
}

Test(cmdline, double_dash_libtest_args)
{
	struct nx_cmdline c;
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--", "--nocapture", "--ignored", "name"),
		     0);
	cr_assert_eq(c.no_capture, 0);
	cr_assert_eq(c.libtest_nocapture, 1);
	cr_assert_str_eq(c.run_ignored, "only");
	cr_assert_eq(c.n_filters, 1);
	/* after --, flags of ours are not flags */
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--", "-j", "4", "--include-ignored"), 0);
	cr_assert_null(c.test_threads);
	cr_assert_str_eq(c.run_ignored, "all");
}

Test(cmdline, fail_fast_and_max_fail)
{
	struct nx_cmdline c;
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--ff"), 0);
	cr_assert_eq(c.fail_fast, 1);
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--fail-fast", "--nff"), 0);
	cr_assert_eq(c.fail_fast, 0);
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--max-fail=3:immediate"), 0);
	cr_assert_str_eq(c.max_fail, "3:immediate");
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--run-ignored", "all", "--no-run"), 0);
	cr_assert_str_eq(c.run_ignored, "all");
	cr_assert_eq(c.no_run, 1);
}

Test(cmdline, malformed_values)
{
	struct nx_cmdline c;
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--retries", "x"), -1);
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--retries", "-1"), -1);
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--retries", "4294967296"), -1);
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--stress-count", "0"), -1);
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--stress-count", "lots"), -1);
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--stress-duration", "0s"), -1);
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--stress-duration", "10"), -1);
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "--profile"), -1);
	cr_assert_eq(PARSE(&c, "cargo-nextest", "nextest", "run", "-j"), -1);
	cr_assert_eq(nx_cmdline_parse(&c, 0, NULL), 0);
	cr_assert_eq(c.is_run, 0);
}

Test(cmdline, reads_own_cmdline)
{
	char *buf;
	char **argv;
	int argc = nx_cmdline_read_self(&buf, &argv);
	cr_assert_gt(argc, 0);
	cr_assert_not_null(argv[0]);
	cr_assert_null(argv[argc]);
	/* the words, NUL-joined, are exactly the file's bytes */
	FILE *f = fopen("/proc/self/cmdline", "r");
	cr_assert_not_null(f);
	char raw[8192];
	size_t n = fread(raw, 1, sizeof raw, f);
	fclose(f);
	size_t off = 0;
	for (int i = 0; i < argc; i++) {
		cr_assert_str_eq(argv[i], raw + off);
		off += strlen(argv[i]) + 1;
	}
	cr_assert_eq(off, n);
	free(argv);
	free(buf);
}
