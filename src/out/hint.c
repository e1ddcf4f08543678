/*
 * hint.c - the remediation text: what the user does next, given the
 * facts.  The words are kept exactly as the messages have them (tests and
 * scripts read them); a new hint is added here, not where it is shown.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/imageref.h"
#include "api/runclient.h"
#include "api/svcagent.h"
#include "auth/principal.h"
#include "net/apierror.h"
#include "out/hint.h"
#include "out/progress.h"
#include "util/sanitize.h"

#define READER		"roles/artifactregistry.reader"
#define LOGIN		"'gcloud auth login'"
#define REFRESH		"refresh the token in " \
	"CLOUDSDK_AUTH_ACCESS_TOKEN or the access token file"
/* Phrases said in more than one form (a sentence, a clause). */
#define NETWORK		"the network, the proxy settings (proxy/* " \
	"properties) and core/custom_ca_certs_file"
#define QUOTA		"quota project (--billing-project or " \
	"billing/quota_project) cannot be used by this principal"
#define EXPIRED		"access token has expired or is not valid"

void
hint_vline(const char *fmt, va_list ap)
{
	progress_stop();
	fputs("hint: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
hint_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hint_vline(fmt, ap);
	va_end(ap);
}

int
hint_grant_line(const char *member, const struct imageref *ref,
    const char *sep, char *buf, size_t len)
{
	char q[4][1024];
	int n;

	if (ref->kind != IMAGEREF_AR && ref->kind != IMAGEREF_GCR)
		return -1;
	/* Every value is one shell word, whatever its bytes. */
	if (san_shell_quote(ref->repository, q[0], sizeof(q[0])) != 0 ||
	    san_shell_quote(ref->project, q[1], sizeof(q[1])) != 0 ||
	    san_shell_quote(ref->location, q[2], sizeof(q[2])) != 0 ||
	    san_shell_quote(member, q[3], sizeof(q[3])) != 0)
		return -1;
	n = snprintf(buf, len, "gcloud artifacts repositories "
	    "add-iam-policy-binding %s --project=%s%s--location=%s "
	    "--member=%s --role=" READER, q[0], q[1], sep, q[2], q[3]);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

void
hint_grant(FILE *f, const struct principal *who, const struct imageref *ref,
    const char *whose)
{
	char member[400], line[1200], note[600];

	if (principal_grant_member(who, member, sizeof(member)) != 0)
		strlcpy(member, "MEMBER", sizeof(member));
	if (hint_grant_line(member, ref, " \\\n    ", line,
	    sizeof(line)) != 0)
		return;
	fprintf(f, "To grant it, run:\n  %s\n", line);
	if (who->kind == PRINCIPAL_UNKNOWN)
		fprintf(f, "  (MEMBER: user:EMAIL or serviceAccount:EMAIL of "
		    "%s)\n", whose);
	/* why, or what the member stands for */
	if (who->note[0] != '\0')
		fprintf(f, "  (%s)\n", san_shown(who->note, note,
		    sizeof(note)));
}

void
hint_agent_grant_line(const char *member, const struct imageref *ref,
    const char *sep, char *buf, size_t len)
{
	hint_grant_line(member != NULL && *member ? member :
	    "serviceAccount:service-PROJECT_NUMBER@" SVCAGENT_DOMAIN, ref, sep,
	    buf, len);
}

void
hint_agent_grant(FILE *f, const char *member, const struct imageref *ref,
    int block_note)
{
	char buf[1200];

	hint_agent_grant_line(member, ref, " \\\n    ", buf, sizeof(buf));
	fprintf(f, "To grant it, run:\n  %s\n", buf);
	if (block_note)
		fprintf(f, "  (--preflight-service-agent=block makes this stop "
		    "the deploy, for a CI gate)\n");
}

void
hint_network(FILE *f)
{
	fprintf(f, "  Check " NETWORK ".\n");
}

void
hint_ar_error(FILE *f, const struct api_error *e, const char *project)
{
	if (strcmp(e->reason, "SERVICE_DISABLED") == 0)
		fprintf(f, "  The Artifact Registry API is not enabled for "
		    "the project. Enable it with:\n  gcloud services enable "
		    "artifactregistry.googleapis.com --project=%s\n", project);
	else if (strcmp(e->reason, "ACCESS_TOKEN_EXPIRED") == 0 ||
	    e->http_code == 401)
		fprintf(f, "  The " EXPIRED ". Log in again with " LOGIN
		    "\n  (or " REFRESH ").\n");
	else if (strcmp(e->reason, "USER_PROJECT_DENIED") == 0)
		fprintf(f, "  The " QUOTA ";\n  it needs "
		    "roles/serviceusage.serviceUsageConsumer there, or unset "
		    "the quota project.\n");
	else if (e->http_code == 0)
		hint_network(f);
}

void
hint_tags(FILE *f, const char *domain, const char *path)
{
	fprintf(f, "  Check the tag or digest; 'gcloud artifacts docker tags "
	    "list %s/%s' lists the tags.\n", domain, path);
}

void
hint_way_out(FILE *f, int timeout, long seconds)
{
	if (timeout)
		fprintf(f, "hint: the check gave up at its deadline of %ld s; "
		    "GCLOUD_RUN_DEPLOY_TIMEOUT=SECONDS gives it longer\n",
		    seconds);
	fprintf(f, "hint: the check could not finish, so gcloud did not run; "
	    "to deploy anyway,\n  with this report as a warning: "
	    "--preflight=warn (or GCLOUD_RUN_DEPLOY_PREFLIGHT=warn)\n");
}

void
hint_run_error(const struct run_read *d, char *buf, size_t len)
{
	const struct api_error *e = &d->e;
	const char *what = d->kind == RUN_JOB ? "job" :
	    d->kind == RUN_WORKER_POOL ? "worker pool" : "service";

	if (e->http_code == 401 ||
	    strcmp(e->reason, "ACCESS_TOKEN_EXPIRED") == 0)
		snprintf(buf, len, "cannot read %s '%s' from Cloud Run (HTTP "
		    "401): the " EXPIRED "; log in again with " LOGIN ", or "
		    REFRESH, what, d->name);
	else if (e->http_code == 0)
		snprintf(buf, len, "cannot reach Cloud Run to read %s '%s': "
		    "%s; check " NETWORK, what, d->name, e->message);
	else if (e->http_code == 403)
		snprintf(buf, len, "Cloud Run refused to show %s '%s' (HTTP "
		    "403: %s): reading it needs run.%s.get (roles/run.viewer), "
		    "to find the images an update keeps", what, d->name,
		    e->message, d->kind == RUN_JOB ? "jobs" :
		    d->kind == RUN_WORKER_POOL ? "workerPools" : "services");
	else
		snprintf(buf, len, "cannot read %s '%s' from Cloud Run (HTTP "
		    "%ld): %s", what, d->name, e->http_code, e->message);
}

void
hint_audit(const struct api_error *e, const char *project, int asked)
{
	if (strcmp(e->reason, "SERVICE_DISABLED") == 0)
		hint_line("the Cloud Logging API is not enabled; enable it "
		    "with: gcloud services enable %s --project=%s",
		    e->service[0] ? e->service : "logging.googleapis.com",
		    project);
	else if (strcmp(e->reason, "USER_PROJECT_DENIED") == 0)
		hint_line("the " QUOTA);
	else if (e->http_code == 401 ||
	    strcmp(e->reason, "ACCESS_TOKEN_EXPIRED") == 0)
		hint_line("the " EXPIRED ": log in again with " LOGIN);
	else if (e->http_code == 403)
		hint_line("reading audit logs needs logging.logEntries.list "
		    "on project '%s' (roles/logging.viewer)", project);
	else if (e->http_code == 0 && asked)
		hint_line("check " NETWORK);
}

void
hint_audit_late(long seconds)
{
	hint_line("the audit gave up at its deadline of %ld s; "
	    "GCLOUD_RUN_DEPLOY_TIMEOUT=SECONDS gives it longer", seconds);
}

void
hint_audit_found(FILE *f)
{
	fprintf(f, "\nSince 2025-01-15 Cloud Run refuses these deploys: grant "
	    READER "\nas above (or run gcloud-run-deploy before each "
	    "deploy).\n");
}

void
hint_no_gcloud(void)
{
	hint_line("install the Google Cloud CLI, or " HINT_SET_GCLOUD
	    " to its absolute path");
}

void
hint_run_verb(const char *word)
{
	hint_line("gcloud-run-deploy SERVICE --image=IMAGE ...; for other "
	    "commands (run %s ...), the gcloud of the wrapper: "
	    "libexec/gcloud-run-deploy/gcloud", word);
}

void
hint_command_unread(void)
{
	hint_line("put the command words (run deploy ...), --image and "
	    "--platform on the command line, the rest in a regular flags "
	    "file within the limits; or pass --preflight=warn");
}

const char hint_run_disabled[] = "the Cloud Run API is not enabled in the "
    "project: nothing is deployed there, only the named images were "
    "checked";
