/* ansi.c — ANSI escape and progress-bar redraw stripping (see ansi.h). */
#include "ansi.h"

/* Length of a CSI sequence starting at in[i] == ESC, in[i+1] == '['.
 * Sets *final to its final byte (0 if unterminated) and *param to its first
 * numeric parameter (-1 if none). */
static size_t csi_len(const char *in, size_t n, size_t i, char *final, long *param)
{
	size_t j = i + 2;
	long p = -1;

	*final = 0;
	/* Parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F. */
	while (j < n && (unsigned char)in[j] >= 0x30 && (unsigned char)in[j] <= 0x3f) {
		if (in[j] >= '0' && in[j] <= '9' && p < 100000)
			p = (p < 0 ? 0 : p * 10) + (in[j] - '0');
		j++;
	}
	while (j < n && (unsigned char)in[j] >= 0x20 && (unsigned char)in[j] <= 0x2f)
		j++;
	if (j < n && (unsigned char)in[j] >= 0x40 && (unsigned char)in[j] <= 0x7e) {
		*final = in[j];
		j++;
	}
	*param = p;
	return j - i;
}

/* Length of an OSC/DCS/PM/APC string starting at ESC, terminated by BEL or
 * ESC '\' (or unterminated: the rest of the line). */
static size_t string_len(const char *in, size_t n, size_t i)
{
	size_t j = i + 2;

	while (j < n) {
		if (in[j] == '\a')
			return j + 1 - i;
		if (in[j] == 0x1b && j + 1 < n && in[j + 1] == '\\')
			return j + 2 - i;
		j++;
	}
	return n - i;
}

static int csi_resets(char final, long param)
{
	switch (final) {
	case 'K':		/* erase in line: 0 (to end) is harmless at the end */
		return param == 1 || param == 2;
	case 'J':		/* erase display */
	case 'A':		/* cursor up */
	case 'F':		/* cursor to previous line */
	case 'H':		/* cursor position */
	case 'f':
	case 'G':		/* cursor to column */
		return 1;
	default:
		return 0;
	}
}

size_t nx_ansi_strip(const char *in, size_t n, char *out)
{
	size_t i = 0, o = 0;
	int reset = 0;

	while (i < n) {
		unsigned char c = (unsigned char)in[i];

		if (c == 0x1b) {
			if (i + 1 >= n)
				break;
			char k = in[i + 1];
			if (k == '[') {
				char final;
				long param;
				size_t len = csi_len(in, n, i, &final, &param);
				if (csi_resets(final, param))
					reset = 1;
				i += len;
			} else if (k == ']' || k == 'P' || k == '^' || k == '_' || k == 'X') {
				i += string_len(in, n, i);
			} else {
				/* ESC + intermediates (0x20–0x2F) + final byte. */
				size_t j = i + 1;
				while (j < n && (unsigned char)in[j] >= 0x20 && (unsigned char)in[j] <= 0x2f)
					j++;
				i = j < n ? j + 1 : n;
			}
			continue;
		}
		if (c == '\r') {
			reset = 1;
			i++;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			i++;
			continue;
		}
		if (reset) {
			o = 0;
			reset = 0;
		}
		out[o++] = (char)c;
		i++;
	}
	return o;
}
