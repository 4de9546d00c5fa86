/* shellwords.h — split and join command lines like the shell-words crate.
 *
 * Owns: the exact semantics of shell_words::split / shell_words::join
 * (crate 1.1.x, the version nextest locks), which nextest uses for the
 * double-spawn stub's 5th argument.  No allocation: callers give the memory.
 *
 * split: POSIX-style words, quote removal only.  Delimiters are space, tab and
 * newline (not CR).  Single quotes: literal up to the next '.  Double quotes:
 * backslash escapes only $ ` " \ and newline (backslash-newline is removed);
 * before any other byte the backslash is kept.  Unquoted backslash escapes
 * the next byte; backslash-newline is a line continuation; a trailing
 * backslash is kept literally.  `#` at the start of a word starts a comment
 * to the end of the line.  An unterminated quote is an error.
 *
 * join: each word quoted only if needed, then joined by single spaces.  A word
 * is left as is unless it is empty or contains one of
 *     | & ; < > ( ) $ ` \ " space tab * ? [ # = % newline '
 * or U+02DC (the crate lists '˜', not '~'); then it is wrapped in single
 * quotes with each ' written as '\''.
 */
#ifndef NX_SHELLWORDS_H
#define NX_SHELLWORDS_H

#include <stddef.h>

#define NX_SHELL_ESYNTAX (-1)	/* unterminated quote */
#define NX_SHELL_ENOSPC (-2)	/* out or argv too small */

/* Splits s.  Words are written NUL-terminated into out[0..cap) and argv[i]
 * points at word i; argv[count] is NOT written.  Returns the number of words,
 * NX_SHELL_ESYNTAX or NX_SHELL_ENOSPC.  strlen(s) + 1 + strlen(s) / 2 + 1
 * bytes of out and strlen(s) / 2 + 1 argv slots always suffice. */
long nx_shell_split(const char *s, char *out, size_t cap, const char **argv, size_t max_args);

/* Joins words[0..n) snprintf-style: writes at most cap bytes including the
 * NUL, returns the full length excluding the NUL. */
size_t nx_shell_join(const char *const *words, size_t n, char *out, size_t cap);

#endif
