/*
 * route.h - what main() does next with a command line: exit with a
 * status, hand it over to the real gcloud, check it first, or audit.
 * The status travels beside the route, never encoded in it.
 */
#ifndef ROUTE_H
#define ROUTE_H

enum route {
	ROUTE_EXIT,	/* exit with the status (exitcode.h) */
	ROUTE_HANDOVER,	/* exec the real gcloud with the original argv */
	ROUTE_CHECK,	/* run the check (preflight.h), then decide */
	ROUTE_AUDIT	/* run the audit (audit.h); no hand-over */
};

#endif
