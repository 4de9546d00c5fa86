#!/usr/sbin/dtrace -qs
/*
 * binary-durations.d — per binary: histogram, count, total and mean of attempt times (ms)
 *
 * DTrace version of binary-durations.bt (macOS, illumos, FreeBSD).  NOT RUN in this project's CI (Linux
 * only): written from the DTrace guide and nextest's documented one-liners, keep it simple.
 * The library's provider is nextest<pid>, module libnextest_probes.{so,dylib}, so probes
 * are matched as nextest*:::<probe> (nextest's own '*:cargo-nextest::' form names the
 * cargo-nextest binary, which does not fire them here).  String arguments are user
 * pointers: copyinstr().  json() (illumos/FreeBSD; not confirmed on macOS) reads arg0's
 * "ok." keys.  Run as root:  dtrace -qs binary-durations.d   (then start the run with the library
 * inserted: see docs/macos.md).
 * Linux equivalent and example output: tracer-scripts/binary-durations.bt, tracer-scripts/examples/binary-durations.txt
 */

nextest*:::test-attempt-done
{
	this->bin = copyinstr(arg2);
	@duration_ms[this->bin] = quantize(arg5 / 1000000);
	@attempts[this->bin] = count();
	@total_ms[this->bin] = sum(arg5 / 1000000);
	@mean_ms[this->bin] = avg(arg5 / 1000000);
}
