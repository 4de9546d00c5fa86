/* empty.c — the floor of any preload: a shared object with nothing in it
 * but one unused variable.  `make bench` preloads it next to "no preload"
 * and the library, so the table shows what loading any object costs. */
int nx_bench_empty_object;
