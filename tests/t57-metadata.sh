#!/bin/sh
# t57-metadata.sh - Cloud Build, GCE, Cloud Run jobs and GKE: the metadata
# server supplies core/project, core/account and the token (metadata.h).
#
# Part 1, a Cloud Build-like environment (a loopback fake metadata server
# giving project, account and token; no --project, no config-helper
# answer): an update reads the deployed service and checks the images it
# keeps exactly as with --project; the token comes straight from the
# metadata server, and reaches nothing but the fakes.
# Part 2, parity with the REAL gcloud against the same fake metadata server:
# for each of gcloud's rules, the shim uses the same token, account and
# project as `gcloud config config-helper --format=json`.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { skip "t57: python3 missing: no fakes"; done_testing; exit 0; }
make_ca
make_recorder
TOKEN=ya29.meta-secret-token-31415926535
SA=123456789012@cloudbuild.gserviceaccount.com
XSA=extra@meta-project.iam.gserviceaccount.com
R=us-central1-docker.pkg.dev/p
P=projects/p/locations/us-central1/repositories
cat >"$T/scenario.json" <<EOF
{"token": "$TOKEN", "repositories": {
 "$P/ok": {"grant": true}, "$P/no": {"grant": false}}}
EOF
cat >"$T/seed.json" <<EOF
{"services": [
 {"project": "meta-project", "region": "us-central1", "name": "multi",
  "containers": [
   {"name": "side", "image": "$R/no/side:1"},
   {"name": "app", "image": "$R/ok/app:1", "ports": [{"containerPort": 8080}]}]},
 {"project": "meta-project", "region": "us-central1", "name": "plain",
  "image": "$R/ok/app:1"}]}
EOF
start_fake ar fakegoog.py --cert "$T/ca/server.pem" --key "$T/ca/server.key" \
	--scenario "$T/scenario.json" --log "$T/ar.jsonl"
start_fake run fakerun.py --log "$T/run.jsonl" --token "$TOKEN" \
	--seed "$T/seed.json"
start_fake meta fakemeta.py --log "$T/meta.jsonl" --project meta-project \
	--email "$SA" --token "$TOKEN" --extra-account "$XSA"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="https://127.0.0.1:$PORT_ar/"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://127.0.0.1:$PORT_run/"
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca/ca.pem"
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" GCLOUD_RUN_DEPLOY_TIMEOUT=10
# The Cloud Build-like environment: the metadata server on loopback, the
# GCE check on (lib.sh turns it off for every other test).
META=127.0.0.1:$PORT_meta
export GCE_METADATA_HOST="$META" GCE_METADATA_ROOT="$META" GCE_METADATA_IP="$META"
unset CLOUDSDK_CORE_CHECK_GCE_METADATA
W="$T/wrap"
mkdir -p "$W"
ln -s "$SHIM" "$W/gcloud"

# mark: where the next case's requests start in the fakes' logs.
mark() { log_mark "$T/meta.jsonl"; m0=$n0; log_mark "$T/run.jsonl"; r0=$n0; }
since() { tail -n +"$(($2 + 1))" "$1" 2>/dev/null || :; }
helper_ran() { [ -f "$T/helper-argv" ]; }
images() { sed 's/"reference":{[^}]*}//g' "$T/out" | tr '{' '\n' | sed -n 's/.*"image":"\([^"]*\)".*"result":"\([a-z]*\)".*/\1=\2/p' | sort | tr '\n' ' '; }

# 1. An update that names no image, no --project: the project is the
# metadata server's, the deployed service is read, its images checked.
mark
rm -f "$T/helper-argv"
run "$W/gcloud" run services update multi --memory=1Gi --region=us-central1 \
	--preflight=only --preflight-format=json
expect_rc "Cloud Build: update without --project, kept sidecar denied: 77" 77
meta_images=$(images)
since "$T/run.jsonl" "$r0" | grep -q '"path": "/v2/projects/meta-project/locations/us-central1/services/multi"' &&
	ok "Cloud Build: read the deployed service in the metadata server's project" ||
	not_ok "Cloud Build: read the deployed service in the metadata server's project" "$(since "$T/run.jsonl" "$r0")"
grep_file "Cloud Build: the principal is the metadata account" "$T/out" \
	"\"principal\":\"serviceAccount:$SA\""
if helper_ran; then not_ok "Cloud Build: no config-helper run"; else ok "Cloud Build: no config-helper run"; fi
since "$T/meta.jsonl" "$m0" >"$T/m.jsonl"
grep -q "/service-accounts/$SA/token\"" "$T/m.jsonl" &&
	ok "Cloud Build: the token came from the metadata server" ||
	not_ok "Cloud Build: the token came from the metadata server" "$(cat "$T/m.jsonl")"
if grep -v '"metadata-flavor": "Google"' "$T/m.jsonl" | grep -q .; then
	not_ok "Cloud Build: every metadata request carries Metadata-Flavor: Google"
else ok "Cloud Build: every metadata request carries Metadata-Flavor: Google"; fi
if grep -Eiq '"(authorization|x-forwarded-for)"' "$T/m.jsonl"; then
	not_ok "Cloud Build: no credential and no X-Forwarded-For to the metadata server"
else ok "Cloud Build: no credential and no X-Forwarded-For to the metadata server"; fi

# 2. The same with --project: the same images, the same results.
run "$W/gcloud" run services update multi --memory=1Gi --region=us-central1 \
	--project=meta-project --preflight=only --preflight-format=json
expect_rc "Cloud Build: the same update with --project: 77" 77
[ "$(images)" = "$meta_images" ] && [ -n "$meta_images" ] &&
	ok "Cloud Build: kept images checked exactly as with --project ($meta_images)" ||
	not_ok "Cloud Build: kept images checked exactly as with --project" \
		"without: $meta_images" "with: $(images)"

# 3. A Cloud Build deploy step: enforce, the named image and the kept one.
run "$SHIM" multi --region=us-central1 --image "$R/ok/app:2"
expect_rc "Cloud Build: deploy, the kept sidecar is denied: 77" 77
not_ran "Cloud Build: denied, gcloud did not run"
grep_file "Cloud Build: the denial names the kept sidecar" "$T/err" "$R/no/side:1"
grep_file "Cloud Build: the grant command names the metadata account" "$T/err" \
	"--member=serviceAccount:$SA"
run "$SHIM" plain --region=us-central1 --image "$R/ok/app:2"
expect_rc "Cloud Build: deploy, all granted: 0" 0
ran "Cloud Build: granted, gcloud ran"

# 3b. The metadata server is asked directly, never through a proxy: with
# http_proxy pointing at a closed port the token still comes from it.
mark
run env http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 \
	"$SHIM" plain --region=us-central1 --image "$R/ok/app:2"
expect_rc "Cloud Build, http_proxy set: all granted: 0" 0
since "$T/meta.jsonl" "$m0" | grep -q "/service-accounts/$SA/token\"" &&
	ok "Cloud Build, http_proxy set: the token came straight from the metadata server" ||
	not_ok "Cloud Build, http_proxy set: the token came straight from the metadata server" \
		"$(since "$T/meta.jsonl" "$m0")"

# 4. Plan mode reads nothing over the network, the metadata server included.
mark
run "$SHIM" multi --region=us-central1 --image "$R/ok/app:2" --preflight=plan
expect_rc "plan mode: 0" 0
[ "$(log_lines "$T/meta.jsonl")" -eq "$m0" ] && ok "plan mode: no metadata request" ||
	not_ok "plan mode: no metadata request" "$(since "$T/meta.jsonl" "$m0")"

# 5. check_gce_metadata off: gcloud asks no metadata server; no project.
mark
rm -f "$T/helper-argv"
run env CLOUDSDK_CORE_CHECK_GCE_METADATA=false FAKE_TOKEN="$TOKEN" \
	"$W/gcloud" run services update multi --memory=1Gi --region=us-central1
expect_rc "check_gce_metadata=false: no project, the update cannot be read: 69" 69
grep_file "check_gce_metadata=false: says the project is missing" "$T/err" "no project"
[ "$(log_lines "$T/meta.jsonl")" -eq "$m0" ] &&
	ok "check_gce_metadata=false: no metadata request" ||
	not_ok "check_gce_metadata=false: no metadata request" "$(since "$T/meta.jsonl" "$m0")"

# 6. gcloud's on-GCE cache: a fresh "False" means not on GCE, "True" skips
# the server check; a stale one is not trusted.
mark
printf False >"$CLOUDSDK_CONFIG/gce"
run env FAKE_TOKEN="$TOKEN" "$W/gcloud" run services update multi \
	--memory=1Gi --region=us-central1
expect_rc "gce cache False: not on GCE, no project: 69" 69
[ "$(log_lines "$T/meta.jsonl")" -eq "$m0" ] && ok "gce cache False: no metadata request" ||
	not_ok "gce cache False: no metadata request" "$(since "$T/meta.jsonl" "$m0")"
printf True >"$CLOUDSDK_CONFIG/gce"
mark
run "$W/gcloud" run services update multi --memory=1Gi --region=us-central1
expect_rc "gce cache True: on GCE: 77" 77
if since "$T/meta.jsonl" "$m0" | grep -q numeric-project-id; then
	not_ok "gce cache True: no on-GCE request"; else ok "gce cache True: no on-GCE request"; fi
printf False >"$CLOUDSDK_CONFIG/gce"
touch -d '-11 minutes' "$CLOUDSDK_CONFIG/gce"
run "$W/gcloud" run services update multi --memory=1Gi --region=us-central1
expect_rc "gce cache False but stale: the server is asked again: 77" 77
rm -f "$CLOUDSDK_CONFIG/gce"

# 7. A token in the environment is gcloud's token, not the metadata
# server's; the project still comes from the metadata server.
mark
run env CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" "$W/gcloud" run services update \
	multi --memory=1Gi --region=us-central1
expect_rc "token in the environment: project from the metadata server: 77" 77
if since "$T/meta.jsonl" "$m0" | grep -q '/token"'; then
	not_ok "token in the environment: no metadata token request"
else ok "token in the environment: no metadata token request"; fi

# 8. core/account another account the metadata server lists: its token.
mark
run env CLOUDSDK_CORE_ACCOUNT="$XSA" "$W/gcloud" run services update \
	multi --memory=1Gi --region=us-central1 --preflight=only
expect_rc "core/account another metadata account: its own token (the fake refuses it): 69" 69
since "$T/meta.jsonl" "$m0" | grep -q "/service-accounts/$XSA/token\"" &&
	ok "core/account another metadata account: its token was asked" ||
	not_ok "core/account another metadata account: its token was asked"

# 9. core/account the metadata server does not list: config-helper decides.
rm -f "$T/helper-argv"
run env CLOUDSDK_CORE_ACCOUNT=nobody@example.com FAKE_TOKEN="$TOKEN" \
	FAKE_ACCOUNT=nobody@example.com "$W/gcloud" run services update multi \
	--memory=1Gi --region=us-central1 --preflight=only
if helper_ran; then ok "unlisted core/account: config-helper asked"; else
	not_ok "unlisted core/account: config-helper asked"; fi

# 10. The fake behaves as the real server: no Metadata-Flavor, or an
# X-Forwarded-For, is refused.
if command -v curl >/dev/null; then
	c1=$(curl -s -o /dev/null -w '%{http_code}' "http://$META/computeMetadata/v1/project/project-id")
	c2=$(curl -s -o /dev/null -w '%{http_code}' -H 'Metadata-Flavor: Google' \
		-H 'X-Forwarded-For: 1.2.3.4' "http://$META/computeMetadata/v1/project/project-id")
	[ "$c1 $c2" = "403 403" ] && ok "fakemeta refuses as the real server does" ||
		not_ok "fakemeta refuses as the real server does" "$c1 $c2"
else
	skip "curl missing: fakemeta's refusals not checked"
fi

# 11. The token reached nothing but the fakes: not the output, not a file.
run env GCLOUD_RUN_DEPLOY_VERBOSE=1 "$W/gcloud" run services update multi \
	--memory=1Gi --region=us-central1
if grep -rlF "$TOKEN" "$T" --exclude=scenario.json --exclude=cmdline \
	--exclude-dir=bin >"$T/leaks" 2>/dev/null; then
	not_ok "the metadata token is in no output and no file" "$(cat "$T/leaks")"
else ok "the metadata token is in no output and no file"; fi

# ---------------------------------------------------------------------
# Part 2: parity with the real gcloud, the same fake metadata server.
if ! have_gcloud; then
	skip "t57: /usr/bin/gcloud is not installed: NO METADATA PARITY TEST"
	done_testing
	exit
fi
unset CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY \
	CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE \
	GCLOUD_RUN_DEPLOY_GCLOUD
export CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true
export CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true
# The wire: Artifact Registry (grants everything), Cloud Run v2 (no such
# service) and iamcredentials (mints "P.imp:SA"), plain http on loopback.
# It logs the SHA-256 of each bearer, never the bearer.
cat >"$T/wire.py" <<'EOF'
import hashlib, json, re, sys, threading, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
lock = threading.Lock()
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def handle_one(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        auth = self.headers.get("Authorization") or ""
        b = auth[7:] if auth.startswith("Bearer ") else ""
        m = re.search(r"/serviceAccounts/([^/:]+):generateAccessToken$",
                      self.path)
        if self.path.endswith(":testIamPermissions"):
            code, out = 200, {"permissions": [
                "artifactregistry.repositories.downloadArtifacts"]}
        elif m and self.command == "POST":
            code, out = 200, {"accessToken": "P.imp:" + urllib.parse.unquote(
                m.group(1)), "expireTime": "2099-01-01T00:00:00Z"}
        else:
            code, out = 404, {"error": {"code": 404, "status": "NOT_FOUND",
                              "message": "Requested entity was not found."}}
        rec = {"method": self.command, "path": self.path,
               "bearer": hashlib.sha256(b.encode()).hexdigest() if b else None}
        with lock, open(sys.argv[2], "a") as f:
            f.write(json.dumps(rec) + "\n")
        data = json.dumps(out).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    do_GET = do_POST = handle_one
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
EOF
: >"$T/wire.jsonl"
python3 "$T/wire.py" "$T/wire.port" "$T/wire.jsonl" >"$T/wire.log" 2>&1 &
_pids="$_pids $!"
wait_fake wire $! 2>"$T/wire.err" ||
	{ not_ok "t57: the wire fake did not start" "$(cat "$T/wire.err")"; done_testing; exit; }
WIRE=http://127.0.0.1:$(cat "$T/wire.port")/
# The credential store: a logged-in user with a cached token, and the
# metadata account itself as gcloud stores it after a first use (type
# "gce") with a cached token; both far from expiry.
python3 - "$T" "$WIRE" "$SA" <<'EOF'
import json, sqlite3, sys
t, wire, sa = sys.argv[1:4]
c = sqlite3.connect(t + "/credentials.db")
c.execute('CREATE TABLE "credentials" (account_id TEXT PRIMARY KEY, value BLOB)')
c.execute("INSERT INTO credentials VALUES (?, ?)", ("u@example.com", json.dumps({
    "type": "authorized_user", "client_id": "c.apps.googleusercontent.com",
    "client_secret": "not-a-secret", "refresh_token": "rt:u@example.com",
    "token_uri": wire + "token"})))
c.execute("INSERT INTO credentials VALUES (?, ?)", (sa, json.dumps({
    "type": "gce", "service_account_email": sa,
    "universe_domain": "googleapis.com"})))
c.commit()
c = sqlite3.connect(t + "/access_tokens.db")
c.execute('CREATE TABLE "access_tokens" (account_id TEXT PRIMARY KEY, '
          'access_token TEXT, token_expiry TIMESTAMP, rapt_token TEXT, '
          'id_token TEXT)')
for a, tok in (("u@example.com", "P.user:u@example.com"),
               (sa, "P.cached-gce-token")):
    c.execute("INSERT INTO access_tokens VALUES (?, ?, ?, NULL, NULL)",
              (a, tok, "2099-01-01 00:00:00"))
c.commit()
# The same store, the metadata account's cached token near its expiry.
import datetime, shutil
for db in ("credentials.db", "access_tokens.db"):
    shutil.copy(t + "/" + db, t + "/exp-" + db)
c = sqlite3.connect(t + "/exp-access_tokens.db")
soon = datetime.datetime.utcnow() + datetime.timedelta(seconds=100)
c.execute("UPDATE access_tokens SET token_expiry = ? WHERE account_id = ?",
          (str(soon), sa))
c.commit()
EOF
IMP=imp@meta-project.iam.gserviceaccount.com
# name | setup | env | flags | expected: token (T, T.EXTRA, P.xxx, -),
# project, and "direct" where the shim must read the token itself (no
# config-helper run, nothing left in gcloud's folder).
# setup: "store" copies the credential store ("store-exp": with the
# metadata account's token near expiry), "gce=False" writes a fresh
# on-GCE cache file.  env/flags as in t50 (space-separated).
cat >"$T/mcases" <<EOF
metadata          |           |                                          |                        | $TOKEN meta-project direct
check-off         |           | CLOUDSDK_CORE_CHECK_GCE_METADATA=false   |                        | - -
gce-cache-false   | gce=False |                                          |                        | - -
gce-cache-true    | gce=True  |                                          |                        | $TOKEN meta-project direct
account-in-store  | store     | CLOUDSDK_CORE_ACCOUNT=u@example.com      |                        | P.user:u@example.com meta-project
account-listed    |           | CLOUDSDK_CORE_ACCOUNT=$XSA               |                        | $TOKEN.EXTRA meta-project direct
account-flag      |           |                                          | --account=$XSA         | $TOKEN.EXTRA meta-project direct
account-unlisted  |           | CLOUDSDK_CORE_ACCOUNT=nobody@example.com |                        | - meta-project
metadata-stored   | store     |                                          |                        | P.cached-gce-token meta-project direct
stored-expiring   | store-exp |                                          |                        | $TOKEN meta-project direct
token-env         |           | CLOUDSDK_AUTH_ACCESS_TOKEN=RAW-ENV-TOKEN |                        | RAW-ENV-TOKEN meta-project
project-env       |           | CLOUDSDK_CORE_PROJECT=p-env              |                        | $TOKEN p-env direct
project-flag      |           | CLOUDSDK_CORE_PROJECT=p-env              | --project=p-flag       | $TOKEN p-flag direct
impersonation     |           | CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT=$IMP |                  | P.imp:$IMP meta-project
EOF
n=0
while IFS='|' read -r name setup envs flags expect; do
	n=$((n + 1))
	name=$(echo $name)
	C=$T/m/$name
	mkdir -p "$C"
	case $setup in
	*store-exp*) cp "$T/exp-credentials.db" "$C/credentials.db"
		cp "$T/exp-access_tokens.db" "$C/access_tokens.db" ;;
	*store*) cp "$T/credentials.db" "$T/access_tokens.db" "$C/" ;;
	esac
	case $setup in
	*gce=*) printf '%s' "$(echo ${setup#*gce=})" >"$C/gce" ;;
	esac
	echo "# metadata case $n: $name"
	printf '%s|%s|%s\n' "$name" "$(echo $expect)" "$envs" >>"$T/mcases.run"
	# 1. the shim, as a Cloud Build step would run it (--preflight=only).
	# shellcheck disable=SC2086
	env CLOUDSDK_CONFIG="$C" GCLOUD_RUN_DEPLOY_GCLOUD=/usr/bin/gcloud \
		CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="$WIRE" \
		CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="$WIRE" \
		CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS="$WIRE" \
		GCLOUD_RUN_DEPLOY_TIMEOUT=60 $envs \
		"$SHIM" --preflight=only --preflight-format=json svc$n \
		--image=us-docker.pkg.dev/p/case$n/i:1 --region=us-central1 \
		$flags >"$C.shim" 2>"$C.shim-err" </dev/null || :
	# What the shim left in gcloud's folder: config-helper's log, if run.
	ls "$C/logs" >"$C.helper" 2>/dev/null || :
	grep -rlF "$TOKEN" "$C" "$C.shim" "$C.shim-err" >"$C.leak" 2>/dev/null || :
	# 2. gcloud: the token and properties it uses.
	# shellcheck disable=SC2086
	env CLOUDSDK_CONFIG="$C" \
		CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS="$WIRE" $envs \
		timeout 120 gcloud config config-helper --format=json $flags \
		>"$C.gcloud" 2>"$C.gcloud-err" </dev/null || :
done <"$T/mcases"
sleep 0.2
python3 - "$T" "$T/wire.jsonl" <<'EOF' >"$T/mcmp" 2>&1 || :
import hashlib, json, os, sys
t, wirelog = sys.argv[1:3]
wire = [json.loads(l) for l in open(wirelog)]
sha = lambda s: hashlib.sha256(s.encode()).hexdigest() if s else None
for k, line in enumerate(open(t + "/mcases.run"), 1):
    name, expect, envs = line.rstrip("\n").split("|")
    want = [None if x == "-" else x for x in expect.split()]
    want_tok, want_proj, direct = want[0], want[1], want[2:] == ["direct"]
    c = t + "/m/" + name
    bad = []
    try:
        g = json.load(open(c + ".gcloud"))
    except ValueError:
        g = {}
    props = g.get("configuration", {}).get("properties", {})
    gtok = g.get("credential", {}).get("access_token")
    gacct = props.get("core", {}).get("account")
    gproj = props.get("core", {}).get("project")
    try:
        s = json.load(open(c + ".shim"))
    except ValueError:
        s = {}
    ar = [r for r in wire if "/case%d:" % k in r["path"] or
          "/case%d/" % k in r["path"]]
    stok = ar[0]["bearer"] if ar else None
    reads = [r["path"].split("/")[3] for r in wire
             if r["path"].startswith("/v2/projects/") and
             r["path"].endswith("/services/svc%d" % k)]
    sproj = reads[0] if reads else None
    # gcloud's principal: the last of an impersonation chain, else the
    # account's, nobody for a raw token.
    imp = props.get("auth", {}).get("impersonate_service_account")
    if not gtok:
        gwho = None
    elif imp:
        gwho = "serviceAccount:" + imp.split(",")[-1].strip()
    elif "CLOUDSDK_AUTH_ACCESS_TOKEN=" in envs:
        gwho = None
    elif gacct and not gacct.endswith(".gserviceaccount.com"):
        gwho = "user:" + gacct
    else:
        gwho = "serviceAccount:" + gacct if gacct else None
    swho = s.get("principal") if stok else None
    if sha(gtok) != stok:
        bad.append("token: shim sent %s, gcloud uses %s" %
                   (stok and stok[:12], sha(gtok) and sha(gtok)[:12]))
    if sha(want_tok) != stok:
        bad.append("token: shim sent %s, want %s" % (stok and stok[:12],
                                                    want_tok))
    if stok and sproj != gproj:
        bad.append("project: shim read %r, gcloud %r" % (sproj, gproj))
    if gtok and gproj != want_proj:
        bad.append("project: gcloud %r, want %r" % (gproj, want_proj))
    if stok and swho != gwho:
        bad.append("principal: shim %r, gcloud %r" % (swho, gwho))
    helper = os.path.getsize(c + ".helper") > 0
    if direct and helper:
        bad.append("the shim ran config-helper where the metadata token is certain")
    if direct and os.path.getsize(c + ".leak") > 0:
        bad.append("the token is in " + open(c + ".leak").read().replace("\n", " "))
    print("%s %s%s" % ("ok" if not bad else "BAD", name,
                       "" if not bad else ": " + "; ".join(bad)))
    if bad:
        print("#   shim: %s" % open(c + ".shim-err").read()[-300:].replace("\n", " "))
        print("#   gcloud: %s" % open(c + ".gcloud-err").read()[-300:].replace("\n", " "))
EOF
while read -r verdict name rest; do
	case $verdict in
	ok) ok "metadata parity $name: same token, account and project as gcloud" ;;
	BAD) not_ok "metadata parity $name" "${rest:-}" ;;
	"#") echo "# $name $rest" ;;
	*) not_ok "metadata parity: compare failed" "$verdict $name $rest" ;;
	esac
done <"$T/mcmp"
[ "$(grep -c '^ok ' "$T/mcmp")" -eq "$n" ] && ok "metadata parity: all $n cases compared" ||
	not_ok "metadata parity: $(grep -c '^ok ' "$T/mcmp") of $n cases agree"

done_testing
