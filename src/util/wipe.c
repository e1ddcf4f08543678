/*
 * wipe.c - free memory that may hold a secret (see wipe.h).
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "util/wipe.h"

void
wipe_free(void *p)
{
	if (p != NULL)
		explicit_bzero(p, malloc_usable_size(p));
	free(p);
}
