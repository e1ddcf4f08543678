/*
 * apierror.h - what a Google API answered, when it was not a success:
 * google.rpc.Status errors ({"error": {"code", "message", "status",
 * "details": [{"@type": ".../google.rpc.ErrorInfo", "reason",
 * "metadata": {"service"}}]}}), answers that are not JSON, and answers
 * that never came.  Every string is copied without control characters.
 *
 * Steps for a caller (the one decoder of every Google API answer):
 *   1. after fetch_all(), root = apierror_decode(&e, &f, token): the JSON
 *      object of a 2xx answer, or NULL with e saying why not (no answer,
 *      not a JSON object, or the error of a non-2xx answer);
 *      from a status and a body alone: apierror_answer(&e, code, body,
 *      len), the same without the transport and the scrub;
 *   2. read root, then cJSON_Delete(root).
 * The pieces (apierror_transport(), apierror_parse(), apierror_status(),
 * apierror_scrub()) are for a caller that must look between them.
 */
#ifndef APIERROR_H
#define APIERROR_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "net/fetch.h"

struct api_error {
	long	http_code;		/* 0 when no HTTP answer */
	char	status_name[40];	/* "PERMISSION_DENIED", or "" */
	char	reason[64];		/* ErrorInfo reason, or "" */
	char	service[96];		/* ErrorInfo metadata.service, or "" */
	char	message[512];		/* the server's message, or ours */
};

void apierror_clear(struct api_error *e);

/*
 * Copy a string from the network: no control characters survive, and a
 * string that holds the token registered with apierror_secret() is
 * replaced before anything is cut or changed (a message buffer says so,
 * a shorter field is left empty).
 */
void apierror_copy(char *dst, size_t dlen, const char *src);

/*
 * Register the token being used (NULL: none); token_acquire() and
 * token_free() do it.  The pointer is kept, not a copy.
 */
void apierror_secret(const char *token);

/*
 * The body as a JSON object (strict: no trailing bytes, no NUL), or NULL
 * with e->message describing it (empty, an HTML page, not JSON, not an
 * object).  Sets e->http_code.
 */
cJSON *apierror_parse(struct api_error *e, long code, const char *body,
    size_t len);

/* Fill e from the {"error": ...} object of root. */
void apierror_status(struct api_error *e, const cJSON *root);

/*
 * Fill e for a fetch that brought no usable answer (transport error, or a
 * body over the cap); never with the token, which is checked for.
 * Returns 1 when that was the case, 0 when f has an answer to decode.
 */
int apierror_transport(struct api_error *e, const struct fetch *f,
    const char *token);

/* Replace a message that contains the token (a server may echo it). */
void apierror_scrub(struct api_error *e, const char *token);

/*
 * The JSON object of a 2xx answer (the caller deletes it), or NULL with e
 * filled: apierror_parse(), then apierror_status() for a non-2xx answer.
 */
cJSON *apierror_answer(struct api_error *e, long code, const char *body,
    size_t len);

/*
 * apierror_answer() of a fetch, after apierror_transport(); e is
 * scrubbed of token either way.
 */
cJSON *apierror_decode(struct api_error *e, const struct fetch *f,
    const char *token);

#endif
