#!/bin/sh
# t86-leaks.sh - the paths by which the access token, or hostile bytes,
# used to leave the shim (issue 12, items 1-11).  Each case fails against
# the behaviour before its fix.  One fake (fakeident.py) serves the token
# endpoints and Artifact Registry on loopback; no other Python runs.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { skip "t86: python3 missing: no fake"; done_testing; exit 0; }
make_ca
F="$T/fake"
mkdir -p "$F" "$T/bin"
TOKEN=ya29.t86-leak-test-token-5772156649
printf '%s\n' "$TOKEN" >"$F/token"
rm -f "$T/ident.port"
python3 "$TOP/tests/fake/fakeident.py" --port-file "$T/ident.port" --dir "$F" \
	--cert "$T/ca/server.pem" --key "$T/ca/server.key" >"$T/ident.log" 2>&1 &
_pids="$_pids $!"
i=0
until [ -s "$T/ident.port" ] && [ -s "$T/ident.port.tls" ]; do
	i=$((i + 1)); [ $i -gt 200 ] && { not_ok "t86: fake did not start" "$(cat "$T/ident.log")"; done_testing; exit; }
	sleep 0.05
done
PORT=$(cat "$T/ident.port") TLSPORT=$(cat "$T/ident.port.tls")
AR=http://127.0.0.1:$PORT/
IMG=us-central1-docker.pkg.dev/p
export CLOUDSDK_CORE_PROJECT=p GCLOUD_RUN_DEPLOY_TIMEOUT=20
# wire_mark / wire_since: the fake's requests since the mark.
wire_mark() { w0=$(log_lines "$F/wire.jsonl"); }
wire_since() { tail -n +"$((w0 + 1))" "$F/wire.jsonl" 2>/dev/null || :; }

# 1. gcloud's own log file: the config-helper the shim runs must not log
# the token it prints.  The real gcloud, a service account key whose
# token comes from the fake's /token (auth/token_host).
if have_gcloud; then
	openssl genrsa -out "$T/sa.pem" 2048 2>/dev/null
	{
		printf '{"type": "service_account", "project_id": "p", '
		printf '"private_key_id": "k1", "private_key": "'
		awk '{printf "%s\\n", $0}' "$T/sa.pem"
		printf '", "client_email": "deployer@p.iam.gserviceaccount.com", '
		printf '"client_id": "1", "token_uri": "%s"}\n' "${AR}token"
	} >"$T/key.json"
	run env CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE="$T/key.json" \
		CLOUDSDK_AUTH_TOKEN_HOST="${AR}token" \
		CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="$AR" \
		GCLOUD_RUN_DEPLOY_GCLOUD=/usr/bin/gcloud \
		"$SHIM" --preflight=only svc --image "$IMG/ok/app:1"
	expect_rc "1: real gcloud config-helper mints the token, granted" 0
	if [ -d "$CLOUDSDK_CONFIG/logs" ] && [ -n "$(find "$CLOUDSDK_CONFIG/logs" -type f -name '*.log')" ]; then
		logged=yes; else logged=no; fi
	hits=$(grep -rla -- "$TOKEN" "$CLOUDSDK_CONFIG/logs" 2>/dev/null || :)
	[ -z "$hits" ] && ok "1: no token in gcloud's log files ($logged)" ||
		not_ok "1: no token in gcloud's log files" "$hits"
	# the mechanism: config-helper runs with gcloud's file log off
	[ $logged = no ] && ok "1: config-helper wrote no log file" ||
		not_ok "1: config-helper wrote no log file" \
			"$(find "$CLOUDSDK_CONFIG/logs" -type f)"
else
	skip "t86 1: /usr/bin/gcloud is not installed: gcloud's log file not tested"
fi

# 2. Plaintext through a proxy: an http:// loopback override is reached
# directly, never through gcloud's proxy/ properties or http_proxy (the
# fake itself plays the proxy: a proxied request has an absolute URL).
for how in props env; do
	wire_mark
	if [ $how = props ]; then
		set -- CLOUDSDK_PROXY_TYPE=http CLOUDSDK_PROXY_ADDRESS=127.0.0.1 \
			CLOUDSDK_PROXY_PORT="$PORT"
	else
		set -- http_proxy="http://127.0.0.1:$PORT" \
			HTTP_PROXY="http://127.0.0.1:$PORT" NO_PROXY= no_proxy=
	fi
	run env "$@" CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" \
		CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="http://localhost:$PORT/" \
		"$SHIM" --preflight=only svc --image "$IMG/ok/app:1"
	expect_rc "2 ($how): granted over loopback http" 0
	if wire_since | grep -q '"proxy_form": true'; then
		not_ok "2 ($how): the token did not go through the proxy" "$(wire_since)"
	elif wire_since | grep -q testIamPermissions; then
		ok "2 ($how): the token did not go through the proxy"
	else not_ok "2 ($how): the fake saw the check" "$(wire_since)"; fi
done

# 5. The verbose trace: a response header that echoes the credential.
touch "$F/echo"
run env CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" GCLOUD_RUN_DEPLOY_VERBOSE=1 \
	CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="$AR" \
	"$SHIM" --preflight=only svc --image "$IMG/ok/app:1"
rm -f "$F/echo"
expect_rc "5: verbose, granted" 0
grep_file "5: the echoing header is in the trace, redacted" "$T/err" \
	"X-Echo-Credential: <redacted"
grep_not "5: the token is not in the trace" "$T/err" "$TOKEN"

# 3. core/universe_domain: a token of another universe is never sent to
# the googleapis.com endpoints; the check says so and stops.
for how in env file; do
	wire_mark
	if [ $how = env ]; then
		set -- CLOUDSDK_CORE_UNIVERSE_DOMAIN=example-universe.test
	else
		mkdir -p "$T/cfg3/configurations"
		printf 'default' >"$T/cfg3/active_config"
		printf '[core]\nuniverse_domain = example-universe.test\n' \
			>"$T/cfg3/configurations/config_default"
		set -- CLOUDSDK_CONFIG="$T/cfg3"
	fi
	run env "$@" CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" \
		CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="$AR" \
		"$SHIM" --preflight=only svc --image "$IMG/ok/app:1"
	expect_rc "3 ($how): another universe: the check cannot finish, 69" 69
	grep_file "3 ($how): the message names the universe" "$T/err" \
		"universe_domain is 'example-universe.test'"
	[ -z "$(wire_since)" ] && ok "3 ($how): no request was sent" ||
		not_ok "3 ($how): no request was sent" "$(wire_since)"
done

# 4. Scrub before cutting: the token after 500 bytes of message would be
# cut to its first characters, and then no longer be recognised.
PFX=$(printf '%s' "$TOKEN" | cut -c1-16)
for fmt in text json; do
	run env CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" \
		CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="$AR" \
		"$SHIM" --preflight=only --preflight-format=$fmt svc --image "$IMG/echo/app:1"
	expect_rc "4 ($fmt): an error answer: 69" 69
	grep_not "4 ($fmt): not even the start of the echoed token shows" "$T/all-output" "$PFX"
	cat "$T/out" "$T/err" >"$T/both"
	grep_file "4 ($fmt): the message says why it is not shown" "$T/both" "access token, not shown"
done

# 6. Core dumps: a crash at the hand-over (an execv() that aborts, put in
# with LD_PRELOAD) leaves no core file, so no freed buffer of the token.
# The token is minted by a config-helper stand-in: in no environment.
# An ASan build with a shared runtime refuses a preloaded library that
# comes before it (the Makefile links gcc's runtime in, so ours does not).
if ldd "$SHIM" 2>/dev/null | grep -q libasan; then
	skip "${0##*/}: $SHIM is an ASan build: no LD_PRELOAD crash at the hand-over"
elif command -v cc >/dev/null 2>&1; then
	cat >"$T/abort.c" <<'C'
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
extern char **environ;
int execv(const char *p, char *const a[]);
int
execv(const char *p, char *const a[])
{
	FILE *f;

	if (a[1] != NULL && strcmp(a[1], "config") == 0)
		return execve(p, a, environ);	/* config-helper */
	if ((f = fopen(getenv("T86_DUMPABLE"), "w")) != NULL) {
		fprintf(f, "%d\n", prctl(PR_GET_DUMPABLE));
		fclose(f);
	}
	abort();
}
C
	cc -shared -fPIC -o "$T/abort.so" "$T/abort.c"
	make_recorder
	# crash CASE WHERE SECRET PRELOAD ENV... CMD...: CMD, with ENV and
	# the stand-in PRELOAD, crashes WHERE (the stand-in writes what
	# PR_GET_DUMPABLE said then to $T/dumpable); it was not dumpable,
	# and left no core file (with SECRET in it or not).
	crash() {
		_c=$1 _w=$2 _s=$3 _l=$4
		shift 4
		rm -f "$T/dumpable"
		mkdir -p "$T/core"
		(
			cd "$T/core"
			ulimit -c unlimited 2>/dev/null || :
			set +e
			# ASan (linked in) keeps the core limit at 0 unless told:
			# "no core file" would then pass whatever the shim did.
			env LD_PRELOAD="$_l" T86_DUMPABLE="$T/dumpable" \
				ASAN_OPTIONS="disable_coredump=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
				GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" \
				CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="$AR" \
				"$@" >/dev/null 2>"$T/core.err" </dev/null
			echo $? >"$T/core.rc"
		)
		if [ "$(cat "$T/core.rc")" -gt 128 ] && [ -s "$T/dumpable" ]; then
			ok "$_c: the shim crashed $_w"
		else not_ok "$_c: crashed $_w" "exit $(cat "$T/core.rc")" "$(cat "$T/core.err")"; fi
		[ "$(cat "$T/dumpable" 2>/dev/null)" = 0 ] &&
			ok "$_c: not dumpable $_w" ||
			not_ok "$_c: not dumpable $_w" "PR_GET_DUMPABLE: $(cat "$T/dumpable" 2>/dev/null)"
		cores=$(ls "$T/core")
		[ -z "$cores" ] && ok "$_c: no core file" ||
			not_ok "$_c: no core file" "$cores; with the secret: $(grep -la -- "$_s" "$T"/core/* || echo no)"
		rm -rf "$T/core"
	}
	crash 6 "at the hand-over" "$TOKEN" "$T/abort.so" \
		FAKE_TOKEN="$TOKEN" FAKE_ACCOUNT=ci@p.iam.gserviceaccount.com \
		"$SHIM" svc --image "$IMG/ok/app:1"
	# 6b, 6c. The same before the token is obtained: a crash while a
	# file is read leaves no core file either.  6b: the credential file
	# the principal is read from (auth/credential_file_override), which
	# holds a private key.  6c: a flags file, read with the token already
	# in the environment (CLOUDSDK_AUTH_ACCESS_TOKEN).  close() of the
	# file named by T86_CLOSE aborts, put in with LD_PRELOAD.
	cat >"$T/abortclose.c" <<'C'
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/stat.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int
close(int fd)
{
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "close");
	const char *want = getenv("T86_CLOSE");
	struct stat a, b;
	FILE *f;

	if (want != NULL && fstat(fd, &a) == 0 && stat(want, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		if ((f = fopen(getenv("T86_DUMPABLE"), "w")) != NULL) {
			fprintf(f, "%d\n", prctl(PR_GET_DUMPABLE));
			fclose(f);
		}
		abort();
	}
	return real(fd);
}
C
	KEYMARK=t86-private-key-5772156649
	printf '{"type": "service_account", "private_key": "%s", "client_email": "sa@p.iam.gserviceaccount.com"}\n' \
		"$KEYMARK" >"$T/cred.json"
	printf -- '--region: us-central1\n' >"$T/flags.yaml"
	if cc -shared -fPIC -o "$T/abortclose.so" "$T/abortclose.c" -ldl \
	    2>"$T/cc.err"; then
		crash 6b "with the credential file open" "$KEYMARK" \
			"$T/abortclose.so" T86_CLOSE="$T/cred.json" \
			CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE="$T/cred.json" \
			"$SHIM" svc --image "$IMG/ok/app:1"
		crash 6c "with a flags file open" "$TOKEN" \
			"$T/abortclose.so" T86_CLOSE="$T/flags.yaml" \
			CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" \
			"$SHIM" svc --image "$IMG/ok/app:1" --flags-file="$T/flags.yaml"
	else
		not_ok "6b, 6c: the close() stand-in builds" "$(cat "$T/cc.err")"
	fi
else
	skip "t86 6: no C compiler for the execv() stand-in: core dumps not tested"
fi

# 7. Grant commands: the principal is not validated by this program; the
# printed command, pasted into a real sh, gives gcloud exactly the words
# meant, and runs nothing else.
make_recorder
HOSTILE='x@y.com;touch>pwned&(id)|cat'
run env GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" FAKE_TOKEN="$TOKEN" \
	FAKE_ACCOUNT="$HOSTILE" CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="$AR" \
	"$SHIM" --preflight=only svc --image "$IMG/no/app:1"
expect_rc "7: denied: 77" 77
sed -n '/^To grant it, run:/,/[^\\]$/p' "$T/err" | sed 1d >"$T/paste.sh"
mkdir -p "$T/paste/bin"
printf '#!/bin/sh\nfor a in "$@"; do printf "%%s\\n" "$a"; done >"%s/words"\n' \
	"$T/paste" >"$T/paste/bin/gcloud"
chmod +x "$T/paste/bin/gcloud"
(cd "$T/paste" && PATH="$T/paste/bin:/usr/bin:/bin" sh "$T/paste.sh" >/dev/null 2>&1) || :
printf '%s\n' artifacts repositories add-iam-policy-binding no --project=p \
	--location=us-central1 "--member=user:$HOSTILE" \
	--role=roles/artifactregistry.reader >"$T/words.want"
if cmp -s "$T/paste/words" "$T/words.want"; then
	ok "7: the pasted command gives gcloud exactly the intended words"
else not_ok "7: the pasted command gives gcloud exactly the intended words" \
	"command: $(cat "$T/paste.sh")" "words: $(cat "$T/paste/words" 2>/dev/null)"; fi
[ ! -e "$T/paste/pwned" ] && ok "7: pasting it created no file" ||
	not_ok "7: pasting it created no file"
run env GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" FAKE_TOKEN="$TOKEN" \
	FAKE_ACCOUNT="$HOSTILE" CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="$AR" \
	"$SHIM" --preflight=only --preflight-format=json svc --image "$IMG/no/app:1"
jq -r '.images[0].grant' "$T/out" >"$T/paste.sh" 2>/dev/null || :
rm -f "$T/paste/words"
(cd "$T/paste" && PATH="$T/paste/bin:/usr/bin:/bin" sh "$T/paste.sh" >/dev/null 2>&1) || :
cmp -s "$T/paste/words" "$T/words.want" &&
	ok "7: the JSON report's grant command, pasted, gives the same words" ||
	not_ok "7: the JSON grant command gives the same words" "$(cat "$T/out")"
jq -e --arg m "user:$HOSTILE" '.principal == $m and .images[0].member == $m' \
	"$T/out" >/dev/null 2>&1 && ok "7: the JSON report names the member as it is" ||
	not_ok "7: the JSON report names the member" "$(cat "$T/out")"

# 10. JSON validity: an argument that is not UTF-8 (Latin-1 service name)
# still gives a valid JSON report; the byte becomes U+FFFD.
run "$SHIM" --preflight=plan --preflight-format=json "svc-caf$(printf '\351')" \
	--image "$IMG/ok/app:1"
expect_rc "10: plan with a Latin-1 argument: 0" 0
if iconv -f UTF-8 -t UTF-8 "$T/out" >/dev/null 2>&1 && jq -e . "$T/out" >/dev/null 2>&1; then
	ok "10: the report is valid UTF-8 and valid JSON"
else not_ok "10: the report is valid UTF-8 and valid JSON" "$(od -c "$T/out" | head -5)"; fi
jq -e '.service == "svc-caf\ufffd"' "$T/out" >/dev/null 2>&1 &&
	ok "10: the byte that is not UTF-8 is U+FFFD" ||
	not_ok "10: the byte that is not UTF-8 is U+FFFD" "$(cat "$T/out")"

# 9. The read-only token cache: a WAL-mode access_tokens.db (and
# credentials.db) is read without creating -wal or -shm next to it.
if command -v sqlite3 >/dev/null 2>&1; then
	make_recorder
	C9="$T/cfg9"
	mkdir -p "$C9"
	sqlite3 "$C9/credentials.db" "PRAGMA journal_mode=WAL;" \
		"CREATE TABLE credentials (account_id TEXT PRIMARY KEY, value BLOB);" \
		"INSERT INTO credentials VALUES ('u@example.com', '{\"type\": \"authorized_user\", \"client_id\": \"c\", \"client_secret\": \"s\", \"refresh_token\": \"r\"}');" >/dev/null
	sqlite3 "$C9/access_tokens.db" "PRAGMA journal_mode=WAL;" \
		"CREATE TABLE access_tokens (account_id TEXT PRIMARY KEY, access_token TEXT, token_expiry TIMESTAMP, rapt_token TEXT, id_token TEXT);" \
		"INSERT INTO access_tokens VALUES ('u@example.com', '$TOKEN', '2099-01-01 00:00:00', NULL, NULL);" >/dev/null
	before=$(ls "$C9" | tr '\n' ' ')
	wire_mark
	run env CLOUDSDK_CONFIG="$C9" CLOUDSDK_CORE_ACCOUNT=u@example.com \
		GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" FAKE_TOKEN=not-this-one-0000 \
		CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="$AR" \
		"$SHIM" --preflight=only svc --image "$IMG/ok/app:1"
	expect_rc "9: granted with the cached token" 0
	wire_since | grep -q '"bearer": "ok"' && ok "9: the cached token was the one sent" ||
		not_ok "9: the cached token was the one sent" "$(wire_since)"
	after=$(ls "$C9" | tr '\n' ' ')
	[ "$before" = "$after" ] && ok "9: nothing created in gcloud's folder ($after)" ||
		not_ok "9: nothing created in gcloud's folder" "before: $before" "after: $after"
else
	skip "t86 9: no sqlite3 command to build a WAL-mode cache"
fi

# 11. Two installs of the shim on PATH, both named gcloud, before the real
# gcloud: neither hands over to the other; the real one runs.
make_recorder
mkdir -p "$T/a" "$T/b"
cp "$SHIM" "$T/a/gcloud"
cp "$SHIM" "$T/b/gcloud"
run env PATH="$T/a:$T/b:$T/bin:/usr/bin:/bin" "$T/a/gcloud" --version
expect_rc "11: gcloud run from the first install reaches the real gcloud" 0
ran "11: the real gcloud ran"
run env PATH="$T/a:$T/b:$T/bin:/usr/bin:/bin" "$SHIM" --preflight=off svc --image "$IMG/ok/app:1"
expect_rc "11: a third install, --preflight=off, reaches the real gcloud" 0
ran "11: the real gcloud ran (third install)"
run env PATH="$T/a:$T/b" "$SHIM" --preflight=off svc --image "$IMG/ok/app:1"
expect_rc "11: shims only on PATH: 127 at once" 127
grep_file "11: shims only: gcloud is not found" "$T/err" "no gcloud on PATH other than this program"

done_testing
