/* fakerunner.c — a small nextest-like runner for the sabotage tests.
 *
 * Owns: spawning N test attempts the way nextest does at the libc level —
 * two O_CLOEXEC capture pipes, posix_spawn_file_actions_adddup2 onto fd 1
 * and 2, posix_spawnp with nextest's environment protocol (NEXTEST_TEST_PHASE
 * =run, NEXTEST_RUN_ID, NEXTEST_ATTEMPT_ID, …), reading both pipes to EOF,
 * waitpid — with J worker threads, then printing a deterministic report
 * (per test: name, exit status, captured bytes; sorted by test index) and
 * exiting 100 if any test failed, like nextest.  Options:
 *   -n N          attempts (default 20)      -j J   threads (default 4)
 *   -c CHILD      test binary (default: fakechild next to this program)
 *   --clean-env   children get only the NEXTEST_* variables (no LD_PRELOAD)
 *   --fork        spawn with fork + dup2 + execve instead of posix_spawnp
 *   --fork-thread another thread forks continuously while the workers spawn;
 *                 each fork child calls hooked functions, then _exit(0)
 *   --nofile K    setrlimit(RLIMIT_NOFILE, K) first (EMFILE sabotage);
 *                 a failed spawn is reported as "spawn-error <errno name>"
 *   --fail-every K  test i with i % K == K-1 exits 1 (FAKE_EXIT)
 * The run id is fixed (tests compare output byte for byte). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUN_ID "11111111-2222-3333-4444-555555555555"
#define MAX_N 100000

extern char **environ;

static int n_tests = 20, n_threads = 4, clean_env, use_fork, fork_thread, fail_every;
static long nofile;
static char child_path[4096];
static int next_test;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static volatile int done_spawning;

struct result {
	int spawned, spawn_err, status;
	size_t out_bytes, err_bytes;
};
static struct result *results;

static void build_env(int i, char **envp, char *store, size_t cap)
{
	size_t k = 0, off = 0;
	if (!clean_env)
		for (char **e = environ; *e && k < 200; e++)
			if (strncmp(*e, "NEXTEST_", 8) != 0 && strncmp(*e, "FAKE_EXIT=", 10) != 0)
				envp[k++] = *e;
#define ADD(...)                                                                     \
	do {                                                                         \
		envp[k++] = store + off;                                             \
		off += (size_t)snprintf(store + off, cap - off, __VA_ARGS__) + 1;     \
	} while (0)
	ADD("NEXTEST=1");
	ADD("NEXTEST_RUN_ID=%s", RUN_ID);
	ADD("NEXTEST_EXECUTION_MODE=process-per-test");
	ADD("NEXTEST_TEST_PHASE=run");
	ADD("NEXTEST_BINARY_ID=fake-bin");
	ADD("NEXTEST_TEST_NAME=t%05d", i);
	ADD("NEXTEST_ATTEMPT=1");
	ADD("NEXTEST_TOTAL_ATTEMPTS=1");
	ADD("NEXTEST_ATTEMPT_ID=%s:fake-bin$t%05d", RUN_ID, i);
	ADD("NEXTEST_STRESS_CURRENT=none");
	ADD("NEXTEST_STRESS_TOTAL=none");
	ADD("NEXTEST_TEST_GLOBAL_SLOT=%d", i % n_threads);
	ADD("NEXTEST_TEST_GROUP=@global");
	ADD("NEXTEST_TEST_GROUP_SLOT=none");
	ADD("NEXTEST_TEST_THREADS=%d", n_threads);
	ADD("FAKE_EXIT=%d", fail_every && i % fail_every == fail_every - 1 ? 1 : 0);
#undef ADD
	envp[k] = NULL;
}

static size_t drain(int fd)
{
	char buf[4096];
	size_t total = 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r > 0)
			total += (size_t)r;
		else if (r == 0 || errno != EINTR)
			break;
	}
	return total;
}

static void run_one(int i)
{
	int out[2], err[2];
	struct result *res = &results[i];
	char name[16];
	snprintf(name, sizeof name, "t%05d", i);
	char *argv[] = { child_path, "--exact", name, "--nocapture", NULL };
	char *envp[240];
	char store[4096];
	build_env(i, envp, store, sizeof store);

	if (pipe2(out, O_CLOEXEC) != 0) {
		res->spawn_err = errno;
		return;
	}
	if (pipe2(err, O_CLOEXEC) != 0) {
		res->spawn_err = errno;
		close(out[0]);
		close(out[1]);
		return;
	}
	pid_t pid;
	if (use_fork) {
		pid = fork();
		if (pid == 0) {
			dup2(out[1], 1);
			dup2(err[1], 2);
			execve(child_path, argv, envp);
			_exit(127);
		}
		if (pid < 0)
			res->spawn_err = errno;
	} else {
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, out[1], 1);
		posix_spawn_file_actions_adddup2(&fa, err[1], 2);
		int rc = posix_spawnp(&pid, child_path, &fa, NULL, argv, envp);
		posix_spawn_file_actions_destroy(&fa);
		if (rc != 0) {
			res->spawn_err = rc;
			pid = -1;
		}
	}
	close(out[1]);
	close(err[1]);
	if (pid > 0) {
		res->spawned = 1;
		res->out_bytes = drain(out[0]);
		res->err_bytes = drain(err[0]);
		while (waitpid(pid, &res->status, 0) < 0 && errno == EINTR)
			;
	}
	close(out[0]);
	close(err[0]);
}

static void *worker(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&mu);
		int i = next_test < n_tests ? next_test++ : -1;
		pthread_mutex_unlock(&mu);
		if (i < 0)
			return NULL;
		run_one(i);
	}
}

/* Forks while the workers spawn; the child exercises hooked calls. */
static void *forker(void *arg)
{
	long *count = arg;
	while (!__atomic_load_n(&done_spawning, __ATOMIC_RELAXED)) {
		pid_t p = fork();
		if (p == 0) {
			int fds[2];
			char c = 'x';
			if (pipe(fds) == 0) {
				write(fds[1], &c, 1);
				read(fds[0], &c, 1);
				close(fds[0]);
				close(fds[1]);
			}
			void *m = malloc(100);
			free(m);
			_exit(0);
		}
		if (p > 0) {
			int st;
			while (waitpid(p, &st, 0) < 0 && errno == EINTR)
				;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
				(*count)++;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n_tests = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-j") && i + 1 < argc)
			n_threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-c") && i + 1 < argc)
			snprintf(child_path, sizeof child_path, "%s", argv[++i]);
		else if (!strcmp(argv[i], "--clean-env"))
			clean_env = 1;
		else if (!strcmp(argv[i], "--fork"))
			use_fork = 1;
		else if (!strcmp(argv[i], "--fork-thread"))
			fork_thread = 1;
		else if (!strcmp(argv[i], "--nofile") && i + 1 < argc)
			nofile = atol(argv[++i]);
		else if (!strcmp(argv[i], "--fail-every") && i + 1 < argc)
			fail_every = atoi(argv[++i]);
		else {
			fprintf(stderr, "fakerunner: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	if (n_tests < 0 || n_tests > MAX_N || n_threads < 1 || n_threads > 256)
		return 2;
	if (!child_path[0]) {
		ssize_t l = readlink("/proc/self/exe", child_path, sizeof child_path - 32);
		if (l < 0)
			return 2;
		child_path[l] = 0;
		char *slash = strrchr(child_path, '/');
		strcpy(slash + 1, "fakechild");
	}
	if (nofile) {
		struct rlimit rl = { (rlim_t)nofile, (rlim_t)nofile };
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			perror("setrlimit");
			return 2;
		}
	}
	results = calloc((size_t)n_tests, sizeof *results);
	pthread_t th[256], ft;
	long forks = 0;
	if (fork_thread)
		pthread_create(&ft, NULL, forker, &forks);
	for (int t = 0; t < n_threads; t++)
		pthread_create(&th[t], NULL, worker, NULL);
	for (int t = 0; t < n_threads; t++)
		pthread_join(th[t], NULL);
	__atomic_store_n(&done_spawning, 1, __ATOMIC_RELAXED);
	if (fork_thread)
		pthread_join(ft, NULL);

	int failed = 0, spawn_errors = 0;
	for (int i = 0; i < n_tests; i++) {
		struct result *r = &results[i];
		if (!r->spawned) {
			spawn_errors++;
			fprintf(stderr, "t%05d spawn-error %s\n", i, strerrorname_np(r->spawn_err));
			continue;
		}
		int ok = WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
		failed += !ok;
		fprintf(stderr, "%s t%05d status=%d out=%zu err=%zu\n", ok ? "PASS" : "FAIL", i,
			r->status, r->out_bytes, r->err_bytes);
	}
	printf("summary: %d tests, %d failed, %d spawn errors%s\n", n_tests, failed, spawn_errors,
	       fork_thread ? (forks > 0 ? ", forker ran" : ", forker never ran") : "");
	return failed || spawn_errors ? 100 : 0;
}
