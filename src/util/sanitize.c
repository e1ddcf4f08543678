/*
 * sanitize.c - bytes from outside, made fit for a terminal, a shell line
 * or a JSON document (see sanitize.h).
 *
 * MUST rules for this file:
 *   - nothing from outside reaches a terminal but printable ASCII;
 *   - a shell word is either made of plain word characters or single
 *     quoted: no expansion, globbing, redirection or word splitting;
 *   - no function here exits or prints.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/sanitize.h"

const char *
san_shown(const char *s, char *buf, size_t len)
{
	size_t i;

	if (s == NULL || len == 0) {
		if (len > 0)
			buf[0] = '\0';
		return len > 0 ? buf : "";
	}
	for (i = 0; s[i] != '\0' && i + 4 < len; i++)
		buf[i] = (unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] > 0x7e ? '?' : s[i];
	strlcpy(buf + i, s[i] != '\0' ? "..." : "", len - i);
	return buf;
}

static int
plain(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (strchr("@%+=:,./_-", *s) == NULL &&
		    !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

int
san_shell_quote(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	if (s == NULL)
		s = "";
	if (plain(s))
		return strlcpy(buf, s, len) < len ? 0 : -1;
	if (len < 3)
		return -1;
	buf[i++] = '\'';
	for (; *s != '\0'; s++) {
		if (*s == '\'') {
			if (i + 4 >= len)
				return -1;
			memcpy(buf + i, "'\\''", 4);
			i += 4;
		} else {
			if (i + 1 >= len)
				return -1;
			buf[i++] = *s;
		}
	}
	if (i + 2 > len)
		return -1;
	buf[i++] = '\'';
	buf[i] = '\0';
	return 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
seqlen(const unsigned char *s, size_t n)
{
	size_t k, i;
	unsigned long c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((k == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (k == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return k;
}

int
san_utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if ((k = seqlen((const unsigned char *)s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* A copy of s with each invalid byte as U+FFFD (EF BF BD). */
static char *
fixed(const char *s)
{
	size_t n = strlen(s), i = 0, j = 0, k;
	char *out;

	if ((out = malloc(3 * n + 1)) == NULL)
		return NULL;
	while (i < n) {
		if ((k = seqlen((const unsigned char *)s + i, n - i)) == 0) {
			memcpy(out + j, "\xef\xbf\xbd", 3);
			j += 3;
			i++;
		} else {
			memcpy(out + j, s + i, k);
			j += k;
			i += k;
		}
	}
	out[j] = '\0';
	return out;
}

static int
fixstr(char **p)
{
	char *f;

	if (*p == NULL || san_utf8_valid(*p, strlen(*p)))
		return 0;
	if ((f = fixed(*p)) == NULL)
		return -1;
	cJSON_free(*p);
	if ((*p = cJSON_malloc(strlen(f) + 1)) == NULL) {
		free(f);
		return -1;
	}
	memcpy(*p, f, strlen(f) + 1);
	free(f);
	return 0;
}

int
san_json_utf8(cJSON *root)
{
	cJSON *c;
	int rc = 0;

	if (root == NULL)
		return 0;
	if (root->string != NULL && !(root->type & cJSON_StringIsConst))
		rc |= fixstr(&root->string);
	if (cJSON_IsString(root) && !(root->type & cJSON_IsReference))
		rc |= fixstr(&root->valuestring);
	for (c = root->child; c != NULL; c = c->next)
		rc |= san_json_utf8(c);
	return rc;
}
