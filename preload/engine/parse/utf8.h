/* utf8.h — UTF-8 for the parsers of engine/parse.
 *
 * Owns: encoding a code point (TOML and filterset escapes) and decoding one
 * character leniently (globs, regex translation).  Nothing allocates.
 */
#ifndef NX_UTF8_H
#define NX_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Encodes cp (a Unicode scalar value) into out: the bytes written (1-4). */
size_t nx_utf8_encode(uint32_t cp, char out[4]);

/* Decodes one character at s, a NUL-terminated string: the bytes it spans.
 * A malformed sequence decodes as its first byte alone (1 byte), so a
 * decoder loop always advances and never reads past the NUL. */
size_t nx_utf8_decode(const unsigned char *s, uint32_t *cp);

#endif
