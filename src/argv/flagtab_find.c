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

/* Binary search: the generator sorts each table by name. */
const struct flagspec *
flagtab_find(const struct flagspec *tab, size_t n, const char *name,
    size_t namelen)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strncmp(tab[mid].name, name, namelen);
		if (c == 0 && tab[mid].name[namelen] != '\0')
			c = 1;
		if (c == 0)
			return &tab[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
