/*
 * principal.h - who gcloud deploys as, spelt as an IAM member.
 *
 * | credential                                 | member                  |
 * | logged-in user (authorized_user)           | user:EMAIL              |
 * | service account key, stored or in          | serviceAccount:         |
 * |   auth/credential_file_override            |   client_email          |
 * | impersonation, chains                      | serviceAccount: the     |
 * |                                            |   last of the chain     |
 * | external_account with                      | serviceAccount: the     |
 * |   service_account_impersonation_url        |   impersonated one      |
 * | external_account without it                | principal://iam.../     |
 * |   (direct workload identity federation)    |   workloadIdentityPools/|
 * |                                            |   POOL/subject/SUBJECT  |
 * | external_authorized_user, workforce        | principal://iam.../     |
 * |   accounts                                 |   workforcePools/...    |
 * | a raw token (CLOUDSDK_AUTH_ACCESS_TOKEN,   | its owner, asked of     |
 * |   auth/access_token_file)                  |   Google's tokeninfo on |
 * |                                            |   the denial path only  |
 * | the metadata server                        | (metadata.c)            |
 *
 * What is known without a call to Google (google-auth 2.x, bundled with
 * SDK 528, google/auth/external_account.py): service_account_email is
 * parsed from service_account_impersonation_url; the audience names the
 * project number and pool (workload) or the pool (workforce).  The
 * SUBJECT of a direct federation is what the provider's attribute mapping
 * (google.subject) makes of the external token: that mapping lives at
 * Google, so the subject is never known here; the note says so and gives
 * the principalSet:// grant that is the usual choice (attribute.repository
 * for GitHub Actions, whose GITHUB_REPOSITORY names it).
 */
#ifndef PRINCIPAL_H
#define PRINCIPAL_H

#include <stddef.h>

enum principal_kind {
	PRINCIPAL_UNKNOWN,
	PRINCIPAL_USER,			/* member prefix "user:" */
	PRINCIPAL_SERVICE_ACCOUNT,	/* member prefix "serviceAccount:" */
	PRINCIPAL_IDENTITY		/* email holds the whole member,
					 * "principal://..." */
};

struct principal {
	enum principal_kind	kind;
	char			email[320];	/* "" when unknown */
	char			grant[320];	/* the member a grant command
						 * should name when it is not
						 * the principal ("principalSet
						 * ://..."), or "" */
	char			note[640];	/* why it is not known, or what
						 * the member stands for; "" */
};

/* "user:EMAIL" / "serviceAccount:EMAIL" / "principal://..." into buf; -1
 * when unknown. */
int principal_member(const struct principal *who, char *buf, size_t len);

/* The member a grant command names: who->grant, else the principal's
 * member; -1 when neither is known. */
int principal_grant_member(const struct principal *who, char *buf,
    size_t len);

/*
 * From gcloud's properties: auth/impersonate_service_account (the last of
 * the chain), else, unless a raw token is used (raw), core/account (a
 * "principal://" workforce account as it is).
 */
void principal_of(const char *imp, const char *account, int raw,
    struct principal *who);

/*
 * From a credential file (auth/credential_file_override), read without
 * any network call; the token is not in it, but a private key may be: the
 * buffers are wiped.  0 when it names a member, else -1 with who->note
 * saying why.
 */
int principal_from_file(const char *path, struct principal *who);

struct http_opts;
struct curl_slist;

/* Google's token-info endpoint (oauth2 tokeninfo, as google-auth's
 * _GOOGLE_OAUTH2_TOKEN_INFO_ENDPOINT). */
#define PRINCIPAL_TOKENINFO	"https://oauth2.googleapis.com/tokeninfo"

/*
 * The owner of a raw token, asked of PRINCIPAL_TOKENINFO with the token in
 * a POST body (never in the URL).  Fills who when Google names an e-mail;
 * else who->note says why not.  Called only on the denial path.
 */
void principal_tokeninfo(const struct http_opts *o, const char *token,
    struct principal *who);

/*
 * The denial path, called only when an image of the check is denied:
 * when the principal is unknown, ask principal_tokeninfo() for who.
 * Nothing otherwise, so a granted check costs no request.  `endpoint` is
 * the Artifact Registry endpoint of the check: when it is an override (a
 * private endpoint, a test fake) Google's default hosts may be out of
 * reach, and another one is not added behind the user's back, unless the
 * GCLOUD_RUN_DEPLOY_CONNECT_TO seam routes hosts (o->connect_to).
 */
void principal_on_denial(struct principal *who, const struct http_opts *o,
    const char *token, const char *endpoint);

#endif
