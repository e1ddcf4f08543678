/*
 * cli_argparse.c - argparse's rules for one word, as gcloud applies them
 * (ArgumentParser._parse_optional), and calliope's ArgList for an
 * accumulating list flag.
 *
 * gcloud runs its own copy of argparse (lib/third_party/argparse, 1.2.1)
 * with calliope's parser on top (parser_extensions.py), which matches no
 * abbreviation and no short option with text attached ("-qx" is not -q):
 * its _get_option_tuples() returns nothing.  The order matters: a word is
 * an option when
 *  1. it starts with '-' and is an option string of the parser as a whole;
 *  2. it is longer than one character, has a '=' and the part before the
 *     first '=' is an option string ("--set-env-vars=A=hello world");
 * otherwise it is a positional when it looks like a negative number or
 * contains a space, and an unknown option when it does not.  So a space
 * makes a positional of an unknown word only, never of a known flag.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "argv/cli_int.h"

/* argparse's _negative_number_matcher: ^-\d+$|^-\d*\.\d+$ ("$" also
 * matches before a final newline, as Python's re does) */
static int
negative_number(const char *w)
{
	const char *p = w + 1;
	size_t digits = strspn(p, "0123456789"), rest;

	if (p[digits] != '.')
		return digits > 0 && (p[digits] == '\0' ||
		    strcmp(p + digits, "\n") == 0);
	p += digits + 1;
	digits = strspn(p, "0123456789");
	rest = strlen(p + digits);
	return digits > 0 && (rest == 0 || strcmp(p + digits, "\n") == 0);
}

const struct flagspec *
cliarg_match(const struct flagcmd *tab, const char *w, const char **explicit)
{
	const struct flagspec *f;
	const char *eq;
	size_t len = strlen(w);

	*explicit = NULL;
	if (w[0] != '-')
		return NULL;
	if ((f = flagtab_find(tab, w, len)) != NULL)
		return f;
	if (len == 1)
		return NULL;
	if ((eq = strchr(w, '=')) != NULL &&
	    (f = flagtab_find(tab, w, (size_t)(eq - w))) != NULL) {
		*explicit = eq + 1;
		return f;
	}
	return NULL;
}

enum cliarg_class
cliarg_classify(const struct flagcmd *tab, const char *w)
{
	const char *explicit;

	if (w[0] != '-' || w[1] == '\0')
		return CLIARG_POSITIONAL;
	if (cliarg_match(tab, w, &explicit) != NULL)
		return CLIARG_OPTION;
	if (negative_number(w) || strchr(w, ' ') != NULL)
		return CLIARG_POSITIONAL;
	return CLIARG_UNKNOWN;
}

static int
list_append(char **list, const char *item, size_t len)
{
	size_t have = *list != NULL ? strlen(*list) : 0;
	char *p;

	if ((p = realloc(*list, have + len + 2)) == NULL)
		return -1;
	if (have > 0)
		p[have++] = ',';
	memcpy(p + have, item, len);
	p[have + len] = '\0';
	*list = p;
	return 0;
}

/* A list from a flags file: the FLAGSFILE_STRUCT word, as JSON text. */
static int
list_add_json(char **list, const char *json)
{
	cJSON *root, *it;
	int rc = 0;

	if ((root = cJSON_Parse(json)) == NULL || !cJSON_IsArray(root)) {
		cJSON_Delete(root);
		return 0;	/* a mapping: calliope's ArgList refuses it */
	}
	cJSON_ArrayForEach(it, root) {
		if (cJSON_IsString(it) && list_append(list, it->valuestring,
		    strlen(it->valuestring)) != 0)
			rc = -1;
	}
	cJSON_Delete(root);
	return rc;
}

/*
 * ArgList: split on ',' ("^D^a D b" splits on D instead); UpdateAction
 * merges the items of every occurrence, in order.  The result is one
 * comma-separated list (the names it holds, container names, have no
 * commas).
 */
int
cliarg_list_add(char **list, const char *val, int structured)
{
	const char *p, *end, *delim = ",";
	size_t dlen = 1;

	if (structured)
		return list_add_json(list, val);
	if (val[0] == '^' && (end = strchr(val + 1, '^')) != NULL) {
		if (end == val + 1)
			return 0;	/* "^^": ArgList refuses it */
		delim = val + 1;
		dlen = (size_t)(end - val - 1);
		val = end + 1;
	}
	for (p = val; *p != '\0'; p = end + dlen) {
		end = memmem(p, strlen(p), delim, dlen);
		if (end == NULL)
			end = p + strlen(p);
		if (list_append(list, p, (size_t)(end - p)) != 0)
			return -1;
		if (*end == '\0')
			break;
	}
	return 0;
}
