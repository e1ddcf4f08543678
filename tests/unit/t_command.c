/*
 * t_command.c - the typed command: every row of the command table has
 * one, it says the row's words back, and cli_parse() sets it from the
 * row it matched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "argv/cli.h"
#include "argv/flagtab.h"

/* The row's words again, from the typed form alone. */
static void
words(const struct cli_command *c, char *buf, size_t len)
{
	static const char *const track[] = { "", "beta ", "alpha " };
	static const char *const kind[] = { "services ", "jobs ",
	    "worker-pools ", "multi-region-services ", "workers " };
	static const char *const verb[] = { "deploy", "create", "update",
	    "replace" };

	snprintf(buf, len, "%srun %s%s", track[c->track],
	    c->kind == CLI_SERVICE && c->verb == CLI_VERB_DEPLOY ? "" :
	    kind[c->kind], verb[c->verb]);
}

static void
test_every_row(void **state)
{
	const struct flagcmd *f;
	struct cli_command c;
	char buf[128];
	size_t n = 0;

	(void)state;
	for (f = flagtab_commands; f->command != NULL; f++, n++) {
		if (cli_command_type(f->command, &c) != 0)
			fail_msg("no typed form for '%s'", f->command);
		words(&c, buf, sizeof(buf));
		assert_string_equal(buf, f->command);
	}
	assert_true(n >= 30);
}

static void
test_not_rows(void **state)
{
	const char *bad[] = { "", "run", "run services", "gamma run deploy",
	    "beta run jobs", "run jobs deploy now", "run jobs  deploy",
	    "beta  run deploy", "run jobsdeploy", "run execute", "deploy",
	    "run deploy " };
	struct cli_command c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cli_command_type(bad[i], &c) == 0)
			fail_msg("'%s' typed as a command", bad[i]);
}

static void
parsed(int wrapper, char **argv, enum cli_track t, enum cli_kind k,
    enum cli_verb v)
{
	struct deploy_args a;
	char err[256];
	int argc;

	for (argc = 0; argv[argc] != NULL; argc++)
		;
	assert_int_equal(cli_parse(argc, argv, wrapper ? CLI_WRAPPER :
	    CLI_DEPLOY, &a, err, sizeof(err)), CLI_OK);
	assert_non_null(a.command);
	assert_int_equal(a.cmd.track, t);
	assert_int_equal(a.cmd.kind, k);
	assert_int_equal(a.cmd.verb, v);
	cli_free(&a);
}

static void
test_parse_sets_it(void **state)
{
	char *deploy[] = { "gcloud-run-deploy", "svc", "--image=i", NULL };
	char *jobs[] = { "gcloud", "--project=p", "beta", "run", "jobs",
	    "--region", "r", "replace", "job.yaml", NULL };
	char *pools[] = { "gcloud", "alpha", "run", "worker-pools", "update",
	    "wp", "--image=i", NULL };
	char *multi[] = { "gcloud", "beta", "run", "multi-region-services",
	    "update", "m", "--image=i", NULL };
	char *create[] = { "gcloud", "run", "jobs", "create", "j",
	    "--image=i", NULL };

	(void)state;
	parsed(0, deploy, CLI_GA, CLI_SERVICE, CLI_VERB_DEPLOY);
	parsed(1, jobs, CLI_BETA, CLI_JOB, CLI_VERB_REPLACE);
	parsed(1, pools, CLI_ALPHA, CLI_WORKER_POOL, CLI_VERB_UPDATE);
	parsed(1, multi, CLI_BETA, CLI_MULTI_REGION_SERVICE,
	    CLI_VERB_UPDATE);
	parsed(1, create, CLI_GA, CLI_JOB, CLI_VERB_CREATE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row),
		cmocka_unit_test(test_not_rows),
		cmocka_unit_test(test_parse_sets_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
