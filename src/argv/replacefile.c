/*
 * replacefile.c - the manifest of a `replace` command, as a list of images.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv/replacefile.h"
#include "gcloud/stdinbuf.h"

int
replacefile_is(const struct deploy_args *a)
{
	return a->command != NULL && a->cmd.verb == CLI_VERB_REPLACE;
}

/* The kind the command replaces: gcloud builds that message from FILE. */
static const char *
wanted_kind(const struct cli_command *c)
{
	if (c->kind == CLI_JOB)
		return "Job";
	if (c->kind == CLI_WORKER_POOL)
		return "WorkerPool";
	return "Service";
}

static int
read_manifest(const char *path, const char *want, struct manifest *m,
    char *err, size_t errlen)
{
	const char *buf;
	size_t len;

	if (strcmp(path, "-") != 0)
		return manifest_read_as(path, NULL, 0, want, m, err,
		    errlen);
	if (stdinbuf_get(&buf, &len, err, errlen) != 0)
		return -1;
	return manifest_read_as("-", buf, len, want, m, err, errlen);
}

int
replacefile_images(const struct deploy_args *a, struct manifest *m,
    struct cli_image **list, size_t *n, char *err, size_t errlen)
{
	const char *want = wanted_kind(&a->cmd);
	size_t i;

	*list = NULL;
	*n = 0;
	if (a->service == NULL)
		return 0;	/* no FILE: gcloud gives its usage error */
	/* gcloud builds the message of its command, whatever kind says */
	if (read_manifest(a->service, want, m, err, errlen) != 0)
		return -1;
	if ((*list = calloc(m->n, sizeof(**list))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < m->n; i++) {
		(*list)[i].image = m->images[i].image;
		(*list)[i].container = m->images[i].container;
	}
	*n = m->n;
	return 0;
}
