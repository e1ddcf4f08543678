/*
 * tokencache.h - the access token gcloud has cached for core/account, read
 * from CLOUDSDK_CONFIG/access_tokens.db when, and only when, gcloud itself
 * would hand out that token without refreshing it.  Saves the ~1 s that
 * `gcloud config config-helper` takes to start in the stored-credentials
 * case; anything unexpected means "not found", and the caller asks
 * config-helper as before.
 *
 * What gcloud 528 does (core/credentials/store.py, creds.py):
 *   - store._Load(): with no CLOUDSDK_AUTH_ACCESS_TOKEN, auth/access_token_file
 *     or auth/credential_file_override (and no impersonation, which wraps
 *     everything), the credential of core/account comes from
 *     CredentialStoreWithCache: credentials.db, table "credentials"
 *     (account_id TEXT PRIMARY KEY, value BLOB holding the credential's JSON),
 *     rows `account_id = ACCOUNT OR account_id LIKE 'ACCOUNT#%'`, the one
 *     whose universe (after '#', default googleapis.com) is
 *     core/universe_domain; then AccessTokenStoreGoogleAuth.Get() fills in
 *     the token from access_tokens.db, table "access_tokens" (account_id TEXT
 *     PRIMARY KEY, access_token TEXT, token_expiry TIMESTAMP, rapt_token
 *     TEXT, id_token TEXT), keyed by ACCOUNT in the default universe.
 *   - token_expiry is Python's str() of a naive UTC datetime,
 *     "YYYY-MM-DD HH:MM:SS[.ffffff]".  RefreshIfAlmostExpire() refreshes when
 *     the expiry is missing or within 300 s (_CREDENTIALS_EXPIRY_WINDOW);
 *     config-helper does the same with its default --min-expiry=0s after
 *     Load().  rapt_token and id_token matter only to a refresh.
 *   - Scopes are not part of the key: one token per account.
 *   - A service account key uses a self-signed JWT instead of the cached
 *     token when auth/service_account_use_self_signed_jwt is true or the
 *     universe is not the default one.
 *
 * MUST rules: the databases are opened read-only and never written; the
 * token is copied into memory the caller wipes, and every byte SQLite
 * allocated is wiped before it is freed (a wiping allocator is installed
 * for the time of a lookup).
 */
#ifndef TOKENCACHE_H
#define TOKENCACHE_H

#include <stddef.h>
#include <time.h>

#include "gcloud/props.h"

#define TOKENCACHE_SOURCE	"gcloud's access token cache"
/* s; store.py _CREDENTIALS_EXPIRY_WINDOW */
#define TOKENCACHE_MARGIN	300
/* then config-helper, which waits 5 s */
#define TOKENCACHE_BUSY_MS	200

/*
 * NULL when gcloud's settings are those of the stored-credentials path with
 * nothing unfamiliar (no raw token, token file, credential file override,
 * impersonation, auth/token_host, other universe, oauth2client or
 * self-signed JWT mode, and a core/account); else a static reason.
 */
const char *tokencache_unusable(const struct props *p);

/*
 * The cached token of `account` under the gcloud config folder `dir`, when
 * gcloud would use it at time `now` without refreshing: still valid more
 * than `margin` seconds later.  0 with a malloc'ed, NUL-terminated copy in
 * *tok (the caller wipes and frees it) and its length in *len; -1 with a
 * static reason in *why (never the token) otherwise.
 */
int tokencache_lookup(const char *dir, const char *account, time_t now,
    long margin, char **tok, size_t *len, const char **why);

/*
 * For the metadata credentials (metadata.c): 1 when `account` has a
 * credential in credentials.db (any universe), 0 when not, -1 when that
 * cannot be read.
 */
int tokencache_stored(const char *dir, const char *account);

/*
 * access_tokens.db's token for `account` when gcloud would use it without
 * a refresh: 0 with a malloc'ed copy in *tok (wipe and free it), 1 when
 * gcloud would refresh instead, -1 when the database cannot be read.
 */
/*
 * 1 when credentials.db holds for `account` just the metadata credential
 * gcloud stores after using it (type "gce", that service account, default
 * universe); 0 otherwise; -1 when it cannot be read.
 */
int tokencache_gce(const char *dir, const char *account);

int tokencache_cached(const char *dir, const char *account, time_t now,
    long margin, char **tok, size_t *len);

#endif
