/*
 * flagsfile_yaml.c - a --flags-file's YAML as a tree, built from libyaml's
 * events rather than its document loader: the loader recurses once per
 * nesting level and expands nothing lazily, so a hostile file could exhaust
 * the stack.  Here the nesting is capped (FLAGSFILE_MAXNEST), every node
 * costs one unit of a shared budget, and an alias is a second pointer to
 * an anchored node that is already complete (so no cycles).
 *
 * What gcloud's ruamel loader does and this file mirrors: one document per
 * stream; duplicate keys are an error (keys compare as written), a
 * second "<<" in one mapping too (its round-trip loader, unlike the
 * manifest loader, refuses duplicates); "<<" merges mappings after a
 * mapping's own keys, earlier sources first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "flagsfile.h"
#include "flagsfile_int.h"

struct anchor {
	char		*name;
	struct ffnode	*node;
};

struct builder {
	struct ffdoc	*d;
	struct ffnode	*stack[FLAGSFILE_MAXNEST];
	int		 depth;
	struct anchor	*anchors;
	size_t		 nanchors;
	struct ffbudget	*budget;
	int		 v11;		/* "%YAML 1.1" */
	int		 ndocs;
	int		*line;
	char		*err;
	size_t		 errlen;
};

static int
grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *np;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	if ((np = reallocarray(*p, ncap, size)) == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

static int
fail(struct builder *b, int line, const char *msg)
{
	*b->line = line;
	snprintf(b->err, b->errlen, "%s", msg);
	return -1;
}

static struct ffnode *
newnode(struct builder *b, int type, const yaml_mark_t *m,
    const yaml_char_t *anchor)
{
	struct ffdoc *d = b->d;
	struct ffnode *n;

	if (--b->budget->nodes < 0) {
		fail(b, (int)m->line + 1, "too many YAML nodes");
		return NULL;
	}
	if (grow((void **)&d->all, &d->capall, d->nall, sizeof(*d->all)) < 0 ||
	    (n = calloc(1, sizeof(*n))) == NULL) {
		fail(b, (int)m->line + 1, "out of memory");
		return NULL;
	}
	d->all[d->nall++] = n;
	n->type = type;
	n->line = (int)m->line + 1;
	if (anchor != NULL &&
	    (n->anchor = strdup((const char *)anchor)) == NULL) {
		fail(b, n->line, "out of memory");
		return NULL;
	}
	return n;
}

static int
attach(struct builder *b, struct ffnode *n)
{
	struct ffnode *p;

	if (b->depth == 0) {
		b->d->root = n;
		return 0;
	}
	p = b->stack[b->depth - 1];
	if (n->type == FFN_SCALAR && n->vtype == FFV_MERGE &&
	    (p->type != FFN_MAP || p->nkids % 2 != 0))
		return fail(b, n->line, "'<<' is only a mapping key");
	if (grow((void **)&p->kids, &p->capkids, p->nkids,
	    sizeof(*p->kids)) < 0)
		return fail(b, n->line, "out of memory");
	p->kids[p->nkids++] = n;
	return 0;
}

static int
anchor_done(struct builder *b, struct ffnode *n)
{
	struct anchor *a;

	if (n->anchor == NULL)
		return 0;
	a = reallocarray(b->anchors, b->nanchors + 1, sizeof(*a));
	if (a == NULL)
		return fail(b, n->line, "out of memory");
	b->anchors = a;
	a[b->nanchors].name = n->anchor;	/* the node owns it */
	a[b->nanchors++].node = n;
	return 0;
}

static int
alias(struct builder *b, const yaml_event_t *e)
{
	const char *name = (const char *)e->data.alias.anchor;
	size_t i;

	for (i = b->nanchors; i > 0; i--)
		if (strcmp(b->anchors[i - 1].name, name) == 0) {
			if (--b->budget->nodes < 0)
				return fail(b, (int)e->start_mark.line + 1,
				    "too many YAML nodes");
			return attach(b, b->anchors[i - 1].node);
		}
	return fail(b, (int)e->start_mark.line + 1, "unknown YAML alias");
}

static int
scalar(struct builder *b, const yaml_event_t *e)
{
	struct ffnode *n;
	const char *tag = (const char *)e->data.scalar.tag;
	size_t len = e->data.scalar.length;

	if ((n = newnode(b, FFN_SCALAR, &e->start_mark,
	    e->data.scalar.anchor)) == NULL)
		return -1;
	if ((n->raw = malloc(len + 1)) == NULL)
		return fail(b, n->line, "out of memory");
	memcpy(n->raw, e->data.scalar.value, len);
	n->raw[len] = '\0';
	if (strlen(n->raw) != len)
		return fail(b, n->line, "NUL character in YAML");
	if (ffscalar_resolve(n, tag, e->data.scalar.plain_implicit, b->v11,
	    b->err, b->errlen) < 0) {
		*b->line = n->line;
		return -1;
	}
	return attach(b, n) < 0 ? -1 : anchor_done(b, n);
}

static int
open_node(struct builder *b, const yaml_event_t *e, int type)
{
	struct ffnode *n;
	const yaml_char_t *anchor, *tag;

	anchor = type == FFN_SEQ ? e->data.sequence_start.anchor :
	    e->data.mapping_start.anchor;
	tag = type == FFN_SEQ ? e->data.sequence_start.tag :
	    e->data.mapping_start.tag;
	if (tag != NULL && strcmp((const char *)tag, "!") != 0 &&
	    strcmp((const char *)tag, type == FFN_SEQ ?
	    YAML_SEQ_TAG : YAML_MAP_TAG) != 0)
		return fail(b, (int)e->start_mark.line + 1,
		    "unsupported YAML tag");
	if (b->depth >= FLAGSFILE_MAXNEST)
		return fail(b, (int)e->start_mark.line + 1,
		    "YAML nested too deeply");
	if ((n = newnode(b, type, &e->start_mark, anchor)) == NULL ||
	    attach(b, n) < 0)
		return -1;
	b->stack[b->depth++] = n;
	return 0;
}

struct cand {
	struct ffnode	*key;
	struct ffnode	*val;
	size_t		 order;
	int		 own;
};

static int
candcmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	int c = strcmp(a->key->raw, b->key->raw);

	if (c != 0)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int
ordercmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	return a->order < b->order ? -1 : a->order > b->order;
}

/* Add the pairs of a merge source (a mapping, or a list of them). */
static int
add_merged(struct builder *b, struct ffnode *src, struct cand *c,
    size_t *nc, size_t cap)
{
	size_t i;

	if (src->type == FFN_SEQ) {
		for (i = 0; i < src->nkids; i++) {
			if (src->kids[i]->type != FFN_MAP)
				return fail(b, src->kids[i]->line,
				    "'<<' needs a mapping or a list of them");
			if (add_merged(b, src->kids[i], c, nc, cap) < 0)
				return -1;
		}
		return 0;
	}
	if (src->type != FFN_MAP)
		return fail(b, src->line,
		    "'<<' needs a mapping or a list of them");
	for (i = 0; i + 1 < src->nkids && *nc < cap; i += 2) {
		c[*nc].key = src->kids[i];
		c[*nc].val = src->kids[i + 1];
		c[*nc].order = *nc;
		c[(*nc)++].own = 0;
	}
	return 0;
}

static size_t
merged_size(const struct ffnode *m)
{
	size_t i, n = 0;

	for (i = 0; i + 1 < m->nkids; i += 2) {
		const struct ffnode *v = m->kids[i + 1];
		size_t j;

		if (m->kids[i]->vtype != FFV_MERGE)
			continue;
		if (v->type == FFN_MAP)
			n += v->nkids / 2;
		else if (v->type == FFN_SEQ)
			for (j = 0; j < v->nkids; j++)
				n += v->kids[j]->nkids / 2;
	}
	return n;
}

/* The pairs of m, its own first, then those of its "<<" sources. */
static int
candidates(struct builder *b, struct ffnode *m, struct cand *c, size_t *nc,
    size_t cap)
{
	size_t i, merges;

	for (i = 0; i + 1 < m->nkids; i += 2) {
		if (m->kids[i]->type != FFN_SCALAR)
			return fail(b, m->kids[i]->line,
			    "a key must be a scalar");
		if (m->kids[i]->vtype == FFV_MERGE)
			continue;
		c[*nc].key = m->kids[i];
		c[*nc].val = m->kids[i + 1];
		c[*nc].order = *nc;
		c[(*nc)++].own = 1;
	}
	for (i = 0, merges = 0; i + 1 < m->nkids; i += 2) {
		if (m->kids[i]->vtype != FFV_MERGE)
			continue;
		/* gcloud's round-trip loader: a second "<<" is a duplicate */
		if (merges++ > 0)
			return fail(b, m->kids[i]->line, "duplicate key '<<'");
		if (add_merged(b, m->kids[i + 1], c, nc, cap) < 0)
			return -1;
	}
	return 0;
}

/* Own keys first, then merged ones not already there; no duplicates. */
static int
close_map(struct builder *b, struct ffnode *m)
{
	struct cand *c;
	size_t i, nc = 0, cap = m->nkids / 2 + merged_size(m), k = 0;
	int rc = -1;

	b->budget->nodes -= (long)cap;
	if (b->budget->nodes < 0)
		return fail(b, m->line, "too many YAML nodes");
	if ((c = calloc(cap + 1, sizeof(*c))) == NULL)
		return fail(b, m->line, "out of memory");
	if (candidates(b, m, c, &nc, cap) < 0)
		goto out;
	qsort(c, nc, sizeof(*c), candcmp);
	for (i = 0; i < nc; i++) {
		if (i > 0 && strcmp(c[i].key->raw, c[i - 1].key->raw) == 0) {
			if (c[i].own && c[i - 1].own) {
				fail(b, c[i].key->line, "duplicate key");
				goto out;
			}
			continue;
		}
		c[k++] = c[i];
	}
	qsort(c, k, sizeof(*c), ordercmp);
	if (k * 2 > m->capkids) {
		/*
		 * Merged keys can need far more room than the map's own:
		 * grow() doubles once, so allocate exactly what is needed.
		 */
		free(m->kids);
		m->capkids = 0;
		if ((m->kids = reallocarray(NULL, k * 2,
		    sizeof(*m->kids))) == NULL) {
			fail(b, m->line, "out of memory");
			goto out;
		}
		m->capkids = k * 2;
	}
	for (i = 0; i < k; i++) {
		m->kids[2 * i] = c[i].key;
		m->kids[2 * i + 1] = c[i].val;
	}
	m->nkids = 2 * k;
	rc = 0;
out:
	free(c);
	return rc;
}

static int
close_node(struct builder *b)
{
	struct ffnode *n = b->stack[--b->depth];

	if (n->type == FFN_MAP && close_map(b, n) < 0)
		return -1;
	return anchor_done(b, n);
}

static int
event(struct builder *b, const yaml_event_t *e)
{
	const yaml_version_directive_t *v;

	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->ndocs > 1)
			return fail(b, (int)e->start_mark.line + 1,
			    "more than one YAML document");
		v = e->data.document_start.version_directive;
		b->v11 = v != NULL && v->major == 1 && v->minor == 1;
		return 0;
	case YAML_SCALAR_EVENT:
		return scalar(b, e);
	case YAML_ALIAS_EVENT:
		return alias(b, e);
	case YAML_SEQUENCE_START_EVENT:
		return open_node(b, e, FFN_SEQ);
	case YAML_MAPPING_START_EVENT:
		return open_node(b, e, FFN_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return close_node(b);
	default:
		return 0;
	}
}

int
ffyaml_load(const char *buf, size_t len, struct ffdoc *d,
    struct ffbudget *budget, int *line, char *err, size_t errlen)
{
	struct builder b;
	yaml_parser_t p;
	yaml_event_t e;
	int rc = -1, done = 0;

	memset(d, 0, sizeof(*d));
	memset(&b, 0, sizeof(b));
	b.d = d;
	b.budget = budget;
	b.line = line;
	b.err = err;
	b.errlen = errlen;
	if (!yaml_parser_initialize(&p)) {
		snprintf(err, errlen, "out of memory");
		*line = 0;
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &e)) {
			*line = (int)p.problem_mark.line + 1;
			snprintf(err, errlen, "cannot parse YAML: %s",
			    p.problem ? p.problem : "error");
			goto out;
		}
		done = e.type == YAML_STREAM_END_EVENT;
		if (event(&b, &e) < 0) {
			yaml_event_delete(&e);
			goto out;
		}
		yaml_event_delete(&e);
	}
	rc = 0;
out:
	free(b.anchors);
	yaml_parser_delete(&p);
	return rc;
}

void
ffyaml_free(struct ffdoc *d)
{
	size_t i;

	for (i = 0; i < d->nall; i++) {
		free(d->all[i]->raw);
		if (d->all[i]->str != d->all[i]->raw)
			free(d->all[i]->str);
		free(d->all[i]->anchor);
		free(d->all[i]->kids);
		free(d->all[i]);
	}
	free(d->all);
	memset(d, 0, sizeof(*d));
}
