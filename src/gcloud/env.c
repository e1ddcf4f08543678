/*
 * env.c - the environment, read in one place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gcloud/env.h"

static const char *const modes[] = {
	[PREFLIGHT_ENFORCE] = "enforce",
	[PREFLIGHT_WARN] = "warn",
	[PREFLIGHT_ONLY] = "only",
	[PREFLIGHT_PLAN] = "plan",
	[PREFLIGHT_OFF] = "off",
	[PREFLIGHT_AUDIT] = "audit",
};

const char *
env_get(const char *name)
{
	return getenv(name);
}

int
env_parse_mode(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(s, modes[i]) == 0)
			return (int)i;
	return -1;
}

const char *
env_mode_name(enum preflight_mode mode)
{
	return modes[mode];
}

const char *
env_mode_words(const char *sep, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (i > 0)
			strlcat(buf, sep, len);
		strlcat(buf, modes[i], len);
	}
	return buf;
}

int
env_mode(int given)
{
	const char *v = getenv("GCLOUD_RUN_DEPLOY_PREFLIGHT");

	if (given >= 0)
		return given;
	if (v == NULL || *v == '\0')
		return PREFLIGHT_ENFORCE;
	return env_parse_mode(v);
}

int
env_parse_format(const char *s)
{
	if (strcmp(s, "text") == 0)
		return FORMAT_TEXT;
	if (strcmp(s, "json") == 0)
		return FORMAT_JSON;
	return -1;
}

int
env_parse_agent(const char *s)
{
	if (strcmp(s, "warn") == 0)
		return 0;
	if (strcmp(s, "block") == 0)
		return 1;
	return -1;
}

/*
 * A yes/no variable: unset, empty, 0, false, no and off (any case) are
 * off, as a user who writes GCLOUD_RUN_DEPLOY_VERBOSE=false means.
 */
static int
envflag(const char *name)
{
	static const char *const off[] = { "0", "false", "no", "off" };
	const char *v = getenv(name);
	size_t i;

	if (v == NULL || *v == '\0')
		return 0;
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (strcasecmp(v, off[i]) == 0)
			return 0;
	return 1;
}

/*
 * Colour only on a terminal, never with NO_COLOR (set and not empty, as
 * no-color.org has it) or TERM=dumb.
 */
static int
colorful(int fd)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	return isatty(fd) && (nc == NULL || *nc == '\0') &&
	    !(term != NULL && strcmp(term, "dumb") == 0);
}

int
env_load(struct env *c, char *err, size_t errlen)
{
	const char *v, *errstr;
	char words[80];
	long long n;
	int m;

	memset(c, 0, sizeof(*c));
	c->format = FORMAT_TEXT;
	c->timeout_ms = 30 * 1000;
	if ((m = env_mode(-1)) < 0) {
		snprintf(err, errlen, "GCLOUD_RUN_DEPLOY_PREFLIGHT: unknown "
		    "mode '%s' (%s)", getenv("GCLOUD_RUN_DEPLOY_PREFLIGHT"),
		    env_mode_words(", ", words, sizeof(words)));
		return -1;
	}
	c->mode = m;
	if ((v = getenv("GCLOUD_RUN_DEPLOY_FORMAT")) != NULL && *v) {
		if ((m = env_parse_format(v)) < 0) {
			snprintf(err, errlen, "GCLOUD_RUN_DEPLOY_FORMAT: "
			    "unknown format '%s' (text, json)", v);
			return -1;
		}
		c->format = m;
	}
	if ((v = getenv("GCLOUD_RUN_DEPLOY_TIMEOUT")) != NULL && *v) {
		n = strtonum(v, 1, 3600, &errstr);
		if (errstr != NULL) {
			snprintf(err, errlen, "GCLOUD_RUN_DEPLOY_TIMEOUT: "
			    "'%s' is %s (seconds, 1 to 3600)", v, errstr);
			return -1;
		}
		c->timeout_ms = n * 1000;
	}
	if ((v = getenv("GCLOUD_RUN_DEPLOY_DEPTH")) != NULL && *v)
		c->depth = (int)strtonum(v, 0, 100, &errstr);
	c->gcloud = getenv("GCLOUD_RUN_DEPLOY_GCLOUD");
	if (c->gcloud != NULL && *c->gcloud == '\0')
		c->gcloud = NULL;
	c->verbose = envflag("GCLOUD_RUN_DEPLOY_VERBOSE");
	if ((v = getenv("GCLOUD_RUN_DEPLOY_SERVICE_AGENT")) != NULL && *v) {
		if ((m = env_parse_agent(v)) < 0) {
			snprintf(err, errlen,
			    "GCLOUD_RUN_DEPLOY_SERVICE_AGENT: unknown value "
			    "'%s' (warn, block)", v);
			return -1;
		}
		c->agent_block = m;
	}
	c->report_file = getenv("GCLOUD_RUN_DEPLOY_REPORT");
	if (c->report_file != NULL && *c->report_file == '\0')
		c->report_file = NULL;
	c->progress = isatty(STDERR_FILENO);
	/* registry check (registry.c): validated by http_connect_to() */
	c->connect_to = getenv("GCLOUD_RUN_DEPLOY_CONNECT_TO");
	c->color = colorful(STDERR_FILENO);
	c->color_out = colorful(STDOUT_FILENO);
	return 0;
}
