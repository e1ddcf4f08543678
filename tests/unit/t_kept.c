/*
 * t_kept.c - which deployed containers an update keeps, and the v2
 * shapes their images are read from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/runclient.h"
#include "check/kept.h"

/*
 * strdup() as libc's, but failing from the call numbered fail_at (1 is
 * the next call; 0: never), for the out-of-memory case below.  Defined
 * here, it is the one libshim.a's objects call.
 */
static int fail_at;

char *
strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (fail_at > 0 && --fail_at == 0)
		return NULL;
	if ((p = malloc(n)) != NULL)
		memcpy(p, s, n);
	return p;
}

static void
decode(struct run_read *r, enum run_kind kind, const char *json)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	assert_int_equal(runclient_decode(r, json, strlen(json)), 0);
}

static void
test_decode_shapes(void **state)
{
	struct run_read r;

	(void)state;
	decode(&r, RUN_SERVICE, "{\"template\":{\"containers\":["
	    "{\"name\":\"a\",\"image\":\"x\"},{\"image\":\"y\",\"ports\":"
	    "[{\"containerPort\":8080}]},{\"name\":\"noimage\"}]}}");
	assert_int_equal(r.status, RUN_FOUND);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.c[0].name, "a");
	assert_string_equal(r.c[0].image, "x");
	assert_int_equal(r.c[0].ingress, 0);
	assert_string_equal(r.c[1].name, "");
	assert_int_equal(r.c[1].ingress, 1);
	runclient_free(&r);
	decode(&r, RUN_JOB, "{\"template\":{\"taskCount\":1,\"template\":"
	    "{\"containers\":[{\"name\":\"m\",\"image\":\"j\"}]}}}");
	assert_int_equal(r.n, 1);
	assert_string_equal(r.c[0].image, "j");
	runclient_free(&r);
	/* A job's containers are not at the service's place, and back. */
	decode(&r, RUN_SERVICE, "{\"template\":{\"template\":{\"containers\":"
	    "[{\"image\":\"j\"}]}}}");
	assert_int_equal(r.n, 0);
	runclient_free(&r);
	decode(&r, RUN_WORKER_POOL, "{\"template\":{\"containers\":"
	    "[{\"image\":\"w\"}]}}");
	assert_int_equal(r.n, 1);
	runclient_free(&r);
	memset(&r, 0, sizeof(r));
	assert_int_equal(runclient_decode(&r, "<html>", 6), 0);
	assert_int_equal(r.status, RUN_ERROR);
	assert_non_null(strstr(r.e.message, "HTML"));
	runclient_free(&r);
}

static void
merge_removing(const char *json, const struct cli_image *named, size_t n,
    const char *removed, const int *want)
{
	struct run_read r;
	int kept[8];
	size_t i;

	decode(&r, RUN_SERVICE, json);
	kept_merge(&r, named, n, removed, kept);
	for (i = 0; i < r.n; i++)
		assert_int_equal(kept[i], want[i]);
	runclient_free(&r);
}

static void
merge(const char *json, const struct cli_image *named, size_t n,
    const int *want)
{
	merge_removing(json, named, n, NULL, want);
}

#define THREE	"{\"template\":{\"containers\":[" \
	"{\"name\":\"side\",\"image\":\"s\"}," \
	"{\"name\":\"app\",\"image\":\"a\",\"ports\":[{}]}," \
	"{\"name\":\"log\",\"image\":\"l\"}]}}"

static void
test_merge(void **state)
{
	const struct cli_image none[1] = { { NULL, NULL, 0 } };
	const struct cli_image plain[] = { { "new", NULL, 0 } };
	const struct cli_image side[] = { { "new", "side", 0 } };
	const struct cli_image both[] = { { "n1", "side", 0 },
	    { "n2", "log", 0 } };
	const struct cli_image other[] = { { "n", "extra", 0 } };
	const int all[] = { 1, 1, 1 }, noapp[] = { 1, 0, 1 };
	const int noside[] = { 0, 1, 1 }, onlyapp[] = { 0, 1, 0 };
	const int single[] = { 0 };

	(void)state;
	merge(THREE, none, 0, all);
	merge(THREE, plain, 1, noapp);		/* the one with ports */
	merge(THREE, side, 1, noside);
	merge(THREE, both, 2, onlyapp);
	merge(THREE, other, 1, all);		/* a new container */
	merge("{\"template\":{\"containers\":[{\"image\":\"x\"}]}}", plain, 1,
	    single);			/* no ports: the only one */
	merge_removing(THREE, none, 0, "side", noside);	/* removed */
	merge_removing(THREE, none, 0, "log,side", onlyapp);
	/* names, not prefixes */
	merge_removing(THREE, none, 0, "sid,lo", all);
	merge_removing(THREE, side, 1, "log", onlyapp);
	merge("{\"template\":{\"containers\":[{\"name\":\"a\",\"image\":"
	    "\"x\"},{\"name\":\"b\",\"image\":\"y\"}]}}", plain, 1,
	    noside);			/* no ports: the first */
}

/* The command as cli_parse() leaves it: its words, and their typed form. */
static void
command(struct deploy_args *a, const char *row)
{
	a->command = (char *)row;
	assert_int_equal(cli_command_type(row, &a->cmd), 0);
}

static void
test_wanted(void **state)
{
	struct deploy_args a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.check = 1;
	command(&a, "run services update");
	assert_int_equal(kept_wanted(&a), 1);
	command(&a, "run deploy");
	assert_int_equal(kept_wanted(&a), 0);	/* source build */
	a.nimages = 1;
	assert_int_equal(kept_wanted(&a), 1);
	command(&a, "run jobs create");
	assert_int_equal(kept_wanted(&a), 0);
	command(&a, "beta run services replace");
	assert_int_equal(kept_wanted(&a), 0);
	command(&a, "alpha run jobs update");
	assert_int_equal(kept_kind(&a.cmd), RUN_JOB);
	command(&a, "beta run worker-pools update");
	assert_int_equal(kept_kind(&a.cmd), RUN_WORKER_POOL);
	command(&a, "beta run multi-region-services update");
	assert_int_equal(kept_wanted(&a), 0);
	assert_non_null(kept_unreadable(&a));
	command(&a, "alpha run workers update");
	assert_int_equal(kept_wanted(&a), 0);
	assert_non_null(kept_unreadable(&a));
	command(&a, "beta run worker-pools update");
	a.check = 0;
	assert_int_equal(kept_wanted(&a), 0);
}

static void
test_qualified(void **state)
{
	char p[64], n[64];

	(void)state;
	assert_int_equal(kept_qualified("namespaces/proj/services/svc", p,
	    sizeof(p), n, sizeof(n)), 0);
	assert_string_equal(p, "proj");
	assert_string_equal(n, "svc");
	assert_int_equal(kept_qualified("namespaces/p/jobs/j", p,
	    sizeof(p), n, sizeof(n)), 0);
	assert_string_equal(n, "j");
	assert_int_equal(kept_qualified("svc", p, sizeof(p), n,
	    sizeof(n)), -1);
	assert_int_equal(kept_qualified("namespaces/p/services/", p,
	    sizeof(p), n, sizeof(n)), -1);
	assert_int_equal(kept_qualified("namespaces//services/s", p,
	    sizeof(p), n, sizeof(n)), -1);
	assert_int_equal(kept_qualified("namespaces/p/services/s/x", p,
	    sizeof(p), n, sizeof(n)), -1);
	assert_int_equal(kept_qualified(NULL, p, sizeof(p), n,
	    sizeof(n)), -1);
}

/*
 * A deployed container the shim could not record (out of memory) is not
 * a container the update drops: the read is an error, never "found"
 * without it, so no kept image goes unchecked.
 */
static void
test_decode_nomem(void **state)
{
	const char *json = "{\"template\":{\"containers\":["
	    "{\"name\":\"a\",\"image\":\"x\"},"
	    "{\"name\":\"b\",\"image\":\"y\"}]}}";
	struct run_read r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.kind = RUN_SERVICE;
	fail_at = 3;	/* the second container's image */
	assert_int_equal(runclient_decode(&r, json, strlen(json)), -1);
	fail_at = 0;
	assert_int_equal(r.status, RUN_ERROR);
	assert_int_equal(r.n, 0);
	assert_string_equal(r.e.message, "out of memory");
	runclient_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_shapes),
		cmocka_unit_test(test_decode_nomem),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_wanted),
		cmocka_unit_test(test_qualified),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
