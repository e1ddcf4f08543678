/*
 * audit.c - the audit mode: the query of Google's notice through Cloud
 * Logging's entries:list, page after page, with the same token, quota
 * project, CA file, proxy and deadline as the check (preflight.c), then
 * the summary.  Decoding is auditparse.c's, printing auditreport.c's.
 *
 * MUST rules for this file:
 *   - the token goes only to fetch_all(); every message is scrubbed of it;
 *   - paging is bounded: AUDIT_MAX_PAGES, AUDIT_MAX_ENTRIES and the one
 *     deadline (GCLOUD_RUN_DEPLOY_TIMEOUT), token included;
 *   - a listing that did not finish is never reported as clean.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "audit/audit.h"
#include "auth/session.h"
#include "gcloud/props.h"
#include "gcloud/transport.h"
#include "net/fetch.h"
#include "net/http.h"
#include "out/hint.h"
#include "out/report.h"
#include "util/exitcode.h"
#include "util/util_time.h"

#define DIGITS	"0123456789"
#define LATE_MS	50	/* a timer fires at its time or a little after */

struct aud {
	const struct env	*c;
	const struct deploy_args *a;
	enum report_format	 fmt;
	const char		*gcloud;
	struct props		 props;
	const char		*project;
	char			 freshness[64];
	char			 since[32];
	char			 filter[256];
	char			 endpoint[1024];
	struct audit		 au;
	int			 complete;	/* the last page was read */
	int			 truncated;	/* stopped at a bound */
	int			 failed;	/* e says why */
	int			 late;		/* failed at the deadline */
	struct api_error	 e;
};

/* --- the request --- */

static int
unitsecs(int c)
{
	switch (tolower(c)) {
	case 'd':
		return 86400;
	case 'h':
		return 3600;
	case 'm':
		return 60;
	case 's':
		return 1;
	}
	return 0;
}

int
audit_freshness(const char *s, long long *seconds)
{
	const char *p, *errstr;
	long long total = 0, n;
	int mul;

	if (s == NULL || *s == '\0')
		return -1;
	if (s[strspn(s, DIGITS)] == '\0') {	/* gcloud: seconds */
		total = strtonum(s, 1, AUDIT_FRESHNESS_MAX, &errstr);
		if (errstr != NULL)
			return -1;
		*seconds = total;
		return 0;
	}
	for (p = s; *p != '\0';) {
		if (!isdigit((unsigned char)*p))
			return -1;
		for (n = 0; isdigit((unsigned char)*p); p++)
			if ((n = n * 10 + (*p - '0')) > AUDIT_FRESHNESS_MAX)
				return -1;
		if ((mul = unitsecs((unsigned char)*p)) == 0)
			return -1;
		p++;
		if ((total += n * mul) > AUDIT_FRESHNESS_MAX)
			return -1;
	}
	if (total <= 0)
		return -1;
	*seconds = total;
	return 0;
}

int
audit_since(time_t now, long long seconds, char *buf, size_t len)
{
	time_t t = now - (time_t)seconds;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	return 0;
}

int
audit_filter(const char *since, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "resource.type=\"cloud_run_revision\" AND "
	    "severity=ERROR AND \"" AUDIT_PHRASE "\" AND timestamp>=\"%s\"",
	    since);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
audit_project_ok(const char *p)
{
	size_t n = p != NULL ? strlen(p) : 0;

	return n > 0 && n <= 128 && strchr("-.:", p[0]) == NULL &&
	    strspn(p, "abcdefghijklmnopqrstuvwxyz" DIGITS "-.:") == n;
}

char *
audit_request(const char *project, const char *filter,
    const char *page_token, int page_size)
{
	cJSON *o, *names;
	char name[160], *s = NULL;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	snprintf(name, sizeof(name), "projects/%s", project);
	if ((names = cJSON_AddArrayToObject(o, "resourceNames")) == NULL ||
	    !cJSON_AddItemToArray(names, cJSON_CreateString(name)) ||
	    cJSON_AddStringToObject(o, "filter", filter) == NULL ||
	    cJSON_AddStringToObject(o, "orderBy", "timestamp desc") == NULL ||
	    cJSON_AddNumberToObject(o, "pageSize", page_size) == NULL)
		goto out;
	if (page_token != NULL && *page_token != '\0' &&
	    cJSON_AddStringToObject(o, "pageToken", page_token) == NULL)
		goto out;
	s = cJSON_PrintUnformatted(o);
out:
	cJSON_Delete(o);
	return s;
}

/* --- the query --- */

static void
fail(struct aud *r, const char *msg)
{
	apierror_clear(&r->e);
	apierror_copy(r->e.message, sizeof(r->e.message), msg);
	r->failed = 1;
}

/*
 * One entries:list request.  1: the page was too large, ask again for
 * half as many entries; 0: decoded, next is the next page's token; -1:
 * r->e says why.
 */
static int
page(struct aud *r, const struct transport *s, const char *token,
    long deadline, int *size, char *next)
{
	struct http_opts o;
	struct fetch f;
	char url[1100], err[512], *body;
	long left = deadline - now_ms();
	int rc = -1;

	if (left <= 0) {
		snprintf(err, sizeof(err), "GCLOUD_RUN_DEPLOY_TIMEOUT reached "
		    "after %zu pages", r->au.pages);
		fail(r, err);
		return -1;
	}
	if ((body = audit_request(r->project, r->filter, next, *size)) ==
	    NULL) {
		fail(r, "out of memory");
		return -1;
	}
	snprintf(url, sizeof(url), "%sv2/entries:list", r->endpoint);
	memset(&f, 0, sizeof(f));
	f.url = url;
	f.post = body;
	transport_http(s, left, r->c->verbose, &o);
	if (fetch_all(&f, 1, &o, token, err, sizeof(err)) != 0)
		fail(r, err);
	else if (f.body.overflow && *size > AUDIT_MIN_PAGE_SIZE) {
		*size /= 2;
		rc = 1;
	} else if (apierror_transport(&r->e, &f, token) ||
	    audit_decode(&r->au, f.code, f.body.data, f.body.len, next,
	    AUDIT_TOKEN_MAX, &r->e) != 0)
		r->failed = 1;
	else
		rc = 0;
	apierror_scrub(&r->e, token);
	fetch_free(&f, 1);
	free(body);
	return rc;
}

static int
pages(struct aud *r, const struct transport *s, const char *token,
    long deadline)
{
	char *next;
	int size = AUDIT_PAGE_SIZE, rc;

	if ((next = calloc(1, AUDIT_TOKEN_MAX)) == NULL) {
		fail(r, "out of memory");
		return -1;
	}
	for (;;) {
		if (r->au.pages >= AUDIT_MAX_PAGES ||
		    r->au.entries >= AUDIT_MAX_ENTRIES) {
			r->truncated = 1;
			rc = 0;
			break;
		}
		if ((rc = page(r, s, token, deadline, &size, next)) < 0)
			break;
		if (rc == 0 && next[0] == '\0') {
			r->complete = 1;
			break;
		}
	}
	free(next);
	return rc < 0 ? -1 : 0;
}

/* The credentials session of the check (session.h), then every page. */
static void
query(struct aud *r)
{
	struct session ss;
	char err[1024];

	if (session_open(&ss, &r->props, r->a, r->gcloud, r->c->timeout_ms,
	    err, sizeof(err)) != 0 ||
	    transport_endpoint(&r->props, "logging", AUDIT_ENDPOINT,
	    r->endpoint, sizeof(r->endpoint), err, sizeof(err)) != 0)
		fail(r, err);
	else
		pages(r, &ss.settings, ss.token.value, ss.deadline);
	/*
	 * At the deadline, whatever the step (config-helper, a request, the
	 * next page); not a connection refused or timed out before it.
	 */
	if (r->failed && session_left(&ss) <= LATE_MS)
		r->late = 1;
	apierror_scrub(&r->e, ss.token.value);
	http_multi_close();	/* its connections carried the token */
	session_close(&ss);
}

static int
finish(struct aud *r)
{
	struct audit_info in;

	memset(&in, 0, sizeof(in));
	in.project = r->project;
	in.freshness = r->freshness;
	in.since = r->since;
	in.complete = r->complete;
	in.error = r->failed ? r->e.message : NULL;
	audit_sort(&r->au);
	if (r->fmt == FORMAT_JSON)
		audit_json(stdout, &r->au, &in);
	else
		audit_text(stdout, &r->au, &in);
	if (r->failed) {
		report_error(r->c->color, "cannot read the audit logs of "
		    "project '%s'%s: %s", r->project, r->au.n > 0 ?
		    " to the end" : "", r->e.message);
		hint_audit(&r->e, r->project, r->endpoint[0] != '\0');
		if (r->late)
			hint_audit_late(r->c->timeout_ms / 1000);
	} else if (r->truncated)
		report_error(r->c->color, "stopped after %zu pages (%zu "
		    "entries): give a shorter --freshness", r->au.pages,
		    r->au.entries);
	if (r->au.n > 0)
		return EXIT_DENIED;
	return r->complete ? 0 : EXIT_UNAVAILABLE;
}

/* --- setting up --- */

static int
load_props(struct aud *r, char *err, size_t errlen)
{
	return props_for_command(&r->props, r->a, r->gcloud, err, errlen);
}

static int
setup(struct aud *r)
{
	const char *given = r->a->freshness != NULL ? r->a->freshness :
	    AUDIT_DEFAULT_FRESHNESS;
	long long secs;
	char err[1024];

	apierror_copy(r->freshness, sizeof(r->freshness), given);
	if (audit_freshness(given, &secs) != 0) {
		report_error(r->c->color, "--freshness: '%s' is not a duration "
		    "like 30d, 12h or 90m (at most 400d)", r->freshness);
		return EXIT_USAGE;
	}
	if (load_props(r, err, sizeof(err)) != 0) {
		report_error(r->c->color, "%s", err);
		return EXIT_UNAVAILABLE;
	}
	r->project = props_get(&r->props, "core/project");
	if (r->project == NULL || *r->project == '\0') {
		report_error(r->c->color, "audit: no project; give "
		    "--project=PROJECT or set core/project");
		return EXIT_USAGE;
	}
	if (!audit_project_ok(r->project)) {
		report_error(r->c->color, "audit: '%s' is not a project ID",
		    r->project);
		return EXIT_USAGE;
	}
	if (audit_since(time(NULL), secs, r->since, sizeof(r->since)) != 0 ||
	    audit_filter(r->since, r->filter, sizeof(r->filter)) != 0) {
		report_error(r->c->color, "audit: cannot compute the time "
		    "bound");
		return EXIT_USAGE;
	}
	return 0;
}

int
audit_run(const struct env *c, const struct deploy_args *a,
    enum report_format fmt, const char *gcloud)
{
	struct aud r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.c = c, r.a = a, r.fmt = fmt, r.gcloud = gcloud;
	props_init(&r.props);
	if ((rc = setup(&r)) == 0) {
		query(&r);
		rc = finish(&r);
	}
	audit_free(&r.au);
	props_free(&r.props);
	return rc;
}
