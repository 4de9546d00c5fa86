/* cmdline.c — parsing the runner's argv (see cmdline.h).
 *
 * Owns: the table of cargo-nextest flags that take a value (cargo-nextest
 * 0.9.143 `cargo-nextest/src/dispatch/`, `cargo_cli.rs`, plus the
 * simulator's own flags) and the walk over argv.
 */
#include "cmdline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cursor.h"
#include "duration.h"

/* Long flags that take a value, written without their "--". */
static const char *const VALUE_FLAGS[] = {
	/* config / global */
	"manifest-path", "config-file", "tool-config-file", "profile", "color",
	"user-config-file",
	/* cargo options */
	"package", "exclude", "bin", "example", "test", "bench", "features",
	"build-jobs", "cargo-profile", "target", "target-dir", "config",
	"cargo-message-format",
	/* filter options */
	"run-ignored", "partition", "platform-filter", "filterset", "filter-expr",
	"rerun", "run-id",
	/* runner options */
	"test-threads", "jobs", "retries", "flaky-result", "max-fail", "no-tests",
	"debugger", "tracer", "stress-count", "stress-duration",
	/* reporter options */
	"failure-output", "success-output", "status-level", "final-status-level",
	"show-progress", "max-progress-running", "message-format",
	"message-format-version",
	/* reuse-build options */
	"archive-file", "archive-format", "extract-to", "cargo-metadata",
	"workspace-remap", "binaries-metadata", "target-dir-remap",
	/* nextest-sim */
	"truth", "spawn-path", "reaper", "workspace-dir",
};

/* Short flags that take a value. */
static const char SHORT_VALUE_FLAGS[] = "PjpFERZ";

static int is_value_flag(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof VALUE_FLAGS / sizeof VALUE_FLAGS[0]; i++)
		if (strlen(VALUE_FLAGS[i]) == len && !memcmp(VALUE_FLAGS[i], name, len))
			return 1;
	return 0;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (!s || !*s)
		return -1;
	if (*s == '+')
		s++;
	size_t n = strlen(s);
	uint64_t v;
	if (!n || nx_cursor_decimal(s, n, &v) != n || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Apply one recognised flag (name without dashes, or a one-letter short). */
static int apply(struct nx_cmdline *c, const char *name, const char *val)
{
#define IS(x) (!strcmp(name, x))
	if (IS("profile") || IS("P"))
		c->profile = val;
	else if (IS("test-threads") || IS("jobs") || IS("j"))
		c->test_threads = val;
	else if (IS("retries")) {
		uint64_t v;
		if (parse_u64(val, UINT32_MAX, &v))
			return -1;
		c->has_retries = 1;
		c->retries = (uint32_t)v;
	} else if (IS("flaky-result"))
		c->flaky_result = val;
	else if (IS("stress-count")) {
		if (!strcmp(val, "infinite")) {
			c->stress = NX_STRESS_INFINITE;
		} else {
			uint64_t v;
			if (parse_u64(val, UINT32_MAX, &v) || v == 0)
				return -1;
			c->stress = NX_STRESS_COUNT;
			c->stress_count = v;
		}
	} else if (IS("stress-duration")) {
		uint64_t ns;
		if (nx_duration_parse(val, &ns) || ns == 0)
			return -1;
		c->stress = NX_STRESS_DURATION;
		c->stress_duration_ns = ns;
	} else if (IS("max-fail"))
		c->max_fail = val;
	else if (IS("run-ignored"))
		c->run_ignored = val;
	else if (IS("status-level"))
		c->status_level = val;
	else if (IS("final-status-level"))
		c->final_status_level = val;
	else if (IS("failure-output"))
		c->failure_output = val;
	else if (IS("success-output"))
		c->success_output = val;
	else if (IS("message-format"))
		c->message_format = val;
	else if (IS("message-format-version"))
		c->message_format_version = val;
	else if (IS("show-progress"))
		c->show_progress = val;
	else if (IS("debugger"))
		c->debugger = val;
	else if (IS("tracer"))
		c->tracer = val;
	else if (IS("manifest-path"))
		c->manifest_path = val;
	else if (IS("config-file"))
		c->config_file = val;
	else if (IS("tool-config-file")) {
		if (c->n_tool_config_files == NX_CMDLINE_MAX_TOOL_CONFIGS)
			return -1;
		c->tool_config_files[c->n_tool_config_files++] = val;
	} else if (IS("workspace-dir"))
		c->workspace_dir = val;
	return 0;
#undef IS
}

static void apply_bool(struct nx_cmdline *c, const char *name)
{
	if (!strcmp(name, "no-capture") || !strcmp(name, "nocapture"))
		c->no_capture = 1;
	else if (!strcmp(name, "fail-fast") || !strcmp(name, "ff"))
		c->fail_fast = 1;
	else if (!strcmp(name, "no-fail-fast") || !strcmp(name, "nff"))
		c->fail_fast = 0;
	else if (!strcmp(name, "no-run"))
		c->no_run = 1;
	else if (!strcmp(name, "hide-progress-bar"))
		c->hide_progress_bar = 1;
}

static int is_subcommand_run(const char *a, int *bench)
{
	*bench = !strcmp(a, "bench") || !strcmp(a, "b");
	return *bench || !strcmp(a, "run") || !strcmp(a, "r") || !strcmp(a, "ntr");
}

int nx_cmdline_parse(struct nx_cmdline *c, int argc, char *const argv[])
{
	memset(c, 0, sizeof *c);
	c->fail_fast = -1;
	if (argc < 1 || !argv)
		return 0;
	int seen_sub = 0, seen_nextest = 0, after_dashes = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!a)
			break;
		if (after_dashes) {
			if (!strcmp(a, "--nocapture"))
				c->libtest_nocapture = 1;
			else if (!strcmp(a, "--ignored"))
				c->run_ignored = "only";
			else if (!strcmp(a, "--include-ignored"))
				c->run_ignored = "all";
			else if (a[0] != '-')
				c->n_filters++;
			continue;
		}
		if (!strcmp(a, "--")) {
			after_dashes = 1;
			continue;
		}
		if (a[0] == '-' && a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			char nbuf[64];
			if (len >= sizeof nbuf)
				continue;	/* no flag of ours is that long */
			memcpy(nbuf, name, len);
			nbuf[len] = 0;
			if (!strcmp(nbuf, "timings"))
				continue;	/* value only with '=' (require_equals) */
			if (is_value_flag(nbuf, len)) {
				const char *val = eq ? eq + 1 : NULL;
				if (!val) {
					if (i + 1 >= argc || !argv[i + 1])
						return -1;
					val = argv[++i];
				}
				if (apply(c, nbuf, val))
					return -1;
			} else {
				apply_bool(c, nbuf);
			}
			continue;
		}
		if (a[0] == '-' && a[1]) {
			/* short flags: a value flag takes the rest or the next arg */
			for (const char *s = a + 1; *s; s++) {
				if (!strchr(SHORT_VALUE_FLAGS, *s))
					continue;	/* -v, -r, -q … */
				const char *val = s[1] ? s + 1 : NULL;
				if (val && *val == '=')
					val++;
				if (!val) {
					if (i + 1 >= argc || !argv[i + 1])
						return -1;
					val = argv[++i];
				}
				char nm[2] = { *s, 0 };
				if (apply(c, nm, val))
					return -1;
				break;
			}
			continue;
		}
		/* positional */
		int bench;
		if (!seen_sub && !seen_nextest && !strcmp(a, "nextest")) {
			seen_nextest = 1;
		} else if (!seen_sub && is_subcommand_run(a, &bench)) {
			seen_sub = 1;
			c->is_run = 1;
			c->is_bench = bench;
		} else if (!seen_sub) {
			seen_sub = 1;	/* list, archive, show-config, … */
			c->is_run = 0;
		} else {
			c->n_filters++;
		}
	}
	return 0;
}

int nx_cmdline_read_self(char **buf_out, char ***argv_out)
{
	*buf_out = NULL;
	*argv_out = NULL;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t cap = 4096, len = 0;
	const size_t max = 1u << 20;
	char *buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			if (cap >= max)
				break;
			char *nb = realloc(buf, cap * 2 + 1);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = 0;
	int argc = 0;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == 0)
			argc++;
	if (len && buf[len - 1] != 0)
		argc++;
	char **argv = calloc((size_t)argc + 1, sizeof *argv);
	if (!argv) {
		free(buf);
		return -1;
	}
	int k = 0;
	for (size_t i = 0; i < len && k < argc; i += strlen(buf + i) + 1)
		argv[k++] = buf + i;
	*buf_out = buf;
	*argv_out = argv;
	return k;
}
