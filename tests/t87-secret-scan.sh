#!/bin/sh
# t87-secret-scan.sh - the token reaches nothing but the (fake) Google
# endpoints, over every identity path available here: the environment,
# a token file, stored user credentials through gcloud's token cache,
# config-helper (a stand-in), the metadata server, impersonation and an
# external account (both through the real gcloud, whose token endpoints
# are the loopback fake).
# Each path runs a denied, a granted and a failed check, each with
# --verbosity=debug, the shim's verbose trace (GCLOUD_RUN_DEPLOY_VERBOSE)
# and CLOUDSDK_CORE_LOG_HTTP on, and a granted check that crashes at the
# hand-over (an execv() that aborts, through LD_PRELOAD).  Then the token
# is searched for in stdout, stderr, the JSON report, every file under
# CLOUDSDK_CONFIG, HOME and TMPDIR, the child's argv and environment, and
# any core file.  Found nowhere, or the test fails.
#
# The metadata path (Cloud Build, GCE) reads the token from a fake
# metadata server that serves this path's token, with config-helper made
# to fail, so the path is the shim's own read of the server.
#
# Not searched, on purpose: the test's own secrets ($T/secret, the fake's
# folder) and gcloud's own token store CLOUDSDK_CONFIG/access_tokens.db,
# which gcloud writes when it mints a token, deploying alone or not (the
# cache path reads it: the token is there by design).  With the token in
# CLOUDSDK_AUTH_ACCESS_TOKEN, the child's environment has it because the
# user put it there.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { skip "t87: python3 missing: no fake"; done_testing; exit 0; }
make_ca
S="$T/secret"
F="$S/fake"
mkdir -p "$F" "$T/bin" "$T/dump"
rm -f "$T/ident.port"
printf 'ya29.unset-0000000000\n' >"$F/token"
python3 "$TOP/tests/fake/fakeident.py" --port-file "$T/ident.port" --dir "$F" \
	--cert "$T/ca/server.pem" --key "$T/ca/server.key" >"$T/ident.log" 2>&1 &
_pids="$_pids $!"
i=0
until [ -s "$T/ident.port" ] && [ -s "$T/ident.port.tls" ]; do
	i=$((i + 1)); [ $i -gt 200 ] && { not_ok "t87: fake did not start" "$(cat "$T/ident.log")"; done_testing; exit; }
	sleep 0.05
done
PORT=$(cat "$T/ident.port") TLSPORT=$(cat "$T/ident.port.tls")
AR=https://127.0.0.1:$TLSPORT/
HTTPAR=http://127.0.0.1:$PORT/
IMG=us-central1-docker.pkg.dev/p
export CLOUDSDK_CORE_PROJECT=p GCLOUD_RUN_DEPLOY_TIMEOUT=8
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca/ca.pem"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="$AR"
export GCLOUD_RUN_DEPLOY_VERBOSE=1 CLOUDSDK_CORE_LOG_HTTP=true
export HOME="$T/home" TMPDIR="$T/tmp"
mkdir -p "$HOME" "$TMPDIR"

# gcloud for the shim: config-helper goes to $HELPER (the real gcloud, or
# a stand-in minting the fake's token); anything else is the child,
# which dumps its argv and environment.
cat >"$T/bin/gcloud" <<REC
#!/bin/sh
if [ "\$1 \$2" = "config config-helper" ]; then
	if [ "\$HELPER" = stand-in ]; then
		printf '{"configuration": {"active_configuration": "default", "properties": {"core": {"account": "ci@p.iam.gserviceaccount.com", "project": "p"}}}, "credential": {"access_token": "%s", "token_expiry": "2099-01-01T00:00:00Z"}}\n' "\$(cat "$F/token")"
		exit 0
	fi
	exec "\$HELPER" "\$@"
fi
n=\$(ls "$T/dump" | wc -l)
for a in "\$@"; do printf '%s\0' "\$a"; done >"$T/dump/argv.\$n"
cat /proc/\$\$/environ >"$T/dump/environ.\$n"
exit 0
REC
chmod +x "$T/bin/gcloud"
export GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud"

HAVE_CC=no
NO_CRASH="no C compiler"
# An ASan build with a shared runtime refuses a preloaded library that
# comes before it (the Makefile links gcc's runtime in, so ours does not).
if ldd "$SHIM" 2>/dev/null | grep -q libasan; then
	NO_CRASH="an ASan build"
	skip "${0##*/}: $SHIM is an ASan build: no LD_PRELOAD crash at the hand-over"
elif command -v cc >/dev/null 2>&1; then
	cat >"$T/abort.c" <<'C'
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
extern char **environ;
int execv(const char *p, char *const a[]);
/* Only the shim crashes at its hand-over; gcloud's own processes, which
 * inherit LD_PRELOAD, exec as usual. */
int
execv(const char *p, char *const a[])
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *shim = getenv("T87_SHIM");

	if (n > 0)
		exe[n] = '\0';
	if (n <= 0 || shim == NULL || strcmp(exe, shim) != 0 ||
	    (a[1] != NULL && strcmp(a[1], "config") == 0))
		return execve(p, a, environ);
	abort();
}
C
	cc -shared -fPIC -o "$S/abort.so" "$T/abort.c" && HAVE_CC=yes
fi

# The paths.  Each sets ENVS (the environment of the runs) and TOKENS
# (every secret of the path); G_REAL=yes when it needs the real gcloud.
setup_env() {
	ENVS="CLOUDSDK_AUTH_ACCESS_TOKEN=$1 HELPER=stand-in"
}
setup_file() {
	printf '%s\n' "$1" >"$S/token.txt"
	ENVS="CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=$S/token.txt HELPER=stand-in"
}
setup_cache() {
	sqlite3 "$CLOUDSDK_CONFIG/credentials.db" \
		"CREATE TABLE credentials (account_id TEXT PRIMARY KEY, value BLOB);" \
		"INSERT INTO credentials VALUES ('u@example.com', '{\"type\": \"authorized_user\", \"client_id\": \"c\", \"client_secret\": \"s\", \"refresh_token\": \"r\"}');"
	sqlite3 "$CLOUDSDK_CONFIG/access_tokens.db" \
		"CREATE TABLE access_tokens (account_id TEXT PRIMARY KEY, access_token TEXT, token_expiry TIMESTAMP, rapt_token TEXT, id_token TEXT);" \
		"INSERT INTO access_tokens VALUES ('u@example.com', '$1', '2099-01-01 00:00:00', NULL, NULL);"
	ENVS="CLOUDSDK_CORE_ACCOUNT=u@example.com HELPER=stand-in"
}
setup_helper() {
	ENVS="HELPER=stand-in"
}
setup_impersonation() {
	printf 'ya29.source-token-for-impersonation-3141\n' >"$S/source.txt"
	TOKENS="$TOKENS ya29.source-token-for-impersonation-3141"
	ENVS="GCLOUD_RUN_DEPLOY_TIMEOUT=40 HELPER=/usr/bin/gcloud CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=$S/source.txt CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT=sa@p.iam.gserviceaccount.com CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS=$HTTPAR"
}
setup_external() {
	printf 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\n' >"$S/oidc.jwt"
	printf '{"type": "external_account", "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/g", "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "token_url": "%ssts", "credential_source": {"file": "%s"}, "service_account_impersonation_url": "%sv1/projects/-/serviceAccounts/wif@p.iam.gserviceaccount.com:generateAccessToken"}\n' \
		"$HTTPAR" "$S/oidc.jwt" "$HTTPAR" >"$S/wif.json"
	ENVS="GCLOUD_RUN_DEPLOY_TIMEOUT=40 HELPER=/usr/bin/gcloud CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE=$S/wif.json CLOUDSDK_API_ENDPOINT_OVERRIDES_STS=$HTTPAR"
}

setup_metadata() {
	rm -f "$S/meta.port"
	python3 "$TOP/tests/fake/fakemeta.py" --port-file "$S/meta.port" \
		--log "$S/meta.jsonl" --project p --token "$1" \
		--email ci@p.iam.gserviceaccount.com >"$S/meta.log" 2>&1 &
	_pids="$_pids $!"
	_i=0
	while [ ! -s "$S/meta.port" ] && [ $_i -lt 200 ]; do
		_i=$((_i + 1)); sleep 0.05
	done
	_m=127.0.0.1:$(cat "$S/meta.port")
	ENVS="HELPER=/bin/false CLOUDSDK_CORE_CHECK_GCE_METADATA=true GCE_METADATA_ROOT=$_m GCE_METADATA_HOST=$_m"
}

PATHS="env file cache helper metadata impersonation external"
n=0
for p in $PATHS; do
	n=$((n + 1))
	case $p in impersonation|external)
		if ! have_gcloud; then
			skip "t87 $p: /usr/bin/gcloud is not installed: this path NOT SCANNED"
			continue
		fi ;;
	cache)
		command -v sqlite3 >/dev/null || { skip "t87 cache: no sqlite3"; continue; } ;;
	esac
	TOK=ya29.t87-$p-secret-$n-2718281828459045
	printf '%s\n' "$TOK" >"$F/token"
	TOKENS=$TOK
	export CLOUDSDK_CONFIG="$T/cfg-$p"
	rm -rf "$CLOUDSDK_CONFIG" "$T/dump" "$T/core" "$T/report.json"
	mkdir -p "$CLOUDSDK_CONFIG" "$T/dump" "$T/core"
	: >"$T/all-output"
	"setup_$p" "$TOK"
	# shellcheck disable=SC2086
	for case in no:77 ok:0 fail:69; do
		repo=${case%%:*} want=${case#*:}
		run env $ENVS "$SHIM" --preflight-report="$T/report.$repo.json" \
			--preflight-format=json --verbosity=debug svc --image "$IMG/$repo/app:1"
		expect_rc "$p: $repo: exit $want" "$want"
	done
	if [ $HAVE_CC = yes ]; then
		(
			cd "$T/core"
			ulimit -c unlimited 2>/dev/null || :
			set +e
			# ASan would keep the core limit at 0 (see t86)
			env $ENVS LD_PRELOAD="$S/abort.so" T87_SHIM="$(readlink -f "$SHIM")" \
				ASAN_OPTIONS="disable_coredump=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
				"$SHIM" --verbosity=debug svc \
				--image "$IMG/ok/app:1" >>"$T/all-output" 2>&1 </dev/null
			echo $? >"$S/core.rc"
		)
		[ "$(cat "$S/core.rc")" -gt 128 ] && ok "$p: crashed at the hand-over" ||
			not_ok "$p: crashed at the hand-over" "exit $(cat "$S/core.rc")"
	else
		skip "t87 $p: $NO_CRASH: no crash at the hand-over"
	fi
	ls "$T"/dump/argv.* >/dev/null 2>&1 && ok "$p: the child's argv and environment were dumped" ||
		not_ok "$p: the child was dumped" "$(ls "$T/dump")"
	grep -q '"bearer": "ok"' "$F/wire.jsonl" && ok "$p: the fake saw the token (the search means something)" ||
		not_ok "$p: the fake saw the token"
	: >"$F/wire.jsonl"
	for tok in $TOKENS; do
		hits=$(grep -rla -- "$tok" "$T/all-output" "$T"/report.*.json \
			"$CLOUDSDK_CONFIG" "$HOME" "$TMPDIR" "$T/dump" "$T/core" 2>/dev/null |
			grep -v "^$CLOUDSDK_CONFIG/access_tokens.db\$" || :)
		[ $p = env ] && hits=$(printf '%s\n' "$hits" | grep -v "/dump/environ\." || :)
		[ -z "$hits" ] && ok "$p: ${tok%%-2718*}... found nowhere" ||
			not_ok "$p: ${tok%%-2718*}... found nowhere" "$hits"
	done
	[ -z "$(ls "$T/core")" ] && ok "$p: no core file" || not_ok "$p: no core file" "$(ls "$T/core")"
	if [ $p = metadata ]; then
		grep -q 'service-accounts/[^"]*/token' "$S/meta.jsonl" &&
			ok "metadata: the token came from the metadata server" ||
			not_ok "metadata: the token came from the metadata server" \
				"$(cat "$S/meta.jsonl" 2>&1 | head -c 600)"
	fi
	rm -f "$T"/report.*.json
done

done_testing
