/*
 * flagsfile_int.h - what flagsfile.c, flagsfile_yaml.c and
 * flagsfile_scalar.c share; not an API.
 */
#ifndef FLAGSFILE_INT_H
#define FLAGSFILE_INT_H

#include <stddef.h>

enum ffn_type {
	FFN_SCALAR,
	FFN_SEQ,
	FFN_MAP
};

/* What gcloud's loader makes of a scalar. */
enum ffv_type {
	FFV_NULL,
	FFV_BOOL,
	FFV_INT,
	FFV_FLOAT,
	FFV_STR,
	FFV_MERGE	/* the plain key "<<" */
};

struct ffnode {
	int		  type;		/* enum ffn_type */
	int		  line;		/* where it starts, from 1 */
	int		  vtype;	/* scalars: enum ffv_type */
	char		 *raw;		/* scalars: the text as written */
	char		 *str;		/* scalars: Python's str() of it */
	char		 *anchor;	/* until the node is complete */
	struct ffnode	**kids;		/* seq: items; map: key, value, ... */
	size_t		  nkids;
	size_t		  capkids;
};

struct ffdoc {
	struct ffnode	 *root;		/* NULL: the stream has no document */
	struct ffnode	**all;		/* every node, for freeing */
	size_t		  nall;
	size_t		  capall;
};

/* What is left to spend, shared by every file of one expansion. */
struct ffbudget {
	long		nodes;		/* nodes built or visited */
	size_t		bytes;		/* bytes of words made */
};

#define FFBUDGET_BYTES	(32UL * 1024 * 1024)

/*
 * Build the tree of one YAML stream; budget->nodes goes down by one per
 * node.  0, or -1 with *line and a message in err.
 */
int ffyaml_load(const char *buf, size_t len, struct ffdoc *d,
    struct ffbudget *budget, int *line, char *err, size_t errlen);
void ffyaml_free(struct ffdoc *d);

/* Resolve a scalar as gcloud's loader would; 0 or -1 with err. */
int ffscalar_resolve(struct ffnode *n, const char *tag, int plain, int v11,
    char *err, size_t errlen);

/* The value as JSON text in *out (malloc'd); 0 or -1 with err. */
int ffscalar_json(const struct ffnode *n, char **out,
    struct ffbudget *budget, char *err, size_t errlen);

#endif
