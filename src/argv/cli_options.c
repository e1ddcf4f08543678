/*
 * cli_options.c - the shim's own options (--preflight=, --preflight-format=,
 * --preflight-report=, --preflight-service-agent=, and --freshness= in audit
 * mode) taken out of argv; every other word is
 * forwarded as it is, byte for byte (cli.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv/cli.h"
#include "argv/cli_int.h"
#include "gcloud/env.h"

static int
shim_option(const char *w, const char *name, const char **val)
{
	size_t n = strlen(name);

	if (strncmp(w, name, n) != 0)
		return 0;
	if (w[n] == '=') {
		*val = w + n + 1;
		return 1;
	}
	if (w[n] == '\0') {
		*val = NULL;
		return 1;
	}
	return 0;
}

/* --- audit (issue 6): is the mode audit? --- */
/*
 * --freshness is a real gcloud flag of other commands: it is the shim's
 * only when the mode is audit, from the last --preflight= before "--", else
 * from GCLOUD_RUN_DEPLOY_PREFLIGHT.
 */
static int
audit_mode(int argc, char **argv)
{
	const char *v;
	int i, m = -1;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (shim_option(argv[i], "--preflight", &v) && v != NULL &&
		    env_parse_mode(v) >= 0)
			m = env_parse_mode(v);
	return env_mode(m) == PREFLIGHT_AUDIT;
}
/* --- end audit --- */

enum cli_status
cli_split_options(int argc, char **argv, enum cli_mode mode,
    struct deploy_args *a, char *err, size_t errlen)
{
	const char *v;
	char words[80];
	int i, n = 0, dashdash = 0, audit = audit_mode(argc, argv);

	a->fwd = calloc((size_t)argc + 3, sizeof(*a->fwd));
	if (a->fwd == NULL)
		return CLI_NOMEM;
	if (mode == CLI_DEPLOY) {
		a->fwd[n++] = (char *)"run";
		a->fwd[n++] = (char *)"deploy";
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			dashdash = 1;
		if (!dashdash && shim_option(argv[i], "--preflight", &v)) {
			if (v == NULL || (a->mode = env_parse_mode(v)) < 0) {
				snprintf(err, errlen, "--preflight: expected "
				    "--preflight=%s", env_mode_words("|",
				    words, sizeof(words)));
				return CLI_USAGE;
			}
			continue;
		}
		if (!dashdash &&
		    shim_option(argv[i], "--preflight-format", &v)) {
			if (v == NULL ||
			    (a->format = env_parse_format(v)) < 0) {
				snprintf(err, errlen, "--preflight-format: "
				    "expected --preflight-format=text|json");
				return CLI_USAGE;
			}
			continue;
		}
		/* --- output (issue 13): the report file, the agent --- */
		if (!dashdash &&
		    shim_option(argv[i], "--preflight-report", &v)) {
			if (v == NULL || *v == '\0') {
				snprintf(err, errlen, "--preflight-report: "
				    "expected --preflight-report=FILE");
				return CLI_USAGE;
			}
			a->report_file = v;
			continue;
		}
		if (!dashdash &&
		    shim_option(argv[i], "--preflight-service-agent", &v)) {
			if (v == NULL || env_parse_agent(v) < 0) {
				snprintf(err, errlen,
				    "--preflight-service-agent: expected "
				    "--preflight-service-agent=warn|block");
				return CLI_USAGE;
			}
			a->agent = v;
			continue;
		}
		/* --- audit (issue 6): --freshness=D --- */
		if (!dashdash && audit &&
		    shim_option(argv[i], "--freshness", &v)) {
			if (v == NULL || *v == '\0') {
				snprintf(err, errlen, "--freshness: expected "
				    "--freshness=DURATION (30d, 12h, 90m)");
				return CLI_USAGE;
			}
			a->freshness = v;
			continue;
		}
		/* --- end audit --- */
		a->fwd[n++] = argv[i];
	}
	a->nfwd = n;
	return CLI_OK;
}
