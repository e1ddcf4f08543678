#!/bin/sh
# t50-parity.sh - the shim's plan mode against the REAL gcloud: same
# principal, configuration, project, region, quota project, Artifact
# Registry endpoint, CA file and proxy, for every case of the table below.
#
# For each case, in a fresh CLOUDSDK_CONFIG (the SDK root is never written):
#   1. shim:   gcloud-run-deploy --preflight=plan --preflight-format=json
#              svc --image=IMG FLAGS          (runs first: gcloud may
#              rewrite config_default when active_config is missing)
#   2. gcloud config list --format=json FLAGS: the effective properties,
#      and "Your active configuration is: [NAME]" on stderr;
#   3. the wire: gcloud artifacts repositories describe
#      projects/px/locations/us/repositories/caseN FLAGS, pointed at a
#      loopback fake (written below) through api_endpoint_overrides for
#      artifactregistry and iamcredentials.  What gcloud actually sends is
#      the truth for the principal (whose token is the bearer: stored
#      credentials with cached tokens "P.user:EMAIL", impersonation tokens
#      "P.serviceAccount:EMAIL" minted by the fake, raw tokens that name
#      nobody) and for X-Goog-User-Project.
# run deploy's --region is not a global flag: for gcloud it becomes
# CLOUDSDK_RUN_REGION, the level just below a flag.
# gcloud's side does not depend on the build: tests/run gives this script
# every build's binary at once (SHIMS), and each is compared with it.
# tests/run: every build
. "$(dirname "$0")/lib.sh"

if ! have_gcloud; then
	skip "t50: /usr/bin/gcloud is not installed: NO PARITY TEST"
	done_testing
	exit
fi
if ! command -v python3 >/dev/null 2>&1; then
	skip "t50: python3 is not installed: NO PARITY TEST"
	done_testing
	exit
fi
sdk_env_ours
unset GCLOUD_RUN_DEPLOY_GCLOUD
PY=$T/compare.py
fast_gcloud
SHIMS=${SHIMS:-$SHIM}

# compare.py CASEDIR TAG WIRELOG AR EXPECT: the two sides of one case.
cat >"$PY" <<'EOF'
import json, re, sys
from urllib.parse import urljoin
c, tag, wirelog, ar, expect, k = sys.argv[1:7]
def rd(suffix):
    try:
        return open(c + suffix).read()
    except OSError:
        return ""
def g(o, *ks):
    for k in ks:
        o = o.get(k) if isinstance(o, dict) else None
    return o
KEYS = ["principal", "config", "account", "imp", "project", "region",
        "quota", "ep", "ca", "proxy"]
# The shim's plan.
try:
    sj = json.loads(rd(".shim" + k))
    st = sj.get("settings") or {}
    shim = {"principal": sj.get("principal"),
            "config": st.get("configuration"), "account": st.get("account"),
            "imp": st.get("impersonate_service_account"),
            "project": st.get("project"), "region": st.get("region"),
            "quota": st.get("quota_project"),
            "ep": st.get("artifactregistry_endpoint"),
            "ca": st.get("custom_ca_certs_file"), "proxy": st.get("proxy")}
    if shim["ep"] is None:      # transport_load() refused the settings
        shim["ep"] = shim["proxy"] = "refused"
except ValueError:
    shim = dict.fromkeys(KEYS, "no plan: " + rd(".shim%s-err" % k)[-300:])
# gcloud: config list, then the wire.
wire = no_wire = None
if " wire=no " not in " " + expect + " ":
    for line in open(wirelog).read().splitlines():
        r = json.loads(line)
        if r["path"].split("?")[0].endswith("/repositories/" + tag):
            wire = r
    if wire is None:
        no_wire = rd(".wire-err").strip().splitlines()[-1:] or ["?"]
werr = rd(".wire-err")
if re.search("NameResolution|Failed to resolve|googleapis.com'", werr):
    print("gcloud tried to leave loopback: " + werr[-600:])
    sys.exit(1)
# gcloud refuses a bad endpoint override or proxy (properties.py
# EndpointValidator, the proxy/type choices; core/requests.py all-or-none).
refused = re.search(r"Invalid value for property \[(proxy|api_endpoint_"
                    r"overrides)/|Please set all or none of the following "
                    r"properties: proxy", werr)
# An empty or malformed core/project fails every command: the principal
# and quota project are then taken from the properties, as gcloud would.
badproj = re.search(r"gcloud config unset project|Invalid value for "
                    r"property \[core/project\]", werr)
if refused or badproj:
    no_wire = None
try:
    L = json.loads(rd(".list"))
    name = g(L, "configuration", "active_configuration")
    if "configuration" in L:     # config-helper, else config list
        L = g(L, "configuration", "properties")
    gc = {"config": name,
          "account": g(L, "core", "account"),
          "imp": g(L, "auth", "impersonate_service_account"),
          "project": g(L, "core", "project"), "region": g(L, "run", "region"),
          "ca": g(L, "core", "custom_ca_certs_file")}
    ov = g(L, "api_endpoint_overrides", "artifactregistry")
    if refused:
        gc["ep"] = gc["proxy"] = "refused"
    elif ov and ov.startswith(ar) and wire is not None:
        path = wire["path"]
        gc["ep"] = ar + path[1:path.index("v1/")]
    else:   # apitools joins the relative path as urljoin() does
        gc["ep"] = urljoin(ov or "https://artifactregistry.googleapis.com/",
                           "v1")[:-2]
    pt, pa, pp = (g(L, "proxy", k) for k in ("type", "address", "port"))
    nset = len([x for x in (pt, pa, pp) if x])    # core/requests.py
    if refused:
        pass
    elif nset == 0:
        gc["proxy"] = None
    elif nset != 3:
        gc["proxy"] = "error"
    else:
        rdns = (g(L, "proxy", "rdns") or "true").lower() in (
            "1", "true", "on", "yes", "y")
        sch = {"http": "http", "http_no_tunnel": "http",
               "socks4": "socks4a" if rdns else "socks4",
               "socks5": "socks5h" if rdns else "socks5"}.get(pt, "error")
        gc["proxy"] = "%s://%s:%s" % (sch, pa, pp)
    # store.py _Load()/Load(): a raw token, then the account; the last
    # of an impersonation chain wraps either.  creds.py GetQuotaProject().
    raw = bool(re.search(r"CLOUDSDK_AUTH_ACCESS_TOKEN=\S", rd(".env"))) or \
        bool(g(L, "auth", "access_token_file"))
    chain = [x.strip() for x in (gc["imp"] or "").split(",")]
    if chain[-1]:
        who = "serviceAccount:" + chain[-1]
    elif raw or not gc["account"]:
        who = None
    elif gc["account"].endswith(".gserviceaccount.com"):
        who = "serviceAccount:" + gc["account"]
    else:
        who = "user:" + gc["account"]
    q = g(L, "billing", "quota_project")
    if q in (None, "CURRENT_PROJECT", "CURRENT_PROJECT_WITH_FALLBACK"):
        q = gc["project"] if who and who.startswith("user:") and \
            not chain[-1] else None
    elif q == "LEGACY":
        q = None
    gc["principal"], gc["quota"] = who, None if refused else q
    if wire is not None:
        b = wire["bearer"] or ""
        gc["principal"] = b[2:] if b.startswith("P.") else None
        gc["quota"] = wire["user_project"]
    elif no_wire is not None:
        if "do not currently have an active account" in werr:
            gc["principal"] = gc["quota"] = None
        else:
            gc["principal"] = gc["quota"] = "error: " + no_wire[0][-200:]
except ValueError:
    gc = dict.fromkeys(KEYS, "no config list: " + rd(".list-err")[-300:])
# The plan prints "" as null; config list alone does not name the
# configuration (config-helper, which does, failed: nothing to compare).
for d in (shim, gc):
    for k in KEYS:
        d[k] = None if d[k] == "" else d[k]
if gc["config"] is None and " config=" not in " " + expect:
    gc["config"] = shim["config"]
bad = 0
for k in KEYS:
    if shim[k] != gc[k]:
        print("DISAGREE %s: shim=%r gcloud=%r" % (k, shim[k], gc[k]))
        bad = 1
for e in expect.split():
    k, _, v = e.partition("=")
    if k == "wire":
        continue
    want = None if v == "-" else v
    for side, d in (("shim", shim), ("gcloud", gc)):
        if d.get(k, "?") != want:
            print("UNEXPECTED %s on the %s side: %r, want %r" %
                  (k, side, d.get(k, "?"), want))
            bad = 1
if bad:
    print("shim:   " + json.dumps(shim, sort_keys=True))
    print("gcloud: " + json.dumps(gc, sort_keys=True))
sys.exit(bad)
EOF

# The fake: iamcredentials generateAccessToken mints "P.serviceAccount:SA";
# everything else is a 404 google.rpc.Status.  Absolute-form requests (it
# is also an HTTP proxy, for the proxy cases) are logged as such.
cat >"$T/fake.py" <<'EOF'
import base64, json, re, sys, threading, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
lock = threading.Lock()
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def handle_one(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        path, proxied = self.path, self.path.startswith("http://")
        if proxied:
            path = "/" + path.split("/", 3)[3]
        auth = self.headers.get("Authorization") or ""
        m = re.search(r"/serviceAccounts/([^/:]+):generateAccessToken$", path)
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if path == "/token" and form.get("refresh_token"):
            code, out = 200, {"access_token": "P.user:" +
                              form["refresh_token"][0][3:],
                              "expires_in": 3600, "token_type": "Bearer"}
        elif path == "/token" and form.get("assertion"):
            jwt = form["assertion"][0].split(".")[1]
            iss = json.loads(base64.urlsafe_b64decode(jwt + "==="))["iss"]
            code, out = 200, {"access_token": "P.serviceAccount:" + iss,
                              "expires_in": 3600, "token_type": "Bearer"}
        elif m and self.command == "POST":
            sa = urllib.parse.unquote(m.group(1))
            code, out = 200, {"accessToken": "P.serviceAccount:" + sa,
                              "expireTime": "2099-01-01T00:00:00Z"}
        else:
            code, out = 404, {"error": {"code": 404, "status": "NOT_FOUND",
                              "message": "Requested entity was not found."}}
        rec = {"method": self.command, "path": path, "proxied": proxied,
               "bearer": auth[7:] if auth.startswith("Bearer ") else None,
               "user_project": self.headers.get("X-Goog-User-Project")}
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
python3 "$T/fake.py" "$T/fake.port" "$T/wire.jsonl" >"$T/fake.log" 2>&1 &
_pids="$_pids $!"
wait_fake fake $! 2>"$T/fake.err" ||
	{ not_ok "t50: the fake did not start" "$(cat "$T/fake.err")"; done_testing; exit; }
PORT=$(cat "$T/fake.port")
AR=http://127.0.0.1:$PORT/
# Should gcloud ever refresh a token or impersonate, it asks the fake.
export CLOUDSDK_AUTH_TOKEN_HOST="${AR}token"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS="$AR"

# Stored credentials with cached, far-future tokens: gcloud never refreshes
# them, so nothing leaves the machine.  The service account's key is real
# (google-auth parses it) but made here.
openssl genrsa -out "$T/sa.key" 2048 2>/dev/null
pyrun - "$T" "$AR" <<'EOF'
import json, sqlite3, sys
t = sys.argv[1]
key = open(t + "/sa.key").read()
users = ["u@example.com", "v@example.com"]
sa = "deploy@p.iam.gserviceaccount.com"
c = sqlite3.connect(t + "/credentials.db")
c.execute('CREATE TABLE "credentials" (account_id TEXT PRIMARY KEY, value BLOB)')
for u in users:
    c.execute("INSERT INTO credentials VALUES (?, ?)", (u, json.dumps({
        "type": "authorized_user", "client_id": "c.apps.googleusercontent.com",
        "client_secret": "not-a-secret", "refresh_token": "rt:" + u,
        "token_uri": sys.argv[2] + "token"})))
c.execute("INSERT INTO credentials VALUES (?, ?)", (sa, json.dumps({
    "type": "service_account", "project_id": "p", "private_key_id": "k1",
    "private_key": key, "client_email": sa, "client_id": "1",
    "token_uri": sys.argv[2] + "token"})))
c.commit()
c = sqlite3.connect(t + "/access_tokens.db")
c.execute('CREATE TABLE "access_tokens" (account_id TEXT PRIMARY KEY, '
          'access_token TEXT, token_expiry TIMESTAMP, rapt_token TEXT, '
          'id_token TEXT)')
for a, kind in [(u, "user") for u in users] + [(sa, "serviceAccount")]:
    c.execute("INSERT INTO access_tokens VALUES (?, ?, ?, NULL, NULL)",
              (a, "P.%s:%s" % (kind, a), "2099-01-01 00:00:00"))
c.commit()
EOF
printf 'RAW-TOKEN-FROM-FILE\n' >"$T/raw-token"
cp /etc/ssl/certs/ca-certificates.crt "$T/ca.pem" 2>/dev/null ||
	printf 'not a CA\n' >"$T/ca.pem"

# Configuration files: printf %b text; {T}, {PORT}, {AR} are filled in.
U=u@example.com
SA1=imp1@p.iam.gserviceaccount.com SA2=imp2@p.iam.gserviceaccount.com
I_BASIC='[core]\naccount = u@example.com\nproject = p-basic\n'
I_DEV='[core]\naccount = v@example.com\nproject = p-dev\n[run]\nregion = europe-west1\n'
I_LEGACY='[core]\naccount = v@example.com\nproject = p-legacy\n'
I_UPPER='[core]\nACCOUNT = v@example.com\nProject = p-upper\n'
I_UPSECT='[CORE]\naccount = v@example.com\nproject = p-upsect\n'
I_COMMENT='# a comment\n[core]\n; another\naccount = u@example.com\nproject = p-c\n  # indented comment\n[run]\nregion = us-east1 ; not a comment\n'
I_CONT='[core]\naccount = u@example.com\nproject = p-cont\n[run]\nregion = us-central1\n  continued\n\n  after a blank\n'
I_DEFAULT='[DEFAULT]\nregion = asia-east1\nproject = p-dflt\n[core]\naccount = u@example.com\n[run]\n'
I_DEFNORUN='[DEFAULT]\nregion = asia-east1\n[core]\naccount = u@example.com\nproject = p-dnr\n'
I_PCT='[core]\naccount = u@example.com\nproject = p-pct\n[run]\nregion = us-%%x\n[api_endpoint_overrides]\nhost = 127.0.0.1:{PORT}\nartifactregistry = http://%(host)s/ar/\n'
I_EMPTY='[core]\naccount = u@example.com\nproject =\n[run]\nregion =\n'
I_CRLF='[core]\r\naccount = v@example.com\r\nproject = p-crlf\r\n[run]\r\nregion = us-west1\r\n'
I_CR='[core]\raccount = v@example.com\rproject = p-cr\r'
I_COLON='[core]\naccount: v@example.com\nproject:p-colon\n'
I_BILL='[core]\naccount = u@example.com\nproject = p-b\n[billing]\nquota_project = q-file\n'
I_LEGQ='[core]\naccount = u@example.com\nproject = p-l\n[billing]\nquota_project = LEGACY\n'
I_SA='[core]\naccount = deploy@p.iam.gserviceaccount.com\nproject = p-sa\n'
I_IMP='[core]\naccount = u@example.com\nproject = p-i\n[auth]\nimpersonate_service_account = imp1@p.iam.gserviceaccount.com , imp2@p.iam.gserviceaccount.com\n'
I_PROXY='[core]\naccount = u@example.com\nproject = p-x\n[proxy]\ntype = http\naddress = 127.0.0.1\nport = {PORT}\nusername = bob\npassword = s3cret\n'
I_CA='[core]\naccount = u@example.com\nproject = p-ca\ncustom_ca_certs_file = {T}/ca.pem\n'
I_TOKF='[core]\naccount = u@example.com\nproject = p-t\n[auth]\naccess_token_file = {T}/raw-token\n'
I_AREP='[core]\naccount = u@example.com\nproject = p-ep\n[api_endpoint_overrides]\nartifactregistry = {AR}ar/v9\n'

# name | files | env | flags | expectations (both sides must match them)
# files: NAME=VAR writes configurations/config_NAME, legacy=VAR writes the
# legacy CONFIG/properties, @NAME writes active_config ("+nl": "NAME\n",
# "+crlf": "NAME\r\n").  env and flags: space-separated, {T} {AR} {PORT}
# filled in.  Expectations: key=value, "-" for null; keys: principal
# config project region quota ep ca proxy; "wire=no": no wire run.
cat >"$T/cases" <<EOF
empty            |                                   |                                            |                               | principal=- project=- quota=- config=default region=-
basic            | default=I_BASIC @default          |                                            |                               | principal=user:$U project=p-basic quota=p-basic
active-dev       | default=I_BASIC dev=I_DEV @dev    |                                            |                               | principal=user:v@example.com project=p-dev region=europe-west1 quota=p-dev config=dev
active-newline   | default=I_BASIC dev=I_DEV @dev+nl |                                            |                               | principal=- project=-
active-crlf      | default=I_BASIC dev=I_DEV @dev+crlf |                                          |                               | principal=- project=-
no-active        | default=I_BASIC                   |                                            |                               | principal=- project=- config=default
no-active-legacy | default=I_BASIC legacy=I_LEGACY   |                                            |                               | principal=user:v@example.com project=p-legacy
bad-active-name  | default=I_BASIC Dev=I_DEV @Dev    |                                            |                               | principal=- config=default
env-config       | default=I_BASIC dev=I_DEV @default | CLOUDSDK_ACTIVE_CONFIG_NAME=dev           |                               | config=dev project=p-dev
flag-config      | default=I_BASIC dev=I_DEV @default | CLOUDSDK_ACTIVE_CONFIG_NAME=default       | --configuration=dev           | config=dev principal=user:v@example.com
env-account      | default=I_BASIC @default          | CLOUDSDK_CORE_ACCOUNT=v@example.com        |                               | principal=user:v@example.com quota=p-basic
flag-account     | default=I_BASIC @default          | CLOUDSDK_CORE_ACCOUNT=v@example.com        | --account=$U                  | principal=user:$U
env-project      | default=I_BASIC @default          | CLOUDSDK_CORE_PROJECT=p-env                |                               | project=p-env quota=p-env
flag-project     | default=I_BASIC @default          | CLOUDSDK_CORE_PROJECT=p-env                | --project=p-flag              | project=p-flag quota=p-flag
env-empty-project| default=I_BASIC @default          | CLOUDSDK_CORE_PROJECT=                     |                               | principal=user:$U quota=-
upper-keys       | default=I_UPPER @default          |                                            |                               | principal=user:v@example.com project=p-upper
upper-section    | default=I_UPSECT @default         |                                            |                               | principal=- project=-
comments         | default=I_COMMENT @default        |                                            |                               | principal=user:$U project=p-c
continuation     | default=I_CONT @default           |                                            |                               | project=p-cont
default-section  | default=I_DEFAULT @default        |                                            |                               | project=p-dflt region=asia-east1 quota=p-dflt
default-no-run   | default=I_DEFNORUN @default       |                                            |                               | project=p-dnr region=-
percent          | default=I_PCT @default            |                                            |                               | project=p-pct region=us-%x ep={AR}ar/
empty-values     | default=I_EMPTY @default          |                                            |                               | principal=user:$U quota=-
crlf             | default=I_CRLF @default           |                                            |                               | principal=user:v@example.com project=p-crlf region=us-west1
cr-only          | default=I_CR @default             |                                            |                               | principal=user:v@example.com project=p-cr
colon            | default=I_COLON @default          |                                            |                               | principal=user:v@example.com project=p-colon
sa-account       | default=I_SA @default             |                                            |                               | principal=serviceAccount:deploy@p.iam.gserviceaccount.com quota=-
imp-env          | default=I_BASIC @default          | CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT=$SA1 |                           | principal=serviceAccount:$SA1 quota=-
imp-flag-chain   | default=I_BASIC @default          |                                            | --impersonate-service-account=$SA1,$SA2 | principal=serviceAccount:$SA2 quota=-
imp-file-chain   | default=I_IMP @default            |                                            |                               | principal=serviceAccount:$SA2
imp-flag-over    | default=I_IMP @default            |                                            | --impersonate-service-account=$SA1 | principal=serviceAccount:$SA1
billing-flag     | default=I_BASIC @default          | CLOUDSDK_BILLING_QUOTA_PROJECT=q-env       | --billing-project=q-flag      | quota=q-flag
billing-env      | default=I_BASIC @default          | CLOUDSDK_BILLING_QUOTA_PROJECT=q-env       |                               | quota=q-env
billing-file     | default=I_BILL @default           |                                            |                               | quota=q-file
billing-legacy   | default=I_LEGQ @default           |                                            |                               | quota=-
billing-current  | default=I_BASIC @default          | CLOUDSDK_BILLING_QUOTA_PROJECT=CURRENT_PROJECT |                           | quota=p-basic
billing-imp      | default=I_BASIC @default          | CLOUDSDK_BILLING_QUOTA_PROJECT=q-env CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT=$SA1 | | quota=q-env principal=serviceAccount:$SA1
billing-sa-cur   | default=I_SA @default             | CLOUDSDK_BILLING_QUOTA_PROJECT=CURRENT_PROJECT |                           | quota=-
tokfile-env      | default=I_BASIC @default          | CLOUDSDK_AUTH_ACCESS_TOKEN_FILE={T}/raw-token |                            | principal=- quota=-
tokfile-flag     | default=I_BASIC @default          |                                            | --access-token-file={T}/raw-token | principal=- quota=-
tokfile-file     | default=I_TOKF @default           |                                            |                               | principal=- quota=-
token-env        | default=I_BASIC @default          | CLOUDSDK_AUTH_ACCESS_TOKEN=RAW-TOKEN-ENV   |                               | principal=- quota=-
tokfile-billing  | default=I_BASIC @default          | CLOUDSDK_AUTH_ACCESS_TOKEN_FILE={T}/raw-token | --billing-project=q-flag   | principal=- quota=q-flag
tokfile-imp      | default=I_BASIC @default          | CLOUDSDK_AUTH_ACCESS_TOKEN_FILE={T}/raw-token CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT=$SA1 | | principal=serviceAccount:$SA1 quota=-
ar-env           | default=I_BASIC @default          | CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY={AR}x/ |             | ep={AR}x/
ar-env-bare      | default=I_BASIC @default          | CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY=http://127.0.0.1:{PORT} | | ep=refused
ar-env-empty     | default=I_BASIC @default          | CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY= |                | principal=user:$U
ar-file-noslash  | default=I_AREP @default           |                                            |                               | ep=refused
ca-env           | default=I_BASIC @default          | CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE={T}/ca.pem |                            | ca={T}/ca.pem
ca-file          | default=I_CA @default             |                                            |                               | ca={T}/ca.pem
proxy-file       | default=I_PROXY @default          |                                            |                               | proxy=http://127.0.0.1:{PORT}
proxy-socks5     | default=I_BASIC @default          | CLOUDSDK_PROXY_TYPE=socks5 CLOUDSDK_PROXY_ADDRESS=127.0.0.1 CLOUDSDK_PROXY_PORT=9 | | proxy=socks5h://127.0.0.1:9 wire=no
proxy-socks4-nordns | default=I_BASIC @default       | CLOUDSDK_PROXY_TYPE=socks4 CLOUDSDK_PROXY_ADDRESS=127.0.0.1 CLOUDSDK_PROXY_PORT=9 CLOUDSDK_PROXY_RDNS=false | | proxy=socks4://127.0.0.1:9 wire=no
proxy-env-off    | default=I_PROXY @default          | CLOUDSDK_PROXY_TYPE= CLOUDSDK_PROXY_ADDRESS= CLOUDSDK_PROXY_PORT= |  | proxy=refused
proxy-partial    | default=I_BASIC @default          | CLOUDSDK_PROXY_TYPE=http                   |                               | proxy=refused
region-env       | default=I_DEV dev=I_DEV @dev      | CLOUDSDK_RUN_REGION=us-east4               |                               | region=us-east4
region-flag      | default=I_DEV dev=I_DEV @dev      | CLOUDSDK_RUN_REGION=us-east4               | --region=us-west2             | region=us-west2
EOF

fill() {
	sed -e "s|{T}|$T|g" -e "s|{PORT}|$PORT|g" -e "s|{AR}|$AR|g"
}

# setup DIR FILES: write one case's configuration folder.
setup() {
	mkdir -p "$1/configurations"
	cp "$T/credentials.db" "$T/access_tokens.db" "$1/"
	for f in $2; do
		case $f in
		@*+nl) printf '%s\n' "${f#@}" | sed 's/+nl$//' >"$1/active_config" ;;
		@*+crlf) printf '%s\r\n' "$(printf %s "${f#@}" | sed 's/+crlf$//')" >"$1/active_config" ;;
		@*) printf '%s' "${f#@}" >"$1/active_config" ;;
		legacy=*) eval "printf '%b' \"\$${f#legacy=}\"" | fill >"$1/properties" ;;
		*=*) eval "printf '%b' \"\$${f#*=}\"" | fill \
			>"$1/configurations/config_${f%%=*}" ;;
		esac
	done
}

# run_case N NAME FILES ENVS FLAGS EXPECT: both sides of case N, in
# $T/c/NAME*: the shim's plan, gcloud's properties and what gcloud sent.
# Cases run T50_JOBS at a time (default 3: gcloud's start is most of a
# case); their results are read in order afterwards.
run_case() {
	n=$1 name=$2 files=$3 envs=$4 flags=$5 expect=$6
	C=$T/c/$name
	setup "$C" "$files"
	[ $n -gt 3 ] || cp -r "$C" "$C.real"
	envs=$(printf '%s' "$envs" | fill)
	flags=$(printf '%s' "$flags" | fill)
	expect=$(printf '%s' "$expect" | fill)
	printf '%s' "$expect" >"$C.expect"
	# gflags: the flags gcloud gets, --region turned into the environment.
	gflags="" genv=""
	for f in $flags; do
		case $f in
		--region=*) genv="CLOUDSDK_RUN_REGION=${f#--region=}" ;;
		*) gflags="$gflags $f" ;;
		esac
	done
	t0=$(date +%s)
	printf '%s\n' "$envs" >"$C.env"
	k=0
	for s in $SHIMS; do
		k=$((k + 1))
		# shellcheck disable=SC2086
		env CLOUDSDK_CONFIG="$C" GCLOUD_RUN_DEPLOY_GCLOUD=/usr/bin/gcloud \
			$envs "$s" --preflight=plan --preflight-format=json \
			svc --image=us-docker.pkg.dev/p/r/i $flags \
			>"$C.shim$k" 2>"$C.shim$k-err" </dev/null || :
	done
	# shellcheck disable=SC2086
	env CLOUDSDK_CONFIG="$C" CLOUDSDK_AUTH_ACCESS_TOKEN=not-used $envs $genv \
		timeout 60 "$GCLOUDZ" config config-helper --format=json $gflags \
		>"$C.list" 2>"$C.list-err" </dev/null ||
		env CLOUDSDK_CONFIG="$C" $envs $genv timeout 60 "$GCLOUDZ" config \
		list --format=json $gflags >"$C.list" 2>>"$C.list-err" </dev/null ||
		:
	case " $expect " in
	*" wire=no "*) : >"$C.wire-err" ;;
	*)
		wover=""
		grep -q '"artifactregistry":' "$C.list" ||
			wover="CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY=$AR"
		# shellcheck disable=SC2086
		env CLOUDSDK_CONFIG="$C" $wover $envs $genv timeout 60 \
			"$GCLOUDZ" artifacts repositories describe $gflags \
			"projects/px/locations/us/repositories/case$n" \
			>/dev/null 2>"$C.wire-err" </dev/null || :
		;;
	esac
	# The first cases again with /usr/bin/gcloud itself: gcloudz is it.
	if [ $n -le 3 ]; then
		# shellcheck disable=SC2086
		env CLOUDSDK_CONFIG="$C.real" CLOUDSDK_AUTH_ACCESS_TOKEN=not-used \
			$envs $genv timeout 60 /usr/bin/gcloud config config-helper \
			--format=json $gflags >"$C.real-list" 2>"$C.real-err" \
			</dev/null || :
		sed "s|$C.real|$C|g" "$C.real-list" >"$C.real-list2"
	fi
	echo "# $name: $(($(date +%s) - t0)) s" >"$C.time"
}

n=0
start=$(date +%s)
: >"$T/cases-run"
jobs=""
while IFS='|' read -r name files envs flags expect; do
	n=$((n + 1))
	name=$(echo $name)
	case_selected "$name: the shim agrees with gcloud, as expected" ||
		continue
	echo "$n $name" >>"$T/cases-run"
	run_case "$n" "$name" "$files" "$envs" "$flags" "$expect" &
	jobs="$jobs $!" all="${all-} $!"
	while :; do
		alive=""
		for j in $jobs; do kill -0 "$j" 2>/dev/null && alive="$alive $j"; done
		jobs=$alive
		[ $(echo $jobs | wc -w) -lt "${T50_JOBS:-3}" ] && break
		sleep 0.2
	done
done <"$T/cases"
for j in ${all-}; do wait "$j" || :; done
while read -r cn name; do
	C=$T/c/$name
	expect=$(cat "$C.expect" 2>/dev/null) || :
	echo "# case $cn: $name"
	cat "$C.time" 2>/dev/null || :
	if [ $cn -le 3 ]; then
		if cmp -s "$C.real-list2" "$C.list" &&
			[ "$(sed 1q "$C.real-err")" = "$(sed 1q "$C.list-err")" ]; then
			ok "$name: gcloudz answers as /usr/bin/gcloud"
		else not_ok "$name: gcloudz answers as /usr/bin/gcloud" \
			"$(diff "$C.real-list2" "$C.list" | head -20)" \
			"$(head -3 "$C.real-err" "$C.list-err")"; fi
	fi
	k=0
	for s in $SHIMS; do
		k=$((k + 1))
		what="$name: the shim agrees with gcloud, as expected"
		[ $k -eq 1 ] || what="$what ($(basename "$(dirname "$s")"))"
		set +e
		pyrun "$PY" "$C" "case$cn" "$T/wire.jsonl" "$AR" "$expect" \
			"$k" >"$C.cmp" 2>&1
		r=$?
		set -e
		case $r in
		0) ok "$what" ;;
		*) not_ok "$what" "$(cat "$C.cmp")" ;;
		esac
	done
done <"$T/cases-run"
end=$(date +%s)
[ "$n" -ge 30 ] && ok "t50: $n cases (at least 30)" || not_ok "t50: only $n cases"
echo "# t50: $n cases in $((end - start)) s"
done_testing
