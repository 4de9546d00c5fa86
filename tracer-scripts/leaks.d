#!/usr/sbin/dtrace -qs
/*
 * leaks.d — attempts whose result is leak (passed, but handles stayed open)
 *
 * DTrace version of leaks.bt (macOS, illumos, FreeBSD).  NOT RUN in this project's CI (Linux
 * only): written from the DTrace guide and nextest's documented one-liners, keep it simple.
 * The library's provider is nextest<pid>, module libnextest_probes.{so,dylib}, so probes
 * are matched as nextest*:::<probe> (nextest's own '*:cargo-nextest::' form names the
 * cargo-nextest binary, which does not fire them here).  String arguments are user
 * pointers: copyinstr().  json() (illumos/FreeBSD; not confirmed on macOS) reads arg0's
 * "ok." keys.  Run as root:  dtrace -qs leaks.d   (then start the run with the library
 * inserted: see docs/macos.md).
 * Linux equivalent and example output: tracer-scripts/leaks.bt, tracer-scripts/examples/leaks.txt
 */

nextest*:::test-attempt-done
/copyinstr(arg4) == "leak"/
{
	printf("LEAK  %s %s  (%d ms)\n", copyinstr(arg2), copyinstr(arg3), arg5 / 1000000);
	@leaks_per_binary[copyinstr(arg2)] = count();
}
