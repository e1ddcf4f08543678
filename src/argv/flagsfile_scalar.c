/*
 * flagsfile_scalar.c - a flags file's list or mapping value as the JSON
 * text gcloud's argparse gets for it (json.dumps of the loaded value), and
 * its scalars as Python prints them; the typing is yamlscalar.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "argv/flagsfile.h"
#include "argv/flagsfile_int.h"
#include "yaml/yamltree.h"

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
json_scalar(struct sbuf *b, const struct ynode *n)
{
	const char *s = n->str;

	if (n->vtype == YV_NULL || n->vtype == YV_BOOL)
		/* gcloud's loader: a bool is text.lower() == "true" */
		s = n->vtype == YV_NULL ? "null" :
		    strcasecmp(n->val, "true") == 0 ? "true" : "false";
	else if (n->vtype == YV_FLOAT && strstr(s, "inf") != NULL)
		s = s[0] == '-' ? "-Infinity" : "Infinity";
	else if (n->vtype == YV_FLOAT && strcmp(s, "nan") == 0)
		s = "NaN";
	else if (n->vtype != YV_INT && n->vtype != YV_FLOAT) {
		json_str(b, (const unsigned char *)s);
		return;
	}
	sb_add(b, s, strlen(s));
}

static void
json_node(struct sbuf *b, const struct ynode *n, int depth)
{
	size_t i;

	if (--b->budget->nodes < 0 || depth > 4 * FLAGSFILE_MAXNEST) {
		if (b->fail == NULL)
			b->fail = depth > 4 * FLAGSFILE_MAXNEST ?
			    "YAML nested too deeply" : "too many YAML nodes";
		return;
	}
	if (n->type == Y_SCALAR) {
		json_scalar(b, n);
		return;
	}
	sb_add(b, n->type == Y_MAP ? "{" : "[", 1);
	for (i = 0; i < n->nkid && b->fail == NULL; i++) {
		if (i > 0)
			sb_add(b, n->type == Y_MAP && i % 2 ? ": " : ", ", 2);
		if (n->type == Y_MAP && i % 2 == 0)
			json_str(b, (const unsigned char *)n->kid[i]->val);
		else
			json_node(b, n->kid[i], depth + 1);
	}
	sb_add(b, n->type == Y_MAP ? "}" : "]", 1);
}

int
ffscalar_json(const struct ynode *n, char **out, struct ffbudget *budget,
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
