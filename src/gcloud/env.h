/*
 * env.h - the process environment.  This is the only module that calls
 * getenv(); everything else asks here, so that what the shim reads from the
 * environment is in one place.
 */
#ifndef ENV_H
#define ENV_H

#include <stddef.h>
#include <stdio.h>

enum preflight_mode {
	PREFLIGHT_ENFORCE,	/* default: stop on a denial or failed check */
	PREFLIGHT_WARN,		/* report, then hand over anyway */
	PREFLIGHT_ONLY,		/* check and report, never run gcloud */
	/* no network, no gcloud: say what would be checked */
	PREFLIGHT_PLAN,
	PREFLIGHT_OFF,		/* hand over at once */
	PREFLIGHT_AUDIT		/* audit.h: read Cloud Logging, run no gcloud */
};

enum report_format {
	FORMAT_TEXT,
	FORMAT_JSON
};

struct env {
	enum preflight_mode	 mode;
	enum report_format	 format;
	const char		*gcloud;	/* GCLOUD_RUN_DEPLOY_GCLOUD */
	long			 timeout_ms;	/* GCLOUD_RUN_DEPLOY_TIMEOUT */
	/* stderr is a terminal, no NO_COLOR */
	int			 color;
	int			 color_out;	/* the same for stdout */
	int			 verbose;	/* GCLOUD_RUN_DEPLOY_VERBOSE */
	int			 depth;		/* GCLOUD_RUN_DEPLOY_DEPTH */
	/* --- registry check (registry.c): test and mirror seam --- */
	const char		*connect_to;	/* GCLOUD_RUN_DEPLOY_CONNECT_TO,
						 * parsed by
						 * http_connect_to() */
	/* --- output (issue 13) --- */
	const char		*report_file;	/* GCLOUD_RUN_DEPLOY_REPORT, or
						 * --preflight-report=FILE */
	/* report_file, opened by main() */
	FILE			*report;
	/* GCLOUD_RUN_DEPLOY_SERVICE_AGENT=block: a service agent that
	 * cannot read stops the deploy */
	int			 agent_block;
	int			 progress;	/* stderr is a terminal: show a
						 * progress line */
};

/*
 * Fill `c` from the environment.  Returns 0, or -1 with a message in
 * err when a variable holds a value the shim does not accept.
 */
int env_load(struct env *c, char *err, size_t errlen);

/* Parse a mode or format word; -1 when unknown. */
int env_parse_mode(const char *s);
int env_parse_format(const char *s);
int env_parse_agent(const char *s);	/* warn 0, block 1, else -1 */
const char *env_mode_name(enum preflight_mode mode);

/* Every mode word, in the order of enum preflight_mode, joined by sep. */
const char *env_mode_words(const char *sep, char *buf, size_t len);

/*
 * The one rule for the mode in force: the command line's (`given`, an
 * enum preflight_mode, or -1 when it names none), else
 * GCLOUD_RUN_DEPLOY_PREFLIGHT, else enforce.  -1 when the variable holds
 * a word that is no mode (env_load() says so).
 */
int env_mode(int given);

/* getenv() for the other modules: NULL when unset. */
const char *env_get(const char *name);

#endif
