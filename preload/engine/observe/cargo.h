/* cargo.h — binary ids learned from the cargo build the runner drives.
 *
 * Owns: recognising the runner's `cargo test --no-run --message-format json…`
 * child, reading the compiler-artifact messages the runner reads from its
 * stdout pipe, and the resulting map test-binary path -> binary id, computed
 * as nextest computes it (binary_list.rs, RustBinaryId::from_parts).  nextest
 * before 0.9.116 does not put NEXTEST_BINARY_ID in the test environment; this
 * is where the shim gets it then.  Bounded: MAX_BINARIES entries.
 */
#ifndef NX_CARGO_H
#define NX_CARGO_H

#include <stddef.h>
#include <sys/types.h>

#include "pipes.h"

/* A spawn that is not a nextest child: is it the cargo build (nx_is_cargo_build,
 * nxchild.h)?  Then follow its stdout read end. */
void nx_cargo_spawned(char *const argv[], const struct nx_child_pipes *pipes);
int nx_cargo_fd(int fd);
void nx_cargo_read(int fd, const void *buf, ssize_t n);
void nx_cargo_closing(int fd);

/* Parse one cargo JSON message line (exposed for tests). */
void nx_cargo_line(const char *line, size_t len);
/* The binary id for a test-binary path, copied into out; 0 if unknown. */
int nx_cargo_binary_id(const char *path, char *out, size_t cap);
/* The binary id from its parts, as RustBinaryId::from_parts (for tests). */
int nx_cargo_format_id(const char *package_id, const char *const *kinds, size_t nkinds,
		       const char *target_name, char *out, size_t cap);

#endif
