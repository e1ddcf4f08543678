/*
 * util_array.c - arrays that grow one element at a time (util_array.h).
 */
#include <stdlib.h>

#include "util/util_array.h"

int
array_grow(void *arrp, size_t n, size_t size)
{
	void *np;

	if (n != 0 && (n & (n - 1)) != 0)
		return 0;	/* room left: capacity is the next power of 2 */
	if ((np = reallocarray(*(void **)arrp, n ? n * 2 : 1, size)) == NULL)
		return -1;
	*(void **)arrp = np;
	return 0;
}
