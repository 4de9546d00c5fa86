/* darwin_interpose_check.c — reads back the interpose table built on Linux.
 *
 * Owns: the program darwin_interpose_check.py runs.  Linked with
 * darwin_interpose_tu.c (section "nx_interpose", whose bounds the ELF linker
 * provides) and -rdynamic.  argv[1..] are the names of NX_INTERPOSED in
 * order; for each, the table's pair must be exactly { nx_hook_<name>, <name> }
 * as dlsym resolves them — the replacement first, the libc function second,
 * the order dyld reads.  Prints one line per failure and exits 1 on any.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

extern const void *const __start_nx_interpose[];
extern const void *const __stop_nx_interpose[];

int main(int argc, char **argv)
{
	size_t n = (size_t)(__stop_nx_interpose - __start_nx_interpose) / 2;
	int bad = 0;
	if (n != (size_t)argc - 1) {
		printf("table has %zu pairs, %d names given\n", n, argc - 1);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = argv[i + 1];
		char hook_name[128];
		snprintf(hook_name, sizeof hook_name, "nx_hook_%s", name);
		void *hook = dlsym(RTLD_DEFAULT, hook_name);
		void *real = dlsym(RTLD_DEFAULT, name);
		const void *got_hook = __start_nx_interpose[2 * i];
		const void *got_real = __start_nx_interpose[2 * i + 1];
		if (!hook || !real || hook == real || got_hook != hook || got_real != real) {
			printf("pair %zu (%s): table {%p, %p}, want {%s=%p, %s=%p}\n", i, name,
			       got_hook, got_real, hook_name, hook, name, real);
			bad = 1;
		}
	}
	if (!bad)
		printf("INTERPOSE OK %zu\n", n);
	return bad;
}
