/* version_of.c — prints the cargo-nextest version preload/engine/observe/version.c reads out
 * of each executable named on the command line ("-" when it finds none), the
 * way the library does inside a runner.  Used by tests/versions/test_detect.py. */
#include <stdio.h>

#include "version.h"

int nx_role;	/* role.c is not linked: the destructor never detects here */

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char buf[32];
		unsigned v = nx_version_of_file(argv[i]);
		printf("%s\t%s\n", v ? nx_version_text(v, buf, sizeof buf) : "-", argv[i]);
	}
	return 0;
}
