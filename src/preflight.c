/*
 * preflight.c - the check: properties, images, token, testIamPermissions,
 * decision.  Nothing here exits or execs; main() does, with what this
 * returns.
 */
#include <sys/prctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arclient.h"
#include "deployed.h"
#include "extras.h"
#include "preflight.h"
#include "props.h"
#include "replace.h"
#include "report.h"
#include "runclient.h"
#include "settings.h"
#include "token.h"

struct run {
	const struct conf	*c;
	const struct deploy_args *a;
	enum preflight_mode	 mode;
	enum report_format	 fmt;
	const char		*gcloud;
	struct props		 props;
	struct report		 rep;
	struct ar_query		*q;
	size_t			 nq;
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
			im->detail = "not in Artifact Registry: nothing to check";
		} else
			im->result = RESULT_PLANNED;
	}
	return bad;
}

/*
 * One query per distinct repository; each image remembers its query (the
 * array is allocated once, so the pointers hold).
 */
static int
build_queries(struct run *r)
{
	size_t i, j;

	r->q = calloc(r->rep.n + 1, sizeof(*r->q));
	if (r->q == NULL)
		return -1;
	for (i = 0; i < r->rep.n; i++) {
		struct report_image *im = &r->rep.images[i];

		if (im->result != RESULT_PLANNED)
			continue;
		for (j = 0; j < r->nq; j++)
			if (strcmp(r->q[j].resource, im->ref.resource) == 0)
				break;
		if (j == r->nq) {
			r->q[j].resource = im->ref.resource;
			r->q[j].status = AR_ERROR;	/* until answered */
			r->nq++;
		}
		im->q = &r->q[j];
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
	}
	free(kept);
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

static int
must_read(struct run *r)
{
	struct run_read d;

	if (!deployed_wanted(r->a))
		return 0;
	if (r->a->nimages == 0)
		return 1;
	target(r, &d);
	return d.name != NULL && d.project != NULL && d.region != NULL;
}

/*
 * An update keeps the deployed containers it does not name: read them.
 * Without a project, region or name there is nothing to read by; that is
 * an error only when the command names no image at all.
 */
static int
read_deployed(struct run *r, const struct http_opts *o, const char *token,
    char *err, size_t errlen)
{
	struct run_read *d = &r->dep;
	char endpoint[1024];

	d->kind = deployed_kind(r->a->command);
	target(r, d);
	if (d->project == NULL || d->region == NULL || d->name == NULL) {
		if (r->a->nimages > 0)
			return 0;
		if (r->a->service_unsure != NULL) {	/* cli.h */
			snprintf(err, errlen, "cannot read what is deployed: "
			    "%s", r->a->service_unsure);
			return -1;
		}
		snprintf(err, errlen, "cannot read what is deployed: no %s "
		    "(give it on the command line%s)", d->name == NULL ?
		    "service or job name" : d->project == NULL ? "project" :
		    "region", d->name == NULL ? "" :
		    d->project == NULL ? ", or set core/project" :
		    ", or set run/region");
		return -1;
	}
	if (settings_endpoint(&r->props, "run", RUN_ENDPOINT, endpoint,
	    sizeof(endpoint), err, errlen) != 0 ||
	    runclient_read(d, endpoint, o, token, err, errlen) != 0)
		return -1;
	if (d->status == RUN_ERROR) {
		snprintf(err, errlen, "cannot read the deployed %s '%s' "
		    "(HTTP %ld): %s", d->kind == RUN_JOB ? "job" : "service",
		    d->name, d->e.http_code, d->e.message);
		return -1;
	}
	if (add_kept(r) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* What is left of the deadline; at least one short try. */
static long
remaining(const struct run *r, long start)
{
	long left = r->c->timeout_ms - (now_ms() - start);

	return left < 1000 ? 1000 : left;
}

static void
opts(const struct run *r, const struct settings *s, long start,
    struct http_opts *o)
{
	settings_http(s, remaining(r, start), r->c->verbose, o);
	o->connect_to = r->connect_to;
}

/* The manifests and the service agent, for the granted images. */
static void
extras(struct run *r, const struct settings *s, long start,
    const char *token)
{
	struct http_opts o;

	if (extras_plan(&r->ex, &r->rep, RESULT_GRANTED, &r->props,
	    s->endpoint, r->connect_to) != 0)
		return;
	opts(r, s, start, &o);
	extras_run(&r->ex, &o, token);
	extras_apply(&r->ex, &r->rep);
}

/*
 * Get the token and ask, all inside the one deadline.  The process is not
 * dumpable while the token is held, so no core file can carry it.
 */
static int
ask(struct run *r, char *err, size_t errlen)
{
	struct token t;
	struct settings s;
	struct http_opts o;
	long start = now_ms();
	int rc = -1;

	memset(&t, 0, sizeof(t));
	memset(&s, 0, sizeof(s));
	prctl(PR_SET_DUMPABLE, 0);
	token_set_timeout(r->c->timeout_ms);
	if (token_acquire(&r->props, r->a, r->gcloud, &t, err, errlen) != 0)
		goto out;
	r->rep.who = t.who;
	if (settings_load(&r->props, t.user_creds, &s, err, errlen) != 0)
		goto out;
	opts(r, &s, start, &o);
	if (must_read(r) &&
	    read_deployed(r, &o, t.value, err, errlen) != 0)
		goto out;
	if (build_queries(r) != 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
	if (r->nq > 0) {
		opts(r, &s, start, &o);
		rc = ar_check(r->q, r->nq, s.endpoint, &o, t.value, err,
		    errlen);
	}
	if (rc == 0) {
		apply_answers(r);
		extras(r, &s, start, t.value);
	}
out:
	explicit_bzero(s.proxy, sizeof(s.proxy));	/* may hold a password */
	token_free(&t);
	prctl(PR_SET_DUMPABLE, 1);
	return rc;
}

/* The decision and its exit status: a denial, a missing manifest, or an
 * unfinished check, in that order. */
static int
decide(const struct report *rep, enum decision *d)
{
	size_t i;
	int missing = 0, error = 0;

	*d = DECISION_DEPLOY;
	for (i = 0; i < rep->n; i++) {
		if (rep->images[i].result == RESULT_DENIED) {
			*d = DECISION_BLOCKED;
			return EXIT_DENIED;
		}
		error |= rep->images[i].result == RESULT_ERROR;
		missing |= rep->images[i].ex != NULL &&
		    rep->images[i].ex->status == EXISTS_MISSING;
	}
	if (missing || error)
		*d = DECISION_ERROR;
	return missing ? EXIT_BADIMAGE : error ? EXIT_UNAVAILABLE : 0;
}

static int
finish(struct run *r, enum decision d, int status)
{
	struct report *rep = &r->rep;
	int warn = r->mode == PREFLIGHT_WARN;

	rep->decision = warn && d != DECISION_PLANNED ? DECISION_DEPLOY : d;
	rep->color = r->c->color_out;	/* bold only where it is shown */
	if (r->fmt == FORMAT_JSON)
		report_json(stdout, rep);
	else if (r->mode == PREFLIGHT_PLAN || r->mode == PREFLIGHT_ONLY)
		report_summary(stdout, rep);
	rep->color = r->c->color;
	if (r->fmt != FORMAT_JSON && r->mode != PREFLIGHT_PLAN &&
	    r->mode != PREFLIGHT_ONLY && r->c->verbose)
		report_summary(stderr, rep);
	report_text(stderr, rep);
	if (r->mode == PREFLIGHT_PLAN || r->mode == PREFLIGHT_ONLY)
		return status;
	return warn || status == 0 ? PREFLIGHT_HANDOVER : status;
}

static int
check(struct run *r)
{
	char err[1024];
	enum decision d;
	size_t i, planned = 0;
	int status;

	for (i = 0; i < r->rep.n; i++)
		planned += r->rep.images[i].result == RESULT_PLANNED;
	if (planned == 0 && !must_read(r))
		return finish(r, DECISION_DEPLOY, 0);
	if (ask(r, err, sizeof(err)) != 0) {
		report_error(r->c->color, "cannot check image access: %s", err);
		return finish(r, DECISION_ERROR, EXIT_UNAVAILABLE);
	}
	status = decide(&r->rep, &d);
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

static int
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
	if (deployed_wanted(r->a))
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
		plan_settings(r);
		if (r->rs.ar_endpoint != NULL)
			extras_plan(&r->ex, &r->rep, RESULT_PLANNED,
			    &r->props, r->rs.ar_endpoint, r->connect_to);
		return finish(r, DECISION_PLANNED, bad ? EXIT_BADIMAGE : 0);
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

int
preflight_run(const struct conf *c, const struct deploy_args *a,
    enum preflight_mode mode, enum report_format fmt, const char *gcloud)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.c = c, r.a = a, r.mode = mode, r.fmt = fmt, r.gcloud = gcloud;
	r.rep.command = a->command;
	r.rep.service = a->service;
	r.rep.color = c->color;
	r.rep.warn = mode == PREFLIGHT_WARN;
	if (!a->check) {
		r.rep.note = a->skip;
		rc = finish(&r, mode == PREFLIGHT_PLAN ? DECISION_PLANNED :
		    DECISION_DEPLOY, 0);
	} else
		rc = start(&r);
	free(r.rep.images);
	free(r.q);
	runclient_free(&r.dep);
	free(r.named);
	manifest_free(&r.man);
	extras_free(&r.ex);
	curl_slist_free_all(r.connect_to);
	props_free(&r.props);
	return rc;
}
