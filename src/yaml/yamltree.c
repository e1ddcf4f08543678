/*
 * yamltree.c - libyaml's events to the tree of yamltree.h, under a policy.
 *
 * MUST rules for this file:
 *   - no output, no exit: return -1 with the error in *e;
 *   - every node is owned by t->all and freed by ytree_free(), on every
 *     path; kid arrays only borrow;
 *   - bounded work: nodes, aliases expanded, depth and anchors have the
 *     policy's caps, checked before anything grows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yaml/yamlscalar.h"
#include "yaml/yamltree.h"

struct anchor {
	char		*name;
	struct ynode	*node;
};

/* An open collection, and its anchor while YRES_NOW keeps it back. */
struct frame {
	struct ynode	*node;
	char		*anchor;
};

struct builder {
	const struct ypolicy *pol;
	struct ytree	*t;
	struct yerror	*e;
	struct frame	*stack;		/* pol->maxdepth of them */
	size_t		 depth;
	struct anchor	*anch;
	size_t		 nanch, anchcap;
	struct ynode	*docroot;
	int		 docv11;	/* the current document's rules */
	int		 ndocs;
};

static int
fail(struct builder *b, enum yerr code, size_t line, const char *what)
{
	b->e->code = code;
	b->e->line = line;
	snprintf(b->e->what, sizeof(b->e->what), "%s", what ? what : "");
	return -1;
}

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

/* One unit of the shared budget, if the policy has one. */
static int
spend(struct builder *b, size_t line)
{
	if (b->pol->budget != NULL && --*b->pol->budget < 0)
		return fail(b, YE_NODES, line, NULL);
	return 0;
}

static struct ynode *
newnode(struct builder *b, enum ytype type, const yaml_event_t *ev)
{
	struct ytree *t = b->t;
	struct ynode *n;
	size_t line = ev->start_mark.line + 1;

	if (spend(b, line) < 0)
		return NULL;
	if (b->pol->maxnodes != 0 && t->nall >= b->pol->maxnodes) {
		fail(b, YE_NODES, line, NULL);
		return NULL;
	}
	if (grow((void **)&t->all, &t->allcap, t->nall, sizeof(*t->all)) < 0 ||
	    (n = calloc(1, sizeof(*n))) == NULL) {
		fail(b, YE_NOMEM, line, NULL);
		return NULL;
	}
	t->all[t->nall++] = n;
	n->type = type;
	n->line = line;
	n->weight = 1;
	return n;
}

static int
addweight(struct builder *b, struct ynode *p, size_t w, size_t line)
{
	if (b->pol->maxweight == 0)
		return 0;
	p->weight += w;	/* both <= maxweight: no overflow */
	if (p->weight > b->pol->maxweight)
		return fail(b, YE_WEIGHT, line, NULL);
	return 0;
}

/* Hang n under the open collection; its weight once it is complete. */
static int
attach(struct builder *b, struct ynode *n)
{
	struct ynode *p;

	if (b->depth == 0) {
		b->docroot = n;
		return 0;
	}
	p = b->stack[b->depth - 1].node;
	if (b->pol->merge == YMERGE_FLATTEN && n->type == Y_SCALAR &&
	    n->vtype == YV_MERGE && (p->type != Y_MAP || p->nkid % 2 != 0))
		return fail(b, YE_MERGEKEY, n->line, NULL);
	if (grow((void **)&p->kid, &p->cap, p->nkid, sizeof(*p->kid)) < 0)
		return fail(b, YE_NOMEM, n->line, NULL);
	p->kid[p->nkid++] = n;
	return n->done ? addweight(b, p, n->weight, n->line) : 0;
}

/* Name n by anchor; the name is taken over (freed on failure too). */
static int
name(struct builder *b, char *anchor, struct ynode *n)
{
	if (anchor == NULL)
		return 0;
	if (b->pol->maxanchors != 0 && b->nanch == b->pol->maxanchors) {
		free(anchor);
		return fail(b, YE_ANCHORS, n->line, NULL);
	}
	if (grow((void **)&b->anch, &b->anchcap, b->nanch,
	    sizeof(*b->anch)) < 0) {
		free(anchor);
		return fail(b, YE_NOMEM, n->line, NULL);
	}
	b->anch[b->nanch].name = anchor;
	b->anch[b->nanch++].node = n;
	return 0;
}

/* A copy of an event's anchor into *out (NULL: none). */
static int
copyname(struct builder *b, const yaml_char_t *anchor, struct ynode *n,
    char **out)
{
	*out = NULL;
	if (anchor != NULL && (*out = strdup((const char *)anchor)) == NULL)
		return fail(b, YE_NOMEM, n->line, NULL);
	return 0;
}

static int
ev_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	size_t i, line = ev->start_mark.line + 1;

	for (i = b->nanch; i > 0; i--)
		if (strcmp(b->anch[i - 1].name, name) == 0)
			break;
	if (i == 0)	/* libyaml's parser lets this through */
		return fail(b, YE_ALIAS, line, name);
	if (!b->anch[i - 1].node->done)
		return fail(b, YE_RECURSIVE, line, name);
	if (spend(b, line) < 0)
		return -1;
	return attach(b, b->anch[i - 1].node);
}

/* The scalar's bytes and tag into n. */
static int
scalar_text(struct builder *b, struct ynode *n, const yaml_event_t *ev)
{
	size_t len = ev->data.scalar.length;

	n->done = 1;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if ((n->val = malloc(len + 1)) == NULL)
		return fail(b, YE_NOMEM, n->line, NULL);
	memcpy(n->val, ev->data.scalar.value, len);
	n->val[len] = '\0';
	n->vlen = len;
	if (ev->data.scalar.tag != NULL &&
	    (n->tag = strdup((const char *)ev->data.scalar.tag)) == NULL)
		return fail(b, YE_NOMEM, n->line, NULL);
	return 0;
}

/* YRES_NOW: refuse what gcloud's constructor cannot make, type the rest. */
static int
scalar_type(struct builder *b, struct ynode *n)
{
	char msg[256];

	if (strlen(n->val) != n->vlen)
		return fail(b, YE_NUL, n->line, NULL);
	if (yscalar_type(n, b->docv11, msg, sizeof(msg)) < 0)
		return fail(b, YE_SCALAR, n->line, msg);
	return 0;
}

static int
ev_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct ynode *n;
	char *a;

	if ((n = newnode(b, Y_SCALAR, ev)) == NULL ||
	    copyname(b, ev->data.scalar.anchor, n, &a) < 0)
		return -1;
	if (scalar_text(b, n, ev) < 0 ||
	    (b->pol->rules == YRES_NOW && scalar_type(b, n) < 0)) {
		free(a);
		return -1;
	}
	if (b->pol->rules == YRES_LATER)	/* named from its start */
		return name(b, a, n) < 0 ? -1 : attach(b, n);
	if (attach(b, n) < 0) {
		free(a);
		return -1;
	}
	return name(b, a, n);
}

static int
ev_start(struct builder *b, const yaml_event_t *ev, enum ytype type)
{
	struct ynode *n;
	const yaml_char_t *a, *tag;
	char *copy;
	size_t line = ev->start_mark.line + 1;

	a = type == Y_SEQ ? ev->data.sequence_start.anchor :
	    ev->data.mapping_start.anchor;
	tag = type == Y_SEQ ? ev->data.sequence_start.tag :
	    ev->data.mapping_start.tag;
	/* gcloud's constructor builds plain lists and mappings only */
	if (b->pol->rules == YRES_NOW && tag != NULL &&
	    strcmp((const char *)tag, "!") != 0 &&
	    strcmp((const char *)tag, type == Y_SEQ ?
	    YAML_SEQ_TAG : YAML_MAP_TAG) != 0)
		return fail(b, YE_TAG, line, (const char *)tag);
	if (b->depth == b->pol->maxdepth)
		return fail(b, YE_DEPTH, line, NULL);
	if ((n = newnode(b, type, ev)) == NULL ||
	    copyname(b, a, n, &copy) < 0)
		return -1;
	if (b->pol->rules == YRES_LATER) {
		if (name(b, copy, n) < 0)
			return -1;
		copy = NULL;
	}
	if (attach(b, n) < 0) {
		free(copy);
		return -1;
	}
	b->stack[b->depth].node = n;
	b->stack[b->depth++].anchor = copy;	/* YRES_NOW: named at the end */
	return 0;
}

static int
ev_end(struct builder *b)
{
	struct frame *f = &b->stack[--b->depth];
	struct ynode *n = f->node;
	char *a = f->anchor;

	f->anchor = NULL;
	n->done = 1;
	if (n->type == Y_MAP && b->pol->merge == YMERGE_FLATTEN &&
	    ytree_flatten(n, b->pol, b->e) < 0) {
		free(a);
		return -1;
	}
	if (name(b, a, n) < 0)
		return -1;
	if (b->depth == 0)
		return 0;
	return addweight(b, b->stack[b->depth - 1].node, n->weight, n->line);
}

static void
forget_anchors(struct builder *b)
{
	size_t i;

	for (i = 0; i < b->nanch; i++)
		free(b->anch[i].name);
	b->nanch = 0;
}

static int
ev_docstart(struct builder *b, const yaml_event_t *ev)
{
	const yaml_version_directive_t *v;

	v = ev->data.document_start.version_directive;
	if (b->pol->docs == YDOCS_ONE && ++b->ndocs > 1)
		return fail(b, YE_DOCS, ev->start_mark.line + 1, NULL);
	if (b->pol->rules == YRES_NOW)	/* round trip: 1.2 unless 1.1 */
		b->docv11 = v != NULL && v->major == 1 && v->minor == 1;
	else				/* safe: 1.1 unless 1.2 or later */
		b->docv11 = !(v != NULL && v->major == 1 && v->minor >= 2);
	b->docroot = NULL;
	return 0;
}

static int
ev_docend(struct builder *b)
{
	forget_anchors(b);	/* anchors are local to a document */
	if (b->docroot == NULL)
		return 0;
	if (b->pol->docs == YDOCS_DROPNULL && yscalar_isnull(b->docroot))
		return 0;	/* gcloud drops empty documents */
	if (b->t->root != NULL)
		return fail(b, YE_DOCS, b->docroot->line, NULL);
	b->t->root = b->docroot;
	b->t->v11 = b->docv11;
	return 0;
}

static int
event(struct builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		return ev_docstart(b, ev);
	case YAML_DOCUMENT_END_EVENT:
		return ev_docend(b);
	case YAML_SCALAR_EVENT:
		return ev_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return ev_start(b, ev, Y_SEQ);
	case YAML_MAPPING_START_EVENT:
		return ev_start(b, ev, Y_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return ev_end(b);
	case YAML_ALIAS_EVENT:
		return ev_alias(b, ev);
	default:
		return 0;
	}
}

static int
syntax(struct builder *b, const yaml_parser_t *p, const char *buf,
    size_t len)
{
	size_t i, line = 1;

	for (i = 0; i < p->problem_offset && i < len; i++)
		line += buf[i] == '\n';
	b->e->parser = p->error;
	b->e->value = p->problem_value;
	b->e->byteline = line;
	return fail(b, YE_SYNTAX, p->problem_mark.line + 1, p->problem);
}

static int
run(struct builder *b, yaml_parser_t *p, const char *buf, size_t len)
{
	yaml_event_t ev;
	int r, last = 0;

	while (!last) {
		if (!yaml_parser_parse(p, &ev))
			return syntax(b, p, buf, len);
		last = ev.type == YAML_STREAM_END_EVENT;
		r = event(b, &ev);
		yaml_event_delete(&ev);
		if (r == -1)
			return -1;
	}
	return 0;
}

int
ytree_load(const char *buf, size_t len, const struct ypolicy *pol,
    struct ytree *t, struct yerror *e)
{
	struct builder b;
	yaml_parser_t p;
	int rc;

	memset(t, 0, sizeof(*t));
	memset(e, 0, sizeof(*e));
	e->value = -1;
	memset(&b, 0, sizeof(b));
	b.pol = pol;
	b.t = t;
	b.e = e;
	if ((b.stack = calloc(pol->maxdepth + 1, sizeof(*b.stack))) == NULL)
		return fail(&b, YE_NOMEM, 0, NULL);
	if (!yaml_parser_initialize(&p)) {
		free(b.stack);
		return fail(&b, YE_NOMEM, 0, NULL);
	}
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;	/* gcloud reads past a UTF-8 BOM too */
		len -= 3;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	/* gcloud decodes UTF-8 only: a UTF-16 file is not text to it */
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	rc = run(&b, &p, buf, len);
	while (b.depth > 0)
		free(b.stack[--b.depth].anchor);
	forget_anchors(&b);
	free(b.anch);
	free(b.stack);
	yaml_parser_delete(&p);
	return rc;
}

void
ytree_free(struct ytree *t)
{
	size_t i;

	for (i = 0; i < t->nall; i++) {
		if (t->all[i]->str != t->all[i]->val)
			free(t->all[i]->str);
		free(t->all[i]->val);
		free(t->all[i]->tag);
		free(t->all[i]->kid);
		free(t->all[i]);
	}
	free(t->all);
	memset(t, 0, sizeof(*t));
}
