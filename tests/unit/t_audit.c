/*
 * t_audit.c - the audit's parser (auditparse.c): --freshness, the time
 * bound, the filter and request body, the image in the status message
 * (the seed's text and its variants), RFC 3339 times, and entries:list
 * pages grouped by principal and image, newest first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "audit/audit.h"

/* The seed: the status message of the audit entry, as logged. */
#define SEED	"Cloud Run API check failed. Requests will be rejected " \
	"after January 2025 hard enforcement deadline. User does not have " \
	"access to image "
#define IMG	"asia-northeast1-docker.pkg.dev/p/docker-repo/app:latest"
#define SA	"deployer@p.iam.gserviceaccount.com"

static void
t_freshness(void **state)
{
	static const struct {
		const char *in;
		long long want;		/* -1: refused */
	} rows[] = {
		{ "30d", 30 * 86400LL }, { "12h", 12 * 3600 }, { "90m", 5400 },
		{ "45s", 45 }, { "1d12h", 129600 }, { "2h30m15s", 9015 },
		{ "3600", 3600 }, { "30D", 30 * 86400LL },
		{ "400d", 400 * 86400LL },
		{ "0034560000", 34560000 },
		{ "", -1 }, { "0", -1 }, { "0d", -1 }, { "401d", -1 },
		{ "34560001", -1 }, { "30x", -1 }, { "d", -1 }, { "-1d", -1 },
		{ "1.5d", -1 }, { "30d-", -1 }, { " 30d", -1 }, { "30d ", -1 },
		{ "30 d", -1 }, { "+30d", -1 }, { "P30D", -1 },
		{ "99999999999999999999d", -1 }, { "200d201d", -1 },
	};
	long long got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		got = -1;
		if (audit_freshness(rows[i].in, &got) != 0)
			got = -1;
		if (got != rows[i].want)
			fail_msg("'%s': %lld, want %lld", rows[i].in, got,
			    rows[i].want);
	}
	assert_int_equal(audit_freshness(NULL, &got), -1);
}

static void
t_since_filter(void **state)
{
	char since[32], filter[256], small[40];
	cJSON *o, *v;
	char *s;

	(void)state;
	/* 1733000000 is 2024-11-30T20:53:20Z */
	assert_int_equal(audit_since(1733000000, 86400, since,
	    sizeof(since)), 0);
	assert_string_equal(since, "2024-11-29T20:53:20Z");
	assert_int_equal(audit_since(1733000000, 86400, small, 5), -1);
	assert_int_equal(audit_filter(since, filter, sizeof(filter)), 0);
	assert_string_equal(filter, "resource.type=\"cloud_run_revision\" "
	    "AND severity=ERROR AND \"User does not have access to image\" "
	    "AND timestamp>=\"2024-11-29T20:53:20Z\"");
	assert_int_equal(audit_filter(since, small, sizeof(small)), -1);

	s = audit_request("p", filter, NULL, 100);
	assert_non_null(s);
	o = cJSON_Parse(s);
	assert_non_null(o);
	v = cJSON_GetObjectItem(o, "resourceNames");
	assert_int_equal(cJSON_GetArraySize(v), 1);
	assert_string_equal(cJSON_GetArrayItem(v, 0)->valuestring,
	    "projects/p");
	assert_string_equal(cJSON_GetObjectItem(o, "filter")->valuestring,
	    filter);
	assert_string_equal(cJSON_GetObjectItem(o, "orderBy")->valuestring,
	    "timestamp desc");
	assert_int_equal(cJSON_GetObjectItem(o, "pageSize")->valueint, 100);
	assert_null(cJSON_GetObjectItem(o, "pageToken"));
	cJSON_Delete(o);
	free(s);
	s = audit_request("p", filter, "tok\"en", 50);
	o = cJSON_Parse(s);
	assert_string_equal(cJSON_GetObjectItem(o, "pageToken")->valuestring,
	    "tok\"en");
	cJSON_Delete(o);
	free(s);
}

static void
t_project(void **state)
{
	(void)state;
	assert_true(audit_project_ok("my-proj-1"));
	assert_true(audit_project_ok("example.com:proj"));
	assert_true(audit_project_ok("123456789012"));
	assert_false(audit_project_ok(""));
	assert_false(audit_project_ok(NULL));
	assert_false(audit_project_ok("-p"));
	assert_false(audit_project_ok("p;x"));
	assert_false(audit_project_ok("P"));
	assert_false(audit_project_ok("p/x"));
	assert_false(audit_project_ok("p\"x"));
}

static void
t_message(void **state)
{
	static const struct {
		const char *msg, *want;	/* want NULL: no phrase */
	} rows[] = {
		{ SEED IMG, IMG },
		{ SEED IMG ".", IMG },
		{ SEED "'" IMG "'", IMG },
		{ SEED "\"" IMG "\".", IMG },
		{ SEED "`" IMG "`", IMG },
		{ SEED "[" IMG "]", IMG },
		{ SEED "<" IMG ">", IMG },
		{ "User does not have access to image: " IMG, IMG },
		{ SEED IMG ". Ensure the principal has roles/artifactregistry."
		    "reader", IMG },
		{ SEED IMG "\nCause: 403", IMG },
		{ SEED IMG ", " "and more", IMG },
		{ "user does not have access to IMAGE " IMG, IMG },
		{ "User does not have access to images " IMG, IMG },
		{ "User does not have access to image\t" IMG, IMG },
		{ SEED "asia-northeast1-docker.pkg.dev/<PROJECT_ID>/r/i:latest",
		    "asia-northeast1-docker.pkg.dev/<PROJECT_ID>/r/i:latest" },
		{ SEED "a\001b", "a?b" },
		{ SEED, "" },
		{ SEED "   ", "" },
		{ SEED "''", "" },
		{ "User does not have access to imagery x", NULL },
		{ "User must have permission to read the image, " IMG, NULL },
		{ "", NULL },
	};
	char out[600];
	const char *r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(out, 'z', sizeof(out));
		r = audit_message_image(rows[i].msg, out, sizeof(out));
		if (rows[i].want == NULL) {
			if (r != NULL)
				fail_msg("row %zu: found '%s'", i, out);
			continue;
		}
		if (r == NULL || strcmp(out, rows[i].want) != 0)
			fail_msg("row %zu: '%s', want '%s'", i,
			    r ? out : "(none)", rows[i].want);
	}
	assert_null(audit_message_image(NULL, out, sizeof(out)));
}

static void
t_message_many(void **state)
{
	const char *msg = SEED "us-docker.pkg.dev/p/r/a:1; " SEED
	    "us-docker.pkg.dev/p/r/b:2", *p = msg;
	char out[600], small[8];
	int n = 0;

	(void)state;
	while ((p = audit_message_image(p, out, sizeof(out))) != NULL) {
		assert_string_equal(out, n == 0 ? "us-docker.pkg.dev/p/r/a:1" :
		    "us-docker.pkg.dev/p/r/b:2");
		n++;
	}
	assert_int_equal(n, 2);
	/* Too long for the buffer: cut, terminated. */
	assert_non_null(audit_message_image(SEED IMG, small, sizeof(small)));
	assert_string_equal(small, "asia-no");
}

static void
t_time(void **state)
{
	long long s;
	long ns;

	(void)state;
	assert_int_equal(audit_time("2024-11-30T20:53:20Z", &s, &ns), 0);
	assert_true(s == 1733000000 && ns == 0);
	assert_int_equal(audit_time("2024-11-30T20:53:20.5Z", &s, &ns), 0);
	assert_true(s == 1733000000 && ns == 500000000);
	assert_int_equal(audit_time("2024-11-30T20:53:20.123456789123z", &s,
	    &ns), 0);
	assert_true(s == 1733000000 && ns == 123456789);
	assert_int_equal(audit_time("2024-12-01T05:53:20+09:00", &s, &ns), 0);
	assert_true(s == 1733000000);
	assert_int_equal(audit_time("2024-11-30T19:53:20-01:00", &s, &ns), 0);
	assert_true(s == 1733000000);
	assert_int_equal(audit_time("2024-11-30 20:53:20Z", &s, &ns), -1);
	assert_int_equal(audit_time("2024-11-30T20:53:20", &s, &ns), -1);
	assert_int_equal(audit_time("2024-11-30T20:53:20.Z", &s, &ns), -1);
	assert_int_equal(audit_time("2024-13-30T20:53:20Z", &s, &ns), -1);
	assert_int_equal(audit_time("2024-11-30T24:00:00Z", &s, &ns), -1);
	assert_int_equal(audit_time("2024-11-30T20:53:20Zx", &s, &ns), -1);
	assert_int_equal(audit_time("2024-11-30T20:53:20+0900", &s, &ns), -1);
	assert_int_equal(audit_time("", &s, &ns), -1);
}

/* A page written with ' for ", decoded into au. */
static int
decode(struct audit *au, long code, const char *src, char *next,
    struct api_error *e)
{
	char *body = strdup(src), *p;
	int rc;

	for (p = body; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	rc = audit_decode(au, code, body, strlen(body), next,
	    AUDIT_TOKEN_MAX, e);
	free(body);
	return rc;
}

#define ENTRY(who, img, svc, region, ts) \
	"{'protoPayload':{'@type':'type.googleapis.com/google.cloud.audit." \
	"AuditLog','status':{'code':7,'message':'" SEED img "'}," \
	"'authenticationInfo':{'principalEmail':'" who "'}," \
	"'serviceName':'run.googleapis.com','methodName':'google.cloud.run." \
	"v1.Services.ReplaceService','resourceName':'namespaces/p/services/" \
	svc "'},'resource':{'type':'cloud_run_revision','labels':{" \
	"'project_id':'p','service_name':'" svc "','revision_name':''," \
	"'location':'" region "','configuration_name':''}},'timestamp':'" \
	ts "','severity':'ERROR','insertId':'x','logName':'projects/p/logs/" \
	"cloudaudit.googleapis.com%2Factivity'}"
#define A1	"us-central1-docker.pkg.dev/p/apps/api:1"
#define B1	"europe-west1-docker.pkg.dev/p/web/site:2"

static void
t_decode_groups(void **state)
{
	struct audit au;
	struct api_error e;
	char *next = calloc(1, AUDIT_TOKEN_MAX);

	(void)state;
	memset(&au, 0, sizeof(au));
	assert_int_equal(decode(&au, 200, "{'entries':["
	    ENTRY("alice@example.com", A1, "api", "us-central1",
	    "2024-11-29T10:00:00.5Z") ","
	    ENTRY(SA, B1, "site", "europe-west1", "2024-11-29T09:00:00Z") ","
	    ENTRY("alice@example.com", A1, "worker", "us-central1",
	    "2024-11-28T10:00:00Z") ","
	    ENTRY("alice@example.com", A1, "api", "us-central1",
	    "2024-11-27T10:00:00Z") "],'nextPageToken':'abc'}", next, &e), 0);
	assert_string_equal(next, "abc");
	assert_true(au.entries == 4 && au.pages == 1 && au.n == 2);
	/* the second page: an older entry, then one whose offset puts it
	 * between the first page's two (a string compare would not) */
	assert_int_equal(decode(&au, 200, "{'entries':["
	    ENTRY("alice@example.com", A1, "api", "us-central1",
	    "2024-11-20T10:00:00Z") ","
	    ENTRY("bob@example.com", A1, "api", "us-central1",
	    "2024-11-29T18:30:00+09:00") ",5,'x',{}]}", next, &e), 0);
	assert_string_equal(next, "");
	assert_true(au.entries == 9 && au.pages == 2 && au.n == 4);
	audit_sort(&au);
	assert_string_equal(au.g[0].who.email, "alice@example.com");
	assert_int_equal(au.g[0].who.kind, PRINCIPAL_USER);
	assert_int_equal(au.g[0].count, 4);
	assert_string_equal(au.g[0].latest, "2024-11-29T10:00:00.5Z");
	assert_int_equal(au.g[0].nsvc, 2);
	assert_string_equal(au.g[0].svc[0].name, "api");
	assert_string_equal(au.g[0].svc[1].name, "worker");
	assert_string_equal(au.g[0].svc[1].region, "us-central1");
	assert_string_equal(au.g[1].who.email, "bob@example.com");
	assert_string_equal(au.g[1].latest, "2024-11-29T18:30:00+09:00");
	assert_string_equal(au.g[2].who.email, SA);
	assert_int_equal(au.g[2].who.kind, PRINCIPAL_SERVICE_ACCOUNT);
	assert_string_equal(au.g[2].image, B1);
	/* {} names neither principal nor image: a group of its own, last */
	assert_int_equal(au.g[3].who.kind, PRINCIPAL_UNKNOWN);
	assert_string_equal(au.g[3].image, "");
	assert_string_equal(au.g[3].latest, "");
	audit_free(&au);
	assert_null(au.g);
	free(next);
}

static void
t_decode_fields(void **state)
{
	struct audit au;
	struct api_error e;
	char next[AUDIT_TOKEN_MAX];

	(void)state;
	memset(&au, 0, sizeof(au));
	/* No labels: service and region from a v2 resourceName; a shell
	 * character in the e-mail: no principal; text in textPayload. */
	assert_int_equal(decode(&au, 200, "{'entries':[{'protoPayload':{"
	    "'status':{'message':'" SEED "gcr.io/p/legacy:2'},"
	    "'authenticationInfo':{'principalEmail':'x$(id)@example.com'},"
	    "'resourceName':'projects/p/locations/us-east1/services/legacy'},"
	    "'resource':{'type':'cloud_run_revision'},"
	    "'timestamp':'2024-11-29T10:00:00Z'},"
	    "{'textPayload':'" SEED "us-docker.pkg.dev/p/r/t:1',"
	    "'resource':{'labels':{'job_name':'nightly','region':'us'}}},"
	    "{'protoPayload':{'status':{'message':'" SEED
	    "us-docker.pkg.dev/p/r/a:1 " SEED "us-docker.pkg.dev/p/r/b:1'},"
	    "'resourceName':"
	    "'namespaces/p/services/two'}}]}", next, &e), 0);
	assert_int_equal(au.entries, 3);
	assert_int_equal(au.n, 4);
	assert_int_equal(au.g[0].who.kind, PRINCIPAL_UNKNOWN);
	assert_string_equal(au.g[0].who.email, "");
	assert_string_equal(au.g[0].image, "gcr.io/p/legacy:2");
	assert_string_equal(au.g[0].svc[0].name, "legacy");
	assert_string_equal(au.g[0].svc[0].region, "us-east1");
	assert_string_equal(au.g[1].image, "us-docker.pkg.dev/p/r/t:1");
	assert_string_equal(au.g[1].svc[0].name, "nightly");
	assert_string_equal(au.g[1].svc[0].region, "us");
	assert_string_equal(au.g[2].image, "us-docker.pkg.dev/p/r/a:1");
	assert_string_equal(au.g[3].image, "us-docker.pkg.dev/p/r/b:1");
	assert_string_equal(au.g[3].svc[0].name, "two");
	assert_string_equal(au.g[3].svc[0].region, "");
	audit_free(&au);
}

static void
t_decode_errors(void **state)
{
	struct audit au;
	struct api_error e;
	char next[AUDIT_TOKEN_MAX], *big;
	size_t n = AUDIT_TOKEN_MAX + 64;

	(void)state;
	memset(&au, 0, sizeof(au));
	assert_int_equal(decode(&au, 403, "{'error':{'code':403,'message':"
	    "'Cloud Logging API has not been used in project 1 before or it "
	    "is disabled.','status':'PERMISSION_DENIED','details':[{'@type':"
	    "'type.googleapis.com/google.rpc.ErrorInfo','reason':"
	    "'SERVICE_DISABLED','domain':'googleapis.com','metadata':{"
	    "'service':'logging.googleapis.com'}}]}}", next, &e), -1);
	assert_int_equal(e.http_code, 403);
	assert_string_equal(e.reason, "SERVICE_DISABLED");
	assert_string_equal(e.service, "logging.googleapis.com");
	assert_int_equal(decode(&au, 200, "{'entries':{}}", next, &e), -1);
	assert_non_null(strstr(e.message, "malformed"));
	assert_int_equal(decode(&au, 200, "{'nextPageToken':5}", next, &e),
	    -1);
	assert_int_equal(decode(&au, 200, "<html>", next, &e), -1);
	assert_int_equal(decode(&au, 200, "[]", next, &e), -1);
	assert_int_equal(decode(&au, 200, "{} x", next, &e), -1);
	assert_true(au.pages == 0 && au.entries == 0 && au.n == 0);
	assert_int_equal(decode(&au, 200, "{}", next, &e), 0);
	assert_true(au.pages == 1 && next[0] == '\0');
	big = malloc(n + 32);
	snprintf(big, n + 32, "{'nextPageToken':'%0*d'}", (int)n, 0);
	assert_int_equal(decode(&au, 200, big, next, &e), -1);
	assert_string_equal(next, "");
	assert_non_null(strstr(e.message, "too long"));
	free(big);
	audit_free(&au);
}

static void
t_caps(void **state)
{
	struct audit au;
	struct api_error e;
	char next[AUDIT_TOKEN_MAX], *page, *p;
	size_t i, cap = (AUDIT_MAX_GROUPS + 10) * 160 + 64;

	(void)state;
	memset(&au, 0, sizeof(au));
	page = malloc(cap);
	p = page + snprintf(page, cap, "{'entries':[");
	for (i = 0; i < AUDIT_MAX_GROUPS + 10; i++)
		p += snprintf(p, cap - (p - page), "%s{'protoPayload':{'status'"
		    ":{'message':'" AUDIT_PHRASE " us-docker.pkg.dev/p/r/"
		    "i:%zu'}},'resource':{'labels':{'service_name':'s%zu'}}}",
		    i ? "," : "", i, i);
	snprintf(p, cap - (p - page), "]}");
	assert_int_equal(decode(&au, 200, page, next, &e), 0);
	assert_int_equal(au.n, AUDIT_MAX_GROUPS);
	assert_int_equal(au.omitted, 10);
	assert_int_equal(au.entries, AUDIT_MAX_GROUPS + 10);
	audit_free(&au);
	/* services per group */
	p = page + snprintf(page, cap, "{'entries':[");
	for (i = 0; i < AUDIT_MAX_SERVICES + 5; i++)
		p += snprintf(p, cap - (p - page), "%s{'protoPayload':{'status'"
		    ":{'message':'" AUDIT_PHRASE " us-docker.pkg.dev/p/r/i:1'}"
		    "},'resource':{'labels':{'service_name':'s%zu'}}}",
		    i ? "," : "", i);
	snprintf(p, cap - (p - page), "]}");
	assert_int_equal(decode(&au, 200, page, next, &e), 0);
	assert_int_equal(au.n, 1);
	assert_int_equal(au.g[0].count, AUDIT_MAX_SERVICES + 5);
	assert_int_equal(au.g[0].nsvc, AUDIT_MAX_SERVICES);
	audit_free(&au);
	free(page);
}

static void
t_grant(void **state)
{
	struct principal who;
	struct imageref ref;
	char buf[1200];

	(void)state;
	memset(&who, 0, sizeof(who));
	who.kind = PRINCIPAL_USER;
	strlcpy(who.email, "alice@example.com", sizeof(who.email));
	assert_int_equal(imageref_parse(A1, &ref), 0);
	assert_int_equal(audit_grant(&who, &ref, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "gcloud artifacts repositories "
	    "add-iam-policy-binding apps --project=p --location=us-central1 "
	    "--member=user:alice@example.com "
	    "--role=roles/artifactregistry.reader");
	assert_int_equal(audit_grant(&who, &ref, buf, 40), -1);
	who.kind = PRINCIPAL_SERVICE_ACCOUNT;
	strlcpy(who.email, SA, sizeof(who.email));
	assert_int_equal(imageref_parse("gcr.io/p/i:1", &ref), 0);
	assert_int_equal(audit_grant(&who, &ref, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "gcloud artifacts repositories "
	    "add-iam-policy-binding gcr.io --project=p --location=us "
	    "--member=serviceAccount:" SA
	    " --role=roles/artifactregistry.reader");
	memset(&who, 0, sizeof(who));
	assert_int_equal(audit_grant(&who, &ref, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, " --member=MEMBER "));
	assert_int_equal(imageref_parse("nginx:1", &ref), 0);
	assert_int_equal(audit_grant(&who, &ref, buf, sizeof(buf)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_freshness),
		cmocka_unit_test(t_since_filter),
		cmocka_unit_test(t_project),
		cmocka_unit_test(t_message),
		cmocka_unit_test(t_message_many),
		cmocka_unit_test(t_time),
		cmocka_unit_test(t_decode_groups),
		cmocka_unit_test(t_decode_fields),
		cmocka_unit_test(t_decode_errors),
		cmocka_unit_test(t_caps),
		cmocka_unit_test(t_grant),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
