/*
 * flagsfile.c - expand --flags-file in place, as gcloud's
 * calliope/cli.py (_ApplyFlagsFile, _AddFlagsFileFlags) does.
 *
 * What gcloud 528 does, and so what this file does:
 *  - the scan is lexical over every word, "--" and what follows included;
 *    a trailing "--flags-file" with nothing after it is dropped;
 *  - a missing file is "--flags-file [F] not found.", an empty one
 *    "--flags-file [F] is empty.", a top level that is not a mapping or a
 *    list of mappings "F:LINE: --flags-file file must contain a dictionary
 *    or list of dictionaries of flags.";
 *  - "--flags-file" as a key in a file: a path, or a list of paths, read
 *    relative to the current directory; a path already on the stack of
 *    files being read (compared as written) is "--flags-file recursive
 *    reference (A:L1;B:L2)."; in a list, each path is taken as written;
 *  - "-" is stdin, read once: a second "-" is an empty file.
 * The file's bytes must be UTF-8 (gcloud fails to decode them otherwise).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv/flagsfile.h"
#include "argv/flagsfile_int.h"
#include "gcloud/stdinbuf.h"
#include "util/util_file.h"
#include "yaml/yamltree.h"

#define FLAG	"--flags-file"

struct frame {
	const char	*file;
	int		 line;	/* of the --flags-file value in it */
};

struct arena {
	char		**s;
	size_t		  n;
	size_t		  cap;
};

struct ctx {
	struct flagsfile_words	*out;
	size_t			 cap;
	struct arena		*arena;
	struct frame		 stack[FLAGSFILE_MAXDEPTH];
	int			 depth;
	int			 loads;
	int			 stdin_used;
	int			 limit;		/* failed on a limit of ours */
	struct ffbudget		 budget;
	char			*err;
	size_t			 errlen;
};

static int add_file(struct ctx *, const char *);

static int noread;	/* flagsfile_noread() */
static int unsupported;	/* flagsfile_unsupported() */

#define OWNFD_MAX	4096
#define SLURP_STDIN	1

static int
oom(struct ctx *c)
{
	snprintf(c->err, c->errlen, "out of memory");
	return -1;
}

/* Append a word; an owned one goes to the arena (freed even on error). */
static int
push(struct ctx *c, char *w, int kind, int owned)
{
	struct flagsfile_words *o = c->out;
	struct arena *a = c->arena;
	void *p;

	if (owned && a->n == a->cap) {
		if ((p = reallocarray(a->s, a->cap ? a->cap * 2 : 16,
		    sizeof(*a->s))) == NULL) {
			free(w);
			return oom(c);
		}
		a->s = p;
		a->cap = a->cap ? a->cap * 2 : 16;
	}
	if (owned)
		a->s[a->n++] = w;
	if ((size_t)o->n + 1 >= c->cap) {
		if ((p = reallocarray(o->v, c->cap * 2, sizeof(*o->v))) == NULL)
			return oom(c);
		o->v = p;
		if ((p = realloc(o->kind, c->cap * 2)) == NULL)
			return oom(c);
		o->kind = p;
		c->cap *= 2;
	}
	o->kind[o->n] = (unsigned char)kind;
	o->v[o->n++] = w;
	o->v[o->n] = NULL;
	return 0;
}

static int
utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k, j;
	unsigned long c;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		k = (s[i] & 0xe0) == 0xc0 ? 1 : (s[i] & 0xf0) == 0xe0 ? 2 :
		    (s[i] & 0xf8) == 0xf0 ? 3 : 0;
		if (k == 0)
			return 0;
		c = s[i] & (0x7f >> (k + 1));
		for (j = 1; j <= k; j++) {
			if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 1 && c < 0x80) || (k == 2 && c < 0x800) ||
		    (k == 3 && c < 0x10000) || c > 0x10ffff ||
		    (c >= 0xd800 && c <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

/* The descriptor of this process that st is (/dev/fd/N, /dev/stdin), or -1. */
static int
ownfd(const struct stat *st)
{
	struct stat f;
	int fd;

	for (fd = 0; fd < OWNFD_MAX; fd++)
		if (fstat(fd, &f) == 0 && f.st_dev == st->st_dev &&
		    f.st_ino == st->st_ino && f.st_mode == st->st_mode)
			return fd;
	return -1;
}

/*
 * A path that is no regular file: gcloud opens and reads it once, so the
 * shim may read it only where gcloud still gets the same bytes after:
 * standard input (/dev/stdin, /dev/fd/0: given back at the hand-over)
 * and a pipe the shim holds as descriptor N > 2 (/dev/fd/N, bash's
 * <(...): replaced by a memfd with the same bytes, see stdinbuf.h).  A
 * named FIFO, a terminal, a device or a socket is refused unread.
 * SLURP_STDIN, 0 (now a memfd: read it as a file) or -1 with err.
 */
static int
special(struct ctx *c, const char *path, const struct stat *st)
{
	char e[256];
	int fd = S_ISFIFO(st->st_mode) ? ownfd(st) : -1;

	if (fd == STDIN_FILENO)
		return SLURP_STDIN;
	if (fd > STDERR_FILENO) {
		if (stdinbuf_take_fd(fd, e, sizeof(e)) == 0)
			return 0;
		snprintf(c->err, c->errlen, FLAG " [%s]: %s", path, e);
		c->limit = 1;
		return -1;
	}
	snprintf(c->err, c->errlen, FLAG " [%s]: a %s; gcloud reads it once, "
	    "so the shim does not read it: put the flags in a regular file, "
	    "or pass them with <(...) or on standard input", path,
	    S_ISFIFO(st->st_mode) ? "named pipe" : S_ISCHR(st->st_mode) ?
	    "terminal or device" : "socket or device");
	c->limit = 1;
	return -1;
}

/*
 * Read a file whole: 0 with *buf (malloc'd), SLURP_STDIN for standard
 * input under another name, or -1 with err.
 */
static int
slurp(struct ctx *c, const char *path, char **buf, size_t *len)
{
	struct stat st;
	size_t room;
	int fd;

	*buf = NULL;
	*len = 0;
	if (stat(path, &st) < 0) {
		/* os.path.exists() is false: gcloud says "not found" */
		snprintf(c->err, c->errlen, FLAG " [%s] not found.", path);
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		if ((fd = special(c, path, &st)) != 0)
			return fd;
		if (stat(path, &st) < 0) {
			snprintf(c->err, c->errlen, FLAG " [%s]: %s", path,
			    strerror(errno));
			return -1;
		}
	}
	if (S_ISDIR(st.st_mode) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(c->err, c->errlen, FLAG " [%s]: cannot read: %s",
		    path, strerror(S_ISDIR(st.st_mode) ? EISDIR : errno));
		return -1;
	}
	/* a regular file: its size and a byte to see it grow; else the cap */
	room = S_ISREG(st.st_mode) && st.st_size < FLAGSFILE_MAXSIZE ?
	    (size_t)st.st_size + 2 : FLAGSFILE_MAXSIZE + 1;
	if ((*buf = malloc(room)) == NULL) {
		close(fd);
		return oom(c);
	}
	if (file_read_fd(fd, *buf, room, len) == -1) {
		snprintf(c->err, c->errlen, FLAG " [%s]: cannot read: %s",
		    path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (room < FLAGSFILE_MAXSIZE + 1 && *len > (size_t)st.st_size) {
		snprintf(c->err, c->errlen, FLAG " [%s]: changed while read",
		    path);
		return -1;
	}
	return 0;
}

static int
recursion(struct ctx *c, const char *path)
{
	size_t n;
	int i;

	for (i = 0; i < c->depth; i++)
		if (strcmp(c->stack[i].file, path) == 0)
			break;
	if (i == c->depth)
		return 0;
	n = strlcpy(c->err, FLAG " recursive reference (", c->errlen);
	for (i = 0; i < c->depth && n < c->errlen; i++)
		n += snprintf(c->err + n, c->errlen - n, "%s%s:%d",
		    i ? ";" : "", c->stack[i].file, c->stack[i].line);
	if (n < c->errlen)
		snprintf(c->err + n, c->errlen - n, ").");
	return -1;
}

static int
fail_at(struct ctx *c, const char *path, int line, const char *msg)
{
	snprintf(c->err, c->errlen, "%s:%d: %s", path, line, msg);
	return -1;
}

/* "--flags-file: PATH" or "--flags-file: [PATH, ...]" in a file. */
static int
include(struct ctx *c, const char *path, const struct ynode *v)
{
	size_t i;
	int rc = 0;

	if (c->depth == FLAGSFILE_MAXDEPTH) {
		c->limit = 1;
		return fail_at(c, path, v->line, FLAG " files nested too "
		    "deeply");
	}
	c->stack[c->depth].file = path;
	c->stack[c->depth++].line = v->line;
	if (v->type == Y_SCALAR && v->vtype == YV_STR)
		rc = add_file(c, v->str);
	else if (v->type == Y_SEQ)
		for (i = 0; i < v->nkid && rc == 0; i++)
			rc = v->kid[i]->type != Y_SCALAR ?
			    fail_at(c, path, v->kid[i]->line, FLAG
			    ": expected a path") :
			    add_file(c, v->kid[i]->val);	/* as written */
	else
		rc = fail_at(c, path, v->line, FLAG ": expected a path or "
		    "a list of paths");
	c->depth--;
	return rc;
}

static int
owned(struct ctx *c, const char *path, int line, char *w, int kind)
{
	size_t n;

	if (w == NULL)
		return oom(c);
	n = strlen(w);
	if (n > c->budget.bytes || --c->budget.nodes < 0) {
		free(w);
		c->limit = 1;
		return fail_at(c, path, line, "the expanded flags are too "
		    "large");
	}
	c->budget.bytes -= n;
	return push(c, w, kind, 1);
}

/* One KEY: VALUE of a file. */
static int
entry(struct ctx *c, const char *path, const struct ynode *k,
    const struct ynode *v)
{
	char *w, err[256];
	size_t n;

	if (strcmp(k->val, FLAG) == 0)
		return include(c, path, v);
	if (v->type == Y_SCALAR && v->vtype != YV_NULL &&
	    v->vtype != YV_BOOL) {
		n = strlen(k->val) + strlen(v->str) + 2;
		if ((w = malloc(n)) != NULL)
			snprintf(w, n, "%s=%s", k->val, v->str);
		return owned(c, path, k->line, w, FLAGSFILE_ENTRY);
	}
	if (owned(c, path, k->line, strdup(k->val), FLAGSFILE_ENTRY) < 0)
		return -1;
	if (v->type == Y_SCALAR)
		return 0;
	if (ffscalar_json(v, &w, &c->budget, err, sizeof(err)) < 0)
		return fail_at(c, path, v->line, err);
	return push(c, w, FLAGSFILE_STRUCT, 1);
}

static int
expand_doc(struct ctx *c, const char *path, const struct ytree *d)
{
	static const char shape[] = FLAG " file must contain a dictionary "
	    "or list of dictionaries of flags.";
	struct ynode *const *m = &d->root;
	size_t i, j, nm = 1;

	if (d->root == NULL)	/* gcloud crashes here */
		return fail_at(c, path, 1, shape);
	if (d->root->type == Y_SEQ) {
		m = d->root->kid;
		nm = d->root->nkid;
	}
	for (i = 0; i < nm; i++) {
		if (m[i]->type != Y_MAP)
			return fail_at(c, path, m[i]->line, shape);
		for (j = 0; j + 1 < m[i]->nkid; j += 2)
			if (entry(c, path, m[i]->kid[j],
			    m[i]->kid[j + 1]) < 0)
				return -1;
	}
	return 0;
}

/* The bytes of a file, or of stdin for "-" (empty after the first). */
static int
contents(struct ctx *c, const char *path, const char **buf, size_t *len,
    char **mine)
{
	int r;

	*mine = NULL;
	if (strcmp(path, "-") != 0) {
		if ((r = slurp(c, path, mine, len)) < 0)
			return -1;
		*buf = *mine;
		/* a new open of /dev/stdin reads it all, each time */
		if (r == SLURP_STDIN &&
		    stdinbuf_get(buf, len, c->err, c->errlen) < 0)
			return -1;
	} else if (c->stdin_used) {
		*buf = "";
		*len = 0;
	} else {
		c->stdin_used = 1;
		if (stdinbuf_get(buf, len, c->err, c->errlen) < 0)
			return -1;
	}
	if (*len > FLAGSFILE_MAXSIZE) {
		snprintf(c->err, c->errlen, FLAG " [%s]: larger than %ld "
		    "bytes", path, (long)FLAGSFILE_MAXSIZE);
		c->limit = 1;
		return -1;
	}
	return 0;
}

static int
add_file(struct ctx *c, const char *path)
{
	struct ytree d;
	const char *buf;
	char *mine, msg[256];
	size_t len;
	int rc = -1, line;

	if (noread) {
		snprintf(c->err, c->errlen, FLAG " [%s]: not read (the "
		    "command deploys nothing)", path);
		return -1;
	}
	if (recursion(c, path) < 0)
		return -1;
	if (++c->loads > FLAGSFILE_MAXLOADS) {
		snprintf(c->err, c->errlen, FLAG " [%s]: more than %d files "
		    "read", path, FLAGSFILE_MAXLOADS);
		c->limit = 1;
		return -1;
	}
	if (contents(c, path, &buf, &len, &mine) < 0)
		goto out;
	if (len == 0)
		snprintf(c->err, c->errlen, FLAG " [%s] is empty.", path);
	else if (!utf8_ok((const unsigned char *)buf, len))
		snprintf(c->err, c->errlen, FLAG " [%s]: not valid UTF-8",
		    path);
	else if (ffyaml_load(buf, len, &d, &c->budget, &line, msg,
	    sizeof(msg)) < 0) {
		fail_at(c, path, line, msg);
		/* gcloud reads these; the shim stops short of them */
		if (strstr(msg, "unsupported YAML tag") != NULL ||
		    strstr(msg, "too deeply") != NULL ||
		    strstr(msg, "too many YAML nodes") != NULL)
			c->limit = 1;
		ytree_free(&d);
	} else {
		rc = expand_doc(c, path, &d);
		ytree_free(&d);
	}
out:
	free(mine);
	return rc;
}

int
flagsfile_expand(char *const *in, int n, struct flagsfile_words *out,
    char *err, size_t errlen)
{
	struct ctx c;
	int i, peek = 0;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.out = out;
	c.cap = 16;
	c.err = err;
	c.errlen = errlen;
	c.budget.nodes = FLAGSFILE_MAXNODES;
	c.budget.bytes = FFBUDGET_BYTES;
	out->arena = c.arena = calloc(1, sizeof(*c.arena));
	out->v = calloc(c.cap, sizeof(*out->v));
	out->kind = calloc(c.cap, 1);
	if (c.arena == NULL || out->v == NULL || out->kind == NULL)
		return oom(&c);
	unsupported = 0;
	for (i = 0; i < n; i++) {
		if (peek) {
			peek = 0;
			if (add_file(&c, in[i]) < 0)
				goto fail;
		} else if (strcmp(in[i], FLAG) == 0)
			peek = 1;
		else if (strncmp(in[i], FLAG "=", sizeof(FLAG)) == 0) {
			if (add_file(&c, in[i] + sizeof(FLAG)) < 0)
				goto fail;
		} else if (push(&c, in[i], FLAGSFILE_ARG, 0) < 0)
			goto fail;
	}
	return 0;
fail:
	unsupported = c.limit;
	return -1;
}

void
flagsfile_noread(int on)
{
	noread = on;
}

int
flagsfile_unsupported(void)
{
	return unsupported;
}

void
flagsfile_free(struct flagsfile_words *w)
{
	struct arena *a = w->arena;
	size_t i;

	if (a != NULL) {
		for (i = 0; i < a->n; i++)
			free(a->s[i]);
		free(a->s);
		free(a);
	}
	free(w->v);
	free(w->kind);
	memset(w, 0, sizeof(*w));
}
