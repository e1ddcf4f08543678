/*
 * testenv.h - for unit tests that read gcloud's settings: forget every
 * CLOUDSDK_* variable of the host, and keep gcloud off the network.
 */
#ifndef TESTENV_H
#define TESTENV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static void
cleanenv(void)
{
	char name[256], **e;
	size_t n;

again:
	for (e = environ; *e != NULL; e++)
		if (strncmp(*e, "CLOUDSDK_", 9) == 0) {
			n = strcspn(*e, "=");
			snprintf(name, sizeof(name), "%.*s", (int)n, *e);
			unsetenv(name);
			goto again;
		}
	setenv("CLOUDSDK_CORE_DISABLE_PROMPTS", "1", 1);
	setenv("CLOUDSDK_CORE_CHECK_GCE_METADATA", "false", 1);
	setenv("GCE_METADATA_HOST", "127.0.0.1:9", 1);
}

#endif
