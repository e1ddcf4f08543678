/*
 * resource.c - whether, and by what, the check reads the deployed
 * resource whose images an update keeps (resource.h).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth/metadata.h"
#include "check/kept.h"
#include "check/resource.h"
#include "gcloud/transport.h"

void
resource_init(struct resource *k, const struct deploy_args *a,
    const struct props *p, const struct preflight_doubt *doubt)
{
	memset(k, 0, sizeof(*k));
	k->a = a;
	k->props = p;
	k->doubt = doubt;
}

/*
 * What the deployed resource is read by: the project and name of a full
 * resource name (namespaces/P/services/S), else core/project and the
 * name as given; the region is run/region.
 */
static void
target(struct resource *k, struct run_read *d)
{
	d->project = props_get(k->props, "core/project");
	d->region = props_get(k->props, "run/region");
	d->name = k->a->service_unsure == NULL ? k->a->service : NULL;
	if (d->name != NULL && kept_qualified(k->a->service, k->qproject,
	    sizeof(k->qproject), k->qname, sizeof(k->qname)) == 0) {
		d->project = k->qproject;
		d->name = k->qname;
	}
}

const char *
resource_noun(const struct deploy_args *a)
{
	enum run_kind rk = kept_kind(&a->cmd);

	return rk == RUN_JOB ? "job" : rk == RUN_WORKER_POOL ?
	    "worker pool" : "service";
}

/*
 * Would gcloud ask at its prompt (console_io.CanPrompt: stdin and stderr
 * are terminals, core/disable_prompts is off)?  --quiet is not looked at:
 * when unsure, it would.
 */
static int
gcloud_prompts(const struct resource *k)
{
	return isatty(STDIN_FILENO) && isatty(STDERR_FILENO) &&
	    props_bool(k->props, "core/disable_prompts", 0) != 1;
}

/*
 * Why the images the deployed resource keeps cannot be read before the
 * hand-over, into k->unread ("" when they can).  A name or region that
 * gcloud would ask for at its prompt: the shim cannot know the answer.
 * Where gcloud cannot ask, it stops for want of them and deploys nothing.
 * No project: the metadata server was asked as gcloud asks it
 * (metadata.h); only when that answer was not certain (a time-out) may
 * gcloud still find one there.  Otherwise it stops too.
 */
void
resource_why_unread(struct resource *k)
{
	const struct preflight_doubt *dt = k->doubt;
	const char *noun = resource_noun(k->a);
	struct run_read d;
	char *u = k->unread;
	size_t n = sizeof(k->unread);

	u[0] = '\0';
	if (kept_unreadable(k->a) != NULL) {
		snprintf(u, n, "%s: the images the deployed %s keeps were not "
		    "read", kept_unreadable(k->a), noun);
		return;
	}
	if (!kept_wanted(k->a))
		return;
	target(k, &d);
	if (dt != NULL && dt->service_ambiguous)
		snprintf(u, n, "the %s name is not certain (%.200s): the "
		    "images the deployed %s keeps were not read", noun,
		    dt->service_ambiguous_why != NULL ?
		    dt->service_ambiguous_why : "", noun);
	else if (d.name == NULL && gcloud_prompts(k))
		snprintf(u, n, "no %s name (gcloud asks for it at its "
		    "prompt): the images the deployed %s keeps were not read; "
		    "name it on the command line", noun, noun);
	else if (d.name != NULL && d.project == NULL &&
	    metadata_unsure(k->props))
		snprintf(u, n, "no project: the images %s '%.200s' keeps "
		    "were not read; pass --project or set core/project",
		    noun, d.name);
	else if (d.name != NULL && d.region == NULL && gcloud_prompts(k))
		snprintf(u, n, "no region (gcloud asks for it at its "
		    "prompt): the images %s '%.200s' keeps were not read; "
		    "pass --region or set run/region", noun, d.name);
}

/*
 * Whether to read what is deployed: for an update that names no image
 * always (a missing project, region or name is then an error); otherwise
 * only when there is something to read by, so a deploy that names only
 * images outside Artifact Registry, with no project or region known, asks
 * for no token at all.
 */
int
resource_must_read(struct resource *k)
{
	struct run_read d;

	if (!kept_wanted(k->a) || k->unread[0] != '\0')
		return 0;
	if (k->a->nimages == 0)
		return 1;
	target(k, &d);
	return d.name != NULL && d.project != NULL && d.region != NULL;
}

/*
 * What to read the deployed containers by, and where.  Without a name,
 * project or region (gcloud stops for want of them) that is an error only
 * when the command names no image at all: resource_must_read() says.
 */
int
resource_target(struct resource *k, char *endpoint, size_t len, char *err,
    size_t errlen)
{
	struct run_read *d = &k->dep;

	d->kind = kept_kind(&k->a->cmd);
	target(k, d);
	if (d->project == NULL || d->region == NULL || d->name == NULL) {
		snprintf(err, errlen, "cannot read what is deployed: no %s "
		    "(give it on the command line%s)", d->name == NULL ?
		    "service or job name" : d->project == NULL ? "project" :
		    "region", d->name == NULL ? "" :
		    d->project == NULL ? ", or set core/project" :
		    ", or set run/region");
		return -1;
	}
	return transport_endpoint(k->props, "run", RUN_ENDPOINT, endpoint,
	    len, err, errlen);
}

void
resource_free(struct resource *k)
{
	runclient_free(&k->dep);
}
