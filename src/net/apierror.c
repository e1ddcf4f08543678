/*
 * apierror.c - google.rpc.Status errors and answers that are not one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "net/apierror.h"
#include "util/util_json.h"

#define ERRORINFO	"type.googleapis.com/google.rpc.ErrorInfo"

void
apierror_clear(struct api_error *e)
{
	memset(e, 0, sizeof(*e));
}

/* The token of the check, while it is held (apierror_secret()). */
static const char *secret;

void
apierror_secret(const char *token)
{
	secret = token != NULL && strlen(token) >= 8 ? token : NULL;
}

/*
 * Copy src, first looking for the token in all of it: once cut to the
 * buffer or with a byte replaced it would no longer be found.
 */
void
apierror_copy(char *dst, size_t dlen, const char *src)
{
	size_t i;

	if (secret != NULL && strstr(src, secret) != NULL) {
		strlcpy(dst, dlen >= sizeof(((struct api_error *)0)->message) ?
		    "the answer contained the access token, not shown" : "",
		    dlen);
		return;
	}
	strlcpy(dst, src, dlen);
	for (i = 0; dst[i] != '\0'; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = ' ';
}

static void
notjson(struct api_error *e, const char *body, size_t len)
{
	size_t i = 0;

	while (i < len && (body[i] == ' ' || body[i] == '\t' ||
	    body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i == len)
		snprintf(e->message, sizeof(e->message),
		    "HTTP %ld with an empty answer", e->http_code);
	else if (body[i] == '<')
		snprintf(e->message, sizeof(e->message),
		    "HTTP %ld: the answer is an HTML page, not JSON "
		    "(a proxy may have answered)", e->http_code);
	else
		snprintf(e->message, sizeof(e->message),
		    "HTTP %ld: the answer is not valid JSON", e->http_code);
}

cJSON *
apierror_parse(struct api_error *e, long code, const char *body, size_t len)
{
	cJSON *root = NULL;
	char *copy;

	apierror_clear(e);
	e->http_code = code;
	if (body == NULL)
		len = 0;
	/* A NUL inside, or trailing bytes after the value, is not JSON. */
	if (len > 0 && memchr(body, '\0', len) == NULL &&
	    (copy = malloc(len + 1)) != NULL) {
		memcpy(copy, body, len);
		copy[len] = '\0';
		root = cJSON_ParseWithOpts(copy, NULL, 1);
		free(copy);
	}
	if (root == NULL)
		notjson(e, body, len);
	else if (!cJSON_IsObject(root)) {
		snprintf(e->message, sizeof(e->message),
		    "HTTP %ld: the answer is not a JSON object", code);
		cJSON_Delete(root);
		root = NULL;
	}
	return root;
}

static void
errorinfo(struct api_error *e, const cJSON *details)
{
	const cJSON *d, *meta;
	const char *s;

	cJSON_ArrayForEach(d, details) {
		if ((s = jstr(d, "@type")) == NULL || strcmp(s, ERRORINFO) != 0)
			continue;
		if ((s = jstr(d, "reason")) != NULL)
			apierror_copy(e->reason, sizeof(e->reason), s);
		meta = cJSON_GetObjectItemCaseSensitive(d, "metadata");
		if ((s = jstr(meta, "service")) != NULL)
			apierror_copy(e->service, sizeof(e->service), s);
		return;
	}
}

void
apierror_status(struct api_error *e, const cJSON *root)
{
	const cJSON *err;
	const char *s;

	err = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (!cJSON_IsObject(err)) {
		snprintf(e->message, sizeof(e->message),
		    "HTTP %ld: unexpected answer (no error object)",
		    e->http_code);
		return;
	}
	if ((s = jstr(err, "status")) != NULL)
		apierror_copy(e->status_name, sizeof(e->status_name), s);
	if ((s = jstr(err, "message")) != NULL && *s != '\0')
		apierror_copy(e->message, sizeof(e->message), s);
	else
		snprintf(e->message, sizeof(e->message), "HTTP %ld",
		    e->http_code);
	errorinfo(e, cJSON_GetObjectItemCaseSensitive(err, "details"));
}

int
apierror_transport(struct api_error *e, const struct fetch *f,
    const char *token)
{
	if (!f->body.overflow && f->res == CURLE_OK)
		return 0;
	apierror_clear(e);
	/*
	 * A reset after a partial status line leaves curl's code behind: not
	 * an answer.  A body over the cap was cut by us after a real one.
	 */
	e->http_code = f->res == CURLE_OK || f->body.overflow ? f->code : 0;
	if (f->body.overflow)
		snprintf(e->message, sizeof(e->message), "HTTP %ld: the "
		    "answer is larger than %d bytes", f->code, HTTP_BODY_MAX);
	else
		apierror_copy(e->message, sizeof(e->message),
		    f->errbuf[0] != '\0' ? f->errbuf :
		    curl_easy_strerror(f->res));
	apierror_scrub(e, token);
	return 1;
}

void
apierror_scrub(struct api_error *e, const char *token)
{
	/* A real token is long; a short one would match any message. */
	if (token == NULL || strlen(token) < 8)
		return;
	if (strstr(e->message, token) != NULL)
		strlcpy(e->message, "the answer contained the access token, "
		    "not shown", sizeof(e->message));
	if (strstr(e->status_name, token) != NULL)
		e->status_name[0] = '\0';
	if (strstr(e->reason, token) != NULL)
		e->reason[0] = '\0';
	if (strstr(e->service, token) != NULL)
		e->service[0] = '\0';
}

cJSON *
apierror_answer(struct api_error *e, long code, const char *body, size_t len)
{
	cJSON *root;

	if ((root = apierror_parse(e, code, body, len)) != NULL &&
	    (code < 200 || code >= 300)) {
		apierror_status(e, root);
		cJSON_Delete(root);
		root = NULL;
	}
	return root;
}

cJSON *
apierror_decode(struct api_error *e, const struct fetch *f,
    const char *token)
{
	cJSON *root = NULL;

	if (!apierror_transport(e, f, token))
		root = apierror_answer(e, f->code, f->body.data, f->body.len);
	apierror_scrub(e, token);
	return root;
}
