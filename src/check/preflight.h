/*
 * preflight.h - the check, from a parsed command line to a decision.
 *
 * preflight_run() reads gcloud's properties, parses every image, asks
 * Artifact Registry about each distinct repository (unless planning),
 * reports, and says what main() does next (route.h): ROUTE_EXIT with the
 * status in *status, or ROUTE_HANDOVER to gcloud.
 */
#ifndef PREFLIGHT_H
#define PREFLIGHT_H

#include "argv/cli.h"
#include "gcloud/conf.h"
#include "util/exitcode.h"
#include "util/route.h"

/*
 * `gcloud` is the real gcloud's absolute path, or NULL when none was found
 * (plan mode does not need one).
 */
enum route preflight_run(const struct conf *c, const struct deploy_args *a,
    enum preflight_mode mode, enum report_format fmt, const char *gcloud,
    int *status);

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

enum route preflight_run_doubt(const struct conf *c,
    const struct deploy_args *a, enum preflight_mode mode,
    enum report_format fmt, const char *gcloud,
    const struct preflight_doubt *doubt, int *status);

#endif
