#!/usr/sbin/dtrace -qs
/*
 * flaky.d — tests that pass on attempt 2 or later (attempt from the JSON)
 *
 * DTrace version of flaky.bt (macOS, illumos, FreeBSD).  NOT RUN in this project's CI (Linux
 * only): written from the DTrace guide and nextest's documented one-liners, keep it simple.
 * The library's provider is nextest<pid>, module libnextest_probes.{so,dylib}, so probes
 * are matched as nextest*:::<probe> (nextest's own '*:cargo-nextest::' form names the
 * cargo-nextest binary, which does not fire them here).  String arguments are user
 * pointers: copyinstr().  json() (illumos/FreeBSD; not confirmed on macOS) reads arg0's
 * "ok." keys.  Run as root:  dtrace -qs flaky.d   (then start the run with the library
 * inserted: see docs/macos.md).
 * Linux equivalent and example output: tracer-scripts/flaky.bt, tracer-scripts/examples/flaky.txt
 */

nextest*:::test-attempt-done
/copyinstr(arg4) == "pass" || copyinstr(arg4) == "leak"/
{
	this->attempt = strtoll(json(copyinstr(arg0), "ok.attempt"));
}

nextest*:::test-attempt-done
/(copyinstr(arg4) == "pass" || copyinstr(arg4) == "leak") && this->attempt > 1/
{
	printf("FLAKY  %s %s  passed on attempt %d (%d ms)\n", copyinstr(arg2), copyinstr(arg3),
	    this->attempt, arg5 / 1000000);
	@flaky[copyinstr(arg2), copyinstr(arg3)] = max(this->attempt);
}
