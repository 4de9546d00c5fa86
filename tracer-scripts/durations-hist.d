#!/usr/sbin/dtrace -qs
/*
 * durations-hist.d — per-binary powers-of-two histogram of test times (ms)
 *
 * DTrace version of durations-hist.bt (macOS, illumos, FreeBSD).  NOT RUN in this project's CI (Linux
 * only): written from the DTrace guide and nextest's documented one-liners, keep it simple.
 * The library's provider is nextest<pid>, module libnextest_probes.{so,dylib}, so probes
 * are matched as nextest*:::<probe> (nextest's own '*:cargo-nextest::' form names the
 * cargo-nextest binary, which does not fire them here).  String arguments are user
 * pointers: copyinstr().  json() (illumos/FreeBSD; not confirmed on macOS) reads arg0's
 * "ok." keys.  Run as root:  dtrace -qs durations-hist.d   (then start the run with the library
 * inserted: see docs/macos.md).
 * Linux equivalent and example output: tracer-scripts/durations-hist.bt, tracer-scripts/examples/durations-hist.txt
 */

nextest*:::test-attempt-done
{
	@times[copyinstr(arg2)] = quantize(arg5 / 1000000);
}
