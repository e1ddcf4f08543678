/*
 * replacefile.h - the images of `gcloud run ... replace FILE`: the containers
 * of the manifest FILE names (or standard input for "-", read once and
 * given back to gcloud at the hand-over; see stdinbuf.h).
 *
 * Steps for a caller:
 *   1. replacefile_is(a): whether the command is a replace;
 *   2. replacefile_images(a, &m, &list, &n, err, errlen): 0 with list[0..n-1]
 *      (pointing into m) in document order; -1 with err when the file
 *      cannot be read, is not a manifest, or is of another kind than the
 *      command replaces (a Job given to `services replace`);
 *   3. free(list); manifest_free(&m).
 */
#ifndef REPLACEFILE_H
#define REPLACEFILE_H

#include <stddef.h>

#include "argv/cli.h"
#include "argv/manifest.h"

int replacefile_is(const struct deploy_args *a);

int replacefile_images(const struct deploy_args *a, struct manifest *m,
    struct cli_image **list, size_t *n, char *err, size_t errlen);

#endif
