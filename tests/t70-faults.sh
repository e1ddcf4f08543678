#!/bin/sh
# Faults: every way the network or the API can fail, in every mode that
# checks.  enforce stops (69; 77 only for a denial), warn reports and runs
# gcloud (its exit is ours), only never runs gcloud.  Each case ends within
# the deadline (GCLOUD_RUN_DEPLOY_TIMEOUT) plus a small margin, and says
# what went wrong.
# tests/run: light
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { skip "python3 missing: no fake"; done_testing; exit 0; }
make_ca
make_recorder
TOKEN=ya29.test-secret-token-1414213562
P=projects/p/locations/us-central1/repositories
IMG=us-central1-docker.pkg.dev/p
DEADLINE=3
# A hang guard on top of the deadline, not a speed target: a fault that
# hangs or trickles would go on for ever; a busy machine may take seconds
# to start the shim.
MARGIN=20
cat >"$T/scenario.json" <<EOF
{"token": "$TOKEN", "repositories": {
 "$P/ok": {"grant": true},
 "$P/refuse": {"fault": "refuse"},
 "$P/reset": {"fault": "reset"},
 "$P/hang": {"fault": "hang"},
 "$P/trickle": {"fault": "trickle"},
 "$P/html": {"fault": "html"},
 "$P/huge": {"fault": "huge"},
 "$P/malformed": {"fault": "malformed"},
 "$P/expired": {"reason": "ACCESS_TOKEN_EXPIRED"},
 "$P/disabled": {"reason": "SERVICE_DISABLED"},
 "$P/iam": {"reason": "IAM_PERMISSION_DENIED"},
 "$P/notfound": {"status": 404},
 "$P/quota": {"fail_times": 1000, "fail_status": 429},
 "$P/quotara": {"fail_times": 1000, "fail_status": 429, "retry_after": 1},
 "$P/quotaonce": {"fail_times": 1, "fail_status": 429, "retry_after": 1},
 "$P/e500": {"fail_times": 1000, "fail_status": 500},
 "$P/busy": {"fail_times": 2, "fail_status": 503}}}
EOF
echo '{"fault": "refuse"}' >"$T/refuse.json"

# Other certificates: one for the wrong host name (test CA, SAN only
# wrong.example), one for the right names from a CA nobody trusts.
(
	cd "$T/ca"
	openssl req -newkey rsa:2048 -nodes -subj "/CN=wrong.example" \
		-keyout wrong.key -out wrong.csr 2>/dev/null
	printf 'subjectAltName=DNS:wrong.example\n' >wrong.cnf
	openssl x509 -req -in wrong.csr -CA ca.pem -CAkey ca.key \
		-CAcreateserial -days 2 -extfile wrong.cnf -out wrong.pem 2>/dev/null
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj "/CN=untrusted test CA" -keyout evil.key -out evil.pem \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
)

start_https_fake ar - fakegoog.py \
	--scenario "$T/scenario.json" --log "$T/ar.jsonl"
start_fake refuse fakegoog.py --cert "$T/ca/server.pem" \
	--key "$T/ca/server.key" --scenario "$T/refuse.json"
start_fake wrong fakegoog.py --cert "$T/ca/wrong.pem" --key "$T/ca/wrong.key" \
	--scenario "$T/scenario.json"
start_fake evil fakegoog.py --cert "$T/ca/evil.pem" --key "$T/ca/evil.key" \
	--scenario "$T/scenario.json"
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca/ca.pem"
export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" CLOUDSDK_CORE_PROJECT=p
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud"
export GCLOUD_RUN_DEPLOY_TIMEOUT=$DEADLINE
# warn: the exit status must be gcloud's, so make it a telling one.
GCLOUD_RC=3

# attempt ENDPOINT_PORT REPO MODE: run the shim once; sets rc and el.
attempt() {
	_s=$(date +%s%N)
	run env CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="https://127.0.0.1:$1/" \
		RECORDER_RC=$GCLOUD_RC "$SHIM" --preflight="$3" svc \
		--image "$IMG/$2/app:1"
	el=$((($(date +%s%N) - _s) / 1000000))
}

# fault NAME PORT REPO WANT PATTERN: the fault in all three modes.  WANT is
# enforce's and only's exit (69 or 77, or 0 when it recovers); PATTERN
# (grep -E, case-insensitive) must be in stderr in enforce mode.
fault() {
	_n=$1 _port=$2 _repo=$3 _want=$4 _pat=$5
	for m in enforce warn only; do
		attempt "$_port" "$_repo" "$m"
		_ran=no
		[ -f "$T/ran" ] && _ran=yes
		case $m/$_want in
		warn/*|enforce/0) _w=$GCLOUD_RC _wran=yes ;;
		*) _w=$_want _wran=no ;;
		esac
		[ "$m/$_want" = only/0 ] && _w=0
		if [ "$rc" -eq "$_w" ] && [ $_ran = $_wran ] &&
			[ $el -le $(((DEADLINE + MARGIN) * 1000)) ]; then
			ok "$_n, $m: exit $rc, gcloud ran: $_ran, ${el} ms"
		else
			not_ok "$_n, $m: exit $rc (want $_w), gcloud ran: $_ran" \
				"(want $_wran), ${el} ms (limit $((DEADLINE + MARGIN)) s)" \
				"stderr: $(head -c 600 "$T/err")"
		fi
		if [ $m = enforce ] && [ -n "$_pat" ]; then
			if grep -Eqi -- "$_pat" "$T/err"; then
				ok "$_n: the message names the cause"
			else
				not_ok "$_n: the message names the cause" \
					"no /$_pat/ in: $(head -c 600 "$T/err")"
			fi
		fi
	done
}

A=$PORT_ar
fault "granted (control)" $A ok 0 ""
fault "closed before any answer" $A refuse 69 "Empty reply from server"
fault "reset mid-headers (RST)" $A reset 69 "Connection reset"
fault "hang after TLS" $A hang 69 "timed out"
fault "one byte a second" $A trickle 69 "timed out"
fault "proxy's HTML 502 page" $A html 69 "proxy may have answered"
fault "10 MiB answer" $A huge 69 "larger than"
fault "malformed JSON" $A malformed 69 "not valid JSON"
fault "401 ACCESS_TOKEN_EXPIRED" $A expired 69 "gcloud auth login"
fault "403 SERVICE_DISABLED" $A disabled 69 \
	"SERVICE_DISABLED"
grep_file "SERVICE_DISABLED: names the API" "$T/err" "Artifact Registry API|artifactregistry\.googleapis\.com"
grep_file "SERVICE_DISABLED: the enabling command" "$T/err" \
	"gcloud services enable artifactregistry\.googleapis\.com"
# "Permission ... denied on resource ... (or it may not exist)": a denial.
fault "403 IAM_PERMISSION_DENIED" $A iam 77 \
	"refused the check: Permission .* denied on resource .*or it may not exist"
fault "404" $A notfound 69 "HTTP 404.*NOT_FOUND"
fault "429 without Retry-After" $A quota 69 "HTTP 429.*RESOURCE_EXHAUSTED"
fault "429 with Retry-After" $A quotara 69 "HTTP 429.*RESOURCE_EXHAUSTED"
fault "500 every time" $A e500 69 "HTTP 500.*INTERNAL"
fault "503 twice, then granted" $A busy 0 ""
fault "429 once (Retry-After: 1), then granted" $A quotaonce 0 ""
fault "refused before TLS" $PORT_refuse ok 69 "SSL|TLS"
fault "certificate for the wrong host" $PORT_wrong ok 69 \
	"SSL.*(subject name|host name)"
fault "certificate from an untrusted CA" $PORT_evil ok 69 \
	"SSL certificate problem"

# A denial stays a denial in only and enforce; warn hands over.
pyrun - "$T/scenario.json" "$P" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["repositories"][sys.argv[2] + "/no"] = {"grant": False}
json.dump(s, open(sys.argv[1] + ".tmp", "w"))
EOF
mv "$T/scenario.json.tmp" "$T/scenario.json"
fault "denied" $A no 77 "cannot read image"

# HTTP/2: the same check over h2 (ALPN), served by nghttpd where it is
# installed (Debian: nghttp2-server); the Python fake speaks HTTP/1.1.
if command -v nghttpd >/dev/null 2>&1; then
	mkdir -p "$T/h2/v1/$P"
	printf '{"permissions": ["artifactregistry.repositories.downloadArtifacts"]}' \
		>"$T/h2/v1/$P/ok:testIamPermissions"
	h2port=$(pyrun -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	nghttpd -a 127.0.0.1 -v -d "$T/h2" "$h2port" "$T/ca/server.key" \
		"$T/ca/server.pem" >"$T/h2.log" 2>&1 &
	_pids="$_pids $!"
	_i=0
	while ! grep -q 'listen' "$T/h2.log" 2>/dev/null && [ $_i -lt 100 ]; do
		_i=$((_i + 1)); sleep 0.05
	done
	attempt "$h2port" ok enforce
	expect_rc "HTTP/2 (nghttpd): granted, gcloud's exit" $GCLOUD_RC
	grep_file "HTTP/2: the request went over h2 as a POST" "$T/h2.log" \
		':method: POST'
else
	skip "HTTP/2: nghttpd not installed (apt-get install nghttp2-server)"
fi

done_testing
