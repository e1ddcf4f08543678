/*
 * httpwarm.c - open the check's connections while config-helper runs (see
 * httpwarm.h).
 *
 * Why a request: libcurl never hands a CURLOPT_CONNECT_ONLY connection to
 * another transfer, and a bare handshake is not reusable.  A GET of the
 * endpoint's base URL with no Authorization (Google answers 404, which is
 * discarded) leaves a connection in the cache that every later handle
 * shares (http_share_conns()), so the first authenticated request to that
 * host, port, proxy and CA finds it open.
 *
 * MUST rules for this file:
 *   - no token and no header of ours in a warm-up request;
 *   - only the endpoints the check asks anyway, with its own options;
 *   - nothing at all unless the helper runs (http_warm_start()).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "net/curlfn.h"

#include "net/httpwarm.h"
#include "util/util_time.h"

#define WARM_MAX	2
#define FINISH_MS	1000L	/* after the helper, at most this long */

static struct {
	CURLM		*m;
	CURL		*h[WARM_MAX];
	struct http_buf	 body[WARM_MAX];
	char		 errbuf[WARM_MAX][CURL_ERROR_SIZE];
	size_t		 n;
	int		 running;
} w;

static void
drop(void)
{
	size_t i;

	for (i = 0; i < w.n; i++) {
		if (w.m != NULL)
			curl_multi_remove_handle(w.m, w.h[i]);
		curl_easy_cleanup(w.h[i]);
		w.h[i] = NULL;
		http_buf_free(&w.body[i]);
	}
	w.m = NULL;	/* http_multi()'s, closed by http_warm_close() */
	w.n = 0;
	w.running = 0;
}

int
http_warm(const char *const urls[], size_t n, const struct http_opts *o)
{
	size_t i, j;

	drop();
	for (i = 0; i < n && w.n < WARM_MAX; i++) {
		for (j = 0; j < i && strcmp(urls[j], urls[i]) != 0; j++)
			;
		if (j < i)
			continue;	/* the same endpoint twice */
		if ((w.h[w.n] = curl_easy_init()) == NULL)
			goto fail;
		w.n++;
		if (http_setup_anon(w.h[w.n - 1], urls[i], o,
		    &w.body[w.n - 1], w.errbuf[w.n - 1]) != CURLE_OK)
			goto fail;
	}
	return 0;
fail:
	drop();
	return -1;
}

/* Run what can run now; when every request is over, drop the handles. */
static void
pump(void)
{
	CURLMsg *msg;
	int still = 1, left;

	if (curl_multi_perform(w.m, &still) != CURLM_OK)
		still = 0;
	while ((msg = curl_multi_info_read(w.m, &left)) != NULL)
		;	/* the answers are not looked at */
	if (still == 0)
		drop();
}

void
http_warm_start(void)
{
	size_t i;

	if (w.n == 0 || w.running)
		return;
	if (http_share_conns() != 0 || (w.m = http_multi()) == NULL) {
		drop();
		return;
	}
	for (i = 0; i < w.n; i++)
		if (curl_easy_setopt(w.h[i], CURLOPT_SHARE,
		    http_shared()) != CURLE_OK ||
		    curl_multi_add_handle(w.m, w.h[i]) != CURLM_OK) {
			drop();
			return;
		}
	w.running = 1;
	pump();
}

int
http_warm_poll(int fd, int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	struct curl_waitfd wfd = { fd, CURL_WAIT_POLLIN, 0 };
	long end = now_ms() + ms, left = ms;
	int rc;

	while (w.running) {
		if (curl_multi_poll(w.m, &wfd, 1, (int)left, NULL) !=
		    CURLM_OK) {
			drop();
			break;
		}
		pump();
		/* curl_multi_poll() does not report POLLHUP: poll() says. */
		if ((rc = poll(&pfd, 1, 0)) != 0)
			return rc;
		if ((left = end - now_ms()) <= 0)
			return 0;
	}
	return poll(&pfd, 1, (int)left);
}

void
http_warm_finish(int wait)
{
	long end = now_ms() + FINISH_MS, left;

	while (wait && w.running && (left = end - now_ms()) > 0) {
		if (curl_multi_poll(w.m, NULL, 0, (int)left, NULL) != CURLM_OK)
			break;
		pump();
	}
	drop();
}

void
http_warm_close(void)
{
	drop();
	http_share_close();
	http_multi_close();
}
