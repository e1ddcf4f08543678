#!/bin/sh
# t06-fuzz-run.sh - tools/fuzz-run.sh, the fuzz pass of make check: it
# runs every fuzzer given (several at a time), prints each one's figures
# in the order given, and when one fails prints the tail of its log and
# exits 1, so that make check fails.  Stand-in fuzzers (shell scripts
# named fuzz_*) record the options they were given.
. "$(dirname "$0")/lib.sh"

F=$T/fuzz
mkdir -p "$F"
for n in a b c; do
	cat >"$F/fuzz_$n" <<EOF
#!/bin/sh
printf '%s\\n' "\$@" >"$F/args.$n"
echo "INFO: fuzzing $n"
echo "stat::number_of_executed_units: 1$n"
EOF
done
cat >"$F/fuzz_b" <<EOF
#!/bin/sh
printf '%s\\n' "\$@" >"$F/args.b"
echo "==1==ERROR: AddressSanitizer: heap-buffer-overflow in b"
exit 1
EOF
chmod +x "$F"/fuzz_*

run sh "$TOP/tools/fuzz-run.sh" "$F" 3 2 "$F/fuzz_a" "$F/fuzz_c"
expect_rc "two passing fuzzers: exit 0" 0
if [ "$(grep -c '^# fuzz_\|^stat::' "$T/out")" -eq 4 ] &&
    [ "$(sed -n 1p "$T/out")" = "# fuzz_a: 3 s" ] &&
    [ "$(sed -n 2p "$T/out")" = "stat::number_of_executed_units: 1a" ] &&
    [ "$(sed -n 3p "$T/out")" = "# fuzz_c: 3 s" ]; then
	ok "each fuzzer's figures, in the order given"
else
	not_ok "each fuzzer's figures, in the order given" "$(cat "$T/out")"
fi
grep_file "each fuzzer is given the time" "$F/args.a" "^-max_total_time=3$"
grep_file "... and its seeds, by an absolute path" "$F/args.c" \
	"^$TOP/tests/fuzz/corpus/c$"
grep_file "... and what it found before, by an absolute path" "$F/args.c" \
	"^$F/corpus/c$"

run sh "$TOP/tools/fuzz-run.sh" "$F" 3 2 "$F/fuzz_a" "$F/fuzz_b" \
	"$F/fuzz_c"
expect_rc "a failing fuzzer: exit 1" 1
grep_file "... its log's tail is shown" "$T/out" \
	"heap-buffer-overflow in b"
grep_file "... and the others still ran" "$T/out" \
	"stat::number_of_executed_units: 1c"
done_testing
