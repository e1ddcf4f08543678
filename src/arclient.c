/*
 * arclient.c - Artifact Registry's testIamPermissions, for many
 * repositories at once, on one curl multi handle.
 *
 * MUST rules:
 *  - The token only reaches http_setup(); every header list is freed with
 *    http_headers_free(), which wipes it.
 *  - No message that leaves this module contains the token.
 *  - Every attempt is bounded by what is left of the total deadline.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "arclient.h"

#define MAX_ATTEMPTS	4
#define BACKOFF_MS	200LL		/* first retry after 100-200 ms */
#define MIN_ATTEMPT_MS	100LL		/* not worth starting with less */
#define DEFAULT_MS	30000L
#define RESOURCE_MAX	1024
#define REQUEST_BODY	"{\"permissions\":[\"" AR_PERMISSION "\"]}"
#define ERRORINFO	"type.googleapis.com/google.rpc.ErrorInfo"

enum xstate { X_WAIT, X_RUN, X_DONE };

struct xfer {
	struct ar_query		*q;
	CURL			*h;
	struct curl_slist	*hdrs;
	struct http_buf		 body;
	char			*url;
	char			 errbuf[CURL_ERROR_SIZE];
	enum xstate		 state;
	long long		 start_at;	/* ms, while X_WAIT */
};

struct run {
	CURLM			*m;
	struct xfer		*x;
	size_t			 nx;
	size_t			 pending;	/* not X_DONE */
	const char		*token;
	long long		 deadline;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Copy a string from the network: no control characters survive. */
static void
copystr(char *dst, size_t dlen, const char *src)
{
	size_t i;

	strlcpy(dst, src, dlen);
	for (i = 0; dst[i] != '\0'; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = ' ';
}

static void
clearout(struct ar_query *q)
{
	q->status = AR_ERROR;
	q->http_code = 0;
	q->status_name[0] = q->reason[0] = q->service[0] = '\0';
	q->message[0] = '\0';
}

static const char *
jstr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
notjson(struct ar_query *q, long code, const char *body, size_t len)
{
	size_t i = 0;

	while (i < len && (body[i] == ' ' || body[i] == '\t' ||
	    body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i == len)
		snprintf(q->message, sizeof(q->message),
		    "HTTP %ld with an empty answer", code);
	else if (body[i] == '<')
		snprintf(q->message, sizeof(q->message),
		    "HTTP %ld: the answer is an HTML page, not JSON "
		    "(a proxy may have answered)", code);
	else
		snprintf(q->message, sizeof(q->message),
		    "HTTP %ld: the answer is not valid JSON", code);
}

static void
decodeok(struct ar_query *q, const cJSON *root)
{
	const cJSON *perms, *p;

	perms = cJSON_GetObjectItemCaseSensitive(root, "permissions");
	if (perms != NULL && !cJSON_IsArray(perms)) {
		snprintf(q->message, sizeof(q->message), "HTTP %ld: malformed "
		    "answer ('permissions' is not a list)", q->http_code);
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
	strlcpy(q->message, "the answer does not list '" AR_PERMISSION
	    "': not granted, or the repository does not exist",
	    sizeof(q->message));
}

static void
errorinfo(struct ar_query *q, const cJSON *details)
{
	const cJSON *d, *meta;
	const char *s;

	cJSON_ArrayForEach(d, details) {
		if ((s = jstr(d, "@type")) == NULL || strcmp(s, ERRORINFO) != 0)
			continue;
		if ((s = jstr(d, "reason")) != NULL)
			copystr(q->reason, sizeof(q->reason), s);
		meta = cJSON_GetObjectItemCaseSensitive(d, "metadata");
		if ((s = jstr(meta, "service")) != NULL)
			copystr(q->service, sizeof(q->service), s);
		return;
	}
}

static void
decodeerr(struct ar_query *q, const cJSON *root)
{
	const cJSON *e;
	const char *s;

	e = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (!cJSON_IsObject(e)) {
		snprintf(q->message, sizeof(q->message),
		    "HTTP %ld: unexpected answer (no error object)",
		    q->http_code);
		return;
	}
	if ((s = jstr(e, "status")) != NULL)
		copystr(q->status_name, sizeof(q->status_name), s);
	if ((s = jstr(e, "message")) != NULL && *s != '\0')
		copystr(q->message, sizeof(q->message), s);
	else
		snprintf(q->message, sizeof(q->message), "HTTP %ld",
		    q->http_code);
	errorinfo(q, cJSON_GetObjectItemCaseSensitive(e, "details"));
}

void
ar_decode(struct ar_query *q, long http_code, const char *body, size_t len)
{
	cJSON *root = NULL;
	char *copy;

	clearout(q);
	q->http_code = http_code;
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
		notjson(q, http_code, body, len);
	else if (!cJSON_IsObject(root))
		snprintf(q->message, sizeof(q->message),
		    "HTTP %ld: the answer is not a JSON object", http_code);
	else if (http_code >= 200 && http_code < 300)
		decodeok(q, root);
	else
		decodeerr(q, root);
	cJSON_Delete(root);
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

static int
retryable(CURLcode res, long code)
{
	if (res == CURLE_OK)
		return code == 429 || code == 500 || code == 502 ||
		    code == 503 || code == 504;
	switch (res) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* Retry-After in seconds (the HTTP-date form is left to the backoff). */
static long long
retryafter(CURL *h)
{
	struct curl_header *hd;
	const char *errstr;
	long long s;

	if (curl_easy_header(h, "Retry-After", 0, CURLH_HEADER, -1,
	    &hd) != CURLHE_OK)
		return -1;
	s = strtonum(hd->value, 0, 86400, &errstr);
	return errstr == NULL ? s * 1000 : -1;
}

/* Milliseconds to wait before the next attempt, or -1: give up. */
static long long
backoff(const struct run *r, const struct xfer *x, long code)
{
	long long d, ra, now = now_ms();

	if (x->q->attempts >= MAX_ATTEMPTS)
		return -1;
	d = BACKOFF_MS << (x->q->attempts - 1);
	d = d / 2 + arc4random_uniform((uint32_t)(d / 2 + 1));
	if ((code == 429 || code == 503) && (ra = retryafter(x->h)) >= 0)
		d = ra;
	if (now + d + MIN_ATTEMPT_MS > r->deadline)
		return -1;
	return d;
}

static void
finish(struct run *r, struct xfer *x, CURLcode res, long code)
{
	struct ar_query *q = x->q;
	const char *e;

	if (x->body.overflow || res != CURLE_OK) {
		clearout(q);
		q->http_code = code;
		e = x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(res);
		if (x->body.overflow)
			snprintf(q->message, sizeof(q->message), "HTTP %ld: the "
			    "answer is larger than %d bytes", code,
			    HTTP_BODY_MAX);
		else
			copystr(q->message, sizeof(q->message), e);
	} else
		ar_decode(q, code, x->body.data, x->body.len);
	/* A real token is long; a short one would match any message. */
	if (strlen(r->token) >= 8 && strstr(q->message, r->token) != NULL)
		strlcpy(q->message, "the answer contained the access token, "
		    "not shown", sizeof(q->message));
	http_buf_free(&x->body);
	x->state = X_DONE;
	r->pending--;
}

static void
done(struct run *r, struct xfer *x, CURLcode res)
{
	long code = 0;
	long long d;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
	if (!x->body.overflow && retryable(res, code) &&
	    (d = backoff(r, x, code)) >= 0) {
		x->state = X_WAIT;
		x->start_at = now_ms() + d;
		return;
	}
	finish(r, x, res, code);
}

static void
start(struct run *r, struct xfer *x, long long now)
{
	long long left = r->deadline - now;

	http_buf_free(&x->body);
	x->errbuf[0] = '\0';
	if (left < 1 || curl_easy_setopt(x->h, CURLOPT_TIMEOUT_MS,
	    (long)left) != CURLE_OK ||
	    curl_multi_add_handle(r->m, x->h) != CURLM_OK) {
		finish(r, x, CURLE_OPERATION_TIMEDOUT, 0);
		return;
	}
	x->q->attempts++;
	x->state = X_RUN;
}

/* Start what is due; return how long until the next start (ms). */
static long
startdue(struct run *r)
{
	long long now = now_ms(), wait = 1000;
	size_t i;

	for (i = 0; i < r->nx; i++) {
		if (r->x[i].state != X_WAIT)
			continue;
		if (r->x[i].start_at <= now)
			start(r, &r->x[i], now);
		else if (r->x[i].start_at - now < wait)
			wait = r->x[i].start_at - now;
	}
	return (long)wait;
}

static void
loop(struct run *r)
{
	CURLMsg *msg;
	void *p;
	int running, left;
	long wait;

	while (r->pending > 0) {
		curl_multi_perform(r->m, &running);
		while ((msg = curl_multi_info_read(r->m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    &p);
			curl_multi_remove_handle(r->m, msg->easy_handle);
			done(r, p, msg->data.result);
		}
		/* After done(): a retry just scheduled sets the wait. */
		wait = startdue(r);
		if (r->pending > 0)
			curl_multi_poll(r->m, NULL, 0, (int)wait, NULL);
	}
}

static int
prepare(struct xfer *x, struct ar_query *q, const char *endpoint,
    const struct http_opts *o, const char *token)
{
	size_t len;

	x->q = q;
	len = strlen(endpoint) + strlen(q->resource) +
	    sizeof("v1/:testIamPermissions");
	if ((x->url = malloc(len)) == NULL || (x->h = curl_easy_init()) == NULL)
		return -1;
	snprintf(x->url, len, "%sv1/%s:testIamPermissions", endpoint,
	    q->resource);
	if (http_setup(x->h, x->url, o, token, &x->hdrs, &x->body,
	    x->errbuf) != CURLE_OK ||
	    curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, REQUEST_BODY) ||
	    curl_easy_setopt(x->h, CURLOPT_PIPEWAIT, 1L) ||
	    curl_easy_setopt(x->h, CURLOPT_PRIVATE, x))
		return -1;
	x->state = X_WAIT;
	x->start_at = 0;
	return 0;
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
setup(struct run *r, struct ar_query *q, size_t n, const char *endpoint,
    const struct http_opts *o)
{
	size_t i;

	for (i = 0; i < n; i++) {
		clearout(&q[i]);
		q[i].attempts = 0;
		if (!validres(q[i].resource)) {
			strlcpy(q[i].message, "not a valid repository name",
			    sizeof(q[i].message));
			continue;
		}
		if (firstof(q, i) != NULL)
			continue;
		if (prepare(&r->x[r->nx++], &q[i], endpoint, o,
		    r->token) == -1)
			return -1;
		r->pending++;
	}
	return 0;
}

static void
teardown(struct run *r)
{
	size_t i;
	struct xfer *x;

	for (i = 0; i < r->nx; i++) {
		x = &r->x[i];
		if (x->state == X_RUN)
			curl_multi_remove_handle(r->m, x->h);
		if (x->h != NULL)
			curl_easy_cleanup(x->h);
		http_headers_free(x->hdrs);
		http_buf_free(&x->body);
		free(x->url);
	}
	free(r->x);
	if (r->m != NULL)
		curl_multi_cleanup(r->m);
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

int
ar_check(struct ar_query *q, size_t n, const char *endpoint,
    const struct http_opts *o, const char *token, char *err, size_t errlen)
{
	struct run r;
	int rc = -1;

	if (endpoint == NULL)
		endpoint = AR_ENDPOINT;
	if (checkargs(endpoint, o, token, err, errlen) == -1)
		return -1;
	memset(&r, 0, sizeof(r));
	r.token = token;
	r.deadline = now_ms() + (o->timeout_ms > 0 ? o->timeout_ms :
	    DEFAULT_MS);
	if ((r.x = calloc(n > 0 ? n : 1, sizeof(*r.x))) == NULL ||
	    (r.m = curl_multi_init()) == NULL ||
	    setup(&r, q, n, endpoint, o) == -1) {
		snprintf(err, errlen, "cannot set up the requests");
		goto out;
	}
	loop(&r);
	copydups(q, n);
	rc = 0;
out:
	teardown(&r);
	return rc;
}
