#!/bin/sh
# t47-manifest-e2e.sh - end to end through the REAL gcloud against the
# loopback fakes (as t60): what the shim checks for a manifest and for a
# flags file is what gcloud then sends to Cloud Run (fakerun.py records
# it), and gcloud still gets every flags file the shim read.
#   defect 4: merge keys and duplicates, "!!merge", two "<<", kind spelling
#   defect 5: --flags-file=<(...), /dev/stdin, a named FIFO
#   defect 6: a flags file past the shim's limits that holds the command
. "$(dirname "$0")/lib.sh"

if ! have_gcloud; then
	skip "t47: /usr/bin/gcloud is not installed: no end-to-end test"
	done_testing
	exit
fi
if ! command -v python3 >/dev/null 2>&1 || ! command -v bash >/dev/null; then
	skip "t47: python3 (the fakes) or bash (<(...)) is missing"
	done_testing
	exit
fi

FIX=$TOP/tests/fixtures/e2e
export IMG_OK=us-central1-docker.pkg.dev/p/r/img:1
export IMG_DENIED=us-central1-docker.pkg.dev/p/denied/img:1
REPO_OK=projects/p/locations/us-central1/repositories/r
REPO_DENIED=projects/p/locations/us-central1/repositories/denied
TOKEN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' \
	"$FIX/ar-scenario.json")
umask 077
printf '%s\n' "$TOKEN" >"$T/token"
make_ca
start_fake RUN fakerun.py --log "$T/run.jsonl" --project-number 123456789012 \
	--token "$TOKEN" --seed "$FIX/run-seed.json"
start_fake GOOG fakegoog.py --cert "$T/ca/server.pem" \
	--key "$T/ca/server.key" --scenario "$FIX/ar-scenario.json" \
	--log "$T/goog.jsonl"
gcloud_at_fakes "$PORT_RUN"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="https://127.0.0.1:$PORT_GOOG/"
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca/ca.pem"
export GCLOUD_RUN_DEPLOY_GCLOUD=/usr/bin/gcloud
mkdir -p "$T/wrap"
ln -s "$SHIM" "$T/wrap/gcloud"
G=$T/wrap/gcloud

fresh() { : >"$T/run.jsonl"; : >"$T/goog.jsonl"; }
# sent NAME: the images of the service or job NAME that gcloud sent to
# Cloud Run (creates and replaces), space-separated, in order.
sent() {
	python3 - "$T/run.jsonl" "$1" <<'PY'
import json, sys
out = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    b = r.get("body")
    if r.get("method") not in ("POST", "PUT") or not isinstance(b, dict):
        continue
    if (b.get("metadata") or {}).get("name") != sys.argv[2]:
        continue
    s = b["spec"]["template"]["spec"]
    s = s.get("template", {}).get("spec", s)
    out.append(" ".join(c.get("image", "") for c in s.get("containers", [])))
print(" | ".join(out))
PY
}
# asked REPO: testIamPermissions the AR fake answered for REPO.
asked() { grep -c "/v1/$1:testIamPermissions" "$T/goog.jsonl" || :; }
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1" "got '$2', want '$3'"; fi
}
both() { cat "$T/out" "$T/err"; }

manifest() {	# NAME KIND-LINE, then the container lines on stdin
	printf 'apiVersion: serving.knative.dev/v1\n%s\nmetadata:\n' "$2"
	printf '  name: %s\n  labels:\n    cloud.googleapis.com/location: us-central1\n' "$1"
	printf 'spec:\n  template:\n    spec:\n      containers:\n'
	cat
}

# ------------------------------------------------ defect 4: manifests
# With a "<<" merge, gcloud keeps the LAST of duplicate keys.
manifest dupok 'kind: Service' >"$T/dupok.yaml" <<EOF
      - <<: {name: app}
        image: $IMG_DENIED
        image: $IMG_OK
EOF
fresh
run timeout 120 "$G" run services replace "$T/dupok.yaml" --region=us-central1
expect_rc "4: merge + duplicate image, the last readable: deployed, 0" 0
is "4: ... gcloud sent the last image" "$(sent dupok)" "$IMG_OK"
is "4: ... and the shim checked that one, not the first" \
	"$(asked "$REPO_OK")/$(asked "$REPO_DENIED")" "1/0"

manifest dupno 'kind: Service' >"$T/dupno.yaml" <<EOF
      - <<: {name: app}
        image: $IMG_OK
        image: $IMG_DENIED
EOF
fresh
run timeout 120 "$G" run services replace "$T/dupno.yaml" --region=us-central1
expect_rc "4: merge + duplicate image, the last denied: 77 (no false pass)" 77
is "4: ... gcloud sent nothing" "$(sent dupno)" ""

# "!!merge" and two "<<" keys (the later wins): gcloud deploys both, and
# so must the shim let it.
manifest odd 'kind: Service' >"$T/odd.yaml" <<EOF
      - !!merge <<: {name: main}
        image: $IMG_OK
      - <<: {image: $IMG_DENIED}
        <<: {image: $IMG_OK, name: side}
EOF
fresh
run timeout 120 "$G" run services replace "$T/odd.yaml" --region=us-central1
expect_rc "4: !!merge and two '<<': deployed, 0" 0
is "4: ... gcloud sent both containers' images" "$(sent odd)" \
	"$IMG_OK $IMG_OK"
is "4: ... the denied repository was never the one checked" \
	"$(asked "$REPO_DENIED")" 0

# gcloud never reads kind: "kind: service" goes to Cloud Run as written,
# and the API (here the fake) answers.  The shim checks the images and
# hands over; it does not stop the command with 65.
manifest lower 'kind: service' >"$T/lower.yaml" <<EOF
      - image: $IMG_OK
EOF
fresh
run timeout 120 "$G" run services replace "$T/lower.yaml" --region=us-central1
expect_rc "4: kind: service: the shim hands over, Cloud Run's 400 gives 1" 1
is "4: ... gcloud sent the manifest, image checked first" \
	"$(sent lower)/$(asked "$REPO_OK")" "$IMG_OK/1"

# ------------------------------------------ defect 5: pipes as flags files
fresh
run timeout 120 bash -c '"$0" run deploy piped --region=us-central1 \
	--flags-file=<(printf -- "--image: %s\n" "$IMG_OK")' "$G"
expect_rc "5: --flags-file=<(...): checked and deployed, 0" 0
is "5: ... gcloud read the same bytes and sent the image" "$(sent piped)" \
	"$IMG_OK"
is "5: ... the shim checked it" "$(asked "$REPO_OK")" 1

fresh
run timeout 120 bash -c '"$0" run deploy pipeno --region=us-central1 \
	--flags-file=<(printf -- "--image: %s\n" "$IMG_DENIED")' "$G"
expect_rc "5: --flags-file=<(...) with a denied image: 77" 77

run timeout 120 bash -c '"$0" config get core/project \
	--flags-file=<(printf -- "--verbosity: error\n")' "$G"
expect_rc "5: wrapper, config get --flags-file=<(...): gcloud reads it, 0" 0
grep_file "5: ... and prints the project" "$T/out" '^p$'

fresh
set +e
printf -- '--image: %s\n' "$IMG_OK" | timeout 120 "$G" run deploy fromstdin \
	--region=us-central1 --flags-file=/dev/stdin >"$T/out" 2>"$T/err"
rc=$?
set -e
expect_rc "5: --flags-file=/dev/stdin: checked and deployed, 0" 0
is "5: ... gcloud got the same bytes on /dev/stdin" "$(sent fromstdin)" "$IMG_OK"

rm -f "$T/fifo"
mkfifo "$T/fifo"
fresh
run timeout 60 "$G" run deploy fifo --region=us-central1 --flags-file="$T/fifo"
expect_rc "5: a named FIFO as flags file of a deploy: refused unread, 65" 65
grep_file "5: ... and says why" "$T/err" 'named pipe'
is "5: ... gcloud sent nothing" "$(sent fifo)" ""
(printf -- '--verbosity: error\n' >"$T/fifo") &
_w=$!
run timeout 60 "$G" config get core/project --flags-file="$T/fifo"
expect_rc "5: a named FIFO for config get: handed over unread, gcloud reads it" 0
grep_file "5: ... gcloud printed the project" "$T/out" '^p$'
kill "$_w" 2>/dev/null || :
wait "$_w" 2>/dev/null || :

# ------------------------- defect 6: command words in a file past the limits
# A chain of 18 flags files (the shim expands 16 levels; gcloud has no
# limit) whose last one holds the whole command.
i=1
while [ $i -lt 18 ]; do
	printf -- '--flags-file: %s/chain%d.yaml\n' "$T" $((i + 1)) >"$T/chain$i.yaml"
	i=$((i + 1))
done
printf 'run:\ndeploy:\nchained:\n--image: %s\n--region: us-central1\n' \
	"$IMG_DENIED" >"$T/chain18.yaml"
fresh
run timeout 120 "$G" --flags-file="$T/chain1.yaml"
expect_rc "6: command words in a file the shim cannot expand: enforce stops, 69" 69
grep_file "6: ... and says why" "$T/err" 'cannot tell what this command deploys'
is "6: ... gcloud sent nothing" "$(sent chained)" ""
fresh
run timeout 120 "$G" --flags-file="$T/chain1.yaml" --preflight=warn
expect_rc "6: warn: a warning, then gcloud deploys from that file, 0" 0
grep_file "6: ... the warning names the file's problem" "$T/err" \
	'WARNING: .*not checked.*nested too deeply'
is "6: ... gcloud deployed the image the shim could not see" \
	"$(sent chained)" "$IMG_DENIED"
# The same file, now within reach: its command words are read and its
# image is checked (plan: nothing over the network, gcloud not run).
run "$G" --flags-file="$T/chain18.yaml" --preflight=plan
expect_rc "6: command words from a flags file the shim expands: planned, 0" 0
grep_file "6: ... the file's image is in the plan" "$T/out" \
	"planned +$IMG_DENIED"
printf -- '--verbosity: error\n' >"$T/chain18.yaml"
run timeout 120 "$G" config get core/project --flags-file="$T/chain1.yaml"
expect_rc "6: config get with that file: handed over untouched, 0" 0
grep_file "6: ... gcloud printed the project" "$T/out" '^p$'

done_testing
