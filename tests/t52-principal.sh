#!/bin/sh
# t52-principal.sh - the principal is named for every credential gcloud
# supports (issue 12, SPEC section 4), in the JSON report ("principal";
# "member", "grant" on each denied image) and in the text grant command.
# Through a config-helper stand-in, and through the real gcloud where it
# runs offline (credential files whose token endpoints are the loopback
# fake).  A raw token's owner is asked of the token-info endpoint (the
# fake, reached through GCLOUD_RUN_DEPLOY_CONNECT_TO with a certificate
# for oauth2.googleapis.com) on the denial path only, with the token in
# the POST body.  One Python process: the fake.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { skip "t52: python3 missing: no fake"; done_testing; exit 0; }
command -v jq >/dev/null || { skip "t52: jq missing"; done_testing; exit 0; }
make_ca
# A server certificate that also names oauth2.googleapis.com.
make_cert goog "DNS:oauth2.googleapis.com,DNS:localhost,IP:127.0.0.1"
F="$T/fake"
mkdir -p "$F" "$T/bin"
TOKEN=ya29.t52-principal-token-1414213562
printf '%s\n' "$TOKEN" >"$F/token"
rm -f "$T/ident.port"
python3 "$TOP/tests/fake/fakeident.py" --port-file "$T/ident.port" --dir "$F" \
	--cert "$T/ca/goog.pem" --key "$T/ca/goog.key" >"$T/ident.log" 2>&1 &
_pids="$_pids $!"
i=0
until [ -s "$T/ident.port" ] && [ -s "$T/ident.port.tls" ]; do
	i=$((i + 1)); [ $i -gt 200 ] && { not_ok "t52: fake did not start" "$(cat "$T/ident.log")"; done_testing; exit; }
	sleep 0.05
done
PORT=$(cat "$T/ident.port") TLSPORT=$(cat "$T/ident.port.tls")
AR=http://127.0.0.1:$PORT/
IMG=us-central1-docker.pkg.dev/p
export CLOUDSDK_CORE_PROJECT=p GCLOUD_RUN_DEPLOY_TIMEOUT=30
export CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY="$AR"
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE="$T/ca/ca.pem"
export GCLOUD_RUN_DEPLOY_CONNECT_TO="oauth2.googleapis.com:443:127.0.0.1:$TLSPORT"
unset GITHUB_REPOSITORY
wire_mark() { w0=$(log_lines "$F/wire.jsonl"); }
wire_since() { tail -n +"$((w0 + 1))" "$F/wire.jsonl" 2>/dev/null || :; }

# A config-helper stand-in: the token from the fake's file, and the
# properties gcloud would print for this environment.
cat >"$T/bin/gcloud" <<REC
#!/bin/sh
if [ "\$1 \$2" = "config config-helper" ]; then
	auth=""
	[ -n "\${CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT:-}" ] &&
		auth="\"impersonate_service_account\": \"\$CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT\""
	[ -n "\${CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE:-}" ] &&
		auth="\"credential_file_override\": \"\$CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE\""
	printf '{"configuration": {"active_configuration": "default", "properties": {"auth": {%s}, "core": {"account": "%s", "project": "p"}}}, "credential": {"access_token": "%s", "token_expiry": "2099-01-01T00:00:00Z"}}\n' \
		"\$auth" "\${CLOUDSDK_CORE_ACCOUNT:-}" "\$(cat "$F/token")"
	exit 0
fi
echo ran >"$T/ran"
REC
chmod +x "$T/bin/gcloud"
STAND_IN="$T/bin/gcloud"

# check NAME WANT_PRINCIPAL WANT_MEMBER ENV...: a denied check in JSON
# names the principal and the member of the grant command.
check() {
	_n=$1 _p=$2 _m=$3
	shift 3
	run env "$@" "$SHIM" --preflight=only --preflight-format=json svc \
		--image "$IMG/no/app:1"
	expect_rc "$_n: denied: 77" 77
	if jq -e --arg p "$_p" --arg m "$_m" '(.principal // "null") == $p and
	    (.images[0].member // "null") == $m and
	    (.images[0].grant | contains("--member=" + (if ($m | test("^[A-Za-z0-9@%+=:,./_-]+$")) then $m else "\u0027" + $m + "\u0027" end) + " "))' \
	    "$T/out" >/dev/null 2>&1; then
		ok "$_n: principal $_p, grant to $_m"
	else not_ok "$_n: principal $_p, grant to $_m" "$(cat "$T/out")" "$(head -c 400 "$T/err")"; fi
}

# Logged-in user and stored service account key (core/account).
check "authorized_user" user:dev@example.com user:dev@example.com \
	GCLOUD_RUN_DEPLOY_GCLOUD="$STAND_IN" CLOUDSDK_CORE_ACCOUNT=dev@example.com
check "stored service account key" serviceAccount:ci@p.iam.gserviceaccount.com \
	serviceAccount:ci@p.iam.gserviceaccount.com \
	GCLOUD_RUN_DEPLOY_GCLOUD="$STAND_IN" CLOUDSDK_CORE_ACCOUNT=ci@p.iam.gserviceaccount.com
# Impersonation chain: the last account.
check "impersonation chain" serviceAccount:last@p.iam.gserviceaccount.com \
	serviceAccount:last@p.iam.gserviceaccount.com \
	GCLOUD_RUN_DEPLOY_GCLOUD="$STAND_IN" CLOUDSDK_CORE_ACCOUNT=dev@example.com \
	CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT="first@p.iam.gserviceaccount.com, last@p.iam.gserviceaccount.com"
# Workforce account, as gcloud stores it (core/account is the principal).
WF=principal://iam.googleapis.com/locations/global/workforcePools/corp/subject/alice
check "workforce account" "$WF" "$WF" GCLOUD_RUN_DEPLOY_GCLOUD="$STAND_IN" \
	CLOUDSDK_CORE_ACCOUNT="$WF"

# Credential files (auth/credential_file_override), as CI sets them.
openssl genrsa -out "$T/sa.pem" 2048 2>/dev/null
{
	printf '{"type": "service_account", "project_id": "p", "private_key_id": "k1", "private_key": "'
	awk '{printf "%s\\n", $0}' "$T/sa.pem"
	printf '", "client_email": "deployer@p.iam.gserviceaccount.com", "client_id": "1", "token_uri": "%s"}\n' "${AR}token"
} >"$T/key.json"
printf 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm9jdG8vYXBwOnJlZjpyZWZzL2hlYWRzL21haW4ifQ.c2ln\n' >"$T/oidc.jwt"
AUD=//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/gh-pool/providers/gh
POOL=principal://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/gh-pool
ext() {	# ext FILE [SA]: an external_account file with a file source
	printf '{"type": "external_account", "audience": "%s", "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "token_url": "%ssts", "credential_source": {"file": "%s"}%s}\n' \
		"$AUD" "$AR" "$T/oidc.jwt" \
		"${2:+, \"service_account_impersonation_url\": \"${AR}v1/projects/-/serviceAccounts/$2:generateAccessToken\"}" >"$1"
}
ext "$T/wif-sa.json" wif@p.iam.gserviceaccount.com
ext "$T/wif.json"
printf '{"type": "external_authorized_user", "audience": "//iam.googleapis.com/locations/global/workforcePools/corp/providers/okta", "refresh_token": "rt", "token_url": "%ssts", "token_info_url": "%sintrospect", "client_id": "c", "client_secret": "s"}\n' \
	"$AR" "$AR" >"$T/wfuser.json"
printf '{"type": "authorized_user", "client_id": "c", "client_secret": "s", "refresh_token": "rt"}\n' >"$T/user.json"

for via in stand-in gcloud; do
	if [ $via = gcloud ]; then
		if ! have_gcloud; then
			skip "t52: /usr/bin/gcloud is not installed: credential files through the real gcloud NOT TESTED"
			break
		fi
		G=/usr/bin/gcloud
		set -- CLOUDSDK_AUTH_TOKEN_HOST="${AR}token" \
			CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS="$AR" \
			CLOUDSDK_API_ENDPOINT_OVERRIDES_STS="$AR" \
			CLOUDSDK_AUTH_TOKEN_INTROSPECTION_ENDPOINT="${AR}introspect"
	else
		G=$STAND_IN
		set -- X=1
	fi
	check "key file ($via)" serviceAccount:deployer@p.iam.gserviceaccount.com \
		serviceAccount:deployer@p.iam.gserviceaccount.com "$@" \
		GCLOUD_RUN_DEPLOY_GCLOUD="$G" CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE="$T/key.json"
	check "external_account with impersonation ($via)" \
		serviceAccount:wif@p.iam.gserviceaccount.com \
		serviceAccount:wif@p.iam.gserviceaccount.com "$@" \
		GCLOUD_RUN_DEPLOY_GCLOUD="$G" CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE="$T/wif-sa.json"
	check "external_account, direct federation ($via)" \
		"$POOL/subject/SUBJECT" "$POOL/subject/SUBJECT" "$@" \
		GCLOUD_RUN_DEPLOY_GCLOUD="$G" CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE="$T/wif.json"
	jq -e '.images[0].member_note | test("principalSet://.*attribute.repository")' "$T/out" >/dev/null 2>&1 &&
		ok "direct federation ($via): the note gives the principalSet:// form" ||
		not_ok "direct federation ($via): the note gives the principalSet:// form" "$(cat "$T/out")"
done
# In GitHub Actions the repository is known: the grant is ready to paste.
check "direct federation in GitHub Actions" "$POOL/subject/SUBJECT" \
	"principalSet://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/gh-pool/attribute.repository/octo/app" \
	GCLOUD_RUN_DEPLOY_GCLOUD="$STAND_IN" GITHUB_REPOSITORY=octo/app \
	CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE="$T/wif.json"
check "external_authorized_user (workforce)" \
	principal://iam.googleapis.com/locations/global/workforcePools/corp/subject/SUBJECT \
	principal://iam.googleapis.com/locations/global/workforcePools/corp/subject/SUBJECT \
	GCLOUD_RUN_DEPLOY_GCLOUD="$STAND_IN" CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE="$T/wfuser.json"

# Text: the denial names the principal and prints the grant command.
run env GCLOUD_RUN_DEPLOY_GCLOUD="$STAND_IN" CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE="$T/wif.json" \
	"$SHIM" --preflight=only svc --image "$IMG/no/app:1"
expect_rc "text, direct federation: 77" 77
grep_file "text: the denial names the federated principal" "$T/err" \
	"$POOL/subject/SUBJECT"
grep_file "text: the note says the subject is known only to Google" "$T/err" \
	"mapping is kept by Google"

# Raw tokens: the owner is asked of token-info, only on the denial path.
printf '{"azp": "1", "aud": "1", "sub": "42", "scope": "openid https://www.googleapis.com/auth/userinfo.email", "email": "owner@example.com", "email_verified": "true", "expires_in": "3000"}\n' >"$F/tokeninfo"
printf '%s\n' "$TOKEN" >"$T/token.txt"
for src in env file; do
	if [ $src = env ]; then set -- CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN"
	else set -- CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$T/token.txt"; fi
	wire_mark
	run env "$@" GCLOUD_RUN_DEPLOY_GCLOUD="$STAND_IN" "$SHIM" --preflight=only \
		--preflight-format=json svc --image "$IMG/ok/app:1"
	expect_rc "raw token ($src), granted: 0" 0
	wire_since | grep -q tokeninfo && not_ok "raw token ($src), granted: token-info not asked" "$(wire_since)" ||
		ok "raw token ($src), granted: token-info not asked"
	wire_mark
	check "raw token ($src), denied" user:owner@example.com user:owner@example.com \
		"$@" GCLOUD_RUN_DEPLOY_GCLOUD="$STAND_IN"
	if wire_since | grep '/tokeninfo' | grep -q '"tls": true, *$\|"tls": true}' &&
	    wire_since | grep '/tokeninfo' | grep -q '"query": false' &&
	    wire_since | grep '/tokeninfo' | grep -q '"token_in_url": false' &&
	    wire_since | grep '/tokeninfo' | grep -q '"token_in_body": true'; then
		ok "raw token ($src): token-info asked over TLS, the token in the POST body only"
	else not_ok "raw token ($src): token-info asked over TLS, token in the body" "$(wire_since)"; fi
done
printf '{"azp": "1", "aud": "1", "sub": "42", "scope": "openid", "expires_in": "3000"}\n' >"$F/tokeninfo"
run env CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" GCLOUD_RUN_DEPLOY_GCLOUD="$STAND_IN" \
	"$SHIM" --preflight=only svc --image "$IMG/no/app:1"
expect_rc "raw token, no e-mail scope: 77" 77
grep_file "no e-mail: MEMBER stays" "$T/err" "--member=MEMBER"
grep_file "no e-mail: the reason is given" "$T/err" "names no e-mail for the token"
rm -f "$F/tokeninfo"
run env CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" GCLOUD_RUN_DEPLOY_GCLOUD="$STAND_IN" \
	"$SHIM" --preflight=only --preflight-format=json svc --image "$IMG/no/app:1"
jq -e '.principal == null and .images[0].member == null and (.images[0].grant | contains("--member=MEMBER")) and (.images[0].member_note | test("does not know the token"))' \
	"$T/out" >/dev/null 2>&1 && ok "token-info refuses: MEMBER, with the reason in JSON" ||
	not_ok "token-info refuses: MEMBER, with the reason in JSON" "$(cat "$T/out")"
# An endpoint override without the connect-to seam: Google's default
# host is not added behind the user's back (private endpoints, fakes).
wire_mark
run env -u GCLOUD_RUN_DEPLOY_CONNECT_TO CLOUDSDK_AUTH_ACCESS_TOKEN="$TOKEN" \
	GCLOUD_RUN_DEPLOY_GCLOUD="$STAND_IN" "$SHIM" --preflight=only svc --image "$IMG/no/app:1"
expect_rc "endpoint override, raw token, denied: 77" 77
grep_file "endpoint override: token-info not asked, and the message says why" \
	"$T/err" "token-info endpoint is not asked when Artifact Registry is reached through an endpoint override"
grep -rqa -- "$TOKEN" "$T/all-output" && not_ok "the token is in no output" ||
	ok "the token is in no output"

done_testing
