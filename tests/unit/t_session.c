/*
 * t_session.c - the credentials session (session.h): the process is not
 * dumpable once a session is opened, whether or not a token came; the
 * token is there while it is open and gone after session_close().
 */
#include <sys/prctl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/ar.h"
#include "auth/session.h"

static char	cfg[] = "/tmp/t_session.XXXXXX";

/*
 * A token from another universe is refused before token.c's own guard:
 * the session's guard is the one that holds.
 */
static void
test_no_token(void **state)
{
	struct deploy_args a;
	struct session s;
	struct props p;
	char err[256] = "";

	(void)state;
	memset(&a, 0, sizeof(a));
	props_init(&p);
	assert_int_equal(props_flag(&p, "core/universe_domain",
	    "example.com"), 0);
	assert_int_equal(prctl(PR_GET_DUMPABLE), 1);
	assert_int_equal(session_open(&s, &p, &a, NULL, 5000, err,
	    sizeof(err)), -1);
	assert_true(err[0] != '\0');
	assert_int_equal(s.have_token, 0);
	assert_int_equal(prctl(PR_GET_DUMPABLE), 0);
	session_close(&s);
	assert_null(s.token.value);
	props_free(&p);
}

static void
test_token(void **state)
{
	struct deploy_args a;
	struct session s;
	struct props p;
	char err[256] = "";
	long left;

	(void)state;
	memset(&a, 0, sizeof(a));
	props_init(&p);
	setenv("CLOUDSDK_AUTH_ACCESS_TOKEN", "ya29.t-session", 1);
	assert_int_equal(session_open(&s, &p, &a, NULL, 5000, err,
	    sizeof(err)), 0);
	unsetenv("CLOUDSDK_AUTH_ACCESS_TOKEN");
	assert_int_equal(s.have_token, 1);
	assert_string_equal(s.token.value, "ya29.t-session");
	assert_string_equal(s.settings.endpoint, AR_ENDPOINT);
	left = session_left(&s);
	assert_true(left > 0 && left <= 5000);
	session_close(&s);
	assert_int_equal(s.have_token, 0);
	assert_null(s.token.value);
	assert_int_equal(s.settings.proxy[0], '\0');
	props_free(&p);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(cfg) == NULL)
		return -1;
	setenv("CLOUDSDK_CONFIG", cfg, 1);	/* no stored credentials */
	unsetenv("CLOUDSDK_AUTH_ACCESS_TOKEN");
	unsetenv("CLOUDSDK_CORE_ACCOUNT");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rmdir(cfg);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* first: still dumpable */
		cmocka_unit_test(test_no_token),
		cmocka_unit_test(test_token),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
