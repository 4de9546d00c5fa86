/* extras/xtext.h — fixed-buffer text and raw file reading, signal-safe.
 *
 * Owns: the little writer every extra probe builds its strings with (no
 * allocation: the caller owns the buffer; on overflow the text is cut and
 * `cut` is set), JSON string escaping the serde_json way, and reading small
 * /proc files with raw system calls (so the core's read/close hooks never see
 * our descriptors, and so it is async-signal-safe).
 */
#ifndef NX_XTEXT_H
#define NX_XTEXT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct nx_xt {
	char *p;
	size_t len;
	size_t cap;	/* bytes available including the final NUL */
	int cut;
};

void nx_xt_init(struct nx_xt *t, char *buf, size_t cap);
void nx_xt_puts(struct nx_xt *t, const char *s);
void nx_xt_putc(struct nx_xt *t, char c);
void nx_xt_u64(struct nx_xt *t, uint64_t v);
void nx_xt_i64(struct nx_xt *t, int64_t v);
void nx_xt_json(struct nx_xt *t, const char *s);	/* quoted, escaped */
/* Appends a NUL that is part of the text (packs several C strings into one
 * buffer). */
void nx_xt_nul(struct nx_xt *t);
/* Every extra probe's arg0, {"ok":{"attempt_id":…,…}} then NUL: nx_xt_open
 * writes up to the attempt id, each nx_xt_f_* one more field (,"name":value;
 * the _opt forms write null when !has), nx_xt_close the end and the NUL. */
void nx_xt_open(struct nx_xt *t, const char *attempt_id);
void nx_xt_f_json(struct nx_xt *t, const char *name, const char *s);
void nx_xt_f_u64(struct nx_xt *t, const char *name, uint64_t v);
void nx_xt_f_i64(struct nx_xt *t, const char *name, int64_t v);
void nx_xt_f_opt_u64(struct nx_xt *t, const char *name, int has, uint64_t v);
void nx_xt_f_opt_i64(struct nx_xt *t, const char *name, int has, int64_t v);
void nx_xt_close(struct nx_xt *t);
/* The frame fields shared by crash-frame and hung-frame arg0, closing the
 * object: ,"ip":…,"module":…,"module_offset":…,"symbol":…,"symbol_offset":…}}
 * and the NUL. */
void nx_xt_frame_fields(struct nx_xt *t, uint64_t ip, const char *module, uint64_t module_offset,
			const char *symbol, uint64_t symbol_offset);
/* Appends s and a NUL; returns the offset where s starts. */
size_t nx_xt_str(struct nx_xt *t, const char *s);

/* Reads up to cap-1 bytes of a file into buf (NUL-terminated); returns the
 * length or -1.  Raw syscalls only. */
ssize_t nx_xt_read_file(const char *path, char *buf, size_t cap);

/* "/proc/<pid>/task/<tid>/<leaf>" into out (tid <= 0: "/proc/<pid>/<leaf>"). */
void nx_xt_proc_path(char *out, size_t cap, pid_t pid, pid_t tid, const char *leaf);

#endif
