/*
 * fuzz_audit.c - libFuzzer harness for the audit's entries:list decoder,
 * audit_decode() (auditparse.c), and the small parsers beside it.  Built
 * and run by `make fuzz`; by hand:
 *
 *	make fuzz-build && build/fuzz/fuzz_audit -max_total_time=60 \
 *	    build/fuzz/corpus/audit tests/fuzz/corpus/audit
 *
 * The first byte picks the HTTP status; the rest is the body, as it came
 * off the wire, decoded twice (two pages into one summary).  Besides
 * memory errors and leaks it checks what audit.h promises:
 *  - 0 only for a 2xx answer; an error always has a message;
 *  - nextPageToken is terminated and "" after an error;
 *  - at most AUDIT_MAX_GROUPS groups and AUDIT_MAX_SERVICES services, each
 *    group counted; every string is free of control characters;
 *  - a principal is known only with an e-mail of shell-safe characters;
 *  - after audit_sort(), newest first;
 *  - a grant command holds nothing a shell would interpret.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) { fprintf(stderr, "%s\n", #x); \
			    abort(); } } while (0)
#define SAFE	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
		"0123456789@._-+:/= "

static const long codes[8] = { 200, 204, 299, 0, 400, 403, 500, 503 };

static void
clean(const char *s)
{
	for (; *s != '\0'; s++)
		CHECK((unsigned char)*s >= 0x20 && *s != 0x7f);
}

static void
check_group(const struct audit_group *g)
{
	struct imageref ref;
	char grant[1200];
	size_t i;

	CHECK(g->count >= 1 && g->image != NULL);
	clean(g->image);
	clean(g->latest);
	CHECK(g->nsvc <= AUDIT_MAX_SERVICES);
	for (i = 0; i < g->nsvc; i++) {
		CHECK(g->svc[i].name[0] != '\0');
		clean(g->svc[i].name);
		clean(g->svc[i].region);
	}
	if (g->who.kind == PRINCIPAL_UNKNOWN)
		CHECK(g->who.email[0] == '\0');
	else
		CHECK(g->who.email[0] != '\0' && strchr(g->who.email, '@') &&
		    strspn(g->who.email, SAFE) == strlen(g->who.email));
	if (imageref_parse(g->image, &ref) == 0 &&
	    audit_grant(&g->who, &ref, grant, sizeof(grant)) == 0)
		CHECK(strspn(grant, SAFE) == strlen(grant));
}

static void
decode(long code, const char *body, size_t len)
{
	struct audit au;
	struct api_error e;
	char next[AUDIT_TOKEN_MAX];
	size_t i, k;
	int rc;

	memset(&au, 0, sizeof(au));
	for (k = 0; k < 2; k++) {
		rc = audit_decode(&au, code, body, len, next, sizeof(next),
		    &e);
		CHECK(rc == 0 || rc == -1);
		CHECK(memchr(next, '\0', sizeof(next)) != NULL);
		if (rc == 0)
			CHECK(code >= 200 && code < 300);
		else {
			CHECK(e.message[0] != '\0' && next[0] == '\0');
			clean(e.message);
			clean(e.reason);
		}
	}
	CHECK(au.n <= AUDIT_MAX_GROUPS && au.pages <= 2);
	audit_sort(&au);
	for (i = 0; i < au.n; i++) {
		check_group(&au.g[i]);
		if (i > 0)
			CHECK(au.g[i - 1].latest_s >= au.g[i].latest_s);
	}
	audit_free(&au);
}

/* The same bytes as a message, a duration and a time. */
static void
strings(const char *s)
{
	char out[600];
	const char *p = s;
	long long secs, sec;
	long ns;
	int n = 0;

	while ((p = audit_message_image(p, out, sizeof(out))) != NULL) {
		clean(out);
		CHECK(p > s && p <= s + strlen(s));
		CHECK(++n <= (int)strlen(s));
	}
	if (audit_freshness(s, &secs) == 0)
		CHECK(secs > 0 && secs <= AUDIT_FRESHNESS_MAX);
	if (audit_time(s, &sec, &ns) == 0)
		CHECK(ns >= 0 && ns < 1000000000L);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body;

	if (size == 0)
		return 0;
	/* Exactly the bytes, then a terminated copy for the strings. */
	if ((body = malloc(size)) == NULL)
		return 0;
	memcpy(body, data + 1, size - 1);
	decode(codes[data[0] & 7], body, size - 1);
	body[size - 1] = '\0';
	strings(body);
	free(body);
	return 0;
}
