/* classify.h — what a spawned child is, seen from its argv and envp.
 *
 * Owns: classifying a spawn as a test attempt, a list child, a setup script or
 * something else, for every nextest version from 0.9.48 on, and unwrapping the
 * double-spawn argv into nextest's logical program and args (struct nx_spawn:
 * spawned.h, the model's description of a spawn).
 */
#ifndef NX_CLASSIFY_H
#define NX_CLASSIFY_H

#include <stddef.h>

#include "spawned.h"

/* The quick test (does this child carry nextest's protocol at all?) is
 * nx_is_nextest_child (nxchild.h), the one the hooks ask too. */

/* Full classification.  Allocates (in the parent only).  Returns 0, or -1 if
 * the double-spawn args could not be split (the event is then dropped). */
int nx_classify_spawn(struct nx_spawn *s, char *const argv[], char *const envp[]);
void nx_classify_free(struct nx_spawn *s);

#endif
