/*
 * registry.c - a HEAD of each image's manifest through the registry API.
 *
 * MUST rules:
 *  - Only references imageref_parse() accepted as Artifact Registry or
 *    gcr.io reach a URL (its grammar keeps '..', '%', '?', '#' out).
 *  - No message that leaves this module contains the token.
 */
#include <stdio.h>
#include <string.h>

#include "net/curlfn.h"

#include "api/registry.h"
#include "net/apierror.h"

int
registry_url(const struct imageref *ref, char *out, size_t len)
{
	const char *r;
	int n;

	if (ref->kind != IMAGEREF_AR && ref->kind != IMAGEREF_GCR)
		return -1;
	r = ref->digest[0] ? ref->digest : ref->tag[0] ? ref->tag : "latest";
	n = snprintf(out, len, "https://%s/v2/%s/manifests/%s", ref->domain,
	    ref->path, r);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
registry_init(struct registry_query *q, const struct imageref *ref)
{
	memset(q, 0, sizeof(*q));
	q->ref = ref;
	q->status = REGISTRY_PLANNED;
	if (ref->digest[0])
		snprintf(q->what, sizeof(q->what), "digest %s", ref->digest);
	else
		snprintf(q->what, sizeof(q->what), "tag %s",
		    ref->tag[0] ? ref->tag : "latest");
	return registry_url(ref, q->url, sizeof(q->url));
}

void
registry_opts(const struct http_opts *base, struct http_opts *out)
{
	*out = *base;
	out->accept = REGISTRY_ACCEPT;
	out->user_project = NULL;
}

void
registry_fetch(struct registry_query *q, struct fetch *f,
    const struct http_opts *ro)
{
	memset(f, 0, sizeof(*f));
	f->url = q->url;
	f->head = 1;
	f->opts = ro;
}

void
registry_decode(struct registry_query *q, long code, const char *digest)
{
	const struct imageref *ref = q->ref;

	q->http_code = code;
	if (code >= 200 && code < 300) {
		q->status = REGISTRY_FOUND;
		if (digest != NULL)
			apierror_copy(q->digest, sizeof(q->digest), digest);
		snprintf(q->detail, sizeof(q->detail), "the manifest of %s "
		    "exists%s%s", q->what, q->digest[0] ? ": " : "",
		    q->digest);
	} else if (code == 404) {
		q->status = REGISTRY_MISSING;
		snprintf(q->detail, sizeof(q->detail), "no manifest for %s in "
		    "%s/%s", q->what, ref->domain, ref->path);
	} else if (code == 401 || code == 403) {
		q->status = REGISTRY_DENIED;
		snprintf(q->detail, sizeof(q->detail), "the registry %s "
		    "refused the manifest of %s (HTTP %ld)", ref->domain,
		    q->what, code);
	} else {
		q->status = REGISTRY_ERROR;
		snprintf(q->detail, sizeof(q->detail), "the registry %s "
		    "answered HTTP %ld for the manifest of %s", ref->domain,
		    code, q->what);
	}
}

void
registry_answer(struct registry_query *q, const struct fetch *f,
    const char *token)
{
	struct curl_header *h;
	struct api_error e;
	const char *digest = NULL;

	apierror_clear(&e);
	if (apierror_transport(&e, f, token)) {
		q->status = REGISTRY_ERROR;
		q->http_code = 0;
		snprintf(q->detail, sizeof(q->detail), "cannot reach the "
		    "registry %s: %s", q->ref->domain, e.message);
		return;
	}
	if (f->h != NULL && curl_easy_header(f->h, "Docker-Content-Digest", 0,
	    CURLH_HEADER, -1, &h) == CURLHE_OK)
		digest = h->value;
	registry_decode(q, f->code, digest);
}
