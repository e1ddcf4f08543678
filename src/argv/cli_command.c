/*
 * cli_command.c - the typed form of a command table row: the words of
 * "beta run jobs deploy" read once, where the row is matched, so that
 * the modules after the parser ask a->cmd and never the words.
 */
#include <string.h>

#include "argv/cli.h"

struct word {
	const char	*word;
	int		 value;
};

static const struct word tracks[] = {
	{ "beta", CLI_BETA },
	{ "alpha", CLI_ALPHA },
}, kinds[] = {
	{ "services", CLI_SERVICE },
	{ "jobs", CLI_JOB },
	{ "worker-pools", CLI_WORKER_POOL },
	{ "multi-region-services", CLI_MULTI_REGION_SERVICE },
	{ "workers", CLI_WORKER },
}, verbs[] = {
	{ "deploy", CLI_VERB_DEPLOY },
	{ "create", CLI_VERB_CREATE },
	{ "update", CLI_VERB_UPDATE },
	{ "replace", CLI_VERB_REPLACE },
};

#define NELEM(t)	(sizeof(t) / sizeof((t)[0]))

/*
 * The value of the word at *p (up to a space or the end) in t[0..n), and
 * *p past it and its space; -1 and *p unchanged when it is none of them.
 */
static int
match(const char **p, const struct word *t, size_t n)
{
	size_t i, len = strcspn(*p, " ");

	for (i = 0; i < n; i++)
		if (strlen(t[i].word) == len &&
		    strncmp(*p, t[i].word, len) == 0) {
			*p += len + ((*p)[len] == ' ');
			return t[i].value;
		}
	return -1;
}

int
cli_command_type(const char *row, struct cli_command *c)
{
	const char *p = row;
	int v;

	memset(c, 0, sizeof(*c));
	c->track = CLI_GA;
	c->kind = CLI_SERVICE;		/* "run deploy" names no group */
	if ((v = match(&p, tracks, NELEM(tracks))) >= 0)
		c->track = v;
	if (strncmp(p, "run ", 4) != 0)
		return -1;
	p += 4;
	if ((v = match(&p, kinds, NELEM(kinds))) >= 0)
		c->kind = v;
	if ((v = match(&p, verbs, NELEM(verbs))) < 0 || *p != '\0' ||
	    p[-1] == ' ')
		return -1;
	c->verb = v;
	return 0;
}
