/*
 * cli_warn.c - say which flags the tables do not know, and what they make
 * unsure (issue 11: flags from a newer gcloud).
 *
 * The tables come from one SDK (flagtab_sdk_version); the gcloud that runs
 * may be newer.  Its version is read from VERSION at the root of its SDK:
 * gcloud is ROOT/bin/gcloud, often reached through a symbolic link
 * (/usr/bin/gcloud -> /usr/lib/google-cloud-sdk/bin/gcloud).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv/cli.h"
#include "argv/flagtab.h"

/* VERSION of the SDK that holds the gcloud at `path`, or "" */
static void
sdk_version(const char *path, char *buf, size_t len)
{
	char real[PATH_MAX], file[PATH_MAX + 16], *slash;
	FILE *fp;
	int i;

	buf[0] = '\0';
	if (path == NULL || realpath(path, real) == NULL)
		return;
	for (i = 0; i < 2; i++) {	/* ROOT/bin/gcloud -> ROOT */
		if ((slash = strrchr(real, '/')) == NULL)
			return;
		*slash = '\0';
	}
	snprintf(file, sizeof(file), "%s/VERSION", real);
	if ((fp = fopen(file, "r")) == NULL)
		return;
	if (fgets(buf, (int)len, fp) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	fclose(fp);
}

#define WARN	"WARNING: (gcloud-run-deploy) "

void
cli_warn(const struct deploy_args *a, const char *gcloud, FILE *fp)
{
	char ver[64];
	size_t i;

	if (a->nunknown == 0)
		return;
	sdk_version(gcloud, ver, sizeof(ver));
	fprintf(fp, WARN "unknown flag%s", a->nunknown > 1 ? "s" : "");
	for (i = 0; i < a->nunknown && i < 8; i++)
		fprintf(fp, " %.*s", (int)strcspn(a->unknown[i], "="),
		    a->unknown[i]);
	fprintf(fp, "%s: this check knows the flags of Google Cloud SDK %s\n",
	    i < a->nunknown ? " ..." : "", flagtab_sdk_version);
	if (ver[0] == '\0')
		fprintf(fp, WARN "the installed SDK's version is unknown\n");
	else if (strcmp(ver, flagtab_sdk_version) == 0)
		fprintf(fp, WARN "the installed SDK is %s too: gcloud will "
		    "refuse %s\n", ver, a->nunknown > 1 ? "them" : "it");
	else
		fprintf(fp, WARN "the installed SDK is %s: its newer flags are "
		    "not known to this check\n", ver);
	if (a->service_unsure != NULL)
		fprintf(fp, WARN "the service name is unsure (%s): what is "
		    "deployed is not read, and the images it keeps are not "
		    "checked\n", a->service_unsure);
}
