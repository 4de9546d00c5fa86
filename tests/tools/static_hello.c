/* static_hello.c — a statically linked program (no PT_INTERP) standing in for a musl
 * cargo-nextest in the tools tests: `nextest-probes run` must refuse it. */
#include <stdio.h>

int main(void)
{
    puts("static hello");
    return 0;
}
