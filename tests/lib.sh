# tests/lib.sh - sourced by every tests/t*.sh.
#
# Each script: . tests/lib.sh; then cases, each ending in ok/not_ok via the
# helpers below; finally `done_testing`.  The runner (tests/run) sets
# SHIM (the binary under test), B (its build folder) and RESULTS.
set -eu
LC_ALL=C
export LC_ALL
TOP=$(cd "$(dirname "$0")/.." && pwd)
: "${B:=$TOP/build}"
: "${SHIM:=$B/gcloud-run-deploy}"
: "${RESULTS:=/dev/null}"
SHARED=$TOP/../shared
T=$(mktemp -d "${TMPDIR:-/tmp}/grd-test.XXXXXX")
_pass=0 _fail=0 _skip=0 _pids=""

cleanup() {
	for p in $_pids; do kill "$p" 2>/dev/null || :; done
	for p in $_pids; do wait "$p" 2>/dev/null || :; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Keep the tests away from the user's gcloud and from any network.
unset CLOUDSDK_AUTH_ACCESS_TOKEN CLOUDSDK_CORE_ACCOUNT CLOUDSDK_CORE_PROJECT \
	CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT CLOUDSDK_ACTIVE_CONFIG_NAME \
	CLOUDSDK_AUTH_ACCESS_TOKEN_FILE GCLOUD_RUN_DEPLOY_PREFLIGHT \
	GCLOUD_RUN_DEPLOY_FORMAT GCLOUD_RUN_DEPLOY_GCLOUD \
	GCLOUD_RUN_DEPLOY_TIMEOUT GCLOUD_RUN_DEPLOY_VERBOSE NO_COLOR \
	http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy \
	2>/dev/null || :
export CLOUDSDK_CONFIG="$T/gcloud-config"
mkdir -p "$CLOUDSDK_CONFIG"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1 CLOUDSDK_CORE_CHECK_GCE_METADATA=false
export GCE_METADATA_HOST=127.0.0.1:9 GCE_METADATA_ROOT=127.0.0.1:9
export TERM=dumb

ok() { _pass=$((_pass + 1)); printf 'ok - %s\n' "$1"; }
not_ok() {
	_fail=$((_fail + 1)); printf 'not ok - %s\n' "$1"
	shift
	[ $# -gt 0 ] && printf '#   %s\n' "$@"
	return 0
}
skip() { _skip=$((_skip + 1)); printf 'SKIP - %s\n' "$1"; }

done_testing() {
	printf '%s %s %s\n' "$_pass" "$_fail" "$_skip" >>"$RESULTS"
	printf '# %s: %s passed, %s failed, %s skipped\n' \
		"$(basename "$0")" "$_pass" "$_fail" "$_skip"
	[ "$_fail" -eq 0 ]
}

# run CMD...: run with stdout in $T/out, stderr in $T/err, status in $rc;
# every output is also kept in $T/all-output, for the secrets checks.
run() {
	rm -f "$T/ran" "$T/argv"
	set +e
	"$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	set -e
	cat "$T/out" "$T/err" >>"$T/all-output"
}

# expect_rc NAME WANT: compare $rc with WANT, showing stderr on failure.
expect_rc() {
	if [ "$rc" -eq "$2" ]; then ok "$1"; else
		not_ok "$1" "exit $rc, want $2" "stderr: $(head -c 600 "$T/err")"
	fi
}

# grep_out NAME FILE PATTERN: FILE ($T/out or $T/err) matches (grep -E).
grep_file() {
	if grep -Eq -- "$3" "$2"; then ok "$1"; else
		not_ok "$1" "no '$3' in $(basename "$2"):" "$(head -c 600 "$2")"
	fi
}
grep_not() {
	if grep -Eq -- "$3" "$2"; then
		not_ok "$1" "unexpected '$3' in $(basename "$2")"
	else ok "$1"; fi
}

# json NAME EXPR: the Python expression EXPR holds for d, the JSON object
# on $T/out (the last run's stdout).
json() {
	if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$T/out" "$2" 2>"$T/pyerr"; then ok "$1"; else
		not_ok "$1" "false: $2" "stdout: $(head -c 800 "$T/out")" \
			"$(tail -1 "$T/pyerr")" "stderr: $(head -c 300 "$T/err")"
	fi
}

# ran NAME / not_ran NAME: the recorder standing in for gcloud ran, or not,
# since the last `run`.
ran() { if [ -f "$T/ran" ]; then ok "$1"; else not_ok "$1" "gcloud did not run"; fi; }
not_ran() { if [ -f "$T/ran" ]; then not_ok "$1" "gcloud ran"; else ok "$1"; fi; }

# log_lines FILE: how many requests a fake has logged (0 when none).
log_lines() { if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }

# log_mark FILE: set n0 to where the next case's requests start in a
# fake's log, once the log is quiet (a fake writes its line just after it
# answers, so the last case's line may still be on its way).
log_mark() {
	n0=$(log_lines "$1")
	while sleep 0.1; [ "$(log_lines "$1")" != "$n0" ]; do
		n0=$(log_lines "$1")
	done
}

# A test CA and a server certificate for loopback names, made per run.
make_ca() {
	[ -f "$T/ca/ca.pem" ] && return 0
	mkdir -p "$T/ca"
	(
		cd "$T/ca"
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
			-subj "/CN=gcloud-run-deploy test CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" \
			-keyout ca.key -out ca.pem 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
			-keyout server.key -out server.csr 2>/dev/null
		printf '%s\n' \
			"subjectAltName=DNS:localhost,DNS:*.localhost,IP:127.0.0.1,IP:::1" \
			"extendedKeyUsage=serverAuth" >ext.cnf
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
			-CAcreateserial -days 2 -extfile ext.cnf \
			-out server.pem 2>/dev/null
	)
}

# start_fake NAME SCRIPT ARGS...: start a loopback fake (python3) that
# writes its port to --port-file; sets PORT_<NAME> once it listens.
start_fake() {
	_name=$1 _script=$2
	shift 2
	rm -f "$T/$_name.port"
	python3 "$TOP/tests/fake/$_script" --port-file "$T/$_name.port" "$@" \
		>"$T/$_name.log" 2>&1 &
	_pids="$_pids $!"
	_i=0
	while [ ! -s "$T/$_name.port" ]; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ]; then
			echo "fake $_name did not start:" >&2
			cat "$T/$_name.log" >&2
			return 1
		fi
		sleep 0.05
	done
	eval "PORT_$_name=\$(cat \"\$T/\$_name.port\")"
}

# A stand-in for gcloud that records its argv (NUL-separated, byte exact)
# and exits with $RECORDER_RC (default 0); with RECORD_STDIN set it keeps
# its standard input in $T/stdin.  Asked `config config-helper`, it
# answers as gcloud does, with $FAKE_TOKEN for $FAKE_ACCOUNT, and records
# that argv in $T/helper-argv instead.
make_recorder() {
	mkdir -p "$T/bin"
	cat >"$T/bin/gcloud" <<REC
#!/bin/sh
if [ "\$1 \$2" = "config config-helper" ]; then
	for a in "\$@"; do printf '%s\0' "\$a"; done >"$T/helper-argv"
	[ -n "\${FAKE_HELPER_FAIL:-}" ] && { echo "ERROR: (gcloud.config.config-helper) \$FAKE_HELPER_FAIL" >&2; exit 1; }
	printf '{"configuration": {"active_configuration": "default", "properties": {"core": {"account": "%s", "project": "p"}}}, "credential": {"access_token": "%s", "token_expiry": "2099-01-01T00:00:00Z"}, "sentinels": {"config_sentinel": "/dev/null"}}\n' "\${FAKE_ACCOUNT:-}" "\${FAKE_TOKEN:-}"
	exit 0
fi
for a in "\$@"; do printf '%s\0' "\$a"; done >"$T/argv"
[ -n "\${RECORD_STDIN:-}" ] && cat >"$T/stdin"
echo ran >"$T/ran"
exit \${RECORDER_RC:-0}
REC
	chmod +x "$T/bin/gcloud"
	rm -f "$T/argv" "$T/ran"
}

# have_gcloud: the real Google Cloud CLI is on this machine.
have_gcloud() { [ -x /usr/bin/gcloud ]; }
