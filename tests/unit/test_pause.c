/* test_pause.c — the runner's paused time (preload/engine/model/pause.c):
 * time inside a window, a pause still running, the running total.  One
 * process-wide clock, so the cases run in one test, in order. */
#include <criterion/criterion.h>

#include "pause.h"

Test(pause, windows_and_totals)
{
	cr_assert_eq(nx_pause_total(100), 0);
	cr_assert_eq(nx_pause_within(0, 1000), 0);

	nx_pause_begin(100);
	nx_pause_begin(150);			/* already paused: the first begin counts */
	cr_assert_eq(nx_pause_total(130), 30);	/* running pause counts up to now */
	cr_assert_eq(nx_pause_within(0, 120), 20);
	cr_assert_eq(nx_pause_within(110, 140), 30);
	nx_pause_end(200);
	nx_pause_end(300);			/* not paused: ignored */
	cr_assert_eq(nx_pause_total(1000), 100);

	nx_pause_begin(500);
	nx_pause_end(550);
	cr_assert_eq(nx_pause_total(1000), 150);
	cr_assert_eq(nx_pause_within(0, 1000), 150);
	cr_assert_eq(nx_pause_within(150, 520), 70);	/* 50 of the first, 20 of the second */
	cr_assert_eq(nx_pause_within(200, 500), 0);	/* between the two */
	cr_assert_eq(nx_pause_within(600, 700), 0);
}
