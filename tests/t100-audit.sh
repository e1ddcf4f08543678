#!/bin/sh
# The audit mode end to end: the built shim against a loopback HTTPS fake
# of Cloud Logging's entries:list (tests/fake/fakelogging.py, test CA).
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { skip "python3 missing: no fake"; done_testing; exit 0; }
make_ca
make_recorder
TOKEN=ya29.audit-secret-token-2718281828
SA=deployer@p.iam.gserviceaccount.com
H64=$(printf '%064d' 7)
write() { cat >"$T/scenario.json.tmp"; mv "$T/scenario.json.tmp" "$T/scenario.json"; }
write <<EOF
{"token": "$TOKEN", "project": "p", "max_page": 2, "entries": [
 {"principal": "alice@example.com", "image": "us-central1-docker.pkg.dev/p/apps/api:1", "service": "api", "age": 600},
 {"principal": "alice@example.com", "image": "us-central1-docker.pkg.dev/p/apps/api:1", "service": "worker", "age": 7200},
 {"principal": "alice@example.com", "image": "us-central1-docker.pkg.dev/p/apps/api:1", "service": "api", "age": 259200},
 {"principal": "$SA", "image": "europe-west1-docker.pkg.dev/p/web/site@sha256:$H64", "service": "site", "region": "europe-west1", "age": 1800, "code": 403},
 {"principal": "bob@example.com", "image": "gcr.io/p/legacy:2", "service": "legacy", "age": 864000, "method": "google.cloud.run.v2.Services.UpdateService", "no_labels": true},
 {"principal": null, "message": "Cloud Run API check failed. User does not have access to image 'us-docker.pkg.dev/p/r/x:1'.", "service": "x", "age": 1728000},
 {"principal": "carol@example.com", "image": "us-docker.pkg.dev/p/r/old:1", "age": 3456000},
 {"principal": "carol@example.com", "image": "us-docker.pkg.dev/p/r/warn:1", "severity": "WARNING", "age": 60},
 {"principal": "carol@example.com", "image": "us-docker.pkg.dev/p/r/job:1", "type": "cloud_run_job", "age": 60}]}
EOF
start_https_fake lg logging fakelogging.py \
	--scenario "$T/scenario.json" --log "$T/lg.jsonl"
export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN"
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud"
export GCLOUD_RUN_DEPLOY_TIMEOUT=20

# logged NAME EXPR: a Python expression over r, the fake's requests since
# the last mark (a list of its log records).
mark() { log_mark "$T/lg.jsonl"; }
logged() {
	if pyrun -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1]).readlines()[int(sys.argv[2]):]]; sys.exit(0 if eval(sys.argv[3]) else 1)' \
		"$T/lg.jsonl" "$n0" "$2" 2>"$T/pyerr"; then ok "$1"; else
		not_ok "$1" "false: $2" "$(tail -n +$((n0 + 1)) "$T/lg.jsonl" | head -c 1200)" "$(tail -1 "$T/pyerr")"
	fi
}

FILTER='resource.type="cloud_run_revision" AND severity=ERROR AND "User does not have access to image" AND timestamp>="'
APPS=projects/p/locations/us-central1/repositories/apps
GRANT_A="gcloud artifacts repositories add-iam-policy-binding apps --project=p --location=us-central1 --member=user:alice@example.com --role=roles/artifactregistry.reader"

# --- found, three pages, JSON ---
mark
run "$SHIM" --preflight=audit --project=p --preflight-format=json
expect_rc "found: exit 77" 77
not_ran "audit: gcloud never runs"
json "found: command, project, freshness, decision" \
	'(d["command"], d["project"], d["freshness"], d["decision"]) == ("audit", "p", "30d", "found")'
json "found: 6 entries in 3 pages, complete" \
	'(d["entries_read"], d["pages"], d["complete"], d["error"]) == (6, 3, True, None)'
json "found: groups newest first, by principal" \
	'[g["principal"] for g in d["groups"]] == ["user:alice@example.com", "serviceAccount:'"$SA"'", "user:bob@example.com", None]'
json "found: one group per (principal, image), counted" \
	'[g["count"] for g in d["groups"]] == [3, 1, 1, 1]'
json "found: images as logged" \
	'[g["image"] for g in d["groups"]] == ["us-central1-docker.pkg.dev/p/apps/api:1", "europe-west1-docker.pkg.dev/p/web/site@sha256:'"$H64"'", "gcr.io/p/legacy:2", "us-docker.pkg.dev/p/r/x:1"]'
json "found: repositories from the image" \
	'[g["repository"] for g in d["groups"]] == ["'"$APPS"'", "projects/p/locations/europe-west1/repositories/web", "projects/p/locations/us/repositories/gcr.io", "projects/p/locations/us/repositories/r"]'
json "found: services and regions of a group, newest first" \
	'd["groups"][0]["services"] == [{"name": "api", "region": "us-central1"}, {"name": "worker", "region": "us-central1"}]'
json "found: service and region from resourceName without labels" \
	'd["groups"][2]["services"] == [{"name": "legacy", "region": "us-central1"}]'
json "found: grant command, as for a denial" \
	'd["groups"][0]["grant"] == "'"$GRANT_A"'"'
json "found: service account member" \
	'"--location=europe-west1 --member=serviceAccount:'"$SA"' " in d["groups"][1]["grant"]'
json "found: unknown principal: MEMBER" \
	'"--member=MEMBER " in d["groups"][3]["grant"] and "add-iam-policy-binding r --project=p --location=us " in d["groups"][3]["grant"]'
json "found: latest is the newest entry of the group" \
	'__import__("time").time() - __import__("datetime").datetime.fromisoformat(d["groups"][0]["latest"].replace("Z", "+00:00")).timestamp() < 660'
json "found: the old, warning and job entries are not there" \
	'not any("carol" in str(g["principal"]) for g in d["groups"])'
logged "found: three requests, the first without a page token" \
	'len(r) == 3 and r[0]["pageToken"] is None and all(x["pageToken"] for x in r[1:])'
logged "found: the notice's filter with a 30-day bound" \
	'all(x["filter"].startswith('"'$FILTER'"') and abs(x["since_age"] - 30 * 86400) < 120 for x in r)'
logged "found: resourceNames, orderBy, pageSize" \
	'all(x["resourceNames"] == ["projects/p"] and x["orderBy"] == "timestamp desc" and x["pageSize"] == 100 for x in r)'
logged "found: authenticated, answered 200" \
	'all(x["auth"] == "ok" and x["status"] == 200 and x["path"] == "/v2/entries:list" for x in r)'

# --- the same in text ---
run "$SHIM" --preflight=audit --project=p
expect_rc "text: exit 77" 77
grep_file "text: who cannot read what" "$T/out" \
	"^user:alice@example.com cannot read image 'us-central1-docker.pkg.dev/p/apps/api:1'$"
grep_file "text: repository" "$T/out" "^  repository: $APPS$"
grep_file "text: count" "$T/out" "^  3 errors, latest 20[0-9-]+T"
grep_file "text: services" "$T/out" "^  services: api \\(us-central1\\), worker \\(us-central1\\)$"
grep_file "text: grant command, first line" "$T/out" \
	'^  gcloud artifacts repositories add-iam-policy-binding apps --project=p \\$'
grep_file "text: grant command, second line" "$T/out" \
	"^    --location=us-central1 --member=user:alice@example.com --role=roles/artifactregistry.reader$"
grep_file "text: entries and pages" "$T/out" "^6 entries read in 3 pages$"
grep_not "text: nothing on stderr" "$T/err" "."

# --- --freshness, from the environment too ---
mark
GCLOUD_RUN_DEPLOY_PREFLIGHT=audit run "$SHIM" --project=p --freshness=2d \
	--preflight-format=json
expect_rc "freshness 2d (mode from the environment): exit 77" 77
json "freshness 2d: only the newer entries" \
	'(d["freshness"], d["entries_read"], len(d["groups"])) == ("2d", 3, 2)'
logged "freshness 2d: the bound sent is 2 days back" \
	'abs(r[0]["since_age"] - 2 * 86400) < 120'
mark
run "$SHIM" --preflight=audit --project=p --freshness=1h30m --preflight-format=json
json "freshness 1h30m: the newest entries only" '[g["count"] for g in d["groups"]] == [1, 1]'
logged "freshness 1h30m: 5400 s" 'abs(r[0]["since_age"] - 5400) < 120'

for bad in 30x 0d 401d d 30d- 1.5d ""; do
	mark
	run "$SHIM" --preflight=audit --project=p "--freshness=$bad"
	expect_rc "bad --freshness='$bad': exit 64" 64
	logged "bad --freshness='$bad': nothing sent" 'len(r) == 0'
done
grep_file "bad --freshness: says what it wants" "$T/err" "freshness"
run "$SHIM" --preflight=audit
expect_rc "no project: exit 64" 64
grep_file "no project: says so" "$T/err" "no project"
run "$SHIM" --preflight=audit '--project=p;x'
expect_rc "a project that is not an ID: exit 64" 64

# --freshness is gcloud's own flag outside audit mode: forwarded untouched.
run "$SHIM" --preflight=off svc --image=x --freshness=1d
ran "not audit: gcloud runs"
if tr '\0' '\n' <"$T/argv" | grep -qx -- "--freshness=1d"; then
	ok "not audit: --freshness forwarded"
else not_ok "not audit: --freshness forwarded" "$(tr '\0' ' ' <"$T/argv")"; fi
run "$SHIM" --preflight=audit --preflight=off svc --image=x --freshness=1d
ran "a later --preflight wins: not audit"

# --- clean ---
write <<EOF
{"token": "$TOKEN", "project": "p", "entries": [
 {"principal": "carol@example.com", "image": "us-docker.pkg.dev/p/r/old:1", "age": 3456000}]}
EOF
mark
run "$SHIM" --preflight=audit --project=p --preflight-format=json
expect_rc "clean: exit 0" 0
json "clean: decision and counts" \
	'(d["decision"], d["groups"], d["entries_read"], d["pages"], d["complete"]) == ("clean", [], 0, 1, True)'
run "$SHIM" --preflight=audit --project=p
expect_rc "clean, text: exit 0" 0
grep_file "clean, text: says so" "$T/out" "^No matching log entries"
grep_not "clean, text: claims only what the logs show" "$T/out" "every deploy"

# --- pages without entries, then entries; a quota project ---
write <<EOF
{"token": "$TOKEN", "project": "p", "empty_pages": 2, "entries": [
 {"principal": "alice@example.com", "image": "us-central1-docker.pkg.dev/p/apps/api:1", "age": 60}]}
EOF
mark
run "$SHIM" --preflight=audit --project=p --billing-project=quota-p --preflight-format=json
expect_rc "empty pages first: exit 77" 77
json "empty pages first: counted, entry found" '(d["pages"], d["entries_read"]) == (3, 1)'
logged "quota project header as the check sends it" \
	'all(x["user_project"] == "quota-p" for x in r) and len(r) == 3'

# --- a page too large for the body cap: asked again, smaller ---
{
	printf '{"token": "%s", "project": "p", "pad": 12000, "entries": [' "$TOKEN"
	i=0
	while [ $i -lt 100 ]; do
		[ $i -gt 0 ] && printf ','
		printf '{"principal": "u%d@example.com", "image": "us-central1-docker.pkg.dev/p/apps/a:%d", "age": %d}' $((i % 3)) $i $((i + 60))
		i=$((i + 1))
	done
	printf ']}\n'
} | write
mark
run "$SHIM" --preflight=audit --project=p --preflight-format=json
expect_rc "large page: exit 77" 77
json "large page: every entry read" '(d["entries_read"], d["pages"], d["complete"]) == (100, 2, True)'
logged "large page: page size halved" '[x["pageSize"] for x in r] == [100, 50, 50]'

# --- errors ---
write <<EOF
{"token": "$TOKEN", "project": "p", "error": {"status": 403}}
EOF
run "$SHIM" --preflight=audit --project=p --preflight-format=json
expect_rc "403: exit 69" 69
json "403: decision error, with the message" \
	'd["decision"] == "error" and d["complete"] is False and "caller does not have permission" in d["error"]'
grep_file "403: the role it needs" "$T/err" "roles/logging.viewer"

write <<EOF
{"token": "$TOKEN", "project": "p", "error": {"reason": "SERVICE_DISABLED"}}
EOF
run "$SHIM" --preflight=audit --project=p
expect_rc "SERVICE_DISABLED: exit 69" 69
grep_file "SERVICE_DISABLED: the enabling command" "$T/err" \
	"gcloud services enable logging.googleapis.com --project=p"
grep_not "SERVICE_DISABLED: not clean" "$T/out" "^No matching log entries"

run "$SHIM" --preflight=audit --project=other
expect_rc "another project (403): exit 69" 69

write <<EOF
{"token": "$TOKEN", "project": "p", "max_page": 1, "error_page": 1, "error": {"status": 500, "message": "backend"},
 "entries": [{"principal": "alice@example.com", "image": "us-central1-docker.pkg.dev/p/apps/api:1", "age": 60},
  {"principal": "bob@example.com", "image": "us-central1-docker.pkg.dev/p/apps/api:1", "age": 120}]}
EOF
mark
run "$SHIM" --preflight=audit --project=p --preflight-format=json
expect_rc "fails after a page with a finding: still 77" 77
json "fails after a page: incomplete, what was found" \
	'(d["decision"], d["complete"], d["pages"], len(d["groups"])) == ("found", False, 1, 1) and "backend" in d["error"]'
logged "fails after a page: 500 retried" 'len(r) == 1 + 4'

write <<EOF
{"token": "$TOKEN", "project": "p", "empty_pages": 1, "error_page": 1, "error": {"status": 500},
 "entries": [{"principal": "alice@example.com", "image": "us-central1-docker.pkg.dev/p/apps/api:1", "age": 999999999}]}
EOF
run "$SHIM" --preflight=audit --project=p --preflight-format=json
json "fails after an empty page: decision error" '(d["decision"], d["groups"]) == ("error", [])'
expect_rc "fails after an empty page: 69, never clean" 69

CLOUDSDK_AUTH_ACCESS_TOKEN=ya29.wrong-token-000000 run "$SHIM" --preflight=audit --project=p
expect_rc "wrong token (401): exit 69" 69
grep_file "401: log in again" "$T/err" "gcloud auth login"

CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING="https://127.0.0.1:9/" run "$SHIM" \
	--preflight=audit --project=p
expect_rc "nothing listening: exit 69" 69

# A Cloud Logging that answers after the deadline: the hint names the
# setting that gives the audit longer, as the check's does.
start_fake slow fakegoog.py --cert "$T/ca/server.pem" \
	--key "$T/ca/server.key" --delay-ms 5000
run env CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING="https://127.0.0.1:$PORT_slow/" \
	GCLOUD_RUN_DEPLOY_TIMEOUT=2 "$SHIM" --preflight=audit --project=p
expect_rc "deadline reached: exit 69" 69
grep_file "deadline reached: the hint names GCLOUD_RUN_DEPLOY_TIMEOUT" "$T/err" \
	"deadline of 2 s; GCLOUD_RUN_DEPLOY_TIMEOUT=SECONDS gives it longer"
# Refused at once, long before the deadline: the network, not the time.
run env CLOUDSDK_API_ENDPOINT_OVERRIDES_LOGGING="https://127.0.0.1:9/" \
	GCLOUD_RUN_DEPLOY_TIMEOUT=2 "$SHIM" --preflight=audit --project=p
if grep -q "GCLOUD_RUN_DEPLOY_TIMEOUT" "$T/err"; then
	not_ok "refused before the deadline: no deadline hint" "$(cat "$T/err")"
else ok "refused before the deadline: no deadline hint"; fi

# --- verbose; invoked as gcloud ---
write <<EOF
{"token": "$TOKEN", "project": "p", "entries": []}
EOF
GCLOUD_RUN_DEPLOY_VERBOSE=1 run "$SHIM" --preflight=audit --project=p
expect_rc "verbose: exit 0" 0
grep_file "verbose: a trace of the request, redacted" "$T/err" \
	"Authorization: Bearer <redacted>"
mkdir -p "$T/wrap"
ln -sf "$SHIM" "$T/wrap/gcloud"
run "$T/wrap/gcloud" --preflight=audit --project=p --preflight-format=json
expect_rc "invoked as gcloud: the same audit" 0
json "invoked as gcloud: clean" 'd["decision"] == "clean"'

# --- the token ---
if grep -rqF "$TOKEN" "$T/all-output" "$T/lg.jsonl" "$T/lg.log"; then
	not_ok "the token appears in no output and no log"
else ok "the token appears in no output and no log"; fi
done_testing
