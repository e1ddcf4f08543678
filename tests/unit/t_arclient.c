/*
 * t_arclient.c - ar_decode() on the answers Artifact Registry (or a proxy
 * in front of it) gives, http_endpoint_ok() on tricky URLs, the redacting
 * trace, and ar_check()'s refusals before any connection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/ar.h"
#include "net/http.h"

#define SVCOFF	"{\"error\":{\"code\":403,\"message\":\"Artifact Registry " \
	"API has not been used in project 1 before or it is disabled.\"," \
	"\"status\":\"PERMISSION_DENIED\",\"details\":[{\"@type\":" \
	"\"type.googleapis.com/google.rpc.Help\",\"links\":[]},{\"@type\":" \
	"\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":" \
	"\"SERVICE_DISABLED\",\"domain\":\"googleapis.com\",\"metadata\":" \
	"{\"consumer\":\"projects/1\",\"service\":" \
	"\"artifactregistry.googleapis.com\"}}]}}"
#define EXPIRED	"{\"error\":{\"code\":401,\"message\":\"Request had " \
	"invalid authentication credentials.\",\"status\":" \
	"\"UNAUTHENTICATED\",\"details\":[{\"@type\":" \
	"\"type.googleapis.com/google.rpc.ErrorInfo\"," \
	"\"reason\":\"ACCESS_TOKEN_EXPIRED\",\"domain\":\"googleapis.com\"," \
	"\"metadata\":{\"service\":\"artifactregistry.googleapis.com\"}}]}}"
#define UPDENIED "{\"error\":{\"code\":403,\"message\":\"Caller does not " \
	"have required permission to use project p.\",\"status\":" \
	"\"PERMISSION_DENIED\",\"details\":[{\"@type\":\"type.googleapis.com/" \
	"google.rpc.ErrorInfo\",\"reason\":\"USER_PROJECT_DENIED\"," \
	"\"domain\":" \
	"\"googleapis.com\",\"metadata\":{\"consumer\":\"projects/p\"," \
	"\"service\":\"artifactregistry.googleapis.com\"}}]}}"

struct drow {
	const char	*name;
	long		 code;
	const char	*body;
	enum ar_status	 status;
	const char	*status_name;
	const char	*reason;
	const char	*service;
	const char	*msg;		/* substring of message, or NULL */
};

static const struct drow drows[] = {
	{ "granted", 200, "{\"permissions\":[\"" AR_PERMISSION "\"]}",
	    AR_GRANTED, "", "", "", NULL },
	{ "granted among others", 200, "{\"permissions\":[\"a.b.c\",\""
	    AR_PERMISSION "\"]}", AR_GRANTED, "", "", "", NULL },
	{ "granted, pretty", 200, "\n{\n  \"permissions\": [\n    \""
	    AR_PERMISSION "\"\n  ]\n}\n", AR_GRANTED, "", "", "", NULL },
	{ "empty object", 200, "{}", AR_DENIED, "", "", "", "does not exist" },
	{ "other permission", 200,
	    "{\"permissions\":[\"artifactregistry.repositories.get\"]}",
	    AR_DENIED, "", "", "", "not granted" },
	{ "prefix is not enough", 200, "{\"permissions\":[\""
	    AR_PERMISSION "X\"]}", AR_DENIED, "", "", "", NULL },
	{ "empty list", 200, "{\"permissions\":[]}", AR_DENIED, "", "", "",
	    NULL },
	{ "non-string entries", 200, "{\"permissions\":[1,null,{}]}",
	    AR_DENIED, "", "", "", NULL },
	{ "permissions not a list", 200, "{\"permissions\":\""
	    AR_PERMISSION "\"}", AR_ERROR, "", "", "", "not a list" },
	{ "204 empty", 204, "", AR_ERROR, "", "", "", "empty answer" },
	{ "200 array", 200, "[]", AR_ERROR, "", "", "", "not a JSON object" },
	{ "200 malformed", 200, "{\"permissions\":[", AR_ERROR, "", "", "",
	    "HTTP 200: the answer is not valid JSON" },
	{ "200 trailing junk", 200, "{} x", AR_ERROR, "", "", "",
	    "not valid JSON" },
	{ "200 html", 200, "<!DOCTYPE html><html>login</html>", AR_ERROR,
	    "", "", "", "HTML page, not JSON (a proxy may have answered)" },
	{ "502 html", 502, "  <html><body>Bad Gateway</body></html>",
	    AR_ERROR, "", "", "", "HTTP 502: the answer is an HTML page" },
	{ "500 empty", 500, "", AR_ERROR, "", "", "", "HTTP 500 with an "
	    "empty answer" },
	{ "service disabled", 403, SVCOFF, AR_ERROR, "PERMISSION_DENIED",
	    "SERVICE_DISABLED", "artifactregistry.googleapis.com",
	    "has not been used in project 1" },
	{ "token expired", 401, EXPIRED, AR_ERROR, "UNAUTHENTICATED",
	    "ACCESS_TOKEN_EXPIRED", "artifactregistry.googleapis.com",
	    "invalid authentication" },
	{ "user project denied", 403, UPDENIED, AR_ERROR,
	    "PERMISSION_DENIED", "USER_PROJECT_DENIED",
	    "artifactregistry.googleapis.com", "use project p" },
	{ "status without details", 429, "{\"error\":{\"code\":429,"
	    "\"message\":\"Quota exceeded.\",\"status\":"
	    "\"RESOURCE_EXHAUSTED\"}}",
	    AR_ERROR, "RESOURCE_EXHAUSTED", "", "", "Quota exceeded." },
	{ "error without message", 503, "{\"error\":{\"code\":503}}",
	    AR_ERROR, "", "", "", "HTTP 503" },
	{ "json without error", 404, "{\"x\":1}", AR_ERROR, "", "", "",
	    "no error object" },
	{ "error not an object", 400, "{\"error\":\"bad\"}", AR_ERROR, "", "",
	    "", "no error object" },
	{ "details of wrong types", 403, "{\"error\":{\"status\":7,"
	    "\"message\":\"m\",\"details\":[1,{\"@type\":\"type.googleapis.com/"
	    "google.rpc.ErrorInfo\",\"reason\":5,\"metadata\":[]}]}}",
	    AR_ERROR, "", "", "", "m" },
	{ "control characters", 403, "{\"error\":{\"message\":"
	    "\"a\\u001b[31mb\\nc\",\"status\":\"PERMISSION_DENIED\"}}",
	    AR_ERROR, "PERMISSION_DENIED", "", "", "a [31mb c" },
	{ "permissions on an error", 403, "{\"permissions\":[\""
	    AR_PERMISSION "\"]}", AR_ERROR, "", "", "", "no error object" },
};

static void
t_decode(void **state)
{
	struct ar_query q;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(drows) / sizeof(drows[0]); i++) {
		const struct drow *r = &drows[i];

		memset(&q, 'x', sizeof(q));
		q.resource = "projects/p/locations/us/repositories/r";
		q.attempts = 3;
		ar_decode(&q, r->code, r->body, strlen(r->body));
		print_message("%s\n", r->name);
		assert_int_equal(q.status, r->status);
		assert_int_equal(q.e.http_code, r->code);
		assert_int_equal(q.attempts, 3);
		assert_string_equal(q.e.status_name, r->status_name);
		assert_string_equal(q.e.reason, r->reason);
		assert_string_equal(q.e.service, r->service);
		if (r->msg != NULL)
			assert_non_null(strstr(q.e.message, r->msg));
		if (r->status == AR_GRANTED)
			assert_string_equal(q.e.message, "");
	}
}

static void
t_decode_edges(void **state)
{
	struct ar_query q;
	char big[600];
	char body[700];
	static const char nul[] = "{}\0{\"permissions\":[]}";

	(void)state;
	ar_decode(&q, 200, NULL, 10);
	assert_int_equal(q.status, AR_ERROR);
	/* A NUL inside the body is not JSON. */
	ar_decode(&q, 200, nul, sizeof(nul) - 1);
	assert_int_equal(q.status, AR_ERROR);
	/* Not NUL-terminated: only len bytes are read. */
	ar_decode(&q, 200, "{}}}}", 2);
	assert_int_equal(q.status, AR_DENIED);
	/* A long message is cut, not overflowed. */
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(body, sizeof(body), "{\"error\":{\"message\":\"%s\"}}", big);
	ar_decode(&q, 400, body, strlen(body));
	assert_int_equal(strlen(q.e.message), sizeof(q.e.message) - 1);
}

struct urow {
	const char	*url;
	int		 ok;
};

static const struct urow urows[] = {
	{ "https://artifactregistry.googleapis.com/", 0 },
	{ "https://europe-west1-artifactregistry.googleapis.com/", 0 },
	{ "https://private.example.com:8443/ar/", 0 },
	{ "https://127.0.0.1:4443/", 0 },
	{ "http://127.0.0.1/", 0 },
	{ "http://127.0.0.1:8080/", 0 },
	{ "http://127.1.2.3:8080/", 0 },
	{ "http://localhost:8080/", 0 },
	{ "http://LocalHost/", 0 },
	{ "http://[::1]:8080/", 0 },
	{ "http://[::1]/", 0 },
	{ "HTTP://127.0.0.1/", 0 },
	{ "HTTPS://artifactregistry.googleapis.com/", 0 },
	{ "", -1 },
	{ "https://", -1 },
	{ "https:///", -1 },
	{ "https://:443/", -1 },
	{ "artifactregistry.googleapis.com/", -1 },
	{ "//artifactregistry.googleapis.com/", -1 },
	{ "https://user@host/", -1 },
	{ "https://user:pw@host/", -1 },
	{ "https://@host/", -1 },
	{ "http://evil.com@127.0.0.1/", -1 },
	{ "http://127.0.0.1@evil.com/", -1 },
	{ "http://127.0.0.1.evil.com/", -1 },
	{ "http://localhost.evil/", -1 },
	{ "http://sub.localhost/", 0 },
	{ "http://us-central1-run.localhost:8080/", 0 },
	{ "http://a.b.localhost/", 0 },
	{ "http://a..localhost/", -1 },
	{ "http://.localhost/", -1 },
	{ "http://-a.localhost/", -1 },
	{ "http://a_b.localhost/", -1 },
	{ "http://localhost.localhost.evil/", -1 },
	{ "http://evil.com.localhost.com/", -1 },
	{ "http://128.0.0.1/", -1 },
	{ "http://10.0.0.1/", -1 },
	{ "http://0.0.0.0/", -1 },
	{ "http://[::2]/", -1 },
	{ "http://[::ffff:127.0.0.1]/", -1 },
	{ "http://example.com/", -1 },
	{ "ftp://127.0.0.1/", -1 },
	{ "ftp://artifactregistry.googleapis.com/", -1 },
	{ "file:///etc/passwd", -1 },
	{ "gopher://127.0.0.1/", -1 },
	{ "javascript:alert(1)", -1 },
	{ "https://host/ x", -1 },
	{ "https://host/\r\nX: y", -1 },
	{ "https://ho st/", -1 },
	{ "https://host\\@evil/", -1 },
	{ "https://host/?q=1", -1 },
	{ "https://host/#frag", -1 },
	{ "https://h\xc3\xa9st/", -1 },
	{ "https://host:99999/", -1 },
	{ "https://host:-1/", -1 },
};

static void
t_endpoint(void **state)
{
	char err[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(urows) / sizeof(urows[0]); i++) {
		err[0] = '\0';
		print_message("'%s'\n", urows[i].url);
		assert_int_equal(http_endpoint_ok(urows[i].url, err,
		    sizeof(err)), urows[i].ok);
		if (urows[i].ok == -1)
			assert_true(err[0] != '\0');
	}
	assert_int_equal(http_endpoint_ok(NULL, err, sizeof(err)), -1);
	assert_int_equal(http_endpoint_ok("ftp://x/", NULL, 0), -1);
}

/* What http_trace writes for one chunk. */
static char *
trace(curl_infotype type, const char *data)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	fp = open_memstream(&out, &len);
	assert_non_null(fp);
	http_trace(fp, type, data, strlen(data));
	fclose(fp);
	return out;
}

struct trow {
	curl_infotype	 type;
	const char	*in;
	const char	*want;
};

static const struct trow trows[] = {
	{ CURLINFO_HEADER_OUT, "POST /v1/x HTTP/1.1\r\nHost: h\r\n"
	    "Authorization: Bearer ya29.SECRET\r\nAccept: */*\r\n\r\n",
	    "> POST /v1/x HTTP/1.1\n> Host: h\n> Authorization: Bearer "
	    "<redacted>\n> Accept: */*\n" },
	{ CURLINFO_HEADER_OUT, "authorization:bearer   SECRET\r\n",
	    "> authorization:bearer <redacted>\n" },
	{ CURLINFO_HEADER_OUT, "Proxy-Authorization: Basic SECRET\r\n",
	    "> Proxy-Authorization: Basic <redacted>\n" },
	{ CURLINFO_HEADER_OUT, "Authorization: SECRET\r\n",
	    "> Authorization: <redacted>\n" },
	{ CURLINFO_TEXT, "h2h3 [authorization: Bearer SECRET]\n",
	    "* h2h3 [authorization: Bearer <redacted>]\n" },
	{ CURLINFO_TEXT, "h2 [authorization: Bearer SECRET]\n",
	    "* h2 [authorization: Bearer <redacted>]\n" },
	{ CURLINFO_TEXT, "[HTTP/2] [1] [authorization: Bearer SECRET]\n",
	    "* [HTTP/2] [1] [authorization: Bearer <redacted>]\n" },
	{ CURLINFO_TEXT, "[HTTP/2] [13] [authorization: SECRET]\n",
	    "* [HTTP/2] [13] [authorization: <redacted>]\n" },
	{ CURLINFO_TEXT, "h2h3 [:path: /v1/x]\n",
	    "* h2h3 [:path: /v1/x]\n" },
	{ CURLINFO_HEADER_IN, "HTTP/2 200 \r\ncontent-type: a/b\r\n",
	    "< HTTP/2 200 \n< content-type: a/b\n" },
	{ CURLINFO_DATA_OUT, "{\"permissions\":[]}", "=> 18 bytes of data\n" },
	{ CURLINFO_SSL_DATA_OUT, "SECRET", "" },
};

static void
t_trace(void **state)
{
	size_t i;
	char *out;

	(void)state;
	for (i = 0; i < sizeof(trows) / sizeof(trows[0]); i++) {
		out = trace(trows[i].type, trows[i].in);
		assert_string_equal(out, trows[i].want);
		assert_null(strstr(out, "SECRET"));
		free(out);
	}
}

static void
t_check_refusals(void **state)
{
	struct http_opts o;
	struct ar_query q[3];
	char err[256];

	(void)state;
	memset(&o, 0, sizeof(o));
	memset(q, 0, sizeof(q));
	o.timeout_ms = 1000;
	q[0].resource = "projects/p/locations/us/repositories/r";
	assert_int_equal(ar_check(q, 1, "https://127.0.0.1:9", &o, "t", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "must end in '/'"));
	assert_int_equal(ar_check(q, 1, "http://example.com/", &o, "t", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "loopback"));
	assert_int_equal(ar_check(q, 1, "https://127.0.0.1:9/", &o, "", err,
	    sizeof(err)), -1);
	assert_int_equal(ar_check(q, 1, "https://127.0.0.1:9/", &o, "a\r\nb",
	    err, sizeof(err)), -1);
	assert_null(strstr(err, "a\r\nb"));
	o.user_project = "p\nX-Evil: 1";
	assert_int_equal(ar_check(q, 1, "https://127.0.0.1:9/", &o, "t", err,
	    sizeof(err)), -1);
	o.user_project = NULL;
	/* Bad names fail one by one, without a request. */
	q[0].resource = "projects/p/../../x";
	q[1].resource = "projects/p/locations/us/repositories/r?x=1";
	q[2].resource = "";
	assert_int_equal(ar_check(q, 3, "https://127.0.0.1:9/", &o, "t", err,
	    sizeof(err)), 0);
	assert_int_equal(q[0].status, AR_ERROR);
	assert_int_equal(q[0].attempts, 0);
	assert_int_equal(q[1].status, AR_ERROR);
	assert_int_equal(q[2].status, AR_ERROR);
	assert_string_equal(q[2].e.message, "not a valid repository name");
	assert_int_equal(ar_check(q, 0, "https://127.0.0.1:9/", &o, "t", err,
	    sizeof(err)), 0);
}

static void
t_setup(void **state)
{
	struct http_opts o;
	struct curl_slist *hdrs = NULL, *s;
	struct http_buf body = { NULL, 0, 0 };
	char errbuf[CURL_ERROR_SIZE];
	CURL *h;
	int n = 0;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.user_project = "quota-p";
	assert_non_null(h = curl_easy_init());
	assert_int_equal(http_setup(h, "http://example.com/", &o, "t", &hdrs,
	    &body, errbuf), CURLE_URL_MALFORMAT);
	assert_int_equal(http_setup(h, "https://h/", &o, "a\nb", &hdrs,
	    &body, errbuf), CURLE_BAD_FUNCTION_ARGUMENT);
	http_headers_free(hdrs);
	hdrs = NULL;
	assert_int_equal(http_setup(h, "https://h/v1/x?y=1", &o, "tok",
	    &hdrs, &body, errbuf), CURLE_OK);
	for (s = hdrs; s != NULL; s = s->next) {
		if (strcmp(s->data, "Authorization: Bearer tok") == 0 ||
		    strcmp(s->data, "X-Goog-User-Project: quota-p") == 0 ||
		    strcmp(s->data, "Content-Type: application/json") == 0)
			n++;
	}
	assert_int_equal(n, 3);
	http_headers_free(hdrs);
	curl_easy_cleanup(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_decode),
		cmocka_unit_test(t_decode_edges),
		cmocka_unit_test(t_endpoint),
		cmocka_unit_test(t_trace),
		cmocka_unit_test(t_check_refusals),
		cmocka_unit_test(t_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
