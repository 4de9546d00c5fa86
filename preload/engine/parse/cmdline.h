/* cmdline.h — the runner's own argv, as cargo-nextest's clap parser sees it.
 *
 * Owns: recognising a run invocation (`cargo-nextest nextest run …`,
 * `cargo-nextest ntr …`, `cargo-nextest nextest bench …`, the simulator's
 * `nextest-sim [nextest] run …`) and extracting the flags that change what
 * the probes report: profile, test threads, retries, no-capture, stress,
 * fail-fast / max-fail, run-ignored, status levels, message format, config
 * files, manifest path (+ the simulator's --workspace-dir).
 * Every other cargo-nextest flag is skipped with its value (the table of
 * value-taking flags is in cmdline.c), so positional filters are not
 * mistaken for values.  Supports `--flag value`, `--flag=value`, `-j4`,
 * `-j 4`, and the `--` separator (after it, libtest-style `--nocapture`,
 * `--ignored`, `--include-ignored` are noted; everything else is a filter).
 * Only argv is read here: environment variables and config are applied by
 * config.c (CLI > env > config).  Strings point into argv (no copies).
 */
#ifndef NX_CMDLINE_H
#define NX_CMDLINE_H

#include <stdint.h>

#define NX_CMDLINE_MAX_TOOL_CONFIGS 16

enum nx_stress_kind {
	NX_STRESS_NONE = 0,
	NX_STRESS_COUNT,
	NX_STRESS_INFINITE,
	NX_STRESS_DURATION,
};

struct nx_cmdline {
	int is_run;			/* a `run` / `ntr` / `bench` invocation */
	int is_bench;			/* `bench` (0.9.117+) */
	int no_run;			/* --no-run */
	const char *profile;		/* -P / --profile */
	const char *test_threads;	/* -j / --test-threads / --jobs (raw text) */
	int has_retries;
	uint32_t retries;		/* --retries N */
	const char *flaky_result;	/* --flaky-result */
	int no_capture;			/* --no-capture / --nocapture */
	int libtest_nocapture;		/* `-- --nocapture` (counts from 0.9.133) */
	enum nx_stress_kind stress;	/* --stress-count / --stress-duration */
	uint64_t stress_count;
	uint64_t stress_duration_ns;
	int fail_fast;			/* -1 unset, 0 --no-fail-fast, 1 --fail-fast */
	const char *max_fail;		/* --max-fail N[:MODE] | all */
	const char *run_ignored;	/* --run-ignored default|only|all */
	const char *status_level;
	const char *final_status_level;
	const char *failure_output;
	const char *success_output;
	const char *message_format;
	const char *message_format_version;
	const char *show_progress;
	int hide_progress_bar;		/* --hide-progress-bar */
	const char *debugger;		/* --debugger */
	const char *tracer;		/* --tracer */
	const char *manifest_path;
	const char *config_file;
	const char *tool_config_files[NX_CMDLINE_MAX_TOOL_CONFIGS];	/* TOOL:ABS_PATH */
	int n_tool_config_files;
	const char *workspace_dir;	/* nextest-sim --workspace-dir */
	int n_filters;			/* positional filters (incl. after --) */
};

/* Parse argv.  Returns 0 (c->is_run says whether it is a run) or -1 if a
 * flag the probes depend on has a malformed value (e.g. --retries x,
 * --stress-count 0, a missing value); nextest itself would exit then. */
int nx_cmdline_parse(struct nx_cmdline *c, int argc, char *const argv[]);

/* Reads /proc/self/cmdline into a NUL-separated buffer and an argv array
 * (both malloc'd; *argv_out[i] point into *buf_out).  Returns argc or -1. */
int nx_cmdline_read_self(char **buf_out, char ***argv_out);

#endif
