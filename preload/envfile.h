/* envfile.h — checking a setup script's NEXTEST_ENV file as nextest does.
 *
 * Owns: nextest's parse_env_file rules (runner/script_helpers.rs and
 * config/scripts/env_map.rs validate_env_var_key): every line KEY=VALUE, the
 * key [A-Za-z_][A-Za-z0-9_]* and not starting with NEXTEST.  A script that
 * exits successfully but leaves a malformed file is reported as exec-fail.
 */
#ifndef NX_ENVFILE_H
#define NX_ENVFILE_H

#include <stddef.h>

/* 1 if the file parses, 0 if nextest would reject it (or cannot read it). */
int nx_envfile_ok(const char *path);
/* The same check on one line (without its newline); for tests. */
int nx_envfile_line_ok(const char *line, size_t len);

#endif
