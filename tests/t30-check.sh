#!/bin/sh
# The check end to end: the built shim against a loopback HTTPS fake of
# Artifact Registry (test CA), with a recorder standing in for gcloud.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/schema.sh"

command -v python3 >/dev/null || { skip "python3 missing: no fake"; done_testing; exit 0; }
make_ca
make_recorder
TOKEN=ya29.test-secret-token-3141592653
P=projects/p/locations/us-central1/repositories
cat >"$T/scenario.json" <<EOF
{"token": "$TOKEN", "repositories": {
 "$P/ok": {"grant": true},
 "$P/ok2": {"grant": true},
 "$P/no": {"grant": false},
 "$P/other": {"permissions": ["artifactregistry.repositories.get"]},
 "projects/p/locations/us/repositories/gcr.io": {"grant": true},
 "projects/example.com:p/locations/us-central1/repositories/ok": {"grant": true},
 "$P/off": {"reason": "SERVICE_DISABLED"},
 "$P/expired": {"reason": "ACCESS_TOKEN_EXPIRED"},
 "$P/quota": {"reason": "USER_PROJECT_DENIED"},
 "$P/busy": {"fail_times": 2, "grant": true},
 "$P/down": {"fail_times": 100, "fail_status": 500},
 "$P/slow": {"delay": 30, "grant": true}}}
EOF
start_https_fake ar artifactregistry fakegoog.py \
	--scenario "$T/scenario.json" --log "$T/ar.jsonl"
export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN"
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud"
export GCLOUD_RUN_DEPLOY_TIMEOUT=10
IMG=us-central1-docker.pkg.dev/p

requests() { log_lines "$T/ar.jsonl"; }

n0=$(requests)
run_report "$SHIM" svc --image "$IMG/ok/app:1" --region us-central1
expect_rc "granted: exit 0" 0
ran "granted: gcloud ran"
grep_not "granted: quiet on stderr" "$T/err" "."
if [ "$(requests)" -eq $((n0 + 1)) ] && tail -1 "$T/ar.jsonl" | grep -q '"auth": "ok"' &&
	tail -1 "$T/ar.jsonl" | grep -q "\"path\": \"/v1/$P/ok:testIamPermissions\""; then
	ok "granted: one authenticated request for the repository"
else not_ok "granted: one authenticated request" "$(tail -2 "$T/ar.jsonl")"; fi

# After a real check (TLS, curl), nothing of ours is left open in gcloud.
cat >"$T/bin/gcloud-fds" <<EOF
#!/bin/sh
ls /proc/\$\$/fd >"\$FDS_OUT"
EOF
chmod +x "$T/bin/gcloud-fds"
FDS_OUT="$T/fds-direct" "$T/bin/gcloud-fds" </dev/null >/dev/null 2>&1
FDS_OUT="$T/fds" GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud-fds" "$SHIM" svc \
	--image "$IMG/ok/app:1" </dev/null >/dev/null 2>&1
if cmp -s "$T/fds" "$T/fds-direct"; then
	ok "after a check: no descriptor of ours left open in gcloud"
else
	not_ok "after a check: no descriptor of ours left open in gcloud" \
		"via shim: $(tr '\n' ' ' <"$T/fds")" \
		"direct: $(tr '\n' ' ' <"$T/fds-direct")"
fi

run_report "$SHIM" svc --image "$IMG/no/app:1"
expect_rc "denied: exit 77" 77
not_ran "denied: gcloud did not run"
grep_file "denied: names the image" "$T/err" "cannot read image '$IMG/no/app:1'"
grep_file "denied: names the repository" "$T/err" "$P/no"
grep_file "denied: names the permission" "$T/err" \
	"artifactregistry.repositories.downloadArtifacts"
grep_file "denied: grant command" "$T/err" \
	"gcloud artifacts repositories add-iam-policy-binding no --project=p"
grep_file "denied: grant command location and role" "$T/err" \
	"--location=us-central1 --member=.* --role=roles/artifactregistry.reader"
grep_file "denied: says it may not exist" "$T/err" "does not exist"

run_report "$SHIM" svc --image "$IMG/missing/app:1"
expect_rc "unknown repository ({}): exit 77" 77
run_report "$SHIM" svc --image "$IMG/other/app:1"
expect_rc "another permission listed: denied, 77" 77

n0=$(requests)
run_report "$SHIM" --preflight-format=json svc --container a --image "$IMG/ok/a:1" \
	--container b --image "$IMG/no/b:1" --container c --image "$IMG/ok/c@sha256:$(printf '%064d' 0)" \
	--container d --image nginx:1
expect_rc "mixed sidecars: exit 77" 77
not_ran "mixed sidecars: gcloud did not run"
json "mixed: decision blocked" 'd["decision"] == "blocked"'
json "mixed: per-container results" \
	'[(i["container"], i["result"]) for i in d["images"]] == [("a","granted"),("b","denied"),("c","granted"),("d","skipped")]'
json "mixed: kinds and repositories" \
	'[i["kind"] for i in d["images"]] == ["artifact-registry"]*3 + ["other"] and d["images"][3]["repository"] is None and d["images"][0]["repository"] == "'"$P"'/ok"'
json "mixed: reference parts as written" \
	'd["images"][2]["reference"] == {"domain": "us-central1-docker.pkg.dev", "path": "p/ok/c", "tag": None, "digest": "sha256:" + "0"*64}'
if [ "$(requests)" -eq $((n0 + 2)) ]; then ok "mixed: one request per distinct repository"
else not_ok "mixed: one request per distinct repository" "$(($(requests) - n0)) requests"; fi

run_report "$SHIM" svc --image gcr.io/p/app:1
expect_rc "gcr.io image: checked in the gcr.io repository" 0
run_report "$SHIM" svc --image us-central1-docker.pkg.dev/example.com/p/ok/app
expect_rc "domain-scoped project: checked" 0

run_report "$SHIM" --preflight=warn svc --image "$IMG/no/app:1"
expect_rc "warn: exit is gcloud's" 0
ran "warn: gcloud ran despite the denial"
grep_file "warn: says WARNING" "$T/err" "WARNING"

run_report "$SHIM" --preflight=only svc --image "$IMG/ok/app:1"
expect_rc "only, granted: exit 0" 0
not_ran "only: gcloud never runs"
grep_file "only: report on stdout" "$T/out" "granted"
run env GCLOUD_RUN_DEPLOY_PREFLIGHT=only "$SHIM" svc --image "$IMG/no/app:1"
expect_rc "only via environment, denied: 77" 77

run_report "$SHIM" svc --image "$IMG/off/app:1"
expect_rc "SERVICE_DISABLED: exit 69" 69
not_ran "SERVICE_DISABLED: gcloud did not run"
grep_file "SERVICE_DISABLED: named" "$T/err" "SERVICE_DISABLED"
grep_file "SERVICE_DISABLED: enabling command" "$T/err" \
	"gcloud services enable artifactregistry.googleapis.com --project=p"
run_report "$SHIM" svc --image "$IMG/expired/app:1"
expect_rc "ACCESS_TOKEN_EXPIRED: exit 69" 69
grep_file "ACCESS_TOKEN_EXPIRED: how to log in" "$T/err" "gcloud auth login"
run_report "$SHIM" svc --image "$IMG/quota/app:1"
expect_rc "USER_PROJECT_DENIED: exit 69" 69
grep_file "USER_PROJECT_DENIED: named" "$T/err" "quota project"
run_report "$SHIM" --preflight=warn svc --image "$IMG/off/app:1"
expect_rc "warn with a failed check: gcloud runs" 0
ran "warn with a failed check: gcloud ran"

run_report "$SHIM" svc --image "$IMG/busy/app:1"
expect_rc "503 twice, then granted: exit 0" 0
start=$(date +%s)
run env GCLOUD_RUN_DEPLOY_TIMEOUT=3 "$SHIM" svc --image "$IMG/down/app:1"
el=$(($(date +%s) - start))
expect_rc "500 always: exit 69" 69
[ $el -le 5 ] && ok "500 always: gave up within the deadline (${el}s)" ||
	not_ok "500 always: gave up within the deadline" "${el}s"
start=$(date +%s)
run env GCLOUD_RUN_DEPLOY_TIMEOUT=2 "$SHIM" svc --image "$IMG/slow/app:1"
el=$(($(date +%s) - start))
expect_rc "slow server: exit 69" 69
not_ran "slow server: gcloud did not run"
[ $el -le 4 ] && ok "slow server: stopped at the deadline (${el}s)" ||
	not_ok "slow server: stopped at the deadline" "${el}s"

n0=$(requests)
for bad in "$IMG/ok/../x" "$IMG/ok/a%2Fb" "$IMG/ok/a?x" "$IMG/ok/a#x" \
	"$IMG/ok/a b" "$IMG/OK/app" "$IMG/ok/app@sha256:123" \
	"$(printf '%s/ok/a\001' "$IMG")"; do
	run_report "$SHIM" svc --image "$bad"
	expect_rc "invalid reference refused (65): $(printf '%s' "$bad" | tr -c '[:print:]' '?')" 65
done
grep_file "invalid reference: says why" "$T/err" "invalid image reference"
not_ran "invalid references: gcloud did not run"
[ "$(requests)" -eq "$n0" ] && ok "invalid references: no request sent" ||
	not_ok "invalid references: no request sent"

n0=$(requests)
run_report "$SHIM" --preflight=plan --preflight-format=json svc --image "$IMG/no/app:1" \
	--container x
expect_rc "plan: exit 0" 0
not_ran "plan: gcloud did not run"
[ "$(requests)" -eq "$n0" ] && ok "plan: no request" || not_ok "plan: no request"
json "plan: decision planned, result planned" \
	'd["decision"] == "planned" and d["images"][0]["result"] == "planned" and d["command"] == "run deploy"'
json "plan: exactly the public fields" \
	'set(d) >= {"command","principal","decision","images"} and set(d["images"][0]) == {"image","container","kind","reference","repository","result","detail"}'
run_report "$SHIM" --preflight=plan svc --image nginx
expect_rc "plan, text: exit 0" 0
grep_file "plan, text: lists the image" "$T/out" "skipped +nginx"

n0=$(requests)
run_report "$SHIM" --billing-project=bp svc --image "$IMG/ok/app:1"
tail -1 "$T/ar.jsonl" | grep -q '"user_project": "bp"' &&
	ok "--billing-project: X-Goog-User-Project sent" ||
	not_ok "--billing-project: X-Goog-User-Project sent" "$(tail -1 "$T/ar.jsonl")"
run_report "$SHIM" svc --image "$IMG/ok/app:1" --project=p
tail -1 "$T/ar.jsonl" | grep -q '"user_project": null' &&
	ok "access token, default quota project: no header" ||
	not_ok "access token, default quota project: no header" "$(tail -1 "$T/ar.jsonl")"

run env CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY=http://example.com/ "$SHIM" svc --image "$IMG/ok/app:1"
expect_rc "http:// to a non-loopback host refused: 69" 69
grep_file "http:// refused: says loopback" "$T/err" "loopback"
run env CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE= "$SHIM" svc --image "$IMG/ok/app:1"
expect_rc "TLS always verified: the test CA is not trusted by default" 69

# Stored credentials: gcloud (here the recorder) mints the token.
unset CLOUDSDK_AUTH_ACCESS_TOKEN
run env FAKE_TOKEN=$TOKEN FAKE_ACCOUNT=alice@example.com "$SHIM" --account=alice@example.com svc --image "$IMG/no/app:1"
expect_rc "config-helper token: denial, 77" 77
grep_file "config-helper: the principal is the account" "$T/err" \
	"user:alice@example.com cannot read"
grep_file "config-helper: grant command names the member" "$T/err" \
	"--member=user:alice@example.com"
tr '\0' '\n' <"$T/helper-argv" >"$T/helper-argv.txt"
grep_file "config-helper: got the --account flag" "$T/helper-argv.txt" \
	"^--account=alice@example.com$"
grep_not "config-helper: no token on its argv" "$T/helper-argv.txt" "$TOKEN"
run env FAKE_TOKEN=$TOKEN FAKE_ACCOUNT=sa@p.iam.gserviceaccount.com \
	"$SHIM" --credential-file-override="$T/sa.json" svc \
	--image "$IMG/ok/app:1"
tr '\0' '\n' <"$T/helper-argv" >"$T/helper-argv.txt"
grep_file "config-helper: got --credential-file-override too" \
	"$T/helper-argv.txt" "^--credential-file-override=$T/sa.json$"

run env FAKE_TOKEN=$TOKEN FAKE_ACCOUNT=ci@p.iam.gserviceaccount.com "$SHIM" svc --image "$IMG/no/app:1"
grep_file "service account principal: serviceAccount: member" "$T/err" \
	"--member=serviceAccount:ci@p.iam.gserviceaccount.com"
run env FAKE_HELPER_FAIL="You do not currently have an active account selected." "$SHIM" svc --image "$IMG/ok/app:1"
expect_rc "no credentials: exit 69" 69
not_ran "no credentials: gcloud did not run"
export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN"

# The token never shows: not in any output of this script.
run env GCLOUD_RUN_DEPLOY_VERBOSE=1 "$SHIM" svc --image "$IMG/no/app:1"
if grep -rqa "$TOKEN" "$T/all-output" "$T/ar.jsonl" "$T/argv" 2>/dev/null; then
	not_ok "the token appears in no output, log or argv"
else ok "the token appears in no output, log or argv"; fi

schema_check
done_testing
