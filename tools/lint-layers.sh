#!/bin/sh
# lint-layers.sh - the checks of `make lint` over src/ (and include/ while
# the tree is flat):
#   - layers: no include of a higher layer, nor of a sibling the layer
#     table of tools/relayout.sh does not allow (check and audit do not
#     include each other); the layer is the folder under src/, or, in the
#     flat tree, the map of tools/relayout.sh
#   - cycles: no two modules that include each other, directly or around
#     a loop (a module is a .c and its .h; cli_*.c are parts of cli)
#   - KNF: the format rules of STYLE.md (width, tabs, comments, keywords,
#     definitions; tools/lint-knf.awk) fail, in every C file of ours
#   - format: the other lines clang-format (the .clang-format at the top)
#     would change, counted, not failed (see below; LINT_FORMAT=fail
#     fails); the generated flagtab.c is left to --flagtab
#   - tools/lint-layers.allow lists the includes let through for now
#     (module names, FROM INCLUDED, each with the change that removes
#     it); they are printed as ALLOWED on every run, not hidden
#   - flagtab: the generated table matches its seal and the installed
#     SDK's version (fast; see below)
#   tools/lint-layers.sh --flagtab   the generated flag table is what
#     tools/gen-flagtab.py writes from the installed SDK (slow: ~SDK load)
# Exit 1 with one line per finding; 0 when clean.
set -eu
cd "$(dirname "$0")/.."
SDK=${SDK:-/usr/lib/google-cloud-sdk}

if [ "${1:-}" = --flagtab ]; then
	py=$SDK/platform/bundledpythonunix/bin/python3
	tab=$(find src -name flagtab.c | head -1)
	if [ ! -x "$py" ] || [ ! -d "$SDK/lib" ]; then
		echo "SKIP - lint flagtab: no Google Cloud SDK at $SDK"
		exit 0
	fi
	new=$(mktemp)
	trap 'rm -f "$new"' EXIT
	"$py" tools/gen-flagtab.py "$SDK" >"$new"
	if cmp -s "$new" "$tab"; then
		echo "lint: $tab is current ($(sed -n \
		    's/^const char flagtab_sdk_version\[\] = "\(.*\)";/SDK \1/p' \
		    "$tab"))"
		exit 0
	fi
	echo "lint: $tab is stale: run 'make flagtab' and commit it:"
	diff -u "$tab" "$new" | head -20
	exit 1
fi

files=$(find src include -name '*.[ch]' 2>/dev/null | sort)
rc=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT

# One awk over: the layer table, the map, the files, the include lines.
{
	echo @layers
	sed -n '/^# BEGIN LAYERS/,/^# END LAYERS/{/LAYERS/d;s/^# //p;}' \
	    tools/relayout.sh
	echo @map
	sed -n '/^# BEGIN MAP/,/^# END MAP/{/^#/d;/^$/d;p;}' tools/relayout.sh
	echo @allow
	[ ! -f tools/lint-layers.allow ] ||
		sed -e 's/#.*//' -e '/^[[:space:]]*$/d' tools/lint-layers.allow
	echo @files
	echo "$files"
	echo @inc
	# shellcheck disable=SC2086
	grep -H '^#[[:space:]]*include[[:space:]]*"' $files || :
} | awk -v edges="$edges" '
/^@/ { part = $1; next }
part == "@layers" { rank[$1] = ++n; for (i = 2; i <= NF; i++) ok[$1, $i] = 1; next }
part == "@map" { nm++; from[nm] = $1; to[nm] = $2; next }
part == "@allow" { allow[$1, $2] = 1; next }
part == "@files" { have[$0] = 1; next }
function stem(f) { sub(/.*\//, "", f); sub(/\.[ch]$/, "", f); return f }
function layer(f,   s, i, p, t, a) {
	if (f ~ /^src\/[^\/]+\/.+/) { split(f, a, "/"); return a[2] }
	s = stem(f)
	for (i = 1; i <= nm; i++) {
		p = from[i]
		if (p ~ /\*$/) { p = substr(p, 1, length(p) - 1)
			if (substr(s, 1, length(p)) != p) continue }
		else if (s != p) continue
		t = to[i]; if (t == ".") return "top"
		sub(/\/.*/, "", t); return t
	}
	return "?"
}
function module(f,   d, s) {
	s = stem(f); sub(/_.*/, "", s)
	d = f; sub(/\/[^\/]*$/, "", d); if (d == "include") d = "src"
	return d "/" s
}
function resolve(f, x,   d) {
	if (("src/" x) in have) return "src/" x
	if (("include/" x) in have) return "include/" x
	d = f; sub(/\/[^\/]*$/, "", d)
	if ((d "/" x) in have) return d "/" x
	return ""
}
part == "@inc" {
	f = $0; sub(/:.*/, "", f)
	x = $0; sub(/^[^"]*"/, "", x); sub(/".*/, "", x)
	t = resolve(f, x)
	if (t == "") { printf "UNRESOLVED %s: \"%s\"\n", f, x; bad = 1; next }
	lf = layer(f); lt = layer(t)
	if (lf == "?" || lt == "?") {
		printf "NO LAYER %s\n", (lf == "?" ? f : t); bad = 1; next
	}
	if (!(lf in rank)) { printf "NO LAYER %s (%s)\n", f, lf; bad = 1; next }
	mf = module(f); mt = module(t)
	ms = mf; sub(/.*\//, "", ms); ns = mt; sub(/.*\//, "", ns)
	if ((ms, ns) in allow) {
		used[ms, ns] = 1
		printf "ALLOWED %s (%s) includes \"%s\" (%s): " \
		    "tools/lint-layers.allow\n", f, lf, x, lt
		next
	}
	if (lf != lt && !ok[lf, lt]) {
		printf "BACKWARD %s (%s) includes \"%s\" (%s)\n", f, lf, x, lt
		bad = 1
	}
	if (mf != mt) print mf, mt > edges
}
END {
	for (k in allow) if (!(k in used)) { split(k, ab, SUBSEP)
		printf "note: tools/lint-layers.allow: %s %s is not needed " \
		    "any more; remove it\n", ab[1], ab[2] }
	exit bad
}
' || rc=1

# Cycles between modules: the strongly connected components of the
# module graph (Tarjan), each with its edges.
loops=$(sort -u "$edges" | awk '
{ if (!(($1, $2) in e)) { e[$1, $2] = 1; adj[$1] = adj[$1] " " $2 }
  node[$1] = node[$2] = 1 }
function visit(v,   ws, k, w, c, m) {
	idx[v] = low[v] = ++cnt; st[++sp] = v; on[v] = 1
	k = split(adj[v], ws, " ")
	for (c = 1; c <= k; c++) {
		w = ws[c]
		if (!(w in idx)) { visit(w); if (low[w] < low[v]) low[v] = low[w] }
		else if (on[w] && idx[w] < low[v]) low[v] = idx[w]
	}
	if (low[v] == idx[v]) {
		m = ""; n = 0
		do { w = st[sp--]; on[w] = 0; m = m " " w; comp[w] = v; n++ }
		while (w != v)
		if (n > 1) scc[v] = m
	}
}
END {
	for (v in node) if (!(v in idx)) visit(v)
	for (r in scc) {
		out = "CYCLE between modules:" scc[r] "; edges:"
		for (k in e) { split(k, ab, SUBSEP)
			if (comp[ab[1]] == r && comp[ab[2]] == r)
				out = out " " ab[1] "->" ab[2] }
		print out
	}
}')
if [ -n "$loops" ]; then
	echo "$loops"
	rc=1
fi

# The generated flag table, in no time: its sealing lines (the last two,
# see tools/gen-flagtab.py) must match the lines above them (no hand
# edit) and the generator (no generator change without `make flagtab`),
# and it must come from the installed SDK's version.  `make lint-flagtab`
# (in make check) regenerates it and compares.
tab=$(find src -name flagtab.c | head -1)
sum() { sha256sum | cut -d' ' -f1; }
body=$(sed '$d' "$tab" | sed '$d' | sum)
seal=$(tail -n 2 "$tab")
case $seal in
*"lines above: $body */"*"gen-flagtab.py: $(sum <tools/gen-flagtab.py) */")
	tver=$(sed -n 's/^const char flagtab_sdk_version\[\] = "\(.*\)";/\1/p' \
	    "$tab")
	if [ ! -f "$SDK/VERSION" ]; then
		echo "note: lint flagtab: no Google Cloud SDK at $SDK: its" \
		    "version (table: $tver) not compared"
	elif [ "$(cat "$SDK/VERSION")" != "$tver" ]; then
		echo "FLAGTAB $tab is from SDK $tver, the installed SDK is" \
		    "$(cat "$SDK/VERSION"): run 'make flagtab' and commit it"
		rc=1
	fi ;;
*)
	echo "FLAGTAB $tab does not match its seal (edited by hand, or" \
	    "tools/gen-flagtab.py changed): run 'make flagtab' and commit it"
	rc=1 ;;
esac

# KNF: the format rules of STYLE.md that fail (tools/lint-knf.awk), over
# every C file of ours but the generated flag table.
knf=$(git ls-files '*.c' '*.h' 2>/dev/null | grep -v '/flagtab\.c$' ||
    find src tests -name '*.[ch]' ! -name flagtab.c | sort)
# shellcheck disable=SC2086
awk -f tools/lint-knf.awk $knf || rc=1

# Format: the lines clang-format would change, per file (one run).
if command -v clang-format >/dev/null 2>&1; then
	# shellcheck disable=SC2046 # a word per file
	fmt=$(clang-format --dry-run --style=file \
	    $(echo "$files" | grep -v '/flagtab\.c$') 2>&1 |
	    sed -n 's/^\([^:]*\):\([0-9]*\):[0-9]*: warning: .*/\1 \2/p' |
	    sort -u | awk '{ n[$1]++; t++ }
	    END { for (f in n) printf "FORMAT %s: %d lines\n", f, n[f]
		if (t) printf "FORMAT: clang-format changes %d lines in %d " \
		    "files (tools/relayout.sh --format)\n", t, length(n) }' |
	    sort)
	# Told, not failed: clang-format 14 cannot write STYLE.md's KNF (a
	# continuation indented 4 whatever the nesting, members aligned on
	# tab stops, short one-line functions), so formatting the tree to
	# .clang-format would move it away from the project's style.
	# LINT_FORMAT=fail makes a difference fail.
	if [ -n "$fmt" ] && [ "${LINT_FORMAT:-}" = fail ]; then
		echo "$fmt"
		rc=1
	elif [ -n "$fmt" ]; then
		echo "$fmt" | tail -1 | sed 's/^FORMAT:/format (advisory: STYLE.md is KNF):/'
		advisory="; format advisory"
	fi
else
	echo "SKIP - lint format: clang-format is not installed"
fi
[ $rc -eq 0 ] && echo "lint: layers, cycles, flag table and KNF clean${advisory:-, format clean}"
exit $rc
