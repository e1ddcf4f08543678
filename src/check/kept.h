/*
 * kept.h - the images an update keeps.
 *
 * An update (and a deploy to a service that exists) makes a new revision
 * from the deployed containers, with the images the command line names in
 * place of theirs: a plain --image replaces the ingress container's (the
 * one with ports, else the only or first one), --container NAME --image
 * replaces NAME's.  Every container left alone is pulled again, so its
 * image is checked too.
 *
 * Steps for a caller:
 *   1. kept_wanted(a): whether to read the deployed resource;
 *   2. runclient_read() with kept_kind(&a->cmd);
 *   3. kept_merge(&r, a->images, a->nimages, a->remove_containers,
 *      kept): kept[i] = 1 for each deployed container whose image the new
 *      revision keeps (--remove-containers A,B drops A and B).
 */
#ifndef KEPT_H
#define KEPT_H

#include <stddef.h>

#include "api/ar.h"
#include "api/runclient.h"
#include "argv/cli.h"

/*
 * Why the images the deployed resource keeps cannot be read (a static
 * string), or NULL: multi-region services live in several regions, and
 * alpha's workers have no v2 read; their named images are still checked,
 * the kept ones are reported unchecked.
 */
const char *kept_unreadable(const struct deploy_args *a);

/*
 * 1: "... update" always; "... deploy" when it names an image (without
 * one it builds from source); never "create" or "replace".
 */
int kept_wanted(const struct deploy_args *a);

/* The resource Cloud Run reads for the command (a multi-region service
 * and alpha's workers read as services, but kept_unreadable() says
 * they are not read). */
enum run_kind kept_kind(const struct cli_command *c);

/*
 * A SERVICE or JOB given as gcloud's full resource name,
 * namespaces/PROJECT/COLLECTION/NAME: its project and name (0).  -1 for
 * a plain name, which the caller uses as it is.
 */
int kept_qualified(const char *given, char *project, size_t plen,
    char *name, size_t nlen);

/*
 * One round trip: read `d` (NULL: nothing to read) from run_ep and ask
 * ar_check()'s questions q[0..nq) of ar_ep, all on one fetch_all() inside
 * o's deadline.  0 when everything asked has its answer (d->status, each
 * q[i].status); -1 with err when nothing could be asked, as
 * runclient_read() and ar_check() say.
 */
int kept_ask(struct run_read *d, const char *run_ep, struct ar_query *q,
    size_t nq, const char *ar_ep, const struct http_opts *o,
    const char *token, char *err, size_t errlen);

void kept_merge(const struct run_read *r, const struct cli_image *named,
    size_t nnamed, const char *removed, int *kept);

#endif
