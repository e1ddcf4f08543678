#!/bin/sh
# t95-examples.sh - examples/: the YAML files parse (with libyaml, the
# build's own dependency, through a converter compiled here; PyYAML is
# asked as well when present), each deploy step of cloudbuild.yaml and of
# github-actions.yml, its substitutions replaced with test values, gives
# the expected plan through the shim (--preflight=plan, JSON), and the
# Dockerfile says what it must (base images, build deps, copies, PATH,
# entrypoint).  Docker cannot run here: the Dockerfile is checked
# statically, against what `make install` really installs.
. "$(dirname "$0")/lib.sh"

EX=$TOP/examples
CC=${CC:-cc}

# ------------------------------------------------ a YAML -> JSON converter
cat >"$T/y2j.c" <<'EOF'
#include <stdio.h>
#include <yaml.h>
static void str(const unsigned char *s, size_t n) {
	size_t i; putchar('"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\') printf("\\%c", s[i]);
		else if (s[i] < 0x20) printf("\\u%04x", s[i]);
		else putchar(s[i]);
	}
	putchar('"');
}
static void node(yaml_document_t *d, yaml_node_t *n) {
	yaml_node_item_t *it; yaml_node_pair_t *p;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		str(n->data.scalar.value, n->data.scalar.length); break;
	case YAML_SEQUENCE_NODE:
		putchar('[');
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			if (it != n->data.sequence.items.start) putchar(',');
			node(d, yaml_document_get_node(d, *it));
		}
		putchar(']'); break;
	case YAML_MAPPING_NODE:
		putchar('{');
		for (p = n->data.mapping.pairs.start;
		    p < n->data.mapping.pairs.top; p++) {
			if (p != n->data.mapping.pairs.start) putchar(',');
			node(d, yaml_document_get_node(d, p->key)); putchar(':');
			node(d, yaml_document_get_node(d, p->value));
		}
		putchar('}'); break;
	default: printf("null");
	}
}
int main(int argc, char **argv) {
	yaml_parser_t p; yaml_document_t d; yaml_node_t *root;
	FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
	if (f == NULL || !yaml_parser_initialize(&p)) return 2;
	yaml_parser_set_input_file(&p, f);
	if (!yaml_parser_load(&p, &d)) {
		fprintf(stderr, "%s:%lu:%lu: %s\n", argv[1],
		    (unsigned long)p.problem_mark.line + 1,
		    (unsigned long)p.problem_mark.column + 1,
		    p.problem ? p.problem : "error");
		return 1;
	}
	if ((root = yaml_document_get_root_node(&d)) == NULL) return 1;
	node(&d, root); putchar('\n');
	yaml_document_delete(&d); yaml_parser_delete(&p); fclose(f);
	return 0;
}
EOF
if ! $CC -o "$T/y2j" "$T/y2j.c" $(pkg-config --cflags --libs yaml-0.1) \
    >"$T/cc.log" 2>&1; then
	not_ok "the libyaml converter builds" "$(head -5 "$T/cc.log")"
	done_testing
	exit
fi
printf 'steps:\n  - name: [unclosed\n' >"$T/bad.yaml"
if "$T/y2j" "$T/bad.yaml" >/dev/null 2>&1; then
	not_ok "the converter refuses broken YAML"
else ok "the converter refuses broken YAML"; fi

for y in examples/cloudbuild.yaml examples/github-actions.yml action.yml; do
	j=$T/$(basename "$y").json
	if "$T/y2j" "$TOP/$y" >"$j" 2>"$T/err"; then
		ok "$y parses (libyaml)"
	else not_ok "$y parses (libyaml)" "$(cat "$T/err")"; fi
done
if ! command -v python3 >/dev/null 2>&1; then
	skip "t95: python3 is not installed: no plan checks"
	done_testing
	exit
fi
if python3 -c 'import yaml' 2>/dev/null; then
	for y in examples/cloudbuild.yaml examples/github-actions.yml action.yml; do
		if python3 -c 'import json, sys, yaml
# YAML 1.1 (PyYAML) reads the key "on" as true; GitHub, as "on".
def s(o):
    if isinstance(o, dict):
        return {"on" if k is True else str(k): s(v) for k, v in o.items()}
    if isinstance(o, list): return [s(v) for v in o]
    return o if isinstance(o, str) else ("true" if o is True else str(o))
a = s(yaml.safe_load(open(sys.argv[1])))
b = json.load(open(sys.argv[2]))
sys.exit(0 if a == b else 1)' "$TOP/$y" "$T/$(basename "$y").json" 2>"$T/err"; then
			ok "$y: PyYAML reads the same document"
		else not_ok "$y: PyYAML agrees" "$(cat "$T/err")"; fi
	done
else
	skip "PyYAML is not installed: libyaml alone parsed the examples"
fi

# ------------------------------------------------ plans of the deploy steps
VERSION=$(sed -n 's/^VERSION = //p' "$TOP/Makefile")
mkdir -p "$T/wrap"
ln -sf "$SHIM" "$T/wrap/gcloud"
# One line per fact, from the shim's JSON plans: "CASE|ID|command|service|
# image|repository|decision" for a deploy step, "CASE|ID|docker|ARGS" for
# build and push, "CASE|ID|builder|IMAGE", "CASE|ID|entrypoint|..." and,
# for the workflow, "gh|JOB|uses|..." and "gh|JOB|with|..." lines.  CASE:
# "manual" (gcloud builds submit: no SHORT_SHA) or "trigger".
python3 - "$T/cloudbuild.yaml.json" "$T/github-actions.yml.json" \
    "$T/action.yml.json" "$SHIM" "$T/wrap/gcloud" >"$T/plans" 2>"$T/plans.err" <<'PY' || :
import json, re, shlex, subprocess, sys
cb, gh, act, shim, wrap = sys.argv[1:6]
CASES = {
    "manual": {"PROJECT_ID": "test-proj", "BUILD_ID": "0b4e2c1a-5d6f-4a7b-8c9d-0e1f2a3b4c5d",
               "SHORT_SHA": "", "COMMIT_SHA": "", "BRANCH_NAME": "", "TAG_NAME": ""},
    "trigger": {"PROJECT_ID": "test-proj", "BUILD_ID": "0b4e2c1a-5d6f-4a7b-8c9d-0e1f2a3b4c5d",
                "SHORT_SHA": "abc1234", "COMMIT_SHA": "abc1234" + "0" * 33,
                "BRANCH_NAME": "main", "TAG_NAME": ""},
}

def expand(s, subs):
    for _ in range(10):
        t = re.sub(r"\$\{(\w+)\}|\$(\w+)",
                   lambda m: subs[m.group(1) or m.group(2)], s)
        if t == s:
            return s
        s = t
    raise SystemExit("substitution loop in " + s)

def plan(tag, exe, args):
    env = {"PATH": "/usr/bin:/bin", "CLOUDSDK_CONFIG": "/nonexistent",
           "GCLOUD_RUN_DEPLOY_GCLOUD": "/bin/false"}
    p = subprocess.run([exe, "--preflight=plan", "--preflight-format=json"]
                       + args, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        print("%s|exit %d|%s" % (tag, p.returncode, p.stderr.strip()))
        return
    d = json.loads(p.stdout)
    for im in d["images"]:
        print("|".join([tag, d["command"], d["service"] or "",
                        im["image"], im["repository"] or "", d["decision"]]))

b = json.load(open(cb))
for case, values in CASES.items():
    subs = dict(values)
    subs.update(b.get("substitutions", {}))
    for st in b["steps"]:
        tag = case + "|" + st["id"]
        args = [expand(a, subs) for a in st.get("args", [])]
        if any("$" in a for a in args):
            print("%s|unexpanded|%s" % (tag, args))
        if "entrypoint" in st:
            print("%s|entrypoint|%s" % (tag, st["entrypoint"]))
        if st["name"] == "gcr.io/cloud-builders/docker":
            print("%s|docker|%s" % (tag, " ".join(args)))
            continue
        print("%s|builder|%s" % (tag, expand(st["name"], subs)))
        # The base image's entrypoint runs the command named first.
        if args and args[0] == "gcloud-run-deploy":
            plan(tag, shim, args[1:])
        elif args and args[0] == "gcloud":
            plan(tag, wrap, args[1:])
        else:
            print("%s|no command|%s" % (tag, args))

w = json.load(open(gh))
env = dict(w.get("env", {}))
ctx = {"env": env, "github": {"sha": "0123abcd"}}
inputs = json.load(open(act))["inputs"]
def sub(s):
    # vars.X and secrets.X (of steps that deploy nothing) stay symbolic.
    return re.sub(r"\$\{\{\s*(\w+)\.(\w+)\s*\}\}",
                  lambda m: ctx[m.group(1)][m.group(2)] if m.group(1) in ctx
                  else "<%s.%s>" % (m.group(1), m.group(2)), s)
for jname, job in w["jobs"].items():
    gate = None
    for st in job["steps"]:
        uses = st.get("uses", "")
        withs = {k: sub(str(v)) for k, v in st.get("with", {}).items()}
        if uses.split("@")[0].endswith("/gcloud-run-deploy"):
            print("gh|%s|uses|%s" % (jname, uses))
            for k in withs:
                if k not in inputs:
                    print("gh|%s|unknown input|%s" % (jname, k))
            if "sha256" in withs:
                print("gh|%s|with|sha256" % jname)
            if withs.get("image"):
                a = [withs["service"], "--image=" + withs["image"]]
                if withs.get("region"):
                    a.append("--region=" + withs["region"])
                if withs.get("project_id"):
                    a.append("--project=" + withs["project_id"])
                a += shlex.split(withs.get("flags", ""))
                plan("gh|" + jname + "|gate", shim, a)
                gate = {k: withs.get(k) for k in ("service", "image", "region", "project_id")}
        elif uses.startswith("google-github-actions/deploy-cloudrun@"):
            same = gate is not None and gate == {k: withs.get(k) for k in gate}
            print("gh|%s|deploy-cloudrun|%s" % (jname, "same inputs" if same else withs))
        run = sub(st.get("run", ""))
        if re.match(r"\s*gcloud run deploy ", run):
            plan("gh|" + jname + "|run", wrap, shlex.split(run)[1:])
        elif "gcloud-run-deploy " in run:
            words = shlex.split(run)
            plan("gh|" + jname + "|run", shim, words[1:])
PY
[ -s "$T/plans.err" ] && not_ok "the plan driver ran cleanly" "$(cat "$T/plans.err")"

REPO=projects/test-proj/locations/us-central1/repositories/apps
BID=0b4e2c1a-5d6f-4a7b-8c9d-0e1f2a3b4c5d
has_line() {
	if grep -qxF -- "$2" "$T/plans"; then ok "$1"; else
		not_ok "$1" "no line '$2' in:" "$(cat "$T/plans")"
	fi
}
for case in manual trigger; do
	IMG=us-central1-docker.pkg.dev/test-proj/apps/api:$BID
	has_line "cloudbuild ($case): build step tags the image with the build ID" \
		"$case|build|docker|build -t $IMG ."
	has_line "cloudbuild ($case): push step pushes it" "$case|push|docker|push $IMG"
	has_line "cloudbuild ($case): check-and-deploy plans run deploy of api, its repository" \
		"$case|check-and-deploy|run deploy|api|$IMG|$REPO|planned"
	has_line "cloudbuild ($case): the plain gcloud step is checked (wrapper mode)" \
		"$case|migrate-job|run jobs deploy|api-migrate|$IMG|$REPO|planned"
	for id in check-and-deploy migrate-job; do
		has_line "cloudbuild ($case): $id runs in the builder image" \
			"$case|$id|builder|us-central1-docker.pkg.dev/test-proj/tools/gcloud-run-deploy"
	done
done
grep_not "cloudbuild: every substitution is defined and expanded" \
	"$T/plans" '\|unexpanded\||\|exit [0-9]|\|no command\|'
grep_not "cloudbuild: no image ref with an empty tag, manual or trigger" \
	"$T/plans" ':( |\||$)'
grep_not "cloudbuild: no step replaces the builder's entrypoint" \
	"$T/plans" '\|(check-and-deploy|migrate-job)\|entrypoint\|'

GIMG=us-central1-docker.pkg.dev/acme/apps/api:0123abcd
GREPO=projects/acme/locations/us-central1/repositories/apps
for job in gate-then-deploy wrapped-gcloud; do
	has_line "github-actions ($job): the action pinned by its release tag" \
		"gh|$job|uses|OWNER/gcloud-run-deploy@v$VERSION"
	has_line "github-actions ($job): with a sha256" "gh|$job|with|sha256"
done
grep_not "github-actions: only the action's own inputs" "$T/plans" '\|unknown input\|'
has_line "github-actions: the gate plans run deploy of api" \
	"gh|gate-then-deploy|gate|run deploy|api|$GIMG|$GREPO|planned"
has_line "github-actions: deploy-cloudrun gets the gate's inputs" \
	"gh|gate-then-deploy|deploy-cloudrun|same inputs"
has_line "github-actions: a later gcloud run deploy goes through the wrapper" \
	"gh|wrapped-gcloud|run|run deploy|api|$GIMG|$GREPO|planned"
# The action comes after setup-gcloud, whose gcloud it must come before.
if python3 -c 'import json, sys
w = json.load(open(sys.argv[1]))
for j in w["jobs"].values():
    u = [s.get("uses", "").split("@")[0] for s in j["steps"]]
    a = [i for i, x in enumerate(u) if x.endswith("/gcloud-run-deploy")]
    g = [i for i, x in enumerate(u) if x == "google-github-actions/setup-gcloud"]
    if not a or not g or a[0] < g[0]:
        sys.exit(1)' "$T/github-actions.yml.json"; then
	ok "github-actions: the action follows setup-gcloud in every job"
else not_ok "github-actions: the action follows setup-gcloud"; fi

# ------------------------------------------------ the Dockerfile, statically
D=$EX/Dockerfile
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
grep_file "Dockerfile: the base is google-cloud-cli:stable (ARG BASE)" "$D" \
	'^ARG BASE=gcr\.io/google\.com/cloudsdktool/google-cloud-cli:stable$'
if [ "$(grep -c '^FROM ' "$D")" -eq 1 ] && grep -q '^FROM \${BASE}$' "$D"; then
	ok "Dockerfile: one stage, FROM \${BASE}: nothing is compiled"
else not_ok "Dockerfile: one stage FROM \${BASE}" "$(grep '^FROM ' "$D")"; fi
grep -v '^#' "$D" >"$T/Dockerfile.code"
grep_not "Dockerfile: no compiler, no make" "$T/Dockerfile.code" \
	'build-essential|make |gcc|cc |libcurl4-openssl-dev'
grep_not "Dockerfile: keeps the base image's ENTRYPOINT and CMD" \
	"$T/Dockerfile.code" '^(ENTRYPOINT|CMD)'
grep_file "Dockerfile: copies what make deb builds" "$D" \
	"^ARG DEB=build/gcloud-run-deploy_${VERSION}_$ARCH\\.deb\$"
grep_file "Dockerfile: COPY \${DEB}" "$D" '^COPY \$\{DEB\} /tmp/gcloud-run-deploy\.deb$'
grep_file "Dockerfile: apt-get installs the package (its Depends resolved)" "$D" \
	'^ +/tmp/gcloud-run-deploy\.deb \\$'
grep_file "Dockerfile: ENV PATH puts /usr/libexec/gcloud-run-deploy first" "$D" \
	'^ENV PATH="/usr/libexec/gcloud-run-deploy:\$\{PATH\}"$'
grep_file "Dockerfile: the build checks gcloud is the wrapper" "$D" \
	'test "\$\(command -v gcloud\)" = /usr/libexec/gcloud-run-deploy/gcloud'
# The package's wrapper is where PATH says: make install with PREFIX=/usr,
# as make deb does.
make -s -C "$TOP" -o all install B="$B" DESTDIR="$T/stage" PREFIX=/usr \
	>"$T/make.log" 2>&1 || not_ok "make install (staged)" "$(tail -3 "$T/make.log")"
if [ -L "$T/stage/usr/libexec/gcloud-run-deploy/gcloud" ] &&
    [ -x "$T/stage/usr/bin/gcloud-run-deploy" ]; then
	ok "Dockerfile: /usr/libexec/gcloud-run-deploy/gcloud is what the package installs"
else not_ok "Dockerfile: the wrapper path" "$(ls -R "$T/stage" 2>&1 | head)"; fi
done_testing
