/*
 * svcagent.h - can the Cloud Run service agent of the deploy project read an
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
 * permission (svcagent_role_known()) to the agent itself, allUsers or
 * allAuthenticatedUsers, on the repository or on its project.  A custom or
 * unknown role, or a conditional binding, is "cannot tell"; so is a policy
 * that cannot be read.  Groups, folders and the organization are not read.
 *
 * Steps for a caller:
 *   1. a struct svcagent_run, zeroed, with deploy_project and the endpoints;
 *      svcagent_add(&a, &ref) for each image whose repository is in another
 *      project (one check per repository);
 *   2. svcagent_prepare(&a, f, &nf) fills at most svcagent_fetches(&a) fetches;
 *   3. after fetch_all(), svcagent_answers(&a, f, token); svcagent_free(&a).
 */
#ifndef SVCAGENT_H
#define SVCAGENT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "api/imageref.h"
#include "net/fetch.h"

#define SVCAGENT_DOMAIN	"serverless-robot-prod.iam.gserviceaccount.com"
#define CRM_ENDPOINT	"https://cloudresourcemanager.googleapis.com/"

enum svcagent_result {
	SVCAGENT_PLANNED,	/* not asked (plan mode) */
	SVCAGENT_OK,		/* the agent can read the repository */
	SVCAGENT_MISSING,	/* it cannot, as far as the policies say */
	SVCAGENT_UNKNOWN	/* cannot tell: see detail */
};

struct svcagent_check {
	const struct imageref	*ref;		/* in: the repository */
	enum svcagent_result	 result;	/* out */
	int			 unreadable;	/* out: its policy is not
						 * readable */
	char			 detail[900];	/* out */
	/* private */
	size_t			 repo_slot, proj_slot;
};

struct svcagent_run {
	const char		*deploy_project;	/* in */
	const char		*ar_endpoint;		/* in, ends in "/" */
	const char		*crm_endpoint;		/* in, ends in "/" */
	char			 number[24];		/* out: "" unknown */
	char			 member[160];		/* out: "" unknown */
	char			 number_error[600];	/* out */
	struct svcagent_check	*c;
	size_t			 n;
	/* private */
	char			**urls;
	size_t			 nurls, number_slot;
};

/* The check for ref's repository (added once per repository), or NULL. */
struct svcagent_check *svcagent_add(struct svcagent_run *a,
    const struct imageref *ref);

size_t svcagent_fetches(const struct svcagent_run *a);
int svcagent_prepare(struct svcagent_run *a, struct fetch *f, size_t *nf);
void svcagent_answers(struct svcagent_run *a, const struct fetch *f,
    const char *token);

/* Mark every check "cannot tell" with `why` (nothing could be asked). */
void svcagent_fail(struct svcagent_run *a, const char *why);
void svcagent_free(struct svcagent_run *a);

/* Does this predefined role carry downloadArtifacts?  1 yes, 0 unknown. */
int svcagent_role_known(const char *role);

/*
 * Decide from one policy whether `member` ("" when unknown: then only
 * allUsers and allAuthenticatedUsers count) holds the permission: SVCAGENT_OK,
 * SVCAGENT_MISSING or SVCAGENT_UNKNOWN, with the reason in why.
 */
enum svcagent_result svcagent_policy(const cJSON *policy, const char *member,
    char *why, size_t len);

/* The number from a v3 Project ("name": "projects/N"); 0 or -1. */
int svcagent_number(const cJSON *project, char *out, size_t len);

#endif
