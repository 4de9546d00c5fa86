/* ansi.h — turning one terminal line into the text a reader would see.
 *
 * Owns: removal of ANSI escape sequences (SGR colours, cursor movement,
 * erase, OSC such as indicatif's `ESC ] 9;4;… ESC \`) and of progress-bar
 * redraws from a single line (no '\n' inside).
 *
 * Model: the line is written left to right; a carriage return, an erase of
 * the whole line (`ESC[2K`, `ESC[1K`), an erase of the display (`ESC[…J`), a
 * cursor move up/to a position (`ESC[…A`, `ESC[…F`, `ESC[…H`, `ESC[…G`)
 * means "what follows replaces what came before".  The replacement only
 * happens when a visible byte follows, so a trailing "\r" (CRLF) or a
 * trailing `ESC[2K` keeps the text before it.  Other C0 control bytes
 * (except TAB) and DEL are dropped.  An unterminated escape sequence at the
 * end of the line is dropped.  Bytes >= 0x80 are kept (UTF-8 text such as
 * the '─' rule).
 */
#ifndef NX_ANSI_H
#define NX_ANSI_H

#include <stddef.h>

/* Strip `in[0..n)` into `out`, which must have room for n bytes; `out` may
 * be `in` (in-place).  Returns the length of the visible text. */
size_t nx_ansi_strip(const char *in, size_t n, char *out);

#endif
