/* cpus.c — the CPU count nextest's test-threads = "num-cpus" means (see cpus.h):
 * Rust's available_parallelism(): the affinity mask, bounded by the cgroup v2
 * cpu.max quota of this process's cgroup and every parent. */
#include "cpus.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long read_cpu_max(const char *dir)
{
	char path[PATH_MAX + 32], buf[64];
	snprintf(path, sizeof path, "/sys/fs/cgroup%s/cpu.max", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	long quota, period;
	if (sscanf(buf, "%ld %ld", &quota, &period) != 2 || period <= 0 || quota <= 0)
		return -1;	/* "max …" = no limit */
	long cpus = quota / period;
	return cpus < 1 ? 1 : cpus;
}

unsigned nx_cpus_available(void)
{
	cpu_set_t set;
	long n = 0;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		n = CPU_COUNT(&set);
	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n <= 0)
		n = 1;
	/* cgroup v2 quota, from this process's cgroup up to the root */
	char buf[PATH_MAX];
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t r = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (r > 0) {
			buf[r] = 0;
			char *line = strstr(buf, "0::");
			if (line == buf || (line && line[-1] == '\n')) {
				char *path = line + 3, *nl = strchr(path, '\n');
				if (nl)
					*nl = 0;
				for (;;) {
					long q = read_cpu_max(!strcmp(path, "/") ? "" : path);
					if (q > 0 && q < n)
						n = q;
					char *slash = strrchr(path, '/');
					if (!slash || slash == path)
						break;
					*slash = 0;
				}
			}
		}
	}
	return (unsigned)n;
}
