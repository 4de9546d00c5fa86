/* runcfg.c — the runner's argv and its configuration (see runcfg.h). */
#include <pthread.h>
#include <string.h>

#include "config.h"
#include "runcfg.h"

extern char **environ;

static int saved_argc;
static char **saved_argv;
static unsigned (*version_source)(void);
static struct nx_config config;
static int config_state;	/* 0 not loaded, 1 ok, -1 failed */
static int slow_lines_hidden;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void nx_runcfg_set_argv(int argc, char **argv)
{
	saved_argc = argc;
	saved_argv = argv;
}

void nx_runcfg_set_version_source(unsigned (*version)(void))
{
	__atomic_store_n(&version_source, version, __ATOMIC_RELEASE);
}

static unsigned source_version(void)
{
	unsigned (*v)(void) = __atomic_load_n(&version_source, __ATOMIC_ACQUIRE);
	return v ? v() : 0;
}

/* Status levels in nextest's order; SLOW lines need >= "slow". */
static int hides_slow_lines(const char *level)
{
	static const char *const below[] = { "none", "fail", "retry" };
	for (size_t i = 0; level && i < sizeof(below) / sizeof(below[0]); i++)
		if (strcmp(level, below[i]) == 0)
			return 1;
	return 0;
}

const struct nx_config *nx_runcfg(void)
{
	pthread_mutex_lock(&lock);
	if (config_state == 0) {
		struct nx_config_opts o = { source_version(), NULL, 0 };
		config_state = saved_argv && nx_config_load_opts(&config, &o, saved_argc, saved_argv,
								 environ) == 0 ? 1 : -1;
		slow_lines_hidden = config_state == 1 && hides_slow_lines(config.status_level);
	}
	pthread_mutex_unlock(&lock);
	return config_state == 1 ? &config : NULL;
}

unsigned nx_runcfg_version(void)
{
	const struct nx_config *c = nx_runcfg();
	return c ? c->version : source_version();
}

int nx_runcfg_slow_lines_hidden(void)
{
	nx_runcfg();
	return slow_lines_hidden;
}
