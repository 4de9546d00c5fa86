/* glob.h — the glob matcher of filtersets.
 *
 * Owns: nextest's glob matcher (`#pattern` and the default matcher of most
 * filterset predicates), following globset without path semantics (* and ?
 * cross '/' and "::"), with [..] [!..] classes and {a,b} alternatives.
 */
#ifndef NX_GLOB_H
#define NX_GLOB_H

/* 1 match, 0 no match, -1 invalid pattern. */
int nx_glob_match(const char *pattern, const char *s);

#endif
