/*
 * preflight.c - the check: properties, images, token, testIamPermissions,
 * decision.  Nothing here exits or execs; main() does, with what this
 * returns.
 */
#include <sys/prctl.h>

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arclient.h"
#include "preflight.h"
#include "props.h"
#include "report.h"
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
};

/* The SDK installation folder: the real gcloud is SDK_ROOT/bin/gcloud. */
static int
sdk_root(const char *gcloud, char *out)
{
	char real[PATH_MAX];

	if (gcloud == NULL || realpath(gcloud, real) == NULL)
		return -1;
	strlcpy(out, dirname(dirname(real)), PATH_MAX);
	return 0;
}

static int
load_props(struct run *r, char *err, size_t errlen)
{
	char root[PATH_MAX];

	props_init(&r->props);
	if (props_args(&r->props, r->a) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return props_load(&r->props, r->a->configuration,
	    sdk_root(r->gcloud, root) == 0 ? root : NULL, err, errlen);
}

/* Parse every image; returns how many are invalid. */
static size_t
parse_images(struct run *r)
{
	struct report *rep = &r->rep;
	size_t i, bad = 0;

	rep->images = calloc(r->a->nimages, sizeof(*rep->images));
	if (rep->images == NULL && r->a->nimages > 0)
		return r->a->nimages;	/* reported as out of memory */
	rep->n = r->a->nimages;
	for (i = 0; i < rep->n; i++) {
		struct report_image *im = &rep->images[i];

		im->image = r->a->images[i].image;
		im->container = r->a->images[i].container;
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

/* One query per distinct repository. */
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
		if (j == r->nq)
			r->q[r->nq++].resource = im->ref.resource;
	}
	return 0;
}

static void
apply_answers(struct run *r)
{
	size_t i, j;

	for (i = 0; i < r->rep.n; i++) {
		struct report_image *im = &r->rep.images[i];

		if (im->result != RESULT_PLANNED)
			continue;
		for (j = 0; j < r->nq; j++)
			if (strcmp(r->q[j].resource, im->ref.resource) == 0)
				break;
		im->q = &r->q[j];
		im->result = r->q[j].status == AR_GRANTED ? RESULT_GRANTED :
		    r->q[j].status == AR_DENIED ? RESULT_DENIED : RESULT_ERROR;
	}
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
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
	long start = now_ms(), left;
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
	if ((left = r->c->timeout_ms - (now_ms() - start)) < 1000)
		left = 1000;	/* the token took the time: one short try */
	settings_http(&s, left, r->c->verbose, &o);
	rc = ar_check(r->q, r->nq, s.endpoint, &o, t.value, err, errlen);
out:
	explicit_bzero(s.proxy, sizeof(s.proxy));	/* may hold a password */
	token_free(&t);
	prctl(PR_SET_DUMPABLE, 1);
	return rc;
}

static enum decision
decide(const struct report *rep)
{
	enum decision d = DECISION_DEPLOY;
	size_t i;

	for (i = 0; i < rep->n; i++) {
		if (rep->images[i].result == RESULT_DENIED)
			return DECISION_BLOCKED;
		if (rep->images[i].result == RESULT_ERROR)
			d = DECISION_ERROR;
	}
	return d;
}

static int
finish(struct run *r, enum decision d, int status)
{
	struct report *rep = &r->rep;
	int warn = r->mode == PREFLIGHT_WARN;

	rep->decision = warn && d != DECISION_PLANNED ? DECISION_DEPLOY : d;
	if (r->fmt == FORMAT_JSON)
		report_json(stdout, rep);
	else if (r->mode == PREFLIGHT_PLAN || r->mode == PREFLIGHT_ONLY)
		report_summary(stdout, rep);
	else if (r->c->verbose)
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

	if (build_queries(r) != 0) {
		report_error(r->c->color, "out of memory");
		return finish(r, DECISION_ERROR, EXIT_UNAVAILABLE);
	}
	if (r->nq == 0)
		return finish(r, DECISION_DEPLOY, 0);
	if (ask(r, err, sizeof(err)) != 0) {
		report_error(r->c->color, "cannot check image access: %s", err);
		return finish(r, DECISION_ERROR, EXIT_UNAVAILABLE);
	}
	apply_answers(r);
	d = decide(&r->rep);
	return finish(r, d, d == DECISION_BLOCKED ? EXIT_DENIED :
	    d == DECISION_ERROR ? EXIT_UNAVAILABLE : 0);
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
	bad = parse_images(r);
	if (r->mode == PREFLIGHT_PLAN)
		return finish(r, DECISION_PLANNED, bad ? EXIT_BADIMAGE : 0);
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
	props_free(&r.props);
	return rc;
}
