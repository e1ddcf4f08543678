/*
 * flagsfile_int.h - what flagsfile.c, flagsfile_yaml.c and
 * flagsfile_scalar.c share; not an API.  The tree is yamltree.h's.
 */
#ifndef FLAGSFILE_INT_H
#define FLAGSFILE_INT_H

#include <stddef.h>

struct ynode;
struct ytree;

/* What is left to spend, shared by every file of one expansion. */
struct ffbudget {
	long		nodes;		/* nodes built or visited */
	size_t		bytes;		/* bytes of words made */
};

#define FFBUDGET_BYTES	(32UL * 1024 * 1024)

/*
 * Build the tree of one YAML stream (yamltree.h; free it with
 * ytree_free(), also after an error); budget->nodes goes down by one per
 * node.  0, or -1 with *line and a message in err.
 */
int ffyaml_load(const char *buf, size_t len, struct ytree *d,
    struct ffbudget *budget, int *line, char *err, size_t errlen);

/* The value as JSON text in *out (malloc'd); 0 or -1 with err. */
int ffscalar_json(const struct ynode *n, char **out,
    struct ffbudget *budget, char *err, size_t errlen);

#endif
