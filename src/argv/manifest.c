/*
 * manifest.c - read the container images of a Cloud Run manifest the way
 * gcloud reads the dict ruamel gives it (see manifest.h): merges and
 * duplicate keys as ruamel's SafeConstructor resolves them; YAML 1.1
 * scalar types.  The
 * tree comes from manifest_yaml.c.
 *
 * MUST rules for this file:
 *   - no output, no exit: return -1 with a message in err;
 *   - everything handed back is owned by the manifest and freed by
 *     manifest_free(); on -1 the manifest holds nothing;
 *   - a string handed back holds no NUL byte that YAML escapes could put
 *     in, so what the check sees is what gcloud sends;
 *   - read no more than MANIFEST_MAX_BYTES, and never from a pipe or a
 *     terminal: those bytes would then be gone for gcloud.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv/manifest.h"
#include "argv/manifest_yaml.h"
#include "util/util_file.h"

#define TAG_STR		"tag:yaml.org,2002:str"
#define TAG_MERGE	"tag:yaml.org,2002:merge"

static int
iskey(const struct ynode *k, const char *key)
{
	return k->type == Y_SCALAR && k->vlen == strlen(key) &&
	    memcmp(k->val, key, k->vlen) == 0 &&
	    (k->tag == NULL || strcmp(k->tag, TAG_STR) == 0 ||
	    strcmp(k->tag, "!") == 0);
}

static int
ismerge(const struct ynode *k)
{
	if (k->type != Y_SCALAR)
		return 0;
	if (k->tag != NULL)
		return strcmp(k->tag, TAG_MERGE) == 0;
	return k->plain && strcmp(k->val, "<<") == 0;
}

/*
 * ruamel's SafeConstructor (0.15) flattens a mapping's merges into
 * merge + own pairs: "<<" values in order, a list of mappings in reverse
 * order, each source flattened the same way.  When that merge list is
 * not empty, the later of equal keys wins (so own keys beat merged ones,
 * and the last of duplicate own keys wins); when it is empty, the first
 * of duplicate keys wins.  lastof() finds the last key in the flattened
 * pairs of m: 1 found, 0 absent, -1 error.
 */
static int
lastof(struct pctx *c, const struct ynode *m, const char *key,
    const struct ynode **out, int hops)
{
	const struct ynode *v;
	size_t i, j;
	int r;

	for (i = m->nkid; i >= 2; i -= 2)
		if (!ismerge(m->kid[i - 2]) && iskey(m->kid[i - 2], key)) {
			*out = m->kid[i - 1];
			return 1;
		}
	if (hops >= MANIFEST_MAX_DEPTH)
		return myaml_fail(c, m->line, "merge keys nested too deep");
	for (i = m->nkid; i >= 2; i -= 2) {
		if (!ismerge(m->kid[i - 2]))
			continue;
		v = m->kid[i - 1];
		if (v->type == Y_MAP) {
			if ((r = lastof(c, v, key, out, hops + 1)) != 0)
				return r;
			continue;
		}
		/* a list's sources are flattened in reverse: the first wins */
		for (j = 0; v->type == Y_SEQ && j < v->nkid; j++)
			if (v->kid[j]->type == Y_MAP &&
			    (r = lastof(c, v->kid[j], key, out, hops + 1)) != 0)
				return r;
	}
	return 0;
}

static int	flat_any(const struct ynode *, int);

/* Whether the flattened merge list of m has a pair at all. */
static int
merges_any(const struct ynode *m, int hops)
{
	const struct ynode *v;
	size_t i, j;

	if (hops >= MANIFEST_MAX_DEPTH)
		return 1;
	for (i = 0; i + 1 < m->nkid; i += 2) {
		if (!ismerge(m->kid[i]))
			continue;
		v = m->kid[i + 1];
		if (v->type == Y_MAP && flat_any(v, hops + 1))
			return 1;
		for (j = 0; v->type == Y_SEQ && j < v->nkid; j++)
			if (v->kid[j]->type == Y_MAP &&
			    flat_any(v->kid[j], hops + 1))
				return 1;
	}
	return 0;
}

/* Whether m flattens to any pair: an own key, or a merged one. */
static int
flat_any(const struct ynode *m, int hops)
{
	size_t i;

	for (i = 0; i + 1 < m->nkid; i += 2)
		if (!ismerge(m->kid[i]))
			return 1;
	return merges_any(m, hops);
}

/* Look key up in mapping m as ruamel builds it: 1 found, 0 absent, -1. */
static int
get(struct pctx *c, const struct ynode *m, const char *key,
    const struct ynode **out, int hops)
{
	size_t i;

	if (merges_any(m, hops))
		return lastof(c, m, key, out, hops);
	for (i = 0; i + 1 < m->nkid; i += 2)
		if (!ismerge(m->kid[i]) && iskey(m->kid[i], key)) {
			*out = m->kid[i + 1];
			return 1;
		}
	return 0;
}

/*
 * ruamel flattens the merges of every mapping it builds, so one bad
 * "<<" anywhere fails the whole file: a value that is not a mapping or
 * a list of mappings.
 */
static int
check_merges(struct pctx *c)
{
	const struct ynode *m, *v;
	size_t i, j, k;

	for (i = 0; i < c->t.nall; i++) {
		if ((m = c->t.all[i])->type != Y_MAP)
			continue;
		for (j = 0; j + 1 < m->nkid; j += 2) {
			if (!ismerge(m->kid[j]))
				continue;
			v = m->kid[j + 1];
			for (k = 0; v->type == Y_SEQ && k < v->nkid; k++)
				if (v->kid[k]->type != Y_MAP)
					break;
			if (v->type == Y_MAP ||
			    (v->type == Y_SEQ && k == v->nkid))
				continue;
			return myaml_fail(c, v->line, "a '<<' merge needs a "
			    "mapping or a list of mappings");
		}
	}
	return 0;
}

/* Like get(), but a null value is absent, as it is to gcloud. */
static int
getv(struct pctx *c, const struct ynode *m, const char *key,
    const struct ynode **out)
{
	int r;

	if ((r = get(c, m, key, out, 0)) == 1 && myaml_isnull(*out))
		return 0;
	return r;
}

/* A string field: *out stays NULL when absent. */
static int
strfield(struct pctx *c, const struct ynode *m, const char *key,
    const char *what, char **out)
{
	const struct ynode *v;
	int r;

	if ((r = getv(c, m, key, &v)) <= 0)
		return r;
	if (!myaml_isstr(c, v))
		return myaml_fail(c, v->line, "%s is not a string", what);
	if (memchr(v->val, '\0', v->vlen) != NULL)
		return myaml_fail(c, v->line, "%s holds a NUL byte", what);
	if ((*out = strdup(v->val)) == NULL)
		return myaml_fail(c, 0, "out of memory");
	return 1;
}

static const char *const svcpath[] = { "spec", "template", "spec",
    "containers", NULL };
static const char *const jobpath[] = { "spec", "template", "spec",
    "template", "spec", "containers", NULL };
static const char *const jobmark[] = { "spec", "template", "spec",
    "template", NULL };

/* Walk keys from the root: 1 found, 0 absent (or null), -1 error. */
static int
walk(struct pctx *c, const char *const *keys, const struct ynode **out)
{
	const struct ynode *n = c->t.root;
	char where[128] = "";
	int r;

	for (; *keys != NULL; keys++) {
		if (n->type != Y_MAP)
			return myaml_fail(c, n->line, "%s is not a mapping",
			    where);
		if ((r = getv(c, n, *keys, &n)) <= 0)
			return r;
		if (where[0] != '\0')
			strlcat(where, ".", sizeof(where));
		strlcat(where, *keys, sizeof(where));
	}
	*out = n;
	return 1;
}

static const char *
pathname(const char *const *keys, char *buf, size_t len)
{
	buf[0] = '\0';
	for (; *keys != NULL; keys++) {
		if (buf[0] != '\0')
			strlcat(buf, ".", len);
		strlcat(buf, *keys, len);
	}
	return buf;
}

/*
 * Where the containers are.  gcloud builds the message of its command
 * (c->want) and never looks at kind; without a command, kind (or the
 * layout) decides.
 */
static int
containers(struct pctx *c, const char *kind, const struct ynode **out)
{
	const char *const *keys = svcpath, *what = "Service";
	const struct ynode *n;
	char p[128], kb[64];
	int r;

	if (c->want != NULL)
		kind = c->want;
	if (kind == NULL) {
		if ((r = walk(c, jobmark, &n)) == -1)
			return -1;
		if (r == 1)
			keys = jobpath, what = "Job";
	} else if (strcmp(kind, "Job") == 0)
		keys = jobpath, what = "Job";
	else if (strcmp(kind, "WorkerPool") == 0)
		what = "WorkerPool";
	else if (strcmp(kind, "Service") != 0)
		return myaml_fail(c, 0, "kind '%s' is not a Cloud Run "
		    "Service, Job or WorkerPool",
		    myaml_safe(kind, kb, sizeof(kb)));
	if ((r = walk(c, keys, out)) != 0)
		return r;
	if (keys == jobpath && walk(c, svcpath, &n) == 1)
		return myaml_fail(c, n->line, "no %s: is this a Cloud Run Job? "
		    "(spec.template.spec.containers is where a Service has "
		    "them)", pathname(keys, p, sizeof(p)));
	if (c->want != NULL && c->kind != NULL && strcmp(c->kind, what) != 0)
		return myaml_fail(c, 0, "no %s: it is a %s, but the command "
		    "replaces a %s", pathname(keys, p, sizeof(p)),
		    myaml_safe(c->kind, kb, sizeof(kb)), what);
	return myaml_fail(c, 0, "no %s: is this a Cloud Run %s?",
	    pathname(keys, p, sizeof(p)), what);
}

static int
container(struct pctx *c, const struct ynode *n, size_t i,
    struct manifest_image *mi)
{
	const struct ynode *v;
	char what[128], nb[80], sb[64];
	int r;

	if (n->type != Y_MAP)
		return myaml_fail(c, n->line, "containers[%zu] is not a "
		    "mapping", i);
	snprintf(what, sizeof(what), "containers[%zu].name", i);
	if (strfield(c, n, "name", what, &mi->container) == -1)
		return -1;
	nb[0] = '\0';
	if (mi->container != NULL)
		snprintf(nb, sizeof(nb), " ('%s')",
		    myaml_safe(mi->container, sb, sizeof(sb)));
	if ((r = getv(c, n, "image", &v)) == -1)
		return -1;
	if (r == 0 || (v->type == Y_SCALAR && v->vlen == 0 &&
	    myaml_isstr(c, v)))
		return myaml_fail(c, n->line, "containers[%zu]%s has no "
		    "image", i, nb);
	snprintf(what, sizeof(what), "containers[%zu]%s image", i, nb);
	return strfield(c, n, "image", what, &mi->image) == -1 ? -1 : 0;
}

static int
extract(struct pctx *c, struct manifest *m)
{
	const struct ynode *list, *md;
	size_t i;
	int r;

	if (c->t.root == NULL)
		return myaml_fail(c, 0, "no YAML or JSON document in it");
	if (check_merges(c) == -1)
		return -1;
	if (c->t.root->type != Y_MAP)
		return myaml_fail(c, c->t.root->line, "not a mapping but a "
		    "%s: is this a Cloud Run manifest?",
		    c->t.root->type == Y_SEQ ? "list" : "scalar");
	if (strfield(c, c->t.root, "kind", "kind", &m->kind) == -1 ||
	    strfield(c, c->t.root, "apiVersion", "apiVersion",
	    &m->api_version) == -1 ||
	    (r = getv(c, c->t.root, "metadata", &md)) == -1)
		return -1;
	if (r == 1 && md->type == Y_MAP &&
	    strfield(c, md, "name", "metadata.name", &m->name) == -1)
		return -1;
	c->kind = m->kind;
	if (containers(c, m->kind, &list) == -1)
		return -1;
	if (list->type != Y_SEQ)
		return myaml_fail(c, list->line, "containers is not a list");
	if (list->nkid == 0)
		return myaml_fail(c, list->line, "containers is an empty list");
	m->images = calloc(list->nkid, sizeof(*m->images));
	if (m->images == NULL)
		return myaml_fail(c, 0, "out of memory");
	for (i = 0; i < list->nkid; i++) {
		m->n = i + 1;	/* so manifest_free() sees this one */
		if (container(c, list->kid[i], i, &m->images[i]) == -1)
			return -1;
	}
	return 0;
}

/* Read a regular file of at most MANIFEST_MAX_BYTES into *out. */
static int
slurp(struct pctx *c, const char *path, char **out, size_t *len)
{
	switch (file_read(path, MANIFEST_MAX_BYTES, FILE_REGULAR, out, len)) {
	case FILE_OK:
		return 0;
	case FILE_NOTREG:
		/* reading a pipe here would take gcloud's bytes */
		return myaml_fail(c, 0, "not a regular file");
	case FILE_TOOBIG:
		return myaml_fail(c, 0, "larger than %d MiB: refusing to read "
		    "it", MANIFEST_MAX_BYTES / (1024 * 1024));
	case FILE_NOMEM:
		return myaml_fail(c, 0, "out of memory");
	default:
		snprintf(c->err, c->errlen, "cannot read %s: %s", c->label,
		    strerror(errno));
		return -1;
	}
}

int
manifest_read(const char *path, const char *buf, size_t len,
    struct manifest *m, char *err, size_t errlen)
{
	return manifest_read_as(path, buf, len, NULL, m, err, errlen);
}

int
manifest_read_as(const char *path, const char *buf, size_t len,
    const char *want, struct manifest *m, char *err, size_t errlen)
{
	struct pctx *c;
	char *file = NULL, pb[400];
	int rc = -1, in = path == NULL || strcmp(path, "-") == 0;

	memset(m, 0, sizeof(*m));
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->err = err;
	c->errlen = errlen;
	c->want = want;
	if (in)
		strlcpy(c->label, "standard input", sizeof(c->label));
	else
		snprintf(c->label, sizeof(c->label), "'%s'",
		    myaml_safe(path, pb, sizeof(pb)));
	if (buf == NULL && in) {
		myaml_fail(c, 0, "no bytes given");
		goto out;
	} else if (buf == NULL) {
		if (slurp(c, path, &file, &len) == -1)
			goto out;
		buf = file;
	} else if (len > MANIFEST_MAX_BYTES) {
		myaml_fail(c, 0, "larger than %d MiB: refusing to read it",
		    MANIFEST_MAX_BYTES / (1024 * 1024));
		goto out;
	}
	if (myaml_parse(c, buf, len) == -1 || extract(c, m) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		manifest_free(m);
	myaml_free(c);
	free(c);
	free(file);
	return rc;
}

void
manifest_free(struct manifest *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->images[i].image);
		free(m->images[i].container);
	}
	free(m->images);
	free(m->kind);
	free(m->api_version);
	free(m->name);
	memset(m, 0, sizeof(*m));
}
