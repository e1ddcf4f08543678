#!/bin/sh
# shellcheck disable=SC2016 # sed scripts are written literally
# relayout.sh - move the flat tree (src/*.c, include/*.h) into layered
# folders under src/, headers next to their sources, every include naming
# its layer ("net/http.h"); no behaviour change.  Issue 10.
#
#   tools/relayout.sh            move (git mv), rewrite the includes, the
#                                Makefile and every path that names a file
#   tools/relayout.sh --dry-run  say what would move, change nothing
#   tools/relayout.sh --format   clang-format src/ in place (a separate
#                                step and commit, after the move)
#
# Re-runnable: a file already in its folder is left alone, and the
# rewrites only match the flat spellings.  A file of src/ or include/
# that the map below does not name stops the script before any change,
# with its name: add a line to the map and run it again.  tools/lint-
# layers.sh reads the same map (for the flat tree) and the layer order.

# The map: the first column a flat stem, the second its place.
map() {
	sed -e '/^#/d' -e '/^$/d' <<'EOF'
# BEGIN MAP
# FLAT-NAME	LAYER/NEW-NAME
# FLAT-NAME is the stem of src/NAME.c, src/NAME.h and include/NAME.h.  A
# trailing * matches by prefix; a target ending in / keeps the name.  A
# line whose file does not exist is skipped (names other branches may add).
# Renames only where the file's symbols already carry the new name.
#
# util: needs nothing of ours
wipe		util/
sanitize	util/
exitcode	util/
# route.h: the enum of what main() does next; the check returns one, so
# it sits below the check with the exit statuses (no code: a header)
route		util/
util		util/
util_*		util/
hinttext	util/
# yaml: one tree builder and its scalar resolvers (util)
yaml*		yaml/
ynode		yaml/
# net: libcurl and every HTTPS call, Google's error answers (util)
curlfn		net/
http		net/
fetch		net/
apierror	net/
httpwarm	net/
# gcloud: the environment, gcloud's properties, the hand-over (util, net)
conf		gcloud/env
props		gcloud/
ini		gcloud/
settings	gcloud/transport
gcloud		gcloud/
stdinbuf	gcloud/
# argv: the command line, --flags-file, manifests (gcloud, yaml)
cli		argv/
cli_*		argv/
command		argv/
flagtab		argv/
flagtab_*	argv/
flagsfile	argv/
flagsfile_*	argv/
manifest	argv/
manifest_*	argv/
replace		argv/replacefile
# auth: who deploys and its token (gcloud, net, argv)
principal	auth/
token		auth/
tokencache	auth/
metadata	auth/
helperrun	auth/helper
session		auth/
# api: one Google API each (net, gcloud)
imageref	api/
arclient	api/ar
runclient	api/
exists		api/registry
agent		api/svcagent
# out: what the user reads (api, auth, argv)
report		out/
reportout	out/outcome
hint		out/
usage		out/
progress	out/
# check: the check of a deploy (everything below)
preflight	check/
check_kept	check/resource
check*		check/
deployed	check/kept
extras		check/postiam
# audit: --preflight=audit (everything below; not check)
audit		audit/
audit*		audit/
# top: src/main.c stays in src/
main		.
# END MAP
EOF
}

# Layers, lowest first, and what each may include besides itself (issue
# 10's rule, with three needs of the code: gcloud includes net, because
# transport.c turns gcloud's properties into HTTP options; auth includes
# net, for the metadata server and the token-info endpoint, and argv,
# because the command line's credential flags (--account,
# --impersonate-service-account, --access-token-file) pick the token as
# they do in gcloud; api includes gcloud, for the endpoint overrides).
# BEGIN LAYERS
# util
# yaml util
# net util
# gcloud util net
# argv util yaml gcloud
# auth util net gcloud argv
# api util net gcloud
# out util yaml net gcloud argv auth api
# check util yaml net gcloud argv auth api out
# audit util yaml net gcloud argv auth api out
# top util yaml net gcloud argv auth api out check audit
# END LAYERS

set -eu
cd "$(dirname "$0")/.."

# target STEM: the new stem ("net/http", "." for the top), or nothing.
target() {
	map | while read -r from to; do
		# shellcheck disable=SC2254 # the map's patterns
		case $1 in
		$from) ;;
		*) continue ;;
		esac
		case $to in
		.) echo . ;;
		*/) echo "$to$1" ;;
		*) echo "$to" ;;
		esac
		break
	done
}

format() {
	command -v clang-format >/dev/null ||
		{ echo "relayout: clang-format is not installed" >&2; exit 1; }
	find src -name '*.[ch]' ! -name flagtab.c | sort |
		xargs clang-format -i --style=file
	echo "relayout: formatted; review, then commit as its own step"
}

dry=
case ${1:-} in
--format) format; exit 0 ;;
--dry-run) dry=yes ;;
"") ;;
*) echo "usage: tools/relayout.sh [--dry-run | --format]" >&2; exit 2 ;;
esac

# 1. Every flat file must be in the map; nothing changes otherwise.
moves=$(mktemp) sedinc=$(mktemp) sedpath=$(mktemp) sedren=$(mktemp)
trap 'rm -f "$moves" "$sedinc" "$sedpath" "$sedren"' EXIT
unknown=
for f in src/*.c src/*.h include/*.h; do
	[ -f "$f" ] || continue
	b=${f##*/} stem=${b%.*} ext=${b##*.}
	t=$(target "$stem")
	if [ -z "$t" ]; then
		unknown="$unknown $f"
		continue
	fi
	[ "$t" = . ] && [ "${f%/*}" = src ] && continue
	[ "$t" = . ] && t=$stem
	echo "$f src/$t.$ext $stem $t" >>"$moves"
done
if [ -n "$unknown" ]; then
	echo "relayout: not in the map of tools/relayout.sh:$unknown" >&2
	echo "relayout: add a line for each (NAME LAYER/), then run again" >&2
	exit 1
fi
if [ ! -s "$moves" ]; then
	echo "relayout: nothing to move (already laid out)"
else
	while read -r from to stem t; do
		echo "git mv $from $to"
	done <"$moves"
fi
[ -z "$dry" ] || exit 0

# 2. Move.
while read -r from to stem t; do
	mkdir -p "${to%/*}"
	git mv "$from" "$to"
done <"$moves"
rmdir include 2>/dev/null || :

# 3. The rewrites, never in the seeds of the fuzzers nor in these tools,
# which name the flat paths on purpose.
grepl() {
	pat=$1
	shift
	git grep -lIE -e "$pat" -- "$@" ':!tests/fuzz/corpus' \
	    ':!tools/relayout.sh' ':!tools/lint-layers.sh'
}
# The rewrites, for every file of the map now in a folder (so that a
# re-run after a partial run finishes the job).
for f in src/*/*.c src/*/*.h src/*.h; do
	[ -f "$f" ] || continue
	n=${f#src/} b=${f##*/}
	stem=${b%.*} ext=${b##*.} t=${n%.*}
	old=$(map | awk -v t="$t" '$2 == t { print $1; exit }')
	[ -n "$old" ] || old=$stem
	case $old in *'*'*) old=$stem ;; esac
	q=$(printf '%s' "$old" | sed 's/\./\\./g')
	[ "$ext" = h ] &&
		printf '%s\n' "s|#include \"$q\\.h\"|#include \"$t.h\"|g" >>"$sedinc"
	if [ "$ext" = h ]; then
		printf '%s\n' "s|\\binclude/$q\\.h\\b|src/$t.h|g" \
		    "s|\\bsrc/$q\\.h\\b|src/$t.h|g" >>"$sedpath"
	else
		printf '%s\n' "s|\\bsrc/$q\\.c\\b|src/$t.c|g" \
		    "s|\\bsrc/$q\\*|src/$t*|g" \
		    "s|\\\$(B)/$q\\.o\\b|\$(B)/$t.o|g" >>"$sedpath"
	fi
	if [ "$old" != "$stem" ]; then
		printf '%s\n' "s|\\b$q\\.$ext\\b|$stem.$ext|g" >>"$sedren"
		up=$(echo "$old" | tr '[:lower:]' '[:upper:]')
		nup=$(echo "$stem" | tr '[:lower:]' '[:upper:]')
		[ "$ext" = h ] && sed -i "s/\\b${up}_H\\b/${nup}_H/g" "$f"
	fi
done
# The include lines of C files and of the flagtab generator.
grepl '#include "[A-Za-z0-9_]+\.h"' src tests tools |
    while read -r f; do
	sed -i -f "$sedinc" "$f"
done
# Paths that name a file: build, packaging, scripts, documents.
grepl '(src|include)/[A-Za-z0-9_]+\*?\.[cho]|\$\(B\)/[a-z_]+\.o' . |
    while read -r f; do
	sed -i -f "$sedpath" "$f"
done
# A renamed file's old name in the comments of C files.
if [ -s "$sedren" ]; then
	grepl '\.[ch]\b' src tests |
	    while read -r f; do sed -i -f "$sedren" "$f"; done
fi
# The include path: -Iinclude (Makefile, how-to comments, tests) is -Isrc.
grepl '-I(include|"\$TOP/include")' . |
    while read -r f; do
	sed -i -e 's|-Iinclude\b|-Isrc|g' \
	    -e 's|-I"\$TOP/include"|-I"$TOP/src"|g' "$f"
done
# The Makefile's sources: every layer's.
sed -i 's|\$(wildcard src/\*\.c)|$(wildcard src/*.c src/*/*.c)|' Makefile
git add -u
echo "relayout: done; next: make all unit lint, then commit"
