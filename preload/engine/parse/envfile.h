/* envfile.h — checking a setup script's NEXTEST_ENV file as nextest does.
 *
 * Owns: nextest's parse_env_file rules (runner/script_helpers.rs and
 * config/scripts/env_map.rs validate_env_var_key): every line KEY=VALUE, the
 * key not starting with NEXTEST, and from 0.9.131 [A-Za-z_][A-Za-z0-9_]*.
 * A script that exits successfully but leaves a bad file is reported as
 * exec-fail from 0.9.129 (#3094, 3e20bef7); before, nextest only logged the
 * error and the script passed (the caller checks the version).
 */
#ifndef NX_ENVFILE_H
#define NX_ENVFILE_H

#include <stddef.h>

/* 1 if the file parses, 0 if nextest would reject it (or cannot read it).
 * key_chars: also check the key's characters (nextest 0.9.131+). */
int nx_envfile_ok(const char *path, int key_chars);
/* The same check on one line (without its newline); for tests. */
int nx_envfile_line_ok(const char *line, size_t len, int key_chars);

#endif
