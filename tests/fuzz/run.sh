#!/bin/bash
# Runs libFuzzer targets of a -Dfuzzing=true build for SECONDS each, over a scratch copy of
# their seed corpus (the seeds in the source tree are never written), with the target's
# dictionary when it has one. Prints one line per target: execs, coverage, crashes.
# A crash, leak, timeout or OOM input is kept in WORKDIR/<target>/crash-* and fails the run;
# copy it into tests/fuzz/<target>/ as a regression seed once fixed.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]   (default: every fuzz-* in BUILD_DIR)
#   KSCAN_FUZZ_JOBS=2  runs that many targets at once
#   KSCAN_FUZZ_WORK=DIR keeps the scratch corpora and logs (default: a temporary directory)
set -u
build=${1:?usage: run.sh BUILD_DIR SECONDS [TARGET...]}
secs=${2:?usage: run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
# absolute: each target runs in its own scratch directory
build=$(cd "$build" && pwd) || exit 2
src=$(cd "$(dirname "$0")" && pwd)
work=${KSCAN_FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/kscan-fuzz.XXXXXX")}
jobs=${KSCAN_FUZZ_JOBS:-1}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$build"/tests/fuzz/fuzz-*; do
		# executables only: meson keeps each target's objects in a fuzz-T.p directory
		[ -f "$f" ] && [ -x "$f" ] && targets+=("${f##*/fuzz-}")
	done
fi
[ ${#targets[@]} -gt 0 ] || { echo "run.sh: no fuzz-* targets in $build/tests/fuzz" >&2; exit 2; }

one() {
	local t=$1 d="$work/$1" args=()
	mkdir -p "$d/corpus"
	[ -f "$src/$t.dict" ] && args+=("-dict=$src/$t.dict")
	# -timeout: one input over 10 s is a hang; -rss_limit_mb: the caps in limits.h keep
	# every parser far below 2 GiB, so more is a leak or a missing cap
	(cd "$d" && "$build/tests/fuzz/fuzz-$t" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 "${args[@]}" corpus "$src/$t" \
		>log 2>&1)
	echo $? >"$d/rc"
}

running=0
for t in "${targets[@]}"; do
	one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

failed=0
for t in "${targets[@]}"; do
	d="$work/$t"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$d/log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$d/log" | tail -1 | cut -d' ' -f2)
	rc=$(cat "$d/rc")
	crashes=$(find "$d" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
		-o -name 'oom-*' \) | wc -l)
	status=ok
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
		status="FAILED (exit $rc, $crashes input(s) kept in $d)"
		failed=$((failed + 1))
		grep -m5 -E 'ERROR|SUMMARY' "$d/log" | sed 's/^/#   /'
	fi
	printf 'fuzz-%-10s %4ss  execs %-10s cov %-5s ft %-6s %s\n' "$t" "$secs" "${execs:-?}" \
		"${cov:-?}" "${ft:-?}" "$status"
done
[ -n "${KSCAN_FUZZ_WORK:-}" ] || rm -rf "$work"
[ "$failed" -eq 0 ]
