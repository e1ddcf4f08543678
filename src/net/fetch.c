/*
 * fetch.c - concurrent, retried, deadline-bound HTTPS requests.
 *
 * MUST rules:
 *  - The token only reaches http_setup(); every header list is freed with
 *    http_headers_free(), which wipes it.
 *  - Every attempt is bounded by what is left of the total deadline; a
 *    retry that would not fit is not started.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/curlfn.h"

#include "net/fetch.h"
#include "util/util_time.h"

#define BACKOFF_MS	200LL		/* first retry after 100-200 ms */
#define MIN_ATTEMPT_MS	100LL		/* not worth starting with less */
#define DEFAULT_MS	30000L

enum { F_WAIT, F_RUN, F_DONE };

struct engine {
	CURLM		*m;
	struct fetch	*f;
	size_t		 n;
	size_t		 pending;	/* not F_DONE */
	long long	 deadline;
};

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
backoff(const struct engine *e, const struct fetch *f)
{
	long long d, ra, now = now_ms();

	if (f->attempts >= FETCH_MAX_ATTEMPTS)
		return -1;
	d = BACKOFF_MS << (f->attempts - 1);
	d = d / 2 + arc4random_uniform((uint32_t)(d / 2 + 1));
	if ((f->code == 429 || f->code == 503) &&
	    (ra = retryafter(f->h)) >= 0)
		d = ra;
	if (now + d + MIN_ATTEMPT_MS > e->deadline)
		return -1;
	return d;
}

static void
done(struct engine *e, struct fetch *f, CURLcode res)
{
	long long d;

	f->res = res;
	f->code = 0;
	curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &f->code);
	if (!f->body.overflow && retryable(res, f->code) &&
	    (d = backoff(e, f)) >= 0) {
		f->state = F_WAIT;
		f->start_at = now_ms() + d;
		return;
	}
	f->state = F_DONE;
	e->pending--;
}

static void
start(struct engine *e, struct fetch *f, long long now)
{
	long long left = e->deadline - now;

	http_buf_free(&f->body);
	f->errbuf[0] = '\0';
	if (left < 1 || curl_easy_setopt(f->h, CURLOPT_TIMEOUT_MS,
	    (long)left) != CURLE_OK ||
	    curl_multi_add_handle(e->m, f->h) != CURLM_OK) {
		f->res = CURLE_OPERATION_TIMEDOUT;
		f->state = F_DONE;
		e->pending--;
		return;
	}
	f->attempts++;
	f->state = F_RUN;
}

/* Start what is due; return how long until the next start (ms). */
static long
startdue(struct engine *e)
{
	long long now = now_ms(), wait = 1000;
	size_t i;

	for (i = 0; i < e->n; i++) {
		if (e->f[i].state != F_WAIT || e->f[i].h == NULL)
			continue;
		if (e->f[i].start_at <= now)
			start(e, &e->f[i], now);
		else if (e->f[i].start_at - now < wait)
			wait = e->f[i].start_at - now;
	}
	return (long)wait;
}

static void
loop(struct engine *e)
{
	CURLMsg *msg;
	void *p = NULL;
	int running, left;
	long wait;

	while (e->pending > 0) {
		curl_multi_perform(e->m, &running);
		while ((msg = curl_multi_info_read(e->m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			p = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    &p);
			if (p == NULL)
				continue;	/* not ours (http_multi() is
						 * shared with the warm-up) */
			curl_multi_remove_handle(e->m, msg->easy_handle);
			done(e, p, msg->data.result);
		}
		/* After done(): a retry just scheduled sets the wait. */
		wait = startdue(e);
		if (e->pending > 0)
			curl_multi_poll(e->m, NULL, 0, (int)wait, NULL);
	}
}

static int
prepare(struct fetch *f, const struct http_opts *o, const char *token)
{
	if ((f->h = curl_easy_init()) == NULL)
		return -1;
	if (http_setup(f->h, f->url, f->opts != NULL ? f->opts : o, token,
	    &f->hdrs, &f->body, f->errbuf) != CURLE_OK ||
	    (f->head &&
	    curl_easy_setopt(f->h, CURLOPT_NOBODY, 1L) != CURLE_OK) ||
	    (f->post != NULL &&
	    curl_easy_setopt(f->h, CURLOPT_POSTFIELDS, f->post) != CURLE_OK) ||
	    curl_easy_setopt(f->h, CURLOPT_PIPEWAIT, 1L) != CURLE_OK ||
	    curl_easy_setopt(f->h, CURLOPT_PRIVATE, f) != CURLE_OK)
		return -1;
	f->state = F_WAIT;
	f->start_at = 0;
	return 0;
}

int
fetch_all(struct fetch *f, size_t n, const struct http_opts *o,
    const char *token, char *err, size_t errlen)
{
	struct engine e;
	size_t i;
	int rc = -1;

	memset(&e, 0, sizeof(e));
	e.f = f;
	e.n = n;
	e.deadline = now_ms() + (o->timeout_ms > 0 ? o->timeout_ms :
	    DEFAULT_MS);
	if ((e.m = http_multi()) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (prepare(&f[i], o, token) == -1)
			goto out;
		e.pending++;
	}
	loop(&e);
	rc = 0;
out:
	if (rc != 0)
		snprintf(err, errlen, "cannot set up the requests");
	for (i = 0; i < n; i++)
		if (f[i].state == F_RUN)
			curl_multi_remove_handle(e.m, f[i].h);
	return rc;
}

void
fetch_free(struct fetch *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (f[i].h != NULL)
			curl_easy_cleanup(f[i].h);
		f[i].h = NULL;
		http_headers_free(f[i].hdrs);
		f[i].hdrs = NULL;
		http_buf_free(&f[i].body);
	}
}
