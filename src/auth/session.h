/*
 * session.h - one credentials session, the same for the check and the
 * audit: the deadline starts, the process stops being dumpable, the token
 * gcloud would use is obtained, the transport settings are loaded; at the
 * end the token and the proxy (which may hold a password) are wiped.
 *
 * MUST rules for this module:
 *   - the process is not dumpable before the token is obtained, so no
 *     core file can carry it;
 *   - session_close() wipes the token and the proxy on every path, after
 *     any session_open(), whatever it returned.
 *
 * Steps for a caller:
 *   1. session_open(&s, &props, a, gcloud, timeout_ms, err, errlen): 0, or
 *      -1 with a message (never the token) in err; s.have_token says
 *      whether the token was obtained before a later step failed;
 *   2. requests with s.token.value, s.settings and session_left(&s);
 *   3. session_close(&s).
 */
#ifndef SESSION_H
#define SESSION_H

#include <stddef.h>

#include "argv/cli.h"
#include "auth/token.h"
#include "gcloud/props.h"
#include "gcloud/transport.h"

struct session {
	long			 deadline;	/* now_ms() (util_time.h) */
	struct token		 token;		/* secret while open */
	int			 have_token;	/* token_acquire() succeeded */
	struct transport	 settings;	/* endpoint, CA, proxy,
						 * quota project */
};

int session_open(struct session *s, const struct props *p,
    const struct deploy_args *a, const char *gcloud, long timeout_ms,
    char *err, size_t errlen);

/* Milliseconds left before the deadline (<= 0 when it has passed). */
long session_left(const struct session *s);

void session_close(struct session *s);

#endif
