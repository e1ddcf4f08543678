#!/bin/sh
# t55-tokencache.sh - the fast path: the shim takes the access token from
# gcloud's own cache (CLOUDSDK_CONFIG/access_tokens.db) exactly when the
# real gcloud would hand out that token without refreshing it.
#
# The cache is written the way gcloud writes it: gcloud's bundled Python
# stores a user credential through its own CredentialStoreWithCache
# (credentials.db + access_tokens.db).  Its token_uri is a dead loopback
# port and gcloud runs behind a dead loopback proxy, so a refresh cannot
# leave the machine: it fails, which is how the test sees that gcloud
# wanted one.  The shim's request to fakegoog.py carries the bearer the
# scenario demands ("token"): any other token is a 401, never a grant.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/schema.sh"

if ! have_gcloud; then
	skip "t55: /usr/bin/gcloud is not installed: no real token cache"
	done_testing
	exit 0
fi
command -v python3 >/dev/null || { skip "t55: python3 missing: no fake"; done_testing; exit 0; }

SDK=/usr/lib/google-cloud-sdk
GPY=$SDK/platform/bundledpythonunix/bin/python3
[ -x "$GPY" ] || GPY=python3
ACCT=dev@example.com
TOKEN=ya29.t55-cached-token-2718281828
OTHER=ya29.t55-helper-token-1414213562
export CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true
export CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true
make_ca
make_recorder

mkdir -p "$CLOUDSDK_CONFIG/configurations"
printf 'default' >"$CLOUDSDK_CONFIG/active_config"
printf '[core]\naccount = %s\nproject = p\n' "$ACCT" \
	>"$CLOUDSDK_CONFIG/configurations/config_default"

# cache SECONDS: store the credential of $ACCT with $TOKEN expiring in
# SECONDS (negative: expired), through gcloud's own classes.
cache() {
	PYTHONPATH="$SDK/lib:$SDK/lib/third_party" timeout 60 "$GPY" \
		"$TOP/tests/fixtures/tokencache/store.py" "$ACCT" "$TOKEN" "$1" \
		2>"$T/store.err" ||
		{ cat "$T/store.err" >&2; return 1; }
}
# gcloud_token: what the real gcloud hands out now, in $T/gtok ($grc).
gcloud_token() {
	set +e
	HTTPS_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
		timeout 60 /usr/bin/gcloud auth print-access-token \
		>"$T/gtok" 2>"$T/gerr" </dev/null
	grc=$?
	set -e
}

cat >"$T/scenario.json" <<EOF
{"token": "$TOKEN", "repositories": {
 "projects/p/locations/us-central1/repositories/ok": {"grant": true}}}
EOF
start_https_fake ar artifactregistry fakegoog.py \
	--scenario "$T/scenario.json" --log "$T/ar.jsonl"
export GCLOUD_RUN_DEPLOY_TIMEOUT=20
IMG=us-central1-docker.pkg.dev/p/ok/app:1

last_auth() { tail -1 "$T/ar.jsonl" 2>/dev/null | sed -n 's/.*"auth": "\([a-z]*\)".*/\1/p'; }
helper_ran() { [ -f "$T/helper-argv" ]; }

# 1. A valid cached token: gcloud uses it as it is, and so does the shim.
cache 86400
gcloud_token
if [ $grc -eq 0 ] && [ "$(cat "$T/gtok")" = "$TOKEN" ]; then
	ok "gcloud auth print-access-token hands out the cached token, no refresh"
else not_ok "gcloud hands out the cached token" "exit $grc" "$(tail -3 "$T/gerr")"; fi
sum0=$(cksum <"$CLOUDSDK_CONFIG/access_tokens.db")

# The recorder's config-helper fails: success can only come from the cache.
rm -f "$T/helper-argv"
run env GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" FAKE_HELPER_FAIL=unused \
	"$SHIM" svc --image "$IMG"
expect_rc "cached token: the check passes (exit 0)" 0
[ "$(last_auth)" = ok ] && ok "cached token: the fake accepted that exact token" ||
	not_ok "cached token: the fake accepted that exact token" "$(tail -1 "$T/ar.jsonl")"
helper_ran && not_ok "cached token: config-helper was not run" ||
	ok "cached token: config-helper was not run"
[ -f "$T/ran" ] && ok "cached token: gcloud ran after the check" ||
	not_ok "cached token: gcloud ran after the check"

# The same with the real gcloud named as gcloud (checked only, no deploy).
run_report env GCLOUD_RUN_DEPLOY_GCLOUD=/usr/bin/gcloud "$SHIM" --preflight=only \
	--preflight-format=json svc --image "$IMG"
expect_rc "real gcloud installed: the check passes" 0
grep_file "real gcloud installed: principal is the account" "$T/out" \
	"\"principal\": ?\"user:$ACCT\""
[ "$(last_auth)" = ok ] && ok "real gcloud installed: same token as gcloud's" ||
	not_ok "real gcloud installed: same token as gcloud's" "$(tail -1 "$T/ar.jsonl")"
[ "$(cksum <"$CLOUDSDK_CONFIG/access_tokens.db")" = "$sum0" ] &&
	ok "the shim never writes access_tokens.db" ||
	not_ok "the shim never writes access_tokens.db"

# Settings where gcloud would not simply use the cache: config-helper.
rm -f "$T/helper-argv"
run env GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" FAKE_TOKEN=$OTHER \
	FAKE_ACCOUNT=$ACCT CLOUDSDK_AUTH_TOKEN_HOST=https://127.0.0.1:9/token \
	"$SHIM" svc --image "$IMG"
helper_ran && ok "auth/token_host set: config-helper asked" ||
	not_ok "auth/token_host set: config-helper asked"
[ "$(last_auth)" = wrong ] && ok "auth/token_host set: its token was sent" ||
	not_ok "auth/token_host set: its token was sent" "$(tail -1 "$T/ar.jsonl")"
rm -f "$T/helper-argv"
run env GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" FAKE_TOKEN=$TOKEN \
	FAKE_ACCOUNT=ops@example.com "$SHIM" --account=ops@example.com \
	svc --image "$IMG"
helper_ran && ok "--account with no cached token: config-helper asked" ||
	not_ok "--account with no cached token: config-helper asked"

# 2. Expired, and within gcloud's 300 s refresh window: gcloud refreshes
#    (and fails, on loopback); the shim falls back to config-helper.
for left in -60 200; do
	cache $left
	gcloud_token
	if [ $grc -ne 0 ] && grep -q "127.0.0.1" "$T/gerr"; then
		ok "token with ${left}s left: gcloud refreshes it"
	else not_ok "token with ${left}s left: gcloud refreshes it" "exit $grc"; fi
	rm -f "$T/helper-argv"
	run env GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" FAKE_TOKEN=$OTHER \
		FAKE_ACCOUNT=$ACCT "$SHIM" svc --image "$IMG"
	helper_ran && ok "token with ${left}s left: the shim asks config-helper" ||
		not_ok "token with ${left}s left: the shim asks config-helper"
	[ "$(last_auth)" = wrong ] &&
		ok "token with ${left}s left: the cached token was not sent" ||
		not_ok "token with ${left}s left: the cached token was not sent"
done
run env GCLOUD_RUN_DEPLOY_GCLOUD=/usr/bin/gcloud HTTPS_PROXY=http://127.0.0.1:9 \
	NO_PROXY=127.0.0.1 "$SHIM" --preflight=only svc --image "$IMG"
expect_rc "expired, real gcloud cannot refresh: exit 69" 69

# 3. Just outside the window: gcloud uses it, and so does the shim.
cache 400
gcloud_token
[ $grc -eq 0 ] && [ "$(cat "$T/gtok")" = "$TOKEN" ] &&
	ok "token with 400s left: gcloud uses it" ||
	not_ok "token with 400s left: gcloud uses it" "exit $grc"
rm -f "$T/helper-argv"
run env GCLOUD_RUN_DEPLOY_GCLOUD="$T/bin/gcloud" FAKE_HELPER_FAIL=unused \
	"$SHIM" svc --image "$IMG"
expect_rc "token with 400s left: the shim uses it" 0
helper_ran && not_ok "token with 400s left: no config-helper" ||
	ok "token with 400s left: no config-helper"

# The cached token never shows in the shim's output, argv or the fake's log.
if grep -rqa "$TOKEN" "$T/all-output" "$T/ar.jsonl" "$T/argv" 2>/dev/null; then
	not_ok "the cached token appears in no output, log or argv"
else ok "the cached token appears in no output, log or argv"; fi

schema_check
done_testing
