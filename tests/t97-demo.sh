#!/bin/sh
# t97-demo.sh - `make demo` (tools/demo.sh) runs offline and shows both
# outcomes: a deploy blocked with its grant command, and one that gcloud
# completes.  Also: it refuses clearly without gcloud or python3, and it
# says so when an outcome is not the expected one.  SKIPs without the real
# gcloud, python3 or openssl.
. "$(dirname "$0")/lib.sh"

DEMO=$TOP/tools/demo.sh

# Missing prerequisites: exit 2 with a clear message, whatever the machine.
run env GCLOUD="$T/no-such-gcloud" sh "$DEMO" "$SHIM"
expect_rc "no gcloud: exit 2" 2
grep_file "no gcloud: says so" "$T/err" \
	"^demo: the Google Cloud CLI is not installed \\($T/no-such-gcloud"
mkdir -p "$T/nopy"
ln -s "$(command -v dirname)" "$T/nopy/dirname"
printf '#!/bin/sh\nexit 0\n' >"$T/gc" && chmod +x "$T/gc"
run env PATH="$T/nopy" GCLOUD="$T/gc" /bin/sh "$DEMO" "$SHIM"
expect_rc "no python3: exit 2" 2
grep_file "no python3: says so" "$T/err" '^demo: python3 is not installed'

if ! have_gcloud || ! command -v python3 >/dev/null 2>&1 ||
    ! command -v openssl >/dev/null 2>&1; then
	skip "t97: the demo needs /usr/bin/gcloud, python3 and openssl"
	done_testing
	exit
fi

mkdir -p "$T/tmp"
run env TMPDIR="$T/tmp" timeout 300 sh "$DEMO" "$SHIM"
expect_rc "the demo exits 0" 0
grep_file "step 3: the denial names the repository" "$T/out" \
	'repository: projects/demo-project/locations/us-central1/repositories/vendor'
grep_file "step 3: ... with its grant command" "$T/out" \
	'gcloud artifacts repositories add-iam-policy-binding vendor --project=demo-project'
grep_file "step 3: blocked, exit 77" "$T/out" '-> blocked \(exit 77\)'
grep_file "step 4: gcloud's Service URL" "$T/out" \
	'^    Service URL: https://web-[0-9]+\.us-central1\.run\.app$'
grep_file "step 4: deployed, exit 0" "$T/out" '-> deployed \(exit 0\)'
grep_file "the closing line" "$T/out" '^Demo passed: one deploy blocked, one deployed'
grep_not "no escape sequences when not on a terminal" "$T/out" "$(printf '\033')"
grep_not "no temporary paths or ports in the narration" "$T/out" \
	'grd-demo\.|127\.0\.0\.1:[0-9]'
if [ -z "$(ls -A "$T/tmp")" ]; then
	ok "the demo removed its temporary folder"
else
	not_ok "the demo removed its temporary folder" "$(ls -A "$T/tmp")"
fi

# An outcome that is not the expected one fails the demo: /bin/true
# stands in for the shim, so nothing is blocked.
run timeout 300 sh "$DEMO" /bin/true
expect_rc "a shim that blocks nothing: the demo exits 1" 1
grep_file "... and says what was unexpected" "$T/out" \
	'UNEXPECTED: exit 0, want 77'
grep_file "... and that it failed" "$T/out" '^Demo FAILED'
done_testing
