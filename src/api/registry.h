/*
 * registry.h - does the image's tag or digest exist?  A HEAD of its manifest
 * through the Docker Registry HTTP API v2 of the image's own host:
 *
 *   HEAD https://DOMAIN/v2/PATH/manifests/REFERENCE
 *
 * REFERENCE is the digest when one is given, else the tag, else "latest"
 * (what docker pulls).  Accept lists the OCI index and manifest and the
 * Docker manifest list and v2 manifest, so a multi-platform image answers
 * too.  The OAuth access token goes as "Authorization: Bearer", which
 * Artifact Registry's registry accepts (its Docker API reference).
 *
 * 200: found (Docker-Content-Digest kept); 404: no such manifest
 * (MANIFEST_UNKNOWN); 401/403: the registry refuses this principal; any
 * other answer, or none: the check could not finish.
 *
 * Steps for a caller:
 *   1. registry_init(&q, &ref): 0, or -1 when the reference has no registry
 *      URL (not Artifact Registry or gcr.io, or too long);
 *   2. registry_fetch(&q, &f, &opts): one struct fetch to add to fetch_all();
 *      `opts` must outlive the fetch (registry_opts() fills one);
 *   3. after fetch_all(), registry_answer(&q, &f, token), before fetch_free().
 */
#ifndef REGISTRY_H
#define REGISTRY_H

#include <stddef.h>

#include "api/imageref.h"
#include "net/fetch.h"
#include "net/http.h"

#define REGISTRY_ACCEPT \
	"application/vnd.oci.image.index.v1+json, " \
	"application/vnd.oci.image.manifest.v1+json, " \
	"application/vnd.docker.distribution.manifest.list.v2+json, " \
	"application/vnd.docker.distribution.manifest.v2+json"

enum registry_status {
	REGISTRY_PLANNED,	/* not asked (yet) */
	REGISTRY_SKIPPED,	/* not asked: see detail */
	REGISTRY_FOUND,
	REGISTRY_MISSING,	/* 404 */
	REGISTRY_DENIED,	/* 401, 403 */
	REGISTRY_ERROR
};

struct registry_query {
	const struct imageref	*ref;
	char			 url[IMAGEREF_NAME_MAX + IMAGEREF_DIGEST_MAX +
				    64];
	char			 what[IMAGEREF_DIGEST_MAX + 16]; /* "tag 1.4" */
	enum registry_status	 status;
	long			 http_code;	/* 0 without an answer */
	char			 digest[IMAGEREF_DIGEST_MAX + 1];
	char			 detail[1200];
};

/* The manifest URL of `ref` into out; 0, or -1 (no registry, too long). */
int registry_url(const struct imageref *ref, char *out, size_t len);

int registry_init(struct registry_query *q, const struct imageref *ref);

/* The options for registry requests: `base` with the manifest Accept
 * header and without X-Goog-User-Project (a registry is not an API). */
void registry_opts(const struct http_opts *base, struct http_opts *out);

void registry_fetch(struct registry_query *q, struct fetch *f,
    const struct http_opts *ro);

/* Decode a HEAD's outcome (code 0 with res set: no answer). */
void registry_answer(struct registry_query *q, const struct fetch *f,
    const char *token);

/* The same from a status code alone (the unit tests). */
void registry_decode(struct registry_query *q, long code, const char *digest);

#endif
