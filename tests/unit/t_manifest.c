/*
 * t_manifest.c - manifest_read(): fixtures in tests/fixtures/manifests,
 * inline documents, hostile input, then every file of the shared corpus
 * (read at run time from $CORPUS_DIR/service_yamls, default
 * ../shared/corpus, relative to the repository root).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "argv/manifest.h"

#define FX	"tests/fixtures/manifests/"
#define SVC	"apiVersion: serving.knative.dev/v1\nkind: Service\n" \
		"metadata:\n  name: s\nspec:\n  template:\n    spec:\n" \
		"      containers:\n"
#define JOB	"apiVersion: run.googleapis.com/v1\nkind: Job\n" \
		"spec:\n  template:\n    spec:\n      template:\n" \
		"        spec:\n          containers:\n"

/* Images, then names (NULL for none), n of each. */
static void
ok(const char *path, const char *buf, const char *kind, size_t n, ...)
{
	struct manifest m;
	char err[512];
	va_list ap;
	size_t i;
	const char *s;
	int rc;

	rc = manifest_read(path, buf, buf ? strlen(buf) : 0, &m, err,
	    sizeof(err));
	if (rc != 0)
		print_error("%s: unexpected error: %s\n", path, err);
	assert_int_equal(rc, 0);
	if (kind != NULL)
		assert_string_equal(m.kind, kind);
	assert_int_equal(m.n, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_string_equal(m.images[i].image, va_arg(ap, char *));
	for (i = 0; i < n; i++) {
		s = va_arg(ap, char *);
		if (s == NULL)
			assert_null(m.images[i].container);
		else
			assert_string_equal(m.images[i].container, s);
	}
	va_end(ap);
	manifest_free(&m);
	manifest_free(&m);	/* twice is safe */
}

static void
bad(const char *path, const char *buf, size_t len, const char *want)
{
	struct manifest m;
	char err[512];

	assert_int_equal(manifest_read(path, buf, len, &m, err,
	    sizeof(err)), -1);
	if (strstr(err, want) == NULL)
		print_error("got \"%s\", want \"%s\"\n", err, want);
	assert_non_null(strstr(err, want));
	assert_int_equal(m.n, 0);
	assert_null(m.images);
	assert_null(m.kind);
	manifest_free(&m);
}

#define BAD(buf, want)	bad("-", buf, strlen(buf), want)

static void
t_single(void **state)
{
	(void)state;
	ok(FX "service.yaml", NULL, "Service", 1,
	    "us-docker.pkg.dev/my-proj/my-repo/hello:v1", NULL);
}

static void
t_sidecars(void **state)
{
	struct manifest m;
	char err[256];

	(void)state;
	ok(FX "sidecars.yaml", NULL, "Service", 3,
	    "europe-west4-docker.pkg.dev/p/r/app@sha256:"
	    "be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912",
	    "gcr.io/p/proxy:1.2", "otel/opentelemetry-collector:0.98.0",
	    "app", "proxy", "collector");
	assert_int_equal(manifest_read(FX "sidecars.yaml", NULL, 0, &m, err,
	    sizeof(err)), 0);
	assert_string_equal(m.api_version, "serving.knative.dev/v1");
	assert_string_equal(m.name, "multi");
	manifest_free(&m);
}

static void
t_job(void **state)
{
	(void)state;
	ok(FX "job.yaml", NULL, "Job", 2,
	    "us-east1-docker.pkg.dev/p/jobs/worker:1.0",
	    "cloudflare/cloudflared:latest", "worker", "tunnel");
	/* no kind: the layout says Job */
	ok("-", "spec:\n template:\n  spec:\n   template:\n    spec:\n"
	    "     containers: [{image: a/b}]\n", NULL, 1, "a/b", NULL);
}

static void
t_workerpool(void **state)
{
	(void)state;
	ok(FX "workerpool.yaml", NULL, "WorkerPool", 1,
	    "asia-docker.pkg.dev/p/r/consumer:2", "consumer");
}

static void
t_json(void **state)
{
	(void)state;
	ok(FX "service.json", NULL, "Service", 2,
	    "us-docker.pkg.dev/p/r/web:1", "us-docker.pkg.dev/p/r/side:2",
	    "web", NULL);
	/* duplicate keys: the first wins, as in gcloud (ruamel) */
	ok("-", "{\"kind\": \"Service\", \"spec\": {\"template\": {\"spec\": "
	    "{\"containers\": [{\"image\": \"first\", \"image\": \"second\"}]"
	    "}}}, \"spec\": {}}", "Service", 1, "first", NULL);
	ok("-", "{\"kind\":\"Job\",\"spec\":{\"template\":{\"spec\":{"
	    "\"template\":{\"spec\":{\"containers\":[{\"image\":\"j\"}]}}}}}}",
	    "Job", 1, "j", NULL);
}

static void
t_scalars(void **state)
{
	(void)state;
	ok("-", SVC "      - image: 'us-docker.pkg.dev/p/r/a:1'\n"
	    "      - image: \"gcr.io/p/\\x62\"\n"
	    "      - image: |-\n          docker.io/x/y\n"
	    "      - image: >-\n          quay.io/a/b\n"
	    "      - image: !!str 123\n"
	    "      - image: \"yes\"\n"
	    "      - image: _\n",
	    "Service", 7, "us-docker.pkg.dev/p/r/a:1", "gcr.io/p/b",
	    "docker.io/x/y", "quay.io/a/b", "123", "yes", "_",
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	/* YAML 1.2 documents: "yes" is a string there */
	ok("-", "%YAML 1.2\n---\n" SVC "      - image: yes\n", NULL, 1,
	    "yes", NULL);
}

static void
t_aliases(void **state)
{
	(void)state;
	/* a small alias, used once, and a "<<" merge: gcloud takes both */
	ok("-", "x-img: &img us-docker.pkg.dev/p/r/a:1\n" SVC
	    "      - image: *img\n        name: a\n", "Service", 1,
	    "us-docker.pkg.dev/p/r/a:1", "a");
	ok("-", "base: &base {image: gcr.io/p/base, name: dflt}\n" SVC
	    "      - <<: *base\n        name: one\n"
	    "      - {<<: [{image: gcr.io/p/first}, *base]}\n", "Service", 2,
	    "gcr.io/p/base", "gcr.io/p/first", "one", "dflt");
	BAD("a: &a [*a]\n", "recursive alias 'a'");
	BAD("a: *nope\n", "undefined alias");
	BAD(SVC "      - <<: 5\n", "'<<' merge needs a mapping");
}

/*
 * gcloud's SafeConstructor (ruamel 0.15): with a non-empty merge, the
 * later of equal keys wins; with none, the first.  Checked against gcloud
 * by tests/t46-manifest-diff.sh; these rows pin the rules.
 */
static void
t_merge_rules(void **state)
{
	(void)state;
	/* duplicates without a merge: the first wins */
	ok("-", SVC "      - {image: gcr.io/p/first, image: gcr.io/p/second}\n",
	    "Service", 1, "gcr.io/p/first", NULL);
	/* ... with a merge: the last own one wins (was a false pass) */
	ok("-", SVC "      - {<<: {name: m}, image: gcr.io/p/first, "
	    "image: gcr.io/p/second}\n", "Service", 1, "gcr.io/p/second", "m");
	/* an empty merge is no merge: the first wins again */
	ok("-", SVC "      - {<<: {}, image: gcr.io/p/first, "
	    "image: gcr.io/p/second}\n", "Service", 1, "gcr.io/p/first", NULL);
	/* two "<<" keys: both merge, the later source wins */
	ok("-", SVC "      - {<<: {image: gcr.io/p/a}, "
	    "<<: {image: gcr.io/p/b}}\n",
	    "Service", 1, "gcr.io/p/b", NULL);
	/* a list of sources: the first source wins */
	ok("-", SVC "      - {<<: [{image: gcr.io/p/a}, "
	    "{image: gcr.io/p/b}]}\n",
	    "Service", 1, "gcr.io/p/a", NULL);
	/* "!!merge" is a merge key too; a quoted "<<" is not */
	ok("-", SVC "      - {!!merge <<: {image: gcr.io/p/m}, name: nm}\n",
	    "Service", 1, "gcr.io/p/m", "nm");
	BAD(SVC "      - {'<<': {image: gcr.io/p/m}}\n", "has no image");
	/* a merged source's own duplicates: the last, inside a merge */
	ok("-", "kind: Service\nx: &x {image: gcr.io/p/1, image: gcr.io/p/2}\n"
	    "spec:\n  template:\n    spec:\n      containers:\n"
	    "      - <<: *x\n", "Service", 1, "gcr.io/p/2", NULL);
	/* a bad merge anywhere fails the whole file, as it fails gcloud */
	BAD(SVC "      - image: a\nstatus: {<<: [1]}\n",
	    "'<<' merge needs a mapping");
}

/* gcloud builds the message of its command and never reads kind. */
static void
t_command_kind(void **state)
{
	struct manifest m;
	char err[256];
	const char *svc = "kind: service\nspec:\n  template:\n    spec:\n"
	    "      containers:\n      - image: gcr.io/p/s\n";
	const char *job = "kind: Service\n" "spec:\n  template:\n    spec:\n"
	    "      template:\n        spec:\n          containers:\n"
	    "          - image: gcr.io/p/j\n";

	(void)state;
	assert_int_equal(manifest_read_as("-", svc, strlen(svc), "Service",
	    &m, err, sizeof(err)), 0);
	assert_string_equal(m.images[0].image, "gcr.io/p/s");
	assert_string_equal(m.kind, "service");
	manifest_free(&m);
	assert_int_equal(manifest_read_as("-", job, strlen(job), "Job",
	    &m, err, sizeof(err)), 0);
	assert_string_equal(m.images[0].image, "gcr.io/p/j");
	manifest_free(&m);
	assert_int_equal(manifest_read_as("-", job, strlen(job), "Service",
	    &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no spec.template.spec.containers"));
	/* without a command, kind decides, as before */
	assert_int_equal(manifest_read("-", svc, strlen(svc), &m, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "kind 'service' is not"));
}

static void
t_malformed(void **state)
{
	(void)state;
	bad(FX "malformed.yaml", NULL, 0, "'" FX "malformed.yaml':10: "
	    "mapping values are not allowed");
	BAD("kind: Service\nspec: [\n", "standard input:3: ");
	BAD("a: b\n\tc: d\n", "standard input:2: ");
	bad("svc.yaml", "a: \"unterminated\n", 17, "'svc.yaml':2: ");
}

static void
t_files(void **state)
{
	(void)state;
	bad("does-not-exist.yaml", NULL, 0, "cannot read "
	    "'does-not-exist.yaml': No such file or directory");
	bad(FX, NULL, 0, "not a regular file");
	bad(FX "empty.yaml", NULL, 0, "'" FX "empty.yaml': no YAML or JSON");
	bad("-", NULL, 0, "standard input: no bytes given");
	BAD("", "standard input: no YAML or JSON document");
	BAD("# only a comment\n---\n...\n", "no YAML or JSON document");
}

static void
t_documents(void **state)
{
	(void)state;
	BAD(SVC "      - image: a\n---\nkind: Service\n",
	    "expected a single document");
	/* empty and null documents are dropped, as gcloud does */
	ok("-", "---\n~\n---\n" SVC "      - image: a\n---\n", "Service", 1,
	    "a", NULL);
}

static void
t_shape(void **state)
{
	(void)state;
	BAD("just a string\n", "standard input:1: not a mapping but a scalar");
	BAD("- kind: Service\n", "not a mapping but a list");
	BAD("kind: Service\nspec:\n  template: {}\n",
	    "no spec.template.spec.containers: is this a Cloud Run Service?");
	BAD("kind: WorkerPool\n", "is this a Cloud Run WorkerPool?");
	BAD("kind: Job\nspec:\n template:\n  spec:\n   containers: []\n",
	    "where a Service has them");
	BAD("kind: Job\n", "no spec.template.spec.template.spec.containers: "
	    "is this a Cloud Run Job?");
	BAD("kind: Deployment\nspec: {}\n", "kind 'Deployment' is not");
	BAD("kind: [Service]\n", "kind is not a string");
	BAD("kind: Service\nspec: 5\n", "spec is not a mapping");
	BAD(SVC "        image: a\n", "containers is not a list");
	BAD(SVC "        []\n", "containers is an empty list");
	BAD(SVC "      - a\n", "containers[0] is not a mapping");
	BAD(SVC "      - name: [x]\n        image: a\n",
	    "containers[0].name is not a string");
}

static void
t_images(void **state)
{
	(void)state;
	BAD(SVC "      - image: a\n      - name: side\n",
	    ":10: containers[1] ('side') has no image");
	BAD(SVC "      - image: ~\n", "containers[0] has no image");
	BAD(SVC "      - image: ''\n", "containers[0] has no image");
	BAD(SVC "      - image: 123\n", "containers[0] image is not a string");
	BAD(SVC "      - image: yes\n", "image is not a string");
	BAD(SVC "      - image: 1.5\n", "image is not a string");
	BAD(SVC "      - image: 0x1f\n", "image is not a string");
	BAD(SVC "      - image: 2024-01-01\n", "image is not a string");
	BAD(SVC "      - image: [a]\n", "image is not a string");
	BAD(SVC "      - image: {a: b}\n", "image is not a string");
	BAD(SVC "      - image: !!binary aGVsbG8=\n", "image is not a string");
	BAD(SVC "      - name: x\n        image: \"a\\0b\"\n",
	    "containers[0] ('x') image holds a NUL byte");
}

static void
t_bomb(void **state)
{
	const char *bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
	    "\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,"
	    "*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,"
	    "*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,"
	    "*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
	    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	clock_t t0 = clock();

	(void)state;
	BAD(bomb, "refusing a possible YAML bomb");
	assert_true(clock() - t0 < CLOCKS_PER_SEC);
}

static void
t_deep(void **state)
{
	char buf[512];
	size_t i;

	(void)state;
	for (i = 0; i < 200; i++)
		buf[i] = '[';
	buf[i] = '\0';
	BAD(buf, "nested deeper than 64 levels");
	/* 60 levels are fine outside the containers */
	buf[0] = '\0';
	strlcat(buf, SVC "      - image: a\nx: ", sizeof(buf));
	for (i = 0; i < 60; i++)
		strlcat(buf, "[", sizeof(buf));
	for (i = 0; i < 60; i++)
		strlcat(buf, "]", sizeof(buf));
	ok("-", buf, "Service", 1, "a", NULL);
}

static void
t_encoding(void **state)
{
	(void)state;
	BAD(SVC "      - image: caf\xe9\n", "standard input:9: ");
	BAD(SVC "      - image: a # \xff\xfe\n", "not UTF-8 text");
	bad("-", "\xff\xfek\0:\0 \0v\0", 10, "not UTF-8 text");
	/* a UTF-8 byte order mark is fine */
	ok("-", "\xef\xbb\xbf" SVC "      - image: a\n", "Service", 1, "a",
	    NULL);
}

static void
t_big(void **state)
{
	char path[] = "/tmp/t_manifest.XXXXXX";
	size_t len = 5 * 1024 * 1024;
	char *big;
	FILE *fp;
	int fd;

	(void)state;
	assert_non_null(big = malloc(len));
	memset(big, '#', len);
	bad("-", big, len, "larger than 4 MiB");
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(fp = fdopen(fd, "w"));
	assert_int_equal(fwrite(big, 1, len, fp), len);
	fclose(fp);
	bad(path, NULL, 0, "larger than 4 MiB");
	unlink(path);
	free(big);
}

static void
t_stdin(void **state)
{
	(void)state;
	ok("-", SVC "      - image: gcr.io/p/i\n", "Service", 1, "gcr.io/p/i",
	    NULL);
	ok(NULL, SVC "      - image: gcr.io/p/i\n", "Service", 1,
	    "gcr.io/p/i", NULL);
	BAD(SVC "      - image: a\n    oops\n", "standard input:");
}

struct corpus_row {
	const char *prefix;	/* file name starts with it */
	const char *images[3];
	const char *names[3];	/* NULL: unnamed */
};

static const struct corpus_row rows[] = {
	{ "01-", { "nginx", "us-docker.pkg.dev/cloudrun/container/hello" },
	    { "nginx", "hello" } },
	{ "02-", { "%SAMPLE_APP_IMAGE%", "%OTELCOL_IMAGE%" },
	    { "app", "collector" } },
	{ "03-", { "%SAMPLE_APP_IMAGE%", "%OTELCOL_IMAGE%" },
	    { "app", "collector" } },
	{ "04-", { "us-central1-docker.pkg.dev/learngcp-361805/"
	    "chi-authentication/backend:latest" }, { NULL } },
	{ "05-", { "asia.gcr.io/turtle-buttler/turtle-buttler" }, { NULL } },
	{ "06-", { "gcr.io/chantilly-agent-morgan/chantilly-agent:latest" },
	    { "chantilly-agent" } },
	{ "07-", { "europe-west2-docker.pkg.dev/PROJECT_ID/joke-bot/"
	    "joke-bot:latest" }, { NULL } },
	{ "08-", { "IMAGE" }, { NULL } },
	{ "09-", { "CHANGE_ME" }, { NULL } },
	/* the trailing blank after the image is not part of a plain scalar */
	{ "10-", { "gcr.io/genai-playground24/ollama-preloaded:tag1" },
	    { "ollama" } },
	{ "11-", { "cloudflare/cloudflared:latest" }, { NULL } },
	{ "12-", { "IMAGE_PLACEHOLDER", "cloudflare/cloudflared:2026.7.3@"
	    "sha256:e39ee8da81ad5e05d77f38d2f51c60ca51bf2a8450ac3abab50c17fd"
	    "b91d91bf" }, { "migration", "db-tunnel" } },
	{ "13-", { "us-east1-docker.pkg.dev/personal-gcp-477623/"
	    "github-scraper/worker:1.2.1" }, { NULL } },
	{ "14-", { "gcr.io/seotools01/prerender-jobs:latest" },
	    { "prerender-jobs-1" } },
	/* 15: a Job with its containers where a Service has them: gcloud
	 * refuses it ("Job.spec.template.spec.containers"), so do we */
	{ "15-", { NULL }, { NULL } },
};

static int
isyaml(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".yaml") == 0;
}

static void
corpus_file(const char *path, const struct corpus_row *r)
{
	char err[512];
	struct manifest m;
	size_t i, n;

	if (r->images[0] == NULL) {
		bad(path, NULL, 0, "no spec.template.spec.template.spec."
		    "containers: is this a Cloud Run Job? (spec.template.spec."
		    "containers is where a Service has them)");
		return;
	}
	if (manifest_read(path, NULL, 0, &m, err, sizeof(err)) != 0)
		print_error("%s\n", err);
	for (n = 0; n < 3 && r->images[n] != NULL; n++)
		;
	assert_int_equal(m.n, n);
	for (i = 0; i < n; i++) {
		assert_string_equal(m.images[i].image, r->images[i]);
		if (r->names[i] == NULL)
			assert_null(m.images[i].container);
		else
			assert_string_equal(m.images[i].container, r->names[i]);
	}
	manifest_free(&m);
}

static void
t_corpus(void **state)
{
	const char *base = getenv("CORPUS_DIR");
	char dir[1024], path[1400];
	struct dirent **ents;
	size_t nrows = sizeof(rows) / sizeof(rows[0]);
	int i, n;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/service_yamls",
	    base ? base : "../shared/corpus");
	if (access(dir, R_OK) != 0) {
		printf("SKIP: t_corpus: no corpus at %s (set CORPUS_DIR)\n",
		    dir);
		skip();
	}
	assert_true((n = scandir(dir, &ents, isyaml, alphasort)) >= 0);
	/* a new corpus file needs a row here */
	assert_int_equal(n, nrows);
	for (i = 0; i < n; i++) {
		assert_memory_equal(ents[i]->d_name, rows[i].prefix, 3);
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		corpus_file(path, &rows[i]);
		free(ents[i]);
	}
	free(ents);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_single),
		cmocka_unit_test(t_sidecars),
		cmocka_unit_test(t_job),
		cmocka_unit_test(t_workerpool),
		cmocka_unit_test(t_json),
		cmocka_unit_test(t_scalars),
		cmocka_unit_test(t_aliases),
		cmocka_unit_test(t_merge_rules),
		cmocka_unit_test(t_command_kind),
		cmocka_unit_test(t_malformed),
		cmocka_unit_test(t_files),
		cmocka_unit_test(t_documents),
		cmocka_unit_test(t_shape),
		cmocka_unit_test(t_images),
		cmocka_unit_test(t_bomb),
		cmocka_unit_test(t_deep),
		cmocka_unit_test(t_encoding),
		cmocka_unit_test(t_big),
		cmocka_unit_test(t_stdin),
		cmocka_unit_test(t_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
