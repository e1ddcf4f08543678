/*
 * deployed.c - which deployed containers an update keeps.
 */
#include <string.h>

#include "deployed.h"

static const char *
verb(const char *command)
{
	const char *sp = strrchr(command, ' ');

	return sp != NULL ? sp + 1 : command;
}

int
deployed_wanted(const struct deploy_args *a)
{
	if (a->command == NULL || !a->check)
		return 0;
	/*
	 * Not read (yet): multi-region services live in several regions, and
	 * alpha's workers have no v2 read; their named images are checked.
	 */
	if (strstr(a->command, " multi-region-services ") != NULL ||
	    strstr(a->command, " workers ") != NULL)
		return 0;
	if (strcmp(verb(a->command), "update") == 0)
		return 1;
	return strcmp(verb(a->command), "deploy") == 0 && a->nimages > 0;
}

enum run_kind
deployed_kind(const char *command)
{
	if (strstr(command, " jobs ") != NULL)
		return RUN_JOB;
	if (strstr(command, " worker-pools ") != NULL)
		return RUN_WORKER_POOL;
	return RUN_SERVICE;
}

int
deployed_qualified(const char *given, char *project, size_t plen,
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
deployed_merge(const struct run_read *r, const struct cli_image *named,
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
