/*
 * t_imageref.c - imageref_parse(): a hand-written table, then every row
 * of the shared corpus (read at run time from $CORPUS_DIR, default
 * ../shared/corpus, relative to the repository root).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/imageref.h"

#define H64 "be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912"
#define D64 "sha256:" H64

struct hcase {
	const char *in;
	enum imageref_kind kind;
	const char *resource;	/* or the error, for IMAGEREF_INVALID */
	const char *domain, *path, *tag, *digest;
};

#define AR(in, res, d, p, t, g)	{ in, IMAGEREF_AR, res, d, p, t, g }
#define GCR(in, res, d, p, t, g) { in, IMAGEREF_GCR, res, d, p, t, g }
#define OTH(in, d, p, t, g)	{ in, IMAGEREF_OTHER, "", d, p, t, g }
#define BAD(in, why)	{ in, IMAGEREF_INVALID, why, "", "", "", "" }
#define RES(p, l, r)	"projects/" p "/locations/" l "/repositories/" r

static const struct hcase hand[] = {
	/* Artifact Registry */
	AR("us-central1-docker.pkg.dev/my-proj/my-repo/my-image:v1",
	    RES("my-proj", "us-central1", "my-repo"),
	    "us-central1-docker.pkg.dev", "my-proj/my-repo/my-image", "v1", ""),
	AR("europe-west4-docker.pkg.dev/p/r/a/b/c@" D64,
	    RES("p", "europe-west4", "r"), "europe-west4-docker.pkg.dev",
	    "p/r/a/b/c", "", D64),
	AR("us-docker.pkg.dev/p/r/i:t@" D64, RES("p", "us", "r"),
	    "us-docker.pkg.dev", "p/r/i", "t", D64),
	AR("us-docker.pkg.dev/example.com/proj/repo/img",
	    RES("example.com:proj", "us", "repo"), "us-docker.pkg.dev",
	    "example.com/proj/repo/img", "", ""),
	AR("asia-east1-docker.pkg.dev/p-1/r_1/i:latest",
	    RES("p-1", "asia-east1", "r_1"), "asia-east1-docker.pkg.dev",
	    "p-1/r_1/i", "latest", ""),
	AR("us-docker.pkg.dev/p/gcr.io/i", RES("p", "us", "gcr.io"),
	    "us-docker.pkg.dev", "p/gcr.io/i", "", ""),
	/* the grammar allows ".." in a tag, which never reaches a URL */
	AR("us-docker.pkg.dev/p/r/i:v1..2", RES("p", "us", "r"),
	    "us-docker.pkg.dev", "p/r/i", "v1..2", ""),
	AR("a--docker.pkg.dev/p/r/i", RES("p", "a-", "r"),
	    "a--docker.pkg.dev", "p/r/i", "", ""),
	BAD("us-docker.pkg.dev/example.com/proj/img",
	    "artifact registry image needs PROJECT/REPO/IMAGE"),
	BAD("us-docker.pkg.dev/p/i",
	    "artifact registry image needs PROJECT/REPO/IMAGE"),
	BAD("us-docker.pkg.dev/p",
	    "artifact registry image needs PROJECT/REPO/IMAGE"),
	BAD("US-docker.pkg.dev/p/r/i",
	    "registry host contains uppercase letters"),
	BAD("us-docker.PKG.dev/p/r/i",
	    "registry host contains uppercase letters"),
	BAD("-docker.pkg.dev/p/r/i", "invalid repository name"),
	OTH("us-docker.pkg.dev:443/p/r/i", "us-docker.pkg.dev:443", "p/r/i",
	    "", ""),
	OTH("docker.pkg.dev/p/r/i", "docker.pkg.dev", "p/r/i", "", ""),
	OTH("us-docker.pkg.dev.evil.com/p/r/i", "us-docker.pkg.dev.evil.com",
	    "p/r/i", "", ""),
	OTH("evil.com/us-docker.pkg.dev/p/r/i", "evil.com",
	    "us-docker.pkg.dev/p/r/i", "", ""),
	/* a path component, not a grammar domain, but docker's host */
	OTH("us_c1-docker.pkg.dev/p/r/i", "us_c1-docker.pkg.dev", "p/r/i",
	    "", ""),
	/* Container Registry */
	GCR("gcr.io/my-proj/img", RES("my-proj", "us", "gcr.io"), "gcr.io",
	    "my-proj/img", "", ""),
	GCR("us.gcr.io/p/i:tag", RES("p", "us", "us.gcr.io"), "us.gcr.io",
	    "p/i", "tag", ""),
	GCR("eu.gcr.io/p/a/b@" D64, RES("p", "europe", "eu.gcr.io"),
	    "eu.gcr.io", "p/a/b", "", D64),
	GCR("asia.gcr.io/p/i", RES("p", "asia", "asia.gcr.io"), "asia.gcr.io",
	    "p/i", "", ""),
	GCR("gcr.io/google.com/proj/img:1",
	    RES("google.com:proj", "us", "gcr.io"), "gcr.io",
	    "google.com/proj/img", "1", ""),
	GCR("gcr.io/p/i:latest@" D64, RES("p", "us", "gcr.io"), "gcr.io",
	    "p/i", "latest", D64),
	BAD("gcr.io/google.com/img", "gcr.io image needs PROJECT/IMAGE"),
	BAD("gcr.io/img", "gcr.io image needs PROJECT/IMAGE"),
	BAD("GCR.IO/p/i", "registry host contains uppercase letters"),
	BAD("Eu.gcr.io/p/i", "registry host contains uppercase letters"),
	OTH("gcr.io:443/p/i", "gcr.io:443", "p/i", "", ""),
	OTH("k8s.gcr.io/pause:3.1", "k8s.gcr.io", "pause", "3.1", ""),
	OTH("mirror.gcr.io/library/nginx", "mirror.gcr.io", "library/nginx",
	    "", ""),
	OTH("gcr.io.evil.com/p/i", "gcr.io.evil.com", "p/i", "", ""),
	OTH("xgcr.io/p/i", "xgcr.io", "p/i", "", ""),
	/* elsewhere */
	OTH("nginx", "", "nginx", "", ""),
	OTH("nginx:1.25-alpine", "", "nginx", "1.25-alpine", ""),
	OTH("library/nginx", "", "library/nginx", "", ""),
	OTH("docker.io/library/nginx:latest", "docker.io", "library/nginx",
	    "latest", ""),
	OTH("ghcr.io/owner/repo/img:v1", "ghcr.io", "owner/repo/img", "v1",
	    ""),
	OTH("localhost/img", "localhost", "img", "", ""),
	OTH("localhost:5000/img:dev", "localhost:5000", "img", "dev", ""),
	OTH("127.0.0.1:5000/a/b", "127.0.0.1:5000", "a/b", "", ""),
	OTH("[::1]:5000/img", "[::1]:5000", "img", "", ""),
	OTH("Foo/bar", "Foo", "bar", "", ""),
	OTH("quay.io/org/img@" D64, "quay.io", "org/img", "", D64),
	OTH("a/b/c/d/e/f", "", "a/b/c/d/e/f", "", ""),
	OTH("a__b/c--d/e.f_g", "", "a__b/c--d/e.f_g", "", ""),
	OTH("registry.example.com:8443/team/app:2024.01.02",
	    "registry.example.com:8443", "team/app", "2024.01.02", ""),
	OTH("gcr.io", "", "gcr.io", "", ""),
	/* hostile and broken */
	BAD("", "empty reference"),
	BAD(" nginx", "contains white space or control characters"),
	BAD("nginx ", "contains white space or control characters"),
	BAD("gcr.io/p/i\n", "contains white space or control characters"),
	BAD("gcr.io/p/i\t", "contains white space or control characters"),
	BAD("gcr.io/p/i\x7f", "contains white space or control characters"),
	BAD("gcr.io/p/i;rm -rf", "contains white space or control characters"),
	BAD("us-docker.pkg.dev/p/r/../i", "name contains '..'"),
	BAD("us-docker.pkg.dev/p/../r/i", "name contains '..'"),
	BAD("us-docker.pkg.dev/p%2f/r/i", "contains '%', '?' or '#'"),
	BAD("us-docker.pkg.dev/p/r/i?x=1", "contains '%', '?' or '#'"),
	BAD("us-docker.pkg.dev/p/r/i#frag", "contains '%', '?' or '#'"),
	BAD("[fe80::1%eth0]:5000/i", "contains '%', '?' or '#'"),
	BAD("us-docker.pkg.dev/p/r/\xc3\xa9", "contains non-ascii characters"),
	BAD("gcr.io/p/i;x", "invalid repository name"),
	BAD("gcr.io\\p\\i", "invalid repository name"),
	BAD("https://gcr.io/p/i", "invalid repository name"),
	BAD("gcr.io/p//i", "invalid repository name"),
	BAD("gcr.io/p/i/", "invalid repository name"),
	BAD("/gcr.io/p/i", "invalid repository name"),
	BAD("gcr.io/p/-i", "invalid repository name"),
	BAD("a___b", "invalid repository name"),
	BAD("gcr.io/P/i", "name contains uppercase letters"),
	BAD(":tag", "missing repository name"),
	BAD("@" D64, "missing repository name"),
	BAD("gcr.io/p/i:", "invalid tag"),
	BAD("gcr.io/p/i:.tag", "invalid tag"),
	BAD("gcr.io/p/i:-tag", "invalid tag"),
	BAD("gcr.io/p/i:tag:tag2", "invalid tag"),
	BAD("gcr.io/p/i@", "invalid digest"),
	BAD("gcr.io/p/i@sha256:abc", "invalid digest"),
	BAD("gcr.io/p/i@" D64 "@" D64, "invalid digest"),
	BAD("gcr.io/p/i@sha256:BE178C0543EB17F5F3043021C9E5FCF30285E557A4FC3"
	    "09CCE97FF9CA6182912", "digest is not sha256 with 64 hex digits"),
	BAD("gcr.io/p/i@sha512:" H64 H64,
	    "digest is not sha256 with 64 hex digits"),
	BAD("gcr.io/p/i@" D64 "0", "digest is not sha256 with 64 hex digits"),
};

static int
streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static int
hand_row(const struct hcase *c)
{
	struct imageref r;
	int rc = imageref_parse(c->in, &r), bad = 0;

	if (c->kind == IMAGEREF_INVALID)
		bad = rc != -1 || r.kind != IMAGEREF_INVALID ||
		    r.error == NULL || !streq(r.error, c->resource);
	else
		bad = rc != 0 || r.kind != c->kind || r.error != NULL ||
		    !streq(r.resource, c->resource) ||
		    !streq(r.domain, c->domain) || !streq(r.path, c->path) ||
		    !streq(r.tag, c->tag) || !streq(r.digest, c->digest);
	if (bad)
		print_message("MISMATCH '%s': got %s '%s' [%s|%s|%s|%s] %s\n",
		    c->in, imageref_kind_name(r.kind), r.resource, r.domain,
		    r.path, r.tag, r.digest, r.error ? r.error : "");
	return bad;
}

static void
test_hand(void **state)
{
	size_t i, n = sizeof(hand) / sizeof(hand[0]);
	int bad = 0;

	(void)state;
	for (i = 0; i < n; i++)
		bad += hand_row(&hand[i]);
	print_message("imageref: %zu hand-written rows checked\n", n);
	assert_int_equal(bad, 0);
}

/* Length limits: path 255, tag 128; failures leave everything empty. */
static void
test_limits(void **state)
{
	char buf[600];
	struct imageref r;

	(void)state;
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "gcr.io/p/", 9);
	buf[7 + 255] = '\0';
	assert_int_equal(imageref_parse(buf, &r), 0);
	assert_int_equal(r.kind, IMAGEREF_GCR);
	assert_int_equal(strlen(r.path), 255);
	buf[7 + 255] = 'a';
	buf[7 + 256] = '\0';
	assert_int_equal(imageref_parse(buf, &r), -1);
	assert_string_equal(r.error,
	    "repository path longer than 255 characters");
	assert_string_equal(r.path, "");
	memset(buf, 't', sizeof(buf));
	memcpy(buf, "gcr.io/p/i:", 11);
	buf[11 + 128] = '\0';
	assert_int_equal(imageref_parse(buf, &r), 0);
	assert_int_equal(strlen(r.tag), 128);
	buf[11 + 128] = 't';
	buf[11 + 129] = '\0';
	assert_int_equal(imageref_parse(buf, &r), -1);
	assert_string_equal(imageref_kind_name(IMAGEREF_AR),
	    "artifact-registry");
	assert_string_equal(imageref_kind_name(IMAGEREF_GCR), "gcr");
	assert_string_equal(imageref_kind_name(IMAGEREF_OTHER), "other");
	assert_string_equal(imageref_kind_name(IMAGEREF_INVALID), "invalid");
}

/*
 * The corpus.  Rows are split on TAB only (some refs hold spaces).
 */
static const char *
corpus_dir(void)
{
	const char *d = getenv("CORPUS_DIR");

	return d != NULL && *d != '\0' ? d : "../shared/corpus";
}

typedef int (*rowfn)(char **f, int nf);

/* Calls fn on each data row; returns the row count, -1 if absent. */
static int
each_row(const char *file, rowfn fn, int *bad)
{
	char path[1024], *line = NULL, *f[8], *p;
	size_t cap = 0;
	ssize_t len;
	int nf, rows = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", corpus_dir(), file);
	if ((fp = fopen(path, "r")) == NULL) {
		print_message("******** SKIP: corpus file '%s' not found (set "
		    "CORPUS_DIR) ********\n", path);
		return -1;
	}
	while ((len = getline(&line, &cap, fp)) != -1) {
		while (len > 0 && strchr("\r\n", line[len - 1]) != NULL)
			line[--len] = '\0';
		if (line[0] == '#')
			continue;
		for (nf = 0, p = line; nf < 8; nf++) {
			f[nf] = p;
			if ((p = strchr(p, '\t')) == NULL)
				break;
			*p++ = '\0';
		}
		rows++;
		*bad += fn(f, nf + 1);
	}
	free(line);
	fclose(fp);
	return rows;
}

static int
kind_of(const char *k)
{
	if (streq(k, "ar"))
		return IMAGEREF_AR;
	if (streq(k, "gcr"))
		return IMAGEREF_GCR;
	if (streq(k, "other"))
		return IMAGEREF_OTHER;
	return IMAGEREF_INVALID;	/* "invalid" and "templated" */
}

/*
 * image_refs.tsv: ref, expected_kind, expected_repo_resource, source.
 * Every "templated" row (shell, Make, Cloud Build, GitHub, Terraform,
 * Jinja, format strings) comes out invalid: '$', '{', '}', '%' and
 * spaces are outside the grammar.  No templated row happens to be a
 * valid reference, so none is listed as one.  No row is an exception.
 */
static int
refs_row(char **f, int nf)
{
	struct imageref r;

	if (nf < 3) {
		print_message("MALFORMED image_refs row '%s'\n", f[0]);
		return 1;
	}
	(void)imageref_parse(f[0], &r);
	if ((int)r.kind == kind_of(f[1]) && streq(r.resource, f[2]))
		return 0;
	print_message("MISMATCH image_refs '%s': want %s '%s', got %s '%s' "
	    "(%s)\n", f[0], f[1], f[2], imageref_kind_name(r.kind),
	    r.resource, r.error ? r.error : "");
	return 1;
}

static void
test_image_refs(void **state)
{
	int bad = 0, n;

	(void)state;
	if ((n = each_row("image_refs.tsv", refs_row, &bad)) < 0) {
		skip();
		return;
	}
	print_message("corpus: image_refs.tsv: %d rows checked, %d "
	    "mismatches\n", n, bad);
	assert_int_equal(bad, 0);
	assert_true(n > 0);
}

/*
 * reference_vectors_annotated.tsv: input, valid, domain, path, tag,
 * digest, origin, asserts.  The asserts column names the upstream
 * function behind the row; each group is compared as follows.
 *
 * raw-parse (Parse: TestReferenceParse, TestSerialization),
 * raw-name-only (WithName), anchored-name-regexp and the valid
 * parse-named-canonical rows: validity exactly; for the name-only groups
 * "valid" means it parses with no tag and no digest.  Upstream's domain
 * is the first component whenever it *can* be a domain, ours follows
 * docker's registry rule, so domain "/" path must be equal, and our
 * domain is upstream's when that has '.', ':', uppercase or is
 * "localhost", else "".  Tag and digest exactly, where asserted.
 * reference-regexp: validity; tag and digest exactly; the path column
 * holds the whole name, compared with our domain "/" path.
 * domain-and-port-regexp: the input is only a host[:port]; it is valid
 * when "INPUT/x" parses with domain INPUT ("INPUT:1/x" and "INPUT:1"
 * when there is no ':', so that docker's rule keeps it as the domain).
 * normalized (ParseNormalizedNamed and its users): validity exactly; the
 * split once docker's defaults are applied to ours (no domain or
 * index.docker.io -> docker.io, a one-component docker.io path gets
 * "library/"); tag and digest as written, where given.
 * parse-any (ParseAnyReference of a bare image ID): validity only, as a
 * bare 64-hex string or "sha256:HEX" is a digest there but a name (or
 * name:tag) in the reference grammar.
 *
 * Known exceptions, each asserted to come out the opposite way:
 * E1 parse-named-canonical rows with valid=0 (ErrNameNotCanonical):
 *    grammar-valid names ParseNamed refuses only for not being in
 *    canonical form ("foo", "library/foo", "docker.io/foo"); we do not
 *    canonicalise, so they are valid here.
 * E2 normalized rows with valid=0 whose input is 64 lowercase hex:
 *    ParseNormalizedNamed refuses a bare image ID as a name, the
 *    reference grammar does not (and it is "other": nothing to check).
 * E3 the anchored-name-regexp row "a/a/.../a" of 257 characters: that test
 *    checks no length at all; upstream's Parse limits the path to 255
 *    after a raw split that takes "a" as a domain, while docker's
 *    registry rule (used here) keeps the whole name as the path, so it
 *    is over the limit.
 */
enum vgroup { V_RAW, V_NAME, V_REGEXP, V_DOMAIN, V_CANON, V_NORM, V_ANY };

static const struct {
	const char *prefix;
	enum vgroup g;
} vgroups[] = {
	{ "raw-parse:", V_RAW }, { "raw-name-only:", V_NAME },
	{ "anchored-name-regexp:", V_NAME }, { "reference-regexp:", V_REGEXP },
	{ "domain-and-port-regexp:", V_DOMAIN },
	{ "parse-named-canonical:", V_CANON }, { "normalized:", V_NORM },
	{ "parse-any:", V_ANY },
};

struct vrow {
	const char *in, *dom, *path, *tag, *dig, *origin, *asserts;
	int	valid;
	enum vgroup g;
};

static int nexcept, nparts;

/* Is word in the asserts list ("group:valid,domain,path (...)")? */
static int
listed(const char *asserts, const char *word)
{
	const char *p = strchr(asserts, ':');
	size_t n, w = strlen(word);

	while (p != NULL && *p != '\0' && *p != ' ' && *p != ';') {
		p++;
		n = strcspn(p, ",; ");
		if (n == w && strncmp(p, word, w) == 0)
			return 1;
		p += n;
	}
	return 0;
}

static int
hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static int
dockerish(const char *d)
{
	const char *p;

	for (p = d; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			return 1;
	return strpbrk(d, ".:") != NULL || streq(d, "localhost");
}

static void
joined(char *buf, size_t size, const char *dom, const char *path)
{
	snprintf(buf, size, "%s%s%s", dom, *dom != '\0' ? "/" : "", path);
}

static int
exception(const struct vrow *v)
{
	if (v->g == V_CANON && !v->valid)
		return 1;
	if (v->g == V_NORM && !v->valid && hex64(v->in))
		return 2;
	if (v->valid && (v->g == V_NAME || v->g == V_REGEXP) &&
	    strlen(v->in) > 255)
		return 3;
	return 0;
}

static int
split_ok(const struct vrow *v, const struct imageref *r)
{
	char want[600], got[600];
	const char *dom = r->domain, *lib = "";

	if (v->g == V_NORM) {
		if (*dom == '\0' || streq(dom, "index.docker.io"))
			dom = "docker.io";
		if (streq(dom, "docker.io") && strchr(r->path, '/') == NULL)
			lib = "library/";
		snprintf(got, sizeof(got), "%s|%s%s", dom, lib, r->path);
		snprintf(want, sizeof(want), "%s|%s", v->dom, v->path);
		return streq(got, want);
	}
	joined(got, sizeof(got), r->domain, r->path);
	joined(want, sizeof(want), v->dom, v->path);
	if (v->g == V_REGEXP)
		return streq(got, v->path);
	return streq(got, want) &&
	    streq(r->domain, dockerish(v->dom) ? v->dom : "");
}

static int
parts_ok(const struct vrow *v, const struct imageref *r)
{
	int ok = 1, split, tag;

	if (v->g == V_ANY)
		return 1;
	split = listed(v->asserts, "domain") || v->g == V_REGEXP ||
	    strstr(v->asserts, "split of asserted name") != NULL;
	tag = listed(v->asserts, "tag") ||
	    strstr(v->origin, "TestParseDockerRef") != NULL;
	if (split)
		ok = split_ok(v, r);
	if (tag)
		ok = ok && streq(r->tag, v->tag) && streq(r->digest, v->dig);
	nparts += split || tag;
	return ok;
}

static int
domain_row(const struct vrow *v)
{
	char want[300], probe[310];
	struct imageref r;
	int ok;

	snprintf(want, sizeof(want), "%s%s", v->in,
	    strchr(v->in, ':') != NULL ? "" : ":1");
	snprintf(probe, sizeof(probe), "%s/x", want);
	ok = imageref_parse(probe, &r) == 0 && streq(r.domain, want);
	if (ok == v->valid)
		return 0;
	print_message("MISMATCH domain '%s': want %d (%s)\n", v->in,
	    v->valid, r.error ? r.error : "");
	return 1;
}

static int
vec_row(char **f, int nf)
{
	struct vrow v = { f[0], f[2], f[3], f[4], f[5], f[6], f[7], 0, V_RAW };
	struct imageref r;
	size_t i, n = sizeof(vgroups) / sizeof(vgroups[0]);
	int ok, want, exc;

	for (i = 0; nf == 8 && i < n; i++)
		if (strncmp(v.asserts, vgroups[i].prefix,
		    strlen(vgroups[i].prefix)) == 0)
			break;
	if (nf != 8 || i == n || (f[1][0] != '0' && f[1][0] != '1')) {
		print_message("MALFORMED vector row '%s'\n", f[0]);
		return 1;
	}
	v.g = vgroups[i].g;
	v.valid = f[1][0] == '1';
	if (v.g == V_DOMAIN)
		return domain_row(&v);
	ok = imageref_parse(v.in, &r) == 0;
	if (v.g == V_NAME && (r.tag[0] != '\0' || r.digest[0] != '\0'))
		ok = 0;
	want = v.valid;
	if ((exc = exception(&v)) != 0) {
		want = !want;
		nexcept++;
		print_message("known exception E%d: '%.60s' (%s)\n", exc,
		    v.in, v.origin);
	}
	if (exc == 3 && (r.error == NULL ||
	    !streq(r.error, "repository path longer than 255 characters")))
		ok = !want;
	if (ok == want && (!ok || exc || parts_ok(&v, &r)))
		return 0;
	print_message("MISMATCH vector '%s' (%s): got %d [%s|%s|%s|%s] %s\n",
	    v.in, v.asserts, ok, r.domain, r.path, r.tag, r.digest,
	    r.error ? r.error : "");
	return 1;
}

static void
test_vectors(void **state)
{
	int bad = 0, n;

	(void)state;
	if ((n = each_row("reference_vectors_annotated.tsv", vec_row,
	    &bad)) < 0) {
		skip();
		return;
	}
	print_message("corpus: reference_vectors_annotated.tsv: %d rows "
	    "checked (%d with parts compared, %d known exceptions), %d "
	    "mismatches\n", n, nparts, nexcept, bad);
	assert_int_equal(bad, 0);
	assert_true(n > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_image_refs),
		cmocka_unit_test(test_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
