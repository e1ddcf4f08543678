/*
 * httpwarm.h - open the check's connections while config-helper runs.
 *
 * Where the token must come from `gcloud config config-helper` (a Python
 * start of 0.4 to 1 s), the TCP and TLS set-up to Cloud Run and Artifact
 * Registry happens meanwhile, and the authenticated requests reuse those
 * connections.  When the token is in hand (environment, file, gcloud's
 * cache, the metadata server) the helper never runs and nothing is sent.
 *
 * Steps:
 *   1. http_warm(urls, n, &opts) before the token is acquired: prepares
 *      one GET per endpoint base URL, without a token and without any
 *      header of ours, with the options of the real requests (endpoint
 *      overrides, proxy, CA file, connect-to).  Nothing is sent yet.
 *   2. helper_run() calls http_warm_start() once the helper is forked,
 *      waits with http_warm_poll() instead of poll(), and calls
 *      http_warm_finish() when the helper is reaped.
 *   3. http_warm_close() once every request's handle is cleaned up: drops
 *      what is left and closes the shared connections (before the exec).
 */
#ifndef HTTPWARM_H
#define HTTPWARM_H

#include <stddef.h>

#include "net/http.h"

/* Prepare the warm-up of (at most 2) endpoints.  0, or -1 (not armed). */
int http_warm(const char *const urls[], size_t n, const struct http_opts *o);

/* Send the prepared requests, if any (the helper has started). */
void http_warm_start(void);

/*
 * poll() for POLLIN on `fd` for at most `ms`, driving the warm-up
 * meanwhile: > 0 when fd is readable or closed, 0 on timeout, -1 with
 * errno.
 */
int http_warm_poll(int fd, int ms);

/*
 * The helper is done.  With `wait` (it gave a token), let a warm-up still
 * under way finish for at most a second (the real request would need that
 * connection anyway); then drop the warm-up's handles.  The connections
 * they made stay in the shared cache.
 */
void http_warm_finish(int wait);

/* Drop anything prepared; close the shared connections and http_multi(). */
void http_warm_close(void);

#endif
