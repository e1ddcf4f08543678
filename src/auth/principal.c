/*
 * principal.c - who gcloud deploys as, spelt as an IAM member (see
 * principal.h for the table and what google-auth knows offline).
 *
 * MUST rules for this file:
 *   - a member goes into a command meant for pasting: only printable
 *     ASCII without white space is taken (report.c quotes it as well);
 *   - a credential file may hold a private key or a refresh token: it is
 *     read into memory that is wiped, and cJSON's copies are wiped too;
 *   - the token goes to the token-info endpoint in a POST body, never in
 *     a URL, and only when a denial must name its owner.
 */
#include <sys/prctl.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "gcloud/transport.h"	/* AR_ENDPOINT */
#include "auth/principal.h"
#include "gcloud/env.h"
#include "net/fetch.h"
#include "net/http.h"
#include "util/hinttext.h"
#include "util/util_file.h"
#include "util/util_json.h"
#include "util/util_str.h"
#include "util/wipe.h"

#define WS		" \t\n\v\f\r\x1c\x1d\x1e\x1f"	/* str.strip() */
#define SA_SUFFIX	".gserviceaccount.com"
#define IAM		"//iam.googleapis.com/"
#define FILE_MAX	(64 * 1024)

/* Printable ASCII, no white space, no quote or shell expansion. */
static int
wordok(const char *s, size_t n)
{
	return n > 0 && plainword(s, n);
}

/* An e-mail address fit for "--member=user:EMAIL". */
static int
setemail(struct principal *who, const char *s, size_t n,
    enum principal_kind kind)
{
	if (n >= sizeof(who->email) || memchr(s, '@', n) == NULL ||
	    !wordok(s, n))
		return -1;
	if (kind == PRINCIPAL_USER && n > strlen(SA_SUFFIX) &&
	    strncasecmp(s + n - strlen(SA_SUFFIX), SA_SUFFIX,
	    strlen(SA_SUFFIX)) == 0)
		kind = PRINCIPAL_SERVICE_ACCOUNT;
	memcpy(who->email, s, n);
	who->email[n] = '\0';
	who->kind = kind;
	return 0;
}

static int
setidentity(struct principal *who, const char *s)
{
	if (strncmp(s, "principal://", 12) != 0 &&
	    strncmp(s, "principalSet://", 15) != 0)
		return -1;
	if (!wordok(s, strlen(s)) || strlcpy(who->email, s,
	    sizeof(who->email)) >= sizeof(who->email))
		return -1;
	who->kind = PRINCIPAL_IDENTITY;
	return 0;
}

void
principal_of(const char *imp, const char *account, int raw,
    struct principal *who)
{
	const char *s, *e;

	memset(who, 0, sizeof(*who));
	if (imp != NULL && *imp != '\0') {
		s = (s = strrchr(imp, ',')) != NULL ? s + 1 : imp;
		s += strspn(s, WS);
		for (e = s + strlen(s); e > s && strchr(WS, e[-1]); e--)
			;
		if (setemail(who, s, e - s, PRINCIPAL_SERVICE_ACCOUNT) == -1)
			memset(who, 0, sizeof(*who));
		return;
	}
	if (raw || account == NULL)
		return;
	/* gcloud names a workforce pool account by its principal:// id. */
	if (setidentity(who, account) == 0)
		return;
	if (setemail(who, account, strlen(account), PRINCIPAL_USER) == -1)
		memset(who, 0, sizeof(*who));
}

int
principal_member(const struct principal *who, char *buf, size_t len)
{
	const char *pfx;

	if (who->email[0] == '\0')
		return -1;
	if (who->kind == PRINCIPAL_IDENTITY)
		return strlcpy(buf, who->email, len) < len ? 0 : -1;
	if (who->kind == PRINCIPAL_USER)
		pfx = "user";
	else if (who->kind == PRINCIPAL_SERVICE_ACCOUNT)
		pfx = "serviceAccount";
	else
		return -1;
	if ((size_t)snprintf(buf, len, "%s:%s", pfx, who->email) >= len)
		return -1;
	return 0;
}

int
principal_grant_member(const struct principal *who, char *buf, size_t len)
{
	if (who->grant[0] != '\0')
		return strlcpy(buf, who->grant, len) < len ? 0 : -1;
	return principal_member(who, buf, len);
}


/* google-auth's service_account_email: URL from the last '/' to
 * ":generateAccessToken". */
static int
from_impersonation_url(const char *url, struct principal *who)
{
	const char *s, *e;

	if ((s = strrchr(url, '/')) == NULL ||
	    (e = strstr(url, ":generateAccessToken")) == NULL || e <= s + 1)
		return -1;
	return setemail(who, s + 1, (size_t)(e - s - 1),
	    PRINCIPAL_SERVICE_ACCOUNT);
}

/* The path component after `key/` in an audience, into buf. */
static int
part(const char *aud, const char *key, char *buf, size_t len)
{
	const char *s, *e;

	if ((s = strstr(aud, key)) == NULL)
		return -1;
	s += strlen(key);
	e = strchrnul(s, '/');
	if (e == s || (size_t)(e - s) >= len || !wordok(s, (size_t)(e - s)))
		return -1;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	return 0;
}

/* A principalSet:// on attribute.repository, when GitHub names it. */
static void
repository_set(struct principal *who, const char *pool)
{
	const char *repo = env_get("GITHUB_REPOSITORY");

	if (repo == NULL || !wordok(repo, strlen(repo)) ||
	    (size_t)snprintf(who->grant, sizeof(who->grant),
	    "principalSet:%s/attribute.repository/%s", pool + 10, repo) >=
	    sizeof(who->grant))
		who->grant[0] = '\0';
}

/*
 * The audience of a pool: workload ("//iam.googleapis.com/projects/N/
 * locations/L/workloadIdentityPools/POOL/providers/P") or workforce
 * ("//iam.googleapis.com/locations/L/workforcePools/POOL/providers/P").
 */
static int
from_audience(const char *aud, struct principal *who)
{
	char n[32], loc[64], pool[64], base[256];
	int workforce;

	if (aud == NULL || strncmp(aud, IAM, strlen(IAM)) != 0)
		return -1;
	workforce = strncmp(aud + strlen(IAM), "locations/", 10) == 0;
	if (part(aud, "/locations/", loc, sizeof(loc)) != 0 ||
	    part(aud, workforce ? "/workforcePools/" :
	    "/workloadIdentityPools/", pool, sizeof(pool)) != 0 ||
	    (!workforce && part(aud, "/projects/", n, sizeof(n)) != 0))
		return -1;
	if (workforce)
		snprintf(base, sizeof(base), "principal://iam.googleapis.com/"
		    "locations/%s/workforcePools/%s", loc, pool);
	else
		snprintf(base, sizeof(base), "principal://iam.googleapis.com/"
		    "projects/%s/locations/%s/workloadIdentityPools/%s", n,
		    loc, pool);
	snprintf(who->email, sizeof(who->email), "%s/subject/SUBJECT", base);
	who->kind = PRINCIPAL_IDENTITY;
	if (workforce)
		snprintf(who->note, sizeof(who->note), "SUBJECT is the "
		    "workforce user's subject, which only Google knows (gcloud "
		    "asks STS introspection); " HINT_LOGIN_CONFIG);
	else {
		repository_set(who, base);
		snprintf(who->note, sizeof(who->note), "SUBJECT is what the "
		    "pool's provider maps google.subject to (for GitHub, "
		    "assertion.sub: repo:OWNER/REPO:ref:...); the mapping is "
		    "kept by Google (gcloud asks STS token introspection), so "
		    "it is not known here. The usual grant "
		    "is a principalSet://, e.g. principalSet:%.150s/"
		    "attribute.repository/OWNER/REPO", base + 10);
	}
	return 0;
}

static int
from_json(const cJSON *c, struct principal *who)
{
	const char *type = jstr(c, "type"), *s;

	if (type == NULL)
		return -1;
	if (strcmp(type, "service_account") == 0)
		return (s = jstr(c, "client_email")) != NULL ? setemail(who, s,
		    strlen(s), PRINCIPAL_SERVICE_ACCOUNT) : -1;
	if ((strcmp(type, "external_account") == 0 ||
	    strcmp(type, "impersonated_service_account") == 0) &&
	    (s = jstr(c, "service_account_impersonation_url")) != NULL)
		return from_impersonation_url(s, who);
	if (strcmp(type, "external_account") == 0 ||
	    strcmp(type, "external_authorized_user") == 0)
		return from_audience(jstr(c, "audience"), who);
	if (strcmp(type, "authorized_user") == 0)
		snprintf(who->note, sizeof(who->note), "a user credential "
		    "file does not name its user");
	return -1;
}

int
principal_from_file(const char *path, struct principal *who)
{
	struct cJSON_Hooks hooks = { malloc, wipe_free };
	char *buf;
	size_t n = 0;
	cJSON *root = NULL;
	int fd, rc = -1;

	memset(who, 0, sizeof(*who));
	/*
	 * The file may hold a private key, and is read before the session
	 * (session.c) makes the process undumpable: no core file from here.
	 */
	prctl(PR_SET_DUMPABLE, 0);
	if ((buf = malloc(FILE_MAX + 1)) == NULL)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) != -1) {
		/* the first FILE_MAX bytes, or what came before an error */
		(void)file_read_fd(fd, buf, FILE_MAX, &n);
		close(fd);
		cJSON_InitHooks(&hooks);
		root = cJSON_ParseWithLength(buf, n);
		if (root != NULL)
			rc = from_json(root, who);
		cJSON_Delete(root);
		cJSON_InitHooks(NULL);
	}
	if (rc != 0) {
		who->kind = PRINCIPAL_UNKNOWN;
		who->email[0] = who->grant[0] = '\0';
		if (who->note[0] == '\0')
			snprintf(who->note, sizeof(who->note), "the credential "
			    "file does not name a principal this program "
			    "knows");
	}
	explicit_bzero(buf, FILE_MAX + 1);
	free(buf);
	return rc;
}

/* The token-info answer: {"email": ...} when the token has that scope. */
static void
tokeninfo_answer(const struct fetch *f, struct principal *who)
{
	cJSON *root;
	const char *email;

	if (f->res != CURLE_OK) {
		snprintf(who->note, sizeof(who->note), "Google's token-info "
		    "endpoint could not be asked (%s)", curl_easy_strerror(
		    f->res));
		return;
	}
	if (f->code != 200) {
		snprintf(who->note, sizeof(who->note), "Google's token-info "
		    "endpoint does not know the token (HTTP %ld: expired, or "
		    "not a Google OAuth token)", f->code);
		return;
	}
	root = cJSON_ParseWithLength(f->body.data, f->body.len);
	if ((email = jstr(root, "email")) != NULL &&
	    setemail(who, email, strlen(email), PRINCIPAL_USER) == 0)
		who->note[0] = '\0';
	else
		snprintf(who->note, sizeof(who->note), "Google's token-info "
		    "endpoint names no e-mail for the token (it lacks the "
		    "userinfo.email scope)");
	cJSON_Delete(root);
}

void
principal_tokeninfo(const struct http_opts *o, const char *token,
    struct principal *who)
{
	static const char pre[] = "access_token=";
	struct http_opts ho = *o;
	struct fetch f;
	char err[256], *body;
	size_t len;

	memset(&f, 0, sizeof(f));
	len = sizeof(pre) + strlen(token);
	if ((body = malloc(len)) == NULL)
		return;
	strlcpy(body, pre, len);	/* the token is URL-safe (settoken) */
	strlcat(body, token, len);
	ho.user_project = NULL;
	ho.content_type = "application/x-www-form-urlencoded";
	f.url = PRINCIPAL_TOKENINFO;
	f.post = body;
	if (fetch_all(&f, 1, &ho, token, err, sizeof(err)) == 0)
		tokeninfo_answer(&f, who);
	else
		snprintf(who->note, sizeof(who->note), "Google's token-info "
		    "endpoint could not be asked");
	fetch_free(&f, 1);
	explicit_bzero(body, len);
	free(body);
}

void
principal_on_denial(struct principal *who, const struct http_opts *o,
    const char *token, const char *endpoint)
{
	if (who->kind != PRINCIPAL_UNKNOWN || token == NULL)
		return;
	if (o->connect_to == NULL && (endpoint == NULL ||
	    strcmp(endpoint, AR_ENDPOINT) != 0)) {
		if (who->note[0] != '\0')
			strlcat(who->note, "; ", sizeof(who->note));
		strlcat(who->note, "Google's token-info endpoint is not "
		    "asked when Artifact Registry is reached through an "
		    "endpoint override", sizeof(who->note));
		return;
	}
	principal_tokeninfo(o, token, who);
}
