/*
 * outcome.c - where the report goes and what it says about itself: the
 * JSON report's destination (stdout is gcloud's whenever gcloud runs), the
 * cause of an unfinished check and the way out of it, the note on what a
 * run did not check, and Cloud Run's errors in words.
 */
#include <stdio.h>
#include <string.h>

#include "out/report.h"

/* How a skipped manifest's detail starts: said once by the result. */
#define GRANTED		"read access granted; "

static long	setup_timeout_ms = 30 * 1000;
static int	setup_agent_block;

void
report_setup(const struct env *c)
{
	setup_timeout_ms = c->timeout_ms;
	setup_agent_block = c->agent_block;
}

int
report_agent_block(void)
{
	return setup_agent_block;
}

void
report_json_out(const struct env *c, enum preflight_mode mode,
    enum report_format fmt, const struct report *r)
{
	if (c->report != NULL)
		report_json(c->report, r);
	if (fmt != FORMAT_JSON)
		return;
	if (mode == PREFLIGHT_ONLY || mode == PREFLIGHT_PLAN)
		report_json(stdout, r);
	else if (c->report == NULL)
		report_json(stderr, r);
}

int
report_agent_risk(const struct report *r, int missing_only)
{
	const struct svcagent_check *sa;
	size_t i;

	for (i = 0; i < r->n; i++)
		if ((sa = report_after(r, &r->images[i])->sa) != NULL &&
		    (sa->result == SVCAGENT_MISSING ||
		    (!missing_only && sa->result == SVCAGENT_UNKNOWN)))
			return 1;
	return 0;
}

/* An API's error as a cause word. */
static const char *
api_cause(const struct api_error *e)
{
	if (strcmp(e->reason, "SERVICE_DISABLED") == 0)
		return "api-disabled";
	if (strcmp(e->reason, "ACCESS_TOKEN_EXPIRED") == 0 ||
	    e->http_code == 401)
		return "credentials";
	if (strcmp(e->reason, "USER_PROJECT_DENIED") == 0)
		return "quota-project";
	if (e->http_code == 0)
		return strstr(e->message, "timed out") != NULL ? "timeout" :
		    "network";
	return "api-error";
}

/* A message of ours (token, properties, deployed resource) as a cause. */
static const char *
text_cause(const char *m)
{
	if (strstr(m, "timed out") != NULL ||
	    strstr(m, "did not finish within") != NULL)
		return "timeout";
	if (strstr(m, "cannot reach") != NULL ||
	    strstr(m, "resolve host") != NULL)
		return "network";
	if (strstr(m, "token") != NULL || strstr(m, "credential") != NULL ||
	    strstr(m, "config-helper") != NULL)
		return "credentials";
	if (strstr(m, "Cloud Run") != NULL)
		return "api-error";
	return "check-failed";
}

const char *
report_cause(const struct report *r, const char **message)
{
	static char buf[1400];
	const char *last = report_last_error(), *cause = NULL;
	const char *unchecked = NULL;
	const struct report_image *im;
	const struct registry_query *x;
	size_t i;

	for (i = 0; i < r->n && cause == NULL; i++) {
		im = &r->images[i];
		if (im->result == RESULT_UNCHECKED) {	/* no reference */
			if (unchecked == NULL)
				unchecked = im->detail;
			continue;
		}
		x = report_after(r, im)->ex;
		if (im->ref.kind == IMAGEREF_INVALID)
			cause = "invalid-image";
		else if (x != NULL && x->status == REGISTRY_MISSING)
			cause = "image-not-found";
		else if (im->result == RESULT_ERROR && im->q != NULL &&
		    im->q->status == AR_ERROR)
			cause = api_cause(&im->q->e);
		else if (im->result == RESULT_ERROR && x != NULL)
			cause = x->http_code == 0 ? "network" : "api-error";
		if (cause != NULL && *last == '\0') {
			snprintf(buf, sizeof(buf), "cannot check image '%s': "
			    "%s", im->image, im->q != NULL &&
			    im->q->status == AR_ERROR ? im->q->e.message :
			    x != NULL ? x->detail : im->ref.kind ==
			    IMAGEREF_INVALID && im->ref.error != NULL ?
			    im->ref.error : "no answer");
			last = buf;
		}
	}
	/* only mode: a partial check is not a pass (decide() in preflight.c) */
	if (cause == NULL && *last == '\0' && unchecked != NULL) {
		*message = unchecked;
		return "unchecked";
	}
	if (cause == NULL)
		cause = *last != '\0' ? text_cause(last) : "check-failed";
	*message = *last != '\0' ? last : "the check could not finish";
	return cause;
}

static void
add(char *buf, size_t len, const char *s)
{
	if (*buf != '\0')
		strlcat(buf, "; ", len);
	strlcat(buf, s, len);
}

int
report_no_credentials(const struct report *r)
{
	const char *t = env_get("CLOUDSDK_AUTH_ACCESS_TOKEN");

	return r->who.kind == PRINCIPAL_UNKNOWN && (t == NULL || *t == '\0') &&
	    r->settings != NULL && r->settings->account == NULL &&
	    r->settings->token_file == NULL;
}

void
report_settings_text(FILE *f, const struct report_settings *s)
{
	const struct {
		const char *name, *value, *none;
	} l[] = {
		{ "configuration", s->configuration, "(none)" },
		{ "account", s->account, "(none)" },
		{ "access token file", s->token_file, "(none)" },
		{ "impersonate", s->impersonate, "(none)" },
		{ "project", s->project, "(none)" },
		{ "region", s->region, "(none)" },
		{ "quota project", s->quota_project,
		    "(none: X-Goog-User-Project not sent)" },
		{ "Artifact Registry", s->ar_endpoint, "(not resolved)" },
		{ "Cloud Run", s->run_endpoint, "(not resolved)" },
		{ "CA file", s->ca_file, "(the system's)" },
		{ "proxy", s->proxy, "(none)" },
	};
	size_t i, j;

	fprintf(f, "  settings a check would use:\n");
	for (i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
		fprintf(f, "    %-18s ", l[i].name);
		if (l[i].value == NULL) {
			fprintf(f, "%s\n", l[i].none);
			continue;
		}
		for (j = 0; l[i].value[j] != '\0' && j < 300; j++)
			fputc((unsigned char)l[i].value[j] < 0x20 ||
			    (unsigned char)l[i].value[j] > 0x7e ? '?' :
			    l[i].value[j], f);
		fputc('\n', f);
	}
}

void
report_note(const struct report *r, char *buf, size_t len)
{
	char part[1400];
	size_t i, other = 0, failed = 0, agent = 0, unchecked = 0;
	const char *manifests = NULL;

	buf[0] = '\0';
	if (r->note != NULL)
		add(buf, len, r->note);
	if (r->decision == DECISION_PLANNED && report_no_credentials(r))
		add(buf, len, "no credentials: no account, access token or "
		    "token file is set, so a check would stop here unless the "
		    "metadata server (Compute Engine, Cloud Build, Cloud Run) "
		    "names an account; " HINT_SIGN_IN);
	for (i = 0; i < r->n; i++) {
		const struct report_image *im = &r->images[i];
		const struct report_after *ax = report_after(r, im);

		other += im->result == RESULT_SKIPPED;
		unchecked += im->result == RESULT_UNCHECKED;
		failed += im->result == RESULT_ERROR &&
		    im->ref.kind != IMAGEREF_INVALID;
		if (ax->ex != NULL && ax->ex->status == REGISTRY_SKIPPED &&
		    manifests == NULL) {
			manifests = ax->ex->detail;
			if (strncmp(manifests, GRANTED, strlen(GRANTED)) == 0)
				manifests += strlen(GRANTED);
		}
		agent += ax->sa != NULL && ax->sa->result == SVCAGENT_UNKNOWN;
	}
	if (other > 0) {
		snprintf(part, sizeof(part), "%zu image%s outside Artifact "
		    "Registry not checked", other, other == 1 ? "" : "s");
		add(buf, len, part);
	}
	if (unchecked > 0)
		add(buf, len, "not every image of the new revision was "
		    "checked: see the unchecked entries");
	if (failed > 0) {
		snprintf(part, sizeof(part), "%zu image%s could not be "
		    "checked", failed, failed == 1 ? "" : "s");
		add(buf, len, part);
	}
	if (manifests != NULL) {
		snprintf(part, sizeof(part), "manifests not checked: %s",
		    manifests);
		add(buf, len, part);
	}
	if (agent > 0)
		add(buf, len, "whether the Cloud Run service agent can read "
		    "the repository could not be told");
}

void
report_way_out(FILE *f, const struct report *r)
{
	const char *cause, *msg;

	if (r->warn || r->decision != DECISION_ERROR)
		return;
	cause = report_cause(r, &msg);
	if (strcmp(cause, "invalid-image") == 0 ||
	    strcmp(cause, "image-not-found") == 0)
		return;		/* bad input: the fix is in the command */
	hint_way_out(f, strcmp(cause, "timeout") == 0,
	    setup_timeout_ms / 1000);
}
