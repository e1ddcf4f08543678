/*
 * arclient.h - Artifact Registry's testIamPermissions, for many
 * repositories at once.
 *
 * POST {endpoint}v1/{resource}:testIamPermissions with
 * {"permissions":["artifactregistry.repositories.downloadArtifacts"]}.
 * Granted only when the answer lists that permission; an answer without it
 * ({}) is a denial, or a repository that does not exist.  Errors are
 * google.rpc.Status objects; the ErrorInfo reason in details
 * (SERVICE_DISABLED, ACCESS_TOKEN_EXPIRED, USER_PROJECT_DENIED...) is kept.
 * All requests are in flight at once, retried as fetch.h says, inside the
 * total deadline.
 */
#ifndef ARCLIENT_H
#define ARCLIENT_H

#include <stddef.h>

#include "apierror.h"
#include "http.h"

#define AR_PERMISSION	"artifactregistry.repositories.downloadArtifacts"
#define AR_ENDPOINT	"https://artifactregistry.googleapis.com/"

enum ar_status {
	AR_GRANTED,
	AR_DENIED,	/* the answer does not list the permission */
	AR_ERROR	/* no answer: transport, HTTP or decoding error */
};

struct ar_query {
	const char	*resource;	/* in: projects/P/locations/L/repositories/R */
	enum ar_status	 status;	/* out */
	struct api_error e;		/* out: what the answer said; never
					 * the token */
	int		 attempts;
};

/*
 * Ask about every query.  `endpoint` ends with "/" (the default is
 * AR_ENDPOINT).  Returns 0 when every query has a status (granted, denied
 * or error); -1 only when nothing could be attempted (bad endpoint, no
 * memory), with a message in err.
 */
int ar_check(struct ar_query *q, size_t n, const char *endpoint,
    const struct http_opts *o, const char *token, char *err, size_t errlen);

/*
 * Decode one answer (exposed for the unit tests and the fuzzer): fills
 * status and e from an HTTP code and body.
 */
void ar_decode(struct ar_query *q, long http_code, const char *body,
    size_t len);

#endif
