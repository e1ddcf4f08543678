#!/bin/sh
# tools/demo.sh [SHIM] - see gcloud-run-deploy work in a minute, offline.
#
# Starts loopback fakes of Artifact Registry (HTTPS, a test CA made here
# with openssl) and of the Cloud Run Admin API (which is also the HTTP
# proxy that keeps gcloud on loopback), points the real gcloud at them with
# an isolated CLOUDSDK_CONFIG, an access token file and gcloud's own proxy
# and endpoint-override properties (as tests/t60-gcloud-e2e.sh does), and
# runs two deploys through the shim: one blocked, one that completes.
#
# Exit: 0 when both outcomes are as expected; 1 when one is not; 2 when a
# prerequisite (gcloud, python3, openssl, the built shim) is missing.
# Nothing leaves the machine: every address is 127.0.0.1.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
SHIM=${1:-$TOP/build/gcloud-run-deploy}
GCLOUD=${GCLOUD:-/usr/bin/gcloud}
PROJECT=demo-project
REGION=us-central1
AR=$REGION-docker.pkg.dev/$PROJECT
TOKEN=ya29.demo-token-not-a-secret

say() { printf '%s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 2; }

[ -x "$GCLOUD" ] || die "the Google Cloud CLI is not installed ($GCLOUD not found); install it, or set GCLOUD=/path/to/gcloud"
command -v python3 >/dev/null 2>&1 ||
	die "python3 is not installed: the loopback fakes need it"
command -v openssl >/dev/null 2>&1 ||
	die "openssl is not installed: the test CA needs it"
[ -x "$SHIM" ] || die "'$SHIM' is not built: run make first"
case $SHIM in /*) ;; *) SHIM=$PWD/$SHIM ;; esac

W=$(mktemp -d "${TMPDIR:-/tmp}/grd-demo.XXXXXX") || die "cannot make a temporary folder"
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# make_ca: a CA and a certificate for 127.0.0.1 and localhost, for this run.
make_ca() {
	(
		cd "$W" &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 1 \
			-subj "/CN=gcloud-run-deploy demo CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" \
			-keyout ca.key -out ca.pem &&
		openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
			-keyout server.key -out server.csr &&
		printf '%s\n' \
			"subjectAltName=DNS:localhost,IP:127.0.0.1" \
			"extendedKeyUsage=serverAuth" >ext.cnf &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
			-CAcreateserial -days 1 -extfile ext.cnf -out server.pem
	) >"$W/openssl.log" 2>&1 || { cat "$W/openssl.log" >&2; die "openssl failed"; }
}

# start NAME SCRIPT ARGS...: start a fake; PORT_NAME once it listens.
start() {
	_n=$1 _s=$2
	shift 2
	python3 "$TOP/tests/fake/$_s" --port-file "$W/$_n.port" "$@" \
		>"$W/$_n.log" 2>&1 &
	PIDS="$PIDS $!"
	_i=0
	while [ ! -s "$W/$_n.port" ]; do
		_i=$((_i + 1))
		[ $_i -le 200 ] || { cat "$W/$_n.log" >&2; die "the $_n fake did not start"; }
		sleep 0.05
	done
	eval "PORT_$_n=\$(cat \"\$W/\$_n.port\")"
}

# deploy NAME IMAGE: the shim, output indented in $W/out, status in $rc.
deploy() {
	say "\$ gcloud-run-deploy $1 --image=$2 --region=$REGION"
	"$SHIM" "$1" --image="$2" --region="$REGION" >"$W/out" 2>&1 </dev/null
	rc=$?
	sed 's/^/    /' "$W/out"
}

say "gcloud-run-deploy demo: two deploys through the real gcloud, offline."
say
say "[1/4] Starting loopback fakes of Artifact Registry (HTTPS, a test CA"
say "      made just now) and Cloud Run. In the fake registry, the demo"
say "      principal may read the repository 'apps' but not 'vendor'."
make_ca
printf '{"token": "%s", "repositories": {
  "projects/%s/locations/%s/repositories/apps": {"grant": true},
  "projects/%s/locations/%s/repositories/vendor": {"grant": false}}}\n' \
	"$TOKEN" "$PROJECT" "$REGION" "$PROJECT" "$REGION" >"$W/scenario.json"
start RUN fakerun.py --log "$W/run.jsonl" --project-number 123456789012 \
	--token "$TOKEN"
start GOOG fakegoog.py --cert "$W/server.pem" --key "$W/server.key" \
	--scenario "$W/scenario.json" --log "$W/goog.jsonl"

say "[2/4] Pointing the real gcloud at them: a fresh CLOUDSDK_CONFIG, an"
say "      access token file, gcloud's proxy and endpoint-override settings."
# Nothing of the user's gcloud setup or environment takes part.
unset CLOUDSDK_AUTH_ACCESS_TOKEN CLOUDSDK_CORE_ACCOUNT \
	CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT CLOUDSDK_ACTIVE_CONFIG_NAME \
	GCLOUD_RUN_DEPLOY_PREFLIGHT GCLOUD_RUN_DEPLOY_FORMAT \
	GCLOUD_RUN_DEPLOY_TIMEOUT GCLOUD_RUN_DEPLOY_VERBOSE \
	http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy \
	no_proxy NO_PROXY 2>/dev/null
umask 077
mkdir "$W/gcloud-config"
printf '%s\n' "$TOKEN" >"$W/token"
export CLOUDSDK_CONFIG="$W/gcloud-config"
export CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$W/token"
export CLOUDSDK_CORE_PROJECT=$PROJECT
export CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://run.localhost:$PORT_RUN/"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="https://127.0.0.1:$PORT_GOOG/"
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$W/ca.pem"
export CLOUDSDK_PROXY_TYPE=http CLOUDSDK_PROXY_ADDRESS=127.0.0.1
export CLOUDSDK_PROXY_PORT="$PORT_RUN"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1 CLOUDSDK_CORE_CHECK_GCE_METADATA=false
export GCE_METADATA_HOST=127.0.0.1:9 GCE_METADATA_ROOT=127.0.0.1:9
export CLOUDSDK_CORE_SHOULD_PROMPT_TO_ENABLE_API=false
export CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true
export CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true
export CLOUDSDK_CORE_ENABLE_FEATURE_FLAGS=false
export CLOUDSDK_SURVEY_DISABLE_PROMPTS=true
export GCLOUD_RUN_DEPLOY_GCLOUD="$GCLOUD"
# gcloud writes bold text even into a file: keep escapes off a non-terminal.
[ -t 1 ] || export TERM=dumb

status=0
say
say "[3/4] Deploy an image from 'vendor': the check stops it before gcloud runs."
deploy web "$AR/vendor/web:1.0"
if [ "$rc" -eq 77 ] &&
    grep -q 'add-iam-policy-binding vendor' "$W/out" &&
    ! grep -q 'Service URL:' "$W/out"; then
	say "      -> blocked (exit 77), with the command that grants access."
else
	say "      -> UNEXPECTED: exit $rc, want 77 and a grant command"
	status=1
fi
say
say "[4/4] Deploy an image from 'apps': the check passes, gcloud deploys."
deploy web "$AR/apps/web:1.0"
if [ "$rc" -eq 0 ] && grep -q '^Service URL: ' "$W/out"; then
	say "      -> deployed (exit 0): gcloud ran with the same arguments."
else
	say "      -> UNEXPECTED: exit $rc, want 0 and gcloud's Service URL"
	status=1
fi
say
if grep -q '"note": *"refused' "$W/run.jsonl"; then
	say "UNEXPECTED: something tried to leave loopback"
	status=1
fi
if [ $status -eq 0 ]; then
	say "Demo passed: one deploy blocked, one deployed; nothing left the machine."
else
	say "Demo FAILED (see above)."
fi
exit $status
