/*
 * clidump - the command-line model's reading of many command lines, for
 * the differential test against gcloud's parser (tests/t36-argparse-diff.sh).
 *
 * Reads one JSON object a line on standard input:
 *	{"wrapper": false, "argv": ["svc", "--image=x", ...]}
 * (argv without argv[0]; wrapper: read as "gcloud ARGS", else as
 * "gcloud-run-deploy ARGS") and writes one JSON object a line:
 *	{"command": "run deploy" | null, "service": ..., "region": ...,
 *	 "help": bool,
 *	 "check": bool, "skip": ..., "images": [{"container", "image",
 *	 "source"}], "remove": ["a", ...], "unsure": bool,
 *	 "unknown": ["--x", ...], "status": "ok" | "usage" | "badinput"}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "argv/cli.h"

static cJSON *
str_or_null(const char *s)
{
	return s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *
removals(const char *list)
{
	cJSON *arr = cJSON_CreateArray();
	const char *p = list, *end;
	char buf[256];

	while (p != NULL && *p != '\0') {
		end = strchr(p, ',');
		snprintf(buf, sizeof(buf), "%.*s", end != NULL ?
		    (int)(end - p) : (int)strlen(p), p);
		cJSON_AddItemToArray(arr, cJSON_CreateString(buf));
		p = end != NULL ? end + 1 : NULL;
	}
	return arr;
}

static cJSON *
reading(const struct deploy_args *a, enum cli_status st)
{
	cJSON *o = cJSON_CreateObject(), *imgs, *im, *unk;
	size_t i;

	cJSON_AddStringToObject(o, "status", st == CLI_OK ? "ok" :
	    st == CLI_BADINPUT ? "badinput" : "usage");
	cJSON_AddItemToObject(o, "command", str_or_null(a->command));
	cJSON_AddItemToObject(o, "service", str_or_null(a->service));
	cJSON_AddItemToObject(o, "region", str_or_null(a->region));
	cJSON_AddBoolToObject(o, "help", a->help);
	cJSON_AddBoolToObject(o, "check", a->check);
	cJSON_AddItemToObject(o, "skip", str_or_null(a->skip));
	imgs = cJSON_AddArrayToObject(o, "images");
	for (i = 0; i < a->nimages; i++) {
		im = cJSON_CreateObject();
		cJSON_AddItemToObject(im, "container",
		    str_or_null(a->images[i].container));
		cJSON_AddItemToObject(im, "image",
		    str_or_null(a->images[i].image));
		cJSON_AddBoolToObject(im, "source", a->images[i].source);
		cJSON_AddItemToArray(imgs, im);
	}
	cJSON_AddItemToObject(o, "remove", removals(a->remove_containers));
	cJSON_AddBoolToObject(o, "unsure", a->service_unsure != NULL);
	unk = cJSON_AddArrayToObject(o, "unknown");
	for (i = 0; i < a->nunknown; i++)
		cJSON_AddItemToArray(unk, cJSON_CreateString(a->unknown[i]));
	return o;
}

static int
one(const char *line)
{
	cJSON *in, *args, *w, *out;
	char **argv, err[1024], *text;
	struct deploy_args a;
	enum cli_status st;
	int argc = 1, wrapper;

	if ((in = cJSON_Parse(line)) == NULL ||
	    !cJSON_IsArray(args = cJSON_GetObjectItem(in, "argv")))
		return -1;
	wrapper = cJSON_IsTrue(cJSON_GetObjectItem(in, "wrapper"));
	argv = calloc((size_t)cJSON_GetArraySize(args) + 2, sizeof(*argv));
	if (argv == NULL)
		return -1;
	argv[0] = wrapper ? "gcloud" : "gcloud-run-deploy";
	cJSON_ArrayForEach(w, args)
		argv[argc++] = cJSON_IsString(w) ? w->valuestring : "";
	st = cli_parse(argc, argv, wrapper ? CLI_WRAPPER : CLI_DEPLOY, &a,
	    err, sizeof(err));
	out = reading(&a, st);
	if (st != CLI_OK)
		cJSON_AddStringToObject(out, "error", err);
	text = cJSON_PrintUnformatted(out);
	puts(text != NULL ? text : "{}");
	free(text);
	cJSON_Delete(out);
	cli_free(&a);
	free(argv);
	cJSON_Delete(in);
	return 0;
}

int
main(void)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, stdin) > 0) {
		if (one(line) != 0) {
			fprintf(stderr, "clidump: bad input line\n");
			return 1;
		}
		fflush(stdout);
	}
	free(line);
	return 0;
}
