#!/bin/sh
# t57-metadata.sh - Cloud Build, GCE, Cloud Run jobs and GKE: the metadata
# server supplies core/project, core/account and the token (metadata.h).
#
# Part 1, a Cloud Build-like environment (a loopback fake metadata server
# giving project, account and token; no --project, no config-helper
# answer): an update reads the deployed service and checks the images it
# keeps exactly as with --project; the token comes straight from the
# metadata server, and reaches nothing but the fakes.
# Part 2, parity with the REAL gcloud against the same fake metadata server:
# for each of gcloud's rules, the shim uses the same token, account and
# project as `gcloud config config-helper --format=json`.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { skip "t57: python3 missing: no fakes"; done_testing; exit 0; }
make_ca
make_recorder
TOKEN=ya29.meta-secret-token-31415926535
SA=123456789012@cloudbuild.gserviceaccount.com
XSA=extra@meta-project.iam.gserviceaccount.com
R=us-central1-docker.pkg.dev/p
P=projects/p/locations/us-central1/repositories
cat >"$T/scenario.json" <<EOF
{"token": "$TOKEN", "repositories": {
 "$P/ok": {"grant": true}, "$P/no": {"grant": false}}}
EOF
cat >"$T/seed.json" <<EOF
{"services": [
 {"project": "meta-project", "region": "us-central1", "name": "multi",
  "containers": [
   {"name": "side", "image": "$R/no/side:1"},
   {"name": "app", "image": "$R/ok/app:1", "ports": [{"containerPort": 8080}]}]},
 {"project": "meta-project", "region": "us-central1", "name": "plain",
  "image": "$R/ok/app:1"}]}
EOF
start_fake ar fakegoog.py --cert "$T/ca/server.pem" --key "$T/ca/server.key" \
	--scenario "$T/scenario.json" --log "$T/ar.jsonl"
start_fake run fakerun.py --log "$T/run.jsonl" --token "$TOKEN" \
	--seed "$T/seed.json"
start_fake meta fakemeta.py --log "$T/meta.jsonl" --project meta-project \
	--email "$SA" --token "$TOKEN" --extra-account "$XSA"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="https://127.0.0.1:$PORT_ar/"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://127.0.0.1:$PORT_run/"
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca/ca.pem"
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" GCLOUD_RUN_DEPLOY_TIMEOUT=10
# The Cloud Build-like environment: the metadata server on loopback, the
# GCE check on (lib.sh turns it off for every other test).
META=127.0.0.1:$PORT_meta
export GCE_METADATA_HOST="$META" GCE_METADATA_ROOT="$META" GCE_METADATA_IP="$META"
unset CLOUDSDK_CORE_CHECK_GCE_METADATA
W="$T/wrap"
mkdir -p "$W"
ln -s "$SHIM" "$W/gcloud"

# mark: where the next case's requests start in the fakes' logs.
mark() { log_mark "$T/meta.jsonl"; m0=$n0; log_mark "$T/run.jsonl"; r0=$n0; }
since() { tail -n +"$(($2 + 1))" "$1" 2>/dev/null || :; }
helper_ran() { [ -f "$T/helper-argv" ]; }
images() { sed 's/"reference":{[^}]*}//g' "$T/out" | tr '{' '\n' | sed -n 's/.*"image":"\([^"]*\)".*"result":"\([a-z]*\)".*/\1=\2/p' | sort | tr '\n' ' '; }

# 1. An update that names no image, no --project: the project is the
# metadata server's, the deployed service is read, its images checked.
mark
rm -f "$T/helper-argv"
run "$W/gcloud" run services update multi --memory=1Gi --region=us-central1 \
	--preflight=only --preflight-format=json
expect_rc "Cloud Build: update without --project, kept sidecar denied: 77" 77
meta_images=$(images)
since "$T/run.jsonl" "$r0" | grep -q '"path": "/v2/projects/meta-project/locations/us-central1/services/multi"' &&
	ok "Cloud Build: read the deployed service in the metadata server's project" ||
	not_ok "Cloud Build: read the deployed service in the metadata server's project" "$(since "$T/run.jsonl" "$r0")"
grep_file "Cloud Build: the principal is the metadata account" "$T/out" \
	"\"principal\":\"serviceAccount:$SA\""
if helper_ran; then not_ok "Cloud Build: no config-helper run"; else ok "Cloud Build: no config-helper run"; fi
since "$T/meta.jsonl" "$m0" >"$T/m.jsonl"
grep -q "/service-accounts/$SA/token\"" "$T/m.jsonl" &&
	ok "Cloud Build: the token came from the metadata server" ||
	not_ok "Cloud Build: the token came from the metadata server" "$(cat "$T/m.jsonl")"
if grep -v '"metadata-flavor": "Google"' "$T/m.jsonl" | grep -q .; then
	not_ok "Cloud Build: every metadata request carries Metadata-Flavor: Google"
else ok "Cloud Build: every metadata request carries Metadata-Flavor: Google"; fi
if grep -Eiq '"(authorization|x-forwarded-for)"' "$T/m.jsonl"; then
	not_ok "Cloud Build: no credential and no X-Forwarded-For to the metadata server"
else ok "Cloud Build: no credential and no X-Forwarded-For to the metadata server"; fi

# 2. The same with --project: the same images, the same results.
run "$W/gcloud" run services update multi --memory=1Gi --region=us-central1 \
	--project=meta-project --preflight=only --preflight-format=json
expect_rc "Cloud Build: the same update with --project: 77" 77
[ "$(images)" = "$meta_images" ] && [ -n "$meta_images" ] &&
	ok "Cloud Build: kept images checked exactly as with --project ($meta_images)" ||
	not_ok "Cloud Build: kept images checked exactly as with --project" \
		"without: $meta_images" "with: $(images)"

# 3. A Cloud Build deploy step: enforce, the named image and the kept one.
run "$SHIM" multi --region=us-central1 --image "$R/ok/app:2"
expect_rc "Cloud Build: deploy, the kept sidecar is denied: 77" 77
not_ran "Cloud Build: denied, gcloud did not run"
grep_file "Cloud Build: the denial names the kept sidecar" "$T/err" "$R/no/side:1"
grep_file "Cloud Build: the grant command names the metadata account" "$T/err" \
	"--member=serviceAccount:$SA"
run "$SHIM" plain --region=us-central1 --image "$R/ok/app:2"
expect_rc "Cloud Build: deploy, all granted: 0" 0
ran "Cloud Build: granted, gcloud ran"

# 4. Plan mode reads nothing over the network, the metadata server included.
mark
run "$SHIM" multi --region=us-central1 --image "$R/ok/app:2" --preflight=plan
expect_rc "plan mode: 0" 0
[ "$(log_lines "$T/meta.jsonl")" -eq "$m0" ] && ok "plan mode: no metadata request" ||
	not_ok "plan mode: no metadata request" "$(since "$T/meta.jsonl" "$m0")"

# 5. check_gce_metadata off: gcloud asks no metadata server; no project.
mark
rm -f "$T/helper-argv"
run env CLOUDSDK_CORE_CHECK_GCE_METADATA=false FAKE_TOKEN="$TOKEN" \
	"$W/gcloud" run services update multi --memory=1Gi --region=us-central1
expect_rc "check_gce_metadata=false: no project, the update cannot be read: 69" 69
grep_file "check_gce_metadata=false: says the project is missing" "$T/err" "no project"
[ "$(log_lines "$T/meta.jsonl")" -eq "$m0" ] &&
	ok "check_gce_metadata=false: no metadata request" ||
	not_ok "check_gce_metadata=false: no metadata request" "$(since "$T/meta.jsonl" "$m0")"

# 6. gcloud's on-GCE cache: a fresh "False" means not on GCE, "True" skips
# the server check; a stale one is not trusted.
mark
printf False >"$CLOUDSDK_CONFIG/gce"
run env FAKE_TOKEN="$TOKEN" "$W/gcloud" run services update multi \
	--memory=1Gi --region=us-central1
expect_rc "gce cache False: not on GCE, no project: 69" 69
[ "$(log_lines "$T/meta.jsonl")" -eq "$m0" ] && ok "gce cache False: no metadata request" ||
	not_ok "gce cache False: no metadata request" "$(since "$T/meta.jsonl" "$m0")"
printf True >"$CLOUDSDK_CONFIG/gce"
mark
run "$W/gcloud" run services update multi --memory=1Gi --region=us-central1
expect_rc "gce cache True: on GCE: 77" 77
if since "$T/meta.jsonl" "$m0" | grep -q numeric-project-id; then
	not_ok "gce cache True: no on-GCE request"; else ok "gce cache True: no on-GCE request"; fi
printf False >"$CLOUDSDK_CONFIG/gce"
touch -d '-11 minutes' "$CLOUDSDK_CONFIG/gce"
run "$W/gcloud" run services update multi --memory=1Gi --region=us-central1
expect_rc "gce cache False but stale: the server is asked again: 77" 77
rm -f "$CLOUDSDK_CONFIG/gce"

# 7. A token in the environment is gcloud's token, not the metadata
# server's; the project still comes from the metadata server.
mark
run env CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" "$W/gcloud" run services update \
	multi --memory=1Gi --region=us-central1
expect_rc "token in the environment: project from the metadata server: 77" 77
if since "$T/meta.jsonl" "$m0" | grep -q '/token"'; then
	not_ok "token in the environment: no metadata token request"
else ok "token in the environment: no metadata token request"; fi

# 8. core/account another account the metadata server lists: its token.
mark
run env CLOUDSDK_CORE_ACCOUNT="$XSA" "$W/gcloud" run services update \
	multi --memory=1Gi --region=us-central1 --preflight=only
expect_rc "core/account another metadata account: its own token (the fake refuses it): 69" 69
since "$T/meta.jsonl" "$m0" | grep -q "/service-accounts/$XSA/token\"" &&
	ok "core/account another metadata account: its token was asked" ||
	not_ok "core/account another metadata account: its token was asked"

# 9. core/account the metadata server does not list: config-helper decides.
rm -f "$T/helper-argv"
run env CLOUDSDK_CORE_ACCOUNT=nobody@example.com FAKE_TOKEN="$TOKEN" \
	FAKE_ACCOUNT=nobody@example.com "$W/gcloud" run services update multi \
	--memory=1Gi --region=us-central1 --preflight=only
if helper_ran; then ok "unlisted core/account: config-helper asked"; else
	not_ok "unlisted core/account: config-helper asked"; fi

# 10. The fake behaves as the real server: no Metadata-Flavor, or an
# X-Forwarded-For, is refused.
if command -v curl >/dev/null; then
	c1=$(curl -s -o /dev/null -w '%{http_code}' "http://$META/computeMetadata/v1/project/project-id")
	c2=$(curl -s -o /dev/null -w '%{http_code}' -H 'Metadata-Flavor: Google' \
		-H 'X-Forwarded-For: 1.2.3.4' "http://$META/computeMetadata/v1/project/project-id")
	[ "$c1 $c2" = "403 403" ] && ok "fakemeta refuses as the real server does" ||
		not_ok "fakemeta refuses as the real server does" "$c1 $c2"
else
	skip "curl missing: fakemeta's refusals not checked"
fi

# 11. The token reached nothing but the fakes: not the output, not a file.
run env GCLOUD_RUN_DEPLOY_VERBOSE=1 "$W/gcloud" run services update multi \
	--memory=1Gi --region=us-central1
if grep -rlF "$TOKEN" "$T" --exclude=scenario.json --exclude=cmdline \
	--exclude-dir=bin >"$T/leaks" 2>/dev/null; then
	not_ok "the metadata token is in no output and no file" "$(cat "$T/leaks")"
else ok "the metadata token is in no output and no file"; fi

done_testing
