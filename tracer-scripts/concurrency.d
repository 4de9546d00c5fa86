#!/usr/sbin/dtrace -qs
/*
 * concurrency.d — tests running at once: a line every 100 ms and a histogram
 *
 * DTrace version of concurrency.bt (macOS, illumos, FreeBSD).  NOT RUN in this project's CI (Linux
 * only): written from the DTrace guide and nextest's documented one-liners, keep it simple.
 * The library's provider is nextest<pid>, module libnextest_probes.{so,dylib}, so probes
 * are matched as nextest*:::<probe> (nextest's own '*:cargo-nextest::' form names the
 * cargo-nextest binary, which does not fire them here).  String arguments are user
 * pointers: copyinstr().  json() (illumos/FreeBSD; not confirmed on macOS) reads arg0's
 * "ok." keys.  Run as root:  dtrace -qs concurrency.d   (then start the run with the library
 * inserted: see docs/macos.md).
 * Linux equivalent and example output: tracer-scripts/concurrency.bt, tracer-scripts/examples/concurrency.txt
 */

nextest*:::run-start { t0 = timestamp; active = 1; }
nextest*:::run-done { active = 0; }
nextest*:::test-attempt-start { running++; peak = running > peak ? running : peak; }
nextest*:::test-attempt-done { running--; }

profile-100hz /active/ { @concurrency = lquantize(running, 0, 64, 1); }

tick-100ms
/active/
{
	printf("t=%6d ms  running %3d  peak %3d\n", (timestamp - t0) / 1000000, running, peak);
	peak = running;
}
