/*
 * ynode.h - one node of a YAML tree (yamltree.h builds them, yamlscalar.h
 * types their scalars): the type both modules share, so neither includes
 * the other.
 */
#ifndef YNODE_H
#define YNODE_H

#include <stddef.h>

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };

/* What gcloud's round-trip constructor makes of a scalar (YRES_NOW). */
enum yvtype {
	YV_NULL,
	YV_BOOL,
	YV_INT,
	YV_FLOAT,
	YV_STR,
	YV_MERGE	/* the plain key "<<" */
};

struct ynode {
	enum ytype	 type;
	size_t		 line;		/* where it starts, from 1 */
	char		*val;		/* scalar bytes as written */
	size_t		 vlen;		/* may hold NUL under YRES_LATER */
	int		 plain;		/* unquoted scalar */
	char		*tag;		/* a scalar's explicit tag, or NULL */
	int		 vtype;		/* YRES_NOW: enum yvtype */
	char		*str;		/* YRES_NOW: Python's str() of it */
	struct ynode	**kid;		/* items; or key, value, key, ... */
	size_t		 nkid, cap;
	/* nodes, aliases expanded (maxweight) */
	size_t		 weight;
	int		 done;		/* complete: an alias may name it */
};

#endif
