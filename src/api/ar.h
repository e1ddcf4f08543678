/*
 * ar.h - Artifact Registry's testIamPermissions, for many
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
#ifndef AR_H
#define AR_H

#include <stddef.h>

#include "net/apierror.h"
#include "net/fetch.h"
#include "net/http.h"

#define AR_PERMISSION	"artifactregistry.repositories.downloadArtifacts"

enum ar_status {
	AR_GRANTED,
	AR_DENIED,	/* the answer does not list the permission */
	AR_ERROR	/* no answer: transport, HTTP or decoding error */
};

struct ar_query {
	/* in: projects/P/locations/L/repositories/R */
	const char	*resource;
	enum ar_status	 status;	/* out */
	struct api_error e;		/* out: what the answer said; never
					 * the token */
	int		 attempts;
};

/*
 * Ask about every query.  `endpoint` ends with "/" (the default is
 * AR_ENDPOINT of transport.h).  Returns 0 when every query has a status
 * (granted, denied or error); -1 only when nothing could be attempted
 * (bad endpoint, no memory), with a message in err.
 */
int ar_check(struct ar_query *q, size_t n, const char *endpoint,
    const struct http_opts *o, const char *token, char *err, size_t errlen);

/*
 * ar_check() in steps, for a caller that sends these requests along with
 * others on one fetch_all() (one round trip for all):
 *   1. ar_prepare(q, n, endpoint, &o, token, f, &nf, err, errlen) fills
 *      f[0..nf) (room for n, zeroed here) with one POST per distinct valid
 *      repository, f[i].arg pointing at its query; -1 as ar_check says;
 *   2. fetch_all() over those (and the caller's own);
 *   3. ar_answers(q, n, f, nf, token): every query gets its status;
 *   4. ar_release(f, nf): fetch_free() and the URLs, on every path after 1.
 */
int ar_prepare(struct ar_query *q, size_t n, const char *endpoint,
    const struct http_opts *o, const char *token, struct fetch *f,
    size_t *nf, char *err, size_t errlen);
void ar_answers(struct ar_query *q, size_t n, const struct fetch *f,
    size_t nf, const char *token);
void ar_release(struct fetch *f, size_t nf);

/*
 * Decode one answer (exposed for the unit tests and the fuzzer): fills
 * status and e from an HTTP code and body.
 */
void ar_decode(struct ar_query *q, long http_code, const char *body,
    size_t len);

#endif
