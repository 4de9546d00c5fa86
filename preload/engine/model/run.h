/* run.h — run-level state: the run's identity, its start and end, stress
 * sub-runs, setup-script names, and pauses.
 *
 * Owns: everything the probes need that is not one child's business, rebuilt
 * from the runner's human reporter lines (fd 2), its libtest-json lines
 * (fd 1), the environment of the children it spawns, its own argv and its
 * configuration, in that order of trust.  Fires run-start, run-done and the
 * stress-sub-run probes.
 */
#ifndef NX_RUN_H
#define NX_RUN_H

#include <stddef.h>
#include <stdint.h>

struct nx_spawn;
struct nx_config;

void nx_run_stderr_line(const char *line, size_t len);
void nx_run_stdout_line(const char *line, size_t len);

/* A nextest child is being tracked (test or script): learn what its
 * environment tells, and fire a run-start that waited for the run id.
 * Fills the caller's view of the run (ids and stress position). */
struct nx_run_view {
	char run_id[64];
	int stress_known;		/* stress position known (from the run) */
	int in_stress;
	uint32_t stress_current;
	int stress_total_known;
	uint32_t stress_total;
};
void nx_run_child(const struct nx_spawn *sp, struct nx_run_view *view);

/* The script id of a setup-script spawn (SETUP line or configuration). */
int nx_run_script_id(const struct nx_spawn *sp, char *out, size_t cap);

/* Pauses (SIGTSTP → raise(SIGSTOP) in the runner). */
void nx_run_pause_begin(uint64_t t);
void nx_run_pause_end(uint64_t t);
uint64_t nx_run_paused_within(uint64_t from, uint64_t to);
/* All paused time so far (a monotonic counter). */
uint64_t nx_run_paused_total(uint64_t now);

/* The runner's configuration, loaded on first use (NULL if unavailable). */
const struct nx_config *nx_run_config(void);

/* Remember the runner's own argv (from the constructor). */
void nx_run_set_argv(int argc, char **argv);

#endif
