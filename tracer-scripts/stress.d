#!/usr/sbin/dtrace -qs
/*
 * stress.d — stress sub-runs: index, duration, passed/failed per sub-run
 *
 * DTrace version of stress.bt (macOS, illumos, FreeBSD).  NOT RUN in this project's CI (Linux
 * only): written from the DTrace guide and nextest's documented one-liners, keep it simple.
 * The library's provider is nextest<pid>, module libnextest_probes.{so,dylib}, so probes
 * are matched as nextest*:::<probe> (nextest's own '*:cargo-nextest::' form names the
 * cargo-nextest binary, which does not fire them here).  String arguments are user
 * pointers: copyinstr().  json() (illumos/FreeBSD; not confirmed on macOS) reads arg0's
 * "ok." keys.  Run as root:  dtrace -qs stress.d   (then start the run with the library
 * inserted: see docs/macos.md).
 * Linux equivalent and example output: tracer-scripts/stress.bt, tracer-scripts/examples/stress.txt
 */

nextest*:::stress-sub-run-start { sub_start = timestamp; pass = 0; fail = 0; }

nextest*:::test-attempt-done
{
	this->ok = copyinstr(arg4) == "pass" || copyinstr(arg4) == "leak";
	pass += this->ok;
	fail += !this->ok;
}

nextest*:::stress-sub-run-done
{
	printf("sub-run %3d: %6d ms  passed %d  failed %d  (%s)\n", arg2,
	    (timestamp - sub_start) / 1000000, pass, fail,
	    json(copyinstr(arg0), "ok.sub_run_duration_nanos"));
	@sub_runs = count();
}
