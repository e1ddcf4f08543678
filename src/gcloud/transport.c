/*
 * transport.c - endpoint, CA file, proxy and quota project, as gcloud uses
 * them (api_lib/util/apis_internal.py, core/credentials/creds.py
 * GetQuotaProject, core/http_proxy.py in the installed SDK).
 */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "net/curlfn.h"

#include "gcloud/transport.h"

/*
 * properties.py _VALID_ENDPOINT_OVERRIDE_REGEX, which EndpointValidator
 * applies to every api_endpoint_overrides/NAME value, "" included: a
 * scheme, a host name or address, an optional port, and a trailing '/'.
 * Only whether it matches counts, so POSIX ERE serves for Python's re.
 */
#define ENDPOINT_RE	"^https?://" \
	"([A-Z0-9][-A-Z0-9.]+|" \
	"[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}|" \
	"\\[?[A-F0-9]*:[A-F0-9:]+\\]?)" \
	"(:[0-9]+)?" \
	"(/|[/?][^[:space:]]+/)$"

/* 0 when gcloud accepts `v` as an endpoint override, else -1. */
static int
override_ok(const char *v)
{
	regex_t re;
	int rc;

	if (regcomp(&re, ENDPOINT_RE, REG_EXTENDED | REG_ICASE | REG_NOSUB))
		return -1;
	rc = regexec(&re, v, 0, NULL, 0);
	regfree(&re);
	return rc == 0 ? 0 : -1;
}

/*
 * gcloud refuses an override its validator rejects (an empty one too),
 * then joins the API's relative path to it as urljoin() does: whatever
 * follows the last '/' of the path is replaced.
 */
int
transport_endpoint(const struct props *p, const char *name, const char *dflt,
    char *out, size_t len, char *err, size_t errlen)
{
	const char *override, *auth, *slash;
	char prop[128], why[256];
	int n;

	snprintf(prop, sizeof(prop), "api_endpoint_overrides/%s", name);
	if ((override = props_get(p, prop)) == NULL)
		override = dflt;
	else if (override_ok(override) != 0) {
		snprintf(err, errlen, "%s '%s' is not a valid endpoint "
		    "override: gcloud wants an absolute http:// or https:// "
		    "URI ending with '/'", prop, override);
		return -1;
	}
	if (http_endpoint_ok(override, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s '%s': %s", prop, override, why);
		return -1;
	}
	auth = strstr(override, "://");
	auth = auth != NULL ? auth + 3 : override;
	slash = strrchr(auth, '/');
	if (slash == NULL)
		n = snprintf(out, len, "%s/", override);
	else
		n = snprintf(out, len, "%.*s", (int)(slash - override + 1),
		    override);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "%s is too long", prop);
		return -1;
	}
	return 0;
}

/* user:password@, each percent-encoded, or "" (curl_easy_escape). */
static int
userinfo(const char *user, const char *pass, char *out, size_t len)
{
	char *u, *pw;
	int n;

	out[0] = '\0';
	/* gcloud adds user:password@ when either is set */
	if (user == NULL && pass == NULL)
		return 0;
	u = curl_easy_escape(NULL, user != NULL ? user : "", 0);
	pw = curl_easy_escape(NULL, pass != NULL ? pass : "", 0);
	n = u && pw ? snprintf(out, len, "%s:%s@", u, pw) : -1;
	if (pw != NULL)
		explicit_bzero(pw, strlen(pw));
	curl_free(u);
	curl_free(pw);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * gcloud's proxy/type, proxy/address, proxy/port (all three or none),
 * proxy/rdns (default true: the proxy resolves names), username, password.
 */
static int
proxy(const struct props *p, char *out, size_t len, char *err, size_t errlen)
{
	const char *type = props_get(p, "proxy/type");
	const char *addr = props_get(p, "proxy/address");
	const char *port = props_get(p, "proxy/port");
	int rdns = props_bool(p, "proxy/rdns", 1), n;
	const char *scheme;
	char ui[512];

	out[0] = '\0';
	if (type == NULL && addr == NULL && port == NULL)
		return 0;
	if (type == NULL || addr == NULL || port == NULL) {
		snprintf(err, errlen, "please set all or none of the following "
		    "properties: proxy/type, proxy/address and proxy/port");
		return -1;
	}
	if (strcmp(type, "http") == 0 || strcmp(type, "http_no_tunnel") == 0)
		scheme = "http";
	else if (strcmp(type, "socks4") == 0)
		scheme = rdns ? "socks4a" : "socks4";
	else if (strcmp(type, "socks5") == 0)
		scheme = rdns ? "socks5h" : "socks5";
	else {
		snprintf(err, errlen, "proxy/type '%s' is not one of http, "
		    "http_no_tunnel, socks4, socks5", type);
		return -1;
	}
	if (userinfo(props_get(p, "proxy/username"),
	    props_get(p, "proxy/password"), ui, sizeof(ui)) != 0 ||
	    (n = snprintf(out, len, "%s://%s%s:%s", scheme, ui, addr, port)) <
	    0 || (size_t)n >= len) {
		explicit_bzero(ui, sizeof(ui));
		snprintf(err, errlen, "proxy settings are too long");
		return -1;
	}
	explicit_bzero(ui, sizeof(ui));
	return 0;
}

static void
quota_project(const struct props *p, int user_creds, char *out, size_t len)
{
	const char *q = props_get(p, "billing/quota_project");
	const char *project = props_get(p, "core/project");

	out[0] = '\0';
	if (q == NULL || strcmp(q, "CURRENT_PROJECT") == 0 ||
	    strcmp(q, "CURRENT_PROJECT_WITH_FALLBACK") == 0) {
		if (user_creds && project != NULL)
			strlcpy(out, project, len);
	} else if (strcmp(q, "LEGACY") != 0)
		strlcpy(out, q, len);
}

int
transport_load(const struct props *p, int user_creds, struct transport *s,
    char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (transport_endpoint(p, "artifactregistry", AR_ENDPOINT, s->endpoint,
	    sizeof(s->endpoint), err, errlen) != 0)
		return -1;
	if (proxy(p, s->proxy, sizeof(s->proxy), err, errlen) != 0)
		return -1;
	quota_project(p, user_creds, s->user_project, sizeof(s->user_project));
	s->ca_file = props_get(p, "core/custom_ca_certs_file");
	if (s->ca_file != NULL && *s->ca_file == '\0')
		s->ca_file = NULL;
	return 0;
}

void
transport_http(const struct transport *s, long timeout_ms, int verbose,
    struct http_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ca_file = s->ca_file;
	o->proxy = s->proxy[0] ? s->proxy : NULL;
	o->user_project = s->user_project[0] ? s->user_project : NULL;
	o->timeout_ms = timeout_ms;
	o->connect_timeout_ms = timeout_ms < 10000 ? timeout_ms : 10000;
	o->verbose = verbose;
}
