/*
 * postiam.c - the manifest and service agent checks, planned from the
 * report's images and asked in one fetch_all() (see postiam.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/postiam.h"
#include "gcloud/transport.h"

/* Does the connect-to list route host:443 (curl's syntax)? */
static int
routed(const struct curl_slist *l, const char *host)
{
	size_t n = strlen(host);

	for (; l != NULL; l = l->next)
		if (strncmp(l->data, host, n) == 0 &&
		    strncmp(l->data + n, ":443:", 5) == 0)
			return 1;
	return 0;
}

static struct registry_query *
manifest(struct postiam *e, const struct imageref *ref, int reachable)
{
	struct registry_query *q = &e->x[e->nx];
	size_t i;

	if (registry_init(q, ref) != 0)
		return NULL;
	for (i = 0; i < e->nx; i++)
		if (strcmp(e->x[i].url, q->url) == 0)
			return &e->x[i];
	if (!reachable) {
		q->status = REGISTRY_SKIPPED;
		snprintf(q->detail, sizeof(q->detail), "read access granted; "
		    "the manifest was not asked for: "
		    "api_endpoint_overrides/artifactregistry is set and "
		    "GCLOUD_RUN_DEPLOY_CONNECT_TO does not route %s:443",
		    ref->domain);
	}
	return &e->x[e->nx++];
}

/* Is the service agent check possible with these settings? */
static int
agent_ok(struct postiam *e, const struct props *p, int ar_default)
{
	const char *o = props_get(p, "api_endpoint_overrides/"
	    "cloudresourcemanager");
	char err[256];

	if (!ar_default && (o == NULL || *o == '\0'))
		return 0;
	return transport_endpoint(p, "cloudresourcemanager", CRM_ENDPOINT,
	    e->crm, sizeof(e->crm), err, sizeof(err)) == 0;
}

int
postiam_plan(struct postiam *e, const struct check_images *ci,
    enum result want, const struct props *p, const char *ar_endpoint,
    const struct curl_slist *connect_to)
{
	const char *project = props_get(p, "core/project");
	int ar_default = strcmp(ar_endpoint, AR_ENDPOINT) == 0, agents;
	const struct report_image *im;
	size_t i, j;

	memset(e, 0, sizeof(*e));
	if ((e->x = calloc(ci->n + 1, sizeof(*e->x))) == NULL ||
	    (e->after = calloc(ci->n + 1, sizeof(*e->after))) == NULL)
		return -1;
	e->nafter = ci->n;
	e->agent.deploy_project = project;
	e->agent.ar_endpoint = ar_endpoint;
	e->agent.crm_endpoint = e->crm;
	agents = project != NULL && *project != '\0' &&
	    agent_ok(e, p, ar_default);
	for (i = 0; i < ci->n; i++) {
		im = &ci->v[i];
		if (im->result != want)
			continue;
		e->after[i].ex = manifest(e, &im->ref, ar_default ||
		    routed(connect_to, im->ref.domain));
		if (agents && strcmp(im->ref.project, project) != 0 &&
		    svcagent_add(&e->agent, &im->ref) == NULL)
			return -1;
	}
	/* svcagent_add() may move its checks: point at them only now. */
	for (i = 0; i < ci->n; i++)
		for (j = 0; j < e->agent.n; j++)
			if (ci->v[i].result == want && strcmp(
			    ci->v[i].ref.resource,
			    e->agent.c[j].ref->resource) == 0)
				e->after[i].sa = &e->agent.c[j];
	e->project = project;
	e->member = e->agent.member;
	return 0;
}

void
postiam_run(struct postiam *e, const struct http_opts *o, const char *token)
{
	struct fetch *f;
	size_t i, nf = 0, *slot;
	char err[256];

	f = calloc(e->nx + svcagent_fetches(&e->agent) + 1, sizeof(*f));
	slot = calloc(e->nx + 1, sizeof(*slot));
	registry_opts(o, &e->ro);
	if (f == NULL || slot == NULL ||
	    svcagent_prepare(&e->agent, f, &nf) != 0) {
		strlcpy(err, "out of memory", sizeof(err));
		goto fail;
	}
	for (i = 0; i < e->nx; i++)
		if (e->x[i].status == REGISTRY_PLANNED) {
			slot[i] = nf;
			registry_fetch(&e->x[i], &f[nf++], &e->ro);
		}
	if (nf > 0 && fetch_all(f, nf, o, token, err, sizeof(err)) != 0)
		goto fail;
	svcagent_answers(&e->agent, f, token);
	for (i = 0; i < e->nx; i++)
		if (e->x[i].status == REGISTRY_PLANNED)
			registry_answer(&e->x[i], &f[slot[i]], token);
	goto out;
fail:
	svcagent_fail(&e->agent, err);
	for (i = 0; i < e->nx; i++)
		if (e->x[i].status == REGISTRY_PLANNED) {
			e->x[i].status = REGISTRY_ERROR;
			strlcpy(e->x[i].detail, err, sizeof(e->x[i].detail));
		}
out:
	if (f != NULL)
		fetch_free(f, nf);
	free(f);
	free(slot);
}

void
postiam_apply(const struct postiam *e, struct check_images *ci)
{
	const struct registry_query *x;
	struct report_image *im;
	size_t i;

	for (i = 0; i < ci->n && i < e->nafter; i++) {
		im = &ci->v[i];
		if ((x = e->after[i].ex) == NULL ||
		    im->result != RESULT_GRANTED)
			continue;
		if (x->status == REGISTRY_DENIED)
			im->result = RESULT_DENIED;
		else if (x->status == REGISTRY_ERROR)
			im->result = RESULT_ERROR;
	}
}

void
postiam_show(const struct postiam *e, struct report *rep)
{
	rep->after = e->after;
	rep->nafter = e->nafter;
	rep->project = e->project;
	rep->agent_member = e->member;
}

void
postiam_free(struct postiam *e)
{
	free(e->x);
	e->x = NULL;
	e->nx = 0;
	free(e->after);
	e->after = NULL;
	e->nafter = 0;
	svcagent_free(&e->agent);
}
