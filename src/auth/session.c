/*
 * session.c - the credentials session of the check and the audit
 * (session.h): the deadline, the non-dumpable guard, the token, the
 * transport settings, and the wipe.
 */
#include <sys/prctl.h>

#include <string.h>

#include "auth/session.h"
#include "util/util_time.h"

/*
 * The one place the token is obtained: the config-helper (if gcloud must
 * mint it) runs inside the session's deadline.
 */
static int
obtain_token(struct session *s, const struct props *p,
    const struct deploy_args *a, const char *gcloud, long timeout_ms,
    char *err, size_t errlen)
{
	token_set_timeout(timeout_ms);
	if (token_acquire(p, a, gcloud, &s->token, err, errlen) != 0)
		return -1;
	s->have_token = 1;
	return 0;
}

int
session_open(struct session *s, const struct props *p,
    const struct deploy_args *a, const char *gcloud, long timeout_ms,
    char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->deadline = now_ms() + timeout_ms;
	prctl(PR_SET_DUMPABLE, 0);	/* before the token exists */
	if (obtain_token(s, p, a, gcloud, timeout_ms, err, errlen) != 0)
		return -1;
	return transport_load(p, s->token.user_creds, &s->settings, err,
	    errlen);
}

long
session_left(const struct session *s)
{
	return s->deadline - now_ms();
}

void
session_close(struct session *s)
{
	/* the proxy may hold a password */
	explicit_bzero(s->settings.proxy, sizeof(s->settings.proxy));
	token_free(&s->token);
	s->have_token = 0;
}
