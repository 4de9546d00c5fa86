/* extras/xsym.h — naming an address: module, offset, symbol.  Signal-safe.
 *
 * Owns: finding the module of an address in a /proc/PID/maps text, and the
 * function symbol containing it from the module's ELF .symtab (else
 * .dynsym), read from the file with open + mmap — no allocation, no lock, no
 * dladdr (whose loader lock a crashing thread may hold).  Rust symbols are
 * demangled: legacy (_ZN…E, hash dropped) and v0 (_R…, generics dropped).
 */
#ifndef NX_XSYM_H
#define NX_XSYM_H

#include <stddef.h>
#include <stdint.h>

struct nx_xframe {
	uint64_t ip;
	uint64_t module_offset;	/* ELF virtual address (what addr2line takes) */
	uint64_t symbol_offset;
	char module[256];	/* "" if unknown */
	char symbol[256];	/* "" if unknown */
};

/* One mapped ELF file kept between lookups of one walk. */
struct nx_xsym_cache {
	char path[256];
	void *map;
	size_t len;
};

/* Fills f->module/module_offset/symbol/symbol_offset for f->ip (looked up
 * at ip - 1 when is_return: a return address may sit past its call's
 * function).  maps = NUL-terminated /proc/PID/maps text. */
void nx_xsym_describe(const char *maps, struct nx_xsym_cache *c, struct nx_xframe *f,
		      int is_return);
void nx_xsym_release(struct nx_xsym_cache *c);

/* 1 if addr lies in an executable mapping of the maps text. */
int nx_xsym_is_code(const char *maps, uint64_t addr);

/* Legacy Rust demangling; returns 1 if out holds a demangled name. */
int nx_xdemangle(const char *in, char *out, size_t cap);

/* Rust v0 (_R…) paths, generic arguments left out (xdemangle_v0.c). */
int nx_xdemangle_v0(const char *in, char *out, size_t cap);

#endif
