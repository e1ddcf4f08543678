/*
 * http.h - what every HTTPS call of the shim shares: TLS always verified,
 * https only (http only to a loopback endpoint override), gcloud's CA file
 * and proxy, bounded time, capped bodies, and a debug callback that
 * redacts Authorization.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdio.h>

#include "net/curlfn.h"

#define HTTP_BODY_MAX	(1024 * 1024)	/* larger answers are an error */

struct http_opts {
	const char	*ca_file;	/* core/custom_ca_certs_file, or NULL */
	const char	*proxy;		/* "scheme://[user:pass@]host:port" from
					 * gcloud's proxy/ properties, or NULL
					 * to let libcurl read the
					 * environment */
	const char	*user_project;	/* X-Goog-User-Project, or NULL */
	long		 timeout_ms;	/* total deadline, retries included */
	long		 connect_timeout_ms;
	int		 verbose;	/* redacted trace on stderr */
	/* Added for the registry check (registry.c): */
	const char	*accept;	/* Accept header value; NULL:
					 * application/json */
	struct curl_slist *connect_to;	/* CURLOPT_CONNECT_TO entries
					 * (http_connect_to()), or NULL */
	const char	*content_type;	/* of a POST body; NULL:
					 * application/json */
};

/*
 * Parse GCLOUD_RUN_DEPLOY_CONNECT_TO, "HOST:PORT:CONNECT_HOST:CONNECT_PORT
 * [,...]", into a list for http_opts.connect_to (curl's --connect-to).  A
 * test and mirror seam: requests for HOST:PORT go to CONNECT_HOST:
 * CONNECT_PORT while TLS still verifies HOST.  Only loopback connect hosts
 * are accepted, so it can point a test at a local fake but cannot send
 * the token anywhere else.  0 (an empty spec gives NULL), or -1 with err.
 */
int http_connect_to(const char *spec, struct curl_slist **out, char *err,
    size_t errlen);

/*
 * Is `url` an acceptable API endpoint?  https:// always; http:// only when
 * its host is loopback (127.0.0.0/8, ::1, localhost).  0, or -1 with a
 * reason in err.
 */
int http_endpoint_ok(const char *url, char *err, size_t errlen);

/* A growing, capped response body. */
struct http_buf {
	char	*data;
	size_t	 len;
	int	 overflow;	/* more than HTTP_BODY_MAX arrived */
};

/*
 * Set up `h` for one request to `url` with the shared options and the
 * bearer token; headers are appended to *hdrs (the caller frees them with
 * http_headers_free after the transfer).  Returns CURLE_OK or the error.
 */
CURLcode http_setup(CURL *h, const char *url, const struct http_opts *o,
    const char *token, struct curl_slist **hdrs, struct http_buf *body,
    char *errbuf);

/*
 * The same options for a request that carries no token and no header of
 * ours (the connection warm-up, httpwarm.h).
 */
CURLcode http_setup_anon(CURL *h, const char *url, const struct http_opts *o,
    struct http_buf *body, char *errbuf);

/*
 * From now on, every handle set up here shares one connection cache, so a
 * request reuses a connection the warm-up left open.  0, or -1.
 * http_share_close() closes those connections; it fails (-1) while a
 * handle still uses the cache: call it after every request's handle is
 * cleaned up, before the exec.
 */
int http_share_conns(void);
CURLSH *http_shared(void);	/* that cache, or NULL */
int http_share_close(void);

/*
 * The process's one multi handle, made on first use (NULL: out of
 * memory): fetch_all() and the warm-up run their transfers on it and
 * take them off again, one of them at a time, so a CA file is loaded
 * once (see http.c), and a later round finds the connections an earlier
 * one left open.  http_multi_close() closes it, once no transfer is on
 * it, and before the exec: libcurl's sockets are not close-on-exec.
 */
CURLM *http_multi(void);
void http_multi_close(void);

void http_buf_free(struct http_buf *b);

/*
 * Free the list http_setup() appended to, after wiping every string in it
 * (curl_slist_append copies, so the Authorization line lives there too).
 */
void http_headers_free(struct curl_slist *hdrs);

/*
 * The verbose trace (exposed for the unit tests): write one chunk that
 * libcurl gave the debug callback to fp, line by line, with the value of
 * Authorization and Proxy-Authorization replaced by "<redacted>" (the
 * scheme is kept), in HTTP/1 headers and HTTP/2 info lines alike.  Bodies
 * are summarised by their size, TLS data is left out.
 */
void http_trace(FILE *fp, curl_infotype type, const char *data,
    size_t size);

/*
 * The metadata server's addresses (metadata.c): 169.254.169.254,
 * metadata.google.internal, or a loopback host (a test fake).
 */
int http_metadata_host(const char *host);

/*
 * Set up `h` for one plain-http GET of `url` on the metadata server: only
 * to a host http_metadata_host() accepts, never through a proxy, with the
 * one header "Metadata-Flavor: Google" appended to *hdrs (free them with
 * http_headers_free), no redirects, `timeout_ms` to connect and in all.
 */
CURLcode http_setup_metadata(CURL *h, const char *url, long timeout_ms,
    struct curl_slist **hdrs, struct http_buf *body, char *errbuf);

/*
 * The same, and any line (a response header echoing the credential, say)
 * that holds `secret` (8 bytes or more; NULL for none) shows its header
 * name only.  The trace of http_setup() passes the bearer token.
 */
void http_trace_secret(FILE *fp, curl_infotype type, const char *data,
    size_t size, const char *secret);

#endif
