/*
 * preflight-doubt - the shim's deploy mode with a doubt about the service
 * name, for tests/t41: preflight_run_doubt() is where the parser's verdict
 * plugs in (preflight.h) before the command line model carries it.
 *
 *	preflight-doubt WHY [gcloud run deploy ARGS...]
 *
 * WHY is service_ambiguous_why (service_ambiguous is set).  Exits as the
 * shim would, except that a hand-over prints "handover" on stdout and
 * exits 0 instead of running gcloud.
 */
#include <limits.h>
#include <stdio.h>

#include "argv/cli.h"
#include "check/preflight.h"
#include "gcloud/env.h"
#include "gcloud/gcloud.h"
#include "out/report.h"

int
main(int argc, char *argv[])
{
	struct preflight_doubt d;
	struct deploy_args a;
	struct env c;
	char err[1024], nf[1024], path[PATH_MAX];
	enum route route;
	int found, rc;

	if (argc < 2) {
		fprintf(stderr, "usage: preflight-doubt WHY ARGS...\n");
		return 64;
	}
	if (env_load(&c, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 64;
	}
	d.service_ambiguous = 1;
	d.service_ambiguous_why = argv[1];
	argv[1] = argv[0];	/* the command line without WHY */
	if (cli_parse(argc - 1, argv + 1, CLI_DEPLOY, &a, err,
	    sizeof(err)) != CLI_OK) {
		fprintf(stderr, "%s\n", err);
		return 64;
	}
	found = gcloud_locate(c.gcloud, path, sizeof(path), nf,
	    sizeof(nf)) == 0;
	route = preflight_run_doubt(&c, &a, a.mode >= 0 ?
	    (enum preflight_mode)a.mode : c.mode, a.format >= 0 ?
	    (enum report_format)a.format : c.format, found ? path : NULL, &d,
	    &rc);
	cli_free(&a);
	if (route == ROUTE_HANDOVER) {
		printf("handover\n");
		return 0;
	}
	return rc;
}
