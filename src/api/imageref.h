/*
 * imageref.h - Docker image references and the Artifact Registry
 * repository they live in.
 *
 * The grammar is distribution/reference's (the authority named in the
 * spec): [domain/]path[:tag][@digest], name at most 255 characters, path
 * components lowercase, digest "algorithm:hex" (sha256: 64 hex digits).
 * The parts are kept as written; nothing is normalised.
 *
 * Steps for a caller:
 *   1. imageref_parse(s, &ref): 0 when s is a valid reference; -1 with
 *      ref.error set to a static, lowercase reason otherwise.
 *   2. ref.kind says where it lives; for IMAGEREF_AR and IMAGEREF_GCR,
 *      ref.resource is "projects/P/locations/L/repositories/R", safe to
 *      put into a URL path as it is.
 */
#ifndef IMAGEREF_H
#define IMAGEREF_H

#define IMAGEREF_NAME_MAX	255	/* domain + "/" + path */
#define IMAGEREF_TAG_MAX	128
#define IMAGEREF_DIGEST_MAX	160	/* "algorithm:hex" */
#define IMAGEREF_RESOURCE_MAX	512

enum imageref_kind {
	IMAGEREF_INVALID,	/* not a valid reference, or hostile */
	IMAGEREF_AR,		/* LOCATION-docker.pkg.dev/PROJECT/REPO/IMAGE */
	IMAGEREF_GCR,		/* gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io */
	IMAGEREF_OTHER		/* any other registry: nothing to check */
};

struct imageref {
	enum imageref_kind kind;
	char	domain[IMAGEREF_NAME_MAX + 1];	/* "" when absent */
	char	path[IMAGEREF_NAME_MAX + 1];
	char	tag[IMAGEREF_TAG_MAX + 1];	/* "" when absent */
	char	digest[IMAGEREF_DIGEST_MAX + 1];/* "" when absent */
	/* For IMAGEREF_AR and IMAGEREF_GCR only, "" otherwise: */
	/* "example.com:proj" when scoped */
	char	project[IMAGEREF_NAME_MAX + 1];
	/* "us-central1", "us", "europe" */
	char	location[64];
	char	repository[IMAGEREF_NAME_MAX + 1];	/* "repo", "gcr.io" */
	char	resource[IMAGEREF_RESOURCE_MAX];
	const char *error;	/* why it is invalid; NULL when valid */
};

/* Parse `s`; see above.  Never reads past the terminating NUL. */
int imageref_parse(const char *s, struct imageref *ref);

/* "artifact-registry", "gcr", "other" or "invalid" (the report's words). */
const char *imageref_kind_name(enum imageref_kind kind);

#endif
