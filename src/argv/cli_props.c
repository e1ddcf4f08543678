/*
 * cli_props.c - gcloud's properties for a parsed command line: the
 * property flags it carries, then the configuration files (props.h).
 */
#include <limits.h>
#include <stdio.h>

#include "argv/cli.h"
#include "gcloud/props.h"

int
props_args(struct props *p, const struct deploy_args *a)
{
	const struct {
		const char *key, *val;
	} map[] = {
		{ "core/account", a->account },
		{ "auth/impersonate_service_account", a->impersonate },
		{ "auth/access_token_file", a->access_token_file },
		{ "auth/credential_file_override",
		    a->credential_file_override },
		{ "core/project", a->project },
		{ "billing/quota_project", a->billing_project },
		{ "run/region", a->region },
		{ "run/platform", a->platform },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].val != NULL &&
		    props_flag(p, map[i].key, map[i].val) != 0)
			return -1;
	return 0;
}

int
props_for_command(struct props *p, const struct deploy_args *a,
    const char *gcloud, char *err, size_t errlen)
{
	char root[PATH_MAX];

	props_init(p);
	if (props_args(p, a) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return props_load(p, a->configuration,
	    props_sdk_root(gcloud, root) == 0 ? root : NULL, err, errlen);
}
