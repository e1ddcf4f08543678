/*
 * util_str.h - small string tests.
 */
#ifndef UTIL_STR_H
#define UTIL_STR_H

/* s is set and not "": a property or variable that says something. */
int nonempty(const char *s);

#endif
