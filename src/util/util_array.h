/*
 * util_array.h - arrays that grow one element at a time.
 *
 * An array grown only by array_grow() has room for the next power of two
 * elements, so it needs no capacity field: before storing element n (n in
 * use), call array_grow(&arr, n, sizeof(*arr)).  Allocate such an array
 * nowhere else, and hold no pointer into it across a call: the elements
 * may move.
 */
#ifndef UTIL_ARRAY_H
#define UTIL_ARRAY_H

#include <stddef.h>

/*
 * Make room for element n of *arrp (a pointer to the array pointer): 0,
 * or -1 (out of memory) with the array as it was.
 */
int array_grow(void *arrp, size_t n, size_t size);

#endif
