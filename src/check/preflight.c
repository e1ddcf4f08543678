/*
 * preflight.c - the check, orchestrated: properties, images, the
 * credentials session, testIamPermissions, decision.  The state has its
 * owners: the image list and its queries (check_images.h), the deployed
 * resource (resource.h), plan mode's view (check_plan.h), the checks
 * after the IAM answer (postiam.h); the report reads them.  Nothing here
 * exits or execs; main() does, with the route this returns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/runclient.h"
#include "auth/metadata.h"
#include "auth/session.h"
#include "auth/token.h"
#include "check/check_images.h"
#include "check/check_plan.h"
#include "check/kept.h"
#include "check/postiam.h"
#include "check/preflight.h"
#include "check/resource.h"
#include "gcloud/props.h"
#include "gcloud/transport.h"
#include "net/httpwarm.h"
#include "out/hint.h"
#include "out/report.h"

struct check {
	const struct env	*c;
	const struct deploy_args *a;
	enum preflight_mode	 mode;
	enum report_format	 fmt;
	const char		*gcloud;
	struct props		 props;
	/* GCLOUD_RUN_DEPLOY_CONNECT_TO */
	struct curl_slist	*connect_to;
	struct check_images	 im;
	struct resource		 res;
	struct postiam		 ex;	/* manifests, service agent */
	struct report		 rep;	/* the view of the above */
	int			 status;	/* with ROUTE_EXIT */
};

/* The report shows the images as they are now. */
static void
show(struct check *k)
{
	images_show(&k->im, &k->rep);
	postiam_show(&k->ex, &k->rep);
}

/*
 * The deployed resource's answer: its kept images join the report.  A
 * read that failed stops the check, except in warn mode, where the kept
 * images are reported unchecked and gcloud runs.
 */
static int
deployed_answer(struct check *k, char *err, size_t errlen)
{
	struct run_read *d = &k->res.dep;

	if (d->status == RUN_ERROR) {
		hint_run_error(d, err, errlen);
		if (k->mode != PREFLIGHT_WARN)
			return -1;
		snprintf(k->res.unread, sizeof(k->res.unread), "%.600s: the "
		    "images it keeps were not checked", err);
		err[0] = '\0';
		if (images_add_unchecked(&k->im, k->res.unread) == 0)
			return 0;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (d->disabled)
		k->rep.note = hint_run_disabled;
	if (images_add_kept(&k->im, d, k->a) != 0) {
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
opts(const struct check *k, const struct session *ss, struct http_opts *o)
{
	transport_http(&ss->settings, remaining(ss), k->c->verbose, o);
	o->connect_to = k->connect_to;
}

/* The manifests and the service agent, for the granted images. */
static void
after_iam(struct check *k, const struct session *ss)
{
	struct http_opts o;

	show(k);
	if (postiam_plan(&k->ex, &k->im, RESULT_GRANTED, &k->props,
	    ss->settings.endpoint, k->connect_to) != 0)
		return;
	opts(k, ss, &o);
	postiam_run(&k->ex, &o, ss->token.value);
	postiam_apply(&k->ex, &k->im);
}

/*
 * The questions, in as few round trips as there can be: the deployed
 * resource and the named images' repositories at once; then, only when
 * the update keeps images in repositories not asked about yet, those.
 */
static int
rounds(struct check *k, const struct session *ss, char *err, size_t errlen)
{
	const char *ar_ep = ss->settings.endpoint, *token = ss->token.value;
	struct http_opts o;
	struct ar_query *q;
	char endpoint[1024];
	size_t nq;
	int read = resource_must_read(&k->res);

	if (images_round(&k->im, &q, &nq) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (read && resource_target(&k->res, endpoint, sizeof(endpoint), err,
	    errlen) != 0)
		return -1;
	opts(k, ss, &o);
	if (kept_ask(read ? &k->res.dep : NULL, endpoint, q, nq, ar_ep,
	    &o, token, err, errlen) != 0 ||
	    (read && deployed_answer(k, err, errlen) != 0))
		return -1;
	if (images_round(&k->im, &q, &nq) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (nq == 0)
		return 0;
	opts(k, ss, &o);
	return ar_check(q, nq, ar_ep, &o, token, err, errlen);
}

/*
 * Ready the connection warm-up (httpwarm.h): if the token must come from
 * config-helper, the connections the first round needs (Artifact Registry
 * for a named image, Cloud Run for the read) are opened while it runs.
 */
static void
warm(struct check *k)
{
	struct transport s;
	struct http_opts o;
	const char *urls[2];
	char run[1024], err[512];
	size_t n = 0;

	memset(&s, 0, sizeof(s));
	if (transport_load(&k->props, token_user_creds(&k->props), &s, err,
	    sizeof(err)) != 0)
		return;
	if (images_planned(&k->im) > 0)
		urls[n++] = s.endpoint;
	if (resource_must_read(&k->res) && transport_endpoint(&k->props, "run",
	    RUN_ENDPOINT, run, sizeof(run), err, sizeof(err)) == 0)
		urls[n++] = run;
	transport_http(&s, k->c->timeout_ms, k->c->verbose, &o);
	o.connect_to = k->connect_to;
	http_warm(urls, n, &o);
	/* the proxy may hold a password */
	explicit_bzero(s.proxy, sizeof(s.proxy));
}

static int
any_denied(const struct report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (rep->images[i].result == RESULT_DENIED)
			return 1;
	return 0;
}

/*
 * The credentials session (session.h: the process is not dumpable while
 * the token is held), then the questions, all inside the one deadline.
 * The warm-up is only readied here: it sends nothing unless config-helper
 * runs (helper.h), and carries no token.
 */
static int
ask(struct check *k, char *err, size_t errlen)
{
	struct session ss;
	struct http_opts o;
	int rc = -1;

	warm(k);
	if (session_open(&ss, &k->props, k->a, k->gcloud, k->c->timeout_ms,
	    err, errlen) == 0)
		rc = rounds(k, &ss, err, errlen);
	if (ss.have_token)
		k->rep.who = ss.token.who;
	if (rc == 0) {
		images_apply(&k->im);
		after_iam(k, &ss);
		opts(k, &ss, &o);
		show(k);
		if (any_denied(&k->rep))
			principal_on_denial(&k->rep.who, &o, ss.token.value,
			    ss.settings.endpoint);
	}
	http_warm_close();	/* the connections first: they carried it */
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
	const struct registry_query *x;
	int missing = 0, error = 0, unchecked = 0;

	*d = DECISION_DEPLOY;
	for (i = 0; i < rep->n; i++) {
		if (rep->images[i].result == RESULT_DENIED) {
			*d = DECISION_BLOCKED;
			return EXIT_DENIED;
		}
		error |= rep->images[i].result == RESULT_ERROR;
		unchecked |= rep->images[i].result == RESULT_UNCHECKED;
		x = report_after(rep, &rep->images[i])->ex;
		missing |= x != NULL && x->status == REGISTRY_MISSING;
	}
	/* A CI gate is not green on a partial check. */
	if (missing || error || (unchecked && mode == PREFLIGHT_ONLY))
		*d = DECISION_ERROR;
	return missing ? EXIT_BADIMAGE : *d == DECISION_ERROR ?
	    EXIT_UNAVAILABLE : 0;
}

static enum route
finish(struct check *k, enum decision d, int status)
{
	struct report *rep = &k->rep;
	int warn = k->mode == PREFLIGHT_WARN;

	show(k);
	rep->decision = warn && d != DECISION_PLANNED ? DECISION_DEPLOY : d;
	rep->color = k->c->color_out;	/* bold only where it is shown */
	report_json_out(k->c, k->mode, k->fmt, rep);	/* stdout: gcloud's */
	if (k->fmt != FORMAT_JSON &&
	    (k->mode == PREFLIGHT_PLAN || k->mode == PREFLIGHT_ONLY))
		report_summary(stdout, rep);
	rep->color = k->c->color;
	if (k->fmt != FORMAT_JSON && k->mode != PREFLIGHT_PLAN &&
	    k->mode != PREFLIGHT_ONLY && k->c->verbose)
		report_summary(stderr, rep);
	report_text(stderr, rep);
	k->status = status;
	if (k->mode == PREFLIGHT_PLAN || k->mode == PREFLIGHT_ONLY)
		return ROUTE_EXIT;
	return warn || status == 0 ? ROUTE_HANDOVER : ROUTE_EXIT;
}

static enum route
check(struct check *k)
{
	char err[1024];
	enum decision d;
	int status;

	resource_why_unread(&k->res);
	if (k->res.unread[0] != '\0' &&
	    images_add_unchecked(&k->im, k->res.unread) != 0) {
		report_error(k->c->color, "out of memory");
		return finish(k, DECISION_ERROR, EXIT_UNAVAILABLE);
	}
	if ((images_planned(&k->im) > 0 || resource_must_read(&k->res)) &&
	    ask(k, err, sizeof(err)) != 0) {
		report_error(k->c->color, "cannot check image access: %s", err);
		return finish(k, DECISION_ERROR, EXIT_UNAVAILABLE);
	}
	show(k);
	status = decide(&k->rep, k->mode, &d);
	if (status == 0 && k->c->agent_block && report_agent_risk(&k->rep, 1)) {
		d = DECISION_BLOCKED;	/* --preflight-service-agent=block */
		status = EXIT_DENIED;
	}
	return finish(k, d, status);
}

/* Plan mode: nothing over the network; the view lives until printed. */
static enum route
plan(struct check *k, size_t bad)
{
	struct plan_view pv;

	memset(&pv, 0, sizeof(pv));
	plan_note(&pv, &k->res, &k->rep);
	plan_settings(&pv, &k->props, &k->rep);
	show(k);
	if (pv.rs.ar_endpoint != NULL)
		postiam_plan(&k->ex, &k->im, RESULT_PLANNED, &k->props,
		    pv.rs.ar_endpoint, k->connect_to);
	return finish(k, DECISION_PLANNED, bad ? EXIT_BADIMAGE : 0);
}

static enum route
start(struct check *k)
{
	const char *platform;
	char err[1024];
	size_t bad;

	if (props_for_command(&k->props, k->a, k->gcloud, err,
	    sizeof(err)) != 0) {
		report_error(k->c->color, "%s", err);
		return finish(k, DECISION_ERROR, EXIT_UNAVAILABLE);
	}
	token_principal(&k->props, &k->rep.who);
	platform = props_get(&k->props, "run/platform");
	if (platform != NULL && (strcmp(platform, "gke") == 0 ||
	    strcmp(platform, "kubernetes") == 0)) {
		k->rep.note = "run/platform deploys to a cluster, "
		    "not Cloud Run";
		return finish(k, DECISION_DEPLOY, 0);
	}
	if (images_name(&k->im, k->a, err, sizeof(err)) != 0) {
		report_error(k->c->color, "%s", err);
		return finish(k, DECISION_ERROR, EXIT_BADIMAGE);
	}
	bad = images_parse(&k->im);
	if (kept_wanted(k->a) && k->mode == PREFLIGHT_PLAN)
		k->rep.note = "the deployed resource, if it exists, is read "
		    "(Cloud Run Admin API v2): the new revision keeps the "
		    "images this command does not replace";
	if (http_connect_to(k->c->connect_to, &k->connect_to, err,
	    sizeof(err)) != 0) {
		report_error(k->c->color, "GCLOUD_RUN_DEPLOY_CONNECT_TO: %s",
		    err);
		return finish(k, DECISION_ERROR, EXIT_USAGE);
	}
	if (k->mode == PREFLIGHT_PLAN)
		return plan(k, bad);
	/* gcloud's GCE callbacks (metadata.h); plan mode reads no network */
	if (metadata_enable(&k->props, k->c->timeout_ms) != 0) {
		report_error(k->c->color, "out of memory");
		return finish(k, DECISION_ERROR, EXIT_UNAVAILABLE);
	}
	if (bad && k->mode != PREFLIGHT_WARN)
		return finish(k, DECISION_ERROR, EXIT_BADIMAGE);
	if (k->a->incomplete != NULL) {
		report_error(k->c->color, "cannot check image access: %s",
		    k->a->incomplete);
		return finish(k, DECISION_ERROR, EXIT_UNAVAILABLE);
	}
	return check(k);
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
preflight_run(const struct env *c, const struct deploy_args *a,
    enum preflight_mode mode, enum report_format fmt, const char *gcloud,
    int *status)
{
	struct preflight_doubt d;

	doubt_from_cli(a, &d);
	return preflight_run_doubt(c, a, mode, fmt, gcloud, &d, status);
}

enum route
preflight_run_doubt(const struct env *c, const struct deploy_args *a,
    enum preflight_mode mode, enum report_format fmt, const char *gcloud,
    const struct preflight_doubt *doubt, int *status)
{
	struct check k;
	enum route rt;

	memset(&k, 0, sizeof(k));
	k.c = c, k.a = a, k.mode = mode, k.fmt = fmt, k.gcloud = gcloud;
	resource_init(&k.res, a, &k.props, doubt);
	k.rep.command = a->command;
	k.rep.service = a->service;
	k.rep.color = c->color;
	k.rep.warn = mode == PREFLIGHT_WARN;
	if (!a->check) {
		k.rep.note = a->skip;
		rt = finish(&k, mode == PREFLIGHT_PLAN ? DECISION_PLANNED :
		    DECISION_DEPLOY, 0);
	} else
		rt = start(&k);
	*status = k.status;
	images_free(&k.im);
	resource_free(&k.res);
	postiam_free(&k.ex);
	curl_slist_free_all(k.connect_to);
	props_free(&k.props);
	return rt;
}
