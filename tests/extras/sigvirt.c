/* sigvirt.c — what a test program sees of its own signal dispositions while
 * the crash probes are armed (tests/extras/run_extras.py, test "sigvirt").
 *
 * Owns: a small C "test process" (run with NEXTEST_EXECUTION_MODE set, so
 * the library arms its crash handlers when a tracer listens).  It prints one
 * line per observation and ends by a real SIGSEGV that its own SA_SIGINFO
 * handler turns into _exit(42); the harness runs it with and without the
 * library and the tracer and compares everything.  Mode "dfl" instead leaves
 * SIGSEGV at SIG_DFL (dies by signal 11); mode "resethand" installs with
 * SA_RESETHAND and returns from the handler (the re-executed fault must then
 * kill it by signal 11).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void on_segv(int sig, siginfo_t *info, void *uc)
{
	(void)uc;
	char msg[64];
	int n = snprintf(msg, sizeof msg, "handler sig=%d addr=%p\n", sig, info->si_addr);
	write(1, msg, (size_t)n);
	_exit(42);
}

static void on_segv_return(int sig)
{
	const char msg[] = "resethand handler returns\n";
	(void)sig;
	write(1, msg, sizeof msg - 1);
}

static void on_fpe(int sig)
{
	(void)sig;
}

static const char *name(void (*h)(int))
{
	void *p = (void *)h;
	if (h == SIG_DFL)
		return "SIG_DFL";
	if (h == SIG_IGN)
		return "SIG_IGN";
	if (p == (void *)on_segv)
		return "on_segv";
	if (h == on_segv_return)
		return "on_segv_return";
	if (h == on_fpe)
		return "on_fpe";
	return "other";
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "handler";
	struct sigaction old, act;
	memset(&act, 0, sizeof act);
	sigaction(SIGSEGV, NULL, &old);
	printf("initial SIGSEGV %s flags=%#x\n", name(old.sa_handler), (unsigned)old.sa_flags);
	sigaction(SIGABRT, NULL, &old);
	printf("initial SIGABRT %s\n", name(old.sa_handler));
	printf("signal(SIGFPE) returned %s\n", name(signal(SIGFPE, on_fpe)));
	printf("signal(SIGFPE) again returned %s\n", name(signal(SIGFPE, SIG_DFL)));
	if (strcmp(mode, "handler") == 0) {
		act.sa_sigaction = on_segv;
		act.sa_flags = SA_SIGINFO;
	} else if (strcmp(mode, "resethand") == 0) {
		act.sa_handler = on_segv_return;
		act.sa_flags = SA_RESETHAND;
	} else {
		act.sa_handler = SIG_DFL;
	}
	sigemptyset(&act.sa_mask);
	sigaction(SIGSEGV, &act, NULL);
	sigaction(SIGSEGV, NULL, &old);
	printf("now SIGSEGV %s flags=%#x\n", name(old.sa_handler), (unsigned)old.sa_flags);
	fflush(stdout);
	*(volatile int *)16 = 1;
	printf("survived\n");
	return 0;
}
