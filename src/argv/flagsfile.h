/*
 * flagsfile.h - expand gcloud's --flags-file=FILE in a word list.
 *
 * gcloud (calliope/cli.py, _ApplyFlagsFile) rewrites argv before argparse
 * sees it; this module does the same rewrite so the shim scans what gcloud
 * parses:
 *  - lexically, over every word, "--" included: "--flags-file=F", or
 *    "--flags-file" and the word after it (a trailing "--flags-file" with
 *    no word after it is dropped, as gcloud drops it);
 *  - F is YAML (1.2 rules, as gcloud's ruamel loader; "%YAML 1.1" switches
 *    to 1.1 rules): a mapping, or a list of mappings to repeat flags;
 *  - each KEY: VALUE becomes, in place and in order, one entry word:
 *	null or Boolean (false too)	"KEY"
 *	any other scalar		"KEY=VALUE", VALUE as Python's str()
 *					prints it ("007" -> "7", "1e3" ->
 *					"1000.0", "yes" stays "yes")
 *	list or mapping			"KEY", then a FLAGSFILE_STRUCT word
 *					(the value as JSON text)
 *  - "--flags-file: PATH" or "--flags-file: [PATH...]" in a file expands
 *    those files there; a file already being expanded is an error;
 *    relative paths are relative to the current directory, not to the
 *    including file; "-" is standard input (stdinbuf.h), and only the
 *    first "-" gets its bytes: a second one reads an empty file.
 * Where gcloud crashes on a file (a date, "0x10", ".inf", a custom tag, no
 * document), this module returns an error instead.
 *
 * A path that is no regular file is read only where gcloud still gets the
 * same bytes after (gcloud opens and reads it once): /dev/stdin (and
 * /dev/fd/0), given back at the hand-over like "-" but whole at each
 * open, as gcloud would then see it; a pipe held as descriptor N > 2
 * (/dev/fd/N, bash's <(...)), replaced at once by a memfd with the same
 * bytes at the same number (stdinbuf_take_fd()).  A named FIFO, terminal,
 * device or socket is refused unread (a deploy then stops with 65, as for
 * any flags file the shim cannot read; --preflight=warn or off hands
 * over, and gcloud reads the pipe itself).
 *
 * flagsfile_unsupported() says whether the last failure is the shim's
 * own (a size, depth, node or file-count limit, a tag or nesting it does
 * not expand, a path it refuses to read) rather than one gcloud shares
 * (not found, empty, YAML syntax, recursion): only then may the file hold
 * what gcloud would run: in wrapper mode, when the command words may come
 * from such a file, main.c stops with 69 (warn: a warning, then the
 * hand-over).  flagsfile_noread(1) makes every flags file fail unread, for
 * a command already known to deploy nothing (cli_command_known()).
 *
 * Bounds: files of at most FLAGSFILE_MAXSIZE bytes, at most
 * FLAGSFILE_MAXDEPTH nested files and FLAGSFILE_MAXLOADS loads, at most
 * FLAGSFILE_MAXNODES YAML nodes built or visited (aliases count each time
 * they are followed), FLAGSFILE_MAXNEST levels of nesting; input must be
 * UTF-8.
 *
 * Steps for a caller:
 *   1. flagsfile_expand(words, n, &w, err, sizeof(err)): 0, or -1 with a
 *      message in err ("--flags-file [F] not found.", "F:3: ...");
 *   2. w.v[0..w.n-1] are the words (w.v[w.n] is NULL); w.kind[i] says where
 *      each came from.  Words that are not from a file point at the
 *      caller's strings: keep them alive;
 *   3. flagsfile_free(&w), also after an error.
 */
#ifndef FLAGSFILE_H
#define FLAGSFILE_H

#include <stddef.h>

#define FLAGSFILE_MAXSIZE	(4L * 1024 * 1024)
#define FLAGSFILE_MAXDEPTH	16
#define FLAGSFILE_MAXLOADS	256
#define FLAGSFILE_MAXNODES	100000
#define FLAGSFILE_MAXNEST	64

enum flagsfile_kind {
	FLAGSFILE_ARG,		/* a word of the input, as it was */
	FLAGSFILE_ENTRY,	/* "KEY" or "KEY=VALUE" from a file */
	FLAGSFILE_STRUCT	/* the list or mapping value of the entry
				   before it */
};

struct flagsfile_words {
	char		**v;	/* n words, then NULL */
	unsigned char	 *kind;	/* enum flagsfile_kind, one per word */
	int		  n;
	void		 *arena;	/* the strings made from files */
};

int flagsfile_expand(char *const *in, int n, struct flagsfile_words *out,
    char *err, size_t errlen);
void flagsfile_free(struct flagsfile_words *w);
int flagsfile_unsupported(void);
void flagsfile_noread(int on);

#endif
