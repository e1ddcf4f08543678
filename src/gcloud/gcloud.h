/*
 * gcloud.h - find the real gcloud and hand the command line over to it.
 *
 * Steps for a caller:
 *   1. gcloud_save_signals() first thing in main(), before anything can
 *      change a signal disposition or the mask;
 *   2. gcloud_locate(): GCLOUD_RUN_DEPLOY_GCLOUD (an absolute path), else a
 *      PATH search for "gcloud" that skips this program itself, compared by
 *      device and inode, so a shim installed as gcloud never runs itself;
 *   3. gcloud_exec(): restore what was saved and execv() the absolute path,
 *      argv[0] the path, then the forwarded words byte for byte.
 */
#ifndef GCLOUD_H
#define GCLOUD_H

#include <stddef.h>

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif

#define GCLOUD_MAX_DEPTH	8	/* hand-overs through ourselves */

void gcloud_save_signals(void);

/*
 * Write the real gcloud's absolute path into out.  `override` is
 * GCLOUD_RUN_DEPLOY_GCLOUD or NULL.  0, or -1 with a message in err
 * (the caller exits 127).
 */
int gcloud_locate(const char *override, char *out, size_t outlen, char *err,
    size_t errlen);

/*
 * execv() `path` with argv {path, fwd...}; `depth` is this process's
 * GCLOUD_RUN_DEPLOY_DEPTH, passed on plus one so that a loop through the
 * shim stops.  Never returns: exits 127 (not found) or 126 (not
 * executable) when execv fails.
 */
__dead void gcloud_exec(const char *path, char **fwd, int nfwd, int depth);

#endif
