/*
 * fuzz_manifest.c - libFuzzer harness for manifest_read() on bytes, as
 * the shim passes stdin for `replace -`.  Not built by default; by hand:
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
 *	    -D_GNU_SOURCE -Isrc \
 *	    $(pkg-config --cflags libbsd-overlay yaml-0.1) \
 *	    tests/fuzz/fuzz_manifest.c src/argv/manifest.c \
 *	    src/argv/manifest_yaml.c \
 *	    $(pkg-config --libs libbsd-overlay yaml-0.1) -o fuzz_manifest
 *	./fuzz_manifest -max_total_time=120 -timeout=2 -rss_limit_mb=512 \
 *	    tests/fuzz/corpus/manifest
 *
 * Besides memory errors, leaks, time and memory limits, it checks what
 * the header promises: a failure leaves a message and an empty manifest;
 * a success has at least one image, each non-empty, and a known kind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) { fprintf(stderr, "%s\n", #x); \
			    abort(); } } while (0)

static void
check_ok(const struct manifest *m, int as)
{
	size_t i;

	CHECK(m->n >= 1 && m->images != NULL);
	for (i = 0; i < m->n; i++) {
		CHECK(m->images[i].image != NULL);
		CHECK(m->images[i].image[0] != '\0');
		CHECK(m->images[i].container == NULL ||
		    strlen(m->images[i].container) < 1024 * 1024 * 4);
	}
	/* with the command's kind, kind is only reported */
	CHECK(as || m->kind == NULL || strcmp(m->kind, "Service") == 0 ||
	    strcmp(m->kind, "Job") == 0 || strcmp(m->kind, "WorkerPool") == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const as[] = { NULL, "Service", "Job" };
	struct manifest m;
	char err[256];
	size_t k;
	int rc;

	for (k = 0; k < sizeof(as) / sizeof(as[0]); k++) {
		memset(err, 'x', sizeof(err));
		rc = manifest_read_as("-", (const char *)data, size, as[k],
		    &m, err, sizeof(err));
		CHECK(rc == 0 || rc == -1);
		CHECK(memchr(err, '\0', sizeof(err)) != NULL || rc == 0);
		if (rc == 0)
			check_ok(&m, as[k] != NULL);
		else {
			CHECK(err[0] != '\0' && err[0] != 'x');
			CHECK(m.n == 0 && m.images == NULL && m.kind == NULL);
			CHECK(m.name == NULL && m.api_version == NULL);
		}
		manifest_free(&m);
	}
	return 0;
}
