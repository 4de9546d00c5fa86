#!/usr/sbin/dtrace -qs
/*
 * test-attempt-start.d — every test attempt as it starts: its arg0 JSON
 *
 * DTrace version of test-attempt-start.bt (macOS, illumos, FreeBSD).  NOT RUN in this project's CI (Linux
 * only): written from the DTrace guide and nextest's documented one-liners, keep it simple.
 * The library's provider is nextest<pid>, module libnextest_probes.{so,dylib}, so probes
 * are matched as nextest*:::<probe> (nextest's own '*:cargo-nextest::' form names the
 * cargo-nextest binary, which does not fire them here).  String arguments are user
 * pointers: copyinstr().  json() (illumos/FreeBSD; not confirmed on macOS) reads arg0's
 * "ok." keys.  Run as root:  dtrace -qs test-attempt-start.d   (then start the run with the library
 * inserted: see docs/macos.md).
 * Raise the string size for the whole JSON: dtrace -x strsize=4096 -qs test-attempt-start.d
 * Linux equivalent and example output: tracer-scripts/test-attempt-start.bt, tracer-scripts/examples/test-attempt-start.txt
 */
#pragma D option strsize=4096

nextest*:::test-attempt-start
{
	printf("%s\n", copyinstr(arg0));
}
