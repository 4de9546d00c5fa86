/* run.h — run-level state: the run's identity, its start and end, stress
 * sub-runs, setup-script names, and pauses.
 *
 * Owns: everything the probes need that is not one child's business, rebuilt
 * from the runner's human reporter lines (fd 2, parsed by
 * engine/observe/streams.c), the environment of the children it spawns and
 * its configuration (engine/config/runcfg.h), in that order of trust.  Fires
 * run-start, run-done and the stress-sub-run probes, after its lock is
 * released.
 */
#ifndef NX_RUN_H
#define NX_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "pause.h"

struct nx_spawn;
struct nx_reporter_line;

/* A reporter line about the run, written at now: the run id, Starting,
 * a stress sub-run's start or end, the Summary, a SETUP announcement. */
void nx_run_reporter_line(const struct nx_reporter_line *l, uint64_t now);
/* The reporter draws through a progress bar from now on: its lines reach
 * the terminal at the bar's next tick, not when the event happened. */
void nx_run_drawn(void);

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

/* thin/hook calls the pause clock (pause.h) by its earlier names. */
#define nx_run_pause_begin nx_pause_begin
#define nx_run_pause_end nx_pause_end

#endif
