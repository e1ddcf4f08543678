/*
 * check_images.h - the one owner of the check's image list and of the
 * testIamPermissions queries about it.  The report (report.h) reads the
 * list through images_show(); it owns none of it.
 *
 * Steps for a caller (preflight.c):
 *   1. images_name(&im, a, err, errlen): the images the command names;
 *   2. images_parse(&im): each one's reference and first result;
 *   3. images_add_kept() / images_add_unchecked() for the deployed
 *      resource's images;
 *   4. images_round(&im, &q2, &n2): one query per repository not asked
 *      about yet, asked with ar_check() or kept_ask();
 *   5. images_apply(&im): the answers become the results;
 *   6. images_show(&im, &rep) after every change, before the report is
 *      read; images_free(&im) after it is printed.
 */
#ifndef CHECK_IMAGES_H
#define CHECK_IMAGES_H

#include <stddef.h>

#include "api/ar.h"
#include "api/runclient.h"
#include "argv/cli.h"
#include "argv/manifest.h"
#include "out/report.h"

struct check_images {
	struct report_image	*v;	/* the images, in report order */
	size_t			 n;
	struct cli_image	*named;	/* the images the command names */
	size_t			 nnamed;
	struct manifest		 man;	/* replace FILE's manifest */
	struct ar_query		*q;	/* first round: the named images */
	size_t			 nq;
	struct ar_query		*q2;	/* second round: repositories only
					 * kept images are in */
	size_t			 nq2;
};

/*
 * The images the command names: its --image flags, or for a replace the
 * manifest's containers.  0, or -1 with the message to show in err (a
 * manifest that cannot be read is bad input).
 */
int images_name(struct check_images *im, const struct deploy_args *a,
    char *err, size_t errlen);

/* Parse every named image; returns how many are invalid. */
size_t images_parse(struct check_images *im);

/* Append the deployed images the update keeps (kept_merge()). */
int images_add_kept(struct check_images *im, const struct run_read *dep,
    const struct deploy_args *a);

/* One entry for the kept images that were not read, saying why. */
int images_add_unchecked(struct check_images *im, const char *why);

/* How many images still wait for an answer. */
size_t images_planned(const struct check_images *im);

/*
 * The next round of queries: one per image not asked about yet (the
 * first call fills q, the second q2); ar_check() and kept_ask() send
 * one request per repository.  In the second round an image in a
 * repository the first asked about shares that answer.  *qp and *np say
 * which queries to send; -1 when out of memory.
 */
int images_round(struct check_images *im, struct ar_query **qp, size_t *np);

/* The answers become the images' results. */
void images_apply(struct check_images *im);

/* The report's view of the list. */
void images_show(const struct check_images *im, struct report *rep);

void images_free(struct check_images *im);

#endif
