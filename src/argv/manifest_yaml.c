/*
 * manifest_yaml.c - a manifest's YAML as a tree (yamltree.h), under the
 * rules of gcloud's ruamel SafeLoader: YAML 1.1 unless "%YAML 1.2",
 * empty or null documents dropped, one real document; every pair kept
 * (manifest.c picks among duplicates and follows "<<" as ruamel would).
 * Each node carries its weight, the number of nodes it stands for with
 * aliases expanded; the weight is checked as it grows, so a "billion
 * laughs" stops after MANIFEST_MAX_NODES steps, in time and memory
 * linear in the input.
 *
 * MUST rules for this file:
 *   - no output, no exit: return -1 with a message in c->err;
 *   - the tree is freed by myaml_free(), on every path.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "argv/manifest.h"
#include "argv/manifest_yaml.h"
#include "yaml/yamlscalar.h"
#include "yaml/yamltree.h"

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

/* The message of a failed load, in the words gcloud's users know. */
static int
loadfail(struct pctx *c, const struct yerror *e)
{
	char sb[64];

	switch (e->code) {
	case YE_SYNTAX:
		if (e->parser == YAML_MEMORY_ERROR)
			break;
		if (e->parser == YAML_READER_ERROR && e->value != -1)
			return myaml_fail(c, e->byteline, "%s (0x%02x): not "
			    "UTF-8 text", e->what, (unsigned)e->value & 0xff);
		if (e->parser == YAML_READER_ERROR)
			return myaml_fail(c, e->byteline, "%s: not UTF-8 text",
			    e->what);
		return myaml_fail(c, e->line, "%s", e->what[0] != '\0' ?
		    e->what : "not valid YAML");
	case YE_NODES:
		return myaml_fail(c, e->line, "more than %d nodes",
		    MANIFEST_MAX_NODES);
	case YE_WEIGHT:
		return myaml_fail(c, e->line, "more than %d nodes with aliases "
		    "expanded: refusing a possible YAML bomb",
		    MANIFEST_MAX_NODES);
	case YE_DEPTH:
		return myaml_fail(c, e->line, "nested deeper than %d levels",
		    MANIFEST_MAX_DEPTH);
	case YE_ANCHORS:
		return myaml_fail(c, e->line, "more than %d anchors",
		    MANIFEST_MAX_ANCHORS);
	case YE_ALIAS:
		return myaml_fail(c, e->line, "found undefined alias '%s'",
		    myaml_safe(e->what, sb, sizeof(sb)));
	case YE_RECURSIVE:
		return myaml_fail(c, e->line, "recursive alias '%s'",
		    myaml_safe(e->what, sb, sizeof(sb)));
	case YE_DOCS:
		return myaml_fail(c, e->line, "expected a single document in "
		    "the stream, found another document");
	default:	/* YE_NOMEM; the rest are YRES_NOW's or flattening's */
		break;
	}
	return myaml_fail(c, 0, "out of memory");
}

int
myaml_parse(struct pctx *c, const char *buf, size_t len)
{
	struct ypolicy pol = {
		.rules = YRES_LATER,
		.dupkeys = YDUP_KEEP,
		.merge = YMERGE_KEEP,
		.docs = YDOCS_DROPNULL,
		.maxdepth = MANIFEST_MAX_DEPTH,
		.maxnodes = MANIFEST_MAX_NODES,
		.maxweight = MANIFEST_MAX_NODES,
		.maxanchors = MANIFEST_MAX_ANCHORS,
		.budget = NULL
	};
	struct yerror e;

	if (ytree_load(buf, len, &pol, &c->t, &e) == 0)
		return 0;
	return loadfail(c, &e);
}

int
myaml_isnull(const struct ynode *n)
{
	return yscalar_isnull(n);
}

/* Would ruamel give a Python str for this node?  Unsure: no. */
int
myaml_isstr(struct pctx *c, const struct ynode *n)
{
	return yscalar_isstr(n, c->t.v11);
}

void
myaml_free(struct pctx *c)
{
	ytree_free(&c->t);
}
