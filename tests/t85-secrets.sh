#!/bin/sh
# Secrets: the access token never shows.  Representative paths run
# (granted, denied, an API error, a server that echoes the token, the
# verbose trace, a token minted by gcloud's config-helper, a failed
# transport), then every file the run left (stdout, stderr, the fake's log,
# argv, the child's environment and command line) is searched for it.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { skip "python3 missing: no fake"; done_testing; exit 0; }
make_ca
TOKEN=ya29.test-secret-token-1618033988
MINTED=ya29.minted-by-config-helper-2236067977
P=projects/p/locations/us-central1/repositories
IMG=us-central1-docker.pkg.dev/p
# Secrets the test itself must hold live here, and nowhere else.
S="$T/secret"
mkdir -p "$S" "$T/bin" "$T/dump"
cat >"$S/scenario.json" <<EOF
{"repositories": {
 "$P/ok": {"grant": true}, "$P/no": {"grant": false},
 "$P/off": {"reason": "SERVICE_DISABLED"},
 "$P/echo": {"status": 400, "error": {"code": 400, "status":
   "INVALID_ARGUMENT", "message": "bad credential $TOKEN / $MINTED"}},
 "$P/hang": {"fault": "hang"}}}
EOF
printf '%s' "$MINTED" >"$S/minted"
# A gcloud stand-in that dumps what the child can see of itself; asked
# for config-helper it mints $MINTED (read from a file: not on its own
# command line or environment either).
cat >"$T/bin/gcloud" <<REC
#!/bin/sh
if [ "\$1 \$2" = "config config-helper" ]; then
	n=\$(ls "$T/dump" | wc -l)
	for a in "\$@"; do printf '%s\0' "\$a"; done >"$T/dump/helper-argv.\$n"
	cat /proc/\$\$/environ >"$T/dump/helper-environ.\$n"
	printf '{"configuration": {"active_configuration": "default", "properties": {"core": {"account": "ci@p.iam.gserviceaccount.com", "project": "p"}}}, "credential": {"access_token": "%s", "token_expiry": "2099-01-01T00:00:00Z"}, "sentinels": {"config_sentinel": "/dev/null"}}\n' "\$(cat "$S/minted")"
	exit 0
fi
n=\$(ls "$T/dump" | wc -l)
for a in "\$@"; do printf '%s\0' "\$a"; done >"$T/dump/argv.\$n"
cat /proc/\$\$/environ >"$T/dump/environ.\$n"
cat /proc/\$\$/cmdline >"$T/dump/cmdline.\$n"
echo ran >"$T/ran"
exit 0
REC
chmod +x "$T/bin/gcloud"
start_https_fake ar artifactregistry fakegoog.py \
	--scenario "$S/scenario.json" --log "$T/ar.jsonl"
export CLOUDSDK_CORE_PROJECT=p GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud"
export GCLOUD_RUN_DEPLOY_TIMEOUT=3

# With the token in the environment (gcloud's CLOUDSDK_AUTH_ACCESS_TOKEN).
withtoken() { run env CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" "$@"; }
withtoken "$SHIM" svc --image "$IMG/ok/app:1"
expect_rc "granted: 0" 0
withtoken "$SHIM" svc --image "$IMG/no/app:1"
expect_rc "denied: 77" 77
withtoken "$SHIM" --preflight-format=json svc --image "$IMG/no/app:1"
expect_rc "denied, JSON: 77" 77
withtoken "$SHIM" svc --image "$IMG/off/app:1"
expect_rc "API error: 69" 69
withtoken "$SHIM" --preflight-format=json svc --image "$IMG/echo/app:1"
expect_rc "a server that echoes the token: 69" 69
withtoken "$SHIM" svc --image "$IMG/echo/app:1"
expect_rc "a server that echoes the token, text: 69" 69
grep_file "the echoed message is replaced" "$T/err" "access token, not shown"
withtoken env CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY=https://127.0.0.1:9/ \
	"$SHIM" svc --image "$IMG/ok/app:1"
expect_rc "nobody listening: 69, no crash" 69
withtoken env GCLOUD_RUN_DEPLOY_VERBOSE=1 "$SHIM" svc --image "$IMG/ok/app:1" \
	--container b --image "$IMG/no/b:1"
expect_rc "verbose: 77" 77
grep_file "verbose: the trace shows the Authorization header redacted" \
	"$T/err" "Authorization: Bearer <redacted>"
grep_file "verbose: the trace is a real HTTP trace" "$T/err" \
	"POST /v1/$P/(ok|no):testIamPermissions"

# The token minted by config-helper (the recorder): never in the child's
# environment or command line, nor in the shim's while it works.
unset CLOUDSDK_AUTH_ACCESS_TOKEN
run "$SHIM" svc --image "$IMG/ok/app:1"
expect_rc "config-helper token, granted: gcloud's exit" 0
run env GCLOUD_RUN_DEPLOY_VERBOSE=1 "$SHIM" svc --image "$IMG/no/app:1"
expect_rc "config-helper token, denied, verbose: 77" 77
grep_file "config-helper, verbose: redacted" "$T/err" \
	"Authorization: Bearer <redacted>"
run "$SHIM" --preflight=warn svc --image "$IMG/off/app:1"
expect_rc "config-helper token, warn over an API error: gcloud's exit" 0
# (but the warm-up while config-helper runs, a GET / with no token: t44)
if grep -q '"auth": "ok"' "$T/ar.jsonl" &&
	[ "$(grep -c '"auth": "ok"' "$T/ar.jsonl")" -eq "$(grep -cv \
	'"auth": "missing", .*"method": "GET", "path": "/",' "$T/ar.jsonl")" ]; then
	ok "the fake saw the tokens (so the search below means something)"
else not_ok "the fake saw the tokens" "$(head -3 "$T/ar.jsonl")"; fi

# The shim itself, mid-check (the fake hangs): /proc shows no token.
"$SHIM" svc --image "$IMG/hang/app:1" >"$T/hang.out" 2>"$T/hang.err" </dev/null &
pid=$!
# The fake logs a request only when it ends: give the shim a second to
# mint the token and wait on the fake, then look.
sleep 1
cat "/proc/$pid/environ" >"$T/dump/shim-environ" 2>/dev/null || :
cat "/proc/$pid/cmdline" >"$T/dump/shim-cmdline" 2>/dev/null || :
if [ -s "$T/dump/shim-cmdline" ]; then ok "the shim's /proc entries were read mid-check"
else skip "could not read /proc/$pid (not dumpable, or already gone)"; fi
set +e
wait $pid
hrc=$?
set -e
[ $hrc -eq 69 ] && ok "hanging server: 69" || not_ok "hanging server: 69" "exit $hrc"

# Every file the runs left behind, but the test's own secrets.
ls "$T/dump" | grep -q '^environ\.' && ls "$T/dump" | grep -q '^helper-environ\.' &&
	ok "the child's environment and command line were dumped" ||
	not_ok "the child's environment was dumped" "$(ls "$T/dump")"
for tok in "$TOKEN" "$MINTED"; do
	hits=$(grep -rla --exclude-dir=secret -- "$tok" "$T" 2>/dev/null |
		grep -v "/dump/\(environ\|helper-environ\)\." || :)
	if [ -z "$hits" ]; then ok "token ${tok%%-*}...: in no output, log, argv or /proc dump"
	else not_ok "token ${tok%%-*}...: in no output, log, argv or /proc dump" "$hits"; fi
done
# The first token was handed to gcloud by the user (CLOUDSDK_AUTH_ACCESS_TOKEN)
# and is gcloud's to see; the minted one must be in no child's environment.
if grep -la -- "$MINTED" "$T"/dump/environ.* "$T"/dump/helper-environ.* >/dev/null 2>&1; then
	not_ok "minted token: not in gcloud's environment"
else ok "minted token: not in gcloud's environment"; fi
grep -qa -- "$TOKEN" "$T"/dump/environ.* &&
	ok "control: a token the user exported does reach gcloud's environment" ||
	not_ok "control: the exported token reaches gcloud's environment"

done_testing
