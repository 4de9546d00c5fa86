/*
 * nextest_probes.d — the DTrace provider of libnextest_probes (macOS).
 *
 * Owns: the declaration of nextest's ten probes for `dtrace -h`, exactly as
 * nextest's usdt crate declares them (provider "nextest", probe names with
 * "__", which DTrace shows as "-", and nextest's order).  The Makefile's
 * macOS branch turns it into build/nextest_probes_dtrace.h; probes_darwin.c
 * fires through that header.  Argument kinds must match NX_PROBE_LIST in
 * probes.h (char* = P, uint32_t = U32, uint64_t = U64); `make
 * darwin-static-check` compares the two.
 */
provider nextest {
	probe test__attempt__start(char*, char*, char*, char*, uint32_t);
	probe test__attempt__done(char*, char*, char*, char*, char*, uint64_t);
	probe test__attempt__slow(char*, char*, char*, char*, uint64_t);
	probe setup__script__start(char*, char*, char*, uint32_t);
	probe setup__script__slow(char*, char*, char*, uint64_t);
	probe setup__script__done(char*, char*, char*, char*, uint64_t);
	probe run__start(char*, char*);
	probe run__done(char*, char*);
	probe stress__sub__run__start(char*, char*, uint32_t);
	probe stress__sub__run__done(char*, char*, uint32_t);
};
