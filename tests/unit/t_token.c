/*
 * t_token.c - the principal and the token, from the environment, a file,
 * a fake gcloud config-helper and, where installed, the real gcloud.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testenv.h"
#include <cjson/cJSON.h>

#include "argv/cli.h"
#include "auth/token.h"
#include "gcloud/props.h"

#define GCLOUD	"/usr/bin/gcloud"
#define SDKROOT	"/usr/lib/google-cloud-sdk"
#define TOK	"ya29.test-token-XYZ"


static char top[PATH_MAX];

static const char *
at(const char *rel)
{
	static char path[4][PATH_MAX + 64];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", top, rel);
	return path[i];
}

static void
put(const char *rel, const char *text, int mode)
{
	FILE *f;

	assert_non_null(f = fopen(at(rel), "w"));
	fputs(text, f);
	fclose(f);
	chmod(at(rel), mode);
}

static char *
slurp(const char *rel)
{
	static char buf[65536];
	FILE *f;
	size_t n;

	if ((f = fopen(at(rel), "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}


static int
setup(void **state)
{
	(void)state;
	cleanenv();
	snprintf(top, sizeof(top), "%s/t_token.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(top) == NULL)
		return -1;
	mkdir(at("configurations"), 0700);
	setenv("CLOUDSDK_CONFIG", top, 1);
	put("active_config", "default", 0644);
	token_set_timeout(0);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	if (chdir("/") == -1)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static void
loadp(struct props *p)
{
	char err[256];

	props_init(p);
	assert_int_equal(props_load(p, NULL, NULL, err, sizeof(err)), 0);
}

static void
test_principal(void **state)
{
	struct principal who;
	struct props p;
	char m[400];

	(void)state;
	props_init(&p);
	token_principal(&p, &who);
	assert_int_equal(who.kind, PRINCIPAL_UNKNOWN);
	assert_int_equal(principal_member(&who, m, sizeof(m)), -1);
	props_flag(&p, "core/account", "dev@example.com");
	token_principal(&p, &who);
	assert_int_equal(who.kind, PRINCIPAL_USER);
	assert_int_equal(principal_member(&who, m, sizeof(m)), 0);
	assert_string_equal(m, "user:dev@example.com");
	assert_int_equal(principal_member(&who, m, 10), -1);
	props_flag(&p, "core/account", "ci@proj.iam.gserviceaccount.com");
	token_principal(&p, &who);
	assert_int_equal(who.kind, PRINCIPAL_SERVICE_ACCOUNT);
	assert_int_equal(principal_member(&who, m, sizeof(m)), 0);
	assert_string_equal(m,
	    "serviceAccount:ci@proj.iam.gserviceaccount.com");
	props_flag(&p, "core/account",
	    "123-compute@developer.GSERVICEACCOUNT.com");
	token_principal(&p, &who);
	assert_int_equal(who.kind, PRINCIPAL_SERVICE_ACCOUNT);
	props_flag(&p, "core/account", "not-an-email");
	token_principal(&p, &who);
	assert_int_equal(who.kind, PRINCIPAL_UNKNOWN);
	/* shell-unsafe */
	props_flag(&p, "core/account", "a'b@example.com");
	token_principal(&p, &who);
	assert_int_equal(who.kind, PRINCIPAL_UNKNOWN);
	props_free(&p);
}

/* Whose is a raw token?  gcloud does not know, so neither do we. */
static void
test_principal_raw_token(void **state)
{
	struct principal who;
	struct props p;

	(void)state;
	props_init(&p);
	props_flag(&p, "core/account", "dev@example.com");
	setenv("CLOUDSDK_AUTH_ACCESS_TOKEN", TOK, 1);
	token_principal(&p, &who);
	assert_int_equal(who.kind, PRINCIPAL_UNKNOWN);
	assert_string_equal(who.email, "");
	setenv("CLOUDSDK_AUTH_ACCESS_TOKEN", "", 1);	/* empty: not set */
	token_principal(&p, &who);
	assert_int_equal(who.kind, PRINCIPAL_USER);
	props_flag(&p, "auth/access_token_file", "/x");
	token_principal(&p, &who);
	assert_int_equal(who.kind, PRINCIPAL_UNKNOWN);
	props_flag(&p, "auth/access_token_file", "");
	props_flag(&p, "auth/credential_file_override", "/key.json");
	token_principal(&p, &who);
	assert_int_equal(who.kind, PRINCIPAL_UNKNOWN);
	/* impersonation: the last of the chain, whatever the source */
	props_flag(&p, "auth/impersonate_service_account",
	    "a@p.iam.gserviceaccount.com, b@q.iam.gserviceaccount.com ");
	token_principal(&p, &who);
	assert_int_equal(who.kind, PRINCIPAL_SERVICE_ACCOUNT);
	assert_string_equal(who.email, "b@q.iam.gserviceaccount.com");
	props_flag(&p, "auth/impersonate_service_account", "1234567890");
	token_principal(&p, &who);	/* a unique ID: no member to name */
	assert_int_equal(who.kind, PRINCIPAL_UNKNOWN);
	props_flag(&p, "auth/impersonate_service_account", "a@x.com,");
	token_principal(&p, &who);
	assert_int_equal(who.kind, PRINCIPAL_UNKNOWN);
	props_free(&p);
}

static void
test_token_env(void **state)
{
	struct token t;
	struct props p;
	char err[256];

	(void)state;
	props_init(&p);
	props_flag(&p, "core/account", "dev@example.com");
	props_flag(&p, "auth/access_token_file", "/nonexistent");
	setenv("CLOUDSDK_AUTH_ACCESS_TOKEN", " \t" TOK "\n", 1);
	assert_int_equal(token_acquire(&p, NULL, NULL, &t, err,
	    sizeof(err)), 0);
	assert_string_equal(t.value, TOK);
	assert_int_equal(t.len, strlen(TOK));
	assert_int_equal(t.who.kind, PRINCIPAL_UNKNOWN);
	assert_string_equal(t.source, "CLOUDSDK_AUTH_ACCESS_TOKEN");
	assert_int_equal(t.user_creds, 0);
	token_free(&t);
	token_free(&t);
	assert_null(t.value);
	setenv("CLOUDSDK_AUTH_ACCESS_TOKEN", "  ", 1);
	assert_int_equal(token_acquire(&p, NULL, NULL, &t, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
	setenv("CLOUDSDK_AUTH_ACCESS_TOKEN", "ya29.a\r\nX-Evil: 1", 1);
	assert_int_equal(token_acquire(&p, NULL, NULL, &t, err,
	    sizeof(err)), -1);
	assert_null(strstr(err, "ya29"));
	assert_null(strstr(err, "Evil"));
	assert_null(t.value);
	props_free(&p);
}

static void
test_token_file(void **state)
{
	struct token t;
	struct props p;
	char err[512], big[70000];

	(void)state;
	put("tok", "\n  " TOK " \r\n\n", 0600);
	put("configurations/config_default", "[core]\naccount = d@x.com\n"
	    "[auth]\naccess_token_file = tok\n", 0644);
	assert_int_equal(chdir(top), 0);	/* relative: to the cwd */
	loadp(&p);
	assert_int_equal(token_acquire(&p, NULL, NULL, &t, err,
	    sizeof(err)), 0);
	assert_string_equal(t.value, TOK);
	assert_int_equal(t.who.kind, PRINCIPAL_UNKNOWN);
	assert_string_equal(t.source, "auth/access_token_file");
	token_free(&t);
	put("tok", " \n\t\n", 0600);
	assert_int_equal(token_acquire(&p, NULL, NULL, &t, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
	put("tok", TOK "\n" TOK "\n", 0600);	/* two lines: refused */
	assert_int_equal(token_acquire(&p, NULL, NULL, &t, err,
	    sizeof(err)), -1);
	assert_null(strstr(err, TOK));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put("tok", big, 0600);
	assert_int_equal(token_acquire(&p, NULL, NULL, &t, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than"));
	unlink(at("tok"));
	assert_int_equal(token_acquire(&p, NULL, NULL, &t, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "cannot read access token file 'tok': "
	    "No such file or directory");
	mkdir(at("tok"), 0700);
	assert_int_equal(token_acquire(&p, NULL, NULL, &t, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read access token file"));
	assert_null(t.value);
	token_free(&t);
	props_free(&p);
}

/*
 * A fake gcloud: records argv (one per line), where stdin points, then
 * behaves as `mode` says.
 */
static const char *
fake(const char *mode)
{
	static char script[4 * PATH_MAX + 4096];

	snprintf(script, sizeof(script), "#!/bin/sh\n"
	    "for a; do printf '%%s\\n' \"$a\"; done > '%s/argv'\n"
	    "readlink /proc/self/fd/0 > '%s/stdin'\n"
	    "env > '%s/env'\n%s\n", top, top, top, mode);
	put("gcloud", script, 0755);
	return at("gcloud");
}

#define HELPER_JSON(props) \
	"cat <<'EOF'\n{\"configuration\": {\"active_configuration\": " \
	"\"default\", \"properties\": " props "}, \"credential\": " \
	"{\"access_token\": \"" TOK "\", \"id_token\": \"idtok\", " \
	"\"token_expiry\": \"2030-01-01T00:00:00Z\"}}\nEOF"

static void
test_helper_args(void **state)
{
	struct deploy_args a;
	struct token t;
	struct props p;
	char err[512];
	const char *g;

	(void)state;
	g = fake(HELPER_JSON("{\"core\": {\"account\": \"u@example.com\"}, "
	    "\"auth\": {\"impersonate_service_account\": "
	    "\"a@p.iam.gserviceaccount.com,b@p.iam.gserviceaccount.com\"}}"));
	memset(&a, 0, sizeof(a));
	a.account = "u@example.com";
	a.impersonate = "a@p.iam.gserviceaccount.com,"
	    "b@p.iam.gserviceaccount.com";
	a.configuration = "prod";
	a.access_token_file = "/some/file";
	props_init(&p);
	assert_int_equal(props_args(&p, &a), 0);
	setenv("CLOUDSDK_AUTH_ACCESS_TOKEN", "env-token", 1);
	assert_int_equal(token_acquire(&p, &a, g, &t, err, sizeof(err)), 0);
	assert_string_equal(t.value, TOK);
	assert_int_equal(t.who.kind, PRINCIPAL_SERVICE_ACCOUNT);
	assert_int_equal(t.user_creds, 0);
	assert_string_equal(t.who.email, "b@p.iam.gserviceaccount.com");
	assert_string_equal(slurp("argv"), "config\nconfig-helper\n"
	    "--format=json\n--account=u@example.com\n"
	    "--impersonate-service-account=a@p.iam.gserviceaccount.com,"
	    "b@p.iam.gserviceaccount.com\n--configuration=prod\n"
	    "--access-token-file=/some/file\n");
	assert_null(strstr(slurp("argv"), TOK));
	assert_null(strstr(slurp("env"), TOK));
	assert_string_equal(slurp("stdin"), "/dev/null\n");
	token_free(&t);
	props_free(&p);
}

static void
test_helper_principal(void **state)
{
	struct token t;
	struct props p;
	char err[512];
	const char *g;

	(void)state;
	props_init(&p);
	g = fake(HELPER_JSON("{\"core\": {\"account\": \"u@example.com\"}}"));
	assert_int_equal(token_acquire(&p, NULL, g, &t, err, sizeof(err)), 0);
	assert_int_equal(t.who.kind, PRINCIPAL_USER);
	assert_int_equal(t.user_creds, 1);
	assert_string_equal(t.who.email, "u@example.com");
	assert_string_equal(t.source, "gcloud config config-helper");
	assert_string_equal(slurp("argv"),
	    "config\nconfig-helper\n--format=json\n");
	token_free(&t);
	/* gcloud's effective properties win over ours */
	g = fake(HELPER_JSON("{\"core\": {\"account\": \"u@example.com\"}, "
	    "\"auth\": {\"access_token_file\": \"/t\"}}"));
	assert_int_equal(token_acquire(&p, NULL, g, &t, err, sizeof(err)), 0);
	assert_int_equal(t.who.kind, PRINCIPAL_UNKNOWN);
	token_free(&t);
	g = fake(HELPER_JSON("{}"));
	assert_int_equal(token_acquire(&p, NULL, g, &t, err, sizeof(err)), 0);
	assert_int_equal(t.who.kind, PRINCIPAL_UNKNOWN);
	token_free(&t);
	props_free(&p);
}

static void
test_helper_failures(void **state)
{
	struct token t;
	struct props p;
	char err[512];
	const char *g;
	time_t t0;

	(void)state;
	props_init(&p);
	g = fake("echo 'ERROR: (gcloud.config.config-helper) no account' >&2;"
	    " exit 1");
	assert_int_equal(token_acquire(&p, NULL, g, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "gcloud config config-helper failed "
	    "(exit 1): run 'gcloud auth login'"));
	assert_null(t.value);
	g = fake("echo 'not json " TOK "'");
	assert_int_equal(token_acquire(&p, NULL, g, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not JSON"));
	assert_null(strstr(err, TOK));
	g = fake("echo '{\"credential\": {\"access_token\": \"" TOK "\"'");
	assert_int_equal(token_acquire(&p, NULL, g, &t, err, sizeof(err)), -1);
	g = fake("echo '{\"credential\": {\"access_token\": null}}'");
	assert_int_equal(token_acquire(&p, NULL, g, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no access token"));
	g = fake("head -c 300000 /dev/zero | tr '\\0' x");
	assert_int_equal(token_acquire(&p, NULL, g, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "printed more than"));
	g = fake("kill -9 $$");
	assert_int_equal(token_acquire(&p, NULL, g, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "signal 9"));
	token_set_timeout(300);
	g = fake("exec sleep 20");
	t0 = time(NULL);
	assert_int_equal(token_acquire(&p, NULL, g, &t, err, sizeof(err)), -1);
	assert_true(time(NULL) - t0 < 5);
	assert_non_null(strstr(err, "did not finish"));
	g = fake("exec 1>&-; exec sleep 20");	/* EOF early, then hangs */
	assert_int_equal(token_acquire(&p, NULL, g, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "did not finish"));
	token_set_timeout(0);
	assert_int_equal(token_acquire(&p, NULL, NULL, &t, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "no gcloud"));
	assert_int_equal(token_acquire(&p, NULL, at("missing"), &t, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot run"));
	token_free(&t);
	props_free(&p);
}

/*
 * The real gcloud: through $GCLOUDZ when tests/run gives one
 * (tests/gcloudz.py: the SDK imported once, a fork per command).
 */
static const char *
real_gcloud(void)
{
	const char *gz = getenv("GCLOUDZ");

	return gz != NULL && access(gz, X_OK) == 0 ? gz : GCLOUD;
}

/* `gcloud config config-helper --format=json` credential.access_token. */
static char *
real_helper_token(void)
{
	static char tok[4096];
	char buf[65536];
	cJSON *root, *v;
	int pfd[2], st;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	if ((pid = fork()) == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execl("/usr/bin/timeout", "timeout", "60", real_gcloud(),
		    "config", "config-helper", "--format=json", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	while (n + 1 < sizeof(buf) &&
	    (r = read(pfd[0], buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	close(pfd[0]);
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	buf[n] = '\0';
	assert_non_null(root = cJSON_Parse(buf));
	v = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "credential"),
	    "access_token");
	assert_true(cJSON_IsString(v));
	snprintf(tok, sizeof(tok), "%s", v->valuestring);
	cJSON_Delete(root);
	return tok;
}

static void
test_real_gcloud(void **state)
{
	struct deploy_args a;
	struct token t;
	struct props p;
	char err[512];

	(void)state;
	if (access(GCLOUD, X_OK) != 0) {
		fprintf(stderr, "SKIP: %s not found: no real-gcloud cases\n",
		    GCLOUD);
		skip();
	}
	put("tok", "  " TOK "\n\n", 0600);
	put("configurations/config_default", "[core]\naccount = d@example.com"
	    "\n[auth]\naccess_token_file = tok\n", 0644);
	put("configurations/config_prod", "[auth]\naccess_token_file = tok2\n",
	    0644);
	put("tok2", "ya29.prod-token\n", 0600);
	assert_int_equal(chdir(top), 0);
	/* (b): the file read here and by gcloud give the same token */
	loadp(&p);
	assert_int_equal(token_acquire(&p, NULL, real_gcloud(), &t, err,
	    sizeof(err)), 0);
	assert_string_equal(t.value, real_helper_token());
	assert_string_equal(t.value, TOK);
	token_free(&t);
	props_free(&p);
	/* The helper path on the real gcloud: our props know nothing. */
	props_init(&p);
	assert_int_equal(token_acquire(&p, NULL, real_gcloud(), &t, err,
	    sizeof(err)), 0);
	assert_string_equal(t.value, TOK);
	assert_string_equal(t.source, "gcloud config config-helper");
	assert_int_equal(t.who.kind, PRINCIPAL_UNKNOWN);
	token_free(&t);
	memset(&a, 0, sizeof(a));
	a.configuration = "prod";
	assert_int_equal(token_acquire(&p, &a, real_gcloud(), &t, err,
	    sizeof(err)), 0);
	assert_string_equal(t.value, "ya29.prod-token");
	token_free(&t);
	/* no credentials at all: config-helper fails, exit 1 */
	put("configurations/config_default", "[core]\naccount = "
	    "d@example.com\n", 0644);
	assert_int_equal(token_acquire(&p, NULL, real_gcloud(), &t, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "failed (exit 1)"));
	props_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_principal, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_principal_raw_token,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_env, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_token_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_helper_args, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_helper_principal, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_helper_failures, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_real_gcloud, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
