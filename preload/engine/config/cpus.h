/* cpus.h — the number of CPUs available to this process.
 *
 * Owns: what Rust's std::thread::available_parallelism() returns on Linux
 * (nextest's "num-cpus"): sched_getaffinity, else the online CPUs, lowered to
 * the cgroup v2 cpu.max quota of any cgroup up to the root.  Never 0.
 */
#ifndef NX_CPUS_H
#define NX_CPUS_H

unsigned nx_cpus_available(void);

#endif
