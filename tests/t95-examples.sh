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

for y in cloudbuild.yaml github-actions.yml; do
	if "$T/y2j" "$EX/$y" >"$T/$y.json" 2>"$T/err"; then
		ok "examples/$y parses (libyaml)"
	else not_ok "examples/$y parses (libyaml)" "$(cat "$T/err")"; fi
done
if ! command -v python3 >/dev/null 2>&1; then
	skip "t95: python3 is not installed: no plan checks"
	done_testing
	exit
fi
if pyrun -c 'import yaml' 2>/dev/null; then
	for y in cloudbuild.yaml github-actions.yml; do
		if pyrun -c 'import json, sys, yaml
# YAML 1.1 (PyYAML) reads the key "on" as true; GitHub, as "on".
def s(o):
    if isinstance(o, dict):
        return {"on" if k is True else str(k): s(v) for k, v in o.items()}
    if isinstance(o, list): return [s(v) for v in o]
    return o if isinstance(o, str) else ("true" if o is True else str(o))
a = s(yaml.safe_load(open(sys.argv[1])))
b = json.load(open(sys.argv[2]))
sys.exit(0 if a == b else 1)' "$EX/$y" "$T/$y.json" 2>"$T/err"; then
			ok "examples/$y: PyYAML reads the same document"
		else not_ok "examples/$y: PyYAML agrees" "$(cat "$T/err")"; fi
	done
else
	skip "PyYAML is not installed: libyaml alone parsed the examples"
fi

# ------------------------------------------------ plans of the deploy steps
mkdir -p "$T/wrap"
ln -sf "$SHIM" "$T/wrap/gcloud"
# steps: one line per deploy step, "ID|command|service|image|repository|
# decision", from the shim's JSON plan; build/push steps as "ID|docker|ARGS".
pyrun - "$T/cloudbuild.yaml.json" "$T/github-actions.yml.json" \
    "$SHIM" "$T/wrap/gcloud" >"$T/plans" 2>"$T/plans.err" <<'PY' || :
import json, re, shlex, subprocess, sys
cb, gh, shim, wrap = sys.argv[1:5]
VALUES = {"PROJECT_ID": "test-proj", "SHORT_SHA": "abc1234"}

def expand(s, subs):
    for _ in range(10):
        t = re.sub(r"\$\{(\w+)\}|\$(\w+)",
                   lambda m: subs[m.group(1) or m.group(2)], s)
        if t == s:
            return s
        s = t
    raise SystemExit("substitution loop in " + s)

def plan(step_id, exe, args):
    env = {"PATH": "/usr/bin:/bin", "CLOUDSDK_CONFIG": "/nonexistent",
           "GCLOUD_RUN_DEPLOY_GCLOUD": "/bin/false"}
    p = subprocess.run([exe, "--preflight=plan", "--preflight-format=json"]
                       + args, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        print("%s|exit %d|%s" % (step_id, p.returncode, p.stderr.strip()))
        return
    d = json.loads(p.stdout)
    for im in d["images"]:
        print("|".join([step_id, d["command"], d["service"] or "",
                        im["image"], im["repository"] or "", d["decision"]]))

b = json.load(open(cb))
subs = dict(VALUES)
subs.update(b.get("substitutions", {}))
for st in b["steps"]:
    args = [expand(a, subs) for a in st.get("args", [])]
    if any("$" in a for a in args):
        print("%s|unexpanded|%s" % (st["id"], args))
    ep = st.get("entrypoint")
    if st["name"] == "gcr.io/cloud-builders/docker":
        print("%s|docker|%s" % (st["id"], " ".join(args)))
    elif ep == "gcloud-run-deploy":
        plan(st["id"], shim, args)
    elif ep == "gcloud":
        plan(st["id"], wrap, args)
    print("%s|builder|%s" % (st["id"], expand(st["name"], subs)))

w = json.load(open(gh))
env = dict(w.get("env", {}))
ctx = {"env": env, "github": {"sha": "0123abcd"}}
for job in w["jobs"].values():
    for st in job["steps"]:
        run = st.get("run", "")
        if "gcloud-run-deploy " not in run:
            continue
        run = re.sub(r"\$\{\{\s*(\w+)\.(\w+)\s*\}\}",
                     lambda m: ctx[m.group(1)][m.group(2)], run)
        words = shlex.split(run)
        if words[0] != "gcloud-run-deploy":
            print("gh|not the shim|" + run)
            continue
        plan("gh", shim, words[1:])
PY
[ -s "$T/plans.err" ] && not_ok "the plan driver ran cleanly" "$(cat "$T/plans.err")"

IMG=us-central1-docker.pkg.dev/test-proj/apps/api:abc1234
REPO=projects/test-proj/locations/us-central1/repositories/apps
has_line() {
	if grep -qxF -- "$2" "$T/plans"; then ok "$1"; else
		not_ok "$1" "no line '$2' in:" "$(cat "$T/plans")"
	fi
}
has_line "cloudbuild: build step tags the image" "build|docker|build -t $IMG ."
has_line "cloudbuild: push step pushes it" "push|docker|push $IMG"
has_line "cloudbuild: check-and-deploy plans run deploy of api, its repository" \
	"check-and-deploy|run deploy|api|$IMG|$REPO|planned"
has_line "cloudbuild: the plain gcloud step is checked (wrapper mode)" \
	"migrate-job|run jobs deploy|api-migrate|$IMG|$REPO|planned"
for id in check-and-deploy migrate-job; do
	has_line "cloudbuild: $id runs in the builder image" \
		"$id|builder|us-central1-docker.pkg.dev/test-proj/tools/gcloud-run-deploy"
done
grep_not "cloudbuild: every substitution is defined and expanded" \
	"$T/plans" '\|unexpanded\||\|exit [0-9]'
has_line "github-actions: the shim step plans run deploy of api" \
	"gh|run deploy|api|us-central1-docker.pkg.dev/acme/apps/api:0123abcd|projects/acme/locations/us-central1/repositories/apps|planned"
if pyrun -c 'import json,sys
b = json.load(open(sys.argv[1]))
ep = {s["id"]: s.get("entrypoint") for s in b["steps"]}
sys.exit(0 if ep.get("check-and-deploy") == "gcloud-run-deploy" and
         ep.get("migrate-job") == "gcloud" else 1)' "$T/cloudbuild.yaml.json"; then
	ok "cloudbuild: entrypoints gcloud-run-deploy and plain gcloud"
else not_ok "cloudbuild: entrypoints"; fi

# ------------------------------------------------ the Dockerfile, statically
D=$EX/Dockerfile
grep_file "Dockerfile: first stage FROM debian:12" "$D" '^FROM debian:12 AS build$'
if [ "$(grep '^FROM ' "$D" | head -1)" = "FROM debian:12 AS build" ] &&
    [ "$(grep '^FROM ' "$D" | tail -1)" = \
      "FROM gcr.io/google.com/cloudsdktool/google-cloud-cli:stable" ]; then
	ok "Dockerfile: the final stage is google-cloud-cli:stable (Debian 12)"
else not_ok "Dockerfile: stages" "$(grep '^FROM ' "$D")"; fi
grep_file "Dockerfile: runs make install PREFIX=/usr/local" "$D" \
	'^RUN make clean && make install PREFIX=/usr/local$'
deps=$(sed -n 's/^DEPS="\(.*\)"$/\1/p' "$TOP/install.sh")
miss=
for p in $deps; do grep -qw -- "$p" "$D" || miss="$miss $p"; done
if [ -n "$deps" ] && [ -z "$miss" ]; then
	ok "Dockerfile: installs every build dependency install.sh names"
else not_ok "Dockerfile: build deps" "missing:$miss (install.sh: $deps)"; fi
grep_file "Dockerfile: ENV PATH puts libexec/gcloud-run-deploy first" "$D" \
	'^ENV PATH="/usr/local/libexec/gcloud-run-deploy:\$\{PATH\}"$'
grep_file "Dockerfile: ENTRYPOINT gcloud-run-deploy" "$D" \
	'^ENTRYPOINT \["gcloud-run-deploy"\]$'
# Each COPY --from=build source is something `make install` installs.
make -s -C "$TOP" -o all install B="$B" DESTDIR="$T/stage" PREFIX=/usr/local \
	>"$T/make.log" 2>&1 || not_ok "make install (staged)" "$(tail -3 "$T/make.log")"
n=0
for src in $(sed -n 's/^COPY --from=build \([^ ]*\) .*/\1/p' "$D"); do
	n=$((n + 1))
	if [ -e "$T/stage$src" ]; then ok "Dockerfile: COPY $src is installed"
	else not_ok "Dockerfile: COPY $src" "not in make install's tree"; fi
done
[ "$n" -eq 4 ] && ok "Dockerfile: copies binary, man page, completion, libexec" ||
	not_ok "Dockerfile: four COPY --from=build lines" "found $n"
# The runtime packages cover every library the binary links to directly.
if command -v dpkg >/dev/null 2>&1 && command -v readelf >/dev/null 2>&1; then
	miss=
	for so in $(readelf -d "$SHIM" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		case $so in libc.so.*|libm.so.*|ld-linux*|libasan*|libubsan*) continue ;; esac
		f=$(ldd "$SHIM" | awk -v s="$so" '$1 == s { print $3 }')
		pkg=$(dpkg -S "$(readlink -f "$f")" 2>/dev/null | sed 's/:.*//' | head -1)
		[ -n "$pkg" ] || pkg=$(dpkg -S "$f" 2>/dev/null | sed 's/:.*//' | head -1)
		grep -qw -- "${pkg:-?$so}" "$D" || miss="$miss ${pkg:-?$so}"
	done
	if [ -z "$miss" ]; then
		ok "Dockerfile: the runtime packages cover the linked libraries"
	else not_ok "Dockerfile: runtime packages" "missing:$miss"; fi
else
	skip "no dpkg or readelf: runtime packages not compared"
fi
done_testing
