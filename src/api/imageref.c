/*
 * imageref.c - parse a Docker image reference and find the Artifact
 * Registry repository it lives in.
 *
 * The grammar is distribution/reference's anchored ReferenceRegexp,
 * written out by hand as a deterministic scanner:
 *
 *	reference  := name [ ":" tag ] [ "@" digest ]
 *	name       := [ domain "/" ] component ( "/" component )*
 *	domain     := ( host | "[" [a-fA-F0-9:]+ "]" ) [ ":" [0-9]+ ]
 *	host       := label ( "." label )*
 *	label      := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 *	component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *	tag        := [\w][\w.-]{0,127}
 *	digest     := alg ( [-_+.] alg )* ":" [0-9a-fA-F]{32,}
 *	alg        := [A-Za-z][A-Za-z0-9]*
 *
 * The regexp has only one way to match a given string: the digest is
 * everything after the first '@' (no other part may hold one), the tag
 * starts at the first ':' after the last '/' (path components hold no
 * ':', and a port is always followed by '/'), and the first component
 * is the grammar's domain whenever it can be one.  So no backtracking is
 * needed.
 *
 * MUST rules for this file:
 *   - never read past the terminating NUL: every scan after charcheck()
 *     is bounded by a length that charcheck() measured;
 *   - no allocation, no output, no exit: return a status and a static,
 *     lowercase reason;
 *   - refuse anything that could change the meaning of the URL the
 *     resource is put into (%, ?, #, "..", white space, control and
 *     non-ASCII bytes), even where the grammar already refuses it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/imageref.h"

#define AR_SUFFIX	"-docker.pkg.dev"

struct span {
	const char *p;
	size_t	n;
};

struct parts {
	struct span name, tag, dig;
	int	hastag, hasdig;
};

static const struct {
	const char *host, *location;
} gcrhosts[] = {
	{ "gcr.io", "us" }, { "us.gcr.io", "us" },
	{ "eu.gcr.io", "europe" }, { "asia.gcr.io", "asia" },
};

/* ASCII only, whatever the locale; safe on plain (signed) char. */
#define LOWER(c)	((c) >= 'a' && (c) <= 'z')
#define UPPER(c)	((c) >= 'A' && (c) <= 'Z')
#define DIGIT(c)	((c) >= '0' && (c) <= '9')
#define LOWALNUM(c)	(LOWER(c) || DIGIT(c))
#define ALNUM(c)	(LOWALNUM(c) || UPPER(c))
#define WORD(c)		(ALNUM(c) || (c) == '_')
#define XDIGIT(c)	(DIGIT(c) || ((c) >= 'a' && (c) <= 'f') || \
			    ((c) >= 'A' && (c) <= 'F'))

static int
hasupper(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (UPPER(p[i]))
			return 1;
	return 0;
}

/*
 * Refuse bytes that have no place in a reference and would be dangerous
 * in a URL.  Sets *len to the length of s; returns NULL or a reason.
 */
static const char *
charcheck(const char *s, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; u[i] != '\0'; i++) {
		if (u[i] >= 0x80)
			return "contains non-ascii characters";
		if (u[i] <= ' ' || u[i] == 0x7f)
			return "contains white space or control characters";
		if (u[i] == '%' || u[i] == '?' || u[i] == '#')
			return "contains '%', '?' or '#'";
	}
	*len = i;
	return NULL;
}

/* label ( "." label )*, each label alphanumeric at both ends. */
static int
hostname_ok(const char *p, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '.') {
			if (!ALNUM(p[i]) && p[i] != '-')
				return 0;
			continue;
		}
		if (i == start || p[start] == '-' || p[i - 1] == '-')
			return 0;
		start = i + 1;
	}
	return 1;
}

static int
port_ok(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!DIGIT(p[i]))
			return 0;
	return n > 0;
}

/* host[:port] or [ipv6][:port]. */
static int
domain_ok(const char *p, size_t n)
{
	size_t i;

	if (n > 0 && p[0] == '[') {
		for (i = 1; i < n && p[i] != ']'; i++)
			if (!XDIGIT(p[i]) && p[i] != ':')
				return 0;
		if (i == 1 || i == n)
			return 0;
		i++;
		return i == n || (p[i] == ':' && port_ok(p + i + 1, n - i - 1));
	}
	for (i = 0; i < n && p[i] != ':'; i++)
		;
	if (!hostname_ok(p, i))
		return 0;
	return i == n || port_ok(p + i + 1, n - i - 1);
}

/*
 * One path component.  With fold, uppercase letters count as lowercase:
 * that is only used to tell "name contains uppercase letters" apart.
 */
static int
component_ok(const char *p, size_t n, int fold)
{
	size_t i = 0, start;

	for (;;) {
		start = i;
		while (i < n && (LOWALNUM(p[i]) || (fold && ALNUM(p[i]))))
			i++;
		if (i == start)
			return 0;
		if (i == n)
			return 1;
		if (p[i] == '.')
			i++;
		else if (p[i] == '_')
			i += (i + 1 < n && p[i + 1] == '_') ? 2 : 1;
		else if (p[i] == '-')
			while (i < n && p[i] == '-')
				i++;
		else
			return 0;
	}
}

static int
remote_ok(const char *p, size_t n, int fold)
{
	size_t i, start = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '/')
			continue;
		if (!component_ok(p + start, i - start, fold))
			return 0;
		start = i + 1;
	}
	return 1;
}

/* [domain "/"] remote: the first component is a domain if it can be. */
static int
name_ok(const char *p, size_t n, int fold)
{
	const char *slash = memchr(p, '/', n);
	size_t d = slash != NULL ? (size_t)(slash - p) : 0;

	if (slash != NULL && domain_ok(p, d) &&
	    remote_ok(slash + 1, n - d - 1, fold))
		return 1;
	return remote_ok(p, n, fold);
}

static int
tag_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > IMAGEREF_TAG_MAX || !WORD(p[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!WORD(p[i]) && p[i] != '.' && p[i] != '-')
			return 0;
	return 1;
}

/* The digest regexp: algorithm ":" at least 32 hex digits. */
static int
digest_ok(const char *p, size_t n)
{
	size_t i = 0, hex;

	for (;;) {
		if (i >= n || !(LOWER(p[i]) || UPPER(p[i])))
			return 0;
		while (i < n && ALNUM(p[i]))
			i++;
		if (i < n && memchr("-_+.", p[i], 4) != NULL)
			i++;
		else
			break;
	}
	if (i >= n || p[i] != ':')
		return 0;
	for (hex = 0, i++; i < n; i++, hex++)
		if (!XDIGIT(p[i]))
			return 0;
	return hex >= 32;
}

/* Only sha256 is supported, and go-digest wants 64 lowercase hex. */
static int
sha256_ok(const char *p, size_t n)
{
	size_t i;

	if (n != 71 || strncmp(p, "sha256:", 7) != 0)
		return 0;
	for (i = 7; i < n; i++)
		if (!LOWALNUM(p[i]) || p[i] > 'f')
			return 0;
	return 1;
}

static void
copyspan(char *dst, size_t size, const char *p, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* Split s (length len) into name, tag and digest; see the top comment. */
static void
split(const char *s, size_t len, struct parts *pt)
{
	const char *at = memchr(s, '@', len);
	size_t left = at != NULL ? (size_t)(at - s) : len, i, from = 0;

	pt->hasdig = at != NULL;
	pt->dig.p = at != NULL ? at + 1 : s + len;
	pt->dig.n = at != NULL ? len - left - 1 : 0;
	for (i = 0; i < left; i++)
		if (s[i] == '/')
			from = i + 1;
	for (i = from; i < left && s[i] != ':'; i++)
		;
	pt->name.p = s;
	pt->name.n = i;
	pt->hastag = i < left;
	pt->tag.p = i < left ? s + i + 1 : s + left;
	pt->tag.n = i < left ? left - i - 1 : 0;
}

/*
 * Check the parts in the order upstream's errors come in.  ".." cannot
 * get past the name grammar; it is named here so the message says why.
 * A tag may hold ".." (the grammar allows it) since it never goes into
 * the resource.
 */
static size_t dockerdomain(const struct span *);

/*
 * The path's length: distribution/reference limits the path (255), not
 * the whole name.  The host has no upstream limit; ours is the buffer's,
 * and a DNS name is at most 253 characters anyway.
 */
static size_t
pathlen(const struct span *name)
{
	size_t d = dockerdomain(name);

	return d > 0 ? name->n - d - 1 : name->n;
}

static const char *
check(const char *s, size_t len, struct parts *pt)
{
	const struct span *nm = &pt->name;

	split(s, len, pt);
	if (nm->n == 0)
		return "missing repository name";
	if (memmem(nm->p, nm->n, "..", 2) != NULL)
		return "name contains '..'";
	if (!name_ok(nm->p, nm->n, 0))
		return name_ok(nm->p, nm->n, 1) ?
		    "name contains uppercase letters" :
		    "invalid repository name";
	if (pt->hastag && !tag_ok(pt->tag.p, pt->tag.n))
		return "invalid tag";
	if (pt->hasdig && !digest_ok(pt->dig.p, pt->dig.n))
		return "invalid digest";
	if (pathlen(nm) > IMAGEREF_NAME_MAX)
		return "repository path longer than 255 characters";
	if (nm->n - pathlen(nm) > IMAGEREF_NAME_MAX + 1)
		return "registry host longer than 255 characters";
	if (pt->hasdig && !sha256_ok(pt->dig.p, pt->dig.n))
		return "digest is not sha256 with 64 hex digits";
	return NULL;
}

/*
 * docker's registry rule (splitDockerDomain): the first component is the
 * registry host only if it has '.' or ':', is "localhost" or has an
 * uppercase letter.  Otherwise the name is all path (Docker Hub).
 */
static size_t
dockerdomain(const struct span *name)
{
	const char *slash = memchr(name->p, '/', name->n);
	size_t d;

	if (slash == NULL)
		return 0;
	d = (size_t)(slash - name->p);
	if (memchr(name->p, '.', d) != NULL ||
	    memchr(name->p, ':', d) != NULL ||
	    (d == 9 && strncmp(name->p, "localhost", 9) == 0) ||
	    hasupper(name->p, d))
		return d;
	return 0;
}

static void
fillparts(struct imageref *ref, const struct parts *pt)
{
	size_t d = dockerdomain(&pt->name), rest = d > 0 ? d + 1 : 0;

	copyspan(ref->domain, sizeof(ref->domain), pt->name.p, d);
	copyspan(ref->path, sizeof(ref->path), pt->name.p + rest,
	    pt->name.n - rest);
	copyspan(ref->tag, sizeof(ref->tag), pt->tag.p, pt->tag.n);
	copyspan(ref->digest, sizeof(ref->digest), pt->dig.p, pt->dig.n);
}

/*
 * Split the path into at most nc components; returns how many there are
 * (it may be more than nc).
 */
static size_t
components(const char *path, struct span *c, size_t nc)
{
	size_t k = 0;
	const char *p = path, *q;

	for (;;) {
		q = strchr(p, '/');
		if (k < nc) {
			c[k].p = p;
			c[k].n = q != NULL ? (size_t)(q - p) : strlen(p);
		}
		k++;
		if (q == NULL)
			return k;
		p = q + 1;
	}
}

/*
 * PROJECT, or "example.com:PROJECT" when the first component names a
 * domain-scoped project (project ids never contain '.').  Returns the
 * number of components used, 0 when there are not `need` components
 * after it.
 */
static size_t
project(struct imageref *ref, const struct span *c, size_t k, size_t need)
{
	if (memchr(c[0].p, '.', c[0].n) != NULL) {
		if (k < need + 1)
			return 0;
		snprintf(ref->project, sizeof(ref->project), "%.*s:%.*s",
		    (int)c[0].n, c[0].p, (int)c[1].n, c[1].p);
		return 2;
	}
	if (k < need)
		return 0;
	copyspan(ref->project, sizeof(ref->project), c[0].p, c[0].n);
	return 1;
}

/* Is host (lowercased) LOCATION-docker.pkg.dev?  Sets *loclen. */
static int
arhost(const char *host, size_t *loclen)
{
	size_t n = strlen(host), sl = strlen(AR_SUFFIX), i;

	if (n <= sl || strcasecmp(host + n - sl, AR_SUFFIX) != 0)
		return 0;
	for (i = 0; i < n - sl; i++)
		if (!ALNUM(host[i]) && host[i] != '-')
			return 0;
	*loclen = n - sl;
	return 1;
}

static int
gcrhost(const char *host, size_t *idx)
{
	size_t i;

	for (i = 0; i < sizeof(gcrhosts) / sizeof(gcrhosts[0]); i++)
		if (strcasecmp(host, gcrhosts[i].host) == 0) {
			*idx = i;
			return 1;
		}
	return 0;
}

/* Everything the resource may hold: [a-z0-9._:/-], and no "..". */
static int
resource_ok(const char *r)
{
	return strspn(r, "abcdefghijklmnopqrstuvwxyz0123456789._:/-") ==
	    strlen(r) && strstr(r, "..") == NULL && strstr(r, "//") == NULL;
}

/*
 * The repository: AR needs PROJECT/REPO/IMAGE, gcr.io PROJECT/IMAGE.
 *
 * Uppercase in a host that is otherwise an AR or gcr.io host
 * ("LOCATION-docker.pkg.dev", "GCR.io") is refused, as the corpus counts
 * it: it is legal for docker and DNS ignores case, but it is nearly
 * always a copied placeholder, and guessing a lowercase location would
 * check a repository the user never named.
 */
static const char *
map(struct imageref *ref)
{
	struct span c[4];
	size_t k, used, loclen = 0, g = 0;
	int ar;

	if (!(ar = arhost(ref->domain, &loclen)) && !gcrhost(ref->domain, &g)) {
		ref->kind = IMAGEREF_OTHER;
		return NULL;
	}
	if (hasupper(ref->domain, strlen(ref->domain)))
		return "registry host contains uppercase letters";
	k = components(ref->path, c, 4);
	if ((used = project(ref, c, k, ar ? 3 : 2)) == 0)
		return ar ? "artifact registry image needs PROJECT/REPO/IMAGE" :
		    "gcr.io image needs PROJECT/IMAGE";
	if (ar) {
		if (loclen >= sizeof(ref->location))
			return "registry location longer than 63 characters";
		copyspan(ref->location, sizeof(ref->location), ref->domain,
		    loclen);
		copyspan(ref->repository, sizeof(ref->repository), c[used].p,
		    c[used].n);
	} else {
		strlcpy(ref->location, gcrhosts[g].location,
		    sizeof(ref->location));
		strlcpy(ref->repository, gcrhosts[g].host,
		    sizeof(ref->repository));
	}
	if ((size_t)snprintf(ref->resource, sizeof(ref->resource),
	    "projects/%s/locations/%s/repositories/%s", ref->project,
	    ref->location, ref->repository) >= sizeof(ref->resource) ||
	    !resource_ok(ref->resource))
		return "repository name not allowed in a url";
	ref->kind = ar ? IMAGEREF_AR : IMAGEREF_GCR;
	return NULL;
}

static int
fail(struct imageref *ref, const char *why)
{
	memset(ref, 0, sizeof(*ref));
	ref->kind = IMAGEREF_INVALID;
	ref->error = why;
	return -1;
}

int
imageref_parse(const char *s, struct imageref *ref)
{
	struct parts pt;
	const char *why;
	size_t len;

	if (s == NULL || *s == '\0')
		return fail(ref, "empty reference");
	if ((why = charcheck(s, &len)) != NULL)
		return fail(ref, why);
	if ((why = check(s, len, &pt)) != NULL)
		return fail(ref, why);
	memset(ref, 0, sizeof(*ref));
	fillparts(ref, &pt);
	if ((why = map(ref)) != NULL)
		return fail(ref, why);
	return 0;
}

const char *
imageref_kind_name(enum imageref_kind kind)
{
	static const char *const names[] = {
		[IMAGEREF_INVALID] = "invalid",
		[IMAGEREF_AR] = "artifact-registry",
		[IMAGEREF_GCR] = "gcr",
		[IMAGEREF_OTHER] = "other",
	};

	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]))
		return "invalid";
	return names[kind];
}
