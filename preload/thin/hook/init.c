/* init.c — the thin object's one constructor.
 *
 * Owns: what runs when the object is loaded, in every process: the role
 * decision (role.c), and, only in a nextest test whose crash probe is
 * attached, loading the engine for the crash handler (load.c).
 */
#include "load.h"
#include "role.h"

__attribute__((constructor)) static void nx_init(int argc, char **argv, char **envp)
{
	if (nx_role_init(argc, argv, envp))
		nx_engine_load_crash();
}
