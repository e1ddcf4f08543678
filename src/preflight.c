/*
 * preflight.c - the check: properties, images, token, testIamPermissions,
 * decision.  Nothing here exits or execs; main() does, with what this
 * returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arclient.h"
#include "deployed.h"
#include "extras.h"
#include "metadata.h"
#include "preflight.h"
#include "props.h"
#include "replace.h"
#include "report.h"
#include "runclient.h"
#include "session.h"
#include "settings.h"
#include "token.h"

#define SKIPPED_WHY	"not in Artifact Registry: nothing to check"

struct run {
	const struct conf	*c;
	const struct deploy_args *a;
	enum preflight_mode	 mode;
	enum report_format	 fmt;
	const char		*gcloud;
	struct props		 props;
	struct report		 rep;
	struct ar_query		*q;	/* first round: the named images */
	size_t			 nq;
	struct ar_query		*q2;	/* second round: repositories only
					 * kept images are in */
	size_t			 nq2;
	const struct preflight_doubt *doubt;
	char			 unread[768];	/* why the deployed resource
						 * is not read, "" */
	char			 note[1024];
	struct run_read		 dep;	/* the deployed resource, if read */
	struct manifest		 man;	/* replace FILE's manifest */
	char			 qproject[256], qname[256];
	struct cli_image	*named;	/* the images the command names */
	size_t			 nnamed;
	struct settings		 ps;	/* plan mode's settings */
	char			 run_ep[1024], proxy[1024];
	char			 settings_err[512];
	struct report_settings	 rs;
	struct extras		 ex;	/* manifests, service agent */
	struct curl_slist	*connect_to;	/* GCLOUD_RUN_DEPLOY_CONNECT_TO */
	int			 status;	/* with ROUTE_EXIT */
};

static int
load_props(struct run *r, char *err, size_t errlen)
{
	return props_for_command(&r->props, r->a, r->gcloud, err, errlen);
}

/* Parse every image; returns how many are invalid. */
static size_t
parse_images(struct run *r)
{
	struct report *rep = &r->rep;
	size_t i, bad = 0;

	rep->images = calloc(r->nnamed + 1, sizeof(*rep->images));
	if (rep->images == NULL)
		return r->nnamed + 1;	/* reported as out of memory */
	rep->n = r->nnamed;
	for (i = 0; i < rep->n; i++) {
		struct report_image *im = &rep->images[i];

		im->image = r->named[i].image;
		im->container = r->named[i].container;
		if (imageref_parse(im->image, &im->ref) != 0) {
			im->result = RESULT_ERROR;
			bad++;
		} else if (im->ref.kind == IMAGEREF_OTHER) {
			im->result = RESULT_SKIPPED;
			im->detail = SKIPPED_WHY;
		} else
			im->result = RESULT_PLANNED;
	}
	return bad;
}

/* The query about `resource` among q[0..n), or NULL. */
static struct ar_query *
query_for(struct ar_query *q, size_t n, const char *resource)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(q[i].resource, resource) == 0)
			return &q[i];
	return NULL;
}

/*
 * One query per distinct repository among the images not asked about yet,
 * into *qp (room for every image, allocated once, so the pointers hold);
 * an image in a repository the first round asks about shares its answer.
 */
static int
build_queries(struct run *r, struct ar_query **qp, size_t *nq)
{
	struct ar_query *q;
	size_t i;

	if ((q = calloc(r->rep.n + 1, sizeof(*q))) == NULL)
		return -1;
	*qp = q;
	*nq = 0;
	for (i = 0; i < r->rep.n; i++) {
		struct report_image *im = &r->rep.images[i];

		if (im->result != RESULT_PLANNED || im->q != NULL)
			continue;
		if ((im->q = query_for(r->q, r->nq, im->ref.resource)) ||
		    (im->q = query_for(q, *nq, im->ref.resource)))
			continue;
		q[*nq].resource = im->ref.resource;
		q[*nq].status = AR_ERROR;	/* until answered */
		im->q = &q[(*nq)++];
	}
	return 0;
}

static void
apply_answers(struct run *r)
{
	size_t i;

	for (i = 0; i < r->rep.n; i++) {
		struct report_image *im = &r->rep.images[i];

		if (im->result != RESULT_PLANNED || im->q == NULL)
			continue;
		im->result = im->q->status == AR_GRANTED ? RESULT_GRANTED :
		    im->q->status == AR_DENIED ? RESULT_DENIED : RESULT_ERROR;
	}
}

/*
 * After the report's images moved (reallocarray), the queries already
 * asked name their repository through the images' new addresses.
 */
static void
repoint(struct run *r)
{
	size_t i, j;

	for (j = 0; j < r->nq; j++)
		for (i = 0; i < r->rep.n; i++)
			if (r->rep.images[i].q == &r->q[j]) {
				r->q[j].resource =
				    r->rep.images[i].ref.resource;
				break;
			}
}

/* Append the deployed images the update keeps to the report. */
static int
add_kept(struct run *r)
{
	struct report_image *im;
	size_t i, n = r->dep.n;
	int *kept;

	if (n == 0)
		return 0;
	if ((kept = calloc(n, sizeof(*kept))) == NULL ||
	    (im = reallocarray(r->rep.images, r->rep.n + n,
	    sizeof(*im))) == NULL) {
		free(kept);
		return -1;
	}
	r->rep.images = im;
	repoint(r);
	deployed_merge(&r->dep, r->a->images, r->a->nimages,
	    r->a->remove_containers, kept);
	for (i = 0; i < n; i++) {
		if (!kept[i])
			continue;
		im = &r->rep.images[r->rep.n++];
		memset(im, 0, sizeof(*im));
		im->image = r->dep.c[i].image;
		im->container = *r->dep.c[i].name ? r->dep.c[i].name : NULL;
		im->from_deployed = 1;
		im->result = imageref_parse(im->image, &im->ref) != 0 ?
		    RESULT_ERROR : im->ref.kind == IMAGEREF_OTHER ?
		    RESULT_SKIPPED : RESULT_PLANNED;
		if (im->result == RESULT_SKIPPED)
			im->detail = SKIPPED_WHY;
	}
	free(kept);
	return 0;
}

/* The images the deployed resource keeps, not read: one entry says why. */
static int
add_unchecked(struct run *r)
{
	struct report_image *im;

	if ((im = reallocarray(r->rep.images, r->rep.n + 1,
	    sizeof(*im))) == NULL)
		return -1;
	r->rep.images = im;
	repoint(r);
	im = &r->rep.images[r->rep.n++];
	memset(im, 0, sizeof(*im));
	im->result = RESULT_UNCHECKED;
	im->detail = r->unread;
	im->from_deployed = 1;
	return 0;
}

/*
 * Whether to read what is deployed: for an update that names no image
 * always (a missing project, region or name is then an error); otherwise
 * only when there is something to read by, so a deploy that names only
 * images outside Artifact Registry, with no project or region known, asks
 * for no token at all.
 */
/*
 * What the deployed resource is read by: the project and name of a full
 * resource name (namespaces/P/services/S), else core/project and the
 * name as given; the region is run/region.
 */
static void
target(struct run *r, struct run_read *d)
{
	d->project = props_get(&r->props, "core/project");
	d->region = props_get(&r->props, "run/region");
	d->name = r->a->service_unsure == NULL ? r->a->service : NULL;
	if (d->name != NULL && deployed_qualified(r->a->service, r->qproject,
	    sizeof(r->qproject), r->qname, sizeof(r->qname)) == 0) {
		d->project = r->qproject;
		d->name = r->qname;
	}
}

static const char *
noun(const struct run *r)
{
	enum run_kind k = deployed_kind(r->a->command);

	return k == RUN_JOB ? "job" : k == RUN_WORKER_POOL ? "worker pool" :
	    "service";
}

/*
 * Would gcloud ask at its prompt (console_io.CanPrompt: stdin and stderr
 * are terminals, core/disable_prompts is off)?  --quiet is not looked at:
 * when unsure, it would.
 */
static int
gcloud_prompts(const struct run *r)
{
	return isatty(STDIN_FILENO) && isatty(STDERR_FILENO) &&
	    props_bool(&r->props, "core/disable_prompts", 0) != 1;
}

/*
 * Why the images the deployed resource keeps cannot be read before the
 * hand-over, into r->unread ("" when they can).  A name or region that
 * gcloud would ask for at its prompt: the shim cannot know the answer.
 * Where gcloud cannot ask, it stops for want of them and deploys nothing.
 * No project: the metadata server was asked as gcloud asks it
 * (metadata.h); only when that answer was not certain (a time-out) may
 * gcloud still find one there.  Otherwise it stops too.
 */
static void
why_unread(struct run *r)
{
	const struct preflight_doubt *dt = r->doubt;
	struct run_read d;
	char *u = r->unread;
	size_t n = sizeof(r->unread);

	u[0] = '\0';
	if (deployed_unreadable(r->a) != NULL) {
		snprintf(u, n, "%s: the images the deployed %s keeps were not "
		    "read", deployed_unreadable(r->a), noun(r));
		return;
	}
	if (!deployed_wanted(r->a))
		return;
	target(r, &d);
	if (dt != NULL && dt->service_ambiguous)
		snprintf(u, n, "the %s name is not certain (%.200s): the "
		    "images the deployed %s keeps were not read", noun(r),
		    dt->service_ambiguous_why != NULL ?
		    dt->service_ambiguous_why : "", noun(r));
	else if (d.name == NULL && gcloud_prompts(r))
		snprintf(u, n, "no %s name (gcloud asks for it at its "
		    "prompt): the images the deployed %s keeps were not read; "
		    "name it on the command line", noun(r), noun(r));
	else if (d.name != NULL && d.project == NULL &&
	    metadata_unsure(&r->props))
		snprintf(u, n, "no project: the images %s '%.200s' keeps "
		    "were not read; pass --project or set core/project",
		    noun(r), d.name);
	else if (d.name != NULL && d.region == NULL && gcloud_prompts(r))
		snprintf(u, n, "no region (gcloud asks for it at its "
		    "prompt): the images %s '%.200s' keeps were not read; "
		    "pass --region or set run/region", noun(r), d.name);
}

static int
must_read(struct run *r)
{
	struct run_read d;

	if (!deployed_wanted(r->a) || r->unread[0] != '\0')
		return 0;
	if (r->a->nimages == 0)
		return 1;
	target(r, &d);
	return d.name != NULL && d.project != NULL && d.region != NULL;
}

/*
 * What to read the deployed containers by, and where.  Without a name,
 * project or region (gcloud stops for want of them) that is an error only
 * when the command names no image at all: must_read() says.
 */
static int
read_target(struct run *r, char *endpoint, size_t len, char *err,
    size_t errlen)
{
	struct run_read *d = &r->dep;

	d->kind = deployed_kind(r->a->command);
	target(r, d);
	if (d->project == NULL || d->region == NULL || d->name == NULL) {
		snprintf(err, errlen, "cannot read what is deployed: no %s "
		    "(give it on the command line%s)", d->name == NULL ?
		    "service or job name" : d->project == NULL ? "project" :
		    "region", d->name == NULL ? "" :
		    d->project == NULL ? ", or set core/project" :
		    ", or set run/region");
		return -1;
	}
	return settings_endpoint(&r->props, "run", RUN_ENDPOINT, endpoint,
	    len, err, errlen);
}

/*
 * The deployed resource's answer: its kept images join the report.  A
 * read that failed stops the check, except in warn mode, where the kept
 * images are reported unchecked and gcloud runs.
 */
static int
deployed_answer(struct run *r, char *err, size_t errlen)
{
	struct run_read *d = &r->dep;

	if (d->status == RUN_ERROR) {
		report_run_error(d, err, errlen);
		if (r->mode != PREFLIGHT_WARN)
			return -1;
		snprintf(r->unread, sizeof(r->unread), "%.600s: the images it "
		    "keeps were not checked", err);
		err[0] = '\0';
		if (add_unchecked(r) == 0)
			return 0;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (d->disabled)
		r->rep.note = "the Cloud Run API is not enabled in the project: "
		    "nothing is deployed there, only the named images were "
		    "checked";
	if (add_kept(r) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* What is left of the deadline; at least one short try. */
static long
remaining(const struct session *ss)
{
	long left = session_left(ss);

	return left < 1000 ? 1000 : left;
}

static void
opts(const struct run *r, const struct session *ss, struct http_opts *o)
{
	settings_http(&ss->settings, remaining(ss), r->c->verbose, o);
	o->connect_to = r->connect_to;
}

/* The manifests and the service agent, for the granted images. */
static void
extras(struct run *r, const struct session *ss)
{
	struct http_opts o;

	if (extras_plan(&r->ex, &r->rep, RESULT_GRANTED, &r->props,
	    ss->settings.endpoint, r->connect_to) != 0)
		return;
	opts(r, ss, &o);
	extras_run(&r->ex, &o, ss->token.value);
	extras_apply(&r->ex, &r->rep);
}

/*
 * The questions, in as few round trips as there can be: the deployed
 * resource and the named images' repositories at once; then, only when
 * the update keeps images in repositories not asked about yet, those.
 */
static int
rounds(struct run *r, const struct session *ss, char *err, size_t errlen)
{
	const struct settings *s = &ss->settings;
	const char *token = ss->token.value;
	struct http_opts o;
	char endpoint[1024];
	int read = must_read(r);

	if (build_queries(r, &r->q, &r->nq) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (read && read_target(r, endpoint, sizeof(endpoint), err,
	    errlen) != 0)
		return -1;
	opts(r, ss, &o);
	if (deployed_ask(read ? &r->dep : NULL, endpoint, r->q, r->nq,
	    s->endpoint, &o, token, err, errlen) != 0 ||
	    (read && deployed_answer(r, err, errlen) != 0))
		return -1;
	if (build_queries(r, &r->q2, &r->nq2) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (r->nq2 == 0)
		return 0;
	opts(r, ss, &o);
	return ar_check(r->q2, r->nq2, s->endpoint, &o, token, err, errlen);
}

/*
 * The credentials session (session.h: the process is not dumpable while
 * the token is held), then the questions, all inside the one deadline.
 */
static int
ask(struct run *r, char *err, size_t errlen)
{
	struct session ss;
	struct http_opts o;
	int rc = -1;

	if (session_open(&ss, &r->props, r->a, r->gcloud, r->c->timeout_ms,
	    err, errlen) == 0)
		rc = rounds(r, &ss, err, errlen);
	if (ss.have_token)
		r->rep.who = ss.token.who;
	if (rc == 0) {
		apply_answers(r);
		extras(r, &ss);
		opts(r, &ss, &o);
		principal_on_denial(&r->rep, &o, ss.token.value,
		    ss.settings.endpoint);
	}
	session_close(&ss);
	return rc;
}

/* The decision and its exit status: a denial, a missing manifest, or an
 * unfinished check, in that order. */
static int
decide(const struct report *rep, enum preflight_mode mode,
    enum decision *d)
{
	size_t i;
	int missing = 0, error = 0, unchecked = 0;

	*d = DECISION_DEPLOY;
	for (i = 0; i < rep->n; i++) {
		if (rep->images[i].result == RESULT_DENIED) {
			*d = DECISION_BLOCKED;
			return EXIT_DENIED;
		}
		error |= rep->images[i].result == RESULT_ERROR;
		unchecked |= rep->images[i].result == RESULT_UNCHECKED;
		missing |= rep->images[i].ex != NULL &&
		    rep->images[i].ex->status == EXISTS_MISSING;
	}
	/* A CI gate is not green on a partial check. */
	if (missing || error || (unchecked && mode == PREFLIGHT_ONLY))
		*d = DECISION_ERROR;
	return missing ? EXIT_BADIMAGE : *d == DECISION_ERROR ?
	    EXIT_UNAVAILABLE : 0;
}

static enum route
finish(struct run *r, enum decision d, int status)
{
	struct report *rep = &r->rep;
	int warn = r->mode == PREFLIGHT_WARN;

	rep->decision = warn && d != DECISION_PLANNED ? DECISION_DEPLOY : d;
	rep->color = r->c->color_out;	/* bold only where it is shown */
	report_json_out(r->c, r->mode, r->fmt, rep);	/* stdout: gcloud's */
	if (r->fmt != FORMAT_JSON &&
	    (r->mode == PREFLIGHT_PLAN || r->mode == PREFLIGHT_ONLY))
		report_summary(stdout, rep);
	rep->color = r->c->color;
	if (r->fmt != FORMAT_JSON && r->mode != PREFLIGHT_PLAN &&
	    r->mode != PREFLIGHT_ONLY && r->c->verbose)
		report_summary(stderr, rep);
	report_text(stderr, rep);
	r->status = status;
	if (r->mode == PREFLIGHT_PLAN || r->mode == PREFLIGHT_ONLY)
		return ROUTE_EXIT;
	return warn || status == 0 ? ROUTE_HANDOVER : ROUTE_EXIT;
}

static enum route
check(struct run *r)
{
	char err[1024];
	enum decision d;
	size_t i, planned = 0;
	int status;

	why_unread(r);
	if (r->unread[0] != '\0' && add_unchecked(r) != 0) {
		report_error(r->c->color, "out of memory");
		return finish(r, DECISION_ERROR, EXIT_UNAVAILABLE);
	}
	for (i = 0; i < r->rep.n; i++)
		planned += r->rep.images[i].result == RESULT_PLANNED;
	if ((planned > 0 || must_read(r)) && ask(r, err, sizeof(err)) != 0) {
		report_error(r->c->color, "cannot check image access: %s", err);
		return finish(r, DECISION_ERROR, EXIT_UNAVAILABLE);
	}
	status = decide(&r->rep, r->mode, &d);
	if (status == 0 && r->c->agent_block && report_agent_risk(&r->rep, 1)) {
		d = DECISION_BLOCKED;	/* --preflight-service-agent=block */
		status = EXIT_DENIED;
	}
	return finish(r, d, status);
}

/*
 * Plan mode shows the settings a check would use, as the shim resolves
 * them without running gcloud (the parity tests compare them with
 * gcloud's own).  A proxy is shown without its user and password.
 */
static void
plan_settings(struct run *r)
{
	struct report_settings *rs = &r->rs;
	const char *at, *sep;
	char err[256];

	rs->configuration = r->props.config_name;
	rs->account = props_get(&r->props, "core/account");
	rs->impersonate = props_get(&r->props,
	    "auth/impersonate_service_account");
	rs->project = props_get(&r->props, "core/project");
	rs->region = props_get(&r->props, "run/region");
	rs->token_file = props_get(&r->props, "auth/access_token_file");
	if (settings_load(&r->props, token_user_creds(&r->props), &r->ps,
	    r->settings_err, sizeof(r->settings_err)) != 0)
		r->rep.note = r->settings_err;	/* a check would stop here */
	else {
		rs->ar_endpoint = r->ps.endpoint;
		rs->ca_file = r->ps.ca_file;
		rs->quota_project = r->ps.user_project[0] ?
		    r->ps.user_project : NULL;
		if (r->ps.proxy[0] != '\0') {
			sep = strstr(r->ps.proxy, "://");
			at = strchr(r->ps.proxy, '@');
			snprintf(r->proxy, sizeof(r->proxy), "%.*s%s",
			    (int)(sep - r->ps.proxy + 3), r->ps.proxy,
			    at != NULL ? at + 1 : sep + 3);
			rs->proxy = r->proxy;
		}
		explicit_bzero(r->ps.proxy, sizeof(r->ps.proxy));
	}
	if (settings_endpoint(&r->props, "run", RUN_ENDPOINT, r->run_ep,
	    sizeof(r->run_ep), err, sizeof(err)) == 0)
		rs->run_endpoint = r->run_ep;
	r->rep.settings = rs;
}

/* Plan mode reads nothing over the network: the kept images are not
 * listed, and the note says so (and why a check could not read them). */
static void
plan_note(struct run *r)
{
	if (!deployed_wanted(r->a))
		return;
	why_unread(r);
	snprintf(r->note, sizeof(r->note), "the images the new revision "
	    "keeps from the deployed %s are not listed: plan mode reads "
	    "nothing over the network%s%s", noun(r), r->unread[0] ?
	    "; a check could not read them either: " : "; a check reads "
	    "the deployed resource, if it exists (Cloud Run Admin API v2), "
	    "and checks them", r->unread);
	r->rep.note = r->note;
}

/*
 * The images the command names: its --image flags, or for a replace the
 * manifest's containers.  A manifest that cannot be read is bad input.
 */
static int
named_images(struct run *r)
{
	char err[1024];

	size_t i;

	if (!replace_is(r->a)) {
		/* A container built from source pulls nothing: not named. */
		if ((r->named = calloc(r->a->nimages + 1,
		    sizeof(*r->named))) == NULL) {
			report_error(r->c->color, "out of memory");
			return -1;
		}
		for (i = 0; i < r->a->nimages; i++)
			if (!r->a->images[i].source)
				r->named[r->nnamed++] = r->a->images[i];
		return 0;
	}
	if (replace_images(r->a, &r->man, &r->named, &r->nnamed, err,
	    sizeof(err)) == 0)
		return 0;
	report_error(r->c->color, "cannot check image access: %s", err);
	return -1;
}

static enum route
start(struct run *r)
{
	const char *platform;
	char err[1024];
	size_t bad;

	if (load_props(r, err, sizeof(err)) != 0) {
		report_error(r->c->color, "%s", err);
		return finish(r, DECISION_ERROR, EXIT_UNAVAILABLE);
	}
	token_principal(&r->props, &r->rep.who);
	platform = props_get(&r->props, "run/platform");
	if (platform != NULL && (strcmp(platform, "gke") == 0 ||
	    strcmp(platform, "kubernetes") == 0)) {
		r->rep.note = "run/platform deploys to a cluster, not Cloud Run";
		return finish(r, DECISION_DEPLOY, 0);
	}
	if (named_images(r) != 0)
		return finish(r, DECISION_ERROR, EXIT_BADIMAGE);
	bad = parse_images(r);
	if (deployed_wanted(r->a) && r->mode == PREFLIGHT_PLAN)
		r->rep.note = "the deployed resource, if it exists, is read "
		    "(Cloud Run Admin API v2): the new revision keeps the "
		    "images this command does not replace";
	if (http_connect_to(r->c->connect_to, &r->connect_to, err,
	    sizeof(err)) != 0) {
		report_error(r->c->color, "GCLOUD_RUN_DEPLOY_CONNECT_TO: %s",
		    err);
		return finish(r, DECISION_ERROR, EXIT_USAGE);
	}
	if (r->mode == PREFLIGHT_PLAN) {
		plan_note(r);
		plan_settings(r);
		if (r->rs.ar_endpoint != NULL)
			extras_plan(&r->ex, &r->rep, RESULT_PLANNED,
			    &r->props, r->rs.ar_endpoint, r->connect_to);
		return finish(r, DECISION_PLANNED, bad ? EXIT_BADIMAGE : 0);
	}
	/* gcloud's GCE callbacks (metadata.h); plan mode reads no network */
	if (metadata_enable(&r->props, r->c->timeout_ms) != 0) {
		report_error(r->c->color, "out of memory");
		return finish(r, DECISION_ERROR, EXIT_UNAVAILABLE);
	}
	if (bad && r->mode != PREFLIGHT_WARN)
		return finish(r, DECISION_ERROR, EXIT_BADIMAGE);
	if (r->a->incomplete != NULL) {
		report_error(r->c->color, "cannot check image access: %s",
		    r->a->incomplete);
		return finish(r, DECISION_ERROR, EXIT_UNAVAILABLE);
	}
	return check(r);
}

/*
 * Where the parser's doubts plug in: the command line model (cli.h) says
 * when the SERVICE word may not be the name gcloud deploys to (a flag
 * from a newer gcloud may take it as its value, issue 11 item 8).
 */
static void
doubt_from_cli(const struct deploy_args *a, struct preflight_doubt *d)
{
	memset(d, 0, sizeof(*d));
	d->service_ambiguous = a->service_unsure != NULL;
	d->service_ambiguous_why = a->service_unsure;
}

enum route
preflight_run(const struct conf *c, const struct deploy_args *a,
    enum preflight_mode mode, enum report_format fmt, const char *gcloud,
    int *status)
{
	struct preflight_doubt d;

	doubt_from_cli(a, &d);
	return preflight_run_doubt(c, a, mode, fmt, gcloud, &d, status);
}

enum route
preflight_run_doubt(const struct conf *c, const struct deploy_args *a,
    enum preflight_mode mode, enum report_format fmt, const char *gcloud,
    const struct preflight_doubt *doubt, int *status)
{
	struct run r;
	enum route rt;

	memset(&r, 0, sizeof(r));
	r.c = c, r.a = a, r.mode = mode, r.fmt = fmt, r.gcloud = gcloud;
	r.doubt = doubt;
	r.rep.command = a->command;
	r.rep.service = a->service;
	r.rep.color = c->color;
	r.rep.warn = mode == PREFLIGHT_WARN;
	if (!a->check) {
		r.rep.note = a->skip;
		rt = finish(&r, mode == PREFLIGHT_PLAN ? DECISION_PLANNED :
		    DECISION_DEPLOY, 0);
	} else
		rt = start(&r);
	*status = r.status;
	free(r.rep.images);
	free(r.q);
	free(r.q2);
	runclient_free(&r.dep);
	free(r.named);
	manifest_free(&r.man);
	extras_free(&r.ex);
	curl_slist_free_all(r.connect_to);
	props_free(&r.props);
	return rt;
}
