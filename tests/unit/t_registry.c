/*
 * t_registry.c - manifest URLs (Artifact Registry, gcr.io, domain-scoped
 * projects, digests, no tag), references without a registry, decoding the
 * registry's status codes, the HEAD request, and GCLOUD_RUN_DEPLOY_CONNECT_TO.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/registry.h"
#include "net/http.h"

#define DG	"sha256:0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef"

static void
t_url(void **state)
{
	static const struct { const char *image, *url; } c[] = {
		{ "us-central1-docker.pkg.dev/p/r/app:1.4",
		    "https://us-central1-docker.pkg.dev/v2/p/r/app/manifests/"
		    "1.4" },
		{ "us-central1-docker.pkg.dev/p/r/app",
		    "https://us-central1-docker.pkg.dev/v2/p/r/app/manifests/"
		    "latest" },
		{ "europe-docker.pkg.dev/p/r/a/b/c:v",
		    "https://europe-docker.pkg.dev/v2/p/r/a/b/c/manifests/v" },
		{ "us-central1-docker.pkg.dev/example.com/p/r/app:2",
		    "https://us-central1-docker.pkg.dev/v2/example.com/p/r/app/"
		    "manifests/2" },
		{ "us-central1-docker.pkg.dev/p/r/app@" DG,
		    "https://us-central1-docker.pkg.dev/v2/p/r/app/manifests/"
		    DG },
		{ "us-central1-docker.pkg.dev/p/r/app:1@" DG,
		    "https://us-central1-docker.pkg.dev/v2/p/r/app/manifests/"
		    DG },
		{ "gcr.io/p/app:3", "https://gcr.io/v2/p/app/manifests/3" },
		{ "eu.gcr.io/p/app", "https://eu.gcr.io/v2/p/app/manifests/"
		    "latest" },
	};
	struct imageref ref;
	struct registry_query q;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		assert_int_equal(imageref_parse(c[i].image, &ref), 0);
		assert_int_equal(registry_init(&q, &ref), 0);
		if (strcmp(q.url, c[i].url) != 0)
			fail_msg("%s: got %s", c[i].image, q.url);
	}
	assert_int_equal(imageref_parse("nginx:1", &ref), 0);
	assert_int_equal(registry_init(&q, &ref), -1);
	assert_int_equal(imageref_parse("ghcr.io/o/app:1", &ref), 0);
	assert_int_equal(registry_url(&ref, q.url, sizeof(q.url)), -1);
	assert_int_equal(imageref_parse("gcr.io/p/app:3", &ref), 0);
	assert_int_equal(registry_url(&ref, q.url, 20), -1);	/* too long */
}

static void
t_decode(void **state)
{
	struct imageref ref;
	struct registry_query q;

	(void)state;
	assert_int_equal(imageref_parse("us-central1-docker.pkg.dev/p/r/app:9",
	    &ref), 0);
	registry_init(&q, &ref);
	registry_decode(&q, 200, DG);
	assert_int_equal(q.status, REGISTRY_FOUND);
	assert_string_equal(q.digest, DG);
	registry_init(&q, &ref);
	registry_decode(&q, 404, NULL);
	assert_int_equal(q.status, REGISTRY_MISSING);
	assert_string_equal(q.detail, "no manifest for tag 9 in "
	    "us-central1-docker.pkg.dev/p/r/app");
	registry_init(&q, &ref);
	registry_decode(&q, 401, NULL);
	assert_int_equal(q.status, REGISTRY_DENIED);
	registry_decode(&q, 403, NULL);
	assert_int_equal(q.status, REGISTRY_DENIED);
	registry_decode(&q, 500, NULL);
	assert_int_equal(q.status, REGISTRY_ERROR);
	assert_non_null(strstr(q.detail, "HTTP 500"));
	registry_decode(&q, 302, NULL);
	assert_int_equal(q.status, REGISTRY_ERROR);
	/* A digest header with control characters is cleaned. */
	registry_init(&q, &ref);
	registry_decode(&q, 200, "sha256:ab\n\033[31m");
	assert_null(strchr(q.digest, '\n'));
	assert_null(strchr(q.digest, '\033'));
	assert_int_equal(imageref_parse("gcr.io/p/app@" DG, &ref), 0);
	registry_init(&q, &ref);
	registry_decode(&q, 404, NULL);
	assert_non_null(strstr(q.detail, "no manifest for digest " DG));
}

static void
t_fetch(void **state)
{
	struct http_opts base, ro;
	struct imageref ref;
	struct registry_query q;
	struct fetch f;

	(void)state;
	memset(&base, 0, sizeof(base));
	base.user_project = "quota";
	base.timeout_ms = 5000;
	registry_opts(&base, &ro);
	assert_null(ro.user_project);
	assert_string_equal(ro.accept, REGISTRY_ACCEPT);
	assert_int_equal(ro.timeout_ms, 5000);
	assert_int_equal(imageref_parse("gcr.io/p/app:3", &ref), 0);
	registry_init(&q, &ref);
	registry_fetch(&q, &f, &ro);
	assert_int_equal(f.head, 1);
	assert_null(f.post);
	assert_ptr_equal(f.opts, &ro);
	assert_string_equal(f.url, "https://gcr.io/v2/p/app/manifests/3");
}

static void
t_connect_to(void **state)
{
	static const char *const good[] = {
		"us-central1-docker.pkg.dev:443:127.0.0.1:8443",
		"gcr.io:443:localhost:1,eu.gcr.io:443:[::1]:2",
		"a:443:127.1.2.3:65535",
	};
	static const char *const bad[] = {
		"us-central1-docker.pkg.dev:443:192.0.2.1:443",
		"gcr.io:443:example.com:443",
		"gcr.io:443:127.0.0.1",
		"gcr.io::127.0.0.1:1",
		"gcr.io:443:127.0.0.1:0",
		"gcr.io:443:127.0.0.1:70000",
		":443:127.0.0.1:1",
		"gcr.io:443:127.0.0.1:1,garbage",
		"gcr.io:443:127.0.0.1:1 ",
		"gcr.io:443::1",
	};
	struct curl_slist *l;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (http_connect_to(good[i], &l, err, sizeof(err)) != 0)
			fail_msg("%s: %s", good[i], err);
		assert_non_null(l);
		curl_slist_free_all(l);
	}
	assert_int_equal(http_connect_to("gcr.io:443:localhost:1,eu.gcr.io:"
	    "443:[::1]:2", &l, err, sizeof(err)), 0);
	assert_string_equal(l->data, "gcr.io:443:localhost:1");
	assert_string_equal(l->next->data, "eu.gcr.io:443:[::1]:2");
	curl_slist_free_all(l);
	assert_int_equal(http_connect_to(NULL, &l, err, sizeof(err)), 0);
	assert_null(l);
	assert_int_equal(http_connect_to("", &l, err, sizeof(err)), 0);
	assert_null(l);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (http_connect_to(bad[i], &l, err, sizeof(err)) != -1)
			fail_msg("%s: accepted", bad[i]);
		assert_null(l);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_url),
		cmocka_unit_test(t_decode),
		cmocka_unit_test(t_fetch),
		cmocka_unit_test(t_connect_to),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
