/*
 * hint.h - what to do next: every piece of remediation text the program
 * writes (grant commands, 'gcloud auth login', enabling an API, the
 * network settings, --preflight=warn, GCLOUD_RUN_DEPLOY_TIMEOUT...),
 * written here and nowhere else.  Each function writes one hint from the
 * facts it is given; nothing here decides whether a hint is due.
 *
 * Three forms, as the messages around them need:
 *   - hint lines, "hint: ..." on stderr (hint_line(), the audit's hints,
 *     hint_way_out()): after an ERROR: line, like git's advise();
 *   - blocks under an entry of the text report, indented two spaces
 *     ("To grant it, run:", hint_ar_error(), hint_network());
 *   - clauses inside a message built elsewhere (HINT_* below): an error
 *     string that also reaches the JSON report or `err`.
 *
 * Steps for a caller: pick the function for the fact at hand and give it
 * the stream or buffer; a grant command needs an Artifact Registry or
 * Container Registry reference (hint_grant_line() is -1 otherwise).
 */
#ifndef HINT_H
#define HINT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "util/hinttext.h"

/* Only pointers to these. */
struct api_error;
struct imageref;
struct principal;
struct run_read;


/* "hint: " and the message, one line on stderr (any progress line ends). */
void hint_line(const char *fmt, ...)
    __attribute__((__format__(__printf__, 1, 2)));
void hint_vline(const char *fmt, va_list ap)
    __attribute__((__format__(__printf__, 1, 0)));

/*
 * The command that grants `member` roles/artifactregistry.reader on ref's
 * repository, with `sep` between --project and --location (" ", or a
 * continuation).  -1 when ref is not in Artifact Registry or buf is short.
 */
int hint_grant_line(const char *member, const struct imageref *ref,
    const char *sep, char *buf, size_t len);

/*
 * "To grant it, run:" and that command for `who`, ready to paste; when
 * the principal is unknown, MEMBER and a note on whose it is (`whose`).
 */
void hint_grant(FILE *f, const struct principal *who,
    const struct imageref *ref, const char *whose);

/*
 * The grant command for a Cloud Run service agent (`member`; NULL or ""
 * when its project number is unknown: a placeholder stands for it).
 */
void hint_agent_grant_line(const char *member, const struct imageref *ref,
    const char *sep, char *buf, size_t len);

/*
 * "To grant it, run:" for the service agent; `block_note`: say that
 * --preflight-service-agent=block makes a missing grant stop the deploy.
 */
void hint_agent_grant(FILE *f, const char *member,
    const struct imageref *ref, int block_note);

/*
 * The block under an Artifact Registry error that has a known fix: the
 * API disabled in `project`, an expired token, an unusable quota project,
 * no answer at all.  Nothing for other errors.
 */
void hint_ar_error(FILE *f, const struct api_error *e, const char *project);

/* The block under an answer that never came: network, proxy, CA file. */
void hint_network(FILE *f);

/* The block under a manifest the registry does not have. */
void hint_tags(FILE *f, const char *domain, const char *path);

/*
 * The way out of a check that could not finish, as hint lines on `f`:
 * a longer GCLOUD_RUN_DEPLOY_TIMEOUT when it timed out (`timeout`, with
 * the deadline in seconds), and --preflight=warn.
 */
void hint_way_out(FILE *f, int timeout, long seconds);

/*
 * A deployed resource that could not be read, in words: the cause and
 * what to do (an expired token, the network, the permission to read it).
 */
void hint_run_error(const struct run_read *d, char *buf, size_t len);

/*
 * The hint lines after an audit that could not read the logs of
 * `project`: the Logging API, the quota project, the token, the
 * permission, the network (`asked`: an endpoint was reached for).
 */
void hint_audit(const struct api_error *e, const char *project, int asked);

/* After an audit that failed at its deadline (`seconds`): a longer one. */
void hint_audit_late(long seconds);

/* After the audit's groups of refused deploys: what stops them. */
void hint_audit_found(FILE *f);

/* The hint line after "no gcloud to hand over to": install it, or name it. */
void hint_no_gcloud(void);

/*
 * The hint line after 'run WORD' given to the deploy alias (a service
 * named 'run'): the alias's syntax, and the wrapper's gcloud for `word`.
 */
void hint_run_verb(const char *word);

/*
 * The hint line after a command whose words or flags may sit in a flags
 * file the shim cannot read: where to put them, or --preflight=warn.
 */
void hint_command_unread(void);

/* The report's note when the Cloud Run API is disabled in the project. */
extern const char hint_run_disabled[];

#endif
