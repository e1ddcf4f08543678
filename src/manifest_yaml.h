/*
 * manifest_yaml.h - private to manifest.c and manifest_yaml.c: the tree
 * libyaml's events are built into, and the helpers both files share.
 */
#ifndef MANIFEST_YAML_H
#define MANIFEST_YAML_H

#include <regex.h>
#include <stddef.h>

#include "manifest.h"

#define NRES	5	/* bool, int, float, timestamp, merge/value */

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ytype	 type;
	char		*val;		/* scalar bytes, may hold NUL */
	size_t		 vlen;
	int		 plain;		/* unquoted scalar */
	char		*tag;		/* explicit tag, or NULL */
	size_t		 line;
	struct ynode	**kid;		/* items; or key, value, key, ... */
	size_t		 nkid, cap;
	size_t		 weight;	/* nodes, aliases expanded */
	int		 done;
};

struct anchor {
	char		*name;
	struct ynode	*node;
};

struct pctx {
	const char	*want;		/* the command's kind, or NULL */
	const char	*kind;		/* the manifest's, once read */
	char		 label[512];	/* "'x.yaml'" or "standard input" */
	char		*err;
	size_t		 errlen;
	struct ynode	**all;		/* owns every node */
	size_t		 nall, allcap;
	struct ynode	*stack[MANIFEST_MAX_DEPTH];
	size_t		 depth;
	struct anchor	 anch[MANIFEST_MAX_ANCHORS];
	size_t		 nanch;
	struct ynode	*docroot, *root;
	int		 docv12, v12;
	regex_t		 re[NRES];	/* of the root's YAML version */
	size_t		 nre;		/* compiled so far */
};

int	myaml_fail(struct pctx *c, size_t line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
const char *myaml_safe(const char *s, char *buf, size_t len);
int	myaml_parse(struct pctx *c, const char *buf, size_t len);
void	myaml_free(struct pctx *c);
int	myaml_isnull(const struct ynode *n);
int	myaml_isstr(struct pctx *c, const struct ynode *n);

#endif
