/* reporter.h — parsing the human reporter's stderr lines (nextest 0.9.48 → 0.9.143).
 *
 * Owns: turning one line the runner wrote to fd 2 into a tagged struct.
 * The parse functions never allocate, never write outside the caller's
 * struct (and, for nx_reporter_parse_raw, the caller's scratch buffer), and
 * return NX_REPORTER_NONE for anything that is not a line they know.  Spans
 * point into the text that was parsed (the scratch buffer for
 * nx_reporter_parse_raw), so they live as long as that text.
 *
 * Not handled here (the caller's business): lines repeated after the
 * Summary (final-status-level output reuses the PASS/FAIL/SLOW/FLAKY/SKIP
 * formats), and test output echoed to stderr by --no-capture or
 * failure-output that happens to look like a status line.
 *
 * Known ambiguities (nextest prints them identically):
 *  - "SLOW" with a [>…] field is a running slow notice; "SLOW" with a
 *    plain [ …s] duration is the final "slow pass" line (field tells).
 *  - TERMINATING of a setup script vs of a test: a script instance is
 *    "<script_id>: <command>" — the first token ends with ':'; a binary ID
 *    never does.
 */
#ifndef NX_REPORTER_H
#define NX_REPORTER_H

#include <stddef.h>
#include <stdint.h>

struct nx_reporter_span {
	const char *p;
	size_t n;
};

enum nx_reporter_kind {
	NX_REPORTER_NONE = 0,
	NX_REPORTER_RUN_ID,		/* " Nextest run ID <uuid> with nextest profile: <p>" (0.9.75+) */
	NX_REPORTER_STARTING,	/* "Starting N tests across M binaries[ (…)]" */
	NX_REPORTER_SETUP,		/* a setup-script status line */
	NX_REPORTER_TEST,		/* a per-test status line */
	NX_REPORTER_CANCEL,		/* "Cancelling/Canceling/Killing [due to R: ]…" */
	NX_REPORTER_PAUSE,		/* "Pausing …" */
	NX_REPORTER_CONTINUE,	/* "Continuing …" */
	NX_REPORTER_STRESS_START,	/* "Stress test iteration i[/n] (…)" (0.9.103+) */
	NX_REPORTER_STRESS_DONE,	/* "Stress test [ t] iteration i[/n]: … run: …" (0.9.104+) */
	NX_REPORTER_SUMMARY,		/* "Summary [ t] …" */
	NX_REPORTER_WARNING,		/* "warning: …" */
};

/* What a status line says happened. TRY-prefixed and SETUP-prefixed forms
 * map to the same values (short forms FL+LK, LKFAIL, TMPASS, TMT, TRMNTG,
 * "SIG n", "<NAME>" included). */
enum nx_reporter_status {
	NX_ST_NONE = 0,
	NX_ST_PASS,
	NX_ST_FAIL,
	NX_ST_FAIL_LEAK,	/* "FAIL + LEAK", short "FL+LK" */
	NX_ST_SIGNAL,		/* "SIG<NAME>", "ABORT SIG <n>", short "<NAME>" / "SIG <n>" */
	NX_ST_ABORT,		/* plain "ABORT" (Windows) */
	NX_ST_XFAIL,		/* exec fail */
	NX_ST_LEAK,		/* passed, leaked */
	NX_ST_LEAK_FAIL,	/* "LEAK-FAIL", short "LKFAIL" (0.9.95+) */
	NX_ST_TIMEOUT,		/* "TIMEOUT", short "TMT" */
	NX_ST_TIMEOUT_PASS,	/* "TIMEOUT-PASS", short "TMPASS" (0.9.115+) */
	NX_ST_SLOW,		/* "SLOW" / "TRY n SLOW" / "SETUP SLOW" */
	NX_ST_SLOW_LEAK,	/* final "SLOW + LEAK" */
	NX_ST_SLOW_TMPASS,	/* final "SLOW+TMPASS" */
	NX_ST_TERMINATING,	/* "TERMINATING", "TRY n TRMNTG" */
	NX_ST_START,		/* "START", "TRY n START", and the setup "SETUP [i/n]" line */
	NX_ST_SKIP,
	NX_ST_RETRY,		/* "RETRY n/N" (before 0.9.116) */
	NX_ST_DELAY,		/* "DELAY n/N by …" */
	NX_ST_FLAKY,		/* final "FLAKY n/N" */
	NX_ST_FLAKY_FAIL,	/* final "FLKY-FL n/N" (0.9.131+) */
};

enum nx_reporter_field {
	NX_FIELD_NONE = 0,	/* no field (old START lines) */
	NX_FIELD_DURATION,	/* "[   0.004s]" */
	NX_FIELD_SLOW,		/* "[>  1.000s]" */
	NX_FIELD_DELAY,		/* "by   0.500s" */
	NX_FIELD_BLANK,		/* "[         ]" */
	NX_FIELD_INDEX,		/* "[      1/2]" (setup start; setup finish before 0.9.86) */
};

enum nx_reporter_counter {
	NX_COUNTER_NONE = 0,
	NX_COUNTER_VALUE,	/* "( 3/10)" */
	NX_COUNTER_PLACEHOLDER,	/* "(-----)" or "(─────)" */
};

/* NX_REPORTER_SETUP and NX_REPORTER_TEST */
struct nx_reporter_status_line {
	enum nx_reporter_status status;
	struct nx_reporter_span status_text;	/* the status column as printed, trimmed */
	unsigned try_attempt;		/* n of "TRY n …"; 0 when absent */
	unsigned frac_num, frac_den;	/* n/N of RETRY, DELAY, FLAKY, FLKY-FL; 0 when absent */
	int signal;			/* n of "ABORT SIG n" / "SIG n"; 0 otherwise */
	struct nx_reporter_span signame;	/* "SEGV" of "SIGSEGV" / "TRY 2 SEGV"; empty otherwise */
	enum nx_reporter_field field;
	uint64_t nanos;			/* DURATION, SLOW, DELAY: the printed seconds, in ns */
	unsigned index, index_total;	/* INDEX: i/n */
	int has_stress;
	unsigned stress_current;	/* as printed: 1-based */
	unsigned stress_total;		/* 0: none printed (infinite / duration) */
	enum nx_reporter_counter counter;
	unsigned counter_current, counter_total;
	/* tests */
	struct nx_reporter_span binary_id, test_name;
	/* setup scripts (and TERMINATING of a script, which has kind NX_REPORTER_SETUP) */
	struct nx_reporter_span script_id, command;
};

struct nx_reporter_starting {
	uint64_t tests, binaries;
	uint64_t skipped_tests, skipped_binaries;	/* 0 when not printed */
	int benchmarks;				/* "benchmark(s)" wording */
	int via_default_filter;			/* "… skipped via …" / "including … via …" */
	int already_passed;			/* "… that already passed" */
	struct nx_reporter_span run_id, profile;	/* 0.9.68–0.9.74 only; empty otherwise */
};

struct nx_reporter_run_id {
	struct nx_reporter_span run_id, profile;
};

struct nx_reporter_stats {			/* "3/5 tests run: 3 passed (1 slow), …" */
	uint64_t finished, initial;	/* initial == finished when no "/N" */
	uint64_t passed, slow, flaky, leaky;
	uint64_t failed, leaky_failed, exec_failed, timed_out, skipped;
	int benchmarks;
};

struct nx_reporter_summary {
	uint64_t nanos;			/* elapsed */
	int stress;			/* "stress run iteration(s):" form */
	struct nx_reporter_stats stats;	/* !stress */
	uint64_t iter_done, iter_total;	/* stress; iter_total 0 when not printed */
	uint64_t iter_passed, iter_failed;
	struct nx_reporter_span cancel_reason;	/* stress: "; cancelled due to R" */
};

struct nx_reporter_stress {
	uint64_t iteration, total;	/* START: completed+1; DONE: completed. total 0 if none */
	uint64_t nanos;			/* DONE: sub-run elapsed */
	struct nx_reporter_stats stats;	/* DONE */
};

struct nx_reporter_cancel {			/* also PAUSE / CONTINUE */
	int killing;			/* "Killing" */
	struct nx_reporter_span reason;	/* "test failure", "signal", … ; empty when not printed */
	uint64_t running;		/* tests or scripts still running; 0 when not printed */
	int scripts;			/* the count is of setup scripts */
	int immediate;			/* "immediately terminating" */
};

struct nx_reporter_warning {
	struct nx_reporter_span text;	/* after "warning: " */
	uint64_t not_run, initial;	/* "N/M tests were not run"; 0 when absent */
};

struct nx_reporter_line {
	enum nx_reporter_kind kind;
	union {
		struct nx_reporter_run_id run_id;
		struct nx_reporter_starting starting;
		struct nx_reporter_status_line st;	/* SETUP, TEST */
		struct nx_reporter_cancel cancel;	/* CANCEL, PAUSE, CONTINUE */
		struct nx_reporter_stress stress;
		struct nx_reporter_summary summary;
		struct nx_reporter_warning warning;
	} u;
};

/* Parse one line that has already been stripped of ANSI sequences (no '\n').
 * Fills *out (zeroed first) and returns out->kind. */
enum nx_reporter_kind nx_reporter_parse(const char *text, size_t n, struct nx_reporter_line *out);

/* Strip `raw` (see ansi.h) into `scratch` (cap bytes) and parse it; spans
 * point into scratch.  A line longer than cap yields NX_REPORTER_NONE. */
enum nx_reporter_kind nx_reporter_parse_raw(const char *raw, size_t n, char *scratch, size_t cap,
				  struct nx_reporter_line *out);

/* Exact decimal "123.456" seconds (any number of fraction digits, rounded
 * half-up to ns) → ns.  Returns 0 on success, -1 on bad text/overflow. */
int nx_reporter_secs_to_nanos(const char *p, size_t n, uint64_t *nanos);

#endif
