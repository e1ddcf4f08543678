#!/bin/sh
# t36-argparse-diff.sh - the command-line model against gcloud's own parser.
#
# tests/diff/oracle.py, run once by the SDK's bundled Python, loads
# gcloud's CLI in-process and parses DIFF_COUNT generated command lines
# (tests/diff/gen.py, seed DIFF_SEED: every deploy command and track, "="
# and space forms, values with spaces, "=", leading dashes and YAML-ish
# text, --container scopes, flags files, repeated and list flags, global
# flags around the command words) without running them; $B/clidump gives
# the shim's reading of the same lines.  Any disagreement on the command,
# the service, a pulled image, --source/--function, the removed containers,
# --region or --help fails.  A longer run: DIFF_COUNT=20000 DIFF_SEED=7 sh $0
. "$(dirname "$0")/lib.sh"

SDK=${CLOUDSDK_ROOT:-/usr/lib/google-cloud-sdk}
PY=$SDK/platform/bundledpythonunix/bin/python3
if [ ! -x "$PY" ] || [ ! -d "$SDK/lib/googlecloudsdk" ]; then
	skip "t36: no Google Cloud SDK with its bundled Python at $SDK"
	done_testing
	exit
fi
if [ ! -x "$B/clidump" ]; then
	not_ok "t36: $B/clidump is missing (make unit builds it)"
	done_testing
	exit
fi
mkdir -p "$T/diff"
set +e
"$PY" "$TOP/tests/diff/oracle.py" "$SDK" "$B/clidump" "$T/diff" \
	>"$T/report" 2>"$T/stderr"
rc=$?
set -e
cat "$T/report"
figure=$(sed -n 's/^# \([0-9]* lines compared, [0-9]* disagreements\)$/\1/p' \
	"$T/report")
case $rc in
0)	ok "gcloud's parser and the shim agree: $figure" ;;
1)	not_ok "gcloud's parser and the shim disagree: ${figure:-see above}" ;;
*)	not_ok "the differential test could not run (exit $rc)" \
	    "$(tail -5 "$T/stderr")" ;;
esac
done_testing
