#!/bin/sh
# t43-review.sh - no silent pass where the shim cannot read what decides
# the check: a flags file refused by the shim's own limits (not by gcloud)
# next to a flag that turns the check off (--platform=gke, --function); a
# flags file not read at all in only and plan modes, which never run
# gcloud; and commands whose deployed images the shim cannot read
# (multi-region services, alpha's workers), which must say so.
. "$(dirname "$0")/lib.sh"

make_recorder
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud"
W="$T/wrap"
mkdir -p "$W"
ln -s "$SHIM" "$W/gcloud"
IMG=us-central1-docker.pkg.dev/p/no/app:1

# A flags file gcloud reads but the shim refuses (over its 4 MiB limit):
# it turns the managed platform and an image back on.
{
	printf -- '--platform: managed\n--image: %s\n' "$IMG"
	i=0
	while [ $i -lt 70 ]; do
		printf '# %s\n' "$(head -c 65536 /dev/zero | tr '\0' x)"
		i=$((i + 1))
	done
} >"$T/big.yaml"
[ "$(wc -c <"$T/big.yaml")" -gt 4194304 ] && ok "the flags file is over 4 MiB" ||
	not_ok "the flags file is over 4 MiB"

run "$SHIM" svc --region=r --project=p --platform=gke --flags-file="$T/big.yaml"
expect_rc "--platform=gke and a flags file over the limit, enforce: 69" 69
not_ran "... gcloud did not run"
grep_file "... says the flags file may hold what decides the check" "$T/err" \
	"cannot tell what this command deploys"
run "$SHIM" svc --region=r --project=p --function=f --flags-file="$T/big.yaml"
expect_rc "--function and a flags file over the limit, enforce: 69" 69
not_ran "... gcloud did not run"
run "$SHIM" svc --region=r --project=p --platform=gke --flags-file="$T/big.yaml" \
	--preflight=warn
expect_rc "the same in warn mode: gcloud's exit" 0
ran "... gcloud ran"
grep_file "... with a warning" "$T/err" "^WARNING: .*not checked"
run "$SHIM" svc --region=r --project=p --platform=gke --flags-file="$T/big.yaml" \
	--preflight=off
expect_rc "the same with --preflight=off: gcloud's exit" 0
ran "... gcloud ran"

mkfifo "$T/fifo"
run "$SHIM" svc --region=r --project=p --function=f --flags-file="$T/fifo"
expect_rc "--function and a named pipe as flags file, enforce: 69" 69
not_ran "... gcloud did not run"

# A flags file gcloud cannot read either: handed over where nothing is
# checked (gcloud reports it), but never in only or plan mode.
run "$SHIM" svc --source=. --flags-file="$T/missing.yaml"
expect_rc "--source and a missing flags file: handed over, gcloud's exit" 0
ran "... gcloud ran (it reports the missing file)"
for m in only plan; do
	run "$SHIM" svc --source=. --flags-file="$T/missing.yaml" --preflight=$m
	[ "$rc" -ne 0 ] && ok "--source, missing flags file, $m: not 0 ($rc)" ||
		not_ok "--source, missing flags file, $m: not 0"
	not_ran "... $m: gcloud did not run"
	grep_file "... $m: names the file" "$T/err" "missing.yaml"
	run "$SHIM" svc --region=r --project=p --platform=gke \
		--flags-file="$T/big.yaml" --preflight=$m
	[ "$rc" -ne 0 ] && ok "--platform=gke, flags file over the limit, $m: not 0 ($rc)" ||
		not_ok "--platform=gke, flags file over the limit, $m: not 0"
	not_ran "... $m: gcloud did not run"
done

# Updates whose deployed images the shim cannot read: named unchecked.
run "$W/gcloud" --preflight=only --preflight-format=json beta run \
	multi-region-services update svc --memory=1Gi --region=r --project=p
expect_rc "multi-region-services update, only: 69" 69
not_ran "... gcloud did not run"
json "... the kept images are unchecked, with why" \
	'[i["result"] for i in d["images"]] == ["unchecked"] and "multi-region" in d["images"][0]["detail"]'
run "$W/gcloud" alpha run workers update svc --memory=1Gi --region=r --project=p
expect_rc "alpha workers update, enforce: warned, gcloud's exit" 0
ran "... gcloud ran"
grep_file "... the warning names what was not read" "$T/err" \
	"^WARNING: .*not every image was checked: alpha's workers have no Cloud Run v2 read"

done_testing
