#!/bin/sh
# t31-output.sh - output that scripts and people can trust (issue 13):
# stdout stays gcloud's whenever gcloud runs, the report file, the JSON
# report's fields (validated against doc/report.schema.json), only mode as
# a CI gate before a deploy tool's own gcloud, the way out of an
# unfinished check, Cloud Run's errors in words, IAM_PERMISSION_DENIED as a
# denial, one grant command per repository, the service-agent finding and
# its blocking option, plan mode without credentials, the small things
# (run deploy typo, VERBOSE=false, WARNING colour, --help, documented
# variables), and the progress line on a real terminal (pexpect).
# JSON assertions are batched: one Python start for all of them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/schema.sh"

command -v python3 >/dev/null || { skip "python3 missing: no fake"; done_testing; exit 0; }
make_ca
make_recorder
ESC=$(printf '\033')
TOKEN=ya29.t31-token-not-a-secret-2718281828
IMG=us-central1-docker.pkg.dev/p
URL=https://svc-123456789012.us-central1.run.app

# A gcloud that answers like `gcloud run deploy --format='value(status.url)'`:
# the URL alone on stdout, and records its argv.
mkdir -p "$T/gbin" "$T/wrap"
ln -sf "$SHIM" "$T/wrap/gcloud"	# wrapper mode: whole gcloud command lines
cat >"$T/gbin/gcloud" <<G
#!/bin/sh
for a in "\$@"; do printf '%s\0' "\$a"; done >"$T/argv"
echo ran >"$T/ran"
echo $URL
G
chmod +x "$T/gbin/gcloud"

printf '{"token": "%s", "repositories": {
  "projects/p/locations/us-central1/repositories/ok": {"grant": true},
  "projects/p/locations/us-central1/repositories/no": {"grant": false},
  "projects/p/locations/us-central1/repositories/no2": {"grant": false},
  "projects/p/locations/us-central1/repositories/iam": {"reason": "IAM_PERMISSION_DENIED"},
  "projects/p/locations/us-central1/repositories/off": {"reason": "SERVICE_DISABLED"},
  "projects/p/locations/us-central1/repositories/slow": {"grant": false, "delay": 3},
  "projects/p/locations/us-central1/repositories/hang": {"fault": "hang"}}}\n' \
	"$TOKEN" >"$T/scenario.json"
start_fake ar fakegoog.py --cert "$T/ca/server.pem" --key "$T/ca/server.key" \
	--scenario "$T/scenario.json" --log "$T/ar.jsonl"
# Cloud Run: 401 for 'expired', the API disabled in project 'off', else 404.
cat >"$T/answers.json" <<'EOF2'
{"/v2/projects/p/locations/us-central1/services/expired": {"status": 401,
   "reason": "ACCESS_TOKEN_EXPIRED", "status_name": "UNAUTHENTICATED",
   "message": "Request had invalid authentication credentials."},
 "/v2/projects/off/": {"status": 403, "reason": "SERVICE_DISABLED",
   "service": "run.googleapis.com", "status_name": "PERMISSION_DENIED",
   "message": "Cloud Run Admin API has not been used in project off before or it is disabled."},
 "/v2/projects/p/locations/us-central1/services/secret": {"status": 403,
   "status_name": "PERMISSION_DENIED",
   "message": "Permission 'run.services.get' denied on resource 'secret' (or resource may not exist)."}}
EOF2
start_fake run fakestatus.py --answers "$T/answers.json"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="https://127.0.0.1:$PORT_ar/"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://127.0.0.1:$PORT_run/"
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca/ca.pem"
export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" CLOUDSDK_CORE_PROJECT=p
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/gbin/gcloud" GCLOUD_RUN_DEPLOY_TIMEOUT=10
R="--region=us-central1"

# jcheck NAME FILE EXPR: EXPR holds for d (the JSON object in FILE); all
# evaluated at the end by jcheck_run, in one Python start.
: >"$T/jchecks"
_jn=0
jcheck() {
	_jn=$((_jn + 1))
	cp "$2" "$T/j$_jn.json" 2>/dev/null || : >"$T/j$_jn.json"
	printf '%s\t%s\t%s\n' "$1" "$T/j$_jn.json" "$3" >>"$T/jchecks"
}
jcheck_run() {
	python3 - "$T/jchecks" >"$T/jresults" 2>&1 <<'PY' || :
import json, sys
for line in open(sys.argv[1]):
    name, path, expr = line.rstrip("\n").split("\t", 2)
    try:
        d = json.load(open(path))
        i = d.get("images", [])
        good = bool(eval(expr))
        why = "false: " + expr
    except Exception as e:
        good, why = False, "%s: %s" % (type(e).__name__, e)
    if good:
        print("PASS\t%s" % name)
    else:
        print("FAIL\t%s\t%s\t%s" % (name, why,
              open(path).read()[:700].replace("\n", "\\n")))
PY
	while IFS='	' read -r _st _name _why _doc; do
		if [ "$_st" = PASS ]; then ok "$_name"
		elif [ "$_st" = FAIL ]; then not_ok "$_name" "$_why" "$_doc"
		else not_ok "jcheck: $_st $_name"; fi
	done <"$T/jresults"
	# every registered check answered (the Python above may have died)
	_got=$(grep -c '^\(PASS\|FAIL\)	' "$T/jresults") || :
	[ "${_got:-0}" -eq "$_jn" ] && ok "jcheck: all $_jn checks ran" ||
		not_ok "jcheck: all $_jn checks ran" "${_got:-0} answered"
}
empty() {
	if [ -s "$2" ]; then not_ok "$1" "not empty:" "$(head -c 400 "$2")"
	else ok "$1"; fi
}
count() {	# count NAME FILE PATTERN N
	_c=$(grep -Ec -- "$3" "$2" || :)
	if [ "$_c" -eq "$4" ]; then ok "$1"; else
		not_ok "$1" "$_c lines match '$3', want $4" "$(head -c 900 "$2")"
	fi
}

# ------------------------------------------------ 1. stdout is gcloud's
export GCLOUD_RUN_DEPLOY_FORMAT=json
got=$("$SHIM" svc --image="$IMG/ok/app:1" $R --format='value(status.url)' 2>"$T/err")
if [ "$got" = "$URL" ]; then ok "1: URL=\$(...) with JSON exported: gcloud's stdout alone"
else not_ok "1: URL=\$(...) gets gcloud's stdout alone" "got: $(printf '%s' "$got" | head -c 500)"; fi
grep '^{' "$T/err" >"$T/errjson" || :
jcheck "1: the JSON report went to stderr instead" "$T/errjson" 'd["decision"] == "deploy"'
schema_keep "$T/errjson"

run "$SHIM" --preflight=warn svc --image="$IMG/no/app:1" $R
expect_rc "1: warn, denied, JSON exported: gcloud's exit" 0
if [ "$(cat "$T/out")" = "$URL" ]; then ok "1: warn, denied: stdout is gcloud's line alone"
else not_ok "1: warn, denied: stdout is gcloud's alone" "$(head -c 500 "$T/out")"; fi

run "$SHIM" --preflight-report="$T/r1.json" svc --image="$IMG/ok/app:1" $R
if [ "$(cat "$T/out")" = "$URL" ]; then ok "1: --preflight-report: stdout is gcloud's alone"
else not_ok "1: --preflight-report: stdout is gcloud's alone" "$(head -c 500 "$T/out")"; fi
grep_not "1: --preflight-report: no JSON on stderr either" "$T/err" '^\{'
jcheck "1: --preflight-report=FILE holds the report" "$T/r1.json" \
	'd["decision"] == "deploy" and i[0]["result"] == "granted"'
schema_keep "$T/r1.json"
if tr '\0' '\n' <"$T/argv" | grep -q preflight; then
	not_ok "1: --preflight-report is not handed to gcloud" "$(tr '\0' ' ' <"$T/argv")"
else ok "1: --preflight-report is not handed to gcloud"; fi
unset GCLOUD_RUN_DEPLOY_FORMAT

GCLOUD_RUN_DEPLOY_REPORT="$T/r2.json" run "$SHIM" svc --image="$IMG/no/app:1" $R
expect_rc "1: GCLOUD_RUN_DEPLOY_REPORT, denied: exit 77" 77
empty "1: text format, denied: stdout empty" "$T/out"
jcheck "1: GCLOUD_RUN_DEPLOY_REPORT holds the report, text on stderr" "$T/r2.json" \
	'd["decision"] == "blocked"'
schema_keep "$T/r2.json"
grep_file "1: ... and the text report is still on stderr" "$T/err" 'cannot read image'

echo stale >"$T/r3.json"
run "$SHIM" --preflight-report="$T/r3.json" svc --source=. $R
expect_rc "1: a --source deploy with a report file: handed over" 0
jcheck "1: ... the report file says why nothing was checked (never stale)" "$T/r3.json" \
	'd["decision"] == "deploy" and d["images"] == [] and "source" in d["note"]'
schema_keep "$T/r3.json"
if tr '\0' ' ' <"$T/argv" | grep -q "^run deploy svc --source=. $R \$"; then
	ok "1: ... gcloud gets its arguments, the option removed"
else not_ok "1: ... gcloud's argv" "$(tr '\0' ' ' <"$T/argv")"; fi

echo keep >"$T/r4.json"
run env -u CLOUDSDK_CORE_PROJECT "$SHIM" --preflight=audit --preflight-report="$T/r4.json"
if [ "$(cat "$T/r4.json")" = keep ]; then ok "1: audit mode leaves the report file alone (its report is on stdout)"
else not_ok "1: audit mode leaves the report file alone" "$(head -c 300 "$T/r4.json")"; fi

run "$SHIM" --preflight-report="$T/no/such/dir/r.json" svc --image="$IMG/ok/app:1" $R
expect_rc "1: a report file that cannot be written: exit 64" 64
grep_file "1: ... says so" "$T/err" "cannot write the report to '.*r.json'"
[ -f "$T/ran" ] && not_ok "1: ... and gcloud does not run" || ok "1: ... and gcloud does not run"

run "$SHIM" --preflight=only --preflight-format=json svc --image="$IMG/ok/app:1" $R
jcheck "1: only mode: the one object on stdout" "$T/out" 'd["decision"] == "deploy"'
count "1: only mode: one line" "$T/out" '.' 1
schema_keep "$T/out"

# ------------------------------------------------ 2. the report's fields
run_report "$SHIM" --preflight=only --preflight-format=json svc \
	--container a --image="$IMG/no/a:1" --container b --image="$IMG/ok/b:1" \
	--container c --image=docker.io/library/nginx:1 $R
jcheck "2: schema version 1" "$T/out" 'd["schema"] == 1'
jcheck "2: denied image: member null (raw token) and a grant command with MEMBER" "$T/out" \
	'i[0]["result"] == "denied" and "member" in i[0] and i[0]["member"] is None and i[0]["grant"].startswith("gcloud artifacts repositories add-iam-policy-binding no --project=p --location=us-central1 --member=MEMBER")'
jcheck "2: granted image: no member or grant" "$T/out" '"grant" not in i[1] and "member" not in i[1]'
jcheck "2: the note says what was not checked" "$T/out" \
	'"outside Artifact Registry not checked" in d["note"]'
jcheck "2: no error object on a blocked decision" "$T/out" '"error" not in d'
run_report "$SHIM" --preflight=only --preflight-format=json svc --image="$IMG/ok/app:1" $R
jcheck "2: the note of another run says what that one did not check" "$T/out" \
	'd["note"].startswith("manifests not checked") and "outside" not in d["note"]'
FAKE_TOKEN=$TOKEN FAKE_ACCOUNT=ci@p.iam.gserviceaccount.com \
	GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" CLOUDSDK_AUTH_ACCESS_TOKEN= \
	run_report "$SHIM" --preflight=only --preflight-format=json \
	--account=ci@p.iam.gserviceaccount.com svc --image="$IMG/no/app:1" $R
jcheck "2: a known principal: member and grant name it" "$T/out" \
	'i[0]["member"] == "serviceAccount:ci@p.iam.gserviceaccount.com" and "--member=serviceAccount:ci@p.iam.gserviceaccount.com " in i[0]["grant"]'

# ------------------------------------------------ 3. only mode as a CI gate
# A deploy tool that installs its own gcloud (deploy-cloudrun) cannot be
# wrapped: step 1 checks with the same service, image, region and
# identity, step 2 is the tool's own deploy, run only when step 1 passes.
mkdir -p "$T/nogcloud"
ln -sf "$(command -v sh)" "$T/nogcloud/sh"
gate() {
	env -u GCLOUD_RUN_DEPLOY_GCLOUD PATH="$T/nogcloud" "$SHIM" \
	    --preflight=only --preflight-format=json svc --image="$1" $R \
	    >"$T/gate.json" 2>"$T/gate.err" &&
	    "$T/bin/gcloud" run deploy svc --image="$1" $R
}
rm -f "$T/ran"; set +e; gate "$IMG/ok/app:1"; rc=$?; set -e
expect_rc "3: two steps, granted: the check passes with no gcloud installed" 0
[ -f "$T/ran" ] && ok "3: ... and the deploy step runs" || not_ok "3: ... and the deploy step runs" "$(cat "$T/gate.err")"
jcheck "3: step 1's report" "$T/gate.json" 'd["decision"] == "deploy"'
schema_keep "$T/gate.json"
rm -f "$T/ran"; set +e; gate "$IMG/no/app:1"; rc=$?; set -e
expect_rc "3: two steps, denied: the gate fails with 77" 77
[ -f "$T/ran" ] && not_ok "3: ... and the deploy step does not run" || ok "3: ... and the deploy step does not run"
grep_file "3: ... the grant command on stderr" "$T/gate.err" 'add-iam-policy-binding no '

# ------------------------------------------------ 5. the way out of exit 69
run_report env GCLOUD_RUN_DEPLOY_TIMEOUT=2 "$SHIM" --preflight-format=json svc --image="$IMG/hang/app:1" $R
expect_rc "5: a hung endpoint: exit 69" 69
grep_file "5: timeout: names GCLOUD_RUN_DEPLOY_TIMEOUT and the deadline" "$T/err" 'deadline of 2 s; GCLOUD_RUN_DEPLOY_TIMEOUT='
grep_file "5: timeout: names --preflight=warn" "$T/err" 'preflight=warn'
jcheck "5: timeout: error.cause is timeout" "$T/out" 'd["decision"] == "error" and d["error"]["cause"] == "timeout" and d["error"]["message"]'
run_report "$SHIM" --preflight-format=json svc --image="$IMG/off/app:1" $R
expect_rc "5: Artifact Registry API disabled: exit 69" 69
grep_file "5: API disabled: the enabling command" "$T/err" 'gcloud services enable artifactregistry.googleapis.com'
grep_file "5: API disabled: names --preflight=warn" "$T/err" 'preflight=warn'
grep_not "5: API disabled: no timeout hint" "$T/err" 'GCLOUD_RUN_DEPLOY_TIMEOUT'
jcheck "5: API disabled: error.cause api-disabled" "$T/out" 'd["error"]["cause"] == "api-disabled"'
run_report env -u CLOUDSDK_AUTH_ACCESS_TOKEN GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" \
	FAKE_HELPER_FAIL="You do not currently have an active account selected." \
	"$SHIM" --preflight-format=json svc --image="$IMG/ok/app:1" $R
expect_rc "5: no credentials: exit 69" 69
grep_file "5: no credentials: names --preflight=warn" "$T/err" 'preflight=warn'
jcheck "5: no credentials: error.cause credentials" "$T/out" 'd["error"]["cause"] == "credentials"'

# ------------------------------------------------ 6. Cloud Run errors
run_report "$T/wrap/gcloud" --preflight-format=json run services update expired --memory=1Gi $R
expect_rc "6: Cloud Run 401: exit 69" 69
grep_file "6: 401: the token expired, log in again" "$T/err" "service 'expired' from Cloud Run \\(HTTP 401\\): the access token has expired.*gcloud auth login"
grep_not "6: 401: not 'the deployed service'" "$T/err" 'the deployed service'
log_mark "$T/ar.jsonl"
run_report "$SHIM" svc --image="$IMG/ok/app:1" --region=us-central1 --project=off
expect_rc "6: Cloud Run API disabled: nothing deployed, the named image checked, gcloud runs" 0
tail -n +$((n0 + 1)) "$T/ar.jsonl" | grep -q 'repositories/ok:testIamPermissions' && ok "6: ... the named image was asked about" || not_ok "6: ... the named image was asked about"
run_report "$SHIM" --preflight=only --preflight-format=json svc --image="$IMG/ok/app:1" --region=us-central1 --project=off
jcheck "6: API disabled: the note says so" "$T/out" '"Cloud Run API is not enabled" in d["note"] and d["decision"] == "deploy"'
run_report "$T/wrap/gcloud" run services update secret --memory=1Gi $R
expect_rc "6: Cloud Run 403: exit 69" 69
grep_file "6: 403: the permission needed, in words" "$T/err" "refused to show service 'secret' \\(HTTP 403.*run.services.get \\(roles/run.viewer\\)"
run_report env CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN=http://127.0.0.1:9/ "$T/wrap/gcloud" run services update svc --memory=1Gi $R
expect_rc "6: Cloud Run unreachable: exit 69" 69
grep_file "6: unreachable: the network, in words" "$T/err" "cannot reach Cloud Run to read service 'svc'.*check the network"

# ------------------------------------------------ 7. IAM_PERMISSION_DENIED
run_report "$SHIM" --preflight-format=json svc --image="$IMG/iam/app:1" $R
expect_rc "7: IAM_PERMISSION_DENIED is a denial: exit 77" 77
grep_file "7: ... with the grant command" "$T/err" 'add-iam-policy-binding iam --project=p'
grep_file "7: ... and the 'or it does not exist' caveat" "$T/err" 'or it may not exist|or the repository does not exist'
jcheck "7: JSON: denied, blocked" "$T/out" 'i[0]["result"] == "denied" and d["decision"] == "blocked" and "IAM_PERMISSION_DENIED" in i[0]["detail"]'

# ------------------------------------------------ 8. one grant per repository
run_report "$SHIM" svc --container a --image="$IMG/no/a:1" --container b \
	--image="$IMG/no/b:1" --container c --image="$IMG/no2/c:1" $R
expect_rc "8: three denied images: exit 77" 77
count "8: one grant command for repository no" "$T/err" 'add-iam-policy-binding no ' 1
count "8: one grant command for repository no2" "$T/err" 'add-iam-policy-binding no2 ' 1
grep_file "8: a one-line summary" "$T/err" 'cannot read 3 images in 2 repositories'
grep_file "8: the block names both images of repository no" "$T/err" "and image '$IMG/no/b:1' \\(container b\\)"

# ------------------------------------------------ 9. the service agent
make_cert reg "DNS:us-central1-docker.pkg.dev,IP:127.0.0.1"
AG=serviceAccount:service-4242@serverless-robot-prod.iam.gserviceaccount.com
X=projects/x/locations/us-central1/repositories
cat >"$T/extras.json" <<EOF2
{"token": "$TOKEN",
 "projects": {"d": {"number": "4242"},
  "x": {"number": "77", "policy": {"bindings": [{"role": "roles/owner", "members": ["user:o@example.com"]}]}}},
 "repositories": {
  "$X/ok": {"grant": true, "policy": {"bindings": [{"role": "roles/artifactregistry.reader", "members": ["$AG"]}]}},
  "$X/nobind": {"grant": true, "policy": {"bindings": [{"role": "roles/artifactregistry.reader", "members": ["user:a@example.com"]}]}}},
 "images": {"us-central1-docker.pkg.dev/x/ok/app": {"tags": {"1": "sha256:$(printf '%064d' 7)"}},
  "us-central1-docker.pkg.dev/x/nobind/app": {"tags": {"1": "sha256:$(printf '%064d' 7)"}}}}
EOF2
start_fake x fakeextras.py --cert "$T/ca/reg.pem" --key "$T/ca/reg.key" \
	--scenario "$T/extras.json" --log "$T/x.jsonl"
xrun() {
	run_report env CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="https://127.0.0.1:$PORT_x/" \
	    CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER="https://127.0.0.1:$PORT_x/" \
	    GCLOUD_RUN_DEPLOY_CONNECT_TO="us-central1-docker.pkg.dev:443:127.0.0.1:$PORT_x" \
	    CLOUDSDK_CORE_PROJECT=d "$@"
}
xrun "$SHIM" --preflight-format=json svc --image=us-central1-docker.pkg.dev/x/nobind/app:1 $R
expect_rc "9: no grant found for the service agent: a warning, exit 0" 0
grep_file "9: worded with its certainty" "$T/err" \
	"WARNING: .* no grant found for the Cloud Run service agent of project 'd'"
grep_file "9: ... names what is not read" "$T/err" 'folders, the organization and through groups are not read'
grep_not "9: ... no longer says it 'would fail to pull'" "$T/err" 'would fail to pull'
grep_file "9: ... names the blocking option" "$T/err" 'preflight-service-agent=block'
jcheck "9: a distinct decision in JSON: warning" "$T/report.json" \
	'd["decision"] == "warning" and i[0]["service_agent"]["result"] == "missing"'
xrun "$SHIM" --preflight=only --preflight-service-agent=block --preflight-format=json \
	svc --image=us-central1-docker.pkg.dev/x/nobind/app:1 $R
expect_rc "9: --preflight-service-agent=block: only mode fails the gate (77)" 77
jcheck "9: ... decision blocked" "$T/out" 'd["decision"] == "blocked"'
grep_file "9: ... as an ERROR" "$T/err" "^ERROR: .* no grant found for the Cloud Run service agent"
xrun env GCLOUD_RUN_DEPLOY_SERVICE_AGENT=block "$SHIM" svc \
	--image=us-central1-docker.pkg.dev/x/nobind/app:1 $R
expect_rc "9: GCLOUD_RUN_DEPLOY_SERVICE_AGENT=block: the deploy stops (77)" 77
[ -f "$T/ran" ] && not_ok "9: ... gcloud does not run" || ok "9: ... gcloud does not run"
xrun env GCLOUD_RUN_DEPLOY_SERVICE_AGENT=block "$SHIM" svc \
	--image=us-central1-docker.pkg.dev/x/ok/app:1 $R
expect_rc "9: block, the agent has a grant: gcloud runs" 0
run env GCLOUD_RUN_DEPLOY_SERVICE_AGENT=yes "$SHIM" svc --image="$IMG/ok/app:1" $R
expect_rc "9: GCLOUD_RUN_DEPLOY_SERVICE_AGENT=yes: usage error" 64
run "$SHIM" --preflight-service-agent=maybe svc --image="$IMG/ok/app:1" $R
expect_rc "9: --preflight-service-agent=maybe: usage error" 64

# ------------------------------------------------ 10. plan mode
run env -u CLOUDSDK_AUTH_ACCESS_TOKEN "$SHIM" --preflight=plan svc --image="$IMG/ok/app:1" $R
expect_rc "10: plan without credentials: exit 0" 0
grep_not "10: no 'planned for the account of the access token'" "$T/out" 'account of the access token'
grep_file "10: says there are no credentials" "$T/out" 'no credentials'
for s in 'configuration' 'account' 'project +p' 'region +us-central1' 'quota project' \
    "Artifact Registry +https://127.0.0.1:$PORT_ar/" "Cloud Run +http://127.0.0.1:$PORT_run/" \
    'CA file +.*ca.pem' 'proxy'; do
	grep_file "10: the text plan shows $s" "$T/out" "^    $s"
done
run_report env -u CLOUDSDK_AUTH_ACCESS_TOKEN "$SHIM" --preflight=plan --preflight-format=json svc --image="$IMG/ok/app:1" $R
jcheck "10: JSON plan: principal null, the note says no credentials" "$T/out" \
	'd["principal"] is None and "no credentials" in d["note"] and d["decision"] == "planned"'

# ------------------------------------------------ 11. small things
run "$SHIM" run deploy api --image="$IMG/ok/app:1" $R
expect_rc "11: 'gcloud-run-deploy run deploy api': usage error" 64
grep_file "11: ... with a hint" "$T/err" "already means 'gcloud run deploy'"
[ -f "$T/ran" ] && not_ok "11: ... gcloud not run" || ok "11: ... gcloud not run"
run "$SHIM" run --image="$IMG/ok/app:1" $R
expect_rc "11: a service named 'run' is still a service" 0
run "$SHIM" run services update api --memory=1Gi
expect_rc "11: 'gcloud-run-deploy run services update': usage error" 64
grep_file "11: ... the hint names the wrapper" "$T/err" 'libexec/gcloud-run-deploy/gcloud'
for v in "" false 0 no off FALSE; do
	run env GCLOUD_RUN_DEPLOY_VERBOSE=$v "$SHIM" svc --image="$IMG/ok/app:1" $R
	empty "11: GCLOUD_RUN_DEPLOY_VERBOSE=$v is off: stderr empty" "$T/err"
done
run env GCLOUD_RUN_DEPLOY_VERBOSE=true "$SHIM" svc --image="$IMG/ok/app:1" $R
grep_file "11: GCLOUD_RUN_DEPLOY_VERBOSE=true is on" "$T/err" 'run deploy: deploy for'
run "$SHIM" --help
for w in 'audit' '--freshness' '--preflight-report' '--preflight-service-agent' \
    ' 64 ' ' 65 ' ' 69 ' ' 77 ' '126' '127'; do
	grep_file "11: --help lists $w" "$T/out" -- "$w"
done
# Every GCLOUD_RUN_DEPLOY_ variable in the binary is in the README and
# the man page (GCLOUD_RUN_DEPLOY_DEPTH, which the shim adds to gcloud's
# environment, included).
for v in $(strings "$SHIM" | grep -o 'GCLOUD_RUN_DEPLOY_[A-Z_]*' | sort -u); do
	grep -q "$v" "$TOP/README.md" && grep -q "$(printf '%s' "$v" | sed 's/_/\\\\_/g; s/\\\\//g')" "$TOP/man/gcloud-run-deploy.1" &&
		ok "11: $v is documented (README, man page)" ||
		not_ok "11: $v is documented in README and man page"
done
if command -v script >/dev/null 2>&1 && script -qec true /dev/null </dev/null >/dev/null 2>&1; then
	set +e
	script -qec "TERM=xterm '$SHIM' --preflight=warn svc --image=$IMG/no/app:1 $R" /dev/null </dev/null >"$T/tty" 2>&1
	set -e
	grep_file "11: on a terminal WARNING: is yellow, as gcloud's" "$T/tty" "${ESC}\\[1;33mWARNING:${ESC}\\[0m"
	grep_not "11: ... not red like ERROR:" "$T/tty" "${ESC}\\[1;31mWARNING"
else
	skip "11: script(1) missing: no terminal colour case"
fi

# ------------------------------------------------ 4. progress (pexpect)
if ! /usr/bin/python3 -c 'import pexpect' 2>/dev/null; then
	skip "4: python3-pexpect missing: no terminal progress cases"
else
	/usr/bin/python3 - "$SHIM" "$IMG" >"$T/pty.log" 2>&1 <<'PY' || :
import os, sys, time, pexpect
shim, img = sys.argv[1], sys.argv[2]
env = dict(os.environ, TERM="xterm")
def run(args, timeout=20):
    t0 = time.time()
    p = pexpect.spawn(shim, args, env=env, encoding="utf-8", timeout=timeout,
                      dimensions=(24, 160))
    seen = {}
    out = ""
    while True:
        try:
            out += p.read_nonblocking(4096, timeout=timeout)
            if "Checking" in out and "at" not in seen:
                seen["at"] = time.time() - t0
        except pexpect.EOF:
            break
    p.close()
    return out, seen.get("at"), p.exitstatus
def say(good, name, why=""):
    print("%s\t%s\t%s" % ("PASS" if good else "FAIL", name, why.replace("\n", "\\n")[:600]))
out, at, rc = run(["svc", "--image=%s/slow/app:1" % img, "--region=us-central1"])
say(at is not None and 0.7 <= at <= 2.5, "4: a 3 s check shows a progress line after about a second",
    "at=%r out=%r" % (at, out))
say("Checking that the deployer can read [%s/slow/app:1]..." % img in out,
    "4: the line says what is being checked", repr(out))
line = out.split("Checking", 1)[-1]
say("\r" in line and line.index("\r") < line.find("ERROR"), "4: the line is cleared before the report", repr(out))
say(rc == 77, "4: the check's own exit status (77)", "rc=%r" % rc)
out, at, rc = run(["svc", "--image=%s/ok/app:1" % img, "--region=us-central1"])
say(at is None, "4: a fast check shows no progress line", repr(out))
PY
	while IFS='	' read -r _st _name _why; do
		case $_st in
		PASS) ok "$_name" ;;
		FAIL) not_ok "$_name" "$_why" ;;
		*) not_ok "4: pexpect: $_st $_name $_why" ;;
		esac
	done <"$T/pty.log"
	run "$SHIM" svc --image="$IMG/slow/app:1" $R
	grep_not "4: never on a non-terminal" "$T/err" 'Checking'
fi

jcheck_run
schema_check
done_testing
