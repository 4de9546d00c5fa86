#!/usr/sbin/dtrace -qs
/*
 * slowest.d — the 10 slowest tests (longest attempt, ms), printed at the end
 *
 * DTrace version of slowest.bt (macOS, illumos, FreeBSD).  NOT RUN in this project's CI (Linux
 * only): written from the DTrace guide and nextest's documented one-liners, keep it simple.
 * The library's provider is nextest<pid>, module libnextest_probes.{so,dylib}, so probes
 * are matched as nextest*:::<probe> (nextest's own '*:cargo-nextest::' form names the
 * cargo-nextest binary, which does not fire them here).  String arguments are user
 * pointers: copyinstr().  json() (illumos/FreeBSD; not confirmed on macOS) reads arg0's
 * "ok." keys.  Run as root:  dtrace -qs slowest.d   (then start the run with the library
 * inserted: see docs/macos.md).
 * Change 10 in trunc() for another N.
 * Linux equivalent and example output: tracer-scripts/slowest.bt, tracer-scripts/examples/slowest.txt
 */

nextest*:::test-attempt-done
{
	@slowest[copyinstr(arg2), copyinstr(arg3)] = max(arg5 / 1000000);
}

END
{
	trunc(@slowest, 10);
	printf("slowest tests (ms):\n");
	printa("  %-40s %-60s %@8d\n", @slowest);
}
