/* libtest.h — parsing nextest's libtest-json / libtest-json-plus lines (fd 1).
 *
 * Not part of the library: the runner's human reporter (fd 2) carries
 * everything the probes need on every version, and libtest-json lines (test
 * names, results, exec_time) carry nothing it lacks — no run id, attempt id,
 * slot, slow or setup-script event (`nextest-runner/src/reporter/structured/
 * libtest.rs` at cargo-nextest-0.9.143).  Kept here, with its tests and its
 * fuzz target, as a reader of those lines for test tools.
 *
 * Owns: turning one line the runner wrote to stdout into a tagged struct.
 * No JSON library: nextest writes these objects with fixed key order and
 * no whitespace, and does NOT escape test names (a name may contain '"',
 * '\\', '$', '#', "@stress-", even `","exec_time":`).  So the parser walks
 * the fixed layout and takes a name as the raw text up to the delimiter
 * that must follow it, searched from the END of the line:
 *   started / ignored:  name runs to the final `"}` of the line;
 *   ok / failed:        name runs to the LAST `","exec_time":` (what
 *                       follows — exec_time, reason, the escaped "stdout" —
 *                       can never contain a raw `","`).
 * Name layout: <crate>::<binary>[@stress-<i>]$<test>[#<attempts>]; the
 * crate ends at the first "::", the binary at the first '$'.  `#N` (N >= 2,
 * digits only, at the very end) is taken as the attempt count on ok/failed
 * lines only — a test whose own name ends in "#<digits>" is ambiguous there
 * (nextest prints both the same); `test_raw` keeps the unsplit tail.
 *
 * Multi-line objects: with --no-capture, a failed test's "stdout" value
 * contains a literal newline ("\n(stderr not captured)" + LF), so one
 * object spans two lines; the second line is `"}`.  Choice: the first line
 * already holds every field we need, so nx_libtest_parse reports the event with
 * `stdout_open` = 1, and the small stateful nx_libtest_stream_line() swallows the
 * continuation line(s) (NX_LIBTEST_CONTINUATION) until the string closes.  A line
 * starting with `{"type":"` always starts a new object (an escaped string
 * cannot contain a raw quote), so a lost continuation cannot eat an event.
 *
 * exec_time is Rust's f64 Display of Duration::as_secs_f64(); the text is
 * kept and converted to ns by decimal arithmetic (rounded half-up at the
 * tenth fraction digit), which recovers the exact ns below ~9e6 s.
 */
#ifndef NX_LIBTEST_H
#define NX_LIBTEST_H

#include <stddef.h>
#include <stdint.h>

struct nx_libtest_span {
	const char *p;
	size_t n;
};

enum nx_libtest_kind {
	NX_LIBTEST_NONE = 0,
	NX_LIBTEST_SUITE_STARTED,	/* {"type":"suite","event":"started","test_count":N[,"nextest":{…}]} */
	NX_LIBTEST_SUITE_DONE,	/* {"type":"suite","event":"ok|failed","passed":…[,"nextest":{…}]} */
	NX_LIBTEST_TEST_STARTED,	/* {"type":"test","event":"started","name":"…"} */
	NX_LIBTEST_TEST_DONE,	/* {"type":"test","event":"ok|failed","name":"…","exec_time":T…} */
	NX_LIBTEST_TEST_IGNORED,	/* {"type":"test","event":"ignored","name":"…"} */
	NX_LIBTEST_CONTINUATION,	/* stream only: the rest of a multi-line object */
};

struct nx_libtest_event {
	enum nx_libtest_kind kind;
	int failed;			/* DONE events: "failed" (1) vs "ok" (0) */

	/* test events */
	struct nx_libtest_span name;		/* raw, unsplit */
	struct nx_libtest_span crate, binary, test;	/* test: without a "#N" suffix */
	struct nx_libtest_span test_raw;	/* everything after '$' */
	int has_stress;
	uint64_t stress;		/* "@stress-N": 0-based */
	unsigned attempts;		/* "#N"; 1 when absent (DONE), 0 otherwise */
	int has_reason;
	struct nx_libtest_span reason;	/* "time limit exceeded", "flaky test treated as failure" */
	int has_stdout;
	int stdout_open;		/* "stdout" string not closed on this line */

	/* exec_time: TEST_DONE and SUITE_DONE */
	struct nx_libtest_span exec_time;	/* as printed */
	uint64_t exec_nanos;

	/* suite events */
	uint64_t test_count;		/* SUITE_STARTED */
	uint64_t passed, failed_count, ignored, measured, filtered_out;	/* SUITE_DONE */
	int has_nextest;		/* libtest-json-plus object */
	struct nx_libtest_span nx_crate, nx_binary, nx_kind;
	int has_stress_index, has_stress_total;
	uint64_t stress_index, stress_total;
};

/* Parse one complete line (no '\n').  Fills *ev (zeroed first); returns
 * ev->kind.  Stateless. */
enum nx_libtest_kind nx_libtest_parse(const char *line, size_t n, struct nx_libtest_event *ev);

/* The stateful form for a stream of lines (see above). Zero-initialise. */
struct nx_libtest_stream {
	int open;		/* inside a multi-line "stdout" string */
	unsigned open_lines;	/* continuation lines swallowed so far (bounded) */
};

#define NX_LIBTEST_MAX_CONTINUATION 64

enum nx_libtest_kind nx_libtest_stream_line(struct nx_libtest_stream *s, const char *line, size_t n,
				  struct nx_libtest_event *ev);

/* A line that lines.h cut (truncated = 1; `line` is its first bytes): a
 * failed test with a huge "stdout" payload.  Everything we need precedes
 * "stdout", so the event is recovered when the cut falls inside that
 * string (TEST_DONE, stdout_open = 1); any other truncated line yields
 * NX_LIBTEST_NONE.  The rest of the line was discarded by the assembler, so the
 * stream expects no continuation afterwards. */
enum nx_libtest_kind nx_libtest_stream_truncated(struct nx_libtest_stream *s, const char *line, size_t n,
				       struct nx_libtest_event *ev);

#endif
