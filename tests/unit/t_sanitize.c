/*
 * t_sanitize.c - the one sanitizer: what reaches a terminal (audit text
 * from log entries with UTF-8 C1 controls and ESC, the service agent's
 * reasons with IAM role strings from a policy), shell words, and JSON
 * strings from bytes that are not UTF-8.
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

#include "api/svcagent.h"
#include "audit/audit.h"
#include "util/sanitize.h"

/* Every byte printable ASCII or a newline. */
static void
assert_printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != '\n' && ((unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] > 0x7e))
			fail_msg("byte 0x%02x at %zu of \"%.*s\"",
			    (unsigned char)s[i], i, (int)n, s);
}

static void
shown_replaces(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(san_shown("a\033[31mb\xc2\x9b" "c", buf,
	    sizeof(buf)), "a?[31mb??c");
	assert_string_equal(san_shown("abcdefghij", buf, 8), "abcd...");
	assert_string_equal(san_shown(NULL, buf, sizeof(buf)), "");
}

/* The audit text: image, service, region and time from log entries. */
static void
audit_text_is_printable(void **state)
{
	struct audit_service svc = { "svc\xc2\x9b]0;owned\x07",
	    "us\033[2J" };
	struct audit_group g;
	struct audit au;
	struct audit_info in = { "p", "1d", "2026-01-01T00:00:00Z", 1, NULL };
	char *out = NULL;
	size_t n = 0;
	FILE *f;

	(void)state;
	memset(&g, 0, sizeof(g));
	memset(&au, 0, sizeof(au));
	g.image = (char *)"us-docker.pkg.dev/p/r/app\xc2\x9b" "1m:1";
	g.count = 1;
	strlcpy(g.latest, "2026\033[8m", sizeof(g.latest));
	g.svc = &svc;
	g.nsvc = 1;
	au.g = &g;
	au.n = 1;
	assert_non_null(f = open_memstream(&out, &n));
	audit_text(f, &au, &in);
	fclose(f);
	assert_printable(out, n);
	assert_non_null(strstr(out, "svc??]0;owned?"));
	free(out);
}

/* The service agent's reason names a role string from a policy. */
static void
agent_reason_is_printable(void **state)
{
	static const char policy[] = "{\"bindings\":[{\"role\":"
	    "\"roles/custom\\u001b[31mRed\\u009b\","
	    "\"members\":[\"allUsers\"]}]}";
	cJSON *p;
	char why[512];

	(void)state;
	assert_non_null(p = cJSON_Parse(policy));
	assert_int_equal(svcagent_policy(p, "serviceAccount:a@b", why,
	    sizeof(why)), SVCAGENT_UNKNOWN);
	assert_printable(why, strlen(why));
	assert_non_null(strstr(why, "roles/custom?[31mRed??"));
	cJSON_Delete(p);
}

static void
shell_quote(void **state)
{
	char buf[128];

	(void)state;
	assert_int_equal(san_shell_quote("user:a@b.com", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "user:a@b.com");
	assert_int_equal(san_shell_quote("a;b'c", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "'a;b'\\''c'");
	assert_int_equal(san_shell_quote("", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "''");
	assert_int_equal(san_shell_quote("$(x)", buf, 6), -1);
	assert_int_equal(san_shell_quote("$(x)", buf, 7), 0);
	assert_string_equal(buf, "'$(x)'");
}

static void
json_utf8(void **state)
{
	cJSON *o;
	char *s;

	(void)state;
	assert_true(san_utf8_valid("h\xc3\xa9", 3));
	assert_false(san_utf8_valid("\xff", 1));
	assert_false(san_utf8_valid("\xc0\xaf", 2));		/* overlong */
	assert_false(san_utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "k\xfe", cJSON_CreateString("a\xff" "b\xc3"));
	cJSON_AddItemToObject(o, "ok", cJSON_CreateString("\xc3\xa9"));
	assert_int_equal(san_json_utf8(o), 0);
	assert_non_null(s = cJSON_PrintUnformatted(o));
	assert_string_equal(s, "{\"k\xef\xbf\xbd\":\"a\xef\xbf\xbd" "b"
	    "\xef\xbf\xbd\",\"ok\":\"\xc3\xa9\"}");
	cJSON_free(s);
	cJSON_Delete(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shown_replaces),
		cmocka_unit_test(audit_text_is_printable),
		cmocka_unit_test(agent_reason_is_printable),
		cmocka_unit_test(shell_quote),
		cmocka_unit_test(json_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
