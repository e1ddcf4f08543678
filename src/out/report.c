/*
 * report.c - what the user reads.  Messages go to stderr in gcloud's tone
 * ("ERROR: (gcloud-run-deploy) ..."); the JSON report goes to stdout.
 * Colour only when the caller says stderr is a terminal without NO_COLOR.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "out/progress.h"
#include "out/report.h"
#include "util/sanitize.h"

#define PROG	"gcloud-run-deploy"
#define TOKEN_OWNER	"the account that owns the access token"
#define BOLD(r)	((r)->color ? "\033[1m" : "")
#define RED(c)	((c) ? "\033[1;31m" : "")
#define YELLOW(c)	((c) ? "\033[1;33m" : "")	/* gcloud's WARNING: */
/* The level word of a problem: ERROR stops the deploy, WARNING does not. */
#define LEVEL(r)	((r)->warn ? YELLOW((r)->color) : RED((r)->color)), \
	((r)->warn ? "WARNING" : "ERROR"), OFF((r)->color)
#define OFF(c)	((c) ? "\033[0m" : "")

static const char *const results[] = {
	[RESULT_GRANTED] = "granted",
	[RESULT_DENIED] = "denied",
	[RESULT_ERROR] = "error",
	[RESULT_SKIPPED] = "skipped",
	[RESULT_PLANNED] = "planned",
	[RESULT_UNCHECKED] = "unchecked",
};

static const char *const agents[] = {
	[SVCAGENT_PLANNED] = "planned",
	[SVCAGENT_OK] = "ok",
	[SVCAGENT_MISSING] = "missing",
	[SVCAGENT_UNKNOWN] = "unknown",
};

static const char *const decisions[] = {
	[DECISION_DEPLOY] = "deploy",
	[DECISION_BLOCKED] = "blocked",
	[DECISION_ERROR] = "error",
	[DECISION_PLANNED] = "planned",
	[DECISION_WARNING] = "warning",
};

/* The last report_error() message: the cause of an error decision. */
static char last_error[1024];

const char *
report_last_error(void)
{
	return last_error;
}

const struct report_after *
report_after(const struct report *r, const struct report_image *im)
{
	static const struct report_after none;
	size_t i = (size_t)(im - r->images);

	return r->after != NULL && i < r->nafter ? &r->after[i] : &none;
}

const char *
report_result_name(enum result r)
{
	return results[r];
}

const char *
report_decision_name(enum decision d)
{
	return decisions[d];
}

/*
 * A value from the command line, a file or the network, as shown to a
 * person: no control byte or byte above 0x7e reaches the terminal (an
 * image from a manifest could carry escape sequences), and no more than
 * the buffer holds, cut with "..." (a 1 MiB image is not echoed whole).
 */
#define SHOWN	(240 + 4)	/* a value's buffer: 240 characters */

static const char *
shown(const char *s, char *buf, size_t len)
{
	return s == NULL ? "" : san_shown(s, buf, len);
}

void
report_error(int color, const char *fmt, ...)
{
	va_list ap;
	char msg[2048], safe[2048];

	progress_stop();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%sERROR:%s (%s) %s\n", RED(color), OFF(color), PROG,
	    shown(msg, safe, sizeof(safe)));
	strlcpy(last_error, safe, sizeof(last_error));
}

static cJSON *
str_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? cJSON_CreateString(s) :
	    cJSON_CreateNull();
}

static cJSON *
json_reference(const struct report_image *im)
{
	cJSON *o = cJSON_CreateObject();

	if (im->ref.kind == IMAGEREF_INVALID || im->image == NULL) {
		cJSON_Delete(o);
		return cJSON_CreateNull();
	}
	cJSON_AddItemToObject(o, "domain", str_or_null(im->ref.domain));
	cJSON_AddItemToObject(o, "path", str_or_null(im->ref.path));
	cJSON_AddItemToObject(o, "tag", str_or_null(im->ref.tag));
	cJSON_AddItemToObject(o, "digest", str_or_null(im->ref.digest));
	return o;
}

/* The detail line for one image, into buf; "" when there is none. */
static void
detail(const struct report *r, const struct report_image *im, char *buf,
    size_t len)
{
	const struct ar_query *q = im->q;
	const struct registry_query *x = report_after(r, im)->ex;

	buf[0] = '\0';
	if (im->detail != NULL)
		snprintf(buf, len, "%s", im->detail);
	else if (x != NULL && x->status != REGISTRY_PLANNED &&
	    (q == NULL || q->status == AR_GRANTED))
		snprintf(buf, len, "%s", x->detail);
	else if (im->ref.kind == IMAGEREF_INVALID && im->ref.error != NULL)
		snprintf(buf, len, "invalid image reference: %s",
		    im->ref.error);
	else if (q != NULL && q->status == AR_DENIED &&
	    strcmp(q->e.reason, "IAM_PERMISSION_DENIED") == 0)
		snprintf(buf, len, "Artifact Registry refused the check "
		    "(IAM_PERMISSION_DENIED: %s): %s is not granted on the "
		    "repository, or the repository does not exist",
		    q->e.message, AR_PERMISSION);
	else if (q != NULL && q->status == AR_DENIED)
		snprintf(buf, len, "%s is not granted on the repository, or "
		    "the repository does not exist", AR_PERMISSION);
	else if (q != NULL && q->status == AR_ERROR)
		snprintf(buf, len, "%s%s%s%s", q->e.reason[0] ? q->e.reason :
		    q->e.status_name, (q->e.reason[0] || q->e.status_name[0]) ?
		    ": " : "", q->e.message, "");
}

static void
agent_detail(const struct report *r, const struct report_image *im,
    char *buf, size_t len)
{
	const struct svcagent_check *sa = report_after(r, im)->sa;

	if (sa->result != SVCAGENT_PLANNED)
		snprintf(buf, len, "%s", sa->detail);
	else
		snprintf(buf, len, "the repository is in project %s, not the "
		    "deploy project %s: the Cloud Run service agent of %s "
		    "must be able to read it; its project number and the "
		    "IAM policies of the repository and of %s would be read",
		    im->ref.project, r->project, r->project, im->ref.project);
}

static cJSON *
json_agent(const struct report *r, const struct report_image *im)
{
	const struct svcagent_check *sa = report_after(r, im)->sa;
	cJSON *o;
	char buf[1200];

	if (sa == NULL)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "member", str_or_null(r->agent_member));
	cJSON_AddItemToObject(o, "result",
	    cJSON_CreateString(agents[sa->result]));
	agent_detail(r, im, buf, sizeof(buf));
	cJSON_AddItemToObject(o, "detail", str_or_null(buf));
	hint_agent_grant_line(r->agent_member, &im->ref, " ", buf,
	    sizeof(buf));
	cJSON_AddItemToObject(o, "grant", str_or_null(
	    sa->result == SVCAGENT_MISSING ||
	    sa->result == SVCAGENT_UNKNOWN ? buf : NULL));
	return o;
}

static cJSON *
json_exists(const struct registry_query *x)
{
	if (x != NULL && x->status == REGISTRY_FOUND)
		return cJSON_CreateTrue();
	if (x != NULL && x->status == REGISTRY_MISSING)
		return cJSON_CreateFalse();
	return cJSON_CreateNull();
}

/* The member and the grant command of a denied image (SPEC section 8). */
static void
json_denied(cJSON *o, const struct report *r, const struct report_image *im)
{
	char member[400], grant[1200];
	int known = principal_grant_member(&r->who, member,
	    sizeof(member)) == 0;

	cJSON_AddItemToObject(o, "member", str_or_null(known ? member : NULL));
	cJSON_AddItemToObject(o, "grant", str_or_null(
	    hint_grant_line(known ? member : "MEMBER", &im->ref, " ", grant,
	    sizeof(grant)) == 0 ? grant : NULL));
	cJSON_AddItemToObject(o, "member_note", str_or_null(r->who.note));
}

static cJSON *
json_image(const struct report *r, const struct report_image *im)
{
	const struct report_after *ax = report_after(r, im);
	cJSON *o = cJSON_CreateObject();
	char buf[1200];
	int repo = im->ref.kind == IMAGEREF_AR || im->ref.kind == IMAGEREF_GCR;

	cJSON_AddItemToObject(o, "image", str_or_null(im->image));
	cJSON_AddItemToObject(o, "container", str_or_null(im->container));
	cJSON_AddItemToObject(o, "kind", im->image == NULL ?
	    cJSON_CreateNull() :
	    cJSON_CreateString(imageref_kind_name(im->ref.kind)));
	cJSON_AddItemToObject(o, "reference", json_reference(im));
	cJSON_AddItemToObject(o, "repository",
	    str_or_null(repo ? im->ref.resource : NULL));
	cJSON_AddItemToObject(o, "result",
	    cJSON_CreateString(results[im->result]));
	detail(r, im, buf, sizeof(buf));
	cJSON_AddItemToObject(o, "detail", str_or_null(buf));
	if (im->result == RESULT_DENIED)
		json_denied(o, r, im);
	/*
	 * Only for the images the checks after the IAM answer apply to
	 * (asked or planned): absent reads as null (jq), and the fields
	 * SPEC section 8 lists stay exactly as they were for the rest.
	 */
	if ((ax->ex == NULL || ax->ex->status == REGISTRY_SKIPPED) &&
	    ax->sa == NULL)
		return o;
	cJSON_AddItemToObject(o, "manifest",
	    str_or_null(ax->ex != NULL ? ax->ex->url : NULL));
	cJSON_AddItemToObject(o, "exists", json_exists(ax->ex));
	cJSON_AddItemToObject(o, "service_agent", json_agent(r, im));
	return o;
}

static cJSON *
json_settings(const struct report_settings *s)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToObject(o, "configuration",
	    str_or_null(s->configuration));
	cJSON_AddItemToObject(o, "account", str_or_null(s->account));
	cJSON_AddItemToObject(o, "impersonate_service_account",
	    str_or_null(s->impersonate));
	cJSON_AddItemToObject(o, "project", str_or_null(s->project));
	cJSON_AddItemToObject(o, "region", str_or_null(s->region));
	cJSON_AddItemToObject(o, "quota_project",
	    str_or_null(s->quota_project));
	cJSON_AddItemToObject(o, "artifactregistry_endpoint",
	    str_or_null(s->ar_endpoint));
	cJSON_AddItemToObject(o, "run_endpoint", str_or_null(s->run_endpoint));
	cJSON_AddItemToObject(o, "custom_ca_certs_file",
	    str_or_null(s->ca_file));
	cJSON_AddItemToObject(o, "proxy", str_or_null(s->proxy));
	cJSON_AddItemToObject(o, "access_token_file",
	    str_or_null(s->token_file));
	return o;
}

void
report_json(FILE *f, const struct report *r)
{
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	char member[400], note[2048], *s;
	const char *cause, *msg;
	enum decision d = r->decision;
	size_t i;

	progress_stop();
	if (d == DECISION_DEPLOY && report_agent_risk(r, 0))
		d = DECISION_WARNING;
	cJSON_AddNumberToObject(o, "schema", REPORT_SCHEMA);
	cJSON_AddItemToObject(o, "command", str_or_null(r->command));
	cJSON_AddItemToObject(o, "service", str_or_null(r->service));
	cJSON_AddItemToObject(o, "principal", str_or_null(
	    principal_member(&r->who, member, sizeof(member)) == 0 ?
	    member : NULL));
	cJSON_AddItemToObject(o, "decision",
	    cJSON_CreateString(decisions[d]));
	for (i = 0; i < r->n; i++)
		cJSON_AddItemToArray(arr, json_image(r, &r->images[i]));
	cJSON_AddItemToObject(o, "images", arr);
	report_note(r, note, sizeof(note));
	cJSON_AddItemToObject(o, "note", str_or_null(note));
	if (r->decision == DECISION_ERROR) {
		cJSON *e = cJSON_AddObjectToObject(o, "error");

		cause = report_cause(r, &msg);
		cJSON_AddItemToObject(e, "cause", cJSON_CreateString(cause));
		cJSON_AddItemToObject(e, "message", cJSON_CreateString(msg));
	}
	if (r->settings != NULL)
		cJSON_AddItemToObject(o, "settings",
		    json_settings(r->settings));
	san_json_utf8(o);	/* arguments may hold any bytes */
	if ((s = cJSON_PrintUnformatted(o)) != NULL) {
		fprintf(f, "%s\n", s);
		cJSON_free(s);
	}
	cJSON_Delete(o);
	fflush(f);
}

static void
who_text(const struct report *r, char *buf, size_t len)
{
	if (principal_member(&r->who, buf, len) != 0)
		snprintf(buf, len, "the account of the access token");
}

/* The first denied image of im's repository, in report order. */
static const struct report_image *
first_denied(const struct report *r, const struct report_image *im)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->images[i].result == RESULT_DENIED &&
		    strcmp(r->images[i].ref.resource, im->ref.resource) == 0)
			return &r->images[i];
	return im;
}

static void
text_image_line(FILE *f, const char *lead, const struct report_image *im)
{
	char sa[SHOWN], sb[SHOWN];

	fprintf(f, "%simage '%s'%s%s%s%s\n", lead,
	    shown(im->image, sa, sizeof(sa)),
	    im->container ? " (container " : "",
	    im->container ? shown(im->container, sb, sizeof(sb)) : "",
	    im->container ? ")" : "", im->from_deployed ?
	    " (deployed now: the update keeps it)" : "");
}

/*
 * One block per repository, however many of its images are denied: the
 * images, the repository, why, and one grant command.
 */
static void
text_denied(FILE *f, const struct report *r, const struct report_image *im,
    int several)
{
	const struct ar_query *q = im->q;
	char who[400], msg[SHOWN];
	size_t i;

	who_text(r, who, sizeof(who));
	if (several)
		fprintf(f, "\n");
	fprintf(f, "%s%s:%s (%s) %s cannot read ", LEVEL(r), PROG, who);
	text_image_line(f, "", im);
	for (i = (size_t)(im - r->images) + 1; i < r->n; i++)
		if (r->images[i].result == RESULT_DENIED &&
		    first_denied(r, &r->images[i]) == im)
			text_image_line(f, "  and ", &r->images[i]);
	fprintf(f, "  repository: %s\n  missing permission: %s\n",
	    im->ref.resource, AR_PERMISSION);
	if (q != NULL && strcmp(q->e.reason, "IAM_PERMISSION_DENIED") == 0)
		fprintf(f, "  Artifact Registry refused the check: %s\n  The "
		    "permission is not granted, or the repository does not "
		    "exist.\n", shown(q->e.message, msg, sizeof(msg)));
	else
		fprintf(f, "  Artifact Registry does not list it for this "
		    "principal: it is not granted,\n  or the repository does "
		    "not exist.\n");
	hint_grant(f, &r->who, &im->ref, TOKEN_OWNER);
}

/* "PRINCIPAL cannot read 3 images in 2 repositories", when several. */
static int
text_denied_summary(FILE *f, const struct report *r)
{
	size_t i, images = 0, repos = 0;
	char who[400];

	for (i = 0; i < r->n; i++) {
		if (r->images[i].result != RESULT_DENIED)
			continue;
		images++;
		repos += first_denied(r, &r->images[i]) == &r->images[i];
	}
	if (images < 2)
		return 0;
	who_text(r, who, sizeof(who));
	fprintf(f, "%s%s:%s (%s) %s cannot read %zu images in %zu "
	    "repositor%s: %s below\n", LEVEL(r), PROG, who, images, repos,
	    repos == 1 ? "y" : "ies", repos == 1 ? "one grant command" :
	    "one grant command per repository");
	return 1;
}

/* The registry's answer about a manifest: missing, refused or no answer. */
static void
text_manifest(FILE *f, const struct report *r, const struct report_image *im)
{
	char sa[SHOWN];
	const struct registry_query *x = report_after(r, im)->ex;

	if (x->status == REGISTRY_MISSING)
		fprintf(f, "%s%s:%s (%s) image '%s' not found: %s\n",
		    LEVEL(r), PROG, shown(im->image, sa, sizeof(sa)),
		    x->detail);
	else
		fprintf(f, "%s%s:%s (%s) %s image '%s': %s\n",
		    LEVEL(r), PROG, x->status == REGISTRY_DENIED ?
		    "the registry will not serve" : "cannot check",
		    shown(im->image, sa, sizeof(sa)), x->detail);
	fprintf(f, "  manifest: %s\n", x->url);
	if (x->status == REGISTRY_MISSING)
		hint_tags(f, im->ref.domain, im->ref.path);
	else if (x->status == REGISTRY_DENIED)
		hint_grant(f, &r->who, &im->ref, TOKEN_OWNER);
	else if (x->http_code == 0)
		hint_network(f);
}

/* Not covered: a warning (an error when it fails only mode). */
static void
text_unchecked(FILE *f, const struct report *r, const struct report_image *im)
{
	char sa[SHOWN], safe[800];

	if (im->image != NULL)
		fprintf(f, "%s%s:%s (%s) image '%s' was not checked: %s\n",
		    r->decision == DECISION_ERROR ? RED(r->color) :
		    YELLOW(r->color), r->decision == DECISION_ERROR ? "ERROR" :
		    "WARNING", OFF(r->color), PROG,
		    shown(im->image, sa, sizeof(sa)),
		    shown(im->detail, safe, sizeof(safe)));
	else
		fprintf(f, "%s%s:%s (%s) not every image was checked: %s\n",
		    r->decision == DECISION_ERROR ? RED(r->color) :
		    YELLOW(r->color), r->decision == DECISION_ERROR ? "ERROR" :
		    "WARNING", OFF(r->color), PROG,
		    shown(im->detail, safe, sizeof(safe)));
}

/*
 * The service agent's finding, with the certainty it has: the policies
 * of the repository and of its project are read; grants on folders and
 * the organization, and through groups, are not.  A warning, unless
 * --preflight-service-agent=block made it stop the deploy (r->agent_block).
 */
static void
text_agent(FILE *f, const struct report *r, const struct report_image *im)
{
	const struct svcagent_check *ag = report_after(r, im)->sa;
	char sa[SHOWN];
	int block = report_agent_block() && ag->result == SVCAGENT_MISSING;
	const char *c = block ? RED(r->color) : YELLOW(r->color);

	if (ag->unreadable && r->agent_member != NULL &&
	    *r->agent_member != '\0')
		fprintf(f, "%sWARNING:%s (%s) %s\n", c, OFF(r->color), PROG,
		    ag->detail);
	else
		fprintf(f, "%s%s:%s (%s) %s for the Cloud Run service agent of "
		    "project '%s' to read image '%s'\n  %s\n", c, block ?
		    "ERROR" : "WARNING", OFF(r->color), PROG,
		    ag->result == SVCAGENT_MISSING ? "no grant found" :
		    "cannot tell whether there is a grant", r->project,
		    shown(im->image, sa, sizeof(sa)), ag->detail);
	fprintf(f, "  repository: %s\n  Grants on folders, the organization "
	    "and through groups are not read: if none\n  of them lets the "
	    "agent read the repository, the deploy is accepted but the new\n"
	    "  revision fails to pull the image.\n", im->ref.resource);
	hint_agent_grant(f, r->agent_member, &im->ref,
	    ag->result == SVCAGENT_MISSING && !block);
}

static void
text_agents(FILE *f, const struct report *r)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		const struct svcagent_check *sa =
		    report_after(r, &r->images[i])->sa;

		if (sa == NULL || (sa->result != SVCAGENT_MISSING &&
		    sa->result != SVCAGENT_UNKNOWN))
			continue;
		for (j = 0; j < i && report_after(r, &r->images[j])->sa != sa;
		    j++)
			;
		if (j == i)	/* once per repository */
			text_agent(f, r, &r->images[i]);
	}
}

static int
problem(const struct report *r, const struct report_image *im)
{
	const struct registry_query *x = report_after(r, im)->ex;

	return im->result == RESULT_DENIED || im->result == RESULT_ERROR ||
	    (x != NULL && x->status == REGISTRY_MISSING);
}

static void
text_error(FILE *f, const struct report *r, const struct report_image *im)
{
	char sa[SHOWN], buf[800], safe[sizeof(buf)];

	detail(r, im, buf, sizeof(buf));
	fprintf(f, "%s%s:%s (%s) cannot check image '%s'", LEVEL(r), PROG,
	    shown(im->image, sa, sizeof(sa)));
	if (im->q != NULL && im->q->e.http_code != 0)
		fprintf(f, " (HTTP %ld)", im->q->e.http_code);
	fprintf(f, ": %s\n", shown(buf, safe, sizeof(safe)));
	if (im->q != NULL) {
		fprintf(f, "  repository: %s\n", im->ref.resource);
		hint_ar_error(f, &im->q->e, im->ref.project);
	}
}

void
report_text(FILE *f, const struct report *r)
{
	size_t i;
	int several;

	progress_stop();
	several = text_denied_summary(f, r);
	for (i = 0; i < r->n; i++) {
		const struct report_image *im = &r->images[i];

		if (report_after(r, im)->ex != NULL && problem(r, im) &&
		    (im->q == NULL || im->q->status == AR_GRANTED))
			text_manifest(f, r, im);
		else if (im->result == RESULT_DENIED &&
		    first_denied(r, im) == im)	/* once per repository */
			text_denied(f, r, im, several);
		else if (im->result == RESULT_ERROR)
			text_error(f, r, im);
		else if (im->result == RESULT_UNCHECKED)
			text_unchecked(f, r, im);
	}
	text_agents(f, r);
	report_way_out(f, r);
	if (r->warn && r->decision == DECISION_DEPLOY)
		for (i = 0; i < r->n; i++)
			if (problem(r, &r->images[i])) {
				fprintf(f, "Deploying anyway "
				    "(--preflight=warn).\n");
				break;
			}
	fflush(f);
}

static void
summary_extras(FILE *f, const struct report *r, const struct report_image *im)
{
	static const char *const ex[] = {
		[REGISTRY_PLANNED] = "HEAD", [REGISTRY_SKIPPED] = "skipped",
		[REGISTRY_FOUND] = "found", [REGISTRY_MISSING] = "missing",
		[REGISTRY_DENIED] = "refused", [REGISTRY_ERROR] = "error",
	};
	const struct report_after *ax = report_after(r, im);

	if (ax->ex != NULL)
		fprintf(f, "           manifest %s %s\n", ex[ax->ex->status],
		    ax->ex->url);
	if (ax->sa != NULL)
		fprintf(f, "           service agent of %s: %s%s%s\n",
		    r->project, ax->sa->result == SVCAGENT_PLANNED ?
		    "would be checked (repository in project " :
		    agents[ax->sa->result], ax->sa->result == SVCAGENT_PLANNED ?
		    im->ref.project : "", ax->sa->result == SVCAGENT_PLANNED ?
		    ")" : "");
}

void
report_summary(FILE *f, const struct report *r)
{
	char note[2048], wide[sizeof(note)];
	char sa[SHOWN], sb[SHOWN];
	char who[400];
	size_t i;

	progress_stop();
	if (r->decision == DECISION_PLANNED && report_no_credentials(r))
		strlcpy(who, "no one: no credentials are set", sizeof(who));
	else
		who_text(r, who, sizeof(who));
	fprintf(f, "%s%s%s: %s for %s\n", BOLD(r), r->command ? r->command :
	    "gcloud", OFF(r->color), decisions[r->decision], who);
	report_note(r, note, sizeof(note));
	if (*note != '\0')
		fprintf(f, "  note: %s\n", shown(note, wide, sizeof(wide)));
	if (r->settings != NULL)
		report_settings_text(f, r->settings);
	for (i = 0; i < r->n; i++) {
		const struct report_image *im = &r->images[i];
		int repo = im->ref.kind == IMAGEREF_AR ||
		    im->ref.kind == IMAGEREF_GCR;

		fprintf(f, "  %-8s %s%s%s%s\n", results[im->result],
		    im->image == NULL ? shown(im->detail, sa, sizeof(sa)) :
		    shown(im->image, sa, sizeof(sa)),
		    im->container ? " (container " : "",
		    im->container ? shown(im->container, sb, sizeof(sb)) : "",
		    im->container ? ")" : "");
		if (repo)
			fprintf(f, "           %s\n", im->ref.resource);
		summary_extras(f, r, im);
	}
	fflush(f);
}
