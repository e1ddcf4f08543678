/*
 * t_env.c - the preflight mode, read by one rule: the command line's
 * --preflight=, else GCLOUD_RUN_DEPLOY_PREFLIGHT, else enforce; and the
 * messages that list the mode words, which the mode table now writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "argv/cli.h"
#include "gcloud/env.h"

#define ENV	"GCLOUD_RUN_DEPLOY_PREFLIGHT"

static void
test_mode_rule(void **state)
{
	(void)state;
	unsetenv(ENV);
	assert_int_equal(env_mode(-1), PREFLIGHT_ENFORCE);
	assert_int_equal(env_mode(PREFLIGHT_PLAN), PREFLIGHT_PLAN);
	setenv(ENV, "", 1);
	assert_int_equal(env_mode(-1), PREFLIGHT_ENFORCE);
	setenv(ENV, "audit", 1);
	assert_int_equal(env_mode(-1), PREFLIGHT_AUDIT);
	assert_int_equal(env_mode(PREFLIGHT_WARN), PREFLIGHT_WARN);
	setenv(ENV, "Audit", 1);
	assert_int_equal(env_mode(-1), -1);
	assert_int_equal(env_mode(PREFLIGHT_OFF), PREFLIGHT_OFF);
	unsetenv(ENV);
}

static void
test_messages(void **state)
{
	char *argv[] = { "gcloud-run-deploy", "--preflight=bogus", "svc",
	    "--image=i", NULL };
	struct deploy_args a;
	struct env c;
	char err[256];

	(void)state;
	setenv(ENV, "zzz", 1);
	assert_int_equal(env_load(&c, err, sizeof(err)), -1);
	assert_string_equal(err, ENV ": unknown mode 'zzz' (enforce, warn, "
	    "only, plan, off, audit)");
	setenv(ENV, "plan", 1);
	assert_int_equal(env_load(&c, err, sizeof(err)), 0);
	assert_int_equal(c.mode, PREFLIGHT_PLAN);
	unsetenv(ENV);
	assert_int_equal(env_load(&c, err, sizeof(err)), 0);
	assert_int_equal(c.mode, PREFLIGHT_ENFORCE);
	assert_int_equal(cli_parse(4, argv, CLI_DEPLOY, &a, err,
	    sizeof(err)), CLI_USAGE);
	assert_string_equal(err, "--preflight: expected "
	    "--preflight=enforce|warn|only|plan|off|audit");
	cli_free(&a);
}

/* --freshness is the shim's only in audit mode, by the same rule. */
static int
freshness_taken(const char *env, char *word)
{
	char *argv[] = { "gcloud-run-deploy", "--freshness=1d", word, NULL };
	struct deploy_args a;
	char err[256];
	int taken;

	if (env != NULL)
		setenv(ENV, env, 1);
	else
		unsetenv(ENV);
	assert_int_equal(cli_parse(word != NULL ? 3 : 2, argv, CLI_DEPLOY,
	    &a, err, sizeof(err)), CLI_OK);
	taken = a.freshness != NULL;
	cli_free(&a);
	unsetenv(ENV);
	return taken;
}

static void
test_audit_freshness(void **state)
{
	(void)state;
	assert_int_equal(freshness_taken(NULL, NULL), 0);
	assert_int_equal(freshness_taken("audit", NULL), 1);
	assert_int_equal(freshness_taken(NULL, "--preflight=audit"), 1);
	assert_int_equal(freshness_taken("audit", "--preflight=warn"), 0);
	assert_int_equal(freshness_taken("warn", "--preflight=audit"), 1);
	/* an unknown word is no mode: the environment's stands */
	assert_int_equal(freshness_taken("audit", "--preflight-x"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_rule),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_audit_freshness),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
