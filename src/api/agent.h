/*
 * agent.h - can the Cloud Run service agent of the deploy project read an
 * image's repository in another project?  Cloud Run pulls the image as
 * service-NUMBER@serverless-robot-prod.iam.gserviceaccount.com; without
 * artifactregistry.repositories.downloadArtifacts the deploy is accepted
 * and the revision then fails to pull.  Warn-only: it never blocks.
 *
 * Requests (all in the caller's one fetch_all()):
 *   GET  {crm}v3/projects/DEPLOY_PROJECT            -> {"name": "projects/N"}
 *        (not sent when the deploy project is given as its number)
 *   GET  {ar}v1/{repository}:getIamPolicy?options.requestedPolicyVersion=3
 *   POST {crm}v3/projects/P:getIamPolicy  {"options":
 *        {"requestedPolicyVersion": 3}}  (P: the repository's project)
 * Policies are google.iam.v1.Policy: {version, etag, bindings: [{role,
 * members, condition}]}.
 *
 * What counts: a binding without a condition of a role known to carry the
 * permission (agent_role_known()) to the agent itself, allUsers or
 * allAuthenticatedUsers, on the repository or on its project.  A custom or
 * unknown role, or a conditional binding, is "cannot tell"; so is a policy
 * that cannot be read.  Groups, folders and the organization are not read.
 *
 * Steps for a caller:
 *   1. a struct agent_run, zeroed, with deploy_project and the endpoints;
 *      agent_add(&a, &ref) for each image whose repository is in another
 *      project (one check per repository);
 *   2. agent_prepare(&a, f, &nf) fills at most agent_fetches(&a) fetches;
 *   3. after fetch_all(), agent_answers(&a, f, token); agent_free(&a).
 */
#ifndef AGENT_H
#define AGENT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "api/imageref.h"
#include "net/fetch.h"

#define AGENT_DOMAIN	"serverless-robot-prod.iam.gserviceaccount.com"
#define CRM_ENDPOINT	"https://cloudresourcemanager.googleapis.com/"

enum agent_result {
	AGENT_PLANNED,	/* not asked (plan mode) */
	AGENT_OK,	/* the agent can read the repository */
	AGENT_MISSING,	/* it cannot, as far as the policies say */
	AGENT_UNKNOWN	/* cannot tell: see detail */
};

struct agent_check {
	const struct imageref	*ref;		/* in: the repository */
	enum agent_result	 result;	/* out */
	int			 unreadable;	/* out: its policy is not
						 * readable */
	char			 detail[900];	/* out */
	/* private */
	size_t			 repo_slot, proj_slot;
};

struct agent_run {
	const char		*deploy_project;	/* in */
	const char		*ar_endpoint;		/* in, ends in "/" */
	const char		*crm_endpoint;		/* in, ends in "/" */
	char			 number[24];		/* out: "" unknown */
	char			 member[160];		/* out: "" unknown */
	char			 number_error[600];	/* out */
	struct agent_check	*c;
	size_t			 n;
	/* private */
	char			**urls;
	size_t			 nurls, number_slot;
};

/* The check for ref's repository (added once per repository), or NULL. */
struct agent_check *agent_add(struct agent_run *a,
    const struct imageref *ref);

size_t agent_fetches(const struct agent_run *a);
int agent_prepare(struct agent_run *a, struct fetch *f, size_t *nf);
void agent_answers(struct agent_run *a, const struct fetch *f,
    const char *token);

/* Mark every check "cannot tell" with `why` (nothing could be asked). */
void agent_fail(struct agent_run *a, const char *why);
void agent_free(struct agent_run *a);

/* Does this predefined role carry downloadArtifacts?  1 yes, 0 unknown. */
int agent_role_known(const char *role);

/*
 * Decide from one policy whether `member` ("" when unknown: then only
 * allUsers and allAuthenticatedUsers count) holds the permission: AGENT_OK,
 * AGENT_MISSING or AGENT_UNKNOWN, with the reason in why.
 */
enum agent_result agent_policy(const cJSON *policy, const char *member,
    char *why, size_t len);

/* The number from a v3 Project ("name": "projects/N"); 0 or -1. */
int agent_number(const cJSON *project, char *out, size_t len);

#endif
