#!/bin/sh
# t61-cli-e2e.sh - issue 11's command-line defects, end to end: the shim,
# then the REAL /usr/bin/gcloud, against the loopback fakes (as t60: the
# Cloud Run fake records what gcloud really sends; the AR fake answers
# testIamPermissions).  One case per defect:
#   (1) argparse's rule order: a known "--flag=value with spaces", a
#       global "--format=value(a, b)" in wrapper mode, an image with a
#       trailing space;
#   (2) --remove-containers accumulates, repeated and as a flags-file list;
#   (3) --function with --image deploys that image: it is checked;
#   (8) a flag gcloud 528 does not know: named, with the SDK's version, and
#       the service name it makes unsure is not read.
. "$(dirname "$0")/lib.sh"

if ! have_gcloud; then
	skip "t61: /usr/bin/gcloud is not installed: no end-to-end test"
	done_testing
	exit
fi
if ! command -v python3 >/dev/null 2>&1 || ! command -v openssl \
    >/dev/null 2>&1; then
	skip "t61: python3 and openssl are needed for the loopback fakes"
	done_testing
	exit
fi

FIX=$TOP/tests/fixtures/e2e
SCEN=$FIX/ar-scenario.json
OK_IMG=us-central1-docker.pkg.dev/p/r/img:1
DENIED=us-central1-docker.pkg.dev/p/denied/img:1
SIDE=us-central1-docker.pkg.dev/p/denied/side:1
SVC=/apis/serving.knative.dev/v1/namespaces/p/services

# A service with two sidecars whose images the principal cannot read.
cat >"$T/seed.json" <<EOF
{"services": [
  {"project": "p", "region": "us-central1", "name": "sidecars",
   "containers": [
     {"name": "main", "image": "$OK_IMG", "ports": [{"containerPort": 8080}]},
     {"name": "side", "image": "$SIDE"},
     {"name": "side2", "image": "$SIDE"}]},
  {"project": "p", "region": "us-central1", "name": "existing",
   "image": "$OK_IMG"}
]}
EOF
TOKEN=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$SCEN")
umask 077
printf '%s\n' "$TOKEN" >"$T/token"
make_ca
start_fake RUN fakerun.py --log "$T/run.jsonl" --project-number 123456789012 \
	--token "$TOKEN" --seed "$T/seed.json"
start_fake GOOG fakegoog.py --cert "$T/ca/server.pem" \
	--key "$T/ca/server.key" --scenario "$SCEN" --log "$T/goog.jsonl"
RUNLOG=$T/run.jsonl

gcloud_at_fakes "$PORT_RUN"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="https://127.0.0.1:$PORT_GOOG/"
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca/ca.pem"
export GCLOUD_RUN_DEPLOY_GCLOUD=/usr/bin/gcloud
mkdir -p "$T/wrap"
ln -sf "$SHIM" "$T/wrap/gcloud"

# requests: what the Cloud Run fake was sent since the last `fresh`, one
# line a request: "METHOD PATH STATUS name=image,... env=K=V;..." (one
# Python for the whole case, not one per assertion).
requests() {
	python3 - "$RUNLOG" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("via") == "connect":
        continue
    spec = ((r.get("body") or {}).get("spec") or {}).get("template") or {}
    spec = spec.get("spec") or {}
    cs = spec.get("containers") or []
    print(r.get("method"), (r.get("path") or "").split("?")[0],
          r.get("status"),
          ",".join("%s=%s" % (c.get("name", ""), c.get("image"))
                   for c in cs),
          ";".join("%s=%s" % (e.get("name"), e.get("value"))
                   for c in cs[:1] for e in c.get("env") or []))
PY
}
fresh() { : >"$RUNLOG"; : >"$T/goog.jsonl"; }
case_out() { requests >"$T/req"; cat "$T/out" "$T/err" >"$T/both"; }
has() {	# NAME FILE PATTERN: ok when an extended regex matches a line
	if grep -Eq -- "$3" "$2"; then ok "$1"; else
		not_ok "$1" "no line matches '$3' in:" "$(cut -c1-200 "$2")"
	fi
}
hasnt() {
	if grep -Eq -- "$3" "$2"; then
		not_ok "$1" "a line matches '$3':" "$(grep -E -- "$3" "$2" |
		    cut -c1-200)"
	else ok "$1"; fi
}

# ---------------------------------------------------------------- (1)
fresh
run timeout 120 "$SHIM" '--set-env-vars=GREETING=hello world' api \
	--image="$OK_IMG" --region=us-central1
case_out
expect_rc "(1) a known --set-env-vars=... with a space: deployed, exit 0" 0
has "(1) ... gcloud created service 'api' with the env value" "$T/req" \
	"^POST $SVC 200 =$OK_IMG GREETING=hello world\$"
hasnt "(1) ... no service named after the env word was read" "$T/req" \
	'services/--set-env-vars'

fresh
run timeout 120 "$T/wrap/gcloud" "--format=value(status.url, status.conditions)" \
	run deploy fmtsvc --image="$DENIED" --region=us-central1
case_out
expect_rc "(1) wrapper: 'gcloud --format=value(a, b) run deploy' is checked: 77" 77
has "(1) ... the denied repository is named" "$T/both" \
	'repositor(y|ies)[^ ]* .*denied|/denied'
hasnt "(1) ... and gcloud never ran (no request for fmtsvc)" "$T/req" \
	"^(GET|POST) $SVC"

fresh
run timeout 120 "$SHIM" trail "--image=$DENIED " --region=us-central1
case_out
expect_rc "(1) --image with a trailing space is read, and refused: 65" 65
has "(1) ... the message names that image" "$T/both" \
	"image '$DENIED '"
hasnt "(1) ... and gcloud never ran" "$T/req" "^(GET|POST) $SVC"

# ---------------------------------------------------------------- (2)
# The control first, while the sidecars are deployed.
fresh
run timeout 120 "$SHIM" sidecars --remove-containers=side2 \
	--region=us-central1 --container=main --image="$OK_IMG"
case_out
expect_rc "(2) the control: side kept, its image denied: 77" 77
hasnt "(2) ... and gcloud never ran" "$T/req" "^PUT $SVC"

fresh
run timeout 120 "$SHIM" sidecars --remove-containers=side \
	--remove-containers=side2 --region=us-central1 --container=main \
	--image="$OK_IMG"
case_out
expect_rc "(2) --remove-containers given twice: both removed, deployed, 0" 0
has "(2) ... gcloud sent the service without side and side2" "$T/req" \
	"^PUT $SVC/sidecars 200 main=$OK_IMG "
hasnt "(2) ... no sidecar image was checked" "$T/goog.jsonl" \
	'repositories/denied'

printf -- '--remove-containers: [side, side2]\n' >"$T/rm.yaml"
fresh
run timeout 120 "$T/wrap/gcloud" run deploy sidecars --flags-file="$T/rm.yaml" \
	--region=us-central1 --container=main --image="$OK_IMG"
case_out
expect_rc "(2) --remove-containers as a flags-file list: deployed, 0" 0
has "(2) ... gcloud sent the service without side and side2" "$T/req" \
	"^PUT $SVC/sidecars 200 main=$OK_IMG "

# ---------------------------------------------------------------- (3)
fresh
run timeout 120 "$SHIM" fndenied --function=handler --image="$DENIED" \
	--region=us-central1
case_out
expect_rc "(3) --function with a denied --image is checked: 77" 77
hasnt "(3) ... and gcloud never ran" "$T/req" "^(GET|POST) $SVC"

fresh
run timeout 120 "$SHIM" fnok --function=handler --image="$OK_IMG" \
	--region=us-central1
case_out
expect_rc "(3) --function with a readable --image: checked, deployed, 0" 0
has "(3) ... the image's repository was asked about" "$T/goog.jsonl" \
	'repositories/r:testIamPermissions'
has "(3) ... gcloud deployed that image as it is" "$T/req" \
	"^POST $SVC 200 =$OK_IMG"

# ---------------------------------------------------------------- (8)
fresh
run timeout 120 "$T/wrap/gcloud" run services update --newer-flag existing \
	sidecars --region=us-central1
case_out
has "(8) the unknown flag is named" "$T/err" 'WARNING: .*unknown flag --newer-flag'
has "(8) ... with the SDK the tables come from and the installed one" \
	"$T/err" 'SDK 528\.0\.0.*|installed SDK is 528\.0\.0'
has "(8) ... and the service name is said to be unsure" "$T/err" \
	"service name is unsure.*'existing'"
hasnt "(8) ... the shim read neither 'existing' nor 'sidecars'" "$T/req" \
	'^GET /v2/'
hasnt "(8) ... and no image was called granted" "$T/goog.jsonl" \
	'testIamPermissions'

# A newer SDK: its VERSION is read from the root of the gcloud to be run.
mkdir -p "$T/sdk/bin"
printf '540.0.0\n' >"$T/sdk/VERSION"
printf '#!/bin/sh\nexec /usr/bin/gcloud "$@"\n' >"$T/sdk/bin/gcloud"
chmod +x "$T/sdk/bin/gcloud"
run env GCLOUD_RUN_DEPLOY_GCLOUD="$T/sdk/bin/gcloud" "$SHIM" \
	--preflight=plan --newer-flag foo svc --image="$OK_IMG"
has "(8) a newer installed SDK is named: the tables may be out of date" \
	"$T/err" 'installed SDK is 540\.0\.0'

done_testing
