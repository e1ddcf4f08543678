/*
 * gcloud-run-deploy - check that the deploying principal can read the
 * container images, then hand the command line over to the real gcloud.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "conf.h"
#include "gcloud.h"
#include "preflight.h"
#include "report.h"
#include "stdinbuf.h"
#include "usage.h"

/* The mode comes from the program's name, never from the words after it. */
static enum cli_mode
invoked_as(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base != NULL ? base + 1 : argv0;
	return strcmp(base, "gcloud") == 0 ? CLI_WRAPPER : CLI_DEPLOY;
}

static __dead void
handover(const struct conf *c, const struct deploy_args *a, int found,
    const char *path, const char *why)
{
	if (!found) {
		report_error(c->color, "%s", why);
		report_hint("install the Google Cloud CLI, or set "
		    "GCLOUD_RUN_DEPLOY_GCLOUD to its absolute path");
		exit(EXIT_NOGCLOUD);
	}
	fflush(stdout);
	gcloud_exec(path, a->fwd, a->nfwd, c->depth);
}

#define DISPATCH_HANDOVER	(-1)
#define DISPATCH_CHECK		(-2)
#define DISPATCH_AUDIT		(-3)

/*
 * What to do with a parsed command line: hand it over at once, check it,
 * or exit with a status.  In wrapper mode a command that deploys nothing
 * is gcloud's whatever mode the environment sets (GCLOUD_RUN_DEPLOY_
 * PREFLIGHT=only must not swallow `gcloud config list`); only the shim's
 * own options on the command line can ask for more.
 */
static int
dispatch(const struct conf *c, const struct deploy_args *a,
    enum cli_status st, enum preflight_mode mode, int found, const char *err)
{
	int checks = mode != PREFLIGHT_OFF && mode != PREFLIGHT_PLAN &&
	    mode != PREFLIGHT_ONLY && mode != PREFLIGHT_AUDIT;

	if (a->wrapper && a->command == NULL && a->mode < 0)
		return DISPATCH_HANDOVER;
	if (mode == PREFLIGHT_AUDIT)
		return DISPATCH_AUDIT;
	if (st == CLI_BADINPUT) {
		/*
		 * A flags file that cannot be read: gcloud will say so too,
		 * unless the shim consumed part of stdin on the way.
		 */
		if (!stdinbuf_failed() && (!a->check ||
		    mode == PREFLIGHT_OFF || mode == PREFLIGHT_WARN))
			return DISPATCH_HANDOVER;
		report_error(c->color, "%s", err);
		return EXIT_BADIMAGE;
	}
	if (mode == PREFLIGHT_OFF ||
	    (!a->check && mode != PREFLIGHT_PLAN && mode != PREFLIGHT_ONLY))
		return DISPATCH_HANDOVER;
	if (!found && checks)
		return DISPATCH_HANDOVER;	/* 127 now, not after a check */
	return DISPATCH_CHECK;
}

int
main(int argc, char *argv[])
{
	struct conf c;
	struct deploy_args a;
	enum preflight_mode mode;
	enum report_format fmt;
	enum usage_request u;
	char err[1024], nf[1024], path[PATH_MAX];
	enum cli_status st;
	int found, rc;

	gcloud_save_signals();
	setprogname("gcloud-run-deploy");
	/* A lone --help or --version is ours in deploy mode only. */
	if (invoked_as(argv[0]) == CLI_DEPLOY &&
	    (u = usage_request(argc, argv)) != USAGE_NONE)
		return usage_print(stdout, u) == 0 ? 0 : 1;
	if (conf_load(&c, err, sizeof(err)) != 0) {
		report_error(c.color, "%s", err);
		return EXIT_USAGE;
	}
	st = cli_parse(argc, argv, invoked_as(argv[0]), &a, err, sizeof(err));
	if (st == CLI_USAGE || st == CLI_NOMEM) {
		report_error(c.color, "%s", err);
		cli_free(&a);
		return st == CLI_USAGE ? EXIT_USAGE : EXIT_UNAVAILABLE;
	}
	mode = a.mode >= 0 ? (enum preflight_mode)a.mode : c.mode;
	fmt = a.format >= 0 ? (enum report_format)a.format : c.format;
	found = gcloud_locate(c.gcloud, path, sizeof(path), nf,
	    sizeof(nf)) == 0;
	if ((rc = dispatch(&c, &a, st, mode, found, err)) == DISPATCH_HANDOVER)
		handover(&c, &a, found, path, nf);
	if (rc == DISPATCH_AUDIT)	/* audit.h: no hand-over */
		rc = audit_run(&c, &a, fmt, found ? path : NULL);
	if (rc != DISPATCH_CHECK) {
		cli_free(&a);
		return rc;
	}
	cli_warn(&a, found ? path : NULL, stderr);
	rc = preflight_run(&c, &a, mode, fmt, found ? path : NULL);
	if (rc == PREFLIGHT_HANDOVER)
		handover(&c, &a, found, path, nf);
	cli_free(&a);
	return rc;
}
