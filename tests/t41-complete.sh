#!/bin/sh
# t41-complete.sh - no silent pass (issue 11, "Completeness, explicit"):
# every image of the new revision is in the report as granted, denied,
# skipped or unchecked (with why), text and JSON alike.  What makes kept
# images unchecked: no region where gcloud would ask for it at its prompt,
# no project where gcloud may still find one on the metadata server, a
# read of the deployed service that failed in warn mode, a service name
# the parser is not sure of (preflight_doubt).  enforce warns and hands
# over, warn hands over, only exits 69; plan says kept images are not
# listed.  Terminal cases run on a real pseudo-terminal (script(1)); the
# last cases run the real gcloud.
# tests/run: light
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { skip "python3 missing: no fake"; done_testing; exit 0; }
make_ca
make_recorder
TOKEN=ya29.test-secret-token-1618033988
R=us-central1-docker.pkg.dev/p
P=projects/p/locations/us-central1/repositories
cat >"$T/scenario.json" <<EOF2
{"token": "$TOKEN", "repositories": {
 "$P/ok": {"grant": true}, "$P/no": {"grant": false}}}
EOF2
cat >"$T/seed.json" <<EOF2
{"services": [
 {"project": "p", "region": "us-central1", "name": "multi",
  "containers": [
   {"name": "side", "image": "$R/no/side:1"},
   {"name": "app", "image": "$R/ok/app:1", "ports": [{"containerPort": 8080}]},
   {"name": "hub", "image": "docker.io/library/nginx:1"}]},
 {"project": "p", "region": "us-central1", "name": "secret",
  "image": "$R/ok/app:1", "v2_error": 403}]}
EOF2
start_fake ar fakegoog.py --cert "$T/ca/server.pem" --key "$T/ca/server.key" \
	--scenario "$T/scenario.json" --log "$T/ar.jsonl"
start_fake run fakerun.py --log "$T/run.jsonl" --token "$TOKEN" \
	--seed "$T/seed.json"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="https://127.0.0.1:$PORT_ar/"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://127.0.0.1:$PORT_run/"
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca/ca.pem"
export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" CLOUDSDK_CORE_PROJECT=p
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" GCLOUD_RUN_DEPLOY_TIMEOUT=10

reads() {
	_n=$(grep -c '"path": "/v2/' "$T/run.jsonl" 2>/dev/null) || :
	echo "${_n:-0}"
}
asks() { log_lines "$T/ar.jsonl"; }
# tty CMD: run the shell command CMD on a pseudo-terminal (stdin and
# stderr are terminals, so gcloud could prompt); what the terminal showed
# is in $T/out, the exit status in $rc.  Prompts are on unless CMD says.
tty() {
	rm -f "$T/ran"
	set +e
	env -u CLOUDSDK_CORE_DISABLE_PROMPTS script -qec "$1" /dev/null \
		</dev/null >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	tr -d '\r' <"$T/out" >"$T/tty"
	cat "$T/out" "$T/err" >>"$T/all-output"
}
# jsonf NAME FILE EXPR: as json, on FILE.
jsonf() { cp "$2" "$T/out"; json "$1" "$3"; }
# jsonw NAME EXPR: as json, on the report of a mode that runs gcloud,
# wherever it went (stdout or stderr): the line that is a JSON object.
jsonw() {
	grep -h '^{' "$T/out" "$T/err" | head -1 >"$T/w.json" || :
	jsonf "$1" "$T/w.json" "$2"
}
UNCH='[i for i in d["images"] if i["result"] == "unchecked"]'

# ------------------------------------------------ no region, a terminal
n0=$(reads) a0=$(asks)
tty "$SHIM multi --image $R/ok/app:2"
expect_rc "no region, terminal, enforce: warned, then gcloud runs" 0
ran "no region, terminal, enforce: gcloud ran"
grep_file "no region: a warning names the service and the way out" "$T/tty" \
	"WARNING: \(gcloud-run-deploy\) not every image was checked: no region \(gcloud asks for it at its prompt\): the images service 'multi' keeps were not read; pass --region or set run/region"
[ "$(reads)" -eq "$n0" ] && ok "no region: the deployed service is not read" ||
	not_ok "no region: the deployed service is not read"
[ "$(asks)" -eq $((a0 + 1)) ] && ok "no region: the named image is still checked" ||
	not_ok "no region: the named image is still checked" "$(asks) vs $a0"

tty "$SHIM multi --image $R/ok/app:2 --preflight=only --preflight-format=json >$T/only.json"
expect_rc "no region, terminal, only: not a pass, 69" 69
not_ran "no region, only: gcloud did not run"
jsonf "no region, only: decision error, named image granted, kept images unchecked" \
	"$T/only.json" \
	'd["decision"] == "error" and [(i["image"], i["result"]) for i in d["images"]] == [("'"$R"'/ok/app:2", "granted"), (None, "unchecked")]'
jsonf "no region, only: the unchecked entry says why (region, service, way out)" \
	"$T/only.json" \
	'all("no region" in i["detail"] and "multi" in i["detail"] and "--region" in i["detail"] and i["kind"] is None and i["repository"] is None for i in '"$UNCH"')'
detail=$(python3 -c 'import json,sys; print([i for i in json.load(open(sys.argv[1]))["images"] if i["result"] == "unchecked"][0]["detail"])' "$T/only.json" 2>/dev/null) || detail=
[ -n "$detail" ] && grep -qF -- "$detail" "$T/tty" && ok "no region, only: the text says what the JSON says" ||
	not_ok "no region, only: the text says what the JSON says" "$detail" "$(cat "$T/tty")"
grep_file "no region, only: an error, not a warning" "$T/tty" \
	"^ERROR: \(gcloud-run-deploy\) not every image was checked: no region"

tty "$SHIM multi --image $R/ok/app:2 --preflight=warn"
expect_rc "no region, terminal, warn: gcloud runs" 0
ran "no region, warn: gcloud ran"

tty "$SHIM multi --image $R/ok/app:2 --preflight=only --preflight-format=text >$T/sum.txt"
grep_file "no region, only, text summary: the unchecked line" "$T/sum.txt" \
	"^  unchecked no region"

# Prompts off (CI, --quiet in the environment): gcloud cannot ask, it
# stops for want of a region and deploys nothing: nothing goes unchecked.
tty "CLOUDSDK_CORE_DISABLE_PROMPTS=1 $SHIM multi --image $R/ok/app:2 --preflight=only"
expect_rc "no region, prompts off: gcloud would stop, the check passes" 0
grep_not "no region, prompts off: no unchecked warning" "$T/tty" "not every image"
run "$SHIM" multi --image "$R/ok/app:2" --preflight=only --preflight-format=json
expect_rc "no region, no terminal: the check passes" 0
json "no region, no terminal: no unchecked entry" "$UNCH == []"

# ------------------------------------------------ no project
# gcloud takes core/project from the metadata server when it is set
# nowhere; the shim asks it the same way (metadata.h).  Here the server
# refuses the connection: gcloud finds no project and deploys nothing, so
# nothing goes unchecked.
META="env -u CLOUDSDK_CORE_PROJECT CLOUDSDK_CORE_CHECK_GCE_METADATA=true"
n0=$(reads)
run $META "$SHIM" multi --image "$R/ok/app:2" --region us-central1 \
	--preflight=only --preflight-format=json
expect_rc "no project, no metadata server: gcloud would stop, the check passes" 0
json "no project, no metadata server: no unchecked entry" "$UNCH == []"
[ "$(reads)" -eq "$n0" ] && ok "no project: nothing read" || not_ok "no project: nothing read"

# A metadata server that never answers: gcloud, with its own deadline,
# may still find a project there, so the kept images are not covered.
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1]); time.sleep(600)' "$T/hang.port" &
_pids="$_pids $!"
while [ ! -s "$T/hang.port" ]; do sleep 0.05; done
HANG=127.0.0.1:$(cat "$T/hang.port")
META="env -u CLOUDSDK_CORE_PROJECT CLOUDSDK_CORE_CHECK_GCE_METADATA=true GCE_METADATA_ROOT=$HANG GCE_METADATA_HOST=$HANG GCLOUD_RUN_DEPLOY_TIMEOUT=4"
n0=$(reads)
run $META "$SHIM" multi --image "$R/ok/app:2" --region us-central1
expect_rc "no project, metadata unsure, enforce: warned, then gcloud runs" 0
ran "no project, enforce: gcloud ran"
grep_file "no project: the warning names the service and the way out" "$T/err" \
	"not every image was checked: no project: the images service 'multi' keeps were not read; pass --project or set core/project"
[ "$(reads)" -eq "$n0" ] && ok "no project, unsure: nothing read" || not_ok "no project, unsure: nothing read"
run $META "$SHIM" multi --image "$R/ok/app:2" --region us-central1 \
	--preflight=only --preflight-format=json
expect_rc "no project, only: 69" 69
json "no project, only: kept images unchecked, named image granted" \
	'[i["result"] for i in d["images"]] == ["granted", "unchecked"] and "project" in d["images"][1]["detail"]'
json "no project, only: the error says unchecked, and why" \
	'd["error"]["cause"] == "unchecked" and d["error"]["message"] == d["images"][1]["detail"]'
run $META "$SHIM" multi --image "$R/ok/app:2" --region us-central1 \
	--preflight=warn --preflight-format=json
expect_rc "no project, warn: gcloud runs" 0
jsonw "no project, warn: the JSON report has the unchecked entry" \
	'[i["result"] for i in d["images"]] == ["granted", "unchecked"] and d["decision"] == "deploy"'

# ------------------------------------------------ read failed
n0=$(reads)
run "$SHIM" secret --image "$R/ok/app:2" --region us-central1
expect_rc "read failed (403), enforce: stops, 69" 69
# the "nothing read" cases above mean something: a read shows in reads()
[ "$(reads)" -gt "$n0" ] && ok "read failed: the read is seen in the fake's log" ||
	not_ok "read failed: the read is seen in the fake's log"
not_ran "read failed, enforce: gcloud did not run"
run "$SHIM" secret --image "$R/ok/app:2" --region us-central1 \
	--preflight=warn
expect_rc "read failed (403), warn: gcloud runs" 0
expect_rc "read failed (403), warn: gcloud runs" 0
ran "read failed, warn: gcloud ran"
grep_file "read failed, warn: a warning says what was not checked and why" "$T/err" \
	"WARNING: \(gcloud-run-deploy\) not every image was checked: Cloud Run refused to show service 'secret' \(HTTP 403"
run "$SHIM" secret --image "$R/ok/app:2" --region us-central1 \
	--preflight=warn --preflight-format=json
jsonw "read failed, warn: named image granted, kept images unchecked with the HTTP status" \
	'[(i["image"], i["result"]) for i in d["images"]] == [("'"$R"'/ok/app:2", "granted"), (None, "unchecked")] and "HTTP 403" in d["images"][1]["detail"]'

# ------------------------------------------------ the service name in doubt
if [ -x "$B/preflight-doubt" ]; then
	WHY="--future-flag is not a flag of gcloud 528 and may take 'multi' as its value"
	n0=$(reads)
	run "$B/preflight-doubt" "$WHY" multi --future-flag multi \
		--image "$R/ok/app:2" --region us-central1
	expect_rc "service in doubt, enforce: warned, hand-over" 0
	grep_file "service in doubt: hand-over" "$T/out" "^handover$"
	grep_file "service in doubt: the warning says why" "$T/err" \
		"not every image was checked: the service name is not certain \(--future-flag is not a flag"
	[ "$(reads)" -eq "$n0" ] && ok "service in doubt: the deployed service is not read" ||
		not_ok "service in doubt: the deployed service is not read"
	run "$B/preflight-doubt" "$WHY" multi --image "$R/ok/app:2" \
		--region us-central1 --preflight=only --preflight-format=json
	expect_rc "service in doubt, only: 69" 69
	json "service in doubt, only: named image granted, kept images unchecked" \
		'[i["result"] for i in d["images"]] == ["granted", "unchecked"] and "not certain" in d["images"][1]["detail"]'
else
	skip "service in doubt: $B/preflight-doubt not built (make unit)"
fi

# ------------------------------------------------ plan
n0=$(reads) a0=$(asks)
run "$SHIM" multi --image "$R/ok/app:2" --region us-central1 \
	--preflight=plan --preflight-format=json
expect_rc "plan: exit 0" 0
json "plan: says the kept images are not listed, and why" \
	'"not listed" in d["note"] and "reads nothing over the network" in d["note"]'
[ "$(reads)" -eq "$n0" ] && [ "$(asks)" -eq "$a0" ] &&
	ok "plan: nothing asked over the network" ||
	not_ok "plan: nothing asked over the network"

# ------------------------------------------------ covered: every image
run "$SHIM" multi --image "$R/ok/app:2" --region us-central1 \
	--preflight=only --preflight-format=json
expect_rc "region and project known: the kept sidecar is denied, 77" 77
json "every image of the new revision is in the report, skipped with why" \
	'sorted((str(i["container"]), i["result"]) for i in d["images"]) == [("None", "granted"), ("hub", "skipped"), ("side", "denied")] and all(i["detail"] for i in d["images"] if i["result"] == "skipped")'

# ------------------------------------------------ the real gcloud
if ! have_gcloud; then
	skip "real gcloud: /usr/bin/gcloud is not installed: no end-to-end case"
else
	FIX=$TOP/tests/fixtures/e2e
	SCEN=$FIX/ar-scenario.json
	ETOKEN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$SCEN")
	printf '%s\n' "$ETOKEN" >"$T/etoken"
	chmod 600 "$T/etoken"
	start_fake erun fakerun.py --log "$T/erun.jsonl" \
		--project-number 123456789012 --token "$ETOKEN" \
		--seed "$FIX/run-seed.json"
	start_fake egoog fakegoog.py --cert "$T/ca/server.pem" \
		--key "$T/ca/server.key" --scenario "$SCEN" --log "$T/egoog.jsonl"
	E="env -u CLOUDSDK_AUTH_ACCESS_TOKEN
	    CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN=http://run.localhost:$PORT_erun/
	    CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY=https://127.0.0.1:$PORT_egoog/
	    CLOUDSDK_PROXY_TYPE=http CLOUDSDK_PROXY_ADDRESS=127.0.0.1
	    CLOUDSDK_PROXY_PORT=$PORT_erun
	    CLOUDSDK_CORE_SHOULD_PROMPT_TO_ENABLE_API=false
	    CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=$T/etoken
	    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true
	    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true
	    CLOUDSDK_CORE_ENABLE_FEATURE_FLAGS=false
	    CLOUDSDK_SURVEY_DISABLE_PROMPTS=true
	    GCLOUD_RUN_DEPLOY_GCLOUD=/usr/bin/gcloud"
	# shellcheck disable=SC2086
	E=$(echo $E)
	IMG_OK=$R/r/img:1
	changes() {
		grep -Ec '"method": "(POST|PUT|PATCH)"' "$T/erun.jsonl" || :
	}
	prompted() {
		grep -c '"path": "/v1/projects/p/locations"' "$T/erun.jsonl" || :
	}
	# With a terminal: the shim says the kept images are unchecked, and
	# gcloud then asks for the region (its prompt lists the regions: the
	# GET of projects/p/locations), which the shim could not know.
	tty "timeout 120 $E $SHIM existing --image=$IMG_OK"
	grep_file "real gcloud, terminal, no region: the shim's warning first" "$T/tty" \
		"WARNING: \(gcloud-run-deploy\) not every image was checked: no region \(gcloud asks for it at its prompt\): the images service 'existing' keeps were not read"
	[ "$(prompted)" -ge 1 ] &&
		ok "real gcloud, terminal, no region: gcloud went on to ask for the region" ||
		not_ok "real gcloud, terminal, no region: gcloud went on to ask for the region" "$(cut -c1-200 "$T/erun.jsonl")"
	# Without one (CI): gcloud stops for want of a region and deploys
	# nothing, so nothing was left unchecked.
	: >"$T/erun.jsonl"
	# shellcheck disable=SC2086
	run timeout 120 $E "$SHIM" existing --image="$IMG_OK"
	grep_file "real gcloud, no terminal, no region: gcloud refuses" "$T/err" \
		"You must specify a region"
	grep_not "real gcloud, no terminal: no unchecked warning" "$T/err" \
		"not every image"
	[ "$(prompted)" -eq 0 ] && [ "$(changes)" -eq 0 ] &&
		ok "real gcloud, no terminal: no prompt, nothing deployed" ||
		not_ok "real gcloud, no terminal: no prompt, nothing deployed" "$(cut -c1-200 "$T/erun.jsonl")"
fi

if grep -rqa "$TOKEN" "$T/all-output" "$T/run.jsonl" "$T/ar.jsonl" 2>/dev/null; then
	not_ok "the token appears in no output or log"
else ok "the token appears in no output or log"; fi

done_testing
