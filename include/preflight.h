/*
 * preflight.h - the check, from a parsed command line to a decision.
 *
 * preflight_run() reads gcloud's properties, parses every image, asks
 * Artifact Registry about each distinct repository (unless planning),
 * reports, and says what main() does next: exit with a status, or hand
 * over to gcloud (PREFLIGHT_HANDOVER).
 */
#ifndef PREFLIGHT_H
#define PREFLIGHT_H

#include "cli.h"
#include "conf.h"

#define PREFLIGHT_HANDOVER	(-1)

/* Exit codes of the shim itself (SPEC section 7). */
#define EXIT_USAGE		64
#define EXIT_BADIMAGE		65
#define EXIT_UNAVAILABLE	69
#define EXIT_DENIED		77
#define EXIT_NOGCLOUD		127

/*
 * `gcloud` is the real gcloud's absolute path, or NULL when none was found
 * (plan mode does not need one).
 */
int preflight_run(const struct conf *c, const struct deploy_args *a,
    enum preflight_mode mode, enum report_format fmt, const char *gcloud);

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

int preflight_run_doubt(const struct conf *c, const struct deploy_args *a,
    enum preflight_mode mode, enum report_format fmt, const char *gcloud,
    const struct preflight_doubt *doubt);

#endif
