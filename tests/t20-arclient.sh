#!/bin/sh
# t20-arclient.sh - ar_check() through tests/drivers/ar-check against
# tests/fake/fakegoog.py, over HTTPS with the test CA (and plain HTTP to
# loopback).  Nothing here talks to anything but 127.0.0.1 and ::1.
. "$(dirname "$0")/lib.sh"

DRV=$B/ar-check
if [ ! -x "$DRV" ]; then
	skip "t20: no $DRV (run make unit)"
	done_testing
	exit
fi
make_ca
CA=$T/ca/ca.pem
R=projects/p/locations/us/repositories
TOKEN=good-token-$$-SECRET
BIG=$(pyrun -c 'print("x" * (1024 * 1024 + 100))')

cat >"$T/scenario.json" <<EOF
{"token": "$TOKEN",
 "repositories": {
  "$R/granted": {"grant": true},
  "$R/denied": {"grant": false},
  "$R/other": {"permissions": ["artifactregistry.repositories.get"]},
  "$R/m1": {"grant": true, "delay": 0.6},
  "$R/m2": {"grant": false, "delay": 0.6},
  "$R/m3": {"grant": true, "delay": 0.6},
  "$R/m4": {"reason": "SERVICE_DISABLED", "delay": 0.6},
  "$R/m5": {"grant": true, "delay": 0.6},
  "$R/expired": {"reason": "ACCESS_TOKEN_EXPIRED"},
  "$R/disabled": {"reason": "SERVICE_DISABLED", "project_number": 42},
  "$R/quota": {"reason": "USER_PROJECT_DENIED"},
  "$R/ratelimited": {"fail_times": 1, "fail_status": 429,
   "retry_after": 1, "grant": true},
  "$R/flaky": {"fail_times": 2, "grant": true},
  "$R/broken": {"status": 500},
  "$R/busy": {"status": 503, "retry_after": 30},
  "$R/notfound": {"status": 404},
  "$R/slow": {"delay": 5, "grant": true},
  "$R/malformed": {"body": "{\"permissions\": [", "status": 200},
  "$R/html": {"body": "<!DOCTYPE html><html><body>Sign in</body></html>",
   "content_type": "text/html", "status": 200},
  "$R/huge": {"body": "{\"permissions\": [], \"pad\": \"$BIG\"}"},
  "$R/custom": {"status": 403, "error": {"code": 403, "message": "nope",
   "status": "PERMISSION_DENIED"}}
 }}
EOF
LOG=$T/goog.jsonl
start_fake goog fakegoog.py --cert "$T/ca/server.pem" \
	--key "$T/ca/server.key" --scenario "$T/scenario.json" --log "$LOG"
EP=https://127.0.0.1:$PORT_goog/
# A plain HTTP instance: the http:// case, and a trap used as a proxy.
start_fake plain fakegoog.py --scenario "$T/scenario.json" \
	--log "$T/plain.jsonl"
touch "$T/plain.jsonl"

ms() { date +%s%3N; }

# ar ARGS...: the driver with the good token; $elapsed in ms.
ar() {
	_t0=$(ms)
	run env AR_TOKEN="$TOKEN" "$DRV" "$@"
	elapsed=$(($(ms) - _t0))
	# 0 or 2 (refused); anything else is a crash or a sanitizer report.
	case $rc in
	0 | 2) ;;
	*) not_ok "driver exit $rc: $*" "$(head -c 800 "$T/err")" ;;
	esac
}

# line NAME PATTERN: stdout has exactly one line matching (grep -E).
line() {
	if [ "$(grep -Ec -- "$2" "$T/out")" -eq 1 ]; then ok "$1"; else
		not_ok "$1" "want '$2' in:" "$(cat "$T/out")" \
		    "stderr: $(head -c 600 "$T/err")"
	fi
}

# requests RES: how many requests the HTTPS fake saw for $R/RES.
requests() {
	grep -c "\"resource\": \"$R/$1\"" "$LOG" || :
}

within() {
	if [ "$elapsed" -le "$2" ]; then ok "$1 (${elapsed} ms)"; else
		not_ok "$1" "took $elapsed ms, limit $2"
	fi
}

# --- plain answers ---
ar "$EP" "$CA" 5000 $R/granted
expect_rc "granted: exit 0" 0
line "granted" "^$R/granted granted 200 - - 1 -\$"

ar "$EP" "$CA" 5000 $R/denied
line "denied ({})" "^$R/denied denied 200 - - 1 .*does not exist"

ar "$EP" "$CA" 5000 $R/nosuch
line "unknown repository is a denial" "^$R/nosuch denied 200 - - 1 "

ar "$EP" "$CA" 5000 $R/other
line "another permission is a denial" "^$R/other denied 200 - - 1 "

ar "$EP" "$CA" 5000 $R/granted $R/granted $R/denied
line "duplicates: first" "^$R/denied denied 200 - - 1 "
if [ "$(grep -c "^$R/granted granted" "$T/out")" -eq 2 ] &&
    [ "$(requests granted)" -eq 2 ]; then
	ok "duplicates: both answered, one request"
else
	not_ok "duplicates: both answered, one request" "$(cat "$T/out")"
fi

# --- concurrency: 5 repositories, each answered after 0.6 s ---
ar -l "$EP" "$CA" 10000 $R/m1 $R/m2 $R/m3 $R/m4 $R/m5
line "mixed: m1" "^$R/m1 granted 200 - - - 1 -\$"
line "mixed: m2" "^$R/m2 denied 200 - - - 1 "
line "mixed: m3" "^$R/m3 granted 200 "
line "mixed: m4" "^$R/m4 error 403 PERMISSION_DENIED SERVICE_DISABLED "
line "mixed: m5" "^$R/m5 granted 200 "
within "mixed: in parallel, not 5 x 0.6 s" 2000
if pyrun - "$LOG" "$R" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
m = [r for r in recs if (r.get("resource") or "").rsplit("/", 1)[-1]
     in ("m1", "m2", "m3", "m4", "m5")]
assert len(m) == 5, len(m)
# All five were being served at one moment: they overlapped.
assert max(r["t_start"] for r in m) < min(r["t_end"] for r in m)
EOF
then ok "mixed: the 5 requests overlapped in the fake"
else not_ok "mixed: the 5 requests overlapped in the fake"; fi

# --- errors with google.rpc.Status ---
ar -l "$EP" "$CA" 5000 $R/expired
line "401 token expired" \
    "^$R/expired error 401 UNAUTHENTICATED ACCESS_TOKEN_EXPIRED artifactregistry.googleapis.com 1 Request had invalid"

ar -l "$EP" "$CA" 5000 $R/disabled
line "403 SERVICE_DISABLED: reason and service kept" \
    "^$R/disabled error 403 PERMISSION_DENIED SERVICE_DISABLED artifactregistry.googleapis.com 1 Artifact Registry API has not been used in project 42"

ar -l "$EP" "$CA" 5000 $R/quota
line "403 USER_PROJECT_DENIED" \
    "^$R/quota error 403 PERMISSION_DENIED USER_PROJECT_DENIED artifactregistry.googleapis.com 1 "

ar -l "$EP" "$CA" 5000 $R/custom
line "403 plain Status" "^$R/custom error 403 PERMISSION_DENIED - - 1 nope\$"

ar "$EP" "$CA" 5000 $R/notfound
line "404: no retry" "^$R/notfound error 404 NOT_FOUND - 1 "

run env AR_TOKEN=wrong-token "$DRV" -l "$EP" "$CA" 5000 $R/granted
line "wrong token: 401" \
    "^$R/granted error 401 UNAUTHENTICATED ACCESS_TOKEN_TYPE_UNSUPPORTED "
run env AR_TOKEN= "$DRV" "$EP" "$CA" 5000 $R/granted
expect_rc "empty token: refused before any request" 2

# --- retries ---
ar "$EP" "$CA" 5000 $R/ratelimited
line "429 + Retry-After, then granted" "^$R/ratelimited granted 200 - - 2 -\$"
if [ "$elapsed" -ge 950 ]; then ok "429: Retry-After: 1 honoured ($elapsed ms)"
else not_ok "429: Retry-After: 1 honoured" "took $elapsed ms"; fi

ar "$EP" "$CA" 5000 $R/flaky
line "503 twice, then granted (attempts=3)" "^$R/flaky granted 200 - - 3 -\$"
[ "$(requests flaky)" -eq 3 ] && ok "503: three requests" ||
	not_ok "503: three requests" "saw $(requests flaky)"

ar "$EP" "$CA" 5000 $R/broken
line "500 always: gives up after 4 attempts" \
    "^$R/broken error 500 INTERNAL - 4 "
within "500 always: inside the deadline, backoff 0.1-0.8 s" 2500
[ "$(requests broken)" -eq 4 ] && ok "500: exactly four requests" ||
	not_ok "500: exactly four requests" "saw $(requests broken)"

ar "$EP" "$CA" 500 $R/broken
line "500 always, short deadline: gives up early" \
    "^$R/broken error 500 INTERNAL - [123] "
within "500 always, short deadline: inside deadline + 1 s" 1500

ar "$EP" "$CA" 3000 $R/busy
line "503 with Retry-After past the deadline: no retry" \
    "^$R/busy error 503 UNAVAILABLE - 1 "
within "503 with Retry-After past the deadline: at once" 1000

ar "https://127.0.0.1:1/" "$CA" 3000 $R/granted
line "connection refused: retried 4 times" "^$R/granted error 0 - - 4 "
within "connection refused: inside the deadline" 3000

ar "$EP" "$CA" 1500 $R/slow
line "slow server: error, no HTTP answer" "^$R/slow error 0 - - 1 .*[Tt]imed out"
within "slow server: done within deadline + 1 s" 2500

# --- bodies that are not what was asked for ---
ar "$EP" "$CA" 5000 $R/malformed
line "malformed JSON" "^$R/malformed error 200 - - 1 HTTP 200: the answer is not valid JSON\$"

ar "$EP" "$CA" 5000 $R/html
line "HTML body: a proxy may have answered" \
    "^$R/html error 200 - - 1 HTTP 200: the answer is an HTML page.*proxy may have answered"

ar "$EP" "$CA" 5000 $R/huge
line "body over 1 MiB is an error" "^$R/huge error 200 - - 1 .*larger than 1048576 bytes"

# --- TLS ---
mkdir -p "$T/ca2"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other CA" \
	-keyout "$T/ca2/ca.key" -out "$T/ca2/ca.pem" 2>/dev/null
ar "$EP" "$T/ca2/ca.pem" 5000 $R/untrusted
line "untrusted CA: TLS error, one attempt" \
    "^$R/untrusted error 0 - - 1 .*(certificate|SSL)"
[ "$(requests untrusted)" -eq 0 ] && ok "untrusted CA: no request got through" ||
	not_ok "untrusted CA: no request got through"
within "untrusted CA: no retry storm" 1000

ar "https://localhost:$PORT_goog/" "$CA" 5000 $R/granted
line "https://localhost: name checked against the certificate" \
    "^$R/granted granted 200 "

if start_fake goog6 fakegoog.py --bind ::1 --cert "$T/ca/server.pem" \
	--key "$T/ca/server.key" --scenario "$T/scenario.json" 2>/dev/null; then
	ar "https://[::1]:$PORT_goog6/" "$CA" 5000 $R/granted
	line "https://[::1]" "^$R/granted granted 200 "
else
	skip "https://[::1]: no IPv6 loopback"
fi

# --- http:// only to loopback ---
ar "http://127.0.0.1:$PORT_plain/" - 5000 $R/granted
line "http:// to 127.0.0.1 is accepted" "^$R/granted granted 200 - - 1 -\$"
grep -q '"http_version": "HTTP/1.1"' "$T/plain.jsonl" &&
	ok "http://: reached the plain fake" || not_ok "http://: reached the plain fake"

# A proxy pointing at the plain fake catches any attempt to go out.
before=$(wc -l <"$T/plain.jsonl")
for u in http://ar.example.invalid/ http://127.0.0.1.evil.invalid/ \
    http://localhost.evil.invalid/ "http://user@127.0.0.1:$PORT_plain/"; do
	run env AR_TOKEN="$TOKEN" http_proxy="http://127.0.0.1:$PORT_plain" \
	    HTTPS_PROXY="http://127.0.0.1:$PORT_plain" \
	    ALL_PROXY="http://127.0.0.1:$PORT_plain" "$DRV" "$u" - 5000 $R/granted
	expect_rc "refused before any connection: $u" 2
done
grep_file "non-loopback http://: says why" "$T/err" "bad endpoint"
[ "$(wc -l <"$T/plain.jsonl")" -eq "$before" ] &&
	ok "refused endpoints: nothing reached the trap proxy" ||
	not_ok "refused endpoints: nothing reached the trap proxy"
ar "https://127.0.0.1:$PORT_goog" "$CA" 5000 $R/granted
expect_rc "endpoint without a final '/' is refused" 2

# --- headers ---
ar -p quota-project "$EP" "$CA" 5000 $R/up1
ar "$EP" "$CA" 5000 $R/up2
if pyrun - "$LOG" "$R" <<'EOF'
import json, sys
recs = {r["resource"]: r for r in map(json.loads, open(sys.argv[1]))
        if r.get("resource")}
up1, up2 = recs[sys.argv[2] + "/up1"], recs[sys.argv[2] + "/up2"]
assert up1["user_project"] == "quota-project", up1
assert up2["user_project"] is None, up2
assert up1["method"] == "POST" and up1["auth"] == "ok"
assert json.loads(up1["body"]) == {
    "permissions": ["artifactregistry.repositories.downloadArtifacts"]}
EOF
then ok "X-Goog-User-Project sent when set, absent when not; body as specified"
else not_ok "X-Goog-User-Project sent when set, absent when not"; fi

ar -v "$EP" "$CA" 5000 $R/granted
grep_file "verbose: Authorization shown redacted" "$T/err" \
    "^> Authorization: Bearer <redacted>\$"
grep_file "verbose: User-Agent" "$T/err" "^> User-Agent: gcloud-run-deploy/"
grep_not "verbose: no token on stderr" "$T/err" "$TOKEN"
grep_not "no token in the driver's output" "$T/out" "$TOKEN"
grep_not "no token in the fake's log" "$LOG" "$TOKEN"

done_testing
