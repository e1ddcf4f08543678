/*
 * tokencache.c - gcloud's access token cache, read-only (see tokencache.h
 * for what gcloud does and when the cached token is gcloud's answer).
 *
 * MUST rules for this file:
 *   - open both databases with SQLITE_OPEN_READONLY and a short busy
 *     timeout; never write, never create, never wait for gcloud's lock;
 *     a database in WAL mode only as immutable, and only when no -wal
 *     file holds newer pages (a read-only WAL connection would create
 *     -wal and -shm in gcloud's folder);
 *   - anything missing, expired, locked, corrupt or unfamiliar is "not
 *     found", so the caller falls back to config-helper: this module only
 *     ever saves time, it never decides a different answer;
 *   - the token never reaches a message; SQLite's own copies (page cache,
 *     row values) are wiped by the allocator installed around each lookup,
 *     and sqlite3_shutdown() frees them all before the lookup returns.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "auth/tokencache.h"
#include "gcloud/env.h"
#include "gcloud/props.h"
#include "util/util_str.h"
#include "util/wipe.h"

/* core/universe_domain default */
#define UNIVERSE	"googleapis.com"

/* SQLite's allocator for the time of a lookup: wipe every block freed. */
static void *
wmalloc(int n)
{
	return malloc(n > 0 ? (size_t)n : 1);
}

static int
wsize(void *ptr)
{
	return ptr != NULL ? (int)malloc_usable_size(ptr) : 0;
}

static void *
wrealloc(void *ptr, int n)
{
	size_t old;
	void *q;

	if ((q = wmalloc(n)) == NULL)
		return NULL;
	if (ptr != NULL) {
		old = malloc_usable_size(ptr);
		memcpy(q, ptr, old < (size_t)n ? old : (size_t)n);
		wipe_free(ptr);
	}
	return q;
}

static int
wroundup(int n)
{
	return (n + 7) & ~7;
}

static int
winit(void *unused)
{
	(void)unused;
	return SQLITE_OK;
}

static void
wshutdown(void *unused)
{
	(void)unused;
}

static const sqlite3_mem_methods wiping = {
	wmalloc, wipe_free, wrealloc, wsize, wroundup, winit, wshutdown, NULL
};

const char *
tokencache_unusable(const struct props *p)
{
	const char *v;

	if (nonempty(env_get("CLOUDSDK_AUTH_ACCESS_TOKEN")))
		return "CLOUDSDK_AUTH_ACCESS_TOKEN is set";
	if (nonempty(props_get(p, "auth/access_token_file")))
		return "auth/access_token_file is set";
	if (nonempty(props_get(p, "auth/credential_file_override")))
		return "auth/credential_file_override is set";
	if (nonempty(props_get(p, "auth/impersonate_service_account")))
		return "auth/impersonate_service_account is set";
	if (props_get(p, "auth/token_host") != NULL)
		return "auth/token_host is set";
	if ((v = props_get(p, "core/universe_domain")) != NULL &&
	    strcmp(v, UNIVERSE) != 0)
		return "core/universe_domain is not " UNIVERSE;
	if (props_bool(p, "auth/disable_load_google_auth", 0) != 0)
		return "auth/disable_load_google_auth is set";
	if (props_bool(p, "auth/service_account_use_self_signed_jwt", 0) != 0)
		return "auth/service_account_use_self_signed_jwt is set";
	if (!nonempty(props_get(p, "core/account")))
		return "no core/account";
	if (p->config_dir == NULL)
		return "no gcloud config folder";
	return NULL;
}

/* n decimal digits at s, in [lo, hi]; -1 otherwise. */
static int
digits(const char *s, int n, int lo, int hi)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= lo && v <= hi ? v : -1;
}

/*
 * "YYYY-MM-DD HH:MM:SS[.ffffff]", naive UTC, as Python's sqlite3 adapter
 * writes a datetime; the fraction is dropped (rounding down is the safe
 * side).  -1 for anything else.
 */
static int
parse_expiry(const char *s, size_t n, time_t *out)
{
	struct tm tm;
	size_t i;

	if (n < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	if (n > 19) {
		if (s[19] != '.' || n == 20 || n > 26)
			return -1;
		for (i = 20; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				return -1;
	}
	memset(&tm, 0, sizeof(tm));
	if ((tm.tm_year = digits(s, 4, 1, 9999)) == -1 ||
	    (tm.tm_mon = digits(s + 5, 2, 1, 12)) == -1 ||
	    (tm.tm_mday = digits(s + 8, 2, 1, 31)) == -1 ||
	    (tm.tm_hour = digits(s + 11, 2, 0, 23)) == -1 ||
	    (tm.tm_min = digits(s + 14, 2, 0, 59)) == -1 ||
	    (tm.tm_sec = digits(s + 17, 2, 0, 59)) == -1)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm);
	return 0;
}

/*
 * A database in WAL mode (header bytes 18 and 19 are 2): even a read-only
 * connection creates NAME-wal and NAME-shm next to it, in gcloud's folder.
 * 1 for WAL, 0 for a rollback journal, -1 when unreadable.
 */
static int
walmode(const char *path)
{
	unsigned char h[20];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -1;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n != (ssize_t)sizeof(h) ||
	    memcmp(h, "SQLite format 3", 16) != 0)
		return -1;
	return h[18] == 2 || h[19] == 2;
}

/* "file:" URI of path with ?immutable=1: nothing is locked or created. */
static int
immutable_uri(const char *path, char *uri, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0;
	unsigned char c;

	if (strlcpy(uri, "file:", len) >= len)
		return -1;
	for (i = 5; (c = (unsigned char)*path++) != '\0'; ) {
		if (i + 4 >= len)
			return -1;
		if (c == '/' || c == '.' || c == '-' || c == '_' ||
		    (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
		    (c | 0x20) <= 'z'))
			uri[i++] = (char)c;
		else {
			uri[i++] = '%';
			uri[i++] = hex[c >> 4];
			uri[i++] = hex[c & 15];
		}
	}
	uri[i] = '\0';
	return strlcat(uri, "?immutable=1", len) >= len ? -1 : 0;
}

/*
 * Open read-only, writing nothing: a rollback-journal database as it is;
 * a WAL database only when no -wal file holds newer pages, as immutable
 * (no -shm, no lock); else -1, and config-helper answers instead.
 */
static int
opendb(const char *dir, const char *name, sqlite3 **db)
{
	char path[4096], uri[3 * 4096 + 32];
	struct stat st;
	int wal;

	*db = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path) || (wal = walmode(path)) == -1)
		return -1;
	if (wal) {
		if ((size_t)snprintf(uri, sizeof(uri), "%s-wal", path) >=
		    sizeof(uri) || (stat(uri, &st) == 0 ? st.st_size != 0 :
		    errno != ENOENT) ||
		    immutable_uri(path, uri, sizeof(uri)) != 0)
			return -1;
		if (sqlite3_open_v2(uri, db, SQLITE_OPEN_READONLY |
		    SQLITE_OPEN_URI, NULL) != SQLITE_OK)
			return -1;
	} else if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(*db, TOKENCACHE_BUSY_MS);
	return 0;
}

/*
 * The credential gcloud would load: exactly one row for the account in the
 * default universe, of a type whose cached token gcloud uses as it is.
 */
static const char *
credential_ok(sqlite3 *db, const char *account)
{
	static const char q[] = "SELECT account_id, "
	    "json_extract(value, '$.type'), "
	    "json_extract(value, '$.universe_domain') FROM \"credentials\" "
	    "WHERE account_id = ?1 OR account_id LIKE ?1 || '#%'";
	const char *why = "no credential for the account in credentials.db";
	const char *id, *type, *uni;
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_ERROR;

	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC) != SQLITE_OK) {
		why = "credentials.db cannot be read";
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = (const char *)sqlite3_column_text(st, 0);
		type = (const char *)sqlite3_column_text(st, 1);
		uni = (const char *)sqlite3_column_text(st, 2);
		if (id == NULL || strcmp(id, account) != 0) {
			why = "the account has credentials in other universes";
			break;
		}
		if (type == NULL || (strcmp(type, "authorized_user") != 0 &&
		    strcmp(type, "service_account") != 0))
			why = "the credential is of an unfamiliar type";
		else if (uni != NULL && strcmp(uni, UNIVERSE) != 0)
			why = "the credential is of another universe";
		else
			why = NULL;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		why = "credentials.db cannot be read";
out:
	sqlite3_finalize(st);
	return why;
}

/* Copy a token fit for an HTTP header; -1 for anything else. */
static int
copytoken(const unsigned char *s, int n, char **tok, size_t *len)
{
	int i;

	if (s == NULL || n <= 0)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f)
			return -1;
	if ((*tok = malloc((size_t)n + 1)) == NULL)
		return -1;
	memcpy(*tok, s, n);
	(*tok)[n] = '\0';
	*len = n;
	return 0;
}

/* gcloud's own AccessTokenCache.Load() query, then the expiry rule. */
static const char *
cached_token(sqlite3 *db, const char *account, time_t now, long margin,
    char **tok, size_t *len)
{
	static const char q[] = "SELECT access_token, token_expiry, "
	    "rapt_token, id_token FROM \"access_tokens\" WHERE account_id = ?";
	const char *why = "access_tokens.db cannot be read";
	sqlite3_stmt *st = NULL;
	time_t exp;
	int rc;

	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC) != SQLITE_OK)
		goto out;
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		why = "no cached token for the account";
		goto out;
	}
	if (rc != SQLITE_ROW)
		goto out;
	why = "the cached token has no expiry gcloud can read";
	if (sqlite3_column_type(st, 1) != SQLITE_TEXT ||
	    parse_expiry((const char *)sqlite3_column_text(st, 1),
	    sqlite3_column_bytes(st, 1), &exp) != 0)
		goto out;
	why = "the cached token expires within the margin: gcloud refreshes it";
	if (exp - now <= margin)
		goto out;
	why = "the cached token is not usable";
	if (sqlite3_column_type(st, 0) != SQLITE_TEXT ||
	    copytoken(sqlite3_column_text(st, 0), sqlite3_column_bytes(st, 0),
	    tok, len) != 0)
		goto out;
	why = NULL;
out:
	sqlite3_finalize(st);
	return why;
}

int
tokencache_lookup(const char *dir, const char *account, time_t now,
    long margin, char **tok, size_t *len, const char **why)
{
	sqlite3 *cred = NULL, *cache = NULL;

	*tok = NULL;
	*len = 0;
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &wiping) != SQLITE_OK) {
		*why = "SQLite is in use elsewhere in this process";
		return -1;
	}
	if (opendb(dir, "credentials.db", &cred) != 0)
		*why = "credentials.db cannot be opened";
	else if ((*why = credential_ok(cred, account)) != NULL)
		;
	else if (opendb(dir, "access_tokens.db", &cache) != 0)
		*why = "access_tokens.db cannot be opened";
	else
		*why = cached_token(cache, account, now, margin, tok, len);
	sqlite3_close(cache);
	sqlite3_close(cred);
	sqlite3_shutdown();
	return *why == NULL ? 0 : -1;
}

/*
 * For the metadata credentials (metadata.c): is `account` in gcloud's
 * credential store at all, in any universe?  1 yes, 0 no (no
 * credentials.db counts as no: gcloud would create an empty one), -1 when
 * it cannot be read.
 */
int
tokencache_stored(const char *dir, const char *account)
{
	static const char q[] = "SELECT count(*) FROM \"credentials\" "
	    "WHERE account_id = ?1 OR account_id LIKE ?1 || '#%'";
	char path[4096];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/credentials.db", dir) >=
	    sizeof(path))
		return -1;
	if (access(path, F_OK) == -1)
		return errno == ENOENT ? 0 : -1;
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &wiping) != SQLITE_OK)
		return -1;
	if (opendb(dir, "credentials.db", &db) == 0 &&
	    sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	sqlite3_shutdown();
	return rc;
}

/*
 * The token access_tokens.db holds for `account` when gcloud would hand
 * it out without a refresh (valid more than `margin` seconds after
 * `now`): 0 with it in *tok (the caller wipes and frees it); 1 when
 * gcloud would refresh instead (no database, no row, or expiring); -1
 * when the database cannot be read as gcloud reads it.
 */
int
tokencache_cached(const char *dir, const char *account, time_t now,
    long margin, char **tok, size_t *len)
{
	char path[4096];
	sqlite3 *db = NULL;
	const char *why;
	int rc;

	*tok = NULL;
	*len = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/access_tokens.db",
	    dir) >= sizeof(path))
		return -1;
	if (access(path, F_OK) == -1)
		return errno == ENOENT ? 1 : -1;
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &wiping) != SQLITE_OK)
		return -1;
	if (opendb(dir, "access_tokens.db", &db) != 0)
		rc = -1;
	else if ((why = cached_token(db, account, now, margin, tok,
	    len)) == NULL)
		rc = 0;
	else
		rc = strncmp(why, "no cached token", 15) == 0 ||
		    strncmp(why, "the cached token expires", 24) == 0 ? 1 : -1;
	sqlite3_close(db);
	sqlite3_shutdown();
	return rc;
}

/*
 * gcloud stores the metadata credential it used (store.py _Load(): type
 * "gce", its service_account_email, its universe_domain) and loads it from
 * there afterwards.  1 when credentials.db holds exactly that for
 * `account` in the default universe and nothing for it in another; 0
 * otherwise; -1 when it cannot be read.
 */
int
tokencache_gce(const char *dir, const char *account)
{
	static const char q[] = "SELECT account_id, "
	    "json_extract(value, '$.type'), "
	    "json_extract(value, '$.service_account_email'), "
	    "json_extract(value, '$.universe_domain') FROM \"credentials\" "
	    "WHERE account_id = ?1 OR account_id LIKE ?1 || '#%'";
	const char *id, *type, *sa, *uni;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1, step, found = 0, other = 0;

	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &wiping) != SQLITE_OK)
		return -1;
	if (opendb(dir, "credentials.db", &db) != 0 ||
	    sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC) != SQLITE_OK)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		id = (const char *)sqlite3_column_text(st, 0);
		type = (const char *)sqlite3_column_text(st, 1);
		sa = (const char *)sqlite3_column_text(st, 2);
		uni = (const char *)sqlite3_column_text(st, 3);
		if (id == NULL || strcmp(id, account) != 0 || type == NULL ||
		    strcmp(type, "gce") != 0 || sa == NULL ||
		    strcmp(sa, account) != 0 ||
		    (uni != NULL && strcmp(uni, UNIVERSE) != 0))
			other = 1;
		else
			found = 1;
	}
	if (step == SQLITE_DONE)
		rc = found && !other;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	sqlite3_shutdown();
	return rc;
}
