#!/bin/sh
# t46-manifest-diff.sh - differential test against gcloud's own loaders:
# generated manifests (anchors, aliases, "<<" merges of every form,
# duplicate keys, tags, JSON, both kinds) go through the real code of
# `gcloud run services|jobs replace` up to the run v1 message, and through
# the shim (`replace FILE --preflight=plan`); generated flags files go
# through calliope's _ApplyFlagsFile and the shim's flagsfile_expand().
# The container names and images (or the refusal), and the expanded words,
# must be the same.  One Python process (the SDK's bundled Python) for
# the whole run and every build; see tests/diff/manifest/oracle.py.
#   DIFF_SEED (11), DIFF_MANIFESTS (600), DIFF_FLAGSFILES (400)
# tests/run: every build
. "$(dirname "$0")/lib.sh"

SDK=/usr/lib/google-cloud-sdk
PY=$SDK/platform/bundledpythonunix/bin/python3
if ! have_gcloud || [ ! -x "$PY" ] || [ ! -d "$SDK/lib/surface/run" ]; then
	skip "t46: gcloud or its bundled Python is not installed: no differential test"
	done_testing
	exit
fi

# gcloud's side does not depend on the build: tests/run gives this script
# every build's binary at once (SHIMS); gcloud reads each file once, and
# each build is compared with it.
SHIMS=${SHIMS:-$SHIM}

# The shim's flags-file expansion, as a tiny driver over each build's
# libshim.a.
D=$TOP/tests/diff/manifest
PKGS="libcjson libbsd-overlay yaml-0.1"
ffdump() {	# LIBDIR OUT [CFLAGS...]: build it against LIBDIR/libshim.a
	lib=$1 out=$2
	shift 2
	${CC:-cc} -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror "$@" \
		-I"$TOP/src" $(pkg-config --cflags $PKGS) -o "$out" \
		"$D/ffdump.c" "$lib/libshim.a" $(pkg-config --libs $PKGS) -ldl
}
k=0 pairs=""
: >"$T/ks"
for s in $SHIMS; do
	k=$((k + 1))
	b=$(dirname "$s")
	sfx=""
	[ $k -eq 1 ] || sfx=" ($(basename "$b"))"
	echo "$sfx" >"$T/sfx$k"
	# a sanitizer build's library needs its runtime
	if ! ffdump "$b" "$T/ffdump$k" 2>"$T/cc$k.err" &&
	    ! ffdump "$b" "$T/ffdump$k" -fsanitize=address,undefined \
	    2>>"$T/cc$k.err"; then
		not_ok "t46: the flags-file driver builds$sfx" \
			"$(cat "$T/cc$k.err")"
		continue
	fi
	ok "t46: the flags-file driver builds$sfx"
	echo "$k" >>"$T/ks"
	pairs="$pairs $s $T/ffdump$k"
done
[ -n "$pairs" ] || { done_testing; exit; }

set +e
# shellcheck disable=SC2086
"$PY" "$D/oracle.py" "$T/diff" $pairs >"$T/diff.out" 2>"$T/diff.err"
rc=$?
set -e
cat "$T/diff.out"
# The oracle numbers the pairs it was given: j is k's place among them.
j=0
while read -r k; do
	j=$((j + 1))
	what="t46: manifests and flags files read as gcloud reads them$(cat "$T/sfx$k")"
	if [ "$(sed -n "s/^# \[$j\] result: //p" "$T/diff.out")" = agree ]; then
		ok "$what"
	else
		not_ok "$what" "oracle exit $rc" "$(tail -n 20 "$T/diff.err")"
	fi
done <"$T/ks"
done_testing
