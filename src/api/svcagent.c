/*
 * svcagent.c - the Cloud Run service agent's access to repositories in other
 * projects (see svcagent.h).  Warn-only: nothing here changes a decision.
 *
 * MUST rules:
 *  - No message that leaves this module contains the token.
 *  - A project id goes into a URL only after idok().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/ar.h"
#include "api/svcagent.h"
#include "net/apierror.h"
#include "util/sanitize.h"

#define NONE		SIZE_MAX
#define POLICY_BODY	"{\"options\":{\"requestedPolicyVersion\":3}}"

/*
 * Predefined roles that carry artifactregistry.repositories.downloadArtifacts
 * (IAM roles reference for Artifact Registry; the basic roles as listed in
 * the permission's "included in roles").  Anything else: cannot tell.
 */
static const char *const carrying[] = {
	"roles/artifactregistry.reader",
	"roles/artifactregistry.writer",
	"roles/artifactregistry.repoAdmin",
	"roles/artifactregistry.admin",
	"roles/artifactregistry.createOnPushWriter",
	"roles/artifactregistry.createOnPushRepoAdmin",
	"roles/artifactregistry.serviceAgent",
	"roles/owner",
	"roles/editor",
	"roles/viewer",
};

int
svcagent_role_known(const char *role)
{
	size_t i;

	for (i = 0; i < sizeof(carrying) / sizeof(carrying[0]); i++)
		if (strcmp(role, carrying[i]) == 0)
			return 1;
	return 0;
}

/* Which of the binding's members stands for `member`, or NULL. */
static const char *
bound(const cJSON *members, const char *member)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, members) {
		if (!cJSON_IsString(m))
			continue;
		if (strcmp(m->valuestring, "allUsers") == 0 ||
		    strcmp(m->valuestring, "allAuthenticatedUsers") == 0 ||
		    (*member != '\0' && strcasecmp(m->valuestring,
		    member) == 0))
			return m->valuestring;
	}
	return NULL;
}

enum svcagent_result
svcagent_policy(const cJSON *policy, const char *member, char *why, size_t len)
{
	const cJSON *b, *role, *cond;
	enum svcagent_result r = SVCAGENT_MISSING;
	const char *who;
	char rs[256], ws[256];	/* from the policy: shown safely */

	snprintf(why, len, "no binding grants it to the agent, allUsers or "
	    "allAuthenticatedUsers");
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(policy,
	    "bindings")) {
		role = cJSON_GetObjectItemCaseSensitive(b, "role");
		cond = cJSON_GetObjectItemCaseSensitive(b, "condition");
		if (!cJSON_IsString(role) || (who = bound(
		    cJSON_GetObjectItemCaseSensitive(b, "members"),
		    member)) == NULL)
			continue;
		san_shown(role->valuestring, rs, sizeof(rs));
		san_shown(who, ws, sizeof(ws));
		if (cond != NULL && !cJSON_IsNull(cond)) {
			if (r == SVCAGENT_MISSING)
				snprintf(why, len, "%s is bound to %s under a "
				    "condition, which is not evaluated here",
				    ws, rs);
			r = SVCAGENT_UNKNOWN;
		} else if (svcagent_role_known(role->valuestring)) {
			snprintf(why, len, "%s has %s", ws, rs);
			return SVCAGENT_OK;
		} else {
			if (r == SVCAGENT_MISSING)
				snprintf(why, len, "%s has %s, a role this "
				    "check does not know (custom or not "
				    "listed)", ws, rs);
			r = SVCAGENT_UNKNOWN;
		}
	}
	return r;
}

int
svcagent_number(const cJSON *project, char *out, size_t len)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(project, "name");
	const char *s;
	size_t n;

	if (!cJSON_IsString(name) ||
	    strncmp(name->valuestring, "projects/", 9) != 0)
		return -1;
	s = name->valuestring + 9;
	n = strlen(s);
	if (n == 0 || n > 20 || n >= len || strspn(s, "0123456789") != n)
		return -1;
	strlcpy(out, s, len);
	return 0;
}

/* Project ids (and domain-scoped "example.com:id"), or numbers. */
static int
idok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && n < 128 && strstr(s, "..") == NULL &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-.:") == n;
}

struct svcagent_check *
svcagent_add(struct svcagent_run *a, const struct imageref *ref)
{
	struct svcagent_check *c;
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->c[i].ref->resource, ref->resource) == 0)
			return &a->c[i];
	if ((c = reallocarray(a->c, a->n + 1, sizeof(*c))) == NULL)
		return NULL;
	a->c = c;
	c = &a->c[a->n++];
	memset(c, 0, sizeof(*c));
	c->ref = ref;
	c->result = SVCAGENT_PLANNED;
	c->repo_slot = c->proj_slot = NONE;
	return c;
}

size_t
svcagent_fetches(const struct svcagent_run *a)
{
	return a->n == 0 ? 0 : 1 + 2 * a->n;
}

/* Add one request; its URL is owned by a. */
static size_t
add(struct svcagent_run *a, struct fetch *f, size_t *nf, char *url,
    const char *post)
{
	a->urls[a->nurls++] = url;
	memset(&f[*nf], 0, sizeof(f[*nf]));
	f[*nf].url = url;
	f[*nf].post = post;
	return (*nf)++;
}

static int
prepare_check(struct svcagent_run *a, size_t i, struct fetch *f, size_t *nf)
{
	struct svcagent_check *c = &a->c[i];
	char *url;
	size_t j;

	if (asprintf(&url, "%sv1/%s:getIamPolicy?options."
	    "requestedPolicyVersion=3", a->ar_endpoint, c->ref->resource) < 0)
		return -1;
	c->repo_slot = add(a, f, nf, url, NULL);
	for (j = 0; j < i; j++)
		if (strcmp(a->c[j].ref->project, c->ref->project) == 0) {
			c->proj_slot = a->c[j].proj_slot;
			return 0;
		}
	if (!idok(c->ref->project))
		return 0;
	if (asprintf(&url, "%sv3/projects/%s:getIamPolicy", a->crm_endpoint,
	    c->ref->project) < 0)
		return -1;
	c->proj_slot = add(a, f, nf, url, POLICY_BODY);
	return 0;
}

int
svcagent_prepare(struct svcagent_run *a, struct fetch *f, size_t *nf)
{
	char *url;
	size_t i;

	a->number_slot = NONE;
	if (a->n == 0)
		return 0;
	if ((a->urls = calloc(svcagent_fetches(a), sizeof(*a->urls))) == NULL)
		return -1;
	if (!idok(a->deploy_project))
		snprintf(a->number_error, sizeof(a->number_error),
		    "'%s' is not a valid project id", a->deploy_project);
	else if (strspn(a->deploy_project, "0123456789") ==
	    strlen(a->deploy_project))
		strlcpy(a->number, a->deploy_project, sizeof(a->number));
	else if (asprintf(&url, "%sv3/projects/%s", a->crm_endpoint,
	    a->deploy_project) < 0)
		return -1;
	else
		a->number_slot = add(a, f, nf, url, NULL);
	for (i = 0; i < a->n; i++)
		if (prepare_check(a, i, f, nf) != 0)
			return -1;
	return 0;
}

/* The JSON answer of f, or NULL with the error in why. */
static cJSON *
decode(const struct fetch *f, const char *token, char *why, size_t len)
{
	struct api_error e;
	cJSON *root;

	if ((root = apierror_decode(&e, f, token)) == NULL)
		snprintf(why, len, "HTTP %ld%s%s: %s", e.http_code,
		    e.status_name[0] ? " " : "", e.status_name, e.message);
	return root;
}

static void
number(struct svcagent_run *a, const struct fetch *f, const char *token)
{
	char why[600];
	cJSON *root;

	if (a->number_slot != NONE) {
		if ((root = decode(&f[a->number_slot], token, why,
		    sizeof(why))) == NULL)
			snprintf(a->number_error, sizeof(a->number_error),
			    "cannot read project '%.100s' (Cloud Resource "
			    "Manager): %.400s", a->deploy_project, why);
		else if (svcagent_number(root, a->number,
		    sizeof(a->number)) != 0)
			snprintf(a->number_error, sizeof(a->number_error),
			    "project '%s': no project number in the answer",
			    a->deploy_project);
		cJSON_Delete(root);
	}
	if (a->number[0] != '\0')
		snprintf(a->member, sizeof(a->member),
		    "serviceAccount:service-%s@%s", a->number, SVCAGENT_DOMAIN);
}

/* One policy: its verdict, or SVCAGENT_UNKNOWN with *unreadable set. */
static enum svcagent_result
policy(const struct svcagent_run *a, const struct fetch *f, size_t slot,
    const char *token, char *why, size_t len, int *unreadable)
{
	enum svcagent_result r;
	cJSON *root;

	*unreadable = 1;
	if (slot == NONE) {
		snprintf(why, len, "not a valid project id");
		return SVCAGENT_UNKNOWN;
	}
	if ((root = decode(&f[slot], token, why, len)) == NULL)
		return SVCAGENT_UNKNOWN;
	*unreadable = 0;
	r = svcagent_policy(root, a->member, why, len);
	cJSON_Delete(root);
	return r;
}

static void
finish(struct svcagent_run *a, struct svcagent_check *c, const struct fetch *f,
    const char *token)
{
	enum svcagent_result rr, pr;
	char rw[400], pw[400];
	int pu;

	rr = policy(a, f, c->repo_slot, token, rw, sizeof(rw), &c->unreadable);
	pr = policy(a, f, c->proj_slot, token, pw, sizeof(pw), &pu);
	c->result = rr == SVCAGENT_OK || pr == SVCAGENT_OK ? SVCAGENT_OK :
	    rr == SVCAGENT_MISSING && pr == SVCAGENT_MISSING && a->member[0] ?
	    SVCAGENT_MISSING : SVCAGENT_UNKNOWN;
	if (c->result == SVCAGENT_OK)
		snprintf(c->detail, sizeof(c->detail), "%s on the %s",
		    rr == SVCAGENT_OK ? rw : pw,
		    rr == SVCAGENT_OK ? "repository" : "project");
	else if (a->member[0] == '\0')
		snprintf(c->detail, sizeof(c->detail), "cannot name the Cloud "
		    "Run service agent: %s", a->number_error);
	else if (c->unreadable)
		snprintf(c->detail, sizeof(c->detail), "cannot read the IAM "
		    "policy of %.200s to check the Cloud Run service agent: "
		    "%.400s", c->ref->repository, rw);
	else if (c->result == SVCAGENT_MISSING)
		snprintf(c->detail, sizeof(c->detail), "not granted %s on the "
		    "repository or on project %.200s (%.300s; groups, folders "
		    "and the organization are not read)", AR_PERMISSION,
		    c->ref->project, rw);
	else if (rr == SVCAGENT_UNKNOWN)
		snprintf(c->detail, sizeof(c->detail), "on the repository, %s",
		    rw);
	else
		snprintf(c->detail, sizeof(c->detail), "not granted on the "
		    "repository; on project %.200s: %s%.400s", c->ref->project,
		    pu ? "cannot read its IAM policy: " : "", pw);
}

void
svcagent_answers(struct svcagent_run *a, const struct fetch *f,
    const char *token)
{
	size_t i;

	number(a, f, token);
	for (i = 0; i < a->n; i++)
		finish(a, &a->c[i], f, token);
}

void
svcagent_fail(struct svcagent_run *a, const char *why)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		a->c[i].result = SVCAGENT_UNKNOWN;
		strlcpy(a->c[i].detail, why, sizeof(a->c[i].detail));
	}
}

void
svcagent_free(struct svcagent_run *a)
{
	size_t i;

	for (i = 0; i < a->nurls; i++)
		free(a->urls[i]);
	free(a->urls);
	free(a->c);
	a->urls = NULL;
	a->c = NULL;
	a->n = a->nurls = 0;
}
