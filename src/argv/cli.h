/*
 * cli.h - the model of a gcloud command line.
 *
 * cli_parse() reads argv as gcloud's argument parser would (calliope on
 * argparse, allow_abbrev off): global flags anywhere, the command's own
 * flags after its command words, "--flag=value" and "--flag value" alike,
 * argparse's rule order (a known "--flag=value with spaces" is that flag;
 * only a word it cannot match is a positional for its space), a repeated
 * flag's last value wins unless its action accumulates
 * (--remove-containers), "--" ends the flags, and the
 * "--container NAME" scopes of gcloud's container parser.  Flags files
 * (--flags-file=FILE) are expanded in place before the scan, as gcloud
 * does; a structured (list or mapping) --image value from a file is no
 * image: the scan records none for it.  Which flags take
 * a value comes from flagtab.h.
 *
 * The shim's own options (--preflight=..., --preflight-format=...) are
 * taken out; every other word is forwarded as it is, byte for byte.
 *
 * Steps for a caller:
 *   1. cli_parse(argc, argv, mode, &a, err, sizeof(err)) -> enum cli_status
 *   2. a.fwd (NULL-terminated) is the argument vector for the real gcloud
 *      minus argv[0]: it starts with "run" "deploy" in deploy mode.
 *   3. a.check says whether the command deploys images the shim checks;
 *      when it is 0, a.skip says why (for the report).
 *      CLI_BADINPUT: a --flags-file gcloud would refuse (err says why).
 *   4. cli_warn(&a, sdkroot, stderr) before a check: the flags the tables
 *      do not know, and what they make unsure.
 *   5. cli_free(&a).
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>
#include <stdio.h>

enum cli_mode {
	CLI_DEPLOY,	/* gcloud-run-deploy ARGS = gcloud run deploy ARGS */
	CLI_WRAPPER	/* invoked as "gcloud": a whole gcloud command line */
};

enum cli_status {
	CLI_OK,
	CLI_USAGE,	/* a bad shim option: exit 64, message in err */
	CLI_NOMEM,
	CLI_BADINPUT	/* a bad --flags-file: exit 65, message in err */
};

struct cli_image {
	const char	*image;		/* the value as given (points into argv
					 * or the flags-file expansion); NULL
					 * for a container built from source */
	const char	*container;	/* --container NAME, or NULL */
	int		 source;	/* --source in this container's scope:
					 * built, not pulled; its --image is
					 * the build's destination */
};

/*
 * The command a table row names, typed: "beta run jobs deploy" is
 * {CLI_BETA, CLI_JOB, CLI_VERB_DEPLOY}.  Set once by cli_parse() from the
 * row it matched, so that no later module reads the command's words.
 */
enum cli_track {
	CLI_GA,
	CLI_BETA,
	CLI_ALPHA
};

enum cli_kind {
	CLI_SERVICE,			/* run deploy, run services ... */
	CLI_JOB,			/* run jobs ... */
	CLI_WORKER_POOL,		/* run worker-pools ... */
	CLI_MULTI_REGION_SERVICE,	/* run multi-region-services ... */
	CLI_WORKER			/* alpha run workers ... */
};

enum cli_verb {
	CLI_VERB_DEPLOY,
	CLI_VERB_CREATE,
	CLI_VERB_UPDATE,
	CLI_VERB_REPLACE
};

struct cli_command {
	enum cli_track	track;
	enum cli_kind	kind;
	enum cli_verb	verb;
};

struct deploy_args {
	char		**fwd;		/* words for gcloud after argv[0] */
	int		  nfwd;
	/* a->fwd with every --flags-file expanded (flagsfile.h): what is
	 * scanned, never forwarded; image and flag values may point here */
	char		**words;
	const unsigned char *wordkind;	/* enum flagsfile_kind, per word */
	int		  nwords;
	void		 *arena;	/* struct flagsfile_words, owns them */
	int		  owns_kinds;	/* wordkind was allocated here */
	int		  wrapper;	/* invoked as gcloud (CLI_WRAPPER) */
	/* "run deploy", "beta run jobs deploy" */
	char		 *command;
	struct cli_command cmd;		/* the same, typed (when command) */
	const char	 *service;	/* positional SERVICE/JOB, or NULL */
	int		  check;	/* 1: images to check */
	const char	 *skip;		/* why not, when check is 0 */
	struct cli_image *images;	/* one per scope that names an image */
	size_t		  nimages;
	size_t		  ncontainers;	/* distinct --container names */
	int		  help;		/* --help or -h: gcloud prints help */
	const char	 *incomplete;	/* what the shim cannot read yet */

	/* Shim options from the command line; -1 when not given. */
	int		  mode;		/* enum preflight_mode */
	int		  format;	/* enum report_format */

	/* gcloud flags the check needs, as given (NULL when absent). */
	const char	*account;		/* --account */
	/* --impersonate-service-account */
	const char	*impersonate;
	const char	*configuration;		/* --configuration */
	const char	*access_token_file;	/* --access-token-file */
	const char	*credential_file_override; /* (hidden) same name */
	const char	*project;		/* --project */
	const char	*billing_project;	/* --billing-project */
	const char	*region;		/* --region */
	const char	*platform;		/* --platform */
	/* first flag gcloud 528 lacks */
	const char	*unknown_flag;
	/* --remove-containers: the names of every occurrence, YAML lists of
	 * flags files included, comma-separated (calliope's UpdateAction
	 * accumulates them); NULL when absent.  Owned. */
	char		*remove_containers;

	/*
	 * Flags from a newer gcloud.  unknown[0..nunknown-1]: every flag word
	 * the tables (gcloud 528) do not know, as given.  service_unsure:
	 * NULL, or why `service` may not be the name gcloud deploys to (an
	 * unknown flag stands where it may take the word read as the name as
	 * its value).  When set, the check must not read the deployed
	 * resource by that name: the images an update keeps are then not
	 * covered.  Owned.
	 */
	const char	**unknown;
	size_t		  nunknown;
	char		 *service_unsure;
	const char	*freshness;		/* --freshness (audit mode) */
	/* --- output (issue 13): more shim options, NULL when not given --- */
	const char	*report_file;		/* --preflight-report=FILE */
	const char	*agent;			/* --preflight-service-agent=
						 * warn|block */
};

enum cli_status cli_parse(int argc, char **argv, enum cli_mode mode,
    struct deploy_args *a, char *err, size_t errlen);
void cli_free(struct deploy_args *a);

/*
 * The typed form of a command table row (flagtab_commands[].command, as
 * "alpha run worker-pools update"): 0, or -1 when a word is none the
 * tables use (a new row needs its word here).
 */
int cli_command_type(const char *row, struct cli_command *c);

/*
 * Wrapper mode, before any flags file is read (calliope expands flags
 * files before it parses, so a file can hold command words): 1 when the
 * words in front of the first --flags-file already name a command that
 * is checked, 0 when they name one that is not, -1 when the command may
 * still come from a flags file.
 */
int cli_command_known(int argc, char **argv, enum cli_mode mode);

/*
 * Print a warning to fp when the command line has flags the tables do not
 * know, naming them, the tables' SDK and the installed one (VERSION under
 * the SDK root of the gcloud to run, `gcloud` its path; NULL: unknown),
 * and what the check cannot cover because of them.  Nothing otherwise.
 */
void cli_warn(const struct deploy_args *a, const char *gcloud, FILE *fp);

struct props;

/*
 * props_flag() (gcloud/props.h) for the property flags of a command line:
 * --account, --impersonate-service-account, --access-token-file,
 * --project and --billing-project (billing/quota_project); 0, or -1 on
 * ENOMEM.
 */
int props_args(struct props *p, const struct deploy_args *a);

/*
 * All of it for a command line: props_init(), its flags (props_args),
 * then the files, with the installation properties of the SDK whose
 * gcloud is `gcloud` (an absolute path, or NULL).  0, or -1 with err.
 */
int props_for_command(struct props *p, const struct deploy_args *a,
    const char *gcloud, char *err, size_t errlen);

#endif
