/* mallocwrite.c — an allocator interposer that calls write().
 *
 * Owns: malloc/calloc/realloc/free/aligned allocation wrappers (over glibc's
 * __libc_* entry points, so no dlsym is needed) that call write() from inside
 * the allocator — the libmallocintercept pattern: malloc → write → our write
 * hook → (maybe) malloc again.  Each allocation writes 0 bytes to fd 2 (the
 * hook runs, nothing is printed) and 1 byte to a /dev/null fd; with
 * MALLOCWRITE_VISIBLE=1 every 64th allocation writes one 0x01 byte to fd 2,
 * which reaches the hook's line assembler in a runner (the test strips 0x01
 * bytes before comparing outputs).  A per-thread flag stops recursion in
 * this library itself; libnextest_probes must cope on its own. */
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

static __thread int inside;
static int null_fd = -2, visible = -1;
static unsigned long count;

static void poke(void)
{
	if (inside)
		return;
	inside = 1;
	if (null_fd == -2)
		null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (visible < 0) {
		const char *v = getenv("MALLOCWRITE_VISIBLE");
		visible = v && *v == '1';
	}
	write(2, "", 0);
	if (null_fd >= 0)
		write(null_fd, "m", 1);
	if (visible && __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED) % 64 == 0)
		write(2, "\x01", 1);
	inside = 0;
}

void *malloc(size_t n)
{
	void *p = __libc_malloc(n);
	poke();
	return p;
}

void *calloc(size_t a, size_t b)
{
	void *p = __libc_calloc(a, b);
	poke();
	return p;
}

void *realloc(void *q, size_t n)
{
	void *p = __libc_realloc(q, n);
	poke();
	return p;
}

void free(void *p)
{
	__libc_free(p);
}

void *memalign(size_t a, size_t n)
{
	void *p = __libc_memalign(a, n);
	poke();
	return p;
}

void *aligned_alloc(size_t a, size_t n)
{
	return memalign(a, n);
}

int posix_memalign(void **out, size_t a, size_t n)
{
	void *p = memalign(a, n);
	if (!p)
		return 12;	/* ENOMEM */
	*out = p;
	return 0;
}
