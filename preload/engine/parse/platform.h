/* platform.h — target specs of `platform = …` in overrides and scripts.
 *
 * Owns: evaluating a target-spec (the target-spec crate's subset nextest
 * accepts) against the host this library was built for: a triple
 * ("x86_64-unknown-linux-gnu") or a cfg() expression with all() any() not(),
 * bare predicates (unix) and key = "value" pairs (target_os, target_family,
 * target_arch, target_env, target_vendor, target_endian,
 * target_pointer_width).  Unknown keys are false, as for rustc.
 */
#ifndef NX_PLATFORM_H
#define NX_PLATFORM_H

/* 1 if spec holds for the host, 0 if not, -1 if it does not parse. */
int nx_platform_eval(const char *spec);

#endif
