/*
 * flagtab.h - the flags of the gcloud commands the shim reads.
 *
 * The tables are generated from gcloud's own argument parsers, built by
 * calliope from the installed SDK (tools/gen-flagtab.py -> src/argv/flagtab.c):
 * every option string, hidden and --no- forms included.  They say how many
 * values each flag takes, which is all the command-line model needs to
 * tell a flag's value from a positional word, and whether a repeated flag
 * accumulates its values or keeps the last.
 */
#ifndef FLAGTAB_H
#define FLAGTAB_H

#include <stddef.h>
#include <stdint.h>

enum flag_nargs {
	FLAG_NONE,	/* argparse nargs=0: a Boolean */
	FLAG_ONE,	/* nargs=None: exactly one value */
	FLAG_OPTIONAL,	/* nargs='?': the next word, if it is not a flag */
	FLAG_MANY	/* nargs='*' or '+': every following non-flag word */
};

struct flagspec {
	const char	*name;		/* "--image", "-q" */
	enum flag_nargs	 nargs;
	int		 accum;		/* 1: the action accumulates (append,
					 * extend, count, calliope's
					 * UpdateAction): a repeated flag adds
					 * to the earlier values; 0: the last
					 * value wins */
};

/*
 * Each flag spec is written once, in flagtab_specs; a parser's table is a
 * mask over it, 64 specs a word.  A name with other nargs or accumulation
 * in another parser is another spec.
 */
struct flagcmd {
	const char	*command;	/* "beta run deploy"; "" for global */
	const uint64_t	*mask;		/* bit i: the parser has
					 * flagtab_specs[i] */
};

extern const struct flagspec flagtab_specs[];	/* sorted by name */
extern const size_t flagtab_nspecs;
extern const struct flagcmd flagtab_commands[];	/* ends with command NULL */
/* The command groups on the way to them ("run", "beta run jobs"): their
 * parsers read the words between command words, and some have flags of
 * their own ("run services --region R update S"). */
extern const struct flagcmd flagtab_groups[];	/* ends with command NULL */
extern const struct flagcmd flagtab_global;
extern const char flagtab_sdk_version[];

/*
 * global: the top-level parser's flags (allowed before the command words);
 * each command's table holds the globals too, as its parser does.
 */

/* The group's table, or NULL.  `group` is e.g. "beta run services". */
const struct flagcmd *flagtab_group(const char *group);

/* Does table t have flagtab_specs[i]? */
int flagtab_has(const struct flagcmd *t, size_t i);

/* The flag named `name` (no "=value") in table t, or NULL. */
const struct flagspec *flagtab_find(const struct flagcmd *t, const char *name,
    size_t namelen);

#endif
