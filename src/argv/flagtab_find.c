/*
 * flagtab_find.c - look-ups in the generated flag tables (src/argv/flagtab.c).
 */
#include <string.h>

#include "argv/flagtab.h"

const struct flagcmd *
flagtab_group(const char *group)
{
	const struct flagcmd *c;

	for (c = flagtab_groups; c->command != NULL; c++)
		if (strcmp(c->command, group) == 0)
			return c;
	return NULL;
}

int
flagtab_has(const struct flagcmd *t, size_t i)
{
	return i < flagtab_nspecs && (t->mask[i / 64] >> (i % 64) & 1) != 0;
}

/* flagtab_specs[i].name against name[0..namelen) */
static int
cmpname(size_t i, const char *name, size_t namelen)
{
	int c;

	c = strncmp(flagtab_specs[i].name, name, namelen);
	if (c == 0 && flagtab_specs[i].name[namelen] != '\0')
		c = 1;
	return c;
}

/*
 * Binary search for the first spec of that name (the generator sorts them
 * by name), then the one of them that t has.
 */
const struct flagspec *
flagtab_find(const struct flagcmd *t, const char *name, size_t namelen)
{
	size_t lo = 0, hi = flagtab_nspecs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cmpname(mid, name, namelen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < flagtab_nspecs && cmpname(lo, name, namelen) == 0; lo++)
		if (flagtab_has(t, lo))
			return &flagtab_specs[lo];
	return NULL;
}
