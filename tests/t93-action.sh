#!/bin/sh
# t93-action.sh - action.yml, the composite GitHub Action, run here as a
# runner would: one Python process (PyYAML) reads action.yml, and for each
# scenario runs its `run:` steps in order with bash, `${{ inputs.x }}`,
# `${{ steps.s.outputs.o }}` and `${{ github.action_repository }}`
# substituted, the step's `env:` (INPUT_*), `if:` evaluated, and per-run
# GITHUB_PATH, GITHUB_ENV, GITHUB_OUTPUT, RUNNER_TEMP and RUNNER_TOOL_CACHE
# in a temporary folder; it stops at the first failing step, as a runner
# does, then runs the scenario's later `run:` commands with the PATH the
# action left.  The package is the one `make deb` builds, "downloaded" from
# a file:// URL or a path; the shim checks against a loopback HTTPS fake of
# Artifact Registry (a CA made here) and one of the Cloud Run Admin API, and
# a recorder is the real gcloud.
. "$(dirname "$0")/lib.sh"

if ! command -v dpkg-deb >/dev/null 2>&1; then
	skip "t93: dpkg-deb is not installed: NO ACTION TEST"
	done_testing
	exit
fi
if grep -q __asan_init "$SHIM" 2>/dev/null; then
	skip "t93: $SHIM is a sanitizer build; the action is tested in the plain pass"
	done_testing
	exit
fi
if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import yaml' 2>/dev/null; then
	skip "t93: python3 with PyYAML (python3-yaml) is needed: NO ACTION TEST"
	done_testing
	exit
fi

VERSION=$(sed -n 's/^VERSION = //p' "$TOP/Makefile")
ARCH=$(dpkg --print-architecture)
DEB=$T/b/gcloud-run-deploy_${VERSION}_$ARCH.deb
if ! make -s -C "$TOP" deb B="$T/b" >"$T/make.log" 2>&1 || [ ! -f "$DEB" ]; then
	not_ok "make deb (the package the action installs)" "$(tail -5 "$T/make.log")"
	done_testing
	exit
fi
SUM=$(sha256sum "$DEB" | cut -d' ' -f1)

# A test CA, and the Artifact Registry fake: 'apps' readable, 'vendor' not.
mkdir -p "$T/ca"
(
	cd "$T/ca"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=t93 CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-keyout ca.key -out ca.pem 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
		-keyout server.key -out server.csr 2>/dev/null
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >ext.cnf
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
		-CAcreateserial -days 2 -extfile ext.cnf -out server.pem 2>/dev/null
)
TOKEN=ya29.t93-token-not-a-secret
printf '{"token": "%s", "repositories": {"projects/p/locations/us-central1/repositories/apps": {"grant": true}}}\n' \
	"$TOKEN" >"$T/scenario.json"
python3 "$TOP/tests/fake/fakegoog.py" --port-file "$T/ar.port" \
	--cert "$T/ca/server.pem" --key "$T/ca/server.key" \
	--scenario "$T/scenario.json" --log "$T/ar.jsonl" >"$T/ar.log" 2>&1 &
fakepids=$!
# ... and the Cloud Run Admin API (the gate reads the deployed service).
python3 "$TOP/tests/fake/fakerun.py" --port-file "$T/run.port" \
	--log "$T/run.jsonl" --token "$TOKEN" >"$T/run.log" 2>&1 &
fakepids="$fakepids $!"
trap 'kill $fakepids 2>/dev/null; wait $fakepids 2>/dev/null
	cleanup 2>/dev/null; rm -rf "$T"' EXIT
for f in ar run; do
	i=0
	while [ ! -s "$T/$f.port" ]; do
		i=$((i + 1))
		[ $i -le 200 ] || { not_ok "the $f fake starts" "$(cat "$T/$f.log")"; done_testing; exit; }
		sleep 0.05
	done
done
export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="https://127.0.0.1:$(cat "$T/ar.port")/"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://127.0.0.1:$(cat "$T/run.port")/"
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca/ca.pem"
export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN"
export GCLOUD_RUN_DEPLOY_TIMEOUT=10

# The "real" gcloud (as setup-gcloud would put it on PATH): a recorder.
mkdir -p "$T/bin" "$T/netbin"
cat >"$T/bin/gcloud" <<EOF
#!/bin/sh
printf 'recorder:'; printf ' [%s]' "\$@"; echo
EOF
# In the default-URL scenario, curl records the URL instead of fetching.
cat >"$T/netbin/curl" <<EOF
#!/bin/sh
for a in "\$@"; do printf '%s\n' "\$a"; done >"\$RUNNER_TEMP/../curl-args"
exit 22
EOF
chmod +x "$T/bin/gcloud" "$T/netbin/curl"

IMG=us-central1-docker.pkg.dev/p
cat >"$T/scenarios.json" <<EOF
{
 "wrapper": {"inputs": {"package": "file://$DEB", "sha256": "$SUM"},
  "later": ["command -v gcloud", "command -v gcloud-run-deploy",
   "gcloud run deploy api --image=$IMG/apps/api:1 --region=us-central1 --project=p",
   "gcloud run deploy api --image=$IMG/vendor/api:1 --region=us-central1 --project=p",
   "gcloud --version"]},
 "gate-ok": {"inputs": {"package": "$DEB", "sha256": "$(echo "$SUM" | tr a-f A-F)",
   "service": "api", "image": "$IMG/apps/api:1", "project_id": "p",
   "wrapper": "false"},
  "later": ["command -v gcloud", "command -v gcloud-run-deploy"]},
 "gate-denied": {"inputs": {"package": "$DEB", "sha256": "$SUM",
   "service": "api", "image": "$IMG/vendor/api:1", "project_id": "p",
   "region": "us-central1"}},
 "gate-flags": {"inputs": {"package": "$DEB", "sha256": "$SUM",
   "service": "api", "image": "$IMG/apps/api:1", "project_id": "p",
   "flags": "--container=side \"--image=$IMG/vendor/side:1\" --labels='a=\$(touch $T/INJ);b' --memory=512Mi"}},
 "gate-flags-ok": {"inputs": {"package": "$DEB", "sha256": "$SUM",
   "service": "api", "image": "$IMG/apps/api:1", "project_id": "p",
   "flags": "--preflight-format=json   --labels=\"team=a b\""}},
 "bad-sum": {"inputs": {"package": "$DEB", "sha256": "$(printf '%064d' 0)"}},
 "no-sum": {"inputs": {"package": "$DEB"}},
 "bad-package": {"inputs": {"package": "http://127.0.0.1:9/x.deb", "sha256": "$SUM"}},
 "bad-wrapper": {"inputs": {"package": "$DEB", "sha256": "$SUM", "wrapper": "yes"}},
 "default-url": {"inputs": {"sha256": "$SUM"}, "path": "$T/netbin",
  "action_repository": "acme/gcloud-run-deploy"},
 "default-url-path": {"inputs": {"sha256": "$SUM"}, "path": "$T/netbin",
  "action_path": "/home/runner/work/_actions/acme2/gcloud-run-deploy/v$VERSION"},
 "default-url-unknown": {"inputs": {"sha256": "$SUM"}, "path": "$T/netbin"}
}
EOF

python3 - "$TOP/action.yml" "$T/scenarios.json" "$T/act" "$T/bin:/usr/bin:/bin" \
    >"$T/act.out" 2>"$T/act.err" <<'PY' || :
import json, os, re, subprocess, sys
action_file, scen_file, out, base_path = sys.argv[1:5]
action = __import__("yaml").safe_load(open(action_file))
steps = action["runs"]["steps"]
assert action["runs"]["using"] == "composite"
print("meta|version|%s" % action["inputs"]["version"]["default"])
EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")

def value(expr, ctx):
    m = re.fullmatch(r"inputs\.(\w+)", expr)
    if m:
        return ctx["inputs"][m.group(1)]
    m = re.fullmatch(r"steps\.(\w+)\.outputs\.(\w+)", expr)
    if m:
        return ctx["steps"].get(m.group(1), {}).get(m.group(2), "")
    if expr == "github.action_repository":
        return ctx["action_repository"]
    raise SystemExit("unknown expression: " + expr)

def subst(s, ctx):
    return EXPR.sub(lambda m: value(m.group(1), ctx), str(s))

def condition(expr, ctx):
    m = re.fullmatch(r"inputs\.(\w+) != ''", expr.strip())
    if not m:
        raise SystemExit("unknown if: " + expr)
    return ctx["inputs"][m.group(1)] != ""

def outputs(path):
    d = {}
    if os.path.exists(path):
        for line in open(path):
            k, _, v = line.rstrip("\n").partition("=")
            d[k] = v
    return d

for name, sc in json.load(open(scen_file)).items():
    d = os.path.join(out, name)
    for sub in ("tmp", "tool", "steps"):
        os.makedirs(os.path.join(d, sub))
    inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    for k in sc["inputs"]:
        assert k in inputs, "no input " + k
    inputs.update(sc["inputs"])
    ctx = {"inputs": inputs, "steps": {},
           "action_repository": sc.get("action_repository", "")}
    gpath, genv = os.path.join(d, "GITHUB_PATH"), os.path.join(d, "GITHUB_ENV")
    open(gpath, "w").close(); open(genv, "w").close()
    path0 = sc.get("path", "") + (":" if sc.get("path") else "") + base_path

    def environment():
        env = dict(os.environ)
        if sc.get("action_path"):
            env["GITHUB_ACTION_PATH"] = sc["action_path"]
        env.update({"RUNNER_TEMP": os.path.join(d, "tmp"),
                    "RUNNER_TOOL_CACHE": os.path.join(d, "tool"),
                    "GITHUB_PATH": gpath, "GITHUB_ENV": genv})
        added = [l.strip() for l in open(gpath) if l.strip()]
        env["PATH"] = ":".join(list(reversed(added)) + [path0])
        env.update(outputs(genv))
        for k, v in inputs.items():
            env["INPUT_" + k.upper()] = v
        return env

    def bash(label, script, extra):
        f = os.path.join(d, "steps", label)
        open(f + ".sh", "w").write(script)
        env = environment()
        env.update(extra)
        env["GITHUB_OUTPUT"] = f + ".output"
        open(env["GITHUB_OUTPUT"], "w").close()
        p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail",
                            f + ".sh"], env=env, stdin=subprocess.DEVNULL,
                           stdout=open(f + ".out", "w"),
                           stderr=open(f + ".err", "w"))
        print("%s|%s|%d" % (name, label, p.returncode))
        return p.returncode, outputs(env["GITHUB_OUTPUT"])

    failed = False
    for st in steps:
        sid = st["id"]
        assert st.get("shell") == "bash", sid + ": shell: bash"
        assert "${{" not in st["run"], sid + ": an expression inside run:"
        if "if" in st and not condition(st["if"], ctx):
            print("%s|%s|skipped" % (name, sid))
            continue
        env = {k: subst(v, ctx) for k, v in st.get("env", {}).items()}
        rc, o = bash(sid, st["run"], env)
        ctx["steps"][sid] = o
        if rc != 0:
            failed = True
            break
    if not failed:
        for i, cmd in enumerate(sc.get("later", [])):
            bash("later%d" % i, cmd + "\n", {})
PY
[ -s "$T/act.err" ] && not_ok "the runner stand-in ran cleanly" "$(cat "$T/act.err")"

A=$T/act
step() { # step NAME SCENARIO STEP WANT: the step's exit, or "skipped"
	if grep -qxF "$2|$3|$4" "$T/act.out"; then ok "$1"; else
		not_ok "$1" "want $2|$3|$4 in:" "$(grep "^$2|" "$T/act.out")" \
			"$(cat "$A/$2/steps/$3.err" 2>/dev/null | tail -5)"
	fi
}
none() { # none NAME SCENARIO STEP: the step did not run
	if grep -q "^$2|$3|" "$T/act.out"; then
		not_ok "$1" "$(grep "^$2|$3|" "$T/act.out")"
	else ok "$1"; fi
}
TOOL=$A/wrapper/tool/gcloud-run-deploy/$VERSION/$ARCH

# Wrapper mode: the wrapper first on PATH, the binary next.
step "wrapper: download" wrapper download 0
step "wrapper: install" wrapper install 0
step "wrapper: no gate without an image" wrapper gate skipped
grep_file "wrapper: install prints the installed version" \
	"$A/wrapper/steps/install.out" "^gcloud-run-deploy $VERSION\$"
if [ "$(cat "$A/wrapper/GITHUB_PATH")" = "$(printf '%s\n' "$TOOL/usr/bin" \
    "$TOOL/usr/libexec/gcloud-run-deploy")" ]; then
	ok "wrapper: GITHUB_PATH gets the binary's folder, then the wrapper's"
else not_ok "wrapper: GITHUB_PATH" "$(cat "$A/wrapper/GITHUB_PATH")"; fi
grep_file "wrapper: outputs path and wrapper" "$A/wrapper/steps/install.output" \
	"^wrapper=$TOOL/usr/libexec/gcloud-run-deploy\$"
grep_file "later steps: gcloud is the wrapper" "$A/wrapper/steps/later0.out" \
	"^$TOOL/usr/libexec/gcloud-run-deploy/gcloud\$"
grep_file "later steps: gcloud-run-deploy is the package's" \
	"$A/wrapper/steps/later1.out" "^$TOOL/usr/bin/gcloud-run-deploy\$"
step "later gcloud run deploy, image readable: exit 0" wrapper later2 0
grep_file "... the real gcloud ran with the same arguments" "$A/wrapper/steps/later2.out" \
	"^recorder: \[run\] \[deploy\] \[api\] \[--image=$IMG/apps/api:1\] \[--region=us-central1\] \[--project=p\]\$"
step "later gcloud run deploy, image not readable: exit 77" wrapper later3 77
grep_not "... and the real gcloud did not run" "$A/wrapper/steps/later3.out" recorder
grep_file "... the log has the grant command" "$A/wrapper/steps/later3.err" \
	'gcloud artifacts repositories add-iam-policy-binding vendor --project=p'
grep_file "later gcloud --version: handed to the real gcloud" \
	"$A/wrapper/steps/later4.out" '^recorder: \[--version\]$'

# The gate.
step "gate, readable: download (upper-case sum, a path)" gate-ok download 0
step "gate, readable: exit 0" gate-ok gate 0
grep_not "gate: --preflight=only never runs gcloud" "$A/gate-ok/steps/gate.out" recorder
if [ "$(cat "$A/gate-ok/GITHUB_PATH")" = \
    "$A/gate-ok/tool/gcloud-run-deploy/$VERSION/$ARCH/usr/bin" ]; then
	ok "wrapper: false: only the binary's folder on PATH"
else not_ok "wrapper: false" "$(cat "$A/gate-ok/GITHUB_PATH")"; fi
grep_file "wrapper: false: later gcloud is the real one" \
	"$A/gate-ok/steps/later0.out" "^$T/bin/gcloud\$"
step "gate, not readable: exit 77, the job fails" gate-denied gate 77
grep_file "gate, not readable: names the repository and the grant" \
	"$A/gate-denied/steps/gate.err" 'add-iam-policy-binding vendor --project=p'
step "gate flags: split as a shell would; the side image is checked (77)" gate-flags gate 77
grep_file "gate flags: ... its repository is named" "$A/gate-flags/steps/gate.err" \
	"cannot read image '$IMG/vendor/side:1'"
if [ -e "$T/INJ" ]; then not_ok "gate flags: a \$(...) in flags is not run"
else ok "gate flags: a \$(...) in flags is not run"; fi
step "gate flags: quoted spaces and runs of blanks (exit 0)" gate-flags-ok gate 0
grep_file "gate flags: --preflight-format=json reached the shim" \
	"$A/gate-flags-ok/steps/gate.out" '"decision"'

if grep -qxF "meta|version|$VERSION" "$T/act.out"; then
	ok "the action installs version $VERSION by default (the Makefile's)"
else not_ok "the action's default version" "$(grep '^meta|' "$T/act.out")" "Makefile: $VERSION"; fi

# Refusals: nothing installed, nothing on PATH.
step "a wrong sha256: download fails (exit 1)" bad-sum download 1
grep_file "... and says what the download's sum is" "$A/bad-sum/steps/download.out" \
	"::error::.*its SHA-256 is $SUM, not 0{64}"
none "... and nothing is installed" bad-sum install
if [ ! -s "$A/bad-sum/GITHUB_PATH" ] && [ -z "$(ls "$A/bad-sum/tmp")" ]; then
	ok "... PATH unchanged, the download removed"
else not_ok "... PATH unchanged, the download removed" "$(ls "$A/bad-sum/tmp")"; fi
step "no sha256: exit 2" no-sum download 2
grep_file "... says to give one" "$A/no-sum/steps/download.out" '::error::sha256: give the SHA-256'
step "a plain http:// package URL is refused (exit 2)" bad-package download 2
step "wrapper: yes is refused (exit 2)" bad-wrapper install 2
step "default package: the download fails here (no network)" default-url download 22
if [ "$(tail -1 "$A/default-url/curl-args" 2>/dev/null)" = \
    "https://github.com/acme/gcloud-run-deploy/releases/download/v$VERSION/gcloud-run-deploy_${VERSION}_$ARCH.deb" ]; then
	ok "default package: the release asset of v$VERSION in the action's repository"
else not_ok "default package URL" "$(cat "$A/default-url/curl-args" 2>&1)"; fi
step "default package, github.action_repository empty: download fails here" \
	default-url-path download 22
if [ "$(tail -1 "$A/default-url-path/curl-args" 2>/dev/null)" = \
    "https://github.com/acme2/gcloud-run-deploy/releases/download/v$VERSION/gcloud-run-deploy_${VERSION}_$ARCH.deb" ]; then
	ok "... the repository is read from the action's path"
else not_ok "... the repository from the action's path" "$(cat "$A/default-url-path/curl-args" 2>&1)"; fi
step "default package, the repository unknown: exit 2" default-url-unknown download 2
grep_file "... says to give the URL" "$A/default-url-unknown/steps/download.out" \
	"::error::package: this action's repository is unknown here"
done_testing
