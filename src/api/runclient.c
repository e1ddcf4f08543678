/*
 * runclient.c - read a deployed Cloud Run resource's containers (v2).
 *
 * Where the containers are (run v2 messages): a Service and a WorkerPool
 * keep them at template.containers[], a Job at template.template.
 * containers[].  The ingress container of a multi-container service is the
 * one with ports; a plain --image updates it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api/runclient.h"
#include "net/fetch.h"
#include "util/util_array.h"

static const char *const collections[] = {
	[RUN_SERVICE] = "services",
	[RUN_JOB] = "jobs",
	[RUN_WORKER_POOL] = "workerPools",
};

const char *
runclient_collection(enum run_kind kind)
{
	return collections[kind];
}

/* A path segment: what project ids, regions and names are made of. */
static int
segment_ok(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0' || strlen(s) > 255 ||
	    strstr(s, "..") != NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_' || s[i] == '.' || s[i] == ':'))
			return 0;
	return 1;
}

static const cJSON *
containers(const cJSON *root, enum run_kind kind)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "template");

	if (kind == RUN_JOB)
		t = cJSON_GetObjectItemCaseSensitive(t, "template");
	return cJSON_GetObjectItemCaseSensitive(t, "containers");
}

static int
add(struct run_read *r, const cJSON *c)
{
	const cJSON *img = cJSON_GetObjectItemCaseSensitive(c, "image");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
	const cJSON *ports = cJSON_GetObjectItemCaseSensitive(c, "ports");
	struct run_container *rc;

	if (!cJSON_IsString(img))
		return 0;	/* nothing to pull */
	if (array_grow(&r->c, r->n, sizeof(*r->c)) == -1)
		return -1;
	rc = &r->c[r->n];
	rc->image = strdup(img->valuestring);
	rc->name = strdup(cJSON_IsString(name) ? name->valuestring : "");
	rc->ingress = cJSON_GetArraySize(ports) > 0;
	if (rc->image == NULL || rc->name == NULL) {
		free(rc->image);
		free(rc->name);
		return -1;
	}
	r->n++;
	return 0;
}

int
runclient_decode(struct run_read *r, const char *body, size_t len)
{
	const cJSON *list, *c;
	cJSON *root;
	int rc = 0;

	if ((root = apierror_answer(&r->e, 200, body, len)) == NULL) {
		r->status = RUN_ERROR;
		return 0;
	}
	list = containers(root, r->kind);
	cJSON_ArrayForEach(c, list)
		if (add(r, c) != 0) {
			rc = -1;
			break;
		}
	/* a container not recorded would go unchecked: not "found" */
	r->status = rc == 0 ? RUN_FOUND : RUN_ERROR;
	if (rc != 0) {
		runclient_free(r);	/* an error holds no containers */
		strlcpy(r->e.message, "out of memory", sizeof(r->e.message));
	}
	cJSON_Delete(root);
	return rc;
}

void
runclient_answer(struct run_read *r, const struct fetch *f, const char *token)
{
	r->status = RUN_ERROR;
	if (apierror_transport(&r->e, f, token))
		return;
	if (f->code == 404) {
		r->status = RUN_ABSENT;
		return;
	}
	if (f->code >= 200 && f->code < 300) {
		runclient_decode(r, f->body.data, f->body.len);
		return;
	}
	/* a non-2xx answer: never a tree, only r->e */
	cJSON_Delete(apierror_answer(&r->e, f->code, f->body.data,
	    f->body.len));
	apierror_scrub(&r->e, token);
	/* The API is off in the project: nothing can be deployed there. */
	if (f->code == 403 && strcmp(r->e.reason, "SERVICE_DISABLED") == 0) {
		r->status = RUN_ABSENT;
		r->disabled = 1;
	}
}

int
runclient_url(const struct run_read *r, const char *endpoint, char *url,
    size_t len, char *err, size_t errlen)
{
	char why[128];
	int n;

	if (endpoint == NULL)
		endpoint = RUN_ENDPOINT;
	if (http_endpoint_ok(endpoint, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "bad endpoint '%s': %s", endpoint, why);
		return -1;
	}
	if (!segment_ok(r->project) || !segment_ok(r->region) ||
	    !segment_ok(r->name)) {
		snprintf(err, errlen, "cannot name the deployed %s: project, "
		    "region or name is missing or not valid",
		    r->kind == RUN_JOB ? "job" : "service");
		return -1;
	}
	n = snprintf(url, len, "%sv2/projects/%s/locations/%s/%s/%s",
	    endpoint, r->project, r->region, collections[r->kind], r->name);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "endpoint too long");
		return -1;
	}
	return 0;
}

int
runclient_read(struct run_read *r, const char *endpoint,
    const struct http_opts *o, const char *token, char *err, size_t errlen)
{
	struct fetch f;
	char url[2048];
	int rc = -1;

	if (runclient_url(r, endpoint, url, sizeof(url), err, errlen) != 0)
		return -1;
	memset(&f, 0, sizeof(f));
	f.url = url;
	if (fetch_all(&f, 1, o, token, err, errlen) == 0) {
		runclient_answer(r, &f, token);
		rc = 0;
	}
	fetch_free(&f, 1);
	return rc;
}

void
runclient_free(struct run_read *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->c[i].name);
		free(r->c[i].image);
	}
	free(r->c);
	r->c = NULL;
	r->n = 0;
}
