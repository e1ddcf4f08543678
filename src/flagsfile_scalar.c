/*
 * flagsfile_scalar.c - a YAML scalar as gcloud's loader types it, and as
 * Python's str() prints it.
 *
 * gcloud loads a flags file with ruamel.yaml 0.15 in its round-trip mode
 * (YAML 1.2 unless the file says "%YAML 1.1"), through its own constructor
 * (core/yaml_location_value.py): booleans and nulls as such, ints with
 * int(text), floats with float(text), everything else as the text.  So
 * "0x10" and ".inf" resolve to int and float and then fail in Python (an
 * error here), "007" is 7, "1e3" is 1000.0, "yes" stays a string.  The
 * regular expressions are ruamel's resolver.py, in POSIX ERE.
 */
#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "flagsfile.h"
#include "flagsfile_int.h"

enum { R_BOOL, R_FLOAT, R_INT, R_MERGE, R_NULL, R_TIME, R_VALUE, R_N };

struct resolver {
	const char	*first;		/* first characters it applies to */
	const char	*re;
};

static const struct resolver res12[R_N] = {
	{ "tTfF", "^(true|True|TRUE|false|False|FALSE)$" },
	{ "-+0123456789.", "^([-+]?([0-9][0-9_]*)\\.[0-9_]*([eE][-+]?[0-9]+)?"
	    "|[-+]?([0-9][0-9_]*)([eE][-+]?[0-9]+)"
	    "|[-+]?\\.[0-9_]+([eE][-+][0-9]+)?"
	    "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$" },
	{ "-+0123456789", "^([-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+"
	    "|[-+]?0x[0-9a-fA-F_]+)$" },
	{ "<", "^<<$" },
	{ "~nN", "^(~|null|Null|NULL)$" },
	{ "0123456789", "^([0-9]{4}-[0-9][0-9]-[0-9][0-9]"
	    "|[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?([Tt]|[ \t]+)[0-9][0-9]?"
	    ":[0-9][0-9]:[0-9][0-9](\\.[0-9]*)?"
	    "([ \t]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?))?)$" },
	{ "=", "^=$" },
};

static const struct resolver res11[R_N] = {
	{ "yYnNtTfFoO", "^(y|Y|yes|Yes|YES|n|N|no|No|NO"
	    "|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$" },
	{ "-+0123456789.", "^([-+]?([0-9][0-9_]*)\\.[0-9_]*([eE][-+]?[0-9]+)?"
	    "|[-+]?([0-9][0-9_]*)([eE][-+]?[0-9]+)"
	    "|\\.[0-9_]+([eE][-+][0-9]+)?"
	    "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*"
	    "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$" },
	{ "-+0123456789", "^([-+]?0b[0-1_]+|[-+]?0?[0-7_]+"
	    "|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
	    "|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$" },
	{ NULL, NULL }, { NULL, NULL }, { NULL, NULL }, { NULL, NULL }
};

static regex_t	re12[R_N], re11[R_N];
static int	compiled;

static int
compile(void)
{
	int i;

	if (compiled)
		return compiled;
	for (i = 0; i < R_N; i++) {
		if (regcomp(&re12[i], res12[i].re, REG_EXTENDED | REG_NOSUB))
			return compiled = -1;
		if (regcomp(&re11[i], (res11[i].re ? res11 : res12)[i].re,
		    REG_EXTENDED | REG_NOSUB))
			return compiled = -1;
	}
	return compiled = 1;
}

/* Which resolver takes a plain scalar; R_N for a string. */
static int
implicit(const char *s, int v11)
{
	const struct resolver *r;
	int i;

	if (*s == '\0')
		return R_NULL;
	for (i = 0; i < R_N; i++) {
		r = (v11 && res11[i].re) ? &res11[i] : &res12[i];
		if (strchr(r->first, *s) == NULL)
			continue;
		if (regexec(v11 ? &re11[i] : &re12[i], s, 0, NULL, 0) == 0)
			return i;
	}
	return R_N;
}

/* Copy s without '_', each of which must stand between two digits. */
static char *
unscore(const char *s)
{
	size_t i, j = 0, n = strlen(s);
	char *t;

	if ((t = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] != '_') {
			t[j++] = s[i];
			continue;
		}
		if (i == 0 || !isdigit((unsigned char)s[i - 1]) ||
		    !isdigit((unsigned char)s[i + 1])) {
			t[0] = '\0';	/* not a number */
			return t;
		}
	}
	t[j] = '\0';
	return t;
}

/* Python's str(int(s)); NULL with *bad set when int() would fail. */
static char *
py_int(const char *s, int *bad)
{
	char *t, *p, *out;
	size_t nd;
	int neg = 0;

	while (isspace((unsigned char)*s))
		s++;
	if ((t = unscore(s)) == NULL)
		return NULL;
	for (p = t + strlen(t); p > t && isspace((unsigned char)p[-1]); p--)
		p[-1] = '\0';
	p = t;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	nd = strlen(p);
	*bad = nd == 0 || strspn(p, "0123456789") != nd || nd > 4300;
	while (p[0] == '0' && p[1] != '\0')
		p++;
	neg = neg && strcmp(p, "0") != 0;
	out = *bad ? NULL : malloc(strlen(p) + 2);
	if (out != NULL)
		snprintf(out, strlen(p) + 2, "%s%s", neg ? "-" : "", p);
	free(t);
	return out;
}

/* Python's float() grammar, after unscore(). */
static int
py_float_ok(const char *s)
{
	size_t d1, d2 = 0;

	if (*s == '+' || *s == '-')
		s++;
	if (strcasecmp(s, "inf") == 0 || strcasecmp(s, "infinity") == 0 ||
	    strcasecmp(s, "nan") == 0)
		return 1;
	d1 = strspn(s, "0123456789");
	s += d1;
	if (*s == '.') {
		d2 = strspn(++s, "0123456789");
		s += d2;
	}
	if (d1 + d2 == 0)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (strspn(s, "0123456789") == 0)
			return 0;
		s += strspn(s, "0123456789");
	}
	return *s == '\0';
}

/* Python's repr(x): shortest round trip, exponent outside [-4, 16). */
static void
py_repr(double x, char *out, size_t len)
{
	char buf[40], dig[24];
	int prec, e, nd, dp;
	char *p;

	if (isnan(x) || isinf(x)) {
		snprintf(out, len, "%s", isnan(x) ? "nan" : x < 0 ? "-inf" :
		    "inf");
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*e", prec - 1, x);
	p = buf + (buf[0] == '-');
	nd = 0;
	for (; *p != 'e'; p++)
		if (*p != '.')
			dig[nd++] = *p;
	dig[nd] = '\0';
	e = atoi(p + 1);
	while (nd > 1 && dig[nd - 1] == '0')
		dig[--nd] = '\0';
	dp = e + 1;
	if (dp > -4 && dp <= 16) {
		if (dp <= 0)
			snprintf(out, len, "%s0.%.*d%s", buf[0] == '-' ? "-" :
			    "", -dp, 0, dig);
		else if (dp >= nd)
			snprintf(out, len, "%s%s%.*d.0", buf[0] == '-' ? "-" :
			    "", dig, dp - nd, 0);
		else
			snprintf(out, len, "%s%.*s.%s", buf[0] == '-' ? "-" :
			    "", dp, dig, dig + dp);
		return;
	}
	snprintf(out, len, "%s%c%s%se%c%02d", buf[0] == '-' ? "-" : "",
	    dig[0], nd > 1 ? "." : "", dig + 1, e < 0 ? '-' : '+',
	    e < 0 ? -e : e);
}

/* Python's str(float(s)); NULL with *bad set when float() would fail. */
static char *
py_float(const char *s, int *bad)
{
	char *t, *p, out[64];

	while (isspace((unsigned char)*s))
		s++;
	if ((t = unscore(s)) == NULL)
		return NULL;
	for (p = t + strlen(t); p > t && isspace((unsigned char)p[-1]); p--)
		p[-1] = '\0';
	*bad = !py_float_ok(t);
	if (!*bad)
		py_repr(strtod(t, NULL), out, sizeof(out));
	free(t);
	return *bad ? NULL : strdup(out);
}

static int
typed(struct ffnode *n, int vtype, char *err, size_t errlen)
{
	int bad = 0;

	n->vtype = vtype;
	if (vtype == FFV_INT)
		n->str = py_int(n->raw, &bad);
	else if (vtype == FFV_FLOAT)
		n->str = py_float(n->raw, &bad);
	else
		n->str = n->raw;
	if (bad)
		snprintf(err, errlen, "'%s' is not a valid %s", n->raw,
		    vtype == FFV_INT ? "integer" : "float");
	else if (n->str == NULL)
		snprintf(err, errlen, "out of memory");
	return n->str == NULL ? -1 : 0;
}

int
ffscalar_resolve(struct ffnode *n, const char *tag, int plain, int v11,
    char *err, size_t errlen)
{
	static const int vt[R_N] = { FFV_BOOL, FFV_FLOAT, FFV_INT,
	    FFV_MERGE, FFV_NULL, FFV_STR, FFV_STR };
	int r, vtype = FFV_STR;

	if (compile() < 0) {
		snprintf(err, errlen, "cannot compile a regular expression");
		return -1;
	}
	if (tag == NULL && plain) {
		r = implicit(n->raw, v11);
		if (r == R_TIME || r == R_VALUE) {
			/* gcloud's loader crashes on these */
			snprintf(err, errlen, "'%s': %s is not supported",
			    n->raw, r == R_TIME ? "a date or time" : "'='");
			return -1;
		}
		vtype = r == R_N ? FFV_STR : vt[r];
	} else if (tag != NULL && strcmp(tag, "!") != 0 &&
	    strcmp(tag, YAML_STR_TAG) != 0) {
		if (strcmp(tag, YAML_INT_TAG) == 0)
			vtype = FFV_INT;
		else if (strcmp(tag, YAML_FLOAT_TAG) == 0)
			vtype = FFV_FLOAT;
		else if (strcmp(tag, YAML_BOOL_TAG) == 0)
			vtype = FFV_BOOL;
		else if (strcmp(tag, YAML_NULL_TAG) == 0)
			vtype = FFV_NULL;
		else {
			snprintf(err, errlen, "unsupported YAML tag '%s'",
			    tag);
			return -1;
		}
	}
	return typed(n, vtype, err, errlen);
}

/* A growing string that stops at the byte budget. */
struct sbuf {
	char		*p;
	size_t		 n;
	size_t		 cap;
	struct ffbudget	*budget;
	const char	*fail;		/* why it stopped */
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	char *np;
	size_t ncap;

	if (b->fail != NULL)
		return;
	if (n > b->budget->bytes) {
		b->fail = "the expanded flags are too large";
		return;
	}
	if (b->n + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 64;
		while (ncap < b->n + n + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->fail = "out of memory";
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	b->budget->bytes -= n;
}

/* json.dumps(s): ensure_ascii, so non-ASCII as \uXXXX (UTF-16). */
static void
json_str(struct sbuf *b, const unsigned char *s)
{
	char u[32];
	unsigned long c;
	int k;

	sb_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\') {
			u[0] = '\\';
			u[1] = (char)*s;
			sb_add(b, u, 2);
		} else if (*s >= 0x20 && *s < 0x80)
			sb_add(b, (const char *)s, 1);
		else if (*s == '\n' || *s == '\t' || *s == '\r')
			sb_add(b, *s == '\n' ? "\\n" : *s == '\t' ? "\\t" :
			    "\\r", 2);
		else {
			/* the input was checked to be UTF-8 */
			k = *s < 0x80 ? 0 : *s < 0xe0 ? 1 : *s < 0xf0 ? 2 : 3;
			c = k == 0 ? *s : *s & (0x3f >> k);
			while (k-- > 0 && s[1] != '\0')
				c = (c << 6) | (*++s & 0x3f);
			if (c >= 0x10000)
				snprintf(u, sizeof(u), "\\u%04lx\\u%04lx",
				    0xd800 + ((c - 0x10000) >> 10),
				    0xdc00 + ((c - 0x10000) & 0x3ff));
			else
				snprintf(u, sizeof(u), "\\u%04lx", c);
			sb_add(b, u, strlen(u));
		}
	}
	sb_add(b, "\"", 1);
}

static void
json_scalar(struct sbuf *b, const struct ffnode *n)
{
	const char *s = n->str;

	if (n->vtype == FFV_NULL || n->vtype == FFV_BOOL)
		/* gcloud's loader: a bool is text.lower() == "true" */
		s = n->vtype == FFV_NULL ? "null" :
		    strcasecmp(n->raw, "true") == 0 ? "true" : "false";
	else if (n->vtype == FFV_FLOAT && strstr(s, "inf") != NULL)
		s = s[0] == '-' ? "-Infinity" : "Infinity";
	else if (n->vtype == FFV_FLOAT && strcmp(s, "nan") == 0)
		s = "NaN";
	else if (n->vtype != FFV_INT && n->vtype != FFV_FLOAT) {
		json_str(b, (const unsigned char *)s);
		return;
	}
	sb_add(b, s, strlen(s));
}

static void
json_node(struct sbuf *b, const struct ffnode *n, int depth)
{
	size_t i;

	if (--b->budget->nodes < 0 || depth > 4 * FLAGSFILE_MAXNEST) {
		if (b->fail == NULL)
			b->fail = depth > 4 * FLAGSFILE_MAXNEST ?
			    "YAML nested too deeply" : "too many YAML nodes";
		return;
	}
	if (n->type == FFN_SCALAR) {
		json_scalar(b, n);
		return;
	}
	sb_add(b, n->type == FFN_MAP ? "{" : "[", 1);
	for (i = 0; i < n->nkids && b->fail == NULL; i++) {
		if (i > 0)
			sb_add(b, n->type == FFN_MAP && i % 2 ? ": " : ", ", 2);
		if (n->type == FFN_MAP && i % 2 == 0)
			json_str(b, (const unsigned char *)n->kids[i]->raw);
		else
			json_node(b, n->kids[i], depth + 1);
	}
	sb_add(b, n->type == FFN_MAP ? "}" : "]", 1);
}

int
ffscalar_json(const struct ffnode *n, char **out, struct ffbudget *budget,
    char *err, size_t errlen)
{
	struct sbuf b;

	memset(&b, 0, sizeof(b));
	b.budget = budget;
	json_node(&b, n, 0);
	if (b.fail == NULL && b.p == NULL)
		b.fail = "out of memory";
	if (b.fail != NULL) {
		snprintf(err, errlen, "%s", b.fail);
		free(b.p);
		return -1;
	}
	*out = b.p;
	return 0;
}
