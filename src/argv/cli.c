/*
 * cli.c - read a gcloud command line as gcloud's parser does.
 *
 * What gcloud does, and so what this file does (calliope on argparse, with
 * allow_abbrev off; command_lib/run/container_parser.py for --container):
 *  - global flags may stand anywhere; a command's own flags only after its
 *    command words;
 *  - a word that starts with '-' is a flag unless it is "-" alone, looks
 *    like a negative number, or contains a space (argparse's rules);
 *  - "--flag=value" and "--flag value" are the same; a repeated flag's last
 *    value wins; "--" ends the flags;
 *  - "--container NAME" (or "--container=NAME") sends the words after it,
 *    up to the next --container, to that container; a name seen again
 *    resumes its scope.
 * A command line gcloud would refuse is still read as far as it goes: the
 * images it names are checked, and gcloud then gives its own usage error.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv/cli.h"
#include "argv/cli_int.h"
#include "argv/flagsfile.h"
#include "argv/flagtab.h"
#include "util/util_array.h"

struct scan {
	struct deploy_args	*a;
	const struct flagcmd	*cmd;	/* NULL until the command words end */
	char			 words[128];	/* command words so far */
	const char		*container;	/* current --container scope */
	int			 ended;		/* "--" seen */
	int			 function;	/* --function outside a scope */
	int			 after_unknown;	/* last word: an unknown flag */
};

/* The option table of the parser reading the words now: the command's,
 * the group's between command words, the top level's before them. */
static const struct flagcmd *
table(const struct scan *s)
{
	const struct flagcmd *g = s->cmd;

	if (g == NULL)
		g = flagtab_group(s->words);
	return g != NULL ? g : &flagtab_global;
}

/* Is w an option (known or not) for the parser reading it?  (argparse) */
static int
is_flag(const struct scan *s, const char *w)
{
	return cliarg_classify(table(s), w) != CLIARG_POSITIONAL;
}

/* The entry of the current --container scope, made when missing. */
static struct cli_image *
scope_entry(struct scan *s)
{
	struct deploy_args *a = s->a;
	struct cli_image *im;
	size_t i;

	for (i = 0; i < a->nimages; i++) {
		im = &a->images[i];
		if ((im->container == NULL && s->container == NULL) ||
		    (im->container != NULL && s->container != NULL &&
		    strcmp(im->container, s->container) == 0))
			return im;
	}
	if (array_grow(&a->images, a->nimages, sizeof(*a->images)) == -1)
		return NULL;
	im = &a->images[a->nimages++];
	memset(im, 0, sizeof(*im));
	im->container = s->container;
	return im;
}

static int
set_image(struct scan *s, const char *image)
{
	struct cli_image *im = scope_entry(s);

	if (im == NULL)
		return -1;
	im->image = image;
	return 0;
}

static void
open_container(struct scan *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->a->nimages; i++)
		if (s->a->images[i].container != NULL &&
		    strcmp(s->a->images[i].container, name) == 0)
			break;
	if (s->container == NULL || strcmp(s->container, name) != 0)
		s->a->ncontainers += (i == s->a->nimages);
	s->container = name;
}

/*
 * --source: the container is built, not pulled.  Without --container it
 * is the only one, and nothing is checked; in a --container scope only
 * that container is built (gcloud allows one), and the others are still
 * pulled and checked.
 */
static int
set_source(struct scan *s)
{
	struct cli_image *im;

	if (s->container == NULL) {
		s->a->skip = "--source: the image is built from source, "
		    "not pulled";
		return 0;
	}
	if ((im = scope_entry(s)) == NULL)
		return -1;
	im->source = 1;
	return 0;
}

/*
 * --remove-containers: calliope's UpdateAction over an ArgList, so every
 * occurrence adds its names (a YAML list from a flags file too); the
 * table says whether the flag accumulates in this command.
 */
static int
removals(struct scan *s, const struct flagspec *f, const char *val,
    int structured)
{
	if (!f->accum) {
		free(s->a->remove_containers);
		s->a->remove_containers = NULL;
	}
	return cliarg_list_add(&s->a->remove_containers, val, structured);
}

/*
 * Remember the value of a flag the check needs.  All but
 * --remove-containers keep their last value (t_cli checks that the table
 * agrees); a structured value from a flags file is no string: not kept.
 */
static int
record(struct scan *s, const struct flagspec *f, const char *val,
    int structured)
{
	struct deploy_args *a = s->a;
	static const struct {
		const char *flag;
		size_t off;
	} keep[] = {
		{ "--account", offsetof(struct deploy_args, account) },
		{ "--impersonate-service-account",
		    offsetof(struct deploy_args, impersonate) },
		{ "--configuration",
		    offsetof(struct deploy_args, configuration) },
		{ "--access-token-file",
		    offsetof(struct deploy_args, access_token_file) },
		{ "--credential-file-override",
		    offsetof(struct deploy_args, credential_file_override) },
		{ "--project", offsetof(struct deploy_args, project) },
		{ "--billing-project",
		    offsetof(struct deploy_args, billing_project) },
		{ "--region", offsetof(struct deploy_args, region) },
		{ "--platform", offsetof(struct deploy_args, platform) },
	};
	const char *name = f->name;
	size_t i;

	if (strcmp(name, "--remove-containers") == 0 && s->cmd != NULL)
		return removals(s, f, val, structured);
	if (structured)
		return 0;
	if (strcmp(name, "--image") == 0 && s->cmd != NULL)
		return set_image(s, val);
	if (strcmp(name, "--source") == 0 && s->cmd != NULL)
		return set_source(s);
	if (strcmp(name, "--function") == 0 && s->cmd != NULL &&
	    s->container == NULL)
		s->function = 1;
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (strcmp(name, keep[i].flag) == 0)
			*(const char **)((char *)a + keep[i].off) = val;
	return 0;
}

/* Would w continue the command words read so far? */
static int
command_prefix(const struct scan *s, const char *w)
{
	const struct flagcmd *c;
	char words[sizeof(s->words)];
	size_t len;

	strlcpy(words, s->words, sizeof(words));
	if (words[0] != '\0')
		strlcat(words, " ", sizeof(words));
	if (strlcat(words, w, sizeof(words)) >= sizeof(words))
		return 0;
	len = strlen(words);
	for (c = flagtab_commands; c->command != NULL; c++)
		if (strncmp(c->command, words, len) == 0 &&
		    (c->command[len] == ' ' || c->command[len] == '\0'))
			return 1;
	return 0;
}

static int
command_word(struct scan *s, const char *w)
{
	const struct flagcmd *c;
	size_t len;
	int prefix = 0;

	if (s->words[0] != '\0')
		strlcat(s->words, " ", sizeof(s->words));
	if (strlcat(s->words, w, sizeof(s->words)) >= sizeof(s->words))
		return 0;
	len = strlen(s->words);
	for (c = flagtab_commands; c->command != NULL; c++) {
		if (strcmp(c->command, s->words) == 0) {
			s->cmd = c;
			return 1;
		}
		if (strncmp(c->command, s->words, len) == 0 &&
		    c->command[len] == ' ')
			prefix = 1;
	}
	return prefix;
}

/*
 * A flag the tables do not know: a newer gcloud's, or a typo gcloud 528
 * refuses.  Before the command words, a word after it that is no command
 * word is taken as its value (a newer gcloud's global flag).  After them,
 * when no service name has been read yet and the next word could be its
 * value, the service name is unsure: a newer gcloud may take that word as
 * the flag's value and a later one as the service.
 */
static int
unknown_flag(struct scan *s, char **w, const unsigned char *kind, int n,
    int i)
{
	struct deploy_args *a = s->a;
	const char *word = w[i];

	if (array_grow(&a->unknown, a->nunknown, sizeof(*a->unknown)) == -1)
		return -1;
	a->unknown[a->nunknown++] = word;
	if (a->unknown_flag == NULL)
		a->unknown_flag = word;
	s->after_unknown = strchr(word, '=') == NULL;
	if (!s->after_unknown || i + 1 >= n ||
	    kind[i + 1] != FLAGSFILE_ARG || is_flag(s, w[i + 1]))
		return 0;
	if (s->cmd != NULL && a->service == NULL && s->container == NULL &&
	    a->service_unsure == NULL && asprintf(&a->service_unsure,
	    "the flag %s is unknown to gcloud %s: a newer gcloud may take "
	    "'%s' as its value and another word as the service name", word,
	    flagtab_sdk_version, w[i + 1]) < 0) {
		a->service_unsure = NULL;
		return -1;
	}
	return 0;
}

/* "--container NAME", "--container=NAME": split lexically, as gcloud's
 * container parser does before argparse reads the words. */
static int
container_word(struct scan *s, char **w, int n, int *i)
{
	const char *word = w[*i];

	if (s->cmd == NULL || strncmp(word, "--container", 11) != 0 ||
	    (word[11] != '\0' && word[11] != '=') ||
	    flagtab_find(s->cmd, "--container", 11) == NULL)
		return 0;
	if (word[11] == '=')
		open_container(s, word + 12);
	else if (*i + 1 < n)
		open_container(s, w[++*i]);
	return 1;
}

/*
 * One flag word at argv position *i; consumes its value.  Returns -1 on
 * ENOMEM.
 */
static int
flag_word(struct scan *s, char **w, const unsigned char *kind, int n, int *i)
{
	const char *word = w[*i], *val = NULL;
	const struct flagspec *f;
	int structured = 0;

	if (container_word(s, w, n, i))
		return 0;
	if ((f = cliarg_match(table(s), word, &val)) == NULL)
		return unknown_flag(s, w, kind, n, *i);
	if (strcmp(f->name, "-h") == 0 || strcmp(f->name, "--help") == 0)
		s->a->help = 1;
	if (f->nargs == FLAG_NONE)
		return 0;	/* "--bool=x": gcloud's argparse refuses it */
	/* --flags-file: an entry from a file is never the value of the
	 * flag before it (gcloud puts a hidden flag between them) */
	if (val == NULL && *i + 1 < n && kind[*i + 1] == FLAGSFILE_STRUCT) {
		val = w[++*i];
		structured = 1;
	} else if (val == NULL && *i + 1 < n && !is_flag(s, w[*i + 1]) &&
	    kind[*i + 1] != FLAGSFILE_ENTRY)
		val = w[++*i];
	if (f->nargs == FLAG_MANY)
		while (*i + 1 < n && !is_flag(s, w[*i + 1]) &&
		    kind[*i + 1] != FLAGSFILE_ENTRY)
			++*i;
	if (val == NULL)
		return 0;	/* argparse: "expected one argument" */
	return record(s, f, val, structured);
}

static int
scan_words(struct scan *s)
{
	struct deploy_args *a = s->a;
	int i, n = a->nwords;

	for (i = 0; i < n; i++) {
		const char *w = a->words[i];

		if (a->wordkind[i] == FLAGSFILE_STRUCT)
			continue;	/* a value whose flag was not taken */
		if (!s->ended && strcmp(w, "--") == 0) {
			s->ended = 1;
			continue;
		}
		if (!s->ended && is_flag(s, w)) {
			s->after_unknown = 0;
			if (flag_word(s, a->words, a->wordkind, n, &i) < 0)
				return -1;
			continue;
		}
		if (s->cmd == NULL) {
			if (!s->ended && s->after_unknown &&
			    !command_prefix(s, w)) {
				s->after_unknown = 0;
				continue;	/* the unknown flag's value */
			}
			if (s->ended || !command_word(s, w))
				return 0;	/* not a command we check */
			continue;
		}
		s->after_unknown = 0;
		if (a->service == NULL && (s->container == NULL || s->ended))
			a->service = w;
	}
	return 0;
}

/* --- flags files: expand a->fwd into a->words (flagsfile.h) --- */
static enum cli_status
expand(struct deploy_args *a, char *err, size_t errlen)
{
	struct flagsfile_words *w;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return CLI_NOMEM;
	}
	a->arena = w;
	if (flagsfile_expand(a->fwd, a->nfwd, w, err, errlen) < 0)
		return strcmp(err, "out of memory") == 0 ? CLI_NOMEM :
		    CLI_BADINPUT;
	a->words = w->v;
	a->wordkind = w->kind;
	a->nwords = w->n;
	return CLI_OK;
}
/*
 * A flags file that cannot be read: scan the words as given, so the
 * caller still knows the command (a command that deploys nothing goes to
 * gcloud, which reports the file itself).
 */
static int
unexpanded(struct deploy_args *a)
{
	unsigned char *kinds;

	if ((kinds = calloc((size_t)a->nfwd + 1, 1)) == NULL)
		return -1;
	memset(kinds, FLAGSFILE_ARG, (size_t)a->nfwd);
	a->wordkind = kinds;
	a->words = a->fwd;
	a->nwords = a->nfwd;
	a->owns_kinds = 1;
	return 0;
}
/* --- end flags files --- */

/* An image outside any --container scope (surface/run/deploy.py builds
 * from source only a container that has none, or has --source). */
static int
named_image(const struct deploy_args *a)
{
	size_t i;

	for (i = 0; i < a->nimages; i++)
		if (a->images[i].container == NULL &&
		    a->images[i].image != NULL)
			return 1;
	return 0;
}

static int
set_command(struct deploy_args *a, const struct scan *s)
{
	if (s->cmd == NULL) {
		a->skip = "not a command that deploys an image";
		return 0;
	}
	if ((a->command = strdup(s->cmd->command)) == NULL)
		return -1;
	if (cli_command_type(a->command, &a->cmd) != 0) {
		a->skip = "not a command that deploys an image";
		return 0;
	}
	if (a->help)
		a->skip = "--help: nothing is deployed";
	else if (s->function && !named_image(a))
		a->skip = "--function without --image: the function is built "
		    "from source";
	else if (a->platform != NULL && (strcmp(a->platform, "gke") == 0 ||
	    strcmp(a->platform, "kubernetes") == 0))
		a->skip = "--platform deploys to a cluster, not Cloud Run";
	a->check = a->skip == NULL;
	return 0;
}

enum cli_status
cli_parse(int argc, char **argv, enum cli_mode mode, struct deploy_args *a,
    char *err, size_t errlen)
{
	struct scan s;
	enum cli_status st;

	memset(a, 0, sizeof(*a));
	a->mode = a->format = -1;
	a->wrapper = mode == CLI_WRAPPER;
	if ((st = cli_split_options(argc, argv, mode, a, err,
	    errlen)) != CLI_OK)
		return st;
	if ((st = expand(a, err, errlen)) == CLI_NOMEM)
		return st;
	if (st == CLI_BADINPUT && unexpanded(a) != 0) {
		snprintf(err, errlen, "out of memory");
		return CLI_NOMEM;
	}
	memset(&s, 0, sizeof(s));
	s.a = a;
	if (scan_words(&s) < 0 || set_command(a, &s) < 0) {
		snprintf(err, errlen, "out of memory");
		return CLI_NOMEM;
	}
	return st;
}

void
cli_free(struct deploy_args *a)
{
	if (a->owns_kinds)
		free((void *)a->wordkind);
	if (a->arena != NULL)
		flagsfile_free(a->arena);
	free(a->arena);
	free(a->fwd);
	free(a->images);
	free(a->command);
	free(a->remove_containers);
	free(a->unknown);
	free(a->service_unsure);
	memset(a, 0, sizeof(*a));
}

/* --- wrapper mode: the command before any flags file is read --- */
static int
flagsfile_word(const char *w)
{
	return strcmp(w, "--flags-file") == 0 ||
	    strncmp(w, "--flags-file=", 13) == 0;
}

/* Whether words (a command path so far) begins some command we check. */
static int
checked_prefix(const char *words)
{
	const struct flagcmd *c;
	size_t len = strlen(words);

	for (c = flagtab_commands; c->command != NULL; c++)
		if (strncmp(c->command, words, len) == 0 &&
		    c->command[len] == ' ')
			return 1;
	return 0;
}

int
cli_command_known(int argc, char **argv, enum cli_mode mode)
{
	struct deploy_args a;
	struct scan s;
	char err[256];
	int i, r = -1;

	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	a.mode = a.format = -1;
	a.wrapper = mode == CLI_WRAPPER;
	if (cli_split_options(argc, argv, mode, &a, err, sizeof(err)) != CLI_OK)
		goto out;
	for (i = 0; i < a.nfwd && !flagsfile_word(a.fwd[i]); i++)
		;
	a.nfwd = i;	/* the words in front of the first flags file */
	s.a = &a;
	if (unexpanded(&a) != 0 || scan_words(&s) < 0)
		goto out;
	if (s.cmd != NULL)
		r = 1;
	else if (s.words[0] != '\0' && !checked_prefix(s.words))
		r = 0;
out:
	cli_free(&a);
	return r;
}
