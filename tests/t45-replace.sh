#!/bin/sh
# `replace FILE` manifests and --flags-file, through the built binary: the
# images they carry are checked, and what the shim reads from standard
# input still reaches gcloud byte for byte.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/schema.sh"

command -v python3 >/dev/null || { skip "python3 missing: no fake"; done_testing; exit 0; }
make_ca
make_recorder
TOKEN=ya29.test-secret-token-1414213562
R=us-central1-docker.pkg.dev/p
P=projects/p/locations/us-central1/repositories
cat >"$T/scenario.json" <<EOF
{"token": "$TOKEN", "repositories": {
 "$P/ok": {"grant": true}, "$P/no": {"grant": false}}}
EOF
start_https_fake ar artifactregistry fakegoog.py \
	--scenario "$T/scenario.json" --log "$T/ar.jsonl"
export CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN"
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" GCLOUD_RUN_DEPLOY_TIMEOUT=10
W="$T/wrap"
mkdir -p "$W"
ln -s "$SHIM" "$W/gcloud"

requests() { log_lines "$T/ar.jsonl"; }

service() {	# service IMAGE...: a Knative Service with one container each
	printf 'apiVersion: serving.knative.dev/v1\nkind: Service\n'
	printf 'metadata:\n  name: svc\nspec:\n  template:\n    spec:\n      containers:\n'
	i=0
	for img in "$@"; do
		i=$((i + 1))
		printf '      - name: c%d\n        image: %s\n' "$i" "$img"
	done
}
service "$R/ok/app:1" "$R/ok/side:1" >"$T/ok.yaml"
service "$R/ok/app:1" "$R/no/side:1" nginx >"$T/mixed.yaml"
cat >"$T/job.yaml" <<EOF
apiVersion: run.googleapis.com/v1
kind: Job
metadata:
  name: nightly
spec:
  template:
    spec:
      template:
        spec:
          containers:
          - image: $R/no/batch:1
EOF

run_report "$W/gcloud" run services replace "$T/ok.yaml" --region=us-central1
expect_rc "services replace, every image readable: 0" 0
ran "services replace, granted: gcloud ran"
run_report "$W/gcloud" beta run services replace "$T/mixed.yaml" --preflight-format=json
expect_rc "services replace with a denied sidecar: 77" 77
not_ran "services replace, denied: gcloud did not run"
json "services replace: every container, in order, with its name" \
	'[(i["container"], i["result"]) for i in d["images"]] == [("c1", "granted"), ("c2", "denied"), ("c3", "skipped")] and d["command"] == "beta run services replace"'
run_report "$W/gcloud" run jobs replace "$T/job.yaml"
expect_rc "jobs replace: the job's container checked, 77" 77
grep_file "jobs replace: names the image" "$T/err" "$R/no/batch:1"

printf '{"apiVersion": "serving.knative.dev/v1", "kind": "Service", "spec": {"template": {"spec": {"containers": [{"image": "%s"}]}}}}' \
	"$R/no/j:1" >"$T/svc.json"
run_report "$W/gcloud" run services replace "$T/svc.json"
expect_rc "a JSON manifest is read too: 77" 77

run_report "$W/gcloud" run services replace "$T/job.yaml"
expect_rc "a Job given to services replace: 65" 65
grep_file "wrong kind: says so" "$T/err" "is a Job"
printf 'spec:\n  template:\n   spec: [\n' >"$T/bad.yaml"
run_report "$W/gcloud" run services replace "$T/bad.yaml"
expect_rc "malformed YAML: 65" 65
grep_file "malformed YAML: names the file and line" "$T/err" "bad.yaml':[0-9]+:"
run_report "$W/gcloud" run services replace "$T/nope.yaml"
expect_rc "missing file: 65" 65
grep_file "missing file: says so" "$T/err" "cannot read '.*nope.yaml'"
{
	echo 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'
	p=a
	for n in b c d e f g h i j; do
		echo "$n: &$n [*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p,*$p]"
		p=$n
	done
} >"$T/bomb.yaml"
start=$(date +%s)
run_report "$W/gcloud" run services replace "$T/bomb.yaml"
el=$(($(date +%s) - start))
expect_rc "YAML bomb: 65" 65
# A hang guard, not a speed target (make bench): expanded, the bomb would
# not end at all.
[ "$el" -le 60 ] && ok "YAML bomb: refused, it ends (${el}s)" || not_ok "YAML bomb: refused, it ends" "${el}s"
run_report "$W/gcloud" run services replace "$T/bad.yaml" --preflight=off
expect_rc "--preflight=off: a bad manifest goes to gcloud unread" 0
n0=$(requests)
run_report "$W/gcloud" run services replace "$T/mixed.yaml" --preflight=plan --preflight-format=json
[ "$(requests)" -eq "$n0" ] && ok "plan: reads the file, sends nothing" || not_ok "plan: sends nothing"
json "plan: lists the manifest's images" 'len(d["images"]) == 3 and d["decision"] == "planned"'

# replace - : stdin is read by the shim and replayed to gcloud.
stdin_case() {	# NAME FILE EXPECT_RC ARGS...: run with FILE on stdin
	_n=$1 _f=$2 _want=$3
	shift 3
	rm -f "$T/stdin" "$T/ran"
	set +e
	RECORD_STDIN=1 "$@" <"$_f" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	expect_rc "$_n: exit $_want" "$_want"
	if [ "$_want" -eq 0 ] || [ -f "$T/ran" ]; then
		if cmp -s "$_f" "$T/stdin"; then ok "$_n: gcloud got the same bytes"
		else not_ok "$_n: gcloud got the same bytes" \
			"sent $(wc -c <"$_f"), got $(wc -c <"$T/stdin" 2>/dev/null)"; fi
	fi
}
stdin_case "replace - (YAML)" "$T/ok.yaml" 0 "$W/gcloud" run services replace -
stdin_case "replace - (denied)" "$T/mixed.yaml" 77 "$W/gcloud" run services replace -
not_ran "replace - denied: gcloud did not run"
{ cat "$T/ok.yaml"; printf '# %s\n' "$(head -c 1048576 /dev/zero | tr '\0' 'x')"; } >"$T/big.yaml"
stdin_case "replace - (1 MiB)" "$T/big.yaml" 0 "$W/gcloud" run services replace -
: >"$T/empty"
stdin_case "replace - (0 bytes, warn)" "$T/empty" 0 "$W/gcloud" run services replace - --preflight=warn
head -c 65536 /dev/urandom >"$T/binary"
stdin_case "replace - (binary, warn)" "$T/binary" 0 "$W/gcloud" run services replace - --preflight=warn

# --flags-file: expanded in place, as gcloud does.
printf -- '--image: %s\n--region: us-central1\n' "$R/no/f:1" >"$T/flags.yaml"
run_report "$SHIM" svc --flags-file="$T/flags.yaml"
expect_rc "--flags-file with a denied --image: 77" 77
grep_file "--flags-file: the file's image is checked" "$T/err" "$R/no/f:1"
run_report "$SHIM" svc --image "$R/ok/a:1" --flags-file "$T/flags.yaml"
expect_rc "the file after --image wins: denied, 77" 77
run_report "$SHIM" svc --flags-file "$T/flags.yaml" --image "$R/ok/a:1"
expect_rc "--image after the file wins: granted, 0" 0
printf -- '- --image: %s\n- --image: %s\n' "$R/no/x:1" "$R/ok/y:1" >"$T/list.yaml"
run_report "$SHIM" svc --flags-file="$T/list.yaml"
expect_rc "a list of mappings: the last --image wins, 0" 0
printf -- '--flags-file: %s\n' "$T/flags.yaml" >"$T/outer.yaml"
run_report "$SHIM" svc --flags-file="$T/outer.yaml"
expect_rc "nested --flags-file: 77" 77
run_report "$SHIM" svc --flags-file="$T/missing.yaml"
expect_rc "missing flags file: 65" 65
grep_file "missing flags file: gcloud's words" "$T/err" "--flags-file \[.*missing.yaml\] not found"
run_report "$SHIM" svc --flags-file="$T/missing.yaml" --preflight=off
expect_rc "missing flags file, off: handed over" 0
run_report "$SHIM" svc --flags-file="$T/missing.yaml" --preflight=warn
expect_rc "missing flags file, warn: handed over" 0
printf -- '--image: %s\n' "$R/no/stdin:1" >"$T/flags-stdin.yaml"
stdin_case "--flags-file=- (denied)" "$T/flags-stdin.yaml" 77 "$SHIM" svc --flags-file=-
printf -- '--image: %s\n' "$R/ok/stdin:1" >"$T/flags-stdin.yaml"
stdin_case "--flags-file=- (granted)" "$T/flags-stdin.yaml" 0 "$SHIM" svc --flags-file=-

if grep -rqa "$TOKEN" "$T/all-output" "$T/ar.jsonl" 2>/dev/null; then
	not_ok "the token appears in no output"
else ok "the token appears in no output"; fi

schema_check
done_testing
