#!/bin/sh
# t42-roundtrip.sh - one round trip (issue 14, part 1): the read of the
# deployed service (Cloud Run v2) and the testIamPermissions of the named
# images' repositories go out together; a second round asks only about
# kept images in repositories not asked already, and only when there are
# such.  Proved by the fakes' own clocks, not by wall time: with every
# answer delayed by L, an IAM request that arrives before the Cloud Run
# answer left did not wait for it.  Faults and the deadline still hold.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { skip "python3 missing: no fake"; done_testing; exit 0; }
make_ca
make_recorder
TOKEN=ya29.test-secret-token-5772156649
R=us-central1-docker.pkg.dev/p
P=projects/p/locations/us-central1/repositories
{
	printf '{"token": "%s", "repositories": {"%s/ok": {"grant": true}, "%s/no": {"grant": false}, "%s/other": {"grant": true}' \
		"$TOKEN" "$P" "$P" "$P"
	for i in 1 2 3 4 5 6 7 8 9 10; do printf ', "%s/r%d": {"grant": true}' "$P" "$i"; done
	printf '}}\n'
} >"$T/scenario.json"
cat >"$T/seed.json" <<EOF2
{"services": [
 {"project": "p", "region": "us-central1", "name": "same",
  "containers": [
   {"name": "app", "image": "$R/ok/app:1", "ports": [{"containerPort": 8080}]},
   {"name": "side", "image": "$R/ok/side:1"}]},
 {"project": "p", "region": "us-central1", "name": "elsewhere",
  "containers": [
   {"name": "app", "image": "$R/ok/app:1", "ports": [{"containerPort": 8080}]},
   {"name": "side", "image": "$R/other/side:1"},
   {"name": "bad", "image": "$R/no/bad:1"}]},
 {"project": "p", "region": "us-central1", "name": "secret",
  "image": "$R/ok/app:1", "v2_error": 403}]}
EOF2
L=400
start_fake ar fakegoog.py --cert "$T/ca/server.pem" --key "$T/ca/server.key" \
	--scenario "$T/scenario.json" --log "$T/ar.jsonl" --delay-ms $L
start_fake run fakerun.py --log "$T/run.jsonl" --token "$TOKEN" \
	--seed "$T/seed.json" --delay-ms $L
# Ten TLS handshakes to one Python process may take longer than L on a
# busy machine: the ten-repository case reads from a slower Cloud Run.
start_fake run2 fakerun.py --log "$T/run2.jsonl" --token "$TOKEN" \
	--seed "$T/seed.json" --delay-ms 2500
start_fake slow fakerun.py --log "$T/slow.jsonl" --token "$TOKEN" \
	--seed "$T/seed.json" --delay-ms 20000
export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="https://127.0.0.1:$PORT_ar/"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://127.0.0.1:$PORT_run/"
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca/ca.pem"
export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" CLOUDSDK_CORE_PROJECT=p
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" GCLOUD_RUN_DEPLOY_TIMEOUT=10
SIDECARS=
for i in 1 2 3 4 5 6 7 8 9 10; do
	SIDECARS="$SIDECARS --container c$i --image $R/r$i/app:1"
done

# mark: where the next case's lines start in both logs.
RUNLOG=$T/run.jsonl
mark() { log_mark "$T/ar.jsonl"; a0=$n0; log_mark "$RUNLOG"; r0=$n0; }
# timeline: after a case, "READS BEFORE AFTER REPOS": its Cloud Run reads,
# its IAM requests that arrived before the (last) Cloud Run answer was
# sent, those that arrived after it, and the repositories of each, sorted
# ("FIRST|SECOND", "-" for none).
timeline() {
	log_mark "$T/ar.jsonl"
	python3 - "$T/ar.jsonl" "$a0" "$RUNLOG" "$r0" <<'PY'
import datetime, json, sys
ar = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):]]
try:
    run = [json.loads(l) for l in open(sys.argv[3]).read().splitlines()[int(sys.argv[4]):]]
except OSError:
    run = []
run = [r for r in run if str(r.get("path", "")).startswith("/v2/")]
def t(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
answered = max([t(r["time"]) for r in run] or [0])
def repo(r):
    return r["path"].split("/repositories/")[1].split(":")[0]
first = sorted(repo(r) for r in ar if run and r["t_start"] < answered)
second = sorted(repo(r) for r in ar if not (run and r["t_start"] < answered))
print(len(run), len(first), len(second),
      "%s|%s" % (",".join(first) or "-", ",".join(second) or "-"))
PY
}
# is NAME GOT WANT: ok when GOT = WANT.
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1" "got '$2', want '$3'" "stderr: $(head -c 400 "$T/err")"
	fi
}

mark
run "$SHIM" fresh --image "$R/ok/app:2" --region us-central1
expect_rc "new service, one image: granted, 0" 0
is "new service: the IAM request did not wait for the Cloud Run answer" \
	"$(timeline)" "1 1 0 ok|-"

mark
run "$SHIM" same --image "$R/ok/app:2" --region us-central1
expect_rc "existing service, sidecar in the same repository: 0" 0
is "same repository: one round, no second request for the kept sidecar" \
	"$(timeline)" "1 1 0 ok|-"

mark
run "$SHIM" elsewhere --image "$R/ok/app:2" --region us-central1 \
	--preflight=only --preflight-format=json
expect_rc "kept sidecars in other repositories: the denied one blocks, 77" 77
is "other repositories: a second round for those only, after the read" \
	"$(timeline)" "1 1 2 ok|no,other"
json "other repositories: every image has its own answer" \
	'sorted((str(i["container"]), i["result"]) for i in d["images"]) == [("None", "granted"), ("bad", "denied"), ("side", "granted")]'

RUNLOG=$T/run2.jsonl
mark
# shellcheck disable=SC2086
run env CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://127.0.0.1:$PORT_run2/" \
	"$SHIM" fresh --region us-central1 $SIDECARS
expect_rc "ten repositories: 0" 0
is "ten repositories: all ten asked with the read" \
	"$(timeline)" "1 10 0 r1,r10,r2,r3,r4,r5,r6,r7,r8,r9|-"
RUNLOG=$T/run.jsonl

mark
mkdir -p "$T/w"
ln -sf "$SHIM" "$T/w/gcloud"
run "$T/w/gcloud" run services update same --memory=1Gi --region us-central1
expect_rc "update naming no image: the kept images are checked, 0" 0
is "update naming no image: the read, then one request for the repository" \
	"$(timeline)" "1 0 1 -|ok"

mark
run "$SHIM" brandnew --image docker.io/library/nginx:1 --region us-central1
expect_rc "only an image outside Artifact Registry: 0" 0
is "outside Artifact Registry, new service: no IAM request at all" \
	"$(timeline)" "1 0 0 -|-"

# Faults of the read, asked together with the IAM request.
mark
run "$SHIM" secret --image "$R/ok/app:2" --region us-central1
expect_rc "the read refused (403): 69" 69
grep_file "the read refused: says so" "$T/err" \
	"Cloud Run refused to show service 'secret' \(HTTP 403"
is "the read refused: the IAM request went out with it all the same" \
	"$(timeline)" "1 1 0 ok|-"

s0=$(date +%s%N)
run env CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://127.0.0.1:$PORT_slow/" \
	GCLOUD_RUN_DEPLOY_TIMEOUT=2 "$SHIM" same --image "$R/ok/app:2" \
	--region us-central1
el=$((($(date +%s%N) - s0) / 1000000))
expect_rc "the read never answers: 69 at the deadline" 69
[ "$el" -lt 4500 ] && ok "the read never answers: over within the deadline (${el} ms)" ||
	not_ok "the read never answers: over within the deadline" "${el} ms"
grep_file "the read never answers: says it timed out" "$T/err" \
	"cannot reach Cloud Run to read service 'same'.*([Tt]imeout|timed out)"

run env CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://127.0.0.1:9/" \
	"$SHIM" same --image "$R/ok/app:2" --region us-central1 --preflight=warn
expect_rc "the read cannot connect, warn: gcloud runs" 0
grep_file "the read cannot connect, warn: kept images named unchecked" "$T/err" \
	"not every image was checked: cannot reach Cloud Run to read service 'same'"

if grep -rqa "$TOKEN" "$T/all-output" "$T/run.jsonl" "$T/ar.jsonl" 2>/dev/null; then
	not_ok "the token appears in no output or log"
else ok "the token appears in no output or log"; fi

done_testing
