/*
 * fuzz_apierror.c - libFuzzer harness for the API answer decoders:
 * ar_decode() (testIamPermissions) and runclient_decode() (a Cloud Run v2
 * resource), both on apierror.c.  Built and run by `make fuzz`; by hand:
 *
 *	make fuzz-build && build-fuzz/fuzz_apierror -max_total_time=60 \
 *	    build-fuzz/corpus/apierror tests/fuzz/corpus/apierror
 *
 * The first byte picks the HTTP status and the run resource kind; the
 * rest is the body, as it came off the wire.  Besides memory errors and
 * leaks it checks what the headers promise:
 *  - ar_decode: granted only for a 2xx answer whose body names the
 *    permission; an error always has a message; every string is
 *    terminated and free of control characters; the token a server
 *    echoes is scrubbed from the message; denied only for a 2xx answer
 *    or a 403 whose ErrorInfo reason is IAM_PERMISSION_DENIED;
 *  - runclient_decode: found or error; every container has a name and a
 *    string for an image (the API may send "").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/ar.h"
#include "api/runclient.h"
#include "net/apierror.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) { fprintf(stderr, "%s\n", #x); \
			    abort(); } } while (0)
#define TOKEN		"ya29.fuzz-token-0123456789"

static const long codes[16] = {
	200, 201, 204, 299, 0, 301, 400, 401, 403, 404, 429, 500, 502, 503,
	100, 999
};

static void
clean(const char *s, size_t size)
{
	size_t i;

	CHECK(memchr(s, '\0', size) != NULL);
	for (i = 0; s[i] != '\0'; i++)
		CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

static void
check_error(const struct api_error *e, long code)
{
	CHECK(e->http_code == code);
	clean(e->status_name, sizeof(e->status_name));
	clean(e->reason, sizeof(e->reason));
	clean(e->service, sizeof(e->service));
	clean(e->message, sizeof(e->message));
}

static void
ar(long code, const char *body, size_t len)
{
	struct ar_query q;

	memset(&q, 0, sizeof(q));
	q.resource = "projects/p/locations/l/repositories/r";
	ar_decode(&q, code, body, len);
	CHECK(q.status == AR_GRANTED || q.status == AR_DENIED ||
	    q.status == AR_ERROR);
	check_error(&q.e, code);
	if (q.status == AR_GRANTED) {
		CHECK(code >= 200 && code < 300);
		CHECK(memmem(body, len, AR_PERMISSION,
		    strlen(AR_PERMISSION)) != NULL);
	} else
		CHECK(q.e.message[0] != '\0');
	if (q.status == AR_DENIED)	/* {} or IAM's own denial */
		CHECK((code >= 200 && code < 300) || (code == 403 &&
		    strcmp(q.e.reason, "IAM_PERMISSION_DENIED") == 0));
	apierror_scrub(&q.e, TOKEN);
	CHECK(strstr(q.e.message, TOKEN) == NULL);
}

static void
run(int kind, const char *body, size_t len)
{
	struct run_read r;
	size_t i;
	int rc;

	memset(&r, 0, sizeof(r));
	r.kind = (enum run_kind)kind;
	rc = runclient_decode(&r, body, len);
	CHECK(rc == 0 || rc == -1);
	CHECK(r.status == RUN_FOUND || r.status == RUN_ERROR);
	if (r.status == RUN_ERROR) {
		CHECK(r.n == 0 && r.e.message[0] != '\0');
		check_error(&r.e, 200);
	}
	for (i = 0; i < r.n; i++)
		CHECK(r.c[i].name != NULL && r.c[i].image != NULL);
	runclient_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body;
	long code;
	int kind;

	if (size == 0)
		return 0;
	code = codes[data[0] & 15];
	kind = (data[0] >> 4) % 3;
	size--;
	/* Exactly the bytes, no terminator: as the fetch buffer may be. */
	if ((body = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(body, data + 1, size);
	ar(code, body, size);
	run(kind, body, size);
	free(body);
	return 0;
}
