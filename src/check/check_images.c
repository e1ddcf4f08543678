/*
 * check_images.c - the check's image list and its testIamPermissions
 * queries (check_images.h).  Each image waiting for an answer has its
 * own query; ar_check() sends one request per repository and copies the
 * answer to the others (ar.h).  A second round asks only about
 * repositories the first did not.
 */
#include <stdlib.h>
#include <string.h>

#include "argv/replacefile.h"
#include "check/check_images.h"
#include "check/kept.h"

#define SKIPPED_WHY	"not in Artifact Registry: nothing to check"

int
images_name(struct check_images *im, const struct deploy_args *a,
    char *err, size_t errlen)
{
	char why[1024];
	size_t i;

	if (!replacefile_is(a)) {
		/* A container built from source pulls nothing: not named. */
		if ((im->named = calloc(a->nimages + 1,
		    sizeof(*im->named))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (i = 0; i < a->nimages; i++)
			if (!a->images[i].source)
				im->named[im->nnamed++] = a->images[i];
		return 0;
	}
	if (replacefile_images(a, &im->man, &im->named, &im->nnamed, why,
	    sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen, "cannot check image access: %s", why);
	return -1;
}

/* The first result of an image: an error, skipped, or to be asked. */
static void
classify(struct report_image *ri)
{
	ri->result = imageref_parse(ri->image, &ri->ref) != 0 ?
	    RESULT_ERROR : ri->ref.kind == IMAGEREF_OTHER ?
	    RESULT_SKIPPED : RESULT_PLANNED;
	if (ri->result == RESULT_SKIPPED)
		ri->detail = SKIPPED_WHY;
}

size_t
images_parse(struct check_images *im)
{
	size_t i, bad = 0;

	im->v = calloc(im->nnamed + 1, sizeof(*im->v));
	if (im->v == NULL)
		return im->nnamed + 1;	/* reported as out of memory */
	im->n = im->nnamed;
	for (i = 0; i < im->n; i++) {
		im->v[i].image = im->named[i].image;
		im->v[i].container = im->named[i].container;
		classify(&im->v[i]);
		bad += im->v[i].result == RESULT_ERROR;
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

int
images_round(struct check_images *im, struct ar_query **qp, size_t *np)
{
	int first = im->q == NULL;
	struct ar_query *q, **slot = first ? &im->q : &im->q2;
	size_t i, *nq = first ? &im->nq : &im->nq2;

	/* room for every image, allocated once, so the pointers hold */
	if ((q = calloc(im->n + 1, sizeof(*q))) == NULL)
		return -1;
	*slot = q;
	*nq = 0;
	for (i = 0; i < im->n; i++) {
		struct report_image *ri = &im->v[i];

		if (ri->result != RESULT_PLANNED || ri->q != NULL)
			continue;
		/* asked in the first round: its answer is known */
		if (!first && (ri->q = query_for(im->q, im->nq,
		    ri->ref.resource)) != NULL)
			continue;
		q[*nq].resource = ri->ref.resource;
		q[*nq].status = AR_ERROR;	/* until answered */
		ri->q = &q[(*nq)++];
	}
	*qp = q;
	*np = *nq;
	return 0;
}

void
images_apply(struct check_images *im)
{
	size_t i;

	for (i = 0; i < im->n; i++) {
		struct report_image *ri = &im->v[i];

		if (ri->result != RESULT_PLANNED || ri->q == NULL)
			continue;
		ri->result = ri->q->status == AR_GRANTED ? RESULT_GRANTED :
		    ri->q->status == AR_DENIED ? RESULT_DENIED : RESULT_ERROR;
	}
}

size_t
images_planned(const struct check_images *im)
{
	size_t i, planned = 0;

	for (i = 0; i < im->n; i++)
		planned += im->v[i].result == RESULT_PLANNED;
	return planned;
}

/*
 * After the images moved (reallocarray), the queries already asked name
 * their repository through the images' new addresses.
 */
static void
repoint(struct check_images *im)
{
	size_t i, j;

	for (j = 0; j < im->nq; j++)
		for (i = 0; i < im->n; i++)
			if (im->v[i].q == &im->q[j]) {
				im->q[j].resource = im->v[i].ref.resource;
				break;
			}
}

/* Room for `more` images at the end; -1 when out of memory. */
static int
grow(struct check_images *im, size_t more)
{
	struct report_image *v;

	if ((v = reallocarray(im->v, im->n + more, sizeof(*v))) == NULL)
		return -1;
	im->v = v;
	repoint(im);
	return 0;
}

int
images_add_kept(struct check_images *im, const struct run_read *dep,
    const struct deploy_args *a)
{
	struct report_image *ri;
	size_t i, n = dep->n;
	int *kept;

	if (n == 0)
		return 0;
	if ((kept = calloc(n, sizeof(*kept))) == NULL || grow(im, n) != 0) {
		free(kept);
		return -1;
	}
	kept_merge(dep, a->images, a->nimages, a->remove_containers,
	    kept);
	for (i = 0; i < n; i++) {
		if (!kept[i])
			continue;
		ri = &im->v[im->n++];
		memset(ri, 0, sizeof(*ri));
		ri->image = dep->c[i].image;
		ri->container = *dep->c[i].name ? dep->c[i].name : NULL;
		ri->from_deployed = 1;
		classify(ri);
	}
	free(kept);
	return 0;
}

int
images_add_unchecked(struct check_images *im, const char *why)
{
	struct report_image *ri;

	if (grow(im, 1) != 0)
		return -1;
	ri = &im->v[im->n++];
	memset(ri, 0, sizeof(*ri));
	ri->result = RESULT_UNCHECKED;
	ri->detail = why;
	ri->from_deployed = 1;
	return 0;
}

void
images_show(const struct check_images *im, struct report *rep)
{
	rep->images = im->v;
	rep->n = im->n;
}

void
images_free(struct check_images *im)
{
	free(im->v);
	free(im->q);
	free(im->q2);
	free(im->named);
	manifest_free(&im->man);
	memset(im, 0, sizeof(*im));
}
