/*
 * gcloud-run-deploy - check that the deploying principal can read the
 * container images, then hand the command line over to the real gcloud.
 */
#include <sys/prctl.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv/cli.h"
#include "argv/flagsfile.h"
#include "audit/audit.h"
#include "check/preflight.h"
#include "gcloud/env.h"
#include "gcloud/gcloud.h"
#include "gcloud/stdinbuf.h"
#include "out/hint.h"
#include "out/progress.h"
#include "out/report.h"
#include "out/usage.h"
#include "util/exitcode.h"
#include "util/route.h"

/* The mode comes from the program's name, never from the words after it. */
static enum cli_mode
invoked_as(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base != NULL ? base + 1 : argv0;
	return strcmp(base, "gcloud") == 0 ? CLI_WRAPPER : CLI_DEPLOY;
}

static __dead void
handover(const struct env *c, const struct deploy_args *a, int found,
    const char *path, const char *why)
{
	if (!found) {
		report_error(c->color, "%s", why);
		hint_no_gcloud();
		exit(EXIT_NOGCLOUD);
	}
	progress_stop();
	fflush(stdout);
	if (c->report != NULL)
		fclose(c->report);
	gcloud_exec(path, a->fwd, a->nfwd, c->depth);
}

/*
 * The shim's own options on the command line win over the environment;
 * the report file is opened (and emptied) before the check, so that a
 * report left by an earlier run is never read as this one's.
 */
static int
settle(struct env *c, const struct deploy_args *a, int check)
{
	if (a->report_file != NULL)
		c->report_file = a->report_file;
	if (a->agent != NULL)
		c->agent_block = env_parse_agent(a->agent);
	report_setup(c);
	if (!check)	/* audit: its own report, on stdout */
		return 0;
	if (c->report_file == NULL ||
	    (c->report = fopen(c->report_file, "we")) != NULL)
		return 0;
	report_error(c->color, "cannot write the report to '%s': %s",
	    c->report_file, strerror(errno));
	return -1;
}

/*
 * `gcloud-run-deploy run deploy api ...`: gcloud would take "run" for the
 * service and refuse "deploy", always; say why before anything runs.
 */
static int
typo(const struct env *c, const struct deploy_args *a)
{
	static const char *const words[] = { "deploy", "services", "jobs",
	    "worker-pools" };
	size_t i;

	if (a->wrapper || a->nfwd < 4 || strcmp(a->fwd[2], "run") != 0)
		return 0;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(a->fwd[3], words[i]) == 0)
			break;
	if (i == sizeof(words) / sizeof(words[0]))
		return 0;
	report_error(c->color, "'gcloud-run-deploy' already means 'gcloud "
	    "run deploy': 'run %s' makes a service named 'run'", words[i]);
	hint_run_verb(words[i]);
	return 1;
}

/* What the progress line says: the images, as gcloud names resources. */
static void
progress(const struct env *c, const struct deploy_args *a,
    enum preflight_mode mode)
{
	char what[200];

	/* Not over a verbose trace, nor when nothing is sent. */
	if (!c->progress || c->verbose || mode == PREFLIGHT_PLAN)
		return;
	if (a->nimages == 1)
		snprintf(what, sizeof(what), "Checking that the deployer can "
		    "read [%s]", a->images[0].image);
	else if (a->nimages > 1)
		snprintf(what, sizeof(what), "Checking that the deployer can "
		    "read %zu images", a->nimages);
	else
		snprintf(what, sizeof(what), "Reading %s [%s] and checking "
		    "that the deployer can read its images", a->command,
		    a->service != NULL ? a->service : "");
	progress_start(1, what);
}

static enum route unknown_command(const struct env *, enum preflight_mode,
    const char *, int *);

/*
 * A flags file the shim did not expand.  plan and only never run gcloud.
 * One gcloud cannot read either (missing, not YAML) fails there too: hand
 * over where nothing is checked anyway, unless the shim consumed part of
 * stdin on the way.  One only the shim refuses (its size, depth or node
 * limits, a named pipe) may hold flags that turn the check back on
 * (--platform=managed after --platform=gke, --image with --function):
 * not a silent pass, as for command words (unknown_command()).
 */
static enum route
unread_flagsfile(const struct env *c, const struct deploy_args *a,
    enum preflight_mode mode, const char *err, int *status)
{
	int own = flagsfile_unsupported();

	if (mode != PREFLIGHT_PLAN && mode != PREFLIGHT_ONLY &&
	    !stdinbuf_failed()) {
		if (mode == PREFLIGHT_OFF || (a->check &&
		    mode == PREFLIGHT_WARN) || (!a->check && !own))
			return ROUTE_HANDOVER;
		if (!a->check)
			return unknown_command(c, mode, err, status);
	}
	report_error(c->color, "%s", err);
	*status = own && !a->check ? EXIT_UNAVAILABLE : EXIT_BADIMAGE;
	return ROUTE_EXIT;
}

/*
 * What to do with a parsed command line (route.h): hand it over at once,
 * check it, audit, or exit with the status in *status.  In wrapper mode a
 * command that deploys nothing is gcloud's whatever mode the environment
 * sets (GCLOUD_RUN_DEPLOY_PREFLIGHT=only must not swallow `gcloud config
 * list`); only the shim's own options on the command line can ask for more.
 */
static enum route
dispatch(const struct env *c, const struct deploy_args *a,
    enum cli_status st, enum preflight_mode mode, int found, const char *err,
    int *status)
{
	int checks = mode != PREFLIGHT_OFF && mode != PREFLIGHT_PLAN &&
	    mode != PREFLIGHT_ONLY && mode != PREFLIGHT_AUDIT;

	if (a->wrapper && a->command == NULL && a->mode < 0)
		return ROUTE_HANDOVER;
	if (mode == PREFLIGHT_AUDIT)
		return ROUTE_AUDIT;
	if (st == CLI_BADINPUT)
		return unread_flagsfile(c, a, mode, err, status);
	if (mode == PREFLIGHT_OFF ||
	    (!a->check && mode != PREFLIGHT_PLAN && mode != PREFLIGHT_ONLY))
		return ROUTE_HANDOVER;
	if (!found && checks)
		return ROUTE_HANDOVER;	/* 127 now, not after a check */
	return ROUTE_CHECK;
}

/*
 * The command words, or flags that decide what is checked, may be in a
 * flags file the shim cannot expand (flagsfile_unsupported()), so it
 * cannot tell what gcloud will deploy.  Not a silent hand-over: off hands
 * over, warn says so and hands over, any other mode stops (69).
 */
static enum route
unknown_command(const struct env *c, enum preflight_mode mode,
    const char *err, int *status)
{
	if (mode == PREFLIGHT_OFF)
		return ROUTE_HANDOVER;
	if (mode == PREFLIGHT_WARN) {
		fprintf(stderr, "WARNING: (gcloud-run-deploy) not checked: the "
		    "command may come from a flags file the shim cannot "
		    "read: %s\n", err);
		return ROUTE_HANDOVER;
	}
	report_error(c->color, "cannot tell what this command deploys: "
	    "its words or flags may come from a flags file the shim cannot "
	    "read: %s", err);
	hint_command_unread();
	*status = EXIT_UNAVAILABLE;
	return ROUTE_EXIT;
}

int
main(int argc, char *argv[])
{
	struct env c;
	struct deploy_args a;
	enum preflight_mode mode;
	enum report_format fmt;
	enum usage_request u;
	char err[1024], nf[1024], path[PATH_MAX];
	enum cli_status st;
	enum route route;
	int found, rc = 0, known = 1;

	/*
	 * No core file from the start: the environment may hold the token
	 * (CLOUDSDK_AUTH_ACCESS_TOKEN), and flags files, a credential file
	 * and the proxy's password are read before the token is obtained.
	 * execve() makes gcloud dumpable again.
	 */
	prctl(PR_SET_DUMPABLE, 0);
	gcloud_save_signals();
	setprogname("gcloud-run-deploy");
	/* A lone --help or --version is ours in deploy mode only. */
	if (invoked_as(argv[0]) == CLI_DEPLOY &&
	    (u = usage_request(argc, argv)) != USAGE_NONE)
		return usage_print(stdout, u) == 0 ? 0 : 1;
	if (env_load(&c, err, sizeof(err)) != 0) {
		report_error(c.color, "%s", err);
		return EXIT_USAGE;
	}
	/* wrapper mode: no flags file is read for a command known not to
	 * deploy */
	if (invoked_as(argv[0]) == CLI_WRAPPER &&
	    (known = cli_command_known(argc, argv, CLI_WRAPPER)) == 0)
		flagsfile_noread(1);
	st = cli_parse(argc, argv, invoked_as(argv[0]), &a, err, sizeof(err));
	if (st == CLI_USAGE || st == CLI_NOMEM) {
		report_error(c.color, "%s", err);
		cli_free(&a);
		return st == CLI_USAGE ? EXIT_USAGE : EXIT_UNAVAILABLE;
	}
	if (typo(&c, &a)) {
		cli_free(&a);
		return EXIT_USAGE;
	}
	mode = a.mode >= 0 ? (enum preflight_mode)a.mode : c.mode;
	fmt = a.format >= 0 ? (enum report_format)a.format : c.format;
	found = gcloud_locate(c.gcloud, path, sizeof(path), nf,
	    sizeof(nf)) == 0;
	route = st == CLI_BADINPUT && a.wrapper && a.command == NULL &&
	    known < 0 && flagsfile_unsupported() ?
	    unknown_command(&c, mode, err, &rc) :
	    dispatch(&c, &a, st, mode, found, err, &rc);
	/*
	 * A deploy with nothing to check (--source...) still writes the
	 * report file a CI job asked for, saying why: never a stale one.
	 */
	if (route == ROUTE_HANDOVER && st == CLI_OK && found && !a.check &&
	    a.command != NULL && mode != PREFLIGHT_OFF &&
	    (a.report_file != NULL || c.report_file != NULL))
		route = ROUTE_CHECK;
	if (route == ROUTE_HANDOVER)
		handover(&c, &a, found, path, nf);
	if ((route == ROUTE_AUDIT || route == ROUTE_CHECK) &&
	    settle(&c, &a, route == ROUTE_CHECK) != 0) {
		route = ROUTE_EXIT;
		rc = EXIT_USAGE;
	}
	if (route == ROUTE_AUDIT) {	/* audit.h: no hand-over */
		rc = audit_run(&c, &a, fmt, found ? path : NULL);
		route = ROUTE_EXIT;
	}
	if (route != ROUTE_CHECK) {
		cli_free(&a);
		return rc;
	}
	cli_warn(&a, found ? path : NULL, stderr);
	progress(&c, &a, mode);
	route = preflight_run(&c, &a, mode, fmt, found ? path : NULL, &rc);
	progress_stop();
	if (route == ROUTE_HANDOVER)
		handover(&c, &a, found, path, nf);
	if (c.report != NULL)
		fclose(c.report);
	cli_free(&a);
	return rc;
}
