#!/bin/sh
# Updates keep the deployed images they do not replace: the shim reads the
# service or job (Cloud Run Admin API v2, a loopback fake) and checks them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/schema.sh"

command -v python3 >/dev/null || { skip "python3 missing: no fake"; done_testing; exit 0; }
make_ca
make_recorder
TOKEN=ya29.test-secret-token-2718281828
R=us-central1-docker.pkg.dev/p
P=projects/p/locations/us-central1/repositories
cat >"$T/scenario.json" <<EOF
{"token": "$TOKEN", "repositories": {
 "$P/ok": {"grant": true}, "$P/new": {"grant": true},
 "$P/no": {"grant": false}}}
EOF
cat >"$T/seed.json" <<EOF
{"services": [
 {"project": "p", "region": "us-central1", "name": "plain",
  "image": "$R/ok/app:1"},
 {"project": "p", "region": "us-central1", "name": "stale",
  "image": "$R/no/app:1"},
 {"project": "p", "region": "us-central1", "name": "multi",
  "containers": [
   {"name": "side", "image": "$R/no/side:1"},
   {"name": "app", "image": "$R/ok/app:1", "ports": [{"containerPort": 8080}]},
   {"name": "hub", "image": "docker.io/library/nginx:1"}]},
 {"project": "p", "region": "us-central1", "name": "secret",
  "image": "$R/ok/app:1", "v2_error": 403}],
 "jobs": [
 {"project": "p", "region": "us-central1", "name": "nightly",
  "containers": [{"name": "main", "image": "$R/no/batch:1"}]}]}
EOF
start_https_fake ar artifactregistry fakegoog.py \
	--scenario "$T/scenario.json" --log "$T/ar.jsonl"
start_fake run fakerun.py --log "$T/run.jsonl" --token "$TOKEN" \
	--seed "$T/seed.json"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://127.0.0.1:$PORT_run/"
export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" CLOUDSDK_CORE_PROJECT=p
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" GCLOUD_RUN_DEPLOY_TIMEOUT=10
W="$T/wrap"
mkdir -p "$W"
ln -s "$SHIM" "$W/gcloud"

reads() { grep -c '"path": "/v2/' "$T/run.jsonl" 2>/dev/null || echo 0; }

run_report "$W/gcloud" run services update plain --memory=1Gi --region=us-central1
expect_rc "update without --image, deployed image readable: 0" 0
ran "update, granted: gcloud ran"
tail -1 "$T/run.jsonl" | grep -q '"path": "/v2/projects/p/locations/us-central1/services/plain"' &&
	ok "update: read the service through v2" ||
	not_ok "update: read the service through v2" "$(tail -1 "$T/run.jsonl")"

run_report "$W/gcloud" run services update stale --memory=1Gi --region=us-central1 \
	--preflight-format=json
expect_rc "update without --image, deployed image not readable: 77" 77
not_ran "update, denied: gcloud did not run"
json "update: the deployed image is checked and denied" \
	'[(i["image"], i["result"]) for i in d["images"]] == [("'"$R"'/no/app:1", "denied")]'

run_report "$W/gcloud" run services update stale --image "$R/new/app:2" \
	--region=us-central1
expect_rc "update replacing the only image: the old one is not checked" 0

run_report "$W/gcloud" beta run services update multi --region=us-central1 \
	--container side --image "$R/new/side:2" --preflight-format=json
expect_rc "sidecar replaced: the rest granted or elsewhere, 0" 0
json "sidecar replaced: new side, kept app, kept Docker Hub image" \
	'sorted((i["container"], i["image"], i["result"]) for i in d["images"]) == sorted([("side", "'"$R"'/new/side:2", "granted"), ("app", "'"$R"'/ok/app:1", "granted"), ("hub", "docker.io/library/nginx:1", "skipped")])'

run_report "$W/gcloud" run services update multi --region=us-central1 \
	--image "$R/new/app:2" --preflight-format=json
expect_rc "plain --image replaces the ingress container; the denied sidecar stays: 77" 77
json "plain --image: ingress replaced, sidecar kept and denied" \
	'sorted((str(i["container"]), i["image"], i["result"]) for i in d["images"]) == sorted([("None", "'"$R"'/new/app:2", "granted"), ("side", "'"$R"'/no/side:1", "denied"), ("hub", "docker.io/library/nginx:1", "skipped")])'

run_report "$W/gcloud" beta run services update multi --region=us-central1 \
	--remove-containers=side --preflight-format=json
expect_rc "--remove-containers: the removed sidecar is not checked, 0" 0
json "--remove-containers: only the kept containers" \
	'sorted(str(i["container"]) for i in d["images"]) == ["app", "hub"]'

run_report "$SHIM" multi --region=us-central1 --container app --source . \
	--container side --image "$R/no/side:2" --preflight-format=json
expect_rc "--source in one container: the other is still checked, 77" 77
json "--source in one container: app built, side denied, hub kept" \
	'sorted((str(i["container"]), i["result"]) for i in d["images"]) == [("hub", "skipped"), ("side", "denied")]'
run_report "$SHIM" multi --region=us-central1 --container app --source . \
	--container side --image "$R/ok/side:2"
expect_rc "--source in one container, the others readable: 0" 0

run env -u CLOUDSDK_CORE_PROJECT "$W/gcloud" run services update \
	namespaces/p/services/stale --memory=1Gi --region=us-central1
expect_rc "a full resource name: read by its project and name, denied, 77" 77
grep_file "a full resource name: the deployed image is named" "$T/err" \
	"$R/no/app:1"

run_report "$SHIM" multi --region=us-central1 --image "$R/new/app:2"
expect_rc "run deploy to an existing multi-container service: sidecars checked, 77" 77
grep_file "run deploy: names the kept sidecar's image" "$T/err" "$R/no/side:1"

n0=$(reads)
run_report "$SHIM" brandnew --region=us-central1 --image "$R/new/app:2"
expect_rc "deploy of a new service (v2 404): only the named image, 0" 0
[ "$(reads)" -eq $((n0 + 1)) ] && ok "new service: read once (404)" ||
	not_ok "new service: read once (404)"

run_report "$W/gcloud" run services update ghost --memory=1Gi --region=us-central1
expect_rc "update of a service that does not exist: nothing to check, 0" 0

run_report "$W/gcloud" run services update secret --memory=1Gi --region=us-central1
expect_rc "403 on the read: exit 69" 69
not_ran "403 on the read: gcloud did not run"
grep_file "403 on the read: says so" "$T/err" "Cloud Run refused to show service 'secret' \\(HTTP 403"
run_report "$W/gcloud" run services update secret --memory=1Gi \
	--region=us-central1 --preflight=warn
expect_rc "403 on the read, warn: gcloud runs" 0

run_report "$W/gcloud" run jobs update nightly --tasks=2 --region=us-central1
expect_rc "jobs update without --image: the job's image checked, 77" 77
grep_file "jobs update: names the job's image" "$T/err" "$R/no/batch:1"

run env -u CLOUDSDK_CORE_PROJECT "$W/gcloud" run services update plain \
	--memory=1Gi --region=us-central1
expect_rc "update without a project: cannot read, 69" 69
grep_file "no project: says which setting is missing" "$T/err" "core/project"

n0=$(reads)
run_report "$W/gcloud" run services update plain --memory=1Gi \
	--region=us-central1 --preflight=plan --preflight-format=json
expect_rc "plan: exit 0" 0
[ "$(reads)" -eq "$n0" ] && ok "plan: no read" || not_ok "plan: no read"
json "plan: says the deployed images will be read" \
	'"deployed" in d["note"] and d["command"] == "run services update"'

n0=$(reads)
run_report "$W/gcloud" run jobs create j2 --image "$R/ok/x:1" --region=us-central1
expect_rc "jobs create: new, checked, 0" 0
[ "$(reads)" -eq "$n0" ] && ok "jobs create: no read" ||
	not_ok "jobs create: no read"

if grep -rqa "$TOKEN" "$T/all-output" "$T/run.jsonl" "$T/ar.jsonl" 2>/dev/null; then
	not_ok "the token appears in no output or log"
else ok "the token appears in no output or log"; fi

schema_check
done_testing
