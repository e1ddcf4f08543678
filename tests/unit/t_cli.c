/*
 * t_cli.c - the command-line model: many spellings of gcloud command lines,
 * each with the command, service, images and skip reason it must yield.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "argv/cli.h"
#include "argv/flagtab.h"
#include "gcloud/env.h"

#define MAXW	24

struct row {
	const char	*name;
	int		 wrapper;
	const char	*argv[MAXW];	/* after argv[0], NULL-terminated */
	const char	*command;	/* NULL: not a checked command */
	const char	*service;
	/* "container=image;..." ("-" no name) */
	const char	*images;
	int		 check;
};

static const struct row rows[] = {
	{ "eq form", 0, { "svc", "--image=us-docker.pkg.dev/p/r/i", NULL },
	    "run deploy", "svc", "-=us-docker.pkg.dev/p/r/i", 1 },
	{ "space form", 0, { "svc", "--image", "a/b:1", NULL },
	    "run deploy", "svc", "-=a/b:1", 1 },
	{ "last wins", 0, { "--image", "x", "svc", "--image=y", NULL },
	    "run deploy", "svc", "-=y", 1 },
	{ "no service", 0, { "--image", "x", "--region", "r", NULL },
	    "run deploy", NULL, "-=x", 1 },
	{ "service after flags", 0,
	    { "--region", "us-central1", "--memory", "1Gi", "svc",
	    "--image", "x", NULL }, "run deploy", "svc", "-=x", 1 },
	{ "service named run", 0, { "run", "--image=x", NULL },
	    "run deploy", "run", "-=x", 1 },
	{ "service named deploy", 0, { "deploy", "--image=x", NULL },
	    "run deploy", "deploy", "-=x", 1 },
	{ "negative number value", 0,
	    { "svc", "--max-instances", "-1", "--image", "x", NULL },
	    "run deploy", "svc", "-=x", 1 },
	{ "double dash ends flags", 0, { "svc", "--", "--image=x", NULL },
	    "run deploy", "svc", "", 1 },
	{ "double dash then service", 0, { "--image=x", "--", "svc", NULL },
	    "run deploy", "svc", "-=x", 1 },
	{ "no abbreviations", 0, { "svc", "--imag=x", NULL },
	    "run deploy", "svc", "", 1 },
	{ "missing value at end", 0, { "svc", "--image", NULL },
	    "run deploy", "svc", "", 1 },
	{ "value that is a flag", 0, { "svc", "--image", "--region=r", NULL },
	    "run deploy", "svc", "", 1 },
	{ "empty value", 0, { "svc", "--image=", NULL },
	    "run deploy", "svc", "-=", 1 },
	{ "empty word value", 0, { "svc", "--image", "", NULL },
	    "run deploy", "svc", "-=", 1 },
	{ "dash value", 0, { "svc", "--image", "-", NULL },
	    "run deploy", "svc", "-=-", 1 },
	{ "sidecars", 0, { "svc", "--container", "app", "--image", "a",
	    "--container=side", "--image=b", NULL },
	    "run deploy", "svc", "app=a;side=b", 1 },
	{ "scope resumes", 0, { "svc", "--container", "a", "--image", "x",
	    "--container", "b", "--image", "y", "--container", "a",
	    "--image", "z", NULL }, "run deploy", "svc", "a=z;b=y", 1 },
	{ "container name like a flag", 0, { "svc", "--container",
	    "--image", "--image", "x", NULL }, "run deploy", "svc",
	    "--image=x", 1 },
	{ "source", 0, { "svc", "--source", ".", NULL },
	    "run deploy", "svc", "", 0 },
	{ "source with image", 0, { "svc", "--source=.", "--image=x", NULL },
	    "run deploy", "svc", "-=x", 0 },
	{ "source in one container only", 0, { "svc", "--container", "app",
	    "--source", ".", "--container", "side", "--image", "s", NULL },
	    "run deploy", "svc", "app=(source);side=s", 1 },
	{ "source and image in one container", 0, { "svc", "--container",
	    "app", "--image", "dest", "--source=.", "--container=side",
	    "--image=s", NULL }, "run deploy", "svc",
	    "app=dest(source);side=s", 1 },
	/* issue 11, defect 3: with --image, gcloud deploys that image */
	{ "function with image", 0, { "svc", "--function=f", "--image=x",
	    NULL }, "run deploy", "svc", "-=x", 1 },
	{ "function without image", 0, { "svc", "--function", "f", NULL },
	    "run deploy", "svc", "", 0 },
	{ "function in a scope with image", 0, { "svc", "--container=a",
	    "--function=f", "--image=x", "--container=b", "--image=y", NULL },
	    "run deploy", "svc", "a=x;b=y", 1 },
	{ "function in a scope without image", 0, { "svc", "--container=a",
	    "--function=f", "--container=b", "--image=y", NULL },
	    "run deploy", "svc", "b=y", 1 },
	/* issue 11, defect 1: argparse matches a known flag first */
	{ "known flag value with a space", 0, {
	    "--set-env-vars=GREETING=hello world", "api", "--image=i", NULL },
	    "run deploy", "api", "-=i", 1 },
	{ "image with a trailing space", 0, { "api", "--image=i ", NULL },
	    "run deploy", "api", "-=i ", 1 },
	{ "unknown word with a space", 0, { "--no-such x", "--image=i",
	    NULL }, "run deploy", "--no-such x", "-=i", 1 },
	{ "dash value with a space", 0, { "--set-env-vars", "-x y", "svc",
	    "--image", "i", NULL }, "run deploy", "svc", "-=i", 1 },
	{ "short flag with text attached", 0, { "--description", "-q x",
	    "svc", "--image", "i", NULL }, "run deploy", "svc", "-=i", 1 },
	{ "no short flag with text attached", 0, { "svc", "-qh", "--image",
	    "i", NULL }, "run deploy", "svc", "-=i", 1 },
	{ "negative number with newline", 0, { "--max-instances", "-1\n",
	    "svc", "--image=i", NULL }, "run deploy", "svc", "-=i", 1 },
	{ "wrapper global flag value with a space", 1,
	    { "--format=value(status.url, status.latestReadyRevisionName)",
	    "run", "deploy", "api", "--image=i", NULL }, "run deploy", "api",
	    "-=i", 1 },
	{ "wrapper unknown word with a space first", 1, { "--x y", "run",
	    "deploy", "api", "--image=i", NULL }, NULL, NULL, "", 0 },
	{ "wrapper group flag between command words", 1, { "run",
	    "services", "--platform", "gke", "update", "svc", "--image=x",
	    NULL }, "run services update", "svc", "-=x", 0 },
	/* issue 11, defect 8: a newer gcloud's global flag and its value */
	{ "wrapper unknown flag with a value first", 1, { "--future", "x",
	    "run", "deploy", "api", "--image=i", NULL }, "run deploy", "api",
	    "-=i", 1 },
	{ "platform gke", 0, { "svc", "--platform=gke", "--image=x", NULL },
	    "run deploy", "svc", "-=x", 0 },
	{ "platform kubernetes", 0, { "svc", "--platform", "kubernetes",
	    "--image=x", NULL }, "run deploy", "svc", "-=x", 0 },
	{ "platform managed", 0, { "svc", "--platform", "managed",
	    "--image=x", NULL }, "run deploy", "svc", "-=x", 1 },
	{ "help", 0, { "svc", "--help", NULL }, "run deploy", "svc", "", 0 },
	{ "wrapper", 1, { "run", "deploy", "svc", "--image=x", NULL },
	    "run deploy", "svc", "-=x", 1 },
	{ "wrapper beta", 1, { "beta", "run", "deploy", "svc", "--image=x",
	    NULL }, "beta run deploy", "svc", "-=x", 1 },
	{ "wrapper alpha", 1, { "alpha", "run", "deploy", "--image=x", NULL },
	    "alpha run deploy", NULL, "-=x", 1 },
	{ "wrapper global flags first", 1, { "--project", "p", "-q",
	    "--account=a@b.c", "run", "deploy", "svc", "--image", "x", NULL },
	    "run deploy", "svc", "-=x", 1 },
	{ "wrapper global flags between", 1, { "run", "--project", "p",
	    "deploy", "--verbosity", "debug", "svc", "--image", "x", NULL },
	    "run deploy", "svc", "-=x", 1 },
	{ "wrapper flag value like a command", 1, { "--project", "run", "run",
	    "deploy", "s", "--image", "x", NULL }, "run deploy", "s",
	    "-=x", 1 },
	{ "wrapper leaf flag before command", 1, { "run", "--image=x",
	    "deploy", "svc", NULL }, "run deploy", "svc", "", 1 },
	{ "wrapper jobs deploy", 1, { "run", "jobs", "deploy", "job",
	    "--image", "x", NULL }, "run jobs deploy", "job", "-=x", 1 },
	{ "wrapper services update", 1, { "beta", "run", "services", "update",
	    "svc", "--image=x", NULL }, "beta run services update", "svc",
	    "-=x", 1 },
	{ "wrapper not a deploy", 1, { "run", "services", "list", NULL },
	    NULL, NULL, "", 0 },
	{ "wrapper config set", 1, { "config", "set", "run/region", "x",
	    NULL }, NULL, NULL, "", 0 },
	{ "wrapper GA has no worker-pools", 1, { "run", "worker-pools",
	    "deploy", "w", "--image=x", NULL }, NULL, NULL, "", 0 },
	{ "wrapper beta worker-pools", 1, { "beta", "run", "worker-pools",
	    "deploy", "w", "--image=x", NULL }, "beta run worker-pools deploy",
	    "w", "-=x", 1 },
	{ "wrapper alpha workers", 1, { "alpha", "run", "workers", "deploy",
	    "w", "--image=x", NULL }, "alpha run workers deploy", "w",
	    "-=x", 1 },
	{ "wrapper compose up is not checked", 1, { "alpha", "run", "compose",
	    "up", NULL }, NULL, NULL, "", 0 },
	{ "wrapper empty", 1, { NULL }, NULL, NULL, "", 0 },
	{ "wrapper dash dash first", 1, { "--", "run", "deploy", NULL },
	    NULL, NULL, "", 0 },
	{ "wrapper version", 1, { "--version", NULL }, NULL, NULL, "", 0 },
};

static void
images_str(const struct deploy_args *a, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < a->nimages; i++) {
		if (i > 0)
			strlcat(buf, ";", len);
		strlcat(buf, a->images[i].container ? a->images[i].container :
		    "-", len);
		strlcat(buf, "=", len);
		strlcat(buf, a->images[i].image ? a->images[i].image : "", len);
		if (a->images[i].source)
			strlcat(buf, "(source)", len);
	}
}

static void
test_row(void **state)
{
	const struct row *r = *state;
	char *argv[MAXW + 1], err[256], got[512];
	struct deploy_args a;
	int argc;

	{
		argv[0] = (char *)(r->wrapper ? "/x/gcloud" :
		    "gcloud-run-deploy");
		for (argc = 1; r->argv[argc - 1] != NULL; argc++)
			argv[argc] = (char *)r->argv[argc - 1];
		argv[argc] = NULL;
		assert_int_equal(cli_parse(argc, argv, r->wrapper ?
		    CLI_WRAPPER : CLI_DEPLOY, &a, err, sizeof(err)), CLI_OK);
		if (r->command == NULL)
			assert_null(a.command);
		else
			assert_string_equal(a.command, r->command);
		if (r->service == NULL)
			assert_null(a.service);
		else
			assert_string_equal(a.service, r->service);
		images_str(&a, got, sizeof(got));
		assert_string_equal(got, r->images);
		assert_int_equal(a.check, r->check);
		if (!r->check)
			assert_non_null(a.skip);
		cli_free(&a);
	}
}

/* The forwarded words are the very pointers of argv, in order. */
static void
test_forward_identity(void **state)
{
	char *argv[] = { "gcloud-run-deploy", "--preflight=warn", "s v c",
	    "--image=x\ny", "", "\xff\xfe", "--preflight-format=json", "--",
	    "--preflight=plan", NULL };
	struct deploy_args a;
	char err[256];

	(void)state;
	assert_int_equal(cli_parse(9, argv, CLI_DEPLOY, &a, err, sizeof(err)),
	    CLI_OK);
	assert_int_equal(a.nfwd, 8);
	assert_string_equal(a.fwd[0], "run");
	assert_string_equal(a.fwd[1], "deploy");
	assert_ptr_equal(a.fwd[2], argv[2]);
	assert_ptr_equal(a.fwd[3], argv[3]);
	assert_ptr_equal(a.fwd[4], argv[4]);
	assert_ptr_equal(a.fwd[5], argv[5]);
	assert_ptr_equal(a.fwd[6], argv[7]);
	assert_ptr_equal(a.fwd[7], argv[8]);	/* after "--": gcloud's */
	assert_null(a.fwd[8]);
	assert_int_equal(a.mode, PREFLIGHT_WARN);
	assert_int_equal(a.format, FORMAT_JSON);
	cli_free(&a);
}

static void
test_shim_options_bad(void **state)
{
	const char *bad[] = { "--preflight", "--preflight=", "--preflight=no",
	    "--preflight-format=yaml", "--preflight-format" };
	char *argv[3], err[256];
	struct deploy_args a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		argv[0] = "gcloud-run-deploy";
		argv[1] = (char *)bad[i];
		argv[2] = NULL;
		assert_int_equal(cli_parse(2, argv, CLI_DEPLOY, &a, err,
		    sizeof(err)), CLI_USAGE);
		assert_non_null(strstr(err, "--preflight"));
		cli_free(&a);
	}
}

static void
test_identity_flags(void **state)
{
	char *argv[] = { "gcloud", "--account=u@example.com",
	    "--impersonate-service-account", "a@p.iam.gserviceaccount.com,"
	    "b@p.iam.gserviceaccount.com", "run", "deploy", "svc",
	    "--configuration", "ci", "--access-token-file=/t",
	    "--billing-project", "bp", "--project=p", "--region",
	    "europe-west1", "--image", "x", NULL };
	struct deploy_args a;
	char err[256];

	(void)state;
	assert_int_equal(cli_parse(17, argv, CLI_WRAPPER, &a, err,
	    sizeof(err)), CLI_OK);
	assert_string_equal(a.account, "u@example.com");
	assert_string_equal(a.impersonate, argv[3]);
	assert_string_equal(a.configuration, "ci");
	assert_string_equal(a.access_token_file, "/t");
	assert_string_equal(a.billing_project, "bp");
	assert_string_equal(a.project, "p");
	assert_string_equal(a.region, "europe-west1");
	assert_string_equal(a.service, "svc");
	cli_free(&a);
}

/* A group's own flag between command words is read, and not unknown. */
static void
test_group_flags(void **state)
{
	char *argv[] = { "gcloud", "beta", "run", "jobs", "--region",
	    "europe-west1", "deploy", "job", "--image", "x", NULL };
	struct deploy_args a;
	char err[256];

	(void)state;
	assert_int_equal(cli_parse(10, argv, CLI_WRAPPER, &a, err,
	    sizeof(err)), CLI_OK);
	assert_string_equal(a.command, "beta run jobs deploy");
	assert_string_equal(a.region, "europe-west1");
	assert_string_equal(a.service, "job");
	assert_int_equal(a.nunknown, 0);
	cli_free(&a);
}

/* Eleven containers: none is dropped. */
static void
test_many_containers(void **state)
{
	char *argv[64], names[11][16], imgs[11][16], err[256];
	struct deploy_args a;
	int argc = 0, i;

	(void)state;
	argv[argc++] = "gcloud-run-deploy";
	argv[argc++] = "svc";
	for (i = 0; i < 11; i++) {
		snprintf(names[i], sizeof(names[i]), "c%d", i);
		snprintf(imgs[i], sizeof(imgs[i]), "i%d", i);
		argv[argc++] = "--container";
		argv[argc++] = names[i];
		argv[argc++] = "--image";
		argv[argc++] = imgs[i];
	}
	argv[argc] = NULL;
	assert_int_equal(cli_parse(argc, argv, CLI_DEPLOY, &a, err,
	    sizeof(err)), CLI_OK);
	assert_int_equal(a.nimages, 11);
	assert_int_equal(a.ncontainers, 11);
	assert_string_equal(a.images[10].container, "c10");
	assert_string_equal(a.images[10].image, "i10");
	cli_free(&a);
}

/* Defect 2: --remove-containers accumulates, from a flags file too. */
static void
test_remove_accumulates(void **state)
{
	char path[] = "/tmp/t_cli_ffXXXXXX", ff[64], err[256];
	char *argv[] = { "gcloud-run-deploy", "svc", "--remove-containers=a",
	    "--remove-containers", "b,c", ff, "--remove-containers=^:^e:f",
	    NULL };
	struct deploy_args a;
	FILE *fp;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	fputs("--remove-containers: [d, x.y]\n", fp);
	fclose(fp);
	snprintf(ff, sizeof(ff), "--flags-file=%s", path);
	assert_int_equal(cli_parse(7, argv, CLI_DEPLOY, &a, err, sizeof(err)),
	    CLI_OK);
	unlink(path);
	assert_string_equal(a.remove_containers, "a,b,c,d,x.y,e,f");
	cli_free(&a);
}

/*
 * Every flag whose last value the model keeps must not accumulate in any
 * command's table, and --remove-containers must: if a new SDK changes
 * that, the model must change with it.
 */
static void
test_table_accumulation(void **state)
{
	const char *last[] = { "--image", "--source", "--function",
	    "--container", "--account", "--impersonate-service-account",
	    "--configuration", "--access-token-file",
	    "--credential-file-override", "--project", "--billing-project",
	    "--region", "--platform", "--flags-file" };
	const struct flagcmd *c;
	const struct flagspec *f;
	size_t i, nrm = 0;

	(void)state;
	for (c = flagtab_commands; c->command != NULL; c++) {
		for (i = 0; i < sizeof(last) / sizeof(last[0]); i++) {
			f = flagtab_find(c, last[i], strlen(last[i]));
			if (f != NULL && f->accum)
				fail_msg("%s %s accumulates", c->command,
				    last[i]);
		}
		f = flagtab_find(c, "--remove-containers", 19);
		if (f != NULL) {
			assert_int_equal(f->accum, 1);
			nrm++;
		}
	}
	assert_true(nrm > 10);
}

/* Defect 8: an unknown flag before the service name makes it unsure. */
static void
test_unknown_flags(void **state)
{
	char *unsure[] = { "gcloud-run-deploy", "--future-flag", "foo", "svc",
	    "--image=i", NULL };
	char *sure[] = { "gcloud-run-deploy", "svc", "--future-flag", "foo",
	    "--future-eq=x", "--image=i", NULL };
	struct deploy_args a;
	char err[256];

	(void)state;
	assert_int_equal(cli_parse(5, unsure, CLI_DEPLOY, &a, err,
	    sizeof(err)), CLI_OK);
	assert_int_equal(a.nunknown, 1);
	assert_string_equal(a.unknown[0], "--future-flag");
	assert_non_null(a.service_unsure);
	assert_non_null(strstr(a.service_unsure, "'foo'"));
	cli_free(&a);
	assert_int_equal(cli_parse(6, sure, CLI_DEPLOY, &a, err, sizeof(err)),
	    CLI_OK);
	assert_int_equal(a.nunknown, 2);
	assert_string_equal(a.service, "svc");
	assert_null(a.service_unsure);
	cli_free(&a);
}

#define NROWS	(sizeof(rows) / sizeof(rows[0]))

int
main(void)
{
	struct CMUnitTest tests[NROWS + 8];
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_group_flags),
		cmocka_unit_test(test_remove_accumulates),
		cmocka_unit_test(test_table_accumulation),
		cmocka_unit_test(test_unknown_flags),
		cmocka_unit_test(test_forward_identity),
		cmocka_unit_test(test_shim_options_bad),
		cmocka_unit_test(test_identity_flags),
		cmocka_unit_test(test_many_containers),
	};
	size_t i;

	for (i = 0; i < NROWS; i++) {
		struct CMUnitTest t = cmocka_unit_test_prestate(test_row,
		    (void *)&rows[i]);

		t.name = rows[i].name;
		tests[i] = t;
	}
	for (i = 0; i < 8; i++)
		tests[NROWS + i] = fixed[i];
	return _cmocka_run_group_tests("cli", tests, NROWS + 8, NULL, NULL);
}
