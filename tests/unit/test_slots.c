/* test_slots.c — Criterion tests of the derived slots (preload/engine/model/slots.c): the
 * smallest free global slot and group slot at a test's first attempt, kept
 * across its retries, freed after its last attempt; checked case by case and
 * against a brute-force model of nextest's rule over long random schedules. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../preload/engine/model/slots.h"

static uint64_t g, s;

static void take(const char *inst, const char *group)
{
	nx_slots_take(inst, group, &g, &s);
}

Test(slots, first_test_gets_zero)
{
	take("a", NULL);
	cr_expect_eq(g, 0);
}

Test(slots, concurrent_tests_get_consecutive_slots)
{
	take("a", NULL);
	cr_expect_eq(g, 0);
	take("b", NULL);
	cr_expect_eq(g, 1);
	take("c", NULL);
	cr_expect_eq(g, 2);
}

Test(slots, smallest_free_slot_is_reused)
{
	take("a", NULL);
	take("b", NULL);
	take("c", NULL);
	nx_slots_release("b");
	take("d", NULL);
	cr_expect_eq(g, 1, "b's slot 1 is the smallest free, got %lu", (unsigned long)g);
	nx_slots_release("a");
	nx_slots_release("c");
	take("e", NULL);
	cr_expect_eq(g, 0);
	take("f", NULL);
	cr_expect_eq(g, 2, "0 and 1 are held, got %lu", (unsigned long)g);
}

Test(slots, retry_keeps_the_slots)
{
	take("a", "serial");
	take("b", "serial");
	cr_expect_eq(g, 1);
	cr_expect_eq(s, 1);
	/* b's second attempt: same slots although nothing changed hands in between */
	take("b", "serial");
	cr_expect_eq(g, 1);
	cr_expect_eq(s, 1);
	/* a retry keeps its slots even when a smaller one became free meanwhile */
	nx_slots_release("a");
	take("b", "serial");
	cr_expect_eq(g, 1);
	cr_expect_eq(s, 1);
	take("c", NULL);
	cr_expect_eq(g, 0, "a's slot is free again, got %lu", (unsigned long)g);
}

Test(slots, group_slots_count_within_the_group_only)
{
	take("x", NULL);		/* global 0 */
	take("p1", "pair");		/* global 1, pair 0 */
	cr_expect_eq(g, 1);
	cr_expect_eq(s, 0);
	take("s1", "serial");		/* global 2, serial 0 */
	cr_expect_eq(g, 2);
	cr_expect_eq(s, 0);
	take("p2", "pair");		/* global 3, pair 1 */
	cr_expect_eq(g, 3);
	cr_expect_eq(s, 1);
	nx_slots_release("p1");
	take("p3", "pair");		/* global 1, pair 0 */
	cr_expect_eq(g, 1);
	cr_expect_eq(s, 0);
}

Test(slots, group_names_compare_by_content)
{
	char a[] = "pair", b[] = "pair";
	nx_slots_take("p1", a, &g, &s);
	nx_slots_take("p2", b, &g, &s);
	cr_expect_eq(s, 1, "the same group under another pointer, got %lu", (unsigned long)s);
}

Test(slots, release_of_an_unknown_instance_changes_nothing)
{
	take("a", NULL);
	nx_slots_release("never-started");
	take("b", NULL);
	cr_expect_eq(g, 1);
}

Test(slots, instance_strings_are_copied)
{
	char name[] = "a";
	nx_slots_take(name, NULL, &g, &s);
	name[0] = 'z';
	take("a", NULL);		/* a retry of "a": the copy is what counts */
	cr_expect_eq(g, 0);
	take("z", NULL);
	cr_expect_eq(g, 1);
}

/* Beyond the bound the slots are still computed but not recorded. */
Test(slots, bounded_table)
{
	char name[32];
	for (int i = 0; i < 4096; i++) {
		snprintf(name, sizeof(name), "t%d", i);
		take(name, NULL);
		cr_assert_eq(g, (uint64_t)i);
	}
	take("over", NULL);
	cr_expect_eq(g, 4096);
	take("over2", NULL);
	cr_expect_eq(g, 4096, "untracked instances hold nothing");
	nx_slots_release("over");
	nx_slots_release("t17");
	take("again", NULL);
	cr_expect_eq(g, 17);
}

/* ---- nextest's rule as a brute-force model, over random schedules ---- */

#define NT 48		/* test instances */
#define NG 3		/* groups: -1 = @global, 0..NG-1 */

struct model {
	int running[NT], group[NT];
	uint64_t gslot[NT], grslot[NT];
};

static uint64_t smallest_free(const struct model *m, int in_group)
{
	for (uint64_t k = 0;; k++) {
		int used = 0;
		for (int i = 0; i < NT && !used; i++)
			if (m->running[i] && (in_group < 0 ? m->gslot[i] == k :
					      m->group[i] == in_group && m->grslot[i] == k))
				used = 1;
		if (!used)
			return k;
	}
}

Test(slots, random_schedules_match_the_model)
{
	static const char *groups[NG] = { "serial", "pair", "wide" };
	unsigned seed = 12345;
	for (int round = 0; round < 200; round++) {
		struct model m = { { 0 }, { 0 }, { 0 }, { 0 } };
		char names[NT][16];
		int generation[NT] = { 0 };
		for (int i = 0; i < NT; i++)
			m.group[i] = (int)(rand_r(&seed) % (NG + 2)) - 2 < 0 ? -1 :
				     (int)(rand_r(&seed) % NG);
		for (int step = 0; step < 400; step++) {
			int i = (int)(rand_r(&seed) % NT);
			snprintf(names[i], sizeof(names[i]), "r%d-t%d-%d", round, i, generation[i]);
			const char *grp = m.group[i] < 0 ? NULL : groups[m.group[i]];
			if (!m.running[i]) {
				uint64_t want_g = smallest_free(&m, -1);
				uint64_t want_s = m.group[i] < 0 ? 0 : smallest_free(&m, m.group[i]);
				nx_slots_take(names[i], grp, &g, &s);
				cr_assert_eq(g, want_g, "round %d step %d: global %lu, rule says %lu", round,
					     step, (unsigned long)g, (unsigned long)want_g);
				if (grp)
					cr_assert_eq(s, want_s, "round %d step %d: group %s slot %lu, rule says %lu",
						     round, step, grp, (unsigned long)s, (unsigned long)want_s);
				m.running[i] = 1;
				m.gslot[i] = g;
				m.grslot[i] = grp ? s : UINT64_MAX;
			} else if (rand_r(&seed) % 3 == 0) {
				/* a retry: same slots */
				nx_slots_take(names[i], grp, &g, &s);
				cr_assert_eq(g, m.gslot[i]);
				if (grp)
					cr_assert_eq(s, m.grslot[i]);
			} else {
				nx_slots_release(names[i]);
				m.running[i] = 0;
				generation[i]++;
			}
		}
		for (int i = 0; i < NT; i++)
			if (m.running[i])
				nx_slots_release(names[i]);
	}
}
