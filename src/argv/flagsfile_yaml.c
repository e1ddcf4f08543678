/*
 * flagsfile_yaml.c - a --flags-file's YAML as a tree (yamltree.h), under
 * the rules of gcloud's ruamel round-trip loader: one document per stream;
 * YAML 1.2 unless the file says "%YAML 1.1"; scalars typed as gcloud's
 * constructor types them, and refused where it would crash; duplicate
 * keys are an error (keys compare as written), a second "<<" in one
 * mapping too; "<<" merges mappings after a mapping's own keys, earlier
 * sources first.  Every node, alias and merged pair costs one unit of the
 * budget shared by every file of one expansion; the nesting is capped at
 * FLAGSFILE_MAXNEST.
 */
#include <stdio.h>

#include "argv/flagsfile.h"
#include "argv/flagsfile_int.h"
#include "yaml/yamltree.h"

/* What the shim says of a failed load, in flags-file words. */
static const char *
words(const struct yerror *e)
{
	switch (e->code) {
	case YE_NOMEM:
		return "out of memory";
	case YE_NODES:
		return "too many YAML nodes";
	case YE_DEPTH:
		return "YAML nested too deeply";
	case YE_ALIAS:
	case YE_RECURSIVE:
		return "unknown YAML alias";
	case YE_DOCS:
		return "more than one YAML document";
	case YE_NUL:
		return "NUL character in YAML";
	case YE_TAG:
		return "unsupported YAML tag";
	case YE_KEY:
		return "a key must be a scalar";
	case YE_DUP:
		return "duplicate key";
	case YE_DUPMERGE:
		return "duplicate key '<<'";
	case YE_MERGEKEY:
		return "'<<' is only a mapping key";
	case YE_MERGEVAL:
		return "'<<' needs a mapping or a list of them";
	default:	/* YE_SCALAR; YE_WEIGHT and YE_ANCHORS have no cap */
		return e->what;
	}
}

int
ffyaml_load(const char *buf, size_t len, struct ytree *d,
    struct ffbudget *budget, int *line, char *err, size_t errlen)
{
	struct ypolicy pol = {
		.rules = YRES_NOW,
		.dupkeys = YDUP_ERROR,
		.merge = YMERGE_FLATTEN,
		.docs = YDOCS_ONE,
		.maxdepth = FLAGSFILE_MAXNEST,
		.budget = &budget->nodes	/* no other cap */
	};
	struct yerror e;

	if (ytree_load(buf, len, &pol, d, &e) == 0)
		return 0;
	*line = (int)e.line;
	if (e.code == YE_SYNTAX)
		snprintf(err, errlen, "cannot parse YAML: %s",
		    e.what[0] != '\0' ? e.what : "error");
	else
		snprintf(err, errlen, "%s", words(&e));
	return -1;
}
