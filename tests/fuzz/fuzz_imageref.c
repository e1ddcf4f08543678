/*
 * fuzz_imageref.c - libFuzzer harness for imageref_parse().  Not built by
 * default; by hand:
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
 *	    -D_GNU_SOURCE -Isrc $(pkg-config --cflags libbsd-overlay) \
 *	    tests/fuzz/fuzz_imageref.c src/api/imageref.c \
 *	    $(pkg-config --libs libbsd-overlay) -o fuzz_imageref
 *	./fuzz_imageref -max_total_time=120 tests/fuzz/corpus/imageref
 *
 * Besides memory errors it checks what the header promises: a failure
 * leaves an error and nothing else; a success puts back together into
 * exactly the input, and a resource holds nothing a URL would treat
 * specially.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/imageref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) { fprintf(stderr, "%s\n", #x); \
			    abort(); } } while (0)

static void
check_failed(const struct imageref *r)
{
	CHECK(r->kind == IMAGEREF_INVALID);
	CHECK(r->error != NULL && r->error[0] != '\0');
	CHECK(r->domain[0] == '\0' && r->path[0] == '\0');
	CHECK(r->tag[0] == '\0' && r->digest[0] == '\0');
	CHECK(r->resource[0] == '\0' && r->project[0] == '\0');
}

static void
check_resource(const struct imageref *r)
{
	const char *ok = "abcdefghijklmnopqrstuvwxyz0123456789._:/-";

	if (r->kind == IMAGEREF_OTHER) {
		CHECK(r->resource[0] == '\0');
		return;
	}
	CHECK(r->kind == IMAGEREF_AR || r->kind == IMAGEREF_GCR);
	CHECK(strncmp(r->resource, "projects/", 9) == 0);
	CHECK(strspn(r->resource, ok) == strlen(r->resource));
	CHECK(strstr(r->resource, "..") == NULL);
	CHECK(r->project[0] != '\0' && r->location[0] != '\0');
	CHECK(r->repository[0] != '\0');
}

static void
check_parsed(const char *s, const struct imageref *r)
{
	char back[1024];

	CHECK(r->error == NULL);
	CHECK(strlen(r->path) > 0);
	/* distribution/reference limits the path; the host is ours. */
	CHECK(strlen(r->path) <= IMAGEREF_NAME_MAX);
	CHECK(strlen(r->domain) <= IMAGEREF_NAME_MAX);
	CHECK(strlen(r->tag) <= IMAGEREF_TAG_MAX);
	CHECK(r->digest[0] == '\0' || strlen(r->digest) == 71);
	snprintf(back, sizeof(back), "%s%s%s%s%s%s%s", r->domain,
	    r->domain[0] != '\0' ? "/" : "", r->path,
	    r->tag[0] != '\0' ? ":" : "", r->tag,
	    r->digest[0] != '\0' ? "@" : "", r->digest);
	CHECK(strcmp(back, s) == 0);
	CHECK(strpbrk(s, "%?# \t\r\n") == NULL);
	check_resource(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imageref r, again;
	char *s;
	int rc;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rc = imageref_parse(s, &r);
	CHECK(rc == 0 || rc == -1);
	if (rc == -1)
		check_failed(&r);
	else
		check_parsed(s, &r);
	CHECK(imageref_parse(s, &again) == rc);
	CHECK(memcmp(&r, &again, sizeof(r)) == 0);
	free(s);
	return 0;
}
