/*
 * t_svcagent.c - the service agent's policy decisions, table-driven: direct
 * bindings, allUsers, known roles, unknown and custom roles, conditional
 * bindings, an unknown member; the project number; the requests planned.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/imageref.h"
#include "api/svcagent.h"

#define AG	"serviceAccount:service-42@serverless-robot-prod.iam." \
	"gserviceaccount.com"
#define B(role, member)	"{\"role\":\"" role "\",\"members\":[\"" member "\"]}"

static const struct {
	const char		*policy;
	const char		*member;
	enum svcagent_result	 want;
	const char		*why;	/* a part of the reason */
} cases[] = {
	{ "{\"version\":1,\"etag\":\"BwY=\"}", AG, SVCAGENT_MISSING,
	    "no binding" },
	{ "{\"bindings\":[" B("roles/artifactregistry.reader", AG) "]}", AG,
	    SVCAGENT_OK, "roles/artifactregistry.reader" },
	{ "{\"bindings\":[" B("roles/artifactregistry.reader",
	    "serviceAccount:SERVICE-42@serverless-robot-prod.iam."
	    "gserviceaccount.com") "]}", AG, SVCAGENT_OK, "reader" },
	{ "{\"bindings\":[" B("roles/artifactregistry.reader",
	    "serviceAccount:service-43@serverless-robot-prod.iam."
	    "gserviceaccount.com") "]}", AG, SVCAGENT_MISSING, "no binding" },
	{ "{\"bindings\":[" B("roles/artifactregistry.reader", "allUsers")
	    "]}", AG, SVCAGENT_OK, "allUsers" },
	{ "{\"bindings\":[" B("roles/artifactregistry.writer",
	    "allAuthenticatedUsers") "]}", AG, SVCAGENT_OK,
	    "allAuthenticatedUsers" },
	{ "{\"bindings\":[" B("roles/artifactregistry.reader", "allUsers")
	    "]}", "", SVCAGENT_OK, "allUsers" },
	{ "{\"bindings\":[" B("roles/artifactregistry.reader", AG) "]}", "",
	    SVCAGENT_MISSING, "no binding" },
	{ "{\"bindings\":[" B("roles/artifactregistry.repoAdmin", AG) "]}", AG,
	    SVCAGENT_OK, "repoAdmin" },
	{ "{\"bindings\":[" B("roles/artifactregistry.createOnPushWriter", AG)
	    "]}", AG, SVCAGENT_OK, "createOnPushWriter" },
	{ "{\"bindings\":[" B("roles/owner", AG) "]}", AG, SVCAGENT_OK,
	    "owner" },
	{ "{\"bindings\":[" B("roles/viewer", AG) "]}", AG, SVCAGENT_OK,
	    "viewer" },
	{ "{\"bindings\":[" B("projects/x/roles/puller", AG) "]}", AG,
	    SVCAGENT_UNKNOWN, "projects/x/roles/puller" },
	{ "{\"bindings\":[" B("roles/run.invoker", AG) "]}", AG,
	    SVCAGENT_UNKNOWN, "roles/run.invoker" },
	{ "{\"bindings\":[" B("roles/artifactregistry.reader", "user:a@b.c")
	    "," B("organizations/1/roles/x", "allUsers") "]}", AG,
	    SVCAGENT_UNKNOWN, "organizations/1/roles/x" },
	{ "{\"bindings\":[{\"role\":\"roles/artifactregistry.reader\","
	    "\"members\":[\"" AG "\"],\"condition\":{\"title\":\"t\","
	    "\"expression\":\"request.time < timestamp('2030-01-01T00:00:00Z')"
	    "\"}}]}", AG, SVCAGENT_UNKNOWN, "condition" },
	/* A grant wins over an earlier unknown or conditional binding. */
	{ "{\"bindings\":[" B("projects/x/roles/puller", AG) ","
	    B("roles/artifactregistry.reader", AG) "]}", AG, SVCAGENT_OK,
	    "reader" },
	{ "{\"bindings\":[{\"role\":\"roles/viewer\",\"members\":[\"" AG
	    "\"],\"condition\":null}]}", AG, SVCAGENT_OK, "viewer" },
	{ "{\"bindings\":[{\"role\":7,\"members\":[\"" AG "\"]},"
	    "{\"members\":\"" AG "\"}]}", AG, SVCAGENT_MISSING, "no binding" },
};

static void
t_policy(void **state)
{
	char why[400];
	cJSON *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = cJSON_Parse(cases[i].policy);
		assert_non_null(p);
		if (svcagent_policy(p, cases[i].member, why, sizeof(why)) !=
		    cases[i].want || strstr(why, cases[i].why) == NULL)
			fail_msg("case %zu: got '%s'", i, why);
		cJSON_Delete(p);
	}
}

static void
t_roles(void **state)
{
	(void)state;
	assert_true(svcagent_role_known("roles/artifactregistry.admin"));
	assert_true(svcagent_role_known("roles/artifactregistry."
	    "createOnPushRepoAdmin"));
	assert_true(svcagent_role_known("roles/editor"));
	assert_false(svcagent_role_known("roles/artifactregistry.readers"));
	assert_false(svcagent_role_known("roles/storage.objectViewer"));
	assert_false(svcagent_role_known(""));
}

static void
t_number(void **state)
{
	static const struct { const char *json, *want; } c[] = {
		{ "{\"name\":\"projects/415104041262\",\"projectId\":\"p\"}",
		    "415104041262" },
		{ "{\"name\":\"projects/p\"}", NULL },
		{ "{\"name\":\"projects/\"}", NULL },
		{ "{\"name\":\"folders/1\"}", NULL },
		{ "{\"projectId\":\"p\"}", NULL },
		{ "{\"name\":\"projects/123456789012345678901\"}", NULL },
	};
	char out[24];
	cJSON *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		p = cJSON_Parse(c[i].json);
		if (c[i].want == NULL)
			assert_int_equal(svcagent_number(p, out,
			    sizeof(out)), -1);
		else {
			assert_int_equal(svcagent_number(p, out,
			    sizeof(out)), 0);
			assert_string_equal(out, c[i].want);
		}
		cJSON_Delete(p);
	}
}

/* The requests: number, one policy per repository, one per project. */
static void
t_prepare(void **state)
{
	struct imageref r1, r2, r3;
	struct svcagent_run a;
	struct fetch f[8];
	size_t nf = 0;

	(void)state;
	assert_int_equal(imageref_parse("us-central1-docker.pkg.dev/x/a/i:1",
	    &r1), 0);
	assert_int_equal(imageref_parse("us-central1-docker.pkg.dev/x/b/i:1",
	    &r2), 0);
	assert_int_equal(imageref_parse("us-central1-docker.pkg.dev/x/a/j:2",
	    &r3), 0);
	memset(&a, 0, sizeof(a));
	a.deploy_project = "d";
	a.ar_endpoint = "https://ar.localhost/";
	a.crm_endpoint = "https://crm.localhost/";
	assert_non_null(svcagent_add(&a, &r1));
	assert_non_null(svcagent_add(&a, &r2));
	assert_ptr_equal(svcagent_add(&a, &r3), &a.c[0]);
	assert_int_equal(a.n, 2);
	assert_true(svcagent_fetches(&a) <= 8);
	memset(f, 0, sizeof(f));
	assert_int_equal(svcagent_prepare(&a, f, &nf), 0);
	assert_int_equal(nf, 4);
	assert_string_equal(f[0].url, "https://crm.localhost/v3/projects/d");
	assert_null(f[0].post);
	assert_string_equal(f[1].url, "https://ar.localhost/v1/projects/x/"
	    "locations/us-central1/repositories/a:getIamPolicy?options."
	    "requestedPolicyVersion=3");
	assert_string_equal(f[2].url,
	    "https://crm.localhost/v3/projects/x:getIamPolicy");
	assert_non_null(strstr(f[2].post, "\"requestedPolicyVersion\":3"));
	assert_string_equal(f[3].url, "https://ar.localhost/v1/projects/x/"
	    "locations/us-central1/repositories/b:getIamPolicy?options."
	    "requestedPolicyVersion=3");
	svcagent_free(&a);

	/* A numeric deploy project needs no lookup. */
	memset(&a, 0, sizeof(a));
	a.deploy_project = "4242";
	a.ar_endpoint = a.crm_endpoint = "https://x.localhost/";
	assert_non_null(svcagent_add(&a, &r1));
	nf = 0;
	assert_int_equal(svcagent_prepare(&a, f, &nf), 0);
	assert_int_equal(nf, 2);
	assert_string_equal(a.number, "4242");
	svcagent_free(&a);

	/* A hostile project id is never put into a URL. */
	memset(&a, 0, sizeof(a));
	a.deploy_project = "d/../x?";
	a.ar_endpoint = a.crm_endpoint = "https://x.localhost/";
	assert_non_null(svcagent_add(&a, &r1));
	nf = 0;
	assert_int_equal(svcagent_prepare(&a, f, &nf), 0);
	assert_int_equal(nf, 2);
	assert_null(strstr(f[0].url, "d/../x"));
	assert_non_null(strstr(a.number_error, "not a valid project id"));
	svcagent_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_policy),
		cmocka_unit_test(t_roles),
		cmocka_unit_test(t_number),
		cmocka_unit_test(t_prepare),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
