/*
 * report.h - everything the user reads: the denial with its grant command,
 * errors with their remediation, the text and JSON reports.  Remediation
 * text lives here and nowhere else.
 *
 * The JSON report's field names are a public interface (SPEC section 8):
 * {"command", "principal", "decision", "images": [{"image", "container",
 * "kind", "reference": {"domain", "path", "tag", "digest"}, "repository",
 * "result", "detail", "manifest", "exists", "service_agent": {"member",
 * "result", "detail", "grant"} or null}]}.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

#include "agent.h"
#include "arclient.h"
#include "exists.h"
#include "imageref.h"
#include "token.h"

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
	DECISION_PLANNED	/* plan mode */
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
	/* After the IAM answer (extras.h), NULL when not asked: */
	const struct exists_query *ex;		/* the manifest */
	const struct agent_check *sa;		/* the Cloud Run service
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
};

struct report {
	const char		*command;	/* "run deploy" */
	const char		*service;
	struct principal	 who;
	enum decision		 decision;
	int			 warn;		/* warn mode: gcloud runs anyway */
	struct report_image	*images;
	size_t			 n;
	const char		*note;		/* why nothing was checked */
	int			 color;
	const struct report_settings *settings;	/* plan mode, or NULL */
	const char		*project;	/* the deploy project */
	const char		*agent_member;	/* its Cloud Run service
						 * agent, "" when unknown */
};

/* The JSON object, one line, on `f`. */
void report_json(FILE *f, const struct report *r);

/* The human report: problems and hints, in gcloud's tone, on `f`. */
void report_text(FILE *f, const struct report *r);

/* A one-line summary for a granted check (verbose and only modes). */
void report_summary(FILE *f, const struct report *r);

/* "ERROR: (gcloud-run-deploy) ..." with printf arguments, on stderr. */
void report_error(int color, const char *fmt, ...)
    __attribute__((__format__(__printf__, 2, 3)));

/* A remediation hint after an error ("hint: ..."), on stderr. */
void report_hint(const char *fmt, ...)
    __attribute__((__format__(__printf__, 1, 2)));

/*
 * The command that grants `member` roles/artifactregistry.reader on ref's
 * repository, with `sep` between --project and --location (" ", or a
 * continuation).  -1 when ref is not in Artifact Registry or buf is short.
 */
int report_grant_line(const char *member, const struct imageref *ref,
    const char *sep, char *buf, size_t len);

/*
 * "To grant it, run:" and that command for `who`, ready to paste; when
 * the principal is unknown, MEMBER and a note on whose it is (`whose`).
 */
void report_grant(FILE *f, const struct principal *who,
    const struct imageref *ref, const char *whose);

const char *report_result_name(enum result r);
const char *report_decision_name(enum decision d);

#endif
