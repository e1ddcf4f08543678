#!/bin/sh
# The checks after the IAM answer (issue 6): the manifest exists (a HEAD
# through the registry API) and the Cloud Run service agent can read a
# repository in another project (warn-only).  One loopback HTTPS fake
# (tests/fake/fakeextras.py) serves Artifact Registry, Resource Manager and,
# through GCLOUD_RUN_DEPLOY_CONNECT_TO, the registry hosts, with a test
# certificate made here for those names.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/schema.sh"

command -v python3 >/dev/null || { skip "python3 missing: no fake"; done_testing; exit 0; }
make_ca
make_recorder
make_cert reg "DNS:us-central1-docker.pkg.dev,DNS:gcr.io,IP:127.0.0.1"
TOKEN=ya29.test-secret-token-extras-1618033988
AG=serviceAccount:service-4242@serverless-robot-prod.iam.gserviceaccount.com
R=us-central1-docker.pkg.dev
D0=sha256:$(printf '%064d' 7)
X=projects/x/locations/us-central1/repositories
cat >"$T/scenario.json" <<EOF
{"token": "$TOKEN",
 "projects": {"d": {"number": "4242"},
  "x": {"number": "77", "policy": {"bindings": [{"role": "roles/owner", "members": ["user:o@example.com"]}]}},
  "y": {"number": "88", "policy": {"bindings": [{"role": "roles/viewer", "members": ["$AG"]}]}}},
 "repositories": {
  "projects/d/locations/us-central1/repositories/same": {"grant": true},
  "projects/d/locations/us-central1/repositories/no": {"grant": false},
  "projects/d/locations/us/repositories/gcr.io": {"grant": true},
  "$X/ok": {"grant": true, "policy": {"bindings": [{"role": "roles/artifactregistry.reader", "members": ["user:a@example.com", "$AG"]}]}},
  "$X/nobind": {"grant": true, "policy": {"bindings": [{"role": "roles/artifactregistry.reader", "members": ["user:a@example.com"]}]}},
  "$X/unread": {"grant": true, "policy_status": 403},
  "$X/custom": {"grant": true, "policy": {"bindings": [{"role": "projects/x/roles/puller", "members": ["$AG"]}]}},
  "$X/cond": {"grant": true, "policy": {"bindings": [{"role": "roles/artifactregistry.reader", "members": ["$AG"], "condition": {"title": "weekdays", "expression": "true"}}]}},
  "$X/public": {"grant": true, "policy": {"bindings": [{"role": "roles/artifactregistry.reader", "members": ["allUsers"]}]}},
  "projects/y/locations/us-central1/repositories/proj": {"grant": true}},
 "images": {
  "$R/d/same/app": {"tags": {"1": "$D0"}},
  "$R/d/same/locked": {"status": 403},
  "$R/d/same/broken": {"status": 500},
  "gcr.io/d/app": {"tags": {"latest": "$D0"}},
  "$R/x/ok/app": {"tags": {"1": "$D0"}}, "$R/x/nobind/app": {"tags": {"1": "$D0"}},
  "$R/x/unread/app": {"tags": {"1": "$D0"}}, "$R/x/custom/app": {"tags": {"1": "$D0"}},
  "$R/x/cond/app": {"tags": {"1": "$D0"}}, "$R/x/public/app": {"tags": {"1": "$D0"}},
  "$R/y/proj/app": {"tags": {"1": "$D0"}}}}
EOF
start_fake x fakeextras.py --cert "$T/ca/reg.pem" --key "$T/ca/reg.key" \
	--scenario "$T/scenario.json" --log "$T/x.jsonl"
EP="https://127.0.0.1:$PORT_x/"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="$EP"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER="$EP"
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca/ca.pem"
export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" CLOUDSDK_CORE_PROJECT=d
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" GCLOUD_RUN_DEPLOY_TIMEOUT=10
export GCLOUD_RUN_DEPLOY_CONNECT_TO="$R:443:127.0.0.1:$PORT_x,gcr.io:443:127.0.0.1:$PORT_x"

json() {
	if pyrun -c 'import json,sys; d=json.load(open(sys.argv[1])); i=d["images"]; sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$T/out" "$2" 2>"$T/pyerr"; then ok "$1"; else
		not_ok "$1" "false: $2" "stdout: $(head -c 900 "$T/out")" "$(tail -1 "$T/pyerr")"
	fi
}
# mark; then logged NAME EXPR: a Python expression over L, the fake's
# requests since the mark.
mark() { log_mark "$T/x.jsonl"; }
logged() {
	if pyrun -c 'import json,sys; L=[json.loads(l) for l in open(sys.argv[1]).readlines()[int(sys.argv[3]):]]; sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$T/x.jsonl" "$2" "$n0" 2>"$T/pyerr"; then ok "$1"; else
		not_ok "$1" "false: $2" "$(tail -n +$((n0 + 1)) "$T/x.jsonl" | head -c 900)"
	fi
}
J=--preflight-format=json

# --- the manifest exists ---
mark
run_report "$SHIM" $J svc --image "$R/d/same/app:1"
expect_rc "tag exists: exit 0" 0
ran "tag exists: gcloud ran"
json "tag exists: exists true, manifest URL" \
	'i[0]["exists"] is True and i[0]["manifest"] == "https://'"$R"'/v2/d/same/app/manifests/1" and i[0]["result"] == "granted"'
json "tag exists: detail names the digest" '"'"$D0"'" in i[0]["detail"]'
json "same project: no service agent check" 'i[0]["service_agent"] is None'
logged "HEAD with the bearer, manifest media types, no quota project" \
	'[(r["method"], r["host"], r["auth"], r["user_project"]) for r in L if r["path"].startswith("/v2/")] == [("HEAD", "'"$R"'", "ok", None)] and all(t in [r for r in L if r["path"].startswith("/v2/")][0]["accept"] for t in ("application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json"))'

run_report "$SHIM" svc --image "$R/d/same/app:9"
expect_rc "tag missing: exit 65" 65
not_ran "tag missing: gcloud did not run"
grep_file "tag missing: names image, tag and repository" "$T/err" \
	"image '$R/d/same/app:9' not found: no manifest for tag 9 in $R/d/same/app"
run_report "$SHIM" $J svc --image "$R/d/same/app:9"
json "tag missing: exists false, decision error" \
	'i[0]["exists"] is False and d["decision"] == "error" and "no manifest for tag 9" in i[0]["detail"]'
run_report "$SHIM" --preflight=warn svc --image "$R/d/same/app:9"
expect_rc "tag missing, warn: gcloud's exit" 0
ran "tag missing, warn: gcloud ran"
grep_file "tag missing, warn: WARNING" "$T/err" "^WARNING: .*not found"

run_report "$SHIM" $J svc --image "$R/d/same/app@$D0"
expect_rc "digest exists: exit 0" 0
json "digest: the manifest URL names the digest" \
	'i[0]["manifest"].endswith("/manifests/'"$D0"'") and i[0]["exists"] is True'
run_report "$SHIM" $J svc --image "$R/d/same/app@sha256:$(printf '%064d' 8)"
expect_rc "digest missing: exit 65" 65
run_report "$SHIM" $J svc --image gcr.io/d/app
expect_rc "gcr.io without a tag: latest exists, exit 0" 0
json "gcr.io without a tag: asks for latest" \
	'i[0]["manifest"] == "https://gcr.io/v2/d/app/manifests/latest" and i[0]["exists"] is True'

run_report "$SHIM" $J svc --image "$R/d/same/locked:1"
expect_rc "registry 403: the same denial, exit 77" 77
json "registry 403: result denied, exists null" \
	'i[0]["result"] == "denied" and i[0]["exists"] is None and d["decision"] == "blocked"'
run_report "$SHIM" svc --image "$R/d/same/locked:1"
grep_file "registry 403: says the registry refused" "$T/err" "the registry will not serve image"
start=$(date +%s)
run_report "$SHIM" $J svc --image "$R/d/same/broken:1"
expect_rc "registry 500: check unfinished, exit 69" 69
json "registry 500: result error" 'i[0]["result"] == "error" and "HTTP 500" in i[0]["detail"]'
run_report "$SHIM" --preflight=warn svc --image "$R/d/same/broken:1"
expect_rc "registry 500, warn: gcloud's exit" 0
[ $(($(date +%s) - start)) -le 12 ] && ok "registry 500: within the deadline" ||
	not_ok "registry 500: within the deadline"

mark
run_report "$SHIM" $J svc --image "$R/d/no/app:1"
expect_rc "IAM denied: exit 77" 77
logged "IAM denied: no manifest asked" 'not any(r["path"].startswith("/v2/") for r in L)'
json "IAM denied: no manifest fields" '"exists" not in i[0] and "manifest" not in i[0] and i[0]["result"] == "denied"'

mark
run_report env -u GCLOUD_RUN_DEPLOY_CONNECT_TO "$SHIM" $J svc --image "$R/d/same/app:9"
expect_rc "overridden AR endpoint, registry not routed: not asked, exit 0" 0
json "not routed: no exists field, detail says why" \
	'"exists" not in i[0] and "GCLOUD_RUN_DEPLOY_CONNECT_TO" in i[0]["detail"]'
logged "not routed: no registry request" 'not any(r["path"].startswith("/v2/") for r in L)'

run env GCLOUD_RUN_DEPLOY_CONNECT_TO="$R:443:192.0.2.1:443" "$SHIM" svc --image "$R/d/same/app:1"
expect_rc "connect-to a non-loopback host: exit 64" 64
grep_file "connect-to refused: says why" "$T/err" "only a loopback connect host"
run env GCLOUD_RUN_DEPLOY_CONNECT_TO="garbage" "$SHIM" svc --image "$R/d/same/app:1"
expect_rc "connect-to malformed: exit 64" 64

# --- the Cloud Run service agent (warn-only) ---
mark
run_report "$SHIM" $J svc --image "$R/x/ok/app:1"
expect_rc "agent bound on the repository: exit 0" 0
json "agent ok: member and result" \
	'i[0]["service_agent"]["result"] == "ok" and i[0]["service_agent"]["member"] == "'"$AG"'" and i[0]["service_agent"]["grant"] is None'
grep_not "agent ok: no warning" "$T/err" "WARNING"
logged "agent: project number, repository policy (GET, v3), project policy (POST)" \
	'("GET", "/v3/projects/d", "") in [(r["method"], r["path"], r["query"]) for r in L] and ("GET", "/v1/'"$X"'/ok:getIamPolicy", "options.requestedPolicyVersion=3") in [(r["method"], r["path"], r["query"]) for r in L] and ("POST", "/v3/projects/x:getIamPolicy") in [(r["method"], r["path"]) for r in L]'

run_report "$SHIM" $J svc --image "$R/x/nobind/app:1"
expect_rc "agent missing: exit still 0" 0
ran "agent missing: gcloud ran"
json "agent missing: result, grant command" \
	'i[0]["service_agent"]["result"] == "missing" and i[0]["service_agent"]["grant"] == "gcloud artifacts repositories add-iam-policy-binding nobind --project=x --location=us-central1 --member='"$AG"' --role=roles/artifactregistry.reader" and d["decision"] == "warning" and i[0]["result"] == "granted"'
run_report "$SHIM" svc --image "$R/x/nobind/app:1"
grep_file "agent missing: warning on stderr" "$T/err" \
	"^WARNING: .* no grant found for the Cloud Run service agent of project 'd' to read image"
grep_file "agent missing: grant command on stderr" "$T/err" \
	"--location=us-central1 --member=$AG --role=roles/artifactregistry.reader"
run_report "$SHIM" --preflight=only svc --image "$R/x/nobind/app:1"
expect_rc "agent missing, only mode: exit 0" 0
run_report "$SHIM" svc --image "$R/x/nobind/app:9"
expect_rc "agent missing and tag missing: exit 65, from the tag" 65

run_report "$SHIM" svc --image "$R/x/unread/app:1"
expect_rc "repository policy unreadable: exit 0" 0
grep_file "unreadable: says so plainly" "$T/err" \
	"cannot read the IAM policy of unread to check the Cloud Run service agent: .*HTTP 403"
run_report "$SHIM" $J svc --image "$R/x/unread/app:1"
json "unreadable: result unknown" 'i[0]["service_agent"]["result"] == "unknown"'

run_report "$SHIM" $J svc --image "$R/x/custom/app:1"
json "custom role: cannot tell" \
	'i[0]["service_agent"]["result"] == "unknown" and "projects/x/roles/puller" in i[0]["service_agent"]["detail"]'
run_report "$SHIM" $J svc --image "$R/x/cond/app:1"
json "conditional binding: cannot tell" \
	'i[0]["service_agent"]["result"] == "unknown" and "condition" in i[0]["service_agent"]["detail"]'
run_report "$SHIM" $J svc --image "$R/x/public/app:1"
json "allUsers: ok" 'i[0]["service_agent"]["result"] == "ok" and "allUsers" in i[0]["service_agent"]["detail"]'
run_report "$SHIM" $J svc --image "$R/y/proj/app:1"
json "granted at project level (roles/viewer): ok" \
	'i[0]["service_agent"]["result"] == "ok" and "project" in i[0]["service_agent"]["detail"]'
run_report env CLOUDSDK_CORE_PROJECT=hidden "$SHIM" $J svc --image "$R/x/nobind/app:1"
expect_rc "deploy project unreadable: exit 0" 0
json "deploy project unreadable: unknown, says why" \
	'i[0]["service_agent"]["result"] == "unknown" and "cannot name the Cloud Run service agent" in i[0]["service_agent"]["detail"] and i[0]["service_agent"]["member"] is None'
run_report "$SHIM" $J --project=x svc --image "$R/x/nobind/app:1"
json "--project flag wins: same project, no agent check" 'i[0]["service_agent"] is None'

# --- plan mode ---
mark
run_report "$SHIM" --preflight=plan $J svc --container a --image "$R/x/nobind/app" --container b --image "$R/d/same/app:1"
expect_rc "plan: exit 0" 0
json "plan: the manifest URLs that would be asked" \
	'i[0]["manifest"].endswith("/x/nobind/app/manifests/latest") and i[1]["manifest"] == "https://'"$R"'/v2/d/same/app/manifests/1" and i[1]["exists"] is None'
json "plan: agent planned only for the other project" \
	'i[0]["service_agent"]["result"] == "planned" and "project x" in i[0]["service_agent"]["detail"] and i[1]["service_agent"] is None'
run_report "$SHIM" --preflight=plan svc --image "$R/x/nobind/app"
grep_file "plan text: the manifest" "$T/out" "manifest HEAD https://$R/v2/x/nobind/app/manifests/latest"
grep_file "plan text: the service agent" "$T/out" "service agent of d: would be checked"
logged "plan: nothing sent" 'L == []'

# --- the trust store, read once per run ---
# A granted check asks twice (testIamPermissions, then the manifest): one
# multi handle for both, so libcurl reads the CA file once.  The file is a
# FIFO here, and each open of it is counted by the writer, which is gone
# for a while after each copy, so that the reader sees its end.
mkfifo "$T/ca.fifo"
(
	i=0
	while [ $i -lt 3 ] && [ ! -e "$T/ca.stop" ]; do
		cat "$T/ca/ca.pem" >"$T/ca.fifo" || exit 0
		i=$((i + 1))
		echo $i >"$T/ca.opens"
		sleep 0.5
	done
) &
wpid=$!
mark
run env CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca.fifo" "$SHIM" svc --image "$R/d/same/app:1"
expect_rc "CA file as a FIFO: granted, exit 0" 0
logged "CA file as a FIFO: both rounds asked (IAM, then the manifest)" \
	'any(":testIamPermissions" in r["path"] for r in L) and any("/manifests/1" in r["path"] for r in L)'
sleep 0.2
opens=$(cat "$T/ca.opens" 2>/dev/null || echo 0)
[ "$opens" = 1 ] && ok "the CA file is read once for both rounds" ||
	not_ok "the CA file is read once for both rounds" "read $opens times"
# Let the writer go: stop it, and open the FIFO while it waits there.
: >"$T/ca.stop"
while kill -0 "$wpid" 2>/dev/null; do
	timeout 2 cat "$T/ca.fifo" >/dev/null 2>&1 || :
done

# --- secrets ---
if grep -q "$TOKEN" "$T/all-output" "$T/x.jsonl"; then
	not_ok "the token appears nowhere in output or the fake's log"
else ok "the token appears nowhere in output or the fake's log"; fi
schema_check
done_testing
