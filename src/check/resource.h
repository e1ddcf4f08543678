/*
 * resource.h - the deployed resource an update reads for the images it
 * keeps (kept.h): whether to read it, by what name, project and
 * region, and why it cannot be read before the hand-over.
 *
 * Steps for a caller (preflight.c):
 *   1. resource_init(&k, a, &props, doubt);
 *   2. resource_why_unread(&k): k.unread says why it cannot be read ("" when
 *      it can);
 *   3. resource_must_read(&k), then resource_target(&k, endpoint, ...) to fill
 *      k.dep for kept_ask();
 *   4. resource_free(&k) after the report is printed (it shows k.unread and
 *      the kept images, which point into k.dep).
 */
#ifndef RESOURCE_H
#define RESOURCE_H

#include <stddef.h>

#include "api/runclient.h"
#include "argv/cli.h"
#include "gcloud/props.h"

/*
 * What the command line leaves open, which the check must not guess.
 * service_ambiguous: the SERVICE (JOB, WORKER_POOL) word may not be the
 * one gcloud deploys to (a flag unknown to the tables may take the next
 * word as its value); the deployed resource is then not read, and the
 * images it keeps are reported `unchecked` with service_ambiguous_why.
 * Zeroed: no doubt.  preflight_run() takes it from the cli model.
 */
struct preflight_doubt {
	int		 service_ambiguous;
	const char	*service_ambiguous_why;
};

struct resource {
	const struct deploy_args	*a;
	const struct props		*props;
	const struct preflight_doubt	*doubt;
	struct run_read			 dep;	/* the deployed resource,
						 * if read */
	char				 unread[768];	/* why it is not
							 * read, "" */
	char				 qproject[256], qname[256];
};

void resource_init(struct resource *k, const struct deploy_args *a,
    const struct props *p, const struct preflight_doubt *doubt);

/* "service", "job" or "worker pool": what the command deploys. */
const char *resource_noun(const struct deploy_args *a);

void resource_why_unread(struct resource *k);

/* 1 when the check must read the deployed resource. */
int resource_must_read(struct resource *k);

/*
 * Fill k.dep with what to read and endpoint with where: 0, or -1 with a
 * message in err (no name, project or region).
 */
int resource_target(struct resource *k, char *endpoint, size_t len,
    char *err, size_t errlen);

void resource_free(struct resource *k);

#endif
