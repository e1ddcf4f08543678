/*
 * t_check_images.c - the check's image list (check_images.h): what each
 * image starts as, one query per waiting image in the first round, a
 * second round only for repositories the first did not ask about, and
 * queries that still name their repository after the list has grown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/check_images.h"

#define A1	"us-docker.pkg.dev/p/a/x:1"
#define A2	"us-docker.pkg.dev/p/a/y:1"
#define B1	"europe-docker.pkg.dev/p/b/x:1"
#define C1	"asia-docker.pkg.dev/p/c/x:1"
#define REPO_A	"projects/p/locations/us/repositories/a"

static struct cli_image named[] = {
	{ A1, NULL, 0 }, { A2, "side", 0 }, { B1, NULL, 0 },
	{ "docker.io/library/nginx", NULL, 0 }, { "Not An Image", NULL, 0 },
};

static void
setup_named(struct check_images *im)
{
	memset(im, 0, sizeof(*im));
	/* images_free() frees the list: give it a copy it owns */
	im->named = calloc(5, sizeof(*im->named));
	assert_non_null(im->named);
	memcpy(im->named, named, sizeof(named));
	im->nnamed = 5;
}

static void
test_parse(void **state)
{
	struct check_images im;
	struct report rep;

	(void)state;
	setup_named(&im);
	assert_int_equal(images_parse(&im), 1);
	assert_int_equal(im.n, 5);
	assert_int_equal(im.v[0].result, RESULT_PLANNED);
	assert_string_equal(im.v[1].container, "side");
	assert_int_equal(im.v[3].result, RESULT_SKIPPED);
	assert_non_null(im.v[3].detail);
	assert_int_equal(im.v[4].result, RESULT_ERROR);
	assert_int_equal(images_planned(&im), 3);
	memset(&rep, 0, sizeof(rep));
	images_show(&im, &rep);
	assert_ptr_equal(rep.images, im.v);
	assert_int_equal(rep.n, 5);
	images_free(&im);
}

static void
test_rounds(void **state)
{
	struct check_images im;
	struct run_read dep;
	struct run_container c[2] = { { "", C1, 1 }, { "side2", A1, 0 } };
	struct deploy_args a;
	struct ar_query *q;
	size_t nq;

	(void)state;
	setup_named(&im);
	images_parse(&im);
	/* first round: one query per waiting image; ar_check() merges */
	assert_int_equal(images_round(&im, &q, &nq), 0);
	assert_int_equal(nq, 3);
	assert_string_equal(q[0].resource, REPO_A);
	assert_string_equal(q[1].resource, REPO_A);
	q[0].status = q[1].status = AR_GRANTED;
	q[2].status = AR_DENIED;
	/* the update keeps a container in C and one in A */
	memset(&a, 0, sizeof(a));
	memset(&dep, 0, sizeof(dep));
	dep.c = c;
	dep.n = 2;
	assert_int_equal(images_add_kept(&im, &dep, &a), 0);
	assert_int_equal(im.n, 7);
	assert_int_equal(im.v[5].from_deployed, 1);
	assert_null(im.v[5].container);
	assert_string_equal(im.v[6].container, "side2");
	/* the list moved: the first round's queries follow it */
	assert_ptr_equal(im.q[0].resource, im.v[0].ref.resource);
	assert_ptr_equal(im.q[2].resource, im.v[2].ref.resource);
	/* second round: only C; the kept image in A shares A's answer */
	assert_int_equal(images_round(&im, &q, &nq), 0);
	assert_int_equal(nq, 1);
	assert_string_equal(q[0].resource, im.v[5].ref.resource);
	assert_ptr_equal(im.v[6].q, &im.q[0]);
	q[0].status = AR_ERROR;
	images_apply(&im);
	assert_int_equal(im.v[0].result, RESULT_GRANTED);
	assert_int_equal(im.v[1].result, RESULT_GRANTED);
	assert_int_equal(im.v[2].result, RESULT_DENIED);
	assert_int_equal(im.v[3].result, RESULT_SKIPPED);
	assert_int_equal(im.v[4].result, RESULT_ERROR);
	assert_int_equal(im.v[5].result, RESULT_ERROR);
	assert_int_equal(im.v[6].result, RESULT_GRANTED);
	assert_int_equal(images_planned(&im), 0);
	images_free(&im);
}

static void
test_unchecked(void **state)
{
	struct check_images im;
	struct ar_query *q;
	size_t nq;

	(void)state;
	setup_named(&im);
	images_parse(&im);
	assert_int_equal(images_round(&im, &q, &nq), 0);
	assert_int_equal(images_add_unchecked(&im, "why"), 0);
	assert_int_equal(im.n, 6);
	assert_int_equal(im.v[5].result, RESULT_UNCHECKED);
	assert_null(im.v[5].image);
	assert_string_equal(im.v[5].detail, "why");
	assert_ptr_equal(im.q[1].resource, im.v[1].ref.resource);
	images_free(&im);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_rounds),
		cmocka_unit_test(test_unchecked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
