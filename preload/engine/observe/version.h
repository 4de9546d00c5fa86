/* version.h — which cargo-nextest release the runner is, from what it shows.
 *
 * Owns: detecting the runner's nextest version from three sources, in this
 * order of trust (docs/compatibility.md, "How the library learns the version"):
 *   1. NEXTEST_VERSION that the runner gives its children (run phase and setup
 *      scripts from 0.9.130, list phase from 0.9.138), believed only together
 *      with NEXTEST_REQUIRED_VERSION, which nobody exports by hand;
 *   2. the version literal compiled into the runner's binary (clap's
 *      `version`, env!("CARGO_PKG_VERSION")): the highest `0.9.N` token in the
 *      executable's .rodata, read once, only in a runner, only when a probe
 *      needs the configuration;
 *   3. behaviour: which NEXTEST_* variables the children carry bound the
 *      version from below and above (nextest-version-history.md §1).
 * The binary's value is clamped into the behaviour bounds when they disagree;
 * with neither 1 nor 2, the newest version the bounds allow (at most
 * NX_VERSION_LATEST) is assumed.
 * Reporting: when LIBNEXTEST_PROBES_VERSION_LOG names a file, the runner
 * appends one line saying what it detected and why; nothing else is written.
 */
#ifndef NX_VERSION_H
#define NX_VERSION_H

#include <stddef.h>

/* The environment variable naming the detection log (unset: no log). */
#define NX_VERSION_LOG_ENV "LIBNEXTEST_PROBES_VERSION_LOG"

enum nx_version_source {
	NX_VSRC_DEFAULT = 0,	/* nothing known: NX_VERSION_LATEST */
	NX_VSRC_ENV,		/* NEXTEST_VERSION of a child */
	NX_VSRC_BINARY,		/* the binary's version literal */
	NX_VSRC_BINARY_CLAMPED,	/* the binary's, moved into the behaviour bounds */
	NX_VSRC_BEHAVIOUR,	/* the newest version the behaviour bounds allow */
};

/* What a child's environment says (kind: enum nx_spawn_kind of spawned.h).
 * Lock-free; called in the parent after the spawn returned. */
void nx_version_note_child(int kind, char *const envp[]);

struct nx_version_obs {
	unsigned env;		/* NEXTEST_VERSION seen (0 = none) */
	unsigned binary;	/* the binary's literal (0 = none found / not read) */
	unsigned lo, hi;	/* behaviour bounds; lo 0 / hi ~0u = unbounded */
};

/* The children's observations so far (binary left 0). */
void nx_version_observed(struct nx_version_obs *o);

/* Pure decision from the observations (exposed for the unit tests). */
unsigned nx_version_resolve(const struct nx_version_obs *o, enum nx_version_source *src);

/* The highest plausible `0.9.N` token in buf (0.9.48 … 0.9.9999), or 0.
 * A token directly after '-', '.', '/' or '_' (crate directory names such as
 * openssl-sys-0.9.109/) or before '/', a digit or ".digit" is not counted. */
unsigned nx_version_scan(const char *buf, size_t len);

/* nx_version_scan over an executable's .rodata (the whole file if it is not
 * an ELF64 file with section headers).  0 if unreadable or nothing found. */
unsigned nx_version_of_file(const char *path);

/* The version of this runner: detected on the first call, then fixed.
 * Thread-safe; parent process only (reads a file, may allocate). */
unsigned nx_version_detect(void);

/* "0.9.143" from NX_VERSION form; returns buf. */
char *nx_version_text(unsigned v, char *buf, size_t cap);

#endif
