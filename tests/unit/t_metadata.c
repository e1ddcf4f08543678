/*
 * t_metadata.c - where metadata requests may go, and the rules that need
 * no server: the metadata address settings, the hosts plain http may
 * reach for it, and the settings that send the shim to config-helper
 * before any request.  (tests/t57-metadata.sh covers the rest against a
 * fake metadata server and the real gcloud.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testenv.h"

#include "auth/metadata.h"
#include "auth/token.h"
#include "gcloud/props.h"
#include "net/curlfn.h"
#include "net/http.h"

static void
t_roots(void **state)
{
	(void)state;
	unsetenv("GCE_METADATA_HOST");
	unsetenv("GCE_METADATA_ROOT");
	assert_string_equal(metadata_root_gcloud(), "metadata.google.internal");
	assert_string_equal(metadata_root_auth(), "metadata.google.internal");
	/* gce_read.py reads only ROOT; google-auth HOST first, then ROOT */
	setenv("GCE_METADATA_ROOT", "127.0.0.1:8080", 1);
	assert_string_equal(metadata_root_gcloud(), "127.0.0.1:8080");
	assert_string_equal(metadata_root_auth(), "127.0.0.1:8080");
	setenv("GCE_METADATA_HOST", "169.254.169.254", 1);
	assert_string_equal(metadata_root_gcloud(), "127.0.0.1:8080");
	assert_string_equal(metadata_root_auth(), "169.254.169.254");
	/* empty: google-auth skips it */
	setenv("GCE_METADATA_HOST", "", 1);
	assert_string_equal(metadata_root_auth(), "127.0.0.1:8080");
	unsetenv("GCE_METADATA_HOST");
	unsetenv("GCE_METADATA_ROOT");
}

static void
t_hosts(void **state)
{
	static const char *const yes[] = { "169.254.169.254",
	    "metadata.google.internal", "METADATA.google.internal",
	    "metadata.google.internal.", "127.0.0.1", "127.1.2.3",
	    "localhost", "[::1]" };
	static const char *const no[] = { "169.254.169.253", "10.0.0.1",
	    "metadata.google.internal.evil.example", "google.internal",
	    "example.com", "::1x", "" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(http_metadata_host(yes[i]));
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(http_metadata_host(no[i]));
}

/* http_setup_metadata() refuses a URL before any connection. */
static CURLcode
setup(const char *url)
{
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hdrs = NULL;
	struct http_buf body = { NULL, 0, 0 };
	CURL *h;
	CURLcode rc;

	assert_non_null(h = curl_easy_init());
	rc = http_setup_metadata(h, url, 1000, &hdrs, &body, errbuf);
	if (rc == CURLE_OK) {
		assert_non_null(hdrs);
		assert_string_equal(hdrs->data, "Metadata-Flavor: Google");
		/* nothing else, no credential */
		assert_null(hdrs->next);
	}
	curl_easy_cleanup(h);
	http_headers_free(hdrs);
	http_buf_free(&body);
	return rc;
}

static void
t_setup(void **state)
{
	(void)state;
	assert_int_equal(setup("http://169.254.169.254/computeMetadata/v1/"
	    "project/project-id"), CURLE_OK);
	assert_int_equal(setup("http://metadata.google.internal/"
	    "computeMetadata/v1/instance/service-accounts/"), CURLE_OK);
	assert_int_equal(setup("http://127.0.0.1:9/computeMetadata/v1/x"),
	    CURLE_OK);
	assert_int_equal(setup("http://evil.example/computeMetadata/v1/x"),
	    CURLE_URL_MALFORMAT);
	assert_int_equal(setup("https://169.254.169.254/computeMetadata/v1/"),
	    CURLE_URL_MALFORMAT);
	assert_int_equal(setup("http://u:p@169.254.169.254/computeMetadata/"),
	    CURLE_URL_MALFORMAT);
	assert_int_equal(setup("http://169.254.169.254@evil.example/"),
	    CURLE_URL_MALFORMAT);
	assert_int_equal(setup("http://169.254.169.254/a b"),
	    CURLE_URL_MALFORMAT);
	assert_int_equal(setup("file:///etc/passwd"), CURLE_URL_MALFORMAT);
}

/* The rules that fall back before any request (the server is 127.0.0.1:9). */
static void
acquire_fails(const char *env, const char *val)
{
	struct props p;
	struct token t;
	const char *why = NULL;
	char err[256];

	setenv(env, val, 1);
	props_init(&p);
	assert_int_equal(props_load(&p, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(metadata_enable(&p, 2000), 0);
	memset(&t, 0, sizeof(t));
	assert_int_equal(metadata_acquire(&p, &t.value, &t.len, &t.source,
	    &why), -1);
	assert_non_null(why);
	assert_null(t.value);
	props_free(&p);
	unsetenv(env);
}

static void
t_rules(void **state)
{
	char dir[] = "/tmp/t_metadata.XXXXXX";
	struct props p;
	struct token t;
	const char *why = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("CLOUDSDK_CONFIG", dir, 1);
	setenv("GCE_METADATA_ROOT", "127.0.0.1:9", 1);
	setenv("CLOUDSDK_CORE_ACCOUNT", "sa@p.iam.gserviceaccount.com", 1);
	unsetenv("CLOUDSDK_CORE_CHECK_GCE_METADATA");
	acquire_fails("CLOUDSDK_AUTH_ACCESS_TOKEN", "raw");
	acquire_fails("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "/dev/null");
	acquire_fails("CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT",
	    "x@p.iam.gserviceaccount.com");
	acquire_fails("CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE", "/dev/null");
	acquire_fails("CLOUD_SHELL", "true");
	acquire_fails("CLOUDSDK_AUTH_DISABLE_LOAD_GOOGLE_AUTH", "true");
	acquire_fails("CLOUDSDK_CORE_CHECK_GCE_METADATA", "false");
	acquire_fails("CLOUDSDK_CORE_ACCOUNT", "not an account");
	/* Nothing answers on 127.0.0.1:9: not on GCE, no project. */
	acquire_fails("CLOUDSDK_CORE_UNIVERSE_DOMAIN", "googleapis.com");
	/* Lookups off (plan mode): no property from the metadata server. */
	props_init(&p);
	assert_null(metadata_property(&p, "core/project"));
	memset(&t, 0, sizeof(t));
	assert_int_equal(metadata_acquire(&p, &t.value, &t.len, &t.source,
	    &why), -1);
	props_free(&p);
	unsetenv("CLOUDSDK_CORE_ACCOUNT");
	unsetenv("GCE_METADATA_ROOT");
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_roots),
		cmocka_unit_test(t_hosts),
		cmocka_unit_test(t_setup),
		cmocka_unit_test(t_rules),
	};

	cleanenv();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
