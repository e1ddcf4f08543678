#!/bin/sh
# make lint (tools/lint-layers.sh, without --flagtab) passes on the tree as
# it is, and fails, naming the file and the rule, on what it is there to
# catch: a backward include, an include cycle, a flag table edited by hand
# or older than its generator or than the SDK, and each format rule of
# tools/lint-knf.awk; a // or if( inside a string literal is not a
# finding.  It runs on a copy of the tracked files (no network, no SDK).
. "$(dirname "$0")/lib.sh"

R=$T/repo
mkdir -p "$R"
if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$TOP" ls-files src tools tests .clang-format |
		(cd "$TOP" && tar -cf - -T - 2>/dev/null) | tar -xf - -C "$R"
else
	(cd "$TOP" && tar -cf - src tools tests .clang-format) |
		tar -xf - -C "$R"
fi

# lint [fast]: run the check on the copy; its output in $T/out, its
# status in $rc.  fast: a clang-format that changes nothing stands in for
# the real one (whose count is advisory, never a failure), so that the
# planted cases take a fraction of a second each.
lint() {
	if [ "${1:-}" = fast ]; then
		mkdir -p "$T/fastbin"
		printf '#!/bin/sh\nexit 0\n' >"$T/fastbin/clang-format"
		chmod +x "$T/fastbin/clang-format"
		run env PATH="$T/fastbin:$PATH" sh "$R/tools/lint-layers.sh"
	else
		run sh "$R/tools/lint-layers.sh"
	fi
}

# (a) The tree as it is.
lint
if [ "$rc" -eq 0 ] &&
    grep -q '^lint: layers, cycles, flag table and KNF clean' "$T/out"
then
	ok "the tree passes make lint"
else
	not_ok "the tree passes make lint" "exit $rc:" "$(head -20 "$T/out")" \
		"$(head -5 "$T/err")"
fi

# A backward include: a util file including a header of the check layer.
u=$(cd "$R" && ls src/util/*.c | sed 1q)
h=$(cd "$R/src" && ls check/*.h | sed 1q)
cp "$R/$u" "$T/saved.c"
printf '#include "%s"\n' "$h" >>"$R/$u"
lint fast
if [ "$rc" -eq 1 ] &&
    grep -qxF "BACKWARD $u (util) includes \"$h\" (check)" "$T/out"; then
	ok "backward include: BACKWARD $u"
else
	not_ok "backward include: BACKWARD $u" "exit $rc:" "$(head -20 "$T/out")"
fi
cp "$T/saved.c" "$R/$u"

# A cycle: two modules of one layer that include each other.
printf '#include "util/t05b.h"\n' >"$R/src/util/t05a.h"
printf '#include "util/t05a.h"\n' >"$R/src/util/t05b.h"
lint fast
if [ "$rc" -eq 1 ] &&
    grep '^CYCLE between modules:' "$T/out" | grep -q ' src/util/t05a[ ;]' &&
    grep '^CYCLE between modules:' "$T/out" | grep -q ' src/util/t05b[ ;]'
then
	ok "include cycle: CYCLE src/util/t05a src/util/t05b"
else
	not_ok "include cycle: CYCLE src/util/t05a src/util/t05b" "exit $rc:" \
		"$(head -20 "$T/out")"
fi
rm -f "$R/src/util/t05a.h" "$R/src/util/t05b.h"

# The KNF rules: one planted finding a line, each found at its line, and
# nothing else; beside them, a file whose literals hold what would be
# findings outside a string.
k=src/util/t05_knf.c
s=src/util/t05_str.c
{
	echo '/* t05-lint.sh: planted findings, one a line */'
	printf '/* %s */\n' "$(printf '%075d' 0 | tr 0 x)"
	echo 'int t05_space; '
	echo 'int t05_slash;	// a comment'
	echo 'static int'
	echo 't05_keyword(int x)'
	echo '{'
	echo '	if(x)'
	echo '		return 1;'
	echo '        return 0;'
	echo '}'
	echo 'static int t05_rettype(void)'
	echo '{'
	echo '	return 0;'
	echo '}'
	echo 'static int'
	echo 't05_brace(void) {'
	echo '	return 0;'
	echo '}'
} >"$R/$k"
cat >"$R/$s" <<'EOF'
/* t05-lint.sh: in a literal these are not findings */
const char *t05_url = "https://example.com//x if(a) for(b) while(c)";
const char *t05_esc = "a \"// b\" switch(c) return(d) \\";
const char t05_slash = '/', t05_quote = '"';
const char *t05_after = "x"; /* "//" if( */
EOF
lint fast
for want in "2: width: 81 columns" "3: space:" "4: comment:" "8: keyword:" \
    "10: indent:" "13: rettype: the return type" "17: rettype: a function's {"
do
	case $want in
	*width*) what="a line of 81 columns" ;;
	*space*) what="white space at the end" ;;
	*comment*) what="a // comment" ;;
	*keyword*) what="if( without a space" ;;
	*indent*) what="spaces where a tab goes" ;;
	*"return type"*) what="the return type on the name's line" ;;
	*) what="a { on the name's line" ;;
	esac
	if [ "$rc" -eq 1 ] && grep -qF "$k:$want" "$T/out"; then
		ok "KNF: $what is $k:$want"
	else
		not_ok "KNF: $what is $k:$want" "exit $rc; findings in $k:" \
			"$(grep "^$k:" "$T/out" || :)"
	fi
done
n=$(grep -cE '^[^ ]+:[0-9]+: (width|space|indent|comment|keyword|rettype):' \
    "$T/out" || :)
if [ "$n" -eq 7 ]; then
	ok "KNF: the 7 planted findings and no other"
else
	not_ok "KNF: the 7 planted findings and no other" "$n findings:" \
		"$(head -20 "$T/out")"
fi
if grep -q "^$s:" "$T/out"; then
	not_ok "KNF: // and if( inside literals are no finding" \
		"$(grep "^$s:" "$T/out")"
else
	ok "KNF: // and if( inside literals are no finding"
fi
rm -f "$R/$k" "$R/$s"

# The generated flag table: a hand edit, a generator changed without
# `make flagtab`, a table from another SDK.
tab=src/argv/flagtab.c
cp "$R/$tab" "$T/saved-tab"
sed 's/{ "--async", FLAG_NONE, 0 },/{ "--async", FLAG_ONE, 0 },/' \
    "$T/saved-tab" >"$R/$tab"
lint fast
if [ "$rc" -eq 1 ] && ! cmp -s "$R/$tab" "$T/saved-tab" &&
    grep -q "^FLAGTAB $tab does not match its seal" "$T/out"; then
	ok "flag table: a hand edit is FLAGTAB"
else
	not_ok "flag table: a hand edit is FLAGTAB" "exit $rc:" \
		"$(head -5 "$T/out")"
fi
cp "$T/saved-tab" "$R/$tab"
echo '# a change' >>"$R/tools/gen-flagtab.py"
lint fast
if [ "$rc" -eq 1 ] &&
    grep -q "^FLAGTAB $tab does not match its seal" "$T/out"; then
	ok "flag table: a changed generator is FLAGTAB"
else
	not_ok "flag table: a changed generator is FLAGTAB" "exit $rc:" \
		"$(head -5 "$T/out")"
fi
sed '$d' "$R/tools/gen-flagtab.py" >"$T/gen" && cat "$T/gen" \
    >"$R/tools/gen-flagtab.py"
mkdir -p "$T/sdk"
echo 999.0.0 >"$T/sdk/VERSION"
run env SDK="$T/sdk" PATH="$T/fastbin:$PATH" sh "$R/tools/lint-layers.sh"
if [ "$rc" -eq 1 ] &&
    grep -q "^FLAGTAB $tab is from SDK .*, the installed SDK is 999.0.0" \
    "$T/out"; then
	ok "flag table: another SDK's table is FLAGTAB"
else
	not_ok "flag table: another SDK's table is FLAGTAB" "exit $rc:" \
		"$(head -5 "$T/out")"
fi

done_testing
