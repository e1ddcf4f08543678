/*
 * yamltree.h - one YAML stream as a tree, built from libyaml's events
 * (never its document loader, which recurses once per nesting level) under
 * a policy that says which of gcloud's two loaders the tree stands for:
 *
 *   flags files (flagsfile.h)   ruamel's round-trip loader and gcloud's own
 *                               constructor: YAML 1.2 unless "%YAML 1.1",
 *                               one document, scalars typed while building,
 *                               duplicate keys refused, "<<" flattened;
 *   manifests (manifest.h)      ruamel's SafeLoader: YAML 1.1 unless
 *                               "%YAML 1.2" (or later), empty documents
 *                               dropped, every pair kept for the reader to
 *                               pick from (manifest.c's lookups).
 *
 * An alias is a second pointer to its anchored node, never a copy, so the
 * work is linear in the input; the limits of the policy bound it.  Input
 * is UTF-8 (a UTF-8 BOM is skipped; the flags-file reader checks the bytes
 * first, the manifest reader lets libyaml refuse them).
 *
 * Steps for a caller:
 *   1. fill a struct ypolicy (a cap of 0 is no cap);
 *   2. ytree_load(buf, len, &pol, &t, &e): 0, or -1 with e.code, e.line
 *      and e.what saying why (the caller words the message);
 *   3. t.root is NULL when the stream holds no (kept) document; t.v11 says
 *      which YAML rules its scalars follow (yamlscalar.h);
 *   4. ytree_free(&t), also after an error.
 */
#ifndef YAMLTREE_H
#define YAMLTREE_H

#include <stddef.h>

#include "yaml/ynode.h"

struct ytree {
	struct ynode	 *root;		/* NULL: no document */
	int		  v11;		/* root's document: YAML 1.1 rules */
	struct ynode	**all;		/* owns every node */
	size_t		  nall, allcap;
};

enum yrules {
	YRES_NOW,	/* type scalars while building (yscalar_type()):
			   refuse what gcloud's constructor cannot make
			   (unknown tags, dates, "=", NUL); an anchor names
			   its node once complete; default YAML 1.2, 1.1
			   with "%YAML 1.1" */
	YRES_LATER	/* keep text and tag for yscalar_isstr() later; an
			   anchor names its node from its start, so an
			   alias inside it is recursive; default YAML 1.1,
			   1.2 with "%YAML 1.2" or later */
};

enum ydup {
	YDUP_KEEP,	/* every pair stays in the order written (when
			   flattened: the first of a key wins) */
	YDUP_ERROR	/* a key written twice in one mapping is an error;
			   checked when mappings are flattened */
};

enum ymerge {
	YMERGE_KEEP,	/* "<<" pairs stay as written */
	YMERGE_FLATTEN	/* at the end of a mapping: its own keys, then
			   those of its "<<" sources (a mapping or a list
			   of them, earlier first) not already there; one
			   "<<" per mapping, only as a key */
};

enum ydocs {
	YDOCS_ONE,	/* a second document is an error */
	YDOCS_DROPNULL	/* empty or null documents are dropped; a second
			   real one is an error */
};

struct ypolicy {
	enum yrules	 rules;
	enum ydup	 dupkeys;
	enum ymerge	 merge;
	enum ydocs	 docs;
	size_t		 maxdepth;	/* nesting levels */
	size_t		 maxnodes;	/* nodes made, 0: no cap */
	size_t		 maxweight;	/* nodes, aliases expanded; 0: none */
	size_t		 maxanchors;	/* per document, 0: no cap */
	long		*budget;	/* or NULL: shared by several loads, one
					   per node, alias and merged pair */
};

enum yerr {
	YE_NOMEM,
	YE_SYNTAX,	/* libyaml refused it: parser, value, byteline */
	YE_NODES,	/* maxnodes or the budget */
	YE_WEIGHT,	/* maxweight */
	YE_DEPTH,
	YE_ANCHORS,
	YE_ALIAS,	/* what: the alias, not defined before */
	YE_RECURSIVE,	/* what: the alias, inside its own anchor */
	YE_DOCS,	/* a second document */
	YE_NUL,		/* a NUL in a scalar (YRES_NOW) */
	YE_SCALAR,	/* what: the constructor's words (YRES_NOW) */
	YE_TAG,		/* a collection tag (YRES_NOW) */
	YE_KEY,		/* a key that is not a scalar (YMERGE_FLATTEN) */
	YE_DUP,		/* a duplicate key (YDUP_ERROR) */
	YE_DUPMERGE,	/* a second "<<" (YMERGE_FLATTEN) */
	YE_MERGEKEY,	/* "<<" not as a key (YMERGE_FLATTEN) */
	YE_MERGEVAL	/* "<<" of no mapping (YMERGE_FLATTEN) */
};

struct yerror {
	enum yerr	 code;
	size_t		 line;		/* from 1; 0 when unknown */
	char		 what[256];
	int		 parser;	/* YE_SYNTAX: yaml_error_type_t */
	int		 value;		/* YE_SYNTAX: the bad byte, or -1 */
	size_t		 byteline;	/* YE_SYNTAX: the line of that byte */
};

int	ytree_load(const char *buf, size_t len, const struct ypolicy *pol,
	    struct ytree *t, struct yerror *e);
void	ytree_free(struct ytree *t);

/* For yamlmerge.c: flatten mapping m (YMERGE_FLATTEN); 0 or -1 with e. */
int	ytree_flatten(struct ynode *m, const struct ypolicy *pol,
	    struct yerror *e);

#endif
