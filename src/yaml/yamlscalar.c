/*
 * yamlscalar.c - a YAML scalar as gcloud's ruamel loaders type it (see
 * yamlscalar.h), and as Python's str() prints it.
 *
 * One table of ruamel's implicit resolvers (resolver.py, in POSIX ERE)
 * serves both loaders: the round-trip one (flags files, YAML 1.2 unless
 * "%YAML 1.1") and the SafeLoader (manifests, YAML 1.1 unless
 * "%YAML 1.2").  The first-character filters are ruamel's too, and they
 * matter: "_1" matches the int expression but is a string.
 */
#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "yaml/yamlscalar.h"
#include "yaml/ynode.h"

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

/* s as int() and float() read it: no white space around, no '_'. */
static char *
trimmed(const char *s)
{
	char *t, *p;

	while (isspace((unsigned char)*s))
		s++;
	if ((t = unscore(s)) == NULL)
		return NULL;
	for (p = t + strlen(t); p > t && isspace((unsigned char)p[-1]); p--)
		p[-1] = '\0';
	return t;
}

/* Python's str(int(s)); NULL with *bad set when int() would fail. */
static char *
py_int(const char *s, int *bad)
{
	char *t, *p, *out;
	size_t nd;
	int neg = 0;

	if ((t = trimmed(s)) == NULL)
		return NULL;
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
	char *t, out[64];

	if ((t = trimmed(s)) == NULL)
		return NULL;
	*bad = !py_float_ok(t);
	if (!*bad)
		py_repr(strtod(t, NULL), out, sizeof(out));
	free(t);
	return *bad ? NULL : strdup(out);
}

static int
typed(struct ynode *n, int vtype, char *err, size_t errlen)
{
	int bad = 0;

	n->vtype = vtype;
	if (vtype == YV_INT)
		n->str = py_int(n->val, &bad);
	else if (vtype == YV_FLOAT)
		n->str = py_float(n->val, &bad);
	else
		n->str = n->val;
	if (bad)
		snprintf(err, errlen, "'%s' is not a valid %s", n->val,
		    vtype == YV_INT ? "integer" : "float");
	else if (n->str == NULL)
		snprintf(err, errlen, "out of memory");
	return n->str == NULL ? -1 : 0;
}

int
yscalar_type(struct ynode *n, int v11, char *err, size_t errlen)
{
	static const int vt[R_N] = { YV_BOOL, YV_FLOAT, YV_INT,
	    YV_MERGE, YV_NULL, YV_STR, YV_STR };
	const char *tag = n->tag;
	int r, vtype = YV_STR;

	if (compile() < 0) {
		snprintf(err, errlen, "cannot compile a regular expression");
		return -1;
	}
	if (tag == NULL && n->plain) {
		r = implicit(n->val, v11);
		if (r == R_TIME || r == R_VALUE) {
			/* gcloud's loader crashes on these */
			snprintf(err, errlen, "'%s': %s is not supported",
			    n->val, r == R_TIME ? "a date or time" : "'='");
			return -1;
		}
		vtype = r == R_N ? YV_STR : vt[r];
	} else if (tag != NULL && strcmp(tag, "!") != 0 &&
	    strcmp(tag, YAML_STR_TAG) != 0) {
		if (strcmp(tag, YAML_INT_TAG) == 0)
			vtype = YV_INT;
		else if (strcmp(tag, YAML_FLOAT_TAG) == 0)
			vtype = YV_FLOAT;
		else if (strcmp(tag, YAML_BOOL_TAG) == 0)
			vtype = YV_BOOL;
		else if (strcmp(tag, YAML_NULL_TAG) == 0)
			vtype = YV_NULL;
		else {
			snprintf(err, errlen, "unsupported YAML tag '%s'",
			    tag);
			return -1;
		}
	}
	return typed(n, vtype, err, errlen);
}

int
yscalar_isnull(const struct ynode *n)
{
	const char *v = n->val;

	if (n->type != Y_SCALAR)
		return 0;
	if (n->tag != NULL)
		return strcmp(n->tag, YAML_NULL_TAG) == 0;
	return n->plain && (strcmp(v, "") == 0 || strcmp(v, "~") == 0 ||
	    strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	    strcmp(v, "NULL") == 0);
}

int
yscalar_isstr(const struct ynode *n, int v11)
{
	if (n->type != Y_SCALAR)
		return 0;
	if (n->tag != NULL)
		return strcmp(n->tag, "!") == 0 ||
		    strcmp(n->tag, YAML_STR_TAG) == 0;
	if (!n->plain)
		return 1;
	if (yscalar_isnull(n) || compile() < 0)
		return 0;
	return implicit(n->val, v11) == R_N;
}
