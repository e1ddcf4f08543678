/*
 * token.h - the principal gcloud deploys as, and its access token.
 *
 * gcloud's order (SPEC section 4): CLOUDSDK_AUTH_ACCESS_TOKEN, then
 * auth/access_token_file, then the stored credentials of core/account,
 * then the metadata server; impersonation (auth/impersonate_service_account,
 * a comma-separated chain whose last entry is the principal) wraps all of
 * them.  Where gcloud itself must mint the token (stored credentials,
 * impersonation, the metadata server), the real gcloud is asked through
 * `gcloud config config-helper --format=json` with the same identity flags
 * and the same environment.
 *
 * MUST rules for this module:
 *   - the token never reaches a file, a log, an argument list, an
 *     environment variable or an error message;
 *   - token_free() wipes it with explicit_bzero() on every path;
 *   - a helper's output is read through a pipe into memory that is wiped too.
 */
#ifndef TOKEN_H
#define TOKEN_H

#include <stddef.h>

#include "argv/cli.h"
#include "auth/principal.h"
#include "gcloud/props.h"

struct token {
	char			*value;	/* NUL-terminated, secret */
	size_t			 len;
	struct principal	 who;
	const char		*source;	/* static text for the report */
	int			 user_creds;	/* gcloud counts it as a user
						 * account's credential (stored
						 * user credentials, not
						 * impersonated): the default
						 * quota project then applies */
};

/*
 * The principal the settings name, without running anything (plan mode,
 * and the principal of a token from the environment or a file).
 */
void token_principal(const struct props *p, struct principal *who);

/*
 * Would gcloud count the credential as a user account's (the stored
 * credentials of a user core/account, not impersonated, no raw token)?
 * Decides the default quota project without running anything.
 */
int token_user_creds(const struct props *p);

/*
 * The fast path of token_acquire(): gcloud's own access token cache
 * (tokencache.h).  0 with t filled as the config-helper path would fill
 * it (principal, user_creds, source TOKENCACHE_SOURCE); -1 and t
 * untouched when the cache cannot be used.
 */
int token_cached(const struct props *p, struct token *t);

/*
 * Get the token gcloud would use for the command line `a`.  `gcloud` is the
 * real gcloud's absolute path, used only when gcloud must mint the token.
 * Returns 0, or -1 with a message (never the token) in err.
 */
int token_acquire(const struct props *p, const struct deploy_args *a,
    const char *gcloud, struct token *t, char *err, size_t errlen);

/*
 * How long `gcloud config config-helper` may run before it is killed
 * (default 60 s; ms <= 0 restores the default).
 */
void token_set_timeout(long ms);

/* Wipe and free; safe on a zeroed or already freed token. */
void token_free(struct token *t);

#endif
