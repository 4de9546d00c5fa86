#!/bin/sh
# run_fuzz.sh — runs each libFuzzer target for a bounded time and tallies.
#
# Owns: the fuzz loop of `make fuzz`.  Usage: run_fuzz.sh BUILD_DIR SECONDS TARGET…
# First, every file tests/fuzz/regress/<target>-* (an input that once found a
# bug) is replayed through its target: each must run clean.
# For each target: a scratch corpus build/fuzz/scratch/<t> (kept between runs, so
# coverage accumulates), the repo seeds tests/fuzz/corpus/<t> read-only,
# artifacts (crash-/leak-/timeout-…) in build/fuzz/artifacts/<t>/.  A target
# passes when libFuzzer exits 0 and left no artifact.  Prints per target
# "fuzz <t>: N runs in S s, corpus C, findings F" and a final
# `N passed, N failed` line; the totals also go to build/fuzz/summary.txt.
set -u
dir=$1; secs=$2; shift 2
pass=0; fail=0; total_runs=0; total_findings=0
: > "$dir/summary.txt"
for f in tests/fuzz/regress/*; do
	[ -f "$f" ] || continue
	t=$(basename "$f"); t=${t%%-*}
	if "$dir/fuzz_$t" -rss_limit_mb=1024 -malloc_limit_mb=1024 -timeout=10 "$f" > "$dir/regress-$(basename "$f").log" 2>&1; then
		pass=$((pass + 1)); echo "regress $(basename "$f"): clean"
	else
		fail=$((fail + 1)); echo "regress $(basename "$f"): FAILS (see $dir/regress-$(basename "$f").log)"
		grep -m3 -E 'ERROR|SUMMARY' "$dir/regress-$(basename "$f").log" | sed 's/^/  /'
	fi
done
for t in "$@"; do
	work="$dir/scratch/$t"; art="$dir/artifacts/$t"
	rm -rf "$art"	# findings of this run only (earlier ones: see tests/fuzz/regress/)
	mkdir -p "$work" "$art" "tests/fuzz/corpus/$t"
	log="$dir/$t.log"
	"$dir/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=1024 \
		-max_len=8192 -print_final_stats=1 -artifact_prefix="$art/" \
		"$work" "tests/fuzz/corpus/$t" > "$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
	[ -n "$runs" ] || runs=0
	corpus=$(ls "$work" | wc -l)
	findings=$(ls "$art" | wc -l)
	total_runs=$((total_runs + runs)); total_findings=$((total_findings + findings))
	line="fuzz $t: $runs runs in ${secs} s, corpus $corpus, findings $findings (exit $rc)"
	echo "$line"; echo "$line" >> "$dir/summary.txt"
	if [ "$rc" -eq 0 ] && [ "$findings" -eq 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "  see $log and $art/"; grep -m5 -E 'ERROR|SUMMARY|fuzz_[a-z]+:' "$log" | sed 's/^/  /'
	fi
done
echo "fuzz total: $total_runs runs, $total_findings findings" | tee -a "$dir/summary.txt"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
