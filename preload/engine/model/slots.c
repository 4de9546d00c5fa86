/* slots.c — smallest-free slot allocation (see slots.h).  Bounded: at most
 * MAX_HELD instances hold slots at once; beyond that slots are not tracked. */
#include <stdlib.h>
#include <string.h>

#include "slots.h"

#define MAX_HELD 4096

struct held {
	char *instance;
	char *group;		/* NULL = @global */
	uint64_t global_slot, group_slot;
};

static struct held held[MAX_HELD];
static unsigned nheld;

static int same_group(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int global_used(uint64_t slot)
{
	for (unsigned i = 0; i < nheld; i++)
		if (held[i].global_slot == slot)
			return 1;
	return 0;
}

static int group_used(const char *group, uint64_t slot)
{
	for (unsigned i = 0; i < nheld; i++)
		if (same_group(held[i].group, group) && held[i].group_slot == slot)
			return 1;
	return 0;
}

void nx_slots_take(const char *instance, const char *group, uint64_t *global_slot,
		   uint64_t *group_slot)
{
	for (unsigned i = 0; i < nheld; i++) {
		if (strcmp(held[i].instance, instance) == 0) {
			*global_slot = held[i].global_slot;
			*group_slot = held[i].group_slot;
			return;
		}
	}
	uint64_t g = 0, s = 0;
	while (global_used(g))
		g++;
	while (group && group_used(group, s))
		s++;
	*global_slot = g;
	*group_slot = s;
	if (nheld == MAX_HELD)
		return;
	char *in = strdup(instance), *gr = group ? strdup(group) : NULL;
	if (!in || (group && !gr)) {
		free(in);
		free(gr);
		return;
	}
	held[nheld++] = (struct held){ in, gr, g, group ? s : UINT64_MAX };
}

void nx_slots_release(const char *instance)
{
	for (unsigned i = 0; i < nheld; i++) {
		if (strcmp(held[i].instance, instance) == 0) {
			free(held[i].instance);
			free(held[i].group);
			held[i] = held[--nheld];
			return;
		}
	}
}
