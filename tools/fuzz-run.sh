#!/bin/sh
# tools/fuzz-run.sh FUZZ_B SECONDS JOBS FUZZER...: run each libFuzzer
# harness for SECONDS on its seeds (tests/fuzz/corpus/NAME, read-only) and
# what it found before (FUZZ_B/corpus/NAME), JOBS at a time; crashes go to
# FUZZ_B/fuzz_NAME-*.  Prints each fuzzer's figures in the order given;
# exit 1 (with the tail of its log) when one of them failed.  Paths are
# made absolute: some harnesses chdir into a private directory.
set -u
b=$(cd "$1" && pwd) || exit 2
secs=$2 jobs=$3
shift 3
top=$(pwd)
if [ "${1-}" = --one ]; then
	f=$2 n=${2##*/fuzz_}
	mkdir -p "$b/corpus/$n"
	"$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$b/fuzz_$n-" \
	    "$b/corpus/$n" "$top/tests/fuzz/corpus/$n" </dev/null \
	    >"$b/fuzz_$n.log" 2>&1
	echo $? >"$b/fuzz_$n.rc"
	exit 0
fi
for f in "$@"; do
	rm -f "$b/fuzz_${f##*/fuzz_}.rc"
	printf '%s\n' "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"
done | xargs -r -P "$jobs" -n 1 sh "$0" "$b" "$secs" "$jobs" --one
r=0
for f in "$@"; do
	n=${f##*/fuzz_}
	echo "# fuzz_$n: $secs s"
	if [ "$(cat "$b/fuzz_$n.rc" 2>/dev/null)" = 0 ]; then
		grep -E '^stat::number_of_executed_units' "$b/fuzz_$n.log"
	else
		tail -40 "$b/fuzz_$n.log"
		r=1
	fi
done
exit $r
