/* slots.h — global and group slots for runners that do not export them.
 *
 * Owns: nextest's slot numbering rebuilt from outside, for nextest < 0.9.90
 * (no NEXTEST_TEST_GLOBAL_SLOT / _GROUP_SLOT in the test environment): a test
 * takes the smallest free slot (globally, and within its test group) when its
 * first attempt starts and keeps it across retries until its last attempt is
 * done, as nextest's scheduler does.  Exact only for tests that were traced
 * from their first attempt on.  Callers hold the attempts lock.
 */
#ifndef NX_SLOTS_H
#define NX_SLOTS_H

#include <stdint.h>

/* Take (or re-take, for a retry) the slots of a test instance. */
void nx_slots_take(const char *instance, const char *group, uint64_t *global_slot,
		   uint64_t *group_slot);
/* Its last attempt is done: free them. */
void nx_slots_release(const char *instance);

#endif
