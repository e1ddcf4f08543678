#!/bin/sh
# t98-terminal.sh - terminal manners: colour only on a terminal (never with
# NO_COLOR or TERM=dumb), messages on stderr, the report on stdout only in
# JSON or only/plan modes; and the shim's own --help and --version.
# A terminal comes from util-linux script(1); without it those cases SKIP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/schema.sh"

ESC=$(printf '\033')
make_recorder
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud"
IMG=us-central1-docker.pkg.dev/p

# argv_is NAME WANT: the recorder's argv, space-joined, is WANT.
argv_is() {
	_got=$(tr '\0' ' ' <"$T/argv" 2>/dev/null || :)
	if [ "$_got" = "$2 " ]; then ok "$1"; else
		not_ok "$1" "gcloud argv '$_got', want '$2 '"
	fi
}
empty() {
	if [ -s "$2" ]; then not_ok "$1" "not empty:" "$(head -c 400 "$2")"
	else ok "$1"; fi
}
no_esc() { grep_not "$1" "$2" "$ESC"; }

# ------------------------------------------------ --help and --version
for h in --help -h; do
	run "$SHIM" "$h"
	expect_rc "$h alone: exit 0" 0
	grep_file "$h alone: a usage line on stdout" "$T/out" \
		'^usage: gcloud-run-deploy \[--preflight=MODE\]'
	grep_file "$h alone: points to the manual" "$T/out" \
		'man gcloud-run-deploy'
	grep_file "$h alone: says where gcloud's own help is" "$T/out" \
		'gcloud run deploy --help'
	empty "$h alone: nothing on stderr" "$T/err"
	if [ -f "$T/ran" ]; then not_ok "$h alone: gcloud not run"; else
		ok "$h alone: gcloud not run"; fi
done
run "$SHIM" --version
expect_rc "--version: exit 0" 0
grep_file "--version: the shim's version" "$T/out" \
	'^gcloud-run-deploy [0-9]+\.[0-9]+\.[0-9]+$'
for lib in "libcurl libcurl" "cJSON libcjson" "libbsd libbsd"; do
	set -- $lib
	want=$(pkg-config --modversion "$2")
	grep_file "--version: $1 $want (as pkg-config says)" "$T/out" \
		"^$1 $want( |\$)"
done
empty "--version: nothing on stderr" "$T/err"

run "$SHIM" svc --help
expect_rc "svc --help: gcloud's help, through gcloud" 0
argv_is "svc --help: handed over as it is" "run deploy svc --help"
run "$SHIM" --preflight=off --help
argv_is "--preflight=off --help: gcloud's help" "run deploy --help"
run "$SHIM" --version --help
argv_is "--version --help: two words are gcloud's" \
	"run deploy --version --help"
mkdir -p "$T/wrap"
ln -sf "$SHIM" "$T/wrap/gcloud"
for w in --help --version -h; do
	run "$T/wrap/gcloud" "$w"
	argv_is "wrapper: gcloud $w is gcloud's, untouched" "$w"
	empty "wrapper: gcloud $w: the shim printed nothing" "$T/out"
done

# ------------------------------------------------ streams, no terminal
run "$SHIM" --preflight=bogus svc --image="$IMG/r/i:1"
expect_rc "usage error: exit 64" 64
empty "usage error: stdout empty" "$T/out"
grep_file "usage error: gcloud's tone on stderr" "$T/err" \
	'^ERROR: \(gcloud-run-deploy\) --preflight'
no_esc "usage error, not a terminal: no colour" "$T/err"

run "$SHIM" --preflight=plan svc --image="$IMG/r/i:1" --region=us-central1 \
	--project=p
expect_rc "plan: exit 0" 0
grep_file "plan: the plan on stdout" "$T/out" \
	'projects/p/locations/us-central1/repositories/r'
empty "plan: stderr empty" "$T/err"
no_esc "plan, not a terminal: no bold" "$T/out"

if ! command -v python3 >/dev/null 2>&1; then
	skip "python3 missing: no Artifact Registry fake for the report cases"
else
	make_ca
	TOKEN=ya29.t98-token-not-a-secret
	printf '{"token": "%s", "repositories": {
	  "projects/p/locations/us-central1/repositories/ok": {"grant": true},
	  "projects/p/locations/us-central1/repositories/no": {"grant": false}}}\n' \
		"$TOKEN" >"$T/scenario.json"
	start_https_fake ar artifactregistry fakegoog.py \
		--scenario "$T/scenario.json" --log "$T/ar.jsonl"
	# The shim reads the deployed service: a loopback Cloud Run, no DNS.
	start_fake run fakerun.py --log "$T/run.jsonl" --token "$TOKEN"
	export CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://127.0.0.1:$PORT_run/"
	export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" CLOUDSDK_CORE_PROJECT=p
	export GCLOUD_RUN_DEPLOY_TIMEOUT=10
	D="svc --image=$IMG/no/i:1 --region=us-central1"
	G="svc --image=$IMG/ok/i:1 --region=us-central1"

	run "$SHIM" $D
	expect_rc "enforce, denied: exit 77" 77
	empty "enforce, denied, text: stdout empty" "$T/out"
	grep_file "enforce, denied: the denial on stderr" "$T/err" \
		'^ERROR: \(gcloud-run-deploy\) .* cannot read image'
	grep_file "enforce, denied: the grant command on stderr" "$T/err" \
		'add-iam-policy-binding no '
	no_esc "enforce, denied, not a terminal: no colour" "$T/err"

	# Stdout is gcloud's whenever gcloud may run: the JSON report goes to
	# stderr, or to the report file.
	run "$SHIM" --preflight-format=json $D
	expect_rc "enforce, denied, json: exit 77" 77
	empty "enforce, denied, json: stdout empty (gcloud's)" "$T/out"
	grep '^{' "$T/err" >"$T/err.json" || :
	schema_keep "$T/err.json"
	if [ "$(wc -l <"$T/err.json")" -eq 1 ] && pyrun -c 'import json,sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["decision"] == "blocked" else 1)' "$T/err.json"; then
		ok "enforce, denied, json: one object on stderr, blocked"
	else not_ok "enforce, denied, json: one object on stderr" \
		"$(head -c 400 "$T/err")"; fi

	run "$SHIM" $G
	expect_rc "enforce, granted: gcloud's exit 0" 0
	argv_is "enforce, granted: handed over" \
		"run deploy svc --image=$IMG/ok/i:1 --region=us-central1"
	empty "enforce, granted: the shim wrote nothing to stdout" "$T/out"
	empty "enforce, granted: nor to stderr" "$T/err"

	run "$SHIM" --preflight=warn $D
	expect_rc "warn, denied: gcloud runs, exit 0" 0
	empty "warn, denied: stdout empty" "$T/out"
	grep_file "warn, denied: a warning on stderr" "$T/err" \
		'^WARNING: \(gcloud-run-deploy\) '

	run "$SHIM" --preflight=only $G
	expect_rc "only, granted: exit 0" 0
	grep_file "only, granted: the summary on stdout" "$T/out" \
		'^run deploy: deploy for '
	grep_file "only, granted: ... with the image granted" "$T/out" \
		"^  granted +$IMG/ok/i:1"
	empty "only, granted: stderr empty" "$T/err"
	if [ -f "$T/ran" ]; then not_ok "only: gcloud not run"; else
		ok "only: gcloud not run"; fi
fi

# ------------------------------------------------ on a terminal
# tty NAME CMD: run the shell command CMD under script(1), so that its
# stdin, stdout and stderr are a terminal; output in $T/tty, status in rc.
tty() {
	set +e
	script -qec "$2" /dev/null </dev/null >"$T/tty" 2>&1
	rc=$?
	set -e
}
if ! command -v script >/dev/null 2>&1 ||
    ! script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	skip "script(1) missing or without a pty: no terminal cases"
	schema_check
	done_testing
	exit
fi
BAD="'$SHIM' --preflight=bogus svc"
tty x "TERM=xterm $BAD"
expect_rc "tty: usage error, exit 64 through script" 64
grep_file "tty: ERROR in bold red" "$T/tty" "${ESC}\\[1;31mERROR:${ESC}\\[0m"
tty x "TERM=xterm NO_COLOR=1 $BAD"
grep_file "tty, NO_COLOR: the message is there" "$T/tty" '^ERROR: \('
no_esc "tty, NO_COLOR=1: no colour" "$T/tty"
tty x "TERM=dumb $BAD"
grep_file "tty, TERM=dumb: the message is there" "$T/tty" '^ERROR: \('
no_esc "tty, TERM=dumb: no colour" "$T/tty"
tty x "TERM=xterm $BAD 2>'$T/err2'"
grep_file "tty, stderr to a file: the message is there" "$T/err2" '^ERROR: \('
no_esc "tty, stderr to a file: no colour" "$T/err2"

if [ -n "${D:-}" ]; then
	tty x "TERM=xterm '$SHIM' $D"
	expect_rc "tty: a denial, exit 77" 77
	grep_file "tty: the denial's ERROR in bold red" "$T/tty" \
		"${ESC}\\[1;31mERROR:${ESC}\\[0m \\(gcloud-run-deploy\\)"
fi
tty x "TERM=xterm '$SHIM' --preflight=plan svc --image=$IMG/r/i:1 \
    --region=us-central1 --project=p >'$T/plan.txt'"
grep_file "tty, plan to a file: the plan is there" "$T/plan.txt" 'planned'
no_esc "tty, plan to a file: no bold in the file" "$T/plan.txt"
schema_check
done_testing
