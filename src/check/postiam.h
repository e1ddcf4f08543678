/*
 * postiam.h - the checks after the IAM answer (SPEC section 9), for the
 * images it granted: the manifest exists (registry.h) and, for a repository
 * in another project than the deploy, the Cloud Run service agent can read
 * it (svcagent.h).  Their requests all go in one fetch_all(), inside the
 * check's deadline.
 *
 * Where requests go: Google's hosts only when gcloud's own settings point
 * there.  With api_endpoint_overrides/artifactregistry set (a private
 * endpoint, a test fake) the registry host is not assumed reachable: a
 * manifest is asked only when GCLOUD_RUN_DEPLOY_CONNECT_TO routes its
 * host:443, and the service agent only with
 * api_endpoint_overrides/cloudresourcemanager set too.
 *
 * What they find is kept here, per image of the list (check_images.h);
 * the report reads it through postiam_show() and owns none of it.
 *
 * Steps for a caller:
 *   1. postiam_plan(&e, &im, want, &props, ar_endpoint, connect_to) for
 *      the images whose result is `want` (RESULT_GRANTED, or
 *      RESULT_PLANNED in plan mode): plans their manifest and service
 *      agent checks;
 *   2. postiam_run(&e, &opts, token) (not in plan mode), then
 *      postiam_apply(&e, &im): a registry denial or error becomes the
 *      image's result;
 *   3. postiam_show(&e, &rep) after every change, before the report is
 *      read; postiam_free(&e) after it is printed.
 */
#ifndef POSTIAM_H
#define POSTIAM_H

#include "net/curlfn.h"

#include "api/registry.h"
#include "api/svcagent.h"
#include "check/check_images.h"
#include "gcloud/props.h"
#include "out/report.h"

struct postiam {
	struct registry_query	*x;
	size_t			 nx;
	struct svcagent_run	 agent;
	char			 crm[1024];	/* Resource Manager endpoint */
	struct http_opts	 ro;		/* the registry's options */
	struct report_after	*after;		/* per image of the list */
	size_t			 nafter;
	const char		*project;	/* the deploy project */
	const char		*member;	/* its service agent, once
						 * planned */
};

int postiam_plan(struct postiam *e, const struct check_images *im,
    enum result want, const struct props *p, const char *ar_endpoint,
    const struct curl_slist *connect_to);
void postiam_run(struct postiam *e, const struct http_opts *o,
    const char *token);
void postiam_apply(const struct postiam *e, struct check_images *im);

/* The report's view of the findings. */
void postiam_show(const struct postiam *e, struct report *rep);

void postiam_free(struct postiam *e);

#endif
