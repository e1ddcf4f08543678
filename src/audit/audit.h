/*
 * audit.h - `gcloud-run-deploy --preflight=audit --project=P
 * [--freshness=30d]`: the audit-log query of Google's notice ("look for
 * 'User does not have access to image' errors in audit logs"), through the
 * Cloud Logging API (v2 entries:list), summarised by principal, image and
 * repository, each with the command that grants the access.
 *
 * audit.c builds the request and does the I/O; decoding the answers
 * (auditparse.c) and printing (auditreport.c) are kept apart from it, so
 * that they can be unit tested and fuzzed.
 *
 * Steps for a caller of the parts:
 *   1. audit_freshness("30d", &secs); audit_since(now, secs, since, len);
 *      audit_filter(since, filter, len);
 *   2. body = audit_request(project, filter, page_token, page_size);
 *      POST it to ENDPOINT "v2/entries:list"; free(body);
 *   3. audit_decode(&au, code, body, len, next, sizeof(next), &e) for each
 *      page, until next is "";
 *   4. audit_sort(&au); audit_text() or audit_json(); audit_free(&au).
 */
#ifndef AUDIT_H
#define AUDIT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "api/imageref.h"
#include "argv/cli.h"
#include "auth/token.h"
#include "gcloud/env.h"
#include "net/apierror.h"

#define AUDIT_PHRASE	"User does not have access to image"
#define AUDIT_ENDPOINT	"https://logging.googleapis.com/"
#define AUDIT_DEFAULT_FRESHNESS	"30d"
#define AUDIT_FRESHNESS_MAX	(400LL * 86400)	/* _Required's retention */
/*
 * A Cloud Run audit entry carries the whole service in its request and
 * response (2 to 10 KB): pages are kept well under HTTP_BODY_MAX, and
 * halved when one still overflows.
 */
#define AUDIT_PAGE_SIZE		100
#define AUDIT_MIN_PAGE_SIZE	5
#define AUDIT_MAX_PAGES		100
#define AUDIT_MAX_ENTRIES	10000
#define AUDIT_MAX_GROUPS	500	/* more: counted in omitted */
#define AUDIT_MAX_SERVICES	50	/* per group */
#define AUDIT_TOKEN_MAX		8192	/* nextPageToken */

struct audit_service {
	char	*name;		/* service_name (or job) */
	char	*region;	/* location label; "" when not logged */
};

struct audit_group {
	struct principal	 who;	/* UNKNOWN: no usable principalEmail */
	char			*image;	/* as logged; "" when none is named */
	size_t			 count;	/* entries */
	char			 latest[64];	/* RFC 3339 as logged, or "" */
	long long		 latest_s;	/* latest, for ordering */
	long			 latest_ns;
	struct audit_service	*svc;
	size_t			 nsvc;
};

struct audit {
	struct audit_group	*g;
	size_t			 n;
	size_t			 entries;	/* entries read */
	size_t			 pages;		/* pages decoded */
	size_t			 omitted;	/* past AUDIT_MAX_GROUPS */
};

/* --- audit.c: the request --- */

/*
 * A --freshness value as gcloud's Duration reads it, restricted to what
 * the audit needs: one or more NUMBER UNIT pairs, UNIT one of d, h, m, s
 * (any case), or a bare number of seconds; more than 0, at most 400d.
 * 0, or -1 when not valid.
 */
int audit_freshness(const char *s, long long *seconds);

/* now - seconds as RFC 3339 UTC ("2024-11-29T01:02:03Z"); 0 or -1. */
int audit_since(time_t now, long long seconds, char *buf, size_t len);

/* The notice's query with the lower time bound; 0 or -1. */
int audit_filter(const char *since, char *buf, size_t len);

/* Is `p` a project ID (or a domain-scoped one) fit for a request? */
int audit_project_ok(const char *p);

/*
 * The entries:list request body (malloc'd JSON), or NULL when out of
 * memory.  page_token NULL or "" for the first page.
 */
char *audit_request(const char *project, const char *filter,
    const char *page_token, int page_size);

/* --- auditparse.c: the answers --- */

/*
 * The image the message names after AUDIT_PHRASE (any case), searched
 * from `msg`: copied to out without control characters, quotes or final
 * punctuation.  Returns where to look for the next one, or NULL when the
 * phrase is not there.  out is "" when the phrase names no image.
 */
const char *audit_message_image(const char *msg, char *out, size_t len);

/* RFC 3339 ("...T...Z" or with an offset) to seconds and nanoseconds. */
int audit_time(const char *s, long long *sec, long *nsec);

/*
 * Decode one entries:list answer into au: entries are grouped by
 * (principal, image).  next gets nextPageToken ("" on the last page).
 * 0, or -1 with e filled (an API error, an answer that is not a page,
 * out of memory).
 */
int audit_decode(struct audit *au, long code, const char *body, size_t len,
    char *next, size_t nextlen, struct api_error *e);

/* Newest first (latest), then by count, principal and image. */
void audit_sort(struct audit *au);

void audit_free(struct audit *au);

/* --- auditreport.c --- */

/* What the report says besides the groups (audit.c fills it in). */
struct audit_info {
	const char	*project;
	const char	*freshness;	/* as given */
	const char	*since;		/* the bound sent */
	int		 complete;	/* the last page was read */
	const char	*error;		/* why it stopped early, or NULL */
};

/*
 * The grant command on one line, as report.c prints it for a denial
 * (MEMBER when the principal is unknown); -1 when the image has no
 * Artifact Registry repository.
 */
int audit_grant(const struct principal *who, const struct imageref *ref,
    char *buf, size_t len);

/* "found", else "clean" when every page was read, else "error". */
const char *audit_decision(const struct audit *au,
    const struct audit_info *in);

/* The summary (sorted au) as one JSON object on a line, or as text. */
void audit_json(FILE *f, const struct audit *au, const struct audit_info *in);
void audit_text(FILE *f, const struct audit *au, const struct audit_info *in);

/* --- audit.c --- */

/*
 * The audit mode: query, report on stdout (text, or JSON with fmt), and
 * the exit status: 0 nothing found, 77 found, 69 the query could not
 * finish, 64 a bad option.  `gcloud` as for preflight_run().
 */
int audit_run(const struct env *c, const struct deploy_args *a,
    enum report_format fmt, const char *gcloud);

#endif
