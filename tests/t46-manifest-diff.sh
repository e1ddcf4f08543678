#!/bin/sh
# t46-manifest-diff.sh - differential test against gcloud's own loaders:
# generated manifests (anchors, aliases, "<<" merges of every form,
# duplicate keys, tags, JSON, both kinds) go through the real code of
# `gcloud run services|jobs replace` up to the run v1 message, and through
# the shim (`replace FILE --preflight=plan`); generated flags files go
# through calliope's _ApplyFlagsFile and the shim's flagsfile_expand().
# The container names and images (or the refusal), and the expanded words,
# must be the same.  One Python process (the SDK's bundled Python) for
# the whole run; see tests/diff/manifest/oracle.py.
#   DIFF_SEED (11), DIFF_MANIFESTS (600), DIFF_FLAGSFILES (400)
. "$(dirname "$0")/lib.sh"

SDK=/usr/lib/google-cloud-sdk
PY=$SDK/platform/bundledpythonunix/bin/python3
if ! have_gcloud || [ ! -x "$PY" ] || [ ! -d "$SDK/lib/surface/run" ]; then
	skip "t46: gcloud or its bundled Python is not installed: no differential test"
	done_testing
	exit
fi

# The shim's flags-file expansion, as a tiny driver over libshim.a.
D=$TOP/tests/diff/manifest
PKGS="libcjson libbsd-overlay yaml-0.1"
ffdump() {	# [CFLAGS...]: build it against $B/libshim.a
	${CC:-cc} -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror "$@" \
		-I"$TOP/src" $(pkg-config --cflags $PKGS) -o "$T/ffdump" \
		"$D/ffdump.c" "$B/libshim.a" $(pkg-config --libs $PKGS) -ldl
}
# a sanitizer build's library needs its runtime
if ! ffdump 2>"$T/cc.err" &&
    ! ffdump -fsanitize=address,undefined 2>>"$T/cc.err"; then
	not_ok "t46: the flags-file driver builds" "$(cat "$T/cc.err")"
	done_testing
	exit
fi
ok "t46: the flags-file driver builds"

set +e
"$PY" "$D/oracle.py" "$T/diff" "$SHIM" "$T/ffdump" >"$T/diff.out" 2>"$T/diff.err"
rc=$?
set -e
cat "$T/diff.out"
if [ "$rc" -eq 0 ]; then
	ok "t46: manifests and flags files read as gcloud reads them"
else
	not_ok "t46: manifests and flags files read as gcloud reads them" \
		"oracle exit $rc" "$(tail -n 20 "$T/diff.err")"
fi
done_testing
