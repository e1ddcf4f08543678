#!/bin/sh
# Leaks and memory errors on the main paths, under valgrind memcheck: the
# normal build's binary against the loopback fakes.  A definite leak or a
# memory error makes valgrind exit 99; every exit here must be the shim's
# own.  valgrind does not follow execv into gcloud: the hand-over cases
# check the log up to the exec instead.
. "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null || { skip "valgrind not installed"; done_testing; exit 0; }
command -v python3 >/dev/null || { skip "python3 missing: no fake"; done_testing; exit 0; }
if grep -q __asan_init "$SHIM" 2>/dev/null; then
	skip "valgrind: $SHIM is a sanitizer build"
	done_testing
	exit 0
fi
make_ca
make_recorder
TOKEN=ya29.test-secret-token-1259921049
R=us-central1-docker.pkg.dev/p
P=projects/p/locations/us-central1/repositories
cat >"$T/scenario.json" <<EOF
{"token": "$TOKEN", "repositories": {"$P/ok": {"grant": true},
 "$P/no": {"grant": false}, "$P/off": {"reason": "SERVICE_DISABLED"},
 "$P/busy": {"fail_times": 1, "fail_status": 503}}}
EOF
cat >"$T/seed.json" <<EOF
{"services": [{"project": "p", "region": "us-central1", "name": "plain",
  "image": "$R/ok/app:1"}]}
EOF
cat >"$T/service.yaml" <<EOF
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: plain}
spec:
  template:
    spec:
      containers:
      - image: $R/ok/app:1
      - image: $R/no/side:1
EOF
printf -- '--image: %s/ok/app:2\n--region: us-central1\n' "$R" >"$T/flags.yaml"
start_https_fake ar artifactregistry fakegoog.py \
	--scenario "$T/scenario.json" --log "$T/ar.jsonl"
start_fake run fakerun.py --log "$T/run.jsonl" --token "$TOKEN" \
	--seed "$T/seed.json"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://127.0.0.1:$PORT_run/"
export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" CLOUDSDK_CORE_PROJECT=p
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" GCLOUD_RUN_DEPLOY_TIMEOUT=30
mkdir -p "$T/wrap"
ln -s "$SHIM" "$T/wrap/gcloud"
n=0

# vg NAME WANT [VAR=VALUE...] "$VG" CMD...: CMD (the shim, or its wrapper
# link) under memcheck; $VG execs valgrind, so the variables reach the
# shim and valgrind watches it, not env.
VG="$T/vgrun"
cat >"$VG" <<'EOF2'
#!/bin/sh
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
	--error-exitcode=99 --log-file="$VGLOG" "$@"
EOF2
chmod +x "$VG"
vg() {
	_n=$1 _w=$2
	shift 2
	n=$((n + 1))
	run env VGLOG="$T/vg.$n" "$@"
	if [ "$rc" -eq "$_w" ]; then ok "$_n: exit $rc, no leak, no error"
	else not_ok "$_n: exit $rc, want $_w" "valgrind: $(head -c 1500 "$T/vg.$n")" \
		"stderr: $(head -c 300 "$T/err")"; fi
}
# clean NAME: the last log holds no memcheck error (for hand-overs).
clean() {
	if grep -Eq 'Invalid (read|write|free)|uninitialised|Mismatched|definitely lost' "$T/vg.$n"; then
		not_ok "$1" "$(head -c 1500 "$T/vg.$n")"
	else ok "$1"; fi
}

vg "granted, only" 0 "$VG" "$SHIM" --preflight=only svc --image "$R/ok/app:1"
vg "granted, JSON, after a 503" 0 "$VG" "$SHIM" --preflight=only \
	--preflight-format=json svc --image "$R/busy/app:1"
vg "denied" 77 "$VG" "$SHIM" svc --image "$R/ok/a:1" --container b --image "$R/no/b:1"
vg "denied, JSON" 77 "$VG" "$SHIM" --preflight-format=json svc --image "$R/no/a:1"
vg "API error" 69 "$VG" "$SHIM" svc --image "$R/off/app:1"
vg "plan" 0 "$VG" "$SHIM" --preflight=plan --preflight-format=json svc \
	--image "$R/ok/app:1" --container x --image nginx
vg "invalid reference" 65 "$VG" "$SHIM" svc --image "$R/ok/../x"
vg "usage error" 64 "$VG" "$SHIM" --preflight=sometimes svc
vg "nobody listening" 69 \
	CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY=https://127.0.0.1:9/ \
	GCLOUD_RUN_DEPLOY_TIMEOUT=2 "$VG" "$SHIM" svc --image "$R/ok/app:1"
vg "update: the deployed image is read and checked" 0 "$VG" "$T/wrap/gcloud" \
	run services update plain --memory=1Gi --region=us-central1 \
	--preflight=only
vg "flags file" 0 "$VG" "$T/wrap/gcloud" run deploy svc --flags-file="$T/flags.yaml" \
	--preflight=only
vg "replace, a manifest with a denied sidecar" 77 "$VG" "$T/wrap/gcloud" \
	run services replace "$T/service.yaml"
vg "verbose trace" 0 GCLOUD_RUN_DEPLOY_VERBOSE=1 "$VG" "$SHIM" --preflight=only \
	svc --image "$R/ok/app:1"
unset CLOUDSDK_AUTH_ACCESS_TOKEN
vg "token from config-helper" 0 FAKE_TOKEN="$TOKEN" FAKE_ACCOUNT=ci@p.iam.gserviceaccount.com \
	"$VG" "$SHIM" --preflight=only svc --image "$R/ok/app:1"
export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN"

# Hand-overs: the exit is gcloud's (the recorder's), the log up to the
# exec is clean.
vg "hand-over after a check" 3 RECORDER_RC=3 "$VG" "$SHIM" svc \
	--image "$R/ok/app:1"
[ -f "$T/ran" ] && ok "hand-over after a check: gcloud ran" ||
	not_ok "hand-over after a check: gcloud ran"
clean "hand-over after a check: no memcheck error before the exec"
vg "hand-over, warn over a denial" 3 RECORDER_RC=3 "$VG" "$SHIM" \
	--preflight=warn svc --image "$R/no/app:1"
clean "hand-over, warn: no memcheck error before the exec"
vg "hand-over, wrapper, not a deploy" 3 RECORDER_RC=3 "$VG" "$T/wrap/gcloud" \
	config list
clean "hand-over, wrapper: no memcheck error before the exec"

done_testing
