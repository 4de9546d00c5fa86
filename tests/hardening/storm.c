/* storm.c — a multi-threaded spawn storm for ThreadSanitizer.
 *
 * Owns: exercising the library's shared state from many threads at once:
 * S spawner threads create two O_CLOEXEC pipes, adddup2 them onto fd 1/2 and
 * posix_spawnp a fakechild carrying nextest's environment protocol, then hand
 * (pid, read ends) to a queue; R other threads take them, read both pipes to
 * EOF, poll waitpid(pid, WNOHANG) until the child is reaped (so spawn, read,
 * reap and close of one attempt happen on different threads) and close; one
 * more thread writes reporter-like lines to stderr.  Usage:
 *   storm CHILD [attempts] [spawners] [reapers]
 * Exit 0 when every attempt was spawned, drained and reaped with status 0. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUN_ID "33333333-2222-3333-4444-555555555555"
#define QCAP 4096

struct item {
	pid_t pid;
	int out, err;
};

static struct item queue[QCAP];
static int qhead, qtail, produced, consumed, failures, total = 2000;
static pthread_mutex_t qmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcv = PTHREAD_COND_INITIALIZER;
static const char *child;
static int next_index;

static void push(struct item it)
{
	pthread_mutex_lock(&qmu);
	while ((qtail + 1) % QCAP == qhead)
		pthread_cond_wait(&qcv, &qmu);
	queue[qtail] = it;
	qtail = (qtail + 1) % QCAP;
	pthread_cond_broadcast(&qcv);
	pthread_mutex_unlock(&qmu);
}

static int pop(struct item *it)
{
	pthread_mutex_lock(&qmu);
	while (qhead == qtail && consumed < produced + (total - produced))
		pthread_cond_wait(&qcv, &qmu);
	int ok = qhead != qtail;
	if (ok) {
		*it = queue[qhead];
		qhead = (qhead + 1) % QCAP;
		pthread_cond_broadcast(&qcv);
	}
	pthread_mutex_unlock(&qmu);
	return ok;
}

static void *spawner(void *arg)
{
	(void)arg;
	for (;;) {
		int i = __atomic_fetch_add(&next_index, 1, __ATOMIC_RELAXED);
		pthread_mutex_lock(&qmu);
		int over = i >= total;
		pthread_mutex_unlock(&qmu);
		if (over)
			return NULL;
		char name[32], e_name[64], e_id[128], e_slot[48];
		snprintf(name, sizeof name, "storm::t%05d", i);
		snprintf(e_name, sizeof e_name, "NEXTEST_TEST_NAME=%s", name);
		snprintf(e_id, sizeof e_id, "NEXTEST_ATTEMPT_ID=%s:storm-bin$%s", RUN_ID, name);
		snprintf(e_slot, sizeof e_slot, "NEXTEST_TEST_GLOBAL_SLOT=%d", i % 8);
		char *envp[] = { "NEXTEST=1", "NEXTEST_TEST_PHASE=run",
				 "NEXTEST_EXECUTION_MODE=process-per-test",
				 "NEXTEST_RUN_ID=" RUN_ID, "NEXTEST_BINARY_ID=storm-bin", e_name,
				 "NEXTEST_ATTEMPT=1", "NEXTEST_TOTAL_ATTEMPTS=1", e_id, e_slot,
				 "NEXTEST_STRESS_CURRENT=none", "NEXTEST_STRESS_TOTAL=none",
				 "NEXTEST_TEST_GROUP=@global", "NEXTEST_TEST_GROUP_SLOT=none", NULL };
		char *argv[] = { (char *)child, "--exact", name, "--nocapture", NULL };
		int o[2], e[2];
		if (pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC)) {
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
			continue;
		}
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, o[1], 1);
		posix_spawn_file_actions_adddup2(&fa, e[1], 2);
		pid_t pid;
		int rc = posix_spawnp(&pid, child, &fa, NULL, argv, envp);
		posix_spawn_file_actions_destroy(&fa);
		close(o[1]);
		close(e[1]);
		if (rc) {
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
			close(o[0]);
			close(e[0]);
			pthread_mutex_lock(&qmu);
			total--;
			pthread_cond_broadcast(&qcv);
			pthread_mutex_unlock(&qmu);
			continue;
		}
		pthread_mutex_lock(&qmu);
		produced++;
		pthread_mutex_unlock(&qmu);
		push((struct item){ pid, o[0], e[0] });
	}
}

static void *reaper(void *arg)
{
	(void)arg;
	struct item it;
	char buf[512];
	for (;;) {
		pthread_mutex_lock(&qmu);
		int finished = consumed >= total;
		pthread_mutex_unlock(&qmu);
		if (finished || !pop(&it))
			return NULL;
		while (read(it.out, buf, sizeof buf) > 0)
			;
		while (read(it.err, buf, sizeof buf) > 0)
			;
		int st = -1;
		pid_t r;
		while ((r = waitpid(it.pid, &st, WNOHANG)) == 0)
			sched_yield();
		if (r != it.pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
		close(it.out);
		close(it.err);
		pthread_mutex_lock(&qmu);
		consumed++;
		pthread_cond_broadcast(&qcv);
		pthread_mutex_unlock(&qmu);
	}
}

static int stop_writer;

static void *writer(void *arg)
{
	(void)arg;
	for (int i = 0; !__atomic_load_n(&stop_writer, __ATOMIC_RELAXED); i++) {
		char line[128];
		int n = snprintf(line, sizeof line, "        PASS [   0.001s] storm-bin storm::t%05d\n", i);
		if (write(2, line, (size_t)n) < 0)
			break;
		usleep(1000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	child = argv[1];
	int s = 8, r = 4;
	if (argc > 2)
		total = atoi(argv[2]);
	if (argc > 3)
		s = atoi(argv[3]);
	if (argc > 4)
		r = atoi(argv[4]);
	pthread_t th[64], w;
	pthread_create(&w, NULL, writer, NULL);
	for (int i = 0; i < s; i++)
		pthread_create(&th[i], NULL, spawner, NULL);
	for (int i = 0; i < r; i++)
		pthread_create(&th[s + i], NULL, reaper, NULL);
	for (int i = 0; i < s + r; i++)
		pthread_join(th[i], NULL);
	__atomic_store_n(&stop_writer, 1, __ATOMIC_RELAXED);
	pthread_join(w, NULL);
	printf("storm: %d attempts, %d consumed, %d failures\n", total, consumed, failures);
	return failures || consumed != total ? 1 : 0;
}
