/*
 * ini.c - an INI file read as Python's configparser.ConfigParser() reads
 * it, which is how gcloud reads its properties files
 * (googlecloudsdk/core/configurations/properties_file.py; the parser is
 * platform/bundledpythonunix/lib/python3.12/configparser.py):
 *   - lines end at "\n", "\r\n" or "\r" (text mode, universal newlines);
 *   - a line whose stripped text starts with '#' or ';' is a comment; there
 *     are no inline comments ("a = b ; c" is "b ; c");
 *   - "[NAME]": NAME is everything between the first '[' and the last ']',
 *     case kept; [DEFAULT] is merged into every other section;
 *   - "key = value" or "key: value", split at the first '=' or ':'; keys
 *     are lower-cased, values stripped;
 *   - a line indented deeper than its option line continues the value, an
 *     empty line inside a value is kept as "\n", trailing white space of
 *     the joined value is dropped;
 *   - duplicate sections or keys, a line before any section, a line with
 *     no delimiter, and a bad '%' are errors (gcloud fails to start);
 *   - BasicInterpolation: "%%" is '%', "%(key)s" the value of key in the
 *     same section or DEFAULT, at most 10 levels deep.
 * White space is ASCII plus \x1c-\x1f, as str.strip(); the Unicode spaces
 * Python also strips are not.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcloud/ini.h"
#include "util/util_array.h"

#define INI_MAX_VALUE	(1024 * 1024)
#define INTERP_DEPTH	10	/* configparser.MAX_INTERPOLATION_DEPTH */
#define WS		" \t\n\v\f\r\x1c\x1d\x1e\x1f"	/* str.strip() */

struct ini_opt {
	char	*sect;		/* NULL: [DEFAULT] */
	char	*key;
	char	*val;
	size_t	 len;
};

struct ini {
	struct ini_opt	*o;
	size_t		 n;
	char		**sects;	/* in file order */
	size_t		 nsects;
	const char	*cursect;	/* NULL: none yet */
	int		 indefault;
	struct ini_opt	*cur;		/* the option a continuation extends */
	size_t		 indent;
};

/* Append bytes to a malloc'd string of length *len. */
static int
append(char **s, size_t *len, const char *add, size_t n)
{
	char *ns;

	if (*len + n > INI_MAX_VALUE)
		return -1;
	if ((ns = realloc(*s, *len + n + 1)) == NULL)
		return -1;
	memcpy(ns + *len, add, n);
	*len += n;
	ns[*len] = '\0';
	*s = ns;
	return 0;
}

static int
isws(int c)
{
	return c != '\0' && strchr(WS, c) != NULL;
}

static struct ini_opt *
ini_find(struct ini *in, const char *sect, const char *key)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		if ((sect == NULL) != (in->o[i].sect == NULL))
			continue;
		if (sect != NULL && strcmp(sect, in->o[i].sect) != 0)
			continue;
		if (strcmp(key, in->o[i].key) == 0)
			return &in->o[i];
	}
	return NULL;
}

static int
ini_section(struct ini *in, const char *name, char *err, size_t errlen)
{
	size_t i;
	char *s;

	in->cur = NULL;
	if (strcmp(name, "DEFAULT") == 0) {
		in->indefault = 1;
		in->cursect = NULL;
		return 0;
	}
	for (i = 0; i < in->nsects; i++)
		if (strcmp(in->sects[i], name) == 0) {
			snprintf(err, errlen, "section '%s' already exists",
			    name);
			return -1;
		}
	if (array_grow(&in->sects, in->nsects, sizeof(*in->sects)) == -1 ||
	    (s = strdup(name)) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	in->sects[in->nsects++] = s;
	in->cursect = s;
	in->indefault = 0;
	return 0;
}

/* An option line "key = value" or "key: value" (s is stripped). */
static int
ini_option(struct ini *in, char *s, char *err, size_t errlen)
{
	struct ini_opt *o;
	char *delim, *k, *v;
	size_t klen, i;

	if ((delim = strpbrk(s, "=:")) == NULL || delim == s) {
		snprintf(err, errlen, "cannot parse '%s'", s);
		return -1;
	}
	for (klen = delim - s; klen > 0 && isws(s[klen - 1]); klen--)
		;
	for (v = delim + 1; isws(*v); v++)
		;
	if ((k = strndup(s, klen)) == NULL)
		goto nomem;
	for (i = 0; i < klen; i++)	/* optionxform() is str.lower() */
		k[i] = tolower((unsigned char)k[i]);
	if (ini_find(in, in->indefault ? NULL : in->cursect, k) != NULL) {
		snprintf(err, errlen, "option '%s' in section '%s' already "
		    "exists", k, in->indefault ? "DEFAULT" : in->cursect);
		free(k);
		return -1;
	}
	if (array_grow(&in->o, in->n, sizeof(*in->o)) == -1) {
		free(k);
		goto nomem;
	}
	o = &in->o[in->n];
	o->sect = in->indefault ? NULL : (char *)in->cursect;
	o->key = k;
	o->len = 0;
	o->val = NULL;
	if (append(&o->val, &o->len, v, strlen(v)) == -1) {
		free(k);
		goto nomem;
	}
	in->n++;
	in->cur = o;
	return 0;
nomem:
	snprintf(err, errlen, "%s", strerror(ENOMEM));
	return -1;
}

/* One line as configparser's RawConfigParser._read() takes it. */
static int
parseline(struct ini *in, char *line, char *err, size_t errlen)
{
	char *s, *e, *rb;
	size_t indent;

	for (s = line; isws(*s); s++)
		;
	indent = s - line;
	for (e = s + strlen(s); e > s && isws(e[-1]); e--)
		;
	*e = '\0';
	if (*s == '#' || *s == ';')
		return 0;	/* a comment adds nothing, not even a line */
	if (*s == '\0') {
		if (in->cur != NULL &&
		    append(&in->cur->val, &in->cur->len, "\n", 1) == -1)
			goto nomem;
		return 0;
	}
	if (in->cur != NULL && indent > in->indent) {
		if (append(&in->cur->val, &in->cur->len, "\n", 1) == -1 ||
		    append(&in->cur->val, &in->cur->len, s, e - s) == -1)
			goto nomem;
		return 0;
	}
	in->indent = indent;
	if (*s == '[' && (rb = strrchr(s, ']')) != NULL && rb > s + 1) {
		*rb = '\0';
		return ini_section(in, s + 1, err, errlen);
	}
	if (in->cursect == NULL && !in->indefault) {
		snprintf(err, errlen, "file contains no section headers");
		return -1;
	}
	return ini_option(in, s, err, errlen);
nomem:
	snprintf(err, errlen, "%s", strerror(ENOMEM));
	return -1;
}

static int
parse(struct ini *in, char *buf, size_t len, char *err, size_t errlen)
{
	char *p = buf, *end = buf + len, *nl;
	size_t i, lineno = 0;
	char msg[512];

	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen, "file contains a NUL byte");
		return -1;
	}
	while (p < end) {
		lineno++;
		for (nl = p; nl < end && *nl != '\n' && *nl != '\r'; nl++)
			;
		if (nl < end && *nl == '\r' && nl + 1 < end && nl[1] == '\n')
			*nl++ = '\0';
		*nl = '\0';	/* buf has room for one byte past the end */
		if (parseline(in, p, msg, sizeof(msg)) == -1) {
			snprintf(err, errlen, "line %zu: %s", lineno, msg);
			return -1;
		}
		p = nl + 1;
	}
	for (i = 0; i < in->n; i++)	/* '\n'.join(val).rstrip() */
		while (in->o[i].len > 0 && isws(in->o[i].val[in->o[i].len - 1]))
			in->o[i].val[--in->o[i].len] = '\0';
	return 0;
}

/* The value of `key` as items(sect) sees it: the section, then DEFAULT. */
static const struct ini_opt *
ini_lookup(struct ini *in, const char *sect, const char *key)
{
	const struct ini_opt *o;

	if ((o = ini_find(in, sect, key)) == NULL)
		o = ini_find(in, NULL, key);
	return o;
}

/*
 * The option a "%(name)s" at p names; *end is its final 's'.  NULL, with
 * a message, when p starts no such reference or names nothing.
 */
static const struct ini_opt *
reference(struct ini *in, const char *sect, const char *p, const char **end,
    char *err, size_t errlen)
{
	const struct ini_opt *o;
	const char *close;
	char var[256];
	size_t i;

	if (p[1] != '(' || (close = strchr(p + 2, ')')) == NULL ||
	    close == p + 2 || close[1] != 's' ||
	    (size_t)(close - p - 2) >= sizeof(var)) {
		snprintf(err, errlen, "'%%' must be followed by '%%' or "
		    "'(name)s'");
		return NULL;
	}
	for (i = 0; p + 2 + i < close; i++)
		var[i] = tolower((unsigned char)p[2 + i]);
	var[i] = '\0';
	if ((o = ini_lookup(in, sect, var)) == NULL)
		snprintf(err, errlen, "bad interpolation variable '%.64s'",
		    var);
	*end = close + 1;
	return o;
}

/* configparser.BasicInterpolation._interpolate_some() */
static int
interp(struct ini *in, const char *sect, const char *raw, int depth,
    char **out, size_t *len, char *err, size_t errlen)
{
	const struct ini_opt *o;
	const char *p;
	int rc = 0;

	if (depth > INTERP_DEPTH) {
		snprintf(err, errlen, "interpolation too deep");
		return -1;
	}
	for (p = raw; *p != '\0' && rc == 0; p++) {
		if (*p != '%')
			rc = append(out, len, p, 1);
		else if (p[1] == '%')
			rc = append(out, len, p++, 1);
		else if ((o = reference(in, sect, p, &p, err, errlen)) == NULL)
			return -1;
		else if (strchr(o->val, '%') == NULL)
			rc = append(out, len, o->val, o->len);
		else if (interp(in, sect, o->val, depth + 1, out, len, err,
		    errlen) == -1)
			return -1;
	}
	if (rc == -1)
		snprintf(err, errlen, "value too long or out of memory");
	return rc;
}

/* One item of items(sect): interpolated, then handed to the callback. */
static int
emit_one(struct ini *in, const char *sect, const struct ini_opt *o,
    ini_cb cb, void *arg, char *err, size_t errlen)
{
	char msg[256], *v = NULL;
	size_t len = 0;
	int rc = -1;

	if (append(&v, &len, "", 0) == -1 ||
	    interp(in, sect, o->val, 1, &v, &len, msg, sizeof(msg)) == -1) {
		snprintf(err, errlen, "[%s] %s: %s", sect, o->key,
		    v == NULL ? strerror(ENOMEM) : msg);
		goto out;
	}
	if (cb(arg, sect, o->key, v) == -1) {
		snprintf(err, errlen, "[%s] %s: cannot store the value", sect,
		    o->key);
		goto out;
	}
	rc = 0;
out:
	free(v);
	return rc;
}

/* Every section's items(): DEFAULT's keys, then the section's own. */
static int
emit(struct ini *in, ini_cb cb, void *arg, char *err, size_t errlen)
{
	const struct ini_opt *o;
	size_t s, i;

	for (s = 0; s < in->nsects; s++) {
		for (i = 0; i < in->n; i++) {
			o = &in->o[i];
			if (o->sect == NULL &&
			    ini_find(in, in->sects[s], o->key) != NULL)
				continue;
			if (o->sect != NULL && o->sect != in->sects[s])
				continue;
			if (emit_one(in, in->sects[s], o, cb, arg, err,
			    errlen) == -1)
				return -1;
		}
	}
	return 0;
}

static void
ini_free(struct ini *in)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		free(in->o[i].key);
		free(in->o[i].val);
	}
	for (i = 0; i < in->nsects; i++)
		free(in->sects[i]);
	free(in->o);
	free(in->sects);
}

int
ini_read(char *buf, size_t len, ini_cb cb, void *arg, char *err,
    size_t errlen)
{
	struct ini in;
	int rc;

	memset(&in, 0, sizeof(in));
	rc = parse(&in, buf, len, err, errlen);
	if (rc == 0)
		rc = emit(&in, cb, arg, err, errlen);
	ini_free(&in);
	return rc;
}
