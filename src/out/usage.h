/*
 * usage.h - the shim's own --help and --version, in deploy mode only.
 *
 * `gcloud-run-deploy --help` (or -h) and `gcloud-run-deploy --version`,
 * each as the only argument, are the shim's; any other command line,
 * and every command line in wrapper mode (invoked as gcloud), is
 * gcloud's, so `gcloud run deploy --help` stays reachable as
 * `gcloud-run-deploy SERVICE --help` or `gcloud-run-deploy
 * --preflight=off --help`.
 *
 * Steps for a caller (main(), before cli_parse()):
 *   1. usage_request(argc, argv) -> enum usage_request;
 *   2. when not USAGE_NONE, usage_print() on stdout and exit 0.
 */
#ifndef USAGE_H
#define USAGE_H

#include <stdio.h>

enum usage_request {
	USAGE_NONE,	/* the command line is gcloud's */
	USAGE_HELP,	/* --help or -h alone */
	USAGE_VERSION	/* --version alone */
};

enum usage_request usage_request(int argc, char **argv);

/* The short usage or the version lines on `f`; 0, or -1 on a write error. */
int usage_print(FILE *f, enum usage_request u);

#endif
