/*
 * yamlmerge.c - YMERGE_FLATTEN (yamltree.h): a mapping's "<<" keys
 * resolved when the mapping ends, as gcloud's round-trip loader does for
 * flags files.  Its own keys first, then those of its "<<" source (a
 * mapping, or a list of them, earlier first) that are not there yet; a
 * second "<<" in one mapping is a duplicate key (the round-trip loader,
 * unlike the SafeLoader, refuses duplicates), and so, under YDUP_ERROR,
 * is an own key written twice.  Keys compare as written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml/yamltree.h"

struct flat {
	const struct ypolicy	*pol;
	struct yerror		*e;
};

static int
fail(struct flat *b, enum yerr code, size_t line)
{
	b->e->code = code;
	b->e->line = line;
	b->e->what[0] = '\0';
	return -1;
}

struct cand {
	struct ynode	*key;
	struct ynode	*val;
	size_t		 order;
	int		 own;
};

static int
candcmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;
	int c = strcmp(a->key->val, b->key->val);

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
add_merged(struct flat *b, struct ynode *src, struct cand *c,
    size_t *nc, size_t cap)
{
	size_t i;

	if (src->type == Y_SEQ) {
		for (i = 0; i < src->nkid; i++) {
			if (src->kid[i]->type != Y_MAP)
				return fail(b, YE_MERGEVAL, src->kid[i]->line);
			if (add_merged(b, src->kid[i], c, nc, cap) < 0)
				return -1;
		}
		return 0;
	}
	if (src->type != Y_MAP)
		return fail(b, YE_MERGEVAL, src->line);
	for (i = 0; i + 1 < src->nkid && *nc < cap; i += 2) {
		c[*nc].key = src->kid[i];
		c[*nc].val = src->kid[i + 1];
		c[*nc].order = *nc;
		c[(*nc)++].own = 0;
	}
	return 0;
}

static size_t
merged_size(const struct ynode *m)
{
	size_t i, n = 0;

	for (i = 0; i + 1 < m->nkid; i += 2) {
		const struct ynode *v = m->kid[i + 1];
		size_t j;

		if (m->kid[i]->vtype != YV_MERGE)
			continue;
		if (v->type == Y_MAP)
			n += v->nkid / 2;
		else if (v->type == Y_SEQ)
			for (j = 0; j < v->nkid; j++)
				n += v->kid[j]->nkid / 2;
	}
	return n;
}

/* The pairs of m, its own first, then those of its "<<" sources. */
static int
candidates(struct flat *b, struct ynode *m, struct cand *c, size_t *nc,
    size_t cap)
{
	size_t i, merges;

	for (i = 0; i + 1 < m->nkid; i += 2) {
		if (m->kid[i]->type != Y_SCALAR)
			return fail(b, YE_KEY, m->kid[i]->line);
		if (m->kid[i]->vtype == YV_MERGE)
			continue;
		c[*nc].key = m->kid[i];
		c[*nc].val = m->kid[i + 1];
		c[*nc].order = *nc;
		c[(*nc)++].own = 1;
	}
	for (i = 0, merges = 0; i + 1 < m->nkid; i += 2) {
		if (m->kid[i]->vtype != YV_MERGE)
			continue;
		/* gcloud's round-trip loader: a second "<<" is a duplicate */
		if (merges++ > 0)
			return fail(b, YE_DUPMERGE, m->kid[i]->line);
		if (add_merged(b, m->kid[i + 1], c, nc, cap) < 0)
			return -1;
	}
	return 0;
}

/* The k pairs of c as m's kids. */
static int
install(struct flat *b, struct ynode *m, const struct cand *c, size_t k)
{
	size_t i;

	if (k * 2 > m->cap) {
		/*
		 * Merged keys can need far more room than the map's own:
		 * yamltree.c's grow() doubles once, so allocate exactly
		 * what is needed.
		 */
		free(m->kid);
		m->cap = 0;
		if ((m->kid = reallocarray(NULL, k * 2,
		    sizeof(*m->kid))) == NULL)
			return fail(b, YE_NOMEM, m->line);
		m->cap = k * 2;
	}
	for (i = 0; i < k; i++) {
		m->kid[2 * i] = c[i].key;
		m->kid[2 * i + 1] = c[i].val;
	}
	m->nkid = 2 * k;
	return 0;
}

/* Own keys first, then merged ones not already there; no duplicates. */
static int
flatten(struct flat *b, struct ynode *m)
{
	struct cand *c;
	size_t i, nc = 0, cap = m->nkid / 2 + merged_size(m), k = 0;
	int rc = -1;

	if (b->pol->budget != NULL) {
		*b->pol->budget -= (long)cap;
		if (*b->pol->budget < 0)
			return fail(b, YE_NODES, m->line);
	}
	if ((c = calloc(cap + 1, sizeof(*c))) == NULL)
		return fail(b, YE_NOMEM, m->line);
	if (candidates(b, m, c, &nc, cap) < 0)
		goto out;
	qsort(c, nc, sizeof(*c), candcmp);
	for (i = 0; i < nc; i++) {
		if (i > 0 && strcmp(c[i].key->val, c[i - 1].key->val) == 0) {
			if (c[i].own && c[i - 1].own &&
			    b->pol->dupkeys == YDUP_ERROR) {
				fail(b, YE_DUP, c[i].key->line);
				goto out;
			}
			continue;
		}
		c[k++] = c[i];
	}
	qsort(c, k, sizeof(*c), ordercmp);
	if (install(b, m, c, k) < 0)
		goto out;
	rc = 0;
out:
	free(c);
	return rc;
}

int
ytree_flatten(struct ynode *m, const struct ypolicy *pol, struct yerror *e)
{
	struct flat b;

	b.pol = pol;
	b.e = e;
	return flatten(&b, m);
}
