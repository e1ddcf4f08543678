/*
 * check_plan.c - plan mode's settings and note (check_plan.h).
 */
#include <stdio.h>
#include <string.h>

#include "api/runclient.h"
#include "auth/token.h"
#include "check/check_plan.h"
#include "check/kept.h"

/*
 * Plan mode shows the settings a check would use, as the shim resolves
 * them without running gcloud (the parity tests compare them with
 * gcloud's own).  A proxy is shown without its user and password.
 */
void
plan_settings(struct plan_view *pv, const struct props *p,
    struct report *rep)
{
	struct report_settings *rs = &pv->rs;
	const char *at, *sep;
	char err[256];

	rs->configuration = p->config_name;
	rs->account = props_get(p, "core/account");
	rs->impersonate = props_get(p, "auth/impersonate_service_account");
	rs->project = props_get(p, "core/project");
	rs->region = props_get(p, "run/region");
	rs->token_file = props_get(p, "auth/access_token_file");
	if (transport_load(p, token_user_creds(p), &pv->ps,
	    pv->settings_err, sizeof(pv->settings_err)) != 0)
		rep->note = pv->settings_err;	/* a check would stop here */
	else {
		rs->ar_endpoint = pv->ps.endpoint;
		rs->ca_file = pv->ps.ca_file;
		rs->quota_project = pv->ps.user_project[0] ?
		    pv->ps.user_project : NULL;
		if (pv->ps.proxy[0] != '\0') {
			sep = strstr(pv->ps.proxy, "://");
			at = strchr(pv->ps.proxy, '@');
			snprintf(pv->proxy, sizeof(pv->proxy), "%.*s%s",
			    (int)(sep - pv->ps.proxy + 3), pv->ps.proxy,
			    at != NULL ? at + 1 : sep + 3);
			rs->proxy = pv->proxy;
		}
		explicit_bzero(pv->ps.proxy, sizeof(pv->ps.proxy));
	}
	if (transport_endpoint(p, "run", RUN_ENDPOINT, pv->run_ep,
	    sizeof(pv->run_ep), err, sizeof(err)) == 0)
		rs->run_endpoint = pv->run_ep;
	rep->settings = rs;
}

/* Plan mode reads nothing over the network: the kept images are not
 * listed, and the note says so (and why a check could not read them). */
void
plan_note(struct plan_view *pv, struct resource *k, struct report *rep)
{
	if (!kept_wanted(k->a))
		return;
	resource_why_unread(k);
	snprintf(pv->note, sizeof(pv->note), "the images the new revision "
	    "keeps from the deployed %s are not listed: plan mode reads "
	    "nothing over the network%s%s", resource_noun(k->a), k->unread[0] ?
	    "; a check could not read them either: " : "; a check reads "
	    "the deployed resource, if it exists (Cloud Run Admin API v2), "
	    "and checks them", k->unread);
	rep->note = pv->note;
}
