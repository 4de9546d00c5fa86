/* children.c — a spawn returned: which of its children the model learns of
 * (see children.h). */
#include "attempts.h"
#include "cargo.h"
#include "children.h"
#include "classify.h"
#include "nxchild.h"
#include "role.h"
#include "runcfg.h"
#include "version.h"

void nx_children_spawned(uint64_t t_start, pid_t pid, char *const argv[], char *const envp[],
			 const struct nx_child_pipes *pipes)
{
	if (!nx_is_nextest_child(argv, envp))
		return;
	/* The configuration, loaded on first need from now on, is resolved for
	 * the version the children and the binary show. */
	nx_runcfg_set_version_source(nx_version_detect);
	nx_role_promote_runner();
	if (!nx_attempt_tracking())
		return;

	struct nx_spawn sp;
	if (nx_classify_spawn(&sp, argv, envp) < 0)
		return;
	nx_version_note_child(sp.kind, envp);	/* before anything loads the configuration */
	char derived[1024];
	if (sp.kind == NX_SPAWN_TEST && !sp.env.binary_id && sp.binary_path &&
	    nx_cargo_binary_id(sp.binary_path, derived, sizeof(derived)))
		sp.cargo_binary_id = derived;
	if (sp.kind == NX_SPAWN_TEST || sp.kind == NX_SPAWN_SCRIPT)
		nx_attempt_track(&sp, t_start, pid, pipes);
	nx_classify_free(&sp);
}
