/* other.c — a competing preload for tests/children: an object that does
 * nothing but be loaded, built under two names (before and after ours). */
int children_other_preload_marker = 1;
