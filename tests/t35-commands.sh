#!/bin/sh
# Every command that deploys an image, spelt many ways: the plan (no
# request, no gcloud) must list exactly the images gcloud would deploy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/schema.sh"

command -v python3 >/dev/null || { skip "python3 missing"; done_testing; exit 0; }
W="$T/wrap"
mkdir -p "$W"
ln -s "$SHIM" "$W/gcloud"
export GCLOUD_RUN_DEPLOY_GCLOUD=/bin/false
A=us-docker.pkg.dev/p/r

# Each case: NAME|CHECKED|IMAGES|COMMAND, where COMMAND is split on spaces
# (so no word holds one), IMAGES is "container=image,..." in order ("-"
# for no --container) or "none", and CHECKED is the command the plan
# names, or "skip" for a command that is handed over unchecked.  The
# shim's own options go first: after "--" they would be gcloud's.
while IFS='|' read -r name checked images cmd; do
	[ -n "$name" ] || continue
	# shellcheck disable=SC2086
	run_report "$W/gcloud" --preflight=plan --preflight-format=json $cmd
	if pyrun - "$T/out" "$checked" "$images" <<'PY' 2>"$T/pyerr"
import json, sys
d = json.load(open(sys.argv[1]))
checked, images = sys.argv[2], sys.argv[3]
got = ",".join("%s=%s" % (i["container"] or "-", i["image"]) for i in d["images"])
want = "" if images == "none" else images
if checked == "skip":
    ok = got == want and (d.get("command") in (None, "") or "note" in d)
else:
    ok = d["command"] == checked and got == want and d["decision"] == "planned"
if not ok:
    print("command=%r images=%r note=%r" % (d.get("command"), got, d.get("note")),
          file=sys.stderr)
sys.exit(0 if ok else 1)
PY
	then ok "$name"; else not_ok "$name" "$cmd" "$(cat "$T/pyerr")" "$(head -c 300 "$T/err")"; fi
done <<EOF
deploy, = form|run deploy|-=$A/a:1|run deploy svc --image=$A/a:1
deploy, space form|run deploy|-=$A/a:1|run deploy svc --image $A/a:1
deploy, repeated|run deploy|-=$A/b:2|run deploy svc --image $A/a:1 --image=$A/b:2
deploy, global flags first|run deploy|-=$A/a:1|--project p --quiet run deploy svc --image $A/a:1
deploy, global flags between|run deploy|-=$A/a:1|run --account a@b.c deploy --verbosity=debug svc --image $A/a:1
deploy, global flags after|run deploy|-=$A/a:1|run deploy svc --image $A/a:1 --project p --format json
deploy, flags before service|run deploy|-=$A/a:1|run deploy --region us-central1 --memory 1Gi svc --image $A/a:1
deploy, -- ends flags|run deploy|none|run deploy --region r -- svc
deploy, -- then image word|run deploy|-=$A/a:1|run deploy --image $A/a:1 -- --image=$A/b:1
deploy, 2 containers|run deploy|app=$A/a:1,side=$A/s:1|run deploy svc --container app --image $A/a:1 --container side --image=$A/s:1
deploy, 3 containers = form|run deploy|a=$A/a:1,b=$A/b:1,c=$A/c:1|run deploy svc --container=a --image=$A/a:1 --container=b --image=$A/b:1 --container=c --image=$A/c:1
deploy, 10 containers|run deploy|c1=$A/1,c2=$A/2,c3=$A/3,c4=$A/4,c5=$A/5,c6=$A/6,c7=$A/7,c8=$A/8,c9=$A/9,c10=$A/10|run deploy svc --container c1 --image $A/1 --container c2 --image $A/2 --container c3 --image $A/3 --container c4 --image $A/4 --container c5 --image $A/5 --container c6 --image $A/6 --container c7 --image $A/7 --container c8 --image $A/8 --container c9 --image $A/9 --container c10 --image $A/10
deploy, container scope resumed|run deploy|a=$A/z:1,b=$A/y:1|run deploy svc --container a --image $A/x:1 --container b --image $A/y:1 --container a --image $A/z:1
deploy, sidecar flags between|run deploy|a=$A/a:1,b=$A/b:1|run deploy svc --container a --port 8080 --image $A/a:1 --memory 1Gi --container b --cpu 1 --image $A/b:1
beta deploy|beta run deploy|-=$A/a:1|beta run deploy svc --image=$A/a:1
alpha deploy|alpha run deploy|-=$A/a:1|alpha run deploy svc --image=$A/a:1
deploy, gcr.io|run deploy|-=gcr.io/p/app|run deploy svc --image gcr.io/p/app
deploy, Docker Hub|run deploy|-=nginx:1|run deploy svc --image nginx:1
services update|run services update|-=$A/a:1|run services update svc --image $A/a:1
services update, no image|run services update|none|run services update svc --memory 1Gi
beta services update, sidecar|beta run services update|side=$A/s:2|beta run services update svc --container side --image=$A/s:2
jobs deploy|run jobs deploy|-=$A/j:1|run jobs deploy job --image $A/j:1 --region r
jobs create|run jobs create|-=$A/j:1|run jobs create job --image=$A/j:1 --tasks 3
jobs update|run jobs update|-=$A/j:2|run jobs update job --image $A/j:2
jobs update, no image|run jobs update|none|run jobs update job --tasks 2
beta jobs deploy, 2 containers|beta run jobs deploy|m=$A/m:1,s=$A/s:1|beta run jobs deploy job --container m --image $A/m:1 --container s --image $A/s:1
worker-pools deploy (beta)|beta run worker-pools deploy|-=$A/w:1|beta run worker-pools deploy wp --image $A/w:1
worker-pools update (alpha)|alpha run worker-pools update|-=$A/w:2|alpha run worker-pools update wp --image=$A/w:2
multi-region-services update|beta run multi-region-services update|-=$A/m:1|beta run multi-region-services update mrs --image $A/m:1
workers deploy (alpha)|alpha run workers deploy|-=$A/w:1|alpha run workers deploy w --image $A/w:1
--source: not checked|skip|none|run deploy svc --source .
--function with --image: checked|run deploy|-=$A/a:1|run deploy svc --function f --image $A/a:1
--function without --image: not checked|skip|none|run deploy svc --function f
--platform gke: not checked|skip|none|run deploy svc --platform gke --image $A/a:1
--help: not checked|skip|none|run deploy svc --help
services list: not a deploy|skip|none|run services list
worker-pools in GA: no such command|skip|none|run worker-pools deploy wp --image $A/w:1
compose up: handed over|skip|none|alpha run compose up
jobs execute: deploys nothing|skip|none|run jobs execute job
config set: not a deploy|skip|none|config set run/region us-central1
EOF

schema_check
done_testing
