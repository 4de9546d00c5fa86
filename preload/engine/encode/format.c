/* format.c — nextest's id strings (see format.h). */
#include <stdio.h>

#include "format.h"

/* ---- id formats (list/test_list.rs, config/scripts/imp.rs, reporter/events.rs) ---- */

int nx_format_attempt_id(char *out, size_t cap, const char *run_id, const char *binary_id,
			 const char *test_name, struct nx_opt_u32 stress_index, uint32_t attempt)
{
	char stress[24] = "", retry[16] = "";

	if (stress_index.has)
		snprintf(stress, sizeof(stress), "@stress-%u", (unsigned)stress_index.v);
	if (attempt > 1)
		snprintf(retry, sizeof(retry), "#%u", (unsigned)attempt);
	return snprintf(out, cap, "%s:%s%s$%s%s", run_id ? run_id : "", binary_id ? binary_id : "",
			stress, test_name ? test_name : "", retry);
}

int nx_format_setup_script_id(char *out, size_t cap, const char *run_id, const char *script_id,
			      struct nx_opt_u32 stress_index)
{
	if (stress_index.has)
		return snprintf(out, cap, "%s:%s@stress-%u", run_id ? run_id : "",
				script_id ? script_id : "", (unsigned)stress_index.v);
	return snprintf(out, cap, "%s:%s", run_id ? run_id : "", script_id ? script_id : "");
}

int nx_format_stress_sub_run_id(char *out, size_t cap, const char *run_id, uint32_t stress_index)
{
	return snprintf(out, cap, "%s:@stress-%u", run_id ? run_id : "", (unsigned)stress_index);
}
