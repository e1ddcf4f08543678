/*
 * t_principal.c - the member of each credential file type, read offline,
 * and members from gcloud's settings (impersonation chains, workforce
 * accounts, values that are not fit for a shell line).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/principal.h"

#define WL	"//iam.googleapis.com/projects/42/locations/global/" \
	"workloadIdentityPools/pool-1/providers/gh"
#define WF	"//iam.googleapis.com/locations/global/workforcePools/corp/" \
	"providers/okta"

static const struct {
	const char	*json;
	int		 rc;
	const char	*member;	/* NULL: unknown */
	const char	*note;		/* a part of the note, or NULL */
} files[] = {
	{ "{\"type\":\"service_account\",\"client_email\":"
	    "\"d@p.iam.gserviceaccount.com\",\"private_key\":\"k\"}", 0,
	    "serviceAccount:d@p.iam.gserviceaccount.com", NULL },
	{ "{\"type\":\"external_account\",\"audience\":\"" WL "\","
	    "\"service_account_impersonation_url\":\"https://iamcredentials."
	    "googleapis.com/v1/projects/-/serviceAccounts/w@p.iam."
	    "gserviceaccount.com:generateAccessToken\"}", 0,
	    "serviceAccount:w@p.iam.gserviceaccount.com", NULL },
	{ "{\"type\":\"external_account\",\"audience\":\"" WL "\"}", 0,
	    "principal://iam.googleapis.com/projects/42/locations/global/"
	    "workloadIdentityPools/pool-1/subject/SUBJECT",
	    "principalSet://iam.googleapis.com/projects/42/locations/global/"
	    "workloadIdentityPools/pool-1/attribute.repository/OWNER/REPO" },
	{ "{\"type\":\"external_authorized_user\",\"audience\":\"" WF "\"}", 0,
	    "principal://iam.googleapis.com/locations/global/workforcePools/"
	    "corp/subject/SUBJECT", "only Google knows" },
	{ "{\"type\":\"impersonated_service_account\","
	    "\"service_account_impersonation_url\":\"https://x/v1/projects/-/"
	    "serviceAccounts/i@p.iam.gserviceaccount.com:generateAccessToken\""
	    "}", 0, "serviceAccount:i@p.iam.gserviceaccount.com", NULL },
	{ "{\"type\":\"authorized_user\",\"refresh_token\":\"r\"}", -1, NULL,
	    "does not name its user" },
	{ "{\"type\":\"external_account\",\"audience\":\"//evil/x\"}", -1,
	    NULL, "does not name" },
	{ "{\"type\":\"service_account\",\"client_email\":\"a@b;$(id)\"}", -1,
	    NULL, NULL },
	{ "not json", -1, NULL, NULL },
};

static void
credential_files(void **state)
{
	char path[] = "/tmp/t_principal.XXXXXX", m[400];
	struct principal who;
	size_t i;
	int fd;

	(void)state;
	unsetenv("GITHUB_REPOSITORY");
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		assert_true((fd = mkstemp(path)) != -1);
		assert_int_equal(write(fd, files[i].json,
		    strlen(files[i].json)), (ssize_t)strlen(files[i].json));
		close(fd);
		assert_int_equal(principal_from_file(path, &who), files[i].rc);
		unlink(path);
		strlcpy(path, "/tmp/t_principal.XXXXXX", sizeof(path));
		if (files[i].member == NULL)
			assert_int_equal(principal_member(&who, m, sizeof(m)),
			    -1);
		else {
			assert_int_equal(principal_member(&who, m, sizeof(m)),
			    0);
			assert_string_equal(m, files[i].member);
		}
		if (files[i].note != NULL && strstr(who.note,
		    files[i].note) == NULL)
			fail_msg("case %zu: note \"%s\"", i, who.note);
	}
	assert_int_equal(principal_from_file("/nonexistent/x", &who), -1);
}

static void
github_repository(void **state)
{
	char path[] = "/tmp/t_principal.XXXXXX", m[400];
	struct principal who;
	int fd;

	(void)state;
	setenv("GITHUB_REPOSITORY", "octo/app", 1);
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, files[2].json, strlen(files[2].json)),
	    (ssize_t)strlen(files[2].json));
	close(fd);
	assert_int_equal(principal_from_file(path, &who), 0);
	unlink(path);
	assert_int_equal(principal_grant_member(&who, m, sizeof(m)), 0);
	assert_string_equal(m, "principalSet://iam.googleapis.com/projects/42/"
	    "locations/global/workloadIdentityPools/pool-1/"
	    "attribute.repository/octo/app");
	unsetenv("GITHUB_REPOSITORY");
}

static void
settings(void **state)
{
	struct principal who;
	char m[400];

	(void)state;
	principal_of(" a@p.iam.gserviceaccount.com , "
	    "b@p.iam.gserviceaccount.com ",
	    "u@example.com", 0, &who);
	assert_int_equal(principal_member(&who, m, sizeof(m)), 0);
	assert_string_equal(m, "serviceAccount:b@p.iam.gserviceaccount.com");
	principal_of(NULL, "u@example.com", 1, &who);
	assert_int_equal(principal_member(&who, m, sizeof(m)), -1);
	principal_of(NULL, "principal://iam.googleapis.com/locations/global/"
	    "workforcePools/corp/subject/alice", 0, &who);
	assert_int_equal(who.kind, PRINCIPAL_IDENTITY);
	principal_of(NULL, "u@example.com `id`", 0, &who);
	assert_int_equal(principal_member(&who, m, sizeof(m)), -1);
	principal_of(NULL, "ci@p.iam.gserviceaccount.com", 0, &who);
	assert_int_equal(who.kind, PRINCIPAL_SERVICE_ACCOUNT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(credential_files),
		cmocka_unit_test(github_repository),
		cmocka_unit_test(settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
