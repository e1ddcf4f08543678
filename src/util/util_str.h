/*
 * util_str.h - small string tests.
 */
#ifndef UTIL_STR_H
#define UTIL_STR_H

#include <stddef.h>

/* s is set and not "": a property or variable that says something. */
int nonempty(const char *s);

/*
 * The n bytes of s are printable ASCII without white space, quotes,
 * backslash, backquote or '$': a word that is safe on a shell line and
 * in a message (1 for n == 0).
 */
int plainword(const char *s, size_t n);

#endif
