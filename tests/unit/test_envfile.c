/* test_envfile.c — the NEXTEST_ENV file rule per nextest version
 * (preload/engine/parse/envfile.c): NEXTEST* keys and lines without '=' always fail the
 * parse; key characters only from 0.9.131 (validate_env_var_key).  Whether a
 * failed parse changes the script's result (0.9.129+) is the caller's rule,
 * checked by the e2e at 0.9.128 and 0.9.129. */
#include <criterion/criterion.h>
#include <string.h>

#include "envfile.h"

#define OK(s, chars) nx_envfile_line_ok((s), strlen(s), (chars))

Test(envfile, lines)
{
	for (int chars = 0; chars <= 1; chars++) {
		cr_assert(OK("A=1", chars));
		cr_assert(OK("_B=x=y", chars));
		cr_assert(OK("NEXTES=1", chars), "only the NEXTEST prefix is reserved");
		cr_assert(!OK("no equals sign", chars));
		cr_assert(!OK("NEXTEST_X=1", chars));
		cr_assert(!OK("NEXTEST=1", chars));
	}
	cr_assert(OK("1X=1", 0), "0.9.129 - 0.9.130 do not check the key's characters");
	cr_assert(!OK("1X=1", 1));
	cr_assert(OK("=1", 0));
	cr_assert(!OK("=1", 1));
	cr_assert(OK("A-B=1", 0));
	cr_assert(!OK("A-B=1", 1));
}
