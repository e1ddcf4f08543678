/*
 * metadata.c - the GCE metadata server as gcloud 528 reads it (see
 * metadata.h for the SDK's rules this file follows).
 *
 * MUST rules for this file:
 *   - requests go only where http_setup_metadata() allows (the metadata
 *     server's own addresses, loopback), never through a proxy, and carry
 *     no credential: the token is only received;
 *   - every buffer that held a token is wiped before it is freed (the
 *     answer body, the cJSON tree through a wiping free hook);
 *   - nothing here prints: reasons are static text for the caller.
 */
#include <sys/stat.h>

#include <ctype.h>
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

#include "auth/metadata.h"
#include "auth/principal.h"
#include "auth/tokencache.h"
#include "gcloud/env.h"
#include "gcloud/props.h"
#include "net/curlfn.h"
#include "net/http.h"
#include "util/util_str.h"
#include "util/wipe.h"

#define DEFAULT_HOST	"metadata.google.internal"
#define CHECK_S		3	/* compute/gce_metadata_check_timeout_sec */
#define READ_S		20	/* compute/gce_metadata_read_timeout_sec */
#define AUTH_S		3	/* google-auth: GCE_METADATA_TIMEOUT */
#define CACHE_AGE	600	/* gce_cache.py _GCE_CACHE_MAX_AGE */
#define ATTEMPTS	3	/* retry.RetryOnException(max_retrials=3) */
#define UNIVERSE	"googleapis.com"
#define CLOUDTOP	"insecure-cloudtop-shared-user@cloudtop-prod.google." \
			"com.iam.gserviceaccount.com"

enum { V_NOTYET, V_VALUE, V_NONE, V_FAIL };

struct mdval {
	int	 state;
	char	*v;
};

struct metadata {
	long		 timeout_ms;
	int		 on_gce;	/* -1 not asked yet */
	int		 unsure;
	struct mdval	 account, project, universe;
};

/* One answer: the transport's outcome, the HTTP status, the body. */
struct answer {
	CURLcode	 res;
	long		 code;
	struct http_buf	 body;
};

static void
answer_free(struct answer *a)
{
	if (a->body.data != NULL)
		explicit_bzero(a->body.data, a->body.len);
	http_buf_free(&a->body);
}

const char *
metadata_root_gcloud(void)
{
	const char *v = env_get("GCE_METADATA_ROOT");

	return v != NULL ? v : DEFAULT_HOST;
}

const char *
metadata_root_auth(void)
{
	const char *v;

	if (nonempty(v = env_get("GCE_METADATA_HOST")))
		return v;
	return (v = env_get("GCE_METADATA_ROOT")) != NULL ? v : DEFAULT_HOST;
}

/* Drive one easy handle to its end on a multi handle. */
static CURLcode
perform(CURL *h)
{
	CURLM *m;
	CURLMsg *msg;
	CURLcode res = CURLE_FAILED_INIT;
	int running = 1, left;

	if ((m = curl_multi_init()) == NULL)
		return res;
	if (curl_multi_add_handle(m, h) != CURLM_OK) {
		curl_multi_cleanup(m);
		return res;
	}
	while (running > 0) {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(m, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE)
				res = msg->data.result;
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	curl_multi_remove_handle(m, h);
	curl_multi_cleanup(m);
	return res;
}

/* GET http://ROOT/computeMetadata/v1/PATH once. */
static void
get1(const char *root, const char *path, long ms, struct answer *a)
{
	char url[2048], errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hdrs = NULL;
	CURL *h;

	memset(a, 0, sizeof(*a));
	a->res = CURLE_URL_MALFORMAT;
	if ((size_t)snprintf(url, sizeof(url), "http://%s/computeMetadata/v1/"
	    "%s", root, path) >= sizeof(url))
		return;
	if ((h = curl_easy_init()) == NULL) {
		a->res = CURLE_FAILED_INIT;
		return;
	}
	if ((a->res = http_setup_metadata(h, url, ms, &hdrs, &a->body,
	    errbuf)) == CURLE_OK && (a->res = perform(h)) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->code);
	curl_easy_cleanup(h);
	http_headers_free(hdrs);
}

/*
 * gcloud retries a request that did not reach the server (connection
 * refused or reset, a timeout), but not a name that does not resolve or a
 * URL it cannot build.
 */
static int
retryable(CURLcode res)
{
	return res != CURLE_OK && res != CURLE_COULDNT_RESOLVE_HOST &&
	    res != CURLE_URL_MALFORMAT && res != CURLE_FAILED_INIT &&
	    res != CURLE_OUT_OF_MEMORY;
}

static void
get(const char *root, const char *path, long ms, struct answer *a)
{
	int i;

	for (i = 0; i < ATTEMPTS; i++) {
		if (i > 0)
			answer_free(a);
		get1(root, path, ms, a);
		if (!retryable(a->res) && a->code < 500)
			return;
	}
}

/* A property of seconds as gcloud's GetInt() reads it; dflt when unset. */
static long
seconds(const struct props *p, const char *key, long dflt)
{
	const char *v = props_get(p, key);
	const char *errstr;
	long long n;

	if (!nonempty(v))
		return dflt;
	n = strtonum(v, 1, 3600, &errstr);
	return errstr == NULL ? (long)n : dflt;
}

static long
budget(const struct metadata *md, long s)
{
	long ms = s * 1000;

	return md->timeout_ms > 0 && md->timeout_ms < ms ? md->timeout_ms : ms;
}

/*
 * gce_cache.py _CheckDisk(): CONFIG_DIR/gce decides while its mtime is
 * less than 600 s old: "True" is on GCE, anything else is not.  -1 when
 * it does not decide (missing, stale, unreadable).
 */
static int
cachefile(const struct props *p)
{
	char path[4096], buf[16];
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	if (p->config_dir == NULL || (size_t)snprintf(path, sizeof(path),
	    "%s/gce", p->config_dir) >= sizeof(path))
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_mtime + CACHE_AGE >= time(NULL) &&
	    (n = read(fd, buf, sizeof(buf) - 1)) >= 0) {
		buf[n] = '\0';
		rc = strcmp(buf, "True") == 0;
	}
	close(fd);
	return rc;
}

/* Python's str.isdigit() for ASCII: non-empty, digits only. */
static int
alldigits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* gce_cache.py GetOnGCE(): the cache file, else the server. */
static int
on_gce(const struct props *p, struct metadata *md)
{
	struct answer a;

	if (md->on_gce >= 0)
		return md->on_gce;
	if ((md->on_gce = cachefile(p)) >= 0)
		return md->on_gce;
	get(metadata_root_gcloud(), "project/numeric-project-id",
	    budget(md, seconds(p, "compute/gce_metadata_check_timeout_sec",
	    CHECK_S)), &a);
	md->on_gce = a.res == CURLE_OK && a.code == 200 &&
	    alldigits(a.body.data, a.body.len);
	/* Out of time: gcloud, with its own deadline, may see it. */
	if (a.res == CURLE_OPERATION_TIMEDOUT || a.res == CURLE_URL_MALFORMAT)
		md->unsure = 1;
	answer_free(&a);
	return md->on_gce;
}

/*
 * gce.py _GCEMetadata: one read, kept.  A 404 is "none" where gcloud
 * ignores it (notfound), an error where it does not; a server that
 * cannot be reached is "none" (_HandleMissingMetadataServer).
 */
static const char *
readval(const struct props *p, struct metadata *md, struct mdval *v,
    const char *path, int notfound)
{
	struct answer a;

	if (v->state != V_NOTYET)
		return v->v;
	v->state = V_NONE;
	if (props_bool(p, "core/check_gce_metadata", 1) != 1 ||
	    !on_gce(p, md))
		return NULL;
	get(metadata_root_gcloud(), path, budget(md, seconds(p,
	    "compute/gce_metadata_read_timeout_sec", READ_S)), &a);
	if (a.res != CURLE_OK)
		md->unsure |= a.res != CURLE_COULDNT_CONNECT &&
		    a.res != CURLE_COULDNT_RESOLVE_HOST;
	else if (a.code == 404 && notfound)
		;
	else if (a.code != 200 || !plainword(a.body.data, a.body.len)) {
		v->state = V_FAIL;
		md->unsure = 1;
	} else if (a.body.len > 0 && (v->v = strdup(a.body.data)) != NULL)
		v->state = V_VALUE;
	answer_free(&a);
	return v->v;
}

const char *
metadata_property(const struct props *p, const char *key)
{
	struct metadata *md = p->md;
	const char *v;

	if (md == NULL)
		return NULL;
	if (strcmp(key, "core/project") == 0)
		return readval(p, md, &md->project, "project/project-id", 0);
	if (strcmp(key, "core/account") == 0) {
		v = readval(p, md, &md->account,
		    "instance/service-accounts/default/email", 1);
		return v != NULL && strcmp(v, CLOUDTOP) != 0 ? v : NULL;
	}
	if (strcmp(key, "core/universe_domain") != 0)
		return NULL;
	if (readval(p, md, &md->universe, "universe/universe-domain", 1) ==
	    NULL && md->universe.state == V_NONE && md->on_gce == 1 &&
	    (md->universe.v = strdup(UNIVERSE)) != NULL)
		md->universe.state = V_VALUE;	/* 404 or "": the default */
	return md->universe.v;
}

int
metadata_unsure(const struct props *p)
{
	return p->md != NULL && p->md->unsure;
}

int
metadata_enable(struct props *p, long timeout_ms)
{
	if (p->md == NULL && (p->md = calloc(1, sizeof(*p->md))) == NULL)
		return -1;
	p->md->timeout_ms = timeout_ms;
	p->md->on_gce = -1;
	p->md_get = metadata_property;
	p->md_free = metadata_free;
	return 0;
}

void
metadata_free(struct metadata *md)
{
	if (md == NULL)
		return;
	free(md->account.v);
	free(md->project.v);
	free(md->universe.v);
	free(md);
}

/*
 * gce.py Accounts(): is `account` one of the lines of
 * instance/service-accounts/ ("default/", "EMAIL/", ...)?  1, 0, or -1
 * when the listing cannot be had.
 */
static int
listed(const struct props *p, struct metadata *md, const char *account)
{
	struct answer a;
	const char *s, *e;
	size_t n = strlen(account);
	int rc = -1;

	get(metadata_root_gcloud(), "instance/service-accounts/",
	    budget(md, seconds(p, "compute/gce_metadata_read_timeout_sec",
	    READ_S)), &a);
	if (a.res == CURLE_OK && a.code == 200 && a.body.data != NULL) {
		rc = 0;
		for (s = a.body.data; *s != '\0'; s = e) {
			s += strspn(s, " \t\n\r\f\v");
			e = s + strcspn(s, " \t\n\r\f\v");
			while (e > s && e[-1] == '/')
				e--;
			if ((size_t)(e - s) == n && strncmp(s, account, n) == 0)
				rc = 1;
			e += strcspn(e, " \t\n\r\f\v");
		}
	}
	answer_free(&a);
	return rc;
}


/* The access_token of a token answer, copied into *tok. */
static int
parsetoken(char **tok, size_t *len, const char *body, size_t blen)
{
	struct cJSON_Hooks hooks = { malloc, wipe_free };
	cJSON *root;
	const cJSON *at;
	size_t n;
	int rc = -1;

	cJSON_InitHooks(&hooks);
	root = cJSON_ParseWithLength(body, blen);
	at = cJSON_GetObjectItemCaseSensitive(root, "access_token");
	if (cJSON_IsString(at) && (n = strlen(at->valuestring)) > 0 &&
	    plainword(at->valuestring, n) &&
	    (*tok = strdup(at->valuestring)) != NULL) {
		*len = n;
		rc = 0;
	}
	if (cJSON_IsString(at))
		explicit_bzero(at->valuestring, strlen(at->valuestring));
	cJSON_Delete(root);
	cJSON_InitHooks(NULL);
	return rc;
}

/* google-auth get_service_account_token(): the metadata server's token. */
static int
fetchtoken(const struct metadata *md, const char *account, char **tok,
    size_t *len)
{
	struct answer a;
	char path[512];
	const char *v, *errstr;
	long s = AUTH_S;
	int rc = -1;

	if (nonempty(v = env_get("GCE_METADATA_TIMEOUT")))
		s = strtonum(v, 1, 3600, &errstr);
	if (s <= 0 || (size_t)snprintf(path, sizeof(path),
	    "instance/service-accounts/%s/token", account) >= sizeof(path))
		return -1;
	get(metadata_root_auth(), path, budget(md, s), &a);
	if (a.res == CURLE_OK && a.code == 200 && a.body.data != NULL)
		rc = parsetoken(tok, len, a.body.data, a.body.len);
	answer_free(&a);
	return rc;
}

/* An account fit for a URL path and a --member: name@domain, plainly. */
static int
emailok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < sizeof(((struct principal *)0)->email) &&
	    strchr(s, '@') != NULL && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._+-") == n;
}

/*
 * Rules before any request: nothing gcloud would take before the
 * metadata credential, nothing that changes how it uses it.  NULL when
 * they hold.
 */
static const char *
settings_rule(const struct props *p)
{
	const char *v;

	if (p->md == NULL)
		return "metadata lookups are off";
	if (nonempty(env_get("CLOUDSDK_AUTH_ACCESS_TOKEN")) ||
	    nonempty(props_get(p, "auth/access_token_file")) ||
	    nonempty(props_get(p, "auth/credential_file_override")))
		return "a token or credential file comes first";
	if (nonempty(props_get(p, "auth/impersonate_service_account")))
		return "impersonation is set";
	if (nonempty(env_get("CLOUD_SHELL")) ||
	    ((v = env_get("DEVSHELL_CLIENT_PORT")) != NULL &&
	    strtol(v, NULL, 10) != 0))
		return "Cloud Shell counts metadata credentials as a user's";
	if (props_bool(p, "auth/disable_load_google_auth", 0) != 0)
		return "auth/disable_load_google_auth is set";
	if (p->config_dir == NULL)
		return "no gcloud config folder";
	return NULL;
}

/*
 * store.py _Load() for an account not in the credential store:
 * GceCredentialProvider.GetCredentials() (check_gce_metadata on, on GCE,
 * the account listed), then _HandleGceUniverseDomain().
 */
static const char *
provider_rule(const struct props *p, const char *account)
{
	const char *u;

	if (props_bool(p, "core/check_gce_metadata", 1) != 1)
		return "core/check_gce_metadata is off";
	if (!on_gce(p, p->md))
		return "not on GCE (gcloud's on-GCE check)";
	if (listed(p, p->md, account) != 1)
		return "the metadata server does not list core/account";
	if ((u = metadata_property(p, "core/universe_domain")) == NULL ||
	    strcmp(u, UNIVERSE) != 0)
		return "the metadata server's universe is not " UNIVERSE;
	return NULL;
}

/* Which credential gcloud loads for the account: the metadata's, or not. */
static const char *
account_rule(const struct props *p, const char *account)
{
	const char *u, *why = NULL;

	if (!nonempty(account))
		return "no core/account";
	if (!emailok(account))
		return "core/account is not a plain e-mail address";
	switch (tokencache_stored(p->config_dir, account)) {
	case 0:
		why = provider_rule(p, account);
		break;
	case 1:		/* gcloud stored the metadata credential: it loads it */
		if (tokencache_gce(p->config_dir, account) != 1)
			why = "core/account has other credentials in the store";
		break;
	default:
		why = "credentials.db cannot be read";
	}
	if (why == NULL && (u = props_get(p, "core/universe_domain")) != NULL &&
	    strcmp(u, UNIVERSE) != 0)
		why = "core/universe_domain is not " UNIVERSE;
	if (why == NULL && p->md->unsure)
		why = "a metadata lookup did not finish";
	return why;
}

int
metadata_acquire(const struct props *p, char **tok, size_t *len,
    const char **source, const char **why)
{
	const char *account;
	int rc;

	if ((*why = settings_rule(p)) != NULL)
		return -1;
	account = props_get(p, "core/account");
	if ((*why = account_rule(p, account)) != NULL)
		return -1;
	/* MaybeAttachAccessTokenCacheStoreGoogleAuth(),
	 * RefreshIfAlmostExpire */
	rc = tokencache_cached(p->config_dir, account, time(NULL),
	    TOKENCACHE_MARGIN, tok, len);
	if (rc == -1) {
		*why = "access_tokens.db cannot be read";
		return -1;
	}
	if (rc == 0)
		*source = TOKENCACHE_SOURCE;
	else if (fetchtoken(p->md, account, tok, len) == 0)
		*source = METADATA_SOURCE;
	else {
		*why = "the metadata server gave no token";
		return -1;
	}
	return 0;
}
