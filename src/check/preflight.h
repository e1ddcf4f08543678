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
#include "check/resource.h"
#include "gcloud/env.h"
#include "util/exitcode.h"
#include "util/route.h"

/*
 * `gcloud` is the real gcloud's absolute path, or NULL when none was found
 * (plan mode does not need one).
 */
enum route preflight_run(const struct env *c, const struct deploy_args *a,
    enum preflight_mode mode, enum report_format fmt, const char *gcloud,
    int *status);

enum route preflight_run_doubt(const struct env *c,
    const struct deploy_args *a, enum preflight_mode mode,
    enum report_format fmt, const char *gcloud,
    const struct preflight_doubt *doubt, int *status);

#endif
