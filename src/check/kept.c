/*
 * kept.c - which deployed containers an update keeps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/kept.h"

/* Would the new revision keep images of the deployed resource? */
static int
keeps(const struct deploy_args *a)
{
	if (a->command == NULL || !a->check)
		return 0;
	if (a->cmd.verb == CLI_VERB_UPDATE)
		return 1;
	return a->cmd.verb == CLI_VERB_DEPLOY && a->nimages > 0;
}

const char *
kept_unreadable(const struct deploy_args *a)
{
	if (!keeps(a))
		return NULL;
	if (a->cmd.kind == CLI_MULTI_REGION_SERVICE)
		return "a multi-region service lives in several regions, which "
		    "the shim does not read";
	if (a->cmd.kind == CLI_WORKER)
		return "alpha's workers have no Cloud Run v2 read";
	return NULL;
}

int
kept_wanted(const struct deploy_args *a)
{
	return keeps(a) && kept_unreadable(a) == NULL;
}

enum run_kind
kept_kind(const struct cli_command *c)
{
	if (c->kind == CLI_JOB)
		return RUN_JOB;
	if (c->kind == CLI_WORKER_POOL)
		return RUN_WORKER_POOL;
	return RUN_SERVICE;
}

int
kept_qualified(const char *given, char *project, size_t plen,
    char *name, size_t nlen)
{
	const char *p, *c, *n;

	if (given == NULL || strncmp(given, "namespaces/", 11) != 0)
		return -1;
	p = given + 11;
	if ((c = strchr(p, '/')) == NULL || (n = strchr(c + 1, '/')) == NULL ||
	    c == p || n == c + 1 || n[1] == '\0' || strchr(n + 1, '/') != NULL)
		return -1;
	if ((size_t)(c - p) >= plen || strlen(n + 1) >= nlen)
		return -1;
	memcpy(project, p, (size_t)(c - p));
	project[c - p] = '\0';
	strlcpy(name, n + 1, nlen);
	return 0;
}

/* The container a plain --image updates. */
static size_t
ingress(const struct run_read *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->c[i].ingress)
			return i;
	return 0;
}

/* Is `name` in the comma-separated list (gcloud's ArgList)? */
static int
listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		if ((p = strchr(p, ',')) != NULL)
			p++;
	}
	return 0;
}

void
kept_merge(const struct run_read *r, const struct cli_image *named,
    size_t nnamed, const char *removed, int *kept)
{
	size_t i, j, primary = ingress(r);

	for (i = 0; i < r->n; i++) {
		kept[i] = !(*r->c[i].name != '\0' && listed(removed,
		    r->c[i].name));
		for (j = 0; j < nnamed && kept[i]; j++) {
			if (named[j].container == NULL ? i == primary :
			    strcmp(named[j].container, r->c[i].name) == 0)
				kept[i] = 0;
		}
	}
}

/*
 * The read of the deployed resource and the IAM questions together, on one
 * fetch_all(): the TLS handshakes to both hosts and both answers overlap,
 * so the check costs one round trip where it cost two.
 */
int
kept_ask(struct run_read *d, const char *run_ep, struct ar_query *q,
    size_t nq, const char *ar_ep, const struct http_opts *o,
    const char *token, char *err, size_t errlen)
{
	struct fetch *f;
	char url[2048];
	size_t nar = 0, nf;
	int rc = -1;

	if ((f = calloc(nq + 2, sizeof(*f))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (d != NULL && runclient_url(d, run_ep, url, sizeof(url), err,
	    errlen) != 0)
		goto out;
	if (nq > 0 && ar_prepare(q, nq, ar_ep, o, token, f, &nar, err,
	    errlen) != 0)
		goto out;
	nf = nar;
	if (d != NULL)
		f[nf++].url = url;	/* the last one: f[nar] */
	if (nf > 0 && fetch_all(f, nf, o, token, err, errlen) != 0)
		goto out;
	ar_answers(q, nq, f, nar, token);
	if (d != NULL)
		runclient_answer(d, &f[nar], token);
	rc = 0;
out:
	ar_release(f, nar);
	fetch_free(&f[nar], 1);
	free(f);
	return rc;
}
