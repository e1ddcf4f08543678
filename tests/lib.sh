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
_pass=0 _fail=0 _skip=0 _unsel=0 _pids=""

cleanup() {
	if [ -r "$T/.py/pid" ] && read -r p <"$T/.py/pid"; then
		kill "$p" 2>/dev/null || :
	fi
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

# CASE=PATTERN (a shell pattern, matched anywhere in a case's name):
# only the cases it selects are shown and counted; case_selected NAME lets
# a script skip the work of the others.
case_selected() {
	case $1 in *${CASE:-}*) return 0 ;; esac
	_unsel=$((_unsel + 1))
	return 1
}
ok() {
	case_selected "$1" || return 0
	_pass=$((_pass + 1)); printf 'ok - %s\n' "$1"
}
not_ok() {
	case_selected "$1" || return 0
	_fail=$((_fail + 1)); printf 'not ok - %s\n' "$1"
	shift
	[ $# -gt 0 ] && printf '#   %s\n' "$@"
	return 0
}
skip() {
	case_selected "$1" || return 0
	_skip=$((_skip + 1)); printf 'SKIP - %s\n' "$1"
}

done_testing() {
	printf '%s %s %s\n' "$_pass" "$_fail" "$_skip" >>"$RESULTS"
	[ "$_unsel" -eq 0 ] ||
		printf '# CASE=%s: %s results of other cases not shown\n' \
			"$CASE" "$_unsel"
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
# on $T/out (the last run's stdout); json, sys and d are defined.
json() {
	_py_call json "$PWD" "$T/out" "$2"
	if [ "$_py_rc" = 0 ]; then ok "$1"; else
		not_ok "$1" "false: $2" "stdout: $(head -c 800 "$T/out")" \
			"$_py_msg" "stderr: $(head -c 300 "$T/err")"
	fi
}

# pyrun -c CODE ARGS... | pyrun - ARGS... <<EOF | pyrun FILE ARGS...: as
# python3 would run it (exit status, stdout, stderr, environment, working
# folder), in the script's one long-lived Python (tests/libpy.py) rather
# than a new interpreter.  Its standard input is not the caller's (with
# `-`, the caller's is the code).  Not for use by two subshells at once.
pyrun() {
	_py_start || { echo "pyrun: $_py_msg" >&2; return 125; }
	case ${1-} in
	-c) _py_a0=-c _py_code=$2; shift 2 ;;
	-) _py_a0=- _py_code=$(cat); shift ;;
	*) _py_a0=$1 _py_code=; shift ;;
	esac
	export -p >"$T/.py/env"
	: >"$T/.py/out"
	: >"$T/.py/err"
	_py_call run "$PWD" "$_py_a0" "$_py_code" "$@"
	[ ! -s "$T/.py/out" ] || cat "$T/.py/out"
	[ ! -s "$T/.py/err" ] || cat "$T/.py/err" >&2
	[ -z "$_py_msg" ] || printf 'pyrun: %s\n' "$_py_msg" >&2
	return "$_py_rc"
}

# _py_start: the script's Python helper is running (started on first use;
# its pid is in $T/.py/pid so that subshells share it).
_py_start() {
	if [ -r "$T/.py/ready" ] && read -r _py_pid <"$T/.py/pid" &&
		kill -0 "$_py_pid" 2>/dev/null; then
		return 0
	fi
	rm -rf "$T/.py"
	mkdir "$T/.py"
	mkfifo "$T/.py/req" "$T/.py/rsp"
	python3 "$TOP/tests/libpy.py" "$T/.py" "$$" </dev/null \
		>"$T/.py/log" 2>&1 &
	_py_pid=$!
	echo "$_py_pid" >"$T/.py/pid"
	while [ ! -e "$T/.py/ready" ]; do
		if ! kill -0 "$_py_pid" 2>/dev/null; then
			_py_msg="python3 helper did not start: $(tail -1 "$T/.py/log")"
			return 1
		fi
		sleep 0.05
	done
}

# _py_call FIELD...: one request to the helper; sets _py_rc and _py_msg.
_py_call() {
	_py_rc=125
	_py_start || return 0
	printf '%s\0' "$#" "$@" >"$T/.py/req"
	{ read -r _py_rc && IFS= read -r _py_msg; } <"$T/.py/rsp" || {
		_py_rc=125
		_py_msg="python3 helper died: $(tail -1 "$T/.py/log")"
	}
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

# A test CA and a server certificate for loopback names, made per run
# (ECDSA P-256 keys: RSA key generation costs a busy machine seconds).
make_ca() {
	[ -f "$T/ca/ca.pem" ] && return 0
	mkdir -p "$T/ca"
	(
		cd "$T/ca"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
			-nodes -days 2 -subj "/CN=gcloud-run-deploy test CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" \
			-keyout ca.key -out ca.pem 2>/dev/null
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
			-nodes -subj "/CN=localhost" \
			-keyout server.key -out server.csr 2>/dev/null
		printf '%s\n' \
			"subjectAltName=DNS:localhost,DNS:*.localhost,IP:127.0.0.1,IP:::1" \
			"extendedKeyUsage=serverAuth" >ext.cnf
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
			-CAcreateserial -days 2 -extfile ext.cnf \
			-out server.pem 2>/dev/null
	)
}

# make_cert NAME SAN: a server certificate signed by the test CA (an EC
# P-256 key, as make_ca's) for SAN ("DNS:host,IP:127.0.0.1"): a fake that
# answers for a Google host routed to loopback.  $T/ca/NAME.pem and .key.
make_cert() {
	make_ca
	(
		cd "$T/ca"
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-subj "/CN=$1" -keyout "$1.key" -out "$1.csr" 2>/dev/null
		printf '%s\n' "subjectAltName=$2" \
			"extendedKeyUsage=serverAuth" >"$1.cnf"
		openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key \
			-CAcreateserial -days 2 -extfile "$1.cnf" -out "$1.pem" \
			2>/dev/null
	)
}

# sdk_env_ours: unset every CLOUDSDK_* variable of the machine but those
# lib.sh sets for every test (the configuration folder, no prompts, no
# metadata probe) and the SDK's Python, for a test that compares the
# shim with the real gcloud: the machine's settings would leak into both.
sdk_env_ours() {
	for _v in $(env | sed -n 's/^\(CLOUDSDK_[A-Z0-9_]*\)=.*/\1/p'); do
		case $_v in
		CLOUDSDK_CONFIG|CLOUDSDK_CORE_DISABLE_PROMPTS|\
		CLOUDSDK_CORE_CHECK_GCE_METADATA|CLOUDSDK_PYTHON*) ;;
		*) unset "$_v" ;;
		esac
	done
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
	wait_fake "$_name" $! || return 1
	eval "PORT_$_name=\$(cat \"\$T/\$_name.port\")"
}

# wait_fake NAME PID: wait until the fake PID has written its port to
# $T/NAME.port; 1, with $T/NAME.log on stderr, if it died or took over a
# minute.  A slow python3 (a busy machine, a pyenv shim) may take seconds.
wait_fake() {
	_i=0
	while [ ! -s "$T/$1.port" ]; do
		_i=$((_i + 1))
		if [ $_i -gt 1200 ] || ! kill -0 "$2" 2>/dev/null; then
			[ -s "$T/$1.port" ] && break
			echo "fake $1 did not start:" >&2
			cat "$T/$1.log" >&2
			return 1
		fi
		sleep 0.05
	done
}

# start_https_fake NAME API SCRIPT ARGS...: the test CA (make_ca), then
# the fake SCRIPT over HTTPS with its certificate (start_fake NAME ...
# --cert --key ARGS); the shim and gcloud trust the CA
# (CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE) and, unless API is "-", reach API
# there (CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>=https://127.0.0.1:PORT/).
start_https_fake() {
	_hname=$1 _api=$2 _hscript=$3
	shift 3
	make_ca
	start_fake "$_hname" "$_hscript" --cert "$T/ca/server.pem" \
		--key "$T/ca/server.key" "$@" || return 1
	export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca/ca.pem"
	[ "$_api" = - ] && return 0
	_api=$(printf '%s' "$_api" | tr '[:lower:]' '[:upper:]')
	eval "export CLOUDSDK_API_ENDPOINT_OVERRIDES_$_api=\"https://127.0.0.1:\$PORT_$_hname/\""
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

# fast_gcloud: set GCLOUDZ to a command that runs the real gcloud without
# its second of start-up: $B/gcloudz, a client of tests/gcloudz.py (the
# SDK imported once, one fork per command; tests/run starts one for the
# whole run, else it is started here).  /usr/bin/gcloud when it cannot be.
fast_gcloud() {
	GCLOUDZ=/usr/bin/gcloud
	_gpy=/usr/lib/google-cloud-sdk/platform/bundledpythonunix/bin/python3
	[ -x "$B/gcloudz" ] && [ -x "$_gpy" ] || return 0
	# The run's server may still be importing.
	while [ -n "${GCLOUDZ_SOCK:-}" ] && [ ! -S "$GCLOUDZ_SOCK" ] &&
		[ -n "${GCLOUDZ_PID:-}" ] && kill -0 "$GCLOUDZ_PID" 2>/dev/null; do
		sleep 0.1
	done
	if [ -z "${GCLOUDZ_SOCK:-}" ] || [ ! -S "$GCLOUDZ_SOCK" ]; then
		GCLOUDZ_SOCK=$T/gcloudz.sock
		"$_gpy" "$TOP/tests/gcloudz.py" "$GCLOUDZ_SOCK" $$ \
			</dev/null >"$T/gcloudz.log" 2>&1 &
		_pids="$_pids $!"
		_i=0
		while [ ! -S "$GCLOUDZ_SOCK" ]; do
			_i=$((_i + 1))
			if [ $_i -gt 1200 ] || ! kill -0 $! 2>/dev/null; then
				echo "gcloudz did not start:" >&2
				cat "$T/gcloudz.log" >&2
				return 0
			fi
			sleep 0.05
		done
	fi
	export GCLOUDZ_SOCK
	GCLOUDZ=$B/gcloudz
}

# gcloud_at_fakes RUNPORT: point the real gcloud at the loopback fakes
# for an end-to-end run: Cloud Run at run.localhost through gcloud's own
# proxy setting (the fake on RUNPORT), the token from $T/token, project
# p, and none of gcloud's own network side trips (prompts, usage
# reporting, update checks, feature flags, surveys).
gcloud_at_fakes() {
	export CLOUDSDK_API_ENDPOINT_OVERRIDES_RUN="http://run.localhost:$1/"
	export CLOUDSDK_PROXY_TYPE=http CLOUDSDK_PROXY_ADDRESS=127.0.0.1
	export CLOUDSDK_PROXY_PORT="$1"
	export CLOUDSDK_CORE_SHOULD_PROMPT_TO_ENABLE_API=false
	export CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$T/token"
	export CLOUDSDK_CORE_PROJECT=p
	export CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true
	export CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true
	export CLOUDSDK_CORE_ENABLE_FEATURE_FLAGS=false
	export CLOUDSDK_SURVEY_DISABLE_PROMPTS=true
}
