# tests/schema.sh - every JSON report a test produces is checked against
# doc/report.schema.json, in one Python start per script.  Sourced after
# lib.sh:
#   run_report CMD...  run CMD as lib.sh's `run` does, with the report
#                      file (GCLOUD_RUN_DEPLOY_REPORT) at $T/report.json;
#                      with JSON asked for and nothing on stdout (enforce
#                      and warn: stdout is gcloud's), the report file is
#                      put in $T/out, so `json` reads it; every report seen
#                      is kept for schema_check
#   schema_keep FILE   keep FILE (one JSON object) for schema_check
#   schema_check       validate everything kept (one case per script;
#                      SKIP when python3-jsonschema is missing)
SCHEMA=$TOP/doc/report.schema.json
_schema_n=0
mkdir -p "$T/reports"

schema_keep() {
	[ -s "$1" ] || return 0
	_schema_n=$((_schema_n + 1))
	cp "$1" "$T/reports/$_schema_n.json"
}

run_report() {
	rm -f "$T/report.json"
	export GCLOUD_RUN_DEPLOY_REPORT="$T/report.json"
	run "$@"
	unset GCLOUD_RUN_DEPLOY_REPORT
	_schema_json=${GCLOUD_RUN_DEPLOY_FORMAT:-}
	for _a in "$@"; do
		[ "$_a" = --preflight-format=json ] && _schema_json=json
	done
	if [ -s "$T/report.json" ]; then
		schema_keep "$T/report.json"
		[ "$_schema_json" = json ] && [ ! -s "$T/out" ] &&
			cp "$T/report.json" "$T/out"
	fi
	case $(head -c 1 "$T/out" 2>/dev/null) in
	"{") schema_keep "$T/out" ;;
	esac
}

schema_check() {
	if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
		skip "schema: python3-jsonschema is not installed"
		return 0
	fi
	if [ "$_schema_n" -eq 0 ]; then
		not_ok "schema: no report was kept to validate"
		return 0
	fi
	if /usr/bin/python3 - "$SCHEMA" "$T/reports" >"$T/schema.log" 2>&1 <<'PY'
import json, os, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
v = jsonschema.Draft7Validator(schema)
bad = 0
names = sorted(os.listdir(sys.argv[2]), key=lambda n: int(n.split(".")[0]))
for n in names:
    p = os.path.join(sys.argv[2], n)
    try:
        d = json.load(open(p))
    except ValueError as e:
        print("%s: not one JSON object: %s" % (n, e)); bad += 1; continue
    for e in v.iter_errors(d):
        print("%s: %s at %s" % (n, e.message, list(e.absolute_path)))
        bad += 1
print("%d reports, %d errors" % (len(names), bad))
sys.exit(1 if bad else 0)
PY
	then ok "schema: $(tail -1 "$T/schema.log") (doc/report.schema.json)"
	else not_ok "schema: reports that do not match doc/report.schema.json" \
		"$(head -c 1500 "$T/schema.log")"
	fi
}
