/* extras/hung.h — stacks of a test that turned slow (runner side). */
#ifndef NX_HUNG_H
#define NX_HUNG_H

#include <sys/types.h>

/* Any of hung-stacks / hung-thread / hung-frame attached (no syscall). */
int nx_hung_wanted(void);

/* Captures every thread's stack of test process pid on a helper thread of
 * ours (all signals blocked) and fires the hung-* probes.  Never stops,
 * signals or waits for the test.  Copies the strings. */
void nx_hung_capture(const char *attempt_id, const char *binary_id, const char *test_name,
		     pid_t pid);

#endif
