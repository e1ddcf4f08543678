/*
 * t_flagsfile.c - --flags-file expansion: each row writes its files in a
 * fresh directory, expands a command line and compares the words (entry
 * words "|K=V", structured values "S:JSON") or the error.  Then cli_parse
 * over the fixtures in tests/fixtures/flagsfile, and "-" as stdin in a
 * child process.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "argv/cli.h"
#include "argv/flagsfile.h"

struct row {
	const char	*name;
	const char	*files[8];	/* name, content, ... */
	const char	*argv[8];
	const char	*want;		/* words, or "ERR:" message */
};

#define BOMB "a: &a [x,x,x,x,x,x,x,x,x,x]\n" \
	"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n" \
	"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" \
	"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n" \
	"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n" \
	"f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"

static const struct row rows[] = {
	{ "mapping", { "f", "--image: a/b:1\n--region: r\n" },
	    { "svc", "--flags-file=f", NULL },
	    "svc,|--image=a/b:1,|--region=r" },
	{ "separate word", { "f", "--image: x\n" },
	    { "--flags-file", "f", "svc", NULL }, "|--image=x,svc" },
	{ "list repeats", { "f", "- --image: a\n- --image: b\n" },
	    { "--flags-file=f", NULL }, "|--image=a,|--image=b" },
	{ "nested path", { "f", "--flags-file: g\nk: 1\n", "g",
	    "--image: y\n" },
	    { "--flags-file=f", NULL }, "|--image=y,|k=1" },
	{ "nested list", { "f", "--flags-file: [g, h]\n", "g", "a: 1\n",
	    "h", "b: 2\n" }, { "--flags-file=f", NULL }, "|a=1,|b=2" },
	{ "relative to cwd", { "d/f", "--flags-file: g\n", "g", "a: top\n",
	    "d/g", "a: sub\n" }, { "--flags-file=d/f", NULL }, "|a=top" },
	{ "recursion", { "f", "k: 1\n--flags-file: g\n", "g",
	    "\n--flags-file: [f]\n" },
	    { "--flags-file=f", NULL },
	    "ERR:--flags-file recursive reference (f:2;g:2)." },
	{ "self", { "f", "--flags-file: f\n" }, { "--flags-file=f", NULL },
	    "ERR:--flags-file recursive reference (f:1)." },
	{ "same file twice is fine", { "f", "a: 1\n" },
	    { "--flags-file=f", "--flags-file=f", NULL }, "|a=1,|a=1" },
	{ "file wins over earlier", { "f", "--image: file\n" },
	    { "--image=cmd", "--flags-file=f", NULL },
	    "--image=cmd,|--image=file" },
	{ "scalars", { "f", "t: true\nf: false\nn: null\ne:\ni: 007\nx: 0_7\n"
	    "fl: 1e3\ng: 1.50\ns: '12'\ny: yes\no: on\nd: \"a b\"\nm: -0\n" },
	    { "--flags-file=f", NULL }, "|t,|f,|n,|e,|i=7,|x=7,|fl=1000.0,"
	    "|g=1.5,|s=12,|y=yes,|o=on,|d=a b,|m=0" },
	{ "floats", { "f", "a: 1e16\nb: 1e15\nc: 0.00001\nd: -0.0\ne: 1e400\n"
	    "f: 0.1\ng: .5\n" }, { "--flags-file=f", NULL },
	    "|a=1e+16,|b=1000000000000000.0,|c=1e-05,|d=-0.0,|e=inf,|f=0.1,"
	    "|g=0.5" },
	{ "yaml 1.1", { "f", "%YAML 1.1\n---\ny: yes\nn: 09\n" },
	    { "--flags-file=f", NULL }, "|y,|n=09" },
	{ "keys as written", { "f", "1: x\ntrue: y\n\"q\": z\n" },
	    { "--flags-file=f", NULL }, "|1=x,|true=y,|q=z" },
	{ "structured", { "f", "l: [a, 1, true, null]\nm: {k: v}\n" },
	    { "--flags-file=f", NULL },
	    "|l,S:[\"a\", 1, true, null],|m,S:{\"k\": \"v\"}" },
	{ "merge key", { "f", "a: &a {x: 1}\nm:\n  y: 2\n  <<: *a\n" },
	    { "--flags-file=f", NULL },
	    "|a,S:{\"x\": 1},|m,S:{\"y\": 2, \"x\": 1}" },
	{ "double dash", { "f", "a: 1\n" }, { "--", "--flags-file=f", NULL },
	    "--,|a=1" },
	{ "trailing flag dropped", { NULL }, { "x", "--flags-file", NULL },
	    "x" },
	{ "missing", { NULL }, { "--flags-file=nope", NULL },
	    "ERR:--flags-file [nope] not found." },
	{ "empty", { "f", "" }, { "--flags-file=f", NULL },
	    "ERR:--flags-file [f] is empty." },
	{ "not a mapping", { "f", "- a: 1\n- b\n" }, { "--flags-file=f", NULL },
	    "ERR:f:2: --flags-file file must contain a dictionary or list of "
	    "dictionaries of flags." },
	{ "scalar document", { "f", "foo\n" }, { "--flags-file=f", NULL },
	    "ERR:f:1: --flags-file file must contain a dictionary or list of "
	    "dictionaries of flags." },
	{ "malformed", { "f", "a: 1\nk: [1\n" }, { "--flags-file=f", NULL },
	    "ERR:f:3: cannot parse YAML: did not find expected ',' or ']'" },
	{ "duplicate", { "f", "k: 1\nk: 2\n" }, { "--flags-file=f", NULL },
	    "ERR:f:2: duplicate key" },
	{ "hex", { "f", "k: 0x10\n" }, { "--flags-file=f", NULL },
	    "ERR:f:1: '0x10' is not a valid integer" },
	{ "date", { "f", "k: 2001-12-14\n" }, { "--flags-file=f", NULL },
	    "ERR:f:1: '2001-12-14': a date or time is not supported" },
	{ "not utf-8", { "f", "k: \xff\n" }, { "--flags-file=f", NULL },
	    "ERR:--flags-file [f]: not valid UTF-8" },
	{ "bomb", { "f", BOMB }, { "--flags-file=f", NULL },
	    "ERR:f:5: too many YAML nodes" },
	{ "undefined alias", { "f", "a: &a [*a]\n" },
	    { "--flags-file=f", NULL }, "ERR:f:1: unknown YAML alias" },
	{ "null path", { "f", "--flags-file:\n" }, { "--flags-file=f", NULL },
	    "ERR:f:1: --flags-file: expected a path or a list of paths" },
	/* gcloud's round-trip loader: a second "<<" is a duplicate key */
	{ "two merge keys", { "f", "<<: {a: 1}\n<<: {b: 2}\n" },
	    { "--flags-file=f", NULL }, "ERR:f:2: duplicate key '<<'" },
	{ "one merge key", { "f", "c: 3\n<<: {a: 1, c: 9}\n" },
	    { "--flags-file=f", NULL }, "|c=3,|a=1" },
};

static char topdir[4096];

static void
put(const char *name, const char *content)
{
	char dir[512], *slash;
	FILE *fp;

	strlcpy(dir, name, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		(void)mkdir(dir, 0700);
	}
	assert_non_null(fp = fopen(name, "w"));
	fputs(content, fp);
	fclose(fp);
}

static void
render(const struct flagsfile_words *w, char *buf, size_t len)
{
	int i;

	buf[0] = '\0';
	for (i = 0; i < w->n; i++) {
		if (i > 0)
			strlcat(buf, ",", len);
		if (w->kind[i] == FLAGSFILE_ENTRY)
			strlcat(buf, "|", len);
		if (w->kind[i] == FLAGSFILE_STRUCT)
			strlcat(buf, "S:", len);
		strlcat(buf, w->v[i], len);
	}
	assert_null(w->v[w->n]);
}

static void
run_row(const struct row *r)
{
	struct flagsfile_words w;
	char tmpl[] = "/tmp/t_flagsfile.XXXXXX", got[4096], err[512];
	char cmd[64];
	int i, n;

	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(chdir(tmpl), 0);
	for (i = 0; i < 8 && r->files[i] != NULL; i += 2)
		put(r->files[i], r->files[i + 1]);
	for (n = 0; r->argv[n] != NULL; n++)
		;
	err[0] = '\0';
	if (flagsfile_expand((char *const *)r->argv, n, &w, err,
	    sizeof(err)) < 0)
		snprintf(got, sizeof(got), "ERR:%s", err);
	else
		render(&w, got, sizeof(got));
	flagsfile_free(&w);
	if (strcmp(got, r->want) != 0)
		print_error("%s:\n got  %s\n want %s\n", r->name, got, r->want);
	assert_int_equal(chdir(topdir), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	assert_int_equal(system(cmd), 0);
	assert_string_equal(got, r->want);
}

static void
test_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
}

/* Expansions a row cannot spell: big files, deep files, deep nesting. */
static void
test_bounds(void **state)
{
	struct row r;
	static char big[FLAGSFILE_MAXSIZE + 16], deep[400];
	static char files[2 * (FLAGSFILE_MAXDEPTH + 2)][32];
	size_t i;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "k: ", 3);
	r.name = "big";
	r.files[0] = "f";
	r.files[1] = big;
	r.argv[0] = "--flags-file=f";
	r.want = "ERR:--flags-file [f]: larger than 4194304 bytes";
	run_row(&r);
	for (i = 0; i < 150; i++)
		deep[i] = '[';
	memcpy(deep + 150, "]\n", 3);
	r.name = "deep nesting";
	r.files[1] = deep;
	r.want = "ERR:f:1: YAML nested too deeply";
	run_row(&r);
	(void)files;
}

/* f0 includes f1 ... : more than FLAGSFILE_MAXDEPTH files deep. */
static void
test_deep_files(void **state)
{
	char tmpl[] = "/tmp/t_flagsfile.XXXXXX", name[32], body[64];
	char err[512], *argv[] = { "--flags-file=f0", NULL };
	struct flagsfile_words w;
	int i;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(chdir(tmpl), 0);
	for (i = 0; i < FLAGSFILE_MAXDEPTH + 4; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		snprintf(body, sizeof(body), "--flags-file: f%d\n", i + 1);
		put(name, body);
	}
	assert_int_equal(flagsfile_expand(argv, 1, &w, err, sizeof(err)), -1);
	flagsfile_free(&w);
	assert_string_equal(err, "f16:1: --flags-file files nested too deeply");
	assert_int_equal(chdir(topdir), 0);
	snprintf(body, sizeof(body), "rm -rf %s", tmpl);
	assert_int_equal(system(body), 0);
}

struct clirow {
	const char	*argv[8];
	int		 status;
	const char	*images;	/* "container=image;..." */
};

#define FX "tests/fixtures/flagsfile/"

static const struct clirow clirows[] = {
	{ { "svc", "--flags-file=" FX "image.yaml", NULL }, CLI_OK,
	    "-=us-docker.pkg.dev/p/r/app:1" },
	{ { "svc", "--flags-file", FX "nested.yaml", NULL }, CLI_OK,
	    "-=us-docker.pkg.dev/p/r/app:1" },
	{ { "svc", "--flags-file=" FX "containers.yaml", NULL }, CLI_OK,
	    "app=us-docker.pkg.dev/p/r/app:2;"
	    "side=us-docker.pkg.dev/p/r/side:3" },
	{ { "svc", "--image=cmd", "--flags-file=" FX "image.yaml", NULL },
	    CLI_OK, "-=us-docker.pkg.dev/p/r/app:1" },
	{ { "svc", "--flags-file=" FX "image.yaml", "--image=cmd", NULL },
	    CLI_OK, "-=cmd" },
	{ { "svc", "--flags-file=" FX "structured.yaml", NULL }, CLI_OK, "" },
	{ { "svc", "--image", "--flags-file=" FX "image.yaml", NULL }, CLI_OK,
	    "-=us-docker.pkg.dev/p/r/app:1" },
	{ { "svc", "--flags-file=" FX "malformed.yaml", NULL }, CLI_BADINPUT,
	    NULL },
	{ { "svc", "--flags-file=" FX "empty.yaml", NULL }, CLI_BADINPUT,
	    NULL },
	{ { "svc", "--flags-file=" FX "missing.yaml", NULL }, CLI_BADINPUT,
	    NULL },
};

static void
test_cli(void **state)
{
	struct deploy_args a;
	char err[512], got[512], *argv[10];
	size_t i, j;
	int n;

	(void)state;
	for (i = 0; i < sizeof(clirows) / sizeof(clirows[0]); i++) {
		argv[0] = "gcloud-run-deploy";
		for (n = 0; clirows[i].argv[n] != NULL; n++)
			argv[n + 1] = (char *)clirows[i].argv[n];
		argv[n + 1] = NULL;
		assert_int_equal(cli_parse(n + 1, argv, CLI_DEPLOY, &a, err,
		    sizeof(err)), clirows[i].status);
		if (clirows[i].status == CLI_OK) {
			got[0] = '\0';
			for (j = 0; j < a.nimages; j++) {
				if (j > 0)
					strlcat(got, ";", sizeof(got));
				strlcat(got, a.images[j].container ?
				    a.images[j].container : "-", sizeof(got));
				strlcat(got, "=", sizeof(got));
				strlcat(got, a.images[j].image, sizeof(got));
			}
			assert_string_equal(got, clirows[i].images);
			assert_string_equal(a.service, "svc");
			/* gcloud still gets the words as given */
			for (j = 0; (int)j < n; j++)
				assert_ptr_equal(a.fwd[j + 2], argv[j + 1]);
		}
		cli_free(&a);
	}
}

/* "-" is stdin; a second "-" reads nothing.  In a child: fd 0 changes. */
static void
test_stdin(void **state)
{
	static const char yaml[] = "--image: from/stdin:1\n";
	char *argv[] = { "--flags-file=-", "x", "--flags-file", "-", NULL };
	struct flagsfile_words w;
	char err[512], got[512];
	int fd[2], status, ok;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fd), 0);
	assert_int_equal(write(fd[1], yaml, sizeof(yaml) - 1),
	    (ssize_t)sizeof(yaml) - 1);
	close(fd[1]);
	if ((pid = fork()) == 0) {
		dup2(fd[0], 0);
		ok = flagsfile_expand(argv, 2, &w, err, sizeof(err)) == 0;
		render(&w, got, sizeof(got));
		ok = ok && strcmp(got, "|--image=from/stdin:1,x") == 0;
		flagsfile_free(&w);
		ok = ok && flagsfile_expand(argv, 4, &w, err,
		    sizeof(err)) == -1 &&
		    strcmp(err, "--flags-file [-] is empty.") == 0;
		flagsfile_free(&w);
		_exit(ok ? 0 : 1);
	}
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * What may be read where gcloud reads once: a pipe held as descriptor N
 * (bash's <(...) is /dev/fd/N) is read and replaced by the same bytes, so
 * a second open (gcloud's) still gets them; a named FIFO is refused
 * unread, as a limit of the shim's (flagsfile_unsupported()).
 */
static void
test_pipes(void **state)
{
	static const char yaml[] = "--image: from/pipe:1\n";
	char path[64], arg[80], got[512], err[512], back[64];
	char *argv[2] = { arg, NULL };
	struct flagsfile_words w;
	char tmpl[] = "/tmp/t_flagsfile.XXXXXX", fifo[64];
	int fd[2], in;
	ssize_t r;

	(void)state;
	assert_int_equal(pipe(fd), 0);
	assert_int_equal(write(fd[1], yaml, sizeof(yaml) - 1),
	    (ssize_t)sizeof(yaml) - 1);
	close(fd[1]);
	snprintf(path, sizeof(path), "/dev/fd/%d", fd[0]);
	snprintf(arg, sizeof(arg), "--flags-file=%s", path);
	assert_int_equal(flagsfile_expand(argv, 1, &w, err, sizeof(err)), 0);
	render(&w, got, sizeof(got));
	assert_string_equal(got, "|--image=from/pipe:1");
	flagsfile_free(&w);
	/* what gcloud then opens: the same bytes, from the first */
	assert_true((in = open(path, O_RDONLY)) >= 0);
	r = read(in, back, sizeof(back));
	assert_int_equal(r, (ssize_t)sizeof(yaml) - 1);
	assert_memory_equal(back, yaml, sizeof(yaml) - 1);
	close(in);
	close(fd[0]);

	assert_non_null(mkdtemp(tmpl));
	snprintf(fifo, sizeof(fifo), "%s/fifo", tmpl);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	snprintf(arg, sizeof(arg), "--flags-file=%s", fifo);
	assert_int_equal(flagsfile_expand(argv, 1, &w, err, sizeof(err)), -1);
	flagsfile_free(&w);
	assert_non_null(strstr(err, "a named pipe"));
	assert_int_equal(flagsfile_unsupported(), 1);
	unlink(fifo);
	rmdir(tmpl);

	/* gcloud's own refusals are not the shim's limits */
	snprintf(arg, sizeof(arg), "--flags-file=/nonexistent/f");
	assert_int_equal(flagsfile_expand(argv, 1, &w, err, sizeof(err)), -1);
	flagsfile_free(&w);
	assert_int_equal(flagsfile_unsupported(), 0);
	/* a command known to deploy nothing: no file is read */
	flagsfile_noread(1);
	assert_int_equal(flagsfile_expand(argv, 1, &w, err, sizeof(err)), -1);
	flagsfile_free(&w);
	assert_non_null(strstr(err, "not read"));
	flagsfile_noread(0);
}

/* A tag or a nesting gcloud reads and the shim does not: its limit. */
static void
test_unsupported(void **state)
{
	char tmpl[] = "/tmp/t_flagsfile.XXXXXX", path[64], arg[80];
	char *argv[2] = { arg, NULL }, err[512];
	struct flagsfile_words w;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	snprintf(path, sizeof(path), "%s/omap.yaml", tmpl);
	assert_non_null(fp = fopen(path, "w"));
	fputs("run:\ndeploy:\n--labels: !!omap [a: 1]\n", fp);
	fclose(fp);
	snprintf(arg, sizeof(arg), "--flags-file=%s", path);
	assert_int_equal(flagsfile_expand(argv, 1, &w, err, sizeof(err)), -1);
	flagsfile_free(&w);
	assert_non_null(strstr(err, "unsupported YAML tag"));
	assert_int_equal(flagsfile_unsupported(), 1);
	unlink(path);
	rmdir(tmpl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_deep_files),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_pipes),
		cmocka_unit_test(test_unsupported),
	};

	if (getcwd(topdir, sizeof(topdir)) == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
