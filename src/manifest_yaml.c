/*
 * manifest_yaml.c - libyaml events to a small tree for manifest.c, and
 * the YAML 1.1/1.2 scalar types gcloud's ruamel loader would give.
 *
 * An alias is a second pointer to its anchored node, never a copy.  Each
 * node carries its weight, the number of nodes it stands for with
 * aliases expanded; the weight is checked as it grows, so a "billion
 * laughs" stops after MANIFEST_MAX_NODES steps, in time and memory
 * linear in the input.
 *
 * MUST rules for this file:
 *   - no output, no exit: return -1 with a message in c->err;
 *   - every node is owned by c->all and freed by myaml_free(), on every
 *     path; kid arrays only borrow;
 *   - bounded work: nodes (aliases expanded), depth and anchors all have
 *     hard caps, checked before anything grows.
 */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "manifest.h"
#include "manifest_yaml.h"

#define TAG_STR		"tag:yaml.org,2002:str"
#define TAG_NULL	"tag:yaml.org,2002:null"

int
myaml_fail(struct pctx *c, size_t line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(c->err, c->errlen, "%s:%zu: %s", c->label, line, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->label, msg);
	return -1;
}

/* A copy of s for a message: control bytes become '?', at most 63. */
const char *
myaml_safe(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ?
		    '?' : s[i];
	buf[i] = '\0';
	return buf;
}

/* ---- building the tree ---- */

static int
addkid(struct pctx *c, struct ynode *p, struct ynode *k)
{
	struct ynode **nk;
	size_t ncap;

	if (p->nkid == p->cap) {
		ncap = p->cap ? p->cap * 2 : 4;
		nk = reallocarray(p->kid, ncap, sizeof(*nk));
		if (nk == NULL)
			return myaml_fail(c, 0, "out of memory");
		p->kid = nk;
		p->cap = ncap;
	}
	p->kid[p->nkid++] = k;
	return 0;
}

static int
addweight(struct pctx *c, struct ynode *p, size_t w, size_t line)
{
	p->weight += w;	/* both <= MANIFEST_MAX_NODES: no overflow */
	if (p->weight > MANIFEST_MAX_NODES)
		return myaml_fail(c, line, "more than %d nodes with aliases "
		    "expanded: refusing a possible YAML bomb",
		    MANIFEST_MAX_NODES);
	return 0;
}

/* Hang n (complete when weight is final) under the open collection. */
static int
attach(struct pctx *c, struct ynode *n, int complete)
{
	struct ynode *p;

	if (c->depth == 0) {
		c->docroot = n;
		return 0;
	}
	p = c->stack[c->depth - 1];
	if (addkid(c, p, n) == -1)
		return -1;
	return complete ? addweight(c, p, n->weight, n->line) : 0;
}

static int
anchor(struct pctx *c, const yaml_char_t *name, struct ynode *n)
{
	if (name == NULL)
		return 0;
	if (c->nanch == MANIFEST_MAX_ANCHORS)
		return myaml_fail(c, n->line, "more than %d anchors",
		    MANIFEST_MAX_ANCHORS);
	if ((c->anch[c->nanch].name = strdup((const char *)name)) == NULL)
		return myaml_fail(c, 0, "out of memory");
	c->anch[c->nanch++].node = n;
	return 0;
}

static struct ynode *
newnode(struct pctx *c, enum ytype type, const yaml_event_t *ev)
{
	struct ynode **na, *n;
	size_t ncap;

	if (c->nall >= MANIFEST_MAX_NODES) {
		myaml_fail(c, ev->start_mark.line + 1, "more than %d nodes",
		    MANIFEST_MAX_NODES);
		return NULL;
	}
	if (c->nall == c->allcap) {
		ncap = c->allcap ? c->allcap * 2 : 64;
		if ((na = reallocarray(c->all, ncap, sizeof(*na))) == NULL)
			goto nomem;
		c->all = na;
		c->allcap = ncap;
	}
	if ((n = calloc(1, sizeof(*n))) == NULL)
		goto nomem;
	c->all[c->nall++] = n;
	n->type = type;
	n->line = ev->start_mark.line + 1;
	n->weight = 1;
	return n;
nomem:
	myaml_fail(c, 0, "out of memory");
	return NULL;
}

static int
ev_scalar(struct pctx *c, const yaml_event_t *ev)
{
	struct ynode *n;
	size_t len = ev->data.scalar.length;

	if ((n = newnode(c, Y_SCALAR, ev)) == NULL)
		return -1;
	n->done = 1;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if ((n->val = malloc(len + 1)) == NULL)
		return myaml_fail(c, 0, "out of memory");
	memcpy(n->val, ev->data.scalar.value, len);
	n->val[len] = '\0';
	n->vlen = len;
	if (ev->data.scalar.tag != NULL &&
	    (n->tag = strdup((const char *)ev->data.scalar.tag)) == NULL)
		return myaml_fail(c, 0, "out of memory");
	if (anchor(c, ev->data.scalar.anchor, n) == -1)
		return -1;
	return attach(c, n, 1);
}

static int
ev_start(struct pctx *c, const yaml_event_t *ev, enum ytype type)
{
	struct ynode *n;
	const yaml_char_t *a;

	if (c->depth == MANIFEST_MAX_DEPTH)
		return myaml_fail(c, ev->start_mark.line + 1, "nested "
		    "deeper than %d levels", MANIFEST_MAX_DEPTH);
	if ((n = newnode(c, type, ev)) == NULL)
		return -1;
	a = type == Y_SEQ ? ev->data.sequence_start.anchor :
	    ev->data.mapping_start.anchor;
	if (anchor(c, a, n) == -1 || attach(c, n, 0) == -1)
		return -1;
	c->stack[c->depth++] = n;
	return 0;
}

static int
ev_end(struct pctx *c)
{
	struct ynode *n = c->stack[--c->depth];

	n->done = 1;
	if (c->depth == 0)
		return 0;
	return addweight(c, c->stack[c->depth - 1], n->weight, n->line);
}

static int
ev_alias(struct pctx *c, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	size_t i, line = ev->start_mark.line + 1;
	char sb[64];

	for (i = c->nanch; i > 0; i--)
		if (strcmp(c->anch[i - 1].name, name) == 0)
			break;
	if (i == 0)	/* libyaml's parser lets this through */
		return myaml_fail(c, line, "found undefined alias '%s'",
		    myaml_safe(name, sb, sizeof(sb)));
	if (!c->anch[i - 1].node->done)
		return myaml_fail(c, line, "recursive alias '%s'",
		    myaml_safe(name, sb, sizeof(sb)));
	return attach(c, c->anch[i - 1].node, 1);
}

static int
ev_docend(struct pctx *c)
{
	size_t i;

	for (i = 0; i < c->nanch; i++)
		free(c->anch[i].name);
	c->nanch = 0;	/* anchors are local to a document */
	if (c->docroot == NULL || myaml_isnull(c->docroot))
		return 0;	/* gcloud drops empty documents */
	if (c->root != NULL)
		return myaml_fail(c, c->docroot->line, "expected a single "
		    "document in the stream, found another document");
	c->root = c->docroot;
	c->v12 = c->docv12;
	return 0;
}

static int
event(struct pctx *c, const yaml_event_t *ev)
{
	const yaml_version_directive_t *v;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		v = ev->data.document_start.version_directive;
		c->docv12 = v != NULL && v->major == 1 && v->minor >= 2;
		c->docroot = NULL;
		return 0;
	case YAML_DOCUMENT_END_EVENT:
		return ev_docend(c);
	case YAML_SCALAR_EVENT:
		return ev_scalar(c, ev);
	case YAML_SEQUENCE_START_EVENT:
		return ev_start(c, ev, Y_SEQ);
	case YAML_MAPPING_START_EVENT:
		return ev_start(c, ev, Y_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return ev_end(c);
	case YAML_ALIAS_EVENT:
		return ev_alias(c, ev);
	default:
		return 0;
	}
}

static int
syntax(struct pctx *c, const yaml_parser_t *p, const char *buf, size_t len)
{
	size_t i, line = 1;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return myaml_fail(c, 0, "out of memory");
	case YAML_READER_ERROR:
		for (i = 0; i < p->problem_offset && i < len; i++)
			line += buf[i] == '\n';
		if (p->problem_value != -1)
			return myaml_fail(c, line, "%s (0x%02x): not UTF-8 "
			    "text", p->problem,
			    (unsigned)p->problem_value & 0xff);
		return myaml_fail(c, line, "%s: not UTF-8 text", p->problem);
	default:
		return myaml_fail(c, p->problem_mark.line + 1, "%s",
		    p->problem ? p->problem : "not valid YAML");
	}
}

int
myaml_parse(struct pctx *c, const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int rc = -1, r, last = 0;

	if (!yaml_parser_initialize(&p))
		return myaml_fail(c, 0, "out of memory");
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;	/* gcloud reads past a UTF-8 BOM too */
		len -= 3;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	/* gcloud decodes UTF-8 only: a UTF-16 file is not text to it */
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!last) {
		if (!yaml_parser_parse(&p, &ev)) {
			syntax(c, &p, buf, len);
			goto out;
		}
		last = ev.type == YAML_STREAM_END_EVENT;
		r = event(c, &ev);
		yaml_event_delete(&ev);
		if (r == -1)
			goto out;
	}
	rc = 0;
out:
	yaml_parser_delete(&p);
	return rc;
}

/* ---- scalar types, as ruamel resolves them ---- */

/* ruamel's implicit resolvers (YAML 1.1, and 1.2 where they differ). */
#define R_INT11	"^([-+]?0b[0-1_]+|[-+]?0?[0-7_]+|[-+]?(0|[1-9][0-9_]*)|" \
		"[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$"
#define R_INT12	"^([-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|" \
		"[-+]?0x[0-9a-fA-F_]+)$"
#define R_FLT	"[-+]?[0-9][0-9_]*\\.[0-9_]*([eE][-+]?[0-9]+)?|" \
		"[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|" \
		"[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)"
#define R_FLT11	"^(" R_FLT "|\\.[0-9_]+([eE][-+][0-9]+)?|" \
		"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*)$"
#define R_FLT12	"^(" R_FLT "|[-+]?\\.[0-9_]+([eE][-+][0-9]+)?)$"
#define R_BOOL11 "^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|" \
		"false|False|FALSE|on|On|ON|off|Off|OFF)$"
#define R_BOOL12 "^(true|True|TRUE|false|False|FALSE)$"
#define R_TIME	"^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-" \
		"[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}" \
		"(\\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)$"
#define R_SPECIAL "^(<<|=)$"

int
myaml_isnull(const struct ynode *n)
{
	const char *v = n->val;

	if (n->type != Y_SCALAR)
		return 0;
	if (n->tag != NULL)
		return strcmp(n->tag, TAG_NULL) == 0;
	return n->plain && (strcmp(v, "") == 0 || strcmp(v, "~") == 0 ||
	    strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	    strcmp(v, "NULL") == 0);
}

/* Compile the resolvers of the chosen document's YAML version once. */
static int
resolvers(struct pctx *c)
{
	const char *const r[2][NRES] = {
	    { R_BOOL11, R_INT11, R_FLT11, R_TIME, R_SPECIAL },
	    { R_BOOL12, R_INT12, R_FLT12, R_TIME, R_SPECIAL } };

	for (; c->nre < NRES; c->nre++)
		if (regcomp(&c->re[c->nre], r[c->v12 != 0][c->nre],
		    REG_EXTENDED | REG_NOSUB) != 0)
			return -1;
	return 0;
}

/* Would ruamel give a Python str for this node?  Unsure: no. */
int
myaml_isstr(struct pctx *c, const struct ynode *n)
{
	size_t i;

	if (n->type != Y_SCALAR)
		return 0;
	if (n->tag != NULL)
		return strcmp(n->tag, "!") == 0 || strcmp(n->tag, TAG_STR) == 0;
	if (!n->plain)
		return 1;
	if (myaml_isnull(n) || resolvers(c) == -1)
		return 0;
	for (i = 0; i < NRES; i++) {
		/* ruamel's first-character filter: "_" is no int */
		if (i > 0 && i < NRES - 1 && (n->val[0] == '\0' ||
		    strchr("-+0123456789.", n->val[0]) == NULL))
			continue;
		if (regexec(&c->re[i], n->val, 0, NULL, 0) == 0)
			return 0;
	}
	return 1;
}

void
myaml_free(struct pctx *c)
{
	size_t i;

	for (i = 0; i < c->nall; i++) {
		free(c->all[i]->val);
		free(c->all[i]->tag);
		free(c->all[i]->kid);
		free(c->all[i]);
	}
	free(c->all);
	for (i = 0; i < c->nre; i++)
		regfree(&c->re[i]);
	for (i = 0; i < c->nanch; i++)
		free(c->anch[i].name);
}
