/*
 * manifest_yaml.h - private to manifest.c and manifest_yaml.c: the
 * reader's state around its tree (yamltree.h), and the helpers both files
 * share.
 */
#ifndef MANIFEST_YAML_H
#define MANIFEST_YAML_H

#include <stddef.h>

#include "argv/manifest.h"
#include "yaml/yamltree.h"

struct pctx {
	const char	*want;		/* the command's kind, or NULL */
	const char	*kind;		/* the manifest's, once read */
	char		 label[512];	/* "'x.yaml'" or "standard input" */
	char		*err;
	size_t		 errlen;
	struct ytree	 t;		/* t.root: the one real document */
};

int	myaml_fail(struct pctx *c, size_t line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
const char *myaml_safe(const char *s, char *buf, size_t len);
int	myaml_parse(struct pctx *c, const char *buf, size_t len);
void	myaml_free(struct pctx *c);
int	myaml_isnull(const struct ynode *n);
int	myaml_isstr(struct pctx *c, const struct ynode *n);

#endif
