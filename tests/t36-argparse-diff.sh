#!/bin/sh
# t36-argparse-diff.sh - the command-line model against gcloud's own parser.
#
# tests/diff/oracle.py, run once by the SDK's bundled Python, loads
# gcloud's CLI in-process and parses DIFF_COUNT generated command lines
# (tests/diff/gen.py, seed DIFF_SEED: every deploy command and track, "="
# and space forms, values with spaces, "=", leading dashes and YAML-ish
# text, --container scopes, flags files, repeated and list flags, global
# flags around the command words) without running them; each build's
# clidump (next to its gcloud-run-deploy) gives the shim's reading of the
# same lines.  Any disagreement on the command, the service, a pulled image,
# --source/--function, the removed containers, --region or --help fails
# that build's case.  A longer run: DIFF_COUNT=20000 DIFF_SEED=7 sh $0
# tests/run: every build
. "$(dirname "$0")/lib.sh"

SDK=${CLOUDSDK_ROOT:-/usr/lib/google-cloud-sdk}
PY=$SDK/platform/bundledpythonunix/bin/python3
if [ ! -x "$PY" ] || [ ! -d "$SDK/lib/googlecloudsdk" ]; then
	skip "t36: no Google Cloud SDK with its bundled Python at $SDK"
	done_testing
	exit
fi
# gcloud's side does not depend on the build: tests/run gives this script
# every build's binary at once (SHIMS); gcloud parses the lines once, and
# each build's clidump (next to its binary) is compared with it.
SHIMS=${SHIMS:-$SHIM}
k=0 dumps=""
for s in $SHIMS; do
	k=$((k + 1))
	d=$(dirname "$s")
	what="gcloud's parser and the shim agree"
	[ $k -eq 1 ] || what="$what ($(basename "$d"))"
	echo "$what" >"$T/what$k"
	if [ ! -x "$d/clidump" ]; then
		not_ok "t36: $d/clidump is missing (make unit builds it)"
		continue
	fi
	echo "$k" >>"$T/ks"
	dumps="$dumps $d/clidump"
done
[ -n "$dumps" ] || { done_testing; exit; }
mkdir -p "$T/diff"
set +e
# shellcheck disable=SC2086
"$PY" "$TOP/tests/diff/oracle.py" "$SDK" "$T/diff" $dumps \
	>"$T/report" 2>"$T/stderr"
rc=$?
set -e
cat "$T/report"
# The oracle numbers the clidumps it was given: j is k's place among them.
j=0
while read -r k; do
	j=$((j + 1))
	what=$(cat "$T/what$k")
	figure=$(sed -n "s/^# \[$j\] \([0-9]* lines compared, [0-9]* disagreements\)\$/\1/p" \
		"$T/report")
	case $(sed -n "s/^# \[$j\] result: //p" "$T/report") in
	agree)	ok "$what: $figure" ;;
	disagree) not_ok "$what: ${figure:-see above}" ;;
	failed)	not_ok "$what: its clidump failed (see above)" ;;
	*)	not_ok "$what: the differential test could not run (exit $rc)" \
		    "$(tail -5 "$T/stderr")" ;;
	esac
done <"$T/ks"
done_testing
