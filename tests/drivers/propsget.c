/*
 * propsget.c - the shim's reading of one gcloud property, for
 * tests/t51-props-parity.sh: what props_load() and props_get() make of
 * CLOUDSDK_CONFIG and the environment, printed as
 * `gcloud [FLAG] config get-value PROP` prints it.
 *
 *   propsget [--account=A | --billing-project=B | --configuration=C] PROP
 *
 * Prints the value and a newline (nothing when unset); exit 0, or 2 with
 * the error on stderr.
 */
#include <stdio.h>
#include <string.h>

#include "gcloud/props.h"

#define SDKROOT	"/usr/lib/google-cloud-sdk"

int
main(int argc, char **argv)
{
	struct props p;
	const char *conf = NULL, *v, *prop;
	char err[512];
	int i;

	if (argc < 2)
		return 2;
	props_init(&p);
	for (i = 1; i < argc - 1; i++) {
		if (strncmp(argv[i], "--account=", 10) == 0)
			props_flag(&p, "core/account", argv[i] + 10);
		else if (strncmp(argv[i], "--billing-project=", 18) == 0)
			props_flag(&p, "billing/quota_project", argv[i] + 18);
		else if (strncmp(argv[i], "--configuration=", 16) == 0)
			conf = argv[i] + 16;
		else
			return 2;
	}
	prop = argv[argc - 1];
	if (props_load(&p, conf, SDKROOT, err, sizeof(err)) != 0) {
		fprintf(stderr, "propsget: %s\n", err);
		props_free(&p);
		return 2;
	}
	v = props_get(&p, prop);
	printf("%s\n", v != NULL ? v : "");
	props_free(&p);
	return 0;
}
