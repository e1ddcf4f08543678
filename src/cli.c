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

#include "cli.h"
#include "conf.h"
#include "flagsfile.h"
#include "flagtab.h"

struct scan {
	struct deploy_args	*a;
	const struct flagcmd	*cmd;	/* NULL until the command words end */
	char			 words[128];	/* command words so far */
	const char		*container;	/* current --container scope */
	int			 ended;		/* "--" seen */
};

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
	const char *v, *m = NULL;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (shim_option(argv[i], "--preflight", &v) && v != NULL &&
		    conf_parse_mode(v) >= 0)
			m = v;
	if (m == NULL)
		m = conf_env("GCLOUD_RUN_DEPLOY_PREFLIGHT");
	return m != NULL && conf_parse_mode(m) == PREFLIGHT_AUDIT;
}
/* --- end audit --- */

/* Take the shim's own options out of argv; build a->fwd. */
static enum cli_status
split_options(int argc, char **argv, enum cli_mode mode,
    struct deploy_args *a, char *err, size_t errlen)
{
	const char *v;
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
			if (v == NULL || (a->mode = conf_parse_mode(v)) < 0) {
				snprintf(err, errlen, "--preflight: expected "
				    "--preflight=enforce|warn|only|plan|off|"
				    "audit");
				return CLI_USAGE;
			}
			continue;
		}
		if (!dashdash &&
		    shim_option(argv[i], "--preflight-format", &v)) {
			if (v == NULL || (a->format = conf_parse_format(v)) < 0) {
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
			if (v == NULL || conf_parse_agent(v) < 0) {
				snprintf(err, errlen, "--preflight-service-agent"
				    ": expected --preflight-service-agent="
				    "warn|block");
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

/* argparse's _negative_number_matcher: ^-\d+$|^-\d*\.\d+$ */
static int
negative_number(const char *w)
{
	const char *p = w + 1;
	size_t digits = strspn(p, "0123456789");

	if (p[digits] == '\0')
		return digits > 0;
	if (p[digits] != '.')
		return 0;
	p += digits + 1;
	digits = strspn(p, "0123456789");
	return digits > 0 && p[digits] == '\0';
}

static int
is_flag(const char *w)
{
	return w[0] == '-' && w[1] != '\0' && !negative_number(w) &&
	    strchr(w, ' ') == NULL;
}

static const struct flagspec *
lookup(const struct scan *s, const char *name, size_t len)
{
	const struct flagspec *f;

	f = flagtab_find(flagtab_global, flagtab_nglobal, name, len);
	if (f == NULL && s->cmd != NULL)
		f = flagtab_find(s->cmd->flags, s->cmd->nflags, name, len);
	return f;
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
	im = reallocarray(a->images, a->nimages + 1, sizeof(*im));
	if (im == NULL)
		return NULL;
	a->images = im;
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

/* Remember the value of a flag the check needs. */
static int
record(struct scan *s, const char *name, const char *val)
{
	struct deploy_args *a = s->a;
	static const struct {
		const char *flag;
		size_t off;
	} keep[] = {
		{ "--account", offsetof(struct deploy_args, account) },
		{ "--impersonate-service-account",
		    offsetof(struct deploy_args, impersonate) },
		{ "--configuration", offsetof(struct deploy_args, configuration) },
		{ "--access-token-file",
		    offsetof(struct deploy_args, access_token_file) },
		{ "--credential-file-override",
		    offsetof(struct deploy_args, credential_file_override) },
		{ "--project", offsetof(struct deploy_args, project) },
		{ "--billing-project",
		    offsetof(struct deploy_args, billing_project) },
		{ "--region", offsetof(struct deploy_args, region) },
		{ "--platform", offsetof(struct deploy_args, platform) },
		{ "--remove-containers",
		    offsetof(struct deploy_args, remove_containers) },
	};
	size_t i;

	if (strcmp(name, "--image") == 0 && s->cmd != NULL)
		return set_image(s, val);
	if (strcmp(name, "--source") == 0 && s->cmd != NULL)
		return set_source(s);
	if (strcmp(name, "--function") == 0 && s->cmd != NULL)
		a->skip = "--function: a function is built from source";
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (strcmp(name, keep[i].flag) == 0)
			*(const char **)((char *)a + keep[i].off) = val;
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
 * One flag word at argv position *i; consumes its value.  Returns -1 on
 * ENOMEM.
 */
static int
flag_word(struct scan *s, char **w, const unsigned char *kind, int n, int *i)
{
	const char *word = w[*i], *eq = strchr(word, '='), *val = NULL;
	size_t len = eq ? (size_t)(eq - word) : strlen(word);
	const struct flagspec *f;

	if (s->cmd != NULL && len == 11 &&
	    strncmp(word, "--container", 11) == 0 &&
	    lookup(s, "--container", 11) != NULL) {
		if (eq != NULL)
			open_container(s, eq + 1);
		else if (*i + 1 < n)
			open_container(s, w[++*i]);
		return 0;
	}
	if (strcmp(word, "-h") == 0 || strcmp(word, "--help") == 0) {
		s->a->help = 1;
		return 0;
	}
	if ((f = lookup(s, word, len)) == NULL) {
		if (s->a->unknown_flag == NULL && s->cmd != NULL)
			s->a->unknown_flag = word;
		return 0;
	}
	if (f->nargs == FLAG_NONE)
		return 0;	/* "--bool=x": argparse refuses it; gcloud will */
	/* --flags-file: an entry from a file is never the value of the
	 * flag before it (gcloud puts a hidden flag between them); a
	 * structured value is no string: taken, not recorded */
	if (eq != NULL)
		val = eq + 1;
	else if (*i + 1 < n && kind[*i + 1] == FLAGSFILE_STRUCT)
		++*i;
	else if (*i + 1 < n && !is_flag(w[*i + 1]) &&
	    kind[*i + 1] != FLAGSFILE_ENTRY)
		val = w[++*i];
	if (f->nargs == FLAG_MANY)
		while (*i + 1 < n && !is_flag(w[*i + 1]) &&
		    kind[*i + 1] != FLAGSFILE_ENTRY)
			++*i;
	if (val == NULL)
		return 0;	/* argparse: "expected one argument" */
	return record(s, f->name, val);
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
		if (!s->ended && is_flag(w)) {
			if (flag_word(s, a->words, a->wordkind, n, &i) < 0)
				return -1;
			continue;
		}
		if (s->cmd == NULL) {
			if (s->ended || !command_word(s, w))
				return 0;	/* not a command we check */
			continue;
		}
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

static int
set_command(struct deploy_args *a, const struct scan *s)
{
	if (s->cmd == NULL) {
		a->skip = "not a command that deploys an image";
		return 0;
	}
	if ((a->command = strdup(s->cmd->command)) == NULL)
		return -1;
	if (a->help)
		a->skip = "--help: nothing is deployed";
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
	if ((st = split_options(argc, argv, mode, a, err, errlen)) != CLI_OK)
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
command_prefix(const char *words)
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
	if (split_options(argc, argv, mode, &a, err, sizeof(err)) != CLI_OK)
		goto out;
	for (i = 0; i < a.nfwd && !flagsfile_word(a.fwd[i]); i++)
		;
	a.nfwd = i;	/* the words in front of the first flags file */
	s.a = &a;
	if (unexpanded(&a) != 0 || scan_words(&s) < 0)
		goto out;
	if (s.cmd != NULL)
		r = 1;
	else if (s.words[0] != '\0' && !command_prefix(s.words))
		r = 0;
out:
	cli_free(&a);
	return r;
}
