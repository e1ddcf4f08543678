/*
 * fuzz_cli.c - libFuzzer harness for cli_parse(), the command-line model.
 * Built and run by `make fuzz`; by hand:
 *
 *	make fuzz-build && build-fuzz/fuzz_cli -max_total_time=60 \
 *	    build-fuzz/corpus/cli tests/fuzz/corpus/cli </dev/null
 *
 * The input is split on NUL into argv[1..] (argv[0] is the program) and
 * parsed in deploy mode and in wrapper mode.  Flags-file names are kept
 * inside a private directory (a '/' in one becomes '_'), where "f" and "g"
 * are small flags files carrying --image; stdin is /dev/null.
 *
 * Besides memory errors and leaks it checks what cli.h promises:
 *  - a bad shim option is CLI_USAGE, a bad flags file CLI_BADINPUT, both
 *    with a message; nothing else fails;
 *  - fwd is argv minus the shim options before "--" (every --preflight*
 *    option; --freshness when it is audit's), in order, the same
 *    pointers, preceded by "run" "deploy" in deploy mode, NULL after;
 *  - every image, container name and flag value points into an argv word
 *    or into a word of the expansion;
 *  - check implies a command; skip explains a 0 check;
 *  - unknown flags are words of the input; an unsure service name comes
 *    with at least one.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv/cli.h"
#include "argv/flagsfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) { fprintf(stderr, "%s\n", #x); \
			    abort(); } } while (0)
#define MAXARGS		4096

static void
writefile(const char *name, const char *text)
{
	FILE *fp;

	CHECK((fp = fopen(name, "w")) != NULL);
	fputs(text, fp);
	CHECK(fclose(fp) == 0);
}

static void
setup(void)
{
	static int done;
	char tmpl[] = "/tmp/fuzz_cli.XXXXXX";
	int fd;

	if (done++)
		return;
	CHECK(mkdtemp(tmpl) != NULL);
	CHECK(chdir(tmpl) == 0);
	writefile("f", "--image: us-docker.pkg.dev/p/r/f:1\n--region: x\n");
	writefile("g", "- --container: a\n  --image: gcr.io/p/g\n"
	    "- --container: b\n  --flags-file: f\n");
	CHECK((fd = open("/dev/null", O_RDONLY)) >= 0);
	CHECK(dup2(fd, 0) == 0);
	close(fd);
}

/* Keep flags files inside the private directory. */
static void
confine(char **v, int n)
{
	char *p;
	int i;

	for (i = 0; i < n; i++) {
		p = NULL;
		if (strncmp(v[i], "--flags-file=", 13) == 0)
			p = v[i] + 13;
		else if (strcmp(v[i], "--flags-file") == 0 && i + 1 < n)
			p = v[i + 1];
		for (; p != NULL && *p != '\0'; p++)
			if (*p == '/')
				*p = '_';
	}
}

static int
split(char *buf, size_t size, char **v)
{
	size_t i, start = 0;
	int n = 0;

	v[n++] = "gcloud-run-deploy";
	for (i = 0; i <= size && n < MAXARGS - 1; i++)
		if (i == size || buf[i] == '\0') {
			buf[i] = '\0';
			v[n++] = buf + start;
			start = i + 1;
		}
	v[n] = NULL;
	return n;
}

static int
isopt(const char *w, const char *name)
{
	size_t n = strlen(name);

	return strncmp(w, name, n) == 0 && (w[n] == '\0' || w[n] == '=');
}

/* A pointer into one of the words, or NULL. */
static int
inside(const char *p, char **v, int n)
{
	int i;

	if (p == NULL)
		return 1;
	for (i = 0; i < n; i++)
		if (p >= v[i] && p <= v[i] + strlen(v[i]))
			return 1;
	return 0;
}

static int
pointsok(const char *p, char **argv, int argc, const struct deploy_args *a)
{
	return inside(p, argv, argc) || inside(p, a->words, a->nwords);
}

static void
check_fwd(const struct deploy_args *a, char **argv, int argc,
    enum cli_mode mode)
{
	int i, j = 0, dashdash = 0;

	if (mode == CLI_DEPLOY) {
		CHECK(a->nfwd >= 2);
		CHECK(strcmp(a->fwd[0], "run") == 0);
		CHECK(strcmp(a->fwd[1], "deploy") == 0);
		j = 2;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			dashdash = 1;
		if (!dashdash && (isopt(argv[i], "--preflight") ||
		    isopt(argv[i], "--preflight-format") ||
		    isopt(argv[i], "--preflight-report") ||
		    isopt(argv[i], "--preflight-service-agent")))
			continue;
		/* the shim's only in audit mode, a gcloud flag otherwise */
		if (!dashdash && isopt(argv[i], "--freshness") &&
		    (j >= a->nfwd || a->fwd[j] != argv[i]))
			continue;
		CHECK(j < a->nfwd && a->fwd[j] == argv[i]);
		j++;
	}
	CHECK(j == a->nfwd && a->fwd[j] == NULL);
}

static void
check_ok(const struct deploy_args *a, char **argv, int argc,
    enum cli_mode mode)
{
	size_t i;

	check_fwd(a, argv, argc, mode);
	CHECK(a->words != NULL && a->words[a->nwords] == NULL);
	CHECK(a->check == 0 || a->command != NULL);
	CHECK(a->check == 1 || a->skip != NULL);
	CHECK(a->nimages == 0 || a->images != NULL);
	for (i = 0; i < a->nimages; i++) {
		CHECK(a->images[i].image != NULL || a->images[i].source);
		CHECK(a->images[i].image == NULL ||
		    pointsok(a->images[i].image, argv, argc, a));
		CHECK(pointsok(a->images[i].container, argv, argc, a));
	}
	CHECK(pointsok(a->service, argv, argc, a));
	CHECK(pointsok(a->account, argv, argc, a));
	CHECK(pointsok(a->project, argv, argc, a));
	CHECK(pointsok(a->region, argv, argc, a));
	CHECK(pointsok(a->platform, argv, argc, a));
	CHECK(pointsok(a->impersonate, argv, argc, a));
	CHECK(a->mode >= -1 && a->format >= -1);
	/* issue 11: unknown flags are words; an unsure name has a cause */
	for (i = 0; i < a->nunknown; i++)
		CHECK(pointsok(a->unknown[i], argv, argc, a) &&
		    a->unknown[i][0] == '-');
	CHECK(a->service_unsure == NULL || a->nunknown > 0);
	CHECK(a->remove_containers == NULL ||
	    strlen(a->remove_containers) < 1 << 30);
}

static void
one(char **argv, int argc, enum cli_mode mode)
{
	struct deploy_args a;
	enum cli_status st;
	char err[512];

	err[0] = '\0';
	st = cli_parse(argc, argv, mode, &a, err, sizeof(err));
	CHECK(st == CLI_OK || st == CLI_USAGE || st == CLI_BADINPUT);
	if (st == CLI_OK)
		check_ok(&a, argv, argc, mode);
	else
		CHECK(err[0] != '\0');
	cli_free(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *argv[MAXARGS];
	char *buf;
	int argc;

	setup();
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	argc = split(buf, size, argv);
	confine(argv, argc);
	one(argv, argc, CLI_DEPLOY);
	argv[0] = "gcloud";
	one(argv, argc, CLI_WRAPPER);
	free(buf);
	return 0;
}
