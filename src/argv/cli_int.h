/*
 * cli_int.h - inside the command-line model (src/argv/cli*.c): argparse's rules
 * for one word and calliope's ArgList (cli_argparse.c), the shim's own
 * options (cli_options.c).
 */
#ifndef CLI_INT_H
#define CLI_INT_H

#include <stddef.h>

#include "argv/cli.h"
#include "argv/flagtab.h"

/* Take the shim's own options out of argv; build a->fwd (cli_options.c). */
enum cli_status cli_split_options(int argc, char **argv, enum cli_mode mode,
    struct deploy_args *a, char *err, size_t errlen);

enum cliarg_class {
	CLIARG_POSITIONAL,	/* a value or a positional word */
	CLIARG_OPTION,		/* an option string of the parser */
	CLIARG_UNKNOWN		/* an option the parser does not know */
};

/* How the parser with options `tab` reads word w (argparse's order). */
enum cliarg_class cliarg_classify(const struct flagcmd *tab, const char *w);

/*
 * The option w names in `tab`, or NULL; *explicit is the value attached
 * to it ("--f=V": V), or NULL.
 */
const struct flagspec *cliarg_match(const struct flagcmd *tab, const char *w,
    const char **explicit);

/* Append an ArgList value (structured: JSON text of a YAML list) to the
 * comma-separated *list.  -1 on ENOMEM. */
int cliarg_list_add(char **list, const char *val, int structured);

#endif
