/* fakeprobe_run.c — drives fakeprobes.so for the capture round-trip self-test.
 *
 * Owns: reading a spec file and firing it.  Usage: fakeprobe_run SPEC THREADS
 * SPEC has one firing per line: `<thread> <probe> <arg>…`, each arg `s<off>:<hex bytes>` (a
 * string, copied into a fresh 128-byte-aligned heap buffer at offset <off> (default 0,
 * preceded by non-NUL filler) with a NUL appended, like usdt does) or `u:<decimal>`.  Thread k (0-based, < THREADS) fires its lines in file order;
 * all threads start together so their probe output interleaves across CPUs.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fakeprobes_fire(const char *probe, const uint64_t *a);

struct firing {
    int thread;
    char probe[64];
    int nargs;
    uint64_t args[6];
};

static struct firing *firings;
static size_t nfirings;
static pthread_barrier_t barrier;

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static uint64_t parse_arg(const char *tok)
{
    if (tok[0] == 'u' && tok[1] == ':')
        return strtoull(tok + 2, NULL, 10);
    char *colon = strchr(tok, ':');
    if (tok[0] != 's' || !colon) {
        fprintf(stderr, "bad arg %s\n", tok);
        exit(2);
    }
    size_t off = strtoul(tok + 1, NULL, 10);
    const char *hex = colon + 1;
    size_t n = strlen(hex) / 2;
    size_t size = (off + n + 1 + 127) / 128 * 128;
    unsigned char *buf = aligned_alloc(128, size);
    if (!buf) exit(2);
    memset(buf, 'Z', off);
    unsigned char *s = buf + off;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) { fprintf(stderr, "bad hex\n"); exit(2); }
        s[i] = (unsigned char)(hi * 16 + lo);
    }
    s[n] = 0;
    return (uint64_t)(uintptr_t)s;
}

static void *worker(void *p)
{
    int me = (int)(intptr_t)p;
    pthread_barrier_wait(&barrier);
    for (size_t i = 0; i < nfirings; i++)
        if (firings[i].thread == me && fakeprobes_fire(firings[i].probe, firings[i].args) != 0) {
            fprintf(stderr, "unknown probe %s\n", firings[i].probe);
            exit(2);
        }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: %s SPEC THREADS\n", argv[0]); return 2; }
    int threads = atoi(argv[2]);
    FILE *f = fopen(argv[1], "r");
    if (!f || threads < 1) { perror("spec"); return 2; }
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        firings = realloc(firings, (nfirings + 1) * sizeof *firings);
        if (!firings) return 2;
        struct firing *fi = &firings[nfirings++];
        memset(fi, 0, sizeof *fi);
        char *save = NULL;
        fi->thread = atoi(strtok_r(line, " \n", &save));
        snprintf(fi->probe, sizeof fi->probe, "%s", strtok_r(NULL, " \n", &save));
        for (char *tok; (tok = strtok_r(NULL, " \n", &save)) && fi->nargs < 6;)
            fi->args[fi->nargs++] = parse_arg(tok);
    }
    free(line);
    fclose(f);
    pthread_t tids[64];
    if (threads > 64) threads = 64;
    pthread_barrier_init(&barrier, NULL, (unsigned)threads);
    for (int t = 0; t < threads; t++)
        pthread_create(&tids[t], NULL, worker, (void *)(intptr_t)t);
    for (int t = 0; t < threads; t++)
        pthread_join(tids[t], NULL);
    printf("fired %zu\n", nfirings);
    return 0;
}
