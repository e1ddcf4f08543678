/*
 * t_tokencache.c - gcloud's access token cache: fixture databases built
 * here with the SQLite C API in gcloud's own schema (creds.py), then read
 * by tokencache_lookup(); and the settings under which it may be used.
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
#include <sqlite3.h>

#include "auth/token.h"
#include "auth/tokencache.h"
#include "gcloud/props.h"

#define ACCT	"dev@example.com"
#define SA	"ci@p.iam.gserviceaccount.com"
#define TOK	"ya29.cached-token-0123456789"
#define USERCRED	"{\"client_id\": " \
	"\"32555940559.apps.googleusercontent.com\"," \
	" \"client_secret\": \"x\", \"refresh_token\": \"1//secret\"," \
	" \"revoke_uri\": \"https://oauth2.googleapis.com/revoke\"," \
	" \"scopes\": [\"openid\"], \"token_uri\": " \
	"\"https://oauth2.googleapis.com/token\"," \
	" \"type\": \"authorized_user\"," \
	" \"universe_domain\": \"googleapis.com\"}"
#define SACRED	"{\"client_email\": \"" SA "\", \"private_key\": \"k\"," \
	" \"type\": \"service_account\"}"

/* gcloud's CREATE TABLE statements (creds.py, SDK 528). */
#define CRED_TABLE	"CREATE TABLE IF NOT EXISTS \"credentials\" " \
	"(account_id TEXT PRIMARY KEY, value BLOB)"
#define TOKEN_TABLE	"CREATE TABLE IF NOT EXISTS \"access_tokens\" " \
	"(account_id TEXT PRIMARY KEY, access_token TEXT, " \
	"token_expiry TIMESTAMP, rapt_token TEXT, id_token TEXT)"

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

/* Run SQL on a database file, then leave SQLite uninitialized again. */
static void
sql(const char *file, const char *stmt)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(at(file), &db), SQLITE_OK);
	if (sqlite3_exec(db, stmt, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", stmt, msg);
	sqlite3_close(db);
	sqlite3_shutdown();
}

/* Python's str(datetime) of now + delta seconds, naive UTC. */
static const char *
expiry(long delta, const char *frac)
{
	static char buf[64];
	time_t t = time(NULL) + delta;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	strlcat(buf, frac, sizeof(buf));
	return buf;
}

static void
put_cred(const char *acct, const char *json)
{
	char *q;

	sql("credentials.db", CRED_TABLE);
	q = sqlite3_mprintf("REPLACE INTO credentials VALUES (%Q, %Q)", acct,
	    json);
	sql("credentials.db", q);
	sqlite3_free(q);
}

/* exp is an SQL literal: a quoted string, NULL, a number. */
static void
put_token(const char *acct, const char *tok, const char *exp)
{
	char *q;

	sql("access_tokens.db", TOKEN_TABLE);
	q = sqlite3_mprintf("REPLACE INTO access_tokens VALUES (%Q, %Q, %s, "
	    "NULL, NULL)", acct, tok, exp);
	sql("access_tokens.db", q);
	sqlite3_free(q);
}

static void
put_valid(long delta)
{
	char *e = sqlite3_mprintf("%Q", expiry(delta, ""));

	put_cred(ACCT, USERCRED);
	put_token(ACCT, TOK, e);
	sqlite3_free(e);
}

static int
setup(void **state)
{
	(void)state;
	unsetenv("CLOUDSDK_AUTH_ACCESS_TOKEN");
	snprintf(top, sizeof(top), "%s/t_tokencache.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(top) == NULL)
		return -1;
	return chmod(top, 0755);
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

/* lookup for ACCT (or acct); returns the reason, NULL when found. */
static const char *
look(const char *acct, long margin, char **tok)
{
	const char *why = NULL;
	size_t len = 0;
	int rc;

	*tok = NULL;
	rc = tokencache_lookup(top, acct ? acct : ACCT, time(NULL), margin,
	    tok, &len, &why);
	if (rc == 0) {
		assert_null(why);
		assert_non_null(*tok);
		assert_int_equal(len, strlen(*tok));
		return NULL;
	}
	assert_int_equal(rc, -1);
	assert_null(*tok);
	assert_non_null(why);
	return why;
}

static void
expect_token(const char *acct, const char *want)
{
	char *tok;
	const char *why = look(acct, TOKENCACHE_MARGIN, &tok);

	if (why != NULL)
		fail_msg("not found: %s", why);
	assert_string_equal(tok, want);
	explicit_bzero(tok, strlen(tok));
	free(tok);
}

static void
expect_none(const char *acct, const char *because)
{
	char *tok;
	const char *why = look(acct, TOKENCACHE_MARGIN, &tok);

	if (why == NULL) {
		free(tok);
		fail_msg("found a token, want none (%s)", because);
	}
	if (strstr(why, because) == NULL)
		fail_msg("reason '%s', want '%s'", why, because);
}

static void
test_valid(void **state)
{
	(void)state;
	put_valid(3600);
	expect_token(NULL, TOK);
	expect_token(NULL, TOK);	/* again: SQLite re-initializes */
}

static void
test_fraction(void **state)
{
	char *e;

	(void)state;
	put_cred(ACCT, USERCRED);
	e = sqlite3_mprintf("%Q", expiry(3600, ".123456"));
	put_token(ACCT, TOK, e);
	sqlite3_free(e);
	expect_token(NULL, TOK);
}

static void
test_expired(void **state)
{
	(void)state;
	put_valid(-60);
	expect_none(NULL, "margin");
}

/* gcloud refreshes within 300 s of the expiry: so must we not use it. */
static void
test_margin(void **state)
{
	(void)state;
	put_valid(TOKENCACHE_MARGIN - 30);
	expect_none(NULL, "margin");
	put_valid(TOKENCACHE_MARGIN + 30);
	expect_token(NULL, TOK);
}

static void
test_other_account(void **state)
{
	char *e = sqlite3_mprintf("%Q", expiry(3600, ""));

	(void)state;
	put_cred(ACCT, USERCRED);
	put_token("someone@example.com", TOK, e);
	sqlite3_free(e);
	expect_none(NULL, "no cached token");
	expect_none("someone@example.com", "no credential");
	expect_none("DEV@example.com", "no credential");
}

static void
test_bad_expiry(void **state)
{
	static const char *const bad[] = { "NULL", "4102444800",
	    "'2099-01-01T00:00:00'", "'2099-01-01 00:00:00+00:00'",
	    "'2099-13-01 00:00:00'", "'2099-01-01 00:00'", "''",
	    "'2099-01-01 00:00:00.'", "'never'" };
	size_t i;

	(void)state;
	put_cred(ACCT, USERCRED);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_token(ACCT, TOK, bad[i]);
		expect_none(NULL, "no expiry");
	}
	put_token(ACCT, TOK, "'2099-01-01 00:00:00'");
	expect_token(NULL, TOK);
}

static void
test_bad_token(void **state)
{
	char *e = sqlite3_mprintf("%Q", expiry(3600, ""));

	(void)state;
	put_cred(ACCT, USERCRED);
	put_token(ACCT, "ya29.a b", e);
	expect_none(NULL, "not usable");
	put_token(ACCT, "", e);
	expect_none(NULL, "not usable");
	put_token(ACCT, NULL, e);
	expect_none(NULL, "not usable");
	sqlite3_free(e);
}

static void
test_cred_types(void **state)
{
	char *e = sqlite3_mprintf("%Q", expiry(3600, ""));

	(void)state;
	put_cred(SA, SACRED);
	put_token(SA, TOK, e);
	expect_token(SA, TOK);
	put_cred(SA, "{\"type\": \"external_account\"}");
	expect_none(SA, "unfamiliar type");
	put_cred(SA, "{\"type\": \"gce\"}");
	expect_none(SA, "unfamiliar type");
	put_cred(SA, "{\"type\": \"service_account\", "
	    "\"universe_domain\": \"example.net\"}");
	expect_none(SA, "another universe");
	put_cred(SA, "not json");
	expect_none(SA, "cannot be read");
	put_cred(SA, SACRED);
	put_cred(SA "#example.net", SACRED);
	expect_none(SA, "other universes");
	sqlite3_free(e);
}

static void
test_missing(void **state)
{
	(void)state;
	expect_none(NULL, "credentials.db cannot be opened");
	put_cred(ACCT, USERCRED);
	expect_none(NULL, "access_tokens.db cannot be opened");
	sql("access_tokens.db", "CREATE TABLE other (x)");
	expect_none(NULL, "access_tokens.db cannot be read");
	/* An old cache without id_token: gcloud would add the column. */
	sql("access_tokens.db", "CREATE TABLE access_tokens (account_id TEXT "
	    "PRIMARY KEY, access_token TEXT, token_expiry TIMESTAMP, "
	    "rapt_token TEXT)");
	expect_none(NULL, "access_tokens.db cannot be read");
	assert_int_equal(unlink(at("credentials.db")), 0);
	sql("credentials.db", "CREATE TABLE other (x)");
	expect_none(NULL, "credentials.db cannot be read");
}

static void
test_corrupt(void **state)
{
	FILE *f;
	int i;

	(void)state;
	put_valid(3600);
	assert_non_null(f = fopen(at("access_tokens.db"), "w"));
	for (i = 0; i < 4096; i++)
		fputc(i * 7 % 251, f);
	fclose(f);
	expect_none(NULL, "access_tokens.db");
	assert_int_equal(truncate(at("access_tokens.db"), 100), 0);
	expect_none(NULL, "access_tokens.db");
}

/* A writer holds the lock (as gcloud does while it stores a token). */
static void
test_locked(void **state)
{
	struct timespec t0, t1;
	int go[2], ready[2], status;
	sqlite3 *db;
	pid_t pid;
	char c;
	long ms;

	(void)state;
	put_valid(3600);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	if ((pid = fork()) == 0) {
		if (sqlite3_open(at("access_tokens.db"), &db) != SQLITE_OK ||
		    sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) !=
		    SQLITE_OK)
			_exit(1);
		(void)!write(ready[1], "r", 1);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_none(NULL, "access_tokens.db cannot be read");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms < 3000);	/* gave up; did not wait like gcloud's 5 s */
	(void)!write(go[1], "g", 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	expect_token(NULL, TOK);	/* the lock was the only reason */
	close(go[0]), close(go[1]), close(ready[0]), close(ready[1]);
}

/* As a user who cannot read the file (root drops to nobody to see it). */
static void
test_unreadable(void **state)
{
	const char *why = NULL;
	char *tok = NULL;
	size_t len;
	int status;
	pid_t pid;

	(void)state;
	put_valid(3600);
	assert_int_equal(chmod(at("credentials.db"), 0644), 0);
	assert_int_equal(chmod(at("access_tokens.db"), 0), 0);
	if ((pid = fork()) == 0) {
		if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(2);
		if (tokencache_lookup(top, ACCT, time(NULL), TOKENCACHE_MARGIN,
		    &tok, &len, &why) == 0)
			_exit(3);
		_exit(strstr(why, "access_tokens.db cannot be opened") ? 0 : 4);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(chmod(at("access_tokens.db"), 0600), 0);
	expect_token(NULL, TOK);
}

/* Read-only: the files are byte for byte as they were, no journal made. */
static void
test_never_writes(void **state)
{
	struct stat a, b;

	(void)state;
	put_valid(3600);
	assert_int_equal(stat(at("access_tokens.db"), &a), 0);
	expect_token(NULL, TOK);
	expect_none("nobody@example.com", "no credential");
	assert_int_equal(stat(at("access_tokens.db"), &b), 0);
	assert_int_equal(a.st_size, b.st_size);
	assert_true(a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
	    a.st_mtim.tv_nsec == b.st_mtim.tv_nsec);
	assert_int_not_equal(access(at("access_tokens.db-journal"), F_OK), 0);
	assert_int_not_equal(access(at("access_tokens.db-wal"), F_OK), 0);
}

/* SQLite already set up by someone else: no wiping allocator, no token. */
static void
test_sqlite_busy(void **state)
{
	sqlite3 *db;

	(void)state;
	put_valid(3600);
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	expect_none(NULL, "in use");
	sqlite3_close(db);
	sqlite3_shutdown();
	expect_token(NULL, TOK);
}

static void
loadp(struct props *p)
{
	props_init(p);
	p->config_dir = strdup(top);
	assert_int_equal(props_flag(p, "core/account", ACCT), 0);
}

static void
test_unusable(void **state)
{
	static const char *const set[][2] = {
		{ "auth/access_token_file", "/tmp/t" },
		{ "auth/credential_file_override", "/tmp/c.json" },
		{ "auth/impersonate_service_account", SA },
		{ "auth/token_host", "https://127.0.0.1:9/token" },
		{ "core/universe_domain", "example.net" },
		{ "auth/disable_load_google_auth", "true" },
		{ "auth/service_account_use_self_signed_jwt", "1" },
		{ "core/account", "" },
	};
	struct props p;
	size_t i;

	(void)state;
	loadp(&p);
	assert_null(tokencache_unusable(&p));
	props_flag(&p, "core/universe_domain", "googleapis.com");
	props_flag(&p, "auth/disable_load_google_auth", "false");
	assert_null(tokencache_unusable(&p));
	setenv("CLOUDSDK_AUTH_ACCESS_TOKEN", TOK, 1);
	assert_non_null(tokencache_unusable(&p));
	setenv("CLOUDSDK_AUTH_ACCESS_TOKEN", "", 1);	/* empty: not set */
	assert_null(tokencache_unusable(&p));
	unsetenv("CLOUDSDK_AUTH_ACCESS_TOKEN");
	props_free(&p);
	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		loadp(&p);
		assert_int_equal(props_flag(&p, set[i][0], set[i][1]), 0);
		if (tokencache_unusable(&p) == NULL)
			fail_msg("%s=%s: usable", set[i][0], set[i][1]);
		props_free(&p);
	}
}

static void
test_acquire(void **state)
{
	struct token t;
	struct props p;
	char *e;

	(void)state;
	put_valid(3600);
	loadp(&p);
	memset(&t, 0, sizeof(t));
	assert_int_equal(token_cached(&p, &t), 0);
	assert_string_equal(t.value, TOK);
	assert_string_equal(t.source, TOKENCACHE_SOURCE);
	assert_int_equal(t.who.kind, PRINCIPAL_USER);
	assert_string_equal(t.who.email, ACCT);
	assert_int_equal(t.user_creds, 1);
	token_free(&t);
	props_flag(&p, "auth/token_host", "https://127.0.0.1:9/token");
	assert_int_equal(token_cached(&p, &t), -1);
	assert_null(t.value);
	props_free(&p);

	e = sqlite3_mprintf("%Q", expiry(3600, ""));
	put_cred(SA, SACRED);
	put_token(SA, TOK, e);
	sqlite3_free(e);
	props_init(&p);
	p.config_dir = strdup(top);
	props_flag(&p, "core/account", SA);
	assert_int_equal(token_cached(&p, &t), 0);
	assert_int_equal(t.who.kind, PRINCIPAL_SERVICE_ACCOUNT);
	assert_int_equal(t.user_creds, 0);
	token_free(&t);
	props_free(&p);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid), T(test_fraction), T(test_expired),
		T(test_margin), T(test_other_account), T(test_bad_expiry),
		T(test_bad_token), T(test_cred_types), T(test_missing),
		T(test_corrupt), T(test_locked), T(test_unreadable),
		T(test_never_writes), T(test_sqlite_busy), T(test_unusable),
		T(test_acquire),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
