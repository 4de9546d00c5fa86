#!/usr/sbin/dtrace -qs
/*
 * events.d — every probe firing as one line
 *
 * DTrace version of events.bt (macOS, illumos, FreeBSD).  NOT RUN in this project's CI (Linux
 * only): written from the DTrace guide and nextest's documented one-liners, keep it simple.
 * The library's provider is nextest<pid>, module libnextest_probes.{so,dylib}, so probes
 * are matched as nextest*:::<probe> (nextest's own '*:cargo-nextest::' form names the
 * cargo-nextest binary, which does not fire them here).  String arguments are user
 * pointers: copyinstr().  json() (illumos/FreeBSD; not confirmed on macOS) reads arg0's
 * "ok." keys.  Run as root:  dtrace -qs events.d   (then start the run with the library
 * inserted: see docs/macos.md).
 * Linux equivalent and example output: tracer-scripts/events.bt, tracer-scripts/examples/events.txt
 */

nextest*:::run-start { t0 = timestamp; printf("%8d ms run-start          %s\n", 0, copyinstr(arg1)); }
nextest*:::run-done { printf("%8d ms run-done           %s\n", (timestamp - t0) / 1000000, copyinstr(arg1)); }
nextest*:::test-attempt-start { printf("%8d ms test-attempt-start %s %s pid %d\n", (timestamp - t0) / 1000000, copyinstr(arg2), copyinstr(arg3), arg4); }
nextest*:::test-attempt-slow { printf("%8d ms test-attempt-slow  %s %s after %d ms\n", (timestamp - t0) / 1000000, copyinstr(arg2), copyinstr(arg3), arg4 / 1000000); }
nextest*:::test-attempt-done { printf("%8d ms test-attempt-done  %s %s %s %d ms\n", (timestamp - t0) / 1000000, copyinstr(arg2), copyinstr(arg3), copyinstr(arg4), arg5 / 1000000); }
nextest*:::setup-script-start { printf("%8d ms setup-script-start %s pid %d\n", (timestamp - t0) / 1000000, copyinstr(arg2), arg3); }
nextest*:::setup-script-slow { printf("%8d ms setup-script-slow  %s after %d ms\n", (timestamp - t0) / 1000000, copyinstr(arg2), arg3 / 1000000); }
nextest*:::setup-script-done { printf("%8d ms setup-script-done  %s %s %d ms\n", (timestamp - t0) / 1000000, copyinstr(arg2), copyinstr(arg3), arg4 / 1000000); }
nextest*:::stress-sub-run-start { printf("%8d ms stress-sub-run-start %d\n", (timestamp - t0) / 1000000, arg2); }
nextest*:::stress-sub-run-done { printf("%8d ms stress-sub-run-done  %d\n", (timestamp - t0) / 1000000, arg2); }
