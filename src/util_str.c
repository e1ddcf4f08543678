/*
 * util_str.c - small string tests (see util_str.h).
 */
#include <stddef.h>

#include "util_str.h"

int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}
