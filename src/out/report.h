/*
 * report.h - everything the user reads: the denial with its grant command,
 * errors with their remediation, the text and JSON reports.  Remediation
 * text comes from hint.h and is written nowhere else.
 *
 * The JSON report's field names are a public interface (SPEC section 8),
 * described by doc/report.schema.json (REPORT_SCHEMA is its version):
 * {"schema", "command", "service", "principal", "decision", "images":
 * [{"image", "container", "kind", "reference": {"domain", "path", "tag",
 * "digest"}, "repository", "result", "detail", "member" and "grant" (denied
 * images), "manifest", "exists", "service_agent": {"member", "result",
 * "detail", "grant"} or null}], "note", "error": {"cause", "message"} (an
 * error decision), "settings" (plan mode)}.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

#include "api/ar.h"
#include "api/imageref.h"
#include "api/registry.h"
#include "api/runclient.h"
#include "api/svcagent.h"
#include "auth/token.h"
#include "gcloud/env.h"
#include "out/hint.h"

enum result {
	RESULT_GRANTED,
	RESULT_DENIED,
	RESULT_ERROR,
	RESULT_SKIPPED,
	RESULT_PLANNED,
	RESULT_UNCHECKED	/* could not be covered; detail says why.
				 * image is NULL for the images a deployed
				 * resource keeps when it was not read */
};

enum decision {
	DECISION_DEPLOY,	/* gcloud runs (or would, in only mode) */
	DECISION_BLOCKED,	/* a permission is missing */
	DECISION_ERROR,		/* the check could not finish */
	DECISION_PLANNED,	/* plan mode */
	DECISION_WARNING	/* JSON only: gcloud runs (or would), but no
				 * grant was found for the Cloud Run service
				 * agent (report_agent_risk) */
};

struct report_image {
	const char		*image;		/* as given */
	const char		*container;	/* NULL: the only container */
	struct imageref		 ref;
	enum result		 result;
	const struct ar_query	*q;		/* the answer, when asked */
	const char		*detail;	/* static text, or NULL */
	int			 from_deployed;	/* kept from the deployed
						 * revision, not named */
};

/*
 * What the checks after the IAM answer (postiam.h) found for one image,
 * NULL when not asked.  They own it; the report reads it through
 * report_after().
 */
struct report_after {
	const struct registry_query *ex;	/* the manifest */
	const struct svcagent_check *sa;	/* the Cloud Run service
						 * agent, for a repository
						 * in another project */
};

/* The effective settings, shown by plan mode (all may be NULL). */
struct report_settings {
	const char	*configuration;	/* the active configuration's name */
	const char	*account;
	const char	*impersonate;
	const char	*project;
	const char	*region;
	const char	*quota_project;	/* X-Goog-User-Project, or NULL */
	const char	*ar_endpoint;
	const char	*run_endpoint;
	const char	*ca_file;
	const char	*proxy;		/* without user and password */
	const char	*token_file;	/* auth/access_token_file */
};

struct report {
	const char		*command;	/* "run deploy" */
	const char		*service;
	struct principal	 who;
	enum decision		 decision;
	/* warn mode: gcloud runs anyway */
	int			 warn;
	struct report_image	*images;
	size_t			 n;
	const char		*note;		/* why nothing was checked */
	int			 color;
	const struct report_settings *settings;	/* plan mode, or NULL */
	const struct report_after *after;	/* per image, or NULL */
	size_t			 nafter;
	const char		*project;	/* the deploy project */
	const char		*agent_member;	/* its Cloud Run service
						 * agent, "" when unknown */
};

#define REPORT_SCHEMA	1

/*
 * What the checks after the IAM answer found for `im`, one of r->images:
 * never NULL (both members NULL when nothing was asked).
 */
const struct report_after *report_after(const struct report *r,
    const struct report_image *im);

/* The JSON object, one line, on `f`. */
void report_json(FILE *f, const struct report *r);

/*
 * Once, from main(): the settings every report needs (the deadline the
 * way-out hints name, whether a progress line may be shown).
 */
void report_setup(const struct env *c);

/*
 * The JSON report where it belongs (SPEC section 8): in only and plan
 * modes on stdout, the one object there; in the modes that run gcloud
 * never on stdout (gcloud's), but in the report file, else on stderr.
 * A report file (c->report) gets it in every mode and format.
 */
void report_json_out(const struct env *c, enum preflight_mode mode,
    enum report_format fmt, const struct report *r);

/*
 * Why a check could not finish, as a word for scripts (JSON "error.cause":
 * timeout, network, credentials, api-disabled, quota-project, api-error,
 * invalid-image, image-not-found, bad-input, check-failed), and the
 * message; from the images' answers or the last report_error().
 */
const char *report_cause(const struct report *r, const char **message);

/*
 * Plan mode: no account, access token or token file is set (the metadata
 * server is not asked in plan mode).
 */
int report_no_credentials(const struct report *r);

/* Plan mode's settings, one per line, as the text plan shows them. */
void report_settings_text(FILE *f, const struct report_settings *s);

/* What this run did not check, into buf ("" when it checked all). */
void report_note(const struct report *r, char *buf, size_t len);

/*
 * 1 when no grant was found for a Cloud Run service agent (missing_only),
 * or when that could not be told either (0).
 */
int report_agent_risk(const struct report *r, int missing_only);

/* 1 when that stops the deploy (--preflight-service-agent=block). */
int report_agent_block(void);

/*
 * The way out of a check that could not finish (exit 69), as hint lines
 * on `f`: --preflight=warn, and GCLOUD_RUN_DEPLOY_TIMEOUT for a timeout.
 */
void report_way_out(FILE *f, const struct report *r);

/* The human report: problems and hints, in gcloud's tone, on `f`. */
void report_text(FILE *f, const struct report *r);

/* A one-line summary for a granted check (verbose and only modes). */
void report_summary(FILE *f, const struct report *r);

/* "ERROR: (gcloud-run-deploy) ..." with printf arguments, on stderr. */
void report_error(int color, const char *fmt, ...)
    __attribute__((__format__(__printf__, 2, 3)));


const char *report_result_name(enum result r);
const char *report_last_error(void);	/* "" when none */
const char *report_decision_name(enum decision d);

#endif
