/*
 * transport.h - the gcloud properties the check's HTTPS call needs, turned
 * into http_opts: the Artifact Registry endpoint, the CA file, the proxy
 * and the quota project (X-Goog-User-Project), each as gcloud uses it.
 */
#ifndef TRANSPORT_H
#define TRANSPORT_H

#include <stddef.h>

#include "gcloud/props.h"
#include "net/http.h"

/* Artifact Registry's endpoint when api_endpoint_overrides sets none. */
#define AR_ENDPOINT	"https://artifactregistry.googleapis.com/"

struct transport {
	char		endpoint[1024];	/* Artifact Registry; ends with "/" */
	char		proxy[1024];	/* "" when gcloud sets none */
	char		user_project[256];	/* "" when not sent */
	const char	*ca_file;	/* points into props, or NULL */
};

/*
 * Fill `s` from the properties.  `user_creds` says whether gcloud would
 * treat the credential as a user account's (stored user credentials, not
 * impersonated): only then does the default quota project CURRENT_PROJECT
 * send core/project.  0, or -1 with a message in err (a refused endpoint
 * or proxy).
 */
int transport_load(const struct props *p, int user_creds, struct transport *s,
    char *err, size_t errlen);

/*
 * The endpoint an API's requests go to, as gcloud builds it: the
 * api_endpoint_overrides/NAME property joined as urljoin() does, else
 * `dflt`; checked with http_endpoint_ok().  0, or -1 with err.
 */
int transport_endpoint(const struct props *p, const char *name,
    const char *dflt, char *out, size_t len, char *err, size_t errlen);

/* The http_opts view of `s`, with the deadline and verbosity given. */
void transport_http(const struct transport *s, long timeout_ms, int verbose,
    struct http_opts *o);

#endif
