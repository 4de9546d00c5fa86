/* runcfg.h — the configuration of the runner this library sits in.
 *
 * Owns: the runner's own argv (handed over by the constructor), the
 * configuration loaded from it on first use (config.h) and the facts derived
 * from it once: the nextest version it was resolved for, and whether the
 * reporter's status level hides SLOW/TERMINATING lines (then slow events come
 * from the slow timer, not from the reporter's lines).  The version comes
 * from the function the observers register when the process becomes a runner
 * (engine/observe/version.h); the configuration is a leaf and calls nothing
 * else.
 */
#ifndef NX_RUNCFG_H
#define NX_RUNCFG_H

struct nx_config;

/* Remember the runner's own argv (from the constructor). */
void nx_runcfg_set_argv(int argc, char **argv);
/* thin/hook/role.c calls it by its earlier name. */
#define nx_run_set_argv nx_runcfg_set_argv

/* Where the runner's version comes from (called before the first load;
 * without it the configuration is resolved for NX_VERSION_LATEST). */
void nx_runcfg_set_version_source(unsigned (*version)(void));

/* The runner's configuration, loaded on first use (NULL if unavailable). */
const struct nx_config *nx_runcfg(void);
/* The runner's version: the configuration's, or the version source's when
 * the configuration could not be loaded. */
unsigned nx_runcfg_version(void);
/* 1 if the status level hides SLOW/TERMINATING lines (below `slow`). */
int nx_runcfg_slow_lines_hidden(void);

#endif
