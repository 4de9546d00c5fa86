#!/usr/sbin/dtrace -qs
/*
 * setup-scripts.d — setup-script starts, slow warnings and ends with result and time
 *
 * DTrace version of setup-scripts.bt (macOS, illumos, FreeBSD).  NOT RUN in this project's CI (Linux
 * only): written from the DTrace guide and nextest's documented one-liners, keep it simple.
 * The library's provider is nextest<pid>, module libnextest_probes.{so,dylib}, so probes
 * are matched as nextest*:::<probe> (nextest's own '*:cargo-nextest::' form names the
 * cargo-nextest binary, which does not fire them here).  String arguments are user
 * pointers: copyinstr().  json() (illumos/FreeBSD; not confirmed on macOS) reads arg0's
 * "ok." keys.  Run as root:  dtrace -qs setup-scripts.d   (then start the run with the library
 * inserted: see docs/macos.md).
 * Linux equivalent and example output: tracer-scripts/setup-scripts.bt, tracer-scripts/examples/setup-scripts.txt
 */

nextest*:::setup-script-start { printf("START %s (pid %d)\n", copyinstr(arg2), arg3); }
nextest*:::setup-script-slow { printf("SLOW  %s still running after %d ms\n", copyinstr(arg2), arg3 / 1000000); }

nextest*:::setup-script-done
{
	printf("DONE  %s %s in %d ms\n", copyinstr(arg2), copyinstr(arg3), arg4 / 1000000);
	@script_ms[copyinstr(arg2), copyinstr(arg3)] = sum(arg4 / 1000000);
}
