/*
 * ffdump.c - for the differential test: read flags-file paths, one a
 * line, on standard input; for each, expand "--flags-file PATH" with
 * flagsfile_expand() and print one JSON line:
 *	{"ok":true,"words":[...],"kinds":[...]} or {"ok":false,"err":"..."}
 * Built by tests/t46-manifest-diff.sh against build/libshim.a.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "argv/flagsfile.h"

static void
one(char *path)
{
	struct flagsfile_words w = { 0 };
	char err[512], ff[] = "--flags-file", *in[2] = { ff, path }, *s;
	cJSON *o = cJSON_CreateObject(), *words, *kinds;
	int i;

	if (flagsfile_expand(in, 2, &w, err, sizeof(err)) != 0) {
		cJSON_AddBoolToObject(o, "ok", 0);
		cJSON_AddStringToObject(o, "err", err);
	} else {
		cJSON_AddBoolToObject(o, "ok", 1);
		words = cJSON_AddArrayToObject(o, "words");
		kinds = cJSON_AddArrayToObject(o, "kinds");
		for (i = 0; i < w.n; i++) {
			cJSON_AddItemToArray(words, cJSON_CreateString(w.v[i]));
			cJSON_AddItemToArray(kinds,
			    cJSON_CreateNumber(w.kind[i]));
		}
	}
	flagsfile_free(&w);
	s = cJSON_PrintUnformatted(o);
	puts(s != NULL ? s : "{\"ok\":false,\"err\":\"out of memory\"}");
	cJSON_free(s);
	cJSON_Delete(o);
}

int
main(void)
{
	char line[4096];
	size_t n;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		one(line);
		fflush(stdout);
	}
	return 0;
}
