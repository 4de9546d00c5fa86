/* test_version.c — the runner's nextest version from what it shows
 * (preload/engine/observe/version.c): the binary's literal, children's environments, and
 * the decision between them.  Each Criterion test runs in its own process, so
 * the observations start empty in every test. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "config.h"
#include "version.h"

int nx_role;	/* role.c is not linked: never a runner here */

#define V(p) NX_VERSION(0, 9, p)
#define SCAN(s) nx_version_scan((s), sizeof(s) - 1)

Test(version, scan_literals)
{
	/* 0.9.143's layout: the commit date runs straight into the version */
	cr_assert_eq(SCAN("60fa45f632026-08-040.9.143host"), V(143));
	cr_assert_eq(SCAN("missing required argument0.9.130a Display"), V(130));
	cr_assert_eq(SCAN("<!-- md:version 0.9.98 --> and 0.9.48"), V(98));
	cr_assert_eq(SCAN("0.9.100-rc.1"), V(100));
	cr_assert_eq(SCAN("at the very end 0.9.72"), V(72));
}

Test(version, scan_rejects)
{
	/* crate directories of dependencies at 0.9.x */
	cr_assert_eq(SCAN("/registry/src/openssl-sys-0.9.109/src/lib.rs"), 0);
	cr_assert_eq(SCAN("crates/async-scoped-0.9.0/src"), 0);
	cr_assert_eq(SCAN("x_0.9.120 y.0.9.120 /0.9.120"), 0);
	cr_assert_eq(SCAN("0.9.120/src 0.9.120.1 0.9.12345"), 0);
	cr_assert_eq(SCAN("0.9.47 and 0.9.8"), 0, "below 0.9.48 is not a runner version");
	cr_assert_eq(SCAN("no version here 0.9."), 0);
}

static char *temp_file(const char *fill, size_t fill_len, size_t at, const char *tok)
{
	char *path = strdup("/tmp/nx-version-XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	char *buf = malloc(fill_len);
	memset(buf, 'x', fill_len);
	if (fill)
		memcpy(buf, fill, strlen(fill));
	memcpy(buf + at, tok, strlen(tok));
	cr_assert_eq(write(fd, buf, fill_len), (ssize_t)fill_len);
	close(fd);
	free(buf);
	return path;
}

Test(version, file_scan_across_chunks)
{
	/* a token straddling every plausible read-chunk boundary is still seen
	 * whole, and its truncated prefix ("0.9.1") never counts as the version */
	size_t sizes[] = { 64 * 1024, 256 * 1024, 1024 * 1024 };
	for (size_t i = 0; i < 3; i++) {
		for (size_t back = 1; back <= 8; back++) {
			char *p = temp_file(NULL, 2 * 1024 * 1024, sizes[i] - back, " 0.9.117 ");
			cr_assert_eq(nx_version_of_file(p), V(117), "chunk %zu, %zu back", sizes[i], back);
			unlink(p);
			free(p);
		}
	}
	char *p = temp_file(NULL, 4096, 4096 - 7, "0.9.66");
	cr_assert_eq(nx_version_of_file(p), V(66), "a token ending the file counts");
	unlink(p);
	free(p);
	cr_assert_eq(nx_version_of_file("/nonexistent/cargo-nextest"), 0);
}

Test(version, file_scan_reads_only_rodata)
{
	/* this test binary is an ELF file: only its .rodata is scanned, where
	 * the literal below lives */
	static const char lit[] = "unit-test literal 0.9.333";
	cr_assert_eq(nx_version_of_file("/proc/self/exe") >= V(333), 1, "%s", lit);
}

static void note(int kind, const char *const *env)
{
	nx_version_note_child(kind, (char *const *)env);
}

static unsigned resolve_with(unsigned binary, enum nx_version_source *src)
{
	struct nx_version_obs o;
	nx_version_observed(&o);
	o.binary = binary;
	return nx_version_resolve(&o, src);
}

Test(version, env_0_9_143)
{
	const char *list[] = { "NEXTEST_TEST_PHASE=list", "NEXTEST_EXECUTION_MODE=process-per-test",
			       "NEXTEST_VERSION=0.9.143", "NEXTEST_REQUIRED_VERSION=none",
			       "NEXTEST_RUN_ID=x", NULL };
	note(NX_SPAWN_LIST, list);
	enum nx_version_source s;
	cr_assert_eq(resolve_with(V(120), &s), V(143), "the runner's own word beats the binary");
	cr_assert_eq(s, NX_VSRC_ENV);
	struct nx_version_obs o;
	nx_version_observed(&o);
	cr_assert_eq(o.lo, V(138));
}

Test(version, exported_version_without_required_is_ignored)
{
	/* a user exporting NEXTEST_VERSION on an old runner: no REQUIRED_VERSION */
	const char *test[] = { "NEXTEST_VERSION=0.9.140", "NEXTEST_EXECUTION_MODE=process-per-test",
			       "__NEXTEST_ATTEMPT=1", "NEXTEST_RUN_ID=x",
			       "__NEXTEST_ORIGINAL_CARGO_MANIFEST_DIR=/w", NULL };
	note(NX_SPAWN_TEST, test);
	enum nx_version_source s;
	cr_assert_eq(resolve_with(V(72), &s), V(72));
	cr_assert_eq(s, NX_VSRC_BINARY);
	struct nx_version_obs o;
	nx_version_observed(&o);
	cr_assert_eq(o.env, 0);
	cr_assert_eq(o.lo, 0);
	cr_assert_eq(o.hi, V(85), "__NEXTEST_ORIGINAL_CARGO_MANIFEST_DIR");
}

Test(version, bounds_0_9_48_run_phase)
{
	const char *test[] = { "NEXTEST=1", "NEXTEST_EXECUTION_MODE=process-per-test",
			       "NEXTEST_RUN_ID=x", "__NEXTEST_ATTEMPT=1",
			       "__NEXTEST_ORIGINAL_CARGO_MANIFEST_DIR=/w", NULL };
	note(NX_SPAWN_TEST, test);
	struct nx_version_obs o;
	nx_version_observed(&o);
	cr_assert_eq(o.lo, 0);
	cr_assert_eq(o.hi, V(85));
	enum nx_version_source s;
	cr_assert_eq(resolve_with(0, &s), V(85), "no binary literal: the newest the bounds allow");
	cr_assert_eq(s, NX_VSRC_BEHAVIOUR);
	cr_assert_eq(resolve_with(V(48), &s), V(48));
	cr_assert_eq(s, NX_VSRC_BINARY);
	cr_assert_eq(resolve_with(V(143), &s), V(85), "a binary literal the behaviour refutes");
	cr_assert_eq(s, NX_VSRC_BINARY_CLAMPED);
}

Test(version, bounds_0_9_116_and_scripts)
{
	const char *test[] = { "NEXTEST_EXECUTION_MODE=process-per-test", "NEXTEST_TEST_PHASE=run",
			       "NEXTEST_ATTEMPT_ID=r:b$t", "NEXTEST_ATTEMPT=1",
			       "NEXTEST_TEST_GLOBAL_SLOT=0", NULL };
	const char *script[] = { "NEXTEST=1", "NEXTEST_ENV=/tmp/nextest-env", "NEXTEST_RUN_ID=x", NULL };
	note(NX_SPAWN_TEST, test);
	note(NX_SPAWN_SCRIPT, script);
	struct nx_version_obs o;
	nx_version_observed(&o);
	cr_assert_eq(o.lo, V(116));
	cr_assert_eq(o.hi, V(116), "no NEXTEST_RUN_MODE (0.9.117)");
	enum nx_version_source s;
	cr_assert_eq(resolve_with(0, &s), V(116));
}

Test(version, contradictory_bounds_are_ignored)
{
	const char *a[] = { "NEXTEST_EXECUTION_MODE=process-per-test", "NEXTEST_TEST_PHASE=run",
			    "NEXTEST_ATTEMPT_ID=x", "NEXTEST_RUN_MODE=test", "NEXTEST_TEST_GLOBAL_SLOT=0", NULL };
	const char *b[] = { "NEXTEST_EXECUTION_MODE=process-per-test", "__NEXTEST_ATTEMPT=1",
			    "__NEXTEST_ORIGINAL_CARGO_MANIFEST_DIR=/w", NULL };
	note(NX_SPAWN_TEST, a);
	note(NX_SPAWN_TEST, b);
	enum nx_version_source s;
	cr_assert_eq(resolve_with(V(100), &s), V(100));
	cr_assert_eq(s, NX_VSRC_BINARY);
	cr_assert_eq(resolve_with(0, &s), NX_VERSION_LATEST);
	cr_assert_eq(s, NX_VSRC_DEFAULT);
}

Test(version, nothing_observed)
{
	enum nx_version_source s;
	cr_assert_eq(resolve_with(0, &s), NX_VERSION_LATEST);
	cr_assert_eq(s, NX_VSRC_DEFAULT);
	char buf[32];
	cr_assert_str_eq(nx_version_text(V(48), buf, sizeof buf), "0.9.48");
}
