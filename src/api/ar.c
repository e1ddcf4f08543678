/*
 * ar.c - Artifact Registry's testIamPermissions, for many
 * repositories at once (the requests themselves: fetch.c).
 *
 * MUST rules:
 *  - No message that leaves this module contains the token.
 *  - A repository name goes into a URL path only after validres().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include "net/curlfn.h"

#include "api/ar.h"
#include "net/fetch.h"
#include "gcloud/transport.h"	/* AR_ENDPOINT */

#define RESOURCE_MAX	1024
#define REQUEST_BODY	"{\"permissions\":[\"" AR_PERMISSION "\"]}"

static void
decodeok(struct ar_query *q, const cJSON *root)
{
	const cJSON *perms, *p;

	perms = cJSON_GetObjectItemCaseSensitive(root, "permissions");
	if (perms != NULL && !cJSON_IsArray(perms)) {
		snprintf(q->e.message, sizeof(q->e.message), "HTTP %ld: "
		    "malformed answer ('permissions' is not a list)",
		    q->e.http_code);
		return;
	}
	cJSON_ArrayForEach(p, perms) {
		if (cJSON_IsString(p) && strcmp(p->valuestring,
		    AR_PERMISSION) == 0) {
			q->status = AR_GRANTED;
			return;
		}
	}
	q->status = AR_DENIED;
	strlcpy(q->e.message, "the answer does not list '" AR_PERMISSION
	    "': not granted, or the repository does not exist",
	    sizeof(q->e.message));
}

/* The verdict on a decoded answer: root, or NULL with q->e saying why. */
static void
verdict(struct ar_query *q, long http_code, cJSON *root)
{
	q->status = AR_ERROR;
	if (root != NULL)
		decodeok(q, root);
	/*
	 * "Permission ... denied on resource ... (or it may not exist)": the
	 * same answer as {} in words, a denial (or a missing repository).
	 */
	if (http_code == 403 &&
	    strcmp(q->e.reason, "IAM_PERMISSION_DENIED") == 0)
		q->status = AR_DENIED;
	cJSON_Delete(root);
}

void
ar_decode(struct ar_query *q, long http_code, const char *body, size_t len)
{
	verdict(q, http_code, apierror_answer(&q->e, http_code, body, len));
}

/* Defence in depth: imageref made it, but it goes into a URL path. */
static int
validres(const char *s)
{
	size_t i, n;
	unsigned char c;

	if (s == NULL || (n = strlen(s)) == 0 || n > RESOURCE_MAX ||
	    s[0] == '/' || strstr(s, "..") != NULL || strstr(s, "//") != NULL)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == ':' || c == '/' || c == '-'))
			return 0;
	}
	return 1;
}

/* The first query asking about the same repository, or NULL. */
static struct ar_query *
firstof(struct ar_query *q, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (strcmp(q[j].resource, q[i].resource) == 0)
			return &q[j];
	return NULL;
}

static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static void
copydups(struct ar_query *q, size_t n)
{
	struct ar_query *f;
	const char *res;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!validres(q[i].resource) || (f = firstof(q, i)) == NULL)
			continue;
		res = q[i].resource;
		q[i] = *f;
		q[i].resource = res;
	}
}

static int
checkargs(const char *endpoint, const struct http_opts *o,
    const char *token, char *err, size_t errlen)
{
	char why[128];
	size_t len = strlen(endpoint);

	if (http_endpoint_ok(endpoint, why, sizeof(why)) == -1)
		snprintf(err, errlen, "bad endpoint '%s': %s", endpoint, why);
	else if (len == 0 || endpoint[len - 1] != '/')
		snprintf(err, errlen, "bad endpoint '%s': must end in '/'",
		    endpoint);
	else if (token == NULL || *token == '\0' || !printable(token))
		snprintf(err, errlen, "no usable access token");
	else if (o->user_project != NULL && !printable(o->user_project))
		snprintf(err, errlen, "bad quota project");
	else
		return 0;
	return -1;
}

/* One fetch per distinct, valid repository; others are answered here. */
static int
requests(struct ar_query *q, size_t n, const char *endpoint,
    struct fetch *f, size_t *nf)
{
	size_t i, len;
	char *url;

	for (i = 0; i < n; i++) {
		q[i].status = AR_ERROR;
		apierror_clear(&q[i].e);
		q[i].attempts = 0;
		if (!validres(q[i].resource)) {
			strlcpy(q[i].e.message, "not a valid repository name",
			    sizeof(q[i].e.message));
			continue;
		}
		if (firstof(q, i) != NULL)
			continue;
		len = strlen(endpoint) + strlen(q[i].resource) +
		    sizeof("v1/:testIamPermissions");
		if ((url = malloc(len)) == NULL)
			return -1;
		snprintf(url, len, "%sv1/%s:testIamPermissions", endpoint,
		    q[i].resource);
		memset(&f[*nf], 0, sizeof(f[*nf]));
		f[*nf].url = url;
		f[*nf].post = REQUEST_BODY;
		f[(*nf)++].arg = &q[i];
	}
	return 0;
}

int
ar_prepare(struct ar_query *q, size_t n, const char *endpoint,
    const struct http_opts *o, const char *token, struct fetch *f,
    size_t *nf, char *err, size_t errlen)
{
	*nf = 0;
	if (endpoint == NULL)
		endpoint = AR_ENDPOINT;
	if (checkargs(endpoint, o, token, err, errlen) == -1)
		return -1;
	if (requests(q, n, endpoint, f, nf) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void
ar_answers(struct ar_query *q, size_t n, const struct fetch *f, size_t nf,
    const char *token)
{
	struct ar_query *owner;
	size_t i;

	for (i = 0; i < nf; i++) {
		owner = f[i].arg;
		owner->attempts = f[i].attempts;
		verdict(owner, f[i].code, apierror_decode(&owner->e, &f[i],
		    token));
	}
	copydups(q, n);
}

void
ar_release(struct fetch *f, size_t nf)
{
	size_t i;

	fetch_free(f, nf);
	for (i = 0; i < nf; i++) {
		free((char *)f[i].url);
		f[i].url = NULL;
	}
}

int
ar_check(struct ar_query *q, size_t n, const char *endpoint,
    const struct http_opts *o, const char *token, char *err, size_t errlen)
{
	struct fetch *f;
	size_t nf = 0;
	int rc = -1;

	if ((f = calloc(n + 1, sizeof(*f))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ar_prepare(q, n, endpoint, o, token, f, &nf, err, errlen) == 0 &&
	    fetch_all(f, nf, o, token, err, errlen) == 0) {
		ar_answers(q, n, f, nf, token);
		rc = 0;
	}
	ar_release(f, nf);
	free(f);
	return rc;
}
