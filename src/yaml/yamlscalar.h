/*
 * yamlscalar.h - what gcloud's ruamel loaders make of a YAML scalar: one
 * table of ruamel's implicit resolvers (YAML 1.1 and 1.2, resolver.py, in
 * POSIX ERE, with ruamel's first-character filters), used by both loaders:
 *
 *   yscalar_type()    the round-trip loader and gcloud's own constructor
 *                     (core/yaml_location_value.py), for flags files:
 *                     booleans and nulls as such, int(text), float(text),
 *                     everything else as the text; "0x10", ".inf" and
 *                     dates resolve and then fail in Python (an error);
 *   yscalar_isstr()   the SafeLoader, for manifests: would the value be a
 *                     Python str?
 *
 * Neither prints nor exits.
 */
#ifndef YAMLSCALAR_H
#define YAMLSCALAR_H

#include <stddef.h>

#include "yaml/ynode.h"

/*
 * Set n->vtype and n->str (Python's str() of the value: "007" -> "7",
 * "1e3" -> "1000.0"; for other types n->str is n->val) from n->val,
 * n->tag and n->plain under YAML 1.1 (v11) or 1.2 rules.  0, or -1 with a
 * message in err.
 */
int	yscalar_type(struct ynode *n, int v11, char *err, size_t errlen);

/* A null under the SafeLoader: "", "~", "null" plain, or tagged !!null. */
int	yscalar_isnull(const struct ynode *n);

/* Would the SafeLoader give a Python str for n?  Unsure: no. */
int	yscalar_isstr(const struct ynode *n, int v11);

#endif
