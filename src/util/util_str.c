/*
 * util_str.c - small string tests (see util_str.h).
 */
#include <stddef.h>
#include <string.h>

#include "util/util_str.h"

int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

int
plainword(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || strchr("'\"\\`$", s[i]))
			return 0;
	return 1;
}
