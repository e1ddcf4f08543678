/*
 * util_json.c - reading cJSON trees (see util_json.h).
 */
#include <cjson/cJSON.h>

#include "util/util_json.h"

const char *
jstr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}
