#!/usr/sbin/dtrace -qs
/*
 * progress.d — live progress every second: running, done, passed/failed, rate
 *
 * DTrace version of progress.bt (macOS, illumos, FreeBSD).  NOT RUN in this project's CI (Linux
 * only): written from the DTrace guide and nextest's documented one-liners, keep it simple.
 * The library's provider is nextest<pid>, module libnextest_probes.{so,dylib}, so probes
 * are matched as nextest*:::<probe> (nextest's own '*:cargo-nextest::' form names the
 * cargo-nextest binary, which does not fire them here).  String arguments are user
 * pointers: copyinstr().  json() (illumos/FreeBSD; not confirmed on macOS) reads arg0's
 * "ok." keys.  Run as root:  dtrace -qs progress.d   (then start the run with the library
 * inserted: see docs/macos.md).
 * Linux equivalent and example output: tracer-scripts/progress.bt, tracer-scripts/examples/progress.txt
 */

nextest*:::run-start { started = timestamp; printf("run started\n"); }
nextest*:::test-attempt-start { running++; }
nextest*:::setup-script-start { scripts++; }
nextest*:::setup-script-done { scripts--; }

nextest*:::test-attempt-done
{
	running--; done++; last++;
	this->ok = copyinstr(arg4) == "pass" || copyinstr(arg4) == "leak";
	passed += this->ok;
	failed += !this->ok;
}

tick-1s
/started/
{
	printf("[%4ds] running %3d | done %5d (passed %d, failed %d) | %d/s | setup scripts %d\n",
	    (timestamp - started) / 1000000000, running, done, passed, failed, last, scripts);
	last = 0;
}

nextest*:::run-done
{
	printf("run done after %d ms: %d attempts finished (passed %d, failed %d)\n",
	    (timestamp - started) / 1000000, done, passed, failed);
	started = 0;
}
