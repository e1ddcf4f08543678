/*
 * runclient.h - the containers of a deployed service, job or worker pool,
 * read from the Cloud Run Admin API v2:
 *   GET {endpoint}v2/projects/P/locations/R/{services|jobs|workerPools}/N
 * An update creates a new revision of the images already deployed; this
 * says which.  The endpoint is api_endpoint_overrides/run, else
 * RUN_ENDPOINT.
 *
 * Steps for a caller:
 *   1. a struct run_read, zeroed, with kind, project, region, name;
 *   2. runclient_read(&r, endpoint, &opts, token, err, errlen): -1 only
 *      when nothing could be asked; otherwise r.status says what came;
 *   3. runclient_free(&r).
 */
#ifndef RUNCLIENT_H
#define RUNCLIENT_H

#include <stddef.h>

#include "net/apierror.h"
#include "net/fetch.h"
#include "net/http.h"

#define RUN_ENDPOINT	"https://run.googleapis.com/"

enum run_kind {
	RUN_SERVICE,
	RUN_JOB,
	RUN_WORKER_POOL
};

enum run_status {
	RUN_FOUND,	/* c[] holds its containers */
	RUN_ABSENT,	/* 404: a new resource, nothing deployed yet */
	RUN_ERROR	/* e says why */
};

struct run_container {
	char	*name;		/* "" when the API gives none */
	char	*image;
	int	 ingress;	/* has ports: the container --image updates */
};

struct run_read {
	enum run_kind		 kind;		/* in */
	const char		*project;	/* in */
	const char		*region;	/* in */
	const char		*name;		/* in */
	enum run_status		 status;	/* out */
	struct run_container	*c;		/* out */
	size_t			 n;
	struct api_error	 e;
	int			 disabled;	/* out: RUN_ABSENT because the
						 * Cloud Run API is not enabled
						 * in the project */
};

int runclient_read(struct run_read *r, const char *endpoint,
    const struct http_opts *o, const char *token, char *err, size_t errlen);

/*
 * The same read sent along with other requests (one fetch_all(), so it
 * costs no round trip of its own):
 *   1. runclient_url(&r, endpoint, url, sizeof(url), err, errlen): 0, or
 *      -1 when nothing can be asked (the message in err);
 *   2. a struct fetch with that url among the caller's, fetch_all();
 *   3. runclient_answer(&r, &f, token): r.status as runclient_read says.
 */
int runclient_url(const struct run_read *r, const char *endpoint, char *url,
    size_t len, char *err, size_t errlen);
void runclient_answer(struct run_read *r, const struct fetch *f,
    const char *token);

/* The containers of a v2 resource's JSON (for the tests and the fuzzer). */
int runclient_decode(struct run_read *r, const char *body, size_t len);

void runclient_free(struct run_read *r);

/* "services", "jobs", "workerPools". */
const char *runclient_collection(enum run_kind kind);

#endif
