/*
 * http.c - the settings every HTTPS call of the shim shares.
 *
 * MUST rules, for anyone editing this file:
 *  - TLS peer and host verification are never turned off.
 *  - Only https is allowed; http only for a loopback endpoint (a test
 *    fake), and redirects are never followed.
 *  - The bearer token lives in one header string, built in a buffer that
 *    is wiped at once; the slist copy is wiped by http_headers_free().
 *  - The verbose trace redacts Authorization, whatever the HTTP version.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/curlfn.h"

#include "net/http.h"

#ifndef VERSION
#define VERSION "0"
#endif

#define USER_AGENT	"gcloud-run-deploy/" VERSION
#define CONNECT_MS	10000L

/*
 * "localhost" and the names under it (RFC 6761: always loopback; libcurl
 * resolves them to 127.0.0.1 and ::1 itself, without asking DNS), as the
 * region-prefixed test endpoints gcloud builds need ("us-central1-run.
 * localhost").  Labels of letters, digits and '-' only.
 */
static int
localname(const char *host)
{
	size_t n = strlen(host), i;

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (n <= 10 || strcasecmp(host + n - 10, ".localhost") != 0)
		return 0;
	for (i = 0; i < n - 10; i++)
		if (!isalnum((unsigned char)host[i]) && host[i] != '-' &&
		    !(host[i] == '.' && i > 0 && host[i - 1] != '.'))
			return 0;
	return host[0] != '-' && host[n - 11] != '.';
}

static int
isloopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char h[64];
	size_t n;

	if (localname(host))
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	n = strlen(host);
	if (n < 3 || n >= sizeof(h) || host[0] != '[' || host[n - 1] != ']')
		return 0;
	memcpy(h, host + 1, n - 2);
	h[n - 2] = '\0';
	if (inet_pton(AF_INET6, h, &a6) != 1)
		return 0;
	return memcmp(&a6, &in6addr_loopback, sizeof(a6)) == 0;
}

static void
seterr(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		strlcpy(err, msg, errlen);
}

/* Printable ASCII only, and no '@' or '\\' before the path begins. */
static int
rawcheck(const char *url)
{
	const char *p, *auth;

	for (p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return -1;
	if ((auth = strstr(url, "://")) == NULL)
		return -1;
	for (p = auth + 3; *p != '\0' && *p != '/' && *p != '?' &&
	    *p != '#'; p++)
		if (*p == '@' || *p == '\\')
			return -1;
	return 0;
}

static int
haspart(CURLU *u, CURLUPart part)
{
	char *s = NULL;
	CURLUcode rc;

	rc = curl_url_get(u, part, &s, 0);
	curl_free(s);
	return rc == CURLUE_OK;
}

/*
 * Classify `url`: 1 for https, 2 for http to a loopback host, -1 (with a
 * reason) for anything else.  A query is refused only when `base` is set.
 */
static int
classify(const char *url, int base, char *err, size_t errlen)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	int kind = -1;

	if (url == NULL || *url == '\0' || rawcheck(url) == -1) {
		seterr(err, errlen, "not a valid URL");
		return -1;
	}
	if ((u = curl_url()) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    *host == '\0')
		seterr(err, errlen, "not a valid URL");
	else if (haspart(u, CURLUPART_USER) || haspart(u, CURLUPART_PASSWORD) ||
	    haspart(u, CURLUPART_OPTIONS))
		seterr(err, errlen, "user information in the URL is refused");
	else if (haspart(u, CURLUPART_FRAGMENT) ||
	    (base && haspart(u, CURLUPART_QUERY)))
		seterr(err, errlen, "a query or fragment is refused");
	else if (strcasecmp(scheme, "https") == 0)
		kind = 1;
	else if (strcasecmp(scheme, "http") != 0)
		seterr(err, errlen, "only https:// is allowed");
	else if (isloopback(host))
		kind = 2;
	else
		seterr(err, errlen,
		    "http:// is allowed only to a loopback host");
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return kind;
}

int
http_endpoint_ok(const char *url, char *err, size_t errlen)
{
	return classify(url, 1, err, errlen) == -1 ? -1 : 0;
}

static size_t
writecb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct http_buf *b = arg;
	size_t n = size * nmemb, cap;
	char *p;

	if (n > HTTP_BODY_MAX || b->len + n > HTTP_BODY_MAX) {
		b->overflow = 1;
		return 0;	/* aborts the transfer: CURLE_WRITE_ERROR */
	}
	cap = b->len + n + 1;
	if (cap < 4096)
		cap = 4096;
	if ((p = realloc(b->data, cap)) == NULL)
		return 0;
	b->data = p;
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

void
http_buf_free(struct http_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->overflow = 0;
}

void
http_headers_free(struct curl_slist *hdrs)
{
	struct curl_slist *s;

	for (s = hdrs; s != NULL; s = s->next)
		if (s->data != NULL)
			explicit_bzero(s->data, strlen(s->data));
	curl_slist_free_all(hdrs);
}

/* A header value must not smuggle a line break or control characters. */
static int
hdrsafe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

static int
append(struct curl_slist **hdrs, const char *line)
{
	struct curl_slist *n;

	if ((n = curl_slist_append(*hdrs, line)) == NULL)
		return -1;
	*hdrs = n;
	return 0;
}

static CURLcode
headers(const struct http_opts *o, const char *token,
    struct curl_slist **hdrs)
{
	static const char pre[] = "Authorization: Bearer ";
	char *auth, up[512];
	size_t len;
	int rc;

	if (token == NULL || *token == '\0' || !hdrsafe(token) ||
	    (o->user_project != NULL && !hdrsafe(o->user_project)))
		return CURLE_BAD_FUNCTION_ARGUMENT;
	len = sizeof(pre) + strlen(token);
	if ((auth = malloc(len)) == NULL)
		return CURLE_OUT_OF_MEMORY;
	strlcpy(auth, pre, len);
	strlcat(auth, token, len);
	rc = append(hdrs, auth);
	explicit_bzero(auth, len);
	free(auth);
	if (rc == -1)
		return CURLE_OUT_OF_MEMORY;
	if (o->content_type != NULL && !hdrsafe(o->content_type))
		return CURLE_BAD_FUNCTION_ARGUMENT;
	if ((size_t)snprintf(up, sizeof(up), "Content-Type: %s",
	    o->content_type != NULL ? o->content_type : "application/json") >=
	    sizeof(up))
		return CURLE_BAD_FUNCTION_ARGUMENT;
	if (append(hdrs, up) == -1)
		return CURLE_OUT_OF_MEMORY;
	/* The registry check asks for manifest media types instead. */
	if (o->accept != NULL && !hdrsafe(o->accept))
		return CURLE_BAD_FUNCTION_ARGUMENT;
	if ((size_t)snprintf(up, sizeof(up), "Accept: %s", o->accept != NULL ?
	    o->accept : "application/json") >= sizeof(up))
		return CURLE_BAD_FUNCTION_ARGUMENT;
	if (append(hdrs, up) == -1)
		return CURLE_OUT_OF_MEMORY;
	if (o->user_project != NULL && *o->user_project != '\0') {
		if ((size_t)snprintf(up, sizeof(up), "X-Goog-User-Project: %s",
		    o->user_project) >= sizeof(up))
			return CURLE_BAD_FUNCTION_ARGUMENT;
		if (append(hdrs, up) == -1)
			return CURLE_OUT_OF_MEMORY;
	}
	return CURLE_OK;
}

static int
debugcb(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	(void)h;
	http_trace_secret(stderr, type, data, size, arg);
	return 0;
}

#define SET(opt, val) do {						\
	if ((rc = curl_easy_setopt(h, opt, val)) != CURLE_OK)		\
		return rc;						\
} while (0)

/*
 * The connection cache every request shares once http_share_conns() made
 * it (the warm-up, httpwarm.c): a later request to the same host, port,
 * proxy and TLS settings reuses a connection an earlier one left open.
 */
static CURLSH *conns;

int
http_share_conns(void)
{
	if (conns != NULL)
		return 0;
	if ((conns = curl_share_init()) == NULL)
		return -1;
	if (curl_share_setopt(conns, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) !=
	    CURLSHE_OK) {
		curl_share_cleanup(conns);
		conns = NULL;
		return -1;
	}
	return 0;
}

CURLSH *
http_shared(void)
{
	return conns;
}

int
http_share_close(void)
{
	if (conns == NULL)
		return 0;
	if (curl_share_cleanup(conns) != CURLSHE_OK)
		return -1;	/* a handle still uses it */
	conns = NULL;
	return 0;
}

/*
 * libcurl keeps the trust store it loaded in the multi handle, so one
 * multi handle for every round loads a CA file (core/custom_ca_certs_file)
 * once: a bundle the size of the system's is some 145 certificates, which
 * OpenSSL 3 parses in about 20 ms of CPU.  libcurl 7.88 keeps no store
 * that also has a CA folder, which its built-in default has: without the
 * property, each round reads the system's bundle again.
 */
static CURLM *multi;

CURLM *
http_multi(void)
{
	if (multi == NULL)
		multi = curl_multi_init();
	return multi;
}

void
http_multi_close(void)
{
	if (multi != NULL)
		curl_multi_cleanup(multi);
	multi = NULL;
}

/* Everything but the headers, for http_setup() and http_setup_anon(). */
static CURLcode
options(CURL *h, const char *url, int kind, const struct http_opts *o,
    struct http_buf *body, char *errbuf)
{
	CURLcode rc;

	errbuf[0] = '\0';
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, kind == 2 ? "http,https" : "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	/* As gcloud: a custom CA file replaces the system store. */
	if (o->ca_file != NULL && *o->ca_file != '\0') {
		SET(CURLOPT_CAINFO, o->ca_file);
		SET(CURLOPT_CAPATH, NULL);
	}
	/*
	 * Plain http is allowed to loopback only: never through a proxy,
	 * whether gcloud's proxy/ properties or the environment name it.
	 */
	if (kind == 2) {
		SET(CURLOPT_PROXY, "");
		SET(CURLOPT_NOPROXY, "*");
	} else if (o->proxy != NULL && *o->proxy != '\0')
		SET(CURLOPT_PROXY, o->proxy);
	if (o->connect_to != NULL)
		SET(CURLOPT_CONNECT_TO, o->connect_to);
	SET(CURLOPT_CONNECTTIMEOUT_MS,
	    o->connect_timeout_ms > 0 ? o->connect_timeout_ms : CONNECT_MS);
	if (o->timeout_ms > 0)
		SET(CURLOPT_TIMEOUT_MS, o->timeout_ms);
	SET(CURLOPT_USERAGENT, USER_AGENT);
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_WRITEFUNCTION, writecb);
	SET(CURLOPT_WRITEDATA, body);
	if (conns != NULL)
		SET(CURLOPT_SHARE, conns);
	return CURLE_OK;
}

CURLcode
http_setup(CURL *h, const char *url, const struct http_opts *o,
    const char *token, struct curl_slist **hdrs, struct http_buf *body,
    char *errbuf)
{
	CURLcode rc;
	int kind;

	if ((kind = classify(url, 0, NULL, 0)) == -1)
		return CURLE_URL_MALFORMAT;
	if ((rc = headers(o, token, hdrs)) != CURLE_OK)
		return rc;
	if ((rc = options(h, url, kind, o, body, errbuf)) != CURLE_OK)
		return rc;
	SET(CURLOPT_HTTPHEADER, *hdrs);
	if (o->verbose) {
		SET(CURLOPT_DEBUGFUNCTION, debugcb);
		SET(CURLOPT_DEBUGDATA, (void *)token);
		SET(CURLOPT_VERBOSE, 1L);
	}
	return CURLE_OK;
}

CURLcode
http_setup_anon(CURL *h, const char *url, const struct http_opts *o,
    struct http_buf *body, char *errbuf)
{
	CURLcode rc;
	int kind;

	if ((kind = classify(url, 0, NULL, 0)) == -1)
		return CURLE_URL_MALFORMAT;
	if ((rc = options(h, url, kind, o, body, errbuf)) != CURLE_OK)
		return rc;
	if (o->verbose) {
		SET(CURLOPT_DEBUGFUNCTION, debugcb);
		SET(CURLOPT_DEBUGDATA, NULL);
		SET(CURLOPT_VERBOSE, 1L);
	}
	return CURLE_OK;
}

/* After a header name: "Authorization:" or "Proxy-Authorization:". */
static const char *
sensitive(const char *p, const char *end)
{
	static const char *const names[] = {
		"Authorization:", "Proxy-Authorization:"
	};
	size_t i, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = strlen(names[i]);
		if ((size_t)(end - p) >= n && strncasecmp(p, names[i], n) == 0)
			return p + n;
	}
	return NULL;
}

/* Where an HTTP/2 info line puts its header, as git's match_curl_h2_trace. */
static const char *
h2header(const char *p, const char *end)
{
	static const char *const pre[] = { "h2h3 [", "h2 [", "[HTTP/2] [",
	    "[HTTP/3] [" };
	size_t i, n;

	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		n = strlen(pre[i]);
		if ((size_t)(end - p) < n || strncasecmp(p, pre[i], n) != 0)
			continue;
		p += n;
		if (i < 2)
			return p;
		while (p < end && isdigit((unsigned char)*p))
			p++;
		if (end - p >= 3 && memcmp(p, "] [", 3) == 0)
			return p + 3;
		return NULL;
	}
	return NULL;
}

/*
 * Does [p, end) hold the secret?  Any header may echo it (a proxy, a
 * debugging server), not only Authorization.
 */
static int
holds(const char *p, const char *end, const char *secret)
{
	size_t n;

	if (secret == NULL || (n = strlen(secret)) < 8)
		return 0;
	for (; (size_t)(end - p) >= n; p++)
		if (memcmp(p, secret, n) == 0)
			return 1;
	return 0;
}

/* One line (without its newline): keep the auth scheme, hide the rest. */
static void
traceline(FILE *fp, const char *prefix, const char *p, const char *end,
    int info, const char *secret)
{
	const char *h = p, *v;

	while (end > p && (end[-1] == '\r' || end[-1] == '\n'))
		end--;
	if (info && (h = h2header(p, end)) == NULL)
		h = end;
	if (h < end && (v = sensitive(h, end)) != NULL) {
		h = v;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		while (v < end && !isspace((unsigned char)*v) && *v != ']')
			v++;
		if (v >= end || *v == ']')
			v = h;	/* no scheme word: all of it is secret */
		fprintf(fp, "%s%.*s <redacted>%s\n", prefix, (int)(v - p), p,
		    info ? "]" : "");
		return;
	}
	if (holds(p, end, secret)) {	/* the header name, if it is clean */
		if (info || (v = memchr(p, ':', (size_t)(end - p))) == NULL ||
		    holds(p, v, secret))
			v = p - 1;
		fprintf(fp, "%s%.*s <redacted: it holds the access token>\n",
		    prefix, (int)(v + 1 - p), p);
		return;
	}
	fprintf(fp, "%s%.*s\n", prefix, (int)(end - p), p);
}

void
http_trace(FILE *fp, curl_infotype type, const char *data, size_t size)
{
	http_trace_secret(fp, type, data, size, NULL);
}

void
http_trace_secret(FILE *fp, curl_infotype type, const char *data,
    size_t size, const char *secret)
{
	const char *prefix, *p = data, *end = data + size, *nl;

	switch (type) {
	case CURLINFO_TEXT:
		prefix = "* ";
		break;
	case CURLINFO_HEADER_OUT:
		prefix = "> ";
		break;
	case CURLINFO_HEADER_IN:
		prefix = "< ";
		break;
	case CURLINFO_DATA_OUT:
	case CURLINFO_DATA_IN:
		fprintf(fp, "%s %zu bytes of data\n",
		    type == CURLINFO_DATA_OUT ? "=>" : "<=", size);
		return;
	default:
		return;
	}
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl > p && !(nl - p == 1 && *p == '\r'))
			traceline(fp, prefix, p, nl, type == CURLINFO_TEXT,
			    secret);
		p = nl + 1;
	}
}

static int
printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* A port: 1 to 65535, digits only. */
static int
portok(const char *s, size_t n)
{
	char buf[8];
	const char *errstr;

	if (n == 0 || n >= sizeof(buf) || strspn(s, "0123456789") < n)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	strtonum(buf, 1, 65535, &errstr);
	return errstr == NULL;
}

/* One "HOST:PORT:CONNECT_HOST:CONNECT_PORT" entry (HOST without ':'). */
static int
connect_entry(const char *e, size_t n, char *err, size_t errlen)
{
	const char *c1, *c2, *c3, *end = e + n;
	char host[300];

	if ((c1 = memchr(e, ':', n)) == NULL || c1 == e ||
	    (c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1))) == NULL ||
	    !portok(c1 + 1, (size_t)(c2 - c1 - 1)))
		goto bad;
	for (c3 = end - 1; c3 > c2 && *c3 != ':'; c3--)
		;
	if (c3 <= c2 + 1 || !portok(c3 + 1, (size_t)(end - c3 - 1)) ||
	    (size_t)(c3 - c2 - 1) >= sizeof(host))
		goto bad;
	memcpy(host, c2 + 1, (size_t)(c3 - c2 - 1));
	host[c3 - c2 - 1] = '\0';
	if (!isloopback(host)) {
		snprintf(err, errlen, "'%.*s': only a loopback connect host is "
		    "allowed (127.0.0.0/8, [::1], localhost)", (int)n, e);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "'%.*s' is not HOST:PORT:CONNECT_HOST:"
	    "CONNECT_PORT", (int)n, e);
	return -1;
}

int
http_connect_to(const char *spec, struct curl_slist **out, char *err,
    size_t errlen)
{
	const char *p, *comma;
	char entry[400];
	size_t n = 0;

	*out = NULL;
	for (p = spec; p != NULL && *p != '\0'; p = comma ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (n >= sizeof(entry) || !printable(p, n) ||
		    connect_entry(p, n, err, errlen) != 0)
			goto fail;
		memcpy(entry, p, n);
		entry[n] = '\0';
		if (append(out, entry) == -1) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	return 0;
fail:
	if (n >= sizeof(entry))
		snprintf(err, errlen, "an entry is too long");
	else if (!printable(p, n))
		snprintf(err, errlen, "white space or control characters");
	curl_slist_free_all(*out);
	*out = NULL;
	return -1;
}

/*
 * The metadata server (metadata.c) speaks plain http on its link-local
 * address; that, its DNS name, and loopback (test fakes) are the only
 * plain-http targets besides an endpoint override.  Nothing secret is
 * sent there: the token only comes back.
 */
int
http_metadata_host(const char *host)
{
	return strcasecmp(host, "169.254.169.254") == 0 ||
	    strcasecmp(host, "metadata.google.internal") == 0 ||
	    strcasecmp(host, "metadata.google.internal.") == 0 ||
	    isloopback(host);
}

static int
metadata_url(const char *url)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	int ok = 0;

	if (url == NULL || rawcheck(url) == -1 || (u = curl_url()) == NULL)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    strcasecmp(scheme, "http") == 0 && http_metadata_host(host) &&
	    !haspart(u, CURLUPART_USER) && !haspart(u, CURLUPART_PASSWORD) &&
	    !haspart(u, CURLUPART_OPTIONS) && !haspart(u, CURLUPART_FRAGMENT))
		ok = 1;
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

CURLcode
http_setup_metadata(CURL *h, const char *url, long timeout_ms,
    struct curl_slist **hdrs, struct http_buf *body, char *errbuf)
{
	CURLcode rc;

	if (!metadata_url(url))
		return CURLE_URL_MALFORMAT;
	if (append(hdrs, "Metadata-Flavor: Google") == -1)
		return CURLE_OUT_OF_MEMORY;
	errbuf[0] = '\0';
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "http");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	/* gce_read.ReadNoProxy(): never a proxy, whatever the environment */
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_NOPROXY, "*");
	SET(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, timeout_ms);
	SET(CURLOPT_HTTPHEADER, *hdrs);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_WRITEFUNCTION, writecb);
	SET(CURLOPT_WRITEDATA, body);
	return CURLE_OK;
}
