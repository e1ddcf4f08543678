/*
 * helper.h - run gcloud's config-helper (token.c's only child).
 */
#ifndef HELPER_H
#define HELPER_H

#include <stddef.h>

/*
 * Run argv (argv[0] an absolute path) with the helper environment; its
 * stdout, at most cap bytes, in buf (n bytes), within ms milliseconds
 * (then it is killed).  0, or -1 with a message in err.
 */
int helper_run(char *const argv[], char *buf, size_t cap, size_t *n,
    long ms, char *err, size_t errlen);

#endif
