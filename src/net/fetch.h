/*
 * fetch.h - HTTPS requests to Google APIs, all in flight at once on one
 * curl multi handle, each retried on 429, 500, 502, 503, 504 and transport
 * errors (at most 4 attempts, exponential backoff with jitter, Retry-After
 * honoured), all inside one deadline: http_opts.timeout_ms.
 *
 * Steps for a caller:
 *   1. an array of struct fetch, zeroed, with url (and post for a POST);
 *   2. fetch_all(f, n, &opts, token, err, errlen): 0 when every request
 *      has an outcome (res/code/body), -1 when none could start;
 *   3. read f[i].res, f[i].code, f[i].body; fetch_free(f, n).
 */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>

#include "net/curlfn.h"

#include "net/http.h"

#define FETCH_MAX_ATTEMPTS	4

struct fetch {
	const char	*url;		/* in */
	const char	*post;		/* in: JSON body to POST; NULL: GET */
	int		 head;		/* in: HEAD instead of GET (no body) */
	const struct http_opts *opts;	/* in: this request's own options
					 * (Accept, no quota project); NULL:
					 * fetch_all's.  The deadline stays
					 * fetch_all's. */
	void		*arg;		/* in: the caller's, left alone (whose
					 * answer this is, when several
					 * modules share one fetch_all) */
	CURLcode	 res;		/* out: the last attempt's result */
	long		 code;		/* out: HTTP status, 0 without one */
	struct http_buf	 body;		/* out: the last answer's body */
	char		 errbuf[CURL_ERROR_SIZE];	/* out */
	int		 attempts;	/* out */
	/* private */
	CURL		*h;
	struct curl_slist *hdrs;
	int		 state;
	long long	 start_at;
};

int fetch_all(struct fetch *f, size_t n, const struct http_opts *o,
    const char *token, char *err, size_t errlen);
void fetch_free(struct fetch *f, size_t n);

#endif
