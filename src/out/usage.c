/*
 * usage.c - the shim's own --help and --version (deploy mode only).
 *
 * Only a lone --help, -h or --version is the shim's: with any other word
 * the command line is gcloud's, so gcloud's own help for run deploy is
 * one word away.  The version lines name the libraries the binary runs
 * with: libcurl and cJSON as loaded now, libbsd as built (it has no
 * run-time version call).
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include "net/curlfn.h"
#include <yaml.h>

#include "out/usage.h"

#ifndef VERSION
#define VERSION		"unknown"
#endif
#ifndef LIBBSD_VERSION
#define LIBBSD_VERSION	"unknown"
#endif

static const char help[] =
"usage: gcloud-run-deploy [--preflight=MODE] [--preflight-format=FORMAT]\n"
"                         [--preflight-report=FILE]\n"
"                         [--preflight-service-agent=warn|block]\n"
"                         [SERVICE] [gcloud run deploy flags ...]\n"
"       gcloud-run-deploy --preflight=audit --project=PROJECT\n"
"                         [--freshness=DURATION]\n"
"\n"
"Checks that the principal gcloud deploys as may read every container\n"
"image of the deploy (artifactregistry.repositories.downloadArtifacts),\n"
"then runs 'gcloud run deploy' with the same arguments.\n"
"\n"
"  --preflight=MODE          enforce (default), warn, only, plan, off or\n"
"                            audit (GCLOUD_RUN_DEPLOY_PREFLIGHT)\n"
"  --preflight-format=FORMAT text (default) or json\n"
"                            (GCLOUD_RUN_DEPLOY_FORMAT)\n"
"  --preflight-report=FILE   write the JSON report to FILE\n"
"                            (GCLOUD_RUN_DEPLOY_REPORT); when gcloud runs\n"
"                            its stdout stays gcloud's: without FILE the\n"
"                            JSON report goes to stderr\n"
"  --preflight-service-agent=warn|block\n"
"                            block: no grant found for the Cloud Run\n"
"                            service agent stops the deploy\n"
"                            (GCLOUD_RUN_DEPLOY_SERVICE_AGENT)\n"
"  --freshness=DURATION      audit mode: how far back (30d, 12h, 90m)\n"
"\n"
"Exit status: gcloud's after the hand-over; 0 granted (only mode), a plan,\n"
"nothing found (audit); 64 bad option or environment value; 65 bad input\n"
"(image reference, manifest or flags file, missing image); 69 the check\n"
"could not finish; 77 permission missing (audit: failures found);\n"
"126 gcloud not executable; 127 no gcloud.\n"
"\n"
"gcloud's own help for the command: gcloud run deploy --help\n"
"  (or: gcloud-run-deploy SERVICE --help)\n"
"The manual: man gcloud-run-deploy\n";

enum usage_request
usage_request(int argc, char **argv)
{
	if (argc != 2 || argv[1] == NULL)
		return USAGE_NONE;
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return USAGE_HELP;
	if (strcmp(argv[1], "--version") == 0)
		return USAGE_VERSION;
	return USAGE_NONE;
}

static void
version(FILE *f)
{
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);

	fprintf(f, "gcloud-run-deploy %s\n", VERSION);
	fprintf(f, "libcurl %s%s%s%s\n", cv->version,
	    cv->ssl_version ? " (" : "", cv->ssl_version ? cv->ssl_version : "",
	    cv->ssl_version ? ")" : "");
	fprintf(f, "cJSON %s\n", cJSON_Version());
	fprintf(f, "libbsd %s\n", LIBBSD_VERSION);
	fprintf(f, "libyaml %s\n", yaml_get_version_string());
}

int
usage_print(FILE *f, enum usage_request u)
{
	if (u == USAGE_HELP)
		fputs(help, f);
	else if (u == USAGE_VERSION)
		version(f);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
