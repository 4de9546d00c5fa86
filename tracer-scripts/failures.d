#!/usr/sbin/dtrace -qs
/*
 * failures.d — every attempt that did not pass, with its exit code (arg0 JSON via json())
 *
 * DTrace version of failures.bt (macOS, illumos, FreeBSD).  NOT RUN in this project's CI (Linux
 * only): written from the DTrace guide and nextest's documented one-liners, keep it simple.
 * The library's provider is nextest<pid>, module libnextest_probes.{so,dylib}, so probes
 * are matched as nextest*:::<probe> (nextest's own '*:cargo-nextest::' form names the
 * cargo-nextest binary, which does not fire them here).  String arguments are user
 * pointers: copyinstr().  json() (illumos/FreeBSD; not confirmed on macOS) reads arg0's
 * "ok." keys.  Run as root:  dtrace -qs failures.d   (then start the run with the library
 * inserted: see docs/macos.md).
 * Linux equivalent and example output: tracer-scripts/failures.bt, tracer-scripts/examples/failures.txt
 */

nextest*:::test-attempt-done
/copyinstr(arg4) != "pass" && copyinstr(arg4) != "leak"/
{
	this->j = copyinstr(arg0);
	printf("%-9s %8d ms  %s %s  exit_code=%s leaked=%s attempt=%s/%s\n", copyinstr(arg4),
	    arg5 / 1000000, copyinstr(arg2), copyinstr(arg3), json(this->j, "ok.exit_code"),
	    json(this->j, "ok.leaked"), json(this->j, "ok.attempt"), json(this->j, "ok.total_attempts"));
	@failures[copyinstr(arg4)] = count();
}
