/*
 * token.c - the principal gcloud deploys as, and its access token.
 *
 * MUST rules for this file:
 *   - the token never reaches a file, a log, an argument list, an
 *     environment variable or an error message: messages name where a
 *     token came from, never what it holds;
 *   - every buffer that held it is wiped with explicit_bzero() before it
 *     is freed, on every path: the token file buffer, the helper's pipe
 *     buffer, and every cJSON allocation (a wiping free hook is installed
 *     around cJSON_Parse(), so even a half-parsed tree is wiped);
 *   - token_free() wipes, frees, and may be called twice.
 *
 * What gcloud 528 does (googlecloudsdk/core/credentials/store.py):
 *   - _Load(): CLOUDSDK_AUTH_ACCESS_TOKEN when non-empty (then .strip()ped),
 *     else auth/access_token_file (files.ReadFileContents(path).strip()),
 *     else auth/credential_file_override, else the stored credential of
 *     core/account or the metadata server.  A token from the environment
 *     or a file becomes AccessTokenCredentials(token): gcloud never learns
 *     whose token it is and does not use core/account for it.
 *   - Load(): with auth/impersonate_service_account set, the source
 *     credential is whatever _Load() finds (a raw token included) and a
 *     token is minted for the last entry of the chain
 *     (ParseImpersonationAccounts: split on ',', entries stripped).
 *   - surface/config/config_helper.py runs store.Load(use_google_auth=True)
 *     with impersonation allowed: it honours CLOUDSDK_AUTH_ACCESS_TOKEN, the
 *     token file and impersonation.  Checked with SDK 528: with a token file
 *     it prints that token; with impersonation as well it calls
 *     iamcredentials generateAccessToken.
 *
 * So: a raw token without impersonation is used as it is, and its principal
 * is PRINCIPAL_UNKNOWN (guessing core/account would name someone gcloud
 * does not deploy as); everything else asks config-helper, and the
 * principal comes from the effective properties it prints.  A raw token is
 * AccessTokenCredentials, whose type creds.py calls UNKNOWN, not a user:
 * user_creds stays 0 for it.
 */
#include <sys/prctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "auth/helper.h"
#include "auth/metadata.h"
#include "auth/token.h"
#include "auth/tokencache.h"
#include "gcloud/env.h"
#include "gcloud/props.h"
#include "net/apierror.h"
#include "util/hinttext.h"
#include "util/util_file.h"
#include "util/util_str.h"
#include "util/wipe.h"

#define TOKEN_MAX_FILE	(64 * 1024)
#define HELPER_MAX_OUT	(256 * 1024)
#define ENV_TOKEN	"CLOUDSDK_AUTH_ACCESS_TOKEN"
#define WS		" \t\n\v\f\r\x1c\x1d\x1e\x1f"	/* str.strip() */
#define SA_SUFFIX	".gserviceaccount.com"
#define HELPER		"gcloud config config-helper"
/* core/universe_domain default */
#define UNIVERSE	"googleapis.com"

static long helper_ms = 60 * 1000;

void
token_set_timeout(long ms)
{
	helper_ms = ms > 0 ? ms : 60 * 1000;
}

/*
 * The principal of the settings: impersonation, else a credential file
 * (auth/credential_file_override, read offline), else a raw token (named
 * by nobody until Google's token-info endpoint is asked on the denial
 * path), else core/account.  `env` is CLOUDSDK_AUTH_ACCESS_TOKEN.
 */
static void
principal_settings(const char *imp, const char *account, const char *env,
    const char *tokfile, const char *credfile, struct principal *who)
{
	int raw = nonempty(env) || nonempty(tokfile);

	principal_of(imp, account, raw || nonempty(credfile), who);
	if (nonempty(imp))
		return;
	if (raw)
		snprintf(who->note, sizeof(who->note), "a raw access token "
		    "(%s) does not name its owner", nonempty(env) ? ENV_TOKEN :
		    "auth/access_token_file");
	else if (nonempty(credfile))
		principal_from_file(credfile, who);
}

void
token_principal(const struct props *p, struct principal *who)
{
	principal_settings(props_get(p, "auth/impersonate_service_account"),
	    props_get(p, "core/account"), env_get(ENV_TOKEN),
	    props_get(p, "auth/access_token_file"),
	    props_get(p, "auth/credential_file_override"), who);
}

int
token_user_creds(const struct props *p)
{
	struct principal who;

	token_principal(p, &who);
	return who.kind == PRINCIPAL_USER &&
	    !nonempty(props_get(p, "auth/impersonate_service_account")) &&
	    !nonempty(props_get(p, "auth/credential_file_override"));
}

/* Take s (n bytes), stripped, as the token; `from` names the source. */
static int
settoken(struct token *t, const char *s, size_t n, const char *from,
    char *err, size_t errlen)
{
	size_t i;

	while (n > 0 && strchr(WS, *s) != NULL && *s != '\0')
		s++, n--;
	while (n > 0 && strchr(WS, s[n - 1]) != NULL && s[n - 1] != '\0')
		n--;
	if (n == 0) {
		snprintf(err, errlen, "the access token from %s is empty",
		    from);
		return -1;
	}
	for (i = 0; i < n; i++)	/* it goes into an HTTP header */
		if (s[i] <= ' ' || s[i] >= 0x7f) {
			snprintf(err, errlen, "the access token from %s "
			    "contains characters that are not allowed", from);
			return -1;
		}
	if ((t->value = malloc(n + 1)) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	memcpy(t->value, s, n);
	t->value[n] = '\0';
	t->len = n;
	return 0;
}

static int
fromfile(struct token *t, const char *path, char *err, size_t errlen)
{
	char *buf;
	size_t n;
	int rc = -1;

	switch (file_read(path, TOKEN_MAX_FILE, FILE_WIPE, &buf, &n)) {
	case FILE_OK:
		rc = settoken(t, buf, n, "auth/access_token_file", err,
		    errlen);
		break;
	case FILE_TOOBIG:
		snprintf(err, errlen, "access token file '%s' is larger than "
		    "%d bytes", path, TOKEN_MAX_FILE);
		break;
	case FILE_NOMEM:
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		break;
	default:
		snprintf(err, errlen, "cannot read access token file '%s': %s",
		    path, strerror(errno));
	}
	wipe_free(buf);
	return rc;
}


static const char *
jstr(const cJSON *o, const char *a, const char *b, const char *c)
{
	o = cJSON_GetObjectItemCaseSensitive(o, a);
	o = cJSON_GetObjectItemCaseSensitive(o, b);
	if (c != NULL)
		o = cJSON_GetObjectItemCaseSensitive(o, c);
	return cJSON_IsString(o) ? o->valuestring : NULL;
}

/*
 * A token of another universe (core/universe_domain) is good only at that
 * universe's endpoints; every endpoint of the check is a googleapis.com
 * one (or an override), so it is refused before any token is obtained.
 */
static int
other_universe(const char *u, char *err, size_t errlen)
{
	if (u == NULL || *u == '\0' || strcmp(u, UNIVERSE) == 0)
		return 0;
	snprintf(err, errlen, "core/universe_domain is '%.100s': this check "
	    "asks only the " UNIVERSE " universe, and a token of another "
	    "universe is not sent there (" HINT_OTHER_UNIVERSE ")", u);
	return -1;
}

/* Token and principal from config-helper's JSON. */
static int
parsehelper(struct token *t, char *buf, size_t n, char *err, size_t errlen)
{
	struct cJSON_Hooks hooks = { malloc, wipe_free };
	const cJSON *props;
	cJSON *root, *c;
	const char *tok;
	int rc = -1;

	cJSON_InitHooks(&hooks);
	if ((root = cJSON_ParseWithLength(buf, n)) == NULL) {
		snprintf(err, errlen, HELPER " printed something that is not "
		    "JSON");
		goto out;
	}
	if ((tok = jstr(root, "credential", "access_token", NULL)) == NULL) {
		snprintf(err, errlen, HELPER " printed no access token");
		goto out;
	}
	props = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(root, "configuration"),
	    "properties");
	if (other_universe(jstr(props, "core", "universe_domain", NULL), err,
	    errlen) != 0)
		goto out;
	if (settoken(t, tok, strlen(tok), HELPER, err, errlen) == -1)
		goto out;
	principal_settings(jstr(props, "auth", "impersonate_service_account",
	    NULL), jstr(props, "core", "account", NULL), env_get(ENV_TOKEN),
	    jstr(props, "auth", "access_token_file", NULL),
	    jstr(props, "auth", "credential_file_override", NULL), &t->who);
	/*
	 * creds.py IsUserAccountCredentials(): stored user credentials (a
	 * refresh token) are; impersonated, service account, GCE outside
	 * Cloud Shell and raw-token credentials are not.  principal_of()
	 * says USER only for a non-service account without impersonation or
	 * a raw token, which is that case.  (Workforce pool accounts, which
	 * gcloud also counts, have no e-mail and stay at 0.)
	 */
	t->user_creds = t->who.kind == PRINCIPAL_USER &&
	    !nonempty(jstr(props, "auth", "credential_file_override", NULL));
	t->source = HELPER;
	rc = 0;
out:
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root,
	    "credential"))
		if (cJSON_IsString(c) && c->valuestring != NULL)
			explicit_bzero(c->valuestring, strlen(c->valuestring));
	cJSON_Delete(root);
	cJSON_InitHooks(NULL);
	return rc;
}

static int
helper(const struct deploy_args *a, const char *gcloud, struct token *t,
    char *err, size_t errlen)
{
	static const char *const flag[] = { "--account",
	    "--impersonate-service-account", "--configuration",
	    "--access-token-file", "--credential-file-override" };
	const char *val[5];
	char *argv[4 + 5 + 1] = { NULL }, *buf = NULL;
	size_t i, argc = 4, n = 0;
	int rc = -1;

	if (gcloud == NULL || *gcloud != '/') {
		snprintf(err, errlen, "cannot run " HELPER ": no gcloud found");
		return -1;
	}
	val[0] = a ? a->account : NULL;
	val[1] = a ? a->impersonate : NULL;
	val[2] = a ? a->configuration : NULL;
	val[3] = a ? a->access_token_file : NULL;
	val[4] = a ? a->credential_file_override : NULL;
	argv[0] = (char *)gcloud;
	argv[1] = (char *)"config";
	argv[2] = (char *)"config-helper";
	argv[3] = (char *)"--format=json";
	for (i = 0; i < 5; i++)
		if (val[i] != NULL &&
		    asprintf(&argv[argc++], "%s=%s", flag[i], val[i]) == -1) {
			argv[--argc] = NULL;
			snprintf(err, errlen, "%s", strerror(ENOMEM));
			goto out;
		}
	if ((buf = malloc(HELPER_MAX_OUT)) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto out;
	}
	if (helper_run(argv, buf, HELPER_MAX_OUT, &n, helper_ms, err,
	    errlen) == 0)
		rc = parsehelper(t, buf, n, err, errlen);
out:
	if (buf != NULL)
		explicit_bzero(buf, HELPER_MAX_OUT);
	free(buf);
	for (i = 4; i < argc; i++)
		free(argv[i]);
	return rc;
}

/*
 * The metadata server's credentials (Cloud Build, GCE, Cloud Run jobs,
 * GKE), read directly where gcloud's rules make them certain; metadata.c
 * holds those rules.  -1 and t untouched otherwise: config-helper decides.
 */
static int
frommetadata(const struct props *p, struct token *t)
{
	const char *why, *source;
	char *tok;
	size_t len;

	if (metadata_acquire(p, &tok, &len, &source, &why) != 0)
		return -1;
	t->value = tok;
	t->len = len;
	t->source = source;
	t->who.kind = PRINCIPAL_SERVICE_ACCOUNT;
	strlcpy(t->who.email, props_get(p, "core/account"),
	    sizeof(t->who.email));
	t->user_creds = 0;
	return 0;
}

int
token_cached(const struct props *p, struct token *t)
{
	const char *why;
	char *tok;
	size_t len;

	if (tokencache_unusable(p) != NULL ||
	    tokencache_lookup(p->config_dir, props_get(p, "core/account"),
	    time(NULL), TOKENCACHE_MARGIN, &tok, &len, &why) != 0)
		return -1;
	t->value = tok;
	t->len = len;
	/* As the config-helper path: no raw token and no impersonation. */
	token_principal(p, &t->who);
	t->user_creds = t->who.kind == PRINCIPAL_USER;
	t->source = TOKENCACHE_SOURCE;
	return 0;
}

int
token_acquire(const struct props *p, const struct deploy_args *a,
    const char *gcloud, struct token *t, char *err, size_t errlen)
{
	const char *v;
	int rc;

	memset(t, 0, sizeof(*t));
	if (other_universe(props_get(p, "core/universe_domain"), err,
	    errlen) != 0)
		return -1;
	/*
	 * No core file from here to the exec: freed buffers of libcurl and
	 * OpenSSL still hold the token after token_free().  execve() makes
	 * gcloud dumpable again.
	 */
	prctl(PR_SET_DUMPABLE, 0);
	if (nonempty(props_get(p, "auth/impersonate_service_account")))
		rc = helper(a, gcloud, t, err, errlen);
	else if (nonempty(v = env_get(ENV_TOKEN))) {
		rc = settoken(t, v, strlen(v), ENV_TOKEN, err, errlen);
		t->source = ENV_TOKEN;
	} else if (nonempty(v = props_get(p, "auth/access_token_file"))) {
		rc = fromfile(t, v, err, errlen);
		t->source = "auth/access_token_file";
	} else if (token_cached(p, t) == 0)	/* gcloud's own cache */
		rc = 0;
	else if (frommetadata(p, t) == 0)
		rc = 0;
	else
		rc = helper(a, gcloud, t, err, errlen);
	if (rc == -1)
		token_free(t);
	else
		apierror_secret(t->value);
	return rc;
}

void
token_free(struct token *t)
{
	if (t->value != NULL) {
		apierror_secret(NULL);
		explicit_bzero(t->value, t->len);
		free(t->value);
	}
	memset(t, 0, sizeof(*t));
}
